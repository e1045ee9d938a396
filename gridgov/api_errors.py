"""One error shape for the API, and a schema that lists every status an operation can answer.

Every 4xx and 5xx of the project's API (`/api/...`) is a JSON object
`{detail, code, field?}`: the apps' own refusals already look like this, and
`exception_handler` gives DRF's (not logged in, not found, bad JSON, an unknown
`format`, a serializer's field errors) the same `code`; `JSONObjectParser`
refuses a JSON body that is not an object (every request body is one) with a
400 rather than letting a view trip over a list; a NUL character in a body or a
query string (PostgreSQL refuses them) is a 400 naming the field. Open311 answers errors
as the GeoReport v2 spec says: a list of `{code, description}`.

`postprocess_schema` (a drf-spectacular hook) then adds to each operation the
statuses the framework itself may answer whatever the view says: 400 (bad
query string or body), 403 (no or an invalid login, or not allowed), 404 (no
such object, page or format), each with the error shape; it turns Open311's
error responses into the list the spec prescribes, and adds the
coordinate ranges `/api/locate/` enforces and the links from a reported
case to the case, its actions and its photos. Checked by tests/api/test_schemathesis.py.
"""

import json

from django.core.validators import ProhibitNullCharactersValidator
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError, ValidationError

ERROR_COMPONENT = "ApiError"
OPEN311_ERROR_COMPONENT = "Open311Error"


class ApiErrorSerializer(serializers.Serializer):
    """Every error of the project's API: a message in the user's language, a machine code, the input at fault.

    Use it in extend_schema responses (its component is `ApiError`); postprocess_schema
    also points the apps' own error components (same shape) at it.
    """

    detail = serializers.CharField(help_text="What is wrong, in the user's language (Chinese by default).")
    code = serializers.CharField(
        help_text="A stable machine code, e.g. invalid, not_found, not_authenticated, permission_denied, parse_error."
    )
    field = serializers.CharField(required=False, help_text="The input at fault, when one is.")


def nul_field(data, prefix=""):
    """The name of the first key or value in `data` holding a NUL character (PostgreSQL refuses them), or None."""
    if hasattr(data, "lists"):  # QueryDict
        data = dict(data.lists())
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if "\x00" in str(key):
                return name
            found = nul_field(value, name)
            if found:
                return found
    elif isinstance(data, list):
        for value in data:
            found = nul_field(value, prefix)
            if found:
                return found
    elif isinstance(data, str) and "\x00" in data:
        return prefix or "?"
    return None


def refuse_nul(data):
    """ParseError (a 400 naming the field) when `data` holds a NUL character; `data` otherwise."""
    field = nul_field(data)
    if field:
        message = ProhibitNullCharactersValidator.message  # Django's, translated
        raise ParseError(f"{field}: {message}", code="null_characters_not_allowed")
    return data


class JSONObjectParser(parsers.JSONParser):
    """JSON bodies must be an object (every request body is one; views read it with .get()), with no NUL."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            # The apps' own wording (translated in apps/compounds' and apps/supervision's catalogues).
            raise ParseError(_("The request body must be a JSON object."), code="invalid")
        return refuse_nul(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        refuse_nul(result.data)
        return result


def refuse_nul_in_query(get_response):
    """Middleware: an API request whose query string holds a NUL answers 400 in the API's error shape."""

    def middleware(request):
        path = request.path_info
        if path.startswith(("/api/", "/open311/")):
            field = nul_field(request.GET)
            if field:
                message = f"{field}: {ProhibitNullCharactersValidator.message}"
                if path.startswith("/open311/"):
                    return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
                return JsonResponse({"detail": message, "code": "null_characters_not_allowed", "field": field},
                                    status=400)
        return get_response(request)

    return middleware


def _first_error(data, prefix=""):
    """(field, message, code) of the first error in a ValidationError's detail (nested dicts and lists)."""
    if isinstance(data, dict):
        for key, value in data.items():
            found = _first_error(value, f"{prefix}.{key}" if prefix else str(key))
            if found:
                return found
        return None
    if isinstance(data, list):
        for value in data:
            found = _first_error(value, prefix)
            if found:
                return found
        return None
    return prefix, str(data), getattr(data, "code", None) or "invalid"


STATUS_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed"}


def exception_handler(exc, context):
    """DRF's handler, with `code` on every error and `detail`/`field` on a serializer's field errors.

    Field errors keep their keys ({"username": [...]}) beside the three, so clients
    reading either form keep working.
    """
    from rest_framework.views import exception_handler as drf_exception_handler  # views import the parsers here

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        if "code" not in data:
            # Django's Http404 and PermissionDenied carry no code: name them as DRF's own would.
            codes = exc.get_codes() if hasattr(exc, "get_codes") else None
            if not isinstance(codes, str):
                codes = STATUS_CODES.get(response.status_code, "error")
            data["code"] = codes
    elif isinstance(exc, ValidationError) and data:
        first = _first_error(data)
        if first is not None:
            field, message, code = first
            body = {"detail": message, "code": code}
            if field and field != "non_field_errors":
                body["field"] = field
            if isinstance(data, dict) and not (set(data) & {"detail", "code", "field"}):
                body = {**data, **body}
            response.data = body
    return response


def _error_content(ref):
    return {"application/json": {"schema": ref}}


def postprocess_schema(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_COMPONENT] = {
        "type": "object",
        "description": ApiErrorSerializer.__doc__.splitlines()[0],
        "properties": {
            "detail": {"type": "string", "description": "What is wrong, in the user's language."},
            "code": {"type": "string",
                     "description": "A stable machine code (invalid, not_found, permission_denied...)."},
            "field": {"type": "string", "description": "The input at fault, when one is."},
        },
        "required": ["code", "detail"],
    }
    api_ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    open311_list = {"type": "array", "items": {"$ref": f"#/components/schemas/{OPEN311_ERROR_COMPONENT}"}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            if path.startswith("/open311/"):
                _open311_errors(responses, open311_list, method)
            elif path.startswith("/api/"):
                _api_errors(responses, api_ref, operation)
    _locate_ranges(result)
    _case_links(result)
    # The apps' error components, now all documented as ApiError, are left unreferenced: drop them.
    text = json.dumps(result.get("paths", {}))
    for name in APP_ERROR_COMPONENTS:
        if f'"#/components/schemas/{name}"' not in text:
            schemas.pop(name, None)
    return result


def _case_links(result):
    """OpenAPI links from a reported case's receipt to the case, its actions and its first photo."""
    receipt = result.get("paths", {}).get("/api/cases/", {}).get("post", {}).get("responses", {})
    number = {"number": "$response.body#/number"}
    links = {
        "GetCase": {"operationId": "api_cases_retrieve", "parameters": number,
                    "description": "The case just reported, in full."},
        "ActOnCase": {"operationId": "api_cases_actions_create", "parameters": number,
                      "description": "An action on the case just reported (its allowed_actions say which)."},
        "GetPhoto": {"operationId": "api_cases_photos_retrieve",
                     "parameters": {**number, "photo_id": "$response.body#/photos/0/id"},
                     "description": "The first photo sent with the report."},
    }
    for status in ("200", "201"):
        if status in receipt:
            receipt[status]["links"] = links


# The apps' error components, all {detail, code, field}: documented as the one ApiError.
APP_ERROR_COMPONENTS = {"Error", "BulletinError", "PatrolError", "StarError", "SupervisionError", "ZoningError"}
FRAMEWORK_ERRORS = {
    "400": "Bad input (a query parameter, the JSON or a field): {detail, code, field}; nothing written.",
    "403": "Not logged in, an invalid token, or not allowed for your role or area.",
    "404": "No such object in your area, no such page (?page beyond the last), or an unknown ?format.",
}


def _api_errors(responses, api_ref, operation):
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("name") == "page" and "schema" in parameter:
            parameter["schema"].setdefault("minimum", 1)  # pages count from 1; ?page=0 is a 404
    public = operation.get("security") == [{}] or {} in operation.get("security", [])
    for status, description in FRAMEWORK_ERRORS.items():
        if status == "403" and public:
            continue
        if status not in responses:
            responses[status] = {"description": description, "content": _error_content(api_ref)}
    # The apps' own error components have the one shape: point them all at it.
    for status, response in responses.items():
        if not status.startswith(("4", "5")):
            continue
        content = response.setdefault("content", {})
        schema = content.get("application/json", {}).get("schema")
        if not content or (schema and schema.get("$ref", "").rsplit("/", 1)[-1] in APP_ERROR_COMPONENTS):
            content["application/json"] = {"schema": api_ref}


def _open311_errors(responses, open311_list, method):
    for status, description in (
        ("400", "Bad input (GeoReport v2 errors: a list of {code, description})."),
        ("403", "No or an unknown api_key."),
        ("404", "No such request, service or token, or an unknown format."),
    ):
        if status != "403" or method == "post":  # only a POST needs an api_key
            responses.setdefault(status, {"description": description})
    for status, response in responses.items():
        if not status.startswith(("4", "5")):
            continue
        content = response.setdefault("content", {})
        for media in list(content) or ["application/json"]:
            content[media] = {"schema": open311_list}


def _locate_ranges(result):
    operation = result.get("paths", {}).get("/api/locate/", {}).get("get")
    if not operation:
        return
    for parameter in operation.get("parameters", []):
        limit = {"lon": 180, "lat": 90}.get(parameter.get("name"))
        if limit:
            parameter["schema"].update({"minimum": -limit, "maximum": limit})
