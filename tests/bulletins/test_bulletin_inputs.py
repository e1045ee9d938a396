"""Incentives and judges' scores: bad input is refused with the field named, and nothing is written."""

import pytest

from apps.bulletins.making import make_bulletin
from apps.bulletins.models import Incentive, ObservationScore
from bl_cast import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly(cast, fixture):
    return make_bulletin("monthly", "2026-11", announce=False)[0]


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("body, field", [
    ({"kind": "subsidy", "amount": "-100"}, "amount"),
    ({"kind": "subsidy", "amount": ""}, "amount"),
    ({"kind": "subsidy", "amount": "abc"}, "amount"),
    ({"kind": "bonus"}, "kind"),
    ({"kind": "commendation", "period": "2026-13"}, "period"),
    ({"kind": "commendation", "reason": " "}, "reason"),
    ({"kind": "commendation", "basis_bulletin": None}, "basis"),
    ({"kind": "commendation", "person": "bl-dleader"}, "branch"),
    ({"kind": "commendation", "branch": "nope"}, "branch"),
])
def test_bad_incentives_are_refused(client, cast, monthly, body, field):
    login(client, cast.admin)
    full = {"kind": "commendation", "period": "2026-11", "branch": cast.v1.community.code, "reason": "排名第一",
            "basis_bulletin": monthly.pk, **body}
    full = {k: v for k, v in full.items() if v is not None}
    response = post(client, "/api/bulletins/incentives/", full)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert not Incentive.objects.exists()


def test_a_subsidy_counts_in_its_sub_districts_totals(client, cast, monthly):
    login(client, cast.admin)
    for amount in ("30000", "20000.50"):
        response = post(client, "/api/bulletins/incentives/", {
            "kind": "subsidy", "period": "2026-11", "branch": cast.v1.community.code, "amount": amount,
            "reason": "月通报排名靠前", "basis_bulletin": monthly.pk})
        assert response.status_code == 201
    totals = client.get("/api/bulletins/incentive-totals/?period=2026-11").json()
    assert totals == [{"period": "2026-11", "subdistrict_code": cast.area_a.code, "incentives": 2,
                       "amount": "50000.50"}]
    login(client, cast.leader_b)  # another sub-district sees none of it
    assert client.get("/api/bulletins/incentive-totals/").json() == []
    login(client, cast.leader_a)
    assert len(client.get("/api/bulletins/incentives/").json()) == 2


def test_only_the_district_grants_incentives(client, cast, monthly):
    login(client, cast.leader_a)
    response = post(client, "/api/bulletins/incentives/", {
        "kind": "commendation", "period": "2026-11", "branch": cast.v1.community.code, "reason": "x",
        "basis_bulletin": monthly.pk})
    assert response.status_code == 403 and not Incentive.objects.exists()


@pytest.mark.parametrize("score", ["100.5", "-1", "abc", "88.25"])
def test_judges_scores_out_of_range_write_nothing(client, cast, score):
    login(client, cast.district_leader)
    response = post(client, "/api/bulletins/observation-scores/",
                    {"period": "2026-Q4", "scores": {cast.area_a.code: "90", cast.area_b.code: score}})
    assert response.status_code == 400
    assert response.json()["field"] == f"scores.{cast.area_b.code}"
    if score in ("100.5", "-1"):
        assert cast.area_b.name in response.json()["detail"]
    assert not ObservationScore.objects.exists()


def test_judges_enter_and_replace_scores_others_may_not(client, cast):
    login(client, cast.leader_a)
    assert post(client, "/api/bulletins/observation-scores/",
                {"period": "2026-Q4", "scores": {cast.area_a.code: "99"}}).status_code == 403
    login(client, cast.district_leader)
    for value in ("80", "85.5"):
        assert post(client, "/api/bulletins/observation-scores/",
                    {"period": "2026-Q4", "scores": {cast.area_a.code: value}}).status_code == 201
    assert [str(s.score) for s in ObservationScore.objects.all()] == ["85.5"]
    page = client.post("/bulletins/observation/2026-Q4/", {f"score-{cast.area_b.code}": "101"})
    assert page.status_code == 400 and ObservationScore.objects.count() == 1
