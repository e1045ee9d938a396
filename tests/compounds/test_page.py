"""/compounds/: who opens the zone planning page, what the page hands its script, and its language."""

import json
import re

import pytest
from cast_helpers import fast_password_hashing  # noqa: F401 (an autouse fixture)
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from apps.areas.models import Community, SubDistrict
from apps.compounds.models import Compound, Zone
from apps.people.models import Department, Person, Role

pytestmark = pytest.mark.django_db

URL = "/compounds/"


@pytest.fixture
def home(district):
    """The sub-district of the lowest-coded zone: the scene of the sub-district's staff."""
    return Zone.objects.order_by("code").select_related("community__subdistrict").first().community.subdistrict


def person(code, role, **fields):
    user = get_user_model().objects.create_user(username=code.lower())
    return Person.objects.create(code=code, name=code, role=role, user=user, **fields)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def config_of(response):
    match = re.search(rb'<script id="zp-config" type="application/json">(.*?)</script>', response.content, re.S)
    return json.loads(match.group(1))


def selector_codes(response):
    """Community codes offered in the plan form's scope selector ("" = the whole district)."""
    html = response.content.decode()
    select = re.search(r'<select name="community" id="zp-scope">(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\d*)"', select)


def test_administrator_plans_the_whole_district(home):
    response = client_for(person("T-ADMIN", Role.ADMINISTRATOR).user).get(URL)
    assert response.status_code == 200
    config = config_of(response)
    assert config["whole"] is True and config["subdistrict"] is None and config["filters"] == {}
    codes = selector_codes(response)
    with_compounds = set(Compound.objects.values_list("community__code", flat=True))
    assert codes[0] == "" and set(codes[1:]) == with_compounds and len(codes) == len(with_compounds) + 1
    assert config["zonesInForce"] == Zone.objects.count() == 281
    assert config["defaults"]["target"] == 281 and config["defaults"]["perZone"] == 5
    assert config["urls"]["compounds"] == "/api/layers/compounds/"
    assert config["urls"]["plans"] == "/api/compounds/plans/"
    assert 'id="zp-assign"' in response.content.decode()  # the cadres' step is district-wide


def test_superuser_without_a_person_plans_the_district(district):
    superuser = get_user_model().objects.create_superuser("root-zp", "root@example.org", "pw")
    response = client_for(superuser).get(URL)
    assert response.status_code == 200 and config_of(response)["whole"] is True


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.LEADER])
def test_sub_district_staff_see_only_their_communities(home, role):
    response = client_for(person("T-SD", role, subdistrict=home).user).get(URL)
    assert response.status_code == 200
    config = config_of(response)
    assert config["whole"] is False
    assert config["subdistrict"]["code"] == home.code
    assert config["filters"] == {"subdistrict": home.code}
    codes = selector_codes(response)
    theirs = set(Compound.objects.filter(community__subdistrict=home).values_list("community__code", flat=True))
    assert codes and "" not in codes and set(codes) == theirs
    others = Community.objects.exclude(subdistrict=home).filter(compounds__isnull=False).values_list("code", flat=True)
    assert not set(others) & set(codes)
    assert {c["code"] for c in config["communities"]} == theirs
    assert config["zonesInForce"] == Zone.objects.filter(community__subdistrict=home).count()
    # Their map is framed on their sub-district, not the district.
    (south, west), (north, east) = config["bounds"]
    xmin, ymin, xmax, ymax = SubDistrict.objects.get(pk=home.pk).geom.extent
    assert (south, west, north, east) == pytest.approx((ymin, xmin, ymax, xmax))
    assert 'id="zp-assign"' not in response.content.decode()  # assigning cadres is district-wide


@pytest.mark.parametrize(
    "role",
    [
        Role.GRID_WORKER,
        Role.ZONE_CADRE,
        Role.HANDLER,
        Role.INSPECTOR,
        Role.DISPATCHER,  # with no sub-district: the command centre reads zones on /map/, it does not redraw them
        Role.LEADER,
    ],
)
def test_others_are_refused(home, role):
    department = Department.objects.order_by("code").first() if role == Role.HANDLER else None
    response = client_for(person("T-NO", role, department=department).user).get(URL)
    assert response.status_code == 403


def test_a_login_without_a_person_is_refused(district):
    user = get_user_model().objects.create_user("nobody-zp")
    assert client_for(user).get(URL).status_code == 403


def test_anonymous_is_sent_to_log_in(district):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/compounds/"


def test_the_header_links_the_page_only_for_those_who_may_open_it(home):
    admin = client_for(person("T-ADMIN", Role.ADMINISTRATOR).user).get("/map/")
    assert 'class="nav-compounds" href="/compounds/"' in admin.content.decode()
    own = client_for(person("T-ADMIN2", Role.ADMINISTRATOR).user).get(URL).content.decode()
    assert 'class="nav-compounds current" href="/compounds/" aria-current="page"' in own
    worker = client_for(person("T-GW", Role.GRID_WORKER).user).get("/map/")
    assert worker.status_code == 200 and "nav-compounds" not in worker.content.decode()
    district_leader = client_for(person("T-LEAD", Role.LEADER).user).get("/map/")
    assert "nav-compounds" not in district_leader.content.decode()


def test_the_page_is_chinese_by_default(home):
    response = client_for(person("T-ADMIN", Role.ADMINISTRATOR).user).get(URL)
    html = response.content.decode()
    assert "片区规划" in html and "生成规划" in html and "质量报告" in html and "全区" in html
    strings = json.loads(re.search(r'<script id="zp-strings" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert strings["metrics"]["load_cv"] == "变异系数"
    assert strings["statuses"]["running"] == "运行中"
    assert "Zone planning" not in html


def test_the_page_is_english_by_the_language_cookie(home):
    client = client_for(person("T-ADMIN", Role.ADMINISTRATOR).user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(URL).content.decode()
    assert "Zone planning" in html and "Make the plan" in html and "Quality report" in html
    strings = json.loads(re.search(r'<script id="zp-strings" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert strings["metrics"]["load_cv"] == "Coefficient of variation"
    assert "片区规划" not in html


def test_the_page_has_no_inline_code_or_style(home):
    # Content-Security-Policy: no style attributes or on* handlers; data from json_script blocks.
    html = client_for(person("T-ADMIN", Role.ADMINISTRATOR).user).get(URL).content.decode()
    page = html.split("<main", 1)[1]
    assert " style=" not in page and not re.search(r"\son[a-z]+=", page)
    assert 'src="/static/js/compounds.js"' in html
