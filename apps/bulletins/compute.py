"""The figures of a bulletin, from its period alone.

Nothing here reads the clock: every count is "as at" the end of the period
(cases judged against the period's last moment, stars held by then, findings
open then), and rows come out in a fixed order (rank, then sub-district code),
so the same data and period always give the same bulletin, byte for byte.

Sources, each through its own app:
- cases: the GROUP BY of `apps.cases.evaluation.evaluate` by sub-district
  (`area_figures`: 结案率, 按期结案率), compiled once with slots for the
  period (`apps.bulletins.prepared`): the same SQL and figures, without the
  ORM's building cost on every bulletin;
- stars: the branches' levels at the period's end (awards decided by then and
  not revoked by then, `apps.stars.levels.level_of`) against the sub-district's
  targets of the star period that holds the day (compiled once as well);
- supervision: the GROUP BYs of `findings_by_subdistrict` (open at the end,
  and new in the period, in one query) and `visits_by_subdistrict` (the
  period, and the year so far, in one query), compiled once as well.

The monthly score (100 points), as RULES tells readers:
  25 x closure rate + 25 x on-time rate + 25 x star progress
  + 15 x research-visit coverage of the year so far + 10 x rectification rate;
a figure with nothing to count (no case due, no target, no finding) earns its
full points, so a quiet sub-district is not ranked below a busy one for it.
"""

import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.areas.models import SubDistrict
from apps.bulletins.prepared import Prepared
from apps.cases.evaluation import area_figures
from apps.stars.levels import TARGET_LEVELS, level_of
from apps.stars.models import Assessment, AssessmentStatus, Branch, Target
from apps.stars.models import Period as StarPeriod
from apps.supervision.findings import CODE, branch_counts, finding_counts, visited_counts

# Findings are counted "open at the end" from the first one ever found.
EPOCH = dt.date(2000, 1, 1)

WEIGHTS = {"closure_rate": 25, "on_time_rate": 25, "star_progress": 25, "visit_coverage": 15,
           "rectification_rate": 10}

RULES = [
    ("closure_rate", gettext_lazy("Closure rate (结案率) and on-time closure rate (按期结案率): the cases due to close "
                                  "in the period, as the evaluation page counts them, judged at the period's end.")),
    ("star_progress", gettext_lazy("Star progress (创星进度): branches holding exactly five, four and three stars at the "
                                   "period's end, each level counted up to its target, over the sum of the targets.")),
    ("findings", gettext_lazy("Findings (督查问题): open = found by the period's end and not signed off by then; "
                              "overdue = of those, past their rectification deadline; new = found in the period.")),
    ("visits", gettext_lazy("Research visits (过筛子): branches visited in the period, and in the year so far, "
                            "of the sub-district's branches.")),
    ("score", gettext_lazy("Score (100): 25 x closure rate + 25 x on-time rate + 25 x star progress + 15 x visit "
                           "coverage of the year so far + 10 x rectification rate (signed off / signed off and open). "
                           "A figure with nothing to count earns its full points.")),
    ("observation", gettext_lazy("Observation (季观摩): the mean of the judges' scores (0-100); the quarterly ranking "
                                 "follows it, then the score.")),
]


def _end_moment(day):
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _ratio(part, whole):
    return round(part / whole, 4) if whole else None


def _two(value):
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class _Span:
    def __init__(self, start, end):
        self.start, self.end = start, end


# The sub-districts' case counts the bulletin shows, as `evaluate(by="subdistrict")` counts them.
CASE_COUNTS = Prepared(
    lambda start, end, now: area_figures(_Span(start, end), now, "subdistrict").values(
        "subdistrict_id", "due", "closed", "closed_on_time"),
    start="datetime", end="datetime", now="datetime",
)


def case_figures(period, subdistricts=None):
    """{sub-district code: {due, closed, closed_on_time, closure_rate, on_time_rate}}, every sub-district.

    The figures of `evaluate(period.as_case_period(), by="subdistrict")` judged
    at the period's end; `subdistricts`: [(id, code)] when the caller has them.
    """
    case_period = period.as_case_period()
    counted = {r["subdistrict_id"]: r for r in CASE_COUNTS.rows(
        start=case_period.start, end=case_period.end, now=_end_moment(period.last))}
    if subdistricts is None:
        subdistricts = SubDistrict.objects.order_by("code").values_list("pk", "code")
    result = {}
    for pk, code in subdistricts:
        r = counted.get(pk) or {"due": 0, "closed": 0, "closed_on_time": 0}
        result[code] = {"due": r["due"], "closed": r["closed"], "closed_on_time": r["closed_on_time"],
                        "closure_rate": _ratio(r["closed"], r["due"]),
                        "on_time_rate": _ratio(r["closed_on_time"], r["due"])}
    return result


# The supervision figures, as findings_by_subdistrict(EPOCH, last, new_from=first) and
# visits_by_subdistrict(first, last, since=the year's first day) count them.
FINDINGS = Prepared(
    lambda lower, start, end, end_moment, new_from: finding_counts(start, end, end_moment, new_from=new_from,
                                                                   lower=lower),
    lower="date", start="date", end="date", end_moment="datetime", new_from="date",
)
VISITED = Prepared(lambda lower, start, end, since: visited_counts(start, end, since=since, lower=lower),
                   lower="date", start="date", end="date", since="date")
BRANCH_COUNTS = Prepared(branch_counts)


def supervision_figures(period):
    """({code: {open, overdue, signed_off, new}}, {code: {branches, visited, visited_since}}); absent codes: 0."""
    year = dt.date(period.last.year, 1, 1)
    findings = {r.pop(CODE): r for r in FINDINGS.rows(
        lower=min(EPOCH, period.first), start=EPOCH, end=period.last, end_moment=_end_moment(period.last),
        new_from=period.first)}
    visits = defaultdict(dict)
    for r in BRANCH_COUNTS.rows():
        visits[r["community__subdistrict__code"]]["branches"] = r["branches"]
    for r in VISITED.rows(lower=min(period.first, year), start=period.first, end=period.last, since=year):
        visits[r.pop(CODE)].update(r)
    return findings, visits


def star_period_of(day):
    """The star period (stars.Period) holding `day`, or None."""
    return StarPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on").first()


def _held(star_period, end):
    """The awards of `star_period` held at `end`: decided before it, not revoked before it."""
    return Assessment.objects.filter(
        period=star_period, status__in=[AssessmentStatus.AWARDED, AssessmentStatus.REVOKED], decided_at__lt=end,
    ).filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=end))


def _levels(held_rows, branch_rows, gated):
    """[(branch id, sub-district code, level)] from (branch id, star) and (branch id, code) rows."""
    held = defaultdict(set)
    for branch_id, star in held_rows:
        held[branch_id].add(star)
    return [(pk, code, level_of(held.get(pk, set()), gated)) for pk, code in branch_rows]


def branch_levels(star_period, day, branches=None):
    """[(branch id, sub-district code, level)] at the end of `day`: awards decided by then, not revoked by then."""
    rows = _held(star_period, _end_moment(day))
    if branches is not None:
        rows = rows.filter(branch__in=branches)
    branches = Branch.objects.all() if branches is None else branches
    return _levels(rows.values_list("branch_id", "star"),
                   branches.order_by("community__code").values_list("pk", "community__subdistrict__code"),
                   star_period.foundation_gates)


# star_figures' queries for every bulletin, as `star_period_of`, `branch_levels` and the targets ask them.
PERIOD_AT = Prepared(
    lambda day: StarPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on")
    .values("pk", "code", "foundation_gates")[:1],
    day="date",
)
HELD = Prepared(lambda period, end: _held(period, end).values("branch_id", "star"), period="id", end="datetime")
BRANCHES = Prepared(lambda: Branch.objects.order_by("community__code").values("pk", "community__subdistrict__code"))
TARGETS = Prepared(
    lambda period: Target.objects.filter(period=period, subdistrict__isnull=False)
    .values("subdistrict__code", *TARGET_LEVELS.values()),
    period="id",
)


def star_figures(day, codes):
    """{sub-district code: {star_period, levels {5,4,3}: {held, target}, met, target, progress}} at the end of `day`."""
    found = PERIOD_AT.rows(day=day)
    empty = {code: {"star_period": None, "levels": {}, "met": 0, "target": 0, "progress": None} for code in codes}
    if not found:
        return empty
    star_period = found[0]
    counts = defaultdict(Counter)
    held = ((r["branch_id"], r["star"]) for r in HELD.rows(period=star_period["pk"], end=_end_moment(day)))
    branches = ((r["pk"], r["community__subdistrict__code"]) for r in BRANCHES.rows())
    for _pk, code, level in _levels(held, branches, star_period["foundation_gates"]):
        counts[code][level] += 1
    targets = {t["subdistrict__code"]: t for t in TARGETS.rows(period=star_period["pk"])}
    result = {}
    for code in codes:
        target = targets.get(code)
        levels, met, total = {}, 0, 0
        for level, field in sorted(TARGET_LEVELS.items(), reverse=True):
            goal = target[field] if target else 0
            have = counts[code].get(level, 0)
            levels[str(level)] = {"held": have, "target": goal}
            met += min(have, goal)
            total += goal
        result[code] = {"star_period": star_period["code"], "levels": levels, "met": met, "target": total,
                        "progress": _ratio(met, total)}
    return result


def observation_figures(period_code):
    """{sub-district code: {"mean": x or None, "judges": n}} from the judges' scores of a quarter."""
    from apps.bulletins.models import ObservationScore

    rows = (ObservationScore.objects.filter(period=period_code).values("subdistrict__code")
            .annotate(mean=Avg("score"), judges=Count("pk")).order_by())
    return {r["subdistrict__code"]: {"mean": _two(r["mean"]), "judges": r["judges"]} for r in rows}


def _score(row):
    parts = {
        "closure_rate": row["cases"]["closure_rate"],
        "on_time_rate": row["cases"]["on_time_rate"],
        "star_progress": row["stars"]["progress"],
        "visit_coverage": _ratio(row["visits"]["visited_year"], row["visits"]["branches"]),
        "rectification_rate": _ratio(row["findings"]["signed_off"],
                                     row["findings"]["signed_off"] + row["findings"]["open"]),
    }
    return _two(sum(weight * (1 if parts[key] is None else parts[key]) for key, weight in WEIGHTS.items()))


def rank(rows, key):
    """Rows ordered best first by key(row) (a tuple, larger is better), each given `rank`; ties share it."""
    ordered = sorted(rows, key=lambda r: (tuple(-v for v in key(r)), r["code"]))
    previous, current = None, 0
    for position, row in enumerate(ordered, start=1):
        if key(row) != previous:
            current, previous = position, key(row)
        row["rank"] = current
    return ordered


def _totals(rows):
    def add(section, *fields):
        return {f: sum(r[section][f] for r in rows) for f in fields}

    cases = add("cases", "due", "closed", "closed_on_time")
    cases["closure_rate"] = _ratio(cases["closed"], cases["due"])
    cases["on_time_rate"] = _ratio(cases["closed_on_time"], cases["due"])
    totals = {"cases": cases, "findings": add("findings", "new", "open", "overdue", "signed_off"),
              "visits": add("visits", "branches", "visited", "visited_year")}
    if rows and "stars" in rows[0]:
        totals["stars"] = add("stars", "met", "target")
        totals["stars"]["progress"] = _ratio(totals["stars"]["met"], totals["stars"]["target"])
    return totals


def compute(period):
    """The bulletin's data (plain JSON) for a BulletinPeriod."""
    subdistricts = list(SubDistrict.objects.order_by("code").values_list("pk", "code", "name"))
    codes = [code for _pk, code, _name in subdistricts]
    cases = case_figures(period, [(pk, code) for pk, code, _name in subdistricts])
    outstanding, visits = supervision_figures(period)
    rows = []
    for _pk, code, name in subdistricts:
        still = outstanding.get(code, {})
        row = {
            "code": code, "name": name,
            "cases": cases.get(code) or {"due": 0, "closed": 0, "closed_on_time": 0,
                                         "closure_rate": None, "on_time_rate": None},
            "findings": {"new": still.get("new", 0), "open": still.get("open", 0),
                         "overdue": still.get("overdue", 0), "signed_off": still.get("signed_off", 0)},
            "visits": {"branches": visits.get(code, {}).get("branches", 0),
                       "visited": visits.get(code, {}).get("visited", 0),
                       "visited_year": visits.get(code, {}).get("visited_since", 0)},
        }
        rows.append(row)
    if period.kind in ("monthly", "quarterly"):
        stars = star_figures(period.last, codes)
        for row in rows:
            row["stars"] = stars[row["code"]]
            row["score"] = _score(row)
    if period.kind == "monthly":
        rows = rank(rows, lambda r: (r["score"],))
    elif period.kind == "quarterly":
        observed = observation_figures(period.code)
        for row in rows:
            row["observation"] = observed.get(row["code"], {"mean": None, "judges": 0})
        rows = rank(rows, lambda r: (r["observation"]["mean"] is not None, r["observation"]["mean"] or 0, r["score"]))
    data = {
        "kind": period.kind, "period": period.code,
        "first": period.first.isoformat(), "last": period.last.isoformat(),
        "rows": rows, "totals": _totals(rows),
    }
    if period.kind != "weekly":
        data["star_period"] = rows[0]["stars"]["star_period"] if rows else None
    return data
