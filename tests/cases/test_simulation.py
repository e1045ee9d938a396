"""manage.py simulate_cases: a deterministic year made through the workflow, every outcome, consistent rows."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.areas.models import Grid
from apps.cases.calendar import load_calendar
from apps.cases.models import Case, CaseEvent, CasePart, Category, Status
from apps.cases.simulation import delete_simulated
from apps.compounds.models import ZoneAssignment
from apps.people.models import Person, Role

N = 300
# The pinned end of the simulated period: the year's outcomes are a function of
# (seed, year, until, N), so the suite gives the same verdicts on any day.
UNTIL = "2026-11-27"
SAMPLE = Path(__file__).resolve().parents[2] / "gis_data" / "district.gpkg"
SIMULATED = Q(source=Case.Source.SIMULATION)


@pytest.fixture(scope="module")
def simulated(django_db_setup, django_db_blocker):
    """One small simulated year shared by this module's tests, rolled back when the module ends.

    Every test here asks for `db`, so pytest-django runs them all before the
    transactional tests that flush the database.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        if not Grid.objects.exists():
            call_command("load_district", str(SAMPLE), verbosity=0)
        call_command("seed_cases", verbosity=0)
        out = StringIO()
        call_command("simulate_cases", "--cases", str(N), "--until", UNTIL, verbosity=0, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def snapshot():
    """Everything a run decides, keyed by the client id (ids and case numbers depend on the sequence)."""
    cases = {
        row[0]: row[1:]
        for row in Case.objects.filter(SIMULATED).values_list(
            "client_id", "status", "closure", "grid__code", "zone__code", "category__code", "reported_at",
            "department__code", "handle_deadline", "closed_at", "rework_count", "extension_count",
            "merged_into__client_id", "reporter__code", "point",
        )
    }
    events = list(
        CaseEvent.objects.filter(case__source=Case.Source.SIMULATION)
        .order_by("case__client_id", "at", "id")
        .values_list("case__client_id", "action", "from_status", "to_status", "at", "actor__code", "note")
    )
    parts = sorted(CasePart.objects.filter(case__source=Case.Source.SIMULATION).values_list(
        "case__client_id", "department__code", "lead", "reported_at"
    ))
    return cases, events, parts


def test_the_run_prints_a_summary_of_outcomes(simulated, db):
    assert f"simulated {N} cases of 2026" in simulated
    assert "closure: on_time" in simulated and "reworked" in simulated
    assert Case.objects.filter(SIMULATED).count() == N


def test_a_rerun_after_clear_makes_the_same_year(simulated, db):
    before = snapshot()
    out = StringIO()
    call_command("simulate_cases", "--cases", str(N), "--until", UNTIL, "--clear", verbosity=0, stdout=out)
    assert f"deleted {N} simulated cases" in out.getvalue()
    after = snapshot()
    assert len(after[0]) == N
    assert after == before


def test_a_rerun_without_clear_changes_nothing(simulated, db):
    before, people = snapshot(), Person.objects.count()
    out = StringIO()
    call_command("simulate_cases", "--cases", str(N), "--until", UNTIL, verbosity=0, stdout=out)
    assert f"{N} simulated cases exist: nothing done" in out.getvalue()
    assert snapshot() == before and Person.objects.count() == people


def test_every_status_and_closure_type_appears(simulated, db):
    statuses = set(Case.objects.filter(SIMULATED).values_list("status", flat=True))
    assert statuses == set(Status.values)
    closures = set(Case.objects.filter(SIMULATED, status=Status.CLOSED).values_list("closure", flat=True))
    assert closures == set(Case.Closure.values)


def test_rework_extensions_returns_joint_handling_merges_and_rejections_appear(simulated, db):
    cases = Case.objects.filter(SIMULATED)
    assert cases.filter(rework_count__gt=0, status=Status.CLOSED).exists()
    assert cases.filter(rework_count__gt=1).exists()
    assert cases.filter(extension_count__gt=0).exists()
    actions = set(CaseEvent.objects.filter(case__source=Case.Source.SIMULATION).values_list("action", flat=True))
    assert {"approve_return", "refuse_return", "grant_extension", "refuse_extension", "grant_pending",
            "refuse_pending", "resume", "close_special", "close_error", "report_part", "verify_fail"} <= actions
    # Returned cases went to another department, then back to the category's own.
    returned = cases.filter(events__action="approve_return", status=Status.CLOSED).first()
    dispatched = list(returned.events.filter(action="dispatch").values_list("data__department", flat=True))
    assert len(dispatched) == 2 and dispatched[0] != dispatched[1]
    # Joint handling: every co-handling part reported before the lead reported the case handled.
    joint = cases.filter(parts__lead=False, status=Status.CLOSED).distinct()
    assert joint.exists()
    assert not CasePart.objects.filter(case__in=joint, reported_at__isnull=True).exists()
    assert not CasePart.objects.filter(case__in=joint, lead=False, reported_at__gt=F("case__handled_at")).exists()
    merged = cases.filter(status=Status.MERGED)
    assert merged.exists()
    assert not merged.exclude(merged_into__subdistrict=F("subdistrict")).exists()
    assert not merged.exclude(merged_into__category=F("category")).exists()
    assert cases.filter(status=Status.REJECTED).exists()


def test_every_case_lies_in_its_grid_community_and_subdistrict(simulated, db):
    cases = Case.objects.filter(SIMULATED)
    assert cases.filter(grid__geom__intersects=F("point")).count() == N
    assert not cases.exclude(community=F("grid__community")).exists()
    assert not cases.exclude(subdistrict=F("grid__community__subdistrict")).exists()
    assert not cases.filter(zone__isnull=False).exclude(zone__geom__intersects=F("point")).exists()
    # Hotspots: several cases share a grid, not one case per grid.
    busiest = cases.values("grid").annotate(n=Count("id")).order_by("-n").first()
    assert busiest["n"] >= 5


def test_each_timeline_chains_its_statuses_in_time_order(simulated, db):
    timelines = {}
    for case_id, *event in CaseEvent.objects.filter(case__source=Case.Source.SIMULATION).order_by(
        "case_id", "at", "id"
    ).values_list("case_id", "action", "from_status", "to_status", "at"):
        timelines.setdefault(case_id, []).append(event)
    statuses = dict(Case.objects.filter(SIMULATED).values_list("id", "status"))
    assert set(timelines) == set(statuses)
    for case_id, events in timelines.items():
        assert tuple(events[0][:3]) == ("report", "", Status.REPORTED)
        for previous, event in zip(events, events[1:]):
            assert event[1] == previous[2], (case_id, events)
            assert event[3] > previous[3], (case_id, events)
        assert events[-1][2] == statuses[case_id]
    end = dt.datetime(2027, 1, 1, tzinfo=timezone.get_default_timezone())
    assert not CaseEvent.objects.filter(case__source=Case.Source.SIMULATION, at__gte=end).exists()


def test_reporters_patrol_their_grid_or_zone_and_grid_workers_verify(simulated, db):
    cases = Case.objects.filter(SIMULATED)
    by_workers = cases.filter(reporter__role=Role.GRID_WORKER)
    assert by_workers.filter(reporter__grids=F("grid")).count() == by_workers.count()
    by_cadres = cases.filter(reporter__role=Role.ZONE_CADRE)
    assert by_cadres.exists()
    assert by_workers.count() + by_cadres.count() == N
    assigned = set(ZoneAssignment.objects.values_list("cadre_id", "zone_id"))
    assert all(pair in assigned for pair in by_cadres.values_list("reporter_id", "zone_id"))
    verifications = CaseEvent.objects.filter(case__source=Case.Source.SIMULATION, action__startswith="verify_")
    assert verifications.filter(actor__role=Role.GRID_WORKER, actor__grids=F("case__grid")).count() == (
        verifications.count()
    )
    # One grid worker per grid, no logins.
    workers = Person.objects.filter(code__startswith="GW", role=Role.GRID_WORKER)
    assert workers.filter(user__isnull=True).count() == workers.count() > 0


def test_reports_come_mostly_by_day_and_desks_keep_office_hours(simulated, db):
    local = [timezone.localtime(at) for at in Case.objects.filter(SIMULATED).values_list("reported_at", flat=True)]
    assert sum(7 <= t.hour < 21 for t in local) >= 0.85 * N
    calendar = load_calendar()
    desk = CaseEvent.objects.filter(case__source=Case.Source.SIMULATION, action__in=["register", "dispatch"])
    for at in desk.values_list("at", flat=True):
        t = timezone.localtime(at)
        assert any(start <= t.time() <= end for start, end in calendar.periods_on(t.date())), t


def test_clear_deletes_the_simulated_cases_only(simulated, db, cast):
    patrol = cast.report()
    assert delete_simulated() == N
    assert not Case.objects.filter(SIMULATED).exists()
    assert Case.objects.filter(pk=patrol.pk).exists()


def test_missing_categories_stop_the_run_before_anything_is_deleted(simulated, db):
    Category.objects.update(active=False)
    with pytest.raises(CommandError, match="seed_cases"):
        call_command("simulate_cases", "--cases", str(N), "--clear", verbosity=0, stdout=StringIO())
    assert Case.objects.filter(SIMULATED).count() == N


@pytest.mark.parametrize(
    "args, message",
    [(["--cases", "0"], "--cases must be between"), (["--year", "1999"], "--year must be between"),
     (["--seed", "-1"], "--seed must be"), (["--workers", "9"], "--workers must be between")],
)
def test_bad_arguments_are_refused(simulated, db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("simulate_cases", *args, verbosity=0, stdout=StringIO())
    assert Case.objects.filter(SIMULATED).count() == N


def test_nothing_lies_on_or_after_the_end_of_the_period(simulated, db):
    from django.db.models import Max

    end = dt.datetime.combine(dt.date.fromisoformat(UNTIL), dt.time(0, 0), timezone.get_default_timezone())
    assert Case.objects.filter(SIMULATED).exists()
    assert not Case.objects.filter(SIMULATED, reported_at__gte=end).exists()
    latest = CaseEvent.objects.filter(case__source=Case.Source.SIMULATION).aggregate(at=Max("at"))["at"]
    assert latest < end


@pytest.mark.parametrize("until", ["2026-01-05", "2026-07-01", "2027-01-01"])
def test_any_end_of_period_gives_a_consistent_deterministic_year(simulated, db, until):
    """Early January, mid-year, through 31 December: the invariants, not the rare outcomes."""
    n = 80
    args = ["simulate_cases", "--cases", str(n), "--until", until, "--clear"]
    call_command(*args, verbosity=0, stdout=StringIO())
    first = snapshot()
    call_command(*args, verbosity=0, stdout=StringIO())
    assert snapshot() == first
    end = dt.datetime.combine(dt.date.fromisoformat(until), dt.time(0, 0), timezone.get_default_timezone())
    cases = Case.objects.filter(SIMULATED)
    assert cases.count() == n
    start = dt.datetime(2026, 1, 1, tzinfo=timezone.get_default_timezone())
    assert not cases.filter(Q(reported_at__gte=end) | Q(reported_at__lt=start)).exists()
    events = CaseEvent.objects.filter(case__source=Case.Source.SIMULATION)
    assert not events.filter(at__gte=end).exists()
    # Rows agree with their timelines: the last event's status is the case's, closed cases have a closure.
    last = {}
    for case_id, to_status in events.order_by("case_id", "at", "id").values_list("case_id", "to_status"):
        last[case_id] = to_status
    assert last == dict(cases.values_list("id", "status"))
    assert not cases.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert not cases.filter(status=Status.CLOSED, closed_at__gte=end).exists()
    assert not cases.filter(status=Status.CLOSED, closure="").exists()


@pytest.mark.parametrize(
    "today, year, latest",
    [("2026-03-15", 2026, "2026-03-15"), ("2027-02-01", 2026, "2027-01-01"), ("2026-03-15", 2025, "2026-01-01")],
)
def test_by_default_the_year_in_progress_ends_today(simulated, db, today, year, latest):
    import time_machine

    with time_machine.travel(dt.datetime.fromisoformat(f"{today}T12:00+08:00"), tick=False):
        call_command("simulate_cases", "--cases", "40", "--year", str(year), "--clear", verbosity=0, stdout=StringIO())
    end = dt.datetime.combine(dt.date.fromisoformat(latest), dt.time(0, 0), timezone.get_default_timezone())
    assert not CaseEvent.objects.filter(case__source=Case.Source.SIMULATION, at__gte=end).exists()
    assert Case.objects.filter(SIMULATED).count() == 40


@pytest.mark.parametrize(
    "args, message",
    [(["--until", "2026-13-01"], "--until must be a date"), (["--until", "2026-01-01"], "--until must lie between"),
     (["--year", "2026", "--until", "2027-01-02"], "--until must lie between")],
)
def test_bad_until_is_refused(simulated, db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("simulate_cases", *args, verbosity=0, stdout=StringIO())
    assert Case.objects.filter(SIMULATED).count() == N
