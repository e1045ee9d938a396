"""`{% report_sheet %}`: the report form and the patrol's lists, added to the map page for reporters.

The map page belongs to the areas app; this tag lets it carry the case
report form without the areas view knowing about cases (the dependency
points from cases to areas, never back).
"""

from django import template
from django.conf import settings
from django.urls import reverse

from apps.cases.context import REPORT_ROLES
from apps.cases.intake import MAX_DESCRIPTION, MAX_PHOTO_BYTES, MAX_PHOTOS
from apps.cases.offline import CACHES, OFFLINE_LAYERS, OFFLINE_ZOOM, offline_strings
from apps.cases.views_strings import api_urls, desk_strings, report_strings
from apps.people.access import person_for
from apps.people.models import Role

register = template.Library()


@register.inclusion_tag("cases/report_sheet.html", takes_context=True)
def report_sheet(context):
    request = context.get("request")
    person = person_for(request.user) if request is not None else None
    if person is None or person.role not in REPORT_ROLES:
        return {"show": False}
    return {
        "show": True,
        "csrf_token": context.get("csrf_token"),
        "can_verify": person.role == Role.GRID_WORKER,
        "max_photos": MAX_PHOTOS,
        "max_photo_bytes": MAX_PHOTO_BYTES,
        "max_description": MAX_DESCRIPTION,
        "api": api_urls(),
        "strings": {**desk_strings(), **report_strings(), **offline_strings()},
        "time_zone": settings.TIME_ZONE,
        # The offline queue (IndexedDB) is per person: a shared phone sends only the logged-in one's reports.
        "owner": request.user.get_username(),
        "offline": {
            "worker": reverse("service-worker"),
            "caches": CACHES,
            "static": settings.STATIC_URL,
            "zoom": OFFLINE_ZOOM,
            "layers": list(OFFLINE_LAYERS),
        },
    }
