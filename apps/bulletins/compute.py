"""The figures of a bulletin, from its period alone.

Nothing here reads the clock: every count is "as at" the end of the period
(cases judged against the period's last moment, stars held by then, findings
open then), and rows come out in a fixed order (rank, then sub-district code),
so the same data and period always give the same bulletin, byte for byte.

Sources, each through its own app:
- cases: `apps.cases.evaluation.evaluate` by sub-district (结案率, 按期结案率);
- stars: the branches' levels at the period's end (awards decided by then and
  not revoked by then, `apps.stars.levels.level_of`) against the sub-district's
  targets of the star period that holds the day;
- supervision: `findings_by_subdistrict` and `visits_by_subdistrict`.

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
from apps.cases.evaluation import evaluate
from apps.stars.levels import TARGET_LEVELS, level_of
from apps.stars.models import Assessment, AssessmentStatus, Branch, Target
from apps.stars.models import Period as StarPeriod
from apps.supervision.findings import findings_by_subdistrict, visits_by_subdistrict

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


def case_figures(period):
    """{sub-district code: {due, closed, closed_on_time, closure_rate, on_time_rate}}."""
    rows = evaluate(period.as_case_period(), by="subdistrict", now=_end_moment(period.last))
    return {r["code"]: {"due": r["due"], "closed": r["closed"], "closed_on_time": r["closed_on_time"],
                        "closure_rate": _ratio(r["closed"], r["due"]),
                        "on_time_rate": _ratio(r["closed_on_time"], r["due"])} for r in rows}


def star_period_of(day):
    """The star period (stars.Period) holding `day`, or None."""
    return StarPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on").first()


def branch_levels(star_period, day, branches=None):
    """[(branch id, sub-district code, level)] at the end of `day`: awards decided by then, not revoked by then."""
    end = _end_moment(day)
    held = defaultdict(set)
    rows = Assessment.objects.filter(
        period=star_period, status__in=[AssessmentStatus.AWARDED, AssessmentStatus.REVOKED], decided_at__lt=end,
    ).filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=end))
    if branches is not None:
        rows = rows.filter(branch__in=branches)
    for branch_id, star in rows.values_list("branch_id", "star"):
        held[branch_id].add(star)
    branches = Branch.objects.all() if branches is None else branches
    return [(pk, code, level_of(held.get(pk, set()), star_period.foundation_gates))
            for pk, code in branches.order_by("community__code").values_list("pk", "community__subdistrict__code")]


def star_figures(day, codes):
    """{sub-district code: {star_period, levels {5,4,3}: {held, target}, met, target, progress}} at the end of `day`."""
    star_period = star_period_of(day)
    empty = {code: {"star_period": None, "levels": {}, "met": 0, "target": 0, "progress": None} for code in codes}
    if star_period is None:
        return empty
    counts = defaultdict(Counter)
    for _pk, code, level in branch_levels(star_period, day):
        counts[code][level] += 1
    targets = {code: t for code, t in (
        (t.subdistrict.code, t) for t in Target.objects.filter(period=star_period, subdistrict__isnull=False)
        .select_related("subdistrict"))}
    result = {}
    for code in codes:
        target = targets.get(code)
        levels, met, total = {}, 0, 0
        for level, field in sorted(TARGET_LEVELS.items(), reverse=True):
            goal = getattr(target, field) if target else 0
            have = counts[code].get(level, 0)
            levels[str(level)] = {"held": have, "target": goal}
            met += min(have, goal)
            total += goal
        result[code] = {"star_period": star_period.code, "levels": levels, "met": met, "target": total,
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
    subdistricts = list(SubDistrict.objects.order_by("code").values_list("code", "name"))
    codes = [code for code, _name in subdistricts]
    cases = case_figures(period)
    outstanding = findings_by_subdistrict(EPOCH, period.last)
    new = findings_by_subdistrict(period.first, period.last)
    visits = visits_by_subdistrict(period.first, period.last)
    year_visits = visits_by_subdistrict(dt.date(period.last.year, 1, 1), period.last)
    rows = []
    for code, name in subdistricts:
        found = new.get(code, {})
        still = outstanding.get(code, {})
        row = {
            "code": code, "name": name,
            "cases": cases.get(code) or {"due": 0, "closed": 0, "closed_on_time": 0,
                                         "closure_rate": None, "on_time_rate": None},
            "findings": {"new": found.get("open", 0) + found.get("signed_off", 0), "open": still.get("open", 0),
                         "overdue": still.get("overdue", 0), "signed_off": still.get("signed_off", 0)},
            "visits": {"branches": visits.get(code, {}).get("branches", 0),
                       "visited": visits.get(code, {}).get("visited", 0),
                       "visited_year": year_visits.get(code, {}).get("visited", 0)},
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
