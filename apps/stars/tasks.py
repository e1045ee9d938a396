"""Celery tasks of the five-star program: refresh the indicators the platform measures.

`refresh_indicators` runs hourly (settings.CELERY_BEAT_SCHEDULE): new cases in a
branch's grids or a household file imported change the 三零 and ten-star share
values of applications still being scored or on notice. It is idempotent (a
run with nothing new writes nothing), so a redelivered message is harmless;
only database connection errors are retried.
"""

from celery import shared_task
from django.db import OperationalError

from apps.stars.indicators import MEASURED_STATUSES, refresh_measured_scores
from apps.stars.models import Period

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 60, "max_retries": 5}


def periods_to_refresh(period_id=None):
    if period_id is not None:
        return Period.objects.filter(pk=period_id)
    return Period.objects.filter(assessments__status__in=MEASURED_STATUSES).distinct().order_by("starts_on")


@shared_task(acks_late=True, **RETRY)
def refresh_indicators(period_id=None):
    """Refresh one period (by id) or every period with applications being scored or on notice.

    Returns {period code: counts}; a period deleted meanwhile is skipped quietly.
    """
    return {period.code: refresh_measured_scores(period) for period in periods_to_refresh(period_id)}
