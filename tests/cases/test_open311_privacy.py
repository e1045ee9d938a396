"""Sensitive cases stay off the public feed (issue 11).

A public street case (暴露垃圾) and a private governance case (邻里纠纷) in the same
grid, both being handled: every anonymous Open311 answer shows the first (its place
snapped to about 50 m, no names) and never the second. Then every route of the URL
conf is tried without a login: each either refuses (401/403/404/405, or a redirect
to the login page) or answers with nothing operational in it.
"""

import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from apps.cases import defaults
from apps.cases.models import Case, Category
from apps.cases.open311 import PUBLIC_STEP
from apps.compounds.models import Zone

pytestmark = pytest.mark.django_db

WORKER, HANDLER, DISPATCHER = "张巡查", "李处置", "王调度"
CALLER_PHONE = "13912345678"


@pytest.fixture
def scene(cast, walk):
    """A public and a private case of the cast's grid, dispatched and accepted, with named people."""
    for person, name in ((cast.worker, WORKER), (cast.handler, HANDLER), (cast.dispatcher, DISPATCHER)):
        person.name = name
        person.save(update_fields=["name"])
    public = walk("handling", description="路口暴露垃圾一堆", address="经三路口")
    private = walk("handling", category=Category.objects.get(code="G0101"),
                   description="楼上楼下漏水纠纷，住户赵某情绪激动", address="某小区3号楼")
    Case.objects.filter(pk__in=[public.pk, private.pk]).update(reporter_contact=f"赵某 / {CALLER_PHONE}")
    return public, private


@pytest.fixture
def anonymous():
    return APIClient()


def xml_requests(response):
    return [{child.tag: child.text or "" for child in item} for item in ET.fromstring(response.content)]


def test_seeded_street_classes_are_public_and_governance_classes_private(cast):
    kinds = dict(Category.objects.values_list("code", "kind"))
    public = set(Category.objects.filter(public=True).values_list("code", flat=True))
    assert public == {code for code, kind in kinds.items() if kind in defaults.PUBLIC_KINDS}
    assert {"E0101", "F0101"} <= public and not {"G0101", "G0103", "G0104", "G0301", "G0504"} & public


def test_a_category_added_later_starts_private(cast):
    assert Category.objects.create(code="G0901", kind="event", group="其他", name="新类别").public is False


def test_the_request_list_shows_the_public_case_and_never_the_private_one(scene, anonymous):
    public, private = scene
    for query in ("", "?status=open", "?service_code=E0101,G0101", f"?service_request_id={public.number},{private.number}"):
        numbers = [r["service_request_id"] for r in anonymous.get(f"/open311/v2/requests.json{query}").json()]
        assert public.number in numbers and private.number not in numbers, query
        xml_numbers = [r["service_request_id"] for r in xml_requests(anonymous.get(f"/open311/v2/requests.xml{query}"))]
        assert public.number in xml_numbers and private.number not in xml_numbers, query


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_private_request_answers_404_as_if_it_did_not_exist(scene, anonymous, fmt):
    public, private = scene
    assert anonymous.get(f"/open311/v2/requests/{public.number}.{fmt}").status_code == 200
    response = anonymous.get(f"/open311/v2/requests/{private.number}.{fmt}")
    assert response.status_code == 404
    unknown = anonymous.get(f"/open311/v2/requests/20990101000001.{fmt}")
    assert response.content.replace(private.number.encode(), b"") == unknown.content.replace(b"20990101000001", b"")


def test_a_private_case_token_answers_404(scene, anonymous):
    public, private = scene
    assert anonymous.get(f"/open311/v2/tokens/{public.client_id}.json").json()[0]["service_request_id"] == public.number
    assert anonymous.get(f"/open311/v2/tokens/{private.client_id}.json").status_code == 404


def test_an_api_key_does_not_widen_what_is_read(scene, anonymous, settings):
    settings.OPEN311_API_KEYS = ["partner-key"]
    _public, private = scene
    response = anonymous.get(f"/open311/v2/requests.json?api_key=partner-key&service_request_id={private.number}")
    assert response.status_code == 200 and response.json() == []
    assert anonymous.get(f"/open311/v2/requests/{private.number}.json?api_key=partner-key").status_code == 404


def test_a_category_made_private_in_the_admin_takes_its_cases_off_the_feed(scene, anonymous):
    public, _private = scene
    admin_user = User.objects.create_superuser("root", password="pw-root")
    client = Client()
    client.force_login(admin_user)
    category = public.category
    page = client.get(f"/admin/cases/category/{category.pk}/change/")
    assert page.status_code == 200 and 'name="public"' in page.content.decode()
    form = {"code": category.code, "name": category.name, "kind": category.kind, "group": category.group,
            "default_department": category.default_department_id or "", "handle_hours": category.handle_hours,
            "verify_hours": category.verify_hours, "active": "on"}  # "public" unticked
    response = client.post(f"/admin/cases/category/{category.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Category.objects.get(pk=category.pk).public is False
    assert anonymous.get(f"/open311/v2/requests/{public.number}.json").status_code == 404


def test_private_services_are_listed_so_posting_partners_know_their_codes(scene, anonymous):
    # The documented decision (apps/cases/open311.py): a service names a category, never a case.
    codes = {s["service_code"] for s in anonymous.get("/open311/v2/services.json").json()}
    assert {"E0101", "G0101"} <= codes
    assert anonymous.get("/open311/v2/services/G0101.json").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_public_request_is_placed_to_about_50_m_and_names_nobody(scene, anonymous, fmt):
    public, _private = scene
    response = anonymous.get(f"/open311/v2/requests/{public.number}.{fmt}")
    [request] = response.json() if fmt == "json" else xml_requests(response)
    lat, lon = float(request["lat"]), float(request["long"])
    for shown, exact in ((lat, public.point.y), (lon, public.point.x)):
        assert abs(shown / PUBLIC_STEP - round(shown / PUBLIC_STEP)) < 1e-6  # on the 0.0005-degree grid
        assert abs(shown - exact) <= PUBLIC_STEP / 2 + 1e-9
    assert (lat, lon) != (round(public.point.y, 7), round(public.point.x, 7))
    body = response.content.decode()
    for secret in (WORKER, HANDLER, DISPATCHER, CALLER_PHONE, "赵某", f"{public.point.y:.6f}", f"{public.point.x:.6f}"):
        assert secret not in body


# --- every route, anonymously ----------------------------------------------------------------

# Routes that answer anonymous clients on purpose. The rest must refuse.
PUBLIC_ROUTES = {
    "home",  # a redirect to the map, which asks for a login
    "login", "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
    "set_language", "api-token",  # logging in
    "schema", "api-docs",  # the API's shape, no data
    "open311-discovery", "open311-services", "open311-service", "open311-requests", "open311-request",
    "open311-token",
    "service-worker",  # the offline sheet's worker script: URLs and cache names, no data (apps/cases/offline.py)
}


def routes(patterns=None, prefix="", namespace=""):
    """(name, route) of every URL pattern, the admin's excepted (its own login guards it)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield pattern.name or "", prefix + str(pattern.pattern)


def fill(route, values):
    """Every concrete path of `route`: each <converter:name> tried with each real value for that name."""
    paths = [route.lstrip("^").rstrip("$")]
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        key = f"<{converter}:{name}>" if converter else f"<{name}>"
        options = values.get(name) or values.get(converter or "str")
        paths = [p.replace(key, str(v), 1) for p in paths for v in options]
    return ["/" + p for p in paths]


def test_every_route_refuses_anonymous_clients_or_shows_nothing_operational(scene, cast):
    public, private = scene
    zone = Zone.objects.order_by("code").first()
    cadre = zone.cadres.order_by("code").first()
    cadre.phone = "13800001111"
    cadre.save(update_fields=["phone"])
    grid = cast.grid
    codes = [zone.code, grid.code, grid.community.code, grid.community.subdistrict.code, "E0101", "G0101"]
    values = {
        "code": codes, "number": [public.number, private.number], "fmt": ["json", "xml"],
        "token": [public.client_id, private.client_id], "uidb64": ["MQ"], "action": ["register", "accept"],
        "int": [1, public.pk, private.pk], "str": codes + [public.number, private.number],
        "path": ["x"], "slug": ["x"], "uuid": [uuid.uuid4()],
    }
    # What no anonymous answer may hold: the private case, anyone's name or phone, exact places.
    secrets = [private.number, "漏水纠纷", "赵某", CALLER_PHONE, WORKER, HANDLER, DISPATCHER, cadre.name, cadre.phone,
               f"{public.point.y:.6f}", f"{private.point.y:.6f}"]
    # A place near the cases, written so that an echo of the query is not mistaken for a leak.
    query = f"?lon={public.point.x:.4f}&lat={public.point.y:.4f}&bbox=113.5,34.7,113.9,34.95&zoom=16"
    tried, leaks = 0, []
    for name, route in routes():
        for path in fill(route, values):
            for method in ("get", "post"):
                client = APIClient(enforce_csrf_checks=False)
                response = getattr(client, method)(path + query)
                tried += 1
                body = b"" if response.streaming else response.content
                text = body.decode("utf-8", "replace")
                # A 404 may echo the number asked for; that tells nothing.
                found = [s for s in secrets if s in text and s not in path]
                if found:
                    leaks.append(f"{method.upper()} {path} ({name}) -> {response.status_code} shows {found}")
                refused = response.status_code in (401, 403, 404, 405) or (
                    response.status_code == 302 and "/accounts/login/" in response["Location"]
                )
                if name not in PUBLIC_ROUTES and not refused:
                    leaks.append(f"{method.upper()} {path} ({name}) answers {response.status_code} without a login")
    assert tried > 100
    assert leaks == [], "\n".join(leaks)


def test_the_administrator_ticks_public_for_many_categories_at_once(cast):
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-root"))
    page = client.get("/admin/cases/category/?kind__exact=governance").content.decode()
    assert 'name="form-0-public"' in page and 'name="form-0-active"' in page
    for url in ("/admin/cases/dutyrule/", "/admin/cases/workingperiod/", "/admin/cases/calendarday/"):
        assert client.get(url).status_code == 200, url
    assert Client().get("/admin/cases/category/").status_code == 302  # anonymous: to the admin's login
