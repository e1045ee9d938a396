"""Celery tasks of the case workflow: deliver notifications, sweep the outbox, watch deadlines.

Tasks take ids, re-read rows and return quietly when they are gone; all are
idempotent and `acks_late` (settings), so a worker crash or a message handed
out twice re-runs them harmlessly. Only database connection errors are retried:
nothing else a task does can succeed on a second try.
"""

import datetime as dt

from celery import shared_task
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.cases.calendar import load_calendar, working_hours_between
from apps.cases.models import Case, CasePart, Notification, OutboxMessage, Status

# Statuses whose clock is the handling deadline (the department holds the case);
# a pending (挂账) case's clock stands still.
HANDLING_STATUSES = [Status.DISPATCHED, Status.HANDLING, Status.RETURN_REQUESTED, Status.EXTENSION_REQUESTED,
                     Status.PENDING_REQUESTED]
YELLOW_AT = 0.8  # share of the allowed working time after which a case turns yellow
SWEEP_AFTER = dt.timedelta(seconds=30)  # leave fresh rows to the task queued on commit
SWEEP_BATCH = 5000
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 60, "max_retries": 5}


def deliver(outbox_ids):
    """Deliver pending outbox rows to the in-app inbox; return how many this call sent.

    The conditional UPDATE claims each row once, so the task, the sweeper and a
    redelivered message (acks_late) never deliver the same row twice.
    """
    now = timezone.now()
    sent = 0
    pending = OutboxMessage.objects.filter(pk__in=list(outbox_ids), state=OutboxMessage.State.PENDING)
    for pk, notification_id in pending.values_list("pk", "notification_id"):
        with transaction.atomic():
            claimed = OutboxMessage.objects.filter(pk=pk, state=OutboxMessage.State.PENDING).update(
                state=OutboxMessage.State.SENT, sent_at=now, attempts=F("attempts") + 1
            )
            if claimed:
                Notification.objects.filter(pk=notification_id, delivered_at__isnull=True).update(delivered_at=now)
                sent += 1
    return sent


def sweep(min_age=SWEEP_AFTER):
    """Deliver what is still pending after `min_age`: what a broker outage left behind."""
    cutoff = timezone.now() - min_age
    ids = list(
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return deliver(ids)


@shared_task(acks_late=True, ignore_result=True, **RETRY)
def deliver_outbox(outbox_ids):
    return deliver(outbox_ids)


@shared_task(acks_late=True, ignore_result=True, **RETRY)
def sweep_outbox(min_age_seconds=None):
    """The beat runs this every minute; `min_age_seconds=0` sends everything pending now."""
    return sweep(SWEEP_AFTER if min_age_seconds is None else dt.timedelta(seconds=min_age_seconds))


def holders(case):
    """Handlers of the departments that still owe work on the case: the lead, and co-handlers yet to report."""
    from apps.people.models import Person, Role

    owing = CasePart.objects.filter(case=case).filter(Q(lead=True) | Q(reported_at__isnull=True))
    departments = set(owing.values_list("department_id", flat=True)) or {case.department_id}
    return list(Person.objects.filter(role=Role.HANDLER, department_id__in=departments))


def supervising_leaders(case):
    """督办: the leaders of the case's sub-district and the leader answering for its branch (包保)."""
    from apps.people.models import Person, Role

    return list(
        Person.objects.filter(role=Role.LEADER)
        .filter(Q(subdistrict_id=case.subdistrict_id) | Q(branches__community_id=case.community_id))
        .distinct()
    )


def mark_deadlines(now=None):
    """Turn cases yellow at 80% of their working time and red when overdue; notify and escalate (督办).

    Steps:
    1. overdue cases not yet red turn red (the first time: escalated_at is
       stamped); the holding departments' handlers hear "red", the area's
       leaders "escalated";
    2. green cases past 80% of the working time from dispatch to deadline turn
       yellow; the holders hear "yellow".
    Returns counts {"yellow", "red", "escalated"} of the cases changed by this
    run. Running it again changes nothing and sends nothing: each colour change
    is a conditional UPDATE, and each warning goes once per case and person
    (`notify.ONCE_PER_CASE`, backed by a unique constraint).
    """
    from apps.cases.notify import notify

    now = now or timezone.now()
    counts = {"yellow": 0, "red": 0, "escalated": 0}
    overdue = (
        Case.objects.filter(status__in=HANDLING_STATUSES, handle_deadline__lt=now)
        .exclude(warning=Case.Warning.RED)
        .select_related("category")
    )
    for case in overdue:
        with transaction.atomic():
            turned = Case.objects.filter(pk=case.pk, status__in=HANDLING_STATUSES).exclude(
                warning=Case.Warning.RED
            ).update(warning=Case.Warning.RED)
            if not turned:  # another sweep, or the case moved on, got here first
                continue
            Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=now)
            notify(holders(case), case, "red")
            leaders = supervising_leaders(case)
            notify(leaders, case, "escalated")
            counts["red"] += 1
            counts["escalated"] += bool(leaders)
    nearing = Case.objects.filter(
        status__in=HANDLING_STATUSES, warning=Case.Warning.GREEN, handle_deadline__gte=now,
        dispatched_at__isnull=False,
    ).select_related("category")
    calendar = load_calendar()
    for case in nearing:
        # 80% of the allowed time, counted in working hours like the deadline itself.
        allowed = working_hours_between(calendar, case.dispatched_at, case.handle_deadline)
        if allowed <= 0 or working_hours_between(calendar, case.dispatched_at, now) < YELLOW_AT * allowed:
            continue
        with transaction.atomic():
            if Case.objects.filter(pk=case.pk, warning=Case.Warning.GREEN, status__in=HANDLING_STATUSES).update(
                warning=Case.Warning.YELLOW
            ):
                notify(holders(case), case, "yellow")
                counts["yellow"] += 1
    return counts


@shared_task(acks_late=True, ignore_result=True, **RETRY)
def check_deadlines():
    return mark_deadlines()
