"""A star from application to award in real Chromium, each step by the person whose step it is.

The branch secretary of 马渡村 applies for 支部过硬星 with a photo; the 兴达路
sub-district leader passes the review; a member of the village 支部过硬星 task
force scores every indicator and publishes; the five-day notice runs out (the
test moves its end into the past, as the clock would); the member awards the
star; the branch's history page shows it. Screenshots go to /tmp/l/.
"""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.people.models import Person, Role
from apps.stars.models import Assessment, Branch, TaskForce
from apps.stars.setup import create_period, ensure_task_forces

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/l")
PASSWORD = "e2e-star-pw-1"
POINTS = {"A1": "28", "A2": "22.5", "A3": "18", "A4": "20"}


@pytest.fixture
def people(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    SHOTS.mkdir(exist_ok=True)
    ensure_task_forces()
    today = timezone.localdate()
    period, _ = create_period(str(today.year), f"{today.year}年度", dt.date(today.year, 1, 1),
                              dt.date(today.year, 12, 31))
    branch = Branch.objects.select_related("community__subdistrict").get(community__name="马渡村")

    def person(username, role, name, **fields):
        user = User.objects.create_user(username, password=PASSWORD)
        return Person.objects.create(user=user, code=username, name=name, role=role, **fields)

    member = person("e2e-member", Role.TASK_FORCE_MEMBER, "专班成员")
    TaskForce.objects.get(kind="village", star=1).members.add(member)
    return {
        "period": period,
        "branch": branch,
        "secretary": person("e2e-secretary", Role.BRANCH_SECRETARY, "马渡书记", community=branch.community),
        "reviewer": person("e2e-reviewer", Role.LEADER, "兴达路领导", subdistrict=branch.community.subdistrict),
        "member": member,
    }


@pytest.fixture
def errors(page):
    seen = []
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    yield seen
    page.goto("about:blank")


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/stars/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/stars/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/stars/$"))
    # A function, not an expression: Playwright polls an expression with eval, which the CSP refuses.
    page.wait_for_function("() => document.getElementById('stars-work')?.dataset.ready === '1'")


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def card(page, queue, branch):
    return page.locator(f'#q-{queue} .app-card[data-branch="{branch.community.code}"][data-star="1"]')


def test_a_star_from_application_to_award(page, live_server, people, errors):
    branch = people["branch"]
    page.set_viewport_size({"width": 1100, "height": 900})

    # 1. The branch secretary applies with a photo as evidence.
    log_in(page, live_server, "e2e-secretary")
    expect(page.locator("h1")).to_have_text("五星支部创建")
    expect(page.locator("header .nav-stars")).to_have_class(re.compile("current"))
    form = page.locator("#apply-form")
    form.locator("select[name=star]").select_option("1")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-msg")).to_contain_text("自评")  # the statement is required, client-side first
    form.locator("textarea[name=statement]").fill("三会一课按月开展，党员发展规范。")
    form.locator("input[name=self_score]").fill("92")
    form.locator("input[name=evidence]").set_input_files(
        [{"name": "党员大会.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    page.screenshot(path=str(SHOTS / "star-1-apply.png"), full_page=True)
    form.locator("button[type=submit]").click()
    applied = card(page, "mine", branch)
    expect(applied).to_have_attribute("data-status", "applied")
    expect(applied).to_have_attribute("open", "")  # reopened after the reload
    expect(applied.locator(".evidence img")).to_have_count(1)
    expect(page.locator('.rung[data-star="1"]')).to_have_class(re.compile("status-applied"))
    assessment = Assessment.objects.get(branch=branch, star=1)
    assert assessment.evidence.count() == 1 and assessment.self_score == 92

    # 2. The sub-district leader passes the review.
    log_in(page, live_server, "e2e-reviewer")
    review = card(page, "review", branch)
    review.locator(":scope > summary").click()
    page.screenshot(path=str(SHOTS / "star-2-review.png"), full_page=True)
    review.locator('form[data-action="review_pass"] button').click()
    expect(card(page, "scoring", branch)).to_have_attribute("data-status", "scoring")
    expect(card(page, "review", branch)).to_have_count(0)

    # 3. The task-force member scores every indicator: a value out of range is caught on the page.
    log_in(page, live_server, "e2e-member")
    scoring = card(page, "scoring", branch)
    scoring.locator(":scope > summary").click()
    scoring.locator('input[data-code="A1"]').fill("31")
    scoring.locator(".score-form button[type=submit]").click()
    expect(scoring.locator(".score-form .form-msg")).to_contain_text("30")
    assert not assessment.scores.exists()
    for code, value in POINTS.items():
        scoring.locator(f'input[data-code="{code}"]').fill(value)
    expect(scoring.locator("[data-total]")).to_have_text("88.5")
    page.screenshot(path=str(SHOTS / "star-3-score.png"), full_page=True)
    scoring.locator('form[data-action="publish"] button').click()  # saves the scores, then publishes
    notice = card(page, "notice", branch)
    expect(notice).to_have_attribute("data-status", "notice")
    expect(notice.locator(".app-score")).to_have_text("88.5")
    expect(notice.locator('form[data-action="award"]')).to_have_count(0)  # the notice still runs

    # 4. Five days on, the notice has closed: the member awards the star.
    Assessment.objects.filter(pk=assessment.pk).update(notice_ends_at=timezone.now() - dt.timedelta(minutes=1))
    page.reload()
    notice = card(page, "notice", branch)
    notice.locator(":scope > summary").click()
    page.screenshot(path=str(SHOTS / "star-4-award.png"), full_page=True)
    notice.locator('form[data-action="award"] button').click()
    awarded = card(page, "awarded", branch)
    expect(awarded).to_have_attribute("data-status", "awarded")

    # 5. The branch's history page shows the star.
    page.goto(f"{live_server.url}/stars/branches/{branch.community.code}/")
    period = page.locator(f'.ladder-period[data-period="{people["period"].code}"]')
    expect(period).to_have_attribute("data-level", "1")
    expect(period.locator(".star-chip")).to_have_text(["★1"])
    expect(page.locator('.history-app[data-star="1"]')).to_have_attribute("data-status", "awarded")
    expect(page.locator('.history-app[data-star="1"] .timeline li')).to_have_count(5)
    page.screenshot(path=str(SHOTS / "star-5-history.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "star-6-history-phone.png"), full_page=True)
    assert errors == []
    assert [e.action for e in assessment.events.order_by("at", "pk")] == [
        "apply", "review_pass", "score", "publish", "award"]


def test_the_scoring_form_fits_a_phone(page, live_server, people, errors):
    from apps.stars.assessment import apply, transition

    branch = people["branch"]
    assessment = apply(branch=branch, period=people["period"], star=1, by=people["secretary"],
                       statement="自评材料", self_score=85)
    transition(assessment, "review_pass", by=people["reviewer"])
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "e2e-member")
    scoring = card(page, "scoring", branch)
    scoring.locator(":scope > summary").click()
    inputs = scoring.locator("input[name=points]")
    expect(inputs).to_have_count(4)
    for i in range(4):
        box = inputs.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, "an input runs off the phone screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "star-phone-score.png"), full_page=True)
    assert errors == []
