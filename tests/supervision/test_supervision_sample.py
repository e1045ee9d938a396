"""`seed_supervision`: the 40-village campaign with findings in every state, a part-done round, weak-branch plans."""

import datetime as dt

import pytest
from django.core.management import call_command
from sv_cast import NOW

from apps.stars.models import Branch
from apps.stars.sample_write import ensure_people
from apps.supervision.models import Finding, FindingStatus, InspectionGroup, Visit, WeakBranchPlan
from apps.supervision.sample import seed


@pytest.mark.django_db
def test_sample_has_every_state_and_runs_once(district, clock, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    ensure_people()  # the stars sample's branch secretaries
    weak = Branch.objects.filter(community__kind="village").order_by("community__code")[5]
    Branch.objects.filter(pk=weak.pk).update(weak=True)
    counts = seed(today=NOW.date())
    groups = InspectionGroup.objects.prefetch_related("branches")
    assert groups.count() == 4 and all(g.branches.count() == 10 for g in groups)
    villages = {b.pk for g in groups for b in g.branches.all()}
    assert len(villages) == 40 and Branch.objects.filter(pk__in=villages, community__kind="village").count() == 40
    assert set(Finding.objects.values_list("status", flat=True)) == set(FindingStatus.values)
    assert Finding.objects.filter(overdue=True, escalated_at__isnull=False).exists()
    assert Finding.objects.filter(lookback=True, lookback_checked_at__isnull=False).exists()
    visited = Visit.objects.values("branch").distinct().count()
    assert 0 < visited < 214 and counts["visits"] == Visit.objects.count()
    assert list(WeakBranchPlan.objects.values_list("branch_id", flat=True)) == [weak.pk]
    assert Visit.objects.filter(visited_on__gt=NOW.date()).count() == 0
    assert seed(today=NOW.date()) == {"skipped": True}
    call_command("seed_supervision", verbosity=0)
    assert InspectionGroup.objects.count() == 4
    assert dt.date(2026, 10, 1) <= Visit.objects.order_by("visited_on").first().visited_on
