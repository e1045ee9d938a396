"""POST /api/stars/applications/<id>/actions/<action>/: every step, and the refusals as HTTP codes."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.stars.models import Assessment, AssessmentEvent, Objection, Score
from pages_cast import fast_passwords, star_cast  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def act(person, assessment, action, **data):
    client = APIClient()
    client.force_authenticate(person.user)
    return client.post(f"/api/stars/applications/{assessment.pk}/actions/{action}/", data, format="json")


def events(assessment):
    return list(AssessmentEvent.objects.filter(assessment=assessment).values_list("action", flat=True))


def test_the_whole_path_through_the_api(star_cast):
    c = star_cast
    assessment = c.application(1, "applied", days_ago=10)
    assert act(c.reviewer, assessment, "review_pass").json()["status"] == "scoring"
    body = act(c.member, assessment, "score", points={"A1": 28, "A2": "22.5", "A3": 18, "A4": 20}).json()
    assert body["scored_total"] == 88.5 and body["scored_all"]
    body = act(c.member, assessment, "publish").json()
    assert body["status"] == "notice" and body["score"] == 88.5
    assert act(c.secretary, assessment, "object", note="材料与实际不符").status_code == 200
    objection = Objection.objects.get(assessment=assessment)
    body = act(c.member, assessment, "resolve", objection=objection.pk, upheld=False, note="经核实不成立").json()
    assert body["objections"][0]["outcome"] == "dismissed"
    # The notice closes: set its end in the past, as the seed does for a finished period.
    Assessment.objects.filter(pk=assessment.pk).update(notice_ends_at=timezone.now() - dt.timedelta(hours=1))
    assert act(c.member, assessment, "award").json()["status"] == "awarded"
    body = act(c.admin, assessment, "revoke", note="复核发现问题").json()
    assert body["status"] == "revoked" and body["revoked_at"]
    assert events(assessment) == ["apply", "review_pass", "score", "publish", "object", "resolve", "award", "revoke"]


def test_a_score_outside_an_indicators_range_is_400_naming_it_and_writes_nothing(star_cast):
    c = star_cast
    assessment = c.application(1, "scoring")
    response = act(c.member, assessment, "score", points={"A1": 20, "A2": 26})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "points" and "组织生活规范（三会一课）" in body["detail"] and "25" in body["detail"]
    assert not Score.objects.filter(assessment=assessment).exists()
    assert events(assessment) == ["apply", "review_pass"]


@pytest.mark.parametrize(
    "points",
    [{"A1": -1}, {"A1": "abc"}, {"A1": "NaN"}, {"A1": "Infinity"}, {"A1": 1.25}, {"A1": True}, {"Z9": 5}, {}, "x",
     {"A1": "1e400"}],
    ids=["negative", "text", "nan", "infinity", "two-decimals", "bool", "unknown-code", "empty", "not-object", "huge"],
)
def test_bad_points_are_400(star_cast, points):
    c = star_cast
    assessment = c.application(1, "scoring")
    response = act(c.member, assessment, "score", points=points)
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == "points"
    assert not Score.objects.filter(assessment=assessment).exists()


def test_a_member_scoring_another_task_forces_star_is_403(star_cast):
    c = star_cast
    assessment = c.application(1, "scoring")
    response = act(c.other_member, assessment, "score", points={"A1": 20})
    assert response.status_code == 403
    assert response.json()["code"] == "not_yours"
    assert not Score.objects.filter(assessment=assessment).exists()
    # Reading it is still outside their scope.
    client = APIClient()
    client.force_authenticate(c.other_member.user)
    assert client.get(f"/api/stars/applications/{assessment.pk}/").status_code == 404


def test_an_award_before_the_notice_closes_is_409(star_cast):
    c = star_cast
    assessment = c.application(1, "notice", days_ago=1)  # notice runs 5 days
    response = act(c.member, assessment, "award")
    assert response.status_code == 409 and response.json()["code"] == "not_allowed"
    assert Assessment.objects.get(pk=assessment.pk).status == "notice"


def test_an_objection_after_the_notice_closed_is_409(star_cast):
    c = star_cast
    assessment = c.application(1, "notice", days_ago=30)
    response = act(c.reviewer, assessment, "object", note="迟到的异议")
    assert response.status_code == 409
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    ("status", "action", "who", "code"),
    [
        ("applied", "review_pass", "secretary", 403),
        ("applied", "review_pass", "member", 403),
        ("applied", "review_pass", "district_leader", 403),
        ("applied", "review_pass", "other_reviewer", 404),  # outside their sub-district: not visible
        ("applied", "withdraw", "reviewer", 403),
        ("applied", "withdraw", "other_secretary", 404),
        ("applied", "score", "member", 409),  # not reviewed yet
        ("applied", "review_refuse", "reviewer", 400),  # no reason given
        ("scoring", "publish", "member", 409),  # not every indicator scored
        ("scoring", "publish", "reviewer", 403),
        ("scoring", "award", "member", 409),
        ("notice", "revoke", "admin", 409),  # not awarded yet
        ("notice", "resolve", "member", 400),  # no objection named
        ("awarded", "revoke", "reviewer", 403),
        ("awarded", "revoke", "other_member", 403),
        ("awarded", "revoke", "member", 400),  # no reason given
        ("awarded", "award", "member", 409),
        ("awarded", "review_pass", "worker", 404),
        ("applied", "fly", "reviewer", 400),
    ],
)
def test_refusals_map_to_http(star_cast, status, action, who, code):
    c = star_cast
    assessment = c.application(1, status)
    before = events(assessment)
    response = act(getattr(c, who), assessment, action)
    assert response.status_code == code, response.json()
    assert events(assessment) == before


@pytest.mark.parametrize(
    ("status", "action", "who", "data", "to"),
    [
        ("applied", "review_pass", "reviewer", {}, "scoring"),
        ("applied", "review_pass", "admin", {}, "scoring"),
        ("applied", "review_refuse", "reviewer", {"note": "材料不全"}, "refused"),
        ("applied", "withdraw", "secretary", {}, "withdrawn"),
        ("scoring", "refuse", "member", {"note": "未达标"}, "refused"),
        ("notice", "refuse", "member", {"note": "异议成立"}, "refused"),
        ("notice", "object", "other_secretary", {"note": "有异议"}, "notice"),
        ("awarded", "revoke", "member", {"note": "摘星"}, "revoked"),
        ("awarded", "revoke", "admin", {"note": "摘星"}, "revoked"),
    ],
)
def test_allowed_actions(star_cast, status, action, who, data, to):
    c = star_cast
    assessment = c.application(1, status, days_ago=2 if status == "notice" else 30)
    response = act(getattr(c, who), assessment, action, **data)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == to
    assert events(assessment)[-1] == action


def test_an_upheld_objection_stops_the_award(star_cast):
    c = star_cast
    assessment = c.application(1, "notice", days_ago=2)
    act(c.reviewer, assessment, "object", note="群众反映未落实")
    objection = Objection.objects.get()
    assert act(c.member, assessment, "resolve", objection=objection.pk, upheld="true", note="属实").status_code == 200
    Assessment.objects.filter(pk=assessment.pk).update(notice_ends_at=timezone.now() - dt.timedelta(minutes=1))
    response = act(c.member, assessment, "award")
    assert response.status_code == 409
    assert act(c.member, assessment, "refuse", note="异议成立").json()["status"] == "refused"
