"""Supervision (督导): special inspections and their findings, rectification, weak-branch plans, research visits.

The 检查-督促-回头看 loop: an inspection group checks a village's major matter
against the 四议两公开一监督 checklist (`Inspection`); each missing or wrong step
becomes a `Finding` with a responsible party and a deadline in working days;
the branch submits a `Rectification` with evidence; the group signs it off or
sends it back; an overdue finding turns red, is escalated to the branch's 包保
leader and comes back in the look-back (回头看) round. Weak and lax branches
(软弱涣散) are rectified under a `WeakBranchPlan`; research visits (过筛子)
are `Visit`s of a `ResearchRound`. Statuses are written only by `workflow.py`.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.people.models import Person
from apps.stars.models import Branch


def span_in_order(name):
    """The check that a `DateSpan` does not end before it starts; each table keeps its own constraint name."""
    return models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name=name)


class DateSpan(models.Model):
    """A span of days, first and last included: what campaigns and research rounds share.

    Abstract, so the columns stay on each table and the schema does not change;
    subclasses add `span_in_order(...)` to their constraints (Meta inherits the ordering).
    """

    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        abstract = True
        ordering = ["-starts_on", "id"]

    def covers(self, day):
        return self.starts_on <= day <= self.ends_on


class InspectionCampaign(DateSpan):
    """A special inspection (专项检查) over a set of villages, done by joint inspection groups."""

    class Kind(models.TextChoices):
        FOUR_TWO_ONE = "four_two_one", _("四议两公开一监督 (village decision-making)")
        OTHER = "other", _("other special inspection")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FOUR_TWO_ONE)
    period = models.ForeignKey("stars.Period", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="inspection_campaigns", verbose_name=_("assessment period"))

    class Meta(DateSpan.Meta):
        verbose_name = _("inspection campaign")
        verbose_name_plural = _("inspection campaigns")
        constraints = [span_in_order("campaign_order")]

    def __str__(self):
        return self.name


class InspectionGroup(models.Model):
    """A joint inspection group (联合检查组): its members and the villages it checks."""

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=60)
    members = models.ManyToManyField(Person, blank=True, related_name="inspection_groups",
                                     verbose_name=_("members"))
    branches = models.ManyToManyField(Branch, blank=True, related_name="inspection_groups",
                                      verbose_name=_("villages checked"))

    class Meta:
        verbose_name = _("inspection group")
        verbose_name_plural = _("inspection groups")
        ordering = ["campaign", "name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="one_group_name_per_campaign")]

    def __str__(self):
        return f"{self.campaign} {self.name}"


class Inspection(models.Model):
    """One major matter of a village checked against the 四议两公开一监督 checklist.

    The six steps in order (提议 -> 商议 -> 审议 -> 决议 -> 决议公开 -> 结果公开)
    and the supervision committee's oversight. 审议 passes with at least 2/3 of
    the party members attending and more than half of those attending
    approving, computed from the counts (`checklist.py`).
    """

    group = models.ForeignKey(InspectionGroup, on_delete=models.PROTECT, related_name="inspections")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="inspections")
    matter = models.CharField(_("major matter"), max_length=200)
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector"))
    proposed = models.BooleanField(_("提议: the branch proposed"), default=False)
    discussed = models.BooleanField(_("商议: both committees discussed"), default=False)
    reviewed = models.BooleanField(_("审议: party members' meeting reviewed"), default=False)
    party_members = models.PositiveSmallIntegerField(_("party members"), default=0)
    attending = models.PositiveSmallIntegerField(_("party members attending"), default=0)
    approving = models.PositiveSmallIntegerField(_("party members approving"), default=0)
    resolved = models.BooleanField(_("决议: villagers' (representatives') meeting resolved"), default=False)
    resolution_public = models.BooleanField(_("resolution made public"), default=False)
    results_public = models.BooleanField(_("results made public"), default=False)
    in_order = models.BooleanField(_("steps held in order"), default=False)
    supervised = models.BooleanField(_("supervision committee oversaw"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(attending__lte=models.F("party_members")),
                                   name="inspection_attending_within_members"),
            models.CheckConstraint(condition=Q(approving__lte=models.F("attending")),
                                   name="inspection_approving_within_attending"),
        ]

    def __str__(self):
        return f"{self.branch} {self.matter}"


class FindingStatus(models.TextChoices):
    OPEN = "open", _("open")
    RECTIFYING = "rectifying", _("being rectified")
    SUBMITTED = "submitted", _("rectification submitted")
    RETURNED = "returned", _("sent back")
    SIGNED_OFF = "signed_off", _("signed off")


OPEN_FINDING_STATUSES = (FindingStatus.OPEN, FindingStatus.RECTIFYING, FindingStatus.SUBMITTED,
                         FindingStatus.RETURNED)
# Statuses in which the branch owes work: the deadline runs (submitted waits on the group).
OWED_STATUSES = (FindingStatus.OPEN, FindingStatus.RECTIFYING, FindingStatus.RETURNED)


class Finding(models.Model):
    """A missing or wrong step found by an inspection (or a visit): to be rectified by a deadline."""

    class Step(models.TextChoices):
        PROPOSED = "proposed", _("提议 (proposal)")
        DISCUSSED = "discussed", _("商议 (discussion)")
        REVIEWED = "reviewed", _("审议 (review by party members)")
        QUORUM = "quorum", _("审议 attendance below 2/3")
        MAJORITY = "majority", _("审议 approval not above 1/2")
        RESOLVED = "resolved", _("决议 (resolution)")
        RESOLUTION_PUBLIC = "resolution_public", _("resolution made public")
        RESULTS_PUBLIC = "results_public", _("results made public")
        ORDER = "order", _("steps not held in order")
        SUPERVISED = "supervised", _("supervision committee oversight")
        OTHER = "other", _("other")

    group = models.ForeignKey(InspectionGroup, on_delete=models.PROTECT, related_name="findings")
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="findings")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="findings")
    step = models.CharField(_("checklist step"), max_length=20, choices=Step.choices, default=Step.OTHER)
    description = models.TextField(_("what is wrong"))
    responsible_party = models.CharField(_("responsible party"), max_length=80)
    deadline_days = models.PositiveSmallIntegerField(_("working days to rectify"))
    found_on = models.DateField(_("found on"))
    due_on = models.DateField(_("rectify by"))
    status = models.CharField(_("status"), max_length=12, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN)
    overdue = models.BooleanField(_("overdue (red)"), default=False)
    escalated_at = models.DateTimeField(_("escalated to the accountable leader"), null=True, blank=True)
    lookback = models.BooleanField(_("in the look-back round (回头看)"), default=False)
    lookback_checked_at = models.DateTimeField(_("look-back checked at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["branch", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=FindingStatus.values), name="finding_status_known"),
            models.CheckConstraint(condition=Q(deadline_days__gt=0), name="finding_deadline_positive"),
            models.CheckConstraint(condition=~Q(responsible_party=""), name="finding_has_responsible_party"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.branch} {self.get_step_display()}"

    @property
    def is_open(self):
        return self.status in OPEN_FINDING_STATUSES


class FindingEvent(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")
        ordering = ["at", "id"]


class Rectification(models.Model):
    """What the branch did about a finding, with evidence; accepted or sent back by the group."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        SENT_BACK = "sent_back", _("sent back")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    text = models.TextField(_("what was done"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["submitted", "accepted", "sent_back"]),
                                   name="rectification_status_known"),
        ]


class RectificationEvent(models.Model):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["at", "id"]


class Photo(models.Model):
    """Evidence: of a finding (taken by the inspector) or of a rectification (sent by the branch)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="photos")
    file = models.FileField(_("file"), upload_to="supervision/%Y/%m/")
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        ordering = ["uploaded_at", "id"]


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("being rectified")
    SUBMITTED = "submitted", _("submitted for sign-off")
    SIGNED_OFF = "signed_off", _("signed off")


class WeakBranchPlan(models.Model):
    """A weak and lax branch's (软弱涣散) rectification plan: measures, a responsible leader, milestones.

    Creating one flags the branch weak; signing it off clears the flag (through
    `apps.stars.weakness`), which 支部过硬星's measured indicator reads.
    """

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="weak_plans")
    problems = models.TextField(_("problems found"))
    measures = models.TextField(_("rectification measures"))
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="weak_plans",
                               verbose_name=_("responsible leader"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("weak-branch rectification plan")
        verbose_name_plural = _("weak-branch rectification plans")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_known"),
            # One plan in force a branch; signed-off plans stay as history.
            models.UniqueConstraint(fields=["branch"], condition=~Q(status="signed_off"),
                                    name="one_open_plan_per_branch"),
        ]

    def __str__(self):
        return f"{self.branch} ({self.get_status_display()})"


class Milestone(models.Model):
    plan = models.ForeignKey(WeakBranchPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]


class PlanEvent(models.Model):
    plan = models.ForeignKey(WeakBranchPlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        ordering = ["at", "id"]


class ResearchRound(DateSpan):
    """A round of research visits (督导调研, 过筛子): every branch visited in turn."""

    name = models.CharField(_("name"), max_length=80)

    class Meta(DateSpan.Meta):
        verbose_name = _("research round")
        verbose_name_plural = _("research rounds")
        constraints = [span_in_order("round_order")]

    def __str__(self):
        return self.name


class Visit(models.Model):
    round = models.ForeignKey(ResearchRound, on_delete=models.PROTECT, related_name="visits")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    checked = models.TextField(_("what was checked"))
    issues = models.TextField(_("issues found"), blank=True)
    issues_count = models.PositiveSmallIntegerField(_("number of issues"), default=0)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("research visit")
        verbose_name_plural = _("research visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["round", "branch"]), models.Index(fields=["visited_on"])]
