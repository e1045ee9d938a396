"""OpenAPI description of the Open311 endpoints (the JSON shape; XML carries the same fields)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers

FORMAT = OpenApiParameter(
    "fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["json", "xml"], description="Response format."
)

Error = inline_serializer(
    "Open311Error", {"code": serializers.IntegerField(), "description": serializers.CharField()}, many=True
)
Service = inline_serializer(
    "Open311Service",
    {
        "service_code": serializers.CharField(),
        "service_name": serializers.CharField(),
        "description": serializers.CharField(),
        "metadata": serializers.BooleanField(),
        "type": serializers.CharField(),
        "keywords": serializers.CharField(),
        "group": serializers.CharField(),
    },
    many=True,
)
ServiceDefinition = inline_serializer(
    "Open311ServiceDefinition",
    {"service_code": serializers.CharField(), "attributes": serializers.ListField(child=serializers.DictField())},
)
ServiceRequest = inline_serializer(
    "Open311ServiceRequest",
    {
        "service_request_id": serializers.CharField(),
        "status": serializers.CharField(help_text="open or closed"),
        "status_notes": serializers.CharField(),
        "service_name": serializers.CharField(),
        "service_code": serializers.CharField(),
        "description": serializers.CharField(),
        "agency_responsible": serializers.CharField(),
        "service_notice": serializers.CharField(),
        "requested_datetime": serializers.DateTimeField(),
        "updated_datetime": serializers.DateTimeField(),
        "expected_datetime": serializers.DateTimeField(allow_null=True),
        "address": serializers.CharField(),
        "address_id": serializers.CharField(),
        "zipcode": serializers.CharField(),
        "lat": serializers.FloatField(help_text="snapped to a 0.0005-degree grid (about 50 m)"),
        "long": serializers.FloatField(help_text="snapped to a 0.0005-degree grid (about 50 m)"),
        "media_url": serializers.CharField(),
    },
    many=True,
)
Created = inline_serializer(
    "Open311Created",
    {
        "service_request_id": serializers.CharField(),
        "token": serializers.CharField(),
        "service_notice": serializers.CharField(),
        "account_id": serializers.CharField(allow_null=True),
    },
    many=True,
)
TokenAnswer = inline_serializer(
    "Open311Token", {"service_request_id": serializers.CharField(), "token": serializers.CharField()}, many=True
)
Discovery = inline_serializer(
    "Open311Discovery",
    {
        "changeset": serializers.CharField(),
        "contact": serializers.CharField(),
        "key_service": serializers.CharField(),
        "endpoints": serializers.ListField(child=serializers.DictField()),
    },
)
PostRequest = inline_serializer(
    "Open311PostRequest",
    {
        "api_key": serializers.CharField(),
        "service_code": serializers.CharField(),
        "lat": serializers.FloatField(),
        "long": serializers.FloatField(),
        "address_string": serializers.CharField(required=False),
        "description": serializers.CharField(required=False),
        "email": serializers.CharField(required=False),
        "first_name": serializers.CharField(required=False),
        "last_name": serializers.CharField(required=False),
        "phone": serializers.CharField(required=False),
        "media_url": serializers.CharField(required=False, help_text="kept as a link in the description"),
    },
)
LIST_PARAMETERS = [
    OpenApiParameter("service_request_id", OpenApiTypes.STR, description="Comma-separated ids; ignores the rest."),
    OpenApiParameter("service_code", OpenApiTypes.STR, description="Comma-separated service codes."),
    OpenApiParameter("start_date", OpenApiTypes.DATETIME, description="w3c date-time; default end_date - 90 days."),
    OpenApiParameter("end_date", OpenApiTypes.DATETIME, description="w3c date-time; default start_date + 90 days."),
    OpenApiParameter("status", OpenApiTypes.STR, description="open, closed, or open,closed."),
]


def open311_schema(summary, response, *, parameters=(), request=None, errors=(400, 404), status=200):
    responses = {status: response}
    for code in errors:
        responses[code] = OpenApiResponse(Error, description="Errors in the spec's format.")
    return extend_schema(
        summary=summary, parameters=[FORMAT, *parameters], request=request, responses=responses, tags=["open311"]
    )
