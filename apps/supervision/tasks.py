"""Celery tasks of supervision: overdue rectifications turn red and are escalated (督办).

`check_rectifications` runs every 15 minutes (settings.CELERY_BEAT_SCHEDULE).
A finding the branch still owes work on (open, being rectified, sent back)
whose deadline day has passed turns red, goes into the look-back round
(回头看) and is escalated once to the leader who answers for the branch
(包保, `Branch.leader`). Each change is a conditional UPDATE, so a second run,
or two workers at once, change and send nothing more.
"""

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from apps.supervision.models import OWED_STATUSES, Finding
from apps.supervision.notify import notify_people

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 60, "max_retries": 5}


def mark_overdue(now=None):
    """Turn overdue findings red, put them in the look-back round, escalate; returns {"red", "escalated"}."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"red": 0, "escalated": 0}
    overdue = (Finding.objects.filter(status__in=OWED_STATUSES, due_on__lt=today, overdue=False)
               .select_related("branch__leader"))
    for finding in overdue:
        with transaction.atomic():
            turned = Finding.objects.filter(pk=finding.pk, status__in=OWED_STATUSES, overdue=False).update(
                overdue=True, lookback=True)
            if not turned:  # another run, or the branch submitted meanwhile
                continue
            counts["red"] += 1
            leader = finding.branch.leader
            if leader is None:
                continue
            if Finding.objects.filter(pk=finding.pk, escalated_at__isnull=True).update(escalated_at=now):
                notify_people([leader], "finding_overdue", id=finding.pk, branch=finding.branch.name,
                              due=finding.due_on.isoformat())
                counts["escalated"] += 1
    return counts


@shared_task(acks_late=True, **RETRY)
def check_rectifications():
    return mark_overdue()
