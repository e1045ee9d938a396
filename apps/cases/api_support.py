"""What the cases API reads from a request, and the hints it adds to a case.

Every parser raises `BadParameter` (400, {"detail", "field"}) before anything
is written, so a bad request leaves the database and MEDIA_ROOT as they were.
"""

import datetime as dt
import math
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException

from apps.areas.geojson import BadParameter, code_of, parse_bbox, parse_int
from apps.areas.locate import InvalidCoordinate, check_coordinate
from apps.areas.spatial import within_bbox
from apps.cases.intake import MAX_DESCRIPTION, MAX_PHOTO_BYTES, MAX_PHOTOS, ReportError, check_photo
from apps.cases.models import OPEN_STATUSES, CasePart, Status
from apps.cases.workflow import ACTIONS, NotYourAction, TransitionNotAllowed
from apps.people.models import Department, Role

MAX_NOTE = 2000
MAX_ADDRESS = 200
MAX_HOURS = 2000
# Photos are taken with these actions: the result on site, and the check of it.
PHOTO_ACTIONS = {"report_handled", "report_part", "verify_pass", "verify_fail"}
# A request body larger than this cannot be a valid report: six 5 MB photos and the text fields.
MAX_MULTIPART_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024

DUPLICATE_METRES = 100
DUPLICATE_DAYS = 7
DUPLICATE_LIMIT = 10
EARTH_RADIUS_M = 6_371_008.8

S = Status
# Statuses waiting for a dispatcher's decision (挂账 cases wait for nobody).
DISPATCHER_QUEUE = [S.REPORTED, S.REGISTERED, S.RETURN_REQUESTED, S.EXTENSION_REQUESTED, S.PENDING_REQUESTED]
# Statuses whose clock is the handling deadline.
HANDLING_STATUSES = [S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED, S.EXTENSION_REQUESTED, S.PENDING_REQUESTED]
QUEUES = ("mine", "open", "to_verify", "overdue", "reported")
ORDERINGS = {"-reported_at": ("-reported_at", "-id"), "reported_at": ("reported_at", "id"),
             "handle_deadline": ("handle_deadline", "-reported_at")}


class ApiError(APIException):
    """A 4xx with the flat body every cases endpoint uses: {"detail", "code", "field"?}."""

    def __init__(self, status_code, message, code, field=None):
        self.status_code = status_code
        body = {"detail": message, "code": code}
        if field:
            body["field"] = field
        super().__init__(body)


WORKFLOW_CODES = {TransitionNotAllowed: "transition_not_allowed", NotYourAction: "not_your_action"}


def workflow_error(exc):
    """The ApiError for a workflow refusal: 409 not now, 403 not yours, 400 bad input."""
    code = next((c for kind, c in WORKFLOW_CODES.items() if isinstance(exc, kind)), "invalid")
    return ApiError(exc.status_code, exc.message, code, getattr(exc, "field", None))


def too_large():
    return ApiError(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        _("The request is too large: a description may have at most %(chars)s characters, "
          "and at most %(photos)s photos of 5 MB each.") % {"chars": MAX_DESCRIPTION, "photos": MAX_PHOTOS},
        "too_large",
    )


def check_body_size(request):
    """413 before parsing: Django bounds form fields but not a JSON body, and a huge body is never valid."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    multipart = request.content_type.startswith("multipart/")
    if length > (MAX_MULTIPART_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE):
        raise too_large()


# --- fields -------------------------------------------------------------------


def text(data, name, limit, required=False):
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadParameter(name, _("Field %(field)s must be text.") % {"field": name})
    value = value.strip()
    if required and not value:
        raise BadParameter(name, _("Field %(field)s is required.") % {"field": name})
    if len(value) > limit:
        raise BadParameter(
            name, _("Field %(field)s is longer than %(n)s characters.") % {"field": name, "n": limit}
        )
    return value


def a_list(data, name):
    """A list from JSON, from repeated form fields, or from one comma-separated value."""
    if hasattr(data, "getlist"):
        values = [v for item in data.getlist(name) for v in str(item).split(",")]
    else:
        raw = data.get(name) or []
        values = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise BadParameter(name, _("Field %(field)s must be a list of codes.") % {"field": name})
    return [v.strip() for v in values if v.strip()]


def coordinate(data, name):
    try:
        return check_coordinate(name, data.get(name))
    except InvalidCoordinate as exc:
        raise BadParameter(exc.field, exc.message) from None


def client_id(data, required):
    raw = data.get("client_id")
    if raw in (None, ""):
        if required:
            raise BadParameter(
                "client_id", _("Field client_id is required: a UUID the phone makes once per report.")
            )
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise BadParameter("client_id", _("Field client_id must be a UUID, got %(value)s.")
                           % {"value": repr(str(raw)[:40])}) from None


def uploaded_photos(files):
    photos = files.getlist("photos") + files.getlist("photos[]")
    if len(photos) > MAX_PHOTOS:
        raise BadParameter("photos", _("At most %(n)s photos per report.") % {"n": MAX_PHOTOS})
    return photos


def checked_photos(files):
    """The uploads with their (content type, size); 400 on any that is not a usable photo."""
    photos = uploaded_photos(files)
    try:
        return [(photo, *check_photo(photo)) for photo in photos]
    except ReportError as exc:
        raise BadParameter(exc.field, exc.message) from None


def department(code, name="department"):
    found = Department.objects.filter(code=code).first()
    if found is None:
        raise BadParameter(name, _("Unknown department: %(code)s.") % {"code": code})
    return found


def departments(codes, name="co_departments"):
    found = {d.code: d for d in Department.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise BadParameter(name, _("Unknown department: %(code)s.") % {"code": "、".join(unknown)})
    return [found[c] for c in codes]


def deadline(raw, now):
    if not isinstance(raw, str):
        raise BadParameter("deadline", _("Field deadline must be an ISO 8601 date and time."))
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None:
        raise BadParameter(
            "deadline", _("Field deadline must be an ISO 8601 date and time, got %(value)s.")
            % {"value": repr(raw[:40])},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= now:
        raise BadParameter("deadline", _("The deadline %(value)s is in the past.") % {"value": raw[:40]})
    return value


def action_input(action, data, files, *, target_cases, now):
    """(note, expected version, photos, params for transition()) from an action request.

    1. the action must exist (404 would hide a typo; this says what is wrong);
    2. each field is parsed only if present, so an action takes what it needs;
    3. photos are checked (Pillow) before anything is written.
    """
    if action not in ACTIONS:
        raise BadParameter("action", _("Unknown action: %(action)s.") % {"action": action[:40]})
    params = {}
    note = text(data, "note", MAX_NOTE)
    if data.get("department"):
        params["department"] = department(str(data["department"]))
    co = a_list(data, "co_departments")
    if co:
        params["co_departments"] = departments(co)
    if data.get("deadline"):
        params["deadline"] = deadline(data["deadline"], now)
    if data.get("hours") not in (None, ""):
        params["hours"] = parse_int("hours", data["hours"], 1, MAX_HOURS)
    if data.get("target"):
        number = str(data["target"]).strip()
        params["target"] = target_cases.filter(number=number).first()
        if params["target"] is None:
            raise BadParameter("target", _("No case %(number)s in your area.") % {"number": number[:40]})
    if "result" in data:
        params["result"] = text(data, "result", MAX_NOTE)
    if action == "reroute":
        # The other candidate area of a near-border case (apps/cases/borders.py); checked by the workflow.
        params["grid"] = text(data, "grid", 15)
        if "zone" in data:
            params["zone"] = text(data, "zone", 15)
    version = None
    if data.get("version") not in (None, ""):
        version = parse_int("version", data["version"], 0, 2**31 - 1)
    photos = checked_photos(files) if files else []
    if photos and action not in PHOTO_ACTIONS:
        raise BadParameter("photos", _("Photos go with the result or the verification, not with “%(action)s”.")
                           % {"action": action})
    return note, version, photos, params


# --- list filters ----------------------------------------------------------------


def statuses(raw):
    values = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in Status.values]
    if unknown:
        raise BadParameter("status", _("Unknown status: %(value)s. Known: %(known)s.")
                           % {"value": ", ".join(unknown)[:60], "known": ", ".join(Status.values)})
    return values


def queue_of(queue, person, now):
    """The filter for one queue; "mine" is the person's to-do list and depends on their role."""
    if queue == "open":
        return {"status__in": OPEN_STATUSES}
    if queue == "to_verify":
        return {"status": S.HANDLED}
    if queue == "overdue":
        return {"status__in": HANDLING_STATUSES, "handle_deadline__lt": now}
    if queue == "reported":
        return {"reporter": person}
    # mine
    role = person.role if person else None
    if role in (Role.DISPATCHER, Role.ADMINISTRATOR):
        return {"status__in": DISPATCHER_QUEUE}
    if role == Role.HANDLER:
        waiting = CasePart.objects.filter(department_id=person.department_id, reported_at__isnull=True)
        return {"status__in": [S.DISPATCHED, S.HANDLING], "pk__in": waiting.values("case_id")}
    if role == Role.GRID_WORKER:
        return {"status": S.HANDLED, "grid_id__in": person.grids.values("pk")}
    return {"pk__in": []}


def filter_cases(cases, query, person, now):
    """Apply the list's query parameters; 400 on any that is malformed."""
    if query.get("status"):
        cases = cases.filter(status__in=statuses(query["status"]))
    if query.get("queue"):
        if query["queue"] not in QUEUES:
            raise BadParameter("queue", _("Parameter queue must be one of %(choices)s.")
                               % {"choices": ", ".join(QUEUES)})
        cases = cases.filter(**queue_of(query["queue"], person, now))
    if query.get("category"):
        cases = cases.filter(category__code=query["category"])
    if query.get("grid"):
        cases = cases.filter(grid__code=code_of(15)("grid", query["grid"]))
    if query.get("subdistrict"):
        cases = cases.filter(subdistrict__code=code_of(9)("subdistrict", query["subdistrict"]))
    if query.get("department"):
        cases = cases.filter(department__code=query["department"])
    if query.get("bbox"):
        cases = within_bbox(cases, parse_bbox(query["bbox"]), geom="point")
    ordering = query.get("ordering") or "-reported_at"
    if ordering not in ORDERINGS:
        raise BadParameter("ordering", _("Parameter ordering must be one of %(choices)s.")
                           % {"choices": ", ".join(ORDERINGS)})
    return cases.order_by(*ORDERINGS[ordering])


# --- hints for the dispatcher ---------------------------------------------------------


def metres_between(a, b):
    """Great-circle distance of two lon/lat points (haversine; under 0.5% off at 100 m)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def possible_duplicates(case, visible):
    """Open cases of the same category within 100 m and 7 days, in the same sub-district, nearest first.

    Not `point__dwithin`: on geographic columns PostGIS' ST_DWithin counts
    degrees and SpatiaLite's PtDistWithin metres, so one number means two
    things. A box of 100 m (in degrees, wider in longitude by 1/cos(lat))
    finds candidates through the spatial index on both, and the exact
    distance in metres decides.
    """
    if case.status not in OPEN_STATUSES:
        return []
    p = case.point
    dlat = math.degrees(DUPLICATE_METRES / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(p.y)), 0.01)
    window = dt.timedelta(days=DUPLICATE_DAYS)
    candidates = within_bbox(
        visible.filter(
            category_id=case.category_id, subdistrict_id=case.subdistrict_id, status__in=OPEN_STATUSES,
            reported_at__range=(case.reported_at - window, case.reported_at + window),
        ).exclude(pk=case.pk),
        (p.x - dlon, p.y - dlat, p.x + dlon, p.y + dlat),
        geom="point",
    ).only("number", "status", "description", "reported_at", "point")
    found = []
    for other in candidates:
        metres = metres_between(p, other.point)
        if metres <= DUPLICATE_METRES:
            found.append({"number": other.number, "status": other.status, "description": other.description,
                          "reported_at": other.reported_at, "distance_m": round(metres, 1)})
    found.sort(key=lambda d: (d["distance_m"], d["number"]))
    return found[:DUPLICATE_LIMIT]

