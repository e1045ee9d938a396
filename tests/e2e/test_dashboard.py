"""The leaders' dashboard in real Chromium, on the five-star sample (`manage.py seed_stars`).

A district leader logs in, sees all 214 villages and communities coloured by
level, asks who holds 平安法治星, opens one branch from the map and follows its
history to the branch's page. Screenshots (desktop 1280x800, phone 390x844)
go to /tmp/j/ for a person to look at. No base tiles anywhere.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.management import call_command
from playwright.sync_api import expect

from apps.areas.models import Community, SubDistrict
from apps.people.models import Person, Role
from apps.stars.api_summary import current_period
from apps.stars.levels import levels, star_holders

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-dash-pw-1"
SHOTS = Path("/tmp/j")
READY = "#dashboard[data-ready='1']"
CHARTS = "#dashboard[data-charts='1']"
SAFETY_STAR = 4  # 平安法治星, the same number for villages and communities


@pytest.fixture
def sample(district):
    call_command("seed_stars", verbosity=0)
    return current_period()


@pytest.fixture
def leader(sample, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    user = get_user_model().objects.create_user("e2e-dash", password=PASSWORD)
    Person.objects.create(user=user, code="E2E-LEAD", name="区领导", role=Role.LEADER)
    yield user
    assert errors == [], "the page raised JavaScript errors"
    # Leave no request running into the flush after the test (SQLite locks whole tables).
    page.goto("about:blank")


def log_in(page, live_server):
    page.goto(f"{live_server.url}/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/"))
    page.fill("#id_username", "e2e-dash")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.wait_for_selector(READY)


def clickable_community():
    """A community whose bounding-box centre lies well inside it and clear of every sub-district label.

    Playwright clicks the middle of an SVG path's box; sub-district labels (about
    70 x 18 px, some 0.04 x 0.011 degrees at the district view) sit at the middle
    of their sub-district's box and would take the click there.
    """
    labels = []
    for subdistrict in SubDistrict.objects.all():
        xmin, ymin, xmax, ymax = subdistrict.geom.extent
        labels.append(((xmin + xmax) / 2, (ymin + ymax) / 2))
    for community in Community.objects.select_related("branch").order_by("-population"):
        xmin, ymin, xmax, ymax = community.geom.extent
        x, y = (xmin + xmax) / 2, (ymin + ymax) / 2
        if (
            community.geom.contains(Point(x, y, srid=4326))
            and community.geom.boundary.distance(Point(x, y, srid=4326)) > 0.003
            and all(abs(x - lx) > 0.03 or abs(y - ly) > 0.012 for lx, ly in labels)
        ):
            return community
    raise AssertionError("no community with a clickable centre")


def test_a_leader_sees_every_branch_by_level_filters_by_star_and_opens_a_history_on_desktop_and_phone(page, live_server, leader, sample):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server)

    # All 214 coloured, as many at each level as the database holds.
    held = levels(sample)
    expect(page.locator("path.community")).to_have_count(214)
    expect(page.locator("path.community.shown")).to_have_count(214)
    for level in (5, 4, 3, 0):
        expected = sum(1 for n in held.values() if n == level)
        expect(page.locator(f"path.community.level-{level}")).to_have_count(expected)
    assert page.evaluate("performance.getEntriesByName('dashboard:ready').length") == 1
    assert page.locator(".leaflet-tile-pane img").count() == 0
    expect(page.locator(".kpi-five_star .big b")).to_have_text(str(sum(1 for n in held.values() if n == 5)))
    page.wait_for_selector(CHARTS)
    expect(page.locator("#leaders-table tbody tr")).to_have_count(55)
    expect(page.locator("#community-table tbody tr")).to_have_count(214)
    page.screenshot(path=str(SHOTS / "e2e-desktop.png"))

    # Who holds 平安法治星? The map keeps only them in colour; the table and the XLSX link follow.
    holders = set(star_holders(sample, SAFETY_STAR).values_list("community__code", flat=True))
    assert 0 < len(holders) < 214
    page.select_option("#filter-star", str(SAFETY_STAR))
    expect(page.locator("path.community.shown")).to_have_count(len(holders))
    expect(page.locator("path.community.filtered")).to_have_count(214 - len(holders))
    shown = set(page.eval_on_selector_all("path.community.shown", "els => els.map(e => e.dataset.code)"))
    assert shown == holders
    expect(page.locator("#community-table tbody tr")).to_have_count(len(holders))
    assert f"star={SAFETY_STAR}" in page.locator("#export-link").get_attribute("href")
    page.screenshot(path=str(SHOTS / "e2e-filtered.png"))
    page.select_option("#filter-star", "")
    expect(page.locator("path.community.shown")).to_have_count(214)

    # A click on a community: its details, its grids, its history, and the way to its page.
    community = clickable_community()
    page.locator(f'path.community[data-code="{community.code}"]').click()
    panel = page.locator("#panel")
    expect(panel.locator("h2")).to_have_text(community.name)
    expect(panel).to_contain_text(community.branch.name)
    expect(page.locator("#crumbs [aria-current]")).to_have_text(community.name)
    expect(page.locator("path.grid-outline")).to_have_count(community.grids.count())
    expect(panel.locator(".history-list li")).to_have_count(3)  # the sample's three periods
    page.wait_for_timeout(700)  # the fly-to animation, for the screenshot
    page.screenshot(path=str(SHOTS / "e2e-community.png"))
    link = panel.locator("a.history-link")
    expect(link).to_have_attribute("href", f"/stars/branches/{community.code}/")
    link.click()
    expect(page).to_have_url(re.compile(rf"/stars/branches/{community.code}/$"))
    expect(page.locator("body")).to_contain_text(community.branch.name)

    # The same on a phone (one test: the sample takes minutes to seed).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector(READY)
    expect(page.locator("path.community.shown")).to_have_count(214)
    page.wait_for_selector(CHARTS)
    # Nothing wider than the screen but the tables, which scroll inside their cards.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.screenshot(path=str(SHOTS / "e2e-phone.png"))
    page.locator(f"#community-table tr[data-code='{community.code}']").click()
    expect(page.locator("#map-pick")).to_contain_text(community.name)
    page.locator("#map-pick").click()
    expect(page.locator("#panel h2")).to_have_text(community.name)
    expect(page.locator("#panel h2")).to_be_in_viewport()
    page.screenshot(path=str(SHOTS / "e2e-phone-community.png"))
