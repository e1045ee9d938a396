"""The desk's 临界 badge and the one-click reroute, in real Chromium (marker e2e).

A report 10 m inside a sub-district border reaches the dispatcher of its sub-district: the queue row
carries the badge with the other area, the detail both candidates and the rule; one click moves it
to the other sub-district, and it leaves this dispatcher's queue. On the case page a second report,
near a grid border, moves with the notice's button.
"""

import re
from pathlib import Path

import pytest
from border_spots import Spots
from django.core.management import call_command
from e2e_cast import PASSWORD, person
from playwright.sync_api import expect

from apps.cases.intake import report_case
from apps.cases.models import Case, CaseEvent, Category
from apps.people.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/f")


@pytest.fixture
def login(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    pages, errors = [], []

    def open_page(username):
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        pages.append(page)
        return page

    yield open_page
    assert errors == [], "the pages raised JavaScript errors"
    for page in pages:  # idle before the flush: SQLite locks whole tables
        page.goto("about:blank")
        page.context.close()


def test_the_desk_shows_the_border_and_one_click_moves_the_case(district, login, live_server):
    SHOTS.mkdir(exist_ok=True)
    call_command("seed_cases", verbosity=0)
    spots = Spots()
    across = spots.grid_border(10, across="subdistrict")
    inside = spots.grid_border(10, across="grid")
    category = Category.objects.get(code="E0101")
    admin = person("e2e-border-admin", Role.ADMINISTRATOR)
    case, _ = report_case(by=admin, category=category, lon=across.lon, lat=across.lat, description="道路井盖缺失")
    here = across.grid.community.subdistrict
    person("e2e-border-desk", Role.DISPATCHER, name="赵调度", subdistrict=here)

    desk = login("e2e-border-desk")
    desk.goto(f"{live_server.url}/dispatch/")
    expect(desk.locator("#desk")).to_have_attribute("data-state", "ready")
    row = desk.locator(f'.queue tr[data-number="{case.number}"]')
    expect(row.locator(".flag-border")).to_have_text("临界")
    expect(row.locator(".border-other")).to_contain_text(across.other.name)
    row.click()
    detail = desk.locator(".desk-detail")
    expect(detail).to_have_attribute("data-number", case.number)
    notice = detail.locator(".border-notice")
    expect(notice).to_have_attribute("data-levels", "subdistrict,community,grid")
    expect(notice).to_contain_text(across.grid.name)
    expect(notice).to_contain_text(across.other.name)
    expect(notice.locator(".border-rule")).to_contain_text("点在面内")
    desk.screenshot(path=str(SHOTS / "e2e-border-desk.png"))
    notice.locator("[data-reroute]").click()
    expect(desk.locator(".desk-toast")).to_contain_text("改派")
    # The case now belongs to the other sub-district: gone from this dispatcher's queue.
    expect(row).to_have_count(0)
    case.refresh_from_db()
    assert case.grid_id == across.other.pk and case.subdistrict_id == across.other.community.subdistrict_id
    assert CaseEvent.objects.filter(case=case, action="reroute", actor__code="e2e-border-desk").count() == 1

    # The case page: a report near a grid border moves with the notice's button.
    second, _ = report_case(by=admin, category=category, lon=inside.lon, lat=inside.lat, description="路灯不亮")
    centre = person("e2e-border-centre", Role.DISPATCHER, name="钱指挥")
    page = login(centre.code)
    page.goto(f"{live_server.url}/cases/{second.number}/")
    notice = page.locator("#border-notice")
    expect(notice.locator(".border-chosen .border-grid")).to_have_attribute("data-grid", inside.grid.code)
    expect(notice.locator(".border-other .border-grid")).to_have_attribute("data-grid", inside.other.code)
    page.screenshot(path=str(SHOTS / "e2e-border-case.png"))
    notice.locator("#reroute button").click()
    expect(page.locator(".tl-item[data-action=reroute]")).to_have_count(1)
    expect(notice.locator(".border-chosen .border-grid")).to_have_attribute("data-grid", inside.other.code)
    assert Case.objects.get(pk=second.pk).grid_id == inside.other.pk
