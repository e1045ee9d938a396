"""Fixtures of the zoning and assignment draft tests: the scene, the cast, small helpers.

The scene is a community of the sample with at least three zones (so one zone
stays untouched while a compound moves between the other two), in the
sub-district its staff plan. Imported by the test modules (`from plans_cast import ...`).
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.db.models import Count
from rest_framework.test import APIClient

from apps.areas.models import Community, SubDistrict
from apps.compounds import zone_plans
from apps.compounds.models import Compound, Zone
from apps.people.models import Department, Person, Role


@pytest.fixture
def scene(district):
    """The lowest-coded community with three or more zones, each of which has compounds."""
    community = (
        Community.objects.annotate(n=Count("zones", distinct=True)).filter(n__gte=3).order_by("code").first()
    )
    assert community is not None, "the sample has a community with three zones"
    return community


@pytest.fixture
def other_community(scene):
    """A community of another sub-district with compounds."""
    return (Community.objects.exclude(subdistrict=scene.subdistrict).filter(compounds__isnull=False)
            .order_by("code").first())


def person(code, role, **fields):
    user = get_user_model().objects.create_user(username=code.lower())
    Person.objects.create(code=code, name=code, role=role, user=user, **fields)
    return user


@pytest.fixture
def users(scene):
    """Logins keyed by who they are; the comment says what they may do with drafts."""
    home = scene.subdistrict
    other = SubDistrict.objects.exclude(pk=home.pk).order_by("code").first()
    cadre = Person.objects.filter(role=Role.ZONE_CADRE, zones__community=scene).order_by("code").first()
    cadre.user = get_user_model().objects.create_user(username="t-plan-cadre")
    cadre.save(update_fields=["user"])
    return {
        "administrator": person("P-ADMIN", Role.ADMINISTRATOR),  # the district, and assignment
        "superuser": get_user_model().objects.create_superuser(username="p-root"),  # the same, with no person
        "dispatcher_of_home": person("P-DISP-A", Role.DISPATCHER, subdistrict=home),  # home's communities
        "leader_of_home": person("P-LEAD-A", Role.LEADER, subdistrict=home),  # home's communities
        "dispatcher_of_other": person("P-DISP-B", Role.DISPATCHER, subdistrict=other),  # 404 on home's drafts
        "centre": person("P-CENTRE", Role.DISPATCHER),  # watches the district, does not plan: 403
        "grid_worker": person("P-GW", Role.GRID_WORKER),  # 403
        "cadre": cadre.user,  # 403
        "no_person": get_user_model().objects.create_user(username="p-nobody"),  # 403
    }


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def in_force_plan(community, **params):
    """A ready draft equal to the zones in force of `community` (None: the district)."""
    return zone_plans.make_zone_plan(community, {"start": "in_force", **params}, by=None)


def zones_of(community):
    """{zone code: sorted compound codes} in force."""
    zones = {}
    for code, zone in Compound.objects.filter(community=community).values_list("code", "zone__code"):
        zones.setdefault(zone, []).append(code)
    return {zone: sorted(codes) for zone, codes in zones.items()}


def key_of(plan, compound):
    return plan.items.get(compound=compound).zone_key


def state():
    """Everything an apply may write, to compare before and after."""
    from apps.areas.layerversion import current_layer_version
    from apps.compounds.models import ZoneAssignment, ZonePlan

    return {
        "zones": sorted(Zone.objects.values_list("pk", "code", "name", "households")),
        "compounds": sorted(Compound.objects.values_list("pk", "zone_id")),
        "assignments": sorted(ZoneAssignment.objects.values_list("zone_id", "cadre_id", "is_head")),
        "plans": sorted(ZonePlan.objects.values_list("pk", "status")),
        "layer_version": current_layer_version(),
    }


@pytest.fixture
def offices(district):
    """Every department with an office point (the sample may not carry them yet).

    An office sits in its sub-district, a district department in the district.
    """
    for department in Department.objects.select_related("subdistrict"):
        if department.office_point is None:
            area = department.subdistrict.geom if department.subdistrict_id else district.geom
            centre = area.point_on_surface
            department.office_point = Point(centre.x, centre.y, srid=4326)
            department.save(update_fields=["office_point"])


@pytest.fixture
def cases_seeded(district):
    call_command("seed_cases", verbosity=0)


def movable(community, band=zone_plans.DEFAULT_BAND):
    """(compound, from zone, to zone) of `community`: moving it leaves every zone within the rules.

    The zones in force must break no rule either (the sample has some zones
    whose compounds lie more than 200 m apart), so an apply of the edit succeeds.
    """
    from apps.compounds import zoning_report

    sites = zone_plans.read_sites(community)
    labels = zone_plans.membership_in_force(community)
    if zoning_report.evaluate(sites, labels, band=band).problems:
        return None
    zones = zones_of(community)
    for compound_code, zone in sorted(labels.items()):
        if len(zones[zone]) < 2:
            continue
        for other in sorted(zones):
            if other == zone:
                continue
            if not zoning_report.evaluate(sites, {**labels, compound_code: other}, band=band).problems:
                found = Compound.objects.get(code=compound_code)
                return found, Zone.objects.get(code=zone), Zone.objects.get(code=other)
    return None


@pytest.fixture
def move(district):
    """A community with three or more zones, and a compound that can move between two of them."""
    candidates = Community.objects.annotate(n=Count("zones", distinct=True)).filter(n__gte=3).order_by("code")
    for community in candidates:
        found = movable(community)
        if found is not None:
            return community, *found
    pytest.fail("no community of the sample has a compound that can move between zones within the rules")


@pytest.fixture
def english():
    """Messages in English, so tests read the words they check (the UI's default is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
