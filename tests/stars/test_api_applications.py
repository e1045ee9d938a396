"""POST/GET /api/stars/applications/: apply with evidence, one application per star and period, queues by role."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from apps.stars.models import Assessment, AssessmentEvent, Evidence
from pages_cast import fast_passwords, star_cast  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
URL = "/api/stars/applications/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def api(person):
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def photo(name="会议.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf(name="记录.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_the_secretary_applies_with_evidence_files_and_a_note(star_cast, media):
    response = api(star_cast.secretary).post(
        URL,
        {"star": 1, "statement": "三会一课按月开展", "self_score": "88", "evidence": [photo(), pdf()],
         "evidence_note": "台账在支部办公室"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["star_name"], body["self_score"]) == ("applied", "支部过硬星", 88)
    assert body["branch"]["code"] == star_cast.branch.community.code
    assert [e["name"] for e in body["evidence"] if e["url"]] == ["会议.jpg", "记录.pdf"]
    assert [e["image"] for e in body["evidence"] if e["url"]] == [True, False]
    assert [e["note"] for e in body["evidence"] if not e["url"]] == ["台账在支部办公室"]
    assert [t["action"] for t in body["timeline"]] == ["apply"]
    assert {i["code"] for i in body["indicators"]} == {"A1", "A2", "A3", "A4"}
    # The file is served to those who may see the application, not to others.
    url = body["evidence"][0]["url"]
    served = api(star_cast.reviewer).get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content)[:3] == b"\xff\xd8\xff"
    assert api(star_cast.other_reviewer).get(url).status_code == 404
    assert api(star_cast.worker).get(url).status_code == 404


def test_a_second_application_for_the_same_star_and_period_is_409_in_chinese_and_writes_nothing(star_cast, media):
    client = api(star_cast.secretary)
    assert client.post(URL, {"star": 1, "statement": "第一次"}, format="multipart").status_code == 201
    before = (Assessment.objects.count(), AssessmentEvent.objects.count(), Evidence.objects.count())
    files_before = stored_files(media)
    response = client.post(URL, {"star": 1, "statement": "第二次", "evidence": [photo("again.jpg")]},
                           format="multipart")
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"]) == ("not_allowed", "star")
    assert "马渡村党支部" in body["detail"] and "支部过硬星" in body["detail"]
    assert "已" in body["detail"]  # Chinese, not the English msgid
    assert (Assessment.objects.count(), AssessmentEvent.objects.count(), Evidence.objects.count()) == before
    assert stored_files(media) == files_before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"statement": "缺少星"}, "star"),
        ({"star": 6, "statement": "x"}, "star"),
        ({"star": "一", "statement": "x"}, "star"),
        ({"star": 1}, "statement"),
        ({"star": 1, "statement": "   "}, "statement"),
        ({"star": 1, "statement": "x", "self_score": 101}, "self_score"),
        ({"star": 1, "statement": "x", "period": "1999"}, "period"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(star_cast, media, data, field):
    response = api(star_cast.secretary).post(URL, data, format="multipart")
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        SimpleUploadedFile("假的.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
        SimpleUploadedFile("空.jpg", b"", content_type="image/jpeg"),
    ],
    ids=["exe", "renamed", "empty"],
)
def test_evidence_that_is_not_an_accepted_file_is_refused_by_name(star_cast, media, upload):
    response = api(star_cast.secretary).post(URL, {"star": 1, "statement": "x", "evidence": [upload]},
                                             format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "evidence" and upload.name in body["detail"]
    assert not Assessment.objects.exists() and stored_files(media) == []


def test_only_a_secretary_or_an_administrator_applies(star_cast):
    data = {"star": 1, "statement": "x"}
    assert api(star_cast.reviewer).post(URL, data).status_code == 403
    assert api(star_cast.member).post(URL, data).status_code == 403
    assert api(star_cast.worker).post(URL, data).status_code == 404
    # A secretary applies for their own branch only.
    response = api(star_cast.secretary).post(URL, {**data, "branch": star_cast.other_branch.community.code})
    assert response.status_code == 403 and response.json()["field"] == "branch"
    # An administrator names the branch.
    assert api(star_cast.admin).post(URL, data).json()["field"] == "branch"
    response = api(star_cast.admin).post(URL, {**data, "branch": star_cast.other_branch.community.code})
    assert response.status_code == 201
    assert not Assessment.objects.filter(branch=star_cast.branch).exists()


def test_an_anonymous_client_is_refused(star_cast):
    assert APIClient().get(URL).status_code in (401, 403)


def ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_queues_are_scoped_to_the_person(star_cast):
    c = star_cast
    ours_applied = c.application(1, "applied")
    ours_scoring = c.application(4, "scoring")
    theirs_scoring = c.application(1, "scoring", branch=c.other_branch)
    theirs_notice = c.application(4, "notice", branch=c.other_branch)
    assert ids(api(c.secretary).get(URL, {"queue": "mine"})) == {ours_applied.pk, ours_scoring.pk}
    assert ids(api(c.other_secretary).get(URL, {"queue": "mine"})) == {theirs_scoring.pk, theirs_notice.pk}
    assert ids(api(c.reviewer).get(URL, {"queue": "review"})) == {ours_applied.pk}
    assert ids(api(c.other_reviewer).get(URL, {"queue": "review"})) == set()
    # A task-force member's scoring queue is their own star and kind only.
    assert ids(api(c.member).get(URL, {"queue": "scoring"})) == {theirs_scoring.pk}
    assert ids(api(c.other_member).get(URL, {"queue": "scoring"})) == {ours_scoring.pk}
    # What is on public notice everyone with a stars role reads.
    for person in (c.secretary, c.reviewer, c.member, c.district_leader):
        assert ids(api(person).get(URL, {"queue": "notice"})) == {theirs_notice.pk}
    assert ids(api(c.district_leader).get(URL)) == {ours_applied.pk, ours_scoring.pk, theirs_scoring.pk,
                                                   theirs_notice.pk}
    assert ids(api(c.secretary).get(URL, {"queue": "all"})) == {ours_applied.pk, ours_scoring.pk, theirs_notice.pk}
    assert api(c.worker).get(URL).status_code == 404
    assert api(c.dispatcher).get(URL, {"queue": "notice"}).status_code == 404
    assert api(c.secretary).get(URL, {"queue": "everything"}).json()["field"] == "queue"


def test_the_actions_offered_in_a_list_follow_the_person(star_cast):
    c = star_cast
    c.application(1, "scoring")
    row = api(c.member).get(URL, {"queue": "scoring"}).json()["results"][0]
    assert row["actions"] == ["score", "publish", "refuse"]
    other = api(c.district_leader).get(URL, {"queue": "scoring"}).json()["results"][0]
    assert other["actions"] == []


def test_the_list_costs_the_same_queries_for_many_rows(star_cast, django_assert_max_num_queries):
    c = star_cast
    for star in (1, 2, 3, 4, 5):
        c.application(star, "applied")
        c.application(star, "applied", branch=c.other_branch)
    client = api(c.district_leader)
    with django_assert_max_num_queries(10):
        assert len(ids(client.get(URL))) == 10


def test_detail_shows_scores_measured_values_beside_and_the_timeline(star_cast):
    c = star_cast
    assessment = c.application(1, "notice")
    body = api(c.reviewer).get(f"{URL}{assessment.pk}/").json()
    assert body["status"] == "notice" and body["score"] == 88.0 and body["scored_all"]
    a4 = next(i for i in body["indicators"] if i["code"] == "A4")
    assert a4["measure"] == "branch_strength" and a4["points"] == 20.0
    assert a4["measured"]["measurable"] and a4["measured"]["points"] == 25.0  # not flagged weak
    assert [t["action"] for t in body["timeline"]] == ["apply", "review_pass", "score", "publish"]
    assert body["notice_ends_at"] is not None
    # Outside one's scope it is a 404, revealing nothing.
    own = c.application(2, "applied")
    assert api(c.other_secretary).get(f"{URL}{own.pk}/").status_code == 404
    assert api(c.member).get(f"{URL}{own.pk}/").status_code == 404
    assert api(c.worker).get(f"{URL}{assessment.pk}/").status_code == 404
    assert api(c.other_secretary).get(f"{URL}{assessment.pk}/").status_code == 200  # on public notice


def test_periods_and_criteria(star_cast):
    client = api(star_cast.secretary)
    periods = client.get("/api/stars/periods/").json()
    assert [p["code"] for p in periods] == [star_cast.period.code] and periods[0]["current"]
    criteria = client.get("/api/stars/criteria/", {"kind": "village"}).json()
    assert [c["name"] for c in criteria] == ["支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星"]
    assert all(sum(i["max_points"] for i in c["indicators"]) == 100 for c in criteria)
    assert client.get("/api/stars/criteria/", {"kind": "city"}).json()["field"] == "kind"
    assert client.get("/api/stars/criteria/", {"period": "nope"}).json()["field"] == "period"
    assert api(star_cast.worker).get("/api/stars/periods/").status_code == 404
