"""KPI-gaming signals (反数据造假): the rules and thresholds each signal is counted by, as data.

The figures themselves are never stored: `apps.integrity.compute` counts them
from the cases, events and photos each time, so a changed threshold applies to
every period at once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalRule(models.Model):
    """One signal's rule: its code (fixed), a name and note for readers, and the thresholds it counts by."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    params = models.JSONField(_("thresholds"), default=dict)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("signal rule")
        verbose_name_plural = _("signal rules")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.code})"
