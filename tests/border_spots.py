"""Points at a known distance from a border of the loaded sample district, found in metres (EPSG:4547).

Shared by the border-routing tests (tests/cases/test_borders*.py, tests/e2e). Each finder walks
the real grids, zones and the district outline with shapely and returns the first spot whose
surroundings are unambiguous: the border it is meant to be near at the asked depth, and every
other grid or zone edge farther than CLEAR metres, so a test's expectation has one reading.
"""

from dataclasses import dataclass

import shapely
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Point

from apps.areas.models import METRIC_SRID, District, Grid
from apps.compounds.models import Zone

CLEAR = 40.0  # metres: every other border is at least this far from a spot (GRIDGOV_BORDER_M is 30)


@dataclass
class Spot:
    lon: float
    lat: float
    grid: object  # the grid holding the point
    other: object  # the grid or zone across the border, or None
    depth: float


def _shapes(queryset):
    rows = queryset.annotate(metric=Transform("geom", METRIC_SRID)).defer("geom")
    return [(row, shapely.from_wkb(bytes(row.metric.wkb))) for row in rows]


def _lonlat(x, y):
    p = Point(x, y, srid=METRIC_SRID)
    p.transform(4326)
    return p.x, p.y


def _pieces(geometry):
    if geometry.is_empty:
        return []
    if geometry.geom_type == "LineString":
        return [geometry]
    if geometry.geom_type == "MultiLineString" or geometry.geom_type == "GeometryCollection":
        merged = shapely.line_merge(shapely.MultiLineString(
            [g for g in getattr(geometry, "geoms", []) if g.geom_type == "LineString"]))
        return list(getattr(merged, "geoms", [merged]))
    return []


def _offsets(line, depth, step=60.0):
    """Points `depth` metres off both sides of `line`, every `step` metres along it (away from its ends)."""
    length = line.length
    at = depth + 20.0
    while at < length - depth - 20.0:
        a, b = line.interpolate(at - 1.0), line.interpolate(at + 1.0)
        dx, dy = b.x - a.x, b.y - a.y
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        m = line.interpolate(at)
        for sign in (1, -1):
            yield shapely.Point(m.x - sign * dy / norm * depth, m.y + sign * dx / norm * depth)
        at += step


class Spots:
    """The sample district's areas in metres, loaded once per test that asks."""

    def __init__(self):
        self.grids = _shapes(Grid.objects.select_related("community").order_by("code"))
        self.grid_tree = shapely.STRtree([s for _g, s in self.grids])
        self.zones = _shapes(Zone.objects.order_by("code"))
        self.zone_edges = shapely.STRtree([s.boundary for _z, s in self.zones])

    def _clear(self, p, *, grids_but=(), zones_but=()):
        """True when every grid other than `grids_but` and every zone edge other than `zones_but` is > CLEAR away."""
        for i in self.grid_tree.query(p.buffer(CLEAR)):
            grid, shape = self.grids[i]
            if grid.pk not in grids_but and shape.distance(p) <= CLEAR:
                return False
        for i in self.zone_edges.query(p.buffer(CLEAR)):
            zone, shape = self.zones[i]
            if zone.pk not in zones_but and shape.boundary.distance(p) <= CLEAR:
                return False
        return True

    def grid_border(self, depth, across="grid", exclude=()):
        """A point `depth` m inside a grid from its border with a neighbour; `across`: "grid" (same
        community), "community" (same sub-district) or "subdistrict". No zone edge within CLEAR."""
        for grid, shape in self.grids:
            if grid.pk in exclude:
                continue
            for j in self.grid_tree.query(shape, predicate="intersects"):
                other, other_shape = self.grids[j]
                if other.pk == grid.pk:
                    continue
                same_community = other.community_id == grid.community_id
                same_subdistrict = other.community.subdistrict_id == grid.community.subdistrict_id
                kind = "grid" if same_community else "community" if same_subdistrict else "subdistrict"
                if kind != across:
                    continue
                for line in _pieces(shape.boundary.intersection(other_shape.boundary)):
                    for p in _offsets(line, depth):
                        if not shape.contains(p) or shape.boundary.distance(p) < depth - 0.5:
                            continue
                        if abs(other_shape.distance(p) - depth) > 0.5:
                            continue
                        if depth <= CLEAR and not self._clear(p, grids_but=(grid.pk, other.pk)):
                            continue
                        if depth > CLEAR and not self._clear(p, grids_but=(grid.pk,)):
                            continue
                        return Spot(*_lonlat(p.x, p.y), grid=grid, other=other, depth=depth)
        raise LookupError(f"no grid border spot at {depth} m across {across}")

    def district_edge(self, depth):
        """A point `depth` m inside the district's outer edge, every other border farther than CLEAR."""
        district = District.objects.annotate(metric=Transform("geom", METRIC_SRID)).defer("geom").get()
        outline = shapely.from_wkb(bytes(district.metric.wkb)).boundary
        for grid, shape in self.grids:
            for line in _pieces(shape.boundary.intersection(outline)):
                for p in _offsets(line, depth):
                    if shape.contains(p) and self._clear(p, grids_but=(grid.pk,)):
                        return Spot(*_lonlat(p.x, p.y), grid=grid, other=None, depth=depth)
        raise LookupError("no spot near the district's edge")

    def zone_edge(self, depth, inside=True):
        """A point `depth` m inside (or outside) a zone's edge, in one grid, every other border beyond CLEAR."""
        for zone, shape in self.zones:
            for polygon in getattr(shape, "geoms", [shape]):
                for p in _offsets(polygon.exterior, depth, step=25.0):
                    if shape.contains(p) != inside or abs(shape.boundary.distance(p) - depth) > 0.5:
                        continue
                    holders = [self.grids[i] for i in self.grid_tree.query(p, predicate="within")]
                    if len(holders) != 1 or holders[0][0].community_id != zone.community_id:
                        continue
                    if self._clear(p, grids_but=(holders[0][0].pk,), zones_but=(zone.pk,)):
                        return Spot(*_lonlat(p.x, p.y), grid=holders[0][0], other=zone, depth=depth)
        raise LookupError("no zone edge spot")
