"""Beat jobs make the last whole period; the sample seeds every part once, with the seed's publicity totals."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from apps.bulletins import tasks
from apps.bulletins.models import Bulletin, DutyItem, Incentive, PublicityCounter, ReminderLetter
from bl_cast import login

pytestmark = pytest.mark.django_db


def test_beat_jobs_make_last_periods_bulletins(cast, fixture):
    # The clock is Wednesday 2 December 2026.
    tasks.make_weekly()
    tasks.make_monthly()
    tasks.make_quarterly()
    assert sorted(Bulletin.objects.values_list("kind", "period")) == [
        ("monthly", "2026-11"), ("quarterly", "2026-Q3"), ("weekly", "2026-W48")]
    tasks.make_monthly()  # a second beat (or a retry) replaces
    assert Bulletin.objects.count() == 3


def test_seed_bulletins_fills_every_part_once(cast):
    call_command("seed_bulletins", stdout=io.StringIO())
    counts = (Bulletin.objects.count(), Incentive.objects.count(), DutyItem.objects.count(),
              ReminderLetter.objects.count())
    assert counts[0] == 8 and all(counts)  # 4 weeks, 3 months, 1 quarter
    totals = PublicityCounter.objects.aggregate(m=Sum("manuals"), p=Sum("posters"), b=Sum("briefings"))
    assert totals["m"] >= 6000 and totals["p"] >= 3900 and totals["b"] >= 30
    assert PublicityCounter.objects.count() == 17
    assert not Incentive.objects.filter(amount__lt=0).exists()
    call_command("seed_bulletins", stdout=io.StringIO())
    assert (Bulletin.objects.count(), Incentive.objects.count(), DutyItem.objects.count(),
            ReminderLetter.objects.count()) == counts


@pytest.mark.parametrize("who, status", [("district_leader", 200), ("leader_a", 200), ("worker", 404)])
def test_incentive_and_observation_pages(client, cast, who, status):
    call_command("seed_bulletins", stdout=io.StringIO())
    login(client, getattr(cast, who))
    incentives = client.get("/bulletins/incentives/")
    assert incentives.status_code == status
    assert client.get("/bulletins/observation/2026-Q3/").status_code == status
    if status == 200:
        shown = {i.subdistrict_id for i in incentives.context["incentives"]}
        if who == "leader_a":
            assert shown <= {cast.area_a.pk}
        assert ("incentive-form" in incentives.content.decode()) == (who == "district_leader")
