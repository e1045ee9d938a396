"""Working-time arithmetic: deadlines count office hours only (digital city management practice).

Plain functions over plain data (no ORM) so they test and benchmark alone;
`load_calendar()` reads the admin-editable rows once per call site.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

# Default office hours (Mon-Fri 08:30-12:00, 14:00-18:00) used until an
# administrator edits the working periods.
DEFAULT_PERIODS = {
    weekday: [(dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 0), dt.time(18, 0))] for weekday in range(5)
}


@dataclass(frozen=True)
class Calendar:
    periods: dict  # weekday -> [(start time, end time)] sorted
    holidays: frozenset = field(default_factory=frozenset)  # dates with no work
    workdays: frozenset = field(default_factory=frozenset)  # weekend dates worked (调休), as Monday

    def periods_on(self, day):
        if day in self.holidays:
            return []
        if day in self.workdays:
            return self.periods.get(0, [])
        return self.periods.get(day.weekday(), [])


def load_calendar():
    from apps.cases.models import CalendarDay, WorkingPeriod

    periods = {}
    for row in WorkingPeriod.objects.all():
        periods.setdefault(row.weekday, []).append((row.start, row.end))
    days = list(CalendarDay.objects.values_list("date", "kind"))
    return Calendar(
        periods={k: sorted(v) for k, v in periods.items()} or DEFAULT_PERIODS,
        holidays=frozenset(d for d, kind in days if kind == "holiday"),
        workdays=frozenset(d for d, kind in days if kind == "workday"),
    )


def _local(moment):
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def add_working_hours(calendar, start, hours, *, horizon_days=400):
    """The moment `hours` of working time after `start` (aware datetimes in, aware out)."""
    remaining = dt.timedelta(hours=hours)
    moment = _local(start)
    tz = moment.tzinfo
    day = moment.date()
    for _ in range(horizon_days):
        for begin, end in calendar.periods_on(day):
            period_start = dt.datetime.combine(day, begin, tz)
            period_end = dt.datetime.combine(day, end, tz)
            if period_end <= moment:
                continue
            usable_from = max(moment, period_start)
            available = period_end - usable_from
            if remaining <= available:
                return usable_from + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError(f"no working time within {horizon_days} days of {start}: check the working calendar")


def working_hours_between(calendar, start, end):
    """Working hours from `start` to `end` (0 when end <= start)."""
    start, end = _local(start), _local(end)
    if end <= start:
        return 0.0
    tz = start.tzinfo
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        for begin, finish in calendar.periods_on(day):
            lo = max(start, dt.datetime.combine(day, begin, tz))
            hi = min(end, dt.datetime.combine(day, finish, tz))
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def working_day_hours(calendar):
    """Hours of an ordinary working day (Monday's periods; 7.5 with the default office hours).

    "超期 12 个工作日" counts days of this length, as staff count them.
    """
    periods = calendar.periods.get(0) or next((p for p in calendar.periods.values() if p), [])
    total = sum(
        (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).total_seconds()
        for start, end in periods
    )
    return total / 3600 or 8.0


def split_working_hours(calendar, hours, *, day=None):
    """(working days, hours) of a non-negative number of working hours, hours rounded to the nearest whole.

    Below one working day it is all hours (3 小时); from three days on the hours
    are dropped (超期 12 个工作日), as people say it; in between both (1 个工作日 3 小时).
    """
    day = day or working_day_hours(calendar)
    hours = max(0.0, hours)
    days = int(hours // day)
    rest = round(hours - days * day)
    if rest >= day:
        days, rest = days + 1, 0
    if days >= 3:
        return days + (1 if hours - days * day >= day / 2 else 0), 0
    return days, rest


class WorkingClock:
    """Working hours between many moments and one calendar, each day's office hours counted once.

    `working_hours_between` walks every day between its two moments: a list of
    1,000 cases with deadlines weeks away took 130 ms that way. Here each day's
    start is a running total from the first day asked about, so a list pays
    for each distinct day once and every case after that is a subtraction.
    """

    def __init__(self, calendar):
        self.calendar = calendar
        self.origin = None
        self.starts = {}  # date -> working time from the origin's start to this day's start
        self.tz = timezone.get_current_timezone()  # read once: a context-local lookup per row cost more than the sum
        self.day_hours = working_day_hours(calendar)
        self.positions = {}  # moment -> position: "now" is asked for by every row

    def _day_start(self, day):
        if self.origin is None:
            self.origin = day
            self.starts[day] = dt.timedelta()
        if day in self.starts:
            return self.starts[day]
        step = dt.timedelta(days=1 if day > self.origin else -1)
        known = day - step
        while known not in self.starts:
            known -= step
        total = self.starts[known]
        while known != day:
            if step.days > 0:
                total += self._day_length(known)
                known += step
            else:
                known += step
                total -= self._day_length(known)
            self.starts[known] = total
        return total

    def _day_length(self, day):
        return sum(
            (dt.datetime.combine(day, end) - dt.datetime.combine(day, begin) for begin, end in self.calendar.periods_on(day)),
            dt.timedelta(),
        )

    def position(self, moment):
        """Working time from the origin's start to `moment`."""
        known = self.positions.get(moment)
        if known is not None:
            return known
        local = moment.astimezone(self.tz) if timezone.is_aware(moment) else moment
        day, tz = local.date(), local.tzinfo
        done = dt.timedelta()
        for begin, end in self.calendar.periods_on(day):
            lo, hi = dt.datetime.combine(day, begin, tz), dt.datetime.combine(day, end, tz)
            if local > lo:
                done += min(local, hi) - lo
        position = self._day_start(day) + done
        if len(self.positions) < 4:
            self.positions[moment] = position
        return position

    def hours_between(self, start, end):
        """working_hours_between(calendar, start, end), from the running totals."""
        if end <= start:
            return 0.0
        return (self.position(end) - self.position(start)).total_seconds() / 3600
