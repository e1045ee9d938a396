"""Assignment: cadres sent down (下沉干部) -> zones (片区), as close to their work unit as the district allows.

Pure: plain numbers in, plain dicts out (no ORM). Distances are straight lines in metres (EPSG:4547).

The problem as posed: every zone gets exactly `per_zone` cadres; a cadre works from their unit's
office point; minimise the total distance. Rules, each switchable:
- max_per_department: at most N cadres of one unit (department or sub-district office) in a zone;
- head_from_office: one of a zone's cadres is its head (片区长), from its own sub-district office;
- minimax: first make the longest distance as short as possible, then minimise the total under it.

Cadres of one unit sit at the same point and are interchangeable, so the problem is a
transportation problem on units x zones (52 x 281 for the sample district, instead of 1,405 x 281),
solved exactly as a min-cost flow (OR-tools' SimpleMinCostFlow: 5 ms for the sample district, where
scipy's HiGHS LP took 60 ms, and 1 s against 11-38 s at ten times the size, all arcs). The head rule
fixes each zone's head to its own office, so it becomes a constant: one cadre of the office per
zone, taken off the office's supply and the zone's demand (and the office may send one fewer
ordinary cadre there under max_per_department).

1. Solve on candidate arcs (each zone's nearest units, each unit's nearest zones), then price every
   other arc with the potentials of the residual graph and add those that would pay, until none
   does: the answer is optimal for the full problem, and the potentials give an LP dual bound over
   all arcs (`report["lower_bound_m"]`), so `gap` is a certificate, not an estimate.
2. minimax: binary search over the distances for the smallest threshold with a feasible max flow,
   then step 1 on the arcs under it.
3. Name the cadres: a unit's share of each zone goes first to its cadres already there (`current`),
   then in code order; the head is the zone's head in force when still there.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow


@dataclass(frozen=True)
class Unit:
    """A work unit: a district department, or the office of the sub-district `office_of`."""

    code: str
    x: float
    y: float
    cadres: tuple[str, ...]
    office_of: str | None = None


@dataclass(frozen=True)
class ZoneSlot:
    code: str
    x: float
    y: float
    subdistrict: str


class AssignmentError(ValueError):
    """Bad input or rules that cannot all be met; the message names the unit and zone at fault."""

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Assignment:
    members: dict  # zone code -> tuple of cadre codes (exactly per_zone)
    heads: dict  # zone code -> cadre code
    report: dict
    spare: tuple = field(default=())  # cadres not needed (more cadres than zones x per_zone)


MM = 1000  # costs to the flow solver: integer millimetres
ALL_ARCS = 250_000  # up to this many units x zones, solve on every arc at once
PRICED_PER_ZONE = 10  # arcs added a zone in a pricing round
CANDIDATES = 1.0  # scales how many nearest arcs start the pricing rounds (tests force 0: one a node)
MAX_LISTED = 10


def _fail(problems):
    lines = [p["message"] for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"and {len(problems) - MAX_LISTED} more")
    raise AssignmentError("; ".join(lines), problems)


# --- the problem as arrays ------------------------------------------------------------------------


class _Problem:
    """Units x zones with supplies, demands, capacities and distances, for one set of rules."""

    def __init__(self, units, zones, *, per_zone, max_per_department, head_from_office):
        self.units, self.zones = units, zones
        self.per_zone = per_zone
        self.max_per_department = max_per_department
        self.head_from_office = head_from_office
        nu, nz = len(units), len(zones)
        uxy = np.array([(u.x, u.y) for u in units], dtype=float)
        zxy = np.array([(z.x, z.y) for z in zones], dtype=float)
        self.dist = np.hypot(uxy[:, None, 0] - zxy[None, :, 0], uxy[:, None, 1] - zxy[None, :, 1])
        self.cost = np.rint(self.dist * MM).astype(np.int64)
        self.supply = np.array([len(u.cadres) for u in units], dtype=np.int64)
        self.demand = np.full(nz, per_zone, dtype=np.int64)
        limit = per_zone if max_per_department is None else min(per_zone, max_per_department)
        self.cap = np.full((nu, nz), limit, dtype=np.int64)
        office = {u.office_of: i for i, u in enumerate(units) if u.office_of is not None}
        self.office = np.array([office.get(z.subdistrict, -1) for z in zones], dtype=np.int64)
        self.head_m = 0.0
        self.head_max_m = 0.0
        if head_from_office:
            # Each zone's head is fixed to its own office: a constant cost and one place fewer.
            cols = np.arange(nz)
            self.demand -= 1
            np.subtract.at(self.supply, self.office, 1)
            self.cap[self.office, cols] = np.minimum(self.cap[self.office, cols], limit - 1 if max_per_department is not None else per_zone - 1)
            head_d = self.dist[self.office, cols]
            self.head_m = float(head_d.sum())
            self.head_max_m = float(head_d.max())
        self.needed = int(self.demand.sum())


def _check(units, zones, per_zone, max_per_department, head_from_office):
    units, zones = list(units), list(zones)
    if isinstance(per_zone, bool) or not isinstance(per_zone, Integral) or per_zone <= 0:
        raise AssignmentError(f"per_zone must be a whole number above 0, not {per_zone!r}")
    if max_per_department is not None and (
        isinstance(max_per_department, bool) or not isinstance(max_per_department, Integral) or max_per_department <= 0
    ):
        raise AssignmentError(f"max_per_department must be a whole number above 0 or None, not {max_per_department!r}")
    if not zones:
        raise AssignmentError("no zones to assign cadres to")
    if not units:
        raise AssignmentError("no work units with cadres")
    problems = []

    def bad_point(x, y):
        return not all(isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y))

    seen_units, seen_cadres, offices = set(), {}, {}
    for u in units:
        if not isinstance(u.code, str) or not u.code:
            problems.append({"unit": None, "zone": None, "cadre": None, "message": "a work unit has no code"})
            continue
        if u.code in seen_units:
            problems.append({"unit": u.code, "zone": None, "cadre": None, "message": f"work unit {u.code} is given twice"})
        seen_units.add(u.code)
        if bad_point(u.x, u.y):
            problems.append({"unit": u.code, "zone": None, "cadre": None, "message": f"work unit {u.code} has no office point (x={u.x!r}, y={u.y!r})"})
        for cadre in u.cadres:
            if not isinstance(cadre, str) or not cadre:
                problems.append({"unit": u.code, "zone": None, "cadre": None, "message": f"work unit {u.code} has a cadre with no code"})
            elif cadre in seen_cadres:
                problems.append({"unit": u.code, "zone": None, "cadre": cadre,
                                 "message": f"cadre {cadre} is listed under both {seen_cadres[cadre]} and {u.code}"})
            else:
                seen_cadres[cadre] = u.code
        if u.office_of is not None:
            if u.office_of in offices:
                problems.append({"unit": u.code, "zone": None, "cadre": None,
                                 "message": f"sub-district {u.office_of} has two offices: {offices[u.office_of]} and {u.code}"})
            offices[u.office_of] = u.code
    seen_zones = set()
    for z in zones:
        if not isinstance(z.code, str) or not z.code:
            problems.append({"unit": None, "zone": None, "cadre": None, "message": "a zone has no code"})
            continue
        if z.code in seen_zones:
            problems.append({"unit": None, "zone": z.code, "cadre": None, "message": f"zone {z.code} is given twice"})
        seen_zones.add(z.code)
        if bad_point(z.x, z.y):
            problems.append({"unit": None, "zone": z.code, "cadre": None, "message": f"zone {z.code} has no centre point (x={z.x!r}, y={z.y!r})"})
        if head_from_office and z.subdistrict not in offices:
            problems.append({"unit": None, "zone": z.code, "cadre": None,
                             "message": f"zone {z.code} needs a head from the office of sub-district {z.subdistrict}, and no work unit is that office"})
    if problems:
        _fail(problems)
    # Code order, so that the answer (ties included) never depends on the order given.
    return sorted(units, key=lambda u: u.code), sorted(zones, key=lambda z: z.code)


def _check_capacity(problem):
    """Name the first shortfall a reader can act on, before solving."""
    units, zones, per_zone = problem.units, problem.zones, problem.per_zone
    total = sum(len(u.cadres) for u in units)
    if total < len(zones) * per_zone:
        raise AssignmentError(
            f"fewer cadres than zones x per_zone: {total} cadres for {len(zones)} zones x {per_zone} = {len(zones) * per_zone}"
        )
    if problem.head_from_office:
        problems = []
        for i in np.flatnonzero(problem.supply < 0):
            own = [z.code for z, o in zip(zones, problem.office) if o == i]
            problems.append({
                "unit": units[i].code, "zone": own[0], "cadre": None,
                "message": f"sub-district office {units[i].code} has {len(units[i].cadres)} cadres, too few for the heads of its "
                           f"{len(own)} zones ({', '.join(own[:5])}{', ...' if len(own) > 5 else ''})",
            })
        if problems:
            _fail(problems)
    m = problem.max_per_department
    if m is not None and m < per_zone:
        have = int((np.array([len(u.cadres) for u in units]) > 0).sum())
        need = -(-per_zone // m)
        if have < need:
            raise AssignmentError(
                f"with at most {m} cadres of one department a zone, each zone needs cadres of {need} departments; only {have} have cadres"
            )


def _shortfall_message(problem, flows):
    """Explain an infeasible max flow: the first zone left short and why (department rule or supply)."""
    nz = len(problem.zones)
    got = np.zeros(nz, dtype=np.int64)
    used = np.zeros(len(problem.units), dtype=np.int64)
    for (u, z), f in flows.items():
        got[z] += f
        used[u] += f
    z = int(np.flatnonzero(got < problem.demand)[0])
    zone = problem.zones[z]
    left = [i for i in range(len(problem.units)) if used[i] < problem.supply[i]]
    full = [problem.units[i].code for i in left if flows.get((i, z), 0) >= problem.cap[i, z]]
    ordinary = int(problem.demand[z])
    gets = int(got[z]) + (1 if problem.head_from_office else 0)
    text = f"zone {zone.code} can get only {gets} of its {problem.per_zone} cadres under the rules"
    if problem.max_per_department is not None and full:
        text += (f": the departments with cadres left ({', '.join(full[:8])}{', ...' if len(full) > 8 else ''}) already send it "
                 f"{problem.max_per_department}, the most one department may")
        unit = full[0]
    else:
        text += f" (it needs {ordinary} besides its head)" if problem.head_from_office else ""
        unit = None
    raise AssignmentError(text, [{"unit": unit, "zone": zone.code, "cadre": None, "message": text}])


# --- flows ----------------------------------------------------------------------------------------


def _max_flow(problem, mask):
    """Max flow through the arcs in `mask` (units x zones booleans) and its value."""
    nu, nz = problem.cost.shape
    us, zs = np.nonzero(mask & (problem.cap > 0))
    src, sink = nu + nz, nu + nz + 1
    g = max_flow.SimpleMaxFlow()
    g.add_arcs_with_capacity(np.full(nu, src), np.arange(nu), np.maximum(problem.supply, 0))
    arcs = g.add_arcs_with_capacity(us, nu + zs, problem.cap[us, zs])
    g.add_arcs_with_capacity(nu + np.arange(nz), np.full(nz, sink), problem.demand)
    g.solve(src, sink)
    return g.optimal_flow(), us, zs, g.flows(arcs)


def _candidates(problem, mask):
    """Each zone's nearest units and each unit's nearest zones among the allowed arcs."""
    nu, nz = problem.cost.shape
    allowed = mask & (problem.cap > 0)
    big = np.where(allowed, problem.cost, np.iinfo(np.int64).max)
    chosen = np.zeros_like(allowed)
    per_zone_units = min(nu, max(1, int(CANDIDATES * (3 * int(problem.demand.max()) + 10))))
    idx = np.argpartition(big, per_zone_units - 1, axis=0)[:per_zone_units] if per_zone_units < nu else np.tile(np.arange(nu)[:, None], (1, nz))
    chosen[idx, np.arange(nz)[None, :]] = True
    capmin = max(1, int(problem.cap.max()))
    for u in range(nu):
        k = min(nz, max(1, int(CANDIDATES * (2 * -(-int(max(problem.supply[u], 0)) // capmin) + 10))))
        near = np.argpartition(big[u], k - 1)[:k] if k < nz else np.arange(nz)
        chosen[u, near] = True
    return chosen & allowed


def _min_cost(problem, mask):
    """Exact min-cost flow over the allowed arcs (mask), by pricing out from a candidate subset.

    A dummy unit holding every cadre needed, dearer than any real route, keeps each round
    feasible, so pricing also finds the arcs a short candidate set lacked. Returns (flows
    {(unit, zone): n}, dual lower bound in metres on the ordinary cadres' distance) or raises
    AssignmentError naming the zone left short.
    """
    allowed = mask & (problem.cap > 0)
    # Up to a few hundred thousand arcs one solve over all of them is faster than pricing rounds
    # (5 ms for the sample district's 14,612).
    everything = allowed.size <= ALL_ARCS
    chosen = allowed.copy() if everything else _candidates(problem, mask)
    nu, nz = problem.cost.shape
    dummy = nu + nz
    # The dummy's cost: four times the longest arc is enough in practice and keeps OR-tools' cost
    # scaling short; should the dummy still carry flow at the end of pricing while a max flow says
    # the rules can be met, the rounds go on with a cost no rerouting path can reach.
    big = (int(problem.cost.max()) + 1) * 4
    supplies = np.concatenate([np.maximum(problem.supply, 0), -problem.demand, [0 if everything else problem.needed]])
    while True:
        us, zs = np.nonzero(chosen)
        g = min_cost_flow.SimpleMinCostFlow()
        arcs = g.add_arcs_with_capacity_and_unit_cost(us, nu + zs, problem.cap[us, zs], problem.cost[us, zs])
        if not everything:
            fake = g.add_arcs_with_capacity_and_unit_cost(np.full(nz, dummy), nu + np.arange(nz), problem.demand, np.full(nz, big))
        g.set_nodes_supplies(np.arange(nu + nz + 1), supplies)
        status = g.solve_max_flow_with_min_cost()
        if status != g.OPTIMAL:  # the int64 costs are far below OR-tools' range; anything else is a bug
            raise RuntimeError(f"min-cost flow solver returned {status}")
        flow = g.flows(arcs)
        fake_flow = np.zeros(nz, dtype=np.int64) if everything else g.flows(fake)
        if everything and g.maximum_flow() < problem.needed:
            _infeasible(problem, mask)
        potential = _potentials(problem, us, zs, flow, fake_flow, 0 if everything else big)
        if everything:
            break
        reduced = problem.cost + potential[:nu, None] - potential[None, nu:nu + nz]
        pays = allowed & ~chosen & (reduced < 0)
        if not pays.any():
            if not fake_flow.any():
                break
            safe = (int(problem.cost.max()) + 1) * (nu + nz + 2)
            if big >= safe:  # optimal over every allowed arc and still the dummy: the rules cannot all be met
                _infeasible(problem, mask)
            if _max_flow(problem, mask)[0] < problem.needed:
                _infeasible(problem, mask)
            big = safe
            continue
        chosen |= _most_paying(pays, reduced)
    used = np.flatnonzero(flow)
    flows = {(int(u), int(z)): int(f) for u, z, f in zip(us[used], zs[used], flow[used])}
    return flows, _dual_bound(problem, allowed, potential)


def _most_paying(pays, reduced, per_zone=PRICED_PER_ZONE):
    """Of the arcs that would pay, each zone's `per_zone` best: adding all of them makes the next solve slow."""
    if pays.shape[0] <= per_zone:
        return pays
    score = np.where(pays, reduced, 0)
    best = np.argpartition(score, per_zone - 1, axis=0)[:per_zone]
    keep = np.zeros_like(pays)
    keep[best, np.arange(pays.shape[1])[None, :]] = True
    return keep & pays


def _infeasible(problem, mask):
    value, us, zs, flow = _max_flow(problem, mask)
    if value >= problem.needed:
        raise RuntimeError("min-cost flow fell short where a max flow does not")
    _shortfall_message(problem, {(int(u), int(z)): int(f) for u, z, f in zip(us, zs, flow) if f})


def _potentials(problem, us, zs, flow, fake_flow, big):
    """Node potentials with non-negative reduced costs on the residual graph (integer mm), by Bellman-Ford.

    Nodes: units 0..nu-1, zones nu.., the dummy unit nu + nz, the source s = nu + nz + 1 (its arcs
    to and from the units carry their supply). A virtual root reaches every node at cost 0, so
    every potential starts at 0 and only falls; the result is shifted so that the source's is 0.
    """
    nu, nz = problem.cost.shape
    dummy, s = nu + nz, nu + nz + 1
    zones = np.arange(nz)
    extra = nz if big else 0  # the dummy unit's arcs, when it took part
    tails = np.concatenate([us, np.full(extra, dummy)])
    heads = np.concatenate([nu + zs, nu + zones[:extra]])
    cost = np.concatenate([problem.cost[us, zs], np.full(extra, big)])
    cap = np.concatenate([problem.cap[us, zs], problem.demand[:extra]])
    f = np.concatenate([flow, fake_flow[:extra]])
    supply = np.concatenate([np.maximum(problem.supply, 0), [problem.needed if big else 0]])
    used = np.bincount(np.where(tails == dummy, nu, tails), weights=f, minlength=nu + 1).astype(np.int64)
    units = np.concatenate([np.arange(nu), [dummy]])
    fwd, back = f < cap, f > 0
    spare, busy = used < supply, used > 0
    tail = np.concatenate([tails[fwd], heads[back], np.full(int(spare.sum()), s), units[busy]])
    head = np.concatenate([heads[fwd], tails[back], units[spare], np.full(int(busy.sum()), s)])
    weight = np.concatenate([cost[fwd], -cost[back], np.zeros(int(spare.sum()) + int(busy.sum()), np.int64)])
    dist = np.zeros(nu + nz + 2, dtype=np.int64)
    for _ in range(nu + nz + 3):
        best = dist.copy()
        np.minimum.at(best, head, dist[tail] + weight)
        if np.array_equal(best, dist):
            break
        dist = best
    else:  # a negative cycle: the flow would not be optimal
        raise RuntimeError("residual graph has a negative cycle")
    return dist - dist[s]


def _dual_bound(problem, allowed, potential):
    """LP dual objective (metres) of the ordinary cadres' transportation problem: a lower bound on any solution."""
    nu, nz = problem.cost.shape
    a = np.maximum(0.0, potential[:nu] / MM)  # unit supply duals (a unit's cadres are scarce when > 0)
    v = potential[nu:nu + nz] / MM  # zone demand duals
    excess = np.maximum(0.0, v[None, :] - a[:, None] - problem.dist)
    return float(v @ problem.demand - a @ np.maximum(problem.supply, 0) - (problem.cap * excess)[allowed].sum())


def _minimax_threshold(problem):
    """The smallest distance T such that the arcs no longer than T carry a full flow, and at least the farthest head."""
    values = np.unique(problem.dist[problem.cap > 0])
    if problem.needed == 0 or not len(values):
        return problem.head_max_m
    # Feasible at the last value (checked before); no need to look below the heads' longest distance.
    lo, hi = min(int(np.searchsorted(values, problem.head_max_m)), len(values) - 1), len(values) - 1
    if _max_flow(problem, problem.dist <= values[lo])[0] >= problem.needed:
        return max(float(values[lo]), problem.head_max_m)
    while hi - lo > 1:  # infeasible at lo, feasible at hi
        mid = (lo + hi) // 2
        if _max_flow(problem, problem.dist <= values[mid])[0] >= problem.needed:
            hi = mid
        else:
            lo = mid
    return max(float(values[hi]), problem.head_max_m)


def _solve(problem, minimax):
    """{(unit, zone): ordinary cadres}, total and longest distance (metres, heads included), dual bound, threshold."""
    _check_capacity(problem)
    everything = np.ones(problem.cost.shape, dtype=bool)
    threshold = None
    if minimax:
        if _max_flow(problem, everything)[0] < problem.needed:
            _min_cost(problem, everything)  # raises, naming the zone left short
        threshold = _minimax_threshold(problem)
        mask = problem.dist <= threshold
    else:
        mask = everything
    flows, bound = _min_cost(problem, mask)
    total = problem.head_m + float(sum(problem.dist[u, z] * f for (u, z), f in flows.items()))
    longest = float(max([problem.head_max_m] + [problem.dist[u, z] for (u, z) in flows]))
    return flows, total, longest, bound + problem.head_m, threshold


# --- naming cadres --------------------------------------------------------------------------------


def _name_cadres(problem, flows, current, current_heads):
    """Turn counts per (unit, zone) into cadre codes: cadres already in a zone stay there first."""
    units, zones = problem.units, problem.zones
    wanted = {}  # unit index -> {zone index: cadres}
    for (u, z), f in flows.items():
        wanted.setdefault(u, {})[z] = f
    if problem.head_from_office:
        for z, u in enumerate(problem.office.tolist()):
            wanted.setdefault(u, {})
            wanted[u][z] = wanted[u].get(z, 0) + 1
    zone_index = {z.code: i for i, z in enumerate(zones)}
    members = {z.code: [] for z in zones}
    spare = []
    for u, unit in enumerate(units):
        need = dict(wanted.get(u, {}))
        cadres = sorted(unit.cadres)
        rest = []
        for cadre in cadres:
            z = zone_index.get(current.get(cadre))
            if z is not None and need.get(z, 0) > 0:
                members[zones[z].code].append(cadre)
                need[z] -= 1
            else:
                rest.append(cadre)
        queue = [z for z in sorted(need) for _ in range(need[z])]
        for cadre, z in zip(rest, queue):
            members[zones[z].code].append(cadre)
        spare.extend(rest[len(queue):])
    unit_of = {c: u for u, unit in enumerate(units) for c in unit.cadres}
    heads = {}
    for z, zone in enumerate(zones):
        office = int(problem.office[z])
        own = sorted(c for c in members[zone.code] if office >= 0 and unit_of[c] == office)
        if not own:
            continue  # only when the head rule is off and the office sent nobody
        keep = current_heads.get(zone.code)
        stayed = [c for c in own if current.get(c) == zone.code]
        heads[zone.code] = keep if keep in own else (stayed or own)[0]
    return {code: tuple(sorted(cs)) for code, cs in members.items()}, heads, tuple(sorted(spare))


# --- the greedy baseline --------------------------------------------------------------------------


def _greedy_total(problem):
    """Each cadre in code order to the nearest zone with room (heads first from their office).

    The department rule is kept while some zone with room allows it, and broken otherwise; returns
    (total metres, cadres placed against the department rule).
    """
    units, zones = problem.units, problem.zones
    nz = len(zones)
    room = np.full(nz, problem.per_zone, dtype=np.int64)
    count = np.zeros(problem.cost.shape, dtype=np.int64)
    left = np.array([len(u.cadres) for u in units], dtype=np.int64)
    total = 0.0
    if problem.head_from_office:
        for z in range(nz):
            u = problem.office[z]
            room[z] -= 1
            count[u, z] += 1
            left[u] -= 1
            total += problem.dist[u, z]
    limit = problem.per_zone if problem.max_per_department is None else problem.max_per_department
    order = sorted((c, u) for u, unit in enumerate(units) for c in unit.cadres)
    spent = np.zeros(len(units), dtype=np.int64)
    placed, broken, needed = 0, 0, int(room.sum())
    nearest = np.argsort(problem.dist, axis=1, kind="stable")
    for _, u in order:
        if placed == needed:
            break
        if spent[u] >= left[u]:
            continue  # this unit's cadres went to heads
        spent[u] += 1
        row = nearest[u]
        ok = row[(room[row] > 0) & (count[u, row] < limit)]
        if len(ok):
            z = ok[0]
        else:
            z = row[room[row] > 0][0]
            broken += 1
        room[z] -= 1
        count[u, z] += 1
        total += problem.dist[u, z]
        placed += 1
    return total, broken


# --- the public function --------------------------------------------------------------------------


def assign_cadres(units, zones, *, per_zone=5, max_per_department=2, head_from_office=True, minimax=False,
                  current=None, current_heads=None, compare=True):
    """Assign cadres to zones (see the module docstring).

    current: {cadre code: zone code} in force; current_heads: {zone code: cadre code} in force (kept
    when still a member from the right office). compare: also solve without each rule in force
    (report["rule_costs"], metres the rule adds to the total) and run the greedy baseline.
    """
    started = time.perf_counter()
    units, zones = _check(units, zones, per_zone, max_per_department, head_from_office)
    rules = dict(per_zone=per_zone, max_per_department=max_per_department, head_from_office=head_from_office)
    problem = _Problem(units, zones, **rules)
    flows, total, longest, bound, threshold = _solve(problem, minimax)
    members, heads, spare = _name_cadres(problem, flows, current or {}, current_heads or {})
    placed = len(zones) * per_zone
    gap = max(0.0, (total - bound) / total) if total > 0 else 0.0
    # The solver works in whole millimetres: the float optimum lies within half a millimetre a cadre.
    optimal = total - bound <= 0.001 * placed
    report = {
        "cadres": placed,
        "zones": len(zones),
        "per_zone": per_zone,
        "rules": {"max_per_department": max_per_department, "head_from_office": head_from_office, "minimax": minimax},
        "total_m": total,
        "mean_m": total / placed,
        "max_m": longest,
        "minimax_threshold_m": threshold,
        "lower_bound_m": bound,
        "gap": gap,
        "optimal": bool(optimal),
        "spare_cadres": len(spare),
        "heads": len(heads),
        "kept": sum(1 for code, cs in members.items() for c in cs if (current or {}).get(c) == code),
        "greedy_total_m": None,
        "greedy_over_optimal": None,
        "greedy_department_breaches": None,
        "rule_costs": {"max_per_department": None, "head_from_office": None, "minimax": None},
        "solver": "ortools.SimpleMinCostFlow",
    }
    if compare:
        greedy, broken = _greedy_total(problem)
        report["greedy_total_m"] = float(greedy)
        report["greedy_over_optimal"] = float(greedy / total) if total else None
        report["greedy_department_breaches"] = broken
        costs = report["rule_costs"]
        if minimax:
            costs["minimax"] = total - _solve(problem, False)[1]
        if max_per_department is not None:
            costs["max_per_department"] = total - _solve(_Problem(units, zones, **{**rules, "max_per_department": None}), minimax)[1]
        if head_from_office:
            costs["head_from_office"] = total - _solve(_Problem(units, zones, **{**rules, "head_from_office": False}), minimax)[1]
    report["seconds"] = time.perf_counter() - started
    return Assignment(members=members, heads=heads, report=report, spare=spare)
