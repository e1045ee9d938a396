"""Zoning drafts: make, edit, compare, apply (apps/compounds/zone_plans.py), and the cases that follow the zones."""

import datetime as dt

import pytest
import shapely
from django.db import transaction
from plans_cast import in_force_plan, key_of, move, scene, state, zones_of, english  # noqa: F401  (fixtures)

from apps.areas.layerversion import current_layer_version
from apps.areas.models import Community
from apps.cases.intake import report_case
from apps.cases.models import Case, Category
from apps.cases.zones import move_cases_off_retired_zones
from apps.compounds import plan_common, zone_plans
from apps.compounds.models import Compound, PlanStatus, Zone, ZoneAssignment, ZonePlan, ZonePlanItem
from apps.compounds.signals import zones_replaced
from apps.people.models import Person, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

AT = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# --- making a draft -----------------------------------------------------------


def test_a_community_draft_labels_every_compound_of_the_community_and_nothing_else(scene):
    plan = zone_plans.make_zone_plan(scene, {"target": 2}, by=None)
    assert plan.status == PlanStatus.READY and plan.progress == 100
    assert set(plan.items.values_list("compound__code", flat=True)) == set(
        Compound.objects.filter(community=scene).values_list("code", flat=True)
    )
    assert {key.split(":")[0] for key in plan.items.values_list("zone_key", flat=True)} == {scene.code}
    assert plan.report["zones"] == 2 and plan.report["crossings"] == 0
    assert plan.report_in_force["zones"] == Zone.objects.filter(community=scene).count()
    assert plan.base_fingerprint == zone_plans.zones_fingerprint(scene)


def test_without_target_or_cap_a_draft_keeps_the_number_of_zones_in_force(scene):
    plan = zone_plans.make_zone_plan(scene, {}, by=None)
    assert plan.params["target"] == Zone.objects.filter(community=scene).count()
    assert plan.report["zones"] == plan.params["target"]


def test_a_draft_from_the_zones_in_force_changes_nothing_when_applied(scene):
    plan = in_force_plan(scene)
    resolution = zone_plans.resolve(plan)
    assert resolution.unchanged and sorted(resolution.kept) == sorted(zones_of(scene))
    before = state()
    zone_plans.apply_zone_plan(plan, by=None)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPLIED and plan.outcome["unchanged"] is True
    after = state()
    assert after.pop("plans") != before.pop("plans")  # only the draft's own status moved
    assert after == before  # no zone, compound, cadre or layer version touched


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"target": 2, "cap": 500}, "cap", "not both"),
        ({"target": 0}, "target", "at least 1"),
        ({"target": "3"}, "target", "whole number"),
        ({"cap": -5}, "cap", "at least 1"),
        ({"band": 0}, "band", "band"),
        ({"band": "far"}, "band", "band"),
        ({"target": 999}, "target", "cannot make 999 zones"),
        ({"start": "yesterday"}, "start", "start"),
    ],
)
def test_bad_parameters_are_refused_by_name_and_nothing_is_written(scene, params, field, words):
    plans_before = ZonePlan.objects.count()
    with pytest.raises(plan_common.PlanError) as refused:
        zone_plans.make_zone_plan(scene, params, by=None)
    assert refused.value.field == field and words in refused.value.message
    if field == "target" and "999" in words:
        assert scene.name in refused.value.message
    assert ZonePlan.objects.count() == plans_before


def test_a_compound_with_no_households_is_named_and_no_draft_is_saved(scene):
    compound = Compound.objects.filter(community=scene).order_by("code").first()
    Compound.objects.filter(pk=compound.pk).update(households=0)
    plans_before, items_before = ZonePlan.objects.count(), ZonePlanItem.objects.count()
    with pytest.raises(plan_common.PlanError) as refused:
        zone_plans.make_zone_plan(scene, {"target": 2}, by=None)
    assert compound.code in refused.value.message
    assert (ZonePlan.objects.count(), ZonePlanItem.objects.count()) == (plans_before, items_before)


# --- editing a draft ----------------------------------------------------------


def test_moving_a_compound_within_its_community_updates_the_report(move):
    community, compound, source, target = move
    plan = in_force_plan(community)
    target_key = key_of(plan, Compound.objects.filter(zone=target).first())
    before = plan.report
    zone_plans.move_compound(plan, compound, target_key, by=None)
    plan.refresh_from_db()
    assert key_of(plan, compound) == target_key
    assert plan.report != before
    assert plan.report["load_max"] >= target.households + compound.households or plan.report["zones"] < before["zones"]


def test_moving_a_compound_to_a_zone_of_another_community_is_refused_by_name(move, scene):
    community, compound, _source, _target = move
    plan = in_force_plan(None)
    elsewhere = Community.objects.exclude(pk=community.pk).filter(compounds__isnull=False).order_by("code").first()
    foreign_key = key_of(plan, Compound.objects.filter(community=elsewhere).first())
    with pytest.raises(plan_common.PlanError) as refused:
        zone_plans.move_compound(plan, compound, foreign_key, by=None)
    assert refused.value.code == "crossing"
    assert compound.code in refused.value.message and community.name in refused.value.message
    assert key_of(plan, compound) != foreign_key


@pytest.mark.parametrize("key", ["", "Z41010500100101", "410105001001-01", None])
def test_a_zone_that_is_not_a_draft_key_is_refused(move, key):
    community, compound, _source, _target = move
    plan = in_force_plan(community)
    with pytest.raises(plan_common.PlanError) as refused:
        zone_plans.move_compound(plan, compound, key, by=None)
    assert refused.value.field == "zone"


def test_a_compound_outside_the_draft_cannot_be_moved(move, scene):
    community, _compound, _source, _target = move
    plan = in_force_plan(community)
    stranger = Compound.objects.exclude(community=community).order_by("code").first()
    with pytest.raises(plan_common.PlanError) as refused:
        zone_plans.move_compound(plan, stranger, f"{stranger.community.code}:01", by=None)
    assert stranger.code in refused.value.message


def test_replanning_one_community_changes_only_its_keys(scene):
    plan = in_force_plan(None)
    others_before = dict(plan.items.exclude(compound__community=scene).values_list("compound_id", "zone_key"))
    zone_plans.replan_community(plan, scene, 1, by=None)
    plan.refresh_from_db()
    assert set(plan.items.filter(compound__community=scene).values_list("zone_key", flat=True)) == {f"{scene.code}:01"}
    assert dict(plan.items.exclude(compound__community=scene).values_list("compound_id", "zone_key")) == others_before
    assert plan.report["zones"] == plan.report_in_force["zones"] - Zone.objects.filter(community=scene).count() + 1


def test_replanning_more_zones_than_compounds_is_refused_by_name(scene):
    plan = in_force_plan(scene)
    n = Compound.objects.filter(community=scene).count()
    with pytest.raises(plan_common.PlanError) as refused:
        zone_plans.replan_community(plan, scene, n + 1, by=None)
    assert scene.name in refused.value.message and refused.value.field == "zones"


def test_a_discarded_or_applied_draft_cannot_be_edited(move):
    community, compound, _source, target = move
    plan = in_force_plan(community)
    plan_common.discard_plan(plan, by=None)
    with pytest.raises(plan_common.PlanConflict):
        zone_plans.move_compound(plan, compound, f"{community.code}:01", by=None)
    with pytest.raises(plan_common.PlanConflict):
        zone_plans.apply_zone_plan(plan, by=None)
    with pytest.raises(plan_common.PlanConflict):
        plan_common.discard_plan(plan, by=None)


# --- applying -----------------------------------------------------------------


@pytest.fixture
def moved_plan(move):
    """A draft of `move`'s community with its compound moved to the other zone."""
    community, compound, source, target = move
    plan = in_force_plan(community)
    zone_plans.move_compound(plan, compound, key_of(plan, Compound.objects.filter(zone=target).first()), by=None)
    return plan


def test_the_diff_lists_the_moved_compound_and_the_zones_kept_new_and_gone(move, moved_plan):
    community, compound, source, target = move
    diff = zone_plans.diff_of(zone_plans.resolve(moved_plan))
    untouched = sorted(set(zones_of(community)) - {source.code, target.code})
    assert diff["kept"] == untouched
    assert diff["gone"] == sorted([source.code, target.code])
    assert len(diff["new"]) == 2
    [moved] = diff["moved"]
    assert moved["compound"] == compound.code and moved["from_zone"] == source.code
    assert moved["to_zone"] not in zones_of(community)  # the changed zone gets a fresh code


def test_apply_keeps_unchanged_zones_code_and_row_and_gives_changed_ones_fresh_codes(move, moved_plan):
    community, compound, source, target = move
    before = {z.code: z.pk for z in Zone.objects.filter(community=community)}
    old_cadres = {code: set(Zone.objects.get(code=code).cadres.values_list("pk", flat=True))
                  for code in (source.code, target.code)}
    version = current_layer_version()
    zone_plans.apply_zone_plan(moved_plan, by=None)
    moved_plan.refresh_from_db()
    after = {z.code: z for z in Zone.objects.filter(community=community)}

    for code in set(before) - {source.code, target.code}:
        assert after[code].pk == before[code]  # same row, same code
    assert source.code not in after and target.code not in after
    fresh = set(after) - set(before)
    assert len(fresh) == 2
    for code in fresh:
        assert code.startswith(f"Z{community.code}") and len(code) == 15
    compound.refresh_from_db()
    home = compound.zone
    assert home.code in fresh
    members = Compound.objects.filter(zone=home)
    assert set(members.values_list("code", flat=True)) == set(
        moved_plan.items.filter(zone_key=key_of(moved_plan, compound)).values_list("compound__code", flat=True)
    )
    # The zone's boundary is the union of its compounds; its households their sum.
    union = shapely.union_all([shapely.from_wkb(bytes(c.geom.wkb)) for c in members])
    assert shapely.from_wkb(bytes(home.geom.wkb)).symmetric_difference(union).area < 1e-12
    assert home.households == sum(c.households for c in members)
    # Each new zone took over the five cadres of the retired zone it inherits most households from.
    assert {frozenset(z.cadres.values_list("pk", flat=True)) for z in after.values() if z.code in fresh} == {
        frozenset(cadres) for cadres in old_cadres.values()
    }
    assert all(z.assignments.count() == 5 for z in after.values())
    assert moved_plan.outcome["released"] == [] and moved_plan.outcome["short"] == []
    assert sorted(c["from"] for c in moved_plan.outcome["carried"]) == sorted([source.code, target.code])
    assert current_layer_version() != version


def test_apply_keeps_what_was_in_force_as_a_superseded_plan(move, moved_plan):
    community, compound, source, target = move
    in_force = dict(Compound.objects.filter(community=community).values_list("code", "zone__code"))
    source_cadres = sorted(source.assignments.values_list("cadre__code", "is_head"))
    zone_plans.apply_zone_plan(moved_plan, by=None)
    moved_plan.refresh_from_db()
    history = ZonePlan.objects.get(pk=moved_plan.outcome["history"])
    assert history.status == PlanStatus.SUPERSEDED and history.community == community
    assert dict(history.items.values_list("compound__code", "zone_key")) == in_force
    assert sorted(map(tuple, history.outcome["assignments"][source.code])) == source_cadres
    assert history.outcome["zones"][source.code]["name"] == source.name


def test_applying_the_same_plan_again_changes_nothing(move, moved_plan):
    community, *_ = move
    zone_plans.apply_zone_plan(moved_plan, by=None)
    again = in_force_plan(community)
    before = state()
    zone_plans.apply_zone_plan(again, by=None)
    again.refresh_from_db()
    assert again.outcome["unchanged"] is True
    after = state()
    after.pop("plans"), before.pop("plans")
    assert after == before


def test_a_draft_made_before_the_zones_changed_is_refused_with_409(move, moved_plan):
    community, compound, source, target = move
    # Someone edits the zones in force meanwhile (the admin, another draft).
    Compound.objects.filter(pk=compound.pk).update(zone=target)
    before = state()
    with pytest.raises(plan_common.PlanConflict) as refused:
        zone_plans.apply_zone_plan(moved_plan, by=None)
    assert refused.value.status == 409 and refused.value.code == "zones_changed"
    assert state() == before
    moved_plan.refresh_from_db()
    assert moved_plan.status == PlanStatus.READY


def test_a_draft_that_breaks_a_hard_rule_is_refused_with_400(move):
    community, compound, _source, _target = move
    plan = in_force_plan(None)
    # Bypass move_compound (which refuses it) to put a compound in another community's zone.
    elsewhere = Compound.objects.exclude(community=community).order_by("code").first()
    ZonePlanItem.objects.filter(plan=plan, compound=compound).update(zone_key=key_of(plan, elsewhere))
    before = state()
    with pytest.raises(plan_common.PlanError) as refused:
        zone_plans.apply_zone_plan(plan, by=None)
    assert refused.value.status == 400 and refused.value.code == "hard_rule"
    assert state() == before


def test_apply_is_all_or_nothing_when_a_receiver_fails_midway(move, moved_plan):
    """New zones are written, compounds moved and cadres carried before zones_replaced; a failure there undoes all."""

    def broken_receiver(sender, **kwargs):
        assert Zone.objects.filter(code__in=[z for z in zone_plans.resolve(moved_plan).codes.values()]).count() > 0
        raise RuntimeError("patrols could not move their rows")

    zones_replaced.connect(broken_receiver, dispatch_uid="test-broken")
    before = state()
    try:
        with pytest.raises(RuntimeError):
            zone_plans.apply_zone_plan(moved_plan, by=None)
    finally:
        zones_replaced.disconnect(dispatch_uid="test-broken")
    assert state() == before
    moved_plan.refresh_from_db()
    assert moved_plan.status == PlanStatus.READY
    assert not ZonePlan.objects.filter(status=PlanStatus.SUPERSEDED).exists()


def test_apply_is_all_or_nothing_when_the_database_refuses_a_write(move, moved_plan, monkeypatch):
    """A failure after the retired zones are deleted (the plan's own save) leaves everything as it was."""
    before = state()
    real_save = ZonePlan.save

    def failing_save(self, *args, **kwargs):
        if self.pk == moved_plan.pk and self.status == PlanStatus.APPLIED:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(ZonePlan, "save", failing_save)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            zone_plans.apply_zone_plan(moved_plan, by=None)
    assert state() == before


# --- cases follow the zones -----------------------------------------------------


@pytest.fixture
def reporter(district):
    from django.core.management import call_command

    call_command("seed_cases", verbosity=0)
    return Person.objects.create(code="P-REPORTER", name="reporter", role=Role.ADMINISTRATOR)


def report_at(reporter, compound):
    point = compound.geom.point_on_surface
    case, _created = report_case(by=reporter, category=Category.objects.get(code="E0101"), lon=point.x, lat=point.y,
                                 description="楼院内堆放杂物", at=AT, notify=False)
    return case


def test_cases_of_retired_zones_move_to_the_zone_now_holding_their_point(move, moved_plan, reporter):
    community, compound, source, target = move
    moving = report_at(reporter, compound)
    staying = report_at(reporter, Compound.objects.filter(community=community).exclude(
        zone__in=[source, target]).order_by("code").first())
    assert moving.zone == source
    staying_zone = staying.zone_id
    zone_plans.apply_zone_plan(moved_plan, by=None)
    moving.refresh_from_db()
    staying.refresh_from_db()
    compound.refresh_from_db()
    assert moving.zone_id == compound.zone_id  # the new zone that holds the compound
    assert staying.zone_id == staying_zone  # a kept zone keeps its cases


def test_the_receiver_clears_the_zone_of_a_case_no_zone_in_force_holds(move, reporter):
    community, compound, source, _target = move
    case = report_at(reporter, compound)
    assert case.zone == source
    moved = move_cases_off_retired_zones(None, retired=[source.pk], zones=Zone.objects.exclude(pk=source.pk))
    case.refresh_from_db()
    assert moved == 1 and case.zone_id is None
    assert Case.objects.filter(zone=source).count() == 0


def test_the_receiver_leaves_cases_of_other_zones_alone(move, reporter):
    community, compound, source, target = move
    other = Compound.objects.filter(zone=target).order_by("code").first()
    case = report_at(reporter, other)
    move_cases_off_retired_zones(None, retired=[source.pk], zones=Zone.objects.all())
    case.refresh_from_db()
    assert case.zone == target


def test_cadres_counts_reach_five_per_zone_after_any_apply(move, moved_plan):
    zone_plans.apply_zone_plan(moved_plan, by=None)
    assert ZoneAssignment.objects.count() == 5 * Zone.objects.count()


def test_a_fresh_code_is_never_one_a_retired_zone_had(move):
    community, compound, source, target = move
    source_set = set(source.compounds.values_list("pk", flat=True))
    source_mate = source.compounds.exclude(pk=compound.pk).order_by("code").first()
    first = in_force_plan(community)
    zone_plans.move_compound(first, compound, key_of(first, Compound.objects.filter(zone=target).first()), by=None)
    zone_plans.apply_zone_plan(first, by=None)
    # Move it back: the zones regain their old compound sets, but not their old codes.
    back = in_force_plan(community)
    zone_plans.move_compound(back, compound, key_of(back, source_mate), by=None)
    back = zone_plans.apply_zone_plan(back, by=None)
    assert len(back.outcome["new"]) == 2
    codes = set(Zone.objects.filter(community=community).values_list("code", flat=True))
    assert not codes & {source.code, target.code}
    home = Compound.objects.get(pk=compound.pk).zone
    assert set(home.compounds.values_list("pk", flat=True)) == source_set  # the old set, under a new code


def test_the_admin_lists_drafts_and_history_read_only(client, django_user_model, move, moved_plan):
    from django.urls import reverse

    zone_plans.apply_zone_plan(moved_plan, by=None)
    client.force_login(django_user_model.objects.create_superuser("p-admin-root"))
    listing = client.get(reverse("admin:compounds_zoneplan_changelist"))
    assert listing.status_code == 200 and str(moved_plan.pk) in listing.content.decode()
    history = ZonePlan.objects.get(status=PlanStatus.SUPERSEDED)
    assert client.get(reverse("admin:compounds_zoneplan_change", args=[history.pk])).status_code == 200
    assert client.get(reverse("admin:compounds_zoneplan_add")).status_code == 403  # drafts come from the page
    assert client.get(reverse("admin:compounds_assignmentplan_changelist")).status_code == 200


def test_a_kept_zone_gets_the_households_its_compounds_have_now(move, moved_plan):
    community, compound, source, target = move
    kept = Zone.objects.filter(community=community).exclude(pk__in=[source.pk, target.pk]).order_by("code").first()
    member = kept.compounds.order_by("code").first()
    Compound.objects.filter(pk=member.pk).update(households=member.households + 7)  # edited in the admin
    zone_plans.apply_zone_plan(moved_plan, by=None)
    kept.refresh_from_db()
    assert kept.households == sum(kept.compounds.values_list("households", flat=True))
