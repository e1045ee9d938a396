"""The cast for the API tests, on the loaded sample district.

One zone is the scene (the lowest-coded zone of the sample); around it: who
must see its cadres and who must not.
"""

from collections import defaultdict

import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.areas.models import Community, Grid, SubDistrict
from apps.compounds.models import Zone
from apps.people.models import Department, Person, Role


@pytest.fixture(autouse=True)
def empty_layer_cache():
    """Each test starts with no rendered layer cached, so query counts are those of a cold server."""
    cache.clear()


@pytest.fixture
def zone(db):
    return Zone.objects.select_related("community__subdistrict").order_by("code").first()


def _person(code, role, user=True, **fields):
    person = Person.objects.create(code=code, name=code, role=role, **fields)
    if user:
        person.user = get_user_model().objects.create_user(username=code.lower())
        person.save(update_fields=["user"])
    return person


@pytest.fixture
def cast(zone):
    """Persons keyed by name; each has a login (`person.user`)."""
    community = zone.community
    home = community.subdistrict
    other_subdistrict = SubDistrict.objects.exclude(pk=home.pk).order_by("code").first()
    other_community = Community.objects.filter(subdistrict=home).exclude(pk=community.pk).order_by("code").first()
    department = Department.objects.filter(kind=Department.Kind.DISTRICT_DEPARTMENT).order_by("code").first()

    people = {
        "administrator": _person("T-ADMIN", Role.ADMINISTRATOR),
        "district_dispatcher": _person("T-DISP", Role.DISPATCHER),
        "district_leader": _person("T-LEAD", Role.LEADER),
        "dispatcher_of_home": _person("T-DISP-A", Role.DISPATCHER, subdistrict=home),
        "leader_of_home": _person("T-LEAD-A", Role.LEADER, subdistrict=home),
        "dispatcher_of_other": _person("T-DISP-B", Role.DISPATCHER, subdistrict=other_subdistrict),
        "grid_worker_of_community": _person("T-GW", Role.GRID_WORKER),
        "grid_worker_next_door": _person("T-GW-B", Role.GRID_WORKER),
        "handler": _person("T-HANDLER", Role.HANDLER, department=department),
        "inspector": _person("T-INSPECT", Role.INSPECTOR),
    }
    people["grid_worker_of_community"].grids.add(Grid.objects.filter(community=community).order_by("code").first())
    people["grid_worker_next_door"].grids.add(Grid.objects.filter(community=other_community).order_by("code").first())

    # Cadres come from the sample: give one of this zone and one of another zone a login.
    other_cadre = Person.objects.filter(role=Role.ZONE_CADRE).exclude(zones=zone).order_by("code").first()
    for key, cadre in (("cadre_of_zone", zone.cadres.order_by("code").first()), ("cadre_of_other_zone", other_cadre)):
        cadre.user = get_user_model().objects.create_user(username=f"t-{cadre.code.lower()}")
        cadre.save(update_fields=["user"])
        people[key] = cadre
    return people


@pytest.fixture
def staff_user(db):
    """Any logged-in member of staff (the layers are everyone's base map)."""
    return _person("T-STAFF", Role.GRID_WORKER).user


@pytest.fixture
def api(staff_user):
    """An API client authenticated without queries, so query counts measure the endpoint alone."""
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


def _grid_shapes():
    for code, geom in Grid.objects.values_list("code", "geom"):
        yield code, shapely.from_wkb(bytes(geom.wkb))


@pytest.fixture
def shared_vertices(db):
    """{(lon, lat): grid codes having exactly that vertex}, for vertices of two or more grids."""
    owners = defaultdict(set)
    for code, shape in _grid_shapes():
        for x, y in shapely.get_coordinates(shape).tolist():
            owners[(x, y)].add(code)
    return {xy: codes for xy, codes in owners.items() if len(codes) > 1}


@pytest.fixture
def shared_edge_midpoints(db):
    """Midpoints of edges two grids share, sorted. Rounding may put one just inside a grid: the DB decides."""
    owners = defaultdict(set)
    for code, shape in _grid_shapes():
        for ring in shapely.get_rings(shapely.get_parts(shape)):
            coords = shapely.get_coordinates(ring).tolist()
            for a, b in zip(coords, coords[1:]):
                owners[tuple(sorted((tuple(a), tuple(b))))].add(code)
    shared = sorted(edge for edge, codes in owners.items() if len(codes) > 1)
    return [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in shared]
