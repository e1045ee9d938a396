"""The four-level chain household -> branch -> sub-district -> district for one period (apps.stars.linkage)."""

import datetime as dt

import pytest
from workflow_cast import cast  # noqa: F401 (a fixture)

from apps.areas.models import SubDistrict
from apps.stars.linkage import chain, households
from apps.stars.models import ALL_TEN, FiveGood, HouseholdRating, RedFlag
from apps.stars.setup import create_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(cast):
    """马渡村 holds 支部过硬星; ratings in 马渡村 (3 of 40 ten-star) and 通信花园社区 (0 of 5); 兴达路 has four goods."""
    cast.walk("awarded")
    for branch, total, ten in ((cast.village, 40, 3), (cast.community, 5, 0)):
        HouseholdRating.objects.bulk_create(
            HouseholdRating(period=cast.period, community=branch.community,
                            household_code=f"{branch.community.code}-{n}", holder="欧阳修" if n == 0 else "李白",
                            standards=ALL_TEN if n < ten else 0b11)
            for n in range(total)
        )
    xingdalu = cast.village.community.subdistrict
    FiveGood.objects.create(period=cast.period, subdistrict=xingdalu, goods=0b10111, note="发展业绩好未达")
    RedFlag.objects.create(period=cast.period, field="基层党建红旗", awarded_on=dt.date(2026, 6, 1))
    RedFlag.objects.create(period=cast.period, field="平安建设红旗", awarded_on=dt.date(2026, 6, 1),
                           recalled_on=dt.date(2026, 10, 8), note="收回")
    other = create_period("2025", "2025年度", dt.date(2025, 1, 1), dt.date(2025, 12, 31))[0]
    RedFlag.objects.create(period=other, field="文明创建红旗", awarded_on=dt.date(2025, 6, 1))
    return cast


def by_name(rows, name):
    return next(r for r in rows if r["name"] == name)


def test_the_chain_from_households_to_the_district(linked, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        data = chain(linked.period)
    assert data["period"] == {"code": "2026", "name": "2026年度"}
    assert len(data["subdistricts"]) == 17
    xingdalu = by_name(data["subdistricts"], "兴达路街道")
    madu = by_name(xingdalu["communities"], "马渡村")
    assert madu["households"] == {"rated": 40, "ten_star": 3, "share": 0.075}
    assert madu["branch"]["stars"] == [1] and madu["branch"]["level"] == 1
    assert madu["branch"]["demonstration"] == "planned_five_star"
    assert xingdalu["households"] == {"rated": 40, "ten_star": 3, "share": 0.075}
    assert xingdalu["levels"]["1"] == 1 and xingdalu["levels"]["0"] == len(xingdalu["communities"]) - 1
    assert xingdalu["five_good"] == {"met": ["领导班子好", "党员干部队伍好", "工作机制好", "群众反映好"],
                                     "missing": ["发展业绩好"], "all": False, "note": "发展业绩好未达"}
    assert by_name(data["subdistricts"], "花园路街道")["five_good"] is None
    district = data["district"]
    assert [(f["field"], f["standing"]) for f in district["red_flags"]] == [("基层党建红旗", True), ("平安建设红旗", False)]
    assert district["red_flags"][1]["recalled_on"] == "2026-10-08"
    assert district["red_flags_standing"] == 1
    assert district["households"] == {"rated": 45, "ten_star": 3, "share": 0.0667}
    assert sum(district["levels"].values()) == 214 and district["levels"]["1"] == 1


def test_the_chain_of_one_subdistrict_only(linked):
    huayuan = linked.community.community.subdistrict
    for data in (chain(linked.period, SubDistrict.objects.filter(pk=huayuan.pk)),
                 chain(linked.period, subdistrict_ids=[huayuan.pk])):
        assert [s["name"] for s in data["subdistricts"]] == ["花园路街道"]
        assert data["district"]["households"] == {"rated": 5, "ten_star": 0, "share": 0.0}
        assert sum(data["district"]["levels"].values()) == 15


def test_a_period_without_ratings_has_no_shares(linked):
    data = chain(linked.period.__class__.objects.get(code="2025"))
    xingdalu = by_name(data["subdistricts"], "兴达路街道")
    assert xingdalu["households"] == {"rated": 0, "ten_star": 0, "share": None}
    assert [f["field"] for f in data["district"]["red_flags"]] == ["文明创建红旗"]


def test_a_communitys_households_are_listed_masked_ten_star_first(linked):
    rows = households(linked.period, linked.village.community)
    assert len(rows) == 40
    assert [r["ten_star"] for r in rows[:4]] == [True, True, True, False]
    assert rows[0]["holder"] == "欧**" and rows[3]["holder"] == "李*"
    assert rows[0]["stars"] == 10 and rows[3]["standards"] == ["文明爱国", "创业致富"]
    assert len(households(linked.period, linked.village.community, ten_star_only=True)) == 3
