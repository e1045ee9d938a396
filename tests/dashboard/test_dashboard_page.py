"""/dashboard/: who opens it, and what the page hands its script."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from apps.people.models import Role
from tests.dashboard.conftest import READERS, client_for, make_person

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def config_of(response):
    match = re.search(rb'<script id="dashboard-config" type="application/json">(.*?)</script>', response.content, re.S)
    return json.loads(match.group(1))


@pytest.mark.parametrize(("who", "sees"), READERS)
def test_who_opens_the_dashboard(stars, cast, who, sees):
    response = client_for(getattr(cast, who)).get(URL)
    if sees is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    config = config_of(response)
    assert config["scope"]["whole"] is (sees == "all")
    if sees != "all":
        assert config["scope"]["code"] == (stars.a if sees == "A" else stars.b).code


def test_anonymous_is_sent_to_log_in(stars):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_is_chinese_and_hands_its_script_urls_periods_and_star_names(stars, cast):
    response = client_for(cast.district_leader).get(URL)
    html = response.content.decode()
    assert "五星支部创建" in html and "领导看板" in html and "下载 Excel" in html
    config = config_of(response)
    assert config["period"] == "P2"
    assert [p["code"] for p in config["periods"]] == ["P1", "P2"]
    assert config["starNames"]["village"][3] == "平安法治星"
    assert config["starNames"]["community"][4] == "幸福和谐星"
    assert config["urls"]["echarts"].endswith("vendor/echarts/echarts.common.min.js")
    assert config["urls"]["branch"] == "/api/dashboard/branches/CODE/"
    assert config["casesMeasured"] is True
    (south, west), (north, east) = config["bounds"]
    assert south < north and west < east
    # The star filter names both kinds' star where they differ.
    assert "产业兴旺星 / 宜业兴业星" in html


def test_the_sub_district_readers_map_is_framed_on_their_area(stars, cast):
    whole = config_of(client_for(cast.district_leader).get(URL))["bounds"]
    own = config_of(client_for(cast.a_leader).get(URL))["bounds"]
    assert whole[0][0] <= own[0][0] and own[1][0] <= whole[1][0]
    assert (own[1][0] - own[0][0]) < (whole[1][0] - whole[0][0])


def test_a_past_period_can_be_chosen_and_a_wrong_one_is_refused(stars, cast):
    client = client_for(cast.district_leader)
    assert config_of(client.get(URL, {"period": "P1"}))["period"] == "P1"
    response = client.get(URL, {"period": "P9"})
    assert response.status_code == 400 and response.json()["field"] == "period"


def test_the_echarts_file_is_served_from_node_modules():
    # Served by the staticfiles finders from node_modules/echarts/dist (npm ci): no CDN.
    assert finders.find("vendor/echarts/echarts.common.min.js")


def test_before_any_period_the_page_says_so(district):
    response = client_for(make_person("L0", Role.LEADER)).get(URL)
    assert response.status_code == 200
    assert config_of(response)["period"] is None
    assert "尚未创建评定周期" in response.content.decode()
