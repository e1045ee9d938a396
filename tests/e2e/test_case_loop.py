"""One case round the whole loop in real Chromium, each person in their own browser, logged in through the form.

A grid worker taps the map on a phone and reports with a photo (over a
connection that loses the first answer, so the page retries with the same
client id and the server makes one case); the dispatcher registers and
dispatches to the suggested department on /dispatch/; the handler accepts and
reports it handled on /handle/; the grid worker verifies it from their list;
the case page shows it closed, with its timeline in order.

Screenshots go to /tmp/f/ for a person to look at.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from e2e_cast import PASSWORD, inner_grid, person
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from apps.cases.models import Case, Category
from apps.cases.routing import suggest_department
from apps.people.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/f")
MAP_IDLE = (
    "(after) => { const s = document.getElementById('map-shell');"
    " return s && +s.dataset.cycles > after && s.dataset.pending === '0' && s.dataset.scheduled === '0'; }"
)
CLIENT_ID = re.compile(rb'name="client_id"\r\n\r\n([0-9a-f-]{36})')


def photo_png():
    image = Image.new("RGB", (640, 480), (96, 128, 72))
    ImageDraw.Draw(image).ellipse([180, 120, 460, 360], fill=(220, 190, 60))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def story(district, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_cases", verbosity=0)
    grid, point = inner_grid()
    category = Category.objects.get(code="E0101")
    department = suggest_department(category, grid).department
    return {
        "grid": grid,
        "point": point,
        "category": category,
        "department": department,
        "worker": person("e2e-worker", Role.GRID_WORKER, name="王网格", grids=[grid]),
        "dispatcher": person("e2e-dispatcher", Role.DISPATCHER, name="李调度", subdistrict=grid.community.subdistrict),
        "handler": person("e2e-handler", Role.HANDLER, name="张处置", department=department),
    }


@pytest.fixture
def open_as(browser, live_server):
    """open_as(username, width, height) -> a page of a fresh browser context, logged in through the form."""
    pages, errors = [], []

    def open_page(username, width, height):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{username}: {error}"))
        page.goto(f"{live_server.url}/accounts/login/")
        expect(page.locator("h1")).to_have_text("网格化治理平台")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/map/"))
        pages.append(page)
        return page

    yield open_page
    assert errors == [], "the pages raised JavaScript errors"
    # Leave every page idle before the flush: SQLite locks whole tables.
    for page in pages:
        page.goto("about:blank")
        page.context.close()


def test_a_case_goes_round_the_loop_from_a_tap_on_the_map_to_its_closed_timeline(story, open_as, live_server):
    SHOTS.mkdir(exist_ok=True)
    grid, point, department = story["grid"], story["point"], story["department"]

    # 1. The grid worker, on a phone, taps the spot and reports with a photo.
    worker = open_as("e2e-worker", 390, 844)
    worker.wait_for_function(MAP_IDLE, arg=0)
    # Close in on the grid through the address hash, and wait for the layers of that view.
    before = int(worker.locator("#map-shell").get_attribute("data-cycles"))
    worker.evaluate(f"location.hash = '#17/{point.y:.6f}/{point.x:.6f}'")
    worker.wait_for_function(MAP_IDLE, arg=before)
    expect(worker.locator("#report")).to_have_attribute("data-ready", "1")
    expect(worker.locator("select[name=category]")).to_have_attribute("data-loaded", "1")
    worker.click(".report-start")
    expect(worker.locator("#map-shell")).to_have_class(re.compile(r"\blocating\b"))
    box = worker.locator("#map").bounding_box()
    worker.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    place = worker.locator(".report-place")
    expect(place).to_have_attribute("data-state", "ok")
    expect(place).to_have_attribute("data-grid", grid.code)
    expect(place).to_contain_text(grid.name)
    worker.select_option("select[name=category]", story["category"].code)
    worker.fill("textarea[name=description]", "小区南门垃圾桶满溢，周边散落生活垃圾")
    worker.set_input_files(
        ".report-form input[type=file]", files=[{"name": "spot.png", "mimeType": "image/png", "buffer": photo_png()}]
    )
    expect(worker.locator(".report-form .photo-list img")).to_have_count(1)
    worker.screenshot(path=str(SHOTS / "e2e-report-sheet.png"))

    # A weak connection: the server makes the case but its answer is lost;
    # the page retries with the same client id and gets the same case back.
    sent = []

    def lose_first_answer(route):
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(CLIENT_ID.search(route.request.post_data_buffer).group(1).decode())
        if len(sent) == 1:
            route.fetch()  # the server handles it ...
            route.abort("connectionreset")  # ... and the phone never hears back
        else:
            route.continue_()

    worker.route(re.compile(r"/api/cases/$"), lose_first_answer)
    worker.click(".report-send")
    done = worker.locator(".report-done")
    expect(done).to_be_visible()
    number = done.locator(".case-number").inner_text()
    assert re.fullmatch(r"\d{14}", number)
    worker.unroute(re.compile(r"/api/cases/$"))
    assert len(sent) == 2 and sent[0] == sent[1]
    case = Case.objects.get()
    assert (case.number, str(case.client_id), case.grid_id, case.reporter_id) == (
        number, sent[0], grid.pk, story["worker"].pk,
    )
    assert case.attachments.count() == 1
    # The receipt, from the retry's answer: where the case landed and who will likely handle it.
    expect(done.locator(".done-place")).to_contain_text(grid.name)
    expect(done.locator(".done-route")).to_contain_text(suggest_department(case.category, grid).department.name)
    assert worker.evaluate("localStorage.getItem('gridgov.report.pending')") is None
    worker.screenshot(path=str(SHOTS / "e2e-report-done.png"))

    # 2. The dispatcher registers it and dispatches it to the suggested department.
    desk = open_as("e2e-dispatcher", 1280, 800)
    desk.goto(f"{live_server.url}/dispatch/")
    expect(desk.locator("#desk")).to_have_attribute("data-state", "ready")
    expect(desk.locator('.desk-tab[data-tab="new"] .tab-count')).to_have_text("1")
    desk.click(f'.queue tr[data-number="{number}"]')
    detail = desk.locator(".desk-detail")
    expect(detail).to_have_attribute("data-number", number)
    expect(detail.locator(".suggestion .suggested")).to_have_text(department.name)
    expect(desk.locator(f'.leaflet-interactive[data-number="{number}"]')).to_have_count(1)
    expect(detail.locator(".detail-photos img")).to_have_count(1)
    desk.screenshot(path=str(SHOTS / "e2e-dispatch-new.png"))
    desk.click('.action-btn[data-action="register"]')
    expect(detail).to_have_attribute("data-status", "registered")
    desk.click('.action-btn[data-action="dispatch"]')
    form = detail.locator('form.action-form[data-action="dispatch"]')
    expect(form.locator("select[name=department]")).to_have_value(department.code)
    desk.screenshot(path=str(SHOTS / "e2e-dispatch-form.png"))
    form.locator("[type=submit]").click()
    expect(detail).to_have_attribute("data-status", "dispatched")
    expect(detail.locator(".timeline .tl-item")).to_have_count(3)

    # 3. The handler accepts it and reports it handled, with a photo of the result.
    handler = open_as("e2e-handler", 1280, 800)
    handler.goto(f"{live_server.url}/handle/")
    expect(handler.locator("#desk")).to_have_attribute("data-state", "ready")
    handler.click(f'.queue tr[data-number="{number}"]')
    detail = handler.locator(".desk-detail")
    expect(detail).to_have_attribute("data-number", number)
    handler.click('.action-btn[data-action="accept"]')
    expect(detail).to_have_attribute("data-status", "handling")
    handler.click('.action-btn[data-action="report_handled"]')
    form = detail.locator('form.action-form[data-action="report_handled"]')
    form.locator("textarea[name=result]").fill("已清运垃圾并消杀，垃圾桶已更换")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "done.png", "mimeType": "image/png", "buffer": photo_png()}]
    )
    expect(form.locator(".photo-list img")).to_have_count(1)
    form.locator("[type=submit]").click()
    expect(detail).to_have_attribute("data-status", "handled")
    handler.screenshot(path=str(SHOTS / "e2e-handle.png"))

    # 4. The grid worker finds it in their list to verify, and passes it.
    worker.click(".report-sheet .sheet-close")
    worker.click(".report-mine")
    item = worker.locator(f'.list-verify .case-item[data-number="{number}"]')
    expect(item).to_be_visible()
    worker.screenshot(path=str(SHOTS / "e2e-verify.png"))
    item.locator(".verify-pass").click()
    expect(worker.locator(".report-toast")).to_be_visible()
    expect(item).to_have_count(0)

    # 5. The case page shows it closed on time, with every step in order.
    worker.goto(f"{live_server.url}/cases/{number}/")
    page = worker.locator("#case")
    expect(page).to_have_attribute("data-status", "closed")
    expect(page).to_have_attribute("data-map-ready", "1")
    expect(worker.locator("[data-closure]")).to_have_attribute("data-closure", "on_time")
    rows = worker.locator("#timeline .tl-item")
    expect(rows).to_have_count(6)
    assert [rows.nth(i).get_attribute("data-action") for i in range(6)] == [
        "report", "register", "dispatch", "accept", "report_handled", "verify_pass",
    ]
    who = [rows.nth(i).locator(".tl-who").inner_text() for i in range(6)]
    for row, name in zip(who, ["王网格", "李调度", "李调度", "张处置", "张处置", "王网格"]):
        assert name in row
    expect(rows.nth(2)).to_contain_text(department.name)
    expect(rows.nth(4).locator(".thumbs img")).to_have_count(1)
    worker.screenshot(path=str(SHOTS / "e2e-case.png"), full_page=True)

    case.refresh_from_db()
    assert (case.status, case.closure, case.department_id) == ("closed", "on_time", department.pk)
    assert list(case.events.values_list("action", flat=True)) == [
        "report", "register", "dispatch", "accept", "report_handled", "verify_pass",
    ]


def test_a_return_needs_a_reason_and_the_dispatcher_approves_it(story, open_as, live_server):
    from apps.cases.intake import report_case
    from apps.cases.workflow import transition

    point = story["point"]
    case, _ = report_case(by=story["worker"], category=story["category"], lon=point.x, lat=point.y,
                          description="井盖松动", notify=False)
    transition(case, "register", by=story["dispatcher"], notify=False)
    transition(case, "dispatch", by=story["dispatcher"], department=story["department"], notify=False)

    # The handler returns it: without a reason the form says so and nothing is sent.
    handler = open_as("e2e-handler", 1280, 800)
    handler.goto(f"{live_server.url}/handle/#{case.number}")
    detail = handler.locator(".desk-detail")
    expect(detail).to_have_attribute("data-status", "dispatched")
    handler.click('.action-btn[data-action="return"]')
    form = detail.locator('form.action-form[data-action="return"]')
    form.locator("[type=submit]").click()
    expect(form.locator(".form-error")).to_have_text("请填写理由。")
    case.refresh_from_db()
    assert case.status == "dispatched"
    form.locator("textarea[name=note]").fill("不属于本部门职责，应由住建部门处置")
    form.locator("[type=submit]").click()
    expect(detail).to_have_attribute("data-status", "return_requested")

    # The dispatcher finds it among the requests and approves: it is theirs to route again.
    desk = open_as("e2e-dispatcher", 1280, 800)
    desk.goto(f"{live_server.url}/dispatch/")
    desk.click('.desk-tab[data-tab="requests"]')
    desk.click(f'.queue tr[data-number="{case.number}"]')
    detail = desk.locator(".desk-detail")
    expect(detail.locator(".timeline .tl-item").last).to_contain_text("不属于本部门职责")
    desk.click('.action-btn[data-action="approve_return"]')
    expect(detail).to_have_attribute("data-status", "registered")
    expect(detail.locator('.action-btn[data-action="dispatch"]')).to_be_visible()
    case.refresh_from_db()
    assert (case.status, case.department_id) == ("registered", None)
    assert list(case.events.values_list("action", flat=True)) == [
        "report", "register", "dispatch", "return", "approve_return",
    ]
