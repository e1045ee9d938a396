"""The outbox in-process: one pending row per notification, delivered once, swept when left behind,
and a report accepted while the broker is unreachable. The real worker and Redis: test_tasks_worker.py."""

import datetime as dt
import time

import pytest
from celery_helpers import use_broker
from django.utils import timezone

from apps.cases.models import Case, Notification, OutboxMessage
from apps.cases.notify import deliveries, enqueue_delivery
from apps.cases.tasks import deliver, sweep, sweep_outbox

pytestmark = pytest.mark.django_db


def outbox_of(case):
    return OutboxMessage.objects.filter(notification__case=case)


def test_a_report_writes_one_pending_outbox_row_per_dispatcher_of_its_area(cast):
    case = cast.report()
    rows = outbox_of(case).select_related("notification__recipient")
    assert {(m.notification.recipient.code, m.notification.kind, m.state) for m in rows} == {
        ("dispatcher", "report", "pending"), ("centre", "report", "pending"),
    }


def test_delivering_the_same_rows_twice_delivers_them_once(cast):
    ids = list(outbox_of(cast.report()).values_list("pk", flat=True))
    assert deliver(ids) == 2
    first = dict(Notification.objects.filter(outbox__in=ids).values_list("pk", "delivered_at"))
    assert all(first.values())
    assert deliver(ids) == 0
    assert dict(Notification.objects.filter(outbox__in=ids).values_list("pk", "delivered_at")) == first
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("state", "attempts")) == {("sent", 1)}


def test_ids_of_rows_that_are_gone_are_ignored(cast):
    case = cast.report()
    ids = list(outbox_of(case).values_list("pk", flat=True))
    Case.objects.filter(pk=case.pk).delete()
    assert deliver(ids + [10**9]) == 0


def test_the_sweeper_leaves_fresh_rows_to_the_queued_task_and_sends_older_ones(cast):
    fresh = cast.report()
    old = cast.report()
    outbox_of(old).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert sweep() == 2
    assert set(outbox_of(old).values_list("state", flat=True)) == {"sent"}
    assert set(outbox_of(fresh).values_list("state", flat=True)) == {"pending"}
    # The task with min_age_seconds=0 sends everything pending now (after an outage).
    assert sweep_outbox.apply(kwargs={"min_age_seconds": 0}).get() == 2
    assert not OutboxMessage.objects.filter(state="pending").exists()


def unused_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_report_is_accepted_and_fast_when_the_broker_is_unreachable(cast, django_capture_on_commit_callbacks, caplog):
    with use_broker(f"redis://127.0.0.1:{unused_port()}/0"):
        started = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            case = cast.report()
        spent = time.perf_counter() - started
        assert deliveries.flush()  # the delivery thread tried the broker and gave up
        started = time.perf_counter()
        enqueue_delivery([1])
        again = time.perf_counter() - started
    print(f"report with the broker unreachable: {spent * 1000:.0f} ms; a second publish: {again * 1000:.0f} ms")
    assert len(callbacks) == 1  # the delivery was queued on commit, and its failure did not raise
    assert "broker unavailable" in caplog.text
    assert set(outbox_of(case).values_list("state", flat=True)) == {"pending"}
