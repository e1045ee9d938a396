"""The three supervision workflows: finding, rectification, weak-branch plan.

Each is one table `TRANSITIONS = {(status, action): new status}` and `ACTORS`
(who may take each action), run by one engine (`_run`) that locks the row
(`select_for_update`), refuses what the table does not allow (409) or what is
not the person's (403), applies the action's effects, writes an event row and
saves with `update_fields`. Nothing else writes a status.

The finding and its rectifications move together: submitting a finding's
rectification makes a `Rectification` (submitted); signing the finding off
accepts it, sending the finding back sends it back (the rectification's own
`transition`, in the same transaction, with its own event row).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.stars.weakness import set_weak
from apps.supervision.access import is_group_member, is_secretary_of, organises_plans_for
from apps.supervision.errors import NotYourAction, TransitionNotAllowed, WorkflowError  # noqa: F401 (re-exported)
from apps.supervision.models import (
    Finding, FindingEvent, FindingStatus, PlanEvent, PlanStatus, Rectification, RectificationEvent,
    WeakBranchPlan,
)
from apps.supervision.photos import check_photos, save_photos

F = FindingStatus
R = Rectification.Status
P = PlanStatus


# --- finding: open -> (rectifying) -> submitted -> signed_off | returned -> submitted ... ----------

FINDING_TRANSITIONS = {
    (F.OPEN, "start"): F.RECTIFYING,
    (F.OPEN, "submit"): F.SUBMITTED,
    (F.RECTIFYING, "submit"): F.SUBMITTED,
    (F.RETURNED, "submit"): F.SUBMITTED,
    (F.SUBMITTED, "sign_off"): F.SIGNED_OFF,
    (F.SUBMITTED, "send_back"): F.RETURNED,
    # 回头看: the group checks a signed-off finding again; it holds, or it relapsed.
    (F.SIGNED_OFF, "lookback_pass"): F.SIGNED_OFF,
    (F.SIGNED_OFF, "reopen"): F.OPEN,
}
FINDING_ACTORS = {
    "start": "branch", "submit": "branch",
    "sign_off": "group", "send_back": "group", "lookback_pass": "group", "reopen": "group",
}
FINDING_NOTE_REQUIRED = {"send_back", "reopen"}

# --- rectification: submitted -> accepted | sent_back -----------------------------------------------

RECTIFICATION_TRANSITIONS = {
    (R.SUBMITTED, "accept"): R.ACCEPTED,
    (R.SUBMITTED, "send_back"): R.SENT_BACK,
}
RECTIFICATION_ACTORS = {"accept": "group", "send_back": "group"}
RECTIFICATION_NOTE_REQUIRED = {"send_back"}

# --- weak-branch plan: active -> submitted -> signed_off | active ------------------------------------

PLAN_TRANSITIONS = {
    (P.ACTIVE, "submit"): P.SUBMITTED,
    (P.SUBMITTED, "sign_off"): P.SIGNED_OFF,
    (P.SUBMITTED, "send_back"): P.ACTIVE,
}
PLAN_ACTORS = {"submit": "plan_owner", "sign_off": "organiser", "send_back": "organiser"}
PLAN_NOTE_REQUIRED = {"send_back"}


def may_act(person, obj, actor_kind):
    """True when an action of `actor_kind` on `obj` (finding, rectification or plan) is this person's."""
    if person is None:
        return False
    if isinstance(obj, Rectification):
        obj = obj.finding
    if actor_kind == "branch":
        return is_secretary_of(person, obj.branch)
    if actor_kind == "group":
        return is_group_member(person, obj.group_id)
    if actor_kind == "plan_owner":
        return person.pk == obj.leader_id or is_secretary_of(person, obj.branch)
    if actor_kind == "organiser":
        return organises_plans_for(person, obj.branch)
    return False


@dataclass(frozen=True)
class Workflow:
    model: type
    event_model: type
    event_fk: str
    transitions: dict
    actors: dict
    note_required: set
    label: object  # lazy text for messages: "finding", "rectification", "plan"

    def allowed_actions(self, status):
        return sorted(action for (state, action) in self.transitions if state == status)

    def actions_for(self, person, obj):
        """The actions this person may take on `obj` now (for pages and the API's detail)."""
        return [a for a in self.allowed_actions(obj.status) if may_act(person, obj, self.actors[a])]


FINDING = Workflow(Finding, FindingEvent, "finding", FINDING_TRANSITIONS, FINDING_ACTORS,
                   FINDING_NOTE_REQUIRED, gettext_lazy("finding"))
RECTIFICATION = Workflow(Rectification, RectificationEvent, "rectification", RECTIFICATION_TRANSITIONS,
                         RECTIFICATION_ACTORS, RECTIFICATION_NOTE_REQUIRED, gettext_lazy("rectification"))
PLAN = Workflow(WeakBranchPlan, PlanEvent, "plan", PLAN_TRANSITIONS, PLAN_ACTORS, PLAN_NOTE_REQUIRED, gettext_lazy("plan"))


def _run(flow, obj, action, *, by, note, at, effects, params):
    """The engine: lock, check table and actor, apply effects, write the event, save. Returns the event.

    1. lock the row and re-read it (someone may have moved it meanwhile);
    2. refuse an unknown action (400), one the table does not allow from the
       current status (409), one that is not this person's (403), a missing note (400);
    3. apply the action's effects (they may refuse with a WorkflowError and
       write nothing: everything is in one transaction);
    4. write the event, save the status and what the effects changed.
    """
    if action not in flow.actors:
        raise WorkflowError(_("Unknown action: %(action)s.") % {"action": action})
    at = at or timezone.now()
    with transaction.atomic():
        locked = flow.model.objects.select_for_update().get(pk=obj.pk)
        new_status = flow.transitions.get((locked.status, action))
        if new_status is None:
            raise TransitionNotAllowed(
                _("Action “%(action)s” is not allowed while this %(what)s is “%(status)s”.")
                % {"action": action, "what": flow.label, "status": locked.get_status_display()})
        if not may_act(by, locked, flow.actors[action]):
            raise NotYourAction(_("Action “%(action)s” on this %(what)s is not yours to take.")
                                % {"action": action, "what": flow.label})
        note = (note or "").strip()
        if action in flow.note_required and not note:
            raise WorkflowError(_("Action “%(action)s” needs a reason in the note.") % {"action": action})
        old_status = locked.status
        changed = {"status"}
        effect = effects.get(action)
        if effect is not None:
            effect(locked, by=by, at=at, note=note, changed=changed, **params)
        locked.status = new_status
        if hasattr(locked, "version"):
            locked.version += 1
            changed.add("version")
        locked.save(update_fields=sorted(changed))
        event = flow.event_model.objects.create(**{flow.event_fk: locked}, action=action, from_status=old_status,
                                                to_status=new_status, actor=by, note=note, at=at)
    obj.refresh_from_db()
    return event


# --- finding effects ---------------------------------------------------------------------------------


def _submit(finding, *, by, at, note, changed, text="", photos=(), **_extra):
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("Say what was done to rectify finding #%(id)s (the rectification text).")
                            % {"id": finding.pk}, field="text")
    if not photos:
        raise WorkflowError(_("Attach at least one evidence photo of the rectification of finding #%(id)s.")
                            % {"id": finding.pk}, field="photos")
    check_photos(photos)  # before anything is written
    rectification = Rectification.objects.create(finding=finding, text=text, submitted_by=by, submitted_at=at)
    save_photos(photos, finding=finding, rectification=rectification, by=by, at=at)
    RectificationEvent.objects.create(rectification=rectification, action="submit", from_status="",
                                      to_status=R.SUBMITTED, actor=by, note=note, at=at)


def _pending_rectification(finding):
    rectification = finding.rectifications.filter(status=R.SUBMITTED).order_by("-submitted_at", "-id").first()
    if rectification is None:
        raise WorkflowError(_("Finding #%(id)s has no rectification waiting for a decision.") % {"id": finding.pk})
    return rectification


def _sign_off(finding, *, by, at, note, changed, **_extra):
    rectification_transition(_pending_rectification(finding), "accept", by=by, note=note, at=at)
    finding.closed_at = at
    finding.overdue = False
    changed.update({"closed_at", "overdue"})


def _send_back(finding, *, by, at, note, changed, **_extra):
    rectification_transition(_pending_rectification(finding), "send_back", by=by, note=note, at=at)


def _lookback_pass(finding, *, by, at, note, changed, **_extra):
    if not finding.lookback:
        raise WorkflowError(_("Finding #%(id)s is not in the look-back round.") % {"id": finding.pk})
    finding.lookback_checked_at = at
    changed.add("lookback_checked_at")


def _reopen(finding, *, by, at, note, changed, **_extra):
    finding.closed_at = None
    finding.lookback_checked_at = at
    changed.update({"closed_at", "lookback_checked_at"})


FINDING_EFFECTS = {"submit": _submit, "sign_off": _sign_off, "send_back": _send_back,
                   "lookback_pass": _lookback_pass, "reopen": _reopen}


def transition(finding, action, *, by, note="", at=None, **params):
    """Take `action` on `finding` as person `by`; return the FindingEvent written.

    `submit` takes `text=` (what was done) and `photos=` (uploaded files, at least one).
    """
    return _run(FINDING, finding, action, by=by, note=note, at=at, effects=FINDING_EFFECTS, params=params)


# --- rectification ---------------------------------------------------------------------------------------


def _decide(rectification, *, by, at, note, changed, **_extra):
    rectification.decided_by = by
    rectification.decided_at = at
    rectification.decision_note = note
    changed.update({"decided_by", "decided_at", "decision_note"})


def rectification_transition(rectification, action, *, by, note="", at=None):
    """Accept or send back a submitted rectification (called by the finding's sign_off / send_back)."""
    return _run(RECTIFICATION, rectification, action, by=by, note=note, at=at,
                effects={"accept": _decide, "send_back": _decide}, params={})


# --- weak-branch plan ------------------------------------------------------------------------------------


def _plan_submit(plan, *, by, at, note, changed, **_extra):
    undone = list(plan.milestones.filter(done_on__isnull=True).values_list("title", flat=True))
    if undone:
        raise WorkflowError(_("The plan for %(branch)s still has milestones not done: %(titles)s.")
                            % {"branch": plan.branch.name, "titles": "、".join(undone)})


def _plan_sign_off(plan, *, by, at, note, changed, **_extra):
    plan.signed_off_at = at
    changed.add("signed_off_at")
    set_weak(plan.branch, False)


def plan_transition(plan, action, *, by, note="", at=None):
    """Take `action` on a weak-branch plan; signing it off clears the branch's weak flag (stars)."""
    return _run(PLAN, plan, action, by=by, note=note, at=at,
                effects={"submit": _plan_submit, "sign_off": _plan_sign_off}, params={})
