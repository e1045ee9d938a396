"""The committed sample is exactly what the generator makes, and passes its checker."""

import hashlib
import subprocess
import sys
from pathlib import Path

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
