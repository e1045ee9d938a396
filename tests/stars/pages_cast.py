"""The cast of the five-star permission story, shared by the page and API tests (imported, not a conftest).

A branch (马渡村, a village of 兴达路街道) and one in another sub-district; their
secretaries; the two sub-districts' leaders; a member of the village 支部过硬星
task force and one of the village 平安法治星 task force; a district leader; an
administrator; and people the stars pages are not for (a grid worker, a dispatcher).
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from cast_helpers import fast_password_hashing, make_person
from django.utils import timezone

from apps.people.models import Person, Role
from apps.stars.assessment import apply, transition
from apps.stars.models import Branch, Period, TaskForce
from apps.stars.setup import create_period, ensure_task_forces

FULL_POINTS = {"A1": 28, "A2": 22, "A3": 18, "A4": 20}  # 88 of 100 for the village 支部过硬星


@dataclass
class StarCast:
    period: Period
    branch: Branch
    other_branch: Branch
    secretary: Person
    other_secretary: Person
    reviewer: Person
    other_reviewer: Person
    member: Person
    other_member: Person
    district_leader: Person
    admin: Person
    worker: Person
    dispatcher: Person

    def application(self, star=1, status="applied", *, branch=None, days_ago=30, points=None):
        """An application walked to `status` with timestamps `days_ago` in the past (so a notice has closed)."""
        branch = branch or self.branch
        secretary = self.secretary if branch == self.branch else self.other_secretary
        reviewer = self.reviewer if branch == self.branch else self.other_reviewer
        start = timezone.now() - dt.timedelta(days=days_ago)
        assessment = apply(branch=branch, period=self.period, star=star, by=secretary, statement="自评：组织生活规范",
                           self_score=90, at=start)
        if status == "applied":
            return assessment
        transition(assessment, "review_pass", by=reviewer, at=start)
        if status == "scoring":
            return assessment
        member = self.member_for(star)
        if points is None:
            points = FULL_POINTS if star == 1 else good_points(assessment)
        transition(assessment, "score", by=member, points=points, at=start)
        transition(assessment, "publish", by=member, at=start)
        if status == "notice":
            return assessment
        transition(assessment, "award", by=member, at=start + dt.timedelta(days=self.period.notice_days))
        return assessment

    def member_for(self, star):
        """The cast's member for stars 1 and 4; for the others, a member made for the village task force."""
        if star in (1, 4):
            return {1: self.member, 4: self.other_member}[star]
        task_force = TaskForce.objects.get(kind="village", star=star)
        member = task_force.members.first()
        if member is None:
            member = Person.objects.create(code=f"tf-{star}", name=f"专班{star}", role=Role.TASK_FORCE_MEMBER)
            task_force.members.add(member)
        return member


def good_points(assessment):
    """90% of every indicator's points: enough to publish."""
    return {i.code: i.max_points * 9 // 10 for i in assessment.criterion.indicators.all()}


# The name the stars tests import and request; pytest registers a fixture under the name it is bound to.
fast_passwords = fast_password_hashing


@pytest.fixture
def star_cast(district, fast_passwords):
    ensure_task_forces()
    today = timezone.localdate()
    period, _ = create_period(str(today.year), f"{today.year}年度", dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    branch = Branch.objects.select_related("community__subdistrict").get(community__name="马渡村")
    other_branch = (
        Branch.objects.select_related("community__subdistrict")
        .filter(community__kind="village").exclude(community__subdistrict=branch.community.subdistrict)
        .order_by("community__code").first()
    )
    member = make_person("tf-strong", Role.TASK_FORCE_MEMBER, name="专班成员甲")
    TaskForce.objects.get(kind="village", star=1).members.add(member)
    other_member = make_person("tf-safety", Role.TASK_FORCE_MEMBER, name="专班成员乙")
    TaskForce.objects.get(kind="village", star=4).members.add(other_member)
    return StarCast(
        period=period,
        branch=branch,
        other_branch=other_branch,
        secretary=make_person("sec", Role.BRANCH_SECRETARY, name="马渡书记", community=branch.community),
        other_secretary=make_person("other-sec", Role.BRANCH_SECRETARY, community=other_branch.community),
        reviewer=make_person("sd-leader", Role.LEADER, name="街道领导", subdistrict=branch.community.subdistrict),
        other_reviewer=make_person("other-sd-leader", Role.LEADER, subdistrict=other_branch.community.subdistrict),
        member=member,
        other_member=other_member,
        district_leader=make_person("district-leader", Role.LEADER),
        admin=make_person("admin", Role.ADMINISTRATOR),
        worker=make_person("worker", Role.GRID_WORKER),
        dispatcher=make_person("dispatcher", Role.DISPATCHER),
    )
