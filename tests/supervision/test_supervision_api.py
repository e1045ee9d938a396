"""The API: who sees which findings, actions through HTTP, clear 400s that write nothing, the schema."""

import datetime as dt

import pytest
from django.test import Client
from sv_cast import png

from apps.stars.models import Branch
from apps.supervision.models import Finding, Rectification, ResearchRound, Visit


def client_for(person):
    client = Client()
    client.force_login(person.user)
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()}


@pytest.mark.django_db
def test_findings_are_seen_by_their_group_branch_and_area_only(cast):
    mine = cast.finding()
    other = cast.finding(branch=cast.v2)
    url = "/api/supervision/findings/"
    assert ids(client_for(cast.inspector_a).get(url)) == {mine.pk, other.pk}
    assert ids(client_for(cast.secretary).get(url)) == {mine.pk}
    assert ids(client_for(cast.leader).get(url)) == {mine.pk, other.pk}
    assert ids(client_for(cast.district_leader).get(url)) == {mine.pk, other.pk}
    assert ids(client_for(cast.admin).get(url)) == {mine.pk, other.pk}
    for outsider in (cast.inspector_b, cast.other_secretary, cast.other_leader, cast.worker):
        assert ids(client_for(outsider).get(url)) == set()
        assert client_for(outsider).get(f"{url}{mine.pk}/").status_code == 404
    assert client_for(cast.secretary).get(f"{url}{other.pk}/").status_code == 404
    detail = client_for(cast.secretary).get(f"{url}{mine.pk}/").json()
    assert detail["actions"] == ["start", "submit"] and detail["responsible_party"] == "村党支部"
    assert Client().get(url).status_code in (401, 403)


@pytest.mark.django_db
def test_finding_posted_without_deadline_or_responsible_party_is_a_clear_400(cast):
    body = {"group": cast.group_a.pk, "branch": cast.v1.community.code, "description": "未公开", "step": "results_public",
            "responsible_party": "村委会", "deadline_days": 5}
    client = client_for(cast.inspector_a)
    for field in ("deadline_days", "responsible_party"):
        response = client.post("/api/supervision/findings/", {**body, field: ""}, content_type="application/json")
        assert response.status_code == 400 and response.json()["field"] == field
        assert response.json()["detail"]
    response = client.post("/api/supervision/findings/", {**body, "branch": "410105999999"},
                           content_type="application/json")
    assert response.status_code == 400 and "410105999999" in response.json()["detail"]
    assert not Finding.objects.exists()
    response = client_for(cast.inspector_b).post("/api/supervision/findings/", body, content_type="application/json")
    assert response.status_code == 403
    response = client.post("/api/supervision/findings/", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["due_on"] == "2026-11-23"


@pytest.mark.django_db
def test_rectify_and_sign_off_through_the_api(cast):
    finding = cast.finding()
    url = f"/api/supervision/findings/{finding.pk}/actions/"
    response = client_for(cast.secretary).post(url + "submit/", {"text": "已补开会议", "photos": [png()]})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    photo = response.json()["photos"][0]["url"]
    assert client_for(cast.secretary).get(photo).status_code == 200
    assert client_for(cast.other_secretary).get(photo).status_code == 404
    response = client_for(cast.inspector_b).post(url + "sign_off/", {})
    assert response.status_code == 404  # another group's finding is not even visible
    response = client_for(cast.leader).post(url + "sign_off/", {})
    assert response.status_code == 403 and response.json()["code"] == "not_your_action"
    response = client_for(cast.inspector_a).post(url + "sign_off/", {})
    assert response.status_code == 200 and response.json()["status"] == "signed_off"
    response = client_for(cast.secretary).post(url + "submit/", {"text": "again", "photos": [png()]})
    assert response.status_code == 409
    assert Rectification.objects.filter(finding=finding).count() == 1


@pytest.mark.django_db
def test_inspection_endpoint_computes_the_review_rule(cast):
    body = {"group": cast.group_a.pk, "branch": cast.v1.community.code, "matter": "道路硬化", "proposed": True,
            "discussed": True, "reviewed": True, "party_members": 30, "attending": 20, "approving": 10,
            "resolved": True, "resolution_public": True, "results_public": True, "in_order": True, "supervised": True,
            "responsible_party": "村党支部", "deadline_days": 5}
    response = client_for(cast.inspector_a).post("/api/supervision/inspections/", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["problems"] == ["majority"]
    body["approving"] = 11
    response = client_for(cast.inspector_a).post("/api/supervision/inspections/", body, content_type="application/json")
    assert response.json()["problems"] == []


@pytest.mark.django_db
def test_visit_outside_area_is_a_400_and_coverage_shows_visited_and_not(cast):
    research_round = ResearchRound.objects.create(name="Q4", starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31))
    body = {"round": research_round.pk, "branch": cast.v3.community.code, "visited_on": "2026-11-16", "checked": "台账"}
    response = client_for(cast.leader).post("/api/supervision/visits/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "branch"
    assert not Visit.objects.exists()
    body["branch"] = cast.v1.community.code
    assert client_for(cast.leader).post("/api/supervision/visits/", body, content_type="application/json").status_code == 201
    coverage = client_for(cast.leader).get(f"/api/supervision/rounds/{research_round.pk}/coverage/").json()
    in_area = Branch.objects.filter(community__subdistrict=cast.v1.community.subdistrict).count()
    assert coverage["branches"] == in_area and coverage["visited"] == 1
    assert {r["code"] for r in coverage["rows"] if r["visited"]} == {cast.v1.community.code}
    whole = client_for(cast.admin).get(f"/api/supervision/rounds/{research_round.pk}/coverage/").json()
    assert whole["branches"] == 214 and whole["visited"] == 1


@pytest.mark.django_db
def test_plan_through_the_api_clears_the_weak_flag(cast):
    body = {"branch": cast.v1.community.code, "problems": "班子不团结", "measures": "调整班子", "leader": cast.leader.code,
            "milestones": [{"title": "调整班子", "due_on": "2026-11-30"}]}
    assert client_for(cast.other_leader).post("/api/supervision/plans/", body,
                                              content_type="application/json").status_code == 403
    response = client_for(cast.admin).post("/api/supervision/plans/", {**body, "milestones": []},
                                           content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "milestones"
    response = client_for(cast.admin).post("/api/supervision/plans/", body, content_type="application/json")
    assert response.status_code == 201
    plan = response.json()
    assert Branch.objects.get(pk=cast.v1.pk).weak
    base = f"/api/supervision/plans/{plan['id']}/"
    milestone = plan["milestones"][0]["id"]
    assert client_for(cast.leader).post(f"{base}actions/submit/", {}, content_type="application/json").status_code == 400
    assert client_for(cast.leader).post(f"{base}milestones/{milestone}/done/", {"done_on": "2026-11-16"},
                                        content_type="application/json").status_code == 200
    assert client_for(cast.leader).post(f"{base}actions/submit/", {}, content_type="application/json").status_code == 200
    assert client_for(cast.other_leader).post(f"{base}actions/sign_off/", {},
                                              content_type="application/json").status_code == 404
    assert client_for(cast.admin).post(f"{base}actions/sign_off/", {}, content_type="application/json").status_code == 200
    assert not Branch.objects.get(pk=cast.v1.pk).weak


@pytest.mark.django_db
def test_supervision_endpoints_are_in_the_openapi_schema(cast):
    schema = client_for(cast.admin).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in ("/api/supervision/findings/", "/api/supervision/findings/{id}/actions/{action}/",
                 "/api/supervision/inspections/", "/api/supervision/plans/", "/api/supervision/visits/",
                 "/api/supervision/rounds/{id}/coverage/", "/api/supervision/campaigns/"):
        assert path in paths, path
