"""Helpers for the GIS import/export tests (imported by name; tests have no packages)."""

import hashlib
import io
from pathlib import Path

import pyogrio
import shapely
from django.core.management import call_command

from apps.areas.models import Community, District, Grid, SubDistrict
from apps.compounds.models import Compound, Zone, ZoneAssignment
from apps.people.models import Department, Person
from apps.stars.models import Branch

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "gis_data" / "district.gpkg"

# Children before parents, so deleting in this order never hits PROTECT.
MODELS = [ZoneAssignment, Compound, Zone, Branch, Person.grids.through, Person, Department, Grid, Community,
          SubDistrict, District]


def write_gpkg(layers, path):
    """Write {layer: frame} to a new GeoPackage and return its path."""
    path = Path(path)
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    return path


def copy_layers(layers):
    return {name: frame.copy() for name, frame in layers.items()}


def load(path, *args, verbosity=1):
    """Run load_district and return what it printed."""
    out = io.StringIO()
    call_command("load_district", str(path), *args, verbosity=verbosity, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def summary(output):
    """{layer: {"created": n, "updated": n, "unchanged": n, ...}} from load_district's summary."""
    result = {}
    for line in output.splitlines():
        layer, sep, rest = line.partition(": ")
        if not sep or "created" not in rest:
            continue
        counts = {}
        for part in rest.split(", "):
            number, _, word = part.partition(" ")
            if number.isdigit():
                counts[word.split(" ")[0]] = int(number)
        result[layer] = counts
    return result


def db_fingerprint():
    """A digest of every row (geometry included) of every model the loader writes."""
    digest = hashlib.sha256()
    for model in MODELS:
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr([bytes(v.wkb) if hasattr(v, "wkb") else v for v in row]).encode())
        digest.update(model._meta.label.encode())
    return digest.hexdigest()


def wipe_district():
    """Delete everything the loader writes (inside the test's transaction, so it rolls back)."""
    for model in MODELS:
        model.objects.all().delete()


def same_geometry(a, b, tolerance=1e-7):
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance))


def assert_same_frames(expected, actual, *, tolerance=1e-7):
    """Two {layer: frame} in the input format hold the same features: codes, attributes, geometries."""
    assert sorted(expected) == sorted(actual)
    for name in expected:
        a = expected[name].sort_values("code").reset_index(drop=True)
        b = actual[name].sort_values("code").reset_index(drop=True)
        assert list(a["code"]) == list(b["code"]), name
        for column in a.columns:
            if column == "geometry":
                same = shapely.equals_exact(
                    shapely.normalize(a.geometry.values), shapely.normalize(b.geometry.values), tolerance
                ) | (a.geometry.isna().values & b.geometry.isna().values)  # a department with no point
                assert same.all(), f"{name}: geometry differs for {list(a['code'][~same])[:5]}"
            else:
                left, right = _comparable(a[column]), _comparable(b[column])
                assert left == right, f"{name}.{column} differs"


def _comparable(series):
    """Values as text, nulls as "", comma lists in sorted order (leaders' branch_codes)."""
    values = []
    for value in series:
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
        values.append(",".join(sorted(text.split(","))) if "," in text else text)
    return values


def read_frames(path):
    """{layer: frame} of a GeoPackage, geometry column named `geometry`."""
    return {str(name): pyogrio.read_dataframe(path, layer=name) for name, _ in pyogrio.list_layers(path)}
