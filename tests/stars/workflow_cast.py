"""The people of the assessment workflow, without logins (imported by the workflow, permission and indicator tests).

马渡村 (a village of 兴达路街道) and 通信花园社区 (a community of 花园路街道); each
one's secretary and sub-district leader; members of the village 支部过硬星,
village 平安法治星 and community 支部过硬星 task forces; an administrator.
`walk(status)` brings a fresh application of 马渡村 to any status with the
right actor at every step, dated in the past so a notice has closed.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from apps.people.models import Person, Role
from apps.stars.assessment import apply, transition
from apps.stars.models import Assessment, Branch, Period, TaskForce
from apps.stars.setup import create_period, ensure_task_forces

PASSING = {"A1": 28, "A2": 22, "A3": 18, "A4": 20}  # 88 of 100 for 支部过硬星 (both kinds)
FAILING = {"A1": 20, "A2": 15, "A3": 10, "A4": 10}  # 55


@dataclass
class Cast:
    period: Period
    village: Branch
    community: Branch
    secretary: Person
    community_secretary: Person
    reviewer: Person
    other_reviewer: Person
    member: Person  # village 支部过硬星
    safety_member: Person  # village 平安法治星
    community_member: Person  # community 支部过硬星
    admin: Person

    def apply(self, star=1, *, branch=None, at=None):
        branch = branch or self.village
        secretary = self.secretary if branch == self.village else self.community_secretary
        return apply(branch=branch, period=self.period, star=star, by=secretary, self_score=90, statement="自评",
                     at=at or self.start)

    @property
    def start(self):
        """Thirty days ago: a notice published then has closed by now."""
        return timezone.now() - dt.timedelta(days=30)

    def walk(self, status, *, star=1, branch=None, points=None):
        """A fresh application brought to `status` through the workflow (scored 88-90% by default)."""
        branch = branch or self.village
        reviewer = self.reviewer if branch == self.village else self.other_reviewer
        member = self.member_for(star, branch)
        start = self.start
        assessment = self.apply(star, branch=branch, at=start)
        if points is None:
            points = PASSING if star == 1 else {i.code: i.max_points * 9 // 10
                                                for i in assessment.criterion.indicators.all()}
        step = {
            "applied": [],
            "withdrawn": [("withdraw", self.secretary, {})],
            "scoring": [("review_pass", reviewer, {})],
            "refused": [("review_pass", reviewer, {}), ("refuse", member, {"note": "未达标"})],
            "notice": [("review_pass", reviewer, {}), ("score", member, {"points": points}),
                       ("publish", member, {})],
        }
        if status in ("awarded", "revoked"):
            steps = step["notice"] + [("award", member, {"at": start + dt.timedelta(days=self.period.notice_days)})]
            if status == "revoked":
                steps.append(("revoke", member, {"note": "摘星"}))
        else:
            steps = step[status]
        for action, by, params in steps:
            params = {"at": start, **params}
            transition(assessment, action, by=by, **params)
        assessment.refresh_from_db()
        assert assessment.status == status
        return assessment

    def member_for(self, star, branch):
        if branch.community.kind == "community":
            return self.community_member
        return {1: self.member, 4: self.safety_member}.get(star)


def person(code, role, **fields):
    return Person.objects.create(code=code, name=code, role=role, **fields)


@pytest.fixture
def cast(district):
    ensure_task_forces()
    period, _ = create_period("2026", "2026年度", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    village = Branch.objects.select_related("community__subdistrict").get(community__name="马渡村")
    community = Branch.objects.select_related("community__subdistrict").get(community__name="通信花园社区")
    member = person("T-V1", Role.TASK_FORCE_MEMBER)
    safety = person("T-V4", Role.TASK_FORCE_MEMBER)
    community_member = person("T-C1", Role.TASK_FORCE_MEMBER)
    TaskForce.objects.get(kind="village", star=1).members.add(member)
    TaskForce.objects.get(kind="village", star=4).members.add(safety)
    TaskForce.objects.get(kind="community", star=1).members.add(community_member)
    return Cast(
        period=period, village=village, community=community,
        secretary=person("S-V", Role.BRANCH_SECRETARY, community=village.community),
        community_secretary=person("S-C", Role.BRANCH_SECRETARY, community=community.community),
        reviewer=person("R-V", Role.LEADER, subdistrict=village.community.subdistrict),
        other_reviewer=person("R-C", Role.LEADER, subdistrict=community.community.subdistrict),
        member=member, safety_member=safety, community_member=community_member,
        admin=person("ADM", Role.ADMINISTRATOR),
    )


def snapshot(assessment):
    """Everything a refused action must leave as it was."""
    row = Assessment.objects.filter(pk=assessment.pk).values().get()
    return (
        row,
        list(assessment.events.values_list("action", "from_status", "to_status")),
        sorted(assessment.scores.values_list("indicator__code", "points", "measured")),
        list(assessment.objections.values_list("text", "outcome")),
    )
