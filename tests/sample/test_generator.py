"""The committed sample is exactly what the generator makes and passes its checker; the checker fails broken copies."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pyogrio

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "gis_data" / "district.gpkg"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generator_reproduces_the_committed_geopackage_byte_for_byte(tmp_path):
    out = tmp_path / "district.gpkg"
    subprocess.run(
        [sys.executable, str(ROOT / "gis_data" / "generate.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert sha256(out) == sha256(SAMPLE)


def test_checker_passes_on_the_committed_sample():
    result = subprocess.run(
        [sys.executable, str(ROOT / "gis_data" / "check.py"), str(SAMPLE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "ALL CHECKS PASSED" in result.stdout


def _checker_on(layers, path):
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    checker = [sys.executable, str(ROOT / "gis_data" / "check.py"), str(path)]
    return subprocess.run(checker, capture_output=True, text=True)


def _sample_layers():
    return {str(name): pyogrio.read_dataframe(SAMPLE, layer=name) for name, _ in pyogrio.list_layers(SAMPLE)}


def test_checker_fails_on_an_office_outside_its_sub_district(tmp_path):
    layers = _sample_layers()
    departments = layers["departments"]
    offices = departments.index[departments["kind"] == "subdistrict_office"]
    departments.loc[offices[0], "geometry"] = departments.loc[offices[1], "geometry"]

    result = _checker_on(layers, tmp_path / "moved.gpkg")

    assert result.returncode == 1
    assert "FAIL  sub-district offices inside their sub-district" in result.stdout
    assert departments.loc[offices[0], "code"] in result.stdout


def test_checker_fails_on_a_zone_with_two_heads_or_a_head_from_a_department(tmp_path):
    layers = _sample_layers()
    cadres = layers["cadres"]
    first_zone = cadres.index[cadres["zone_code"] == cadres.loc[0, "zone_code"]]
    cadres.loc[first_zone, "head"] = 1

    result = _checker_on(layers, tmp_path / "heads.gpkg")

    assert result.returncode == 1
    assert "FAIL  exactly one head per zone" in result.stdout
    assert "FAIL  each zone head comes from the zone's own sub-district office" in result.stdout


def test_checker_fails_on_a_department_without_a_point(tmp_path):
    layers = _sample_layers()
    layers["departments"].loc[0, "geometry"] = None

    result = _checker_on(layers, tmp_path / "nopoint.gpkg")

    assert result.returncode == 1
    assert "FAIL  departments: every feature has a point" in result.stdout
