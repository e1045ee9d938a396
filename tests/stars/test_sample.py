"""The seeded five-star sample (manage.py seed_stars): targets met, movement over three periods, work in every
queue, the four-level linkage numbers; seeding again changes nothing and seeding afresh gives the same rows.

Seeding writes some 2,000 applications through the workflow, so it runs once for this module inside a
transaction that is rolled back at the end (each test still runs in its own savepoint).
"""

import datetime as dt
import io
from collections import Counter
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from sample_helpers import fingerprint, wipe

from apps.areas.models import District, SubDistrict
from apps.stars import sample
from apps.stars.assessment import TRANSITIONS
from apps.stars.indicators import period_bounds
from apps.stars.levels import held_stars, levels, summary
from apps.stars.models import (
    ALL_TEN,
    Assessment,
    AssessmentEvent,
    Branch,
    FiveGood,
    HouseholdRating,
    Objection,
    Period,
    RedFlag,
    Score,
    TaskForce,
    Target,
)

pytestmark = pytest.mark.django_db
PLANNED = {"马渡村", "通信花园社区", "省委社区"}
QUASI = {"杲村", "戊院社区", "建业城市花园社区"}


# The day the module's sample is made and looked at: seed_stars reads the clock (the
# current period, which queues are open, which notices have ended), so the clock is
# pinned for the whole module and the verdicts are the same on any day.
CLOCK = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with time_machine.travel(CLOCK, tick=True), django_db_blocker.unblock(), transaction.atomic():
        if not District.objects.exists():  # a transactional test flushed it
            from conftest import load_sample

            load_sample()
        out = io.StringIO()
        call_command("seed_stars", stdout=out)
        periods = {p.code: p for p in Period.objects.all()}
        yield SimpleNamespace(output=out.getvalue(), periods=periods, current=max(periods.values(),
                              key=lambda p: p.starts_on), today=timezone.localdate())
        transaction.set_rollback(True)


def level_names(period):
    names = dict(Branch.objects.values_list("pk", "community__name"))
    return {names[pk]: level for pk, level in levels(period).items()}


def test_the_current_period_contains_today(seeded):
    assert [p.code for p in sorted(seeded.periods.values(), key=lambda p: p.starts_on)] == [
        str(seeded.today.year - 2), str(seeded.today.year - 1), str(seeded.today.year)]
    assert seeded.current.starts_on <= seeded.today <= seeded.current.ends_on


def test_current_stars_meet_the_targets_exactly(seeded):
    by_name = level_names(seeded.current)
    counts = Counter(by_name.values())
    assert (counts[5], counts[4], counts[3]) == (3, 65, 143)
    assert sum(counts[n] for n in (0, 1, 2)) == 3
    assert {name for name, level in by_name.items() if level == 5} == PLANNED
    assert {by_name[name] for name in QUASI} == {4}


def test_targets_arithmetic_on_the_sample(seeded):
    result = summary(seeded.current, SubDistrict.objects.all())
    for field, target in (("five_star", 3), ("four_star", 65), ("three_star", 143)):
        assert result["district"]["progress"][field]["target"] == target
        assert result["district"]["progress"][field]["held"] == target
        assert result["district"]["progress"][field]["gap"] == 0
        assert sum(s["progress"][field]["target"] for s in result["subdistricts"]) == target
        assert all(s["progress"][field]["gap"] == 0 for s in result["subdistricts"])
    assert sum(result["district"]["levels"].values()) == 214
    assert result["district"]["progress"]["five_star"]["in_pipeline"] > 0
    # Four-star targets follow each sub-district's share of the 214 branches (largest remainder).
    for s in result["subdistricts"]:
        assert abs(s["progress"]["four_star"]["target"] - 65 * s["branches"] / 214) < 1
    assert Target.objects.filter(period=seeded.current, subdistrict__isnull=False).count() == 17


def test_the_quasi_five_star_branches_have_their_fifth_star_in_flight(seeded):
    in_flight = Assessment.objects.filter(period=seeded.current, branch__community__name__in=QUASI,
                                          status__in=["applied", "scoring", "notice"])
    assert {a.branch.community.name: a.status for a in in_flight} == {
        "杲村": "notice", "戊院社区": "scoring", "建业城市花园社区": "applied"}
    held = held_stars(seeded.current)
    for a in in_flight:
        assert a.star not in held[a.branch_id] and len(held[a.branch_id]) == 4


def test_every_queue_has_work(seeded):
    now = Assessment.objects.filter(period=seeded.current)
    applied = set(now.filter(status="applied").values_list("branch__community__subdistrict__code", flat=True))
    assert applied == set(SubDistrict.objects.values_list("code", flat=True))
    scoring = set(now.filter(status="scoring").values_list("criterion__kind", "star"))
    assert scoring == set(TaskForce.objects.values_list("kind", "star"))
    assert now.filter(status="scoring", scores__isnull=False).exists()
    assert now.filter(status="scoring", scores__isnull=True).exists()
    at = timezone.now()
    notice = now.filter(status="notice")
    open_notice = notice.filter(notice_ends_at__gt=at)
    assert open_notice.filter(objections__outcome="").exists()
    assert open_notice.filter(objections__outcome="dismissed").exists()
    assert open_notice.filter(objections__isnull=True).exists()
    assert notice.filter(notice_ends_at__lte=at).exists()  # closed, waiting for the award
    for force in TaskForce.objects.all():
        assert force.members.count() >= 3


def test_weak_branches_never_hold_the_foundation_star_now(seeded):
    weak = Branch.objects.filter(weak=True)
    assert weak.count() == 2 and {b.community.kind for b in weak} == {"village", "community"}
    held = held_stars(seeded.current)
    assert all(1 not in held.get(b.pk, ()) for b in weak)
    weak_village = weak.get(community__kind="village")
    scoring = Assessment.objects.get(period=seeded.current, branch=weak_village, star=1)
    assert scoring.status == "scoring"
    assert Score.objects.get(assessment=scoring, indicator__code="A4").points == 0  # measured: weak


def test_earlier_periods_show_movement(seeded):
    p24, p25, p26 = sorted(seeded.periods.values(), key=lambda p: p.starts_on)
    totals = [sum(len(s) for s in held_stars(p).values()) for p in (p24, p25, p26)]
    assert totals[0] < totals[1] < totals[2]
    held25, held26 = held_stars(p25), held_stars(p26)
    assert any(held26[b] - held25.get(b, set()) for b in held26)  # won later
    assert any(held25[b] - held26.get(b, set()) for b in held25)  # dropped later
    assert level_names(p25)["马渡村"] == 4
    for period in (p24, p25):
        revoked = Assessment.objects.filter(period=period, status="revoked")
        assert revoked.count() >= 7
        assert all(e.note for e in AssessmentEvent.objects.filter(assessment__in=revoked, action="revoke"))
        refused = AssessmentEvent.objects.filter(assessment__period=period, to_status="refused")
        assert {"review_refuse", "refuse"} <= set(refused.values_list("action", flat=True))
        outcomes = set(Objection.objects.filter(assessment__period=period).values_list("outcome", flat=True))
        assert outcomes == {"upheld", "dismissed"}
    weak_village = Branch.objects.get(weak=True, community__kind="village")
    revoke = AssessmentEvent.objects.get(assessment__branch=weak_village, assessment__period=p25, action="revoke")
    assert revoke.assessment.star == 1 and "软弱涣散" in revoke.note


def test_every_step_went_through_the_workflow_inside_its_period(seeded):
    events = AssessmentEvent.objects.order_by("assessment_id", "at", "id").values_list(
        "assessment_id", "action", "from_status", "to_status", "at", "assessment__period__code",
        "assessment__status")
    start_of_today = timezone.make_aware(timezone.datetime.combine(seeded.today, timezone.datetime.min.time()))
    chains = {}
    for pk, action, old, new, at, period, status in events:
        chains.setdefault(pk, []).append((action, old, new))
        start, end = period_bounds(seeded.periods[period])
        assert start <= at < min(end, start_of_today)
    for pk, steps in chains.items():
        assert steps[0] == ("apply", "", "applied")
        for (_a, _o, before), (action, old, new) in zip(steps, steps[1:]):
            assert old == before and TRANSITIONS[(old, action)] == new
    statuses = dict(Assessment.objects.values_list("pk", "status"))
    assert {pk: steps[-1][2] for pk, steps in chains.items()} == statuses


def test_the_four_level_linkage_numbers(seeded):
    p24, p25, p26 = sorted(seeded.periods.values(), key=lambda p: p.starts_on)
    xingdalu = HouseholdRating.objects.filter(period=p26, community__subdistrict__name="兴达路街道")
    assert (xingdalu.count(), xingdalu.filter(standards=ALL_TEN).count()) == (1216, 60)
    others = HouseholdRating.objects.filter(period=p26).exclude(community__subdistrict__name="兴达路街道")
    assert set(others.values_list("community__subdistrict__name", flat=True)) == set(sample.OTHER_RATED_SUBDISTRICTS)
    last_year = HouseholdRating.objects.filter(period=p25, community__subdistrict__name="兴达路街道")
    assert 0 < last_year.count() < 1216
    for period in (p24, p25, p26):
        assert FiveGood.objects.filter(period=period).count() == 17
        flags = RedFlag.objects.filter(period=period)
        assert flags.count() == 2 and flags.filter(recalled_on__isnull=False).count() == 1
        assert all(period.starts_on <= f.awarded_on <= (f.recalled_on or f.awarded_on) <= period.ends_on
                   for f in flags)


def test_the_summary_is_printed(seeded):
    assert "targets five_star: held 3 of 3" in seeded.output
    assert "兴达路街道" in seeded.output and "1216 rated, 60 ten-star" in seeded.output


def test_the_demo_task_force_login_joins_the_community_foundation_star_task_force(seeded):
    from apps.people.models import Person, Role
    from apps.stars.sample_write import ensure_people

    demo = Person.objects.create(code="DEMO-taskforce", name="专班成员", role=Role.TASK_FORCE_MEMBER)
    ensure_people()
    assert list(demo.task_forces.values_list("kind", "star")) == [("community", 1)]
    queue = Assessment.objects.filter(period=seeded.current, criterion__kind="community", star=1,
                                      status__in=["scoring", "notice"])
    assert queue.count() == 2


def test_seeding_again_changes_nothing(seeded):
    before = fingerprint()
    out = io.StringIO()
    call_command("seed_stars", stdout=out)
    assert fingerprint() == before
    text = out.getvalue()
    assert "people: 0 created" in text and "periods: 0 created" in text
    assert text.count(": 0 applications created") == 3
    assert "household ratings: 0 created, 0 updated" in text


def test_seeding_afresh_gives_the_same_sample(seeded):
    before = fingerprint()
    wipe(seeded.current)
    assert not Assessment.objects.filter(period=seeded.current).exists()
    call_command("seed_stars", stdout=io.StringIO())
    after = fingerprint()
    assert [k for k in before if before[k] != after[k]] == []
