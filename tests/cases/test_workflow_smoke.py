"""The standard loop end to end through the workflow functions (the API and pages build on it)."""

import pytest

from apps.cases.models import Case
from apps.cases.workflow import NotYourAction, TransitionNotAllowed, transition

pytestmark = pytest.mark.django_db


def test_a_case_goes_round_the_loop_with_rework_and_closes_on_time(cast):
    case = cast.report()
    assert (case.status, case.grid_id, case.subdistrict_id) == ("reported", cast.grid.pk, cast.grid.community.subdistrict_id)
    transition(case, "register", by=cast.dispatcher)
    transition(case, "dispatch", by=cast.dispatcher, department=cast.department)
    transition(case, "accept", by=cast.handler)
    transition(case, "report_handled", by=cast.handler, result="已清理")
    transition(case, "verify_fail", by=cast.colleague, note="仍有垃圾")
    transition(case, "report_handled", by=cast.handler, result="已彻底清理")
    transition(case, "verify_pass", by=cast.worker)
    case.refresh_from_db()
    assert case.status == "closed" and case.closure == Case.Closure.ON_TIME and case.rework_count == 1
    assert list(case.events.values_list("action", flat=True)) == [
        "report", "register", "dispatch", "accept", "report_handled", "verify_fail", "report_handled", "verify_pass",
    ]


def test_the_handler_never_verifies_and_a_second_register_is_refused(cast):
    case = cast.report()
    transition(case, "register", by=cast.dispatcher)
    with pytest.raises(TransitionNotAllowed):
        transition(case, "register", by=cast.centre)
    transition(case, "dispatch", by=cast.dispatcher, department=cast.department)
    transition(case, "accept", by=cast.handler)
    transition(case, "report_handled", by=cast.handler)
    with pytest.raises(NotYourAction):
        transition(case, "verify_pass", by=cast.handler)
    with pytest.raises(NotYourAction):
        transition(case, "verify_pass", by=cast.other_worker)
    case.refresh_from_db()
    assert case.status == "handled"
