"""The loaded sample holds every number of the program (domain.md) and its topology.

Runs on whichever database DATABASE_URL names; `make test` runs it on both.
"""

from collections import Counter

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from django.contrib.gis.db.models import Union
from django.db.models import Count, F, Q, Sum

from apps.areas.models import METRIC_SRID, Community, District, Grid, SubDistrict
from apps.compounds.models import Compound, Zone, ZoneAssignment
from apps.people.models import Department, Person, Role
from apps.stars.models import Branch

pytestmark = pytest.mark.django_db

TO_METRIC = Transformer.from_crs(4326, METRIC_SRID, always_xy=True)

SUBDISTRICT_NAMES = (
    "文化路 南阳新村 经八路 大石桥 人民路 花园路 杜岭 南阳路 丰产路 北林路 未来路 东风路 兴达路 国基路 凤凰台 杨金路 丰庆路"
).split()


def test_the_district_has_its_seventeen_named_subdistricts():
    assert District.objects.get().code == "410105"
    names = set(SubDistrict.objects.values_list("name", flat=True))
    assert names == {f"{name}街道" for name in SUBDISTRICT_NAMES}
    assert all(code.startswith("410105") for code in SubDistrict.objects.values_list("code", flat=True))


def test_214_villages_and_communities_40_of_them_villages_each_with_one_branch():
    kinds = Counter(Community.objects.values_list("kind", flat=True))
    assert kinds == {"village": 40, "community": 174}
    assert Branch.objects.count() == 214
    assert not Community.objects.filter(branch__isnull=True).exists()


def test_named_branches_are_demonstrations_in_the_right_subdistricts():
    planned = dict(
        Branch.objects.filter(demonstration="planned_five_star").values_list(
            "community__name", "community__subdistrict__name"
        )
    )
    assert set(planned) == {"马渡村", "通信花园社区", "省委社区"}
    assert planned["马渡村"] == "兴达路街道"
    quasi = dict(
        Branch.objects.filter(demonstration="quasi_five_star").values_list(
            "community__name", "community__subdistrict__name"
        )
    )
    assert set(quasi) == {"杲村", "戊院社区", "建业城市花园社区"}
    assert quasi["戊院社区"] == "花园路街道"
    assert Community.objects.get(name="马渡村").kind == "village"


def test_grids_hold_300_to_500_households_in_town_and_about_300_in_villages():
    assert 1300 <= Grid.objects.count() <= 1700
    urban = Grid.objects.filter(community__kind="community").values_list("households", flat=True)
    rural = Grid.objects.filter(community__kind="village").values_list("households", flat=True)
    assert min(urban) >= 300 and max(urban) <= 500
    assert min(rural) >= 250 and max(rural) <= 350
    assert not Grid.objects.filter(population__gt=2500).exists()


def test_every_grid_code_extends_its_community_code():
    for code, community_code in Grid.objects.values_list("code", "community__code"):
        assert len(code) == 15 and code[:12] == community_code


def test_households_add_up_from_grid_to_subdistrict():
    for community in Community.objects.annotate(grid_households=Sum("grids__households")):
        assert community.households == community.grid_households, community.code
    for subdistrict in SubDistrict.objects.annotate(c_households=Sum("communities__households")):
        assert subdistrict.households == subdistrict.c_households, subdistrict.code


def test_644_compounds_in_281_zones_with_1405_cadres_five_a_zone():
    assert Compound.objects.count() == 644
    assert Zone.objects.count() == 281
    assert ZoneAssignment.objects.count() == 1405
    per_zone = set(Zone.objects.annotate(n=Count("assignments")).values_list("n", flat=True))
    assert per_zone == {5}
    assert Person.objects.filter(role=Role.ZONE_CADRE).count() == 1405
    # a zone never crosses its community
    assert not Compound.objects.exclude(community=F("zone__community")).exists()


def test_cadres_come_from_the_35_departments_and_17_offices():
    kinds = Counter(Department.objects.values_list("kind", flat=True))
    assert kinds == {"district_department": 35, "subdistrict_office": 17}
    cadre_departments = Department.objects.filter(people__role=Role.ZONE_CADRE).distinct()
    assert cadre_departments.count() <= 52
    assert not Person.objects.filter(role=Role.ZONE_CADRE, department__isnull=True).exists()


def test_55_leaders_answer_for_every_branch():
    assert Person.objects.filter(role=Role.LEADER).count() == 55
    assert not Branch.objects.filter(leader__isnull=True).exists()
    per_leader = Person.objects.filter(role=Role.LEADER).annotate(n=Count("branches"))
    assert all(3 <= leader.n <= 5 for leader in per_leader)


def _gap_and_overlap_m2(children_qs, parent_geom):
    """Area in m² (EPSG:4547) where the union of children differs from the parent."""
    union = children_qs.aggregate(u=Union("geom"))["u"]
    difference = union.sym_difference(parent_geom)
    difference.transform(METRIC_SRID)
    return difference.area


def test_communities_tile_their_subdistrict_within_one_square_metre():
    for subdistrict in SubDistrict.objects.all():
        assert _gap_and_overlap_m2(subdistrict.communities.all(), subdistrict.geom) < 1.0, subdistrict.name


def _metric(rows):
    """(key, geom) rows from the database -> key list and shapely geometries in EPSG:4547."""
    keys = [key for key, _ in rows]
    geoms = shapely.from_wkb([bytes(geom.wkb) for _, geom in rows])
    return keys, shapely.transform(geoms, TO_METRIC.transform, interleaved=False)


def test_grids_tile_their_community_within_one_square_metre():
    community_ids, communities = _metric(Community.objects.values_list("id", "geom"))
    keys, grids = _metric(Grid.objects.values_list("community_id", "geom"))
    members = {}
    for key, grid in zip(keys, grids):
        members.setdefault(key, []).append(grid)
    for community_id, community in zip(community_ids, communities):
        mismatch = shapely.symmetric_difference(shapely.union_all(members[community_id]), community)
        assert mismatch.area < 1.0, community_id


def test_grids_of_a_community_do_not_overlap():
    keys, grids = _metric(Grid.objects.values_list("community_id", "geom"))
    by_community = {}
    for key, grid in zip(keys, grids):
        by_community.setdefault(key, []).append(grid)
    overlap = sum(
        sum(g.area for g in members) - shapely.union_all(members).area for members in by_community.values()
    )
    assert overlap < 1.0


def test_compounds_lie_inside_their_community():
    community_ids, communities = _metric(Community.objects.values_list("id", "geom"))
    community_of = dict(zip(community_ids, communities))
    compound_rows = list(Compound.objects.values_list("community_id", "geom"))
    owners, compounds = _metric(compound_rows)
    outside = shapely.area(shapely.difference(compounds, [community_of[owner] for owner in owners]))
    assert outside.max() < 1.0


def test_compounds_never_overlap_each_other():
    _, compounds = _metric(Compound.objects.values_list("id", "geom"))
    assert sum(c.area for c in compounds) - shapely.union_all(compounds).area < 1.0


def test_every_sub_district_office_stands_inside_its_own_sub_district():
    offices = Department.objects.filter(kind="subdistrict_office")
    assert offices.count() == 17
    # The database decides: the point-in-polygon runs in PostGIS or SpatiaLite.
    inside = offices.filter(office_point__within=F("subdistrict__geom"))
    assert set(inside.values_list("code", flat=True)) == set(offices.values_list("code", flat=True))


def test_district_departments_cluster_near_the_district_centre():
    district = District.objects.get()
    departments = Department.objects.filter(kind="district_department")
    assert departments.filter(office_point__within=district.geom).count() == 35
    _, (centre,) = _metric([(0, district.geom.centroid)])
    codes, points = _metric(departments.values_list("code", "office_point"))
    assert shapely.distance(points, centre).max() < 3000.0, "a department farther than 3 km from the centre"
    spacing = shapely.distance(points[:, None], points[None, :]) + 1e9 * np.eye(len(points))
    assert spacing.min() >= 50.0, "two departments on top of each other"


def test_every_zone_has_one_head_from_its_own_sub_district_office():
    heads = ZoneAssignment.objects.filter(is_head=True)
    assert heads.count() == Zone.objects.count() == 281
    per_zone = Zone.objects.annotate(n=Count("assignments", filter=Q(assignments__is_head=True)))
    assert set(per_zone.values_list("n", flat=True)) == {1}
    from_office = heads.filter(cadre__department__subdistrict=F("zone__community__subdistrict"))
    assert from_office.count() == 281
