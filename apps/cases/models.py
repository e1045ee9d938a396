"""Cases (案卷) reported by the patrol side and handled by departments (巡办分离).

Only `workflow.transition()` writes `Case.status`; every change writes a
`CaseEvent`, the timeline users see and the rows evaluation counts from.
"""

import uuid

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.areas.models import SRID, Community, Grid, SubDistrict
from apps.compounds.models import Zone
from apps.people.models import Department, Person


class Category(models.Model):
    """An event or facility class (CJ/T 214) or a governance class, with its duty and time limits."""

    class Kind(models.TextChoices):
        EVENT = "event", _("event (事件)")
        FACILITY = "facility", _("facility (部件)")
        GOVERNANCE = "governance", _("governance")

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    group = models.CharField(_("class"), max_length=30, help_text=_("e.g. 市容环境, 街面秩序, 矛盾纠纷"))
    default_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("default department"),
    )
    handle_hours = models.PositiveIntegerField(_("working hours to handle"), default=16)
    verify_hours = models.PositiveIntegerField(_("working hours to verify"), default=4)
    # 三零 indicators of 平安法治星 read these flags (domain.md).
    counts_as_petition = models.BooleanField(_("counts as escalated petition (上访)"), default=False)
    counts_as_accident = models.BooleanField(_("counts as casualty accident (事故)"), default=False)
    counts_as_crime = models.BooleanField(_("counts as criminal/major public-order case (案件)"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # Open311 and any other anonymous answer show only cases of public categories
    # (apps/cases/open311.py); disputes, public order, hardship and petitions are private.
    public = models.BooleanField(
        _("public"), default=False,
        help_text=_("Cases of this category appear on the public Open311 feed (location rounded to about 50 m, "
                    "no names). Leave off for disputes, public order, hardship, petitions and anything personal."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(handle_hours__gt=0) & Q(verify_hours__gt=0), name="category_limits_positive"),
        ]

    def __str__(self):
        return f"{self.group} / {self.name}"


class DutyRule(models.Model):
    """(category, area) -> department; the most specific area wins: grid > community > sub-district > district."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="duty_rules")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    subdistrict = models.ForeignKey(SubDistrict, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="duty_rules")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty rule")
        verbose_name_plural = _("duty rules")
        constraints = [
            # At most one area per rule; none means the whole district.
            models.CheckConstraint(
                condition=(
                    Q(grid__isnull=True, community__isnull=True)
                    | Q(grid__isnull=True, subdistrict__isnull=True)
                    | Q(community__isnull=True, subdistrict__isnull=True)
                ),
                name="duty_rule_one_area",
            ),
            # One rule per category and area (partial indexes: portable, unlike NULLS NOT DISTINCT).
            models.UniqueConstraint(fields=["category", "grid"], condition=Q(grid__isnull=False),
                                    name="one_duty_rule_per_grid"),
            models.UniqueConstraint(fields=["category", "community"], condition=Q(community__isnull=False),
                                    name="one_duty_rule_per_community"),
            models.UniqueConstraint(fields=["category", "subdistrict"], condition=Q(subdistrict__isnull=False),
                                    name="one_duty_rule_per_subdistrict"),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(grid__isnull=True, community__isnull=True, subdistrict__isnull=True),
                name="one_district_duty_rule",
            ),
        ]

    @property
    def level(self):
        if self.grid_id:
            return "grid"
        if self.community_id:
            return "community"
        if self.subdistrict_id:
            return "subdistrict"
        return "district"

    def __str__(self):
        return f"{self.category} -> {self.department}"


class WorkingPeriod(models.Model):
    """Office hours on a weekday; deadlines count only these hours."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("0 = Monday ... 6 = Sunday"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_period_weekday"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="working_period_order"),
        ]

    def __str__(self):
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A public holiday (no work) or an adjusted working day (调休, works like a Monday)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        WORKDAY = "workday", _("adjusted working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class Status(models.TextChoices):
    REPORTED = "reported", _("reported")
    REGISTERED = "registered", _("registered")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged")
    DISPATCHED = "dispatched", _("dispatched")
    HANDLING = "handling", _("handling")
    RETURN_REQUESTED = "return_requested", _("return requested")
    EXTENSION_REQUESTED = "extension_requested", _("extension requested")
    PENDING_REQUESTED = "pending_requested", _("pending requested")
    PENDING = "pending", _("pending (挂账)")
    HANDLED = "handled", _("handled, awaiting verification")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = [s for s in Status.values if s not in ("rejected", "merged", "closed")]


class Case(models.Model):
    class Source(models.TextChoices):
        PATROL = "patrol", _("patrol report")
        OPEN311 = "open311", _("Open311")
        SIMULATION = "simulation", _("simulation")

    class Closure(models.TextChoices):
        ON_TIME = "on_time", _("on time (正常)")
        OVERDUE = "overdue", _("overdue (超时)")
        ERROR = "error", _("in error (差错)")
        SPECIAL = "special", _("special (特殊)")

    class Warning(models.TextChoices):
        GREEN = "green", _("green")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")

    number = models.CharField(_("case number"), max_length=20, unique=True)
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4, editable=False)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.PATROL)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases")
    description = models.TextField(_("description"), max_length=2000)
    address = models.CharField(_("address"), max_length=200, blank=True)
    point = models.PointField(_("location"), srid=SRID)
    # Stored at report time so counts and heatmaps never redo point-in-polygon.
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="cases")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="cases")
    subdistrict = models.ForeignKey(SubDistrict, on_delete=models.PROTECT, related_name="cases")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    reporter = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="reported_cases")
    reporter_contact = models.CharField(_("reporter contact"), max_length=120, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="lead_cases",
        verbose_name=_("lead department"),
    )
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged")
    unroutable = models.BooleanField(_("no duty rule matched"), default=False)

    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    handle_deadline = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    verify_deadline = models.DateTimeField(_("verification deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure = models.CharField(_("closure type"), max_length=10, choices=Closure.choices, blank=True)
    warning = models.CharField(_("warning"), max_length=6, choices=Warning.choices, default=Warning.GREEN)
    escalated_at = models.DateTimeField(_("escalated at (督办)"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extension count"), default=0)
    # 取证闭环: codes of the evidence checks a handler's or verifier's photo failed
    # (apps/cases/evidence.py); empty when every photo passed. Never blocks anyone.
    evidence_flags = models.JSONField(_("evidence flags"), default=list, blank=True)
    # A report close to an area border: both candidates and the rule that chose one
    # (apps/cases/borders.py); {} when the point is clear of every border.
    near_border = models.BooleanField(_("near a border"), default=False)
    border = models.JSONField(_("border candidates"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["status", "subdistrict"]),
            models.Index(fields=["status", "department"]),
            models.Index(fields=["grid", "reported_at"]),
            models.Index(fields=["status", "handle_deadline"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="case_status_known"),
            models.CheckConstraint(
                condition=Q(status="closed", closure__in=["on_time", "overdue", "error", "special"])
                | (~Q(status="closed") & Q(closure="")),
                name="case_closed_has_closure",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="case_merged_has_target"
            ),
        ]

    def __str__(self):
        return self.number


class CasePart(models.Model):
    """A department's share of a case: the lead, or a co-handler in joint handling (联动联勤)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parts")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="case_parts")
    lead = models.BooleanField(_("lead"), default=False)
    reported_at = models.DateTimeField(_("part reported at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("case part")
        verbose_name_plural = _("case parts")
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="one_part_per_department"),
            models.UniqueConstraint(fields=["case"], condition=Q(lead=True), name="one_lead_part_per_case"),
        ]

    def __str__(self):
        return f"{self.case} / {self.department}"


class CaseEvent(models.Model):
    """One step of a case: who did what, when, from which status to which, with a note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="case_events")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["action", "at"]), models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.case} {self.action} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    return f"cases/{instance.case.reported_at:%Y/%m}/{instance.case.number}/{uuid.uuid4().hex}{_ext(filename)}"


def _ext(filename):
    dot = filename.rfind(".")
    return filename[dot:].lower()[:6] if dot >= 0 else ""


class ExifState(models.TextChoices):
    OK = "ok", _("EXIF read")
    NONE = "none", _("no EXIF (screenshot or stripped)")
    INVALID = "invalid", _("EXIF with impossible values")


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.ImageField(_("photo"), upload_to=attachment_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Evidence read from the file itself (apps/cases/evidence.py), never from the client's JSON.
    phash = models.BigIntegerField(_("perceptual hash"), null=True, blank=True)
    exif = models.CharField(_("EXIF"), max_length=8, choices=ExifState.choices, blank=True)
    exif_note = models.CharField(_("EXIF note"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("taken at (EXIF)"), null=True, blank=True)
    taken_point = models.PointField(_("taken at place (EXIF GPS)"), srid=SRID, null=True, blank=True)
    distance_m = models.FloatField(_("metres from the case point"), null=True, blank=True)
    similar_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("near-duplicate of"),
    )
    similar_bits = models.PositiveSmallIntegerField(_("hash distance to the near-duplicate"), null=True, blank=True)
    problems = models.JSONField(_("failed checks"), default=list, blank=True)
    # The hash's four 16-bit chunks, computed by the database from `phash` (so every
    # writer, bulk_create included, fills them) and indexed: the exact near-duplicate
    # lookup of apps/cases/evidence.py (multi-index hashing) asks these indexes.
    phash_c0 = models.GeneratedField(expression=F("phash").bitand(0xFFFF), output_field=models.IntegerField(),
                                     db_persist=True, db_index=True)
    phash_c1 = models.GeneratedField(expression=F("phash").bitrightshift(16).bitand(0xFFFF),
                                     output_field=models.IntegerField(), db_persist=True, db_index=True)
    phash_c2 = models.GeneratedField(expression=F("phash").bitrightshift(32).bitand(0xFFFF),
                                     output_field=models.IntegerField(), db_persist=True, db_index=True)
    phash_c3 = models.GeneratedField(expression=F("phash").bitrightshift(48).bitand(0xFFFF),
                                     output_field=models.IntegerField(), db_persist=True, db_index=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class Notification(models.Model):
    """An in-app inbox message. Lifecycle (the case) is apart from delivery (OutboxMessage)."""

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24)
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "delivered_at"])]
        constraints = [
            # One warning of a kind per case and person: the deadline sweep may run twice.
            models.UniqueConstraint(
                fields=["recipient", "case", "kind"],
                condition=Q(kind__in=["yellow", "red", "escalated"]),
                name="one_deadline_warning_per_person",
            ),
        ]


class OutboxMessage(models.Model):
    """Delivery of one notification: written in the same transaction, sent by a worker, retried by a sweeper."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="outbox")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]
