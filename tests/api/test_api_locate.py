"""GET /api/locate/ and locate(): point -> grid -> community -> sub-district -> branch."""

import pytest
from django.contrib.gis.geos import Point
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.areas.locate import InvalidCoordinate, OutsideDistrict, locate
from apps.areas.models import District, Grid

URL = "/api/locate/"


def answer(api, lon, lat):
    response = api.get(URL, {"lon": repr(lon), "lat": repr(lat)})
    assert response.status_code == 200, response.content
    return response.json()


def test_representative_points_locate_their_grid_community_subdistrict_and_branch(api):
    grids = Grid.objects.select_related("community__subdistrict", "community__branch").order_by("code")
    for grid in grids[:: max(1, grids.count() // 25)]:
        point = grid.geom.point_on_surface
        body = answer(api, point.x, point.y)
        community = grid.community
        assert body == {
            "grid": {"code": grid.code, "name": grid.name},
            "community": {"code": community.code, "name": community.name, "kind": community.kind},
            "subdistrict": {"code": community.subdistrict.code, "name": community.subdistrict.name},
            "branch": {"id": community.branch.pk, "name": community.branch.name},
        }


def test_shared_vertex_goes_to_the_lowest_code_of_the_grids_meeting_there(api, shared_vertices):
    # Prefer vertices where three or more grids meet: the hardest ties.
    chosen = sorted(shared_vertices.items(), key=lambda item: (-len(item[1]), item[0]))[:10]
    assert chosen and len(chosen[0][1]) >= 3
    for (x, y), codes in chosen:
        assert answer(api, x, y)["grid"]["code"] == min(codes)
        # The database agrees that every one of them touches the point: a real tie.
        touching = set(Grid.objects.filter(geom__intersects=Point(x, y, srid=4326)).values_list("code", flat=True))
        assert codes <= touching


def test_shared_edge_midpoint_goes_to_the_lowest_code_of_the_grids_touching_it(api, shared_edge_midpoints):
    ties = 0
    for x, y in shared_edge_midpoints[:: len(shared_edge_midpoints) // 60]:
        touching = sorted(Grid.objects.filter(geom__intersects=Point(x, y, srid=4326)).values_list("code", flat=True))
        assert touching
        assert answer(api, x, y)["grid"]["code"] == touching[0]
        ties += len(touching) > 1
    assert ties > 0


def test_point_on_a_subdistrict_border_gets_exactly_one_subdistrict(api, shared_vertices):
    subdistrict_of = dict(Grid.objects.values_list("code", "community__subdistrict__code"))
    border = [
        (xy, codes) for xy, codes in shared_vertices.items() if len({subdistrict_of[c] for c in codes}) > 1
    ]
    assert border
    for (x, y), codes in border[:5]:
        body = answer(api, x, y)
        lowest = min(codes)
        assert body["grid"]["code"] == lowest
        assert body["subdistrict"]["code"] == subdistrict_of[lowest]


def test_point_outside_the_district_is_a_400_saying_so(api):
    district = District.objects.get()
    xmin, ymin, xmax, ymax = district.geom.extent
    response = api.get(URL, {"lon": xmin - 0.05, "lat": (ymin + ymax) / 2}, HTTP_COOKIE="django_language=en")
    assert response.status_code == 400
    assert response.json()["code"] == "outside_district"
    assert "outside the district" in response.json()["detail"]


def test_point_in_the_district_bbox_but_outside_its_boundary_is_outside(db):
    district = District.objects.get()
    hull_only = district.geom.envelope.difference(district.geom)
    assert not hull_only.empty, "the sample district is not a rectangle"
    point = hull_only.point_on_surface
    with pytest.raises(OutsideDistrict):
        locate(point.x, point.y)


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"lat": "34.8"}, "lon", "required"),
        ({"lon": "113.7"}, "lat", "required"),
        ({"lon": "", "lat": "34.8"}, "lon", "required"),
        ({"lon": "113,7", "lat": "34.8"}, "lon", "must be a number"),
        ({"lon": "113.7", "lat": "north"}, "lat", "must be a number"),
        ({"lon": "nan", "lat": "34.8"}, "lon", "between -180 and 180"),
        ({"lon": "inf", "lat": "34.8"}, "lon", "between -180 and 180"),
        ({"lon": "180.5", "lat": "34.8"}, "lon", "between -180 and 180"),
        ({"lon": "113.7", "lat": "-90.01"}, "lat", "between -90 and 90"),
    ],
)
def test_bad_coordinates_are_a_400_naming_the_field(api, query, field, words):
    response = api.get(URL, query, HTTP_COOKIE="django_language=en")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert f"({field})" in body["detail"] and words in body["detail"]


def test_bad_coordinate_message_is_chinese_by_default(api):
    response = api.get(URL, {"lon": "abc", "lat": "34.8"})
    assert response.status_code == 400
    assert "经度" in response.json()["detail"]


def test_anonymous_is_refused(db):
    response = APIClient().get(URL, {"lon": 113.68, "lat": 34.8})
    assert response.status_code in (401, 403)


def test_token_and_session_logins_both_work(staff_user):
    grid = Grid.objects.order_by("code").first()
    point = grid.geom.point_on_surface
    query = {"lon": point.x, "lat": point.y}

    token = Token.objects.create(user=staff_user)
    by_token = APIClient().get(URL, query, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert by_token.status_code == 200 and by_token.json()["grid"]["code"] == grid.code

    session = APIClient()
    session.force_login(staff_user)
    assert session.get(URL, query).json()["grid"]["code"] == grid.code


def test_locate_is_one_query_branch_included(db, django_assert_num_queries):
    grid = Grid.objects.order_by("-code").first()
    point = grid.geom.point_on_surface
    locate(point.x, point.y)  # SpatiaLite asks its versions once per connection
    with django_assert_num_queries(1):
        where = locate(point.x, point.y)
        assert where.branch.community_id == where.community.pk == grid.community_id
        assert where.subdistrict.pk == where.community.subdistrict_id


@pytest.mark.parametrize("value", [None, "x", float("nan"), 181, True])
def test_locate_rejects_bad_longitude(db, value):
    with pytest.raises(InvalidCoordinate) as raised:
        locate(value, 34.8)
    assert raised.value.field == "lon"
