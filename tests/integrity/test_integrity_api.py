"""GET /api/integrity/signals/ and the page /integrity/: who reads what, the one error shape, links to the cases."""

import pytest
from integrity_scene import at
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
URL = "/api/integrity/signals/"
PERIOD = {"from": "2026-01-01", "to": "2026-11-30"}


def client_for(person):
    client = APIClient()
    client.force_authenticate(person.user)
    return client


@pytest.fixture
def two_far_photos(scene):
    """A far result photo in each of the two sub-districts."""
    mine, theirs = scene.case(at(3, 2)), scene.case(at(3, 2), grid=scene.other_grid)
    scene.photo(mine, distance_m=400, phash=5)
    scene.photo(theirs, distance_m=400, phash=2 ** 50)
    return mine, theirs


def far(answer):
    (signal,) = [s for s in answer["signals"] if s["code"] == "photo_far"]
    return signal


@pytest.mark.parametrize("who", ["centre", "leader", "admin"])
def test_district_readers_see_both_sub_districts(scene, two_far_photos, who):
    answer = client_for(getattr(scene, who)).get(URL, PERIOD)
    assert answer.status_code == 200
    body = answer.json()
    assert body["scope"] == "district"
    assert sorted(c["number"] for c in far(body)["cases"]) == sorted(c.number for c in two_far_photos)
    assert [s["code"] for s in body["signals"]] == ["photo_reused", "photo_far", "photo_early", "reopen_churn",
                                                    "fast_verification", "deadline_requests"]
    assert far(body)["threshold"] == "max_distance_m = 100" and far(body)["params"] == {"max_distance_m": 100}


def test_a_sub_district_dispatcher_sees_only_their_sub_district(scene, two_far_photos):
    mine, theirs = two_far_photos
    body = client_for(scene.dispatcher).get(URL, PERIOD).json()
    assert body["scope"] == "subdistrict"
    assert [c["number"] for c in far(body)["cases"]] == [mine.number]
    assert [r["code"] for r in far(body)["grids"]] == [scene.grid.code]
    other = client_for(scene.other_dispatcher).get(URL, PERIOD).json()
    assert [c["number"] for c in far(other)["cases"]] == [theirs.number]


def test_a_sub_district_outside_ones_area_is_404_and_inside_narrows(scene, two_far_photos):
    theirs = scene.other_grid.community.subdistrict.code
    answer = client_for(scene.dispatcher).get(URL, {**PERIOD, "subdistrict": theirs})
    assert answer.status_code == 404 and answer.json()["field"] == "subdistrict"
    body = client_for(scene.centre).get(URL, {**PERIOD, "subdistrict": theirs}).json()
    assert [c["number"] for c in far(body)["cases"]] == [two_far_photos[1].number]


@pytest.mark.parametrize("who", ["worker", "handler"])
def test_workers_and_handlers_may_not_read_the_signals(scene, two_far_photos, who):
    answer = client_for(getattr(scene, who)).get(URL, PERIOD)
    assert answer.status_code == 403
    assert set(answer.json()) >= {"detail", "code"}


def test_the_queries_do_not_grow_with_the_cases_found(scene, django_assert_num_queries):
    for month in (3, 4):
        case = scene.case(at(month, 2))
        scene.photo(case, distance_m=400, phash=month)
    client = client_for(scene.centre)
    # The login, the rules, each signal's one or two queries, the hit cases, their departments and grids.
    with django_assert_num_queries(13):
        body = client.get(URL, PERIOD).json()
    assert far(body)["total"] == 2
    for month in (5, 6, 7, 8):
        case = scene.case(at(month, 2))
        scene.photo(case, distance_m=400, phash=month << 20)
    with django_assert_num_queries(13):
        body = client.get(URL, PERIOD).json()
    assert far(body)["total"] == 6


def test_anonymous_is_refused(db):
    assert APIClient().get(URL).status_code in (401, 403)


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-13-01", "to": "2026-12-01"}, "from"),
    ({"from": "2026-02-01"}, "to"),
    ({"period": "last-year"}, "period"),
    ({"signal": "nope"}, "signal"),
    ({"from": "9999-12-30", "to": "9999-12-31"}, "to"),
    ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
])
def test_bad_parameters_are_400_naming_the_field(scene, params, field):
    answer = client_for(scene.centre).get(URL, params)
    assert answer.status_code == 400
    body = answer.json()
    assert body["field"] == field and body["detail"] and body["code"]


def test_the_default_period_is_the_twelve_months_ending_today(scene, time_machine):
    import datetime as dt

    time_machine.move_to(dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    body = client_for(scene.centre).get(URL, {"signal": "photo_far"}).json()
    assert body["period"]["from"] == "2025-12-07" and body["period"]["to"] == "2026-12-06"
    assert [s["code"] for s in body["signals"]] == ["photo_far"]


def test_the_page_shows_rules_figures_and_links_to_the_cases(scene, two_far_photos, client):
    mine, theirs = two_far_photos
    client.force_login(scene.dispatcher.user)
    answer = client.get("/integrity/", PERIOD)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert f'href="/cases/{mine.number}/"' in html
    assert f"/cases/{theirs.number}/" not in html
    assert "max_distance_m = 100" in html
    assert "style=" not in html and "<script>" not in html
    assert "考核数据异常信号" in html and "处置结果照片的 EXIF 位置距案件点位超过 100 米。" in html
    assert 'class="nav-integrity current"' in html  # the header link, marked current


def test_the_page_is_refused_to_a_grid_worker(scene, client):
    client.force_login(scene.worker.user)
    assert client.get("/integrity/").status_code == 403
    assert 'class="nav-integrity' not in client.get("/map/").content.decode()


def test_the_page_shows_a_bad_period_as_a_400_with_the_message(scene, client):
    client.force_login(scene.centre.user)
    answer = client.get("/integrity/", {"from": "2026-05-01", "to": "2026-01-01"})
    assert answer.status_code == 400 and "role=\"alert\"" in answer.content.decode()
