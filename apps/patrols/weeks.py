"""ISO weeks ("2026-W49"): parsed, formatted, and turned into local-time ranges.

A week runs Monday 00:00 to the next Monday 00:00 in settings.TIME_ZONE, the
week the district's staff plan their patrols by (周督导).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

WEEK_RE = re.compile(r"^([0-9]{4})-W([0-9]{2})$")


class BadWeek(ValueError):
    def __init__(self, raw):
        self.message = _("The week must be an ISO week such as 2026-W49 (weeks 01 to 52 or 53 of the year), "
                         "got %(value)s.") % {"value": repr(str(raw)[:20])}
        super().__init__(self.message)


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def code(self):
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self):
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self):
        return self.monday + dt.timedelta(days=6)

    def bounds(self):
        """(start, end) aware datetimes: Monday 00:00 local, inclusive, to the next Monday, exclusive."""
        start = timezone.make_aware(dt.datetime.combine(self.monday, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(self.monday + dt.timedelta(days=7), dt.time.min))
        return start, end

    def previous(self, n=1):
        return week_of(self.monday - dt.timedelta(weeks=n))

    def next(self):
        return week_of(self.monday + dt.timedelta(weeks=1))

    def __str__(self):
        return self.code


def week_of(day):
    """The ISO week holding a date."""
    year, number, _weekday = day.isocalendar()
    return Week(year, number)


def current_week(today=None):
    return week_of(today or timezone.localdate())


def last_complete_week(today=None):
    """The week before the current one: the latest week whose check-ins are all in.

    The current week is never complete (it ends Sunday 24:00), so early in it nearly
    every zone is still unvisited; the coverage page opens on this week instead.
    """
    return current_week(today).previous()


def parse_week(raw, today=None):
    """The Week named by "YYYY-Www"; the current week when empty; BadWeek otherwise."""
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if not raw:
        return current_week(today)
    match = WEEK_RE.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise BadWeek(raw)
    year, number = int(match[1]), int(match[2])
    try:
        dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise BadWeek(raw) from None
    if not 2000 <= year <= 2100:
        raise BadWeek(raw)
    return Week(year, number)


def recent_weeks(today=None, count=12):
    """The current week and the `count - 1` before it, newest first (the week picker's choices)."""
    week = current_week(today)
    return [week.previous(i) for i in range(count)]
