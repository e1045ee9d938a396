"""Weekly coverage on a small hand-made set, pinned to 2026-W49 (30 Nov to 6 Dec 2026, Asia/Shanghai)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.compounds.models import Zone
from apps.patrols.checkin import check_in
from apps.patrols.coverage import coverage_scope, weekly_coverage
from apps.patrols.weeks import BadWeek, Week, parse_week

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=TZ)  # Thursday of 2026-W49
URL = "/api/patrols/coverage/"


def at(day, hour=9, minute=0):
    return dt.datetime(2026, *day, hour, minute, tzinfo=TZ)


@pytest.fixture
def week_set(cast):
    """Zone A: three check-ins of two cadres in W49, one just before and one just after the week.

    Every other zone: nothing.
    """
    zone = cast.zone
    second = zone.cadres.exclude(pk=cast.cadre.pk).order_by("code").first()
    lon, lat = cast.inside()
    near = cast.east_of(40)
    check_in(by=cast.cadre, zone=zone, lon=lon, lat=lat, at=at((12, 1)))
    check_in(by=cast.cadre, zone=zone, lon=near[0], lat=near[1], at=at((12, 3), 8, 30))
    check_in(by=second, zone=zone, lon=lon, lat=lat, at=at((12, 6), 23, 59))  # Sunday night: still W49
    check_in(by=cast.cadre, zone=zone, lon=lon, lat=lat, at=at((11, 29), 23, 59))  # W48
    check_in(by=cast.cadre, zone=zone, lon=lon, lat=lat, at=at((12, 7), 0, 0))  # W50
    # A check-in of the other zone in W49 (another sub-district).
    olon, olat = cast.inside(cast.other_zone)
    check_in(by=cast.other_cadre, zone=cast.other_zone, lon=olon, lat=olat, at=at((12, 2)))
    return cast


@pytest.mark.parametrize("raw", ["2026-W60", "garbage", "2026-W00", "2025-W53", "2026-49", "1999-W10", "２０２６-W49"])
def test_bad_week_is_refused(raw):
    with pytest.raises(BadWeek):
        parse_week(raw)


def test_week_bounds_and_default_week():
    week = parse_week("2026-W53")
    assert week.monday == dt.date(2026, 12, 28) and week.sunday == dt.date(2027, 1, 3)
    start, end = parse_week("2026-W49").bounds()
    assert start == dt.datetime(2026, 11, 30, tzinfo=TZ) and end == dt.datetime(2026, 12, 7, tzinfo=TZ)
    with time_machine.travel(NOW, tick=False):
        assert parse_week("") == Week(2026, 49)
    assert parse_week("", today=dt.date(2027, 1, 1)) == Week(2026, 53)


def test_coverage_counts_the_week_only(week_set, api_as):
    cast = week_set
    sub = cast.zone.community.subdistrict
    with time_machine.travel(NOW, tick=False):
        body = api_as(cast.centre).get(URL, {"subdistrict": sub.code}).json()
    assert body["week"] == "2026-W49" and body["start"] == "2026-11-30" and body["end"] == "2026-12-06"
    n_zones = Zone.objects.filter(community__subdistrict=sub).count()
    assert body["totals"] == {"zones": n_zones, "visited": 1, "share": round(1 / n_zones, 4), "patrols": 3}
    assert body["subdistricts"] == [{"code": sub.code, "name": sub.name, "zones": n_zones, "visited": 1,
                                     "patrols": 3, "share": round(1 / n_zones, 4)}]
    rows = {z["code"]: z for z in body["zones"]}
    assert len(rows) == n_zones
    a = rows[cast.zone.code]
    assert a["visited"] is True and a["patrols"] == 3 and a["cadres_patrolled"] == 2 and a["cadres"] == 5
    assert dt.datetime.fromisoformat(a["last_visit"]) == at((12, 6), 23, 59)
    others = [z for code, z in rows.items() if code != cast.zone.code]
    assert all(not z["visited"] and z["patrols"] == 0 and z["last_visit"] is None for z in others)


def test_previous_week_has_its_own_numbers(week_set, api_as):
    body = api_as(week_set.centre).get(URL, {"week": "2026-W48"}).json()
    assert body["totals"]["visited"] == 1 and body["totals"]["patrols"] == 1
    assert body["totals"]["zones"] == Zone.objects.count()
    assert len(body["subdistricts"]) == 17


def test_district_coverage_has_every_subdistrict(week_set):
    week = parse_week("2026-W49")
    scope = coverage_scope(week_set.admin.user)
    data = weekly_coverage(week, scope)
    assert data["totals"]["visited"] == 2 and data["totals"]["patrols"] == 4
    by_code = {s["code"]: s for s in data["subdistricts"]}
    assert len(by_code) == 17
    assert by_code[week_set.other_zone.community.subdistrict.code]["visited"] == 1
    assert sum(s["zones"] for s in data["subdistricts"]) == Zone.objects.count() == 281


@pytest.mark.parametrize("week", ["2026-W60", "garbage", "2026-W1"])
def test_bad_week_is_400_with_a_message(cast, api_as, week):
    response = api_as(cast.centre).get(URL, {"week": week})
    assert response.status_code == 400
    assert response.json()["field"] == "week"
    assert "2026-W49" in response.json()["detail"]


def test_bad_subdistrict_code_is_400(cast, api_as):
    response = api_as(cast.centre).get(URL, {"subdistrict": "abc"})
    assert response.status_code == 400 and response.json()["field"] == "subdistrict"


def test_coverage_uses_two_queries_plus_the_reader(week_set, api_as, django_assert_max_num_queries):
    client = api_as(week_set.centre)
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"week": "2026-W49"}).status_code == 200
