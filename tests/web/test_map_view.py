"""The map page: who may open it, what it hands its script, and in which language."""

import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LAYERS = ["subdistricts", "communities", "grids", "zones", "compounds"]


@pytest.fixture
def worker(district, django_user_model):
    return django_user_model.objects.create_user("map-user", password="map-user-pw-1")


@pytest.fixture
def worker_client(client, worker):
    client.force_login(worker)
    return client


def json_script(html, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def test_anonymous_visitor_is_sent_to_login(client, district):
    response = client.get("/map/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/map/" in response["Location"]


def test_root_redirects_to_the_map(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/map/"


def test_login_page_is_in_chinese_with_the_platform_name(client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "网格化治理平台" in html
    assert "用户名" in html and "登录" in html


def test_wrong_password_is_refused_with_a_message(client, worker):
    response = client.post(reverse("login"), {"username": "map-user", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名和密码不匹配" in response.content.decode()


def test_login_lands_on_the_map(client, worker):
    response = client.post(reverse("login"), {"username": "map-user", "password": "map-user-pw-1"})
    assert response.status_code == 302
    assert response["Location"] == "/map/"


def test_map_page_hands_api_urls_to_its_script(worker_client):
    response = worker_client.get("/map/")
    assert response.status_code == 200
    html = response.content.decode()
    for layer in LAYERS:
        assert f'data-layer-url-{layer}="/api/layers/{layer}/"' in html
    assert 'data-locate-url="/api/locate/"' in html
    assert 'type="module" src="/static/js/map.js"' in html
    assert "leaflet/leaflet.js" in html  # served by django-leaflet, no CDN
    assert "unpkg.com" not in html and "cdn" not in html.lower()


def test_map_config_lists_layers_and_the_district_extent(worker_client, district):
    config = json_script(worker_client.get("/map/").content.decode(), "map-config")
    assert [layer["name"] for layer in config["layers"]] == [
        "communities", "subdistricts", "grids", "zones", "compounds"
    ]
    zooms = {layer["name"]: layer["minZoom"] for layer in config["layers"]}
    assert zooms["grids"] == 14 and zooms["zones"] == 15 and zooms["compounds"] == 15
    (south, west), (north, east) = config["bounds"]
    xmin, ymin, xmax, ymax = district.geom.extent
    assert (west, south, east, north) == pytest.approx((xmin, ymin, xmax, ymax))


def test_default_basemap_requests_no_tiles(worker_client):
    html = worker_client.get("/map/").content.decode()
    config = json_script(html, "map-config")
    assert config["basemap"] == "none"
    assert config["tiles"] == []
    assert config["gcj02"] is False
    for host in ("tianditu", "autonavi", "openstreetmap"):
        assert host not in html


@override_settings(GRIDGOV_BASEMAP="amap")
def test_amap_basemap_turns_on_the_gcj02_shift(worker_client):
    config = json_script(worker_client.get("/map/").content.decode(), "map-config")
    assert config["gcj02"] is True
    assert len(config["tiles"]) == 1
    assert "autonavi.com" in config["tiles"][0]["url"]


@override_settings(GRIDGOV_BASEMAP="tianditu", TIANDITU_KEY="k3y-for-test")
def test_tianditu_basemap_has_roads_and_labels_with_the_key_and_no_shift(worker_client):
    config = json_script(worker_client.get("/map/").content.decode(), "map-config")
    assert config["gcj02"] is False
    urls = [tile["url"] for tile in config["tiles"]]
    assert len(urls) == 2
    assert "vec_w/wmts" in urls[0] and "LAYER=vec" in urls[0]
    assert "cva_w/wmts" in urls[1] and "LAYER=cva" in urls[1]
    assert all(url.endswith("tk=k3y-for-test") and "{z}" in url for url in urls)


@override_settings(GRIDGOV_BASEMAP="osm")
def test_osm_basemap_is_unshifted(worker_client):
    config = json_script(worker_client.get("/map/").content.decode(), "map-config")
    assert config["gcj02"] is False
    assert config["tiles"][0]["url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def test_page_and_script_strings_are_chinese_by_default(worker_client):
    html = worker_client.get("/map/").content.decode()
    strings = json_script(html, "map-strings")
    assert strings["layers"] == {
        "subdistricts": "街道",
        "communities": "村/社区",
        "grids": "网格",
        "zones": "片区",
        "compounds": "无主管楼院",
    }
    assert strings["branch"] == "党支部"
    assert "退出" in html and "English" in html


def test_language_switch_gives_english(worker_client):
    response = worker_client.post(reverse("set_language"), {"language": "en", "next": "/map/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/map/"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Grid Governance Platform" in html and "Log out" in html
    strings = json_script(html, "map-strings")
    assert strings["layers"]["compounds"] == "Unmanaged compounds"
    assert strings["branch"] == "Party branch"
    assert "中文" in html  # the way back
