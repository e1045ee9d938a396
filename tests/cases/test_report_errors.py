"""A bad report gets a clear 4xx naming the field, and writes nothing: no rows, no files."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.cases.models import Attachment, Case, CaseEvent, Notification

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MB = 1024 * 1024


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def counts():
    return [m.objects.count() for m in (Case, CaseEvent, Attachment, Notification)]


def files_in(root):
    return [f for f in root.rglob("*") if f.is_file()] if root.exists() else []


def body(cast, grid=None, **fields):
    lon, lat = cast.point(grid)
    base = {"category": "E0101", "lon": lon, "lat": lat, "description": "井盖缺失", "photos": [png()]}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


# (case id, how to build the body, the expected status, the field named)
BAD_REPORTS = [
    ("outside the district", lambda c: body(c, lon=100.0, lat=30.0), 400, "location"),
    ("outside the reporter's grids", lambda c: body(c, grid=c.other_grid), 400, "location"),
    ("unknown category", lambda c: body(c, category="X9999"), 400, "category"),
    ("no category", lambda c: body(c, category=""), 400, "category"),
    ("empty description", lambda c: body(c, description="   "), 400, "description"),
    ("description over 2000 characters", lambda c: body(c, description="垃" * 2001), 400, "description"),
    ("longitude not a number", lambda c: body(c, lon="东经113"), 400, "lon"),
    ("latitude missing", lambda c: body(c, lat=""), 400, "lat"),
    ("client id not a UUID", lambda c: body(c, client_id="abc"), 400, "client_id"),
    ("photo not an image", lambda c: body(c, photos=[SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo")]),
     400, "photos"),
    ("photo over 5 MB", lambda c: body(c, photos=[SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * MB))]),
     400, "photos"),
    ("seven photos", lambda c: body(c, photos=[png(f"{i}.png") for i in range(7)]), 400, "photos"),
    ("a good photo beside a bad one", lambda c: body(c, photos=[png(), SimpleUploadedFile("y.png", b"GIF89a")]),
     400, "photos"),
]


@pytest.mark.parametrize("build,status,field", [b[1:] for b in BAD_REPORTS], ids=[b[0] for b in BAD_REPORTS])
def test_a_bad_report_is_refused_with_the_field_and_nothing_is_written(cast, api_as, media_root, build, status,
                                                                        field):
    before = counts()
    response = api_as(cast.worker).post("/api/cases/", build(cast), format="multipart")
    assert response.status_code == status, response.content
    error = response.json()
    assert error["field"] == field and error["detail"]
    assert counts() == before
    assert files_in(media_root) == []


@pytest.mark.parametrize("message_of", ["unknown category", "outside the district", "photo not an image"])
def test_the_message_is_in_chinese_first(cast, api_as, media_root, message_of):
    build = next(b[1] for b in BAD_REPORTS if b[0] == message_of)
    response = api_as(cast.worker).post("/api/cases/", build(cast), format="multipart")
    assert CHINESE.search(response.json()["detail"]), response.json()


def test_a_five_megabyte_description_in_json_is_413_before_it_is_parsed(cast, api_as, media_root):
    before = counts()
    data = body(cast, description="垃" * (5 * MB // 3 + 1), photos=None)
    response = api_as(cast.worker).post("/api/cases/", data, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and CHINESE.search(response.json()["detail"])
    assert counts() == before


def test_a_five_megabyte_description_in_a_form_is_413_and_leaves_no_file(cast, api_as, media_root):
    before = counts()
    response = api_as(cast.worker).post("/api/cases/", body(cast, description="x" * (5 * MB)), format="multipart")
    assert response.status_code == 413
    assert counts() == before and files_in(media_root) == []


def test_a_json_body_that_is_not_json_is_400(cast, api_as):
    response = api_as(cast.worker).post("/api/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Case.objects.exists()
