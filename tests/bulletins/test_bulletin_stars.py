"""The bulletin's star figures (创星进度), compiled once with slots, by hand and against the ORM's answer.

November 2026, star period "2026" (支部过硬星 gates the other stars):
 v1 holds stars 1-3 from 10 November (level 3); v2 holds 1-4 from 3 November, star 4 revoked on 20 November
 (level 4 until then, 3 after); v3 (the other sub-district) holds 2 and 3 without 支部过硬星 (level 0);
 v1's star 4 is decided on 5 December, after the month.
"""

import datetime as dt
from collections import Counter

import pytest
from bl_cast import at

from apps.bulletins.compute import branch_levels, star_figures, star_period_of
from apps.bulletins.prepared import Prepared
from apps.stars.models import Assessment, AssessmentStatus, StarCriterion, Target
from apps.stars.setup import create_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def stars(cast):
    period = create_period("2026", "2026年度", dt.date(2026, 1, 1), dt.date(2026, 12, 31))[0]
    assert period.foundation_gates

    def award(branch, star, day, revoked=None):
        criterion = StarCriterion.objects.get(period=period, kind=branch.community.kind, star=star)
        Assessment.objects.create(
            branch=branch, period=period, criterion=criterion, star=star, applied_at=at(dt.date(2026, 10, 1)),
            status=AssessmentStatus.REVOKED if revoked else AssessmentStatus.AWARDED, decided_at=at(day),
            revoked_at=at(revoked) if revoked else None)

    for star in (1, 2, 3):
        award(cast.v1, star, dt.date(2026, 11, 10))
        award(cast.v2, star, dt.date(2026, 11, 3))
    award(cast.v2, 4, dt.date(2026, 11, 3), revoked=dt.date(2026, 11, 20))
    award(cast.v3, 2, dt.date(2026, 11, 3))
    award(cast.v3, 3, dt.date(2026, 11, 3))
    award(cast.v1, 4, dt.date(2026, 12, 5))
    Target.objects.update_or_create(period=period, subdistrict=cast.area_a,
                                    defaults={"five_star": 0, "four_star": 1, "three_star": 1})
    Target.objects.update_or_create(period=period, subdistrict=cast.area_b,
                                    defaults={"five_star": 1, "four_star": 0, "three_star": 0})
    return period


def codes():
    from apps.areas.models import SubDistrict

    return list(SubDistrict.objects.order_by("code").values_list("code", flat=True))


def by_orm(day):
    """{code: Counter(level)} as branch_levels (the ORM's queries) counts them."""
    counted = {}
    for _pk, code, level in branch_levels(star_period_of(day), day):
        counted.setdefault(code, Counter())[level] += 1
    return counted


def test_star_figures_at_the_end_of_the_month_and_mid_month(cast, stars):
    a, b = cast.area_a.code, cast.area_b.code
    november = star_figures(dt.date(2026, 11, 30), codes())
    assert november[a]["levels"] == {"5": {"held": 0, "target": 0}, "4": {"held": 0, "target": 1},
                                     "3": {"held": 2, "target": 1}}
    assert (november[a]["met"], november[a]["target"], november[a]["progress"]) == (1, 2, 0.5)
    assert november[a]["star_period"] == "2026"
    assert november[b]["levels"]["5"] == {"held": 0, "target": 1} and november[b]["met"] == 0
    # On the 15th v2 still held its fourth star (v1 its three); on the 5th v1 held nothing yet.
    middle = star_figures(dt.date(2026, 11, 15), codes())
    assert (middle[a]["levels"]["4"]["held"], middle[a]["levels"]["3"]["held"], middle[a]["met"]) == (1, 1, 2)
    early = star_figures(dt.date(2026, 11, 5), codes())
    assert (early[a]["levels"]["4"]["held"], early[a]["levels"]["3"]["held"], early[a]["met"]) == (1, 0, 1)
    # In December v1 has four stars too.
    december = star_figures(dt.date(2026, 12, 31), codes())
    assert (december[a]["levels"]["4"]["held"], december[a]["levels"]["3"]["held"], december[a]["met"]) == (1, 1, 2)
    for day, figures in ((dt.date(2026, 11, 30), november), (dt.date(2026, 11, 15), middle),
                         (dt.date(2026, 11, 5), early), (dt.date(2026, 12, 31), december)):
        orm = by_orm(day)
        for code, row in figures.items():
            assert {int(level): f["held"] for level, f in row["levels"].items()} == {
                level: orm.get(code, Counter())[level] for level in (5, 4, 3)}


def test_no_star_period_holds_the_day(cast, stars):
    figures = star_figures(dt.date(2025, 11, 30), codes())
    assert len(figures) == 17
    assert all(f == {"star_period": None, "levels": {}, "met": 0, "target": 0, "progress": None}
               for f in figures.values())


def test_an_id_slot_is_bound_like_the_others(cast, stars):
    targets = Prepared(lambda period: Target.objects.filter(period=period).values("subdistrict_id"), period="id")
    assert {r["subdistrict_id"] for r in targets.rows(period=stars.pk)} == {
        None, cast.area_a.pk, cast.area_b.pk}
    assert targets.rows(period=stars.pk + 1000) == []
    unused = Prepared(lambda period: Target.objects.values("pk"), period="id")
    with pytest.raises(RuntimeError, match="period"):
        unused.compile()
