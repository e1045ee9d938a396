"""HTTP caching of the layers: ETag and 304, the server-side cache, and the data version behind both."""

import json
from pathlib import Path

import pyogrio
import pytest
from celery_helpers import RedisServer
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.areas.layerversion import current_layer_version
from apps.areas.models import Community, SubDistrict
from apps.compounds.models import Compound, Zone
from apps.stars.models import Branch

SAMPLE = Path(__file__).resolve().parents[2] / "gis_data" / "district.gpkg"
URL = "/api/layers/subdistricts/"


def features(response):
    assert response.status_code == 200, response.content
    return json.loads(response.content)["features"]


def test_an_answer_carries_an_etag_and_asks_to_be_revalidated(api):
    response = api.get(URL, {"zoom": 12})
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"private", "max-age=0", "must-revalidate"}


def test_revalidating_with_the_etag_is_a_304_without_the_layer_query(api, django_assert_num_queries):
    first = api.get(URL, {"zoom": 12})
    with django_assert_num_queries(1):  # the data version, nothing else
        again = api.get(URL, {"zoom": 12}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "must-revalidate" in again["Cache-Control"]


@pytest.mark.parametrize("header", ["W/{etag}", '"0-other", {etag}', "*"])
def test_weak_listed_and_star_etags_revalidate_too(api, header):
    etag = api.get(URL)["ETag"]
    assert api.get(URL, HTTP_IF_NONE_MATCH=header.format(etag=etag)).status_code == 304


def test_an_etag_of_other_data_gets_the_whole_answer(api):
    first = api.get(URL)
    again = api.get(URL, HTTP_IF_NONE_MATCH='"0-0123456789abcdef01234567"')
    assert again.status_code == 200 and again.content == first.content


def test_a_repeated_request_comes_from_the_server_cache_with_one_query(api, django_assert_num_queries):
    api.get(URL)  # SpatiaLite asks its versions once per connection
    with django_assert_num_queries(2):  # the data version, then the layer
        cold = api.get("/api/layers/communities/", {"zoom": 12})
    with django_assert_num_queries(1):  # the data version; the body is cached
        warm = api.get("/api/layers/communities/", {"zoom": 12})
    assert warm.content == cold.content and warm["ETag"] == cold["ETag"]
    assert len(features(warm)) == Community.objects.count()


def test_the_same_question_spelled_differently_is_one_answer(api, django_assert_num_queries):
    first = api.get("/api/layers/grids/?zoom=12&bbox=113.6,34.7,113.7,34.8&kind=village")
    with django_assert_num_queries(1):
        same = api.get("/api/layers/grids/?kind=village&bbox=113.60,34.70,113.700,34.8&zoom=12&unknown=1")
    assert same["ETag"] == first["ETag"] and same.content == first.content


def _bbox_of(community):
    return ",".join(str(v) for v in community.geom.extent)


def test_the_cache_never_crosses_layers_or_parameters(api, settings):
    first, last = Community.objects.order_by("code").first(), Community.objects.order_by("code").last()
    questions = [
        ("subdistricts", {"zoom": 12}),
        ("communities", {"zoom": 12}),
        ("communities", {"zoom": 15}),
        ("communities", {"zoom": 12, "kind": "village"}),
        ("communities", {"zoom": 12, "kind": "community"}),
        ("grids", {"zoom": 14, "bbox": _bbox_of(first)}),
        ("grids", {"zoom": 14, "bbox": _bbox_of(last)}),
        ("grids", {"zoom": 12, "page": 2, "page_size": 100}),
        ("grids", {"zoom": 12, "page": 3, "page_size": 100}),
        ("zones", {"zoom": 12, "bbox": _bbox_of(first)}),
        ("compounds", {"zoom": 12, "bbox": _bbox_of(first)}),
    ]
    settings.GRIDGOV_LAYER_CACHE_SECONDS = 0
    truth = [api.get(f"/api/layers/{layer}/", params).content for layer, params in questions]
    assert len(set(truth)) == len(questions)  # all different, so a crossed entry would show
    settings.GRIDGOV_LAYER_CACHE_SECONDS = 3600
    for _ in range(2):  # the first round fills the cache, the second is served from it
        responses = [api.get(f"/api/layers/{layer}/", params) for layer, params in questions]
        assert [r.content for r in responses] == truth
    assert len({r["ETag"] for r in responses}) == len(questions)


def test_an_admin_edit_changes_the_etag_and_shows_at_once(api, client, django_user_model):
    subdistrict = SubDistrict.objects.order_by("code").first()
    query = {"subdistrict": subdistrict.code, "zoom": 12}
    before = api.get(URL, query)
    client.force_login(django_user_model.objects.create_superuser("root", password="root-pw-123"))
    saved = client.post(
        reverse("admin:areas_subdistrict_change", args=[subdistrict.pk]),
        {
            "district": subdistrict.district_id,
            "code": subdistrict.code,
            "name": "改名街道",
            "households": subdistrict.households,
            "population": subdistrict.population,
            "geom": subdistrict.geom.geojson,
            "_save": "1",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    after = api.get(URL, query, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after["ETag"] != before["ETag"]
    assert features(after)[0]["properties"]["name"] == "改名街道"


def test_loading_a_changed_district_changes_the_etag_and_serves_the_new_data(api, tmp_path):
    layers = {str(name): pyogrio.read_dataframe(SAMPLE, layer=name) for name, _ in pyogrio.list_layers(SAMPLE)}
    subdistricts = layers["subdistricts"]
    code, population = subdistricts.loc[0, "code"], int(subdistricts.loc[0, "population"])
    subdistricts.loc[0, "population"] = population + 1000
    changed = tmp_path / "changed.gpkg"
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, changed, layer=name, driver="GPKG")
    query = {"subdistrict": code, "zoom": 12}
    before = api.get(URL, query)
    assert features(before)[0]["properties"]["population"] == population

    call_command("load_district", str(changed), verbosity=0)

    after = api.get(URL, query, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after["ETag"] != before["ETag"]
    assert features(after)[0]["properties"]["population"] == population + 1000


def _save_subdistrict():
    subdistrict = SubDistrict.objects.order_by("code").first()
    subdistrict.households += 1
    subdistrict.save()


def _save_compound():
    compound = Compound.objects.order_by("code").first()
    compound.name += "楼"
    compound.save()


def _save_branch():
    branch = Branch.objects.order_by("pk").first()
    branch.demonstration = "quasi_five_star" if branch.demonstration != "quasi_five_star" else ""
    branch.save()


def _delete_assignment():
    Zone.objects.order_by("code").first().assignments.order_by("pk").first().delete()


def _remove_cadre():
    zone = Zone.objects.order_by("code").first()
    zone.cadres.remove(zone.cadres.order_by("code").first())


@pytest.mark.parametrize(
    "change", [_save_subdistrict, _save_compound, _save_branch, _delete_assignment, _remove_cadre],
    ids=lambda f: f.__name__.strip("_"),
)
def test_every_edit_of_layer_data_changes_the_version(db, change):
    before = current_layer_version()
    change()
    assert current_layer_version() != before


def test_an_etag_opens_nothing_to_anonymous_clients(api):
    etag = api.get(URL)["ETag"]
    assert APIClient().get(URL, HTTP_IF_NONE_MATCH=etag).status_code in (401, 403)


def test_token_authentication_still_reaches_the_layers(staff_user):
    token = Token.objects.create(user=staff_user)
    response = APIClient().get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert len(features(response)) == SubDistrict.objects.count()


def test_a_shared_redis_cache_serves_warm_answers_and_an_outage_only_slows_them(
    api, settings, tmp_path, django_assert_num_queries
):
    server = RedisServer(tmp_path).start()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        api.get(URL)  # SpatiaLite asks its versions once per connection
        cold = api.get("/api/layers/zones/", {"zoom": 12})
        assert server.client().dbsize() >= 1
        with django_assert_num_queries(1):
            warm = api.get("/api/layers/zones/", {"zoom": 12})
        assert warm.content == cold.content
    finally:
        server.stop()
    with django_assert_num_queries(2):  # Redis is gone: the layer is read again, not refused
        down = api.get("/api/layers/zones/", {"zoom": 12})
    assert down.content == cold.content
