"""The weekly patrol coverage page (/patrols/coverage/) and its table as XLSX.

The page is a shell: the map and tables are drawn by patrols-coverage.js from
/api/patrols/coverage/ and the zones layer, so page and API never disagree.
Leaders, dispatchers and administrators, each over their own area.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import Extent
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from apps.patrols import export
from apps.patrols.coverage import coverage_scope, weekly_coverage
from apps.patrols.weeks import BadWeek, current_week, parse_week, recent_weeks

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEEKS_OFFERED = 12  # the current week and the eleven before it (a quarter, 季观摩)


def _bad_request(field, message):
    return JsonResponse({"detail": message, "field": field}, status=400, json_dumps_params={"ensure_ascii": False})


def _bounds(scope):
    extent = scope.subdistricts.aggregate(extent=Extent("geom"))["extent"]
    if extent is None:
        return None
    west, south, east, north = extent
    return [[south, west], [north, east]]


def week_label(week):
    return _("%(code)s (%(start)s to %(end)s)") % {
        "code": week.code, "start": week.monday.strftime("%m-%d"), "end": week.sunday.strftime("%m-%d"),
    }


def week_choices(selected, today=None):
    weeks = recent_weeks(today, WEEKS_OFFERED)
    if selected not in weeks:
        weeks.append(selected)  # an older week asked for by address stays selectable
    return [{"code": w.code, "label": week_label(w), "selected": w == selected} for w in weeks]


def coverage_strings():
    """Every text patrols-coverage.js shows, translated here: the page needs no JS catalog."""
    return {
        "loading": _("Loading…"),
        "loadFailed": _("Could not load the coverage."),
        "visited": _("visited"),
        "notVisited": _("not visited"),
        "zone": _("Zone"),
        "code": _("Code"),
        "community": _("Village/community"),
        "subdistrict": _("Sub-district"),
        "patrols": _("Check-ins"),
        "cadres": _("Cadres who patrolled"),
        "lastVisit": _("Last visit"),
        "never": _("none this week"),
        "zones": _("Zones"),
        "share": _("Share visited"),
        "totals": _("%(visited)s of %(zones)s zones visited (%(share)s), %(patrols)s check-ins"),
        "noZones": _("No zones in this area."),
        "allSubdistricts": _("All sub-districts"),
        "drill": _("Show the zones of %(name)s"),
        "ofCadres": _("%(n)s of %(total)s"),
    }


@login_required
def coverage_page(request):
    scope = coverage_scope(request.user)
    try:
        week = parse_week(request.GET.get("week"))
    except BadWeek as exc:
        return _bad_request("week", exc.message)
    config = {
        "week": week.code,
        "currentWeek": current_week().code,
        "scope": {"whole": scope.whole, "code": scope.code, "name": scope.name},
        "bounds": _bounds(scope),
        "urls": {
            "coverage": reverse("api-patrols-coverage"),
            "zones": reverse("layer-zones"),
            "subdistricts": reverse("layer-subdistricts"),
            "communities": reverse("layer-communities"),
            "export": reverse("patrols-coverage-export"),
        },
    }
    return render(
        request,
        "patrols/coverage.html",
        {
            "config": config,
            "strings": coverage_strings(),
            "scope": scope,
            "week": week,
            "weeks": week_choices(week),
        },
    )


def _local(value):
    if not value:
        return ""
    return timezone.localtime(parse_datetime(value)).strftime("%Y-%m-%d %H:%M")


@login_required
def coverage_xlsx(request):
    code = (request.GET.get("subdistrict") or "").strip() or None
    if code is not None and not (code.isascii() and code.isdigit() and len(code) == 9):
        return _bad_request("subdistrict", _("Parameter subdistrict must be 9 digits, got %(value)s.")
                            % {"value": repr(code[:40])})
    try:
        week = parse_week(request.GET.get("week"))
    except BadWeek as exc:
        return _bad_request("week", exc.message)
    try:
        scope = coverage_scope(request.user, code)
    except Http404 as exc:
        return JsonResponse({"detail": str(exc)}, status=404, json_dumps_params={"ensure_ascii": False})
    coverage = weekly_coverage(week, scope)
    totals = coverage["totals"]
    title = _("Patrol coverage: %(area)s, week %(week)s") % {"area": scope.name, "week": week_label(week)}
    subtitle = _("%(visited)s of %(zones)s zones visited · %(patrols)s check-ins · exported %(at)s") % {
        "visited": totals["visited"], "zones": totals["zones"], "patrols": totals["patrols"],
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    body = export.workbook_bytes(coverage, title=title, subtitle=subtitle, local_time=_local)
    filename = "%s-%s-%s.xlsx" % (_("patrol-coverage"), scope.name, week.code)
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
