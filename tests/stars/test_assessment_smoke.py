"""A star from application to award, and the level and summary that follow."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.areas.models import SubDistrict
from apps.people.models import Person, Role
from apps.stars.assessment import AssessmentError, NotAllowed, NotYours, apply, transition
from apps.stars.levels import levels, summary
from apps.stars.models import Branch, TaskForce
from apps.stars.setup import create_period, ensure_task_forces

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(district):
    ensure_task_forces()
    period, _ = create_period("2026", "2026年度", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    branch = Branch.objects.select_related("community").get(community__name="马渡村")
    secretary = Person.objects.create(code="S1", name="书记", role=Role.BRANCH_SECRETARY, community=branch.community)
    reviewer = Person.objects.create(code="R1", name="街道", role=Role.LEADER, subdistrict=branch.community.subdistrict)
    member = Person.objects.create(code="M1", name="专班", role=Role.TASK_FORCE_MEMBER)
    TaskForce.objects.get(kind="village", star=1).members.add(member)
    other_member = Person.objects.create(code="M2", name="别的专班", role=Role.TASK_FORCE_MEMBER)
    TaskForce.objects.get(kind="village", star=4).members.add(other_member)
    return period, branch, secretary, reviewer, member, other_member


def test_a_star_is_applied_for_reviewed_scored_noticed_and_awarded(program):
    period, branch, secretary, reviewer, member, other_member = program
    start = timezone.now() - dt.timedelta(days=30)
    assessment = apply(branch=branch, period=period, star=1, by=secretary, self_score=90, at=start)
    with pytest.raises(NotAllowed):
        apply(branch=branch, period=period, star=1, by=secretary, at=start)
    transition(assessment, "review_pass", by=reviewer, at=start)
    with pytest.raises(NotYours):
        transition(assessment, "score", by=other_member, points={"A1": 20}, at=start)
    with pytest.raises(AssessmentError):
        transition(assessment, "score", by=member, points={"A1": 31}, at=start)
    transition(assessment, "score", by=member, points={"A1": 28, "A2": 22, "A3": 18, "A4": 20}, at=start)
    transition(assessment, "publish", by=member, at=start)
    with pytest.raises(NotAllowed):
        transition(assessment, "award", by=member, at=start + dt.timedelta(days=1))
    transition(assessment, "award", by=member, at=start + dt.timedelta(days=period.notice_days))
    assert (assessment.status, assessment.score) == ("awarded", 88)
    assert levels(period)[branch.pk] == 1
    district = summary(period, SubDistrict.objects.all())["district"]
    assert district["levels"]["1"] == 1 and district["levels"]["0"] == 213
    assert district["progress"]["five_star"] == {"target": 3, "held": 0, "in_pipeline": 0, "gap": 3}
