"""Indicators the platform measures: 三零 from real cases (made through the case intake), the weak-branch
flag, the ten-star share; refresh_measured_scores and the hourly task."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from workflow_cast import cast, person  # noqa: F401 (cast is a fixture)

from apps.cases.intake import report_case
from apps.cases.models import Category
from apps.cases.workflow import transition as case_transition
from apps.people.models import Role
from apps.stars import indicators
from apps.stars.assessment import transition
from apps.stars.indicators import (
    branch_strength_points,
    measured_indicators,
    refresh_measured_scores,
    ten_star_points,
    three_zero_points,
)
from apps.stars.models import ALL_TEN, HouseholdRating, Score
from apps.stars.tasks import refresh_indicators

pytestmark = pytest.mark.django_db

PETITION, ACCIDENT, CRIME, LITTER = "G0104", "G0203", "G0301", "E0101"


@pytest.fixture(autouse=True)
def in_the_period():
    """The cast's period is 2026 and reports default to three days ago: pin the clock inside it."""
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cases(cast):
    call_command("seed_cases", stdout=io.StringIO())
    return cast


def report(branch, code, *, at=None, grid_index=-1):
    """A case of category `code` in one of the branch's grids, through the case intake."""
    grid = list(branch.community.grids.order_by("code"))[grid_index]
    point = grid.geom.point_on_surface
    case, _created = report_case(by=None, category=Category.objects.get(code=code), lon=point.x, lat=point.y,
                                 description="网格巡查发现", at=at or timezone.now() - dt.timedelta(days=3),
                                 notify=False)
    assert case.community_id == branch.community_id
    return case


def measured(branch, period, star):
    (row,) = [r for r in measured_indicators(branch, period, star=star)]
    return row


# --- the formulas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("counts", "points"), [
    ({"petition": 0, "accident": 0, "crime": 0}, "40.0"),
    ({"petition": 0, "accident": 0, "crime": 3}, "26.7"),
    ({"petition": 1, "accident": 2, "crime": 0}, "13.3"),
    ({"petition": 1, "accident": 1, "crime": 1}, "0.0"),
])
def test_three_zero_loses_a_third_per_kind_broken(counts, points):
    assert three_zero_points(40, counts) == Decimal(points)


@pytest.mark.parametrize(("weak", "findings", "points"), [(True, 0, "0"), (False, 0, "25.0"), (False, 2, "15.0"),
                                                          (False, 9, "0.0")])
def test_branch_strength_from_the_weak_flag_and_open_findings(weak, findings, points):
    assert branch_strength_points(25, weak=weak, open_findings=findings) == Decimal(points)


@pytest.mark.parametrize(("rated", "ten", "points"), [(100, 0, "0.0"), (100, 1, "8.0"), (40, 1, "20.0"),
                                                      (100, 5, "40.0"), (20, 20, "40.0")])
def test_ten_star_share_earns_full_points_at_five_percent(rated, ten, points):
    assert ten_star_points(40, rated=rated, ten_star=ten) == Decimal(points)


# --- 三零 from cases -------------------------------------------------------------------------------


def test_three_zero_is_not_measurable_before_any_category_counts(cast):
    Category.objects.all().delete()
    row = measured(cast.village, cast.period, 4)
    assert row["points"] is None and not row["measurable"]
    assert "No case category counts as escalated petitions" in row["reason"]


def test_three_zero_is_not_measurable_without_the_case_app(cast, monkeypatch):
    installed = indicators.apps.is_installed
    monkeypatch.setattr(indicators.apps, "is_installed", lambda name: name != "apps.cases" and installed(name))
    row = measured(cast.village, cast.period, 4)
    assert row["points"] is None and "not available" in row["reason"]


def test_three_zero_counts_the_flagged_cases_in_the_branchs_grids(cases):
    branch, period = cases.village, cases.period
    report(branch, LITTER)
    assert measured(branch, period, 4)["points"] == 40.0
    report(branch, CRIME)
    row = measured(branch, period, 4)
    assert (row["points"], row["detail"]) == (26.7, {"petition": 0, "accident": 0, "crime": 1})
    report(branch, CRIME, grid_index=0)
    report(branch, ACCIDENT)
    assert measured(branch, period, 4)["points"] == 13.3
    report(branch, PETITION)
    row = measured(branch, period, 4)
    assert row["points"] == 0.0 and row["detail"] == {"petition": 1, "accident": 1, "crime": 2}
    assert "broken" in row["reason"]


def test_three_zero_leaves_out_other_periods_other_branches_and_rejected_reports(cases):
    branch, period = cases.village, cases.period
    report(branch, CRIME, at=timezone.make_aware(dt.datetime(2025, 12, 31, 23, 0)))
    report(cases.community, CRIME)
    rejected = report(branch, PETITION)
    dispatcher = person("D1", Role.DISPATCHER)
    case_transition(rejected, "reject", by=dispatcher, note="重复上报")
    row = measured(branch, period, 4)
    assert row["points"] == 40.0 and row["detail"] == {"petition": 0, "accident": 0, "crime": 0}
    report(branch, CRIME, at=timezone.make_aware(dt.datetime(2026, 1, 1, 0, 30)))
    assert measured(branch, period, 4)["points"] == 26.7


# --- branch strength and ten-star share -------------------------------------------------------------


def test_a_weak_branch_gets_no_branch_strength_points(cast):
    row = measured(cast.village, cast.period, 1)
    assert row["points"] == 25.0 and row["detail"]["open_findings"] == 0  # supervision installed, none open
    cast.village.weak = True
    cast.village.save(update_fields=["weak"])
    row = measured(cast.village, cast.period, 1)
    assert row["points"] == 0.0 and row["detail"]["weak"] is True


def rate(branch, period, total, ten):
    HouseholdRating.objects.bulk_create(
        HouseholdRating(period=period, community=branch.community, household_code=f"{branch.community.code}-{n}",
                        holder="张三", standards=ALL_TEN if n < ten else 0b111)
        for n in range(total)
    )


def test_the_ten_star_share_of_the_communitys_rated_households(cast):
    row = measured(cast.village, cast.period, 5)
    assert row["points"] is None and "No household" in row["reason"]
    rate(cast.village, cast.period, 40, 1)
    row = measured(cast.village, cast.period, 5)
    assert row["points"] == 20.0 and row["detail"] == {"rated": 40, "ten_star": 1, "share": 0.025}
    rate(cast.community, cast.period, 10, 10)  # another community's households count for it alone
    assert measured(cast.village, cast.period, 5)["points"] == 20.0


def test_measured_indicators_list_every_measured_indicator_of_the_branch_kind(cast):
    rows = measured_indicators(cast.community, cast.period)
    assert [(r["star"], r["indicator"], r["measure"]) for r in rows] == [
        (1, "A4", "branch_strength"), (4, "D1", "three_zero"), (5, "E1", "ten_star_share")]
    assert rows[2]["criterion"] == "幸福和谐星"


# --- writing the measured scores ---------------------------------------------------------------------


def scores(assessment):
    return {s.indicator.code: (s.points, s.measured) for s in Score.objects.filter(assessment=assessment)
            .select_related("indicator")}


def test_refresh_writes_measured_scores_only_while_scoring_or_on_notice(cases):
    scoring = cases.walk("scoring", star=4)
    notice = cases.walk("notice", star=1, branch=cases.community)
    applied = cases.walk("applied", star=5)
    awarded = cases.walk("awarded", star=1)
    before_awarded = scores(awarded)
    stats = refresh_measured_scores(cases.period)
    assert stats["assessments"] == 2 and stats["written"] == 1 and stats["kept_manual"] == 1
    assert scores(scoring) == {"D1": (Decimal("40.0"), True)}
    assert scores(notice)["A4"] == (Decimal("20.0"), False)  # scored by hand before: the task force's word stands
    assert scores(applied) == {}
    assert scores(awarded) == before_awarded


def test_refresh_is_idempotent_and_follows_new_cases(cases):
    scoring = cases.walk("scoring", star=4)
    refresh_measured_scores(cases.period)
    again = refresh_measured_scores(cases.period)
    assert (again["written"], again["unchanged"]) == (0, 1)
    report(cases.village, ACCIDENT)
    assert refresh_measured_scores(cases.period)["written"] == 1
    score = Score.objects.get(assessment=scoring, indicator__code="D1")
    assert (score.points, score.measured, score.by_id) == (Decimal("26.7"), True, None)
    with translation.override(settings.LANGUAGE_CODE):  # stored in the platform's language, whoever refreshed
        assert score.note == measured(cases.village, cases.period, 4)["reason"]


def test_a_measured_score_counts_towards_publishing(cases):
    assessment = cases.walk("scoring", star=4)
    refresh_measured_scores(cases.period)
    transition(assessment, "score", by=cases.safety_member, points={"D2": 27, "D3": 27})
    transition(assessment, "publish", by=cases.safety_member)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.score) == ("notice", Decimal("94.0"))


def test_a_measure_that_can_no_longer_be_taken_is_cleared(cases):
    assessment = cases.walk("scoring", star=4)
    refresh_measured_scores(cases.period)
    Category.objects.filter(counts_as_crime=True).update(counts_as_crime=False)
    stats = refresh_measured_scores(cases.period)
    assert stats["cleared"] == 1 and scores(assessment) == {}


def test_the_hourly_task_refreshes_every_period_with_applications_in_flight(cases):
    scoring = cases.walk("scoring", star=4)
    result = refresh_indicators()
    assert result == {"2026": {"assessments": 1, "written": 1, "unchanged": 0, "kept_manual": 0,
                               "not_measurable": 0, "cleared": 0}}
    assert scores(scoring)["D1"][1] is True
    assert refresh_indicators(period_id=cases.period.pk)["2026"]["unchanged"] == 1
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-star-indicators"]
    assert entry == {"task": "apps.stars.tasks.refresh_indicators", "schedule": 3600}


def test_the_refresh_command_prints_what_it_did(cases, capsys):
    cases.walk("scoring", star=4)
    call_command("refresh_indicators")
    assert "written 1" in capsys.readouterr().out
