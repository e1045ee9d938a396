"""The assessment workflow table, every pair: allowed ones succeed for the right actor, the rest are
refused (409) with nothing changed; and the bad inputs of the issue (400/409, nothing written)."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from workflow_cast import FAILING, PASSING, cast, snapshot  # noqa: F401 (cast is a fixture)

from apps.stars.assessment import ACTORS, TRANSITIONS, AssessmentError, NotAllowed, transition
from apps.stars.models import Assessment, AssessmentEvent, AssessmentStatus, Objection, Score

pytestmark = pytest.mark.django_db

STATUSES = list(AssessmentStatus.values)
ALLOWED = sorted(TRANSITIONS)
REFUSED = sorted((s, a) for s in STATUSES for a in ACTORS if (s, a) not in TRANSITIONS)


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English (the UI's default is Chinese)."""
    with translation.override("en"):
        yield


def actor(cast, action):
    return {"reviewer": cast.reviewer, "secretary": cast.secretary, "task_force": cast.member,
            "revoker": cast.member, "staff": cast.reviewer}[ACTORS[action]]


def params_for(cast, assessment, action):
    """Valid parameters for `action` (preparing the application where the action needs it)."""
    start = cast.start
    if action == "score":
        return {"points": {"A1": 25}, "at": start}
    if action == "publish":
        transition(assessment, "score", by=cast.member, points=PASSING, at=start)
        return {"at": start}
    if action == "object":
        return {"note": "群众反映台账补记", "at": start + dt.timedelta(days=1)}
    if action == "resolve":
        transition(assessment, "object", by=cast.reviewer, note="群众反映台账补记", at=start + dt.timedelta(days=1))
        return {"note": "经核查不属实", "objection": assessment.objections.get(), "upheld": False,
                "at": start + dt.timedelta(days=2)}
    if action == "award":
        return {}
    return {"note": "理由"}


def test_the_table_covers_every_status_and_action():
    assert len(ALLOWED) + len(REFUSED) == len(STATUSES) * len(ACTORS)
    assert {s for s, _a in ALLOWED} == {"applied", "scoring", "notice", "awarded"}


@pytest.mark.parametrize(("status", "action"), ALLOWED)
def test_an_allowed_action_by_the_right_actor_moves_the_application(cast, status, action):
    assessment = cast.walk(status)
    params = params_for(cast, assessment, action)
    version = Assessment.objects.get(pk=assessment.pk).version
    event = transition(assessment, action, by=actor(cast, action), **params)
    assessment.refresh_from_db()
    assert assessment.status == TRANSITIONS[(status, action)]
    assert (event.action, event.from_status, event.to_status) == (action, status, assessment.status)
    assert assessment.version == version + 1
    assert assessment.events.order_by("at", "id").last().pk == event.pk


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_an_action_outside_the_table_is_refused_with_nothing_changed(cast, status, action):
    assessment = cast.walk(status)
    before = snapshot(assessment)
    params = {"points": PASSING} if action == "score" else {}
    with pytest.raises(NotAllowed) as refused:
        transition(assessment, action, by=actor(cast, action), note="理由", **params)
    assert refused.value.status_code == 409
    assert snapshot(assessment) == before


# --- bad input: clear errors, nothing written -------------------------------------------------


def test_a_second_application_for_the_same_star_and_period_is_refused(cast):
    cast.walk("refused")
    count = Assessment.objects.count()
    with pytest.raises(NotAllowed) as refused:
        cast.apply(1)
    assert refused.value.status_code == 409 and refused.value.field == "star"
    assert "马渡村" in refused.value.message
    assert Assessment.objects.count() == count


@pytest.mark.parametrize("points", [{"A1": 31}, {"A1": -1}, {"A4": "abc"}, {"Z9": 5}, {}])
def test_a_score_outside_an_indicator_or_its_range_is_refused(cast, points):
    assessment = cast.walk("scoring")
    before = snapshot(assessment)
    with pytest.raises(AssessmentError) as refused:
        transition(assessment, "score", by=cast.member, points=points)
    assert refused.value.status_code == 400 and refused.value.field == "points"
    assert snapshot(assessment) == before


def test_a_score_names_the_indicator_and_its_range(cast):
    assessment = cast.walk("scoring")
    with pytest.raises(AssessmentError, match="0 and 30, got 31"):
        transition(assessment, "score", by=cast.member, points={"A1": 31})


def test_no_award_straight_from_scoring(cast):
    assessment = cast.walk("scoring")
    transition(assessment, "score", by=cast.member, points=PASSING)
    before = snapshot(assessment)
    with pytest.raises(NotAllowed) as refused:
        transition(assessment, "award", by=cast.member)
    assert refused.value.status_code == 409
    assert snapshot(assessment) == before


def test_no_publish_before_every_indicator_is_scored_or_below_the_pass_score(cast):
    assessment = cast.walk("scoring")
    transition(assessment, "score", by=cast.member, points={"A1": 28})
    with pytest.raises(NotAllowed, match="missing"):
        transition(assessment, "publish", by=cast.member)
    transition(assessment, "score", by=cast.member, points=FAILING)
    before = snapshot(assessment)
    with pytest.raises(NotAllowed, match="below"):
        transition(assessment, "publish", by=cast.member)
    assert snapshot(assessment) == before


def test_no_award_before_the_notice_closes(cast):
    assessment = cast.walk("scoring")
    now = timezone.now()
    transition(assessment, "score", by=cast.member, points=PASSING, at=now)
    transition(assessment, "publish", by=cast.member, at=now)
    before = snapshot(assessment)
    with pytest.raises(NotAllowed, match="notice runs until"):
        transition(assessment, "award", by=cast.member, at=now + dt.timedelta(days=cast.period.notice_days - 1))
    assert snapshot(assessment) == before
    transition(assessment, "award", by=cast.member, at=now + dt.timedelta(days=cast.period.notice_days))
    assert Assessment.objects.get(pk=assessment.pk).status == "awarded"


def test_no_award_while_an_objection_is_open_or_was_upheld(cast):
    assessment = cast.walk("notice")
    during = cast.start + dt.timedelta(days=1)
    transition(assessment, "object", by=cast.reviewer, note="反映问题", at=during)
    with pytest.raises(NotAllowed, match="objection"):
        transition(assessment, "award", by=cast.member)
    transition(assessment, "resolve", by=cast.member, note="属实", objection=assessment.objections.get(),
               upheld=True, at=during)
    before = snapshot(assessment)
    with pytest.raises(NotAllowed, match="upheld"):
        transition(assessment, "award", by=cast.member)
    assert snapshot(assessment) == before
    transition(assessment, "refuse", by=cast.member, note="异议成立")
    assert Assessment.objects.get(pk=assessment.pk).status == "refused"


def test_an_objection_after_the_notice_closed_is_refused(cast):
    assessment = cast.walk("notice")
    objections, events = Objection.objects.count(), AssessmentEvent.objects.count()
    with pytest.raises(NotAllowed, match="closed") as refused:
        transition(assessment, "object", by=cast.reviewer, note="迟到的异议")
    assert refused.value.status_code == 409
    assert (Objection.objects.count(), AssessmentEvent.objects.count()) == (objections, events)


@pytest.mark.parametrize("action", ["review_refuse", "refuse", "revoke", "object"])
def test_refusals_revocations_and_objections_need_a_reason(cast, action):
    status = {"review_refuse": "applied", "refuse": "scoring", "revoke": "awarded", "object": "notice"}[action]
    assessment = cast.walk(status)
    before = snapshot(assessment)
    with pytest.raises(AssessmentError) as refused:
        transition(assessment, action, by=actor(cast, action), note="  ",
                   at=cast.start + dt.timedelta(days=1))
    assert refused.value.field == "note"
    assert snapshot(assessment) == before


def test_scores_are_written_once_per_indicator_and_rescoring_replaces_them(cast):
    assessment = cast.walk("scoring")
    transition(assessment, "score", by=cast.member, points={"A1": 20, "A2": 20})
    transition(assessment, "score", by=cast.member, points={"A1": 25, "A3": 15})
    assert dict(Score.objects.filter(assessment=assessment).values_list("indicator__code", "points")) == {
        "A1": 25, "A2": 20, "A3": 15}
