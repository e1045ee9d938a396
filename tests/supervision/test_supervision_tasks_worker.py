"""Overdue escalation run by a real Celery worker on a Redis of the test's own.

The worker is another process with the machine's real clock, so the finding is
made three weeks before the real now (time-machine's escape hatch reads it):
overdue whatever day the suite runs. Skipped with an in-memory SpatiaLite
database (set GRIDGOV_TEST_SQLITE_FILE).
"""

import datetime as dt

import pytest
from celery_helpers import wait_for, worker_on_own_broker
from sv_cast import TZ
from time_machine import escape_hatch

from apps.cases.models import Notification
from apps.supervision.models import Finding
from apps.supervision.tasks import check_rectifications

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db, tmp_path):
    with worker_on_own_broker(tmp_path) as process:
        yield process


def test_the_worker_turns_an_overdue_finding_red_and_tells_the_accountable_leader(cast, worker):
    real_now = dt.datetime.fromtimestamp(escape_hatch.time.time(), TZ)
    finding = cast.finding(days=2, at=real_now - dt.timedelta(days=21))
    check_rectifications.delay()
    red = Finding.objects.filter(pk=finding.pk, overdue=True, lookback=True, escalated_at__isnull=False)
    assert wait_for(red.exists, 30), worker.log()[-3000:]
    delivered = Notification.objects.filter(kind="finding_overdue", recipient=cast.leader, delivered_at__isnull=False)
    assert wait_for(delivered.exists, 30), worker.log()[-3000:]
    assert Notification.objects.filter(kind="finding_overdue").count() == 1
