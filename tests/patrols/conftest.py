"""The patrol cast on the loaded sample district.

A zone and its cadre (with a login), a cadre of another zone, a grid worker of
the zone's community, dispatchers and leaders of the zone's sub-district and of
another one, the command centre, an administrator. `points` gives places at a
known distance (metres, EPSG:4547) from the zone.
"""

from dataclasses import dataclass

import pytest
from cast_helpers import fast_password_hashing, make_person  # noqa: F401 (an autouse fixture)
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from apps.areas.models import METRIC_SRID, Grid, SubDistrict
from apps.compounds.models import Zone
from apps.people.models import Person, Role


@dataclass
class Cast:
    zone: Zone
    other_zone: Zone
    cadre: Person
    other_cadre: Person
    worker: Person
    centre: Person
    dispatcher: Person
    other_dispatcher: Person
    leader: Person
    subdistrict_leader: Person
    admin: Person
    handler: Person

    def inside(self, zone=None):
        p = (zone or self.zone).geom.point_on_surface
        return p.x, p.y

    def east_of(self, metres, zone=None):
        """A point `metres` east of the zone's easternmost vertex: exactly that far from the zone."""
        geom = (zone or self.zone).geom.transform(METRIC_SRID, clone=True)
        x, y = max((c for poly in geom for ring in poly for c in ring), key=lambda c: c[0])
        p = Point(x + metres, y, srid=METRIC_SRID).transform(4326, clone=True)
        return p.x, p.y


def give_login(person, username):
    person.user = User.objects.create_user(username=username, password="pw-" + username)
    person.save(update_fields=["user"])
    return person


@pytest.fixture
def cast(district):
    zone = Zone.objects.select_related("community__subdistrict").order_by("code").first()
    subdistrict = zone.community.subdistrict
    other_zone = (
        Zone.objects.exclude(community__subdistrict=subdistrict).select_related("community__subdistrict")
        .order_by("code").first()
    )
    other_subdistrict = other_zone.community.subdistrict
    cadre = give_login(zone.cadres.order_by("code").first(), "cadre")
    # A cadre of another zone only (not of the cast's zone).
    other_cadre = give_login(other_zone.cadres.exclude(zones=zone).order_by("code").first(), "other-cadre")
    grid = Grid.objects.filter(community=zone.community).order_by("code").first()
    assert SubDistrict.objects.count() == 17
    return Cast(
        zone=zone,
        other_zone=other_zone,
        cadre=cadre,
        other_cadre=other_cadre,
        worker=make_person("worker", Role.GRID_WORKER, grids=[grid]),
        centre=make_person("centre", Role.DISPATCHER),
        dispatcher=make_person("dispatcher", Role.DISPATCHER, subdistrict=subdistrict),
        other_dispatcher=make_person("other-dispatcher", Role.DISPATCHER, subdistrict=other_subdistrict),
        leader=make_person("leader", Role.LEADER),
        subdistrict_leader=make_person("sd-leader", Role.LEADER, subdistrict=subdistrict),
        admin=make_person("admin", Role.ADMINISTRATOR),
        handler=make_person("handler", Role.HANDLER,
                            department=cadre.department or Person.objects.exclude(department=None).first().department),
    )


@pytest.fixture
def api_as():
    from rest_framework.test import APIClient

    def client_for(person):
        client = APIClient()
        if person is not None:
            client.force_authenticate(person.user)
        return client

    return client_for
