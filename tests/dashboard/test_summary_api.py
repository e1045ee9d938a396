"""GET /api/stars/summary/: levels, targets and gaps against hand-counted data, scoped to the reader."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.areas.models import Community
from apps.people.models import Role
from tests.dashboard.conftest import READERS, client_for, make_person

pytestmark = pytest.mark.django_db

URL = "/api/stars/summary/"


def levels(**counts):
    return {str(n): counts.get(f"l{n}", 0) for n in range(6)}


def test_district_figures_match_the_hand_made_stars(stars, cast):
    answer = client_for(cast.district_leader).get(URL).json()
    assert answer["period"] == "P2"  # the period containing today
    assert answer["scope"] == {"whole": True, "code": "410105", "name": "金水区"}
    district = answer["district"]
    assert district["branches"] == 214
    # a1 five; a2, b1 four; a3 three; b2 (no foundation star) and b3 (revoked) none.
    assert district["levels"] == levels(l5=1, l4=2, l3=1, l0=210)
    assert district["progress"] == {
        # a2's star 5 is in flight: it would make a second five-star branch.
        "five_star": {"target": 3, "held": 1, "in_pipeline": 1, "gap": 2},
        # a2 would leave four stars for five: only b1 remains, so nothing is added.
        "four_star": {"target": 65, "held": 2, "in_pipeline": 0, "gap": 63},
        "three_star": {"target": 143, "held": 1, "in_pipeline": 0, "gap": 142},
    }


def test_each_subdistrict_has_its_levels_and_its_own_target(stars, cast):
    answer = client_for(cast.district_leader).get(URL).json()
    rows = {row["code"]: row for row in answer["subdistricts"]}
    assert len(rows) == 17
    a, b = rows[stars.a.code], rows[stars.b.code]
    in_a = Community.objects.filter(subdistrict=stars.a).count()
    assert a["name"] == "花园路街道" and a["branches"] == in_a
    assert a["levels"] == levels(l5=1, l4=1, l3=1, l0=in_a - 3)
    assert a["progress"]["five_star"] == {"target": 1, "held": 1, "in_pipeline": 1, "gap": 0}
    assert a["progress"]["four_star"] == {"target": 2, "held": 1, "in_pipeline": 0, "gap": 1}
    assert a["progress"]["three_star"] == {"target": 3, "held": 1, "in_pipeline": 0, "gap": 2}
    # B has no target of its own: figures, but no target and no gap.
    assert b["levels"]["4"] == 1 and b["levels"]["0"] == b["branches"] - 1
    assert b["progress"]["four_star"] == {"target": None, "held": 1, "in_pipeline": 0, "gap": None}
    assert sum(row["branches"] for row in rows.values()) == 214


def test_the_trend_counts_every_period_and_the_list_marks_the_one_shown(stars, cast):
    answer = client_for(cast.district_leader).get(URL, {"period": "P1"}).json()
    assert answer["period"] == "P1" and answer["period_name"] == "上一周期"
    assert [(p["code"], p["selected"]) for p in answer["periods"]] == [("P1", True), ("P2", False)]
    assert answer["district"]["levels"] == levels(l3=1, l1=1, l0=212)
    assert answer["trend"] == [
        {"period": "P1", "name": "上一周期", "levels": levels(l3=1, l1=1, l0=212)},
        {"period": "P2", "name": "本周期", "levels": levels(l5=1, l4=2, l3=1, l0=210)},
    ]


def test_a_subdistrict_leader_gets_their_subdistrict_as_the_district_block(stars, cast):
    answer = client_for(cast.a_leader).get(URL).json()
    in_a = Community.objects.filter(subdistrict=stars.a).count()
    assert answer["scope"] == {"whole": False, "code": stars.a.code, "name": "花园路街道"}
    assert [row["code"] for row in answer["subdistricts"]] == [stars.a.code]
    assert answer["district"]["branches"] == in_a
    assert answer["district"]["progress"]["five_star"] == {"target": 1, "held": 1, "in_pipeline": 1, "gap": 0}
    # Nothing of B leaks: not in the levels, not in the trend.
    assert answer["district"]["levels"] == levels(l5=1, l4=1, l3=1, l0=in_a - 3)
    assert answer["trend"][0]["levels"] == levels(l3=1, l0=in_a - 1)


@pytest.mark.parametrize(("who", "sees"), READERS)
def test_who_reads_the_summary(stars, cast, who, sees):
    response = client_for(getattr(cast, who)).get(URL)
    if sees is None:
        assert response.status_code == 403
        assert "district" not in response.json()
        return
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["subdistricts"]}
    if sees == "all":
        assert len(codes) == 17
    else:
        assert codes == {(stars.a if sees == "A" else stars.b).code}


def test_anonymous_gets_403(stars):
    assert Client().get(URL).status_code == 403


def test_an_unknown_period_is_a_400_naming_the_parameter(stars, cast):
    response = client_for(cast.district_leader).get(URL, {"period": "1999"})
    assert response.status_code == 400
    assert response.json()["field"] == "period"
    assert "1999" in response.json()["detail"]


def test_no_period_yet_is_a_404_with_a_message(district):
    response = client_for(make_person("L0", Role.LEADER)).get(URL)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_summary_costs_the_same_queries_however_many_stars(stars, cast):
    client = client_for(cast.district_leader)
    client.get(URL)
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    for branch in (stars.a3, stars.b1):
        stars.workflow.apply(branch, stars.current, 5, timezone.now())
    with CaptureQueriesContext(connection) as after:
        client.get(URL)
    assert len(after) == len(before) <= 20
