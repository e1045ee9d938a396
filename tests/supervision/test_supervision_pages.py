"""The /supervision/ pages by role, with those who must not see beside those who must."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from sv_cast import png

from apps.supervision.models import Finding, Inspection, ResearchRound, Visit


def client_for(person):
    client = Client()
    client.force_login(person.user)
    return client


@pytest.mark.django_db
def test_work_page_by_role(cast):
    finding = cast.finding()
    page = client_for(cast.inspector_a).get("/supervision/").content.decode()
    assert 'id="checklist-form"' in page and cast.v1.name in page and cast.v3.name not in page
    page = client_for(cast.secretary).get("/supervision/").content.decode()
    assert 'id="sv-branch"' in page and f"#{finding.pk}" in page and 'id="checklist-form"' not in page
    page = client_for(cast.other_secretary).get("/supervision/").content.decode()
    assert f"#{finding.pk}<" not in page
    page = client_for(cast.leader).get("/supervision/").content.decode()
    assert 'id="sv-overview"' in page and 'data-count="open">1<' in page
    page = client_for(cast.other_leader).get("/supervision/").content.decode()
    assert 'data-count="open">0<' in page
    assert client_for(cast.worker).get("/supervision/").status_code == 404
    assert client_for(cast.other_secretary).get(f"/supervision/findings/{finding.pk}/").status_code == 404
    assert client_for(cast.inspector_b).get(f"/supervision/findings/{finding.pk}/").status_code == 404
    assert "nav-supervision" in client_for(cast.leader).get("/supervision/").content.decode()


@pytest.mark.django_db
def test_checklist_form_records_findings_and_a_bad_form_writes_nothing(cast):
    form = {"branch_choice": f"{cast.group_a.pk}:{cast.v1.community.code}", "matter": "集体资产出租",
            "proposed": "1", "discussed": "1", "reviewed": "1", "party_members": "30", "attending": "15",
            "approving": "12", "resolved": "1", "resolution_public": "1", "results_public": "1", "in_order": "1",
            "supervised": "1", "responsible_party": "", "deadline_days": "5"}
    response = client_for(cast.inspector_a).post("/supervision/inspections/", form)
    assert response.status_code == 400
    assert "responsible" in response.content.decode().lower() or "责任" in response.content.decode()
    assert not Inspection.objects.exists()
    form["responsible_party"] = "村党支部"
    form["branch_choice"] = f"{cast.group_a.pk}:{cast.v3.community.code}"
    assert client_for(cast.inspector_a).post("/supervision/inspections/", form).status_code == 400
    form["branch_choice"] = f"{cast.group_a.pk}:{cast.v1.community.code}"
    response = client_for(cast.inspector_a).post("/supervision/inspections/", form)
    assert response.status_code == 302
    assert list(Finding.objects.values_list("step", flat=True)) == ["quorum"]


@pytest.mark.django_db
def test_finding_page_rectify_then_sign_off(cast):
    finding = cast.finding()
    url = f"/supervision/findings/{finding.pk}/"
    page = client_for(cast.secretary).get(url).content.decode()
    assert 'id="rectify-form"' in page
    assert 'id="rectify-form"' not in client_for(cast.inspector_a).get(url).content.decode()
    response = client_for(cast.secretary).post(url, {"action": "submit", "text": "", "photos": [png()]})
    assert response.status_code == 400
    response = client_for(cast.secretary).post(url, {"action": "submit", "text": "已整改", "photos": [png()]})
    assert response.status_code == 302
    assert client_for(cast.leader).post(url, {"action": "sign_off"}).status_code == 403
    assert client_for(cast.inspector_a).post(url, {"action": "sign_off"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "signed_off"


@pytest.mark.django_db
def test_visits_page_map_and_table(cast):
    research_round = ResearchRound.objects.create(name="Q4", starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31))
    response = client_for(cast.leader).post("/supervision/visits/", {
        "round": research_round.pk, "branch": cast.v1.community.code, "visited_on": "2026-11-16",
        "checked": "三务公开栏", "issues_count": "1"})
    assert response.status_code == 302
    bad = client_for(cast.leader).post("/supervision/visits/", {
        "round": research_round.pk, "branch": cast.v3.community.code, "visited_on": "2026-11-16", "checked": "x"})
    assert bad.status_code == 400 and cast.v3.name in bad.content.decode()
    assert Visit.objects.count() == 1
    page = client_for(cast.leader).get("/supervision/visits/").content.decode()
    assert f'data-code="{cast.v1.community.code}" class="row-visited"' in page
    assert f'data-code="{cast.v2.community.code}" class="row-missed"' in page
    assert cast.v3.community.code not in page.split('id="visit-table"')[1].split("</table>")[0]
    assert client_for(cast.secretary).get("/supervision/visits/").status_code == 404


@pytest.mark.django_db
def test_admin_lists_every_supervision_model(cast):
    cast.finding()
    admin = Client()
    admin.force_login(User.objects.create_superuser("sv-super", password="x"))
    for model in ("inspectioncampaign", "inspectiongroup", "inspection", "finding", "weakbranchplan", "researchround",
                  "visit"):
        assert admin.get(f"/admin/supervision/{model}/").status_code == 200, model
    finding = Finding.objects.get()
    assert admin.get(f"/admin/supervision/finding/{finding.pk}/change/").status_code == 200
    assert client_for(cast.leader).get("/admin/supervision/finding/").status_code == 302  # not staff: to the login


@pytest.mark.django_db
def test_finding_list_queries_do_not_grow_with_rows(cast, django_assert_max_num_queries):
    cast.finding()
    client = client_for(cast.leader)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/supervision/findings/").status_code == 200
    for _i in range(5):
        cast.finding(branch=cast.v2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/supervision/findings/").json()) == 6


@pytest.mark.django_db
def test_plan_form_on_the_overview(cast):
    from apps.stars.models import Branch
    from apps.supervision.models import WeakBranchPlan

    page = client_for(cast.leader).get("/supervision/").content.decode()
    assert 'id="plan-form"' in page and cast.v1.community.code in page.split('id="plan-form"')[1].split("</form>")[0]
    assert cast.v3.community.code not in page.split('id="plan-form"')[1].split("</form>")[0]
    assert 'id="plan-form"' not in client_for(cast.secretary).get("/supervision/").content.decode()
    form = {"branch": cast.v1.community.code, "leader": cast.leader.code, "problems": "班子软弱", "measures": "调整班子",
            "milestone_title": ["调整班子", ""], "milestone_due": ["2026-11-30", ""]}
    bad = client_for(cast.leader).post("/supervision/plans/", {**form, "milestone_due": ["", ""]})
    assert bad.status_code == 400 and not WeakBranchPlan.objects.exists()
    assert client_for(cast.other_leader).post("/supervision/plans/", form).status_code == 403
    response = client_for(cast.leader).post("/supervision/plans/", form)
    plan = WeakBranchPlan.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/supervision/plans/{plan.pk}/")
    assert Branch.objects.get(pk=cast.v1.pk).weak and plan.milestones.count() == 1
