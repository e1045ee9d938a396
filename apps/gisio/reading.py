"""Read a district from a GeoPackage or a folder of per-layer files into plain data.

Accepted inputs:
- a GeoPackage (.gpkg) with one layer per name in `spec.LAYERS`
  (attribute tables as layers without geometry);
- a folder holding one file per layer, named after it: `<layer>.shp`
  (with .dbf/.prj), `<layer>.geojson` or `<layer>.json`, and for attribute
  tables also `<layer>.csv` or `<layer>.dbf`.

Spatial layers are reprojected to EPSG:4326 from whatever CRS they carry;
a spatial layer without a CRS is refused, since guessing one would put the
district somewhere else.  The departments' office points come the same way
(a Point layer), or from `lon`/`lat` columns of a table (a CSV), or not at
all (a plain table: the file says nothing about them).  Nothing here touches
the database.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from apps.gisio.problems import ProblemList
from apps.gisio.spec import DBF_NAME_WIDTH, LAYERS, LONLAT_COLUMNS, OPTIONAL_LAYERS

SRID = 4326
POLYGON_EXTENSIONS = (".shp", ".geojson", ".json")
TABLE_EXTENSIONS = (".csv", ".json", ".geojson", ".dbf")
POINT_EXTENSIONS = (".shp",) + TABLE_EXTENSIONS


def folder_extensions(spec):
    if spec.spatial:
        return POLYGON_EXTENSIONS
    return POINT_EXTENSIONS if spec.points else TABLE_EXTENSIONS


@dataclass
class Layer:
    name: str
    file: str  # as shown in messages
    rows: list  # one dict per feature: field name -> text ("" when empty)
    # Shapely geometries in EPSG:4326 (None entries for missing ones); None for a table,
    # including a points layer that carries no points at all.
    geoms: np.ndarray | None = None
    columns: frozenset = field(default_factory=frozenset)  # spec fields the file has
    crs: str = ""  # the CRS the file was in, for the summary


@dataclass
class Dataset:
    source: str
    layers: dict  # layer name -> Layer

    def has(self, layer, column):
        return layer in self.layers and column in self.layers[layer].columns


def read_dataset(path, *, progress=None):
    """Read every layer of `path`; raise GisInputError naming each file and layer that cannot be used."""
    path = Path(path)
    problems = ProblemList()
    sources = locate_layers(path, problems)
    layers = {}
    bar = progress("reading layers", len(sources)) if progress else None
    for name, (file_path, layer_name) in sources.items():
        layer = read_layer(name, file_path, layer_name, problems)
        if layer is not None:
            layers[name] = layer
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    problems.raise_if_any()
    return Dataset(str(path), layers)


def locate_layers(path, problems):
    """Map each expected layer name to (file, layer inside the file or None)."""
    if path.is_file() and path.suffix.lower() == ".gpkg":
        try:
            found = {str(name).lower(): str(name) for name, _ in pyogrio.list_layers(path)}
        except Exception as exc:  # pyogrio raises several error types for unreadable files
            problems.add(path.name, None, f"cannot read the GeoPackage: {exc}")
            return {}
        sources = {name: (path, found[name]) for name in LAYERS if name in found}
        missing = [name for name in LAYERS if name not in found and name not in OPTIONAL_LAYERS]
        for name in missing:
            problems.add(path.name, name, "required layer is missing")
        return sources
    if path.is_dir():
        files = {child.name.lower(): child for child in path.iterdir() if child.is_file()}
        sources = {}
        for name, spec in LAYERS.items():
            candidates = [files[name + ext] for ext in folder_extensions(spec) if name + ext in files]
            if ".dbf" in [c.suffix.lower() for c in candidates] and name + ".shp" in files:
                candidates = [c for c in candidates if c.suffix.lower() != ".dbf"]
            if len(candidates) > 1:
                shown = ", ".join(sorted(c.name for c in candidates))
                problems.add(path.name, name, f"several files for this layer ({shown}); keep one")
            elif candidates:
                sources[name] = (candidates[0], None)
            elif name not in OPTIONAL_LAYERS:
                wanted = " or ".join(name + ext for ext in folder_extensions(spec))
                problems.add(path.name, name, f"required layer is missing: no {wanted} in the folder")
        return sources
    if not path.exists():
        problems.add(str(path), None, "no such file or folder")
    else:
        problems.add(path.name, None, "expected a GeoPackage (.gpkg) or a folder with one file per layer")
    return {}


def read_layer(name, file_path, layer_name, problems):
    spec = LAYERS[name]
    label = file_path.name
    try:
        frame = pyogrio.read_dataframe(file_path, layer=layer_name)
    except Exception as exc:
        problems.add(label, name, f"cannot read: {exc}")
        return None
    frame = frame.rename(columns=_column_names(frame.columns, spec.fields))
    if len(frame) == 0:
        problems.add(label, name, "layer is empty (no features)")
        return None
    columns = frozenset(c for c in spec.fields if c in frame.columns)
    for missing in (c for c in spec.required if c not in columns):
        problems.add(label, name, "required field is missing", field=missing)

    has_geometry = isinstance(frame, gpd.GeoDataFrame) and bool(frame.geometry.notna().any())
    geoms, crs = None, ""
    if spec.points and not has_geometry:
        geoms = _lonlat_points(frame, label, name, problems)
        crs = f"EPSG:{SRID}" if geoms is not None else ""
    elif spec.spatial or spec.points:
        if not has_geometry:
            problems.add(label, name, "layer has no geometry; expected polygons")
            return None
        if frame.crs is None:
            problems.add(
                label,
                name,
                "layer has no coordinate reference system (CRS); "
                "save it with one (a .prj beside a Shapefile, or an EPSG code)",
            )
            return None
        epsg = frame.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else frame.crs.name
        if epsg != SRID:
            try:
                frame = frame.to_crs(SRID)
            except Exception as exc:
                problems.add(label, name, f"cannot reproject from {crs} to EPSG:{SRID}: {exc}")
                return None
        geoms = shapely.force_2d(np.asarray(frame.geometry.values, dtype=object))
    names = sorted(columns)
    rows = [
        {column: _text(value) for column, value in zip(names, values, strict=True)}
        for values in frame[names].itertuples(index=False, name=None)
    ]
    return Layer(name, label, rows, geoms, columns, crs)


def _lonlat_points(frame, label, name, problems):
    """Points from `lon`/`lat` columns (degrees, EPSG:4326), None entries where both are empty;
    None if the table has no such columns (it then says nothing about points)."""
    lon_column, lat_column = LONLAT_COLUMNS
    if lon_column not in frame.columns and lat_column not in frame.columns:
        return None
    for column in LONLAT_COLUMNS:
        if column not in frame.columns:
            other = next(c for c in LONLAT_COLUMNS if c != column)
            problems.add(label, name, f"has a {other} column but no {column} column", field=column)
            return None
    codes = [_text(v) for v in frame["code"]] if "code" in frame.columns else [""] * len(frame)
    points = []
    for index, (lon, lat) in enumerate(zip(frame[lon_column], frame[lat_column], strict=True)):
        lon, lat = _text(lon), _text(lat)
        if lon == "" and lat == "":
            points.append(None)
            continue
        values = []
        for column, text, limit in ((lon_column, lon, 180), (lat_column, lat, 90)):
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not (math.isfinite(value) and -limit <= value <= limit):
                message = f"expected degrees between -{limit} and {limit} (EPSG:4326), got {text!r}"
                problems.add(label, name, message, feature=index + 1, code=codes[index], field=column)
            values.append(value)
        points.append(shapely.Point(values) if all(math.isfinite(v) for v in values) else None)
    return np.array(points, dtype=object)


def _column_names(columns, wanted):
    """Lower-case the file's field names and restore names a .dbf cut to 10 characters."""
    renames = {column: str(column).lower() for column in columns if column != "geometry"}
    present = set(renames.values())
    for name in wanted:
        short = name[:DBF_NAME_WIDTH]
        if name not in present and short != name and short in present:
            original = next(c for c, lowered in renames.items() if lowered == short)
            renames[original] = name
            present.add(name)
    return renames


def _text(value):
    """A field value as stripped text: whole floats without `.0`, nulls as ""."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()
