"""What a visitor sees open at the end of a simulated period: a working district, not one that stopped.

The shape simulate_cases states: the median open case is under 5 working days
old; none open for more than 30 working days unless it is pending (挂账) with its
reason; a share overdue by days, not months; a few long-pending ones.
"""

import datetime as dt
import statistics

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.areas.locate import locate_many
from apps.cases.calendar import working_day_hours, working_hours_between
from apps.cases.models import OPEN_STATUSES, Case, Status
from apps.cases.simulation import load_world
from apps.cases.simulation_plan import NOTES, open_at_end, plan_year

TZ = timezone.get_default_timezone()


@pytest.fixture
def world(db, district):
    call_command("seed_cases", verbosity=0)
    return load_world()


def age_in_working_days(world, reported_at, end):
    return working_hours_between(world.calendar, reported_at, end) / working_day_hours(world.calendar)


# The day (4 December, a Friday), the demo's 3,000 cases and the full year's 20,000;
# mid-year and the whole year too.
@pytest.mark.parametrize("n, until", [(3000, "2026-12-04"), (20000, "2026-12-04"), (3000, "2026-07-01"),
                                      (3000, "2027-01-01")])
def test_open_cases_at_the_end_look_like_a_working_districts(world, n, until):
    end = dt.datetime.combine(dt.date.fromisoformat(until), dt.time(0, 0), TZ)
    plans = plan_year(world, n=n, seed=410105, year=2026, tz=TZ, locate=locate_many,
                      until=dt.date.fromisoformat(until))
    still_open = open_at_end(plans)
    ages = [(age_in_working_days(world, plan.reported_at, end), pending, plan) for plan, pending in still_open]
    assert 0.01 * n < len(ages) < 0.05 * n
    assert statistics.median(age for age, _pending, _plan in ages) < 5
    old = [(age, plan.outcome) for age, pending, plan in ages if not pending and age > 30]
    assert not old
    # Overdue by days: stuck cases past their handling deadline, but none by months.
    stuck = [age for age, pending, plan in ages if plan.outcome == "stuck"]
    assert stuck and all(2 <= age <= 16 for age in stuck)
    # A few long-pending cases, each with the reason it was logged.
    pending = [plan for age, pending, plan in ages if pending]
    assert 0 < len(pending) < 0.3 * len(ages)
    for plan in pending:
        request = next(step for step in plan.steps if step.action == "request_pending")
        assert request.note in NOTES["request_pending"]


def test_the_simulated_rows_have_the_same_shape(world):
    """Through the workflow: the open cases in the database at the end, as the handler's list shows them."""
    call_command("simulate_cases", "--cases", "1500", "--until", "2026-12-04", verbosity=0)
    end = dt.datetime(2026, 12, 4, tzinfo=TZ)
    rows = list(Case.objects.filter(source=Case.Source.SIMULATION, status__in=OPEN_STATUSES)
                .values_list("reported_at", "status"))
    assert rows
    ages = [(age_in_working_days(world, at, end), status) for at, status in rows]
    assert statistics.median(age for age, _status in ages) < 5
    assert not [age for age, status in ages if status != Status.PENDING and age > 30]
    assert any(status == Status.PENDING for _age, status in ages)
