"""The hourly indicator refresh run by a real Celery worker on a Redis of the test's own.

The worker is another process on the test database: PostGIS, or SpatiaLite in a file
(GRIDGOV_TEST_SQLITE_FILE); with an in-memory SpatiaLite database the test is skipped.
"""

import pytest
from celery_helpers import CeleryWorker, RedisServer, use_broker, wait_for, worker_database_url
from workflow_cast import cast  # noqa: F401 (a fixture)

from apps.stars.models import Score
from apps.stars.tasks import refresh_indicators

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db, tmp_path):
    url = worker_database_url()
    if url is None:
        pytest.skip("the SpatiaLite test database is in memory; set GRIDGOV_TEST_SQLITE_FILE to run this")
    broker = RedisServer(tmp_path).start()
    process = CeleryWorker(broker.url, url, tmp_path).start()
    try:
        with use_broker(broker.url):
            yield process
    finally:
        process.stop()
        broker.stop()


def test_the_worker_fills_in_the_measured_branch_strength(cast, worker):
    cast.village.weak = True
    cast.village.save(update_fields=["weak"])
    assessment = cast.walk("scoring")
    refresh_indicators.delay()
    measured = Score.objects.filter(assessment=assessment, indicator__code="A4", measured=True)
    assert wait_for(measured.exists, 30), worker.log()[-3000:]
    assert measured.get().points == 0
