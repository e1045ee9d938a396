"""Every page under the Content-Security-Policy in real Chromium, with no violation (issue 11).

An administrator logs in through the form and opens each page the URL conf
serves (found by walking it: every route outside /api/, /open311/, /admin/,
/accounts/ and /i18n/ that renders HTML, with a case number or a branch's code
filled in from real rows; a route with other parameters is left to its own
page's tests), plus the admin index, the API docs and the login page; a page
the administrator may not open (the handlers' desk) is opened by a handler. A page passes when the
response carries the policy, the browser reports no `securitypolicyviolation`
event and no CSP message on the console, and no script error, after the page
has settled (its own requests answered, its lists and maps drawn).
"""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import expect

from apps.areas.models import Grid
from apps.cases.intake import report_case
from apps.cases.models import Category
from apps.cases.workflow import transition
from apps.people.models import Department, Person, Role
from apps.stars.models import Branch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-csp-pw-1"
SKIPPED_PREFIXES = ("api/", "open311/", "admin/", "accounts/", "i18n/")
ALSO = ["/admin/", "/api/docs/"]
# Collect violations in the page itself (the init script runs outside the page's CSP).
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
});
"""


def page_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from page_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if route and not route.startswith(SKIPPED_PREFIXES) and not route.endswith((".xlsx", ".csv")):
                yield route


def fill(route, values):
    """The route with its parameters filled in, or None when one has no value here."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if any(name not in values for name in names):
        return None
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), route)


@pytest.fixture
def scene(district):
    call_command("seed_cases", verbosity=0)
    call_command("seed_stars", verbosity=0)
    grid = Grid.objects.order_by("code").first()
    worker = Person.objects.create(code="E2E-CSP-W", name="网格员甲", role=Role.GRID_WORKER)
    worker.grids.set([grid])
    point = grid.geom.point_on_surface
    case, _ = report_case(by=worker, category=Category.objects.get(code="E0101"), lon=point.x, lat=point.y,
                          description="路边暴露垃圾")
    # Dispatched, so the desks, the case page and the ranking's bars have something to draw.
    centre = Person.objects.create(code="E2E-CSP-D", name="调度员", role=Role.DISPATCHER)
    department = Department.objects.get(name="区城市管理局")
    transition(case, "register", by=centre)
    transition(case, "dispatch", by=centre, department=department)
    user = User.objects.create_superuser("e2e-csp", password=PASSWORD)
    Person.objects.create(user=user, code="E2E-CSP-A", name="管理员", role=Role.ADMINISTRATOR)
    handler = User.objects.create_user("e2e-csp-handler", password=PASSWORD)
    Person.objects.create(user=handler, code="E2E-CSP-H", name="处置员", role=Role.HANDLER,
                          department=department)
    branch = Branch.objects.select_related("community").order_by("community__code").first()
    return {"number": case.number, "code": branch.community.code}


@pytest.fixture
def watched(page):
    """The page, with every CSP violation, CSP console message and script error collected."""
    problems = []
    page.add_init_script(LISTEN)
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page, problems
    page.goto("about:blank")


def visit(page, url):
    """The violations seen on `url`, or None when the person logged in may not open it (403)."""
    response = page.goto(url)
    if response.status == 403:
        return None
    assert response.ok, f"{url} answered {response.status}"
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, f"{url} has no CSP: {policy!r}"
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # let the last answers be drawn (lists, charts, map labels)
    return page.evaluate("window.__csp")


def log_in(page, live_server, username):
    page.context.clear_cookies()
    violations = visit(page, f"{live_server.url}/accounts/login/")
    assert violations == [], violations
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/map/"))


def test_every_page_passes_the_content_security_policy(scene, live_server, watched):
    page, problems = watched
    log_in(page, live_server, "e2e-csp")

    urls = sorted({fill(route, scene) for route in page_routes()} - {None} | set(ALSO))
    for required in ("/map/", "/dispatch/", "/handle/", f"/cases/{scene['number']}/", "/inbox/", "/evaluation/",
                     "/stars/", "/dashboard/", "/admin/", "/api/docs/"):
        assert required in urls
    seen = {url: visit(page, live_server.url + url) for url in urls}
    # The handlers' desk is not the administrator's (no department): a handler opens it.
    refused = [url for url, found in seen.items() if found is None]
    assert "/handle/" in refused
    log_in(page, live_server, "e2e-csp-handler")
    seen.update({url: visit(page, live_server.url + url) for url in refused})
    assert [url for url, found in seen.items() if found is None] == [], "pages neither test person may open"
    assert {url: found for url, found in seen.items() if found} == {}
    assert problems == []
    # The pages really ran under the policy: the map drew its layers with the nonce'd set-up
    # script, Swagger UI its operations from the split view's script and the sidecar's files.
    visit(page, f"{live_server.url}/map/")
    expect(page.locator("#map .leaflet-pane path").first).to_be_attached()
    visit(page, f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.evaluate("window.__csp") == []


def test_the_dashboards_tooltips_pass_the_policy(scene, live_server, watched):
    """Tooltips are drawn on hover, after the page has settled: the charts' and the map's."""
    page, problems = watched
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "e2e-csp")
    assert visit(page, f"{live_server.url}/dashboard/") == []
    page.wait_for_selector("#dashboard[data-charts='1']")
    for chart in ("#chart-progress", "#chart-ranking", "#chart-trend"):
        # ECharts' own API shows the first bar's tooltip: the same HTML a hover writes, without aiming a mouse.
        page.evaluate(
            "(sel) => echarts.getInstanceByDom(document.querySelector(sel))"
            ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})",
            chart,
        )
        # The tooltip is the only text in the chart, beside the canvas. (A function, not an expression:
        # Playwright evaluates an expression with eval, which the CSP refuses.)
        page.wait_for_function(f"() => document.querySelector('{chart}').innerText.trim() !== ''")
    # Sweep the map until the pointer is over a community (labels and gaps take some spots).
    box = page.locator("#dash-map").bounding_box()
    spots = [(box["x"] + box["width"] * i / 8, box["y"] + box["height"] * j / 8) for i in range(2, 7) for j in range(2, 7)]
    for x, y in spots:
        page.mouse.move(x, y, steps=3)
        if page.locator(".leaflet-tooltip.dash-tip").count():
            break
    expect(page.locator(".leaflet-tooltip.dash-tip .tip-level")).to_be_visible()
    assert page.evaluate("window.__csp") == []
    assert problems == []
