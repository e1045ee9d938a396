"""Celery tasks of the case workflow: deliver notifications, sweep the outbox, watch deadlines.

Tasks take ids, re-read rows and return quietly when they are gone; all are
idempotent and `acks_late` (settings), so a worker crash re-runs them harmlessly.
"""

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.cases.calendar import load_calendar, working_hours_between
from apps.cases.models import Case, Notification, OutboxMessage, Status

# Statuses whose clock is the handling deadline (the department holds the case).
HANDLING_STATUSES = [Status.DISPATCHED, Status.HANDLING, Status.RETURN_REQUESTED, Status.EXTENSION_REQUESTED,
                     Status.PENDING_REQUESTED]
YELLOW_AT = 0.8  # share of the allowed time after which a case turns yellow
SWEEP_AFTER = dt.timedelta(seconds=30)  # leave fresh rows to the task queued on commit
MAX_ATTEMPTS = 20


def deliver(outbox_ids):
    """Deliver pending outbox rows to the in-app inbox; return how many this call sent.

    The conditional UPDATE claims each row once, so the task and the sweeper
    (or two workers) never deliver the same row twice.
    """
    now = timezone.now()
    sent = 0
    for message in OutboxMessage.objects.filter(pk__in=outbox_ids, state=OutboxMessage.State.PENDING):
        with transaction.atomic():
            claimed = OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.PENDING).update(
                state=OutboxMessage.State.SENT, sent_at=now, attempts=F("attempts") + 1
            )
            if claimed:
                Notification.objects.filter(pk=message.notification_id, delivered_at__isnull=True).update(
                    delivered_at=now
                )
                sent += 1
    return sent


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox(outbox_ids):
    return deliver(outbox_ids)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox():
    """Send what a lost message left behind (broker down when the case changed)."""
    cutoff = timezone.now() - SWEEP_AFTER
    ids = list(
        OutboxMessage.objects.filter(
            state=OutboxMessage.State.PENDING, created_at__lte=cutoff, attempts__lt=MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:5000]
    )
    return deliver(ids)


def mark_deadlines(now=None):
    """Turn cases yellow at 80% of their time and red when overdue; notify and escalate (督办).

    Returns (yellow, red, escalated) counts. Safe to run any number of times:
    each case changes colour once and each warning is sent once per person.
    """
    from apps.cases.notify import notify
    from apps.people.models import Person, Role

    now = now or timezone.now()
    counts = {"yellow": 0, "red": 0, "escalated": 0}
    overdue = Case.objects.filter(status__in=HANDLING_STATUSES, handle_deadline__lt=now).exclude(
        warning=Case.Warning.RED
    )
    for case in overdue.select_related("category", "subdistrict"):
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk).exclude(warning=Case.Warning.RED).update(
                warning=Case.Warning.RED, escalated_at=now
            ):
                continue
            notify(list(Person.objects.filter(role=Role.HANDLER, department_id=case.department_id)), case, "red")
            # The area's leaders: the sub-district's own, and the leader who answers
            # for the community's branch (包保).
            leaders = list(
                Person.objects.filter(role=Role.LEADER).filter(
                    Q(subdistrict_id=case.subdistrict_id) | Q(branches__community_id=case.community_id)
                ).distinct()
            )
            notify(leaders, case, "escalated")
            counts["red"] += 1
            counts["escalated"] += bool(leaders)
    nearing = Case.objects.filter(
        status__in=HANDLING_STATUSES, warning=Case.Warning.GREEN, handle_deadline__gte=now,
        dispatched_at__isnull=False,
    )
    calendar = load_calendar()
    for case in nearing.select_related("category"):
        # 80% of the allowed working time, counted in working hours like the deadline itself.
        allowed = working_hours_between(calendar, case.dispatched_at, case.handle_deadline)
        if allowed <= 0 or working_hours_between(calendar, case.dispatched_at, now) < YELLOW_AT * allowed:
            continue
        with transaction.atomic():
            if Case.objects.filter(pk=case.pk, warning=Case.Warning.GREEN).update(warning=Case.Warning.YELLOW):
                notify(list(Person.objects.filter(role=Role.HANDLER, department_id=case.department_id)), case,
                       "yellow")
                counts["yellow"] += 1
    return counts


@shared_task(acks_late=True, ignore_result=True)
def check_deadlines():
    return mark_deadlines()
