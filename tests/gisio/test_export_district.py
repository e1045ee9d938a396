"""export_district writes the input format: export -> load into an empty database -> export is the same."""

import pyogrio
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from gisio_helpers import assert_same_frames, load, read_frames, wipe_district

from apps.areas.models import Grid
from apps.compounds.models import ZoneAssignment
from apps.gisio.spec import LAYERS
from apps.people.models import Department

pytestmark = pytest.mark.django_db


def export(path):
    call_command("export_district", str(path), verbosity=0)
    return path


def test_export_has_every_layer_in_4326_sorted_by_code(tmp_path):
    path = export(tmp_path / "out.gpkg")

    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == set(LAYERS)
    for name, spec in LAYERS.items():
        info = pyogrio.read_info(path, layer=name)
        assert list(info["fields"]) == list(spec.fields), name
        if spec.spatial:
            assert info["crs"] == "EPSG:4326" and layers[name] == "MultiPolygon", name
        elif spec.points:
            assert info["crs"] == "EPSG:4326" and layers[name] == "Point", name
        else:
            assert layers[name] is None, name
    codes = list(pyogrio.read_dataframe(path, layer="grids", read_geometry=False)["code"])
    assert codes == sorted(codes) == list(Grid.objects.order_by("code").values_list("code", flat=True))


def test_export_of_the_loaded_sample_is_the_sample(sample_path, tmp_path):
    assert_same_frames(read_frames(sample_path), read_frames(export(tmp_path / "out.gpkg")))


def test_export_load_export_round_trip(tmp_path):
    first = export(tmp_path / "first.gpkg")
    wipe_district()

    output = load(first)
    second = export(tmp_path / "second.gpkg")

    assert "grids: 0 created" not in output
    assert_same_frames(read_frames(first), read_frames(second), tolerance=0)


def test_export_refuses_other_formats(tmp_path):
    with pytest.raises(CommandError, match=r"must be a \.gpkg file"):
        call_command("export_district", str(tmp_path / "out.shp"))


def test_export_carries_office_points_and_zone_heads(tmp_path):
    frames = read_frames(export(tmp_path / "out.gpkg"))

    departments, cadres = frames["departments"], frames["cadres"]
    assert len(departments) == 52 and departments.geometry.notna().all()
    assert set(departments.geometry.geom_type) == {"Point"}
    assert cadres["head"].sum() == 281
    assert (cadres[cadres["head"] == 1].groupby("zone_code").size() == 1).all()
    head = ZoneAssignment.objects.select_related("cadre", "zone").filter(is_head=True).first()
    row = cadres[cadres["code"] == head.cadre.code].iloc[0]
    assert (row["zone_code"], row["head"]) == (head.zone.code, 1)


def test_round_trip_keeps_a_department_without_a_point(tmp_path):
    Department.objects.create(code="D36", name="区档案馆", kind="district_department")
    first = export(tmp_path / "first.gpkg")
    wipe_district()

    load(first)
    second = export(tmp_path / "second.gpkg")

    assert Department.objects.get(code="D36").office_point is None
    assert Department.objects.filter(office_point__isnull=False).count() == 52
    assert_same_frames(read_frames(first), read_frames(second), tolerance=0)
