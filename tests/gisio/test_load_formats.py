"""Folders of Shapefiles (EPSG:4547) and GeoJSON (EPSG:4490) load to the same district as the GeoPackage."""

import shutil

import geopandas as gpd
import pyogrio
import pytest
from django.core.management.base import CommandError
from gisio_helpers import assert_same_frames, db_fingerprint, load, wipe_district

from apps.gisio.export import district_frames

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

TABLES = ("departments", "cadres", "leaders")


def _write(frame, path, driver):
    pyogrio.write_dataframe(frame, path, driver=driver)


@pytest.fixture(scope="module")
def shapefile_folder(sample_layers, tmp_path_factory):
    """Spatial layers as Shapefiles in CGCS2000 / GK CM114E; tables as .dbf and .csv."""
    folder = tmp_path_factory.mktemp("shp")
    for name, frame in sample_layers.items():
        if name in TABLES:
            continue
        _write(frame.to_crs(4547), folder / f"{name}.shp", "ESRI Shapefile")
    _write(sample_layers["departments"], folder / "departments.dbf", "ESRI Shapefile")
    _write(sample_layers["cadres"], folder / "cadres.csv", "CSV")
    _write(sample_layers["leaders"], folder / "leaders.csv", "CSV")
    return folder


@pytest.fixture(scope="module")
def geojson_folder(sample_layers, tmp_path_factory):
    """Spatial layers as GeoJSON in CGCS2000 (EPSG:4490); tables as GeoJSON without geometry and .csv."""
    folder = tmp_path_factory.mktemp("geojson")
    for name, frame in sample_layers.items():
        if name in TABLES:
            continue
        _write(frame.to_crs(4490), folder / f"{name}.geojson", "GeoJSON")
    for name, suffix in (("departments", "json"), ("leaders", "geojson")):
        table = gpd.GeoDataFrame(sample_layers[name], geometry=[None] * len(sample_layers[name]), crs=4326)
        _write(table, folder / f"{name}.{suffix}", "GeoJSON")
    _write(sample_layers["cadres"], folder / "cadres.csv", "CSV")
    return folder


@pytest.mark.parametrize("folder", ["shapefile_folder", "geojson_folder"])
def test_folder_loads_to_the_same_district_as_the_geopackage(folder, request):
    path = request.getfixturevalue(folder)
    from_geopackage = district_frames()
    wipe_district()

    output = load(path)

    file, crs = ("grids.shp", "EPSG:4547") if folder == "shapefile_folder" else ("grids.geojson", "EPSG:4490")
    assert f"{file} [grids]: reprojected from {crs} to EPSG:4326" in output
    assert "grids: " + str(len(from_geopackage["grids"])) + " created" in output
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
