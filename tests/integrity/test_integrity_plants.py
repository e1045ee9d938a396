"""A small simulated year with planted patterns: each signal finds exactly the planted cases.

The background year (no plants) is counted first: photos and verifications
produce nothing, and the only churn it holds is the simulation's duplicates
merged into a case closed before they were reported (the same problem
reported again: counted, and known). Then the plants step runs and every
signal finds the background plus exactly the planted cases.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from apps.areas.models import Grid
from apps.cases.models import Case
from apps.cases.simulation import ensure_cast, load_world, simulate
from apps.cases.simulation_plants import PLANTS, plant_patterns
from apps.integrity.compute import Window, compute_signals
from apps.integrity.rules import CODES

N = 300
SEED = 410105
UNTIL = dt.date(2026, 11, 27)  # pinned: the year is a function of (seed, year, until, N)


def found():
    tz = timezone.get_default_timezone()
    window = Window(dt.datetime(2026, 1, 1, tzinfo=tz), dt.datetime.combine(UNTIL, dt.time(), tz))
    return {s["code"]: s for s in compute_signals(window)}


@pytest.fixture(scope="module")
def planted(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), transaction.atomic():
        assert Grid.objects.exists()  # the session's django_db_setup loaded the sample district
        call_command("seed_cases", verbosity=0)
        simulate(cases=N, seed=SEED, year=2026, until=UNTIL)
        background = found()
        world = load_world()
        tz = timezone.get_default_timezone()
        plants = plant_patterns(world, ensure_cast(world), seed=SEED, start=dt.datetime(2026, 1, 1, tzinfo=tz),
                                end=dt.datetime.combine(UNTIL, dt.time(), tz))
        yield background, plants, found()
        transaction.set_rollback(True)
    settings.MEDIA_ROOT = media


def cases_of(signal):
    return {c["number"] for c in signal["cases"]}


def test_the_plants_are_the_documented_numbers(planted, db):
    _background, plants, _after = planted
    assert {code: len(numbers) for code, numbers in plants.items()} == PLANTS
    assert set(plants) == set(CODES)


def test_the_background_year_holds_no_pattern_but_merged_duplicates_of_closed_cases(planted, db):
    background, _plants, _after = planted
    assert {code: s["total"] for code, s in background.items() if code != "reopen_churn"} == {
        code: 0 for code in CODES if code != "reopen_churn"}
    churn = background["reopen_churn"]["cases"]
    for case in churn:
        row = Case.objects.get(number=case["number"])
        assert row.status == "merged" and row.merged_into.number == case["closed_case"]


@pytest.mark.parametrize("code", CODES)
def test_each_signal_finds_exactly_the_planted_cases(planted, db, code):
    background, plants, after = planted
    assert not cases_of(background[code]) & set(plants[code])
    assert cases_of(after[code]) - cases_of(background[code]) == set(plants[code])
    assert cases_of(background[code]) <= cases_of(after[code])


def test_the_clustered_requests_flag_one_department(planted, db):
    _background, plants, after = planted
    flagged = [row for row in after["deadline_requests"]["departments"] if row["flagged"]]
    assert len(flagged) == 1 and flagged[0]["count"] == PLANTS["deadline_requests"]
    assert set(flagged[0]["cases"]) == set(plants["deadline_requests"])
