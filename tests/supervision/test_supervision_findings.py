"""Counts other apps read: open findings for 支部过硬星, and the bulletin's per-sub-district figures."""

import datetime as dt

import pytest
from sv_cast import NOW, png

from apps.stars.indicators import Measurer
from apps.stars.models import Branch, Indicator
from apps.stars.setup import create_period
from apps.supervision import workflow
from apps.supervision.findings import findings_by_subdistrict, open_findings_count, visits_by_subdistrict
from apps.supervision.models import ResearchRound
from apps.supervision.records import record_visit


def period():
    found, _created = create_period("2026", "2026年度", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    return found


def sign_off(cast, finding, at=None):
    workflow.transition(finding, "submit", by=cast.secretary, text="已整改", photos=[png()], at=at)
    workflow.transition(finding, "sign_off", by=cast.inspector_a, at=at)


@pytest.mark.django_db
def test_open_findings_count_and_the_branch_strength_indicator(cast, clock):
    p = period()
    indicator = Indicator.objects.filter(criterion__period=p, criterion__kind="village",
                                         measure=Indicator.Measure.BRANCH_STRENGTH).first()
    assert indicator is not None
    branch = Branch.objects.get(pk=cast.v1.pk)
    before = Measurer(p, [branch]).measure(branch, indicator)
    assert before.points == indicator.max_points and before.detail["open_findings"] == 0
    first, second = cast.finding(), cast.finding(step="supervised")
    assert open_findings_count(branch, p) == 2
    after = Measurer(p, [branch]).measure(branch, indicator)
    assert after.points < before.points and after.detail["open_findings"] == 2
    assert "2" in after.reason
    sign_off(cast, first)
    assert open_findings_count(branch, p) == 1
    assert open_findings_count(Branch.objects.get(pk=cast.v3.pk), p) == 0


@pytest.mark.django_db
def test_findings_by_subdistrict_counts_as_at_the_end_of_the_span(cast, clock):
    code1, code3 = cast.v1.community.subdistrict.code, cast.v3.community.subdistrict.code
    late = cast.finding(days=1)  # found Mon 16, due Tue 17 Nov
    cast.finding(branch=cast.v2, days=10)  # due 30 Nov
    done = cast.finding(days=10)
    clock.move_to(dt.datetime(2026, 11, 19, 10, 0, tzinfo=NOW.tzinfo))
    sign_off(cast, done)
    week = findings_by_subdistrict(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert week[code1] == {"open": 2, "overdue": 1, "signed_off": 1}
    assert week[code3] == {"open": 0, "overdue": 0, "signed_off": 0}
    assert len(week) == 17
    # As at the 18th the sign-off had not happened: the same span always gives the same answer.
    assert findings_by_subdistrict(dt.date(2026, 11, 16), dt.date(2026, 11, 18))[code1] == {
        "open": 3, "overdue": 1, "signed_off": 0}
    assert findings_by_subdistrict(dt.date(2026, 11, 17), dt.date(2026, 11, 22))[code1]["open"] == 0
    assert late.pk


@pytest.mark.django_db
def test_visits_by_subdistrict_counts_distinct_branches_visited(cast, clock):
    research_round = ResearchRound.objects.create(name="Q4", starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31))
    record_visit(research_round, cast.v1, by=cast.leader, visited_on=dt.date(2026, 11, 2), checked="台账")
    record_visit(research_round, cast.v1, by=cast.leader, visited_on=dt.date(2026, 11, 9), checked="台账")
    record_visit(research_round, cast.v2, by=cast.leader, visited_on=dt.date(2026, 10, 20), checked="台账")
    code = cast.v1.community.subdistrict.code
    branches = Branch.objects.filter(community__subdistrict__code=code).count()
    assert visits_by_subdistrict(dt.date(2026, 11, 1), dt.date(2026, 11, 30))[code] == {"branches": branches, "visited": 1}
    counts = visits_by_subdistrict(dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    assert counts[code] == {"branches": branches, "visited": 2}
    assert sum(c["branches"] for c in counts.values()) == 214


@pytest.mark.django_db
def test_findings_new_in_a_span_come_in_the_same_query_as_those_open_at_its_end(cast, clock, django_assert_num_queries):
    code1 = cast.v1.community.subdistrict.code
    cast.finding(days=1, at=dt.datetime(2026, 10, 20, 10, 0, tzinfo=NOW.tzinfo))  # October, overdue by November
    cast.finding(days=1)  # found Mon 16 Nov, due Tue 17
    done = cast.finding(days=10)
    clock.move_to(dt.datetime(2026, 11, 19, 10, 0, tzinfo=NOW.tzinfo))
    sign_off(cast, done)
    start, first, last = dt.date(2000, 1, 1), dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    with django_assert_num_queries(2):  # the sub-districts, and one GROUP BY
        both = findings_by_subdistrict(start, last, new_from=first)
    # As two calls count them: new = found in November (open or signed off by its end).
    assert both[code1] == {**findings_by_subdistrict(start, last)[code1], "new": 2}
    assert both[code1] == {"open": 2, "overdue": 2, "signed_off": 1, "new": 2}
    zero = {"open": 0, "overdue": 0, "signed_off": 0, "new": 0}
    assert all(row == zero for code, row in both.items() if code != code1)
    # `new_from` before `start`: the three counts still start at `start`.
    week = findings_by_subdistrict(dt.date(2026, 11, 16), dt.date(2026, 11, 22), new_from=dt.date(2026, 10, 1))
    assert week[code1] == {**findings_by_subdistrict(dt.date(2026, 11, 16), dt.date(2026, 11, 22))[code1], "new": 3}
    assert week[code1]["open"] == 1


@pytest.mark.django_db
def test_visits_of_the_year_so_far_come_in_the_same_query_as_the_spans(cast, clock, django_assert_num_queries):
    research_round = ResearchRound.objects.create(name="Winter", starts_on=dt.date(2025, 10, 1),
                                                  ends_on=dt.date(2026, 12, 31))
    record_visit(research_round, cast.v1, by=cast.leader, visited_on=dt.date(2025, 12, 30), checked="台账")
    record_visit(research_round, cast.v1, by=cast.leader, visited_on=dt.date(2026, 1, 2), checked="台账")
    record_visit(research_round, cast.v2, by=cast.leader, visited_on=dt.date(2026, 1, 3), checked="台账")
    record_visit(research_round, cast.v3, by=cast.other_leader, visited_on=dt.date(2025, 12, 31), checked="台账")
    code, code3 = cast.v1.community.subdistrict.code, cast.v3.community.subdistrict.code
    branches = Branch.objects.filter(community__subdistrict__code=code).count()
    # A week across the new year (29 Dec to 4 Jan): the year so far starts after the week does.
    first, last, year = dt.date(2025, 12, 29), dt.date(2026, 1, 4), dt.date(2026, 1, 1)
    with django_assert_num_queries(3):  # branches, one GROUP BY, the sub-districts
        both = visits_by_subdistrict(first, last, since=year)
    assert both[code] == {"branches": branches, "visited": 2, "visited_since": 2}
    assert both[code3]["visited"] == 1 and both[code3]["visited_since"] == 0
    for c in both:
        assert both[c]["visited"] == visits_by_subdistrict(first, last)[c]["visited"]
        assert both[c]["visited_since"] == visits_by_subdistrict(year, last)[c]["visited"]
    # A month inside the year: the year so far reaches back before the month.
    january = visits_by_subdistrict(dt.date(2026, 1, 3), dt.date(2026, 1, 31), since=dt.date(2025, 12, 1))
    assert january[code] == {"branches": branches, "visited": 1, "visited_since": 2}
    assert january[code3] == {"branches": january[code3]["branches"], "visited": 0, "visited_since": 1}
