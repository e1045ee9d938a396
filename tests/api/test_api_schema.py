"""The OpenAPI schema documents every endpoint and generates without warnings."""

from io import StringIO

import yaml
from django.core.management import call_command

PATHS = [
    "/api/locate/",
    "/api/layers/subdistricts/",
    "/api/layers/communities/",
    "/api/layers/grids/",
    "/api/layers/zones/",
    "/api/layers/compounds/",
    "/api/zones/{code}/cadres/",
]


def test_schema_validates_with_no_warnings(db):
    out = StringIO()
    # --fail-on-warn turns any warning (an undocumented parameter, a guessed type) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    for path in PATHS:
        assert path in schema["paths"], path
    locate_parameters = {p["name"] for p in schema["paths"]["/api/locate/"]["get"]["parameters"]}
    assert {"lon", "lat"} <= locate_parameters
    layer_parameters = {p["name"] for p in schema["paths"]["/api/layers/grids/"]["get"]["parameters"]}
    assert {"bbox", "zoom", "page", "page_size", "subdistrict", "community", "kind"} <= layer_parameters


def test_schema_endpoint_serves_the_paths(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert set(PATHS) <= set(schema["paths"])
