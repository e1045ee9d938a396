"""Sample supervision data for `make demo` (`manage.py seed_supervision`), made through the real verbs.

- the 补短强基 campaign: 四议两公开一监督, two weeks ending yesterday, 4 joint
  groups x 10 of the 40 villages; one matter checked in each village, with
  findings in every state (open, being rectified, submitted, sent back,
  signed off, overdue and escalated, in the look-back round, reopened);
- a research round (过筛子) of the current quarter, part-done: every branch of
  some sub-districts and a few of others visited by their leaders;
- one weak-branch rectification plan per branch the stars sample flags weak.
Deterministic for a given day (fixed seed); a second run finds the campaign and
does nothing.
"""

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from apps.people.models import Department, Person, Role
from apps.stars.models import Branch
from apps.supervision.checklist import Answers
from apps.supervision.models import Finding, InspectionCampaign, InspectionGroup, ResearchRound, WeakBranchPlan
from apps.supervision.records import complete_milestone, create_plan, record_inspection, record_visit
from apps.supervision.tasks import mark_overdue
from apps.supervision.workflow import transition

CAMPAIGN = "补短强基专项检查：四议两公开一监督"
GROUPS = 4
INSPECTORS_PER_GROUP = 3
MATTERS = ["村集体土地流转", "村级道路硬化工程", "集体经济项目分红", "村办公场所修缮", "低保户评议",
           "村规民约修订", "灌溉设施改造", "集体资产出租"]
STORIES = ["clean", "open", "rectifying", "submitted", "returned", "signed_off", "overdue", "lookback_pass",
           "reopened", "signed_off"]


def photo(name="evidence.png", colour=(200, 30, 30)):
    """A small real PNG (the photo checks open every image)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _inspectors(rng):
    department = Department.objects.filter(name="区纪委监委").first()
    people = []
    for g in range(1, GROUPS + 1):
        members = []
        for i in range(1, INSPECTORS_PER_GROUP + 1):
            person, _created = Person.objects.get_or_create(
                code=f"SV-INSP-{g}-{i}",
                defaults={"name": f"督查员{g}-{i}", "role": Role.INSPECTOR, "department": department,
                          "title": f"第{g}联合检查组成员"})
            members.append(person)
        people.append(members)
    demo = Person.objects.filter(code="DEMO-inspector").first()
    if demo is not None:
        people[0].append(demo)
    return people


def _secretary(branch):
    return Person.objects.filter(role=Role.BRANCH_SECRETARY, community_id=branch.community_id).order_by("code").first()


def _answers(story, rng):
    members = rng.randint(25, 60)
    if story == "clean":
        return Answers(True, True, True, members, members - 2, members - 5, True, True, True, True, True)
    # One or two things wrong: attendance below 2/3, or a step not made public.
    attending = members // 2 if rng.random() < 0.5 else members - 3
    return Answers(True, True, True, members, attending, attending - 1, True, rng.random() < 0.5, True, True,
                   rng.random() < 0.7)


def _walk(finding, story, *, inspector, secretary, start):
    """Move a fresh finding along its story with times after `start` (its inspection)."""
    t = start
    step = dt.timedelta(days=1)
    if story == "rectifying":
        transition(finding, "start", by=secretary, at=t + step)
    if story in ("submitted", "returned", "signed_off", "lookback_pass", "reopened"):
        transition(finding, "submit", by=secretary, text="已召开党员大会补充审议，会议记录已归档。",
                   photos=[photo()], at=t + step)
    if story == "returned":
        transition(finding, "send_back", by=inspector, note="会议记录缺少签到表，请补充。", at=t + 2 * step)
    if story in ("signed_off", "lookback_pass", "reopened"):
        transition(finding, "sign_off", by=inspector, at=t + 2 * step)


@transaction.atomic
def seed(today=None):
    """Make the sample; returns counts. Does nothing when the campaign is already there."""
    today = today or timezone.localdate()
    if InspectionCampaign.objects.filter(name=CAMPAIGN).exists():
        return {"skipped": True}
    rng = random.Random(20261)
    villages = list(Branch.objects.filter(community__kind="village").select_related("community")
                    .order_by("community__code"))
    ends_on = today - dt.timedelta(days=1)
    starts_on = ends_on - dt.timedelta(days=13)
    campaign = InspectionCampaign.objects.create(name=CAMPAIGN, kind=InspectionCampaign.Kind.FOUR_TWO_ONE,
                                                 starts_on=starts_on, ends_on=ends_on)
    members = _inspectors(rng)
    counts = {"groups": 0, "inspections": 0, "findings": 0, "visits": 0, "plans": 0}
    for g in range(GROUPS):
        group = InspectionGroup.objects.create(campaign=campaign, name=f"第{g + 1}联合检查组")
        group.members.set(members[g])
        mine = villages[g * 10:(g + 1) * 10]
        group.branches.set(mine)
        counts["groups"] += 1
        for i, branch in enumerate(mine):
            story = STORIES[i % len(STORIES)]
            inspector, secretary = members[g][0], _secretary(branch)
            # Overdue stories are checked first, so their deadline has passed by today.
            day = starts_on if story in ("overdue", "lookback_pass", "reopened") else starts_on + dt.timedelta(
                days=min(i, 12))
            days = 3 if story in ("overdue", "lookback_pass", "reopened") else 15
            at = _at(day)
            _inspection, findings = record_inspection(
                group, branch, by=inspector, matter=rng.choice(MATTERS), answers=_answers(story, rng),
                responsible_party=f"{branch.community.name}党支部", deadline_days=days, at=at,
                photos=[photo("scene.png", (30, 90, 200))] if story != "clean" else ())
            counts["inspections"] += 1
            counts["findings"] += len(findings)
            if secretary is None:
                continue
            for finding in findings[:1]:
                _walk(finding, story, inspector=inspector, secretary=secretary, start=at)
    moment = min(_at(today, 9), timezone.now())  # never stamped in the future
    counts["overdue"] = mark_overdue(now=moment)
    # 回头看: of the findings signed off, one holds and one relapsed.
    for action in ("lookback_pass", "reopen"):
        finding = (Finding.objects.filter(group__campaign=campaign, status="signed_off", lookback_checked_at=None)
                   .order_by("id").first())
        if finding is None:
            continue
        # Put it in the look-back round (as the overdue sweep does for late ones), then check it again.
        Finding.objects.filter(pk=finding.pk).update(lookback=True)
        member = finding.group.members.order_by("code").first()
        note = "回头看发现问题反弹，重新整改。" if action == "reopen" else ""
        transition(finding, action, by=member, note=note, at=moment)
    counts["visits"] = _research_round(today, rng)
    counts["plans"] = _plans(today)
    return counts


def _research_round(today, rng):
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    next_quarter = dt.date(today.year + (quarter_start.month == 10), (quarter_start.month + 2) % 12 + 1, 1)
    research_round = ResearchRound.objects.create(
        name=f"{today.year}年第{(today.month - 1) // 3 + 1}季度过筛子调研", starts_on=quarter_start,
        ends_on=next_quarter - dt.timedelta(days=1))
    district_leader = Person.objects.filter(role=Role.LEADER, subdistrict__isnull=True).order_by("code").first()
    made = 0
    span = max((today - quarter_start).days, 0)
    for index, branch in enumerate(Branch.objects.select_related("community").order_by("community__code")):
        # About 55% visited so far: the round is part-done.
        if rng.random() > 0.55:
            continue
        visitor = (Person.objects.filter(role=Role.LEADER, subdistrict_id=branch.community.subdistrict_id)
                   .order_by("code").first() or district_leader)
        if visitor is None:
            continue
        visited_on = quarter_start + dt.timedelta(days=rng.randint(0, span))
        issues = rng.choice([0, 0, 1, 2])
        record_visit(research_round, branch, by=visitor, visited_on=visited_on,
                     checked="组织生活会记录、三务公开栏、党员发展台账", issues="公开栏更新不及时" if issues else "",
                     issues_count=issues, at=_at(visited_on, 16) if visited_on < today else timezone.now())
        made += 1
    return made


def _plans(today):
    organiser = Person.objects.filter(role=Role.ADMINISTRATOR).order_by("code").first()
    district_leader = Person.objects.filter(role=Role.LEADER, subdistrict__isnull=True).order_by("code").first()
    by = organiser or district_leader
    made = 0
    for branch in Branch.objects.filter(weak=True).select_related("community", "leader"):
        if by is None or WeakBranchPlan.objects.filter(branch=branch).exists():
            continue
        leader = branch.leader or district_leader
        if leader is None:
            continue
        plan = create_plan(
            branch, by=by, problems="班子不团结，组织生活不规范，三务公开不及时。",
            measures="调整充实支部班子；每月召开组织生活会；建立三务公开台账；包保领导每月到村督导。", leader=leader,
            milestones=[("调整支部班子", today - dt.timedelta(days=20)), ("规范组织生活", today + dt.timedelta(days=15)),
                        ("整改验收", today + dt.timedelta(days=45))],
            at=_at(today - dt.timedelta(days=30)))
        first = plan.milestones.order_by("due_on").first()
        complete_milestone(first, by=leader, done_on=today - dt.timedelta(days=21))
        made += 1
    return made


