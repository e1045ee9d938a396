"""Open311 errors come in the spec's format and status codes, and a refused POST writes nothing."""

import xml.etree.ElementTree as ET

import pytest
from rest_framework.test import APIClient

from apps.cases.models import Case, CaseEvent, Notification
from apps.people.models import Person

pytestmark = pytest.mark.django_db
KEY = "k-77a0"


@pytest.fixture
def open311(settings):
    settings.OPEN311_API_KEYS = [KEY]
    return APIClient()


def spec_error(response, fmt):
    """(code, description) from an error document, checking its shape."""
    if fmt == "json":
        [error] = response.json()
        assert set(error) == {"code", "description"}
        return error["code"], error["description"]
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and [child.tag for child in root] == ["error"]
    return int(root.findtext("error/code")), root.findtext("error/description")


def good(cast):
    lon, lat = cast.point()
    return {"api_key": KEY, "service_code": "E0101", "lat": lat, "long": lon, "description": "垃圾"}


BAD_POSTS = [
    ("no api_key", lambda b: b.pop("api_key"), 403),
    ("wrong api_key", lambda b: b.update(api_key="guess"), 403),
    ("no service_code", lambda b: b.pop("service_code"), 400),
    ("unknown service_code", lambda b: b.update(service_code="NOPE"), 400),
    ("address only, no lat/long", lambda b: (b.pop("lat"), b.pop("long"), b.update(address_string="经三路")), 400),
    ("no long", lambda b: b.pop("long"), 400),
    ("lat not a number", lambda b: b.update(lat="北纬34"), 400),
    ("outside the district", lambda b: b.update(lat=30.0, long=100.0), 400),
    ("description too long", lambda b: b.update(description="长" * 2001), 400),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("spoil,status", [b[1:] for b in BAD_POSTS], ids=[b[0] for b in BAD_POSTS])
def test_a_refused_post_answers_in_the_spec_format_and_writes_nothing(cast, open311, fmt, spoil, status):
    body = good(cast)
    spoil(body)
    before = [m.objects.count() for m in (Case, CaseEvent, Notification, Person)]
    response = open311.post(f"/open311/v2/requests.{fmt}", body)
    assert response.status_code == status, response.content
    code, description = spec_error(response, fmt)
    assert code == status and description
    assert [m.objects.count() for m in (Case, CaseEvent, Notification, Person)] == before


def test_with_no_keys_configured_nobody_may_post(cast, open311, settings):
    settings.OPEN311_API_KEYS = []
    response = open311.post("/open311/v2/requests.json", good(cast))
    assert response.status_code == 403 and not Case.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "path", ["services/NOPE", "requests/20990101000001", "tokens/not-a-uuid", "tokens/0b6f3a1e-1111-4d2c-9d7a-1a2b3c4d5e6f"]
)
def test_unknown_things_are_404_in_the_spec_format(cast, open311, path, fmt):
    response = open311.get(f"/open311/v2/{path}.{fmt}")
    assert response.status_code == 404
    assert spec_error(response, fmt)[0] == 404


@pytest.mark.parametrize(
    "query",
    ["status=pending", "start_date=yesterday", "end_date=2026-13-40",
     "start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-06-01T00:00:00%2B08:00",
     "start_date=2026-03-01&end_date=2026-02-01"],
)
def test_bad_request_filters_are_400_in_the_spec_format(cast, open311, query):
    response = open311.get(f"/open311/v2/requests.xml?{query}")
    assert response.status_code == 400
    assert spec_error(response, "xml")[0] == 400


def test_a_key_reports_as_one_system_person_however_many_requests(cast, open311):
    assert open311.post("/open311/v2/requests.json", good(cast)).status_code == 201
    assert open311.post("/open311/v2/requests.json", good(cast)).status_code == 201
    assert Case.objects.values("reporter").distinct().count() == 1 == Person.objects.filter(
        code__startswith="OPEN311-").count()


def test_reading_needs_no_login_and_a_session_cannot_post_without_a_key(cast, open311, api_as):
    assert APIClient().get("/open311/v2/services.json").status_code == 200
    body = good(cast)
    body.pop("api_key")
    assert api_as(cast.admin).post("/open311/v2/requests.json", body).status_code == 403
