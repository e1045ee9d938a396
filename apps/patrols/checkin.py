"""Checking in on a zone patrol, and keeping check-ins on zones in force after a re-plan.

`check_in` is the one function that writes a Patrol: the API, the seed command
and tests all go through it. The point must fall in the zone or within
CHECKIN_RADIUS_M of it, measured in metres in EPSG:4547 by the database (the
same answer on PostGIS and SpatiaLite).
"""

import math
import uuid

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Distance, Transform
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, FloatField, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.areas.models import METRIC_SRID, SRID
from apps.compounds.models import Zone, ZoneAssignment
from apps.patrols.models import Patrol
from apps.people.models import Role

CHECKIN_RADIUS_M = 100
MAX_NOTE = 500
# Coarser than this the phone does not know where it is (a cell-tower fix);
# recorded, shown to the reader, but not refused: the point itself is checked.
MAX_ACCURACY_M = 100_000


class CheckInError(Exception):
    """A check-in that cannot be accepted; nothing was written."""

    status_code = 400
    code = "invalid"
    field = None

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class NotAZoneCadre(CheckInError):
    status_code = 403
    code = "not_a_zone_cadre"


class ZoneNotYours(CheckInError):
    status_code = 404
    code = "zone_not_yours"
    field = "zone"


class TooFar(CheckInError):
    code = "too_far"
    field = "location"

    def __init__(self, zone, distance):
        self.zone, self.distance = zone, distance
        super().__init__(
            _("The point is %(distance)s m from zone %(zone)s (%(code)s): a patrol check-in must be inside the "
              "zone or within %(limit)s m of it.")
            % {"distance": f"{math.ceil(distance):,}", "zone": zone.name, "code": zone.code,
               "limit": CHECKIN_RADIUS_M}
        )


class ClientIdTaken(CheckInError):
    status_code = 409
    code = "client_id_taken"
    field = "client_id"


def _metres(value):
    """A Distance measure (or a bare number of the metric CRS' units) as metres."""
    return float(getattr(value, "m", value))


def distance_to_zone(zone, lon, lat):
    """Metres from (lon, lat) to the zone's boundary, 0 inside, measured in EPSG:4547 by the database."""
    point = Value(Point(float(lon), float(lat), srid=SRID), output_field=GeometryField(srid=SRID))
    value = (
        Zone.objects.filter(pk=zone.pk)
        .annotate(d=Distance(Transform("geom", METRIC_SRID), Transform(point, METRIC_SRID)))
        .values_list("d", flat=True)
        .get()
    )
    return _metres(value)


def _retry_of(client_id, by):
    """The check-in this client id already made, for this cadre; ClientIdTaken if someone else's."""
    existing = Patrol.objects.filter(client_id=client_id).first()
    if existing is not None and existing.cadre_id != by.pk:
        raise ClientIdTaken(_("This client_id belongs to another check-in."))
    return existing


def check_in(*, by, zone, lon, lat, accuracy=None, note="", client_id=None, source=Patrol.Source.GPS, at=None):
    """Record a patrol check-in; return (patrol, created). A known client id returns its row.

    1. a retry (same client id, same cadre) gets its row back, even if its
       check would fail now (the cadre left the zone since);
    2. only a zone cadre checks in (NotAZoneCadre), only at one of their zones (ZoneNotYours);
    3. the point must be in the zone or within CHECKIN_RADIUS_M (TooFar names the zone and distance);
    4. insert; two retries racing meet the unique client id and the loser returns the winner's row.
    """
    client_id = client_id or uuid.uuid4()
    if by is not None:
        existing = _retry_of(client_id, by)
        if existing is not None:
            return existing, False
    if by is None or by.role != Role.ZONE_CADRE:
        raise NotAZoneCadre(_("Only zone cadres check in on zone patrols."))
    if not ZoneAssignment.objects.filter(zone=zone, cadre=by).exists():
        raise ZoneNotYours(_("Zone %(code)s is not one of your zones.") % {"code": zone.code})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise CheckInError(_("The note is longer than %(n)s characters.") % {"n": MAX_NOTE}, "note")
    distance = distance_to_zone(zone, lon, lat)
    if distance > CHECKIN_RADIUS_M:
        raise TooFar(zone, distance)
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                client_id=client_id, cadre=by, zone=zone, community_id=zone.community_id,
                checked_in_at=at or timezone.now(), point=Point(float(lon), float(lat), srid=SRID),
                distance_m=round(distance, 1), accuracy_m=accuracy, source=source, note=note,
            )
    except IntegrityError:
        existing = _retry_of(client_id, by)
        if existing is None:
            raise
        return existing, False
    return patrol, True


def relocate_patrols(sender=None, *, retired, zones, **kwargs):
    """zones_replaced receiver: move check-ins off retired zones, in one UPDATE.

    Each goes to the zone in force that holds its point (lowest code on a shared
    border, as `locate` answers), with distance 0; a point no zone in force
    holds keeps its distance and loses its zone (its community stays, so the
    sub-district's staff still see it). Returns the number of rows moved.
    """
    retired = list(retired)
    if not retired:
        return 0
    holding = zones.exclude(pk__in=retired).filter(geom__intersects=OuterRef("point")).order_by("code")
    return Patrol.objects.filter(zone_id__in=retired).update(
        zone=Subquery(holding.values("pk")[:1]),
        distance_m=Case(When(Exists(holding), then=Value(0.0)), default=F("distance_m"), output_field=FloatField()),
    )
