"""Party branches: one per village/community, with the leader who answers for it (包保)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.areas.models import Community
from apps.people.models import Person


class Branch(models.Model):
    class Demonstration(models.TextChoices):
        NONE = "", _("none")
        PLANNED_FIVE_STAR = "planned_five_star", _("planned five-star")
        QUASI_FIVE_STAR = "quasi_five_star", _("quasi five-star")

    community = models.OneToOneField(Community, on_delete=models.PROTECT, related_name="branch")
    name = models.CharField(_("name"), max_length=80)
    demonstration = models.CharField(
        _("demonstration"), max_length=20, choices=Demonstration.choices, blank=True, default=""
    )
    weak = models.BooleanField(_("weak and lax (软弱涣散)"), default=False)
    leader = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches",
        limit_choices_to={"role": "leader"},
        verbose_name=_("accountable leader"),
    )

    class Meta:
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        ordering = ["community__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(demonstration__in=["", "planned_five_star", "quasi_five_star"]),
                name="branch_demonstration_known",
            ),
        ]

    def __str__(self):
        return self.name


# --- the five-star program: periods, criteria, task forces, assessments, awards ---------------


class BranchKind(models.TextChoices):
    """The star set follows the community's kind: rural (村) or urban (社区)."""

    VILLAGE = "village", _("village-type branch")
    COMMUNITY = "community", _("community-type branch")


STAR_NUMBERS = [(n, str(n)) for n in range(1, 6)]
FOUNDATION_STAR = 1  # 支部过硬星


class Period(models.Model):
    """An assessment period (动态评定: stars are re-assessed every period)."""

    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("e.g. 2026"))
    name = models.CharField(_("name"), max_length=40)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    notice_days = models.PositiveSmallIntegerField(_("public notice days (公示)"), default=5)
    foundation_gates = models.BooleanField(
        _("支部过硬星 gates the other stars"), default=True,
        help_text=_("When on, a branch without 支部过硬星 holds no level, whatever else it holds."),
    )

    class Meta:
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lt=models.F("ends_on")), name="period_order"),
        ]

    def __str__(self):
        return self.name


class StarCriterion(models.Model):
    """One star of one branch kind in one period: its name and the score that earns it."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("branch kind"), max_length=10, choices=BranchKind.choices)
    star = models.PositiveSmallIntegerField(_("star"), choices=STAR_NUMBERS)
    name = models.CharField(_("name"), max_length=20)
    pass_score = models.PositiveSmallIntegerField(_("score that earns the star"), default=80)

    class Meta:
        verbose_name = _("star criterion")
        verbose_name_plural = _("star criteria")
        ordering = ["period", "kind", "star"]
        constraints = [
            models.UniqueConstraint(fields=["period", "kind", "star"], name="one_criterion_per_star"),
            models.CheckConstraint(condition=Q(star__gte=1, star__lte=5), name="criterion_star_1_to_5"),
        ]

    def __str__(self):
        return f"{self.period} {self.get_kind_display()} {self.name}"


class Indicator(models.Model):
    class Measure(models.TextChoices):
        MANUAL = "", _("scored by the task force")
        THREE_ZERO = "three_zero", _("三零: petitions, accidents, criminal cases in the branch's grids")
        BRANCH_STRENGTH = "branch_strength", _("weak-branch flag and open inspection findings")
        TEN_STAR_SHARE = "ten_star_share", _("share of ten-star households")

    criterion = models.ForeignKey(StarCriterion, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    max_points = models.PositiveSmallIntegerField(_("points"))
    measure = models.CharField(_("measured by the platform"), max_length=16, choices=Measure.choices, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["criterion", "code"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "code"], name="one_indicator_code_per_criterion"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="indicator_points_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class TaskForce(models.Model):
    """一星一专班: one per star and branch kind, led by a department, with members."""

    kind = models.CharField(_("branch kind"), max_length=10, choices=BranchKind.choices)
    star = models.PositiveSmallIntegerField(_("star"), choices=STAR_NUMBERS)
    name = models.CharField(_("name"), max_length=60)
    lead_department = models.ForeignKey(
        "people.Department", on_delete=models.PROTECT, related_name="task_forces", verbose_name=_("lead department")
    )
    members = models.ManyToManyField(Person, blank=True, related_name="task_forces", verbose_name=_("members"))

    class Meta:
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")
        ordering = ["kind", "star"]
        constraints = [models.UniqueConstraint(fields=["kind", "star"], name="one_task_force_per_star")]

    def __str__(self):
        return self.name


class AssessmentStatus(models.TextChoices):
    APPLIED = "applied", _("applied, awaiting sub-district review")
    SCORING = "scoring", _("with the task force")
    NOTICE = "notice", _("on public notice (公示)")
    AWARDED = "awarded", _("awarded")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REVOKED = "revoked", _("revoked (摘星)")


class Assessment(models.Model):
    """A branch's application for one star in one period, and its whole path."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="assessments")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="assessments")
    criterion = models.ForeignKey(StarCriterion, on_delete=models.PROTECT, related_name="assessments")
    star = models.PositiveSmallIntegerField(_("star"), choices=STAR_NUMBERS)
    status = models.CharField(_("status"), max_length=10, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.APPLIED)
    statement = models.TextField(_("self-assessment"), blank=True)
    self_score = models.PositiveSmallIntegerField(_("self-assessed score"), null=True, blank=True)
    score = models.DecimalField(_("task force score"), max_digits=5, decimal_places=1, null=True, blank=True)
    # The score that earned the star when it was decided: later edits of the
    # criteria never rewrite a past award.
    pass_score = models.PositiveSmallIntegerField(_("pass score at decision"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"))
    notice_ends_at = models.DateTimeField(_("public notice ends"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("star assessment")
        verbose_name_plural = _("star assessments")
        ordering = ["-applied_at"]
        indexes = [models.Index(fields=["period", "status"]), models.Index(fields=["branch", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["branch", "period", "star"], name="one_application_per_star_and_period"),
            models.CheckConstraint(condition=Q(star__gte=1, star__lte=5), name="assessment_star_1_to_5"),
            models.CheckConstraint(condition=Q(status__in=AssessmentStatus.values), name="assessment_status_known"),
        ]

    def __str__(self):
        return f"{self.branch} {self.period} ★{self.star}"


class AssessmentEvent(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["at", "id"]


class Evidence(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="stars/evidence/%Y/%m/", blank=True)
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class Score(models.Model):
    """A task force member's points for one indicator (platform-measured ones are filled in)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    measured = models.BooleanField(_("measured by the platform"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="one_score_per_indicator"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]


class Objection(models.Model):
    """An objection lodged during public notice; an upheld one stops the award."""

    class Outcome(models.TextChoices):
        OPEN = "", _("open")
        UPHELD = "upheld", _("upheld")
        DISMISSED = "dismissed", _("dismissed")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("objection"))
    lodged_by = models.CharField(_("lodged by"), max_length=60, blank=True)
    lodged_at = models.DateTimeField(_("lodged at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["lodged_at"]


class Target(models.Model):
    """Creation targets for a period: the district's (no sub-district) or one sub-district's."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="targets")
    subdistrict = models.ForeignKey(
        "areas.SubDistrict", on_delete=models.CASCADE, null=True, blank=True, related_name="star_targets"
    )
    five_star = models.PositiveSmallIntegerField(_("five-star branches"), default=0)
    four_star = models.PositiveSmallIntegerField(_("four-star branches"), default=0)
    three_star = models.PositiveSmallIntegerField(_("three-star branches"), default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["period", "subdistrict"], condition=Q(subdistrict__isnull=False),
                                    name="one_target_per_subdistrict"),
            models.UniqueConstraint(fields=["period"], condition=Q(subdistrict__isnull=True),
                                    name="one_district_target"),
        ]


# --- four-level linkage (争星晋级、四级联创): household -> branch -> sub-district -> district ---------

TEN_STANDARDS = [
    "文明爱国", "创业致富", "遵纪守法", "尊老爱幼", "诚实守信", "团结和睦", "干净整洁", "文教科技", "移风易俗", "爱心奉献",
]
ALL_TEN = (1 << len(TEN_STANDARDS)) - 1
FIVE_GOODS = ["领导班子好", "党员干部队伍好", "工作机制好", "发展业绩好", "群众反映好"]
ALL_FIVE = (1 << len(FIVE_GOODS)) - 1


class HouseholdRating(models.Model):
    """A household's ten-star rating (十星文明户) for a period: one bit per standard met."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="household_ratings")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="household_ratings")
    household_code = models.CharField(_("household code"), max_length=30)
    holder = models.CharField(_("householder"), max_length=40, blank=True)
    standards = models.PositiveSmallIntegerField(_("standards met (bits)"), default=0)

    class Meta:
        verbose_name = _("household rating")
        verbose_name_plural = _("household ratings")
        ordering = ["community", "household_code"]
        constraints = [
            models.UniqueConstraint(fields=["period", "household_code"], name="one_rating_per_household_and_period"),
            models.CheckConstraint(condition=Q(standards__lte=ALL_TEN), name="rating_within_ten_standards"),
        ]

    @property
    def stars(self):
        return bin(self.standards).count("1")

    @property
    def masked_holder(self):
        """张三丰 -> 张**: lists show the surname only."""
        return (self.holder[:1] + "*" * max(len(self.holder) - 1, 1)) if self.holder else ""


class FiveGood(models.Model):
    """A sub-district's 五好 assessment for a period: one bit per 'good' met."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="five_goods")
    subdistrict = models.ForeignKey("areas.SubDistrict", on_delete=models.PROTECT, related_name="five_goods")
    goods = models.PositiveSmallIntegerField(_("goods met (bits)"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("five-good assessment")
        verbose_name_plural = _("five-good assessments")
        constraints = [
            models.UniqueConstraint(fields=["period", "subdistrict"], name="one_five_good_per_period"),
            models.CheckConstraint(condition=Q(goods__lte=ALL_FIVE), name="five_good_within_five"),
        ]


class RedFlag(models.Model):
    """A district-level honour (红旗) in a named field, awarded and possibly recalled in a period."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="red_flags")
    field = models.CharField(_("field"), max_length=60)
    awarded_on = models.DateField(_("awarded on"))
    recalled_on = models.DateField(_("recalled on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        constraints = [models.UniqueConstraint(fields=["period", "field"], name="one_red_flag_per_field")]
