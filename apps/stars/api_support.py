"""What the stars API and pages read from a request, and the labels they show.

Every parser raises `ApiError` (a 4xx with {"detail", "code", "field"?})
before anything is written, so a bad request leaves the database and
MEDIA_ROOT as they were.
"""

import json
import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException

from apps.stars.assessment import ACTORS, NotAllowed, NotYours
from apps.stars.models import Period

MAX_NOTE = 2000
MAX_STATEMENT = 5000
MAX_LODGED_BY = 60
MAX_EVIDENCE_FILES = 10
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# Extension -> the leading bytes a real file of that kind starts with (None: any).
# Checked before anything is saved, so a renamed executable is refused.
EVIDENCE_MAGIC = {
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG",),
    ".gif": (b"GIF8",), ".webp": (b"RIFF",), ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",), ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",), ".xls": (b"\xd0\xcf\x11\xe0",), ".ppt": (b"\xd0\xcf\x11\xe0",),
    ".txt": None,
}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}

ACTION_LABELS = {
    "apply": gettext_lazy("Applied"),
    "review_pass": gettext_lazy("Passed sub-district review"),
    "review_refuse": gettext_lazy("Refused at sub-district review"),
    "withdraw": gettext_lazy("Withdrawn"),
    "score": gettext_lazy("Scored"),
    "publish": gettext_lazy("Put on public notice"),
    "refuse": gettext_lazy("Refused"),
    "object": gettext_lazy("Objection lodged"),
    "resolve": gettext_lazy("Objection resolved"),
    "award": gettext_lazy("Star awarded"),
    "revoke": gettext_lazy("Star revoked"),
}
# The button on the work page for each action (the timeline uses ACTION_LABELS).
ACTION_BUTTONS = {
    "review_pass": gettext_lazy("Pass review"),
    "review_refuse": gettext_lazy("Refuse"),
    "withdraw": gettext_lazy("Withdraw"),
    "score": gettext_lazy("Save scores"),
    "publish": gettext_lazy("Publish for notice"),
    "refuse": gettext_lazy("Refuse the star"),
    "object": gettext_lazy("Lodge an objection"),
    "resolve": gettext_lazy("Resolve"),
    "award": gettext_lazy("Award the star"),
    "revoke": gettext_lazy("Revoke the star"),
}
ACTIONS = list(ACTORS)


class ApiError(APIException):
    """A 4xx with the flat body every stars endpoint uses: {"detail", "code", "field"?}."""

    def __init__(self, status_code, message, code="invalid", field=None):
        self.status_code = status_code
        body = {"detail": str(message), "code": code}
        if field:
            body["field"] = field
        super().__init__(body)


def bad(field, message):
    return ApiError(status.HTTP_400_BAD_REQUEST, message, "invalid", field)


def workflow_error(exc):
    """The ApiError for a workflow refusal: 409 not now, 403 not yours, 400 bad input (with its field)."""
    code = "not_allowed" if isinstance(exc, NotAllowed) else "not_yours" if isinstance(exc, NotYours) else "invalid"
    return ApiError(exc.status_code, exc.message, code, exc.field)


def current_period(today=None):
    """The period running today; else the latest one that has started; else the next one to start."""
    today = today or timezone.localdate()
    periods = Period.objects.order_by("-starts_on")
    return (
        periods.filter(starts_on__lte=today, ends_on__gte=today).first()
        or periods.filter(starts_on__lte=today).first()
        or periods.order_by("starts_on").first()
    )


def period_from(params, name="period"):
    """The period named by `?period=<code>`, or the current one; 400 for an unknown code, 404-like None when none exist."""
    code = (params.get(name) or "").strip()
    if not code:
        period = current_period()
        if period is None:
            raise ApiError(status.HTTP_404_NOT_FOUND, _("No assessment period has been set up yet."), "no_period")
        return period
    period = Period.objects.filter(code=code).first()
    if period is None:
        raise bad(name, _("Unknown period: %(code)s.") % {"code": code})
    return period


def text(data, name, limit, required=False):
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise bad(name, _("Field %(field)s must be text.") % {"field": name})
    value = value.strip()
    if required and not value:
        raise bad(name, _("Field %(field)s is required.") % {"field": name})
    if len(value) > limit:
        raise bad(name, _("Field %(field)s is longer than %(n)s characters.") % {"field": name, "n": limit})
    return value


def integer(data, name, *, required=False, low=None, high=None):
    raw = data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise bad(name, _("Field %(field)s is required.") % {"field": name})
        return None
    if isinstance(raw, bool):
        raw = "x"
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise bad(name, _("Field %(field)s must be a whole number.") % {"field": name}) from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise bad(name, _("Field %(field)s must be between %(low)s and %(high)s.")
                  % {"field": name, "low": low, "high": high})
    return value


def boolean(data, name):
    raw = data.get(name)
    if isinstance(raw, bool):
        return raw
    value = str(raw or "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise bad(name, _("Field %(field)s must be true or false.") % {"field": name})


def points(data):
    """{indicator code: Decimal} from a JSON object (or its text in a form field); ranges are the workflow's."""
    raw = data.get("points")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad("points", _("Points must be an object of indicator code to points.")) from None
    if not isinstance(raw, dict) or not raw:
        raise bad("points", _("Points must be an object of indicator code to points."))
    parsed = {}
    for code, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise bad("points", _("Points for %(code)s must be a number.") % {"code": code})
        try:
            number = Decimal(str(value).strip())
            finite = number.is_finite()
        except InvalidOperation:
            finite = False
        if not finite:
            raise bad("points", _("Points for %(code)s must be a number.") % {"code": code})
        try:
            exact = number == number.quantize(Decimal("0.1"))
        except InvalidOperation:  # too large to quantize: the workflow's range check refuses it, naming the indicator
            exact = True
        if not exact:
            raise bad("points", _("Points for %(code)s may have at most one decimal place.") % {"code": code})
        parsed[str(code)] = number
    return parsed


def action_params(action, data):
    """(note, params for transition()) from an action request."""
    note = text(data, "note", MAX_NOTE)
    params = {}
    if action == "score":
        params["points"] = points(data)
    elif action == "object":
        params["lodged_by"] = text(data, "lodged_by", MAX_LODGED_BY)
    elif action == "resolve":
        params["objection"] = integer(data, "objection", required=True, low=1)
        params["upheld"] = boolean(data, "upheld")
    return note, params


# --- uploads ------------------------------------------------------------------


def check_body_size(request):
    """413 before parsing: no application needs more than its files and a page of text."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = MAX_EVIDENCE_FILES * MAX_EVIDENCE_BYTES + 1024 * 1024
    if not request.content_type.startswith("multipart/"):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length > limit:
        raise too_large()


def too_large():
    return ApiError(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        _("The request is too large: at most %(n)s evidence files of %(mb)s MB each.")
        % {"n": MAX_EVIDENCE_FILES, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)},
        "too_large",
    )


def evidence_files(files):
    """The uploaded evidence, each checked by extension, size and leading bytes; 400 naming the file otherwise."""
    uploads = files.getlist("evidence") + files.getlist("evidence[]") if files else []
    if len(uploads) > MAX_EVIDENCE_FILES:
        raise bad("evidence", _("At most %(n)s evidence files per application.") % {"n": MAX_EVIDENCE_FILES})
    for upload in uploads:
        check_evidence(upload)
    return uploads


def check_evidence(upload):
    name = os.path.basename(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in EVIDENCE_MAGIC:
        raise bad("evidence", _("Evidence file %(name)s: only photos (JPEG, PNG, GIF, WebP), PDF, Word, Excel, "
                                "PowerPoint and text files are accepted.") % {"name": name})
    if upload.size == 0:
        raise bad("evidence", _("Evidence file %(name)s is empty.") % {"name": name})
    if upload.size > MAX_EVIDENCE_BYTES:
        raise bad("evidence", _("Evidence file %(name)s is larger than %(mb)s MB.")
                  % {"name": name, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)})
    magic = EVIDENCE_MAGIC[extension]
    if magic is not None:
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(m) for m in magic):
            raise bad("evidence", _("Evidence file %(name)s is not a real %(ext)s file.")
                      % {"name": name, "ext": extension[1:].upper()})


def is_image(name):
    return os.path.splitext(name or "")[1].lower() in IMAGE_EXTENSIONS
