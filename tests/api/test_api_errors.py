"""One error shape for the API ({detail, code, field?}), Open311's list, and a schema that says so."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.people.models import Person, Role


@pytest.fixture
def worker(db):
    person = Person.objects.create(code="T-ERR-GW", name="T-ERR-GW", role=Role.GRID_WORKER)
    person.user = get_user_model().objects.create_user(username="t-err-gw")
    person.save(update_fields=["user"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=person.user).key}")
    return client


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_a_page_before_the_first_is_a_documented_404(worker, schema):
    response = worker.get("/api/cases/?page=0")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found" and body["detail"]
    operation = schema["paths"]["/api/cases/"]["get"]
    assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiError"
    }
    page = next(p for p in operation["parameters"] if p["name"] == "page")
    assert page["schema"]["minimum"] == 1


def test_without_a_login_the_error_has_a_code(db):
    response = APIClient().get("/api/cases/")
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"


def test_field_errors_keep_their_keys_and_gain_the_shape(db, schema):
    response = APIClient().post("/api/auth/token/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "required" and body["field"] in {"username", "password"} and body["detail"]
    assert "username" in body and "password" in body
    assert set(schema["paths"]["/api/auth/token/"]["post"]["responses"]) >= {"200", "400"}


def test_a_json_body_must_be_an_object(worker):
    response = worker.post("/api/cases/", [1, 2], format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_nul_character_is_a_400_naming_the_field(worker):
    response = worker.get("/api/bulletins/incentives/?kind=a%00b")
    assert response.status_code == 400
    assert response.json()["field"] == "kind" and response.json()["code"] == "null_characters_not_allowed"
    response = worker.post("/api/cases/", {"description": "a\x00b"}, format="json")
    assert response.status_code == 400 and "description" in response.json()["detail"]
    # Without the NUL the same request is refused for what it lacks, not for the character.
    response = worker.post("/api/cases/", {"description": "ab"}, format="json")
    assert response.status_code == 400 and response.json()["code"] != "null_characters_not_allowed"


def test_open311_errors_are_the_specs_list(client, schema):
    response = client.get("/open311/v2/requests/NO-SUCH.json")
    assert response.status_code == 404
    body = response.json()
    assert isinstance(body, list) and {"code", "description"} <= set(body[0])
    documented = schema["paths"]["/open311/v2/requests/{number}.{fmt}"]["get"]["responses"]["404"]
    assert documented["content"]["application/json"]["schema"]["type"] == "array"
    assert "403" in schema["paths"]["/open311/v2/requests.{fmt}"]["post"]["responses"]
    assert "403" not in schema["paths"]["/open311/v2/services.{fmt}"]["get"]["responses"]


def test_locate_documents_the_ranges_it_enforces(worker, schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/locate/"]["get"]["parameters"]}
    assert (parameters["lon"]["minimum"], parameters["lon"]["maximum"]) == (-180, 180)
    assert (parameters["lat"]["minimum"], parameters["lat"]["maximum"]) == (-90, 90)
    assert worker.get("/api/locate/?lon=181&lat=30").status_code == 400
    assert worker.get("/api/locate/?lon=120&lat=-91").status_code == 400
