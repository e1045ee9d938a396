"""The signals page in real Chromium: a sub-district dispatcher reads the figures under the CSP, opens the
cases behind a number and follows one to its case page; the other sub-district's case is not there."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from e2e_cast import PASSWORD, person
from evidence_photos import photo
from playwright.sync_api import expect

from apps.areas.models import Grid
from apps.cases.evidence import attach_photos
from apps.cases.intake import report_case
from apps.cases.models import Category
from apps.cases.workflow import transition
from apps.people.models import Department, Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

METRES_PER_DEGREE_LAT = 110_900


def far_case(grid, department, dispatcher, handler, worker, now):
    """A case handled two hours ago with a photo taken 400 m from its point (the evidence checks flag it)."""
    point = grid.geom.point_on_surface
    case, _ = report_case(by=worker, category=Category.objects.get(code="E0101"), lon=point.x, lat=point.y,
                          description="人行道上有暴露垃圾", at=now - dt.timedelta(hours=5))
    transition(case, "register", by=dispatcher, at=now - dt.timedelta(hours=4, minutes=50))
    transition(case, "dispatch", by=dispatcher, department=department, at=now - dt.timedelta(hours=4, minutes=45))
    transition(case, "accept", by=handler, at=now - dt.timedelta(hours=4))
    event = transition(case, "report_handled", by=handler, result="已清理", at=now - dt.timedelta(hours=2))
    after = photo("after.jpg", grid.pk % 1000, taken=now - dt.timedelta(hours=3), offset="+08:00", lon=point.x,
                  lat=point.y + 400 / METRES_PER_DEGREE_LAT)
    attach_photos(case, event, [(after, "image/jpeg", after.size)], by=handler)
    return case


@pytest.fixture
def two_cases(district, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_cases", verbosity=0)
    # An earlier transactional test's flush empties the rows its migration seeded: put the rules back.
    importlib.import_module("apps.integrity.migrations.0002_default_rules").seed(django_apps, None)
    grid = Grid.objects.select_related("community__subdistrict").order_by("code").first()
    other = Grid.objects.exclude(community__subdistrict=grid.community.subdistrict).order_by("code").first()
    department = Department.objects.get(name="区城市管理局")
    handler = person("e2e-in-handler", Role.HANDLER, department=department)
    centre = person("e2e-in-centre", Role.DISPATCHER)
    dispatcher = person("e2e-in-dispatcher", Role.DISPATCHER, subdistrict=grid.community.subdistrict)
    now = dt.datetime.now(dt.UTC)
    mine = far_case(grid, department, centre, handler, person("e2e-in-w1", Role.GRID_WORKER, grids=[grid]), now)
    theirs = far_case(other, department, centre, handler, person("e2e-in-w2", Role.GRID_WORKER, grids=[other]), now)
    return mine, theirs


def test_the_dispatcher_opens_the_cases_behind_a_number(two_cases, browser, live_server):
    mine, theirs = two_cases
    errors = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "e2e-in-dispatcher")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/integrity/")

    row = page.locator('#signals-overview tr[data-code="photo_far"]')
    expect(row.locator("[data-total]")).to_have_text("1")
    # The bar's width is set by the page's script: it ran under the CSP.
    page.wait_for_function("() => document.querySelector('#signals-overview tr[data-code=\"photo_far\"] i')"
                           ".style.width === '100%'")
    section = page.locator("#signal-photo_far")
    expect(section).to_contain_text("100 米")
    link = section.locator(f'a[href="/cases/{mine.number}/"]').first
    expect(link).to_be_hidden()
    section.locator("summary[data-count]").first.click()
    expect(link).to_be_visible()
    expect(page.locator(f'a[href="/cases/{theirs.number}/"]')).to_have_count(0)
    link.click()
    expect(page).to_have_url(re.compile(rf"/cases/{mine.number}/$"))
    assert errors == []
    page.goto("about:blank")
