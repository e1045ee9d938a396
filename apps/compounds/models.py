"""Unmanaged residential compounds (无主管楼院), their zones (片区) and the cadres sent to them."""

from django.contrib.gis.db import models
from django.db.models import Q
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
