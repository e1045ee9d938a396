"""The inspection loop in real Chromium: finding, rectification with a photo, sign-off, 支部过硬星 moves.

An inspector of the joint group records a major matter of 马渡村 whose 审议
meeting lacked two thirds of the party members: one finding, with a
responsible party, a deadline in working days and a photo. The village's
branch secretary submits the rectification with a photo; the inspector signs
it off. The measured 支部过硬星 indicator of the branch drops while the
finding is open and comes back when it is signed off. The clock is pinned
(ticking) to a Monday; sessions are made to outlive the real date.
"""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from PIL import Image
from playwright.sync_api import expect

from apps.people.models import Person, Role
from apps.stars.indicators import measured_indicators
from apps.stars.models import Branch
from apps.stars.setup import create_period
from apps.supervision.models import Finding, InspectionCampaign, InspectionGroup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-supervision-pw-1"
NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def scene(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600  # the pinned clock must not expire the browser's cookie
    with time_machine.travel(NOW, tick=True):
        period, _ = create_period("2026", "2026年度", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        branch = Branch.objects.select_related("community").get(community__name="马渡村")
        campaign = InspectionCampaign.objects.create(name="四议两公开一监督专项检查", starts_on=dt.date(2026, 11, 9),
                                                     ends_on=dt.date(2026, 11, 20))
        group = InspectionGroup.objects.create(campaign=campaign, name="第一联合检查组")

        def person(username, role, name, **fields):
            user = User.objects.create_user(username, password=PASSWORD)
            return Person.objects.create(user=user, code=username, name=name, role=role, **fields)

        inspector = person("e2e-inspector", Role.INSPECTOR, "督查员")
        group.members.add(inspector)
        group.branches.add(branch)
        secretary = person("e2e-sv-secretary", Role.BRANCH_SECRETARY, "马渡书记", community=branch.community)
        yield {"period": period, "branch": branch, "group": group, "inspector": inspector, "secretary": secretary}


def strength(scene):
    rows = measured_indicators(scene["branch"], scene["period"], star=1)
    return next(r for r in rows if r["measure"] == "branch_strength")


def png_file(name):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/supervision/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/supervision/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/supervision/$"))


def test_finding_rectified_with_a_photo_and_signed_off(page, live_server, scene):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    full = strength(scene)
    assert full["detail"]["open_findings"] == 0

    # 1. The inspector records the matter: 15 of 30 party members attended the 审议 meeting.
    log_in(page, live_server, "e2e-inspector")
    form = page.locator("#checklist-form")
    form.locator("select[name=branch_choice]").select_option(f"{scene['group'].pk}:{scene['branch'].community.code}")
    form.locator("input[name=matter]").fill("村集体土地流转")
    for name in ("proposed", "discussed", "reviewed", "resolved", "resolution_public", "results_public", "in_order",
                 "supervised"):
        form.locator(f"input[name={name}]").check()
    form.locator("input[name=party_members]").fill("30")
    form.locator("input[name=attending]").fill("15")
    form.locator("input[name=approving]").fill("12")
    form.locator("input[name=responsible_party]").fill("马渡村党支部")
    form.locator("input[name=deadline_days]").fill("5")
    form.locator("input[name=photos]").set_input_files([png_file("scene.png")])
    form.locator("button[type=submit]").click()
    expect(page.locator(".sv-msg")).to_be_visible()
    finding = Finding.objects.get()
    assert (finding.step, finding.responsible_party, finding.due_on) == ("quorum", "马渡村党支部", dt.date(2026, 11, 23))
    assert finding.photos.count() == 1
    expect(page.locator(f'#sv-group-open tr[data-finding="{finding.pk}"]')).to_be_visible()
    opened = strength(scene)
    assert opened["detail"]["open_findings"] == 1 and opened["points"] < full["points"]

    # 2. The branch secretary rectifies, with a photo.
    log_in(page, live_server, "e2e-sv-secretary")
    page.locator(f'#sv-branch a[href$="/findings/{finding.pk}/"]').click()
    rectify = page.locator("#rectify-form")
    rectify.locator("textarea[name=text]").fill("已补开党员大会，到会26人，会议记录已归档。")
    rectify.locator("input[name=photos]").set_input_files([png_file("minutes.png")])
    rectify.locator("button[type=submit]").click()
    expect(page.locator("#finding")).to_have_attribute("data-status", "submitted")
    expect(page.locator("img.sv-photo")).to_have_count(2)

    # 3. The inspector signs it off from the group's queue.
    log_in(page, live_server, "e2e-inspector")
    page.locator(f'#sv-signoff a[href$="/findings/{finding.pk}/"]').click()
    page.locator('#decide-form button[value="sign_off"]').click()
    expect(page.locator("#finding")).to_have_attribute("data-status", "signed_off")
    finding.refresh_from_db()
    assert finding.status == "signed_off" and finding.rectifications.get().status == "accepted"

    # 4. 支部过硬星's measured indicator is back to full.
    closed = strength(scene)
    assert closed["detail"]["open_findings"] == 0 and closed["points"] == full["points"]
    assert errors == []


LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_supervision_pages_draw_under_the_content_security_policy(page, live_server, district, settings, tmp_path):
    """The sample's pages for an administrator: no CSP violation, no script error, the round's map drawn."""
    from apps.stars.sample_write import ensure_people
    from apps.supervision.models import WeakBranchPlan
    from apps.supervision.sample import seed

    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SESSION_COOKIE_AGE = 20 * 365 * 24 * 3600
    with time_machine.travel(NOW, tick=True):
        ensure_people()
        Branch.objects.filter(pk=Branch.objects.filter(community__kind="village").order_by("community__code")[3].pk
                              ).update(weak=True)
        seed(today=NOW.date())
        user = User.objects.create_superuser("e2e-sv-admin", password=PASSWORD)
        Person.objects.create(user=user, code="e2e-sv-admin", name="管理员", role=Role.ADMINISTRATOR)
        problems = []
        page.add_init_script(LISTEN)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
        log_in(page, live_server, "e2e-sv-admin")
        finding = Finding.objects.filter(status="submitted").first()
        plan = WeakBranchPlan.objects.get()
        for url in ("/supervision/", "/supervision/visits/", f"/supervision/findings/{finding.pk}/",
                    f"/supervision/plans/{plan.pk}/"):
            response = page.goto(live_server.url + url)
            assert response.ok, url
            assert "script-src 'self'" in response.headers.get("content-security-policy", "")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__csp") == [], url
        page.goto(live_server.url + "/supervision/visits/")
        # expect(), not wait_for_function: a polled string would be eval'd, which the policy forbids.
        expect(page.locator("#visits")).to_have_attribute("data-drawn", "214", timeout=60000)
        expect(page.locator("#visits-map path").first).to_be_attached()
        assert problems == []
