"""A zone cadre checks in on /map/ with the phone's (mocked) position, reports a case there, and the
coverage page then shows the zone visited. Real Chromium, no tiles; Playwright's context geolocation.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

from apps.compounds.models import Zone
from apps.patrols.models import Patrol
from apps.people.models import Person, Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-patrol-pw-1"
MAP_IDLE = (
    "(after) => { const s = document.getElementById('map-shell');"
    " return s && +s.dataset.cycles > after && s.dataset.pending === '0' && s.dataset.scheduled === '0'; }"
)


def login(person, username):
    person.user = User.objects.create_user(username=username, password=PASSWORD)
    person.save(update_fields=["user"])
    return person


@pytest.fixture
def story(district, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_cases", verbosity=0)  # categories, for the report sheet
    zone = Zone.objects.select_related("community__subdistrict").order_by("code").first()
    cadre = login(zone.cadres.order_by("code").first(), "e2e-cadre")
    leader = Person.objects.create(code="e2e-leader", name="孙领导", role=Role.LEADER,
                                   subdistrict=zone.community.subdistrict)
    login(leader, "e2e-leader")
    point = zone.geom.point_on_surface
    return {"zone": zone, "cadre": cadre, "point": point}


@pytest.fixture
def open_as(browser, live_server):
    pages, errors = [], []

    def open_page(username, **context_args):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", **context_args)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{username}: {error}"))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/map/"))
        pages.append(page)
        return page

    yield open_page
    assert errors == [], "the pages raised JavaScript errors"
    for page in pages:
        page.goto("about:blank")
        page.context.close()


def test_cadre_checks_in_by_gps_reports_there_and_the_zone_shows_visited(story, open_as, live_server):
    zone, point = story["zone"], story["point"]
    cadre = open_as(
        "e2e-cadre",
        geolocation={"longitude": point.x, "latitude": point.y, "accuracy": 12},
        permissions=["geolocation"],
    )
    cadre.wait_for_function(MAP_IDLE, arg=0)
    expect(cadre.locator("#patrol-checkin")).to_have_attribute("data-ready", "1")
    cadre.click(".patrol-open")
    expect(cadre.locator(".patrol-zone")).to_have_value(zone.code)
    cadre.click(".patrol-gps")
    result = cadre.locator(".patrol-result")
    expect(result).to_have_attribute("data-kind", "ok")
    expect(result).to_contain_text("已在")
    expect(result).to_contain_text(zone.name)
    expect(result).to_contain_text("您在片区内")
    expect(result).to_contain_text("±12 米")
    expect(cadre.locator(".patrol-week")).to_contain_text("本周签到 1 次")
    cadre.screenshot(path="/tmp/patrol-checkin.png")
    patrol = Patrol.objects.get()
    assert patrol.zone_id == zone.pk and patrol.distance_m == 0 and patrol.accuracy_m == 12
    assert patrol.source == "gps"

    # From the check-in, report a case at that point through the existing report sheet.
    cadre.click(".patrol-report")
    place = cadre.locator(".report-place")
    expect(place).to_have_attribute("data-state", "ok")
    expect(cadre.locator(".report-sheet")).to_be_visible()
    expect(cadre.locator(".patrol-sheet")).to_be_hidden()

    # The sub-district's leader lands on the last complete week (the check-in is not in it),
    # and one click shows the current week with the zone visited.
    leader = open_as("e2e-leader")
    leader.goto(f"{live_server.url}/patrols/coverage/")
    coverage = leader.locator("#coverage")
    expect(coverage).to_have_attribute("data-loading", "0")
    expect(leader.locator("#zone-table")).to_be_visible()
    expect(leader.locator("#week-note-text")).to_contain_text("即上一个完整周")
    row = leader.locator(f'#zone-table tr[data-code="{zone.code}"]')
    expect(row).to_contain_text("未巡查")
    current = leader.locator("#week-switch").get_attribute("data-week")
    leader.click("#week-switch")
    expect(coverage).to_have_attribute("data-painted", current)
    expect(leader.locator("#week-note-text")).to_contain_text("即本周：尚未结束")
    expect(leader.locator("#week-switch")).to_have_text("返回上一个完整周")
    expect(leader.locator("#week-select")).to_have_value(current)
    expect(leader).to_have_url(re.compile(rf"week={current}"))
    expect(row).to_contain_text("已巡查")
    expect(leader.locator(f'path[data-code="{zone.code}"].zone-visited')).to_have_count(1)
    expect(leader.locator("path.zone-missed").first).to_be_attached()
    expect(leader.locator("#totals")).to_contain_text("已巡查 1 个")
    leader.screenshot(path="/tmp/patrol-coverage.png")


def test_without_a_position_the_cadre_checks_in_at_a_tapped_point_and_a_far_one_is_refused(story, open_as):
    zone, point = story["zone"], story["point"]
    cadre = open_as("e2e-cadre")  # no geolocation permission: the browser refuses the position
    cadre.wait_for_function(MAP_IDLE, arg=0)
    expect(cadre.locator("#patrol-checkin")).to_have_attribute("data-ready", "1")
    before = int(cadre.locator("#map-shell").get_attribute("data-cycles"))
    cadre.evaluate(f"location.hash = '#18/{point.y:.6f}/{point.x:.6f}'")
    cadre.wait_for_function(MAP_IDLE, arg=before)
    cadre.click(".patrol-open")
    cadre.click(".patrol-gps")
    expect(cadre.locator(".patrol-tapped")).to_be_visible()
    expect(cadre.locator(".patrol-result")).to_contain_text("定位权限被拒绝")
    # Pick the position on the map (the middle: the zone's point), then check in there,
    # labelled as a map point, not GPS.
    cadre.click(".patrol-pick")
    expect(cadre.locator("#map-shell")).to_have_class(re.compile(r"\blocating\b"))
    box = cadre.locator("#map").bounding_box()
    cadre.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(cadre.locator(".patrol-sheet")).to_be_visible()
    expect(cadre.locator(".patrol-source")).to_contain_text("非 GPS")
    cadre.click(".patrol-tapped")
    expect(cadre.locator(".patrol-result")).to_have_attribute("data-kind", "ok")
    expect(cadre.locator(".patrol-result")).to_contain_text("地图选点")
    assert Patrol.objects.get().source == "map"

    # Far from the zone: refused, with the zone, the distance and the limit, and nothing written.
    before = int(cadre.locator("#map-shell").get_attribute("data-cycles"))
    cadre.evaluate(f"location.hash = '#18/{point.y:.6f}/{point.x + 0.01:.6f}'")  # ~900 m east
    cadre.wait_for_function(MAP_IDLE, arg=before)
    cadre.click(".patrol-pick")
    cadre.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(cadre.locator(".patrol-sheet")).to_be_visible()
    cadre.click(".patrol-tapped")
    result = cadre.locator(".patrol-result")
    expect(result).to_have_attribute("data-kind", "bad")
    expect(result).to_contain_text("未签到")
    expect(result).to_contain_text(zone.name)
    expect(result).to_contain_text("100 米")
    assert Patrol.objects.count() == 1
