"""The plan behind simulate_cases: quotas, determinism, timing, and how runs are shared between processes."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.areas.locate import locate_many
from apps.cases.simulation import load_world, split_by_subdistrict
from apps.cases.simulation_plan import OPEN_CUTS, OUTCOMES, outcome_counts, plan_year

TZ = timezone.get_default_timezone()


@pytest.fixture
def world(db, district):
    call_command("seed_cases", verbosity=0)
    return load_world()


def plan(world, n=400, seed=7, year=2026):
    return plan_year(world, n=n, seed=seed, year=year, tz=TZ, locate=locate_many)


def test_a_small_run_still_gets_every_outcome_and_the_counts_add_up():
    counts = outcome_counts(300)
    assert set(counts) == set(OUTCOMES) | {"on_time"}
    assert min(counts.values()) >= 1 and sum(counts.values()) == 300
    big = outcome_counts(20000)
    assert big["rework"] == 1000 and big["on_time"] > 10000


def test_the_same_seed_gives_the_same_plan_and_another_seed_another(world):
    def key(plans):
        return [(p.client_id, p.category.code, p.lon, p.lat, p.grid_id, p.reported_at, p.outcome,
                 [(s.action, s.at, s.actor, s.params) for s in p.steps]) for p in plans]

    first = key(plan(world))
    assert key(plan(world)) == first
    assert key(plan(world, seed=8)) != first


def test_steps_follow_each_other_and_stop_at_the_end_of_the_year(world):
    end = dt.datetime(2027, 1, 1, tzinfo=TZ)
    plans = plan(world)
    for p in plans:
        times = [p.reported_at] + [s.at for s in p.steps]
        assert times == sorted(times) and len(set(times)) == len(times), p
        assert times[-1] < end
    # An open outcome reaches the step it is cut at before the year ends.
    for p in plans:
        if p.outcome in OPEN_CUTS and OPEN_CUTS[p.outcome][1]:
            assert p.steps and p.steps[-1].action == OPEN_CUTS[p.outcome][1], p
    # Duplicates point at an earlier case of the same sub-district and category.
    merged = [p for p in plans if p.outcome == "merged"]
    assert merged
    for p in merged:
        original = plans[p.original]
        assert original.index < p.index
        assert (original.subdistrict_id, original.category) == (p.subdistrict_id, p.category)


def test_processes_get_whole_subdistricts_in_time_order(world):
    plans = plan(world)
    groups = split_by_subdistrict(plans, 2)
    assert len(groups) == 2 and sorted(p.index for g in groups for p in g) == list(range(len(plans)))
    first, second = ({p.subdistrict_id for p in g} for g in groups)
    assert not first & second
    assert all([p.index for p in g] == sorted(p.index for p in g) for g in groups)
    assert abs(len(groups[0]) - len(groups[1])) < 0.3 * len(plans)
