"""Who sees what: a person's area turned into querysets and 404s.

domain.md: each person sees only the area that is theirs. The rules, in one place
so every app applies the same ones:

- administrator (or a Django superuser): the whole district;
- dispatcher or leader with no sub-district: the whole district (command centre,
  district leaders); with a sub-district: that sub-district;
- zone cadre: the zones they are assigned to;
- grid worker: their grids, and the zones in the communities of their grids;
- anyone else (handler, task force member, inspector, a user with no person):
  no area; their work reaches them through their department, not geography.

The boundaries themselves (sub-districts, communities, grids, zones, compounds)
are the shared base map of every logged-in member of staff; these rules guard
what is personal or operational inside them (cadres' names and phones, cases).
"""

from django.http import Http404

from apps.areas.models import Community, Grid, SubDistrict
from apps.people.models import Person, Role

AREA_ROLES = (Role.DISPATCHER, Role.LEADER)


def person_for(user):
    """The Person behind a user, or None (anonymous, or a login with no person)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def _is_superuser(person):
    return person.user_id is not None and person.user.is_superuser


def sees_whole_district(person):
    if person is None:
        return False
    if person.role == Role.ADMINISTRATOR or _is_superuser(person):
        return True
    return person.role in AREA_ROLES and person.subdistrict_id is None


def visible_subdistricts(person):
    """Sub-districts a person sees whole: all, their own, or none.

    Grid workers and zone cadres see less than a sub-district (their grids or
    zones), so they get none here; use `visible_zones` / `visible_grids`.
    """
    if sees_whole_district(person):
        return SubDistrict.objects.all()
    if person is not None and person.role in AREA_ROLES and person.subdistrict_id is not None:
        return SubDistrict.objects.filter(pk=person.subdistrict_id)
    return SubDistrict.objects.none()


def visible_grids(person):
    if sees_whole_district(person):
        return Grid.objects.all()
    if person is None:
        return Grid.objects.none()
    if person.role in AREA_ROLES and person.subdistrict_id is not None:
        return Grid.objects.filter(community__subdistrict_id=person.subdistrict_id)
    if person.role == Role.GRID_WORKER:
        return Grid.objects.filter(workers=person)
    return Grid.objects.none()


def visible_communities(person):
    if sees_whole_district(person):
        return Community.objects.all()
    if person is None:
        return Community.objects.none()
    if person.role in AREA_ROLES and person.subdistrict_id is not None:
        return Community.objects.filter(subdistrict_id=person.subdistrict_id)
    if person.role == Role.GRID_WORKER:
        return Community.objects.filter(grids__workers=person).distinct()
    return Community.objects.none()


def visible_zones(person):
    """Zones whose cadres (names, phones) a person may see."""
    # Imported here: `compounds` depends on `people`, not the other way round;
    # only this one question needs its model.
    from apps.compounds.models import Zone

    if sees_whole_district(person):
        return Zone.objects.all()
    if person is None:
        return Zone.objects.none()
    if person.role in AREA_ROLES and person.subdistrict_id is not None:
        return Zone.objects.filter(community__subdistrict_id=person.subdistrict_id)
    if person.role == Role.ZONE_CADRE:
        return Zone.objects.filter(assignments__cadre=person)
    if person.role == Role.GRID_WORKER:
        return Zone.objects.filter(community__in=Community.objects.filter(grids__workers=person))
    return Zone.objects.none()


def can_see_zone(person, zone):
    return visible_zones(person).filter(pk=zone.pk).exists()


def get_zone_for(user, code):
    """The zone with this code if the user's area covers it; 404 otherwise.

    404 rather than 403 so that a code outside one's area reveals nothing,
    not even that the zone exists.
    """
    from apps.compounds.models import Zone

    zones = Zone.objects.all() if user.is_superuser else visible_zones(person_for(user))
    # Boundaries are not needed to answer who may see the zone: leave them in the database.
    zone = zones.filter(code=code).select_related("community").defer("geom", "community__geom").first()
    if zone is None:
        raise Http404("No zone with this code in your area.")
    return zone


def planning_communities(user):
    """Communities whose zones a user may re-plan (zoning drafts), or None when planning is not theirs.

    Zoning is administration, not watching: administrators and superusers plan the
    district; a dispatcher or leader with a sub-district plans that sub-district's
    communities (one community a draft); everyone else, the command centre
    included, gets None (403).
    """
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Community.objects.all()
    person = person_for(user)
    if person is None:
        return None
    if person.role == Role.ADMINISTRATOR:
        return Community.objects.all()
    if person.role in AREA_ROLES and person.subdistrict_id is not None:
        return Community.objects.filter(subdistrict_id=person.subdistrict_id)
    return None


def plans_whole_district(user):
    """Whether a user may make district-wide drafts (zoning of the district, cadre assignment)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    person = person_for(user)
    return person is not None and person.role == Role.ADMINISTRATOR


def area_bounds(person):
    """[[south, west], [north, east]] of the area a person works in, for a page to open on.

    Their grids (grid worker), zones (zone cadre), sub-district (dispatcher or
    leader of one), the district (command centre, district leaders,
    administrators); the district too for those with no area (handlers, task
    forces), whose work is not geographic. The database computes the box
    (Extent over the rows): no boundary travels to Python. None before the
    district is loaded.
    """
    from django.contrib.gis.db.models import Extent

    from apps.areas.models import District

    if person is not None and not sees_whole_district(person):
        for rows in (visible_subdistricts(person), _own_zones(person), _own_grids(person)):
            extent = rows.aggregate(box=Extent("geom"))["box"] if rows is not None else None
            if extent is not None:
                return _box(extent)
    extent = District.objects.aggregate(box=Extent("geom"))["box"]
    return _box(extent) if extent is not None else None


def _own_zones(person):
    if person.role != Role.ZONE_CADRE:
        return None
    return visible_zones(person)


def _own_grids(person):
    if person.role != Role.GRID_WORKER:
        return None
    return visible_grids(person)


def _box(extent):
    west, south, east, north = extent
    return [[south, west], [north, east]]
