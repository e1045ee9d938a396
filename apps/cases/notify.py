"""Who hears of a case event, written to the inbox through the outbox.

The notification and its outbox row are written in the same transaction as the
event (two INSERT ... SELECT statements, however many the recipients); the send
task is queued on commit. If the broker is down the queueing
fails quietly, and the periodic sweeper (`tasks.sweep_outbox`) sends what is
still pending, so a stopped broker loses nothing.
"""

import atexit
import logging
import os
import queue
import threading
import time

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.cases.models import Notification, OutboxMessage
from apps.people.models import Person, Role

log = logging.getLogger(__name__)


def dispatchers_of(case):
    return Person.objects.filter(role=Role.DISPATCHER).filter(
        Q(subdistrict__isnull=True) | Q(subdistrict_id=case.subdistrict_id)
    )


def handlers_of(department_ids):
    return Person.objects.filter(role=Role.HANDLER, department_id__in=department_ids)


def patrol_of(case):
    return Person.objects.filter(role=Role.GRID_WORKER, grids=case.grid_id)


def recipients_for(case, action):
    if action in ("report", "return", "request_extension", "request_pending"):
        return dispatchers_of(case)
    if action in ("dispatch", "verify_fail", "send_back", "approve_return", "grant_extension", "refuse_extension",
                  "refuse_return", "grant_pending", "refuse_pending"):
        return handlers_of(list(case.parts.values_list("department_id", flat=True)) or [case.department_id])
    if action == "report_handled":
        return patrol_of(case)
    if action == "reroute":  # the dispatchers of the area the near-border case moved to
        return dispatchers_of(case)
    return Person.objects.none()


MESSAGES = {
    "report": _("New report %(number)s: %(category)s"),
    "dispatch": _("Case %(number)s dispatched to your department"),
    "return": _("Case %(number)s returned by the department"),
    "request_extension": _("Case %(number)s: extension requested"),
    "request_pending": _("Case %(number)s: pending (挂账) requested"),
    "report_handled": _("Case %(number)s handled: verify on site"),
    "verify_fail": _("Case %(number)s failed verification: rework"),
    "send_back": _("Case %(number)s sent back: its photos failed the evidence checks, rework"),
    "reroute": _("Case %(number)s was near a border and has been moved to your area: %(category)s"),
    "approve_return": _("Case %(number)s: return approved"),
    "refuse_return": _("Case %(number)s: return refused, please handle"),
    "grant_extension": _("Case %(number)s: extension granted"),
    "refuse_extension": _("Case %(number)s: extension refused"),
    "grant_pending": _("Case %(number)s: pending granted"),
    "refuse_pending": _("Case %(number)s: pending refused"),
    "yellow": _("Case %(number)s is nearing its deadline"),
    "red": _("Case %(number)s is overdue"),
    "escalated": _("Case %(number)s is overdue and escalated to you (督办)"),
}


# Deadline warnings go out once per case and person however often the sweep runs.
ONCE_PER_CASE = ("yellow", "red", "escalated")


def notify(people, case, kind):
    """Write one inbox notification per person (once per case and kind) and queue its delivery.

    `people`: a Person queryset (or a list of persons). Returns the notifications' ids.
    """
    if not isinstance(people, QuerySet):
        people = Person.objects.filter(pk__in=[p.pk for p in people])
    if kind in ONCE_PER_CASE:
        people = people.exclude(pk__in=Notification.objects.filter(case=case, kind=kind).values("recipient_id"))
    # Evaluated only when someone is to be told (some actions notify nobody and have no message).
    return _write(people, case.pk, kind, lambda: str(MESSAGES[kind]) % {"number": case.number,
                                                                         "category": case.category.name})


def notify_text(people, kind, text):
    """A notification that concerns no case (supervision's escalations, bulletins): the same inbox and outbox.

    The one way other apps post to the inbox: they never write its rows themselves.
    """
    if not isinstance(people, QuerySet):
        people = Person.objects.filter(pk__in=[p.pk for p in people if p is not None])
    return _write(people, None, kind, lambda: str(text)[:300])


def _write(people, case_id, kind, text):
    """Two statements whatever the number of recipients, each an INSERT ... SELECT: the
    notifications straight from the recipients' query, then their outbox rows; the
    delivery is queued on commit. `text` is a callable giving the message."""
    try:
        recipients, params = people.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # Person.objects.none(): nobody to tell
        return []
    text = text()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    notification, outbox = Notification._meta.db_table, OutboxMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {notification} (recipient_id, case_id, kind, text, created_at)"
            f" SELECT r.id, %s, %s, %s, %s FROM ({recipients}) r RETURNING id",
            [case_id, kind, text, now, *params],
        )
        notifications = [row[0] for row in cursor.fetchall()]
        if not notifications:
            return []
        cursor.execute(
            f"INSERT INTO {outbox} (notification_id, state, attempts, last_error, created_at)"
            f" SELECT id, %s, 0, '', %s FROM {notification} WHERE id IN ({', '.join(['%s'] * len(notifications))})"
            " RETURNING id",
            [OutboxMessage.State.PENDING, now, *notifications],
        )
        ids = [row[0] for row in cursor.fetchall()]
    transaction.on_commit(lambda: deliveries.put(ids))
    return notifications


def notify_event(case, event):
    people = recipients_for(case, event.action)
    if event.actor_id:
        people = people.exclude(pk=event.actor_id)
    notify(people, case, event.action)


def enqueue_delivery(outbox_ids):
    """Queue the send task; a broker outage is logged and left to the sweeper."""
    from apps.cases.tasks import deliver_outbox

    try:
        deliver_outbox.apply_async(args=[outbox_ids], retry=False)
    except Exception as exc:  # kombu raises OperationalError and friends; the sweeper retries
        log.warning("broker unavailable, %d notifications left to the sweeper: %s", len(outbox_ids), exc)


class Deliveries:
    """Hands outbox ids to the broker from a thread of the process's own, a batch at a time.

    A request never waits on the broker: on commit it puts its ids here and
    answers. The thread publishes what has gathered in `linger` seconds as one
    task (publishing cost about 1 ms a time, a tenth of a report), and a broker
    outage costs the request nothing; what a dead broker or a stopped process
    leaves behind stays pending in the outbox for the sweeper.
    """

    def __init__(self, linger=0.02):
        self.linger = linger
        self.lock = threading.Lock()
        self.pending = queue.SimpleQueue()
        self.idle = threading.Event()
        self.idle.set()
        self.thread, self.pid = None, None

    def put(self, ids):
        with self.lock:
            self.idle.clear()
            self.pending.put(list(ids))
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                # Per process: a forked worker (gunicorn, Celery's pool) starts its own.
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self.run, name="outbox-delivery", daemon=True)
                self.thread.start()

    def run(self):
        while True:
            ids = self.pending.get()
            deadline = time.monotonic() + self.linger
            while (left := deadline - time.monotonic()) > 0:
                try:
                    ids.extend(self.pending.get(timeout=left))
                except queue.Empty:
                    break
            enqueue_delivery(ids)
            with self.lock:
                if self.pending.empty():
                    self.idle.set()

    def flush(self, timeout=5.0):
        """Wait until every id put so far was handed to the broker (or given up on); True if so."""
        return self.idle.wait(timeout)


deliveries = Deliveries()
atexit.register(deliveries.flush, 2.0)  # a process stopping hands over what it holds, briefly
