"""GET /api/stars/branches/<community code>/history/: every period, the stars held, every application and its events."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from apps.stars.assessment import transition
from apps.stars.setup import create_period
from pages_cast import fast_passwords, star_cast  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def get(person, code):
    client = APIClient()
    client.force_authenticate(person.user)
    return client.get(f"/api/stars/branches/{code}/history/")


def test_history_lists_every_period_with_level_stars_and_events(star_cast):
    c = star_cast
    year = c.period.starts_on.year
    earlier, _ = create_period(str(year - 1), f"{year - 1}年度", dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    empty, _ = create_period(str(year - 2), f"{year - 2}年度", dt.date(year - 2, 1, 1), dt.date(year - 2, 12, 31))
    c.application(1, "awarded")
    c.application(4, "awarded")
    refused = c.application(2, "scoring")
    transition(refused, "refuse", by=c.member_for(2), note="未达标")
    c.period, saved = earlier, c.period
    old = c.application(4, "awarded", days_ago=400)
    transition(old, "revoke", by=c.admin, note="发生案件")
    c.period = saved
    body = get(c.secretary, c.branch.community.code).json()
    assert body["branch"]["name"] == "马渡村党支部" and body["branch"]["demonstration"] == "planned_five_star"
    assert [p["code"] for p in body["periods"]] == [empty.code, earlier.code, saved.code]
    by_code = {p["code"]: p for p in body["periods"]}
    assert (by_code[saved.code]["level"], by_code[saved.code]["stars"]) == (2, [1, 4])
    # Without 支部过硬星 a branch holds no level (the default gate); the revoked star is not held.
    assert (by_code[earlier.code]["level"], by_code[earlier.code]["stars"]) == (0, [])
    assert [a["status"] for a in by_code[earlier.code]["assessments"]] == ["revoked"]
    assert by_code[empty.code]["assessments"] == []
    star2 = next(a for a in by_code[saved.code]["assessments"] if a["star"] == 2)
    assert [e["action"] for e in star2["events"]] == ["apply", "review_pass", "refuse"]
    assert star2["events"][-1]["note"] == "未达标"


@pytest.mark.parametrize(
    ("who", "ours", "theirs"),
    [
        ("secretary", 200, 404),
        ("reviewer", 200, 404),
        ("other_reviewer", 404, 200),
        ("district_leader", 200, 200),
        ("admin", 200, 200),
        ("member", 200, 404),  # our branch applied for their star; the other did not
        ("other_member", 404, 404),
        ("worker", 404, 404),
        ("dispatcher", 404, 404),
    ],
)
def test_who_reads_which_branch_history(star_cast, who, ours, theirs):
    c = star_cast
    c.application(1, "applied")
    person = getattr(c, who)
    assert get(person, c.branch.community.code).status_code == ours
    assert get(person, c.other_branch.community.code).status_code == theirs
    assert get(c.admin, "999999999999").status_code == 404
