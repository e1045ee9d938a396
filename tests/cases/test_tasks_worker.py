"""A real Celery worker and a Redis of the test's own: delivery, deadlines, a broker outage, redelivery.

The worker is a separate process on the test database (PostGIS, or SpatiaLite
in a file: GRIDGOV_TEST_SQLITE_FILE). Redis runs on a port of its own and is
stopped and started by the outage test; the shared Redis on 6379 is never
touched. Every wait polls the database with a deadline; the fixtures' teardown
always stops the worker and the redis-server.
"""

import datetime as dt
import time
import uuid

import pytest
from celery_helpers import broker, use_broker, wait_for, worker, worker_db  # noqa: F401 (fixtures)
from django.utils import timezone
from rest_framework.test import APIClient

from apps.cases.models import Case, Notification, OutboxMessage
from apps.cases.notify import deliveries
from apps.cases.tasks import check_deadlines, deliver_outbox, sweep_outbox
from apps.cases.workflow import transition

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT = 30  # seconds; a delivery takes well under one here


@pytest.fixture
def live(transactional_db, worker, broker):
    """This process publishes to the test's Redis while the test runs; the broker is up again after it.

    Transactional: the worker sees only committed rows (and `district` reloads the flushed sample).
    """
    with use_broker(broker.url):
        yield worker
    if not broker.ping():
        broker.start()


def delivered(notifications):
    return notifications.exists() and not notifications.filter(delivered_at__isnull=True).exists()


def explain(worker):
    return f"worker log:\n{worker.log()[-3000:]}"


def test_a_report_reaches_the_dispatchers_inbox_through_the_worker(cast, live):
    case = cast.report()
    notes = Notification.objects.filter(case=case)
    assert wait_for(lambda: delivered(notes), WAIT), explain(live)
    assert set(notes.values_list("recipient__code", "kind")) == {("dispatcher", "report"), ("centre", "report")}
    assert set(OutboxMessage.objects.filter(notification__case=case).values_list("state", "attempts")) == {("sent", 1)}


def test_the_deadline_task_on_the_worker_marks_red_and_delivers_the_escalation(cast, live):
    start = timezone.now() - dt.timedelta(days=30)
    case = cast.report(at=start)
    transition(case, "register", by=cast.dispatcher, at=start + dt.timedelta(minutes=5))
    transition(case, "dispatch", by=cast.dispatcher, department=cast.department,
               deadline=start + dt.timedelta(days=1), at=start + dt.timedelta(minutes=10))
    branch_leader = cast.grid.community.branch.leader
    check_deadlines.delay()
    escalated = Notification.objects.filter(case=case, kind="escalated")
    assert wait_for(lambda: escalated.count() == 2 and delivered(escalated), WAIT), explain(live)
    case.refresh_from_db()
    assert case.warning == Case.Warning.RED and case.escalated_at is not None
    assert set(escalated.values_list("recipient__code", flat=True)) == {"sd-leader", branch_leader.code}
    red = Notification.objects.filter(case=case, kind="red")
    assert wait_for(lambda: delivered(red), WAIT), explain(live)
    assert list(red.values_list("recipient__code", flat=True)) == ["handler"]
    # The district leader answers for other branches: not this case's 督办.
    assert not Notification.objects.filter(case=case, recipient=cast.leader).exists()


def test_a_broker_outage_loses_no_notification(cast, live, broker, capsys):
    client = APIClient()
    client.force_authenticate(cast.worker.user)
    lon, lat = cast.point()

    def post(text):
        started = time.perf_counter()
        response = client.post("/api/cases/", {
            "category": cast.category.code, "lon": lon, "lat": lat, "description": text,
            "client_id": str(uuid.uuid4()),
        }, format="json")
        assert response.status_code == 201, response.content
        return response.json()["number"], time.perf_counter() - started

    _, up = post("Redis 正常时上报")  # also warms up the API, so the timings below are the outage's
    broker.stop()
    assert not broker.ping()
    numbers, timings = [], []
    for i in range(3):
        number, spent = post(f"停电期间上报 {i}")
        numbers.append(number)
        timings.append(spent)
    started = time.perf_counter()
    numbers.append(cast.report(description="停电期间上报 report_case").number)
    timings.append(time.perf_counter() - started)
    with capsys.disabled():
        print(f"\nreport with Redis up: {up * 1000:.0f} ms; while Redis is down (3 API, 1 report_case): "
              + ", ".join(f"{t * 1000:.0f}" for t in timings) + " ms")

    outbox = OutboxMessage.objects.filter(notification__case__number__in=numbers)
    assert Case.objects.filter(number__in=numbers).count() == 4
    assert outbox.count() == 8 and set(outbox.values_list("state", flat=True)) == {"pending"}

    broker.start()
    sweep_outbox.apply_async(kwargs={"min_age_seconds": 0})
    assert wait_for(lambda: not outbox.filter(state="pending").exists(), WAIT), explain(live)
    assert delivered(Notification.objects.filter(case__number__in=numbers))
    assert set(outbox.values_list("state", "attempts")) == {("sent", 1)}


def test_the_same_delivery_handed_out_twice_delivers_once(cast, live, broker):
    # Written while the broker is unreachable, so only the two messages below carry these ids.
    with use_broker("redis://127.0.0.1:1/0"):
        case = cast.report()
        assert deliveries.flush()  # its delivery thread tried this broker and gave up
    ids = list(OutboxMessage.objects.filter(notification__case=case).values_list("pk", flat=True))
    assert len(ids) == 2
    deliver_outbox.delay(ids)
    deliver_outbox.delay(ids)
    # One worker takes messages in order: once this later report is delivered, both are done.
    sentinel = Notification.objects.filter(case=cast.report())
    assert wait_for(lambda: delivered(sentinel), WAIT), explain(live)
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("state", "attempts")) == {("sent", 1)}
    assert delivered(Notification.objects.filter(outbox__in=ids))
