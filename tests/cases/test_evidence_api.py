"""The evidence through the API: photo facts and problems, the case's flags, bad EXIF in the receipt, send_back."""

import datetime as dt

import pytest
from evidence_photos import photo

from apps.cases.models import Attachment, Case, CaseEvent

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE_LAT = 110_900


def handled_far(cast, api_as, walk, seed=41):
    """A case reported handled with a photo taken 300 m away: flagged "far"."""
    case = walk("handling")
    Case.objects.filter(pk=case.pk).update(dispatched_at=case.dispatched_at - dt.timedelta(hours=1))
    case.refresh_from_db()
    upload = photo("far.jpg", seed, taken=case.dispatched_at + dt.timedelta(minutes=30), offset="+08:00",
                   lon=case.point.x, lat=case.point.y + 300 / METRES_PER_DEGREE_LAT)
    response = api_as(cast.handler).post(f"/api/cases/{case.number}/actions/report_handled/",
                                         {"result": "已清理", "photos": [upload]}, format="multipart")
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    return case, response.json()


def test_the_case_in_full_shows_its_flags_and_each_photos_facts(cast, api_as, walk, media_root):
    case, body = handled_far(cast, api_as, walk)
    assert body["evidence_flags"] == ["far"]
    (shown,) = next(e for e in body["events"] if e["action"] == "report_handled")["photos"]
    assert shown["exif"] == "ok" and shown["problems"] == ["far"] and shown["problems_display"]
    assert shown["distance_m"] == pytest.approx(300, abs=1)
    assert shown["taken_at"].startswith(case.dispatched_at.astimezone(dt.UTC).strftime("%Y-%m-"))
    assert shown["taken_lon"] == pytest.approx(case.point.x, abs=1e-6)
    detail = api_as(cast.colleague).get(f"/api/cases/{case.number}/").json()
    assert detail["evidence_flags"] == ["far"]


def test_a_report_with_impossible_exif_is_made_and_its_receipt_says_why(cast, api_as, media_root):
    lon, lat = cast.point()
    bad = photo("bad.jpg", 42, raw_time="2099:01:01 00:00:00", lon=lon, lat=lat)
    response = api_as(cast.worker).post("/api/cases/", {"category": "E0101", "lon": lon, "lat": lat,
                                                        "description": "井盖缺失", "photos": [bad]},
                                        format="multipart")
    assert response.status_code == 201, response.content
    (shown,) = response.json()["photos"]
    assert shown["exif"] == "invalid" and shown["exif_note"] == "拍摄时间 2099:01:01 00:00:00 晚于当前时间"
    assert shown["problems"] == []
    assert Attachment.objects.get().exif == "invalid"


def test_a_duplicate_links_the_other_case_only_for_who_may_see_it(cast, api_as, walk, media_root):
    other = cast.report(by=cast.other_worker, grid=cast.other_grid, photos=[photo("o.jpg", 43)])
    case = walk("handling")
    copy = photo("c.jpg", 43, quality=55, taken=case.dispatched_at + dt.timedelta(minutes=1), offset="+08:00",
                 lon=case.point.x, lat=case.point.y)
    api_as(cast.handler).post(f"/api/cases/{case.number}/actions/report_handled/", {"photos": [copy]},
                              format="multipart")

    def shown(person):
        body = api_as(person).get(f"/api/cases/{case.number}/").json()
        return next(e for e in body["events"] if e["action"] == "report_handled")["photos"][0]

    assert shown(cast.centre)["similar_case"] == other.number  # the command centre sees every sub-district
    hidden = shown(cast.dispatcher)  # this sub-district's dispatcher: the other case is not theirs
    assert hidden["similar_case"] is None and hidden["problems"] == ["duplicate"]


def test_the_dispatcher_sends_a_flagged_case_back_as_rework(cast, api_as, walk, media_root):
    case, body = handled_far(cast, api_as, walk)
    assert "send_back" in api_as(cast.dispatcher).get(f"/api/cases/{case.number}/").json()["allowed_actions"]
    response = api_as(cast.dispatcher).post(f"/api/cases/{case.number}/actions/send_back/",
                                            {"note": "照片不在现场，请重新处置"}, format="json")
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert (case.status, case.rework_count, case.handled_at, case.verify_deadline) == ("handling", 1, None, None)
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.actor, event.data["flags"]) == ("send_back", cast.dispatcher, ["far"])
    assert case.parts.get(lead=True).reported_at is None


@pytest.mark.parametrize("who", ["handler", "colleague"])
def test_the_handler_and_the_grid_worker_may_not_send_back(cast, api_as, walk, media_root, who):
    case, _body = handled_far(cast, api_as, walk)
    response = api_as(getattr(cast, who)).post(f"/api/cases/{case.number}/actions/send_back/",
                                               {"note": "退回"}, format="json")
    assert response.status_code == 403, response.content
    assert Case.objects.get(pk=case.pk).status == "handled"


def test_send_back_needs_a_reason_and_a_flag(cast, api_as, walk, media_root):
    case, _body = handled_far(cast, api_as, walk)
    dispatcher = api_as(cast.dispatcher)
    no_note = dispatcher.post(f"/api/cases/{case.number}/actions/send_back/", {}, format="json")
    assert no_note.status_code == 400
    clean = walk("handled")
    assert "send_back" not in dispatcher.get(f"/api/cases/{clean.number}/").json()["allowed_actions"]
    unflagged = dispatcher.post(f"/api/cases/{clean.number}/actions/send_back/", {"note": "退回"}, format="json")
    assert unflagged.status_code == 409
    assert Case.objects.get(pk=clean.pk).status == "handled"


def test_a_closed_case_is_not_reopened_by_send_back(cast, api_as, walk, media_root):
    case = walk("closed")
    Case.objects.filter(pk=case.pk).update(evidence_flags=["far"])
    response = api_as(cast.dispatcher).post(f"/api/cases/{case.number}/actions/send_back/", {"note": "退回"},
                                            format="json")
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_the_handler_is_told_of_a_send_back(cast, api_as, walk, media_root):
    from apps.cases.models import Notification

    case, _body = handled_far(cast, api_as, walk)
    api_as(cast.dispatcher).post(f"/api/cases/{case.number}/actions/send_back/", {"note": "退回"}, format="json")
    assert Notification.objects.filter(case=case, kind="send_back", recipient=cast.handler).exists()


def test_an_image_declaring_too_many_pixels_is_refused_before_anything_is_written(cast, api_as, media_root,
                                                                                   monkeypatch):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (120, 100)).save(buffer, "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5000)  # 12,000 pixels: over twice the limit, a "bomb"
    lon, lat = cast.point()
    response = api_as(cast.worker).post(
        "/api/cases/", {"category": "E0101", "lon": lon, "lat": lat, "description": "井盖缺失",
                        "photos": [SimpleUploadedFile("huge.png", buffer.getvalue(), "image/png")]},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["field"] == "photos"
    assert "huge.png" in response.json()["detail"]
    assert not Case.objects.exists() and not Attachment.objects.exists()
