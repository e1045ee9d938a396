"""Zoning's input: the compounds (`Site`), their checks, the district as arrays with its band graph, and
the lower bound on the largest zone. Pure: shapely geometries and numbers, no ORM.

`zoning.py` plans zones over a `District`; `zoning_report.py` judges any labelling of one.

Lower bound on the largest zone (`Report.lower_bound`): no zoning that keeps the hard rules can have
a smaller largest zone. It is the heaviest single compound, or, when larger, the smallest integer T
for which giving each component ceil(households / T) zones (at least one) fits in the zone count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class Site:
    """A compound to zone: `geom` is a shapely Polygon or MultiPolygon in metres (EPSG:4547)."""

    code: str
    community: str
    households: int
    geom: object


class ZoningError(ValueError):
    """Bad input or an impossible request; the message names the compound or community at fault."""

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = problems or []


# --- input ----------------------------------------------------------------------------------------

MAX_LISTED = 10


def fail(problems):
    """Raise one ZoningError listing the problems (each {compound?, community?, message})."""
    lines = [p["message"] for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"and {len(problems) - MAX_LISTED} more")
    raise ZoningError("; ".join(lines), problems)


def check_sites(sites):
    sites = list(sites)
    if not sites:
        raise ZoningError("no compounds to zone")
    problems = []
    seen = set()
    for site in sites:
        code, community = site.code, site.community
        if not isinstance(code, str) or not code:
            problems.append({"compound": None, "community": community, "message": f"a compound of community {community} has no code"})
            continue
        if code in seen:
            problems.append({"compound": code, "community": community, "message": f"compound {code} is given twice"})
        seen.add(code)
        if not isinstance(community, str) or not community:
            problems.append({"compound": code, "community": None, "message": f"compound {code} has no community"})
        households = site.households
        if isinstance(households, bool) or not isinstance(households, Integral) or households <= 0:
            problems.append({
                "compound": code, "community": community,
                "message": f"compound {code} (community {community}): households must be a whole number above 0, not {households!r}",
            })
    geoms = np.empty(len(sites), dtype=object)
    geoms[:] = [site.geom for site in sites]
    is_geom = np.array([isinstance(g, shapely.Geometry) for g in geoms])
    for i in np.flatnonzero(~is_geom):
        problems.append({"compound": sites[i].code, "community": sites[i].community, "message": f"compound {sites[i].code} has no geometry"})
    if is_geom.any():
        polygonal = np.zeros(len(sites), bool)
        polygonal[is_geom] = np.isin(shapely.get_type_id(geoms[is_geom]), (3, 6))  # Polygon, MultiPolygon
        for i in np.flatnonzero(is_geom & ~polygonal):
            problems.append({
                "compound": sites[i].code, "community": sites[i].community,
                "message": f"compound {sites[i].code} (community {sites[i].community}): geometry must be a polygon, not {geoms[i].geom_type}",
            })
        empty = np.zeros(len(sites), bool)
        empty[polygonal] = shapely.is_empty(geoms[polygonal])
        for i in np.flatnonzero(empty):
            problems.append({"compound": sites[i].code, "community": sites[i].community, "message": f"compound {sites[i].code} (community {sites[i].community}) has an empty geometry"})
        check = polygonal & ~empty
        invalid = np.zeros(len(sites), bool)
        invalid[check] = ~shapely.is_valid(geoms[check])
        for i in np.flatnonzero(invalid):
            problems.append({
                "compound": sites[i].code, "community": sites[i].community,
                "message": f"compound {sites[i].code} (community {sites[i].community}) has an invalid geometry: {shapely.is_valid_reason(geoms[i])}",
            })
    if problems:
        fail(problems)
    return sites, geoms


def check_band(band):
    if isinstance(band, bool) or not isinstance(band, (int, float)) or not math.isfinite(band) or band < 0:
        raise ZoningError(f"band must be a distance of 0 metres or more, not {band!r}")
    return float(band)


def check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ZoningError(f"{name} must be a whole number above 0, not {value!r}")
    return int(value)


# --- the district as arrays -----------------------------------------------------------------------


class District:
    """Sites as arrays, the band graph, and each community's components."""

    def __init__(self, sites, geoms, band):
        self.sites = sites
        self.n = len(sites)
        self.band = band
        self.codes = [s.code for s in sites]
        self.index = {code: i for i, code in enumerate(self.codes)}
        self.communities = sorted({s.community for s in sites})
        cindex = {c: i for i, c in enumerate(self.communities)}
        self.community_of = np.array([cindex[s.community] for s in sites], dtype=np.int64)
        self.households = np.array([int(s.households) for s in sites], dtype=np.int64)
        centroids = shapely.centroid(geoms)
        self.xy = shapely.get_coordinates(centroids).astype(float)
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="dwithin", distance=band)
        keep = left < right
        self.edges = (left[keep], right[keep])  # any community: for checking a given labelling
        inside = self.community_of[self.edges[0]] == self.community_of[self.edges[1]]
        self.inner = (self.edges[0][inside], self.edges[1][inside])

    def adjacency(self, edges):
        adj = [[] for _ in range(self.n)]
        for a, b in zip(edges[0].tolist(), edges[1].tolist()):
            adj[a].append(b)
            adj[b].append(a)
        return adj

    def components(self):
        """[(community index, member indices sorted)] of the community-internal band graph."""
        a, b = self.inner
        graph = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(self.n, self.n))
        count, label = connected_components(graph, directed=False)
        order = np.argsort(label, kind="stable")
        bounds = np.flatnonzero(np.diff(label[order])) + 1
        groups = np.split(order, bounds)
        return [(int(self.community_of[g[0]]), g) for g in groups]


# --- the lower bound on the largest zone ----------------------------------------------------------


def needed(totals, t):
    """Zones each component needs so that none holds more than `t` households (at least one each)."""
    return np.maximum(1, -(-totals // t))


def minimax_bound(totals, heaviest, zones):
    """Smallest integer T >= heaviest with sum(max(1, ceil(total / T))) <= zones; None when even one zone each is too many."""
    if len(totals) > zones:
        return None
    lo, hi = int(heaviest), max(int(heaviest), int(totals.max()))
    if needed(totals, lo).sum() <= zones:
        return lo
    while hi - lo > 1:  # needed(lo) > zones >= needed(hi)
        mid = (lo + hi) // 2
        if needed(totals, mid).sum() <= zones:
            hi = mid
        else:
            lo = mid
    return hi
