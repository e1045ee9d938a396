"""The planning page /compounds/: zones of the unmanaged compounds, drafts, and the cadres' assignment.

The page is a shell: compounds.js draws the map from the layer API
(/api/layers/compounds/, /api/layers/zones/) and drives the drafts through the
plans API (/api/compounds/plans/, /api/compounds/assignments/). This view only
decides who may open it, which communities they may plan, and hands the script
its URLs and every text it shows.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import Extent
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _, pgettext

from apps.compounds.models import CADRES_PER_ZONE, Zone
from apps.people.access import person_for, planning_communities, plans_whole_district

# The program's zone count (domain.md): the default target of a district plan.
DEFAULT_TARGET = 281
DEFAULT_BAND_M = 200
DEFAULT_MAX_PER_DEPARTMENT = 2


class PlanningArea:
    """Where a login may plan zones: the whole district, or one sub-district's communities."""

    def __init__(self, whole, communities, subdistrict=None):
        self.whole = whole
        self.communities = communities
        self.subdistrict = subdistrict


def planning_area(user):
    """The area `user` may plan (the rules of apps.people.access, as the plans API applies them); 403 otherwise.

    Administrators and superusers plan the district; a dispatcher or leader of a
    sub-district plans that sub-district's communities. Staff with no
    sub-district (the command centre, district leaders) read the zones on /map/
    but do not redraw them.
    """
    communities = planning_communities(user)
    if communities is None:
        raise PermissionDenied(_("Only administrators and a sub-district's dispatchers and leaders plan zones."))
    if plans_whole_district(user):
        return PlanningArea(True, communities)
    return PlanningArea(False, communities, person_for(user).subdistrict)


def may_plan(user):
    return planning_communities(user) is not None


def _bounds(communities):
    extent = communities.aggregate(extent=Extent("geom"))["extent"]
    if extent is None:
        return None
    west, south, east, north = extent
    return [[south, west], [north, east]]


def _community_rows(communities):
    """The communities holding compounds, for the selectors: code, name, sub-district, compounds, zones in force."""
    rows = (
        communities.annotate(n_compounds=Count("compounds", distinct=True), n_zones=Count("zones", distinct=True))
        .filter(n_compounds__gt=0)
        .order_by("code")
        .values("code", "name", "subdistrict__name", "n_compounds", "n_zones")
    )
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "subdistrict": r["subdistrict__name"],
            "compounds": r["n_compounds"],
            "zones": r["n_zones"],
        }
        for r in rows
    ]


def page_strings():
    """Every text compounds.js shows, translated here: the page needs no JS catalogue."""
    return {
        "loading": _("Loading…"),
        "loadFailed": _("Could not load the map layers: %(detail)s"),
        "requestFailed": _("The request failed: %(detail)s"),
        "networkFailed": _("The server could not be reached. Try again."),
        "statuses": {
            "queued": pgettext("plan status", "Queued"),
            "running": pgettext("plan status", "Running"),
            "ready": pgettext("plan status", "Ready"),
            "failed": pgettext("plan status", "Failed"),
            "applied": pgettext("plan status", "Applied"),
            "discarded": pgettext("plan status", "Discarded"),
            "superseded": pgettext("plan status", "Superseded"),
        },
        "progress": _("%(status)s: %(progress)s"),
        "queuedHint": _("Waiting for a worker…"),
        "planFailed": _("The plan could not be made: %(detail)s"),
        "district": _("District"),
        "draftOf": _("Draft #%(id)s · %(scope)s · %(status)s"),
        "inForce": _("Zones in force"),
        "draft": _("Draft"),
        "metric": _("Measure"),
        "metrics": {
            "zones": _("Zones"),
            "compounds": _("Compounds"),
            "load_min": _("Smallest load (households)"),
            "load_max": _("Largest load (households)"),
            "load_mean": _("Mean load (households)"),
            "load_cv": _("Coefficient of variation"),
            "max_over_mean": _("Largest / mean"),
            "lower_bound": _("Lower bound on the largest zone"),
            "max_over_bound": _("Largest / lower bound"),
            "mean_radius_m": _("Mean radius (m)"),
            "crossings": _("Zones crossing a community"),
            "disconnected": _("Disconnected zones"),
            "unassigned": _("Compounds in no zone"),
        },
        "problems": _("Problems"),
        "noProblems": _("No rule is broken."),
        "rules": {
            "crossing": _("Crosses a community"),
            "disconnected": _("Not connected"),
            "unassigned": _("Compound in no zone"),
            "empty": _("Empty zone"),
        },
        "diff": _("Compared with the zones in force"),
        "diffSummary": _("%(moved)s compounds move; %(kept)s zones kept, %(new)s new, %(gone)s retired."),
        "noMoves": _("No compound changes zone."),
        "movedFromTo": _("%(from)s → %(to)s"),
        "newZone": _("new zone"),
        "selectHint": _("Click a compound to select it, then click a compound of another zone of the same community to move it there."),
        "selected": _("Selected: %(name)s (%(code)s)"),
        "moveTo": _("Move to zone"),
        "moveButton": _("Move"),
        "moveOtherCommunity": _("%(name)s is in another community: a compound moves only between zones of its own community."),
        "sameZone": _("This compound is already in that zone."),
        "moved": _("%(name)s moved to %(zone)s."),
        "cancel": _("Cancel"),
        "zone": _("Zone"),
        "households": _("Households"),
        "compounds": _("Compounds"),
        "code": _("Code"),
        "name": _("Name"),
        "cadres": _("Cadres"),
        "noCadres": _("No cadres assigned."),
        "head": _("Zone head"),
        "department": _("Department"),
        "distance": _("Distance"),
        "km": _("%(value)s km"),
        "m": _("%(value)s m"),
        "applyConfirm": _("Apply draft #%(id)s? %(moved)s compounds change zone; the zones in force are replaced and kept as history."),
        "applyAssignmentConfirm": _("Apply assignment draft #%(id)s? %(moved)s cadres change zone."),
        "applied": _("Draft #%(id)s applied. The zones in force are updated."),
        "assignmentApplied": _("Assignment #%(id)s applied."),
        "conflict": _("The zones in force changed since this draft was made: %(detail)s Make a new draft."),
        "refused": _("The draft cannot be applied: %(detail)s"),
        "discarded": _("Draft #%(id)s discarded."),
        "replanStarted": _("Re-planning %(community)s…"),
        "recentDrafts": _("Recent drafts"),
        "noRecent": _("No drafts yet."),
        "createdBy": _("%(who)s, %(when)s"),
        "assignmentReport": {
            "cadres": _("Cadres"),
            "zones": _("Zones"),
            "total_m": _("Total distance"),
            "mean_m": _("Mean distance"),
            "max_m": _("Longest distance"),
            "greedy_total_m": _("Greedy baseline (total)"),
            "saving": _("Saved against greedy"),
            "gap": _("Optimality gap"),
            "optimal": _("Optimal"),
            "seconds": _("Solved in"),
        },
        "ruleCosts": _("What each rule costs"),
        "ruleNames": {
            "max_per_department": _("At most N of one department"),
            "head_from_office": _("Head from the sub-district office"),
            "minimax": _("Longest distance first"),
        },
        "ruleOff": _("rule off"),
        "yes": _("yes"),
        "no": _("no"),
        "seconds": _("%(value)s s"),
        "cadresMoved": _("%(moved)s cadres change zone."),
        "zoneCadres": _("Cadres of %(zone)s"),
        "cadresFailed": _("Could not load the cadres of this zone."),
        "zoneFacts": _("%(households)s households · %(compounds)s compounds"),
    }


@login_required
def compounds_page(request):
    area = planning_area(request.user)
    communities = area.communities
    zones_in_force = Zone.objects.all() if area.whole else Zone.objects.filter(community__subdistrict=area.subdistrict)
    n_zones = zones_in_force.count()
    filters = {} if area.whole else {"subdistrict": area.subdistrict.code}
    config = {
        "whole": area.whole,
        "subdistrict": None if area.whole else {"code": area.subdistrict.code, "name": area.subdistrict.name},
        "bounds": _bounds(communities),
        "communities": _community_rows(communities),
        "filters": filters,
        "defaults": {
            "target": DEFAULT_TARGET,
            "band": DEFAULT_BAND_M,
            "perZone": CADRES_PER_ZONE,
            "maxPerDepartment": DEFAULT_MAX_PER_DEPARTMENT,
        },
        "zonesInForce": n_zones,
        "urls": {
            "compounds": reverse("layer-compounds"),
            "zones": reverse("layer-zones"),
            "cadres": reverse("api-zone-cadres", args=["ZONE"]),
            "plans": reverse("api-zone-plans"),
            "assignments": reverse("api-assignment-plans"),
            "map": reverse("map"),
        },
    }
    return render(
        request,
        "compounds/plans.html",
        {
            "area": area,
            "config": config,
            "strings": page_strings(),
            "communities": config["communities"],
            "defaults": config["defaults"],
        },
    )
