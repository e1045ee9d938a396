"""Bulletin periods: 2026-W47 (ISO week), 2026-11 (month), 2026-Q4 (quarter).

The period alone decides what a bulletin covers; `today` is only asked to
refuse a period that has not ended yet (a bulletin of a running month would
change by the hour).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.cases.evaluation import Period as CasePeriod


class BulletinPeriodError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class BulletinPeriod:
    kind: str
    code: str
    first: dt.date
    last: dt.date

    def as_case_period(self):
        """The cases app's Period over the same days (evaluation counts)."""
        return CasePeriod(self.first, self.last, self.code)

    def previous(self):
        return period_before(self.kind, self.first)


def _month_last(year, month):
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def parse(kind, text):
    """The period `text` of a bulletin of `kind`; BulletinPeriodError names the field at fault."""
    text = str(text or "").strip().upper()  # str(): a JSON body may send a list or a number
    if kind == "weekly":
        m = re.fullmatch(r"(\d{4})-W(\d{2})", text)
        if m:
            try:
                first = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            except ValueError:
                first = None
            if first is not None:
                return BulletinPeriod(kind, f"{int(m[1])}-W{int(m[2]):02d}", first, first + dt.timedelta(days=6))
        raise BulletinPeriodError("period", _("period=%(value)s is not an ISO week: use the form 2026-W47 "
                                              "(weeks 01 to 52, or 53 in a year that has one).") % {"value": text})
    if kind == "monthly":
        m = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if m and 1 <= int(m[2]) <= 12:
            year, month = int(m[1]), int(m[2])
            return BulletinPeriod(kind, f"{year}-{month:02d}", dt.date(year, month, 1), _month_last(year, month))
        raise BulletinPeriodError("period", _("period=%(value)s is not a month: use the form 2026-11 "
                                              "(months 01 to 12).") % {"value": text})
    if kind == "quarterly":
        m = re.fullmatch(r"(\d{4})-Q([1-4])", text)
        if m:
            year, q = int(m[1]), int(m[2])
            return BulletinPeriod(kind, f"{year}-Q{q}", dt.date(year, 3 * q - 2, 1), _month_last(year, 3 * q))
        raise BulletinPeriodError("period", _("period=%(value)s is not a quarter: use the form 2026-Q4 "
                                              "(quarters Q1 to Q4).") % {"value": text})
    raise BulletinPeriodError("kind", _("kind=%(value)s: use weekly, monthly or quarterly.") % {"value": kind})


def parse_ended(kind, text, *, today):
    """parse(), refusing a period whose last day is not before `today`."""
    period = parse(kind, text)
    if period.last >= today:
        raise BulletinPeriodError("period", _("period=%(value)s has not ended yet (it runs to %(last)s): a bulletin "
                                              "is made once its period is over.")
                                  % {"value": period.code, "last": period.last.isoformat()})
    return period


def period_before(kind, day):
    """The last whole period of `kind` ended before `day` (what a beat job on `day` reports)."""
    if kind == "weekly":
        monday = day - dt.timedelta(days=day.weekday())
        year, week, _weekday = (monday - dt.timedelta(days=7)).isocalendar()
        return parse(kind, f"{year}-W{week:02d}")
    if kind == "monthly":
        last = day.replace(day=1) - dt.timedelta(days=1)
        return parse(kind, f"{last.year}-{last.month:02d}")
    if kind == "quarterly":
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        last = start - dt.timedelta(days=1)
        return parse(kind, f"{last.year}-Q{(last.month - 1) // 3 + 1}")
    raise BulletinPeriodError("kind", _("kind=%(value)s: use weekly, monthly or quarterly.") % {"value": kind})
