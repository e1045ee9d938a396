"""What the leaders' dashboard reads: periods, one row per village/community, the trend, hotspots.

Reads, never writes. Every function takes the reader's area (an
`apps.stars.api_summary.Scope`) and runs a fixed number of queries whatever
the number of communities, so the choropleth, the table and the XLSX stay
constant-cost (tests assert the counts).

The case app is optional here: where it is not installed the case counts are
None (the dashboard shows "not measured"), never zero.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.areas.geojson import BadParameter, geojson_of
from apps.areas.layerversion import current_layer_version
from apps.areas.models import Community, Grid
from apps.stars import defaults
from apps.stars.levels import IN_FLIGHT, level_of
from apps.stars.models import Assessment, AssessmentEvent, AssessmentStatus, Branch, Period, StarCriterion

# Community outlines for the dashboard are simplified to half a pixel at web-map
# zoom 14 (about 4 m): finer than the district and sub-district views need,
# and still close at community zoom, where the grids are drawn in full detail.
# Measured on the sample: 214 outlines = 44 KB of geometry (113 KB unsimplified).
CHOROPLETH_ZOOM = 14
HOTSPOT_DAYS = 30
MAX_HOTSPOT_DAYS = 366


logger = logging.getLogger(__name__)


def cases_installed():
    return apps.is_installed("apps.cases")


def star_names(period):
    """{kind: [name of star 1, ..., star 5]} for the period (its criteria, else the defaults)."""
    names = {kind: list(stars) for kind, stars in defaults.STAR_NAMES.items()}
    if period is not None:
        for kind, star, name in StarCriterion.objects.filter(period=period).values_list("kind", "star", "name"):
            names.setdefault(kind, [""] * 5)[star - 1] = name
    return names


# --- one row per village/community ------------------------------------------------


ROW_FIELDS = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "subdistrict_code": "subdistrict__code",
    "subdistrict_name": "subdistrict__name",
    "branch_id": "branch__pk",
    "branch": "branch__name",
    "demonstration": "branch__demonstration",
    "weak": "branch__weak",
    "leader_code": "branch__leader__code",
    "leader": "branch__leader__name",
    "leader_title": "branch__leader__title",
}


def _stars_by_branch(period, scope):
    """({branch id: held stars}, {branch id: stars in flight}) for the period: one query."""
    held, flight = defaultdict(set), defaultdict(set)
    if period is None:
        return held, flight
    rows = Assessment.objects.filter(period=period, status__in=[AssessmentStatus.AWARDED, *IN_FLIGHT])
    rows = scope.limit(rows, "branch__community__subdistrict").order_by().values_list("branch_id", "star", "status")
    for branch_id, star, status in rows:
        (held if status == AssessmentStatus.AWARDED else flight)[branch_id].add(star)
    return held, flight


def outlines():
    """{community code: outline simplified for the dashboard, as GeoJSON text}, for the whole district.

    Simplifying 214 outlines is most of the choropleth's database time (about
    12 of 15 ms on PostGIS, measured), and they only change when GIS data is
    loaded or edited: so they are cached under the map layers' data version
    (apps.areas.layerversion), like the layers themselves. One tiny query when
    cached, two when not.
    """
    version = current_layer_version()
    key = f"gridgov:dashboard:outlines:{CHOROPLETH_ZOOM}:{version}"
    seconds = settings.GRIDGOV_LAYER_CACHE_SECONDS
    found = _cache_get(key) if seconds else None
    if found is None:
        found = dict(
            Community.objects.annotate(geojson=geojson_of("geom", CHOROPLETH_ZOOM)).order_by().values_list("code", "geojson")
        )
        if seconds:
            _cache_set(key, found)
    return found


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception:  # a cache outage (Redis down) must not take the dashboard down with it
        logger.warning("dashboard cache unavailable, reading outlines from the database", exc_info=True)
        return None


def _cache_set(key, value):
    try:
        cache.set(key, value, settings.GRIDGOV_LAYER_CACHE_SECONDS)
    except Exception:
        logger.warning("dashboard cache unavailable, outlines not stored", exc_info=True)


def open_cases(scope, *, now=None):
    """{community id: open cases reported in the last 30 days}: one grouped query.

    One scan of the window rather than a count per community: the correlated
    count made PostGIS intersect the whole window's index with each community's
    (measured: 31 ms for 214 communities and 4,000 cases, against 2 ms grouped).
    """
    from apps.cases.models import OPEN_STATUSES, Case

    since = (now or timezone.now()) - dt.timedelta(days=HOTSPOT_DAYS)
    rows = scope.limit(Case.objects.filter(reported_at__gte=since, status__in=OPEN_STATUSES), "subdistrict")
    return dict(rows.order_by().values("community_id").annotate(n=Count("pk")).values_list("community_id", "n"))


def community_rows(period, scope, *, geometry=False, now=None):
    """One dict per village/community of the reader's area, by code, in a fixed number of queries.

    Keys: ROW_FIELDS, plus level (0-5), stars (held, sorted), pipeline (stars in
    flight), pipeline_level (the level if every application in flight is
    awarded), cases (open cases reported in the last 30 days, None without the
    case app) and, with `geometry`, `geojson` (simplified outline as text).
    """
    records = scope.limit(Community.objects, "subdistrict").order_by("code").values("pk", *ROW_FIELDS.values())
    held, flight = _stars_by_branch(period, scope)
    cases = open_cases(scope, now=now) if cases_installed() else None
    shapes = outlines() if geometry else {}
    gates = period.foundation_gates if period is not None else True
    rows = []
    for record in records:
        row = {name: record[path] for name, path in ROW_FIELDS.items()}
        stars = held.get(row["branch_id"], set())
        pending = flight.get(row["branch_id"], set()) - stars
        row.update(
            demonstration=row["demonstration"] or "",
            weak=bool(row["weak"]),
            level=level_of(stars, gates),
            stars=sorted(stars),
            pipeline=sorted(pending),
            pipeline_level=level_of(stars | pending, gates),
            cases=None if cases is None else cases.get(record["pk"], 0),
        )
        if geometry:
            row["geojson"] = shapes.get(row["code"])
        rows.append(row)
    return rows


# --- filters (the map, the table and the XLSX apply the same ones) ---------------------


@dataclass(frozen=True)
class Filters:
    star: int | None = None
    kind: str | None = None
    demonstration: bool = False
    weak: bool = False
    subdistrict: str | None = None

    def keep(self, row):
        return (
            (self.star is None or self.star in row["stars"])
            and (self.kind is None or row["kind"] == self.kind)
            and (not self.demonstration or bool(row["demonstration"]))
            and (not self.weak or row["weak"])
            and (self.subdistrict is None or row["subdistrict_code"] == self.subdistrict)
        )


def _flag(query, name):
    raw = (query.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise BadParameter(name, _("Parameter %(field)s must be 1 or 0, got %(value)s.") % {"field": name, "value": repr(raw[:20])})


def parse_filters(query):
    """Filters from query parameters star, kind, demonstration, weak, subdistrict; BadParameter on a bad one."""
    star = (query.get("star") or "").strip()
    if star and star not in {"1", "2", "3", "4", "5"}:
        raise BadParameter("star", _("Parameter star must be a star number from 1 to 5, got %(value)s.")
                        % {"value": repr(star[:20])})
    kind = (query.get("kind") or "").strip()
    if kind and kind not in Community.Kind.values:
        raise BadParameter("kind", _("Parameter kind must be village or community, got %(value)s.")
                        % {"value": repr(kind[:20])})
    subdistrict = (query.get("subdistrict") or "").strip()
    if subdistrict and not (subdistrict.isascii() and subdistrict.isdigit() and len(subdistrict) == 9):
        raise BadParameter("subdistrict", _("Parameter subdistrict must be a 9-digit code, got %(value)s.")
                        % {"value": repr(subdistrict[:20])})
    return Filters(
        star=int(star) if star else None,
        kind=kind or None,
        demonstration=_flag(query, "demonstration"),
        weak=_flag(query, "weak"),
        subdistrict=subdistrict or None,
    )


# --- case hotspots per grid ----------------------------------------------------------


def hotspots(scope, *, days=HOTSPOT_DAYS, now=None):
    """Grids with cases reported in the last `days` days: a point inside each grid and the counts.

    `cases` counts every real case (rejected and merged ones left out), `open`
    those not closed yet. Two queries: the counts grouped by the grid stored
    on each case, then those grids' points (computed by the database).
    """
    from apps.cases.models import OPEN_STATUSES, Case, Status

    since = (now or timezone.now()) - dt.timedelta(days=days)
    real = scope.limit(
        Case.objects.filter(reported_at__gte=since).exclude(status__in=[Status.REJECTED, Status.MERGED]), "subdistrict"
    )
    counts = {
        grid_id: (n, n_open)
        for grid_id, n, n_open in real.order_by()
        .values("grid_id")
        .annotate(n=Count("pk"), n_open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
        .values_list("grid_id", "n", "n_open")
    }
    grids = (
        Grid.objects.filter(pk__in=list(counts))
        .annotate(spot=PointOnSurface("geom"))
        .order_by("code")
        .values_list("pk", "code", "name", "community__code", "community__name", "spot")
    )
    return [
        {
            "code": code, "name": name, "community_code": community_code, "community_name": community_name,
            "cases": counts[pk][0], "open": counts[pk][1], "lon": round(spot.x, 6), "lat": round(spot.y, 6),
        }
        for pk, code, name, community_code, community_name, spot in grids
    ]


# --- one branch across periods (the details panel) ---------------------------------------


def branch_history(community, *, events=20):
    """The branch of `community` in every period: level and each star's outcome; and its latest events.

    Four queries: branch, periods, assessments, events.
    """
    branch = Branch.objects.filter(community=community).select_related("leader").first()
    if branch is None:
        return None
    periods = list(Period.objects.order_by("starts_on"))
    by_period = defaultdict(list)
    assessments = (
        Assessment.objects.filter(branch=branch)
        .select_related("criterion")
        .order_by("star")
        .only("period_id", "star", "status", "score", "decided_at", "revoked_at", "criterion__name")
    )
    for a in assessments:
        by_period[a.period_id].append(a)
    history = []
    for period in periods:
        rows = by_period.get(period.pk, [])
        held = {a.star for a in rows if a.status == AssessmentStatus.AWARDED}
        history.append({
            "period": period.code,
            "name": period.name,
            "level": level_of(held, period.foundation_gates),
            "stars": [
                {"star": a.star, "name": a.criterion.name, "status": a.status, "status_label": a.get_status_display(),
                 "score": None if a.score is None else float(a.score)}
                for a in rows
            ],
        })
    latest = (
        AssessmentEvent.objects.filter(assessment__branch=branch)
        .select_related("assessment__criterion", "assessment__period", "actor")
        .order_by("-at", "-id")[:events]
    )
    return {
        "code": community.code,
        "branch": branch.name,
        "leader": branch.leader.name if branch.leader else "",
        "history": history,
        "events": [
            {
                "at": timezone.localtime(e.at).strftime("%Y-%m-%d"),
                "period": e.assessment.period.code,
                "star": e.assessment.criterion.name,
                "action": e.action,
                "to_status": e.to_status,
                "to_label": str(AssessmentStatus(e.to_status).label) if e.to_status in AssessmentStatus.values else "",
                "actor": e.actor.name if e.actor else "",
                "note": e.note[:200],
            }
            for e in latest
        ],
    }
