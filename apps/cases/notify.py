"""Who hears of a case event, written to the inbox through the outbox.

The notification and its outbox row are written in the same transaction as the
event; the send task is queued on commit. If the broker is down the queueing
fails quietly, and the periodic sweeper (`tasks.sweep_outbox`) sends what is
still pending, so a stopped broker loses nothing.
"""

import logging

from django.db import transaction
from django.db.models import Q
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
    if action in ("dispatch", "verify_fail", "approve_return", "grant_extension", "refuse_extension",
                  "refuse_return", "grant_pending", "refuse_pending"):
        return handlers_of(list(case.parts.values_list("department_id", flat=True)) or [case.department_id])
    if action == "report_handled":
        return patrol_of(case)
    return Person.objects.none()


MESSAGES = {
    "report": _("New report %(number)s: %(category)s"),
    "dispatch": _("Case %(number)s dispatched to your department"),
    "return": _("Case %(number)s returned by the department"),
    "request_extension": _("Case %(number)s: extension requested"),
    "request_pending": _("Case %(number)s: pending (挂账) requested"),
    "report_handled": _("Case %(number)s handled: verify on site"),
    "verify_fail": _("Case %(number)s failed verification: rework"),
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
    """Write one inbox notification per person (once per case and kind) and queue its delivery."""
    text = str(MESSAGES[kind]) % {"number": case.number, "category": case.category.name}
    existing = set()
    if kind in ONCE_PER_CASE:
        existing = set(
            Notification.objects.filter(case=case, kind=kind, recipient__in=people).values_list(
                "recipient_id", flat=True
            )
        )
    created = Notification.objects.bulk_create(
        [Notification(recipient=p, case=case, kind=kind, text=text) for p in people if p.pk not in existing]
    )
    if not created:
        return []
    if created[0].pk is None:  # backends that do not return ids from bulk_create
        created = list(Notification.objects.filter(case=case, kind=kind, outbox__isnull=True))
    outbox = OutboxMessage.objects.bulk_create([OutboxMessage(notification=n) for n in created])
    ids = [m.pk for m in outbox] if outbox and outbox[0].pk else list(
        OutboxMessage.objects.filter(notification__in=created).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: enqueue_delivery(ids))
    return created


def notify_event(case, event):
    people = list(recipients_for(case, event.action).exclude(pk=event.actor_id) if event.actor_id else
                  recipients_for(case, event.action))
    if people:
        notify(people, case, event.action)


def enqueue_delivery(outbox_ids):
    """Queue the send task; a broker outage is logged and left to the sweeper."""
    from apps.cases.tasks import deliver_outbox

    try:
        deliver_outbox.apply_async(args=[outbox_ids], retry=False)
    except Exception as exc:  # kombu raises OperationalError and friends; the sweeper retries
        log.warning("broker unavailable, %d notifications left to the sweeper: %s", len(outbox_ids), exc)
