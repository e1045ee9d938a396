"""Bulletins (周督导、月通报、季观摩), judges' scores, duty lists (一函两提示两清单), incentives, publicity.

A bulletin is stored whole: its figures are computed once from the period
(`compute.py`) and kept as JSON, so reading, the PDF and the XLSX all show the
same numbers, and making it again replaces the row (unique kind + period).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.areas.models import SubDistrict
from apps.people.models import Department, Person
from apps.stars.models import Assessment, Branch


class Kind(models.TextChoices):
    WEEKLY = "weekly", _("weekly supervision digest")
    MONTHLY = "monthly", _("monthly bulletin")
    QUARTERLY = "quarterly", _("quarterly observation ranking")


class Bulletin(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=8, help_text=_("2026-W47, 2026-11 or 2026-Q4"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    data = models.JSONField(_("figures"), default=dict)
    made_at = models.DateTimeField(_("made at"))
    made_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("made by"))

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-ends_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period"], name="one_bulletin_per_kind_and_period"),
            models.CheckConstraint(condition=Q(kind__in=["weekly", "monthly", "quarterly"]),
                                   name="bulletin_kind_known"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period}"


class ObservationScore(models.Model):
    """One judge's score (0-100) of one sub-district in a quarter's observation (季观摩)."""

    period = models.CharField(_("quarter"), max_length=7, help_text=_("e.g. 2026-Q4"))
    subdistrict = models.ForeignKey(SubDistrict, on_delete=models.PROTECT, related_name="observation_scores",
                                    verbose_name=_("sub-district"))
    judge = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="observation_scores",
                              verbose_name=_("judge"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("observation score")
        verbose_name_plural = _("observation scores")
        ordering = ["period", "subdistrict__code", "judge__code"]
        constraints = [
            models.UniqueConstraint(fields=["period", "subdistrict", "judge"], name="one_score_per_judge"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="observation_score_0_100"),
        ]


class DutyStatus(models.TextChoices):
    PENDING = "pending", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class DutyItem(models.Model):
    """A line of a duty list (两清单): a department's or sub-district office's task in the program."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="duty_items",
                                   verbose_name=_("department or sub-district office"))
    task = models.CharField(_("task"), max_length=200)
    owner = models.CharField(_("owner"), max_length=60, help_text=_("the person who answers for it"))
    due_on = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=12, choices=DutyStatus.choices, default=DutyStatus.PENDING)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("duty item")
        verbose_name_plural = _("duty list (两清单)")
        ordering = ["department__code", "due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "in_progress", "done"]),
                                   name="duty_status_known"),
        ]

    def overdue_on(self, day):
        return self.status != DutyStatus.DONE and self.due_on < day


class ReminderLetter(models.Model):
    """A letter or prompt sent to a department (一函两提示), naming the duty items it is about."""

    class LetterKind(models.TextChoices):
        LETTER = "letter", _("supervision letter (督办函)")
        PROMPT = "prompt", _("prompt (提示)")

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="reminder_letters",
                                   verbose_name=_("sent to"))
    kind = models.CharField(_("kind"), max_length=8, choices=LetterKind.choices)
    subject = models.CharField(_("subject"), max_length=120)
    body = models.TextField(_("text"))
    items = models.ManyToManyField(DutyItem, blank=True, related_name="letters", verbose_name=_("duty items"))
    sent_on = models.DateField(_("sent on"))
    sent_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("sent by"))

    class Meta:
        verbose_name = _("reminder letter")
        verbose_name_plural = _("reminder letters (一函两提示)")
        ordering = ["-sent_on", "-id"]


class IncentiveKind(models.TextChoices):
    COMMENDATION = "commendation", _("commendation (表彰)")
    RECOMMENDATION = "recommendation", _("recommendation (推优)")
    SUBSIDY = "subsidy", _("subsidy (奖补)")
    PROMOTION = "promotion", _("promotion (晋升)")


class Incentive(models.Model):
    """A positive incentive (正向激励) for a branch or a person in a period, with its reason and basis."""

    kind = models.CharField(_("kind"), max_length=16, choices=IncentiveKind.choices)
    period = models.CharField(_("period"), max_length=8, help_text=_("2026, 2026-Q4 or 2026-11"))
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="incentives",
                               verbose_name=_("party branch"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="incentives",
                               verbose_name=_("person"))
    # The sub-district the incentive counts for (the branch's, or the person's): totals group by it.
    subdistrict = models.ForeignKey(SubDistrict, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="incentives", verbose_name=_("sub-district"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("reason"))
    basis_bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="incentives", verbose_name=_("basis: bulletin"))
    basis_award = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="incentives", verbose_name=_("basis: star award"))
    granted_on = models.DateField(_("granted on"))
    granted_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("granted by"))

    class Meta:
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        ordering = ["-granted_on", "-id"]
        indexes = [models.Index(fields=["period", "subdistrict"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="incentive_amount_not_negative"),
            models.CheckConstraint(condition=Q(branch__isnull=False, person__isnull=True)
                                   | Q(branch__isnull=True, person__isnull=False),
                                   name="incentive_branch_or_person"),
            models.CheckConstraint(condition=Q(basis_bulletin__isnull=False) | Q(basis_award__isnull=False),
                                   name="incentive_has_basis"),
        ]

    @property
    def recipient(self):
        return self.branch or self.person


class PublicityCounter(models.Model):
    """Publicity material per sub-district and year: manuals, posters, briefings (宣传)."""

    subdistrict = models.ForeignKey(SubDistrict, on_delete=models.PROTECT, related_name="publicity",
                                    verbose_name=_("sub-district"))
    year = models.PositiveSmallIntegerField(_("year"))
    manuals = models.PositiveIntegerField(_("manuals handed out"), default=0)
    posters = models.PositiveIntegerField(_("posters put up"), default=0)
    briefings = models.PositiveIntegerField(_("briefings held"), default=0)

    class Meta:
        verbose_name = _("publicity counter")
        verbose_name_plural = _("publicity counters")
        ordering = ["-year", "subdistrict__code"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "year"], name="one_publicity_row_per_year")]
