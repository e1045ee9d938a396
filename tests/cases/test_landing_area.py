"""Each person lands on their own work: pages open on their area, the desk on the first queue with work,
and deadlines read in working days and hours (issue 11)."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.gis.db.models import Extent
from django.test import Client
from django.utils import timezone

from apps.areas.models import District, SubDistrict
from apps.cases.calendar import (
    DEFAULT_PERIODS, Calendar, WorkingClock, split_working_hours, working_day_hours, working_hours_between,
)
from apps.cases.models import Case
from apps.cases.timeleft import time_left
from apps.compounds.models import Zone
from apps.people.access import area_bounds

TZ = ZoneInfo("Asia/Shanghai")
PLAIN = Calendar(periods=DEFAULT_PERIODS)

pytestmark = pytest.mark.django_db


def box(queryset):
    west, south, east, north = queryset.aggregate(box=Extent("geom"))["box"]
    return [[south, west], [north, east]]


def client_for(person):
    client = Client()
    client.force_login(person.user)
    return client


def page_json(response, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    assert match, element_id
    return json.loads(match.group(1))


def close(a, b):
    return all(abs(x - y) < 1e-9 for pa, pb in zip(a, b) for x, y in zip(pa, pb))


# --- the area each person opens on ------------------------------------------------------------


def test_each_role_gets_the_box_of_its_own_area(cast):
    district = box(District.objects.all())
    own_grid = box(cast.worker.grids.all())
    assert close(area_bounds(cast.worker), own_grid)
    assert close(area_bounds(cast.cadre), box(Zone.objects.filter(assignments__cadre=cast.cadre)))
    subdistrict = box(SubDistrict.objects.filter(pk=cast.dispatcher.subdistrict_id))
    assert close(area_bounds(cast.dispatcher), subdistrict)
    assert close(area_bounds(cast.subdistrict_leader), subdistrict)
    for whole in (cast.centre, cast.leader, cast.admin, cast.handler):
        assert close(area_bounds(whole), district)
    # The worker of another grid opens elsewhere.
    assert not close(area_bounds(cast.other_worker), own_grid)
    (s, w), (n, e) = own_grid
    (ds, dw), (dn, de) = district
    assert ds <= s < n <= dn and dw <= w < e <= de and (n - s) < (dn - ds) / 5


def test_the_map_opens_on_the_grid_workers_grids_and_the_centres_district(cast):
    worker = page_json(client_for(cast.worker).get("/map/"), "map-config")
    assert close(worker["area"], box(cast.worker.grids.all()))
    centre = page_json(client_for(cast.centre).get("/map/"), "map-config")
    assert close(centre["area"], box(District.objects.all()))
    strings = page_json(client_for(cast.worker).get("/map/"), "map-strings")
    assert strings["myArea"] == "我的区域"


def test_the_dispatch_desk_opens_on_the_dispatchers_subdistrict(cast):
    config = page_json(client_for(cast.dispatcher).get("/dispatch/"), "desk-config")
    assert close(config["area"], box(SubDistrict.objects.filter(pk=cast.dispatcher.subdistrict_id)))
    centre = page_json(client_for(cast.centre).get("/dispatch/"), "desk-config")
    assert close(centre["area"], box(District.objects.all()))


# --- the desk opens on work -------------------------------------------------------------------


def selected_tab(response):
    tabs = re.findall(r'data-tab="(\w+)"[^>]*aria-selected="(true|false)"', response.content.decode())
    chosen = [key for key, on in tabs if on == "true"]
    assert len(chosen) == 1, tabs
    return chosen[0]


def test_the_desk_opens_on_the_first_queue_that_holds_work(cast, walk):
    walk("handling")  # at a department: 新上报 and 已登记 are empty
    assert selected_tab(client_for(cast.dispatcher).get("/dispatch/")) == "departments"
    # The dispatcher of another sub-district has nothing: the first tab.
    assert selected_tab(client_for(cast.other_dispatcher).get("/dispatch/")) == "new"
    cast.report()
    assert selected_tab(client_for(cast.dispatcher).get("/dispatch/")) == "new"


def test_the_handling_desk_opens_on_cases_to_accept(cast, walk):
    walk("dispatched")
    assert selected_tab(client_for(cast.handler).get("/handle/")) == "todo"
    assert selected_tab(client_for(cast.other_handler).get("/handle/")) == "todo"


# --- durations in working days and hours ------------------------------------------------------


@pytest.mark.parametrize("hours, spoken", [
    (0.2, (0, 0)), (3, (0, 3)), (7.4, (0, 7)), (7.5, (1, 0)), (10.5, (1, 3)), (18, (2, 3)),
    (22.5, (3, 0)), (90, (12, 0)), (2120, (283, 0)),
])
def test_working_hours_are_spoken_as_days_and_hours(hours, spoken):
    assert working_day_hours(PLAIN) == 7.5
    assert split_working_hours(PLAIN, hours) == spoken


def test_the_working_clock_agrees_with_working_hours_between_across_holidays_and_workdays():
    calendar = Calendar(periods=DEFAULT_PERIODS, holidays=frozenset({dt.date(2026, 10, 1), dt.date(2026, 10, 2)}),
                        workdays=frozenset({dt.date(2026, 10, 10)}))
    clock = WorkingClock(calendar)
    start = dt.datetime(2026, 9, 28, 7, 45, tzinfo=TZ)
    moments = [start + dt.timedelta(minutes=97 * k) for k in range(0, 400, 7)]
    # Asked in no particular order, as a list's rows come.
    for a, b in zip(moments[::-1], moments[3:] + moments[:3]):
        assert clock.hours_between(a, b) == pytest.approx(working_hours_between(calendar, a, b), abs=1e-9)


def test_time_left_counts_the_working_calendar_not_the_clock():
    # Friday 17:00, deadline Monday 10:30: 1 h on Friday, 2 h on Monday; the weekend does not count.
    now = dt.datetime(2026, 11, 27, 17, 0, tzinfo=TZ)
    deadline = dt.datetime(2026, 11, 30, 10, 30, tzinfo=TZ)
    assert time_left(PLAIN, now, "handling", deadline, None) == {
        "overdue": False, "days": 0, "hours": 3, "working_hours": 3.0,
    }
    # Sixteen working days late (a weekday deadline, three weeks plus a day before).
    late = time_left(PLAIN, dt.datetime(2026, 12, 21, 10, 30, tzinfo=TZ), "handling", deadline, None)
    assert late["overdue"] and late["days"] == 15 and late["working_hours"] == -112.5
    # No deadline runs on a closed or new case; verification runs on a handled one.
    assert time_left(PLAIN, now, "closed", deadline, deadline) is None
    assert time_left(PLAIN, now, "reported", None, None) is None
    assert time_left(PLAIN, now, "handled", None, deadline)["hours"] == 3


def test_the_list_and_the_case_send_time_left_in_working_time(cast, walk, api_as):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ), tick=False):
        case = walk("handling")
        deadline = dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ)  # Monday 10:00
        Case.objects.filter(pk=case.pk).update(handle_deadline=deadline)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=False):  # Friday, 14 working days on
        rows = api_as(cast.dispatcher).get("/api/cases/?status=handling").json()["results"]
        detail = api_as(cast.dispatcher).get(f"/api/cases/{case.number}/").json()
    row = next(r for r in rows if r["number"] == case.number)
    assert row["time_left"] == {"overdue": True, "days": 14, "hours": 0, "working_hours": -105.0}
    assert detail["time_left"] == row["time_left"]
    assert timezone.localtime(case.reported_at).date() == dt.date(2026, 11, 2)


def test_the_dashboard_opens_on_the_leaders_area_with_a_my_area_button(cast):
    response = client_for(cast.subdistrict_leader).get("/dashboard/")
    config = page_json(response, "dashboard-config")
    assert close(config["bounds"], box(SubDistrict.objects.filter(pk=cast.subdistrict_leader.subdistrict_id)))
    assert page_json(response, "dashboard-strings")["myArea"] == "我的区域"
    district = page_json(client_for(cast.leader).get("/dashboard/"), "dashboard-config")
    assert close(district["bounds"], box(District.objects.all()))
    # A grid worker reads no dashboard.
    assert client_for(cast.worker).get("/dashboard/").status_code == 403
