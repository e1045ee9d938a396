"""Open311 GeoReport v2: services, round trips from POST to a closed request, in JSON and XML."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.cases.models import Case, Category
from apps.cases.workflow import transition
from apps.people.models import Role

pytestmark = pytest.mark.django_db
KEY = "k-3c1f0e9a"


@pytest.fixture
def open311(settings):
    settings.OPEN311_API_KEYS = ["another-key", KEY]
    return APIClient()


def post_request(client, cast, fmt="json", **fields):
    lon, lat = cast.point()
    body = {"api_key": KEY, "service_code": "E0101", "lat": lat, "long": lon, "description": "路口有暴露垃圾",
            "first_name": "明", "last_name": "李", "email": "li@example.cn", "phone": "13912345678",
            "address_string": "经三路与纬二路交叉口"}
    body.update(fields)
    return client.post(f"/open311/v2/requests.{fmt}", {k: v for k, v in body.items() if v is not None})


def xml_items(response):
    root = ET.fromstring(response.content)
    return root, [{child.tag: (child.text or "") for child in item} for item in root]


def test_discovery_names_the_endpoint_and_formats(open311):
    body = open311.get("/open311/v2/discovery.json").json()
    assert body["endpoints"][0]["url"].endswith("/open311/v2")
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    root = ET.fromstring(open311.get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_the_active_categories_in_json_and_xml(cast, open311):
    Category.objects.filter(code="E0102").update(active=False)
    services = open311.get("/open311/v2/services.json").json()
    codes = [s["service_code"] for s in services]
    assert "E0101" in codes and "E0102" not in codes
    assert len(codes) == Category.objects.filter(active=True).count()
    e0101 = next(s for s in services if s["service_code"] == "E0101")
    assert e0101 == {"service_code": "E0101", "service_name": "暴露垃圾", "description": "市容环境 / 暴露垃圾",
                     "metadata": False, "type": "realtime", "keywords": e0101["keywords"], "group": "市容环境"}
    response = open311.get("/open311/v2/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    root, items = xml_items(response)
    assert root.tag == "services" and {i["service_code"] for i in items} == set(codes)
    assert next(i for i in items if i["service_code"] == "E0101")["metadata"] == "false"


def test_a_service_definition_has_no_attributes(cast, open311):
    assert open311.get("/open311/v2/services/E0101.json").json() == {"service_code": "E0101", "attributes": []}
    root = ET.fromstring(open311.get("/open311/v2/services/E0101.xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "E0101"


def test_a_json_round_trip_from_post_to_closed(cast, open311, api_as, walk):
    created = post_request(open311, cast)
    assert created.status_code == 201, created.content
    [answer] = created.json()
    number, token = answer["service_request_id"], answer["token"]
    case = Case.objects.get(number=number)
    # It entered the same workflow: located, from open311, by the key's system person, waiting for dispatch.
    assert (case.source, case.grid, case.status) == ("open311", cast.grid, "reported")
    assert case.reporter.role == Role.INSPECTOR and case.reporter.user is None
    assert "13912345678" in case.reporter_contact and case.address == "经三路与纬二路交叉口"
    assert number in {r["number"] for r in api_as(cast.dispatcher).get("/api/cases/?queue=mine").json()["results"]}

    assert open311.get(f"/open311/v2/tokens/{token}.json").json() == [{"service_request_id": number, "token": token}]
    [request] = open311.get(f"/open311/v2/requests/{number}.json").json()
    assert (request["status"], request["service_code"], request["agency_responsible"]) == ("open", "E0101", "")
    assert request["requested_datetime"].endswith("+08:00")
    # The place is public only to about 50 m (tests/cases/test_open311_privacy.py holds the rounding).
    assert abs(request["lat"] - cast.point()[1]) <= 0.00025 and abs(request["long"] - cast.point()[0]) <= 0.00025
    # Nothing personal in public: no name, phone or e-mail of the caller.
    assert "13912345678" not in open311.get(f"/open311/v2/requests/{number}.json").content.decode()

    walk("handling", case=case)
    [handling] = open311.get(f"/open311/v2/requests/{number}.json").json()
    assert handling["status"] == "open" and handling["agency_responsible"] == cast.department.name
    expected = dt.datetime.fromisoformat(handling["expected_datetime"])
    assert abs(expected - Case.objects.get(pk=case.pk).handle_deadline) < dt.timedelta(seconds=1)
    transition(case, "report_handled", by=cast.handler, result="已清理")
    transition(case, "verify_pass", by=cast.colleague, note="现场已清理干净")
    [closed] = open311.get(f"/open311/v2/requests/{number}.json").json()
    assert closed["status"] == "closed" and closed["status_notes"] == "现场已清理干净"
    assert closed["updated_datetime"] >= handling["updated_datetime"]


def test_an_xml_round_trip(cast, open311, walk):
    created = post_request(open311, cast, fmt="xml", description=None, media_url="https://example.cn/p/1.jpg")
    assert created.status_code == 201 and created["Content-Type"].startswith("text/xml")
    root, [answer] = xml_items(created)
    assert root.tag == "service_requests"
    number, token = answer["service_request_id"], answer["token"]
    # No description: the service name stands in; the photo link is kept.
    assert Case.objects.get(number=number).description.startswith("暴露垃圾")
    assert "https://example.cn/p/1.jpg" in Case.objects.get(number=number).description
    _root, [by_token] = xml_items(open311.get(f"/open311/v2/tokens/{token}.xml"))
    assert by_token["service_request_id"] == number
    _root, [request] = xml_items(open311.get(f"/open311/v2/requests/{number}.xml"))
    assert request["status"] == "open"
    walk("rejected", case=Case.objects.get(number=number))
    _root, [request] = xml_items(open311.get(f"/open311/v2/requests/{number}.xml"))
    assert (request["status"], request["status_notes"]) == ("closed", "不属实")


def test_requests_are_filtered_by_id_code_status_and_dates(cast, open311, walk):
    open_case = cast.report()
    closed = walk("closed")
    other = cast.report(category=Category.objects.get(code="E0102"))
    old = cast.report(at=timezone.now() - dt.timedelta(days=100))

    def ids(query=""):
        response = open311.get(f"/open311/v2/requests.json{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids() == {open_case.number, closed.number, other.number}  # the last 90 days
    assert ids("?status=closed") == {closed.number}
    assert ids("?status=open") == {open_case.number, other.number}
    assert ids("?service_code=E0102") == {other.number}
    assert ids("?service_code=E0101,E0102&status=open,closed") == {open_case.number, closed.number, other.number}
    assert ids(f"?service_request_id={old.number},{other.number}") == {old.number, other.number}
    start = (timezone.localtime() - dt.timedelta(days=120)).date().isoformat()
    end = (timezone.localtime() - dt.timedelta(days=50)).date().isoformat()
    assert ids(f"?start_date={start}&end_date={end}") == {old.number}
    assert ids(f"?end_date={end}") == {old.number}


def test_requests_list_at_most_1000(cast, open311, monkeypatch):
    from apps.cases import open311 as module

    monkeypatch.setattr(module, "MAX_REQUESTS", 2)
    for _ in range(3):
        cast.report()
    assert len(open311.get("/open311/v2/requests.json").json()) == 2


def test_the_path_decides_the_format_whatever_the_accept_header(cast, open311):
    response = open311.get("/open311/v2/services.xml", HTTP_ACCEPT="text/xml")
    assert response.status_code == 200 and ET.fromstring(response.content).tag == "services"
    response = open311.get("/open311/v2/services.json", HTTP_ACCEPT="application/xml")
    assert response.status_code == 200 and response.json()[0]["service_code"]
    lon, lat = cast.point()
    created = open311.post(f"/open311/v2/requests.xml?api_key={KEY}",
                           {"service_code": "E0101", "lat": lat, "long": lon}, HTTP_ACCEPT="text/xml")
    assert created.status_code == 201, created.content


def test_an_unencoded_plus_in_the_offset_is_understood(cast, open311):
    case = cast.report()
    day = timezone.localtime().date()
    start = f"{day - dt.timedelta(days=1)}T00:00:00+08:00"  # "+" unencoded: the server reads a space
    response = open311.get(f"/open311/v2/requests.json?start_date={start}")
    assert response.status_code == 200, response.content
    assert [r["service_request_id"] for r in response.json()] == [case.number]
