"""The district's spatial base: district > sub-district > village/community > grid.

Codes follow domain.md: 6-digit county code, then 3 digits per level
(sub-district 001-099; community 001-199, village 200-399; grid sequence).
Geometry is stored in EPSG:4326 as MultiPolygon; areas are computed in EPSG:4547.
"""

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SRID = 4326
METRIC_SRID = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E


class District(models.Model):
    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    geom = models.MultiPolygonField(_("boundary"), srid=SRID)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="district_code_6_digits"),
        ]

    def __str__(self):
        return self.name


class SubDistrict(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts")
    code = models.CharField(_("code"), max_length=9, unique=True)
    name = models.CharField(_("name"), max_length=50)
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    geom = models.MultiPolygonField(_("boundary"), srid=SRID)

    class Meta:
        verbose_name = _("sub-district")
        verbose_name_plural = _("sub-districts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}0(0[1-9]|[1-9][0-9])$"), name="subdistrict_code_format"
            ),
        ]

    def __str__(self):
        return self.name


class Community(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("village")
        COMMUNITY = "community", _("community")

    subdistrict = models.ForeignKey(SubDistrict, on_delete=models.PROTECT, related_name="communities")
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    geom = models.MultiPolygonField(_("boundary"), srid=SRID)

    class Meta:
        verbose_name = _("village/community")
        verbose_name_plural = _("villages/communities")
        ordering = ["code"]
        constraints = [
            # Community (居委会) codes run 001-199, village (村委会) codes 200-399.
            models.CheckConstraint(
                condition=(
                    Q(kind="community", code__regex=r"^[0-9]{9}(00[1-9]|0[1-9][0-9]|1[0-9][0-9])$")
                    | Q(kind="village", code__regex=r"^[0-9]{9}[23][0-9][0-9]$")
                ),
                name="community_code_matches_kind",
            ),
        ]

    def __str__(self):
        return self.name


class Grid(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="grids")
    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=80)
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    geom = models.MultiPolygonField(_("boundary"), srid=SRID)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}(00[1-9]|0[1-9][0-9]|[1-9][0-9][0-9])$"),
                name="grid_code_15_digits",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class LayerVersion(models.Model):
    """One row whose token changes whenever the map layers' data may have changed.

    The layer endpoints put the token in their ETag and server-cache keys, so
    an edit shows up on the next request. A random token, not a counter: a
    change rolled back leaves its token unused for good, where a counter would
    hand the same number to the next, different, change.
    Changed by `apps.areas.layerversion.bump_layer_version`.
    """

    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("map layer version")
        verbose_name_plural = _("map layer versions")

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
