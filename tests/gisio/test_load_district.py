"""load_district on the real sample: the numbers, idempotence, upserts, --prune."""

import pandas as pd
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from gisio_helpers import copy_layers, db_fingerprint, load, summary, wipe_district, write_gpkg

from apps.areas.models import Community, District, Grid, SubDistrict
from apps.compounds.models import Compound, Zone, ZoneAssignment
from apps.people.models import Department, Person, Role
from apps.stars.models import Branch

pytestmark = pytest.mark.django_db


def test_sample_loads_with_the_program_numbers(sample_layers):
    assert District.objects.get().code == "410105"
    assert SubDistrict.objects.count() == 17
    assert Community.objects.count() == 214
    assert Community.objects.filter(kind="village").count() == 40
    assert Grid.objects.count() == len(sample_layers["grids"])
    assert Zone.objects.count() == 281
    assert Compound.objects.count() == 644
    assert Person.objects.filter(role=Role.ZONE_CADRE).count() == 1405
    assert Person.objects.filter(role=Role.LEADER).count() == 55
    assert Department.objects.filter(kind="district_department").count() == 35
    assert Department.objects.filter(kind="subdistrict_office", subdistrict__isnull=False).count() == 17
    assert ZoneAssignment.objects.count() == 1405
    assert {z.assignments.count() for z in Zone.objects.prefetch_related("assignments")} == {5}
    assert Branch.objects.count() == 214
    assert Branch.objects.filter(leader__isnull=True).count() == 0
    assert set(Branch.objects.exclude(demonstration="").values_list("demonstration", flat=True)) == {
        "planned_five_star",
        "quasi_five_star",
    }


def test_geometry_is_stored_as_multipolygon_in_4326():
    grid = Grid.objects.first()
    assert grid.geom.geom_type == "MultiPolygon"
    assert grid.geom.srid == 4326
    assert 113 < grid.geom.centroid.x < 115 and 34 < grid.geom.centroid.y < 35


def test_loading_the_same_file_again_changes_nothing(sample_path):
    before = db_fingerprint()
    counts = summary(load(sample_path))
    assert db_fingerprint() == before
    assert counts["grids"]["unchanged"] == Grid.objects.count()
    for layer, numbers in counts.items():
        assert numbers.get("created") == 0 and numbers.get("updated") == 0, layer


def test_reload_after_one_change_updates_only_that_row(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    grids = layers["grids"]
    code = grids.loc[3, "code"]
    grids.loc[3, "name"] = "改名网格"
    # Shrink it a little: still inside its community, so still valid.
    grids.loc[3, "geometry"] = shapely.buffer(grids.loc[3, "geometry"], -1e-5)
    others = {g.code: (g.name, g.geom.wkb) for g in Grid.objects.exclude(code=code)}

    counts = summary(load(write_gpkg(layers, tmp_path / "changed.gpkg")))

    assert counts["grids"] == {"created": 0, "updated": 1, "unchanged": len(grids) - 1}
    assert all(c["updated"] == 0 for layer, c in counts.items() if layer != "grids")
    grid = Grid.objects.get(code=code)
    assert grid.name == "改名网格"
    assert grid.geom.area < shapely.from_wkb(sample_layers["grids"].loc[3, "geometry"].wkb).area
    assert {g.code: (g.name, g.geom.wkb) for g in Grid.objects.exclude(code=code)} == others


def test_reload_keeps_what_the_file_does_not_carry(sample_path):
    cadre = Person.objects.filter(role=Role.ZONE_CADRE).first()
    cadre.user = get_user_model().objects.create_user("cadre1")
    cadre.save()
    cadre.grids.add(Grid.objects.first())
    Branch.objects.filter(community__code="410105001001").update(weak=True)

    load(sample_path)

    cadre.refresh_from_db()
    assert cadre.user.username == "cadre1"
    assert list(cadre.grids.all()) == [Grid.objects.first()]
    assert Branch.objects.get(community__code="410105001001").weak is True


def test_moving_a_cadre_moves_the_assignment(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    cadres = layers["cadres"]
    # Swap two cadres of different zones: each zone keeps five.
    first, other = 0, cadres.index[cadres["zone_code"] != cadres.loc[0, "zone_code"]][0]
    zone_a, zone_b = cadres.loc[first, "zone_code"], cadres.loc[other, "zone_code"]
    cadres.loc[first, "zone_code"], cadres.loc[other, "zone_code"] = zone_b, zone_a

    counts = summary(load(write_gpkg(layers, tmp_path / "swapped.gpkg")))

    assert counts["zone assignments"]["created"] == 2 and counts["zone assignments"]["removed"] == 2
    moved = Person.objects.get(code=cadres.loc[first, "code"])
    assert list(moved.zones.values_list("code", flat=True)) == [zone_b]
    assert Zone.objects.get(code=zone_a).assignments.count() == 5


def test_rows_missing_from_the_file_are_reported_and_kept(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    gone = layers["compounds"].loc[0, "code"]
    layers["compounds"] = layers["compounds"].drop(index=0)

    output = load(write_gpkg(layers, tmp_path / "fewer.gpkg"))

    assert f"1 not in the file, kept (use --prune to delete): {gone}" in output
    assert Compound.objects.filter(code=gone).exists()


def test_prune_deletes_rows_missing_from_the_file(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    gone = layers["compounds"].loc[0, "code"]
    layers["compounds"] = layers["compounds"].drop(index=0)

    counts = summary(load(write_gpkg(layers, tmp_path / "fewer.gpkg"), "--prune"))

    assert counts["compounds"]["deleted"] == 1
    assert not Compound.objects.filter(code=gone).exists()
    assert Compound.objects.count() == 643


def test_prune_refuses_rows_still_in_use_and_changes_nothing(sample_path):
    # A department the file does not have, still the department of a handler.
    extra = Department.objects.create(code="D99", name="临时部门", kind="district_department")
    Person.objects.create(code="H001", name="处置员", role=Role.HANDLER, department=extra)
    before = db_fingerprint()

    with pytest.raises(CommandError, match=r"cannot prune departments D99: still used by \S+ 处置员"):
        load(sample_path, "--prune")

    assert db_fingerprint() == before


def test_a_person_of_another_role_is_never_turned_into_a_cadre(sample_path):
    Person.objects.filter(code="GB0001").update(role=Role.GRID_WORKER)
    before = db_fingerprint()

    with pytest.raises(CommandError, match=r"layer cadres, code GB0001, field code: code is already used by a person "
                                           r"with role grid_worker"):
        load(sample_path)

    assert db_fingerprint() == before


def test_without_a_district_layer_the_district_is_the_union_of_subdistricts(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    del layers["district"]

    load(write_gpkg(layers, tmp_path / "no_district.gpkg"))

    district = District.objects.get()
    assert (district.code, district.name) == ("410105", "金水区")  # the name is kept: the file has none
    union = shapely.union_all(sample_layers["subdistricts"].geometry.values)
    assert shapely.from_wkb(bytes(district.geom.wkb)).symmetric_difference(union).area < 1e-12


def test_progress_and_summary_follow_verbosity(sample_path, capsys):
    from django.core.management import call_command

    call_command("load_district", str(sample_path), verbosity=0)
    quiet = capsys.readouterr()
    call_command("load_district", str(sample_path), verbosity=1)
    loud = capsys.readouterr()

    assert quiet.out == "" and quiet.err == ""
    assert "grids: 0 created, 0 updated" in loud.out
    assert "grids" in loud.err  # the tqdm bar of the layer


# -- work-unit offices and zone heads ------------------------------------------------------------


def test_every_work_unit_gets_its_office_point_and_every_zone_its_head(sample_layers):
    points = dict(Department.objects.values_list("code", "office_point"))
    for row in sample_layers["departments"].itertuples():
        assert (points[row.code].x, points[row.code].y) == pytest.approx((row.geometry.x, row.geometry.y), abs=1e-9)
    heads = ZoneAssignment.objects.filter(is_head=True)
    assert heads.count() == Zone.objects.count() == 281
    assert set(heads.values_list("cadre__code", flat=True)) == set(
        sample_layers["cadres"].loc[sample_layers["cadres"]["head"] == 1, "code"]
    )


def _head_and_deputy(cadres):
    """Rows of the first zone's head and of another cadre of its sub-district office."""
    zone = cadres.loc[0, "zone_code"]
    rows = cadres.index[cadres["zone_code"] == zone]
    head = next(r for r in rows if cadres.loc[r, "head"] == 1)
    deputy = next(r for r in rows if r != head and cadres.loc[r, "department_code"] == "SD" + zone[1:10])
    return zone, head, deputy


def test_handing_the_head_to_another_office_cadre_updates_two_assignments(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    cadres = layers["cadres"]
    zone, head, deputy = _head_and_deputy(cadres)
    cadres.loc[head, "head"], cadres.loc[deputy, "head"] = 0, 1

    counts = summary(load(write_gpkg(layers, tmp_path / "new_head.gpkg")))

    assert counts["zone assignments"] == {"created": 0, "updated": 2, "unchanged": 1403}
    assert ZoneAssignment.objects.get(zone__code=zone, is_head=True).cadre.code == cadres.loc[deputy, "code"]
    assert ZoneAssignment.objects.filter(is_head=True).count() == 281


def test_moving_an_office_updates_only_that_department(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    departments = layers["departments"]
    departments.loc[0, "geometry"] = shapely.affinity.translate(departments.loc[0, "geometry"], xoff=0.001)
    code = departments.loc[0, "code"]

    counts = summary(load(write_gpkg(layers, tmp_path / "moved.gpkg")))

    assert counts["departments"] == {"created": 0, "updated": 1, "unchanged": 51}
    assert Department.objects.get(code=code).office_point.x == pytest.approx(departments.loc[0, "geometry"].x)


def test_a_department_without_cadres_may_have_no_point(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    departments = layers["departments"]
    extra = departments.iloc[[0]].assign(code="D36", name="区档案馆", geometry=[None])
    layers["departments"] = type(departments)(
        pd.concat([departments, extra], ignore_index=True), geometry="geometry", crs=departments.crs
    )

    counts = summary(load(write_gpkg(layers, tmp_path / "archive.gpkg")))

    assert counts["departments"]["created"] == 1
    assert Department.objects.get(code="D36").office_point is None


def test_a_file_without_a_head_column_loads_with_no_heads(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    layers["cadres"] = layers["cadres"].drop(columns="head")
    path = write_gpkg(layers, tmp_path / "old.gpkg")
    wipe_district()

    load(path)

    assert ZoneAssignment.objects.count() == 1405
    assert not ZoneAssignment.objects.filter(is_head=True).exists()


def test_a_file_without_a_head_column_keeps_the_heads_in_force(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    cadres = layers["cadres"]
    zone, head, _ = _head_and_deputy(cadres)
    # The file sends the first zone's head from a district department now: that head cannot stay.
    cadres.loc[head, "department_code"] = "D01"
    layers["cadres"] = cadres.drop(columns="head")

    counts = summary(load(write_gpkg(layers, tmp_path / "old.gpkg")))

    assert counts["zone assignments"] == {"created": 0, "updated": 1, "unchanged": 1404}
    assert not ZoneAssignment.objects.filter(zone__code=zone, is_head=True).exists()
    assert ZoneAssignment.objects.filter(is_head=True).count() == 280


def test_prune_keeps_working_with_points_and_heads(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    Department.objects.create(code="D99", name="临时部门", kind="district_department")

    counts = summary(load(write_gpkg(layers, tmp_path / "same.gpkg"), "--prune"))

    assert counts["departments"]["deleted"] == 1
    assert Department.objects.filter(office_point__isnull=False).count() == 52
    assert ZoneAssignment.objects.filter(is_head=True).count() == 281
