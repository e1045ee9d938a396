"""A re-plan retires zones: their check-ins move to the zone in force holding the point, else lose the zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from apps.compounds.models import Compound, Zone
from apps.compounds.signals import zones_replaced
from apps.patrols.checkin import check_in, relocate_patrols
from apps.patrols.models import Patrol

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def replan(old):
    """What applying a plan does around the signal: a new zone on the old one's ground, then the signal."""
    new = Zone.objects.create(community=old.community, code="Z" + old.code[1:-2] + "99", name=old.name + "（新）",
                              households=old.households, geom=old.geom)
    return new


def test_check_ins_follow_their_point_to_the_zone_in_force(cast):
    zone = cast.zone
    inside = check_in(by=cast.cadre, zone=zone, lon=cast.inside()[0], lat=cast.inside()[1], at=AT)[0]
    near = check_in(by=cast.cadre, zone=zone, lon=cast.east_of(50)[0], lat=cast.east_of(50)[1], at=AT)[0]
    untouched = check_in(by=cast.other_cadre, zone=cast.other_zone, lon=cast.inside(cast.other_zone)[0],
                         lat=cast.inside(cast.other_zone)[1], at=AT)[0]
    new = replan(zone)
    in_force = Zone.objects.exclude(pk=zone.pk)
    zones_replaced.send(sender=None, retired=[zone.pk], zones=in_force)
    inside.refresh_from_db(), near.refresh_from_db(), untouched.refresh_from_db()
    assert inside.zone_id == new.pk and inside.distance_m == 0
    # No zone in force holds a point 50 m outside: it keeps its community and distance, not a zone.
    assert near.zone_id is None and near.distance_m == pytest.approx(50, abs=0.5)
    assert near.community_id == zone.community_id
    assert untouched.zone_id == cast.other_zone.pk
    # The retired zone can now go: nothing of the patrols holds it.
    Compound.objects.filter(zone=zone).update(zone=new)
    zone.delete()
    assert Patrol.objects.count() == 3


def test_relocation_is_one_update(cast, django_assert_num_queries):
    for _ in range(3):
        check_in(by=cast.cadre, zone=cast.zone, lon=cast.inside()[0], lat=cast.inside()[1], at=AT)
    new = replan(cast.zone)
    with django_assert_num_queries(1):
        moved = relocate_patrols(retired=[cast.zone.pk], zones=Zone.objects.exclude(pk=cast.zone.pk))
    assert moved == 3
    assert set(Patrol.objects.values_list("zone_id", flat=True)) == {new.pk}


def test_a_zone_split_in_two_sends_each_check_in_to_its_half(cast):
    zone = cast.zone
    xmin, ymin, xmax, ymax = zone.geom.extent
    mid = (xmin + xmax) / 2
    west_box = Polygon.from_bbox((xmin - 1, ymin - 1, mid, ymax + 1))
    east_box = Polygon.from_bbox((mid, ymin - 1, xmax + 1, ymax + 1))
    halves = []
    for i, box in enumerate((west_box, east_box)):
        part = zone.geom.intersection(box)
        part = part if isinstance(part, MultiPolygon) else MultiPolygon(part)
        halves.append(Zone.objects.create(community=zone.community, code=f"Z{zone.code[1:-2]}9{i}",
                                          name=f"{zone.name}{i}", geom=part))
    points = {}
    for half in halves:
        p = half.geom.point_on_surface
        points[half.pk] = check_in(by=cast.cadre, zone=zone, lon=p.x, lat=p.y, at=AT)[0]
    zones_replaced.send(sender=None, retired=[zone.pk], zones=Zone.objects.exclude(pk=zone.pk))
    for half_pk, patrol in points.items():
        patrol.refresh_from_db()
        assert patrol.zone_id == half_pk


def test_nothing_retired_changes_nothing(cast, django_assert_num_queries):
    check_in(by=cast.cadre, zone=cast.zone, lon=cast.inside()[0], lat=cast.inside()[1], at=AT)
    with django_assert_num_queries(0):
        assert relocate_patrols(retired=[], zones=Zone.objects.all()) == 0
