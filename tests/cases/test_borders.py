"""Border-aware routing (issue 12 part 2): near-border reports keep both candidates; reroute moves them.

Spots are found on the real sample district in metres (tests/border_spots.py), so each one is
known to be 10 m (or 100 m) from the border it is about and clear of every other border.
"""

import pytest
from border_spots import Spots
from cast_helpers import make_person
from django.utils import translation

from apps.cases.borders import rule_text
from apps.cases.intake import report_case
from apps.cases.models import Case, CaseEvent, Notification
from apps.cases.workflow import NotYourAction, transition
from apps.people.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def spots(district):
    return Spots()


def report_at(cast, spot, by=None):
    case, created = report_case(by=by or cast.admin, category=cast.category, lon=spot.lon, lat=spot.lat,
                                description="井盖缺失，靠近网格边界")
    assert created
    return Case.objects.get(pk=case.pk)


def dispatchers_for(case_or_grid):
    grid = getattr(case_or_grid, "grid", case_or_grid)
    return make_person(f"d-{grid.code}", Role.DISPATCHER, subdistrict_id=grid.community.subdistrict_id)


def act(client, case, action, **body):
    return client.post(f"/api/cases/{case.number}/actions/{action}/", body, format="json")


def test_a_point_10_m_inside_a_grid_border_is_near_it_with_both_candidates_and_the_rule(cast, spots, api_as):
    spot = spots.grid_border(10, across="grid")
    response = api_as(cast.admin).post(
        "/api/cases/", {"category": cast.category.code, "lon": spot.lon, "lat": spot.lat,
                        "description": "井盖缺失"}, format="json")
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["near_border"] is True
    border = receipt["border"]
    assert border["levels"] == ["grid"]
    assert abs(border["distance_m"] - 10) < 0.6
    assert border["chosen"]["grid"]["code"] == spot.grid.code
    assert border["other"]["grid"]["code"] == spot.other.code
    assert border["chosen"]["community"]["id"] == border["other"]["community"]["id"] == spot.grid.community_id
    assert border["chosen"]["department"]["code"] == border["other"]["department"]["code"] == cast.department.code
    assert border["rule"]["kind"] == "grid_inside"
    # The rule in the reader's language (Chinese by default), and the same rule in English.
    assert border["rule_text"] == (f"该点位于网格{spot.grid.name}内（点在面内判定）；网格{spot.other.name}距此 "
                                   f"{border['distance_m']} 米。")
    with translation.override("en"):
        assert rule_text(border["rule"]) == (f"The point lies inside grid {spot.grid.name} (point in polygon); grid "
                                             f"{spot.other.name} is {border['distance_m']} m away.")
    case = Case.objects.get(number=receipt["number"])
    assert case.near_border and case.grid_id == spot.grid.pk and case.border["other"]["grid"]["id"] == spot.other.pk
    # The case in full says the same.
    detail = api_as(cast.admin).get(f"/api/cases/{case.number}/").json()
    assert detail["near_border"] is True and detail["border"]["other"]["grid"]["code"] == spot.other.code
    assert spot.other.name in detail["border"]["rule_text"] and "网格" in detail["border"]["rule_text"]
    assert "reroute" in detail["allowed_actions"]


def test_a_point_100_m_inside_is_not_near_a_border(cast, spots):
    spot = spots.grid_border(100, across="grid")
    case = report_at(cast, spot)
    assert case.grid_id == spot.grid.pk
    assert case.near_border is False and case.border == {}


def test_across_a_sub_district_border_every_level_is_named_with_each_side_s_department(cast, spots):
    spot = spots.grid_border(10, across="subdistrict")
    case = report_at(cast, spot)
    assert case.near_border
    assert case.border["levels"] == ["subdistrict", "community", "grid"]
    assert case.border["other"]["subdistrict"]["id"] == spot.other.community.subdistrict_id
    assert case.border["chosen"]["subdistrict"]["id"] == spot.grid.community.subdistrict_id


def test_a_point_near_the_district_s_outer_edge_has_no_other_candidate(cast, spots):
    spot = spots.district_edge(10)
    case = report_at(cast, spot)
    assert case.grid_id == spot.grid.pk
    assert case.near_border is False and case.border == {}


def test_a_zone_edge_inside_and_outside(cast, spots):
    inside = spots.zone_edge(10, inside=True)
    case = report_at(cast, inside)
    assert case.zone_id == inside.other.pk and case.near_border
    assert case.border["levels"] == ["zone"]
    assert case.border["chosen"]["zone"]["code"] == inside.other.code and case.border["other"]["zone"] is None
    assert case.border["chosen"]["grid"] == case.border["other"]["grid"]
    assert case.border["rule"]["kind"] == "zone_inside" and abs(case.border["distance_m"] - 10) < 0.6

    outside = spots.zone_edge(10, inside=False)
    case = report_at(cast, outside)
    assert case.zone_id is None and case.near_border
    assert case.border["levels"] == ["zone"]
    assert case.border["chosen"]["zone"] is None and case.border["other"]["zone"]["code"] == outside.other.code
    assert case.border["rule"]["kind"] == "zone_outside"

    deep = spots.zone_edge(45, inside=True)
    assert report_at(cast, deep).near_border is False


def test_the_distance_is_configurable(cast, spots, settings):
    spot = spots.grid_border(10, across="grid")
    settings.GRIDGOV_BORDER_M = 5
    assert report_at(cast, spot).near_border is False
    settings.GRIDGOV_BORDER_M = 0  # off: the place query asks nothing more
    assert report_at(cast, spot).near_border is False
    settings.GRIDGOV_BORDER_M = 30
    assert report_at(cast, spot).near_border is True


def test_reroute_by_the_dispatcher_moves_the_case_across_sub_districts_and_access_follows(cast, spots, api_as):
    spot = spots.grid_border(10, across="subdistrict")
    case = report_at(cast, spot)
    here, there = dispatchers_for(spot.grid), dispatchers_for(spot.other)
    assert case.subdistrict_id == here.subdistrict_id != there.subdistrict_id
    events = CaseEvent.objects.filter(case=case).count()

    # The other sub-district's dispatcher does not see the case yet: 404, nothing moves.
    assert act(api_as(there), case, "reroute", grid=spot.other.code).status_code == 404
    # Not the stored candidate: 400 naming the field, nothing moves.
    wrong = act(api_as(here), case, "reroute", grid=cast.other_grid.code)
    assert wrong.status_code == 400 and wrong.json()["field"] == "grid"
    assert act(api_as(here), case, "reroute").status_code == 400
    case.refresh_from_db()
    assert case.grid_id == spot.grid.pk and CaseEvent.objects.filter(case=case).count() == events

    moved = act(api_as(here), case, "reroute", grid=spot.other.code)
    assert moved.status_code == 200, moved.content
    case.refresh_from_db()
    assert (case.grid_id, case.community_id, case.subdistrict_id) == (
        spot.other.pk, spot.other.community_id, spot.other.community.subdistrict_id)
    assert case.status == "reported"
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert event.action == "reroute" and event.from_status == event.to_status == "reported"
    assert event.data["from"]["grid"] == spot.grid.code and event.data["to"]["grid"] == spot.other.code
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    # The candidates swapped: the case is still near the border and could go back.
    assert case.near_border and case.border["other"]["grid"]["code"] == spot.grid.code
    assert case.border["rule"]["kind"] == "reroute"

    # The new area's dispatcher is told; the one who moved it is not.
    told = set(Notification.objects.filter(case=case, kind="reroute").values_list("recipient_id", flat=True))
    assert there.pk in told and here.pk not in told
    # Access follows the sub-district: the old dispatcher no longer sees it, the new one does.
    assert api_as(here).get(f"/api/cases/{case.number}/").status_code == 404
    assert api_as(there).get(f"/api/cases/{case.number}/").status_code == 200
    listed = api_as(there).get("/api/cases/?queue=open").json()["results"]
    assert [c["number"] for c in listed if c["number"] == case.number] == [case.number]
    assert listed[[c["number"] for c in listed].index(case.number)]["near_border"] is True


def test_reroute_is_the_dispatcher_s_and_only_for_near_border_cases(cast, spots, api_as):
    spot = spots.grid_border(10, across="grid")
    worker = make_person("w-border", Role.GRID_WORKER, grids=[spot.grid])
    case = report_at(cast, spot, by=worker)
    # A grid worker of the grid sees the case but may not move it.
    response = act(api_as(worker), case, "reroute", grid=spot.other.code)
    assert response.status_code == 403
    # A handler (no part in a reported case) is refused by the workflow.
    with pytest.raises(NotYourAction):
        transition(case, "reroute", by=cast.handler, grid=spot.other.code)
    # A registered case may still move; the dispatcher of the case's area does it.
    transition(case, "register", by=cast.centre)
    transition(case, "reroute", by=cast.centre, grid=spot.other.code)
    case.refresh_from_db()
    assert case.grid_id == spot.other.pk and case.status == "registered"
    # A candidate whose area changed since the report (here: its zone is gone) is refused, nothing moves.
    stale = report_at(cast, spot)
    border = stale.border
    border["other"]["zone"] = {"id": -1, "code": "Z41010500100199", "name": "已撤销片区"}
    Case.objects.filter(pk=stale.pk).update(border=border)
    response = act(api_as(cast.centre), stale, "reroute", grid=spot.other.code, zone="Z41010500100199")
    assert response.status_code == 400 and response.json()["field"] == "grid"
    assert Case.objects.get(pk=stale.pk).grid_id == spot.grid.pk
    # A case clear of every border has nothing to move to.
    far = report_at(cast, spots.grid_border(100, across="grid"))
    response = act(api_as(cast.centre), far, "reroute", grid=spot.other.code)
    assert response.status_code == 400
    assert "reroute" not in api_as(cast.centre).get(f"/api/cases/{far.number}/").json()["allowed_actions"]
