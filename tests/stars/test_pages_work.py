"""/stars/: the work page by role, and who must not open it."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.people.models import Role
from pages_cast import fast_passwords, make_person, star_cast  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def page(client, person, url="/stars/"):
    client.force_login(person.user)
    response = client.get(url)
    return response, response.content.decode()


def section(html, key):
    """The HTML of one queue section of the work page."""
    start = html.index(f'id="q-{key}"')
    end = html.find('<section class="stars-section"', start + 1)
    return html[start:end if end > 0 else None]


@pytest.mark.parametrize("who", ["worker", "dispatcher"])
def test_people_the_page_is_not_for_get_404_and_no_header_link(star_cast, client, who):
    response, html = page(client, getattr(star_cast, who))
    assert response.status_code == 404
    response, html = page(client, getattr(star_cast, who), "/map/")
    assert 'class="nav-stars' not in html


def test_a_login_without_a_person_gets_404_and_anonymous_is_sent_to_log_in(star_cast, client):
    client.force_login(User.objects.create_user("nobody"))
    assert client.get("/stars/").status_code == 404
    client.logout()
    response = client.get("/stars/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_secretary_sees_their_branch_stars_and_the_apply_form(star_cast, client):
    c = star_cast
    c.application(1, "awarded")
    c.application(4, "scoring")
    response, html = page(client, c.secretary)
    assert response.status_code == 200
    assert 'class="nav-stars current"' in html  # the header link, marked current
    assert "马渡村党支部" in html and 'id="apply-form"' in html
    assert 'class="rung status-awarded" data-star="1"' in html
    assert 'class="rung status-scoring" data-star="4"' in html
    # The form offers only the stars not yet applied for this period.
    form = html[html.index('id="apply-form"'):html.index("</form>", html.index('id="apply-form"'))]
    assert [f'<option value="{n}"' in form for n in range(1, 6)] == [False, True, True, False, True]
    assert 'name="evidence" multiple' in form


def test_the_secretary_does_not_see_another_branchs_application(star_cast, client):
    c = star_cast
    theirs = c.application(1, "scoring", branch=c.other_branch)
    ours = c.application(2, "applied")
    response, html = page(client, c.secretary)
    assert f'id="app-{ours.pk}"' in html and f'id="app-{theirs.pk}"' not in html
    response, html = page(client, c.other_secretary)
    assert f'id="app-{theirs.pk}"' in html and f'id="app-{ours.pk}"' not in html


def test_the_subdistrict_leader_reviews_their_own_subdistrict_only(star_cast, client):
    c = star_cast
    ours = c.application(1, "applied")
    response, html = page(client, c.reviewer)
    review = section(html, "review")
    assert f'id="app-{ours.pk}"' in review
    assert f'data-id="{ours.pk}" data-action="review_pass"' in review
    assert f'data-id="{ours.pk}" data-action="review_refuse"' in review
    response, html = page(client, c.other_reviewer)
    assert f'id="app-{ours.pk}"' not in html


def test_a_task_force_member_gets_a_scoring_form_for_their_own_star_only(star_cast, client):
    c = star_cast
    ours = c.application(1, "scoring")
    safety = c.application(4, "scoring")
    response, html = page(client, c.member)
    scoring = section(html, "scoring")
    assert f'id="app-{ours.pk}"' in scoring and f'id="app-{safety.pk}"' not in html
    form = scoring[scoring.index('class="act score-form"'):]
    for code, points in (("A1", 30), ("A2", 25), ("A3", 20), ("A4", 25)):
        assert f'data-code="{code}"' in form and f'max="{points}"' in form
    # The platform's measure sits beside the input (not flagged weak: full points).
    assert "25.0" in form and 'data-action="publish"' in scoring
    response, html = page(client, c.other_member)
    scoring = section(html, "scoring")
    assert f'id="app-{safety.pk}"' in scoring and f'id="app-{ours.pk}"' not in html


def test_notices_are_read_by_everyone_with_a_stars_role_and_offer_objection(star_cast, client):
    c = star_cast
    on_notice = c.application(1, "notice", branch=c.other_branch, days_ago=1)
    for person in (c.secretary, c.reviewer, c.other_member, c.district_leader):
        response, html = page(client, person)
        notice = section(html, "notice")
        assert f'id="app-{on_notice.pk}"' in notice
        assert f'data-id="{on_notice.pk}" data-action="object"' in notice
        assert 'data-action="award"' not in notice  # not theirs, and the notice still runs


def test_award_is_offered_to_the_task_force_after_the_notice_closes(star_cast, client):
    c = star_cast
    closed = c.application(1, "notice", days_ago=30)
    running = c.application(1, "notice", branch=c.other_branch, days_ago=1)
    response, html = page(client, c.member)
    notice = section(html, "notice")
    assert f'data-id="{closed.pk}" data-action="award"' in notice
    assert f'data-id="{running.pk}" data-action="award"' not in notice
    assert f'data-id="{closed.pk}" data-action="object"' not in notice  # closed for objections


def test_revoke_is_offered_on_awarded_stars_to_the_admin_and_the_task_force(star_cast, client):
    c = star_cast
    held = c.application(1, "awarded")
    for person, offered in ((c.admin, True), (c.member, True), (c.reviewer, False), (c.district_leader, False)):
        response, html = page(client, person)
        assert (f'data-id="{held.pk}" data-action="revoke"' in section(html, "awarded")) is offered, person


def test_the_period_and_search_filters(star_cast, client):
    c = star_cast
    ours = c.application(1, "applied")
    theirs = c.application(1, "applied", branch=c.other_branch)
    client.force_login(c.admin.user)
    html = client.get("/stars/", {"q": "马渡"}).content.decode()
    assert f'id="app-{ours.pk}"' in html and f'id="app-{theirs.pk}"' not in html
    html = client.get("/stars/", {"star": "2"}).content.decode()
    assert f'id="app-{ours.pk}"' not in html
    assert client.get("/stars/", {"period": "1999"}).status_code == 404


def test_the_page_is_chinese_first(star_cast, client):
    response, html = page(client, star_cast.member)
    assert "五星支部创建" in html and "专班评分" in html


def test_the_work_page_costs_the_same_queries_for_more_applications(star_cast, client):
    c = star_cast
    client.force_login(c.admin.user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/stars/").status_code == 200
        return len(captured)

    c.application(1, "applied")
    c.application(4, "scoring")
    c.application(1, "notice", branch=c.other_branch)
    c.application(4, "awarded", branch=c.other_branch)
    few = queries()
    c.application(2, "applied")
    c.application(2, "scoring", branch=c.other_branch)
    c.application(3, "notice")
    c.application(5, "awarded", branch=c.other_branch)
    assert queries() == few


def test_before_any_period_exists_the_page_says_so(district, fast_passwords, client):
    client.force_login(make_person("admin-0", Role.ADMINISTRATOR).user)
    response = client.get("/stars/")
    assert response.status_code == 200
    assert 'id="no-period"' in response.content.decode()
