"""Evaluation (综合评价): the standard rates per department, sub-district or grid over a period.

Every figure is a conditional count in one GROUP BY, over the cases (area rows)
or over the departments' parts of cases (department rows), plus one GROUP BY
over the return events; nothing loops over cases in Python. Measured with
bench/bench_evaluation.py on the 20,000 cases of `simulate_cases` (a year, PostGIS,
busy 2-core machine): 87 / 94 / 111 ms by department / sub-district / grid, beside
38-47 ms for one hand-written GROUP BY of just two of the counts.

The counting rules (domain.md), as `RULES` says them to users:

- A case becomes *due to close* (应结案) once: when it is handled on time, or
  when its handling deadline passes first (overdue, handled later or not yet).
  It counts in the period in which that moment falls.
- *Closed* (结案) counts the due cases that are closed now (passed
  verification); *closed on time* those handled by their deadline.
- *Handled* counts cases whose handling was reported in the period; a reworked
  case counts when it is reported again. *Reworked* are the handled cases that
  ever failed verification (返工).
- *Dispatched* counts cases dispatched in the period (a case returned and
  re-dispatched counts at its last dispatch); *extended* those of them with an
  extension granted (延期).
- Cases held as pending (挂账), or closed as special from pending, are left
  out of every handling figure and counted apart as *pending*.
- Departments: each counts its own part (联动联勤). A co-handling department's
  part is handled when it reports its part; extensions count for the lead
  department only (only the lead asks); rework counts for every part (every
  part is sent back). A return (回退) that is approved takes the case out of
  the returning department's figures; the department counts it as *returned*.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.areas.models import Grid, SubDistrict
from apps.cases.models import Case, CaseEvent, CasePart, Status
from apps.people.models import Department

GROUPINGS = ("department", "subdistrict", "grid")
COUNTS = ("reported", "dispatched", "handled", "due", "closed", "closed_on_time", "overdue", "reworked",
          "extended", "returned", "pending")
RATES = ("closure_rate", "on_time_rate", "rework_rate", "extension_rate")
# Figures where a smaller number ranks higher.
LOWER_IS_BETTER = {"rework_rate", "extension_rate", "mean_handling_hours", "overdue", "returned", "pending"}
# Mean handling time is wall-clock hours (nights and weekends included), averaged by
# the database; working hours would need a per-case calendar walk in Python.
HANDLING_TIME_BASIS = "wall_clock_hours"

RULES = [
    ("due", gettext_lazy(
        "Due to close (应结案): a case handled on time counts when it is handled; a case whose handling "
        "deadline passes first counts when the deadline passes, handled later or not at all.")),
    ("closure_rate", gettext_lazy("Closure rate (结案率) = due cases now closed / due to close.")),
    ("on_time_rate", gettext_lazy(
        "On-time closure rate (按期结案率) = due cases closed and handled by their deadline / due to close.")),
    ("rework_rate", gettext_lazy(
        "Rework rate (返工率) = cases handled in the period that ever failed verification / cases handled "
        "in the period.")),
    ("extension_rate", gettext_lazy(
        "Extension rate (延期率) = cases dispatched in the period with an extension granted / cases "
        "dispatched in the period.")),
    ("mean_handling_hours", gettext_lazy(
        "Mean handling time (平均处置时长): wall-clock hours from dispatch to the reported handling, over the "
        "cases handled in the period.")),
    ("pending", gettext_lazy(
        "Cases held as pending (挂账), or closed as special from pending, are left out of every handling "
        "figure and counted apart.")),
    ("department", gettext_lazy(
        "Departments count their own part of jointly handled cases (联动联勤): a co-handling department when "
        "it reports its part; extensions count for the lead department only, rework for every part.")),
    ("returned", gettext_lazy(
        "Returned (回退): returns a department asked for in the period; an approved return moves the case to "
        "the department it is dispatched to next.")),
]


class PeriodError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    first: dt.date  # inclusive
    last: dt.date  # inclusive
    label: str

    @property
    def start(self):
        return _midnight(self.first)

    @property
    def end(self):
        return _midnight(self.last + dt.timedelta(days=1))


def _midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _quarter(year, q):
    first = dt.date(year, 3 * q - 2, 1)
    return Period(first, _month_end(year, 3 * q), f"{year}-Q{q}")


def _month_end(year, month):
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


MAX_DAYS = 366 * 5


def parse_period(period=None, start=None, end=None, *, today=None):
    """A Period from "2026", "2026-Q3", "2026-09", or two ISO dates (both inclusive).

    Nothing given: the current month. PeriodError names the parameter at fault.
    """
    if start or end:
        if period:
            raise PeriodError("period", _("Give either period or from/to, not both."))
        days = []
        for name, text in (("from", start), ("to", end)):
            if not text:
                raise PeriodError(name, _("Give both from and to (YYYY-MM-DD)."))
            try:
                days.append(dt.date.fromisoformat(text))
            except ValueError:
                raise PeriodError(name, _("%(name)s=%(value)s is not a date (YYYY-MM-DD).")
                                  % {"name": name, "value": text}) from None
        first, last = days
        if last < first:
            raise PeriodError("to", _("to must not be before from."))
        if (last - first).days > MAX_DAYS:
            raise PeriodError("to", _("A period spans at most five years."))
        return Period(first, last, f"{first.isoformat()}..{last.isoformat()}")
    if not period:
        today = today or timezone.localdate()
        return Period(today.replace(day=1), _month_end(today.year, today.month), f"{today:%Y-%m}")
    text = period.strip().upper()
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        return _quarter(int(m[1]), int(m[2]))
    if (m := re.fullmatch(r"(\d{4})-(\d{2})", text)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        return Period(dt.date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")
    raise PeriodError("period", _("period=%(value)s: use a year (2026), a quarter (2026-Q3) or a month (2026-09).")
                      % {"value": period})


def _figures(period, now, *, case, handled, lead=None):
    """The conditional aggregates shared by area and department rows.

    `case` is the lookup prefix from the grouped rows to the case ("" or
    "case__"); `handled` the field that holds when this row's handling was
    reported (the case's handled_at, or a department part's reported_at).
    """

    def c(name):
        return case + name

    def within(field):
        return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})

    deadline = c("handle_deadline")
    kept = ~Q(**{c("status"): Status.PENDING}) & ~Q(**{c("closure"): Case.Closure.SPECIAL})
    on_time = Q(**{f"{handled}__isnull": False}) & (
        Q(**{f"{deadline}__isnull": True}) | Q(**{f"{handled}__lte": F(deadline)})
    )
    # The deadline passed before the handling was reported (or it never was).
    overdue = within(deadline) & Q(**{f"{deadline}__lte": now}) & (
        Q(**{f"{handled}__isnull": True}) | Q(**{f"{handled}__gt": F(deadline)})
    )
    due = kept & ((within(handled) & on_time) | overdue)
    closed = Q(**{c("status"): Status.CLOSED, f"{c('closure')}__in": [Case.Closure.ON_TIME, Case.Closure.OVERDUE]})
    handled_here = kept & within(handled)
    dispatched = within(c("dispatched_at"))
    extended = kept & dispatched & Q(**{f"{c('extension_count')}__gt": 0})
    if lead is not None:
        extended &= lead
    return {
        "dispatched": Count("pk", filter=kept & dispatched),
        "pending": Count("pk", filter=~kept & dispatched),
        "handled": Count("pk", filter=handled_here),
        "reworked": Count("pk", filter=handled_here & Q(**{f"{c('rework_count')}__gt": 0})),
        "extended": Count("pk", filter=extended),
        "due": Count("pk", filter=due),
        "closed": Count("pk", filter=due & closed),
        "closed_on_time": Count("pk", filter=due & closed & on_time),
        "overdue": Count("pk", filter=kept & overdue),
        "handling_time": Avg(
            ExpressionWrapper(F(handled) - F(c("dispatched_at")), output_field=DurationField()),
            filter=handled_here & Q(**{f"{c('dispatched_at')}__isnull": False}),
        ),
    }


def _active(period, *fields):
    """Rows with any of these moments in the period: the only ones a figure can count."""
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})
    return q


def _rates(row):
    def ratio(part, whole):
        return row[part] / row[whole] if row[whole] else None

    row["closure_rate"] = ratio("closed", "due")
    row["on_time_rate"] = ratio("closed_on_time", "due")
    row["rework_rate"] = ratio("reworked", "handled")
    row["extension_rate"] = ratio("extended", "dispatched")
    spent = row.pop("handling_time")
    if spent is not None and not isinstance(spent, dt.timedelta):  # some backends return microseconds
        spent = dt.timedelta(microseconds=spent)
    row["mean_handling_hours"] = round(spent.total_seconds() / 3600, 2) if spent is not None else None
    return row


def evaluate(period, by="department", *, subdistricts=None, now=None):
    """Rows of figures for `period`, one per department, sub-district or grid.

    `subdistricts` (ids) limits the cases counted to those areas: a
    sub-district's people see its grids, and each department's figures for
    their sub-district only. `now` fixes the moment deadlines are judged
    against (tests and reruns); default: now.
    """
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    now = now or timezone.now()
    if by == "department":
        rows = _department_rows(period, now, subdistricts)
    else:
        rows = _area_rows(period, now, subdistricts, by)
    return [_rates(row) for row in rows]


def _returns(period, key, subdistricts):
    events = CaseEvent.objects.filter(action="return", at__gte=period.start, at__lt=period.end)
    if subdistricts is not None:
        events = events.filter(case__subdistrict_id__in=subdistricts)
    return dict(events.values_list(key).annotate(n=Count("case", distinct=True)).values_list(key, "n"))


def _department_rows(period, now, subdistricts):
    parts = CasePart.objects.filter(_active(period, "case__dispatched_at", "case__handle_deadline", "reported_at"))
    if subdistricts is not None:
        parts = parts.filter(case__subdistrict_id__in=subdistricts)
    figures = {
        row.pop("department_id"): row
        for row in parts.values("department_id").annotate(
            **_figures(period, now, case="case__", handled="reported_at", lead=Q(lead=True))
        ).order_by()
    }
    returned = _returns(period, "department_id", subdistricts)
    returned.pop(None, None)
    ids = set(figures) | set(returned)
    rows = []
    for dep in Department.objects.filter(pk__in=ids).values("pk", "code", "name").order_by("code"):
        row = figures.get(dep["pk"]) or _empty()
        row.update(id=dep["pk"], code=dep["code"], name=dep["name"], reported=None,
                   returned=returned.get(dep["pk"], 0))
        rows.append(row)
    return rows


def area_figures(period, now, by="subdistrict", subdistricts=None):
    """The GROUP BY behind the sub-district and grid rows: a values queryset, one row per area with cases,
    its key column ("subdistrict_id" or "grid_id") and every count (handling_time still a duration).

    `period` is anything with `start` and `end` moments (a Period). Callers that
    run it often compile it once with slots for those moments and `now`
    (`apps.bulletins.prepared`); its rows are the figures of `evaluate`.
    """
    key = "subdistrict_id" if by == "subdistrict" else "grid_id"
    cases = Case.objects.filter(_active(period, "reported_at", "dispatched_at", "handle_deadline", "handled_at"))
    if subdistricts is not None:
        cases = cases.filter(subdistrict_id__in=subdistricts)
    within = Q(reported_at__gte=period.start, reported_at__lt=period.end)
    return cases.values(key).annotate(
        reported=Count("pk", filter=within), **_figures(period, now, case="", handled="handled_at")
    ).order_by()


def _area_rows(period, now, subdistricts, by):
    key = "subdistrict_id" if by == "subdistrict" else "grid_id"
    figures = {row.pop(key): row for row in area_figures(period, now, by, subdistricts)}
    returned = _returns(period, f"case__{key}", subdistricts)
    if by == "subdistrict":
        # Every sub-district in view gets a row, idle ones with zeros: the ranking shows all 17.
        areas = SubDistrict.objects.all() if subdistricts is None else SubDistrict.objects.filter(pk__in=subdistricts)
    else:
        areas = Grid.objects.filter(pk__in=set(figures) | set(returned))
    rows = []
    for area in areas.values("pk", "code", "name").order_by("code"):
        row = figures.get(area["pk"]) or _empty()
        row.update(id=area["pk"], code=area["code"], name=area["name"], returned=returned.get(area["pk"], 0))
        rows.append(row)
    return rows


def _empty():
    row = dict.fromkeys(COUNTS, 0)
    row["handling_time"] = None
    return row


def ranking(rows, key):
    """Rows ordered best first by `key`, each with a `rank` (ties share it: 1, 2, 2, 4).

    Rates rank high-to-low, except those in LOWER_IS_BETTER; rows with no
    value (nothing due, nothing handled) go last with rank None.
    """
    if key not in RATES + COUNTS + ("mean_handling_hours",):
        raise ValueError(f"cannot rank by {key}")
    sign = 1 if key in LOWER_IS_BETTER else -1
    valued = sorted((r for r in rows if r.get(key) is not None), key=lambda r: (sign * r[key], r["code"]))
    ranked, previous, rank = [], object(), 0
    for position, row in enumerate(valued, start=1):
        if row[key] != previous:
            rank, previous = position, row[key]
        ranked.append({**row, "rank": rank})
    ranked += [{**r, "rank": None} for r in sorted(rows, key=lambda r: r["code"]) if r.get(key) is None]
    return ranked
