"""Where is this point: point -> grid -> village/community -> sub-district -> branch.

A point on a border shared by several grids (an edge or a vertex) belongs to
all of them under `intersects` (boundary-inclusive); we answer the one with the
lowest code so the answer is one grid, and the same grid on PostGIS, SpatiaLite
and in `locate_many`.
"""

import math
import threading
from dataclasses import dataclass
from numbers import Real

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import Point
from django.db.models import BigIntegerField, Count, F, FloatField, Func, IntegerField, Max, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from apps.areas.spatial import spatial_prefilter
from apps.areas.models import SRID, Grid


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


def locate(lon, lat):
    """The Location of a point, in one query; OutsideDistrict when no grid holds it."""
    lon, lat = check_coordinate("lon", lon), check_coordinate("lat", lat)
    point = Point(lon, lat, srid=SRID)
    grid = (
        spatial_prefilter(Grid.objects.all(), (lon, lat, lon, lat))
        .filter(geom__intersects=point)
        .select_related("community__subdistrict", "community__branch")
        .order_by("code")
        .first()
    )
    if grid is None:
        raise OutsideDistrict(lon, lat)
    community = grid.community
    # Reverse one-to-one: select_related cached "no branch" too, so this never
    # queries; its DoesNotExist is also an AttributeError.
    branch = getattr(community, "branch", None)
    return Location(grid=grid, community=community, subdistrict=community.subdistrict, branch=branch)


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
