"""Deadlines (mark_deadlines / check_deadlines) at explicit moments, with the seeded working calendar.

The case: 暴露垃圾 (4 working hours), dispatched Monday 14 September 2026 at 09:00, so its
deadline is 15:00 (3 h before lunch, 1 h after); 80% of the time is used at 14:12.
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from apps.cases.models import Case, Notification, OutboxMessage
from apps.cases.tasks import mark_deadlines
from apps.cases.workflow import transition
from apps.people.models import Person, Role

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOTHING = {"yellow": 0, "red": 0, "escalated": 0}


def mon(hour, minute=0, day=14):
    return dt.datetime(2026, 9, day, hour, minute, tzinfo=TZ)


def dispatched_case(cast, co=()):
    case = cast.report(at=mon(8, 40))
    transition(case, "register", by=cast.dispatcher, at=mon(8, 50))
    transition(case, "dispatch", by=cast.dispatcher, department=cast.department, co_departments=list(co), at=mon(9))
    transition(case, "accept", by=cast.handler, at=mon(9, 10))
    assert case.handle_deadline == mon(15)
    return case


def warnings(case):
    """{(recipient code, kind)} of the deadline notifications of the case."""
    return set(
        Notification.objects.filter(case=case, kind__in=["yellow", "red", "escalated"]).values_list(
            "recipient__code", "kind"
        )
    )


@pytest.fixture
def leaders(cast):
    """The sub-district's leader, the leader answering for the case's branch (包保), and two who are neither."""
    branch_leader = cast.grid.community.branch.leader
    assert branch_leader is not None and branch_leader.subdistrict_id is None
    other_area = cast.other_grid.community.subdistrict
    other = Person.objects.create(
        user=User.objects.create_user("other-sd-leader"), code="other-sd-leader", name="other", role=Role.LEADER,
        subdistrict=other_area,
    )
    return {"area": cast.subdistrict_leader, "branch": branch_leader, "district": cast.leader, "other": other}


def test_a_case_stays_green_then_turns_yellow_at_80_percent_then_red_and_is_escalated(cast, leaders):
    case = dispatched_case(cast, co=[cast.other_department])
    assert mark_deadlines(mon(14)) == NOTHING  # 3 h of 4 used: 75%
    assert warnings(case) == set()

    assert mark_deadlines(mon(14, 15)) == {"yellow": 1, "red": 0, "escalated": 0}
    case.refresh_from_db()
    assert case.warning == Case.Warning.YELLOW
    # The holders: the lead department and the co-handler that has not reported its part.
    assert warnings(case) == {("handler", "yellow"), ("other-handler", "yellow")}

    assert mark_deadlines(mon(15, 1)) == {"yellow": 0, "red": 1, "escalated": 1}
    case.refresh_from_db()
    assert (case.warning, case.escalated_at) == (Case.Warning.RED, mon(15, 1))
    assert warnings(case) == {
        ("handler", "yellow"), ("other-handler", "yellow"), ("handler", "red"), ("other-handler", "red"),
        ("sd-leader", "escalated"), (leaders["branch"].code, "escalated"),
    }


def test_running_the_sweep_again_changes_and_sends_nothing(cast, leaders):
    case = dispatched_case(cast)
    mark_deadlines(mon(14, 30))
    mark_deadlines(mon(15, 30))
    rows = (Notification.objects.count(), OutboxMessage.objects.count(), warnings(case))
    for later in (mon(15, 30), mon(16), mon(9, day=15)):
        assert mark_deadlines(later) == NOTHING
    case.refresh_from_db()
    assert case.escalated_at == mon(15, 30)
    assert (Notification.objects.count(), OutboxMessage.objects.count(), warnings(case)) == rows


def test_a_late_first_look_turns_a_case_straight_to_red(cast, leaders):
    case = dispatched_case(cast)
    assert mark_deadlines(mon(9, day=16)) == {"yellow": 0, "red": 1, "escalated": 1}
    assert ("handler", "yellow") not in warnings(case)


def test_a_co_handler_that_reported_its_part_is_not_warned(cast, leaders):
    case = dispatched_case(cast, co=[cast.other_department])
    transition(case, "report_part", by=cast.other_handler, result="已修复", at=mon(11))
    mark_deadlines(mon(16))
    assert {who for who, kind in warnings(case) if kind == "red"} == {"handler"}


def test_pending_and_handled_cases_are_left_alone(cast, leaders):
    pending = dispatched_case(cast)
    transition(pending, "request_pending", by=cast.handler, note="需协调规划部门", at=mon(10))
    transition(pending, "grant_pending", by=cast.dispatcher, at=mon(10, 30))
    handled = dispatched_case(cast)
    transition(handled, "report_handled", by=cast.handler, at=mon(11))
    assert mark_deadlines(mon(9, day=17)) == NOTHING
    assert warnings(pending) == warnings(handled) == set()


def test_an_extension_turns_a_red_case_green_and_the_second_overdue_warns_nobody_twice(cast, leaders):
    case = dispatched_case(cast)
    transition(case, "request_extension", by=cast.handler, note="等待配件", hours=8, at=mon(14))
    mark_deadlines(mon(15, 30))
    before = warnings(case)
    transition(case, "grant_extension", by=cast.dispatcher, deadline=mon(12, day=15), at=mon(16))
    case.refresh_from_db()
    assert (case.status, case.warning) == ("handling", Case.Warning.GREEN)
    assert mark_deadlines(mon(13, day=15))["red"] == 1
    case.refresh_from_db()
    assert (case.warning, case.escalated_at) == (Case.Warning.RED, mon(15, 30))  # first escalation kept
    assert warnings(case) == before


def test_the_command_prints_what_it_changed_and_sweeps_on_request(cast, leaders):
    dispatched_case(cast)
    out = io.StringIO()
    call_command("check_deadlines", now="2026-09-14T15:01+08:00", stdout=out)
    assert out.getvalue().strip() == "yellow: 0 case(s); red: 1 case(s); escalated: 1 case(s)"
    pending = OutboxMessage.objects.filter(state="pending").count()
    assert pending > 0  # the test's transaction never commits, so nothing was queued
    out = io.StringIO()
    call_command("check_deadlines", "--sweep", now="2026-09-14T15:02", stdout=out)
    assert out.getvalue().splitlines() == [
        "yellow: 0 case(s); red: 0 case(s); escalated: 0 case(s)",
        f"outbox: {pending} notification(s) delivered",
    ]
    assert not OutboxMessage.objects.filter(state="pending").exists()


def test_the_command_refuses_a_moment_it_cannot_read(cast):
    with pytest.raises(CommandError, match="--now='yesterday'"):
        call_command("check_deadlines", now="yesterday")


def test_the_beat_schedule_runs_the_deadline_and_sweeper_tasks(settings):
    from gridgov.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    ours = {"apps.cases.tasks.check_deadlines", "apps.cases.tasks.sweep_outbox"}
    assert ours <= scheduled <= set(app.tasks)
    assert all(app.tasks[name].acks_late for name in ours | {"apps.cases.tasks.deliver_outbox"})
