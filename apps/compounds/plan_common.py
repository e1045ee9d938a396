"""What zone plans and assignment plans share: refusals, the metric transform, the scope, locks.

A draft is rows of its own (`ZonePlan` + `ZonePlanItem` in `zone_plans.py`,
`AssignmentPlan` + `AssignmentPlanItem` in `assignment_plans.py`) until it is
applied. The pure algorithms (`zoning.py`, `assignment.py`) see plain shapely
geometries in metres (EPSG:4547); those modules read the ORM, call them and write
their answers.
"""

import hashlib

import numpy as np
import pyproj
import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compounds.models import Compound, PlanStatus, Zone

METRIC_SRID = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E: lengths and areas in metres
TO_METRES = pyproj.Transformer.from_crs(4326, METRIC_SRID, always_xy=True)
# Statuses a draft can still be edited, applied or discarded in.
OPEN = (PlanStatus.QUEUED, PlanStatus.RUNNING, PlanStatus.READY, PlanStatus.FAILED)


class PlanError(Exception):
    """A refusal with its HTTP status: 400 bad input (default), 409 not now, 404 not found."""

    status = 400

    def __init__(self, message, code="invalid", field=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class PlanConflict(PlanError):
    status = 409



def to_metres(geom):
    """A shapely geometry in EPSG:4326 (lon, lat) -> the same in EPSG:4547 metres."""
    return shapely.transform(geom, lambda xy: np.column_stack(TO_METRES.transform(xy[:, 0], xy[:, 1])))


def shape_of(geom):
    return shapely.from_wkb(bytes(geom.wkb))


def scope_compounds(community):
    compounds = Compound.objects.all()
    return compounds if community is None else compounds.filter(community=community)


def scope_zones(community):
    zones = Zone.objects.all()
    return zones if community is None else zones.filter(community=community)



def fingerprint(lines):
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def positive_int(params, name):
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PlanError(
            _("Field %(field)s must be a whole number of at least 1, got %(value)s.")
            % {"field": name, "value": repr(value)[:40]},
            field=name,
        )
    return value


def lock_ready(model, plan):
    locked = model.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.READY:
        raise PlanConflict(
            _("Draft %(id)s is %(status)s: only a ready draft can be edited or applied.")
            % {"id": plan.pk, "status": locked.get_status_display()},
            code="status",
        )
    return locked



def discard_plan(plan, *, by):
    """Discard a draft that is not applied; returns it. 409 for an applied, discarded or historic plan."""
    model = type(plan)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=plan.pk)
        if locked.status not in OPEN:
            raise PlanConflict(
                _("Draft %(id)s is %(status)s and cannot be discarded.")
                % {"id": plan.pk, "status": locked.get_status_display()},
                code="status",
            )
        locked.status, locked.updated_at = PlanStatus.DISCARDED, timezone.now()
        locked.save(update_fields=["status", "updated_at"])
    return locked

