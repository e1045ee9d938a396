"""The OpenAPI schema documents the cases API and Open311, and generates without warnings."""

from io import StringIO

import yaml
from django.core.management import call_command

PATHS = {
    "/api/auth/token/": ["post"],
    "/api/categories/": ["get"],
    "/api/departments/": ["get"],
    "/api/cases/": ["get", "post"],
    "/api/cases/{number}/": ["get"],
    "/api/cases/{number}/actions/{action}/": ["post"],
    "/api/cases/{number}/photos/{photo_id}/": ["get"],
    "/api/inbox/": ["get"],
    "/api/inbox/{id}/read/": ["post"],
    "/open311/v2/discovery.{fmt}": ["get"],
    "/open311/v2/services.{fmt}": ["get"],
    "/open311/v2/services/{code}.{fmt}": ["get"],
    "/open311/v2/requests.{fmt}": ["get", "post"],
    "/open311/v2/requests/{number}.{fmt}": ["get"],
    "/open311/v2/tokens/{token}.{fmt}": ["get"],
}


def test_every_cases_and_open311_endpoint_is_documented_without_warnings(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    for path, methods in PATHS.items():
        assert path in schema["paths"], path
        assert set(methods) <= set(schema["paths"][path]), path
    listing = {p["name"] for p in schema["paths"]["/api/cases/"]["get"]["parameters"]}
    assert {"status", "queue", "category", "grid", "subdistrict", "department", "bbox", "page", "page_size"} <= listing
    report = schema["paths"]["/api/cases/"]["post"]
    assert {"multipart/form-data", "application/json"} <= set(report["requestBody"]["content"])
    assert {"201", "200", "400", "403", "409", "413"} <= set(report["responses"])
    action = schema["paths"]["/api/cases/{number}/actions/{action}/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(action["responses"])
    requests = {p["name"] for p in schema["paths"]["/open311/v2/requests.{fmt}"]["get"]["parameters"]}
    assert {"service_request_id", "service_code", "start_date", "end_date", "status", "fmt"} <= requests
