"""Working-time arithmetic: office hours, lunch, nights, weekends, holidays and adjusted workdays (调休).

Office hours are the default 08:30-12:00 and 14:00-18:00 on weekdays (7.5 h a day).
September 2026: the 18th is a Friday, Sunday the 20th is worked (调休), 25-27 are
中秋节 and 1-7 October 国庆节; Saturday 10 October is worked.
"""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from apps.cases import defaults
from apps.cases.calendar import DEFAULT_PERIODS, Calendar, add_working_hours, load_calendar, working_hours_between
from apps.cases.models import CalendarDay, WorkingPeriod

TZ = ZoneInfo("Asia/Shanghai")
PLAIN = Calendar(periods=DEFAULT_PERIODS)


def year_2026():
    days = {}
    for first, last in defaults.HOLIDAYS_2026.values():
        day = dt.date.fromisoformat(first)
        while day <= dt.date.fromisoformat(last):
            days[day] = "holiday"
            day += dt.timedelta(days=1)
    workdays = frozenset(dt.date.fromisoformat(d) for d in defaults.WORKDAYS_2026)
    return Calendar(periods=DEFAULT_PERIODS, holidays=frozenset(days), workdays=workdays)


Y2026 = year_2026()


def t(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    "start, hours, expected",
    [
        (t(9, 14, 9), 2, t(9, 14, 11)),  # inside the morning
        (t(9, 14, 11), 2, t(9, 14, 15)),  # across lunch: 1 h before, 1 h after
        (t(9, 14, 12, 30), 1, t(9, 14, 15)),  # starting at lunch counts from 14:00
        (t(9, 14, 7), 1, t(9, 14, 9, 30)),  # before the office opens
        (t(9, 14, 17), 2, t(9, 15, 9, 30)),  # across the night
        (t(9, 14, 18), 1, t(9, 15, 9, 30)),  # at closing time
        (t(9, 14, 22), 0.5, t(9, 15, 9)),
        (t(9, 14, 8, 30), 7.5, t(9, 14, 18)),  # a whole working day ends at closing, not next morning
        (t(9, 14, 8, 30), 15, t(9, 15, 18)),
        (t(9, 18, 17), 2, t(9, 21, 9, 30)),  # Friday evening to Monday on a plain calendar
        (t(9, 19, 10), 1, t(9, 21, 9, 30)),  # starting on a Saturday
    ],
)
def test_add_working_hours_counts_office_hours_only(start, hours, expected):
    assert add_working_hours(PLAIN, start, hours) == expected


@pytest.mark.parametrize(
    "start, hours, expected",
    [
        (t(9, 18, 17), 2, t(9, 20, 9, 30)),  # Sunday 20 September is an adjusted workday (调休)
        (t(9, 24, 17), 2, t(9, 28, 9, 30)),  # 中秋节 25-27 September: no work
        (t(9, 30, 17), 8, t(10, 8, 17, 30)),  # 国庆节 1-7 October: 1 h before, 7 h on the 8th
        (t(10, 9, 17), 2, t(10, 10, 9, 30)),  # Saturday 10 October is worked, with Monday's hours
        (t(1, 1, 10), 1, t(1, 4, 9, 30)),  # 元旦 1-3 January; Sunday the 4th is worked
    ],
)
def test_holidays_and_adjusted_workdays_move_deadlines(start, hours, expected):
    assert add_working_hours(Y2026, start, hours) == expected


def test_a_holiday_on_a_plain_weekday_is_worked_without_the_calendar():
    assert add_working_hours(PLAIN, t(9, 24, 17), 2) == t(9, 25, 9, 30)


def test_results_are_local_times_whatever_the_zone_of_the_start():
    start = t(9, 14, 11).astimezone(dt.timezone.utc)
    result = add_working_hours(PLAIN, start, 2)
    assert result == t(9, 14, 15) and result.utcoffset() == dt.timedelta(hours=8)


def test_a_calendar_with_no_working_time_is_an_error_not_a_hang():
    with pytest.raises(ValueError, match="no working time"):
        add_working_hours(Calendar(periods={}), t(9, 14, 9), 1, horizon_days=30)


@pytest.mark.parametrize(
    "start, end, hours",
    [
        (t(9, 14, 9), t(9, 14, 15), 4),  # 3 h in the morning, 1 h after lunch
        (t(9, 14, 12, 15), t(9, 14, 13, 45), 0),  # all lunch
        (t(9, 18, 17), t(9, 21, 9, 30), 2),  # over a weekend
        (t(9, 14, 15), t(9, 14, 9), 0),  # end before start
        (t(9, 14, 9), t(9, 14, 9), 0),
        (t(9, 14, 0), t(9, 21, 0), 37.5),  # a working week
    ],
)
def test_working_hours_between(start, end, hours):
    assert working_hours_between(PLAIN, start, end) == hours


def test_working_hours_between_skips_holidays_and_counts_adjusted_workdays():
    # 18 Sep 17:00 -> 28 Sep 09:30: 1 h Friday, 7.5 h on Sunday the 20th, four weekdays 21-24 (30 h),
    # nothing on 25-27, 1 h on Monday the 28th.
    assert working_hours_between(Y2026, t(9, 18, 17), t(9, 28, 9, 30)) == 1 + 7.5 + 30 + 1


STARTS = [t(9, 14, 0) + dt.timedelta(minutes=37 * i) for i in range(0, 24 * 60 * 16 // 37, 7)]
HOURS = [0.25, 1, 3.5, 4, 7.5, 10, 16, 40, 100]


@pytest.mark.parametrize("calendar", [PLAIN, Y2026], ids=["plain", "2026"])
def test_hours_between_a_start_and_the_deadline_it_gives_are_the_hours_added(calendar):
    for start, hours in itertools.product(STARTS, HOURS):
        deadline = add_working_hours(calendar, start, hours)
        assert working_hours_between(calendar, start, deadline) == pytest.approx(hours, abs=1e-9), (start, hours)
        # Adding in two steps lands on the same moment as adding at once.
        assert add_working_hours(calendar, add_working_hours(calendar, start, hours / 2), hours / 2) == deadline


@pytest.mark.django_db
def test_the_seeded_calendar_holds_the_2026_holidays_and_edits_take_effect(district):
    call_command("seed_cases", verbosity=0)
    calendar = load_calendar()
    assert dt.date(2026, 10, 1) in calendar.holidays and dt.date(2026, 9, 20) in calendar.workdays
    assert add_working_hours(calendar, t(9, 18, 17), 2) == t(9, 20, 9, 30)
    # An administrator opens Saturday mornings and moves 20 September back to a rest day.
    WorkingPeriod.objects.create(weekday=5, start=dt.time(9), end=dt.time(12))
    CalendarDay.objects.filter(date=dt.date(2026, 9, 20)).delete()
    assert add_working_hours(load_calendar(), t(9, 18, 17), 2) == t(9, 19, 10)
