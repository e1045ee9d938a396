"""GET /api/cases/ and /api/cases/<number>/: queues and filters, constant queries, the case in full."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.cases.intake import report_case
from apps.cases.models import Case, Category
from apps.cases.workflow import transition

pytestmark = pytest.mark.django_db


def numbers(response):
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def test_the_list_is_paged_and_costs_the_same_queries_for_two_or_twelve_cases(cast, api_as, django_assert_num_queries):
    centre = api_as(cast.centre)
    for _ in range(2):
        cast.report()
    with CaptureQueriesContext(connection) as two:
        assert len(centre.get("/api/cases/").json()["results"]) == 2
    for _ in range(10):
        cast.report()
    # person, count, page: the same three whatever the page holds.
    with django_assert_num_queries(len(two.captured_queries)):
        body = centre.get("/api/cases/?page_size=5").json()
    assert len(two.captured_queries) <= 5  # and the working calendar's two, for time_left
    assert body["count"] == 12 and len(body["results"]) == 5 and body["next"]


def test_queues_give_each_person_their_to_do_list(cast, api_as, walk):
    reported = walk("reported")
    dispatched = walk("dispatched")
    handled = walk("handled")
    closed = walk("closed")
    assert numbers(api_as(cast.dispatcher).get("/api/cases/?queue=mine")) == {reported.number}
    assert numbers(api_as(cast.handler).get("/api/cases/?queue=mine")) == {dispatched.number}
    assert numbers(api_as(cast.colleague).get("/api/cases/?queue=mine")) == {handled.number}
    assert numbers(api_as(cast.centre).get("/api/cases/?queue=to_verify")) == {handled.number}
    assert closed.number not in numbers(api_as(cast.centre).get("/api/cases/?queue=open"))
    assert numbers(api_as(cast.worker).get("/api/cases/?queue=reported")) >= {reported.number, closed.number}
    assert numbers(api_as(cast.colleague).get("/api/cases/?queue=reported")) == set()


def test_overdue_lists_cases_past_their_handling_deadline(cast, api_as, walk):
    late = walk("handling")
    Case.objects.filter(pk=late.pk).update(handle_deadline=timezone.now() - dt.timedelta(hours=1))
    walk("handling")
    assert numbers(api_as(cast.centre).get("/api/cases/?queue=overdue")) == {late.number}


def test_filters_by_status_category_grid_subdistrict_department_and_bbox(cast, api_as, walk):
    here = walk("dispatched")
    there = cast.report(by=cast.other_worker, grid=cast.other_grid, category=cast.category)
    centre = api_as(cast.centre)
    assert numbers(centre.get("/api/cases/?status=dispatched,closed")) == {here.number}
    assert numbers(centre.get("/api/cases/?category=E0101")) == {here.number, there.number}
    assert numbers(centre.get("/api/cases/?category=E0102")) == set()
    assert numbers(centre.get(f"/api/cases/?grid={cast.other_grid.code}")) == {there.number}
    assert numbers(centre.get(f"/api/cases/?subdistrict={cast.grid.community.subdistrict.code}")) == {here.number}
    assert numbers(centre.get(f"/api/cases/?department={cast.department.code}")) == {here.number}
    x, y = cast.point()
    assert numbers(centre.get(f"/api/cases/?bbox={x - 0.0001},{y - 0.0001},{x + 0.0001},{y + 0.0001}")) == {here.number}


@pytest.mark.parametrize(
    "query,field",
    [("status=lost", "status"), ("queue=later", "queue"), ("grid=12", "grid"), ("subdistrict=abc", "subdistrict"),
     ("bbox=1,2,3", "bbox"), ("ordering=number", "ordering")],
)
def test_a_bad_filter_is_400_naming_it(cast, api_as, query, field):
    response = api_as(cast.centre).get(f"/api/cases/?{query}")
    assert response.status_code == 400 and response.json()["field"] == field


def test_the_detail_has_the_timeline_parts_and_only_the_actions_of_the_person_asking(cast, api_as, walk):
    case = walk("handled")
    body = api_as(cast.colleague).get(f"/api/cases/{case.number}/").json()
    assert [e["action"] for e in body["events"]] == ["report", "register", "dispatch", "accept", "report_handled"]
    dispatch = body["events"][2]
    assert dispatch["actor"]["name"] == cast.dispatcher.name and dispatch["data"]["department"] == cast.department.code
    assert body["events"][4]["department"]["name"] == cast.department.name
    assert body["parts"] == [
        {"department": {"code": cast.department.code, "name": cast.department.name}, "lead": True,
         "reported_at": body["parts"][0]["reported_at"], "result": "已清理"}
    ]
    assert body["allowed_actions"] == ["verify_fail", "verify_pass"]
    # The handler sees the case, but verifying is the patrol side's (巡办分离).
    assert api_as(cast.handler).get(f"/api/cases/{case.number}/").json()["allowed_actions"] == []
    assert api_as(cast.dispatcher).get(f"/api/cases/{case.number}/").json()["allowed_actions"] == []


def test_only_dispatchers_see_the_callers_contact(cast, api_as):
    case = cast.report(contact="张先生 13800000000")
    assert api_as(cast.dispatcher).get(f"/api/cases/{case.number}/").json()["reporter_contact"] == "张先生 13800000000"
    assert api_as(cast.worker).get(f"/api/cases/{case.number}/").json()["reporter_contact"] == ""


def report_away(cast, metres, **fields):
    """A report `metres` from the cast's point, in the same sub-district (trying four directions)."""
    from apps.areas.locate import locate

    x, y = cast.point()
    dx, dy = metres / 91_300, metres / 111_195  # degrees per metre at 34.8°N
    for lon, lat in ((x + dx, y), (x - dx, y), (x, y + dy), (x, y - dy)):
        if locate(lon, lat).subdistrict == cast.grid.community.subdistrict:
            fields.setdefault("category", cast.category)
            fields.setdefault("description", "附近的垃圾")
            return report_case(by=cast.admin, lon=lon, lat=lat, **fields)[0]
    raise AssertionError("no point of the sub-district at that distance")


def test_possible_duplicates_are_open_cases_of_the_category_within_100_metres_and_7_days(cast, api_as):
    case = cast.report()
    near = cast.report(description="同一堆垃圾")
    near_60 = report_away(cast, 60)
    far = report_away(cast, 160)
    other_kind = cast.report(category=Category.objects.get(code="E0102"))
    old = cast.report(at=timezone.now() - dt.timedelta(days=8))
    closed = cast.report()
    transition(closed, "reject", by=cast.dispatcher, note="重复")

    found = api_as(cast.dispatcher).get(f"/api/cases/{case.number}/").json()["duplicates"]
    assert [d["number"] for d in found] == [near.number, near_60.number]
    assert found[0]["distance_m"] == 0 and 55 < found[1]["distance_m"] < 65
    assert not {far.number, other_kind.number, old.number, closed.number} & {d["number"] for d in found}
    # The grid worker sees only the duplicates in their own area.
    seen_by_worker = api_as(cast.worker).get(f"/api/cases/{case.number}/").json()["duplicates"]
    assert {d["number"] for d in seen_by_worker} <= {near.number, near_60.number}
    assert near.number in {d["number"] for d in seen_by_worker}


def test_the_inbox_lists_delivered_notifications_and_marks_them_read(cast, api_as):
    case = cast.report()
    waiting = cast.dispatcher.notifications.get(case=case)
    inbox = api_as(cast.dispatcher)
    assert inbox.get("/api/inbox/").json()["results"] == []  # not delivered yet
    type(waiting).objects.filter(pk=waiting.pk).update(delivered_at=timezone.now())
    rows = inbox.get("/api/inbox/?unread=1").json()["results"]
    assert [(r["id"], r["case"], r["read"]) for r in rows] == [(waiting.pk, case.number, False)]
    assert inbox.post(f"/api/inbox/{waiting.pk}/read/").json()["read"] is True
    assert inbox.get("/api/inbox/?unread=1").json()["results"] == []
    # Someone else's notification does not exist for you.
    assert api_as(cast.other_dispatcher).post(f"/api/inbox/{waiting.pk}/read/").status_code == 404


def test_categories_and_departments_are_listed(cast, api_as):
    categories = api_as(cast.worker).get("/api/categories/").json()
    e0101 = next(c for c in categories if c["code"] == "E0101")
    assert e0101["default_department"]["name"] == "区城市管理局" and e0101["handle_hours"] == 4
    departments = api_as(cast.worker).get("/api/departments/").json()
    assert {"code": cast.department.code, "name": cast.department.name} in [
        {"code": d["code"], "name": d["name"]} for d in departments
    ]
