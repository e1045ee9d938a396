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
