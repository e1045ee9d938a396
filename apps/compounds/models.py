"""Unmanaged residential compounds (无主管楼院), their zones (片区) and the cadres sent to them."""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.areas.models import SRID, Community
from apps.people.models import Person

CADRES_PER_ZONE = 5


class Zone(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="zones")
    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=80)
    households = models.PositiveIntegerField(_("households"), default=0)
    # The union of the zone's compounds (a zone never crosses its community).
    geom = models.MultiPolygonField(_("boundary"), srid=SRID)
    cadres = models.ManyToManyField(Person, through="ZoneAssignment", related_name="zones")

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^Z[0-9]{14}$"), name="zone_code_format"),
        ]

    def __str__(self):
        return self.name


class Compound(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="compounds")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="compounds")
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=80)
    address = models.CharField(_("address"), max_length=120, blank=True)
    households = models.PositiveIntegerField(_("households"), default=0)
    geom = models.MultiPolygonField(_("boundary"), srid=SRID)

    class Meta:
        verbose_name = _("unmanaged compound")
        verbose_name_plural = _("unmanaged compounds")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^C[0-9]{15}$"), name="compound_code_format"),
        ]

    def __str__(self):
        return self.name


class ZoneAssignment(models.Model):
    """A cadre sent down to a zone (下沉分包); the program sends exactly five per zone."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="assignments")
    cadre = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="zone_assignments")
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    # The zone head (片区长): one per zone, from the zone's own sub-district office.
    is_head = models.BooleanField(_("zone head"), default=False)

    class Meta:
        verbose_name = _("zone assignment")
        verbose_name_plural = _("zone assignments")
        constraints = [
            models.UniqueConstraint(fields=["zone", "cadre"], name="one_assignment_per_cadre_and_zone"),
            models.UniqueConstraint(fields=["zone"], condition=Q(is_head=True), name="one_head_per_zone"),
        ]

    def __str__(self):
        return f"{self.cadre} -> {self.zone}"


# --- drafts: zoning and assignment plans (zone_plans.py, assignment_plans.py write them; tasks.py runs them) ---


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("computing")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")
    APPLIED = "applied", _("applied")
    DISCARDED = "discarded", _("discarded")
    # A snapshot of what was in force before a plan was applied: the history.
    SUPERSEDED = "superseded", _("superseded")


def plan_checks(prefix):
    """The checks every draft table has, named `<prefix>_...` as its migration made them."""
    return [
        models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name=f"{prefix}_status_known"),
        models.CheckConstraint(condition=Q(progress__lte=100), name=f"{prefix}_progress_percent"),
    ]


class PlanBase(models.Model):
    """What a zoning draft and an assignment draft share: lifecycle, progress, result, who and when."""

    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    report = models.JSONField(_("quality report"), default=dict, blank=True)
    # What apply did (kept, new and retired zones, cadres carried or released), or, for a
    # superseded snapshot, what was in force.
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Digest of what was in force when the draft was computed: apply refuses a draft
    # made against zones (or assignments) that changed since.
    base_fingerprint = models.CharField(_("fingerprint of what was in force"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    # Moved by every status or progress change: the sweeper re-sends queued rows, and
    # re-queues running rows whose worker stopped beating.
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class ZonePlan(PlanBase):
    """A draft of zones: every compound of its scope labelled with a draft zone key ("community:NN")."""

    # The community re-planned; empty for the whole district.
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="zone_plans",
        verbose_name=_("community"),
    )
    report_in_force = models.JSONField(_("quality report of the zones in force"), default=dict, blank=True)

    class Meta(PlanBase.Meta):
        verbose_name = _("zoning plan")
        verbose_name_plural = _("zoning plans")
        constraints = plan_checks("zone_plan")


class ZonePlanItem(models.Model):
    plan = models.ForeignKey(ZonePlan, on_delete=models.CASCADE, related_name="items")
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="plan_items")
    # The draft zone ("<community code>:NN"); in a superseded snapshot, the zone code then in force.
    zone_key = models.CharField(_("zone key"), max_length=20)

    class Meta:
        verbose_name = _("zoning plan item")
        verbose_name_plural = _("zoning plan items")
        constraints = [
            models.UniqueConstraint(fields=["plan", "compound"], name="one_item_per_plan_and_compound"),
        ]

    def __str__(self):
        return f"{self.compound_id} -> {self.zone_key}"


class AssignmentPlan(PlanBase):
    """A draft of the cadres' zones: exactly `per_zone` cadres a zone, one of them the head."""

    class Meta(PlanBase.Meta):
        verbose_name = _("assignment plan")
        verbose_name_plural = _("assignment plans")
        constraints = plan_checks("assignment_plan")


class AssignmentPlanItem(models.Model):
    plan = models.ForeignKey(AssignmentPlan, on_delete=models.CASCADE, related_name="items")
    cadre = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignment_plan_items")
    zone_code = models.CharField(_("zone code"), max_length=15)
    is_head = models.BooleanField(_("zone head"), default=False)
    # From the cadre's work unit to the zone, metres in EPSG:4547.
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment plan item")
        verbose_name_plural = _("assignment plan items")
        constraints = [
            models.UniqueConstraint(fields=["plan", "cadre"], name="one_item_per_plan_and_cadre"),
        ]

    def __str__(self):
        return f"{self.cadre_id} -> {self.zone_code}"
