"""The leaders' dashboard page (/dashboard/) and its table as XLSX (/dashboard/export.xlsx).

The page is a shell: the map, charts and tables are drawn by dashboard.js from
/api/stars/summary/ and /api/stars/choropleth/, so the page and the API never
disagree. The XLSX applies the same filters to the same rows server-side.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import Extent
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from apps.areas.geojson import BadParameter
from apps.dashboard import data, export
from apps.dashboard.strings import dashboard_strings
from apps.stars.api_summary import period_list, reader_scope, resolve_period

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ECHARTS_FILE = "vendor/echarts/echarts.common.min.js"


def kpi_slots():
    return [
        ("five_star", _("Branches at five stars")),
        ("four_star", _("Branches at four stars")),
        ("three_star", _("Branches at three stars")),
        ("share3", _("At three stars or more")),
        ("demonstration", _("Demonstration branches")),
        ("weak", _("Weak and lax branches")),
    ]


def _bad_request(error):
    return JsonResponse(error.detail, status=400, json_dumps_params={"ensure_ascii": False})


def _bounds(scope):
    """[[south, west], [north, east]] of the reader's area, or None before the district is loaded."""
    extent = scope.subdistricts.aggregate(extent=Extent("geom"))["extent"]
    if extent is None:
        return None
    west, south, east, north = extent
    return [[south, west], [north, east]]


@login_required
def dashboard_page(request):
    scope = reader_scope(request.user)
    try:
        period = resolve_period(request.GET.get("period"))
    except BadParameter as error:
        return _bad_request(error)
    config = {
        "period": period.code if period else None,
        "periods": period_list(period),
        "scope": scope.as_json(),
        "bounds": _bounds(scope),
        "starNames": data.star_names(period),
        "casesMeasured": data.cases_installed(),
        "urls": {
            "summary": reverse("api-stars-summary"),
            "choropleth": reverse("api-stars-choropleth"),
            "hotspots": reverse("api-stars-hotspots") if data.cases_installed() else None,
            "branch": reverse("api-dashboard-branch", args=["CODE"]),
            "grids": reverse("layer-grids"),
            "subdistricts": reverse("layer-subdistricts"),
            "export": reverse("dashboard-export"),
            "echarts": static(ECHARTS_FILE),
        },
    }
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "config": config,
            "strings": dashboard_strings(),
            "scope": scope,
            "period": period,
            "periods": config["periods"],
            "star_pairs": list(zip(config["starNames"]["village"], config["starNames"]["community"])),
            "kpi_slots": kpi_slots(),
        },
    )


def _filter_label(filters, names):
    parts = []
    if filters.subdistrict:
        parts.append(_("sub-district %(code)s") % {"code": filters.subdistrict})
    if filters.star:
        both = dict.fromkeys([names["village"][filters.star - 1], names["community"][filters.star - 1]])
        parts.append(_("holding %(star)s") % {"star": " / ".join(both)})
    if filters.kind:
        parts.append(_("villages only") if filters.kind == "village" else _("communities only"))
    if filters.demonstration:
        parts.append(_("demonstration branches"))
    if filters.weak:
        parts.append(_("weak and lax branches"))
    return "，".join(parts) or _("all")


@login_required
def export_xlsx(request):
    scope = reader_scope(request.user)
    try:
        period = resolve_period(request.GET.get("period"))
        filters = data.parse_filters(request.GET)
    except BadParameter as error:
        return _bad_request(error)
    names = data.star_names(period)
    rows = [row for row in data.community_rows(period, scope) if filters.keep(row)]
    title = _("Five-star branch creation: %(area)s") % {"area": scope.name}
    subtitle = _("Period %(period)s · filter: %(filters)s · %(count)s villages/communities · exported %(at)s") % {
        "period": period.name if period else "-",
        "filters": _filter_label(filters, names),
        "count": len(rows),
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    body = export.workbook_bytes(rows, star_names=names, title=title, subtitle=subtitle)
    filename = "%s-%s-%s.xlsx" % (_("five-star-branches"), scope.name, period.code if period else dt.date.today())
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
