"""What the case pages hand their scripts and templates: API addresses, translated strings, timeline rows.

Every text a script shows is translated here and passed through json_script,
so the pages need no JavaScript catalog (as on the map page).
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.cases.models import Case, Status
from apps.cases.serializers import ACTION_LABELS
from apps.people.models import Department

# Placeholders a script swaps for a case number / action / id; reversed once here.
NUMBER = "0000000000"
ACTION = "ACTION"


# Colour groups of the status chips; frontend/static/js/case-ui.js has the same table.
STATUS_GROUP = {
    "reported": "new", "registered": "waiting", "return_requested": "request", "extension_requested": "request",
    "pending_requested": "request", "dispatched": "handling", "handling": "handling", "pending": "pending",
    "handled": "handled", "closed": "closed", "rejected": "closed", "merged": "closed",
}


def notification_kinds():
    """Short labels of inbox messages: the event that caused them, or the deadline warning."""
    return {
        **{k: str(v) for k, v in ACTION_LABELS.items()},
        "yellow": _("near deadline"),
        "red": _("overdue"),
        "escalated": _("escalated (督办)"),
    }


def api_urls():
    return {
        "cases": reverse("api-cases"),
        "case": reverse("api-case", args=[NUMBER]),
        "action": reverse("api-case-action", args=[NUMBER, ACTION]),
        "categories": reverse("api-categories"),
        "departments": reverse("api-departments"),
        "page": reverse("case-page", args=[NUMBER]),
        "subdistricts": reverse("layer-subdistricts"),
        "communities": reverse("layer-communities"),
        "placeholder": NUMBER,
    }


def desk_tabs(desk):
    """(key, label, query) of a desk's queues; the query goes to GET /api/cases/ as it is."""
    requests = "return_requested,extension_requested,pending_requested"
    if desk == "dispatch":
        return [
            ("new", _("New reports"), "status=reported"),
            ("registered", _("Registered"), "status=registered"),
            ("requests", _("Requests"), f"status={requests}"),
            ("departments", _("At departments"), "status=dispatched,handling"),
            ("verify", _("Awaiting verification"), "status=handled"),
            ("overdue", _("Overdue"), "queue=overdue&ordering=handle_deadline"),
            ("pending", _("Pending (挂账)"), "status=pending"),
        ]
    return [
        ("todo", _("To do"), "queue=mine&ordering=handle_deadline"),
        ("dispatched", _("To accept"), "status=dispatched"),
        ("handling", _("Handling"), "status=handling&ordering=handle_deadline"),
        ("requests", _("Requests"), f"status={requests},pending"),
        ("done", _("Handled"), "status=handled,closed"),
    ]


def district_bounds():
    """[[south, west], [north, east]] of the district, or None before it is loaded."""
    from django.contrib.gis.db.models import Extent

    from apps.areas.models import District

    # The database computes the box: the district's outline never travels to Python.
    extent = District.objects.aggregate(box=Extent("geom"))["box"]
    if extent is None:
        return None
    west, south, east, north = extent
    return [[south, west], [north, east]]


def action_labels():
    """Button labels: the verb, where the timeline shows what happened."""
    return {
        "register": _("Register"),
        "reject": _("Reject"),
        "merge": _("Merge"),
        "dispatch": _("Dispatch to department"),
        "close_error": _("Close as error"),
        "accept": _("Accept"),
        "return": _("Return"),
        "approve_return": _("Approve return"),
        "refuse_return": _("Refuse return"),
        "request_extension": _("Ask for extension"),
        "grant_extension": _("Grant extension"),
        "refuse_extension": _("Refuse extension"),
        "request_pending": _("Ask to log as pending"),
        "grant_pending": _("Grant pending"),
        "refuse_pending": _("Refuse pending"),
        "resume": _("Resume handling"),
        "close_special": _("Close as special"),
        "report_part": _("Report our part"),
        "report_handled": _("Report handled"),
        "verify_pass": _("Verified: passed"),
        "verify_fail": _("Verified: failed"),
        "reroute": _("Move to the other area"),
        "send_back": _("Send back: evidence failed"),
    }


def desk_strings():
    return {
        "status": dict(Status.choices),
        "actions": action_labels(),
        "events": {k: str(v) for k, v in ACTION_LABELS.items()},
        "warning": dict(Case.Warning.choices),
        "closure": dict(Case.Closure.choices),
        "loading": _("Loading…"),
        "loadFailed": _("Could not load the cases. Check the connection and try again."),
        "empty": _("No cases here."),
        "place": _("Grid / community"),
        "reportedAt": _("Reported at"),
        "deadline": _("Deadline"),
        "department": _("Department"),
        "unroutable": _("No duty rule: choose a department"),
        "address": _("Address"),
        "photos": _("Photos"),
        "timeline": _("Timeline"),
        "suggestion": _("Suggested department"),
        "duplicates": _("Possible duplicates nearby"),
        "noDuplicates": _("No open case of this category within 100 m in the last 7 days."),
        "metres": _("%(n)s m"),
        "mergeInto": _("Merge into this"),
        "parts": _("Departments"),
        "lead": _("lead"),
        "coHandling": _("co-handling"),
        "partReported": _("result in"),
        "partWaiting": _("result awaited"),
        "openCase": _("Open the case page"),
        "note": _("Note"),
        "reason": _("Reason"),
        "reasonRequired": _("A reason is required."),
        "result": _("Result"),
        "hours": _("Working hours"),
        "newDeadline": _("New deadline"),
        "orHours": _("or extra working hours"),
        "target": _("Merge into case number"),
        "coDepartments": _("Co-handling departments (联动联勤)"),
        "deadlineDefault": _("By the category's limit: %(hours)s working hours"),
        "deadlineOptional": _("Deadline (leave empty for the category's limit)"),
        "confirm": _("Confirm"),
        "cancel": _("Cancel"),
        "done": _("Done: %(action)s"),
        "conflict": _("Someone else changed this case; it has been reloaded."),
        "failed": _("The action failed."),
        "overdue": _("overdue"),
        "timeLeft": _("%(span)s left"),
        "overdueBy": _("overdue by %(span)s"),
        "workingDays": _("%(d)s working days"),
        "workingHours": _("%(h)s working hours"),
        "daysHours": _("%(d)s working days %(h)s h"),
        "deadlineAt": _("deadline %(at)s"),
        "myArea": _("My area"),
        "rework": _("rework ×%(n)s"),
        "extension": _("extended ×%(n)s"),
        "count": _("%(n)s cases"),
        "moreCases": _("Showing the first %(n)s cases."),
        "photoAdd": _("Add photos"),
        "photoLimit": _("At most %(n)s photos."),
        "photoTooLarge": _("%(name)s is larger than 5 MB."),
        "photoOriginalTooLarge": _("%(name)s is larger than 40 MB."),
        "photoNotImage": _("%(name)s is not an image."),
        "verifyHint": _("Check on site: passed closes the case, failed sends it back for rework."),
        "system": _("system"),
        "nothingToDo": _("Nothing for you to do on this case now."),
        "nearBorder": _("Near a border"),
        "borderChosen": _("Placed in"),
        "borderOther": _("Other candidate"),
        "borderLevels": {"grid": _("grid"), "community": _("community"), "subdistrict": _("sub-district"),
                         "zone": _("zone")},
        "borderNoZone": _("no zone"),
        "rerouteTo": _("Move to %(area)s"),
    }


def report_strings():
    """Texts of the report sheet and the patrol's lists on the map page (report.js)."""
    return {
        "tapHint": _("Tap the spot of the problem on the map"),
        "locatingPlace": _("Locating…"),
        "noPlace": _("Tap the map or use GPS to set the place."),
        "outside": _("This point is outside the district."),
        "chooseCategory": _("Choose the category."),
        "describe": _("Describe what you found."),
        "sending": _("Sending…"),
        "offline": _("no connection"),
        "resend": _("Send again"),
        "discard": _("Discard"),
        "verifyPass": _("Passed"),
        "verifyFail": _("Failed"),
        "failNote": _("What is still wrong? (required)"),
        "verified": _("Verification recorded."),
        "toVerifyEmpty": _("Nothing waits for your verification."),
        "mineEmpty": _("You have not reported any case yet."),
        "handlingResult": _("Result reported by the department"),
        "donePlace": _("In %(grid)s, %(community)s, %(subdistrict)s"),
        "doneRoute": _("Likely handled by %(department)s; the dispatcher decides."),
        "doneUnrouted": _("No duty rule covers it here: the dispatcher chooses the department."),
    }


def _local(moment):
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""


def _event_facts(event, department_names):
    """Short facts from an event's data: where it went, until when, into which case."""
    data = event.data or {}
    facts = []
    if event.action == "report" and data.get("suggested_department"):
        facts.append(_("suggested: %(name)s") % {"name": department_names.get(data["suggested_department"], "")})
    if event.action == "dispatch":
        facts.append(_("to %(name)s") % {"name": department_names.get(data.get("department"), "")})
        co = [department_names.get(code, code) for code in data.get("co_departments") or []]
        if co:
            facts.append(_("with %(names)s") % {"names": "、".join(co)})
    if event.action in ("dispatch",) and data.get("deadline"):
        facts.append(_("deadline %(at)s") % {"at": _local(_parse(data["deadline"]))})
    if event.action == "grant_extension" and data.get("to"):
        facts.append(_("new deadline %(at)s") % {"at": _local(_parse(data["to"]))})
    if event.action == "request_extension" and data.get("hours"):
        facts.append(_("%(h)s more working hours") % {"h": data["hours"]})
    if event.action == "merge" and data.get("into"):
        facts.append(_("into %(number)s") % {"number": data["into"]})
    if event.action == "approve_return" and data.get("returned_from"):
        facts.append(_("from %(name)s") % {"name": department_names.get(data["returned_from"], "")})
    if event.action == "reroute" and data.get("to"):
        facts.append(_("from grid %(from)s to grid %(to)s") % {
            "from": (data.get("from") or {}).get("grid") or "", "to": data["to"].get("grid") or ""})
    if event.action in ("verify_pass", "close_special", "close_error") and data.get("closure"):
        facts.append(str(dict(Case.Closure.choices).get(data["closure"], data["closure"])))
    return facts


def _parse(value):
    return parse_datetime(value) if isinstance(value, str) else None


def timeline_rows(case, events):
    """The events of a case as rows for the page: when, who, what, from -> to, note, facts, photos."""
    events = list(events)
    codes = set()
    for event in events:
        data = event.data or {}
        codes.update(c for c in [data.get("department"), data.get("suggested_department"),
                                 data.get("returned_from"), *(data.get("co_departments") or [])] if c)
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    statuses = dict(Status.choices)
    rows = []
    for event in events:
        rows.append({
            "event": event,
            "label": ACTION_LABELS.get(event.action, event.action),
            "from": statuses.get(event.from_status, ""),
            "to": statuses.get(event.to_status, event.to_status),
            "facts": _event_facts(event, names),
            "photos": [
                {"url": reverse("api-case-photo", args=[case.number, a.pk])} for a in event.attachments.all()
            ],
        })
    return rows
