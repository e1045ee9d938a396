"""The sample's plan (apps.stars.sample) without writing it: deterministic, promises kept for any date,
the committed household file up to date; seed_stars on an empty district refuses."""

import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.stars import sample
from apps.stars.models import ALL_TEN, Branch
from apps.stars.sample_write import build_plan

pytestmark = pytest.mark.django_db

SAMPLE_CSV = Path(__file__).resolve().parents[2] / "gis_data" / "households_xingdalu.csv"


def test_the_plan_is_the_same_every_time(district):
    today = dt.date(2026, 11, 29)
    assert build_plan(today) == build_plan(today)


@pytest.mark.parametrize("today", [dt.date(2026, 11, 29), dt.date(2027, 1, 3), dt.date(2028, 12, 31)])
def test_the_plan_keeps_its_promises_whatever_the_date(district, today):
    plan = build_plan(today)
    assert [p[0] for p in plan.periods] == [str(today.year - 2), str(today.year - 1), str(today.year)]
    assert Counter(len(s) for s in plan.held[plan.current].values() if 1 in s) == Counter({3: 143, 4: 65, 5: 3})
    assert {sum(t[n] for t in plan.targets.values()) for n in (5, 4, 3)} == {3, 65, 143}
    assert len(plan.weak) == 2
    _c, _n, starts, ends = plan.periods[-1]
    for story in plan.stories[plan.current]:
        assert starts <= story.day <= ends
    xingdalu = {c for c, _h in sample_communities(plan)}
    rated = [r for r in plan.households[plan.current] if r[1] in xingdalu]
    assert (len(rated), sum(r[3] == ALL_TEN for r in rated)) == (1216, 60)


def sample_communities(plan):
    from apps.areas.models import Community

    return Community.objects.filter(subdistrict__name=sample.XINGDALU).values_list("code", "households")


def test_the_stories_give_every_held_star_one_award_and_no_pair_twice(district):
    plan = build_plan(dt.date(2026, 11, 29))
    for period, stories in plan.stories.items():
        pairs = Counter((s.code, s.star) for s in stories)
        assert max(pairs.values()) == 1
        outcomes = Counter(s.outcome for s in stories)
        assert set(outcomes) <= set(sample.DECIDED) | set(sample.IN_FLIGHT)


def test_largest_remainder_adds_up_and_stays_proportional():
    shares = sample.largest_remainder(65, {"a": 18, "b": 15, "c": 9, "d": 1})
    assert sum(shares.values()) == 65
    assert shares == {"a": 27, "b": 23, "c": 14, "d": 1}


def test_the_committed_household_file_is_what_the_seed_makes(district, tmp_path):
    path = tmp_path / "households.csv"
    out = io.StringIO()
    call_command("seed_stars", "--households-csv", str(path), stdout=out)
    assert "wrote 1216 households (60 ten-star)" in out.getvalue()
    assert path.read_bytes() == SAMPLE_CSV.read_bytes()


def test_seeding_without_a_district_is_refused(district):
    Branch.objects.all().delete()
    with pytest.raises(CommandError, match="load the district first"):
        call_command("seed_stars", stdout=io.StringIO())
