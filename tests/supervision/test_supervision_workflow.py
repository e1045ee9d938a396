"""Every allowed and refused step of the three workflows: finding, rectification, weak-branch plan."""

import datetime as dt

import pytest
from sv_cast import png

from apps.stars.models import Branch
from apps.supervision import workflow
from apps.supervision.errors import NotYourAction, TransitionNotAllowed, WorkflowError
from apps.supervision.models import Finding, FindingEvent, FindingStatus, Rectification, RectificationEvent
from apps.supervision.records import complete_milestone, create_plan

F = FindingStatus
FINDING_STATUSES = list(F.values)
FINDING_ACTIONS = sorted(workflow.FINDING_ACTORS)


def walk_to(cast, status):
    """A finding of v1 brought to `status` through the workflow itself."""
    finding = cast.finding()
    submit = {"text": "已补开党员大会", "photos": [png()]}
    if status == F.RECTIFYING:
        workflow.transition(finding, "start", by=cast.secretary)
    if status in (F.SUBMITTED, F.RETURNED, F.SIGNED_OFF):
        workflow.transition(finding, "submit", by=cast.secretary, **submit)
    if status == F.RETURNED:
        workflow.transition(finding, "send_back", by=cast.inspector_a, note="缺签到表")
    if status == F.SIGNED_OFF:
        workflow.transition(finding, "sign_off", by=cast.inspector_a)
        Finding.objects.filter(pk=finding.pk).update(lookback=True)
    finding.refresh_from_db()
    assert finding.status == status
    return finding


def params_for(action):
    if action == "submit":
        return {"text": "已整改", "photos": [png()]}
    if action in workflow.FINDING_NOTE_REQUIRED:
        return {"note": "理由"}
    return {}


def actor_for(cast, action, *, right=True):
    kind = workflow.FINDING_ACTORS[action]
    if kind == "branch":
        return cast.secretary if right else cast.other_secretary
    return cast.inspector_a if right else cast.inspector_b


@pytest.mark.django_db
@pytest.mark.parametrize("status", FINDING_STATUSES)
@pytest.mark.parametrize("action", FINDING_ACTIONS)
def test_finding_table_allows_exactly_its_steps(cast, status, action):
    finding = walk_to(cast, status)
    events = FindingEvent.objects.filter(finding=finding).count()
    expected = workflow.FINDING_TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            workflow.transition(finding, action, by=actor_for(cast, action), **params_for(action))
        finding.refresh_from_db()
        assert finding.status == status
        assert FindingEvent.objects.filter(finding=finding).count() == events
        return
    event = workflow.transition(finding, action, by=actor_for(cast, action), **params_for(action))
    finding.refresh_from_db()
    assert finding.status == expected
    assert (event.from_status, event.to_status, event.action) == (status, expected, action)


@pytest.mark.django_db
@pytest.mark.parametrize("status,action", sorted(workflow.FINDING_TRANSITIONS))
def test_finding_step_refused_to_the_wrong_person(cast, status, action):
    finding = walk_to(cast, status)
    for outsider in (actor_for(cast, action, right=False), cast.leader, cast.worker):
        with pytest.raises(NotYourAction):
            workflow.transition(finding, action, by=outsider, **params_for(action))
    finding.refresh_from_db()
    assert finding.status == status


@pytest.mark.django_db
def test_rectification_on_a_signed_off_finding_is_refused_and_writes_nothing(cast):
    finding = walk_to(cast, F.SIGNED_OFF)
    before = Rectification.objects.count()
    with pytest.raises(TransitionNotAllowed):
        workflow.transition(finding, "submit", by=cast.secretary, text="再次整改", photos=[png()])
    assert Rectification.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["text", "photos"])
def test_submit_without_text_or_photo_writes_nothing(cast, missing):
    finding = cast.finding()
    params = {"text": "已整改", "photos": [png()]}
    params[missing] = "" if missing == "text" else []
    with pytest.raises(WorkflowError) as exc:
        workflow.transition(finding, "submit", by=cast.secretary, **params)
    assert exc.value.field == missing
    finding.refresh_from_db()
    assert finding.status == F.OPEN and not Rectification.objects.filter(finding=finding).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action,expected", [("sign_off", "accepted"), ("send_back", "sent_back")])
def test_group_decision_moves_the_rectification_with_its_own_event(cast, action, expected):
    finding = walk_to(cast, F.SUBMITTED)
    workflow.transition(finding, action, by=cast.inspector_a, note="意见")
    rectification = finding.rectifications.get()
    assert rectification.status == expected and rectification.decided_by == cast.inspector_a
    assert list(RectificationEvent.objects.filter(rectification=rectification).values_list("action", flat=True)) == [
        "submit", "accept" if action == "sign_off" else "send_back"]
    if action == "sign_off":
        assert finding.closed_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["accept", "send_back"])
def test_rectification_decided_twice_is_refused(cast, action):
    finding = walk_to(cast, F.SUBMITTED)
    rectification = finding.rectifications.get()
    with pytest.raises(NotYourAction):
        workflow.rectification_transition(rectification, action, by=cast.inspector_b, note="x")
    workflow.rectification_transition(rectification, action, by=cast.inspector_a, note="x")
    with pytest.raises(TransitionNotAllowed):
        workflow.rectification_transition(rectification, action, by=cast.inspector_a, note="x")


# --- weak-branch plan ----------------------------------------------------------------------------------


def make_plan(cast, *, done=True):
    plan = create_plan(cast.v1, by=cast.admin, problems="班子软弱", measures="调整班子", leader=cast.leader,
                       milestones=[("调整班子", dt.date(2026, 11, 30))])
    if done:
        complete_milestone(plan.milestones.get(), by=cast.leader, done_on=dt.date(2026, 11, 16))
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["active", "submitted", "signed_off"])
@pytest.mark.parametrize("action", sorted(workflow.PLAN_ACTORS))
def test_plan_table_allows_exactly_its_steps(cast, status, action):
    plan = make_plan(cast)
    if status in ("submitted", "signed_off"):
        workflow.plan_transition(plan, "submit", by=cast.leader)
    if status == "signed_off":
        workflow.plan_transition(plan, "sign_off", by=cast.admin)
    by = cast.leader if workflow.PLAN_ACTORS[action] == "plan_owner" else cast.admin
    expected = workflow.PLAN_TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            workflow.plan_transition(plan, action, by=by, note="n")
        return
    workflow.plan_transition(plan, action, by=by, note="n")
    assert plan.status == expected


@pytest.mark.django_db
def test_plan_creation_flags_and_sign_off_clears_the_weak_flag(cast):
    assert not Branch.objects.get(pk=cast.v1.pk).weak
    plan = make_plan(cast)
    assert Branch.objects.get(pk=cast.v1.pk).weak
    workflow.plan_transition(plan, "submit", by=cast.secretary)
    with pytest.raises(NotYourAction):
        workflow.plan_transition(plan, "sign_off", by=cast.other_leader)
    assert Branch.objects.get(pk=cast.v1.pk).weak
    workflow.plan_transition(plan, "sign_off", by=cast.leader)
    assert not Branch.objects.get(pk=cast.v1.pk).weak
    assert list(plan.events.values_list("action", flat=True)) == ["create", "submit", "sign_off"]


@pytest.mark.django_db
def test_plan_cannot_be_submitted_with_milestones_undone(cast):
    plan = make_plan(cast, done=False)
    with pytest.raises(WorkflowError) as exc:
        workflow.plan_transition(plan, "submit", by=cast.leader)
    assert "调整班子" in exc.value.message
    plan.refresh_from_db()
    assert plan.status == "active"


@pytest.mark.django_db
def test_plan_made_by_someone_outside_the_area_is_refused(cast):
    with pytest.raises(NotYourAction):
        create_plan(cast.v1, by=cast.other_leader, problems="p", measures="m", leader=cast.leader,
                    milestones=[("a", dt.date(2026, 12, 1))])
    assert not Branch.objects.get(pk=cast.v1.pk).weak
