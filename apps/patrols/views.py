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
from apps.patrols.weeks import BadWeek, current_week, last_complete_week, parse_week, recent_weeks

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


def offered_weeks(selected, today=None):
    weeks = recent_weeks(today, WEEKS_OFFERED)
    if selected not in weeks:
        weeks.append(selected)  # an older week asked for by address stays selectable
    return weeks


def week_choices(weeks, selected, current):
    def label(week):
        if week == current:
            return _("%(week)s, in progress") % {"week": week_label(week)}
        return week_label(week)

    return [{"code": w.code, "label": label(w), "selected": w == selected} for w in weeks]


def week_note(week, current):
    """What the page says about the week it shows, and the one-click switch to the other default week.

    The page opens on the last complete week; the current one is a click away and,
    when shown, says that its check-ins are still coming in.
    """
    last_complete = last_complete_week(current.monday)
    if week == current:
        text = _("Showing %(week)s, the current week: still in progress, check-ins are still coming in.")
        switch_week, switch_label = last_complete, _("Back to the last complete week")
    else:
        if week == last_complete:
            text = _("Showing %(week)s, the last complete week.")
        else:
            text = _("Showing %(week)s, a past week.")
        switch_week, switch_label = current, _("Show the current week (in progress)")
    return {"text": text % {"week": week_label(week)}, "switchWeek": switch_week.code, "switchLabel": switch_label}


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
        "never": _("none in the week"),
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
    today = timezone.localdate()  # read once: the default week and the picker agree at midnight
    current = current_week(today)
    raw = request.GET.get("week")
    try:
        # Without a week the page shows the last complete one: early in the current week nearly
        # every zone is still unvisited, which says nothing about how the patrols are going.
        week = parse_week(raw) if (raw or "").strip() else last_complete_week(today)
    except BadWeek as exc:
        return _bad_request("week", exc.message)
    weeks = offered_weeks(week, today)
    config = {
        "week": week.code,
        "currentWeek": current.code,
        # The sentence and switch of every week in the picker, so the script never words them itself.
        "weekNotes": {w.code: week_note(w, current) for w in weeks},
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
            "weeks": week_choices(weeks, week, current),
            "note": week_note(week, current),
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
