"""GET /api/zones/<code>/cadres/: names and phones only for people whose area covers the zone."""

import pytest
from rest_framework.test import APIClient

from apps.compounds.models import Zone
from apps.people.access import can_see_zone, get_zone_for, visible_subdistricts, visible_zones

SEES = [
    "administrator",
    "district_dispatcher",
    "district_leader",
    "dispatcher_of_home",
    "leader_of_home",
    "cadre_of_zone",
    "grid_worker_of_community",
]
DOES_NOT_SEE = [
    "dispatcher_of_other",
    "grid_worker_next_door",
    "cadre_of_other_zone",
    "handler",
    "inspector",
]


def url(zone):
    return f"/api/zones/{zone.code}/cadres/"


@pytest.mark.parametrize("who", SEES)
def test_people_whose_area_covers_the_zone_see_its_cadres(cast, zone, who):
    client = APIClient()
    client.force_login(cast[who].user)
    response = client.get(url(zone))
    assert response.status_code == 200
    body = response.json()
    assert body["zone"]["code"] == zone.code
    expected = list(zone.cadres.order_by("code").values_list("code", "name", "phone"))
    assert [(c["code"], c["name"], c["phone"]) for c in body["cadres"]] == expected
    assert len(expected) == 5


@pytest.mark.parametrize("who", DOES_NOT_SEE)
def test_people_outside_the_zone_get_404(cast, zone, who):
    client = APIClient()
    client.force_login(cast[who].user)
    response = client.get(url(zone))
    assert response.status_code == 404
    assert zone.cadres.first().phone not in response.content.decode()


def test_unknown_zone_and_foreign_zone_look_the_same(cast, zone):
    client = APIClient()
    client.force_login(cast["dispatcher_of_other"].user)
    assert client.get("/api/zones/Z00000000000000/cadres/").status_code == 404
    assert client.get(url(zone)).status_code == 404


def test_anonymous_is_refused(zone):
    assert APIClient().get(url(zone)).status_code in (401, 403)


def test_a_login_without_a_person_sees_nothing(zone, django_user_model):
    user = django_user_model.objects.create_user(username="nobody")
    client = APIClient()
    client.force_login(user)
    assert client.get(url(zone)).status_code == 404


def test_a_zone_cadre_sees_only_their_own_zone(cast, zone):
    cadre = cast["cadre_of_zone"]
    assert list(visible_zones(cadre)) == list(Zone.objects.filter(assignments__cadre=cadre))
    assert zone in visible_zones(cadre)
    other = Zone.objects.exclude(pk=zone.pk).first()
    assert not can_see_zone(cadre, other)


def test_a_grid_worker_sees_the_zones_of_their_community_only(cast, zone):
    worker = cast["grid_worker_of_community"]
    assert set(visible_zones(worker)) == set(Zone.objects.filter(community=zone.community))
    assert not visible_subdistricts(worker).exists()


def test_subdistrict_scope_is_the_subdistrict(cast, zone):
    home = zone.community.subdistrict
    assert list(visible_subdistricts(cast["dispatcher_of_home"])) == [home]
    assert set(visible_zones(cast["leader_of_home"])) == set(Zone.objects.filter(community__subdistrict=home))
    assert visible_subdistricts(cast["district_dispatcher"]).count() == 17
    assert visible_zones(cast["administrator"]).count() == Zone.objects.count()


def test_get_zone_for_returns_the_zone_or_raises_404(cast, zone):
    from django.http import Http404

    assert get_zone_for(cast["leader_of_home"].user, zone.code) == zone
    with pytest.raises(Http404):
        get_zone_for(cast["dispatcher_of_other"].user, zone.code)


def test_cadres_list_is_a_constant_number_of_queries(cast, zone, django_assert_num_queries):
    client = APIClient()
    client.force_authenticate(cast["leader_of_home"].user)
    client.get(url(zone))
    # The zone in their area, then its cadres with their departments (the
    # person is cached on the forced user after the first request).
    with django_assert_num_queries(2):
        response = client.get(url(zone))
    assert len(response.json()["cadres"]) == 5


def test_the_zone_head_comes_first_and_is_marked(cast, zone):
    client = APIClient()
    client.force_authenticate(cast["leader_of_home"].user)
    cadres = client.get(url(zone)).json()["cadres"]
    assert [c["head"] for c in cadres] == [True, False, False, False, False]
    head = zone.assignments.get(is_head=True).cadre
    assert cadres[0]["code"] == head.code
    assert head.department.subdistrict_id == zone.community.subdistrict_id  # from the zone's own office
