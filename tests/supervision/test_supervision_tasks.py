"""Overdue rectifications: red, into the look-back round, escalated once to the branch's 包保 leader."""

import datetime as dt

import pytest
import time_machine
from sv_cast import NOW, png

from apps.cases.models import Notification, OutboxMessage
from apps.stars.models import Branch
from apps.supervision import workflow
from apps.supervision.models import Finding
from apps.supervision.tasks import check_rectifications, mark_overdue


@pytest.mark.django_db
def test_overdue_finding_turns_red_and_is_escalated_once_to_the_accountable_leader(cast, clock):
    finding = cast.finding(days=2)  # due Wed 18 Nov
    on_time = cast.finding(days=10)
    clock.move_to(dt.datetime(2026, 11, 18, 23, 0, tzinfo=NOW.tzinfo))
    assert check_rectifications() == {"red": 0, "escalated": 0}
    clock.move_to(dt.datetime(2026, 11, 19, 8, 0, tzinfo=NOW.tzinfo))
    assert check_rectifications() == {"red": 1, "escalated": 1}
    finding.refresh_from_db()
    on_time.refresh_from_db()
    assert finding.overdue and finding.lookback and finding.escalated_at is not None
    assert not on_time.overdue
    notes = Notification.objects.filter(kind="finding_overdue")
    assert [n.recipient for n in notes] == [cast.leader]  # v1's 包保 leader, nobody else
    assert cast.v1.name in notes[0].text
    assert OutboxMessage.objects.filter(notification__in=notes).count() == 1
    assert mark_overdue() == {"red": 0, "escalated": 0}
    assert notes.count() == 1


@pytest.mark.django_db
def test_submitted_and_signed_off_findings_are_not_overdue(cast, clock):
    submitted = cast.finding(days=1)
    workflow.transition(submitted, "submit", by=cast.secretary, text="已整改", photos=[png()])
    clock.move_to(dt.datetime(2026, 11, 25, 9, 0, tzinfo=NOW.tzinfo))
    assert mark_overdue() == {"red": 0, "escalated": 0}
    workflow.transition(submitted, "send_back", by=cast.inspector_a, note="不完整")
    assert mark_overdue()["red"] == 1  # sent back after the deadline: the branch owes it again


@pytest.mark.django_db
def test_branch_without_a_leader_turns_red_without_escalation(cast, clock):
    Branch.objects.filter(pk=cast.v2.pk).update(leader=None)
    cast.finding(branch=cast.v2, days=1)
    clock.move_to(dt.datetime(2026, 11, 20, 9, 0, tzinfo=NOW.tzinfo))
    assert mark_overdue() == {"red": 1, "escalated": 0}
    assert Finding.objects.get().escalated_at is None


@pytest.mark.django_db
def test_signing_off_clears_red(cast, clock):
    finding = cast.finding(days=1)
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=NOW.tzinfo), tick=False):
        mark_overdue()
        workflow.transition(finding, "submit", by=cast.secretary, text="已整改", photos=[png()])
        workflow.transition(finding, "sign_off", by=cast.inspector_a)
    finding.refresh_from_db()
    assert finding.status == "signed_off" and not finding.overdue and finding.lookback
