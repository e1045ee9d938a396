#!/usr/bin/env python
"""Assignment: assign_cadres against an exact cadre-level LP (scipy HiGHS) and a greedy baseline.

    .venv/bin/python bench/bench_assignment.py [--scales 1,10] [--budget 60]

No database: work units (with their office points), cadres and zones come straight from
gis_data/district.gpkg, in EPSG:4547; a zone sits at its centroid. A scale of N tiles N translated
copies of the district (its units, cadres and zones, fresh codes) 5 km apart.

Rows, in the same run: assign_cadres with the default rules (5 a zone, at most 2 of a department,
the head from the zone's own office) solving only, then with compare (the greedy baseline, each
rule's cost, the dual certificate), then with minimax; the same units x zones problem solved by
scipy's HiGHS LP (why OR-tools was chosen); the full problem with one variable per cadre and zone
by HiGHS (the exact optimum the gap is measured against; skipped where it would pass --budget);
the greedy baseline (each cadre in code order to the nearest zone with room, heads first); the
assignment in force in the sample file. No assertions: figures, ratios and verdicts.
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import SAMPLE, verdict  # noqa: E402

from apps.compounds import assignment  # noqa: E402
from apps.compounds.assignment import Unit, ZoneSlot, assign_cadres  # noqa: E402

GOAL_SECONDS = {1: 0.2, 10: 10.0}
RULES = dict(per_zone=5, max_per_department=2, head_from_office=True)


def read_sample():
    import pyogrio

    departments = pyogrio.read_dataframe(SAMPLE, layer="departments")
    if "geometry" not in departments or departments.geometry.isna().any():
        sys.exit(f"{SAMPLE.name}: the departments layer carries no office points; regenerate the sample (gis_data/generate.py)")
    departments = departments.to_crs(4547)
    cadres = pyogrio.read_dataframe(SAMPLE, layer="cadres")
    zones = pyogrio.read_dataframe(SAMPLE, layer="zones").to_crs(4547)
    return departments, cadres, zones


def tiled(departments, cadres, zones, scale):
    centres = zones.geometry.centroid
    width = float(max(departments.geometry.x.max(), centres.x.max()) - min(departments.geometry.x.min(), centres.x.min())) + 5000
    height = float(max(departments.geometry.y.max(), centres.y.max()) - min(departments.geometry.y.min(), centres.y.min())) + 5000
    cols = int(np.ceil(np.sqrt(scale)))
    by_unit = cadres.groupby("department_code").code.apply(lambda s: sorted(s)).to_dict()
    units, slots, current = [], [], {}
    for i in range(scale):
        dx, dy = (i % cols) * width, (i // cols) * height
        p = f"{i:03d}-" if scale > 1 else ""
        units += [
            Unit(p + d.code, d.geometry.x + dx, d.geometry.y + dy, tuple(p + c for c in by_unit.get(d.code, ())),
                 office_of=(p + d.subdistrict_code) if d.subdistrict_code else None)
            for d in departments.itertuples()
        ]
        slots += [ZoneSlot(p + z.code, c.x + dx, c.y + dy, p + z.community_code[:9]) for z, c in zip(zones.itertuples(), centres)]
        current.update({p + c: p + z for c, z in zip(cadres.code, cadres.zone_code)})
    return units, slots, current


def distance_total(units, slots, members):
    where = {c: (u.x, u.y) for u in units for c in u.cadres}
    at = {z.code: (z.x, z.y) for z in slots}
    lengths = [math.dist(where[c], at[z]) for z, cs in members.items() for c in cs]
    return sum(lengths), max(lengths)


def unit_lp(units, slots, *, per_zone, max_per_department, head_from_office):
    """The units x zones problem by HiGHS (the head fixed to each zone's office, as assign_cadres does)."""
    problem = assignment._Problem(sorted(units, key=lambda u: u.code), sorted(slots, key=lambda z: z.code),
                                  per_zone=per_zone, max_per_department=max_per_department, head_from_office=head_from_office)
    nu, nz = problem.dist.shape
    n = nu * nz
    cols = np.arange(n)
    supply = coo_matrix((np.ones(n), (np.repeat(np.arange(nu), nz), cols)), shape=(nu, n))
    demand = coo_matrix((np.ones(n), (np.tile(np.arange(nz), nu), cols)), shape=(nz, n))
    result = linprog(problem.dist.ravel(), A_ub=supply.tocsr(), b_ub=problem.supply, A_eq=demand.tocsr(), b_eq=problem.demand,
                     bounds=np.c_[np.zeros(n), problem.cap.ravel()], method="highs")
    return result.fun + problem.head_m


def cadre_lp(units, slots, *, per_zone, max_per_department, head_from_office):
    """The full problem: x[c, z] for every cadre and zone, h[c, z] for office cadres and their zones."""
    cadres = [(c, u) for u in units for c in u.cadres]
    unit_index = {u.code: i for i, u in enumerate(units)}
    office = {u.office_of: unit_index[u.code] for u in units if u.office_of}
    cxy = np.array([(u.x, u.y) for _, u in cadres])
    zxy = np.array([(z.x, z.y) for z in slots])
    nc, nz, nu = len(cadres), len(slots), len(units)
    dist = np.hypot(cxy[:, None, 0] - zxy[None, :, 0], cxy[:, None, 1] - zxy[None, :, 1]).ravel()
    c_of = np.repeat(np.arange(nc), nz)
    z_of = np.tile(np.arange(nz), nc)
    u_of = np.array([unit_index[u.code] for _, u in cadres])[c_of]
    heads = np.flatnonzero(np.array([office.get(z.subdistrict, -1) for z in slots])[z_of] == u_of) if head_from_office else np.array([], int)
    nx, nh = len(dist), len(heads)
    cost = np.concatenate([dist, dist[heads]])
    var_c = np.concatenate([c_of, c_of[heads]])
    var_z = np.concatenate([z_of, z_of[heads]])
    var_u = np.concatenate([u_of, u_of[heads]])
    cols = np.arange(nx + nh)
    ub_rows = [coo_matrix((np.ones(nx + nh), (var_c, cols)), shape=(nc, nx + nh))]  # a cadre at most once
    b_ub = [np.ones(nc)]
    if max_per_department is not None:
        ub_rows.append(coo_matrix((np.ones(nx + nh), (var_u * nz + var_z, cols)), shape=(nu * nz, nx + nh)))
        b_ub.append(np.full(nu * nz, max_per_department))
    eq_rows = [coo_matrix((np.ones(nx + nh), (var_z, cols)), shape=(nz, nx + nh))]  # per_zone a zone
    b_eq = [np.full(nz, per_zone)]
    if head_from_office:
        eq_rows.append(coo_matrix((np.ones(nh), (var_z[nx:], cols[nx:])), shape=(nz, nx + nh)))  # one head a zone
        b_eq.append(np.ones(nz))
    from scipy.sparse import vstack

    result = linprog(cost, A_ub=vstack(ub_rows).tocsr(), b_ub=np.concatenate(b_ub), A_eq=vstack(eq_rows).tocsr(),
                     b_eq=np.concatenate(b_eq), bounds=(0, 1), method="highs")
    fractional = float(np.abs(result.x - np.round(result.x)).max())
    return result.fun, fractional, nx + nh


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--budget", type=float, default=60.0, help="skip the cadre-level LP when expected to take longer (seconds)")
    args = parser.parse_args()
    departments, cadres, zones = read_sample()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings on a shared machine)", flush=True)
    lp_seconds = None
    for scale in [int(s) for s in args.scales.split(",")]:
        units, slots, current = tiled(departments, cadres, zones, scale)
        n_cadres = sum(len(u.cadres) for u in units)
        print(f"\nassigning {n_cadres:,} cadres of {len(units)} units to {len(slots):,} zones (scale {scale}x; 5 a zone, "
              f"at most 2 of a department, the head from the zone's office)")
        solo, solo_s = timed(lambda: assign_cadres(units, slots, current=current, compare=False, **RULES))
        full, full_s = timed(lambda: assign_cadres(units, slots, current=current, compare=True, **RULES))
        mm, mm_s = timed(lambda: assign_cadres(units, slots, current=current, compare=True, minimax=True, **RULES))
        total = full.report["total_m"]
        rows = [
            ("assign_cadres (solve only)", solo.report["total_m"], solo.report["max_m"], solo_s),
            ("assign_cadres (with compare)", total, full.report["max_m"], full_s),
            ("assign_cadres minimax", mm.report["total_m"], mm.report["max_m"], mm_s),
        ]
        unit_total, unit_s = timed(lambda: unit_lp(units, slots, **RULES))
        rows.append(("HiGHS LP units x zones", unit_total, None, unit_s))
        exact = None
        expected = None if lp_seconds is None else lp_seconds * scale * scale
        if expected is not None and expected > args.budget:
            skipped = f"cadre-level LP: {lp_seconds:.1f} s at 1x and {scale * scale}x the variables here, about {expected:.0f} s expected"
        else:
            skipped = None
            (exact, fractional, variables), exact_s = timed(lambda: cadre_lp(units, slots, **RULES))
            lp_seconds = exact_s if scale == 1 else lp_seconds
            rows.append((f"HiGHS LP cadres x zones ({variables:,} vars)", exact, None, exact_s))
        problem = assignment._Problem(sorted(units, key=lambda u: u.code), sorted(slots, key=lambda z: z.code), **RULES)
        (greedy, breaches), greedy_s = timed(lambda: assignment._greedy_total(problem))
        rows.append(("greedy (nearest zone with room)", greedy, None, greedy_s))
        in_force = {}
        for c, z in current.items():
            in_force.setdefault(z, []).append(c)
        force_total, force_max = distance_total(units, slots, in_force)
        rows.append(("assignment in force (sample)", force_total, force_max, None))
        print(f"  {'method':<40}{'total km':>11}{'mean m':>9}{'max m':>9}{'vs optimum':>12}{'seconds':>10}")
        for name, value, longest, seconds in rows:
            print(f"  {name:<40}{value / 1000:>11.1f}{value / n_cadres:>9.0f}{'-' if longest is None else f'{longest:.0f}':>9}"
                  f"{value / total:>12.4f}{'-' if seconds is None else f'{seconds:.3f}':>10}")
        if skipped:
            print(f"  skipped {skipped}")
        r = full.report
        costs = ", ".join(f"{k} {v / 1000:.1f} km ({v / total:.1%})" for k, v in r["rule_costs"].items() if v is not None)
        print(f"  rule costs (total with the rule minus without it): {costs}; minimax: longest {mm.report['max_m']:.0f} m "
              f"instead of {r['max_m']:.0f} m for {mm.report['rule_costs']['minimax'] / 1000:.1f} km more")
        print(f"  greedy is {greedy / total - 1:.1%} longer in total ({breaches} cadres placed against the department rule); "
              f"OR-tools {unit_s / solo_s:.0f}x faster than HiGHS on the same units x zones problem; "
              f"kept in their zone: {r['kept']:,} of {n_cadres:,}")
        gap = None if exact is None else (total - exact) / exact
        print(f"  dual certificate gap {r['gap']:.2e}" + ("" if gap is None else f"; gap against the cadre-level LP {gap:.2e} "
              f"(LP solution integral to {fractional:.0e})"))
        goal = GOAL_SECONDS.get(scale)
        if gap is not None:
            print(f"  goal optimal (gap 0 against the exact cadre-level optimum): {verdict(abs(gap) < 1e-6)}")
        if goal:
            print(f"  goal under {goal:g} s: solve only {solo_s:.3f} s {verdict(solo_s < goal)}, "
                  f"with compare {full_s:.3f} s {verdict(full_s < goal)}")


if __name__ == "__main__":
    main()
