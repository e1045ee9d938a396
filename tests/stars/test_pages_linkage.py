"""/stars/linkage/: the four-level chain household -> branch -> sub-district -> district, within one's area."""

import pytest

from apps.areas.models import Community
from apps.stars.models import ALL_FIVE, ALL_TEN, FiveGood, HouseholdRating, RedFlag
from pages_cast import fast_passwords, star_cast  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(star_cast):
    c = star_cast
    c.application(1, "awarded")
    neighbour = Community.objects.filter(subdistrict=c.branch.community.subdistrict).exclude(
        pk=c.branch.community_id).order_by("code").first()
    rows = [(c.branch.community, "H1", "张三丰", ALL_TEN), (c.branch.community, "H2", "李四", 0b11),
            (neighbour, "H3", "王五", ALL_TEN), (c.other_branch.community, "H4", "赵六", ALL_TEN)]
    for community, code, holder, bits in rows:
        HouseholdRating.objects.create(period=c.period, community=community, household_code=code, holder=holder,
                                       standards=bits)
    FiveGood.objects.create(period=c.period, subdistrict=c.branch.community.subdistrict, goods=ALL_FIVE)
    RedFlag.objects.create(period=c.period, field="基层党建红旗", awarded_on=c.period.starts_on)
    RedFlag.objects.create(period=c.period, field="平安建设红旗", awarded_on=c.period.starts_on,
                           recalled_on=c.period.ends_on)
    return c, neighbour


def open_page(client, person):
    client.force_login(person.user)
    response = client.get("/stars/linkage/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_district_leader_reads_the_whole_chain_with_names_masked(client, chain):
    c, neighbour = chain
    html = open_page(client, c.district_leader)
    assert 'class="ten-star-total">3<' in html
    assert 'class="five-good-total">1<' in html and 'class="red-flag-total">1<' in html
    assert "基层党建红旗" in html and "平安建设红旗" in html
    assert "张**" in html and "赵*" in html and "张三丰" not in html
    assert "李*" not in html  # not ten-star: not listed by name
    assert html.count('class="card sd-block"') == 17
    row = html[html.index(f'<tr data-code="{c.branch.community.code}">'):]
    assert 'class="level level-1"' in row[:600]


def test_a_subdistrict_leader_reads_their_subdistrict_only(client, chain):
    c, neighbour = chain
    html = open_page(client, c.reviewer)
    assert html.count('class="card sd-block"') == 1
    assert "张**" in html and "王*" in html and "赵*" not in html
    assert 'class="ten-star-total">2<' in html


def test_a_secretary_reads_their_own_households_only(client, chain):
    c, neighbour = chain
    html = open_page(client, c.secretary)
    assert "张**" in html and "王*" not in html
    assert f'<tr data-code="{neighbour.code}">' not in html


@pytest.mark.parametrize("who", ["worker", "dispatcher"])
def test_people_the_chain_is_not_for_get_404(client, star_cast, who):
    client.force_login(getattr(star_cast, who).user)
    assert client.get("/stars/linkage/").status_code == 404
