"""Where is this point: point -> grid -> village/community -> sub-district -> branch.

A point on a border shared by several grids (an edge or a vertex) belongs to
all of them under `intersects` (boundary-inclusive); we answer the one with the
lowest code so the answer is one grid, and the same grid on PostGIS, SpatiaLite
and in `locate_many`.
"""

import functools
import math
import threading
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.db import connection
from django.db.models import BigIntegerField, Count, F, FloatField, Func, IntegerField, Max, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from apps.areas.compiled import IdSlot, Slot, compiled, fill, instance_of
from apps.areas.models import Community, Grid, SubDistrict
from apps.areas.spatial import IntersectsPoint, spatial_prefilter


class InvalidCoordinate(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


class OutsideDistrict(LookupError):
    def __init__(self, lon, lat):
        self.lon, self.lat = lon, lat
        self.message = _("The point (%(lon)s, %(lat)s) is outside the district.") % {"lon": lon, "lat": lat}
        super().__init__(self.message)


@dataclass(frozen=True)
class Location:
    grid: Grid
    community: object
    subdistrict: object
    branch: object  # stars.Branch, or None for a community without a branch yet
    extra: dict = field(default_factory=dict)  # the caller's annotations (`locate(extra=...)`)


def check_coordinate(field, value):
    """`value` as a finite float inside the range of `field` ("lon" or "lat"); InvalidCoordinate otherwise."""
    limit = 180 if field == "lon" else 90
    label = _("longitude") if field == "lon" else _("latitude")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidCoordinate(field, _("%(label)s (%(field)s) is required.") % {"label": label, "field": field})
    if isinstance(value, bool):
        value = str(value)
    if not isinstance(value, Real):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise InvalidCoordinate(
                field,
                _("%(label)s (%(field)s) must be a number, got %(value)s.")
                % {"label": label, "field": field, "value": repr(str(value)[:40])},
            ) from None
    value = float(value)
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise InvalidCoordinate(
            field,
            _("%(label)s (%(field)s) must be between %(low)s and %(high)s, got %(value)s.")
            % {"label": label, "field": field, "low": -limit, "high": limit, "value": value},
        )
    return value


# What a Location is built from: (model, attribute, column of the grid query).
COLUMNS = (
    ("grid", "id", "pk"), ("grid", "code", "code"), ("grid", "name", "name"),
    ("grid", "community_id", "community_id"),
    ("community", "id", "community_id"), ("community", "code", "community__code"),
    ("community", "name", "community__name"), ("community", "kind", "community__kind"),
    ("community", "subdistrict_id", "community__subdistrict_id"),
    ("subdistrict", "id", "community__subdistrict_id"), ("subdistrict", "code", "community__subdistrict__code"),
    ("subdistrict", "name", "community__subdistrict__name"),
    ("branch", "id", "community__branch__id"), ("branch", "name", "community__branch__name"),
    ("branch", "community_id", "community_id"),
)
LON, LAT = Slot.named("lon"), Slot.named("lat")


@functools.lru_cache(maxsize=32)
def locate_sql(vendor, extra):
    """(sql, params, extra names) of the grid query, compiled once per engine and `extra`.

    `vendor` is part of the key for a process that talks to both engines.
    """
    grids = spatial_prefilter(Grid.objects.all(), (LON, LAT, LON, LAT)).filter(IntersectsPoint("geom", LON, LAT))
    annotations, slots = extra(LON, LAT) if extra is not None else ({}, ())
    rows = grids.annotate(**annotations).order_by("code").values_list(*(c for *_, c in COLUMNS), *annotations)
    sql, params = compiled(rows[:1], (LON, LAT, *slots))
    return sql, params, tuple(annotations)


def locate(lon, lat, extra=None, **values):
    """The Location of a point, in one query; OutsideDistrict when no grid holds it.

    `extra(lon_slot, lat_slot)` may return ({name: expression}, slots): more
    annotations of the grid row (a caller's subqueries about the same place),
    compiled with it; `values` fill its slots ({slot name: value}) and the
    answers come back in `Location.extra`. `extra` must be a module-level
    function: it keys the compiled SQL.

    The areas come back with the fields a Location names (codes, names,
    kind); their boundaries stay in the database. Anything else of them is
    read on first use, like a deferred field.
    """
    lon, lat = check_coordinate("lon", lon), check_coordinate("lat", lat)
    sql, template, names = locate_sql(connection.vendor, extra)
    slot_values = {LON: lon, LAT: lat, **{IdSlot.named(k): v for k, v in values.items()}}
    with connection.cursor() as cursor:
        cursor.execute(sql, fill(template, slot_values))
        row = cursor.fetchone()
    if row is None:
        raise OutsideDistrict(lon, lat)
    fields = {"grid": {}, "community": {}, "subdistrict": {}, "branch": {}}
    for (model, attribute, _column), value in zip(COLUMNS, row):
        fields[model][attribute] = value
    grid = instance_of(Grid, fields["grid"])
    community = instance_of(Community, fields["community"])
    subdistrict = instance_of(SubDistrict, fields["subdistrict"])
    branch = instance_of(community._meta.get_field("branch").related_model, fields["branch"])
    # Cache the relations as select_related would, "no branch" included.
    grid.community, community.subdistrict = community, subdistrict
    Community._meta.get_field("branch").set_cached_value(community, branch)
    if branch is not None:
        branch.community = community
    return Location(grid=grid, community=community, subdistrict=subdistrict, branch=branch,
                    extra=dict(zip(names, row[len(COLUMNS):])))


# --- many points at once ----------------------------------------------------------


class GridIndex:
    """Every grid geometry in one shapely STRtree, in code order (index i = i-th lowest code)."""

    def __init__(self, ids, geometries):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.tree = shapely.STRtree(geometries)

    @classmethod
    def from_database(cls):
        # WKB straight from the database: no GEOS objects on Django's side.
        rows = list(Grid.objects.order_by("code").values_list("id", AsWKB("geom")))
        ids = [pk for pk, _wkb in rows]
        geometries = shapely.from_wkb([bytes(wkb) for _pk, wkb in rows])
        return cls(ids, geometries)

    def locate(self, lons, lats):
        """Grid id per point, -1 outside every grid; ties go to the lowest code, as in `locate`."""
        points = shapely.points(lons, lats)
        point_idx, tree_idx = self.tree.query(points, predicate="intersects")
        best = np.full(len(points), len(self.ids), dtype=np.int64)
        # Trees index grids in code order, so the smallest index is the lowest code.
        np.minimum.at(best, point_idx, tree_idx)
        found = best < len(self.ids)
        result = np.full(len(points), -1, dtype=np.int64)
        result[found] = self.ids[best[found]]
        return result


_cache_lock = threading.Lock()
_cache = {"signature": None, "index": None}


class _VertexCount(Func):
    function = "ST_NPoints"  # same name on PostGIS and SpatiaLite
    output_field = IntegerField()


class _PlanarArea(Func):
    function = "ST_Area"  # planar, in square degrees, on both engines: a fingerprint, not a measure
    output_field = FloatField()


def grids_signature():
    """A cheap fingerprint of the grid table, to know when the cached tree is stale.

    One aggregate query over ~1,500 rows. It changes when grids are added,
    removed or replaced (count and ids), recoded (sum of codes as numbers) or
    reshaped (vertex counts, and areas weighted by id: moving a border shared by
    two grids keeps their total area but not the weighted sum).
    """
    return tuple(
        Grid.objects.aggregate(
            n=Count("id"),
            max_id=Max("id"),
            sum_id=Sum("id"),
            codes=Sum(Cast("code", BigIntegerField())),
            vertices=Sum(_VertexCount("geom")),
            weighted_area=Sum(_PlanarArea("geom") * F("id"), output_field=FloatField()),
        ).values()
    )


def grid_index():
    """The process's GridIndex, rebuilt when the grid table changed since it was built."""
    signature = grids_signature()
    with _cache_lock:
        if _cache["signature"] != signature:
            _cache["index"] = GridIndex.from_database()
            _cache["signature"] = signature
        return _cache["index"]


def locate_many(points):
    """Grid id for each (lon, lat) point, None outside the district: 100,000 points in one tree query.

    Same answers as `locate`, shared borders included (lowest code wins).
    Points must be numeric; a NaN coordinate is simply outside.
    """
    coords = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(coords) == 0:
        return []
    ids = grid_index().locate(coords[:, 0], coords[:, 1])
    return [None if pk < 0 else pk for pk in ids.tolist()]
