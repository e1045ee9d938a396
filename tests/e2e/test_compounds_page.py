"""/compounds/ in real Chromium, against the real plans API and a real Celery worker.

An administrator asks for a zoning plan of one community, moves a compound to
another zone by clicking it and then a compound of that zone on the (canvas)
map, sees the quality report change, applies the draft, and finds the new zone
on /map/. Nothing is mocked: the job runs on a Celery worker of the test's own
with a Redis of its own (tests/celery_helpers.py). Screenshots: /tmp/compounds*.png.
"""

import math
import re

import pytest
from celery_helpers import broker, use_broker, worker, worker_db  # noqa: F401 (fixtures)
from django.contrib.auth import get_user_model
from django.db.models import Count
from playwright.sync_api import expect

from apps.areas.models import Community
from apps.compounds.models import Compound, Zone
from apps.people.models import Person, Role

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-compounds-pw-1"
IDLE = "() => { const r = document.getElementById('zp'); return r && r.dataset.busy === '0' && r.dataset.moving === '0'; }"
MAP_IDLE = (
    "() => { const s = document.getElementById('map-shell');"
    " return s && +s.dataset.cycles > %d && s.dataset.pending === '0' && s.dataset.scheduled === '0'; }"
)
BAND_M = 200
# Content-Security-Policy violations, collected in the page (the init script runs outside its policy).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.effectiveDirective} ${e.sample}`));
"""
JOB_SECONDS = 60_000  # ms; the job itself takes well under a second, the worker's first task imports more


@pytest.fixture(scope="module")
def live_worker(broker, worker):
    """The module's shared worker, with this process (and so the live server) publishing to its Redis."""
    with use_broker(broker.url):
        yield worker


@pytest.fixture
def admin(district, live_worker, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(CSP_LISTENER)
    user = get_user_model().objects.create_user("e2e-zp-admin", password=PASSWORD)
    Person.objects.create(code="E2E-ZP-ADMIN", name="规划管理员", role=Role.ADMINISTRATOR, user=user)
    yield user
    assert errors == [], f"the page raised JavaScript errors: {errors}"
    # Leave no request of the live server running into the flush after the test.
    page.goto("about:blank")


def scene():
    """A community with at least three zones in force, and its compounds in metres (EPSG:4547)."""
    community = (
        Community.objects.annotate(n=Count("zones", distinct=True)).filter(n__gte=3).order_by("-n", "code").first()
    )
    compounds = list(Compound.objects.filter(community=community).select_related("zone"))
    return community, {c.code: c for c in compounds}, {c.code: c.geom.transform(4547, clone=True) for c in compounds}


def connected(codes, metres, band=BAND_M):
    codes = list(codes)
    if not codes:
        return False
    seen, todo = {codes[0]}, [codes[0]]
    while todo:
        here = todo.pop()
        for other in codes:
            if other not in seen and metres[here].distance(metres[other]) <= band:
                seen.add(other)
                todo.append(other)
    return len(seen) == len(codes)


def a_legal_move(draft_zone, in_force, metres):
    """(compound, compound of the zone it moves to), biggest first.

    The move keeps both zones connected (a broken one would rightly be refused on
    apply), and the two compounds are in different zones in force too, so the
    compound ends in another zone than the one it is in now.
    """
    members = {}
    for code, key in draft_zone.items():
        members.setdefault(key, set()).add(code)
    for code in sorted(metres, key=lambda c: -metres[c].area):
        rest = members[draft_zone[code]] - {code}
        if not connected(rest, metres):
            continue
        near = [
            o for o in metres
            if draft_zone[o] != draft_zone[code] and in_force[o] != in_force[code]
            and metres[code].distance(metres[o]) <= BAND_M / 2
        ]
        if near:
            return code, max(near, key=lambda o: metres[o].area)
    raise AssertionError("no compound can move to a neighbouring zone and keep both zones connected")


def mercator(lon, lat):
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def screen_point(page, point):
    """The page coordinates of a WGS84 point on the canvas map (its frame is on #zp as data-bounds/size)."""
    page.wait_for_function(
        "() => { const m = document.getElementById('zp-map'); const [w, h] = document.getElementById('zp')"
        ".dataset.size.split(',').map(Number); return w === m.clientWidth && h === m.clientHeight; }"
    )
    south, west, north, east = map(float, page.locator("#zp").get_attribute("data-bounds").split(","))
    width, height = map(int, page.locator("#zp").get_attribute("data-size").split(","))
    box = page.locator("#zp-map").bounding_box()
    x0, y0 = mercator(west, north)
    x1, y1 = mercator(east, south)
    x, y = mercator(point.x, point.y)
    return box["x"] + (x - x0) / (x1 - x0) * width, box["y"] + (y0 - y) / (y0 - y1) * height


def click_compound(page, compound):
    x, y = screen_point(page, compound.geom.point_on_surface)
    page.mouse.click(x, y)


def report_text(page):
    return page.locator("#zp-report tbody").inner_text()


def test_plan_move_apply_and_see_the_new_zone_on_the_map(page, live_server, admin):
    community, compounds, metres = scene()
    page.set_viewport_size({"width": 1366, "height": 820})
    page.goto(f"{live_server.url}/compounds/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/compounds/"))
    page.fill("#id_username", "e2e-zp-admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#zp")).to_have_attribute("data-ready", "1")
    expect(page.locator("#zp")).to_have_attribute("data-drawn", str(Compound.objects.count()))
    expect(page.locator("h1")).to_contain_text("无主管楼院片区")
    expect(page.locator(".nav-compounds.current")).to_have_text("片区规划")
    # One canvas per pane, no DOM node per compound.
    assert page.locator("#zp-map path").count() == 0
    assert page.locator("#zp-map canvas").count() >= 2

    # 1. Ask for a plan of the community with as many zones as it has now; the worker makes it.
    n_zones = community.zones.count()
    page.select_option("#zp-scope", community.code)
    expect(page.locator("#zp-target")).to_have_value(str(n_zones))
    page.click("#zp-plan-submit")
    expect(page.locator("#zp")).to_have_attribute("data-plan-status", "ready", timeout=JOB_SECONDS)
    expect(page.locator("#zp-draft-title")).to_contain_text(community.name)
    expect(page.locator("#zp-report tr[data-metric=zones] td.draft")).to_have_text(str(n_zones))
    expect(page.locator("#zp-report tr[data-metric=crossings] td.draft")).to_have_text("0")
    page.wait_for_function(IDLE)

    # 2. Move the biggest compound into the zone of the biggest compound of another draft zone.
    plan_url = f"/api/compounds/plans/{page.locator('#zp').get_attribute('data-plan')}/compounds/"
    draft = page.evaluate(f"fetch('{plan_url}').then((r) => r.json())")
    draft_zone = {f["properties"]["code"]: f["properties"]["zone"] for f in draft["features"]}
    in_force = {code: c.zone_id for code, c in compounds.items()}
    moving, target = (compounds[code] for code in a_legal_move(draft_zone, in_force, metres))
    before = report_text(page), page.locator("#zp-diff").inner_text()
    click_compound(page, moving)
    expect(page.locator("#zp")).to_have_attribute("data-selected", moving.code)
    expect(page.locator("#zp-selected")).to_contain_text(moving.name)
    click_compound(page, target)
    expect(page.locator("#zp")).to_have_attribute("data-moves", "1")
    expect(page.locator("#zp-message")).to_contain_text(moving.name)
    page.wait_for_function(IDLE)
    assert report_text(page) != before[0], "the quality report did not change"
    # The diff against the zones in force follows (which compounds count as moved depends on
    # which zone in force each draft zone inherits from, so only the change is certain).
    assert page.locator("#zp-diff").inner_text() != before[1], "the diff did not change"
    page.screenshot(path="/tmp/compounds-draft.png")

    # 3. Apply, confirming in the dialog.
    old_zone = moving.zone.code
    page.click("#zp-apply")
    expect(page.locator("#zp-confirm")).to_be_visible()
    page.click("#zp-confirm-ok")
    expect(page.locator("#zp-message")).to_contain_text("已应用", timeout=JOB_SECONDS)
    expect(page.locator("#zp")).to_have_attribute("data-plan-status", "applied")
    moved = Compound.objects.select_related("zone").get(pk=moving.pk)
    target = Compound.objects.select_related("zone").get(pk=target.pk)
    assert moved.zone_id == target.zone_id
    new_zone = moved.zone

    # Back on the zones in force: a click shows the compound's new zone and its cadres on the map.
    page.wait_for_function(IDLE)
    click_compound(page, moved)
    expect(page.locator(".leaflet-popup .zp-popup")).to_contain_text(new_zone.code)
    cadres = new_zone.assignments.count()
    expect(page.locator(".zp-popup .zp-cadre-table tbody tr")).to_have_count(cadres)
    assert page.evaluate("() => window.__csp") == [], "the page broke its Content-Security-Policy"

    # 4. /map/ shows the new zone in force around the moved compound.
    centre = moved.geom.point_on_surface
    page.goto(f"{live_server.url}/map/#17/{centre.y:.6f}/{centre.x:.6f}")
    page.wait_for_function(MAP_IDLE % 0)
    expect(page.locator(f'path.layer-zones[data-code="{new_zone.code}"]')).to_have_count(1)
    if not Zone.objects.filter(code=old_zone).exists():
        expect(page.locator(f'path.layer-zones[data-code="{old_zone}"]')).to_have_count(0)
    page.locator(f'path.layer-compounds[data-code="{moved.code}"]').click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(new_zone.name)
    page.screenshot(path="/tmp/compounds-map.png")
