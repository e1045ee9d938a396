"""The stars API is in the OpenAPI schema, which still generates without warnings."""

from io import StringIO

import yaml
from django.core.management import call_command

PATHS = {
    "/api/stars/periods/": ["get"],
    "/api/stars/criteria/": ["get"],
    "/api/stars/applications/": ["get", "post"],
    "/api/stars/applications/{id}/": ["get"],
    "/api/stars/applications/{id}/actions/{action}/": ["post"],
    "/api/stars/evidence/{id}/": ["get"],
    "/api/stars/branches/{code}/history/": ["get"],
}


def test_every_stars_endpoint_is_documented_without_warnings(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    for path, methods in PATHS.items():
        assert path in schema["paths"], path
        assert set(methods) <= set(schema["paths"][path]), path
    apply = schema["paths"]["/api/stars/applications/"]["post"]
    assert {"multipart/form-data", "application/json"} <= set(apply["requestBody"]["content"])
    assert {"201", "400", "403", "409", "413"} <= set(apply["responses"])
    action = schema["paths"]["/api/stars/applications/{id}/actions/{action}/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(action["responses"])
    listing = {p["name"] for p in schema["paths"]["/api/stars/applications/"]["get"]["parameters"]}
    assert {"queue", "period", "star", "branch", "page"} <= listing
