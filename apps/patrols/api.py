"""Patrols API: check in (zone cadres), list the week's check-ins, weekly coverage.

Views parse, check access, call one function (`checkin.check_in`,
`coverage.weekly_coverage`), render. Every 4xx has the body
{"detail": message in the user's language, "code", "field"?}.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.areas.locate import InvalidCoordinate, check_coordinate
from apps.areas.spatial import PointX, PointY
from apps.compounds.models import Zone
from apps.patrols.checkin import MAX_ACCURACY_M, MAX_NOTE, CheckInError, check_in
from apps.patrols.coverage import coverage_scope, patrols_for, weekly_coverage
from apps.patrols.models import Patrol
from apps.patrols.weeks import BadWeek, parse_week
from apps.people.access import person_for
from apps.people.models import Role

ZONE_CODE_LENGTH = 15
SUBDISTRICT_CODE_LENGTH = 9


class ApiError(APIException):
    def __init__(self, status_code, message, code, field=None):
        self.status_code = status_code
        body = {"detail": message, "code": code}
        if field:
            body["field"] = field
        super().__init__(body)


def bad(field, message):
    return ApiError(400, message, "invalid", field)


# --- parsing ------------------------------------------------------------------------------


def parse_zone_code(data):
    raw = data.get("zone")
    if not isinstance(raw, str) or not raw.strip():
        raise bad("zone", _("Field zone is required: the code of the zone you patrol (Z and 14 digits)."))
    code = raw.strip()
    if not (code[:1] == "Z" and code[1:].isascii() and code[1:].isdigit() and len(code) == ZONE_CODE_LENGTH):
        raise bad("zone", _("Field zone must be Z and 14 digits, got %(value)s.") % {"value": repr(code[:40])})
    return code


def parse_coordinate(data, name):
    try:
        return check_coordinate(name, data.get(name))
    except InvalidCoordinate as exc:
        raise bad(exc.field, exc.message) from None


def parse_accuracy(data):
    raw = data.get("accuracy")
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = float("nan")
    if not (0 <= value <= MAX_ACCURACY_M) or isinstance(raw, bool):
        raise bad("accuracy", _("Field accuracy must be the GPS accuracy in metres, between 0 and %(max)s, "
                                "got %(value)s.") % {"max": f"{MAX_ACCURACY_M:,}", "value": repr(str(raw)[:20])})
    return round(value, 1)


def parse_client_id(data):
    raw = data.get("client_id")
    if raw in (None, ""):
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise bad("client_id", _("Field client_id must be a UUID, got %(value)s.") % {"value": repr(str(raw)[:40])}) \
            from None


def parse_source(data):
    raw = data.get("source") or Patrol.Source.GPS
    if raw not in Patrol.Source.values:
        choices = ", ".join(Patrol.Source.values)
        raise bad("source", _("Field source must be one of %(choices)s.") % {"choices": choices})
    return raw


def parse_note(data):
    raw = data.get("note") or ""
    if not isinstance(raw, str):
        raise bad("note", _("Field note must be text."))
    if len(raw.strip()) > MAX_NOTE:
        raise bad("note", _("The note is longer than %(n)s characters.") % {"n": MAX_NOTE})
    return raw.strip()


def week_param(request):
    try:
        return parse_week(request.query_params.get("week"))
    except BadWeek as exc:
        raise bad("week", exc.message) from None


def subdistrict_param(request):
    raw = (request.query_params.get("subdistrict") or "").strip()
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) == SUBDISTRICT_CODE_LENGTH):
        raise bad("subdistrict", _("Parameter subdistrict must be 9 digits, got %(value)s.")
                  % {"value": repr(raw[:40])})
    return raw or None


def area_errors(call):
    """Run `call`, turning Django's PermissionDenied/Http404 into this API's error body."""
    try:
        return call()
    except PermissionDenied as exc:
        raise ApiError(403, str(exc) or _("Not allowed."), "forbidden") from None
    except Http404 as exc:
        raise ApiError(404, str(exc) or _("Not found."), "not_found") from None


# --- rows -----------------------------------------------------------------------------------


def patrol_values(queryset):
    """The check-ins as plain values: one query, no geometry parsed in Python."""
    return queryset.annotate(lon=PointX("point"), lat=PointY("point")).values(
        "id", "client_id", "checked_in_at", "lon", "lat", "distance_m", "accuracy_m", "source", "note",
        "cadre__code", "cadre__name", "zone__code", "zone__name", "community__code", "community__name",
    )


def patrol_row(r):
    return {
        "id": r["id"],
        "client_id": str(r["client_id"]),
        "checked_in_at": r["checked_in_at"].isoformat(),
        "lon": round(r["lon"], 7),
        "lat": round(r["lat"], 7),
        "distance_m": r["distance_m"],
        "accuracy_m": r["accuracy_m"],
        "source": r["source"],
        "note": r["note"],
        "cadre": {"code": r["cadre__code"], "name": r["cadre__name"]},
        "zone": {"code": r["zone__code"], "name": r["zone__name"]} if r["zone__code"] else None,
        "community": {"code": r["community__code"], "name": r["community__name"]},
    }


def one_row(patrol):
    return patrol_row(patrol_values(Patrol.objects.filter(pk=patrol.pk)).get())


# --- schema ---------------------------------------------------------------------------------

ErrorSerializer = inline_serializer(
    "PatrolError",
    {"detail": serializers.CharField(), "code": serializers.CharField(),
     "field": serializers.CharField(required=False)},
)
class PatrolCodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PatrolSerializer(serializers.Serializer):
    """A check-in as the API answers it (built from plain values by `patrol_row`)."""

    id = serializers.IntegerField()
    client_id = serializers.UUIDField()
    checked_in_at = serializers.DateTimeField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    distance_m = serializers.FloatField(help_text="Metres from the point to the zone (EPSG:4547); 0 inside.")
    accuracy_m = serializers.FloatField(allow_null=True)
    # Plain text in the schema: a ChoiceField named "source" collides with the cases API's enum.
    source = serializers.CharField(help_text="gps: the phone's position; map: a point picked on the map.")
    note = serializers.CharField()
    cadre = PatrolCodeNameSerializer()
    zone = PatrolCodeNameSerializer(allow_null=True, help_text="Null when a re-plan retired the zone and no zone holds "
                              "the point.")
    community = PatrolCodeNameSerializer()


CheckInInput = inline_serializer(
    "PatrolCheckIn",
    {
        "zone": serializers.CharField(help_text="Zone code (Z + 14 digits): one of your zones."),
        "lon": serializers.FloatField(),
        "lat": serializers.FloatField(),
        "accuracy": serializers.FloatField(required=False, help_text="GPS accuracy in metres, from the phone."),
        "source": serializers.CharField(required=False, help_text="gps (default) or map: a point picked on the map."),
        "note": serializers.CharField(required=False, max_length=MAX_NOTE),
        "client_id": serializers.UUIDField(required=False,
                                           help_text="Made by the phone once per check-in; a retry sends it again."),
    },
)
CoverageSerializer = inline_serializer(
    "PatrolCoverage",
    {
        "week": serializers.CharField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "scope": inline_serializer("PatrolCoverageScope", {
            "whole": serializers.BooleanField(), "code": serializers.CharField(), "name": serializers.CharField()}),
        "totals": inline_serializer("PatrolCoverageTotals", {
            "zones": serializers.IntegerField(), "visited": serializers.IntegerField(),
            "share": serializers.FloatField(allow_null=True), "patrols": serializers.IntegerField()}),
        "subdistricts": inline_serializer("PatrolCoverageSubdistrict", {
            "code": serializers.CharField(), "name": serializers.CharField(), "zones": serializers.IntegerField(),
            "visited": serializers.IntegerField(), "share": serializers.FloatField(allow_null=True),
            "patrols": serializers.IntegerField()}, many=True),
        "zones": inline_serializer("PatrolCoverageZone", {
            "code": serializers.CharField(), "name": serializers.CharField(),
            "community_code": serializers.CharField(), "community_name": serializers.CharField(),
            "subdistrict_code": serializers.CharField(), "subdistrict_name": serializers.CharField(),
            "visited": serializers.BooleanField(), "patrols": serializers.IntegerField(),
            "cadres_patrolled": serializers.IntegerField(), "cadres": serializers.IntegerField(),
            "last_visit": serializers.DateTimeField(allow_null=True)}, many=True),
    },
)
WEEK = OpenApiParameter("week", OpenApiTypes.STR, description="ISO week, e.g. 2026-W49; default the current week.")


def error(description):
    return OpenApiResponse(ErrorSerializer, description=description)


class PatrolPagination(PageNumberPagination):
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 1000


# --- views ----------------------------------------------------------------------------------


class PatrolListView(APIView):
    @extend_schema(
        summary="The week's patrol check-ins in your area",
        description=(
            "A zone cadre gets their own; a dispatcher or leader their sub-district (the district without one); "
            "administrators all. Anyone else 403. Newest first, paged."
        ),
        parameters=[
            WEEK,
            OpenApiParameter("zone", OpenApiTypes.STR, description="Only this zone (Z + 14 digits)."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Default 200, at most 1000."),
        ],
        responses={
            200: inline_serializer("PatrolPage", {
                "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True), "week": serializers.CharField(),
                "results": PatrolSerializer(many=True)}),
            400: error("A bad week or zone code."),
            403: error("Not logged in, or not a zone cadre, leader, dispatcher or administrator."),
            404: error("Past the last page."),
        },
        tags=["patrols"],
    )
    def get(self, request):
        week = week_param(request)
        patrols = area_errors(lambda: patrols_for(request.user))
        start, end = week.bounds()
        patrols = patrols.filter(checked_in_at__gte=start, checked_in_at__lt=end).order_by("-checked_in_at", "-id")
        if request.query_params.get("zone"):
            patrols = patrols.filter(zone__code=parse_zone_code(request.query_params))
        paginator = PatrolPagination()
        page = paginator.paginate_queryset(patrol_values(patrols), request, view=self)
        response = paginator.get_paginated_response([patrol_row(r) for r in page])
        response.data["week"] = week.code
        return response

    @extend_schema(
        summary="Check in on a zone patrol (zone cadres)",
        description=(
            "JSON or form. The point must be inside the zone or within 100 m of it (measured in EPSG:4547); "
            "otherwise 400 naming the zone, the distance and the limit, and nothing is written. Several "
            "check-ins a day are fine. A retry with the same client_id returns the same check-in with 200."
        ),
        request={"application/json": CheckInInput, "multipart/form-data": CheckInInput},
        responses={
            201: OpenApiResponse(PatrolSerializer, description="Checked in."),
            200: OpenApiResponse(PatrolSerializer, description="A retry: the check-in this client_id made."),
            400: error("Bad input, or the point is too far from the zone: {detail, code, field}."),
            403: error("Not a zone cadre (or not logged in)."),
            404: error("No such zone among your zones."),
            409: error("client_id used by someone else's check-in."),
        },
        tags=["patrols"],
    )
    def post(self, request):
        person = person_for(request.user)
        if person is None or person.role != Role.ZONE_CADRE:
            raise ApiError(403, _("Only zone cadres check in on zone patrols."), "not_a_zone_cadre")
        data = request.data
        code = parse_zone_code(data)
        lon, lat = parse_coordinate(data, "lon"), parse_coordinate(data, "lat")
        accuracy, client_id = parse_accuracy(data), parse_client_id(data)
        source, note = parse_source(data), parse_note(data)
        zone = Zone.objects.filter(code=code).only("pk", "code", "name", "community_id").first()
        if zone is None:
            raise ApiError(404, _("Zone %(code)s is not one of your zones.") % {"code": code}, "zone_not_yours",
                           "zone")
        try:
            patrol, created = check_in(by=person, zone=zone, lon=lon, lat=lat, accuracy=accuracy, note=note,
                                       client_id=client_id, source=source)
        except CheckInError as exc:
            raise ApiError(exc.status_code, exc.message, exc.code, exc.field) from None
        return Response(one_row(patrol), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CoverageView(APIView):
    @extend_schema(
        summary="Weekly patrol coverage: zones visited or not, per zone and per sub-district",
        description=(
            "Leaders, dispatchers and administrators, over their own area (a sub-district's staff: that "
            "sub-district). A zone is visited when at least one check-in of the week names it; per zone the "
            "number of check-ins, how many of its cadres patrolled, and the last visit."
        ),
        parameters=[WEEK, OpenApiParameter("subdistrict", OpenApiTypes.STR,
                                           description="Only this sub-district (9 digits), inside your area.")],
        responses={
            200: CoverageSerializer,
            400: error("A bad week or sub-district code."),
            403: error("Not a leader, dispatcher or administrator (or not logged in)."),
            404: error("No such sub-district in your area."),
        },
        tags=["patrols"],
    )
    def get(self, request):
        week = week_param(request)
        code = subdistrict_param(request)
        scope = area_errors(lambda: coverage_scope(request.user, code))
        return Response(weekly_coverage(week, scope))
