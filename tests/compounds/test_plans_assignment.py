"""Assignment drafts: make, apply all or nothing, history, and each refusal (apps/compounds/assignment_plans.py)."""

import pytest
from django.db import transaction
from plans_cast import offices, english  # noqa: F401  (fixture)

from apps.areas.layerversion import current_layer_version
from apps.compounds import assignment_plans, plan_common
from apps.compounds.models import AssignmentPlan, PlanStatus, Zone, ZoneAssignment
from apps.people.models import Department, Person, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def assignment_state():
    return {
        "assignments": sorted(ZoneAssignment.objects.values_list("zone_id", "cadre_id", "is_head")),
        "plans": sorted(AssignmentPlan.objects.values_list("pk", "status")),
        "layer_version": current_layer_version(),
    }


@pytest.fixture
def draft(offices):
    return assignment_plans.make_assignment_plan({}, by=None)


def test_a_draft_gives_every_zone_five_cadres_and_one_head_from_its_sub_district_office(draft):
    assert draft.status == PlanStatus.READY and draft.progress == 100
    zones = set(Zone.objects.values_list("code", flat=True))
    per_zone = {}
    for item in draft.items.select_related("cadre__department__subdistrict"):
        per_zone.setdefault(item.zone_code, []).append(item)
    assert set(per_zone) == zones
    subdistrict_of = dict(Zone.objects.values_list("code", "community__subdistrict_id"))
    for code, items in per_zone.items():
        assert len(items) == 5
        [head] = [i for i in items if i.is_head]
        assert head.cadre.department.subdistrict_id == subdistrict_of[code]
        assert all(i.distance_m is not None and i.distance_m >= 0 for i in items)
    assert draft.report["zones"] == len(zones) and draft.report["cadres"] == 5 * len(zones)


def test_apply_rewrites_the_assignments_and_keeps_the_previous_ones_as_history(draft):
    previous = sorted(ZoneAssignment.objects.values_list("cadre__code", "zone__code", "is_head"))
    version = current_layer_version()
    assignment_plans.apply_assignment_plan(draft, by=None)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.APPLIED
    assert sorted(ZoneAssignment.objects.values_list("cadre__code", "zone__code", "is_head")) == sorted(
        draft.items.values_list("cadre__code", "zone_code", "is_head")
    )
    history = AssignmentPlan.objects.get(pk=draft.outcome["history"])
    assert history.status == PlanStatus.SUPERSEDED
    assert sorted(history.items.values_list("cadre__code", "zone_code", "is_head")) == previous
    assert draft.outcome["moved"] == sum(
        1 for c, z, _h in draft.items.values_list("cadre__code", "zone_code", "is_head")
        if (c, z) not in {(pc, pz) for pc, pz, _ph in previous}
    )
    assert current_layer_version() != version


def test_the_same_assignment_again_changes_nothing(draft):
    assignment_plans.apply_assignment_plan(draft, by=None)
    again = assignment_plans.make_assignment_plan({}, by=None)
    assert assignment_plans.cadres_moved(again) == 0
    before = assignment_state()
    assignment_plans.apply_assignment_plan(again, by=None)
    again.refresh_from_db()
    assert again.outcome == {"unchanged": True, "moved": 0}
    after = assignment_state()
    assert after.pop("plans") != before.pop("plans")
    assert after == before


def test_a_draft_made_before_the_assignments_changed_is_refused(draft):
    assignment = ZoneAssignment.objects.filter(is_head=False).order_by("pk").first()
    other = Zone.objects.exclude(pk=assignment.zone_id).exclude(cadres=assignment.cadre).order_by("code").first()
    ZoneAssignment.objects.filter(pk=assignment.pk).update(zone=other)
    before = assignment_state()
    with pytest.raises(plan_common.PlanConflict) as refused:
        assignment_plans.apply_assignment_plan(draft, by=None)
    assert refused.value.status == 409
    assert assignment_state() == before


def test_apply_is_all_or_nothing(draft, monkeypatch):
    before = assignment_state()

    def fail():
        raise RuntimeError("lost the database midway")

    # The last write before the plan's own save: the assignments are rewritten by then.
    monkeypatch.setattr(assignment_plans, "bump_layer_version", fail)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            assignment_plans.apply_assignment_plan(draft, by=None)
    assert assignment_state() == before
    draft.refresh_from_db()
    assert draft.status == PlanStatus.READY


def test_a_department_with_cadres_and_no_office_location_is_named(offices):
    department = Department.objects.filter(people__role=Role.ZONE_CADRE).order_by("code").first()
    Department.objects.filter(pk=department.pk).update(office_point=None)
    with pytest.raises(plan_common.PlanError) as refused:
        assignment_plans.make_assignment_plan({}, by=None)
    assert department.name in refused.value.message and department.code in refused.value.message
    assert not AssignmentPlan.objects.exists()


def test_a_cadre_with_no_department_is_named(offices):
    cadre = Person.objects.filter(role=Role.ZONE_CADRE).order_by("code").first()
    Person.objects.filter(pk=cadre.pk).update(department=None)
    with pytest.raises(plan_common.PlanError) as refused:
        assignment_plans.make_assignment_plan({}, by=None)
    assert cadre.code in refused.value.message
    assert not AssignmentPlan.objects.exists()


def test_too_few_cadres_for_the_zones_is_refused_with_the_numbers(offices):
    with pytest.raises(plan_common.PlanError) as refused:
        assignment_plans.make_assignment_plan({"per_zone": 6}, by=None)
    zones = Zone.objects.count()
    assert str(zones * 6) in refused.value.message.replace(",", "") and refused.value.field == "per_zone"


def test_a_department_rule_that_cannot_be_met_is_refused_with_the_solvers_reason(offices):
    # Every cadre in one department: at most two of them a zone cannot fill five places.
    department = Department.objects.filter(kind=Department.Kind.DISTRICT_DEPARTMENT).order_by("code").first()
    Person.objects.filter(role=Role.ZONE_CADRE).update(department=department)
    with pytest.raises(plan_common.PlanError) as refused:
        assignment_plans.make_assignment_plan({"max_per_department": 2, "head_from_office": False}, by=None)
    assert refused.value.code == "assignment"
    assert "department" in refused.value.message
    assert not AssignmentPlan.objects.exists()
