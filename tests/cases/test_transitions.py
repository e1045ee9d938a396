"""The transition table through the API: every allowed pair succeeds for its rightful actor, every other
pair is refused with 409 and leaves the case and its timeline as they were."""

import pytest

from apps.cases.access import cases_visible_to
from apps.cases.models import Case, CaseEvent, Status
from apps.cases.workflow import ACTIONS, ACTORS, TRANSITIONS

pytestmark = pytest.mark.django_db

ALLOWED = sorted(TRANSITIONS)
REFUSED = [(status, action) for status in Status.values for action in ACTIONS if (status, action) not in TRANSITIONS]
NOTES = {"reject": "不属实", "return": "不属本部门职责", "refuse_return": "属本部门职责", "request_extension": "需要更多时间",
         "refuse_extension": "时限足够", "request_pending": "需协调资金", "refuse_pending": "可以处理",
         "close_special": "特殊结案", "close_error": "误报", "verify_fail": "仍有垃圾", "send_back": "照片不在现场"}


def actor_for(cast, action):
    return {"dispatcher": cast.dispatcher, "lead": cast.handler, "part": cast.handler,
            "patrol": cast.colleague}[ACTORS[action]]


def body_for(cast, action):
    body = {"note": NOTES.get(action, "")}
    if action == "dispatch":
        body["department"] = cast.department.code
    if action == "merge":
        body["target"] = cast.report(description="同一处的另一报告").number
    if action in ("request_extension", "grant_extension"):
        body["hours"] = 8
    if action in ("report_part", "report_handled"):
        body["result"] = "已处理"
    if action == "reroute":
        body["grid"] = cast.grid.code
    return body


def zone_border(grid):
    """A stored border whose other candidate is the same grid outside any zone (a zone edge)."""
    community, subdistrict = grid.community, grid.community.subdistrict
    place = {"grid": {"id": grid.pk, "code": grid.code, "name": grid.name},
             "community": {"id": community.pk, "code": community.code, "name": community.name},
             "subdistrict": {"id": subdistrict.pk, "code": subdistrict.code, "name": subdistrict.name},
             "zone": None, "department": None}
    return {"levels": ["zone"], "distance_m": 10.0, "threshold_m": 30.0, "chosen": place, "other": place,
            "rule": {"kind": "zone_outside", "chosen": None, "other": "", "distance_m": 10.0}}


def snapshot(case):
    return Case.objects.filter(pk=case.pk).values().get(), CaseEvent.objects.filter(case=case).count()


def test_the_table_is_the_whole_story():
    assert len(ALLOWED) + len(REFUSED) == len(Status.values) * len(ACTIONS)
    assert set(ACTIONS) == set(ACTORS) == {action for _status, action in TRANSITIONS}


@pytest.mark.parametrize("status,action", ALLOWED, ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_an_allowed_action_moves_the_case_and_writes_one_event(cast, api_as, walk, status, action):
    case = walk(status)
    if action == "send_back":  # only a case whose evidence failed a check (tests/cases/test_evidence_api.py)
        Case.objects.filter(pk=case.pk).update(evidence_flags=["far"])
    if action == "reroute":  # only a near-border case, to its stored other candidate (tests/cases/test_borders.py)
        Case.objects.filter(pk=case.pk).update(near_border=True, border=zone_border(cast.grid))
    before, events = snapshot(case)
    body = body_for(cast, action)
    response = api_as(actor_for(cast, action)).post(f"/api/cases/{case.number}/actions/{action}/", body,
                                                    format="json")
    assert response.status_code == 200, response.content
    after, events_after = snapshot(case)
    assert after["status"] == response.json()["status"] == TRANSITIONS[(status, action)]
    assert after["version"] == before["version"] + 1 and events_after == events + 1
    last = CaseEvent.objects.filter(case=case).last()
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        action, status, TRANSITIONS[(status, action)], actor_for(cast, action)
    )
    assert last.note == body["note"]


@pytest.mark.parametrize("status,action", REFUSED, ids=[f"{s}-{a}" for s, a in REFUSED])
def test_an_action_the_status_does_not_allow_is_409_and_changes_nothing(cast, api_as, walk, status, action):
    case = walk(status)
    body = body_for(cast, action)
    before = snapshot(case)
    url = f"/api/cases/{case.number}/actions/{action}/"
    actor = actor_for(cast, action)
    if not cases_visible_to(actor).filter(pk=case.pk).exists():
        # A handler before dispatch (or after a return) has no part: the case does not exist for them.
        assert api_as(actor).post(url, body, format="json").status_code == 404
        actor = cast.dispatcher
    response = api_as(actor).post(url, body, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "transition_not_allowed"
    assert snapshot(case) == before
