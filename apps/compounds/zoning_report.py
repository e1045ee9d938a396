"""The quality report of a zoning: any labelling of the compounds, a plan's or the zones in force.

Pure: shapely geometries and numbers, no ORM. The hard rules and the lower bound are described in
`zoning.py` and `zoning_district.py`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from apps.compounds.zoning_district import District, check_band, check_positive_int, check_sites, fail, minimax_bound


@dataclass(frozen=True)
class Report:
    """The quality of a zoning (a plan or any labelling); `as_dict()` is JSON-safe."""

    zones: int
    compounds: int
    crossings: int
    disconnected: int
    unassigned: int
    empty: int
    load_min: int | None
    load_max: int | None
    load_mean: float | None
    load_cv: float | None  # population standard deviation / mean of the zones' households
    max_over_mean: float | None
    lower_bound: int | None
    max_over_bound: float | None
    mean_radius_m: float | None  # mean over zones of the farthest compound centroid from the zone's centre
    target: int | None
    band_m: float
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not (self.crossings or self.disconnected or self.unassigned or self.empty)

    def as_dict(self):
        return asdict(self)


def evaluate(sites, labels, *, band=200.0, target=None, counts=None, zones=None):
    """The quality report of any labelling {compound code: zone key} of the sites.

    target (or counts, zones per community) is the zone count the lower bound is computed for; by
    default the number of zones in the labelling. zones, {zone key: community code}, names zones that
    should exist, so those left without compounds are reported ("empty").
    """
    band = check_band(band)
    sites, geoms = check_sites(sites)
    district = District(sites, geoms, band)
    unknown = sorted(set(labels) - set(district.index))
    if unknown:
        fail([{"compound": code, "community": None, "message": f"compound {code} is labelled but is not among the compounds"} for code in unknown])
    by_community = {}
    for c, members in district.components():
        by_community.setdefault(c, []).append(members)
    labelled = {labels[code] for code in labels if labels[code] not in (None, "")}
    if counts is not None:
        counts = {code: int(k) for code, k in counts.items()}
        bound = 0
        for c, comps in by_community.items():
            k = counts.get(district.communities[c])
            b = None if k is None else minimax_bound(
                np.array([district.households[m].sum() for m in comps]), int(max(district.households[m].max() for m in comps)), k
            )
            if b is None:
                bound = None
                break
            bound = max(bound, b)
        target = sum(counts.values())
    else:
        target = len(labelled | set(zones or ())) if target is None else check_positive_int("target", target)
        totals = np.array([district.households[m].sum() for comps in by_community.values() for m in comps], dtype=np.int64)
        bound = minimax_bound(totals, int(district.households.max()), target)
    return report_of(district, labels, bound=bound, target=target, zones=zones)


def report_of(district, labels, *, bound, target, zones=None):
    # Every band edge counts (a crossing zone is judged on its own): a zone is connected when the
    # edges inside it join its compounds into one group; only zones that fail are walked in Python.
    keys = sorted({labels.get(code) for code in district.codes} - {None, ""})
    number = {key: n for n, key in enumerate(keys)}
    zone_of = np.array([number.get(labels.get(code), -1) for code in district.codes], dtype=np.int64)
    a, b = district.edges
    same = (zone_of[a] == zone_of[b]) & (zone_of[a] >= 0)
    _, group = connected_components(coo_matrix((np.ones(int(same.sum())), (a[same], b[same])), shape=(district.n, district.n)), directed=False)
    labelled = zone_of >= 0
    pairs = np.unique(np.stack([zone_of[labelled], group[labelled]]), axis=1)
    split = set(np.flatnonzero(np.bincount(pairs[0], minlength=len(keys)) > 1).tolist())
    adjacency = district.adjacency(district.edges) if split else None
    members = {}
    problems = []
    for i, code in enumerate(district.codes):
        key = labels.get(code)
        if key in (None, ""):
            community = district.communities[district.community_of[i]]
            problems.append({"rule": "unassigned", "zone": None, "community": community, "compound": code,
                             "message": f"compound {code} (community {community}) is in no zone"})
            continue
        members.setdefault(key, []).append(i)
    unassigned = len(problems)
    crossings = disconnected = 0
    loads, radii = [], []
    for key in sorted(members):
        idx = members[key]
        communities = sorted({district.communities[district.community_of[i]] for i in idx})
        if len(communities) > 1:
            crossings += 1
            problems.append({"rule": "crossing", "zone": key, "community": communities[0], "compound": None,
                             "message": f"zone {key} crosses communities {', '.join(communities)}"})
        groups = _groups(idx, adjacency) if number[key] in split else [idx]
        if len(groups) > 1:
            disconnected += 1
            described = " | ".join(", ".join(sorted(district.codes[i] for i in g)) for g in groups)
            problems.append({"rule": "disconnected", "zone": key, "community": communities[0], "compound": None,
                             "message": f"zone {key} falls into {len(groups)} groups more than {district.band:g} m apart: {described}"})
        h = district.households[idx]
        loads.append(int(h.sum()))
        xy = district.xy[idx]
        centre = (xy * h[:, None]).sum(axis=0) / h.sum()
        radii.append(float(np.sqrt(((xy - centre) ** 2).sum(axis=1)).max()))
    empty = 0
    for key, community in sorted((zones or {}).items()):
        if key not in members:
            empty += 1
            loads.append(0)
            problems.append({"rule": "empty", "zone": key, "community": community, "compound": None,
                             "message": f"zone {key} (community {community}) has no compounds"})
    if loads:
        arr = np.array(loads, dtype=float)
        mean = float(arr.mean())
        cv = float(arr.std() / mean) if mean else None
        load_max = int(arr.max())
        stats = dict(load_min=int(arr.min()), load_max=load_max, load_mean=mean, load_cv=cv,
                     max_over_mean=load_max / mean if mean else None)
    else:
        load_max = None
        stats = dict(load_min=None, load_max=None, load_mean=None, load_cv=None, max_over_mean=None)
    return Report(
        zones=len(members) + empty,
        compounds=district.n,
        crossings=crossings,
        disconnected=disconnected,
        unassigned=unassigned,
        empty=empty,
        **stats,
        lower_bound=bound,
        max_over_bound=(load_max / bound) if (bound and load_max is not None) else None,
        mean_radius_m=float(np.mean(radii)) if radii else None,
        target=target,
        band_m=district.band,
        problems=problems,
    )


def _groups(idx, adjacency):
    """The connected groups of the compounds idx in the band graph."""
    nodes = set(idx)
    groups = []
    while nodes:
        start = nodes.pop()
        group = [start]
        stack = [start]
        while stack:
            for j in adjacency[stack.pop()]:
                if j in nodes:
                    nodes.discard(j)
                    group.append(j)
                    stack.append(j)
        groups.append(group)
    return groups
