"""GeoJSON map layers produced by the database, and the query parameters they take.

The database writes each feature's geometry (AsGeoJSON of a simplified geometry)
and Python only joins text. Measured on the sample's 281 zones: drf-gis'
serializer 170-400 ms, Django's geojson serializer 145 ms, PostGIS writing the
GeoJSON 3-12 ms with Django passing the text through in under 5 ms. So the layer
views iterate `values_list` rows: no model instances, no serializer, one query.
"""

import json
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from apps.areas.spatial import SimplifyPreserveTopology, within_bbox

GEOJSON_TYPE = "application/geo+json"
# Coordinates to 6 decimals: about 0.1 m, finer than any boundary we hold.
PRECISION = 6
MAX_ZOOM = 22
# From this web-map zoom on, half a pixel is under 0.6 m: send full detail.
FULL_DETAIL_ZOOM = 17


class BadParameter(APIException):
    """400 with {"detail": message, "field": name}: one flat shape for every bad parameter."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, field_name, message):
        super().__init__({"detail": message, "field": field_name})


class GeoJSONRenderer(JSONRenderer):
    """Lets clients ask for application/geo+json (DRF would answer 406 otherwise)."""

    media_type = GEOJSON_TYPE
    format = "geojson"


def tolerance_for_zoom(zoom):
    """Half a web-map pixel in degrees at this zoom; None (no simplification) when close up."""
    if zoom is None or zoom >= FULL_DETAIL_ZOOM:
        return None
    return 360.0 / (256 * 2**zoom) / 2


def geojson_of(geom_field, zoom):
    tolerance = tolerance_for_zoom(zoom)
    expression = geom_field if tolerance is None else SimplifyPreserveTopology(geom_field, tolerance)
    return AsGeoJSON(expression, precision=PRECISION)


def count_of(model, fk, outer="pk", **where):
    """Correlated COUNT(*) of `model` rows (matching `where`) whose `fk` is the outer row.

    Subqueries rather than Count() over joins: two reverse joins multiply rows,
    and the whole layer stays one query.
    """
    counted = (
        model.objects.filter(**{fk: OuterRef(outer)}, **where)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- query parameters -------------------------------------------------------


def parse_number(name, raw, low, high):
    if raw is None or str(raw).strip() == "":
        raise BadParameter(name, _("Parameter %(field)s is required.") % {"field": name})
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadParameter(
            name,
            _("Parameter %(field)s must be a number, got %(value)s.") % {"field": name, "value": repr(str(raw)[:40])},
        ) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadParameter(
            name,
            _("Parameter %(field)s must be between %(low)s and %(high)s, got %(value)s.")
            % {"field": name, "low": low, "high": high, "value": str(raw)[:40]},
        )
    return value


def parse_int(name, raw, low, high):
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise BadParameter(
            name,
            _("Parameter %(field)s must be a whole number, got %(value)s.")
            % {"field": name, "value": repr(str(raw)[:40])},
        ) from None
    if not low <= value <= high:
        raise BadParameter(
            name,
            _("Parameter %(field)s must be between %(low)s and %(high)s, got %(value)s.")
            % {"field": name, "low": low, "high": high, "value": value},
        )
    return value


def parse_bbox(raw):
    parts = raw.split(",")
    if len(parts) != 4:
        raise BadParameter("bbox", _("Parameter bbox must be four numbers: minlon,minlat,maxlon,maxlat."))
    minx, miny, maxx, maxy = (
        parse_number("bbox", part, low, high)
        for part, (low, high) in zip(parts, [(-180, 180), (-90, 90), (-180, 180), (-90, 90)])
    )
    if minx >= maxx or miny >= maxy:
        raise BadParameter("bbox", _("Parameter bbox: minlon must be below maxlon and minlat below maxlat."))
    return (minx, miny, maxx, maxy)


@dataclass
class LayerParams:
    bbox: tuple | None = None
    zoom: int | None = None
    page: int = 1
    page_size: int = 0
    filters: dict = field(default_factory=dict)


def parse_layer_params(query, filters):
    """Read bbox, zoom, page, page_size and the layer's own filters; BadParameter on anything wrong.

    `filters` maps a parameter to (ORM lookup, validator): the validator returns
    the value to filter on or raises BadParameter.
    """
    cap = settings.GRIDGOV_LAYER_PAGE_MAX
    params = LayerParams(page_size=cap)
    if query.get("bbox"):
        params.bbox = parse_bbox(query["bbox"])
    if query.get("zoom"):
        params.zoom = parse_int("zoom", query["zoom"], 0, MAX_ZOOM)
    if query.get("page"):
        params.page = parse_int("page", query["page"], 1, 10**6)
    if query.get("page_size"):
        # Above the cap we serve the cap, as OGC API Features does for `limit`.
        params.page_size = min(parse_int("page_size", query["page_size"], 1, 10**9), cap)
    for name, (lookup, validate) in filters.items():
        if query.get(name):
            params.filters[lookup] = validate(name, query[name])
    return params


def code_of(digits):
    def validate(name, raw):
        if not (raw.isascii() and raw.isdigit() and len(raw) == digits):
            raise BadParameter(
                name,
                _("Parameter %(field)s must be a %(digits)s-digit code, got %(value)s.")
                % {"field": name, "digits": digits, "value": repr(raw[:40])},
            )
        return raw

    return validate


def one_of(choices):
    def validate(name, raw):
        if raw not in choices:
            raise BadParameter(
                name,
                _("Parameter %(field)s must be one of %(choices)s, got %(value)s.")
                % {"field": name, "choices": ", ".join(choices), "value": repr(raw[:40])},
            )
        return raw

    return validate


# --- the view ----------------------------------------------------------------


class GeoJSONLayerView(APIView):
    """A FeatureCollection of one model, written by the database, paged.

    Subclasses set `model`, `properties` (output name -> ORM path or annotation
    name), `filters` (parameter -> (lookup, validator)) and may add annotations
    in `get_queryset`. One query per request whatever the page: the page is
    fetched with one extra row to know whether a next page exists.
    """

    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    model = None
    properties = {}
    filters = {}

    def get_queryset(self):
        return self.model.objects.all()

    def get(self, request):
        params = parse_layer_params(request.query_params, self.filters)
        queryset = self.get_queryset().filter(**params.filters)
        if params.bbox:
            queryset = within_bbox(queryset, params.bbox)
        start = (params.page - 1) * params.page_size
        rows = list(
            queryset.annotate(geojson_text=geojson_of("geom", params.zoom))
            .order_by("code")
            .values_list("geojson_text", *self.properties.values())[start : start + params.page_size + 1]
        )
        next_url = None
        if len(rows) > params.page_size:
            rows = rows[: params.page_size]
            query = request.GET.copy()
            query["page"] = str(params.page + 1)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return feature_collection_response(rows, list(self.properties), next_url)


def feature_collection_response(rows, names, next_url=None):
    """Join (geojson, *property values) rows into one FeatureCollection response."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    features = []
    for row in rows:
        props = dict(zip(names, row[1:]))
        features.append(
            '{"type":"Feature","id":%s,"geometry":%s,"properties":%s}'
            % (dumps(props["code"]), row[0] or "null", dumps(props))
        )
    head = {"type": "FeatureCollection", "numberReturned": len(features)}
    if next_url:
        head["next"] = next_url
    body = dumps(head)[:-1] + ',"features":[' + ",".join(features) + "]}"
    return HttpResponse(body.encode("utf-8"), content_type=GEOJSON_TYPE)


# --- OpenAPI -------------------------------------------------------------------

LAYER_PARAMETERS = [
    OpenApiParameter(
        "bbox",
        OpenApiTypes.STR,
        description="minlon,minlat,maxlon,maxlat (EPSG:4326); features that intersect it, boundary included.",
    ),
    OpenApiParameter(
        "zoom",
        OpenApiTypes.INT,
        description="Web-map zoom 0-22; geometry is simplified to half a pixel, full detail from zoom 17.",
    ),
    OpenApiParameter("page", OpenApiTypes.INT, description="1-based page number."),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description="Features per page, at most GRIDGOV_LAYER_PAGE_MAX (default 5000; larger values get the cap).",
    ),
]


def layer_schema(summary, description, extra_parameters=()):
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[*LAYER_PARAMETERS, *extra_parameters],
        responses={
            (200, GEOJSON_TYPE): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="GeoJSON FeatureCollection with numberReturned, and next (URL) when more pages exist.",
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description='{"detail": message, "field": parameter}'),
        },
        tags=["layers"],
    )


def filter_parameter(name, description):
    return OpenApiParameter(name, OpenApiTypes.STR, description=description)
