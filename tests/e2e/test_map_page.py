"""The map page in real Chromium: layers drawn from the API, popups, tap-to-locate, language, phone size.

No base tiles anywhere (the default basemap is "none"; the Amap test blocks tile requests).
Screenshots go to /tmp/map*.png for a person to look at.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from apps.areas.gcj02 import wgs84_to_gcj02
from apps.areas.models import Community, Grid
from apps.compounds.models import Compound

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-map-pw-1"
POPUP_SHOWN = "() => { const p = document.querySelector('.leaflet-popup'); return p && getComputedStyle(p).opacity === '1'; }"
IDLE = (
    "() => { const s = document.getElementById('map-shell');"
    " return s && +s.dataset.cycles > %d && s.dataset.pending === '0' && s.dataset.scheduled === '0'; }"
)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # An English browser: the page must still open in Chinese (the language
    # comes from the switch only, gridgov.middleware.SwitchLanguageMiddleware).
    return {**browser_context_args, "locale": "en-US"}


@pytest.fixture
def user(district, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield get_user_model().objects.create_user("e2e-map", password=PASSWORD)
    assert errors == [], "the page raised JavaScript errors"
    # Let the last layer requests finish, then leave: the flush after the test
    # must not meet a query of the live server (SQLite locks the whole table).
    if page.url.split("#")[0].endswith("/map/"):
        wait_idle(page)
    page.goto("about:blank")


def log_in(page, live_server):
    page.goto(f"{live_server.url}/map/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/map/"))
    expect(page.locator("h1")).to_have_text("网格化治理平台")
    page.fill("#id_username", "e2e-map")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/map/(#.*)?$"))
    wait_idle(page)


def cycles(page):
    return int(page.locator("#map-shell").get_attribute("data-cycles") or 0)


def wait_idle(page, after=0):
    page.wait_for_function(IDLE % after)


def go_to(page, zoom, point):
    """Jump to zoom/point (WGS84) through the address hash, and wait for the layers."""
    before = cycles(page)
    page.evaluate(f"location.hash = '#{zoom}/{point.y:.6f}/{point.x:.6f}'")
    wait_idle(page, before)


def inner_point(queryset, margin):
    """An object whose bounding-box centre lies inside it, `margin` degrees from its edge.

    Playwright clicks the middle of an SVG path's box; this picks shapes where that is inside.
    """
    for obj in queryset:
        xmin, ymin, xmax, ymax = obj.geom.extent
        centre = Point((xmin + xmax) / 2, (ymin + ymax) / 2, srid=4326)
        if obj.geom.contains(centre) and obj.geom.boundary.distance(centre) > margin:
            return obj, centre
    raise AssertionError("no shape with an inner bounding-box centre")


def located_grid(page):
    located = page.locator(".leaflet-popup-content .located-grid")
    expect(located).to_have_text(re.compile(r"^\d{15}$"))
    return located.inner_text()


def test_map_draws_every_layer_opens_popups_locates_and_speaks_english(page, live_server, user):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server)

    # District view: every sub-district and village/community, no grids yet.
    expect(page.locator("path.layer-communities")).to_have_count(214)
    expect(page.locator("path.layer-subdistricts")).to_have_count(17)
    expect(page.locator("path.layer-communities.kind-village")).to_have_count(40)
    assert page.locator("path.layer-grids").count() == 0
    expect(page.locator(".map-hint")).to_contain_text("网格")
    expect(page.locator(".label-subdistricts span >> visible=true").first).to_be_visible()
    assert page.locator(".leaflet-tile-pane .leaflet-layer, img.leaflet-tile").count() == 0
    page.screenshot(path="/tmp/map.png")

    # A community's popup holds its facts in Chinese.
    community, _centre = inner_point(
        Community.objects.select_related("subdistrict", "branch").order_by("code"), margin=0.004
    )
    page.locator(f'path.layer-communities[data-code="{community.code}"]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(community.name)
    expect(popup).to_contain_text(community.code)
    expect(popup).to_contain_text(community.subdistrict.name)
    expect(popup).to_contain_text(community.branch.name)
    expect(popup).to_contain_text("户数")
    page.wait_for_function(POPUP_SHOWN)  # after the fade-in, for the screenshot
    page.screenshot(path="/tmp/map-popup.png")
    page.keyboard.press("Escape")

    # Close up: grids, zones and compounds appear, with grid labels instead of community ones.
    compound = Compound.objects.order_by("code").first()
    go_to(page, 16, compound.geom.point_on_surface)
    expect(page.locator(f'path.layer-compounds[data-code="{compound.code}"]')).to_have_count(1)
    expect(page.locator(f'path.layer-zones[data-code="{compound.zone.code}"]')).to_have_count(1)
    for layer in ("grids", "zones", "compounds"):
        assert page.locator(f"path.layer-{layer}").count() > 0, layer
    expect(page.locator(".label-grids span >> visible=true").first).to_be_visible()
    assert page.locator(".label-communities").count() == 0
    assert page.locator(".label-subdistricts").count() == 0
    expect(page.locator(".map-hint")).to_be_hidden()
    page.screenshot(path="/tmp/map-zoom.png")

    # Tap-to-locate: the middle of a grid answers with that grid.
    grid, centre = inner_point(Grid.objects.filter(community=compound.community).order_by("code"), margin=0.0008)
    go_to(page, 16, centre)
    box = page.locator(f'path.layer-grids[data-code="{grid.code}"]').bounding_box()
    page.click(".locate-tap")
    expect(page.locator("#map-shell")).to_have_class(re.compile(r"\blocating\b"))
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert located_grid(page) == grid.code
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(grid.community.name)
    expect(popup).to_contain_text(grid.community.subdistrict.name)
    page.wait_for_function(POPUP_SHOWN)
    page.screenshot(path="/tmp/map-locate.png")

    # English, by the switch in the header.
    page.click(".lang-switch")
    expect(page.locator(".brand-name")).to_have_text("Grid Governance Platform")
    wait_idle(page)
    layer_names = page.locator(".leaflet-control-layers-overlays").inner_text()
    for name in ("Sub-districts", "Villages/communities", "Grids", "Zones", "Unmanaged compounds"):
        assert name in layer_names
    expect(page.locator(".map-legend")).to_contain_text("Legend")
    page.locator(f'path.layer-communities[data-code="{community.code}"]').click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Households")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Party branch")
    page.wait_for_function(POPUP_SHOWN)
    page.screenshot(path="/tmp/map-en.png")


def test_map_fits_a_phone(page, live_server, user):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server)
    expect(page.locator("path.layer-communities")).to_have_count(214)
    # The switcher folds into a button; header and map share the screen with no scrolling.
    expect(page.locator(".leaflet-control-layers-toggle")).to_be_visible()
    assert page.locator(".leaflet-control-layers-expanded").count() == 0
    assert page.evaluate("document.documentElement.scrollHeight") <= 844
    map_box = page.locator("#map").bounding_box()
    assert map_box["height"] > 700 and map_box["width"] == 390
    # Labels that would collide are hidden, the biggest sub-districts keep theirs.
    boxes = page.eval_on_selector_all(
        ".label-subdistricts span:not(.label-hidden)",
        "spans => spans.map(s => { const r = s.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })",
    )
    assert 5 <= len(boxes) <= 17
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    page.screenshot(path="/tmp/map-phone.png")
    page.hover(".leaflet-control-layers")  # Leaflet opens it on hover (and on tap)
    expect(page.locator(".leaflet-control-layers-expanded")).to_be_visible()
    page.screenshot(path="/tmp/map-phone-layers.png")


def test_amap_basemap_shifts_shapes_onto_gcj02_and_taps_back(page, live_server, user, settings):
    settings.GRIDGOV_BASEMAP = "amap"
    page.route(re.compile(r"autonavi\.com"), lambda route: route.abort())  # no internet; no tiles needed
    page.set_viewport_size({"width": 800, "height": 700})
    log_in(page, live_server)
    expect(page.locator(".leaflet-tile-pane .leaflet-layer")).to_have_count(1)

    # The browser's transform is the server's, to the last digits.
    points = [(121.5272106, 31.1774276), (113.68, 34.80), (113.5, 34.9), (2.35, 48.85)]
    in_browser = page.evaluate(
        "async (points) => { const m = await import('/static/js/gcj02.js');"
        " return points.map(([x, y]) => [m.wgs84ToGcj02(x, y), m.gcj02ToWgs84(...m.wgs84ToGcj02(x, y))]); }",
        points,
    )
    for (lon, lat), (forward, back) in zip(points, in_browser):
        assert forward == pytest.approx(wgs84_to_gcj02(lon, lat), abs=1e-12)
        assert back == pytest.approx((lon, lat), abs=1e-8)

    # A tap in the middle of a drawn (shifted) grid lands in that grid once shifted back.
    grid, centre = inner_point(Grid.objects.order_by("code"), margin=0.0008)
    go_to(page, 16, centre)
    box = page.locator(f'path.layer-grids[data-code="{grid.code}"]').bounding_box()
    page.click(".locate-tap")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert located_grid(page) == grid.code
