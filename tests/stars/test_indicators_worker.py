"""The hourly indicator refresh run by a real Celery worker on a Redis of the test's own.

The worker is another process on the test database: PostGIS, or SpatiaLite in a file
(GRIDGOV_TEST_SQLITE_FILE); with an in-memory SpatiaLite database the test is skipped.
"""

import pytest
from celery_helpers import wait_for, worker_on_own_broker
from workflow_cast import cast  # noqa: F401 (a fixture)

from apps.stars.models import Score
from apps.stars.tasks import refresh_indicators

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db, tmp_path):
    with worker_on_own_broker(tmp_path) as process:
        yield process


def test_the_worker_fills_in_the_measured_branch_strength(cast, worker):
    cast.village.weak = True
    cast.village.save(update_fields=["weak"])
    assessment = cast.walk("scoring")
    refresh_indicators.delay()
    measured = Score.objects.filter(assessment=assessment, indicator__code="A4", measured=True)
    assert wait_for(measured.exists, 30), worker.log()[-3000:]
    assert measured.get().points == 0
