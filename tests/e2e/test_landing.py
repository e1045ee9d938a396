"""Each demo login, in real Chromium, lands on its own work (issue 11).

The demo is seeded as `make demo` seeds it (seed_demo, seed_cases, seed_stars,
simulate_cases, seed_demo_work), with the clock of the seeding pinned; each
login then opens its page at its device's size (a phone for the grid worker)
and finds its first piece of work in the viewport without scrolling or zooming.
The browser keeps the machine's clock, which only colours deadlines here.
"""

import datetime as dt
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from apps.people.demo import DEFAULT_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TODAY = dt.datetime(2026, 12, 4, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = (390, 844)
DESKTOP = (1280, 800)


@pytest.fixture
def demo(district, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(TODAY, tick=False):
        for args in (["seed_demo"], ["seed_cases"], ["seed_stars", "--today", TODAY.date().isoformat()],
                     ["simulate_cases", "--cases", "300", "--workers", "1", "--until", TODAY.date().isoformat()], ["seed_demo_work"]):
            call_command(*args, verbosity=0, stdout=StringIO())


@pytest.fixture
def open_as(browser, live_server):
    pages, errors = [], []

    def open_page(username, size, path):
        width, height = size
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{username}: {error}"))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/map/"))
        if path != "/map/":
            page.goto(f"{live_server.url}{path}")
        pages.append(page)
        return page

    yield open_page
    assert errors == [], "the pages raised JavaScript errors"
    for page in pages:
        page.goto("about:blank")
        page.context.close()


def scrolled(page):
    return page.evaluate("() => window.scrollY")


def test_each_demo_login_finds_its_first_work_without_scrolling_or_zooming(demo, open_as):
    # The grid worker, on a phone: the map opens on their grids (drawn: zoom 14 or more), the
    # handled case waiting for them is counted on the button, and "my area" brings them back.
    worker = open_as("gridworker", PHONE, "/map/")
    shell = worker.locator("#map-shell")
    expect(worker.locator(".verify-count")).to_be_visible()
    expect(worker.locator(".verify-count")).to_have_text(re.compile(r"[1-9]"))
    expect(worker.locator(".verify-count")).to_be_in_viewport()
    worker.wait_for_function("() => +document.getElementById('map-shell').dataset.zoom >= 14")
    expect(shell).not_to_have_class(re.compile(r"below-grids"))
    expect(worker.locator(".map-my-area")).to_have_text("我的区域")
    assert scrolled(worker) == 0

    # The dispatcher (command centre): the desk opens on a queue with cases, drawn on the map.
    desk = open_as("dispatcher", DESKTOP, "/dispatch/")
    expect(desk.locator("#desk")).to_have_attribute("data-state", "ready")
    selected = desk.locator('.desk-tab[aria-selected="true"] .tab-count')
    expect(selected).to_have_text(re.compile(r"[1-9]"))
    first_row = desk.locator(".queue tbody tr[data-number]").first
    expect(first_row).to_be_in_viewport()
    expect(desk.locator(".leaflet-overlay-pane [data-number], .case-cluster").first).to_be_attached()
    overdue = desk.locator(".queue .time-left").filter(has_text=re.compile(r"超期|剩余"))
    if overdue.count():
        assert re.search(r"(超期|剩余) \d+ (个工作日|小时)", overdue.first.inner_text())
        assert overdue.first.locator("xpath=..").get_attribute("title").startswith("时限 ")
    assert scrolled(desk) == 0

    # The handler: cases to accept, first tab, first row in view.
    handler = open_as("handler", DESKTOP, "/handle/")
    expect(handler.locator("#desk")).to_have_attribute("data-state", "ready")
    expect(handler.locator('.desk-tab[aria-selected="true"] .tab-count')).to_have_text(re.compile(r"[1-9]"))
    expect(handler.locator(".queue tbody tr[data-number]").first).to_be_in_viewport()
    assert scrolled(handler) == 0

    # The secretary: a star still to apply for, the form in view.
    secretary = open_as("secretary", DESKTOP, "/stars/")
    form = secretary.locator("#apply-form")
    expect(form).to_be_in_viewport()
    assert form.locator("select[name=star] option").count() >= 1
    assert scrolled(secretary) == 0

    # The task force member: applications waiting for their scores.
    member = open_as("taskforce", DESKTOP, "/stars/")
    scoring = member.locator("#q-scoring .app-card").first
    expect(scoring).to_be_in_viewport()
    assert scrolled(member) == 0


IDLE = (
    "() => { const s = document.getElementById('map-shell');"
    " return s && +s.dataset.cycles > %d && s.dataset.pending === '0' && s.dataset.scheduled === '0'; }"
)
AT_ZOOM_AND_IDLE = (
    "() => { const s = document.getElementById('map-shell');"
    " return s && +s.dataset.zoom === %s && s.dataset.pending === '0' && s.dataset.scheduled === '0'; }"
)
VISIBLE_LABELS = (
    "() => [...document.querySelectorAll('.map-label span:not(.label-hidden)')]"
    ".map(s => s.getBoundingClientRect()).filter(r => r.width && r.bottom > 0 && r.right > 0"
    " && r.top < innerHeight && r.left < innerWidth).map(r => [r.left, r.top, r.right, r.bottom])"
)


def test_map_labels_never_overlap_on_a_phone_at_any_zoom(district, settings, open_as, live_server):
    """Every label layer together, at district, sub-district, community and grid zooms, in the crowded centre."""
    from django.contrib.auth import get_user_model

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_user_model().objects.create_user("e2e-labels", password=DEFAULT_PASSWORD)
    page = open_as("e2e-labels", PHONE, "/map/")
    page.wait_for_function(IDLE % 0)
    # 花园路 and 经八路 meet in the centre of the old city.
    from apps.areas.models import SubDistrict

    centre = SubDistrict.objects.get(name="花园路街道").geom.point_on_surface
    seen = 0
    for zoom in (11, 12, 13, 14, 15, 16, 17):  # the address hash takes whole zooms
        page.evaluate(f"location.hash = '#{zoom}/{centre.y:.6f}/{centre.x:.6f}'")
        page.wait_for_function(AT_ZOOM_AND_IDLE % zoom)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        boxes = page.evaluate(VISIBLE_LABELS)
        seen += len(boxes)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (zoom, a, b)
    assert seen > 10
