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
