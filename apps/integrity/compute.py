"""Count the KPI-gaming signals over a period, per department and grid, with the cases behind each number.

Every signal reads the stored rows (cases, events, photos' stored facts) with
one or two queries and finishes in Python over plain tuples; nothing is stored.
The department of a case is its lead (handling) department, the grid the one it
was reported in. A signal counts cases: a case with two far photos counts once,
its detail lists both.

Measured with bench/bench_signals.py on a simulated year of 20,000 cases with
the patterns planted (2 cores): every signal, grouped, 0.32 s on PostGIS and
0.28 s on SpatiaLite (1.2 s on PostGIS while a simulation loaded both cores;
goal 2 s). Churn and fast verifications dominate, mostly reading 20,000 rows,
so both read times as epoch floats (as datetimes: +0.25 s).

Fast verifications are defined on the verifier's own trail: each of their
verifications (pass or fail) against their previous one (looking back up to
30 days), by straight-line distance between the two case points over the time
between the two events. A verification too soon after handling is not
counted: nothing records where the verifier was before.

Steps of `compute_signals`:
1. read the active rules (thresholds are data: SignalRule);
2. find each signal's hits: (case id, moment, detail) within the period and
   the reader's sub-districts;
3. read the hit cases' numbers, departments and grids in one query and group
   the hits by department and by grid.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, FloatField, Func, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from apps.areas.models import Grid
from apps.cases.calendar import load_calendar, working_hours_between
from apps.cases.models import Attachment, Case, CaseEvent, Status
from apps.integrity.models import SignalRule
from apps.integrity.rules import CODES, NAMES, params_for, rule_text, threshold_text
from apps.people.models import Department

# Photos a handler takes of the result, and the verifier's photos of the check.
RESULT_ACTIONS = ("report_handled", "report_part")
VERIFY_ACTIONS = ("verify_pass", "verify_fail")
REQUEST_ACTIONS = ("request_extension", "request_pending")
# A closure that says the problem is gone or settled (not a registration error).
SETTLED_CLOSURES = (Case.Closure.ON_TIME, Case.Closure.OVERDUE, Case.Closure.SPECIAL)
M_PER_DEG_LAT = 110_950.0
M_PER_DEG_LON_EQUATOR = 111_320.0
MASK64 = (1 << 64) - 1


class X(Func):
    function = "ST_X"
    output_field = FloatField()


class Y(Func):
    function = "ST_Y"
    output_field = FloatField()


class Epoch(Func):
    """Seconds since 1970 as a float: reading 40,000 timestamps as datetimes cost 0.25 s of the 2 s budget."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as UTC text; julianday counts days from noon, 24 November 4714 BC.
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s) - 2440587.5) * 86400.0",
                           **extra)


def from_epoch(seconds):
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)


@dataclass(frozen=True)
class Hit:
    case_id: int
    at: dt.datetime
    detail: dict = field(default_factory=dict, compare=False, hash=False)
    # The department answerable, when it is not the case's own (churn: the one whose closure did not hold).
    department_id: int = None


@dataclass
class Window:
    """The period counted [start, end) and the sub-districts read (None: the whole district)."""

    start: dt.datetime
    end: dt.datetime
    subdistricts: list = None

    def cases(self, prefix=""):
        """Q limiting a queryset to cases of the sub-districts read, through `prefix` ("" or "case__")."""
        if self.subdistricts is None:
            return Q()
        return Q(**{f"{prefix}subdistrict_id__in": self.subdistricts})


def metres(x1, y1, x2, y2):
    """Straight-line metres between two lon/lat points (equirectangular: well within 0.1% at district scale)."""
    dx = (x2 - x1) * M_PER_DEG_LON_EQUATOR * math.cos(math.radians((y1 + y2) / 2))
    dy = (y2 - y1) * M_PER_DEG_LAT
    return math.hypot(dx, dy)


# --- the signals ---------------------------------------------------------------------


def photo_reused(window, params):
    """Checked photos within `max_bits` of an earlier photo on another case (pigeonhole on hash chunks).

    Any two 64-bit hashes within k bits agree exactly on at least one of k+1
    disjoint chunks, so candidates come from k+1 dictionaries and only they
    are compared: linear in the photos, on either database.
    """
    k = int(params["max_bits"])
    photos = list(
        Attachment.objects.filter(phash__isnull=False)
        .annotate(moment=Coalesce("event__at", "case__reported_at"))
        .filter(moment__lt=window.end)
        .values_list("pk", "case_id", "phash", "moment", "event__action", "case__subdistrict_id", "case__number")
    )
    widths = [64 // (k + 1) + (1 if i < 64 % (k + 1) else 0) for i in range(k + 1)]
    shifts = [sum(widths[:i]) for i in range(k + 1)]
    buckets = [defaultdict(list) for _ in widths]
    keyed = []
    for row in photos:
        h = row[2] & MASK64
        keys = [(h >> s) & ((1 << w) - 1) for s, w in zip(shifts, widths)]
        keyed.append((row, h, keys))
        for bucket, key in zip(buckets, keys):
            bucket[key].append((row, h))
    scope = None if window.subdistricts is None else set(window.subdistricts)
    hits = {}
    for row, h, keys in keyed:
        pk, case_id, _phash, moment, action, subdistrict, _number = row
        if action not in RESULT_ACTIONS + VERIFY_ACTIONS or not window.start <= moment < window.end:
            continue
        if scope is not None and subdistrict not in scope:
            continue
        best = None
        for bucket, key in zip(buckets, keys):
            for other, other_h in bucket[key]:
                if other[1] == case_id or (other[3], other[0]) >= (moment, pk):
                    continue  # same case, or not earlier
                bits = (h ^ other_h).bit_count()
                if bits <= k and (best is None or (bits, other[3]) < (best[0], best[1][3])):
                    best = (bits, other)
        if best is not None:
            found = hits.setdefault(case_id, Hit(case_id, moment, {"photos": []}))
            found.detail["photos"].append({"photo": pk, "bits": best[0], "other_case": best[1][6]})
    return list(hits.values())


def photo_far(window, params):
    rows = Attachment.objects.filter(
        window.cases("case__"), event__action__in=RESULT_ACTIONS, event__at__gte=window.start,
        event__at__lt=window.end, distance_m__gt=params["max_distance_m"],
    ).order_by("event__at", "pk").values_list("case_id", "event__at", "pk", "distance_m")
    hits = {}
    for case_id, at, pk, distance in rows:
        hits.setdefault(case_id, Hit(case_id, at, {"photos": []})).detail["photos"].append(
            {"photo": pk, "distance_m": round(distance)})
    return list(hits.values())


def photo_early(window, params):
    tolerance = dt.timedelta(minutes=params["tolerance_minutes"])
    rows = Attachment.objects.filter(
        window.cases("case__"), event__action__in=RESULT_ACTIONS, event__at__gte=window.start,
        event__at__lt=window.end, taken_at__isnull=False, case__dispatched_at__isnull=False,
        taken_at__lt=F("case__dispatched_at") - tolerance,
    ).order_by("event__at", "pk").values_list("case_id", "event__at", "pk", "taken_at", "case__dispatched_at")
    hits = {}
    for case_id, at, pk, taken, dispatched in rows:
        hits.setdefault(case_id, Hit(case_id, at, {"photos": []})).detail["photos"].append(
            {"photo": pk, "minutes_before": round((dispatched - taken).total_seconds() / 60)})
    return list(hits.values())


def reopen_churn(window, params):
    """New reports near a case of the same category closed in the `days` before.

    Closed cases go into cells of `max_distance_m` per category; a report
    looks in its cell and the eight around it, so the work is linear in the
    cases (a nested loop over a year's closures took 4.4 s; this, milliseconds).
    """
    days = dt.timedelta(days=params["days"])
    span = days.total_seconds()
    limit = params["max_distance_m"]
    # Cell sides in degrees at the district's latitude, 1% larger so the 3x3 cells always hold the circle.
    cell_y = 1.01 * limit / M_PER_DEG_LAT
    cells = defaultdict(list)
    cell_x = None
    for category, closed_at, pk, number, x, y, department in (
        Case.objects.filter(closure__in=SETTLED_CLOSURES, closed_at__gte=window.start - days, closed_at__lt=window.end)
        .annotate(x=X("point"), y=Y("point"), t=Epoch("closed_at"))
        .values_list("category_id", "t", "pk", "number", "x", "y", "department_id")
    ):
        if cell_x is None:
            # Half a degree north of the first case: wide enough for every point of a district.
            cell_x = 1.01 * limit / (M_PER_DEG_LON_EQUATOR * math.cos(math.radians(y + 0.5)))
        cells[(category, math.floor(x / cell_x), math.floor(y / cell_y))].append(
            (closed_at, pk, number, x, y, department))
    if not cells:
        return []
    reports = (
        Case.objects.filter(window.cases(), reported_at__gte=window.start, reported_at__lt=window.end)
        .exclude(status=Status.REJECTED)
        .annotate(x=X("point"), y=Y("point"), t=Epoch("reported_at"))
        .values_list("pk", "category_id", "t", "x", "y")
    )
    hits = []
    for pk, category, reported, x, y in reports:
        ix, iy = math.floor(x / cell_x), math.floor(y / cell_y)
        best = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for closed_at, other_pk, number, ox, oy, department in cells.get((category, ix + dx, iy + dy), ()):
                    if not reported - span <= closed_at < reported or other_pk == pk:
                        continue
                    d = metres(x, y, ox, oy)
                    if d <= limit and (best is None or (d, number) < best[:2]):
                        best = (d, number, closed_at, department)
        if best is not None:
            hits.append(Hit(pk, from_epoch(reported), {"closed_case": best[1], "distance_m": round(best[0], 1),
                                                   "hours_after_closure": round((reported - best[2]) / 3600, 1)},
                            department_id=best[3]))
    return hits


def fast_verification(window, params):
    """Consecutive verifications by one verifier: flagged when far apart and faster than `max_speed_kmh`.

    A verification at a case `min_distance_m` or more from the verifier's
    previous one (a minimum, so two cases at one spot verified together are
    fine) counts when distance / time between them exceeds `max_speed_kmh`.
    """
    min_d, max_speed = params["min_distance_m"], params["max_speed_kmh"]
    rows = (
        CaseEvent.objects.filter(action__in=VERIFY_ACTIONS, actor__isnull=False, at__lt=window.end,
                                 at__gte=window.start - dt.timedelta(days=30))
        .annotate(x=X("case__point"), y=Y("case__point"), t=Epoch("at"))
        .order_by("actor_id", "at", "pk")
        .values_list("actor_id", "t", "case_id", "case__number", "case__subdistrict_id", "x", "y")
    )
    scope = None if window.subdistricts is None else set(window.subdistricts)
    start = window.start.timestamp()
    hits = {}
    previous = None
    for row in rows:
        actor, at, case_id, _number, subdistrict, x, y = row
        if previous is not None and previous[0] == actor and at >= start and (
                scope is None or subdistrict in scope):
            d = metres(previous[5], previous[6], x, y)
            seconds = at - previous[1]
            speed = math.inf if seconds <= 0 else d / seconds * 3.6
            if d >= min_d and speed > max_speed:
                hits.setdefault(case_id, Hit(case_id, from_epoch(at), {
                    "previous_case": previous[3], "distance_m": round(d), "seconds": round(seconds, 1),
                    "speed_kmh": None if math.isinf(speed) else round(speed, 1)}))
        previous = row
    return list(hits.values())


def deadline_requests(window, params):
    """Requests in the last `last_share` of the handling window; also every request, for the shares.

    The window of a request is the working time from the case's latest dispatch
    before it to the deadline in force then (the dispatch's, or the latest
    granted extension's before the request).
    """
    requests = list(
        CaseEvent.objects.filter(window.cases("case__"), action__in=REQUEST_ACTIONS, at__gte=window.start,
                                 at__lt=window.end)
        .order_by("at", "pk").values_list("case_id", "at", "action", "pk")
    )
    timeline = defaultdict(list)
    for case_id, action, at, data in (
        CaseEvent.objects.filter(case_id__in={r[0] for r in requests}, action__in=("dispatch", "grant_extension"))
        .order_by("at", "pk").values_list("case_id", "action", "at", "data")
    ):
        deadline = (data or {}).get("deadline" if action == "dispatch" else "to")
        timeline[case_id].append((action, at, dt.datetime.fromisoformat(deadline) if deadline else None))
    calendar = load_calendar()
    hits, every = [], []
    for case_id, at, action, pk in requests:
        dispatched, deadline = None, None
        for kind, moment, value in timeline[case_id]:
            if moment > at:
                break
            if kind == "dispatch":
                dispatched, deadline = moment, value
            elif value is not None:
                deadline = value
        if dispatched is None or deadline is None:
            continue
        span = working_hours_between(calendar, dispatched, deadline)
        left = working_hours_between(calendar, at, deadline) if at < deadline else 0.0
        every.append(case_id)
        if span > 0 and left <= params["last_share"] * span:
            hits.append(Hit(case_id, at, {"event": pk, "action": action, "hours_left": round(left, 2),
                                          "window_hours": round(span, 2)}))
    return hits, every


FINDERS = {
    "photo_reused": photo_reused,
    "photo_far": photo_far,
    "photo_early": photo_early,
    "reopen_churn": reopen_churn,
    "fast_verification": fast_verification,
    "deadline_requests": deadline_requests,
}


# --- figures per department and grid ------------------------------------------------


def active_rules(codes=None):
    """(code, SignalRule) of the active rules in CODES order, limited to `codes` when given."""
    rules = {rule.code: rule for rule in SignalRule.objects.filter(active=True, code__in=CODES)}
    return [(code, rules[code]) for code in CODES if code in rules and (codes is None or code in codes)]


def find_hits(code, window, params):
    """(hits, every) of one signal: `every` lists the cases of all requests for deadline_requests, else None."""
    found = FINDERS[code](window, params)
    return found if code == "deadline_requests" else (found, None)


def compute_signals(window, *, codes=None):
    """Each active signal's rule, thresholds, total, rows per department and grid, and the cases behind them."""
    results = []
    for code, rule in active_rules(codes):
        params = params_for(code, rule.params)
        hits, every = find_hits(code, window, params)
        results.append({"code": code, "rule_row": rule, "params": params, "hits": hits, "every": every})
    case_ids = {h.case_id for r in results for h in r["hits"]} | {c for r in results for c in (r["every"] or ())}
    info = {
        row[0]: row[1:] for row in Case.objects.filter(pk__in=case_ids).values_list(
            "pk", "number", "department_id", "grid_id")
    }
    wanted = {v[1] for v in info.values()} | {h.department_id for r in results for h in r["hits"]}
    departments, names = {}, {}
    for pk, code, name in Department.objects.filter(pk__in=wanted - {None}).values_list("pk", "code", "name"):
        departments[pk], names[pk] = code, name
    grids = {pk: (code, name) for pk, code, name in Grid.objects.filter(
        pk__in={v[2] for v in info.values()}).values_list("pk", "code", "name")}
    answer = []
    for result in results:
        code, params, rule = result["code"], result["params"], result["rule_row"]
        cases = []
        for hit in sorted(result["hits"], key=lambda h: (h.at, info[h.case_id][0])):
            number, department, grid = info[hit.case_id]
            cases.append({"number": number, "at": hit.at.isoformat(),
                          "department": departments.get(hit.department_id or department, ""),
                          "grid": grids[grid][0], **hit.detail})
        by_department = _group(result, info, lambda h, v: (h and h.department_id) or v[1],
                               lambda pk: (departments.get(pk, ""), names.get(pk, _("Not dispatched"))), params)
        by_grid = _group(result, info, lambda h, v: v[2], lambda pk: grids[pk], params)
        answer.append({
            "code": code,
            "name": rule.name or str(NAMES[code]),
            "description": rule.description,
            "rule": rule_text(code, params),
            "threshold": threshold_text(params),
            "params": params,
            "total": len(cases),
            "cases": cases,
            "departments": by_department,
            "grids": by_grid,
        })
    return answer


def _group(result, info, unit_of, label_of, params):
    counted = defaultdict(list)
    for hit in result["hits"]:
        counted[unit_of(hit, info[hit.case_id])].append(info[hit.case_id][0])
    requests = None
    if result["every"] is not None:
        requests = defaultdict(int)
        for case_id in result["every"]:
            requests[unit_of(None, info[case_id])] += 1
    rows = []
    for unit, numbers in counted.items():
        code, name = label_of(unit)
        row = {"code": code, "name": name, "count": len(numbers), "cases": sorted(set(numbers))}
        if requests is not None:
            row["requests"] = requests[unit]
            row["share"] = round(len(numbers) / requests[unit], 4) if requests[unit] else None
            row["flagged"] = bool(len(numbers) >= params["flag_min_count"]
                                  and (row["share"] or 0) >= params["flag_min_share"])
        rows.append(row)
    rows.sort(key=lambda r: (-r["count"], r["code"]))
    return rows
