"""Folders of Shapefiles (EPSG:4547), GeoJSON (EPSG:4490) and CSV load to the same district as the GeoPackage.

The departments' office points travel as a Point layer (.shp, .geojson) or as lon/lat columns of a CSV.
"""

import shutil

import geopandas as gpd
import pyogrio
import pytest
from django.core.management.base import CommandError
from gisio_helpers import assert_same_frames, db_fingerprint, load, wipe_district

from apps.compounds.models import ZoneAssignment
from apps.gisio.export import district_frames
from apps.people.models import Department

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

TABLES = ("cadres", "leaders")


def _write(frame, path, driver):
    path.unlink(missing_ok=True)  # GDAL's CSV driver will not replace a file
    pyogrio.write_dataframe(frame, path, driver=driver)


@pytest.fixture(scope="module")
def shapefile_folder(sample_layers, tmp_path_factory):
    """Spatial layers as Shapefiles in CGCS2000 / GK CM114E; tables as .dbf and .csv."""
    folder = tmp_path_factory.mktemp("shp")
    for name, frame in sample_layers.items():
        if name in TABLES:
            continue
        _write(frame.to_crs(4547), folder / f"{name}.shp", "ESRI Shapefile")
    _write(sample_layers["cadres"], folder / "cadres.csv", "CSV")
    _write(sample_layers["leaders"], folder / "leaders.csv", "CSV")
    return folder


@pytest.fixture(scope="module")
def geojson_folder(sample_layers, tmp_path_factory):
    """Spatial layers as GeoJSON in CGCS2000 (EPSG:4490), departments' points too; tables as GeoJSON without
    geometry and .csv."""
    folder = tmp_path_factory.mktemp("geojson")
    for name, frame in sample_layers.items():
        if name in TABLES:
            continue
        _write(frame.to_crs(4490), folder / f"{name}.geojson", "GeoJSON")
    table = gpd.GeoDataFrame(sample_layers["leaders"], geometry=[None] * len(sample_layers["leaders"]), crs=4326)
    _write(table, folder / "leaders.geojson", "GeoJSON")
    _write(sample_layers["cadres"], folder / "cadres.csv", "CSV")
    return folder


def departments_table(sample_layers):
    """The departments as a plain table: no geometry, no lon/lat."""
    return sample_layers["departments"].drop(columns="geometry")


def departments_lonlat(sample_layers):
    """The departments as a table with the office points in lon/lat columns."""
    departments = sample_layers["departments"]
    table = departments_table(sample_layers)
    table["lon"] = [f"{p.x:.7f}" for p in departments.geometry]
    table["lat"] = [f"{p.y:.7f}" for p in departments.geometry]
    return table


@pytest.fixture(scope="module")
def csv_folder(geojson_folder, sample_layers, tmp_path_factory):
    """The GeoJSON folder with the departments as a CSV holding lon/lat columns."""
    folder = shutil.copytree(geojson_folder, tmp_path_factory.mktemp("csv") / "district")
    (folder / "departments.geojson").unlink()
    _write(departments_lonlat(sample_layers), folder / "departments.csv", "CSV")
    return folder


@pytest.mark.parametrize("folder", ["shapefile_folder", "geojson_folder", "csv_folder"])
def test_folder_loads_to_the_same_district_as_the_geopackage(folder, request):
    path = request.getfixturevalue(folder)
    from_geopackage = district_frames()
    wipe_district()

    output = load(path)

    suffix, crs = (".shp", "EPSG:4547") if folder == "shapefile_folder" else (".geojson", "EPSG:4490")
    assert f"grids{suffix} [grids]: reprojected from {crs} to EPSG:4326" in output
    if folder != "csv_folder":
        assert f"departments{suffix} [departments]: reprojected from {crs} to EPSG:4326" in output
    assert "grids: " + str(len(from_geopackage["grids"])) + " created" in output
    assert Department.objects.filter(office_point__isnull=True).count() == 0
    assert ZoneAssignment.objects.filter(is_head=True).count() == 281
    assert_same_frames(from_geopackage, district_frames())


def test_reprojected_folder_over_the_geopackage_changes_nothing(shapefile_folder):
    before = db_fingerprint()
    output = load(shapefile_folder)
    assert "grids: 0 created, 0 updated" in output
    assert db_fingerprint() == before


def test_shapefile_without_prj_is_refused(shapefile_folder, tmp_path):
    folder = shutil.copytree(shapefile_folder, tmp_path / "noprj")
    (folder / "grids.prj").unlink()
    before = db_fingerprint()

    with pytest.raises(CommandError, match=r"grids\.shp, layer grids: layer has no coordinate reference system"):
        load(folder)

    assert db_fingerprint() == before


def test_empty_file_is_refused(geojson_folder, tmp_path):
    folder = shutil.copytree(geojson_folder, tmp_path / "empty")
    (folder / "zones.geojson").write_bytes(b"")
    before = db_fingerprint()

    with pytest.raises(CommandError, match=r"zones\.geojson, layer zones: cannot read"):
        load(folder)

    assert db_fingerprint() == before


def test_two_files_for_one_layer_are_refused(geojson_folder, tmp_path):
    folder = shutil.copytree(geojson_folder, tmp_path / "twice")
    shutil.copy(folder / "cadres.csv", folder / "cadres.json")

    with pytest.raises(CommandError, match=r"layer cadres: several files for this layer \(cadres\.csv, cadres\.json\)"):
        load(folder)


def test_missing_layer_file_is_named(geojson_folder, tmp_path):
    folder = shutil.copytree(geojson_folder, tmp_path / "missing")
    (folder / "compounds.geojson").unlink()

    with pytest.raises(CommandError, match=r"layer compounds: required layer is missing: no compounds\.shp or "
                                           r"compounds\.geojson or compounds\.json in the folder"):
        load(folder)


def test_departments_without_points_are_refused_while_they_have_cadres(csv_folder, sample_layers, tmp_path):
    folder = shutil.copytree(csv_folder, tmp_path / "nopoints")
    _write(departments_table(sample_layers), folder / "departments.csv", "CSV")
    before = db_fingerprint()

    with pytest.raises(CommandError) as error:
        load(folder)

    message = str(error.value)
    assert ("departments.csv, layer departments, feature 7 (code D07), field geometry: "
            "department D07 has cadres but no office location (needed to assign cadres)") in message
    senders = sample_layers["cadres"]["department_code"].nunique()  # work units with cadres; the others may go
    assert 40 < senders < 52 and message.startswith(f"{senders} problem(s) found")
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    ("lon", "lat", "field", "got"),
    [("东经113度", "34.8", "lon", "'东经113度'"), ("113.68", "134.8", "lat", "'134.8'"), ("113.68", "", "lat", "''")],
)
def test_a_bad_longitude_or_latitude_is_named(csv_folder, sample_layers, tmp_path, lon, lat, field, got):
    folder = shutil.copytree(csv_folder, tmp_path / "badlonlat")
    table = departments_lonlat(sample_layers)
    table.loc[2, "lon"], table.loc[2, "lat"] = lon, lat
    _write(table, folder / "departments.csv", "CSV")
    before = db_fingerprint()

    with pytest.raises(CommandError) as error:
        load(folder)

    limit = 180 if field == "lon" else 90
    assert (f"departments.csv, layer departments, feature 3 (code D03), field {field}: "
            f"expected degrees between -{limit} and {limit} (EPSG:4326), got {got}") in str(error.value)
    assert db_fingerprint() == before
