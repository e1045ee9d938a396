"""The report sheet offline: its service worker, served from the site root, and its texts.

The worker (frontend/templates/cases/sw.js) keeps the map page, its static
files, the categories and the layers of the reporter's own area in the
browser's caches, and answers "which grid is this?" from those layers when
there is no signal. The reports themselves wait in IndexedDB on the page
(frontend/static/js/report-queue.js) and are sent with their client id, which
the server dedupes on (apps.cases.intake.report_case).

The worker must be served from "/" to control /map/; a static file lives under
/static/. The script holds no personal data, so it needs no login (a browser
checks it for updates whether or not anyone is logged in).
"""

import json

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Caches the worker and the page share (the page fills them too, report-offline.js).
CACHES = {
    "pages": "gridgov-pages-v1",
    "static": "gridgov-static-v1",
    "api": "gridgov-api-v1",
    "area": "gridgov-area-v1",
}
# Layers kept for the reporter's own area, at the zoom the API stops simplifying.
OFFLINE_LAYERS = ("subdistricts", "communities", "grids", "zones", "compounds")
OFFLINE_ZOOM = 17
WORKBOX_MODULES = ("core", "routing", "strategies", "expiration")


def worker_config():
    """What the worker needs to know of the site: its URLs, cache names and the offline texts."""
    return {
        "caches": CACHES,
        "static": settings.STATIC_URL,
        "pages": [reverse("map")],
        "api": {
            "categories": reverse("api-categories"),
            "cases": reverse("api-cases"),
            "locate": reverse("api-locate"),
            "layers": {name: reverse(f"layer-{name}") for name in OFFLINE_LAYERS},
        },
        # Leaving or entering an account empties the caches: a shared phone must
        # not show the last person's area to the next one.
        "signOut": [reverse("login"), reverse("logout")],
        "workbox": {name: static(f"vendor/workbox-{name}/workbox-{name}.prod.js") for name in WORKBOX_MODULES},
        "strings": {
            "offlineUnknown": _("No connection, and this point is not in the saved map of your area. "
                                "The report is checked when it is sent."),
        },
    }


@never_cache
@require_GET
def service_worker(request):
    script = render_to_string(
        "cases/sw.js",
        {
            "config": json.dumps(worker_config(), ensure_ascii=False),
            "workbox_sw": static("vendor/workbox-sw/workbox-sw.js"),
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def offline_strings():
    """Texts of the offline queue on the report sheet (report.js, report-queue.js)."""
    return {
        "offlineSaved": _("It is sent by itself when the connection returns; \"My cases\" lists it."),
        "offlinePlace": _("No connection: the place is checked when the report is sent."),
        "offlineGrid": _("%(grid)s (from the saved map)"),
        "outboxTitle": _("On this phone"),
        "outboxWaiting": _("%(n)s waiting to be sent"),
        "stateQueued": _("Waiting for a connection"),
        "stateSending": _("Sending…"),
        "stateSent": _("Sent"),
        "stateFailed": _("Refused by the server"),
        "queuedAt": _("Made %(at)s"),
        "triedAt": _("last try %(at)s: %(reason)s"),
        "sendNow": _("Send now"),
        "movePoint": _("Pick the place again"),
        "fixPlaceHint": _("Tap the right spot on the map for this report"),
        "resent": _("Sent again."),
        "discarded": _("Report discarded."),
        "discardConfirm": _("Discard this report? It has not reached the server."),
        "photosCount": _("%(n)s photos"),
        "photoReadFailed": _("%(name)s could not be read as an image."),
        "storageFailed": _("This phone refused to store the report: %(reason)s"),
    }
