"""The plan of a simulated year of cases: where, what, when, and how each case ends.

Plain functions over plain data (numpy, shapely, the working calendar), no ORM,
so a seed gives the same plan on PostGIS and SpatiaLite and the plan can be
tested alone. `apps.cases.simulation` loads the world and runs the plan through
the workflow.

Steps of `plan_year`:
1. points: Gaussian scatter around a few dozen hotspots (markets and unmanaged
   compounds in the old city, building sites in the new north, villages) plus a
   background spread over grids by population; points outside every grid are
   drawn again;
2. categories by hotspot kind and month (barbecues in summer, flooding in July);
3. report times: working days busier than weekends and holidays, mostly daytime;
4. outcomes by quota (every outcome appears in a small run too), the open ones
   placed at the end of the period, duplicates next to an earlier case;
5. each case's steps with their times, in working hours after the report;
   steps after the period's end never happen, so late cases stay open.
"""

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field

import numpy as np
import shapely

from apps.cases.calendar import add_working_hours, working_hours_between

HOTSPOT_SHARE = 0.55
M_PER_DEG_LAT = 110_950.0
M_PER_DEG_LON_EQUATOR = 111_320.0
CADRE_SHARE = 0.6  # of the points inside a zone, reported by one of its cadres
CLIENT_ID_NAMESPACE = uuid.UUID("6f1d8c62-3b8e-4a51-9a55-410105000000")

# Relative frequency of each category (CJ/T 214 practice: street order and the
# environment dominate; governance classes are rarer; 三零 classes rare).
CATEGORY_WEIGHTS = {
    "E0101": 10, "E0102": 5, "E0103": 5, "E0104": 6, "E0105": 1, "E0201": 6, "E0202": 3,
    "E0301": 2, "E0302": 2, "E0303": 2, "E0401": 0.3, "E0402": 0.5, "E0403": 0.15, "E0404": 0.8,
    "E0501": 10, "E0502": 8, "E0503": 7, "E0504": 7, "E0505": 2, "E0601": 1.5, "E0602": 2,
    "F0101": 1.5, "F0102": 2, "F0103": 0.5, "F0201": 1, "F0202": 2, "F0301": 3, "F0302": 1,
    "F0401": 0.6, "F0402": 1.5, "F0501": 1, "F0601": 1,
    "G0101": 1, "G0102": 1, "G0103": 0.4, "G0104": 0.08, "G0201": 1, "G0202": 0.5, "G0203": 0.03,
    "G0301": 0.3, "G0302": 0.05, "G0303": 0.05, "G0401": 0.3, "G0501": 1.5, "G0502": 1, "G0503": 1.5,
    "G0504": 0.4,
}
DEFAULT_WEIGHT = 0.5  # a category an administrator added
# Hotspot kind -> class (Category.group) -> multiplier.
KIND_BIAS = {
    "background": {},
    "market": {"街面秩序": 3.0, "市容环境": 1.5, "宣传广告": 1.5, "扩展事件": 2.0},
    "compound": {"楼院治理": 6.0, "矛盾纠纷": 3.0, "安全隐患": 3.0, "市容环境": 1.2},
    "site": {"施工管理": 8.0, "道路交通": 2.0, "突发事件": 1.5},
    "village": {"房屋土地": 6.0, "市容环境": 2.0, "矛盾纠纷": 1.5},
}
KINDS = list(KIND_BIAS)
# Category code -> {month: multiplier}.
SEASONS = {
    "E0505": {6: 3, 7: 3, 8: 3, 9: 2, 12: 0.3, 1: 0.3, 2: 0.3},  # open-air barbecues
    "E0404": {6: 2, 7: 4, 8: 4, 9: 2},  # flooded roads
    "F0401": {7: 3, 8: 3},  # trees down in storms
    "E0105": {3: 2, 10: 3, 11: 3},  # burning leaves
    "E0302": {3: 2, 4: 2, 5: 2},  # site dust
    "G0401": {1: 2, 2: 2, 12: 1.5},  # epidemic prevention
}

# Outcome -> share of all cases; "on_time" takes the rest. Open at the end of
# the period (the shape simulate_cases documents): in-flight cases of the last
# days, stuck (overdue by days) ones of the last three weeks and a few pending
# (挂账) ones with their reason, about 2% in all (~400 of 20,000): what a
# district handling ~80 cases a working day holds open on any day.
OUTCOMES = {
    "overdue": 0.09, "rework": 0.05, "rework_twice": 0.006, "returned": 0.035, "return_refused": 0.008,
    "extension_granted": 0.03, "extension_refused": 0.01, "joint": 0.04, "pending_open": 0.002,
    "pending_special": 0.007, "pending_resumed": 0.004, "pending_refused": 0.003, "rejected": 0.04,
    "merged": 0.025, "closed_error": 0.004, "stuck": 0.004,
    "open_reported": 0.001, "open_registered": 0.001, "open_dispatched": 0.0015, "open_handling": 0.002,
    "open_returned": 0.0005, "open_extension": 0.0005, "open_pending": 0.0005, "open_handled": 0.0015,
}
# An open outcome is the first steps of a closed one: (outcome planned, cut after this action).
OPEN_CUTS = {
    "open_reported": ("on_time", None), "open_registered": ("on_time", "register"),
    "open_dispatched": ("on_time", "dispatch"), "open_handling": ("on_time", "accept"),
    "open_handled": ("on_time", "report_handled"), "open_returned": ("returned", "return"),
    "open_extension": ("extension_granted", "request_extension"),
    "open_pending": ("pending_open", "request_pending"), "stuck": ("overdue", "accept"),
}
LATE_OUTCOMES = ["overdue", "rework", "rework_twice", "extension_refused"]  # more often at slow departments
# In-flight cases are the latest reports (a few working days of the district's
# volume, whatever the run's size): the newest still wait for the desk, the
# rest are at a department or wait for verification.
IN_FLIGHT_NEWEST = ("open_reported", "open_registered")
IN_FLIGHT_SLACK = 1.1  # drawn from the latest 1.1x as many free cases, so not every late case is open
# A stuck case was reported between twelve and three days before the end: overdue by days, not months.
STUCK_DAYS = (12, 3)
RESUME_HOURS = (16, 120)  # pending, then resumed after two to fifteen working days
# Outcomes a duplicate may be merged into (never a rejected, merged or open case).
MERGE_TARGETS = {"on_time", "overdue", "rework", "rework_twice", "returned", "return_refused",
                 "extension_granted", "extension_refused", "joint", "pending_refused"}

DESCRIPTIONS = ["{place}发现{what}，请尽快处置。", "巡查发现{place}存在{what}问题。", "{place}{what}，群众反映较多。",
                "{what}：{place}，已拍照取证。"]
NOTES = {
    "reject": ["非本平台受理范围", "信息不全，无法核实", "现场核实不存在该问题"],
    "close_error": ["重复立案，差错结案", "立案类别错误，差错结案"],
    "return": ["不属于本部门职责", "该点位属其他部门管辖", "派遣部门有误，申请回退"],
    "refuse_return": ["经核实属本部门职责，请继续处置"],
    "request_extension": ["需协调产权单位，申请延期", "材料采购中，申请延期", "涉及多方，需延长处置时间"],
    "refuse_extension": ["理由不充分，请按期处置"],
    "request_pending": ["需专项资金，暂无法处置", "涉及历史遗留问题，申请挂账"],
    "refuse_pending": ["不符合挂账条件，请继续处置"],
    "close_special": ["纳入专项整治计划，特殊结案", "经协调无法处置，特殊结案"],
    "verify_fail": ["现场问题仍未解决", "处置不彻底，需返工", "现场复核不合格"],
    "result": ["已处置完毕", "已现场整改", "已清理完毕", "已修复", "已协调解决"],
}


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    group: str
    handle_hours: int
    verify_hours: int
    department_id: int  # the lead: the category's default department


@dataclass
class World:
    """Everything the plan needs, as plain data; grids and zones in code order."""

    grid_ids: np.ndarray
    grid_names: list
    grid_geoms: np.ndarray
    grid_population: np.ndarray
    grid_subdistrict: np.ndarray
    grid_old_city: np.ndarray  # bool: sub-districts with communities only (the old city)
    grid_village: np.ndarray  # bool: grids in villages
    zone_names: list
    zone_geoms: np.ndarray
    zone_households: np.ndarray
    zone_cadres: list  # per zone: person ids of its cadres
    categories: list  # CategoryInfo in code order
    departments: list  # ids of the handling departments, in code order
    calendar: object  # apps.cases.calendar.Calendar


@dataclass
class Step:
    action: str
    at: dt.datetime
    actor: tuple  # ("desk", subdistrict id or None for the command centre), ("handler", dept id), ("patrol", grid id)
    note: str = ""
    params: dict = field(default_factory=dict)  # department / co_departments ids, hours, target index, result


@dataclass
class CasePlan:
    index: int
    client_id: uuid.UUID
    category: CategoryInfo
    lon: float
    lat: float
    grid_id: int
    subdistrict_id: int
    reporter: tuple  # ("grid_worker", grid id) or ("cadre", person id)
    place: str
    reported_at: dt.datetime
    outcome: str = "on_time"
    original: int = None  # index of the case a duplicate is merged into
    steps: list = field(default_factory=list)


def plan_year(world, *, n, seed, year, tz, locate, until=None):
    """`n` CasePlans in report-time order; `locate` maps [(lon, lat)] to grid ids (None outside).

    `until` (a date) ends the period early: no report and no step on or after
    it, so the year in progress never holds cases from the future.
    """
    rng = np.random.default_rng(seed)
    grid_at = {pk: i for i, pk in enumerate(world.grid_ids.tolist())}
    lon, lat, grid, kind = sample_points(world, rng, n, locate, grid_at)
    times = report_times(world.calendar, rng, n, year, tz, until=until)
    order = np.argsort(np.array([t.timestamp() for t in times]), kind="stable")
    categories = pick_categories(world, rng, kind[order], np.array([times[i].month for i in order]))
    zones = zone_of(world, lon, lat)
    plans = []
    for index, i in enumerate(order.tolist()):
        g = grid_at[grid[i]]
        zone = zones[i]
        if zone >= 0 and world.zone_cadres[zone] and rng.random() < CADRE_SHARE:
            cadres = world.zone_cadres[zone]
            reporter = ("cadre", cadres[int(rng.integers(len(cadres)))])
        else:
            reporter = ("grid_worker", grid[i])
        plans.append(CasePlan(
            index=index, client_id=uuid.uuid5(CLIENT_ID_NAMESPACE, f"{seed}:{year}:{n}:{index}"),
            category=world.categories[categories[index]], lon=lon[i], lat=lat[i], grid_id=grid[i],
            subdistrict_id=int(world.grid_subdistrict[g]), reporter=reporter,
            place=world.zone_names[zone] if zone >= 0 else world.grid_names[g], reported_at=times[i],
        ))
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    if until is not None:
        end = min(end, dt.datetime.combine(until, dt.time(0, 0), tz))
    assign_outcomes(world, plans, rng, end)
    make_duplicates(world, plans, rng, locate, grid_at)
    planner = Planner(world, rng, end)
    for plan in plans:
        planner.plan_steps(plan)
    return plans


# --- where ---------------------------------------------------------------------


def make_hotspots(world, rng):
    """(lon, lat, sigma in metres, weight, kind) of ~34 hotspots."""
    spots = []
    old = np.flatnonzero(world.grid_old_city & ~world.grid_village)
    new = np.flatnonzero(~world.grid_old_city & ~world.grid_village)
    villages = np.flatnonzero(world.grid_village)
    for kind, pool, count, sigma, boost in (("market", old, 12, (60, 160), 1.5), ("site", new, 6, (150, 300), 1.0),
                                            ("village", villages, 6, (200, 400), 0.8)):
        if not len(pool):
            continue
        weights = world.grid_population[pool].astype(float) + 1
        for g in rng.choice(pool, size=min(count, len(pool)), replace=False, p=weights / weights.sum()):
            x, y = points_in(world.grid_geoms[g], 1, rng)
            spots.append((x[0], y[0], rng.uniform(*sigma), boost * rng.lognormal(0, 0.5), kind))
    if len(world.zone_geoms):
        weights = world.zone_households.astype(float) + 1
        picked = rng.choice(len(world.zone_geoms), size=min(10, len(world.zone_geoms)), replace=False,
                            p=weights / weights.sum())
        for z in picked:
            centre = shapely.point_on_surface(world.zone_geoms[z])
            spots.append((centre.x, centre.y, rng.uniform(40, 90), rng.lognormal(0, 0.5), "compound"))
    return spots


def shift(lon, lat, dx, dy):
    """The point `dx`, `dy` metres east and north of (lon, lat); near enough at district scale."""
    return lon + dx / (M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat))), lat + dy / M_PER_DEG_LAT


def points_in(geometry, k, rng):
    """`k` points uniformly inside `geometry` (rejection in its bounds)."""
    minx, miny, maxx, maxy = geometry.bounds
    xs, ys = [], []
    while len(xs) < k:
        x, y = rng.uniform(minx, maxx, 4 * k), rng.uniform(miny, maxy, 4 * k)
        inside = shapely.contains_xy(geometry, x, y)
        xs.extend(x[inside].tolist())
        ys.extend(y[inside].tolist())
    return np.array(xs[:k]), np.array(ys[:k])


def sample_points(world, rng, n, locate, grid_at):
    """lon, lat, grid id and hotspot kind of `n` points, all inside the district."""
    spots = make_hotspots(world, rng)
    weights = np.array([s[3] for s in spots])
    source = np.where(rng.random(n) < HOTSPOT_SHARE, rng.choice(len(spots), size=n, p=weights / weights.sum()), -1)
    # Background: grids by population, the old city denser.
    density = world.grid_population * np.where(world.grid_old_city, 1.6, 1.0) + 1
    background = rng.choice(len(world.grid_ids), size=n, p=density / density.sum())
    shapely.prepare(world.grid_geoms)
    lon, lat, grid = np.zeros(n), np.zeros(n), np.full(n, -1, dtype=np.int64)
    todo = np.arange(n)
    for _attempt in range(100):
        if not len(todo):
            break
        for i in todo.tolist():
            if source[i] >= 0:
                x0, y0, sigma, _w, _k = spots[source[i]]
                dx, dy = rng.normal(0, sigma, 2)
                lon[i], lat[i] = shift(x0, y0, dx, dy)
            else:
                x, y = points_in(world.grid_geoms[background[i]], 1, rng)
                lon[i], lat[i] = x[0], y[0]
        lon[todo], lat[todo] = np.round(lon[todo], 7), np.round(lat[todo], 7)
        found = locate(np.column_stack([lon[todo], lat[todo]]))
        inside = np.array([pk is not None for pk in found])
        grid[todo[inside]] = [pk for pk in found if pk is not None]
        todo = todo[~inside]
    if len(todo):
        raise ValueError(f"{len(todo)} simulated points stayed outside the district")
    kind = np.array(["background" if s < 0 else spots[s][4] for s in source.tolist()])
    return lon.tolist(), lat.tolist(), grid.tolist(), kind


def zone_of(world, lon, lat):
    """Index of the zone holding each point (lowest code), -1 outside every zone."""
    result = np.full(len(lon), -1, dtype=np.int64)
    if not len(world.zone_geoms):
        return result.tolist()
    tree = shapely.STRtree(world.zone_geoms)
    point_idx, zone_idx = tree.query(shapely.points(lon, lat), predicate="intersects")
    best = np.full(len(lon), len(world.zone_geoms), dtype=np.int64)
    np.minimum.at(best, point_idx, zone_idx)
    found = best < len(world.zone_geoms)
    result[found] = best[found]
    return result.tolist()


# --- what and when -------------------------------------------------------------


def pick_categories(world, rng, kinds, months):
    """Category index per case, by hotspot kind and month."""
    base = np.array([CATEGORY_WEIGHTS.get(c.code, DEFAULT_WEIGHT) for c in world.categories], dtype=float)
    result = np.zeros(len(kinds), dtype=np.int64)
    for kind in KINDS:
        bias = np.array([KIND_BIAS[kind].get(c.group, 1.0) for c in world.categories])
        for month in range(1, 13):
            where = np.flatnonzero((kinds == kind) & (months == month))
            if not len(where):
                continue
            season = np.array([SEASONS.get(c.code, {}).get(month, 1.0) for c in world.categories])
            weights = base * bias * season
            result[where] = rng.choice(len(base), size=len(where), p=weights / weights.sum())
    return result.tolist()


def report_times(calendar, rng, n, year, tz, until=None):
    """`n` report times over the year: summer busier, weekends and holidays quieter, mostly daytime."""
    first = dt.date(year, 1, 1)
    last = dt.date(year + 1, 1, 1) if until is None else max(min(until, dt.date(year + 1, 1, 1)), first + dt.timedelta(days=1))
    days = [first + dt.timedelta(days=k) for k in range((last - first).days)]
    weights = np.array([_day_weight(calendar, day) for day in days])
    picked = rng.choice(len(days), size=n, p=weights / weights.sum())
    part = rng.choice(4, size=n, p=[0.45, 0.40, 0.10, 0.05])
    hours = np.select(
        [part == 0, part == 1, part == 2],
        [rng.normal(9.8, 1.2, n), rng.normal(15.3, 1.4, n), rng.uniform(18, 22.5, n)],
        rng.uniform(0, 24, n),
    )
    minutes = np.clip(np.round(hours * 60), 0, 24 * 60 - 1).astype(int)
    return [dt.datetime.combine(days[d], dt.time(m // 60, m % 60), tz)
            for d, m in zip(picked.tolist(), minutes.tolist())]


def _day_weight(calendar, day):
    season = 1 + 0.18 * math.cos(2 * math.pi * (day.month - 7) / 12)
    if day in calendar.holidays:
        return 0.5 * season
    if day.weekday() >= 5 and day not in calendar.workdays:
        return 0.7 * season
    return season


# --- how it ends ---------------------------------------------------------------


def outcome_counts(n):
    """Cases per outcome: each share of `n`, at least one of each when `n` allows it."""
    floor = 1 if n >= 3 * (len(OUTCOMES) + 1) else 0
    counts = {name: max(floor, round(share * n)) for name, share in OUTCOMES.items()}
    counts["on_time"] = n - sum(counts.values())
    if counts["on_time"] < 0:
        raise ValueError(f"too few cases ({n}) for the outcome mix")
    return counts


def assign_outcomes(world, plans, rng, end):
    """Open outcomes at the end of the period, the rest anywhere (merges come later, from on_time).

    Departments differ: each gets a lateness factor, and the late and failed
    outcomes fall on its cases in proportion, so rankings have something to rank.
    """
    counts = outcome_counts(len(plans))
    free = np.ones(len(plans), dtype=bool)
    lateness = dict(zip(world.departments, rng.lognormal(0, 0.6, len(world.departments)).tolist()))

    def place(names, since=None, weigh=False, before=None):
        labels = [name for name in names for _ in range(counts[name])]
        if not labels:
            return
        pool = [p.index for p in plans if free[p.index] and (since is None or p.reported_at >= since)
                and (before is None or p.reported_at < before)]
        if since is not None and len(pool) < 2 * len(labels):
            # A small run has few cases in the window: take the latest free ones (before `before`) instead.
            latest = [i for i in range(len(plans) - 1, -1, -1)
                      if free[i] and (before is None or plans[i].reported_at < before)]
            pool = (latest or [i for i in range(len(plans) - 1, -1, -1) if free[i]])[: 2 * len(labels)]
        weights = np.array([lateness[plans[i].category.department_id] for i in pool]) if weigh else None
        chosen = rng.choice(np.array(pool, dtype=np.int64), size=len(labels), replace=False,
                            p=weights / weights.sum() if weigh else None)
        for i, name in zip(np.sort(chosen).tolist(), rng.permutation(labels).tolist()):
            plans[i].outcome = name
            free[i] = False

    place_in_flight(plans, counts, free, rng)
    place(["stuck"], end - dt.timedelta(days=STUCK_DAYS[0]), weigh=True, before=end - dt.timedelta(days=STUCK_DAYS[1]))
    place(LATE_OUTCOMES, weigh=True)
    place([name for name in OUTCOMES if name not in OPEN_CUTS and name not in LATE_OUTCOMES and name != "merged"])


CLOSING_ACTIONS = frozenset({"verify_pass", "reject", "merge", "close_error", "close_special"})


def open_at_end(plans):
    """(plan, pending) of the plans still open when the period ends; pending: logged as 挂账 (granted)."""
    result = []
    for plan in plans:
        actions = [step.action for step in plan.steps]
        if CLOSING_ACTIONS.isdisjoint(actions):
            result.append((plan, bool(actions) and actions[-1] == "grant_pending"))
    return result


def place_in_flight(plans, counts, free, rng):
    """The in-flight outcomes on the latest free cases: the newest wait for the desk, the others mixed."""
    newest = [name for name in IN_FLIGHT_NEWEST for _ in range(counts[name])]
    others = [name for name in OPEN_CUTS if name not in IN_FLIGHT_NEWEST and name != "stuck"
              for _ in range(counts[name])]
    total = len(newest) + len(others)
    latest = [i for i in range(len(plans) - 1, -1, -1) if free[i]][: math.ceil(IN_FLIGHT_SLACK * total)]
    chosen = sorted(rng.choice(np.array(latest, dtype=np.int64), size=total, replace=False).tolist(), reverse=True)
    for i, name in zip(chosen, newest + rng.permutation(others).tolist()):
        plans[i].outcome = name
        free[i] = False


def make_duplicates(world, plans, rng, locate, grid_at):
    """Turn on-time cases into duplicates of an earlier case nearby (same sub-district, within 3 days)."""
    wanted = outcome_counts(len(plans))["merged"]
    made, originals = [], set()
    for i in rng.permutation(len(plans)).tolist():
        if len(made) == wanted:
            break
        plan = plans[i]
        if plan.outcome != "on_time" or i in originals:
            continue
        for j in range(i - 1, -1, -1):
            other = plans[j]
            if plan.reported_at - other.reported_at > dt.timedelta(days=3):
                break
            if other.subdistrict_id == plan.subdistrict_id and other.outcome in MERGE_TARGETS:
                plan.outcome, plan.original, plan.category = "merged", j, other.category
                originals.add(j)
                made.append(plan)
                break
    # A duplicate is reported a few metres from its original, by that grid's worker.
    jitter = rng.normal(0, 15, (len(made), 2))
    points = [shift(plans[p.original].lon, plans[p.original].lat, dx, dy) for p, (dx, dy) in zip(made, jitter.tolist())]
    found = locate(np.round(np.array(points, dtype=float).reshape(-1, 2), 7)) if made else []
    for plan, (x, y), pk in zip(made, points, found):
        original = plans[plan.original]
        if pk is None or int(world.grid_subdistrict[grid_at[pk]]) != original.subdistrict_id:
            x, y, pk = original.lon, original.lat, original.grid_id
        plan.lon, plan.lat, plan.grid_id = round(x, 7), round(y, 7), pk
        plan.reporter, plan.place = ("grid_worker", pk), original.place


class Planner:
    """Each case's steps, timed in working hours after the report (dispatchers and departments keep office hours)."""

    def __init__(self, world, rng, end):
        self.world, self.rng, self.end, self.calendar = world, rng, end, world.calendar

    def later(self, moment, lo, hi):
        return add_working_hours(self.calendar, moment, float(self.rng.uniform(lo, hi)))

    def before(self, moment, deadline, lo, hi):
        """A moment between `moment` and `deadline`, or soon after `moment` when no time is left."""
        left = working_hours_between(self.calendar, moment, deadline)
        if left <= 0.1:
            return self.later(moment, 0.05, 0.3)
        return add_working_hours(self.calendar, moment, left * float(self.rng.uniform(lo, hi)))

    def pick(self, key):
        options = NOTES[key]
        return options[int(self.rng.integers(len(options)))]

    def other_departments(self, department, k):
        others = [d for d in self.world.departments if d != department]
        if not others:
            return []
        return [others[i] for i in sorted(self.rng.choice(len(others), size=min(k, len(others)), replace=False))]

    def plan_steps(self, plan):
        outcome, cut = OPEN_CUTS.get(plan.outcome, (plan.outcome, None))
        for _shift in range(60):
            steps = self.lifecycle(plan, outcome)
            if plan.outcome in OPEN_CUTS:
                steps = steps[: next((k + 1 for k, s in enumerate(steps) if s.action == cut), 0)]
                if steps and steps[-1].at >= self.end:
                    # An in-flight case must reach its step before the period ends: report it a day earlier.
                    plan.reported_at -= dt.timedelta(days=1)
                    continue
            break
        # What would happen after the end of the period has not happened yet.
        plan.steps = [s for s in steps if s.at < self.end]

    def lifecycle(self, plan, outcome):
        category, rng = plan.category, self.rng
        lead, hours = category.department_id, category.handle_hours
        desk = ("desk", plan.subdistrict_id if rng.random() < 0.8 else None)
        patrol, handler = ("patrol", plan.grid_id), ("handler", lead)
        steps = []

        def step(action, at, actor, note="", **params):
            steps.append(Step(action, at, actor, note, params))
            return at

        t = plan.reported_at
        if outcome == "rejected":
            step("reject", self.later(t, 0.05, 0.8), desk, self.pick("reject"))
            return steps
        if outcome == "merged":
            step("merge", self.later(t, 0.05, 0.8), ("desk", plan.subdistrict_id), target=plan.original)
            return steps
        t = step("register", self.later(t, 0.05, 0.6), desk)
        if outcome == "closed_error":
            step("close_error", self.later(t, 0.1, 1), desk, self.pick("close_error"))
            return steps
        first = (self.other_departments(lead, 1) or [lead])[0] if outcome == "returned" else lead
        co = self.other_departments(lead, 1 + int(rng.random() < 0.3)) if outcome == "joint" else []
        t = step("dispatch", self.later(t, 0.02, 0.3), desk, department=first, co_departments=co)
        deadline = add_working_hours(self.calendar, t, hours)
        t = step("accept", self.later(t, 0.05, max(0.1, min(1.0, 0.2 * hours))), ("handler", first))
        if outcome in ("returned", "return_refused"):
            t = step("return", self.later(t, 0.1, 1), ("handler", first), self.pick("return"))
            if outcome == "return_refused":
                t = step("refuse_return", self.later(t, 0.1, 1), desk, self.pick("refuse_return"))
            else:
                t = step("approve_return", self.later(t, 0.1, 1), desk)
                t = step("dispatch", self.later(t, 0.02, 0.3), desk, department=lead)
                deadline = add_working_hours(self.calendar, t, hours)
                t = step("accept", self.later(t, 0.05, max(0.1, min(1.0, 0.2 * hours))), handler)
        late = outcome == "overdue" or rng.random() < {"extension_refused": 0.6, "returned": 0.15}.get(outcome, 0)
        if outcome in ("extension_granted", "extension_refused"):
            extra = int(max(4, hours * rng.choice([0.5, 1, 2])))
            t = step("request_extension", self.before(t, deadline, 0.3, 0.8), handler,
                     self.pick("request_extension"), hours=extra)
            if outcome == "extension_granted":
                t = step("grant_extension", self.later(t, 0.05, 0.5), desk, hours=extra)
                deadline = add_working_hours(self.calendar, max(deadline, t), extra)
                late = rng.random() < 0.15
            else:
                t = step("refuse_extension", self.later(t, 0.05, 0.5), desk, self.pick("refuse_extension"))
        if outcome.startswith("pending"):
            t = step("request_pending", self.before(t, deadline, 0.3, 0.8), handler, self.pick("request_pending"))
            if outcome == "pending_refused":
                t = step("refuse_pending", self.later(t, 0.1, 1), desk, self.pick("refuse_pending"))
            else:
                t = step("grant_pending", self.later(t, 0.1, 1), desk)
                if outcome == "pending_open":
                    return steps
                if outcome == "pending_special":
                    step("close_special", self.later(t, 40, 240), desk, self.pick("close_special"))
                    return steps
                t = step("resume", self.later(t, *RESUME_HOURS), handler)
        for department in co:
            t = step("report_part", self.before(t, deadline, 0.1, 0.4), ("handler", department),
                     result=self.pick("result"))
        if late:
            overdue = add_working_hours(self.calendar, deadline, float(rng.uniform(0.1, 1.5)) * hours + 0.25)
            t = max(overdue, self.later(t, 0.05, 0.3))
        else:
            t = self.before(t, deadline, 0.15, 0.95)
        t = step("report_handled", t, handler, result=self.pick("result"))
        verify = max(0.2, 0.9 * category.verify_hours)
        for _round in range({"rework": 1, "rework_twice": 2}.get(outcome, 0)):
            t = step("verify_fail", self.later(t, 0.1, verify), patrol, self.pick("verify_fail"))
            t = step("report_handled", self.later(t, 0.3, max(0.5, 0.8 * hours)), handler, result=self.pick("result"))
        step("verify_pass", self.later(t, 0.1, verify), patrol)
        return steps
