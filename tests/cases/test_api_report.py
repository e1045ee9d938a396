"""POST /api/cases/: a grid worker reports from the phone; a retry never makes two cases."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from apps.cases.models import Attachment, Case, CaseEvent

pytestmark = pytest.mark.django_db


def png(name="photo.png", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def report_body(cast, grid=None, **fields):
    lon, lat = cast.point(grid)
    return {"category": "E0101", "lon": lon, "lat": lat, "description": "人行道上有暴露垃圾", **fields}


def test_a_grid_worker_reports_with_json_and_gets_the_case_with_its_timeline(cast, api_as):
    response = api_as(cast.worker).post("/api/cases/", report_body(cast, address="经八路 12 号"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert (case.grid, case.reporter, case.status, case.address) == (cast.grid, cast.worker, "reported", "经八路 12 号")
    assert body["grid"]["code"] == cast.grid.code and body["category"]["code"] == "E0101"
    assert [e["action"] for e in body["events"]] == ["report"]
    assert body["events"][0]["actor"]["name"] == cast.worker.name
    # The patrol side has nothing to do on a fresh report; the dispatcher gets the suggestion.
    assert body["allowed_actions"] == []
    assert body["suggestion"]["department"]["name"] == "区城市管理局" and body["suggestion"]["reason"]


def test_photos_are_attached_to_the_report_and_served_only_through_the_api(cast, api_as, media_root):
    worker = api_as(cast.worker)
    body = report_body(cast, photos=[png("a.png"), png("b.png")], client_id=str(uuid.uuid4()))
    response = worker.post("/api/cases/", body, format="multipart")
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    photos = response.json()["events"][0]["photos"]
    assert len(photos) == 2 == Attachment.objects.filter(case=case, event__action="report").count()
    assert all(p["url"].startswith(f"/api/cases/{case.number}/photos/") for p in photos)
    assert len([f for f in media_root.rglob("*") if f.is_file()]) == 2
    served = worker.get(photos[0]["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (40, 30)


def test_a_zone_cadre_reports_in_their_zone_and_the_case_keeps_the_zone(cast, api_as):
    zone = cast.cadre.zones.get()
    p = zone.geom.point_on_surface
    body = {"category": "E0101", "lon": p.x, "lat": p.y, "description": "楼院内堆放杂物"}
    response = api_as(cast.cadre).post("/api/cases/", body, format="json")
    assert response.status_code == 201, response.content
    assert Case.objects.get(number=response.json()["number"]).zone == zone


def test_a_phone_with_a_token_must_name_its_report_and_a_retry_returns_the_same_case(cast):
    phone = APIClient()
    token = phone.post("/api/auth/token/", {"username": "worker", "password": "pw-worker"}, format="json")
    assert token.status_code == 200, token.content
    phone.credentials(HTTP_AUTHORIZATION="Token " + token.json()["token"])

    unnamed = phone.post("/api/cases/", report_body(cast), format="json")
    assert unnamed.status_code == 400 and unnamed.json()["field"] == "client_id"
    assert not Case.objects.exists()

    body = report_body(cast, client_id=str(uuid.uuid4()))
    first = phone.post("/api/cases/", body, format="json")
    again = phone.post("/api/cases/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


def test_a_client_id_of_someone_elses_report_is_refused_and_reveals_nothing(cast, api_as):
    body = report_body(cast, client_id=str(uuid.uuid4()))
    assert api_as(cast.worker).post("/api/cases/", body, format="json").status_code == 201
    response = api_as(cast.colleague).post("/api/cases/", body, format="json")
    assert response.status_code == 409 and response.json()["field"] == "client_id"
    assert "number" not in response.json()
    assert Case.objects.count() == 1


@pytest.mark.parametrize("who", ["handler", "dispatcher", "leader"])
def test_only_the_patrol_side_reports(cast, api_as, who):
    response = api_as(getattr(cast, who)).post("/api/cases/", report_body(cast), format="json")
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_anonymous_reports_are_refused(cast):
    assert APIClient().post("/api/cases/", report_body(cast), format="json").status_code in (401, 403)
    assert not Case.objects.exists()
