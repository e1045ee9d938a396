"""What the cases API sends: categories, departments, cases in a list, a case in full, the inbox.

Serializers only read; every write goes through `intake.report_case` or
`workflow.transition`. The list serializer reads nothing that is not
select_related, so a page costs the same queries whatever its length.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.cases.calendar import WorkingClock, load_calendar
from apps.cases.models import Case, Category, Notification, Status
from apps.cases.timeleft import time_left
from apps.people.models import Department

# Labels of the timeline (English msgids, Chinese in locale/).
ACTION_LABELS = {
    "report": _("reported"),
    "register": _("registered"),
    "reject": _("rejected"),
    "merge": _("merged"),
    "dispatch": _("dispatched"),
    "close_error": _("closed in error"),
    "accept": _("accepted"),
    "return": _("return requested"),
    "approve_return": _("return approved"),
    "refuse_return": _("return refused"),
    "request_extension": _("extension requested"),
    "grant_extension": _("extension granted"),
    "refuse_extension": _("extension refused"),
    "request_pending": _("pending requested"),
    "grant_pending": _("pending granted"),
    "refuse_pending": _("pending refused"),
    "resume": _("handling resumed"),
    "close_special": _("closed as special"),
    "report_part": _("part reported"),
    "report_handled": _("handling reported"),
    "verify_pass": _("verified: passed"),
    "verify_fail": _("verified: failed, rework"),
    "send_back": _("sent back: evidence failed, rework"),
    "reroute": _("rerouted to the other area"),
}
STATUS_LABELS = dict(Status.choices)


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def code_name(obj):
    return {"code": obj.code, "name": obj.name} if obj is not None else None


class DepartmentSerializer(serializers.ModelSerializer):
    subdistrict = serializers.CharField(source="subdistrict.code", default=None, allow_null=True)

    class Meta:
        model = Department
        fields = ["code", "name", "kind", "subdistrict"]


class CategorySerializer(serializers.ModelSerializer):
    default_department = CodeNameSerializer(allow_null=True)

    class Meta:
        model = Category
        fields = ["code", "name", "kind", "group", "default_department", "handle_hours", "verify_hours"]


def photo_url(attachment, number):
    return reverse("api-case-photo", args=[number, attachment.pk])


class PhotoSerializer(serializers.Serializer):
    """A photo with what its file proves (apps/cases/evidence.py): EXIF time and place, checks failed."""

    id = serializers.IntegerField(source="pk")
    url = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    exif = serializers.CharField(help_text="ok, none (screenshot or stripped) or invalid (impossible values)")
    exif_display = serializers.CharField()
    exif_note = serializers.CharField(help_text="Which EXIF value was missing or impossible, in words")
    taken_at = serializers.DateTimeField(allow_null=True, help_text="EXIF capture time")
    taken_lon = serializers.FloatField(allow_null=True, help_text="EXIF GPS longitude, EPSG:4326")
    taken_lat = serializers.FloatField(allow_null=True, help_text="EXIF GPS latitude, EPSG:4326")
    distance_m = serializers.FloatField(allow_null=True, help_text="Metres from the case point (geodesic)")
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="Failed checks of a result or verification photo: no_exif, bad_exif, before_dispatch, far, "
        "duplicate, no_gps",
    )
    problems_display = serializers.ListField(child=serializers.CharField())
    similar_bits = serializers.IntegerField(allow_null=True, help_text="Hash distance to the near-duplicate (of 64)")
    similar_case = serializers.CharField(
        allow_null=True, help_text="Number of the case holding the near-duplicate, if you may see that case"
    )

    def to_representation(self, attachment):
        return photo_data(attachment, self.context["number"], self.context.get("similar_cases", {}))


def photo_data(attachment, number, similar_cases):
    """PhotoSerializer's shape; `similar_cases` maps near-duplicate photo ids to their case's number,
    holding only the cases the viewer may see (`similar_cases_for`)."""
    from apps.cases.evidence import PROBLEMS
    from apps.cases.models import ExifState

    a = attachment
    point = a.taken_point
    return {
        "id": a.pk,
        "url": photo_url(a, number),
        "content_type": a.content_type,
        "size": a.size,
        "exif": a.exif,
        "exif_display": str(ExifState(a.exif).label) if a.exif else "",
        "exif_note": a.exif_note,
        "taken_at": serializers.DateTimeField().to_representation(a.taken_at) if a.taken_at else None,
        "taken_lon": round(point.x, 7) if point is not None else None,
        "taken_lat": round(point.y, 7) if point is not None else None,
        "distance_m": round(a.distance_m, 1) if a.distance_m is not None else None,
        "problems": list(a.problems),
        "problems_display": [str(PROBLEMS.get(code, code)) for code in a.problems],
        "similar_bits": a.similar_bits,
        "similar_case": similar_cases.get(a.similar_to_id),
    }


class TimeLeftSerializer(serializers.Serializer):
    """The running deadline in working time: overdue or not, spoken as working days and hours."""

    overdue = serializers.BooleanField()
    days = serializers.IntegerField(help_text="whole working days (of the calendar's ordinary day)")
    hours = serializers.IntegerField(help_text="working hours beyond the days (0 from three days on)")
    working_hours = serializers.FloatField(help_text="signed working hours to the deadline, negative when overdue")


class BorderAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class BorderDepartmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField(help_text="the duty rule's level: grid, community, subdistrict, district or category")


class BorderPlaceSerializer(serializers.Serializer):
    """One candidate area of a near-border report, with the department its duty rule gives."""

    grid = BorderAreaSerializer()
    community = BorderAreaSerializer()
    subdistrict = BorderAreaSerializer()
    zone = BorderAreaSerializer(allow_null=True)
    department = BorderDepartmentSerializer(allow_null=True)


class BorderSerializer(serializers.Serializer):
    """A report near an area border (apps/cases/borders.py): both candidates and the rule that chose one."""

    levels = serializers.ListField(
        child=serializers.CharField(), help_text="borders concerned: subdistrict, community, grid, zone"
    )
    distance_m = serializers.FloatField(help_text="metres from the point to the border (EPSG:4547)")
    threshold_m = serializers.FloatField(help_text="GRIDGOV_BORDER_M when the case was placed")
    chosen = BorderPlaceSerializer()
    other = BorderPlaceSerializer()
    rule = serializers.DictField(help_text="the rule as data: kind, chosen, other, distance_m")
    rule_text = serializers.CharField(help_text="the rule in words, in your language")


def border_data(case):
    """The case's border JSON with its rule in the reader's language, or None when not near a border."""
    from apps.cases.borders import with_rule_text

    return with_rule_text(case.border) if case.near_border and case.border else None


class CaseSerializer(serializers.ModelSerializer):
    """One row of a list or a map: the case without its timeline."""

    status_display = serializers.CharField(source="get_status_display")
    category = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    time_left = serializers.SerializerMethodField()
    border = serializers.SerializerMethodField()
    grid = CodeNameSerializer()
    community = CodeNameSerializer()
    subdistrict = CodeNameSerializer()
    department = CodeNameSerializer(allow_null=True)

    class Meta:
        model = Case
        fields = [
            "number", "status", "status_display", "source", "category", "description", "address", "lon", "lat",
            "grid", "community", "subdistrict", "department", "unroutable", "reported_at", "dispatched_at",
            "handle_deadline", "handled_at", "verify_deadline", "closed_at", "closure", "warning",
            "rework_count", "extension_count", "version", "time_left", "near_border", "border",
        ]

    @extend_schema_field(
        serializers.DictField(help_text="code, name, group of the category", child=serializers.CharField())
    )
    def get_category(self, case):
        return {"code": case.category.code, "name": case.category.name, "group": case.category.group}

    def get_lon(self, case) -> float:
        return round(case.point.x, 7)

    @extend_schema_field(TimeLeftSerializer(allow_null=True))
    def get_time_left(self, case):
        # One calendar and one clock for a whole list (many=True shares the root).
        root = self.root
        if not hasattr(root, "_time_left_clock"):
            root._time_left_clock = (
                WorkingClock(self.context.get("calendar") or load_calendar()), self.context.get("now") or timezone.now()
            )
        clock, now = root._time_left_clock
        return time_left(clock, now, case.status, case.handle_deadline, case.verify_deadline)

    @extend_schema_field(BorderSerializer(allow_null=True))
    def get_border(self, case):
        return border_data(case)

    def get_lat(self, case) -> float:
        return round(case.point.y, 7)


LIST_RELATED = ["category", "grid", "community", "subdistrict", "department"]


class PartSerializer(serializers.Serializer):
    department = CodeNameSerializer()
    lead = serializers.BooleanField()
    reported_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField()


class ActorSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    action = serializers.CharField()
    action_display = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    to_status_display = serializers.SerializerMethodField()
    actor = ActorSerializer(allow_null=True)
    department = CodeNameSerializer(allow_null=True)
    note = serializers.CharField()
    data = serializers.JSONField()
    at = serializers.DateTimeField()
    photos = serializers.SerializerMethodField()

    def get_action_display(self, event) -> str:
        return str(ACTION_LABELS.get(event.action, event.action))

    def get_to_status_display(self, event) -> str:
        return str(STATUS_LABELS.get(event.to_status, event.to_status))

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, event):
        return PhotoSerializer(event.attachments.all(), many=True, context=self.context).data


class SuggestionSerializer(serializers.Serializer):
    department = CodeNameSerializer(allow_null=True)
    reason = serializers.CharField()
    level = serializers.CharField(help_text="grid, community, subdistrict, district, category or none")


class DuplicateSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    description = serializers.CharField()
    reported_at = serializers.DateTimeField()
    distance_m = serializers.FloatField(help_text="metres from this case")


class CaseDetailSerializer(CaseSerializer):
    """A case in full, for the person asking: timeline, parts, what they may do, hints for the dispatcher.

    The view computes `allowed_actions`, `suggestion` and `duplicates` and
    passes them in the context; they depend on who asks.
    """

    reporter = serializers.SerializerMethodField()
    reporter_contact = serializers.SerializerMethodField()
    merged_into = serializers.CharField(source="merged_into.number", default=None, allow_null=True)
    parts = PartSerializer(many=True)
    events = EventSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField()
    suggestion = serializers.SerializerMethodField()
    duplicates = serializers.SerializerMethodField()
    evidence_flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="Codes of the evidence checks a result or verification photo failed (see the photos' problems)",
    )

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + [
            "reporter", "reporter_contact", "merged_into", "parts", "events", "allowed_actions", "suggestion",
            "duplicates", "evidence_flags",
        ]

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_reporter(self, case):
        return ActorSerializer(case.reporter).data if case.reporter_id else None

    def get_reporter_contact(self, case) -> str:
        # Callers' phone numbers and e-mails (Open311) are for the dispatchers who call back.
        return case.reporter_contact if self.context.get("sees_contact") else ""

    def get_allowed_actions(self, case) -> list[str]:
        return self.context.get("allowed_actions", [])

    @extend_schema_field(SuggestionSerializer)
    def get_suggestion(self, case):
        return suggestion_data(self.context.get("suggestion"))

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_duplicates(self, case):
        return DuplicateSerializer(self.context.get("duplicates", []), many=True).data


class ReportReceiptSerializer(serializers.Serializer):
    """What a reporter gets back: where the case landed and who is likely to handle it, not its timeline.

    Built by `receipt()` from what the report already has in hand, so the
    answer costs no query (`GET url` has the case in full).
    """

    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    version = serializers.IntegerField()
    reported_at = serializers.DateTimeField()
    category = CodeNameSerializer()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    grid = CodeNameSerializer()
    community = CodeNameSerializer()
    subdistrict = CodeNameSerializer()
    zone = serializers.CharField(allow_null=True, help_text="Code of the zone (片区), if the point lies in one")
    near_border = serializers.BooleanField(help_text="Within GRIDGOV_BORDER_M of another area: see border")
    border = BorderSerializer(allow_null=True)
    unroutable = serializers.BooleanField(help_text="No duty rule or default covers it: the dispatcher chooses")
    suggestion = SuggestionSerializer(allow_null=True)
    photos = PhotoSerializer(many=True)
    url = serializers.CharField(help_text="The case in full: GET it for the timeline")
    page = serializers.CharField(help_text="The case's page")


def suggestion_data(suggestion):
    if suggestion is None:
        return None
    return {"department": code_name(suggestion.department), "reason": suggestion.reason, "level": suggestion.level}


def receipt(case, suggestion, photos, zone_code=None):
    """The ReportReceiptSerializer shape, as a plain dict from objects already loaded."""
    number = case.number
    return {
        "number": number,
        "status": case.status,
        "status_display": str(STATUS_LABELS.get(case.status, case.status)),
        "version": case.version,
        "reported_at": serializers.DateTimeField().to_representation(case.reported_at),
        "category": code_name(case.category),
        "lon": round(case.point.x, 7),
        "lat": round(case.point.y, 7),
        "grid": code_name(case.grid),
        "community": code_name(case.community),
        "subdistrict": code_name(case.subdistrict),
        "zone": zone_code,
        "near_border": case.near_border,
        "border": border_data(case),
        "unroutable": case.unroutable,
        "suggestion": suggestion_data(suggestion),
        # The reporter's receipt names no other case: it costs no access query.
        "photos": [photo_data(a, number, {}) for a in photos],
        "url": reverse("api-case", args=[number]),
        "page": reverse("case-page", args=[number]),
    }


class NotificationSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number", default=None, allow_null=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "case", "created_at", "delivered_at", "read_at", "read"]

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class ErrorSerializer(serializers.Serializer):
    """Every 4xx of the cases API: a message in the user's language, and the input at fault if any."""

    detail = serializers.CharField()
    field = serializers.CharField(required=False)
    code = serializers.CharField(required=False)


# --- inputs, for the OpenAPI schema (the views parse with apps.cases.api_support) ---


class ReportInputSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(
        required=False,
        help_text="Made once per report on the phone; a retry with the same id returns the same case (200). "
        "Required with token authentication.",
    )
    category = serializers.CharField(help_text="Category code, e.g. E0101")
    lon = serializers.FloatField(help_text="Longitude, EPSG:4326")
    lat = serializers.FloatField(help_text="Latitude, EPSG:4326")
    description = serializers.CharField(max_length=2000)
    address = serializers.CharField(required=False, max_length=200)
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, max_length=6,
        help_text="Multipart only: up to 6 JPEG/PNG/WebP photos of at most 5 MB each",
    )


class ActionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, help_text="Reason; required to reject, return, refuse, fail ...")
    version = serializers.IntegerField(
        required=False, help_text="The case version the user saw; 409 if someone changed the case since"
    )
    department = serializers.CharField(required=False, help_text="dispatch: lead department code")
    co_departments = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="dispatch: co-handling department codes (联动联勤)"
    )
    deadline = serializers.DateTimeField(
        required=False, help_text="dispatch, grant_extension: ISO 8601, in the future"
    )
    hours = serializers.IntegerField(
        required=False, help_text="request_extension, grant_extension: working hours"
    )
    target = serializers.CharField(required=False, help_text="merge: number of the case to merge into")
    grid = serializers.CharField(
        required=False,
        help_text="reroute: code of the other candidate grid stored with a near-border case (border.other)",
    )
    zone = serializers.CharField(
        required=False, allow_blank=True,
        help_text="reroute: code of the other candidate's zone, empty for none; checked when given",
    )
    result = serializers.CharField(required=False, help_text="report_part, report_handled: what was done")
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False,
        help_text="Multipart only, with report_part, report_handled, verify_pass, verify_fail",
    )
