"""Reading supervision input from a form or a JSON body; every error names the field at fault."""

import datetime as dt
import json

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from apps.people.models import Person, Role
from apps.stars.models import Branch
from apps.supervision.checklist import Answers
from apps.supervision.errors import WorkflowError
from apps.supervision.models import InspectionGroup, ResearchRound
from gridgov.api_errors import nul_field

TRUE = {"1", "true", "on", "yes", True, 1}


def read_body(request):
    """(data, photos) of a JSON or multipart/form request."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise WorkflowError(_("The request body is not valid JSON."), field="body") from None
        if not isinstance(data, dict):
            raise WorkflowError(_("The request body must be a JSON object."), field="body")
        return _without_nul(data), []
    return _without_nul(request.POST), request.FILES.getlist("photos")


def _without_nul(data):
    """`data`, or WorkflowError naming the field holding a NUL character (PostgreSQL refuses them)."""
    field = nul_field(data)
    if field:
        raise WorkflowError(f"{field}: {ProhibitNullCharactersValidator.message}", field=field)
    return data


def text(data, field):
    value = data.get(field, "")
    return value.strip() if isinstance(value, str) else str(value)


def boolean(data, field):
    value = data.get(field, False)
    return (value.strip().lower() if isinstance(value, str) else value) in TRUE


def integer(data, field, default=None):
    value = data.get(field, default)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise WorkflowError(_("%(field)s must be a whole number.") % {"field": field}, field=field) from None


def date(data, field):
    value = text(data, field)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise WorkflowError(_("%(field)s must be a date (YYYY-MM-DD), not “%(value)s”.")
                            % {"field": field, "value": value}, field=field) from None


def branch(data, field="branch"):
    code = text(data, field)
    if not code:
        raise WorkflowError(_("Give the village/community code of the branch."), field=field)
    found = Branch.objects.filter(community__code=code).select_related("community__subdistrict").first()
    if found is None:
        raise WorkflowError(_("No branch with village/community code %(code)s.") % {"code": code}, field=field)
    return found


def group(data, field="group"):
    pk = integer(data, field)
    found = InspectionGroup.objects.filter(pk=pk).select_related("campaign").first() if pk else None
    if found is None:
        raise WorkflowError(_("No such inspection group."), field=field)
    return found


def research_round(data, field="round"):
    pk = integer(data, field)
    found = ResearchRound.objects.filter(pk=pk).first() if pk else None
    if found is None:
        raise WorkflowError(_("No such research round."), field=field)
    return found


def leader(data, field="leader"):
    code = text(data, field)
    found = Person.objects.filter(code=code, role=Role.LEADER).first() if code else None
    if found is None:
        raise WorkflowError(_("No leader with code “%(code)s”.") % {"code": code}, field=field)
    return found


def answers(data):
    counts = {f: integer(data, f, 0) for f in ("party_members", "attending", "approving")}
    for field, value in counts.items():
        if value < 0:
            raise WorkflowError(_("%(field)s cannot be negative.") % {"field": field}, field=field)
    flags = {f: boolean(data, f) for f in ("proposed", "discussed", "reviewed", "resolved", "resolution_public",
                                           "results_public", "in_order", "supervised")}
    return Answers(**flags, **counts)


def milestones(data):
    """[(title, due date)] from a JSON list of {title, due_on} or form fields milestone_title / milestone_due."""
    if hasattr(data, "getlist"):
        rows = [{"title": t, "due_on": d} for t, d in zip(data.getlist("milestone_title"),
                                                          data.getlist("milestone_due"))
                if t.strip() or d.strip()]
    else:
        rows = data.get("milestones") or []
        if not isinstance(rows, list):
            raise WorkflowError(_("milestones must be a list of {title, due_on}."), field="milestones")
    return [(text(row, "title"), date(row, "due_on")) for row in rows if isinstance(row, dict)]
