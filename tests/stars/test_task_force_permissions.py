"""一星一专班: a member acts only on their own star's and branch kind's queue (403 otherwise, nothing changed);
the sub-district reviews only its own branches; the secretary withdraws only their own branch's application."""

import pytest
from workflow_cast import PASSING, cast, person, snapshot  # noqa: F401 (cast is a fixture)

from apps.people.models import Role
from apps.stars.assessment import NotYours, apply, transition
from apps.stars.models import TaskForce

pytestmark = pytest.mark.django_db

TASK_FORCE_ACTIONS = [("scoring", "score"), ("scoring", "publish"), ("scoring", "refuse"), ("notice", "award"),
                      ("notice", "refuse"), ("awarded", "revoke")]


def params(action):
    return {"points": PASSING} if action == "score" else {"note": "理由"}


def prepared(cast, status, action, branch=None):
    assessment = cast.walk(status, branch=branch)
    if action == "publish":
        transition(assessment, "score", by=cast.member_for(1, branch or cast.village), points=PASSING)
    return assessment


@pytest.mark.parametrize(("status", "action"), TASK_FORCE_ACTIONS)
def test_a_member_of_another_stars_task_force_is_refused(cast, status, action):
    assessment = prepared(cast, status, action)
    before = snapshot(assessment)
    with pytest.raises(NotYours) as refused:
        transition(assessment, action, by=cast.safety_member, **params(action))
    assert refused.value.status_code == 403
    assert snapshot(assessment) == before


@pytest.mark.parametrize(("status", "action"), TASK_FORCE_ACTIONS)
def test_a_member_of_the_village_task_force_cannot_act_on_a_community_branch(cast, status, action):
    assessment = prepared(cast, status, action, branch=cast.community)
    before = snapshot(assessment)
    with pytest.raises(NotYours) as refused:
        transition(assessment, action, by=cast.member, **params(action))
    assert refused.value.status_code == 403
    assert snapshot(assessment) == before


def test_the_members_of_the_right_task_forces_score(cast):
    village = cast.walk("scoring")
    transition(village, "score", by=cast.member, points=PASSING)
    community = cast.walk("scoring", branch=cast.community)
    transition(community, "score", by=cast.community_member, points=PASSING)
    assert village.scores.count() == community.scores.count() == 4


def test_a_member_listed_in_the_task_force_but_not_a_task_force_member_by_role_is_refused(cast):
    handler = person("H1", Role.LEADER)
    TaskForce.objects.get(kind="village", star=1).members.add(handler)
    assessment = cast.walk("scoring")
    with pytest.raises(NotYours):
        transition(assessment, "score", by=handler, points=PASSING)


def test_leaving_the_task_force_takes_the_queue_away(cast):
    assessment = cast.walk("scoring")
    TaskForce.objects.get(kind="village", star=1).members.remove(cast.member)
    with pytest.raises(NotYours):
        transition(assessment, "score", by=cast.member, points=PASSING)


@pytest.mark.parametrize("action", ["review_pass", "review_refuse"])
def test_another_subdistrict_cannot_review(cast, action):
    assessment = cast.walk("applied")
    before = snapshot(assessment)
    with pytest.raises(NotYours) as refused:
        transition(assessment, action, by=cast.other_reviewer, note="理由")
    assert refused.value.status_code == 403
    assert snapshot(assessment) == before
    transition(assessment, action, by=cast.admin, note="理由")  # an administrator may


def test_a_task_force_member_cannot_review_and_a_reviewer_cannot_score(cast):
    assessment = cast.walk("applied")
    with pytest.raises(NotYours):
        transition(assessment, "review_pass", by=cast.member)
    transition(assessment, "review_pass", by=cast.reviewer)
    with pytest.raises(NotYours):
        transition(assessment, "score", by=cast.reviewer, points=PASSING)


def test_only_the_branchs_own_secretary_applies_and_withdraws(cast):
    with pytest.raises(NotYours):
        apply(branch=cast.village, period=cast.period, star=2, by=cast.community_secretary)
    assessment = cast.walk("applied")
    with pytest.raises(NotYours):
        transition(assessment, "withdraw", by=cast.community_secretary)
    transition(assessment, "withdraw", by=cast.secretary)
    assert assessment.status == "withdrawn"


def test_revocation_by_an_administrator_or_the_task_force_only(cast):
    assessment = cast.walk("awarded")
    with pytest.raises(NotYours):
        transition(assessment, "revoke", by=cast.reviewer, note="理由")
    transition(assessment, "revoke", by=cast.admin, note="督查发现问题")
    assert assessment.status == "revoked" and assessment.revoked_at is not None
