"""GET /api/stars/choropleth/, /api/stars/hotspots/ and /api/dashboard/branches/<code>/: content, scope, cost."""

import datetime as dt
import json

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.dashboard.conftest import READERS, client_for, communities_of

pytestmark = pytest.mark.django_db

URL = "/api/stars/choropleth/"


def features(response):
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection" and body["numberReturned"] == len(body["features"])
    return {f["properties"]["code"]: f for f in body["features"]}


def test_every_community_comes_with_its_outline_level_stars_and_accountability(stars, cast):
    found = features(client_for(cast.district_leader).get(URL))
    assert len(found) == 214
    a2 = found[stars.a2.community.code]
    assert a2["id"] == stars.a2.community.code
    assert a2["geometry"]["type"] in ("Polygon", "MultiPolygon")
    p = a2["properties"]
    assert (p["level"], p["stars"], p["pipeline"], p["pipeline_level"]) == (4, [1, 2, 3, 4], [5], 5)
    assert p["subdistrict_code"] == stars.a.code and p["subdistrict_name"] == "花园路街道"
    assert p["branch"] == stars.a2.name and p["kind"] == stars.a2.community.kind
    assert p["leader"] == stars.a2.leader.name and p["leader_code"] == stars.a2.leader.code
    # Holding 平安法治星 without the foundation star counts for nothing (gated), but is shown.
    b2 = found[stars.b2.community.code]["properties"]
    assert (b2["level"], b2["stars"]) == (0, [2, 3, 4])
    b3 = found[stars.b3.community.code]["properties"]
    assert (b3["level"], b3["stars"], b3["pipeline"]) == (0, [], [])
    madu = found[stars.b1.community.code]["properties"]
    assert (madu["name"], madu["kind"], madu["demonstration"], madu["level"]) == ("马渡村", "village", "planned_five_star", 4)
    assert sum(1 for f in found.values() if f["properties"]["level"] == 0) == 210


def test_the_weak_flag_and_the_period_choose_what_is_shown(stars, cast):
    stars.b1.weak = True
    stars.b1.save(update_fields=["weak"])
    client = client_for(cast.district_leader)
    now = features(client.get(URL))
    assert now[stars.b1.community.code]["properties"]["weak"] is True
    assert now[stars.a1.community.code]["properties"]["weak"] is False
    before = features(client.get(URL, {"period": "P1"}))
    assert before[stars.a1.community.code]["properties"]["level"] == 3
    assert before[stars.b1.community.code]["properties"]["stars"] == [1]
    assert client.get(URL, {"period": "nope"}).status_code == 400


def test_the_outlines_are_small_enough_for_a_phone(stars, cast):
    response = client_for(cast.district_leader).get(URL)
    assert len(response.content) < 200_000
    # Simplified, yet every community keeps a closed outline.
    for feature in features(response).values():
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            assert polygon[0][0] == polygon[0][-1] and len(polygon[0]) >= 4


@pytest.mark.parametrize(("who", "sees"), READERS)
def test_who_reads_the_choropleth(stars, cast, who, sees):
    response = client_for(getattr(cast, who)).get(URL)
    if sees is None:
        assert response.status_code == 403
        return
    assert set(features(response)) == communities_of(stars, sees)


def test_the_choropleth_costs_the_same_queries_however_many_stars(stars, cast):
    client = client_for(cast.district_leader)
    client.get(URL)  # the outlines are cached after the first request
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    for branch in (stars.a3, stars.b1):
        stars.workflow.award(branch, stars.current, 5, timezone.now() - dt.timedelta(days=30))
    stars.workflow.apply(stars.b3, stars.current, 2, timezone.now())
    with CaptureQueriesContext(connection) as after:
        response = client.get(URL)
    assert features(response)[stars.a3.community.code]["properties"]["stars"] == [1, 2, 3, 5]
    assert len(after) == len(before) <= 10


def test_without_the_cache_the_outlines_cost_one_query_more(stars, cast, settings):
    client = client_for(cast.district_leader)
    client.get(URL)
    with CaptureQueriesContext(connection) as cached:
        client.get(URL)
    settings.GRIDGOV_LAYER_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as uncached:
        response = client.get(URL)
    assert len(uncached) == len(cached) + 1
    assert len(features(response)) == 214


def test_open_cases_of_the_last_30_days_are_counted_per_community(stars, cast, cases_in_a):
    found = features(client_for(cast.district_leader).get(URL))
    # g1: two in the last 30 days (the 40-day-old one is left out); g2: one. Both grids are a1's.
    assert found[stars.a1.community.code]["properties"]["cases"] == 3
    assert found[stars.a2.community.code]["properties"]["cases"] == 0


def test_hotspots_are_a_point_per_grid_with_its_counts(stars, cast, cases_in_a):
    g1, g2, _made = cases_in_a
    client = client_for(cast.district_leader)
    spots = features(client.get("/api/stars/hotspots/"))
    assert set(spots) == {g1.code, g2.code}
    assert (spots[g1.code]["properties"]["cases"], spots[g1.code]["properties"]["open"]) == (2, 2)
    assert spots[g2.code]["properties"]["cases"] == 1
    lon, lat = spots[g1.code]["geometry"]["coordinates"]
    assert g1.geom.contains(Point(lon, lat, srid=4326))
    assert features(client.get("/api/stars/hotspots/", {"days": 60}))[g1.code]["properties"]["cases"] == 3
    bad = client.get("/api/stars/hotspots/", {"days": "0"})
    assert bad.status_code == 400 and bad.json()["field"] == "days"


def test_hotspots_are_scoped_like_the_map(stars, cast, cases_in_a):
    assert features(client_for(cast.a_leader).get("/api/stars/hotspots/"))
    assert features(client_for(cast.b_dispatcher).get("/api/stars/hotspots/")) == {}
    assert client_for(cast.grid_worker).get("/api/stars/hotspots/").status_code == 403


def test_a_branch_history_lists_every_period_and_links_to_its_page(stars, cast):
    code = stars.a1.community.code
    answer = client_for(cast.district_leader).get(f"/api/dashboard/branches/{code}/").json()
    assert answer["branch"] == stars.a1.name
    assert [(h["period"], h["level"]) for h in answer["history"]] == [("P1", 3), ("P2", 5)]
    assert [s["star"] for s in answer["history"][0]["stars"]] == [1, 2, 3]
    assert {s["status"] for s in answer["history"][1]["stars"]} == {"awarded"}
    assert answer["events"][0]["action"] == "award"  # newest first
    assert answer["page"] == f"/stars/branches/{code}/"


def test_a_revoked_star_shows_in_the_history(stars, cast):
    code = stars.b3.community.code
    answer = client_for(cast.b_dispatcher).get(f"/api/dashboard/branches/{code}/").json()
    assert answer["history"][1]["stars"] == [
        {"star": 1, "name": "支部过硬星", "status": "revoked", "status_label": answer["history"][1]["stars"][0]["status_label"],
         "score": 100.0}
    ]
    assert answer["events"][0]["action"] == "revoke"


def test_a_branch_outside_the_readers_area_is_a_404(stars, cast):
    code = stars.b1.community.code
    assert client_for(cast.a_leader).get(f"/api/dashboard/branches/{code}/").status_code == 404
    assert client_for(cast.b_dispatcher).get(f"/api/dashboard/branches/{code}/").status_code == 200
    assert client_for(cast.handler).get(f"/api/dashboard/branches/{code}/").status_code == 403
    assert client_for(cast.district_leader).get("/api/dashboard/branches/999999999999/").status_code == 404
    assert Client().get(f"/api/dashboard/branches/{code}/").status_code == 403

