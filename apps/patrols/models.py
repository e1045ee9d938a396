"""Zone patrols (片区巡查): a cadre's check-in at their zone, from the phone's GPS.

A check-in is one row, written by `apps.patrols.checkin.check_in` only: the
point must lie in the zone or within `CHECKIN_RADIUS_M` of it. Weekly coverage
(which zones were visited) is counted from these rows.
"""

import uuid

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.areas.models import SRID, Community
from apps.compounds.models import Zone
from apps.people.models import Person


class Patrol(models.Model):
    class Source(models.TextChoices):
        GPS = "gps", _("phone GPS")
        MAP = "map", _("point picked on the map")

    # Made by the phone once per check-in: a retry on a weak connection sends
    # the same id and gets the same row back.
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4, editable=False)
    cadre = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("cadre"))
    # NULL once a re-plan retired the zone and no zone in force holds the point
    # (apps.patrols.checkin.relocate_patrols); the community stays.
    zone = models.ForeignKey(
        Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="patrols", verbose_name=_("zone")
    )
    # The zone's community at check-in; a zone never crosses its community, so a
    # re-plan never changes it. Area filters (a sub-district's staff) use it.
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("village/community")
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    point = models.PointField(_("location"), srid=SRID)
    # Metres (EPSG:4547) from the point to the zone: 0 inside it.
    distance_m = models.FloatField(_("distance to the zone (m)"))
    accuracy_m = models.FloatField(_("GPS accuracy (m)"), null=True, blank=True)
    source = models.CharField(_("source of the point"), max_length=8, choices=Source.choices, default=Source.GPS)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("patrol check-in")
        verbose_name_plural = _("patrol check-ins")
        ordering = ["-checked_in_at", "-id"]
        indexes = [
            # Weekly coverage: the week's rows by time, grouped by zone, read from the index alone.
            models.Index(fields=["checked_in_at", "zone"], name="patrol_week_zone"),
            # A zone's last visit and its patrols in a week.
            models.Index(fields=["zone", "checked_in_at"], name="patrol_zone_time"),
            # A cadre's own list.
            models.Index(fields=["cadre", "checked_in_at"], name="patrol_cadre_time"),
            # A sub-district's list (community -> sub-district).
            models.Index(fields=["community", "checked_in_at"], name="patrol_community_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(distance_m__gte=0), name="patrol_distance_not_negative"),
            models.CheckConstraint(
                condition=Q(accuracy_m__isnull=True) | Q(accuracy_m__gte=0), name="patrol_accuracy_not_negative"
            ),
            models.CheckConstraint(condition=Q(source__in=["gps", "map"]), name="patrol_source_known"),
        ]

    def __str__(self):
        return f"{self.cadre_id} @ {self.zone_id} {self.checked_in_at:%Y-%m-%d %H:%M}"
