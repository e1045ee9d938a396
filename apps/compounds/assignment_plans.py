"""Assignment drafts: make, compare with the assignments in force, apply (issue 9).

Every zone gets its cadres from the units (departments and sub-district offices)
by `assignment.assign_cadres`; applying rewrites every ZoneAssignment at once and
keeps the previous ones as a superseded plan. Shared pieces live in `plan_common.py`.
"""

from collections import defaultdict

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.areas.layerversion import bump_layer_version
from apps.compounds.models import CADRES_PER_ZONE, AssignmentPlan, AssignmentPlanItem, PlanStatus, Zone, ZoneAssignment
from apps.compounds.plan_common import (
    TO_METRES,
    PlanConflict,
    PlanError,
    fingerprint,
    lock_ready,
    positive_int,
    shape_of,
    to_metres,
)
from apps.people.models import Department, Person, Role

ASSIGN_DEFAULTS = {"per_zone": CADRES_PER_ZONE, "max_per_department": 2, "head_from_office": True, "minimax": False}


def clean_assignment_params(params):
    cleaned = dict(ASSIGN_DEFAULTS)
    per_zone = positive_int(params, "per_zone")
    if per_zone is not None:
        cleaned["per_zone"] = per_zone
    if "max_per_department" in params:
        cleaned["max_per_department"] = positive_int(params, "max_per_department")
    for name in ("head_from_office", "minimax"):
        if name in params:
            if not isinstance(params[name], bool):
                raise PlanError(_("Field %(field)s must be true or false.") % {"field": name}, field=name)
            cleaned[name] = params[name]
    zones = Zone.objects.count()
    cadres = Person.objects.filter(role=Role.ZONE_CADRE).count()
    if zones == 0:
        raise PlanError(_("There are no zones to assign cadres to."), field="per_zone")
    if cadres < zones * cleaned["per_zone"]:
        raise PlanError(
            _("%(cadres)s cadres cannot fill %(zones)s zones with %(per_zone)s each (%(need)s needed).")
            % {"cadres": cadres, "zones": zones, "per_zone": cleaned["per_zone"], "need": zones * cleaned["per_zone"]},
            field="per_zone",
        )
    return cleaned


def assignments_in_force():
    """{cadre code: (zone code, is_head)}."""
    return {
        cadre: (zone, head)
        for cadre, zone, head in ZoneAssignment.objects.values_list("cadre__code", "zone__code", "is_head")
    }


def assignment_fingerprint():
    """Zones, cadres with their departments, and the assignments in force."""
    lines = [f"zone={code}" for code in Zone.objects.values_list("code", flat=True)]
    lines += [f"cadre={c}@{d}" for c, d in
              Person.objects.filter(role=Role.ZONE_CADRE).values_list("code", "department__code")]
    lines += [f"{c}={z}:{int(h)}" for c, (z, h) in assignments_in_force().items()]
    return fingerprint(lines)


def read_units_and_slots():
    """(units, zone slots, {cadre code: (x, y) of their unit}) for assignment.assign_cadres.

    A unit is a department (district department or sub-district office) with
    cadres; one with cadres and no office point is refused, by name.
    """
    from apps.compounds import assignment  # the solver loads scipy: only when assigning

    by_department = defaultdict(list)
    for code, name, department_id in Person.objects.filter(role=Role.ZONE_CADRE).order_by("code").values_list(
        "code", "name", "department_id"
    ):
        if department_id is None:
            raise PlanError(
                _("Cadre %(code)s (%(name)s) has no work unit: set their department first.")
                % {"code": code, "name": name},
                code="no_department",
            )
        by_department[department_id].append(code)
    units, where = [], {}
    departments = Department.objects.filter(pk__in=by_department).select_related("subdistrict").order_by("code")
    for department in departments:
        if department.office_point is None:
            raise PlanError(
                _("Department %(name)s (%(code)s) has cadres but no office location: set it before assigning.")
                % {"name": department.name, "code": department.code},
                code="no_office_point",
            )
        x, y = TO_METRES.transform(department.office_point.x, department.office_point.y)
        cadres = tuple(by_department[department.pk])
        office_of = department.subdistrict.code if department.subdistrict_id else None
        units.append(assignment.Unit(code=department.code, x=x, y=y, cadres=cadres, office_of=office_of))
        where.update({cadre: (x, y) for cadre in cadres})
    slots = []
    for code, subdistrict, geom in Zone.objects.order_by("code").values_list(
        "code", "community__subdistrict__code", "geom"
    ):
        point = to_metres(shape_of(geom)).point_on_surface()
        slots.append(assignment.ZoneSlot(code=code, x=point.x, y=point.y, subdistrict=subdistrict))
    return units, slots, where


def queue_assignment_plan(params, *, by):
    return AssignmentPlan.objects.create(params=clean_assignment_params(params), created_by=by)


def make_assignment_plan(params, *, by):
    """Make and compute an assignment draft now (the management command); all or nothing."""
    with transaction.atomic():
        plan = AssignmentPlan.objects.create(
            params=clean_assignment_params(params), created_by=by, status=PlanStatus.RUNNING
        )
        compute_assignment_plan(plan)
    return plan


def compute_assignment_plan(plan):
    """Solve the assignment for a RUNNING draft and store its items and report."""
    from apps.compounds import assignment

    params = plan.params
    base = assignment_fingerprint()
    units, slots, where = read_units_and_slots()
    in_force = assignments_in_force()
    current = {cadre: zone for cadre, (zone, _head) in in_force.items()}
    current_heads = {zone: cadre for cadre, (zone, head) in in_force.items() if head}
    try:
        result = assignment.assign_cadres(
            units, slots, per_zone=params["per_zone"], max_per_department=params["max_per_department"],
            head_from_office=params["head_from_office"], minimax=params["minimax"], current=current,
            current_heads=current_heads,
        )
    except assignment.AssignmentError as exc:
        raise PlanError(str(exc), code="assignment") from None
    slot_xy = {slot.code: (slot.x, slot.y) for slot in slots}
    ids = dict(Person.objects.filter(role=Role.ZONE_CADRE).values_list("code", "pk"))
    with transaction.atomic():
        locked = AssignmentPlan.objects.select_for_update().filter(pk=plan.pk, status=PlanStatus.RUNNING).first()
        if locked is None:
            return None
        AssignmentPlanItem.objects.filter(plan=plan).delete()
        items = []
        for zone_code, members in sorted(result.members.items()):
            zx, zy = slot_xy[zone_code]
            for cadre in members:
                ux, uy = where[cadre]
                items.append(AssignmentPlanItem(
                    plan=plan, cadre_id=ids[cadre], zone_code=zone_code, is_head=result.heads.get(zone_code) == cadre,
                    distance_m=round(float(np.hypot(ux - zx, uy - zy)), 1),
                ))
        AssignmentPlanItem.objects.bulk_create(items)
        plan.report, plan.base_fingerprint = result.report, base
        plan.status, plan.progress, plan.error, plan.updated_at = PlanStatus.READY, 100, "", timezone.now()
        plan.save(update_fields=["report", "base_fingerprint", "status", "progress", "error", "updated_at"])
    return plan


def cadres_moved(plan):
    """How many cadres of the draft would change zone (or get one)."""
    in_force = assignments_in_force()
    return sum(1 for c, z in plan.items.values_list("cadre__code", "zone_code") if in_force.get(c, (None,))[0] != z)


def apply_assignment_plan(plan, *, by):
    """Rewrite every ZoneAssignment from a ready draft, all or nothing; the previous ones become history.

    409 when zones, cadres or assignments changed after the draft was made. A draft
    equal to what is in force changes nothing (outcome "unchanged").
    """
    with transaction.atomic():
        plan = lock_ready(AssignmentPlan, plan)
        list(Zone.objects.select_for_update().values_list("pk", flat=True))
        if assignment_fingerprint() != plan.base_fingerprint:
            raise PlanConflict(
                _("Zones, cadres or assignments changed after draft %(id)s was made: make a new draft.")
                % {"id": plan.pk},
                code="zones_changed",
            )
        drafted = {c: (z, h) for c, z, h in plan.items.values_list("cadre__code", "zone_code", "is_head")}
        in_force = assignments_in_force()
        now = timezone.now()
        if drafted == in_force:
            outcome = {"unchanged": True, "moved": 0}
        else:
            snapshot = AssignmentPlan.objects.create(
                status=PlanStatus.SUPERSEDED, created_by=by, created_at=now, updated_at=now, progress=100,
                params={"replaced_by": plan.pk}, base_fingerprint=plan.base_fingerprint,
            )
            cadre_ids = dict(Person.objects.filter(code__in=in_force).values_list("code", "pk"))
            AssignmentPlanItem.objects.bulk_create(
                [AssignmentPlanItem(plan=snapshot, cadre_id=cadre_ids[c], zone_code=z, is_head=h)
                 for c, (z, h) in sorted(in_force.items())]
            )
            zone_ids = dict(Zone.objects.values_list("code", "pk"))
            ZoneAssignment.objects.all().delete()
            ZoneAssignment.objects.bulk_create([
                ZoneAssignment(zone_id=zone_ids[zone_code], cadre_id=cadre_id, is_head=is_head,
                               assigned_on=timezone.localdate(now))
                for cadre_id, zone_code, is_head in plan.items.values_list("cadre_id", "zone_code", "is_head")
            ])
            bump_layer_version()
            moved = sum(1 for c, (z, _h) in drafted.items() if in_force.get(c, (None,))[0] != z)
            outcome = {"unchanged": False, "history": snapshot.pk, "moved": moved}
        plan.outcome = outcome
        plan.status, plan.applied_by, plan.applied_at, plan.updated_at = PlanStatus.APPLIED, by, now, now
        plan.save(update_fields=["outcome", "status", "applied_by", "applied_at", "updated_at"])
    return plan
