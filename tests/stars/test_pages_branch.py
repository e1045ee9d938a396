"""/stars/branches/<community code>/: a branch's history page, for those who may see the branch."""

import pytest

from apps.people.models import Person, Role
from apps.stars.assessment import transition
from pages_cast import fast_passwords, star_cast  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_the_history_page_shows_the_ladder_the_stars_and_the_events(star_cast, client):
    c = star_cast
    c.application(1, "awarded")
    c.application(4, "awarded")
    revoked = c.application(4, "awarded", branch=c.other_branch)
    transition(revoked, "revoke", by=c.admin, note="发生刑事案件")
    leader = Person.objects.create(code="LDX", name="包保领导", role=Role.LEADER, title="副区长")
    c.branch.leader = leader
    c.branch.weak = True
    c.branch.save(update_fields=["leader", "weak"])
    client.force_login(c.district_leader.user)
    html = client.get(f"/stars/branches/{c.branch.community.code}/").content.decode()
    assert "马渡村党支部" in html and "包保领导" in html and "副区长" in html
    assert 'class="chip chip-demo"' in html and 'class="chip chip-weak"' in html
    assert f'data-period="{c.period.code}" data-level="2"' in html
    assert html.count('class="cell on"') == 2
    assert html.count('data-action="award"') == 2
    html = client.get(f"/stars/branches/{c.other_branch.community.code}/").content.decode()
    assert f'data-period="{c.period.code}" data-level="0"' in html
    assert 'data-action="revoke"' in html and "发生刑事案件" in html


@pytest.mark.parametrize(
    ("who", "ours", "theirs"),
    [("secretary", 200, 404), ("reviewer", 200, 404), ("other_reviewer", 404, 200), ("district_leader", 200, 200),
     ("member", 200, 404), ("worker", 404, 404)],
)
def test_who_opens_which_branch_page(star_cast, client, who, ours, theirs):
    c = star_cast
    c.application(1, "applied")
    client.force_login(getattr(c, who).user)
    assert client.get(f"/stars/branches/{c.branch.community.code}/").status_code == ours
    assert client.get(f"/stars/branches/{c.other_branch.community.code}/").status_code == theirs
