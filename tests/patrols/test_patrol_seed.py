"""seed_patrols: deterministic, plausible, idempotent, never in the future; made through check_in."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from apps.compounds.models import Zone
from apps.patrols.models import Patrol
from apps.patrols.seeding import plan_patrols, zones_for_seeding
from apps.patrols.weeks import parse_week

pytestmark = pytest.mark.django_db

UNTIL = dt.date(2026, 12, 3)  # a Thursday: the last week is cut at Wednesday


def run(*args):
    out = StringIO()
    call_command("seed_patrols", *args, stdout=out)
    return out.getvalue()


def test_plan_is_a_function_of_its_arguments(district):
    zones = zones_for_seeding()
    first = plan_patrols(zones, weeks=3, until=UNTIL)
    assert first == plan_patrols(list(reversed(zones)), weeks=3, until=UNTIL)
    assert first != plan_patrols(zones, weeks=3, until=UNTIL, seed=7)
    # A later end adds the rest of the last week; the earlier check-ins stay the same ones.
    later = {p.client_id for p in plan_patrols(zones, weeks=3, until=dt.date(2026, 12, 7))}
    shared = {p.client_id for p in first} & later
    assert len(shared) > 0.8 * len(first)


def test_seed_is_plausible_idempotent_and_never_in_the_future(district):
    out = run("--weeks", "2", "--until", UNTIL.isoformat())
    made = Patrol.objects.count()
    assert "made" in out and made > 0
    again = run("--weeks", "2", "--until", UNTIL.isoformat())
    assert "nothing done" in again
    assert Patrol.objects.count() == made
    start, _end = parse_week("2026-W48").bounds()
    assert Patrol.objects.filter(checked_in_at__lt=start).count() == 0
    last = Patrol.objects.order_by("-checked_in_at").first().checked_in_at
    assert last.date() < UNTIL
    # Most zones visited in a whole week, some not; every check-in by a cadre of its zone, within 100 m.
    start, end = parse_week("2026-W48").bounds()
    visited = Patrol.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end).values("zone").distinct().count()
    zones = Zone.objects.count()
    assert 0.7 * zones < visited < zones
    assert Patrol.objects.filter(distance_m__gt=100).count() == 0
    assert Patrol.objects.filter(distance_m__gt=0).exists()
    strangers = Patrol.objects.exclude(zone__assignments__cadre=models_f("cadre")).count()
    assert strangers == 0
    per_day = Patrol.objects.values("cadre", "zone").annotate(n=Count("pk")).order_by("-n").first()
    assert per_day["n"] <= 6


def models_f(name):
    from django.db.models import F

    return F(name)


def test_bad_arguments_are_refused(district):
    with pytest.raises(CommandError, match="--weeks"):
        run("--weeks", "0")
    with pytest.raises(CommandError, match="--until"):
        run("--until", "2026-13-01")
