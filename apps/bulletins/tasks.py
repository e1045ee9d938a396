"""Celery beat jobs: the week's digest every Monday, the month's bulletin on the 1st, the quarter's.

Each makes the last whole period before today (`periods.period_before`);
making it again (a retry, two beats) replaces the same row.
"""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from apps.bulletins.making import make_bulletin
from apps.bulletins.periods import period_before

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 60, "max_retries": 5}


def make_last(kind, today=None):
    today = today or timezone.localdate()
    period = period_before(kind, today)
    bulletin, _created = make_bulletin(kind, period.code, today=today)
    return bulletin.pk


@shared_task(acks_late=True, **RETRY)
def make_weekly():
    return make_last("weekly")


@shared_task(acks_late=True, **RETRY)
def make_monthly():
    return make_last("monthly")


@shared_task(acks_late=True, **RETRY)
def make_quarterly():
    return make_last("quarterly")
