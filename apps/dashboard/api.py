"""The dashboard's GeoJSON and details: the star choropleth, case hotspots, one branch's history.

Scoped like GET /api/stars/summary/ (apps.stars.api_summary.reader_scope). The
database writes each outline's GeoJSON and Python joins text (the technique of
apps/areas/geojson.py). Measured with bench/bench_dashboard.py on the sample:
214 features in 17 ms (27 ms with the outline cache cold) on PostGIS, as fast
as one SQL statement making the same FeatureCollection; 133 KB, 15 KB gzipped.
"""

import json

from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.areas.geojson import GEOJSON_TYPE, GeoJSONRenderer, parse_int
from apps.areas.models import Community
from apps.dashboard import data
from apps.stars.access import may_open_stars
from apps.stars.api_summary import reader_scope, resolve_period

# Properties of each choropleth feature, in order.
PROPERTIES = [
    "code", "name", "kind", "subdistrict_code", "subdistrict_name", "branch", "level", "stars", "pipeline",
    "pipeline_level", "demonstration", "weak", "leader", "leader_code", "leader_title", "cases",
]
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def feature_collection(features_json, **members):
    """One FeatureCollection from features already written as JSON text, with extra top-level members."""
    head = _dumps({"type": "FeatureCollection", "numberReturned": len(features_json), **members})
    return head[:-1] + ',"features":[' + ",".join(features_json) + "]}"


def geojson_response(body):
    return HttpResponse(body.encode("utf-8"), content_type=GEOJSON_TYPE)


def branch_page_url(code):
    """The branch's history page (apps/stars, /stars/branches/<code>/) when that page exists, else None."""
    path = f"/stars/branches/{code}/"
    try:
        resolve(path)
    except (Resolver404, NoReverseMatch):
        return None
    return path


class ChoroplethView(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(
        summary="Villages/communities coloured by star level: one FeatureCollection",
        description=(
            "Every village/community of the reader's area with its outline simplified for district zoom and "
            "properties: code, name, kind, sub-district, branch, level (0-5), stars held, stars in flight "
            "(pipeline) and the level they would make, demonstration, weak flag, accountable leader, and "
            "`cases`: open cases reported in the last 30 days (null without the case app). Scoped like "
            "/api/stars/summary/."
        ),
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, description="Period code; default the current.")],
        responses={
            (200, GEOJSON_TYPE): OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description='{"detail": message, "field": "period"}'),
            403: OpenApiResponse(OpenApiTypes.OBJECT),
        },
        tags=["stars"],
    )
    def get(self, request):
        scope = reader_scope(request.user)
        period = resolve_period(request.query_params.get("period"))
        rows = data.community_rows(period, scope, geometry=True)
        features = []
        for row in rows:
            props = {name: row[name] for name in PROPERTIES}
            features.append(
                '{"type":"Feature","id":%s,"geometry":%s,"properties":%s}'
                % (_dumps(row["code"]), row["geojson"] or "null", _dumps(props))
            )
        body = feature_collection(
            features, period=period.code if period else None, scope=scope.as_json(),
            cases_measured=data.cases_installed(),
        )
        return geojson_response(body)


class HotspotsView(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(
        summary="Case hotspots: cases per grid in the last days, at a point inside each grid",
        description=(
            "Points (one per grid with cases) with properties code, name, community_code, community_name, "
            "cases (reported in the window, rejected and merged left out) and open (not closed yet). "
            "Scoped like /api/stars/summary/."
        ),
        parameters=[OpenApiParameter("days", OpenApiTypes.INT, description="Window in days, 1-366; default 30.")],
        responses={(200, GEOJSON_TYPE): OpenApiResponse(OpenApiTypes.OBJECT), 400: OpenApiResponse(OpenApiTypes.OBJECT)},
        tags=["stars"],
    )
    def get(self, request):
        scope = reader_scope(request.user)
        raw = request.query_params.get("days")
        days = parse_int("days", raw, 1, data.MAX_HOTSPOT_DAYS) if raw else data.HOTSPOT_DAYS
        features = [
            '{"type":"Feature","id":%s,"geometry":{"type":"Point","coordinates":[%s,%s]},"properties":%s}'
            % (_dumps(spot["code"]), spot["lon"], spot["lat"],
               _dumps({k: v for k, v in spot.items() if k not in ("lon", "lat")}))
            for spot in data.hotspots(scope, days=days)
        ]
        return geojson_response(feature_collection(features, days=days))


class BranchView(APIView):
    @extend_schema(
        summary="One branch across periods: level and each star's outcome, and its latest steps",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), 404: OpenApiResponse(OpenApiTypes.OBJECT)},
        tags=["stars"],
    )
    def get(self, request, code):
        scope = reader_scope(request.user)
        # 404, not 403, outside the reader's area: it reveals nothing about the branch.
        community = scope.limit(Community.objects.filter(code=code), "subdistrict").only("pk", "code").first()
        history = data.branch_history(community) if community else None
        if history is None:
            raise Http404(_("No branch with this code in your area."))
        # Link the stars history page only for those it opens to (dispatchers read
        # the dashboard but have no stars pages).
        history["page"] = branch_page_url(code) if may_open_stars(request.user) else None
        return Response(history)
