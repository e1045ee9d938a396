"""Write the district from the database to a GeoPackage in the input format.

The layers and fields are those of `spec.LAYERS`, so an exported file loads
back unchanged; rows are ordered by code, so two exports of the same data are
the same features in the same order.
"""

from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from apps.areas.models import SRID, Community, District, Grid, SubDistrict
from apps.compounds.models import Compound, Zone, ZoneAssignment
from apps.gisio.spec import LAYERS
from apps.people.models import Department, Person, Role
from apps.stars.models import Branch


def export_district(path, *, progress=None):
    """Write every layer to the GeoPackage at `path` (replacing it); return {layer: feature count}."""
    path = Path(path)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    frames = district_frames()
    counts = {}
    for name, frame in frames.items():
        bar = progress(name, len(frame)) if progress else None
        # Declared, not inferred: a points layer whose features all lack a point is still a Point layer.
        geometry_type = "Point" if LAYERS[name].points else None
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", geometry_type=geometry_type)
        counts[name] = len(frame)
        if bar:
            bar.update(len(frame))
            bar.close()
    return counts


def district_frames():
    """{layer name: (Geo)DataFrame} with the columns of spec.LAYERS, sorted by code."""
    branches = {
        community: (name, demonstration)
        for community, name, demonstration in Branch.objects.values_list("community_id", "name", "demonstration")
    }
    rows = {
        "district": [
            {"code": d.code, "name": d.name, "geom": d.geom} for d in District.objects.order_by("code")
        ],
        "subdistricts": [
            {"code": s.code, "name": s.name, "households": s.households, "population": s.population, "geom": s.geom}
            for s in SubDistrict.objects.order_by("code")
        ],
        "communities": [
            {
                "code": c.code, "name": c.name, "kind": c.kind, "subdistrict_code": c.subdistrict.code,
                "households": c.households, "population": c.population,
                "branch_name": branches.get(c.id, ("", ""))[0], "demonstration": branches.get(c.id, ("", ""))[1],
                "geom": c.geom,
            }
            for c in Community.objects.select_related("subdistrict").order_by("code")
        ],
        "grids": [
            {"code": g.code, "name": g.name, "community_code": g.community.code, "households": g.households,
             "population": g.population, "geom": g.geom}
            for g in Grid.objects.select_related("community").order_by("code")
        ],
        "zones": [
            {"code": z.code, "name": z.name, "community_code": z.community.code, "households": z.households,
             "geom": z.geom}
            for z in Zone.objects.select_related("community").order_by("code")
        ],
        "compounds": [
            {"code": c.code, "name": c.name, "community_code": c.community.code, "zone_code": c.zone.code,
             "households": c.households, "address": c.address, "geom": c.geom}
            for c in Compound.objects.select_related("community", "zone").order_by("code")
        ],
        "departments": [
            {"code": d.code, "name": d.name, "kind": d.kind,
             "subdistrict_code": d.subdistrict.code if d.subdistrict else "", "geom": d.office_point}
            for d in Department.objects.select_related("subdistrict").order_by("code")
        ],
        "cadres": cadre_rows(),
        "leaders": leader_rows(),
    }
    return {name: _frame(name, layer_rows) for name, layer_rows in rows.items()}


def cadre_rows():
    # One zone per cadre in the file format; a cadre working several zones is
    # written with the first by code.
    zone_of = {}
    assignments = ZoneAssignment.objects.order_by("zone__code").values_list("cadre_id", "zone__code", "is_head")
    for cadre, zone, is_head in assignments:
        zone_of.setdefault(cadre, (zone, int(is_head)))
    people = Person.objects.filter(role=Role.ZONE_CADRE).order_by("code")
    return [
        {"code": code, "name": name, "department_code": department or "", "zone_code": zone_of.get(pk, ("", 0))[0],
         "phone": phone, "head": zone_of.get(pk, ("", 0))[1]}
        for pk, code, name, department, phone in people.values_list("pk", "code", "name", "department__code", "phone")
    ]


def leader_rows():
    branches = defaultdict(list)
    for leader, community in Branch.objects.filter(leader__isnull=False).values_list("leader_id", "community__code"):
        branches[leader].append(community)
    people = Person.objects.filter(role=Role.LEADER).order_by("code")
    return [
        {"code": code, "name": name, "title": title, "branch_codes": ",".join(sorted(branches[pk]))}
        for pk, code, name, title in people.values_list("pk", "code", "name", "title")
    ]


def _frame(name, rows):
    spec = LAYERS[name]
    columns = list(spec.fields)
    spatial = spec.spatial or spec.points
    frame = pd.DataFrame(rows, columns=columns + (["geom"] if spatial else []))
    for column in spec.counts + spec.flags:
        frame[column] = frame[column].astype("int64")
    if not spatial:
        return frame
    geoms = shapely.from_wkb([None if g is None else bytes(g.wkb) for g in frame.pop("geom")])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=SRID), crs=SRID)
