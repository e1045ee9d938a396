"""Admin: every model has list and change pages; spatial ones edit on a Leaflet map."""

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.areas.models import Community, District, Grid, SubDistrict
from apps.compounds.models import Compound, Zone
from apps.people.models import Department, Person, Role
from apps.stars.models import Branch

pytestmark = pytest.mark.django_db

SPATIAL = [District, SubDistrict, Community, Grid, Zone, Compound]
OTHERS = [Department, Person, Branch]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, district, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="root-pw-123")
    client.force_login(user)
    return client


@pytest.fixture
def worker_client(client, district, django_user_model):
    user = django_user_model.objects.create_user("not-staff", password="not-staff-1")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", SPATIAL + OTHERS, ids=lambda m: m.__name__)
def test_changelist_renders_for_the_administrator(admin_client, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    first = model.objects.first()  # the model's own ordering, which the changelist uses
    assert first is not None
    assert (getattr(first, "code", None) or first.name) in response.content.decode()


@pytest.mark.parametrize("model", SPATIAL, ids=lambda m: m.__name__)
def test_change_page_edits_the_geometry_on_a_leaflet_map(admin_client, model):
    obj = model.objects.order_by("pk").first()
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "leaflet/leaflet.js" in html
    assert 'id="id_geom-map"' in html or "id_geom-map" in html
    assert obj.code in html


@pytest.mark.parametrize("model", OTHERS, ids=lambda m: m.__name__)
def test_change_page_of_other_models_renders(admin_client, model):
    obj = model.objects.order_by("pk").first()
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", SPATIAL + OTHERS, ids=lambda m: m.__name__)
def test_non_staff_user_is_refused(worker_client, model):
    obj = model.objects.order_by("pk").first()
    for url in (admin_url(model, "changelist"), admin_url(model, "change", obj.pk)):
        response = worker_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("model", "max_queries"), [(Grid, 12), (Compound, 12), (Zone, 12), (Person, 14), (Branch, 14)],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_changelists_do_not_query_per_row(admin_client, model, max_queries, django_assert_max_num_queries):
    # 100 rows a page: one query per row (a parent's name, a count) would blow the bound.
    with django_assert_max_num_queries(max_queries):
        assert admin_client.get(admin_url(model, "changelist")).status_code == 200


def test_zone_page_lists_its_five_cadres_inline(admin_client):
    zone = Zone.objects.order_by("code").first()
    html = admin_client.get(admin_url(Zone, "change", zone.pk)).content.decode()
    assert 'name="assignments-TOTAL_FORMS" value="5"' in html


def test_branch_leader_autocomplete_offers_only_leaders(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "stars", "model_name": "branch", "field_name": "leader", "term": ""},
    )
    assert response.status_code == 200
    ids = [int(item["id"]) for item in response.json()["results"]]
    assert ids
    assert set(Person.objects.filter(pk__in=ids).values_list("role", flat=True)) == {Role.LEADER}


def test_person_search_finds_by_code(admin_client):
    cadre = Person.objects.filter(role=Role.ZONE_CADRE).order_by("code").first()
    response = admin_client.get(admin_url(Person, "changelist"), {"q": cadre.code})
    assert response.context["cl"].result_count == 1
    assert cadre.name in response.content.decode()


@override_settings(GRIDGOV_BASEMAP="tianditu", TIANDITU_KEY="admin-key")
def test_admin_map_uses_tianditu_when_configured(admin_client):
    grid = Grid.objects.order_by("pk").first()
    html = admin_client.get(admin_url(Grid, "change", grid.pk)).content.decode()
    assert "tianditu.gov.cn/vec_w" in html and "tk=admin-key" in html


@override_settings(GRIDGOV_BASEMAP="amap")
def test_admin_map_stays_plain_over_amap(admin_client):
    # The widget cannot shift to GCJ-02; edits over Amap would be saved ~500 m off.
    grid = Grid.objects.order_by("pk").first()
    html = admin_client.get(admin_url(Grid, "change", grid.pk)).content.decode()
    assert "autonavi" not in html
