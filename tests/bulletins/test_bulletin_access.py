"""Who reads, who makes, who sees the rows behind a number: each with the person who must not."""

import pytest

from apps.bulletins.making import make_bulletin
from apps.bulletins.models import Bulletin, DutyItem, PublicityCounter
from apps.people.models import Department
from bl_cast import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly(cast, fixture):
    return make_bulletin("monthly", "2026-11", announce=False)[0]


@pytest.mark.parametrize("who, status", [
    ("admin", 200), ("district_leader", 200), ("leader_a", 200), ("dispatcher_a", 200), ("worker", 404),
    ("handler", 404),
])
def test_bulletin_reader_and_downloads(client, cast, monthly, who, status):
    login(client, getattr(cast, who))
    for name in ("bulletin", "bulletin-xlsx"):
        from django.urls import reverse

        assert client.get(reverse(name, args=["monthly", "2026-11"])).status_code == status
    assert client.get("/bulletins/").status_code == status
    assert client.get("/api/bulletins/").status_code == status


def test_reader_links_each_number_to_its_list(client, cast, monthly):
    login(client, cast.district_leader)
    page = client.get("/bulletins/monthly/2026-11/").content.decode()
    link = f"/bulletins/monthly/2026-11/{cast.area_a.code}/findings-open/"
    assert link in page
    listing = client.get(link)
    assert listing.status_code == 200 and len(listing.context["findings"]) == 2
    assert f"subdistrict={cast.area_a.code}" in page and "period=2026-11" in page


def test_rows_behind_a_number_stay_in_ones_sub_district(client, cast, monthly):
    own = f"/bulletins/monthly/2026-11/{cast.area_a.code}/findings-overdue/"
    other = f"/bulletins/monthly/2026-11/{cast.area_b.code}/findings-overdue/"
    login(client, cast.leader_a)
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    login(client, cast.district_leader)
    assert client.get(other).status_code == 200


@pytest.mark.parametrize("who, status", [("admin", 201), ("district_leader", 201), ("leader_a", 403),
                                         ("dispatcher_a", 403), ("worker", 404)])
def test_making_on_demand(client, cast, fixture, who, status):
    login(client, getattr(cast, who))
    response = client.post("/api/bulletins/", {"kind": "monthly", "period": "2026-11"}, content_type="application/json")
    assert response.status_code == status
    assert Bulletin.objects.exists() == (status == 201)


def test_making_a_malformed_period_writes_nothing(client, cast):
    login(client, cast.admin)
    response = client.post("/api/bulletins/", {"kind": "monthly", "period": "2026-13"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "period"
    page = client.post("/bulletins/", {"kind": "monthly", "period": "2026-12"})
    assert page.status_code == 400 and "尚未结束" in page.context["error"]  # the UI is Chinese first
    assert not Bulletin.objects.exists()


def test_duty_lists_and_publicity_by_area(client, cast):
    office_a = Department.objects.get(subdistrict=cast.area_a)
    office_b = Department.objects.get(subdistrict=cast.area_b)
    DutyItem.objects.create(department=office_a, task="A 的任务", owner="甲", due_on="2026-11-20")
    DutyItem.objects.create(department=office_b, task="B 的任务", owner="乙", due_on="2026-12-20")
    DutyItem.objects.create(department=cast.handler.department, task="部门任务", owner="丙", due_on="2026-12-20")
    PublicityCounter.objects.create(subdistrict=cast.area_a, year=2026, manuals=10)
    PublicityCounter.objects.create(subdistrict=cast.area_b, year=2026, manuals=20)
    login(client, cast.leader_a)
    assert [d["task"] for d in client.get("/api/bulletins/duties/").json()] == ["A 的任务"]
    assert [p["manuals"] for p in client.get("/api/bulletins/publicity/").json()] == [10]
    page = client.get("/bulletins/duties/")
    assert page.context["overdue"] == 1
    login(client, cast.handler)
    assert [d["task"] for d in client.get("/api/bulletins/duties/").json()] == ["部门任务"]
    assert client.get("/api/bulletins/publicity/").status_code == 404
    login(client, cast.worker)
    assert client.get("/bulletins/duties/").status_code == 404
    login(client, cast.district_leader)
    assert len(client.get("/api/bulletins/duties/").json()) == 3
    assert client.get("/bulletins/publicity/").status_code == 200


def test_schema_lists_the_bulletins_api(client, cast):
    login(client, cast.admin)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/bulletins/", "/api/bulletins/incentives/", "/api/bulletins/observation-scores/",
                 "/api/bulletins/duties/", "/api/bulletins/publicity/"):
        assert path in schema
