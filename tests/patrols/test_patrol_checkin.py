"""Checking in on a zone patrol: inside, near (within 100 m) and far; retries; who may not."""

import uuid

import pytest

from apps.patrols.checkin import CHECKIN_RADIUS_M, TooFar, check_in, distance_to_zone
from apps.patrols.models import Patrol

pytestmark = pytest.mark.django_db

URL = "/api/patrols/"


def post(client, zone, lon, lat, **extra):
    return client.post(URL, {"zone": zone.code, "lon": lon, "lat": lat, **extra}, format="json")


def test_distance_is_measured_in_metres_on_the_zone(cast):
    assert distance_to_zone(cast.zone, *cast.inside()) == 0
    assert distance_to_zone(cast.zone, *cast.east_of(60)) == pytest.approx(60, abs=0.5)
    assert distance_to_zone(cast.zone, *cast.east_of(300)) == pytest.approx(300, abs=0.5)


def test_cadre_checks_in_inside_their_zone(cast, api_as):
    lon, lat = cast.inside()
    response = post(api_as(cast.cadre), cast.zone, lon, lat, accuracy=12.5, note="巡查正常")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["zone"] == {"code": cast.zone.code, "name": cast.zone.name}
    assert body["cadre"]["code"] == cast.cadre.code
    assert body["distance_m"] == 0
    assert body["accuracy_m"] == 12.5
    assert body["source"] == "gps"
    patrol = Patrol.objects.get()
    assert patrol.community_id == cast.zone.community_id
    assert patrol.point.x == pytest.approx(lon) and patrol.point.y == pytest.approx(lat)


def test_cadre_checks_in_near_the_zone_within_100_m(cast, api_as):
    response = post(api_as(cast.cadre), cast.zone, *cast.east_of(80), accuracy=20)
    assert response.status_code == 201, response.content
    assert response.json()["distance_m"] == pytest.approx(80, abs=0.5)


def test_far_check_in_is_refused_with_the_zone_distance_and_limit_and_writes_nothing(cast, api_as):
    response = post(api_as(cast.cadre), cast.zone, *cast.east_of(350), accuracy=8)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "too_far"
    assert body["field"] == "location"
    # Chinese by default: the zone, how far, the limit.
    assert cast.zone.name in body["detail"] and cast.zone.code in body["detail"]
    assert "351 米" in body["detail"] or "350 米" in body["detail"]
    assert f"{CHECKIN_RADIUS_M} 米" in body["detail"]
    assert not Patrol.objects.exists()


def test_refusal_speaks_english_when_asked(cast, api_as):
    client = api_as(cast.cadre)
    client.cookies["django_language"] = "en"
    response = post(client, cast.zone, *cast.east_of(500))
    assert response.status_code == 400
    assert "m from zone" in response.json()["detail"]
    assert "within 100 m" in response.json()["detail"]


def test_just_past_the_limit_is_refused(cast):
    with pytest.raises(TooFar):
        check_in(by=cast.cadre, zone=cast.zone, lon=cast.east_of(CHECKIN_RADIUS_M + 3)[0],
                 lat=cast.east_of(CHECKIN_RADIUS_M + 3)[1])
    assert not Patrol.objects.exists()


def test_same_client_id_returns_the_same_check_in(cast, api_as):
    client = api_as(cast.cadre)
    client_id = str(uuid.uuid4())
    first = post(client, cast.zone, *cast.inside(), client_id=client_id)
    again = post(client, cast.zone, *cast.inside(), client_id=client_id)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    assert Patrol.objects.count() == 1
    # Several check-ins a day are fine: a new id is a new check-in.
    assert post(client, cast.zone, *cast.inside(), client_id=str(uuid.uuid4())).status_code == 201
    assert Patrol.objects.count() == 2


def test_a_retry_is_answered_even_when_the_point_would_now_be_refused(cast):
    client_id = uuid.uuid4()
    patrol, created = check_in(by=cast.cadre, zone=cast.zone, lon=cast.inside()[0], lat=cast.inside()[1],
                               client_id=client_id)
    again, created_again = check_in(by=cast.cadre, zone=cast.zone, lon=cast.east_of(900)[0],
                                    lat=cast.east_of(900)[1], client_id=client_id)
    assert created and not created_again and again.pk == patrol.pk


def test_client_id_of_someone_else_is_409(cast, api_as):
    client_id = str(uuid.uuid4())
    assert post(api_as(cast.other_cadre), cast.other_zone, *cast.inside(cast.other_zone),
                client_id=client_id).status_code == 201
    response = post(api_as(cast.cadre), cast.zone, *cast.inside(), client_id=client_id)
    assert response.status_code == 409
    assert response.json()["code"] == "client_id_taken"
    assert Patrol.objects.count() == 1


def test_cadre_of_another_zone_gets_404(cast, api_as):
    response = post(api_as(cast.other_cadre), cast.zone, *cast.inside())
    assert response.status_code == 404
    assert response.json()["code"] == "zone_not_yours"
    # An unknown zone reads the same: nothing tells whether it exists.
    unknown = post(api_as(cast.other_cadre), type(cast.zone)(code="Z99999999999999"), *cast.inside())
    assert unknown.status_code == 404
    assert not Patrol.objects.exists()


@pytest.mark.parametrize("who", ["worker", "dispatcher", "leader", "admin", "handler"])
def test_only_zone_cadres_check_in(cast, api_as, who):
    response = post(api_as(getattr(cast, who)), cast.zone, *cast.inside())
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_zone_cadre"
    assert not Patrol.objects.exists()


def test_anonymous_cannot_check_in(cast, client):
    response = client.post(URL, {"zone": cast.zone.code, "lon": 113.7, "lat": 34.8}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert not Patrol.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"zone": ""}, "zone"),
        ({"zone": "Z123"}, "zone"),
        ({"lon": "east"}, "lon"),
        ({"lat": 95}, "lat"),
        ({"lon": None}, "lon"),
        ({"accuracy": -3}, "accuracy"),
        ({"accuracy": "good"}, "accuracy"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"source": "wifi"}, "source"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(cast, api_as, fields, field):
    lon, lat = cast.inside()
    body = {"zone": cast.zone.code, "lon": lon, "lat": lat, **fields}
    response = api_as(cast.cadre).post(URL, {k: v for k, v in body.items() if v is not None}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert not Patrol.objects.exists()


def test_map_picked_point_is_recorded_as_such(cast, api_as):
    response = post(api_as(cast.cadre), cast.zone, *cast.inside(), source="map")
    assert response.status_code == 201
    assert response.json()["source"] == "map" and response.json()["accuracy_m"] is None
