"""The case page's evidence panel in real Chromium: a dispatcher sees the report photo beside the result
photo, the failed check and the photo's distance, and sends the flagged case back for rework.

Screenshots go to /tmp/f/ for a person to look at.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from e2e_cast import PASSWORD, person
from evidence_photos import photo
from playwright.sync_api import expect

from apps.areas.models import Grid
from apps.cases.intake import report_case
from apps.cases.models import Case, Category
from apps.cases.workflow import transition
from apps.people.models import Department, Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/f")
METRES_PER_DEGREE_LAT = 110_900
PHOTOS_LOADED = "() => { const i = [...document.querySelectorAll('#evidence img')];" \
                " return i.length === 2 && i.every((x) => x.complete && x.naturalWidth > 0); }"


@pytest.fixture
def flagged(district, settings, tmp_path):
    """A case handled with a photo taken 300 m from its point; reported with one photo on the spot."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_cases", verbosity=0)
    grid = Grid.objects.select_related("community__subdistrict").order_by("code").first()
    department = Department.objects.get(name="区城市管理局")
    worker = person("e2e-ev-worker", Role.GRID_WORKER, name="王网格", grids=[grid])
    dispatcher = person("e2e-ev-dispatcher", Role.DISPATCHER, name="李调度", subdistrict=grid.community.subdistrict)
    handler = person("e2e-ev-handler", Role.HANDLER, name="张处置", department=department)
    point = grid.geom.point_on_surface
    now = dt.datetime.now(dt.UTC)
    before = photo("before.jpg", 61, taken=now - dt.timedelta(hours=3), offset="+08:00", lon=point.x, lat=point.y)
    case, _ = report_case(by=worker, category=Category.objects.get(code="E0101"), lon=point.x, lat=point.y,
                          description="人行道上有暴露垃圾", photos=[before], at=now - dt.timedelta(hours=3))
    transition(case, "register", by=dispatcher, at=now - dt.timedelta(hours=2, minutes=50))
    transition(case, "dispatch", by=dispatcher, department=department, at=now - dt.timedelta(hours=2, minutes=45))
    transition(case, "accept", by=handler, at=now - dt.timedelta(hours=2))
    after = photo("after.jpg", 62, taken=now - dt.timedelta(hours=1), offset="+08:00", lon=point.x,
                  lat=point.y + 300 / METRES_PER_DEGREE_LAT)
    from apps.cases.evidence import attach_photos

    event = transition(case, "report_handled", by=handler, result="已清理", at=now - dt.timedelta(minutes=50))
    attach_photos(case, event, [(after, "image/jpeg", after.size)], by=handler)
    case.refresh_from_db()
    assert case.evidence_flags == ["far"]
    return case


def test_the_dispatcher_sees_before_and_after_side_by_side_and_sends_the_case_back(flagged, browser, live_server):
    SHOTS.mkdir(exist_ok=True)
    errors = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "e2e-ev-dispatcher")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/cases/{flagged.number}/")

    panel = page.locator("#evidence")
    expect(panel).to_be_visible()
    expect(panel.locator(".evidence-flags .ev-flag")).to_have_text(["拍摄地点远离案卷位置"])
    before, after = panel.locator(".ev-before .ev-photo"), panel.locator(".ev-after .ev-photo")
    expect(before).to_have_count(1)
    expect(after).to_have_count(1)
    expect(after).to_have_attribute("data-problems", "far")
    expect(after.locator(".ev-dist")).to_contain_text(re.compile(r"距案卷位置: 30\d 米"))
    expect(after.locator(".ev-problems")).to_contain_text("拍摄地点远离案卷位置")
    expect(before.locator(".ev-time")).to_contain_text("拍摄时间")
    page.wait_for_function(PHOTOS_LOADED)
    left, right = before.bounding_box(), after.bounding_box()
    assert abs(left["y"] - right["y"]) < 2 and right["x"] > left["x"] + left["width"], (left, right)
    page.screenshot(path=str(SHOTS / "e2e-evidence-panel.png"), full_page=True)

    # Sending back needs a reason: the empty form does nothing.
    page.click("#send-back button[type=submit]")
    expect(page.locator(".chip[data-status]").first).to_have_attribute("data-status", "handled")
    page.fill("#send-back-note", "处置后照片不在现场，请重新处置并在现场拍照")
    page.click("#send-back button[type=submit]")
    expect(page.locator(".chip[data-status]").first).to_have_attribute("data-status", "handling")
    expect(page.locator("#timeline .tl-send_back .tl-note")).to_have_text("处置后照片不在现场，请重新处置并在现场拍照")
    expect(page.locator("#send-back")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "e2e-evidence-sent-back.png"), full_page=True)
    case = Case.objects.get(pk=flagged.pk)
    assert (case.status, case.rework_count) == ("handling", 1)
    assert errors == []
    page.goto("about:blank")
    context.close()
