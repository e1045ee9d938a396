"""Template tags of the patrols app: the header link to the coverage page, and the check-in control on /map/.

The map page belongs to the areas app; `{% patrol_checkin %}` lets it carry
the check-in control without the areas view knowing about patrols (the
dependency points from patrols to areas, never back).
"""

import json

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.compounds.models import Zone
from apps.patrols.checkin import CHECKIN_RADIUS_M
from apps.patrols.coverage import may_read_coverage
from apps.people.access import person_for
from apps.people.models import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def patrols_nav(context):
    """The header's 巡查覆盖 link ({"url", "current"}) for leaders, dispatchers and administrators, else None."""
    request = context.get("request")
    if request is None or not may_read_coverage(getattr(request, "user", None)):
        return None
    match = getattr(request, "resolver_match", None)
    return {"url": reverse("patrols-coverage"),
            "current": bool(match and (match.url_name or "").startswith("patrols-coverage"))}


def checkin_strings():
    """Every text patrol-checkin.js shows, translated here."""
    return {
        "title": _("Patrol check-in"),
        "zone": _("Zone"),
        "checkIn": _("Check in here"),
        "checkingIn": _("Checking in…"),
        "locating": _("Getting your position…"),
        "useTapped": _("Check in at the point tapped on the map"),
        "pickHint": _("Tap where you are on the map"),
        "tappedLabel": _("Point tapped on the map, not GPS: %(lon)s, %(lat)s"),
        "noTapped": _("Location is unavailable on this device. Tap your position on the map, then check in."),
        "noGeolocation": _("This device cannot tell its location."),
        "geoDenied": _("Location permission was refused."),
        "geoFailed": _("Could not get your position: %(reason)s"),
        "done": _("Checked in at %(zone)s, %(time)s."),
        "inside": _("You are inside the zone."),
        "near": _("%(distance)s m outside the zone (allowed up to %(limit)s m)."),
        "accuracy": _("GPS accuracy ±%(accuracy)s m"),
        "viaMap": _("Point picked on the map"),
        "refused": _("Not checked in"),
        "failed": _("Could not check in: %(reason)s"),
        "offline": _("no connection"),
        "retrying": _("Connection lost, retrying (%(n)s of %(of)s)…"),
        "reportHere": _("Report a problem here"),
        "showZone": _("Show the zone"),
        "thisWeek": _("This week: %(n)s check-ins"),
        "lastCheckIn": _("Last: %(time)s"),
        "close": _("Close"),
        "you": _("Your check-in"),
    }


def _zones_of(person):
    zones = (
        Zone.objects.filter(assignments__cadre=person)
        .select_related("community")
        .order_by("code")
    )
    result = []
    for zone in zones:
        west, south, east, north = zone.geom.extent
        result.append({
            "code": zone.code,
            "name": zone.name,
            "community": zone.community.name,
            "bounds": [[south, west], [north, east]],
            # A zone is a few compounds: its full outline is a few kilobytes.
            "geometry": json.loads(zone.geom.json),
        })
    return result


@register.inclusion_tag("patrols/checkin.html", takes_context=True)
def patrol_checkin(context):
    request = context.get("request")
    person = person_for(request.user) if request is not None else None
    if person is None or person.role != Role.ZONE_CADRE:
        return {"show": False}
    zones = _zones_of(person)
    if not zones:
        return {"show": False}
    return {
        "show": True,
        "csrf_token": context.get("csrf_token"),
        "config": {
            "zones": zones,
            "radius": CHECKIN_RADIUS_M,
            "timeZone": settings.TIME_ZONE,
            "urls": {"patrols": reverse("api-patrols"), "locate": reverse("api-locate")},
        },
        "strings": checkin_strings(),
    }
