"""GeoJSON map layers produced by the database, and the query parameters they take.

The database writes each whole Feature as text and Python only joins rows.
Measured on the sample's 281 zones: drf-gis' serializer 170-400 ms, Django's
geojson serializer 145 ms, PostGIS writing the GeoJSON 3-12 ms. Encoding the
properties in Python cost another 10-13 ms on the 1,508 grids; the database's
to_json/json_quote do it for a fraction of that.

Per request the ORM would spend more time building and compiling the layer's
queryset (about 1.3 ms with its count subqueries) than a street-level query
takes to run (0.1-0.6 ms). So each layer compiles its SQL through the ORM once
per shape of request (zoom, page window, which filters, bbox or not), with
placeholders where the request's values go, and later requests run that SQL
with their own values (`compiled_layer_sql`).
"""

import functools
import json
import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db import connection
from django.db.models import F, Func, IntegerField, OuterRef, Subquery, TextField
from django.db.models.expressions import Expression
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from apps.areas import layercache
from apps.areas.compiled import Slot
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


class _RowCount(Func):
    """COUNT(*) as a plain function, so the subquery has no GROUP BY (Count() would add one)."""

    template = "COUNT(*)"
    output_field = IntegerField()
    contains_aggregate = False


def count_of(model, fk, outer="pk", **where):
    """Correlated `(SELECT COUNT(*) ...)` of `model` rows (matching `where`) whose `fk` is the outer row.

    Subqueries rather than Count() over joins: two reverse joins multiply rows,
    and the whole layer stays one query. A COUNT without GROUP BY always gives
    one row, so no COALESCE either: the same SQL one would write by hand.
    """
    counted = model.objects.filter(**{fk: OuterRef(outer)}, **where).order_by().annotate(n=_RowCount()).values("n")
    return Subquery(counted, output_field=IntegerField())


class FeatureText(Expression):
    """One GeoJSON Feature as compact text, written by the database.

    `{"type":"Feature","id":<code>,"geometry":<geometry>,"properties":{...}}`:
    values are JSON-encoded by to_json (PostGIS) or json_quote (SpatiaLite);
    the geometry is already GeoJSON text and is not parsed again.
    """

    output_field = TextField()

    def __init__(self, geometry, properties):
        super().__init__()
        self.names = list(properties)
        self.exprs = [geometry, *(F(path) if isinstance(path, str) else path for path in properties.values())]

    def get_source_expressions(self):
        return self.exprs

    def set_source_expressions(self, exprs):
        self.exprs = list(exprs)

    def as_sql(self, compiler, connection):
        if connection.vendor == "sqlite":
            value = "json_quote(%s)"
        else:
            value = "COALESCE(to_json(%s)::text, 'null')"
        compiled = [compiler.compile(expr) for expr in self.exprs]
        (geometry_sql, geometry_params), values = compiled[0], dict(zip(self.names, compiled[1:]))
        pieces, params = [], []

        def literal(text):
            pieces.append("'%s'" % text.replace("'", "''"))

        def json_value(name):
            sql, sql_params = values[name]
            pieces.append(value % sql)
            params.extend(sql_params)

        literal('{"type":"Feature","id":')
        json_value("code")
        literal(',"geometry":')
        pieces.append(f"COALESCE({geometry_sql}, 'null')")
        params.extend(geometry_params)
        for i, name in enumerate(self.names):
            literal((',"properties":{' if i == 0 else ",") + f'"{name}":')
            json_value(name)
        literal("}}")
        return "(" + " || ".join(pieces) + ")", params


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
    filters: dict = field(default_factory=dict)  # ORM lookup -> value
    named: dict = field(default_factory=dict)  # parameter -> value, the same filters by their names

    def canonical_query(self, page=None):
        """The request's meaning as a query string: one string per answer (cache keys, next links).

        Parameter order, spelling of numbers (34.70 or 34.7) and parameters we
        do not read make no difference.
        """
        pairs = []
        if self.bbox:
            pairs.append(("bbox", ",".join(repr(v) for v in self.bbox)))
        if self.zoom is not None:
            pairs.append(("zoom", str(self.zoom)))
        pairs += sorted(self.named.items())
        pairs += [("page", str(page or self.page)), ("page_size", str(self.page_size))]
        return urlencode(pairs)


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
            params.filters[lookup] = params.named[name] = validate(name, query[name])
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


# --- the query ---------------------------------------------------------------


BBOX_SLOTS = [Slot.named(f"bbox{i}") for i in range(4)]


@functools.lru_cache(maxsize=512)
def compiled_layer_sql(view_class, vendor, zoom, has_bbox, lookups, start, stop):
    """(sql, params) of a layer for one shape of request, with Slots where its values go.

    Compiled by the ORM (joins, count subqueries, spatial filter, paging), so
    the SQL is exactly what the queryset would run. LIMIT and OFFSET are
    written into the SQL by the ORM, hence part of the key; so is `vendor`,
    for a process that talks to both engines.
    """
    view = view_class()
    slots = {lookup: Slot.named(lookup) for lookup in lookups}
    queryset = view.get_queryset().filter(**slots)
    if has_bbox:
        queryset = within_bbox(queryset, BBOX_SLOTS)
    feature = FeatureText(geojson_of("geom", zoom), view.properties)
    queryset = queryset.annotate(feature=feature).order_by("code").values_list("feature")[start:stop]
    sql, params = queryset.query.sql_with_params()
    expected = {*slots.values(), *(BBOX_SLOTS if has_bbox else ())}
    missing = expected - {p for p in params if isinstance(p, str)}
    if missing:  # the ORM rewrote a value: running this SQL would answer another question
        raise RuntimeError(f"{view_class.__name__}: placeholders lost in compilation: {sorted(missing)}")
    return sql, tuple(params)


def layer_features(view_class, params):
    """The page's Features as GeoJSON text, one per row, plus one row more when a next page exists."""
    start = (params.page - 1) * params.page_size
    sql, template = compiled_layer_sql(
        view_class,
        connection.vendor,
        params.zoom,
        params.bbox is not None,
        tuple(sorted(params.filters)),
        start,
        start + params.page_size + 1,
    )
    values = {Slot.named(lookup): value for lookup, value in params.filters.items()}
    if params.bbox:
        values.update(zip(BBOX_SLOTS, params.bbox))
    sql_params = [values.get(p, p) if isinstance(p, str) else p for p in template]
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        return [row[0] for row in cursor.fetchall()]


def feature_collection(features, next_url=None):
    """Join Feature texts into one FeatureCollection (bytes)."""
    head = '{"type":"FeatureCollection","numberReturned":%d' % len(features)
    if next_url:
        head += ',"next":' + json.dumps(next_url, ensure_ascii=False)
    return (head + ',"features":[' + ",".join(features) + "]}").encode("utf-8")


# --- the view ----------------------------------------------------------------


class GeoJSONLayerView(APIView):
    """A FeatureCollection of one model, written by the database, paged, with HTTP caching.

    Subclasses set `model`, `properties` (output name -> ORM path or annotation
    name), `filters` (parameter -> (lookup, validator)) and may add annotations
    in `get_queryset`. The page is fetched with one extra row to know whether
    a next page exists. Queries per request, authentication aside: one (the
    data version) for a 304 or a server-cache hit, two when the layer is read.
    """

    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    model = None
    properties = {}
    filters = {}

    def get_queryset(self):
        return self.model.objects.all()

    def initial(self, request, *args, **kwargs):
        """Authentication and permissions only.

        The answer is GeoJSON whatever the Accept header, there is no API
        versioning and no throttle: DRF's content negotiation and the rest cost
        more than a street-level layer query. Errors still go through DRF's
        exception handler (negotiated there), so 400s and 401/403s keep their shape.
        """
        self.format_kwarg = None
        self.perform_authentication(request)
        self.check_permissions(request)

    def get(self, request):
        params = parse_layer_params(request.query_params, self.filters)
        query = params.canonical_query()
        url = request.build_absolute_uri(request.path)
        return layercache.cached_response(
            request,
            f"{url}?{query}",
            lambda: self.render(params, url),
            content_type=GEOJSON_TYPE,
        )

    def render(self, params, url):
        features = layer_features(type(self), params)
        next_url = None
        if len(features) > params.page_size:
            features = features[: params.page_size]
            next_url = f"{url}?{params.canonical_query(page=params.page + 1)}"
        return feature_collection(features, next_url)


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
