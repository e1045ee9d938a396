"""The report sheet without signal, in real Chromium with its service worker.

A grid worker loads the map page (the service worker installs, the page, its
files and the layers of the worker's own grids go into the caches), loses the
signal, reloads (the page comes from the cache), places two reports on the map
(the grid is found in the saved layers), one with a large photo that the phone
shrinks, reloads again, and gets the signal back: exactly two cases arrive,
the list on the sheet shows both sent, and the shrunk photo still carries its
EXIF time and GPS. A report the server refuses once the signal is back (the
worker's grids changed meanwhile) stays on the phone with the server's
message; the worker moves its point and sends it again, or discards it.
"""

import io
import re
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from e2e_cast import PASSWORD, inner_grids, person
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from apps.cases.intake import MAX_PHOTO_BYTES
from apps.cases.models import Case, Category
from apps.people.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/f")
MAP_IDLE = (
    "(after) => { const s = document.getElementById('map-shell');"
    " return s && +s.dataset.cycles > after && s.dataset.pending === '0' && s.dataset.scheduled === '0'; }"
)
TAKEN = "2026:12:06 09:30:00"


def big_photo_with_exif():
    """A 2400x1800 JPEG over 5 MB (grainy, as a phone's night shot), on its side (Orientation 6), with time and GPS.

    Larger than the server takes per photo: the sheet must shrink it, not refuse it.
    """
    grain = np.random.default_rng(7).integers(0, 256, (1800, 2400, 3), dtype=np.uint8)
    image = Image.fromarray(grain)
    ImageDraw.Draw(image).ellipse([600, 300, 1800, 1500], fill=(220, 190, 60))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0x9003] = TAKEN
    exif.get_ifd(0x8825).update({1: "N", 2: (34.0, 45.0, 30.0), 3: "E", 4: (113.0, 40.0, 12.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=100)
    return buffer.getvalue()


@pytest.fixture
def story(district, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_cases", verbosity=0)
    (grid, point), (other, other_point) = inner_grids(2)
    return {
        "grid": grid, "point": point, "other": other, "other_point": other_point,
        "category": Category.objects.get(code="E0101"),
        "worker": person("of-worker", Role.GRID_WORKER, name="赵网格", grids=[grid]),
    }


def log_in(page, username):
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/map/"))


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page of a fresh context, logged in as the grid worker through the form."""
    assert live_server.url.startswith("http://localhost:"), "service workers need a secure context: localhost"
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "of-worker")
    yield page
    assert errors == [], "the page raised JavaScript errors"
    context.set_offline(False)
    page.goto("about:blank")
    context.close()


def open_at(page, point):
    """Close in on a point through the address hash and wait for the layers of that view.

    Through zoom 16 first: the sheet may have panned the map since the hash was
    last set, and setting the same hash again would not move it back."""
    page.wait_for_function(MAP_IDLE, arg=0)
    for zoom in (16, 17):
        before = int(page.locator("#map-shell").get_attribute("data-cycles"))
        page.evaluate(f"location.hash = '#{zoom}/{point.y:.6f}/{point.x:.6f}'")
        page.wait_for_function(MAP_IDLE, arg=before)


def ready(page):
    expect(page.locator("#report")).to_have_attribute("data-ready", "1")
    expect(page.locator("#report")).to_have_attribute("data-queue", "ready")
    expect(page.locator("select[name=category]")).to_have_attribute("data-loaded", "1")


def tap_centre(page):
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def report_offline(page, story, description, photos=(), start=".report-start"):
    open_at(page, story["point"])
    page.click(start)
    expect(page.locator("#map-shell")).to_have_class(re.compile(r"\blocating\b"))
    tap_centre(page)
    place = page.locator(".report-place")
    # Without signal the service worker finds the grid in the saved layers of the own area.
    expect(place).to_have_attribute("data-state", "offline")
    expect(place).to_have_attribute("data-grid", story["grid"].code)
    page.select_option("select[name=category]", story["category"].code)
    page.fill("textarea[name=description]", description)
    if photos:
        page.set_input_files(".report-form input[type=file]", files=list(photos))
    page.click(".report-send")
    expect(page.locator(".report-queued")).to_be_visible()


def outbox(page):
    return page.locator(".outbox-item")


def go_offline_with_the_page_cached(page, story):
    open_at(page, story["point"])
    ready(page)
    report = page.locator("#report")
    expect(report).to_have_attribute("data-offline", "ready", timeout=20_000)
    assert int(report.get_attribute("data-offline-features")) > 0
    page.context.set_offline(True)
    # The page really works without signal: a reload comes from the service worker's cache.
    page.reload()
    ready(page)
    assert page.evaluate("() => navigator.onLine") is False
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(MAP_IDLE, arg=0)
    assert int(page.locator("#map-shell").get_attribute("data-count-grids") or 0) > 0


def test_two_reports_made_without_signal_arrive_once_each_when_it_returns(story, phone):
    SHOTS.mkdir(exist_ok=True)
    go_offline_with_the_page_cached(phone, story)

    photo = {"name": "spot.jpg", "mimeType": "image/jpeg", "buffer": big_photo_with_exif()}
    assert len(photo["buffer"]) > MAX_PHOTO_BYTES
    report_offline(phone, story, "东门路灯不亮，晚上一片漆黑", photos=[photo])
    report_offline(phone, story, "3号楼下井盖缺失，有人差点踩空", start=".report-queued .report-again")
    phone.screenshot(path=str(SHOTS / "e2e-offline-queued.png"))

    # Reloaded without signal: both still wait on the phone, and nothing reached the server.
    phone.reload()
    ready(phone)
    expect(phone.locator(".report-mine .outbox-count")).to_have_text("2")
    phone.click(".report-mine")
    expect(outbox(phone)).to_have_count(2)
    expect(phone.locator('.outbox-item[data-status="queued"]')).to_have_count(2)
    expect(outbox(phone).first).to_contain_text("井盖缺失")
    assert Case.objects.count() == 0
    client_ids = set(phone.locator(".outbox-item").evaluate_all("(items) => items.map((i) => i.dataset.clientId)"))

    # The signal returns: the queue sends itself, each report once.
    phone.context.set_offline(False)
    expect(phone.locator('.outbox-item[data-status="sent"]')).to_have_count(2, timeout=20_000)
    expect(phone.locator(".report-mine .outbox-count")).to_be_hidden()
    phone.screenshot(path=str(SHOTS / "e2e-offline-sent.png"))
    cases = list(Case.objects.order_by("reported_at"))
    assert len(cases) == 2
    assert {str(c.client_id) for c in cases} == client_ids
    assert {c.grid_id for c in cases} == {story["grid"].pk}
    assert all(c.reporter_id == story["worker"].pk for c in cases)
    for case in cases:
        expect(phone.locator(f'.outbox-item[data-number="{case.number}"] a.num')).to_have_text(case.number)

    # The list on the sheet also shows them among the worker's cases from the server.
    expect(phone.locator(".list-mine .case-item")).to_have_count(2)

    # The photo was shrunk on the phone and kept its EXIF: time, GPS, and upright.
    with_photo = next(c for c in cases if "路灯" in c.description)
    (attachment,) = with_photo.attachments.all()
    with Image.open(attachment.file.path) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 1600 and image.size == (1200, 1600)  # turned upright from Orientation 6
        exif = image.getexif()
        assert exif.get(0x0112) == 1
        assert exif.get_ifd(0x8769).get(0x9003) == TAKEN
        gps = exif.get_ifd(0x8825)
        assert gps.get(1) == "N" and [float(v) for v in gps.get(2)] == [34.0, 45.0, 30.0]
    assert attachment.size < len(photo["buffer"]) * 4
    assert not cases[1].attachments.exists()

    # A reload with signal sends nothing again.
    phone.reload()
    ready(phone)
    assert Case.objects.count() == 2


def test_a_queued_report_the_server_refuses_stays_with_its_message_until_moved_or_discarded(story, phone):
    go_offline_with_the_page_cached(phone, story)
    report_offline(phone, story, "路边垃圾堆放，需要清运")
    report_offline(phone, story, "人行道护栏损坏", start=".report-queued .report-again")

    # Meanwhile the worker's grids change: the place is no longer theirs to report.
    story["worker"].grids.set([story["other"]])
    phone.context.set_offline(False)
    phone.click(".report-queued .show-outbox")
    failed = phone.locator('.outbox-item[data-status="failed"]')
    expect(failed).to_have_count(2, timeout=20_000)
    expect(failed.first.locator(".ob-message")).to_contain_text(story["grid"].name)
    expect(failed.first.locator(".ob-message")).to_contain_text("不在您负责的网格内")
    assert Case.objects.count() == 0

    # Not lost on a reload: still there, with the message.
    phone.reload()
    ready(phone)
    expect(phone.locator(".report-mine .outbox-count")).to_have_text("2")
    phone.click(".report-mine")
    expect(failed).to_have_count(2)
    phone.screenshot(path=str(SHOTS / "e2e-offline-refused.png"))

    # A colleague signs in on the same phone: the caches are emptied, and the
    # first worker's reports are neither shown to them nor sent under their name.
    person("of-colleague", Role.GRID_WORKER, name="钱网格", grids=[story["other"]])
    phone.click("button.logout")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    phone.wait_for_function(
        "async () => !(await caches.has('gridgov-pages-v1')) && !(await caches.has('gridgov-area-v1'))"
        " && !(await caches.has('gridgov-api-v1'))"
    )
    log_in(phone, "of-colleague")
    ready(phone)
    expect(phone.locator("#report")).to_have_attribute("data-waiting", "0")
    expect(outbox(phone)).to_have_count(0)
    expect(phone.locator(".report-mine .outbox-count")).to_be_hidden()
    phone.click("button.logout")
    log_in(phone, "of-worker")
    ready(phone)
    expect(phone.locator(".report-mine .outbox-count")).to_have_text("2")
    phone.click(".report-mine")
    expect(failed).to_have_count(2)
    assert Case.objects.count() == 0

    # One is moved to a point in the worker's grid now and sent again ...
    moved = phone.locator(".outbox-item", has_text="护栏损坏")
    client_id = moved.get_attribute("data-client-id")
    moved.locator(".ob-move").click()
    expect(phone.locator(".mine-sheet")).to_be_hidden()
    open_at(phone, story["other_point"])
    tap_centre(phone)
    sent = phone.locator(f'.outbox-item[data-client-id="{client_id}"][data-status="sent"]')
    expect(sent).to_have_count(1, timeout=20_000)
    case = Case.objects.get()
    assert (str(case.client_id), case.grid_id, case.description) == (client_id, story["other"].pk, "人行道护栏损坏")
    expect(sent.locator("a.num")).to_have_text(case.number)

    # ... the other is discarded by the worker.
    left = phone.locator(".outbox-item", has_text="垃圾堆放")
    expect(left).to_have_attribute("data-status", "failed")
    left.locator(".ob-discard").click()
    expect(phone.locator(".outbox-item", has_text="垃圾堆放")).to_have_count(0)
    expect(phone.locator(".report-mine .outbox-count")).to_be_hidden()
    assert Case.objects.count() == 1


def test_the_earlier_sheets_unsent_report_joins_the_queue_and_a_refusal_with_signal_stays_in_the_form(story, phone):
    """One mechanism: the earlier sheet's unconfirmed report (localStorage) is moved into the queue and sent with its id."""
    ready(phone)
    client_id = "6f1c2b9e-3d4a-4b8c-9e2f-0a1b2c3d4e5f"
    point = story["point"]
    pending = {
        "client_id": client_id, "category": story["category"].code, "description": "旧版页面未确认的上报",
        "address": "", "lon": f"{point.x:.7f}", "lat": f"{point.y:.7f}", "saved_at": "2026-12-06T01:00:00Z",
    }
    phone.evaluate("(p) => localStorage.setItem('gridgov.report.pending', JSON.stringify(p))", pending)
    phone.reload()
    ready(phone)
    phone.click(".report-mine")
    expect(phone.locator(f'.outbox-item[data-client-id="{client_id}"][data-status="sent"]')).to_have_count(1)
    assert phone.evaluate("() => localStorage.getItem('gridgov.report.pending')") is None
    case = Case.objects.get()
    assert (str(case.client_id), case.description, case.grid_id) == (client_id, "旧版页面未确认的上报", story["grid"].pk)
    phone.reload()
    ready(phone)
    assert Case.objects.count() == 1

    # With signal, a report the server refuses stays in the form for the worker to correct; the queue keeps no copy.
    open_at(phone, story["other_point"])
    phone.click(".report-start")
    tap_centre(phone)
    expect(phone.locator(".report-place")).to_have_attribute("data-state", "ok")
    phone.select_option("select[name=category]", story["category"].code)
    phone.fill("textarea[name=description]", "别人网格里的问题")
    phone.click(".report-send")
    expect(phone.locator(".report-form .form-error")).to_contain_text("不在您负责的网格内")
    expect(phone.locator("textarea[name=description]")).to_have_value("别人网格里的问题")
    expect(phone.locator(".outbox-item")).to_have_count(1)
    expect(phone.locator("#report")).to_have_attribute("data-waiting", "0")
    assert Case.objects.count() == 1
