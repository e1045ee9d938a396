#!/usr/bin/env python
"""Zoning: plan_zones against PySAL spopt's regionalisation on the same compounds, graph and zone counts.

    .venv/bin/python bench/bench_zoning.py [--scales 1,10,100] [--budget 60]

No database: the compounds come straight from gis_data/district.gpkg (pyogrio), in EPSG:4547.
A scale of N tiles N translated copies of the sample's 644 compounds, 5 km apart, with fresh
community and compound codes, and asks for 281 x N zones.

Baselines, in the same run (bench/requirements.txt; never a runtime dependency): spopt's Ward
(sklearn AgglomerativeClustering with the graph as connectivity), Region-KMeans, SKATER and AZP, run
on each connected group of a community's compounds (the 200 m band graph, the same one plan_zones
uses) with the zone count plan_zones gave that group, clustering on households; Max-p with a
households floor searched by bisection for the total zone count. Groups whose count is 1 or their
number of compounds have one answer and are not sent to spopt. A baseline whose time at the
previous scale, times 10, passes --budget seconds is skipped at the next scale (and said so).
Figures: zones, load CV (population std / mean households), max/mean, max over the lower bound on
the largest zone, zones crossing a community, zones not connected, seconds; then plan_zones' CV
and time against the best spopt method. No assertions: figures, ratios and verdicts.
"""

import argparse
import math
import os
import signal
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import SAMPLE, verdict  # noqa: E402

from apps.compounds.zoning import plan_zones  # noqa: E402
from apps.compounds.zoning_district import Site  # noqa: E402
from apps.compounds.zoning_report import evaluate  # noqa: E402

BAND = 200.0
ZONES_PER_SAMPLE = 281
GOAL_SECONDS = {1: 0.5, 10: 2.0, 100: 15.0}


def read_sample():
    import pyogrio

    frame = pyogrio.read_dataframe(SAMPLE, layer="compounds").to_crs(4547)
    zones = dict(zip(frame.code, frame.zone_code))
    return frame, zones


def tiled_sites(frame, scale):
    """`scale` copies of the sample's compounds in a square of tiles, 5 km apart, fresh codes."""
    minx, miny, maxx, maxy = frame.total_bounds
    cols = int(np.ceil(np.sqrt(scale)))
    geoms = frame.geometry.values
    sites = []
    for i in range(scale):
        dx, dy = (i % cols) * (maxx - minx + 5000), (i // cols) * (maxy - miny + 5000)
        moved = shapely.transform(geoms, lambda xy, dx=dx, dy=dy: xy + (dx, dy)) if i else geoms
        prefix = f"{i:03d}" if scale > 1 else ""
        sites += [
            Site(f"{prefix}{code}", f"{prefix}{community}", int(h), g)
            for code, community, h, g in zip(frame.code, frame.community_code, frame.households, moved)
        ]
    return sites


def groups(sites):
    """Connected groups of each community's band graph: [member indices], and each group's neighbour lists."""
    geoms = np.array([s.geom for s in sites], dtype=object)
    community = np.array([s.community for s in sites])
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=BAND)
    keep = (left < right) & (community[left] == community[right])
    left, right = left[keep], right[keep]
    n = len(sites)
    _, label = connected_components(coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n)), directed=False)
    members = {}
    for i, g in enumerate(label):
        members.setdefault(g, []).append(i)
    neighbours = {i: [] for i in range(n)}
    for a, b in zip(left.tolist(), right.tolist()):
        neighbours[a].append(b)
        neighbours[b].append(a)
    return list(members.values()), neighbours


def spopt_problem(sites, idx, neighbours):
    import geopandas as gpd
    import libpysal

    local = {g: i for i, g in enumerate(idx)}
    frame = gpd.GeoDataFrame(
        {"households": [sites[g].households for g in idx]}, geometry=[sites[g].geom for g in idx], crs=4547
    )
    w = libpysal.weights.W({local[g]: [local[j] for j in neighbours[g]] for g in idx}, silence_warnings=True)
    return frame, w


class OverBudget(Exception):
    pass


class budget_alarm:
    """Interrupt a baseline that runs past its budget (one spopt call can take minutes)."""

    def __init__(self, seconds, what):
        self.seconds, self.what = seconds, what

    def _ring(self, signum, frame):
        raise OverBudget(f"{self.what}: stopped past the budget of {self.seconds:g} s")

    def __enter__(self):
        self.previous = signal.signal(signal.SIGALRM, self._ring)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)


def run_counted(method, sites, parts, neighbours, counts, budget):
    """Run one spopt method with a zone count per group; returns labels {code: zone}."""
    from spopt.region import AZP, RegionKMeansHeuristic, Skater, WardSpatial

    labels = {}
    started = time.perf_counter()
    for g, idx in enumerate(parts):
        if time.perf_counter() - started > budget:
            raise OverBudget(f"{method}: stopped past {budget:g} s, {g} of {len(parts)} groups done")
        k = counts[g]
        if k == 1 or k == len(idx):
            for n, i in enumerate(idx):
                labels[sites[i].code] = f"{g}:{0 if k == 1 else n}"
            continue
        frame, w = spopt_problem(sites, idx, neighbours)
        if method == "Ward":
            model = WardSpatial(frame, w, ["households"], n_clusters=k)
        elif method == "Region-KMeans":
            model = RegionKMeansHeuristic(frame[["households"]].values, k, w, seed=0)
        elif method == "SKATER":
            model = Skater(frame, w, ["households"], n_clusters=k)
        else:
            model = AZP(frame, w, ["households"], n_clusters=k, random_state=0)
        model.solve()
        for i, z in zip(idx, np.asarray(model.labels_).tolist()):
            labels[sites[i].code] = f"{g}:{int(z)}"
    return labels


def run_maxp(sites, parts, neighbours, floor, deadline):
    """Max-p with a households floor on each group; a group lighter than the floor is one zone."""
    from spopt.region import MaxPHeuristic

    labels = {}
    for g, idx in enumerate(parts):
        if time.perf_counter() > deadline:
            raise OverBudget(f"Max-p: stopped past the budget at floor {floor}, {g} of {len(parts)} groups done")
        total = sum(sites[i].households for i in idx)
        if len(idx) == 1 or total < 2 * floor:
            for i in idx:
                labels[sites[i].code] = f"{g}:0"
            continue
        frame, w = spopt_problem(sites, idx, neighbours)
        # spopt's defaults (99 construction, 10 annealing iterations) took 10-20 s on one 8-compound
        # group here; 10 and 3 keep the threshold search to about a minute.
        model = MaxPHeuristic(frame, w, ["households"], "households", floor, top_n=2,
                              max_iterations_construction=10, max_iterations_sa=3)
        model.solve()
        for i, z in zip(idx, list(model.labels_)):
            labels[sites[i].code] = f"{g}:{int(z)}"
    return labels


def search_maxp(sites, parts, neighbours, target, budget):
    """Bisect the floor for the zone count nearest the target; (labels, floor, seconds) or None past the budget."""
    started = time.perf_counter()
    lo, hi = 100, 700  # the mean zone holds about 330 households: the floor lies well inside
    best = None
    while hi - lo > 5:
        floor = (lo + hi) // 2
        try:
            labels = run_maxp(sites, parts, neighbours, floor, started + budget)
        except OverBudget:
            if best is None:
                raise
            break
        zones = len(set(labels.values()))
        if best is None or abs(zones - target) < abs(best[1] - target):
            best = (labels, zones, floor)
        if zones > target:
            lo = floor
        else:
            hi = floor
        if time.perf_counter() - started > budget:
            break
    return best[0], best[2], time.perf_counter() - started


def row(name, report, seconds):
    return {
        "method": name, "zones": report.zones, "cv": report.load_cv, "max_mean": report.max_over_mean,
        "max_bound": report.max_over_bound, "crossings": report.crossings, "disconnected": report.disconnected,
        "seconds": seconds,
    }


def print_table(rows):
    print(f"  {'method':<28}{'zones':>7}{'CV':>8}{'max/mean':>10}{'max/bound':>11}{'crossings':>11}{'disconn.':>10}{'seconds':>10}")
    for r in rows:
        secs = "-" if r["seconds"] is None else f"{r['seconds']:.3f}"
        print(f"  {r['method']:<28}{r['zones']:>7}{r['cv']:>8.3f}{r['max_mean']:>10.2f}{r['max_bound']:>11.3f}"
              f"{r['crossings']:>11}{r['disconnected']:>10}{secs:>10}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--budget", type=float, default=60.0, help="skip a baseline expected to take longer (seconds)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import spopt  # noqa: F401
    except ImportError:
        spopt = None
        print("spopt is not installed (pip install -r bench/requirements.txt): baselines skipped")
    frame, in_force = read_sample()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings on a shared machine)", flush=True)
    last_seconds = {}
    for scale in [int(s) for s in args.scales.split(",")]:
        sites = tiled_sites(frame, scale)
        target = ZONES_PER_SAMPLE * scale
        print(f"\nzoning {len(sites):,} compounds into {target:,} zones (band {BAND:g} m, scale {scale}x)", flush=True)
        started = time.perf_counter()
        plan = plan_zones(sites, target=target, band=BAND)
        ours_seconds = time.perf_counter() - started
        rows = [row("plan_zones", plan.report, ours_seconds)]
        if scale == 1:
            rows.append(row("zones in force (sample)", evaluate(sites, in_force, band=BAND, target=target), None))
        parts, neighbours = groups(sites)
        index = {s.code: i for i, s in enumerate(sites)}
        counts = [len({plan.labels[sites[i].code] for i in idx}) for idx in parts]
        skipped = []
        if spopt is not None:
            for method in ("Ward", "Region-KMeans", "SKATER", "AZP", "Max-p"):
                expected = last_seconds.get(method, 0) * 10
                if expected > args.budget:
                    skipped.append(f"{method}: {last_seconds[method]:.1f} s at the previous scale, about {expected:.0f} s expected here"
                                   if math.isfinite(expected) else f"{method}: over the budget at the previous scale")
                    last_seconds[method] = expected
                    continue
                started = time.perf_counter()
                try:
                    if method == "Max-p":
                        with budget_alarm(args.budget * 1.5, method):
                            labels, floor, seconds = search_maxp(sites, parts, neighbours, target, args.budget)
                        name = f"Max-p (floor {floor})"
                    else:
                        with budget_alarm(args.budget * 1.5, method):
                            labels = run_counted(method, sites, parts, neighbours, counts, args.budget)
                        seconds, name = time.perf_counter() - started, method
                except OverBudget as over:
                    skipped.append(str(over))
                    last_seconds[method] = math.inf
                    continue
                last_seconds[method] = seconds
                assert len(labels) == len(index)
                rows.append(row(f"spopt {name}", evaluate(sites, labels, band=BAND, target=target), seconds))
                print(f"  ... {rows[-1]['method']}: {seconds:.1f} s", flush=True)
        print_table(rows)
        for line in skipped:
            print(f"  skipped {line}")
        ours = rows[0]
        spopt_rows = [r for r in rows if r["method"].startswith("spopt")]
        report = plan.report
        if spopt_rows:
            best = min(spopt_rows, key=lambda r: r["cv"])
            print(f"  best spopt by CV: {best['method']}; plan_zones CV {ours['cv']:.3f} = {ours['cv'] / best['cv']:.2f}x its "
                  f"{best['cv']:.3f}, largest zone {ours['max_bound']:.3f}x the bound against {best['max_bound']:.3f}x, "
                  f"time {best['seconds'] / ours['seconds']:.0f}x faster")
            print(f"  goal CV <= 0.65x best spopt: {verdict(ours['cv'] <= 0.65 * best['cv'])}")
        goal = GOAL_SECONDS.get(scale)
        print(f"  goal 0 crossings, 0 disconnected: {verdict(report.crossings == 0 and report.disconnected == 0)}; "
              f"largest zone within 5% of the lower bound ({report.load_max} vs {report.lower_bound}): "
              f"{verdict(report.max_over_bound <= 1.05)}"
              + (f"; under {goal:g} s ({ours_seconds:.3f} s): {verdict(ours_seconds < goal)}" if goal else ""))


if __name__ == "__main__":
    main()
