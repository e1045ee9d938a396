"""Bad inputs: each is the real sample with one thing broken; the message says where, and nothing is written."""

import re

import pytest
import shapely
from django.core.management.base import CommandError
from gisio_helpers import copy_layers, db_fingerprint, load, write_gpkg
from shapely.geometry import Polygon

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")]


def bow_tie(layers):
    grid = layers["grids"].loc[3]
    minx, miny, maxx, maxy = grid.geometry.bounds
    layers["grids"].loc[3, "geometry"] = Polygon([(minx, miny), (maxx, maxy), (maxx, miny), (minx, maxy)])
    return rf"layer grids, feature 4 \(code {grid.code}\), field geometry: invalid polygon: Self-intersection"


def point_grid(layers):
    grid = layers["grids"].loc[0]
    layers["grids"].loc[0, "geometry"] = grid.geometry.centroid
    return (
        rf"layer grids, feature 1 \(code {grid.code}\), field geometry: "
        r"expected a Polygon or MultiPolygon, got a Point"
    )


def missing_field(layers):
    layers["grids"] = layers["grids"].drop(columns=["community_code"])
    return r"layer grids, field community_code: required field is missing"


def duplicate_code(layers):
    compounds = layers["compounds"]
    compounds.loc[5, "code"] = compounds.loc[4, "code"]
    code = compounds.loc[4, "code"]
    return rf"layer compounds, feature 6 \(code {code}\), field code: duplicate code \(first at feature 5\)"


def no_crs(layers):
    layers["grids"] = layers["grids"].set_crs(None, allow_override=True)
    return r"layer grids: layer has no coordinate reference system"


def empty_layer(layers):
    layers["zones"] = layers["zones"].iloc[0:0]
    return r"layer zones: layer is empty \(no features\)"


def compound_outside_community(layers):
    compound = layers["compounds"].loc[0]
    layers["compounds"].loc[0, "geometry"] = shapely.affinity.translate(compound.geometry, xoff=0.03)
    return (
        rf"layer compounds, feature 1 \(code {compound.code}\), field geometry: "
        rf"polygon lies outside its community {compound.community_code} by [0-9.]+ m²"
    )


def grid_crossing_border(layers):
    grid = layers["grids"].loc[0]
    layers["grids"].loc[0, "geometry"] = grid.geometry.buffer(0.0003)  # about 30 m
    return (
        rf"layer grids, feature 1 \(code {grid.code}\), field geometry: "
        rf"polygon lies outside its community {grid.community_code} by [0-9.]+ m²"
    )


def zone_crossing_community(layers):
    zone = layers["zones"].loc[0]
    layers["zones"].loc[0, "geometry"] = shapely.affinity.translate(zone.geometry, yoff=0.03)
    return rf"layer zones, feature 1 \(code {zone.code}\), field geometry: polygon lies outside its community"


def unknown_subdistrict(layers):
    community = layers["communities"].loc[0]
    layers["communities"].loc[0, "subdistrict_code"] = "410105099"
    return (
        rf"layer communities, feature 1 \(code {community.code}\), field subdistrict_code: "
        r"unknown sub-district code '410105099'"
    )


def village_code_out_of_range(layers):
    communities = layers["communities"]
    row = communities.index[communities["kind"] == "community"][0]
    communities.loc[row, "kind"] = "village"
    code = communities.loc[row, "code"]
    return (
        rf"layer communities, feature {row + 1} \(code {code}\), field code: "
        rf"a village code ends in 200-399, not {code[-3:]}"
    )


def malformed_zone_code(layers):
    layers["zones"].loc[2, "code"] = "Z12"
    return r"layer zones, feature 3 \(code Z12\), field code: code 'Z12' is malformed; expected Z \+ community code"


def not_a_number(layers):
    grids = layers["grids"]
    grids["households"] = grids["households"].astype(object)
    grids.loc[0, "households"] = "很多"
    return (
        rf"layer grids, feature 1 \(code {grids.loc[0, 'code']}\), field households: "
        r"expected a whole number >= 0, got '很多'"
    )


def four_cadres_in_a_zone(layers):
    cadres = layers["cadres"]
    zone_a = cadres.loc[0, "zone_code"]
    zone_b = cadres.loc[cadres.index[cadres["zone_code"] != zone_a][0], "zone_code"]
    cadres.loc[0, "zone_code"] = zone_b
    return (
        rf"layer cadres, field zone_code: zone {zone_a} has 4 cadre\(s\); each zone needs exactly 5"
        rf"(.|\n)*layer cadres, field zone_code: zone {zone_b} has 6 cadre\(s\)"
    )


def unknown_department(layers):
    layers["cadres"].loc[0, "department_code"] = "D77"
    code = layers["cadres"].loc[0, "code"]
    return rf"layer cadres, feature 1 \(code {code}\), field department_code: unknown department code 'D77'"


def unknown_zone_of_compound(layers):
    compound = layers["compounds"].loc[2]
    layers["compounds"].loc[2, "zone_code"] = compound.zone_code[:-2] + "99"
    return rf"layer compounds, feature 3 \(code {compound.code}\), field zone_code: unknown zone code"


def unknown_branch_of_leader(layers):
    leaders = layers["leaders"]
    leaders.loc[0, "branch_codes"] += ",410105001199"
    return (
        rf"layer leaders, feature 1 \(code {leaders.loc[0, 'code']}\), field branch_codes: "
        r"unknown branch \(community\) code '410105001199'"
    )


def branch_with_two_leaders(layers):
    leaders = layers["leaders"]
    taken = leaders.loc[0, "branch_codes"].split(",")[0]
    leaders.loc[1, "branch_codes"] += "," + taken
    return (
        rf"layer leaders, feature 2 \(code {leaders.loc[1, 'code']}\), field branch_codes: "
        rf"branch {taken} is already answered for by {leaders.loc[0, 'code']}"
    )


def _office_feature(layers, subdistrict=None):
    """(row index, code) of a sub-district office in the departments layer (the first, or that sub-district's)."""
    departments = layers["departments"]
    offices = departments.index[departments["kind"] == "subdistrict_office"]
    if subdistrict:
        offices = departments.index[departments["code"] == "SD" + subdistrict]
    return offices[0], departments.loc[offices[0], "code"]


def office_outside_its_subdistrict(layers):
    row, code = _office_feature(layers)
    departments = layers["departments"]
    other = departments.index[departments["kind"] == "subdistrict_office"][5]
    departments.loc[row, "geometry"] = departments.loc[other, "geometry"]   # another sub-district's office building
    subdistrict = departments.loc[row, "subdistrict_code"]
    return (
        rf"layer departments, feature {row + 1} \(code {code}\), field geometry: "
        rf"office location lies outside its sub-district {subdistrict} by [0-9]+ m"
    )


def department_outside_the_district(layers):
    departments = layers["departments"]
    departments.loc[4, "geometry"] = shapely.affinity.translate(departments.loc[4, "geometry"], xoff=0.3)  # ~27 km east
    return (
        rf"layer departments, feature 5 \(code {departments.loc[4, 'code']}\), field geometry: "
        r"office location lies outside the district 410105 by [0-9]+ m"
    )


def department_location_is_not_a_point(layers):
    departments = layers["departments"]
    departments.loc[1, "geometry"] = departments.loc[1, "geometry"].buffer(0.001)
    return (
        rf"layer departments, feature 2 \(code {departments.loc[1, 'code']}\), field geometry: "
        r"expected a Point \(the office location\), got a Polygon"
    )


def department_with_cadres_but_no_point(layers):
    departments = layers["departments"]
    row = departments.index[departments["code"] == "D07"][0]
    departments.loc[row, "geometry"] = None
    assert (layers["cadres"]["department_code"] == "D07").any()
    return (
        rf"layer departments, feature {row + 1} \(code D07\), field geometry: "
        r"department D07 has cadres but no office location \(needed to assign cadres\)"
    )


def _zone_cadres(layers, index=0):
    """The cadres frame and the row indexes of the cadres of its index-th zone."""
    cadres = layers["cadres"]
    zone = sorted(cadres["zone_code"].unique())[index]
    return cadres, zone, list(cadres.index[cadres["zone_code"] == zone])


def two_heads_in_a_zone(layers):
    cadres, zone, rows = _zone_cadres(layers)
    office = "SD" + zone[1:10]
    head = next(r for r in rows if cadres.loc[r, "head"] == 1)
    other = next(r for r in rows if cadres.loc[r, "department_code"] == office and r != head)
    cadres.loc[other, "head"] = 1
    first, second = sorted([head, other])
    return (
        rf"layer cadres, feature {second + 1} \(code {cadres.loc[second, 'code']}\), field head: "
        rf"zone {zone} already has a head \({cadres.loc[first, 'code']}, feature {first + 1}\); a zone has one head"
    )


def head_not_from_the_zone_office(layers):
    cadres, zone, rows = _zone_cadres(layers, 3)
    office = "SD" + zone[1:10]
    outsider = next(r for r in rows if cadres.loc[r, "department_code"] != office)
    cadres.loc[rows, "head"] = 0
    cadres.loc[outsider, "head"] = 1
    return (
        rf"layer cadres, feature {outsider + 1} \(code {cadres.loc[outsider, 'code']}\), field head: "
        rf"cadre is head of zone {zone} but belongs to {cadres.loc[outsider, 'department_code']}; "
        rf"a zone head comes from the zone's sub-district office {office}"
    )


def head_is_not_a_flag(layers):
    cadres = layers["cadres"]
    cadres["head"] = cadres["head"].astype(object)
    cadres.loc[0, "head"] = "是"
    return (
        rf"layer cadres, feature 1 \(code {cadres.loc[0, 'code']}\), field head: "
        r"expected 1 \(yes\) or 0 \(no\), got '是'"
    )


BAD_INPUTS = [
    bow_tie, point_grid, missing_field, duplicate_code, no_crs, empty_layer, compound_outside_community,
    grid_crossing_border, zone_crossing_community, unknown_subdistrict, village_code_out_of_range,
    malformed_zone_code, not_a_number, four_cadres_in_a_zone, unknown_department, unknown_zone_of_compound,
    unknown_branch_of_leader, branch_with_two_leaders, office_outside_its_subdistrict, department_outside_the_district,
    department_location_is_not_a_point, department_with_cadres_but_no_point, two_heads_in_a_zone,
    head_not_from_the_zone_office, head_is_not_a_flag,
]


@pytest.mark.parametrize("breaks", BAD_INPUTS, ids=lambda f: f.__name__)
def test_bad_input_is_named_and_nothing_is_written(breaks, sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    expected = breaks(layers)
    path = write_gpkg(layers, tmp_path / "bad.gpkg")
    before = db_fingerprint()

    with pytest.raises(CommandError) as error:
        load(path)

    assert re.search(r"bad\.gpkg, " + expected, str(error.value)), str(error.value)
    assert "nothing was loaded" in str(error.value)
    assert db_fingerprint() == before


def test_problems_are_capped_and_counted(sample_layers, tmp_path):
    layers = copy_layers(sample_layers)
    layers["cadres"]["department_code"] = "X1"
    path = write_gpkg(layers, tmp_path / "bad.gpkg")

    with pytest.raises(CommandError) as error:
        load(path)

    message = str(error.value)
    assert message.startswith("1405 problem(s) found; nothing was loaded:")
    assert message.count("unknown department code 'X1'") == 50
    assert message.endswith("... and 1355 more")


def test_a_path_that_is_neither_a_geopackage_nor_a_folder_is_refused(tmp_path):
    path = tmp_path / "grids.txt"
    path.write_text("code\n")
    with pytest.raises(CommandError, match=r"grids\.txt: expected a GeoPackage \(\.gpkg\) or a folder"):
        load(path)


def test_an_empty_geopackage_file_is_refused(tmp_path):
    path = tmp_path / "district.gpkg"
    path.write_bytes(b"")
    before = db_fingerprint()

    with pytest.raises(CommandError, match=r"district\.gpkg: cannot read the GeoPackage"):
        load(path)

    assert db_fingerprint() == before


def test_a_missing_path_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.gpkg: no such file or folder"):
        load(tmp_path / "nowhere.gpkg")
