"""November 2026 on the small fixture (bl_cast.py), every figure computed by hand."""

import pytest

from apps.bulletins.making import make_bulletin
from apps.bulletins.models import Bulletin
from apps.cases.models import Notification
from apps.stars.models import Branch

pytestmark = pytest.mark.django_db


def row_of(bulletin, area):
    return next(r for r in bulletin.data["rows"] if r["code"] == area.code)


def test_monthly_figures_match_the_hand_count(cast, fixture):
    bulletin, created = make_bulletin("monthly", "2026-11", announce=False)
    assert created
    a, b = row_of(bulletin, cast.area_a), row_of(bulletin, cast.area_b)
    # A: f1, f2 and f3 found in November; f1 and f2 open at the end, f1 overdue; f3 signed off.
    assert a["findings"] == {"new": 3, "open": 2, "overdue": 1, "signed_off": 1}
    # B: f4 found in October, still open and overdue; nothing new.
    assert b["findings"] == {"new": 0, "open": 1, "overdue": 1, "signed_off": 0}
    branches_a = Branch.objects.filter(community__subdistrict=cast.area_a).count()
    assert a["visits"] == {"branches": branches_a, "visited": 2, "visited_year": 2}
    assert b["visits"]["visited"] == 0  # v3 was visited on 1 December
    assert a["cases"]["due"] == 0 and a["cases"]["closure_rate"] is None
    # Score: no case due (25 + 25), star progress, 15 x 2/branches, 10 x 1/(1 + 2).
    progress = a["stars"]["progress"]
    expected = 25 + 25 + 25 * (1 if progress is None else progress) + 15 * 2 / branches_a + 10 / 3
    assert a["score"] == pytest.approx(round(expected, 2), abs=0.005)
    ranks = [r["rank"] for r in bulletin.data["rows"]]
    assert ranks == sorted(ranks) and len(bulletin.data["rows"]) == 17
    assert bulletin.data["totals"]["findings"] == {"new": 3, "open": 3, "overdue": 2, "signed_off": 1}


def test_weekly_digest_counts_the_week_only(cast, fixture):
    bulletin, _ = make_bulletin("weekly", "2026-W46", announce=False)  # 9 to 15 November
    a = row_of(bulletin, cast.area_a)
    assert a["findings"]["new"] == 2  # f1 (10th) and f3 (12th)
    assert a["visits"]["visited"] == 0  # visits were on the 5th to 7th
    assert "rank" not in a and "stars" not in a


def test_making_twice_replaces_and_gives_the_same_figures(cast, fixture, clock):
    first, created = make_bulletin("monthly", "2026-11")
    notified = Notification.objects.filter(kind="bulletin").count()
    assert notified == Notification.objects.filter(kind="bulletin", recipient__role="leader").count() >= 3
    clock.shift(3600)
    again, created_again = make_bulletin("monthly", "2026-11")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and Bulletin.objects.filter(kind="monthly", period="2026-11").count() == 1
    assert again.data == first.data
    # Same figures: the leaders are not told twice.
    assert Notification.objects.filter(kind="bulletin").count() == notified


def test_a_later_change_does_not_alter_a_past_periods_figures(cast, fixture):
    first, _ = make_bulletin("monthly", "2026-11", announce=False)
    fixture["f1"].__class__.objects.filter(pk=fixture["f1"].pk).update(status="signed_off",
                                                                     closed_at="2026-12-01T10:00:00+08:00")
    again, _ = make_bulletin("monthly", "2026-11", announce=False)
    assert row_of(again, cast.area_a)["findings"] == row_of(first, cast.area_a)["findings"]


def test_quarterly_ranking_follows_the_judges(cast, fixture, clock):
    from apps.bulletins.verbs import enter_scores

    enter_scores("2026-Q3", {cast.area_b.code: "91.5", cast.area_a.code: "88"}, judge=cast.district_leader)
    enter_scores("2026-Q3", {cast.area_b.code: "90.5"}, judge=cast.admin)
    bulletin, _ = make_bulletin("quarterly", "2026-Q3", announce=False)
    top, second = bulletin.data["rows"][:2]
    assert (top["code"], top["observation"]) == (cast.area_b.code, {"mean": 91.0, "judges": 2})
    assert (second["code"], second["observation"]) == (cast.area_a.code, {"mean": 88.0, "judges": 1})
    assert bulletin.data["rows"][2]["observation"]["mean"] is None
