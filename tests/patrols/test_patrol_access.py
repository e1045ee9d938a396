"""Who reads patrols and coverage: the API, the page and its XLSX; the person who must not, beside the one who must."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from apps.patrols.checkin import check_in

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=TZ)
COVERAGE = "/api/patrols/coverage/"
LIST = "/api/patrols/"
PAGE = "/patrols/coverage/"


@pytest.fixture
def patrolled(cast):
    lon, lat = cast.inside()
    check_in(by=cast.cadre, zone=cast.zone, lon=lon, lat=lat, at=dt.datetime(2026, 12, 1, 9, tzinfo=TZ))
    olon, olat = cast.inside(cast.other_zone)
    check_in(by=cast.other_cadre, zone=cast.other_zone, lon=olon, lat=olat, at=dt.datetime(2026, 12, 2, 9, tzinfo=TZ))
    return cast


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def codes(response):
    return sorted(p["zone"]["code"] for p in response.json()["results"])


def test_cadre_lists_their_own_check_ins(patrolled, api_as):
    response = api_as(patrolled.cadre).get(LIST)
    assert response.status_code == 200
    assert response.json()["week"] == "2026-W49"
    assert codes(response) == [patrolled.zone.code]
    assert codes(api_as(patrolled.other_cadre).get(LIST)) == [patrolled.other_zone.code]


def test_subdistrict_dispatcher_lists_only_their_subdistrict(patrolled, api_as):
    assert codes(api_as(patrolled.dispatcher).get(LIST)) == [patrolled.zone.code]
    assert codes(api_as(patrolled.subdistrict_leader).get(LIST)) == [patrolled.zone.code]
    assert codes(api_as(patrolled.other_dispatcher).get(LIST)) == [patrolled.other_zone.code]


def test_district_staff_list_everything(patrolled, api_as):
    expected = sorted([patrolled.zone.code, patrolled.other_zone.code])
    for person in (patrolled.centre, patrolled.leader, patrolled.admin):
        assert codes(api_as(person).get(LIST)) == expected


def test_list_takes_the_week_and_zone(patrolled, api_as):
    client = api_as(patrolled.admin)
    assert api_as(patrolled.admin).get(LIST, {"week": "2026-W48"}).json()["count"] == 0
    assert codes(client.get(LIST, {"zone": patrolled.zone.code})) == [patrolled.zone.code]
    assert client.get(LIST, {"week": "2026-W60"}).status_code == 400
    assert client.get(LIST, {"zone": "nope"}).status_code == 400


def test_list_rows_cost_constant_queries(patrolled, api_as, django_assert_max_num_queries):
    client = api_as(patrolled.admin)
    with django_assert_max_num_queries(4):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("who", ["worker", "handler"])
def test_others_may_not_list_patrols(patrolled, api_as, who):
    assert api_as(getattr(patrolled, who)).get(LIST).status_code == 403


def test_anonymous_may_not_list_patrols(patrolled, client):
    assert client.get(LIST).status_code in (401, 403)


def test_subdistrict_dispatcher_sees_only_their_coverage(patrolled, api_as):
    client = api_as(patrolled.dispatcher)
    body = client.get(COVERAGE).json()
    own = patrolled.zone.community.subdistrict.code
    assert [s["code"] for s in body["subdistricts"]] == [own]
    assert {z["subdistrict_code"] for z in body["zones"]} == {own}
    assert body["scope"] == {"whole": False, "code": own, "name": patrolled.zone.community.subdistrict.name}
    assert client.get(COVERAGE, {"subdistrict": own}).status_code == 200
    other = patrolled.other_zone.community.subdistrict.code
    response = client.get(COVERAGE, {"subdistrict": other})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_district_staff_see_every_subdistrict_and_may_narrow(patrolled, api_as):
    for person in (patrolled.centre, patrolled.leader, patrolled.admin):
        body = api_as(person).get(COVERAGE).json()
        assert len(body["subdistricts"]) == 17 and body["scope"]["whole"] is True
    other = patrolled.other_zone.community.subdistrict.code
    body = api_as(patrolled.leader).get(COVERAGE, {"subdistrict": other}).json()
    assert [s["code"] for s in body["subdistricts"]] == [other]
    assert api_as(patrolled.leader).get(COVERAGE, {"subdistrict": "410105999"}).status_code == 404


@pytest.mark.parametrize("who", ["cadre", "worker", "handler"])
def test_coverage_is_not_for_cadres_workers_or_handlers(patrolled, api_as, who):
    response = api_as(getattr(patrolled, who)).get(COVERAGE)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_anonymous_gets_no_coverage(patrolled, client):
    assert client.get(COVERAGE).status_code in (401, 403)


def log_in(client, person):
    client.force_login(person.user)
    return client


def test_page_shows_the_week_picker_for_a_leader(patrolled, client):
    response = log_in(client, patrolled.leader).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2026-W49">2026-W49（11-30 至 12-06），本周进行中' in html
    assert 'value="2026-W48"' in html and 'value="2026-W38"' in html  # eleven weeks back
    assert 'value="2026-W50"' not in html
    assert "patrols-coverage.js" in html
    assert "巡查覆盖" in html


# Monday 08:30 of 2026-W50 (the week has barely begun), and Thursday 10:00 of 2026-W49.
@pytest.mark.parametrize(("moment", "complete", "current"), [
    (dt.datetime(2026, 12, 7, 8, 30, tzinfo=TZ), "2026-W49", "2026-W50"),
    (dt.datetime(2026, 12, 3, 10, 0, tzinfo=TZ), "2026-W48", "2026-W49"),
])
def test_page_opens_on_the_last_complete_week(patrolled, client, moment, complete, current):
    with time_machine.travel(moment, tick=False):
        response = log_in(client, patrolled.leader).get(PAGE)
    assert response.status_code == 200
    assert response.context["config"]["week"] == complete
    assert response.context["config"]["currentWeek"] == current
    html = response.content.decode()
    assert f'value="{complete}" selected' in html
    assert f'value="{current}" selected' not in html
    # The page says which week it shows, and the current week is one click away.
    assert f"当前显示 {complete}（" in html and "即上一个完整周" in html
    assert f'href="?week={current}" data-week="{current}">查看本周（进行中）</a>' in html
    assert f'export.xlsx?week={complete}"' in html


def test_the_current_week_says_it_is_in_progress_and_links_back(patrolled, client):
    response = log_in(client, patrolled.leader).get(PAGE, {"week": "2026-W49"})
    html = response.content.decode()
    assert 'value="2026-W49" selected' in html
    assert "当前显示 2026-W49（11-30 至 12-06），即本周：尚未结束" in html
    assert 'href="?week=2026-W48" data-week="2026-W48">返回上一个完整周</a>' in html
    notes = response.context["config"]["weekNotes"]
    assert len(notes) == 12 and notes["2026-W40"]["text"].endswith("（已结束的周）。")
    assert notes["2026-W40"]["switchWeek"] == "2026-W49"


def test_page_takes_an_older_week(patrolled, client):
    response = log_in(client, patrolled.leader).get(PAGE, {"week": "2026-W10"})
    assert 'value="2026-W10" selected' in response.content.decode()
    assert "2026-W10" in response.context["config"]["weekNotes"]
    assert log_in(client, patrolled.leader).get(PAGE, {"week": "2026-W60"}).status_code == 400


def test_page_for_a_subdistrict_dispatcher_names_their_area(patrolled, client):
    response = log_in(client, patrolled.dispatcher).get(PAGE)
    assert response.status_code == 200
    assert patrolled.zone.community.subdistrict.name in response.content.decode()


@pytest.mark.parametrize("who", ["cadre", "worker", "handler"])
def test_page_is_refused_to_others(patrolled, client, who):
    assert log_in(client, getattr(patrolled, who)).get(PAGE).status_code == 403


def test_page_sends_anonymous_to_log_in(patrolled, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nav_and_dashboard_link_to_the_page_for_readers_only(patrolled, client):
    html = log_in(client, patrolled.leader).get("/map/").content.decode()
    assert 'href="/patrols/coverage/"' in html
    dashboard = log_in(client, patrolled.leader).get("/dashboard/").content.decode()
    assert 'href="/patrols/coverage/"' in dashboard
    assert 'href="/patrols/coverage/"' not in log_in(client, patrolled.cadre).get("/map/").content.decode()


def test_xlsx_has_the_subdistricts_and_zones_of_the_area(patrolled, client):
    response = log_in(client, patrolled.dispatcher).get(PAGE + "export.xlsx", {"week": "2026-W49"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    subdistricts, zones = book.worksheets
    own = patrolled.zone.community.subdistrict
    rows = list(subdistricts.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 1 and rows[0][0] == own.code and rows[0][3] == 1
    zone_rows = {r[0]: r for r in zones.iter_rows(min_row=4, values_only=True)}
    assert zone_rows[patrolled.zone.code][4] == "已巡查"
    assert patrolled.other_zone.code not in zone_rows
    other = patrolled.other_zone.community.subdistrict.code
    assert log_in(client, patrolled.dispatcher).get(PAGE + "export.xlsx", {"subdistrict": other}).status_code == 404
    assert log_in(client, patrolled.cadre).get(PAGE + "export.xlsx").status_code == 403


def test_schema_documents_the_patrol_endpoints_with_every_status(capsys):
    from io import StringIO

    import yaml
    from django.core.management import call_command

    out = StringIO()
    call_command("spectacular", "--validate", stdout=out)
    paths = yaml.safe_load(out.getvalue())["paths"]
    warnings = [line for line in capsys.readouterr().err.splitlines() if "patrols" in line.lower()]
    assert warnings == []
    assert set(paths["/api/patrols/"]["post"]["responses"]) == {"200", "201", "400", "403", "404", "409"}
    assert set(paths["/api/patrols/"]["get"]["responses"]) == {"200", "400", "403", "404"}
    assert set(paths["/api/patrols/coverage/"]["get"]["responses"]) == {"200", "400", "403", "404"}
    names = {p["name"] for p in paths["/api/patrols/coverage/"]["get"]["parameters"]}
    assert {"week", "subdistrict"} <= names
