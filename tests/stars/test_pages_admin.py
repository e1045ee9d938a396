"""The five-star admin: every model lists and opens; assessments are read-only; bitmasks edit as checkboxes."""

import pytest
from django.urls import reverse

from apps.stars.models import (
    Assessment,
    FiveGood,
    HouseholdRating,
    Period,
    RedFlag,
    StarCriterion,
    Target,
    TaskForce,
)
from pages_cast import fast_passwords, star_cast  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
MODELS = [Period, Target, StarCriterion, TaskForce, Assessment, HouseholdRating, FiveGood, RedFlag]


def url(model, view, *args):
    return reverse(f"admin:stars_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, star_cast, django_user_model):
    c = star_cast
    c.application(1, "notice")
    HouseholdRating.objects.create(period=c.period, community=c.branch.community, household_code="H1",
                                   holder="张三丰", standards=0b1111111111)
    FiveGood.objects.create(period=c.period, subdistrict=c.branch.community.subdistrict, goods=0b10101)
    RedFlag.objects.create(period=c.period, field="基层党建红旗", awarded_on=c.period.starts_on)
    client.force_login(django_user_model.objects.create_superuser("root", password="root-pw-123"))
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_list_and_change_pages_render(admin_client, model):
    assert admin_client.get(url(model, "changelist")).status_code == 200
    obj = model.objects.order_by("pk").first()
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200


def test_criteria_edit_their_indicators_inline(admin_client, star_cast):
    criterion = StarCriterion.objects.get(period=star_cast.period, kind="village", star=1)
    html = admin_client.get(url(StarCriterion, "change", criterion.pk)).content.decode()
    assert "indicators-TOTAL_FORMS" in html and "班子结构合理" in html


def test_assessments_are_read_only_with_events_inline(admin_client):
    assessment = Assessment.objects.get()
    html = admin_client.get(url(Assessment, "change", assessment.pk)).content.decode()
    assert 'name="status"' not in html and "review_pass" in html
    assert admin_client.get(url(Assessment, "add")).status_code == 403


def test_household_lists_mask_the_householder(admin_client):
    html = admin_client.get(url(HouseholdRating, "changelist")).content.decode()
    assert "张**" in html and "张三丰" not in html


def test_five_good_edits_as_checkboxes(admin_client):
    five_good = FiveGood.objects.get()
    html = admin_client.get(url(FiveGood, "change", five_good.pk)).content.decode()
    assert html.count('type="checkbox" name="goods"') == 5
    assert html.count('name="goods" value="0"') == 1 and 'value="0" id="id_goods_0" checked' in html
    response = admin_client.post(url(FiveGood, "change", five_good.pk), {
        "period": five_good.period_id, "subdistrict": five_good.subdistrict_id, "goods": ["1", "3"], "note": "",
    })
    assert response.status_code == 302
    five_good.refresh_from_db()
    assert five_good.goods == 0b1010


@pytest.mark.parametrize("model", [Assessment, HouseholdRating, StarCriterion, TaskForce], ids=lambda m: m.__name__)
def test_changelists_do_not_query_per_row(admin_client, star_cast, model, django_assert_max_num_queries):
    c = star_cast
    for star in (2, 3, 4, 5):
        c.application(star, "notice")
    for n in range(30):
        HouseholdRating.objects.create(period=c.period, community=c.other_branch.community, household_code=f"X{n}",
                                       holder="王小明", standards=n)
    with django_assert_max_num_queries(12):
        assert admin_client.get(url(model, "changelist")).status_code == 200
