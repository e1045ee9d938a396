"""Recording: the checklist's arithmetic, working-day deadlines, and bad input that writes nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from sv_cast import NOW

from apps.cases.calendar import DEFAULT_PERIODS, Calendar
from apps.supervision.checklist import Answers, majority_met, problems, quorum_met
from apps.supervision.errors import NotYourAction, WorkflowError
from apps.supervision.models import Finding, Inspection, InspectionCampaign, ResearchRound, Visit
from apps.supervision.records import add_working_days, record_inspection, record_visit


@pytest.mark.parametrize("members,attending,met", [(30, 20, True), (30, 19, False), (31, 21, True), (31, 20, False),
                                                   (3, 2, True), (0, 0, False)])
def test_quorum_is_two_thirds_attending(members, attending, met):
    assert quorum_met(members, attending) is met


@pytest.mark.parametrize("attending,approving,met", [(20, 11, True), (20, 10, False), (21, 11, True), (1, 1, True),
                                                     (0, 0, False)])
def test_majority_is_more_than_half_of_those_attending(attending, approving, met):
    assert majority_met(attending, approving) is met


def all_right(**changes):
    values = dict(proposed=True, discussed=True, reviewed=True, party_members=30, attending=20, approving=11,
                  resolved=True, resolution_public=True, results_public=True, in_order=True, supervised=True)
    return Answers(**{**values, **changes})


@pytest.mark.parametrize("changes,steps", [
    ({}, []),
    ({"attending": 19, "approving": 10}, ["quorum"]),
    ({"approving": 10}, ["majority"]),
    ({"discussed": False}, ["discussed"]),
    ({"in_order": False}, ["order"]),
    ({"supervised": False, "results_public": False}, ["results_public", "supervised"]),
])
def test_problems_follow_the_checklist(changes, steps):
    assert [step for step, _message in problems(all_right(**changes))] == steps


def test_working_days_skip_weekends_and_holidays():
    calendar = Calendar(periods=DEFAULT_PERIODS, holidays=frozenset({dt.date(2026, 11, 18)}),
                        workdays=frozenset({dt.date(2026, 11, 22)}))
    # Mon 16 Nov + 3: Tue 17, (Wed 18 holiday), Thu 19, Fri 20.
    assert add_working_days(calendar, dt.date(2026, 11, 16), 3) == dt.date(2026, 11, 20)
    # + 4: the Sunday 22nd is a working day (调休).
    assert add_working_days(calendar, dt.date(2026, 11, 16), 4) == dt.date(2026, 11, 22)


@pytest.mark.django_db
def test_finding_deadline_counts_working_days_on_the_calendar(cast):
    from apps.cases.models import CalendarDay

    CalendarDay.objects.create(date=dt.date(2026, 11, 17), kind="holiday")
    finding = cast.finding(days=5)
    # Mon 16 Nov; Tue 17th a holiday: Wed 18, Thu 19, Fri 20, Mon 23, Tue 24.
    assert finding.found_on == dt.date(2026, 11, 16) and finding.due_on == dt.date(2026, 11, 24)


@pytest.mark.django_db
@pytest.mark.parametrize("field,value", [("deadline_days", None), ("deadline_days", 0), ("deadline_days", "abc"),
                                         ("responsible_party", ""), ("responsible_party", "   ")])
def test_finding_without_deadline_or_responsible_party_is_refused(cast, field, value):
    kwargs = {"days": 5, "responsible_party": "村党支部"}
    kwargs["days" if field == "deadline_days" else field] = value
    with pytest.raises(WorkflowError) as exc:
        cast.finding(**kwargs)
    assert exc.value.field == field
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_finding_by_someone_outside_the_group_or_in_another_village_is_refused(cast):
    with pytest.raises(NotYourAction):
        cast.finding(by=cast.inspector_b)
    with pytest.raises(WorkflowError) as exc:
        cast.finding(branch=cast.v3)
    assert cast.v3.name in exc.value.message
    assert not Finding.objects.exists()


@pytest.mark.django_db
def test_inspection_turns_each_problem_into_a_finding(cast):
    inspection, findings = record_inspection(
        cast.group_a, cast.v1, by=cast.inspector_a, matter="土地流转", answers=all_right(attending=15, supervised=False),
        responsible_party="村两委", deadline_days=10)
    assert [f.step for f in findings] == ["quorum", "supervised"]
    assert all(f.inspection == inspection and f.responsible_party == "村两委" for f in findings)


@pytest.mark.django_db
def test_inspection_with_problems_but_no_deadline_writes_nothing(cast):
    with pytest.raises(WorkflowError) as exc:
        record_inspection(cast.group_a, cast.v1, by=cast.inspector_a, matter="土地流转",
                          answers=all_right(attending=15), responsible_party="村两委", deadline_days=None)
    assert exc.value.field == "deadline_days"
    assert not Inspection.objects.exists() and not Finding.objects.exists()


@pytest.mark.django_db
def test_inspection_with_impossible_counts_writes_nothing(cast):
    with pytest.raises(WorkflowError) as exc:
        record_inspection(cast.group_a, cast.v1, by=cast.inspector_a, matter="m",
                          answers=all_right(attending=31), responsible_party="x", deadline_days=3)
    assert exc.value.field == "attending"
    assert not Inspection.objects.exists()


@pytest.mark.django_db
def test_visit_outside_the_visitors_area_is_refused(cast):
    research_round = ResearchRound.objects.create(name="第四季度", starts_on=dt.date(2026, 10, 1),
                                                  ends_on=dt.date(2026, 12, 31))
    day = NOW.date()
    visit = record_visit(research_round, cast.v1, by=cast.leader, visited_on=day, checked="台账")
    assert visit.branch == cast.v1
    for visitor, branch in ((cast.leader, cast.v3), (cast.inspector_a, cast.v3), (cast.secretary, cast.v1),
                            (cast.worker, cast.v1)):
        with pytest.raises(WorkflowError) as exc:
            record_visit(research_round, branch, by=visitor, visited_on=day, checked="台账")
        assert exc.value.field == "branch" and branch.name in exc.value.message
    record_visit(research_round, cast.v3, by=cast.district_leader, visited_on=day, checked="台账")
    with pytest.raises(WorkflowError):
        record_visit(research_round, cast.v1, by=cast.leader, visited_on=dt.date(2026, 9, 30), checked="台账")
    assert Visit.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("model", [InspectionCampaign, ResearchRound])
def test_a_span_holds_both_ends_and_cannot_end_before_it_starts(model):
    span = model.objects.create(name="第四季度", starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31))
    assert span.covers(dt.date(2026, 10, 1)) and span.covers(dt.date(2026, 12, 31))
    assert not span.covers(dt.date(2026, 9, 30)) and not span.covers(dt.date(2027, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(name="倒置", starts_on=dt.date(2026, 12, 31), ends_on=dt.date(2026, 10, 1))
    assert model.objects.count() == 1
