"""GET /api/evaluation/: who reads which figures, the parameters, and the rules sent along."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.cases.workflow import transition

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
URL = "/api/evaluation/"


def handled_case(cast, *, grid, reporter, dispatcher, day):
    """A case of September 2026 dispatched to the cast's department and handled on time."""
    start = dt.datetime(2026, 9, day, 9, tzinfo=TZ)
    case = cast.report(by=reporter, grid=grid, at=start)
    transition(case, "register", by=dispatcher, at=start + dt.timedelta(minutes=5))
    transition(case, "dispatch", by=dispatcher, department=cast.department, deadline=start + dt.timedelta(days=2),
               at=start + dt.timedelta(minutes=10))
    transition(case, "accept", by=cast.handler, at=start + dt.timedelta(minutes=20))
    transition(case, "report_handled", by=cast.handler, at=start + dt.timedelta(hours=5))
    return case


@pytest.fixture
def two_areas(cast):
    handled_case(cast, grid=cast.grid, reporter=cast.worker, dispatcher=cast.dispatcher, day=7)
    handled_case(cast, grid=cast.other_grid, reporter=cast.other_worker, dispatcher=cast.other_dispatcher, day=8)
    return cast


def get(person, **params):
    client = APIClient()
    if person is not None:
        client.force_authenticate(person.user)
    return client.get(URL, params)


def department_row(body, cast):
    return next(r for r in body["rows"] if r["code"] == cast.department.code)


def test_the_route_is_named():
    assert reverse("api-evaluation") == URL


@pytest.mark.parametrize("who", ["admin", "centre", "leader"])
def test_the_whole_district_for_administrators_the_centre_and_district_leaders(two_areas, who):
    response = get(getattr(two_areas, who), period="2026-09", by="department")
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "district" and body["period"] == {"label": "2026-09", "from": "2026-09-01", "to": "2026-09-30"}
    row = department_row(body, two_areas)
    assert (row["dispatched"], row["handled"], row["due"], row["closed"]) == (2, 2, 2, 0)
    assert row["closure_rate"] == 0.0 and row["mean_handling_hours"] == round(4 + 50 / 60, 2)


@pytest.mark.parametrize("who", ["dispatcher", "subdistrict_leader"])
def test_a_sub_districts_people_see_departments_over_their_area_only(two_areas, who):
    body = get(getattr(two_areas, who), period="2026-09").json()
    assert body["scope"] == "subdistrict"
    assert department_row(body, two_areas)["dispatched"] == 1
    areas = get(getattr(two_areas, who), period="2026-09", by="subdistrict").json()["rows"]
    assert [r["code"] for r in areas] == [two_areas.grid.community.subdistrict.code]
    grids = get(getattr(two_areas, who), period="2026-09", by="grid").json()["rows"]
    assert [r["code"] for r in grids] == [two_areas.grid.code]


def test_the_other_sub_districts_dispatcher_sees_only_theirs(two_areas):
    grids = get(two_areas.other_dispatcher, period="2026-09", by="grid").json()["rows"]
    assert [r["code"] for r in grids] == [two_areas.other_grid.code]


@pytest.mark.parametrize("who", ["worker", "cadre", "handler"])
def test_workers_cadres_and_handlers_are_refused(two_areas, who):
    assert get(getattr(two_areas, who), period="2026-09").status_code == 403


def test_anonymous_is_refused(two_areas):
    assert get(None, period="2026-09").status_code in (401, 403)


def test_a_sub_district_filter_narrows_and_one_outside_the_area_is_not_found(two_areas):
    other = two_areas.other_grid.community.subdistrict.code
    body = get(two_areas.centre, period="2026-09", by="grid", subdistrict=other).json()
    assert [r["code"] for r in body["rows"]] == [two_areas.other_grid.code]
    response = get(two_areas.dispatcher, period="2026-09", subdistrict=other)
    assert response.status_code == 404 and response.json()["field"] == "subdistrict"


def test_ranked_rows_carry_their_rank(two_areas):
    rows = get(two_areas.admin, period="2026-Q3", by="subdistrict", rank="handled").json()["rows"]
    assert len(rows) == 17
    assert [r["rank"] for r in rows[:2]] == [1, 1] and rows[2]["rank"] == 3 and rows[2]["handled"] == 0


def test_the_counting_rules_come_with_the_figures(two_areas):
    body = get(two_areas.admin, **{"from": "2026-09-01", "to": "2026-09-30", "by": "subdistrict"}).json()
    keys = {rule["key"] for rule in body["rules"]}
    assert {"due", "closure_rate", "on_time_rate", "rework_rate", "extension_rate", "pending"} <= keys
    assert body["mean_handling_time"] == "wall_clock_hours"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"period": "2026-13"}, "period"),
        ({"from": "2026-09-01"}, "to"),
        ({"from": "2026-09-31", "to": "2026-10-01"}, "from"),
        ({"period": "2026", "by": "community"}, "by"),
        ({"period": "2026", "rank": "name"}, "rank"),
    ],
)
def test_bad_parameters_get_400_naming_the_field(two_areas, params, field):
    response = get(two_areas.admin, **params)
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["detail"]
