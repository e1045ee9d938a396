"""The case workflow: one table of (status, action) -> status, who may act, one `transition()`.

Nothing else writes `Case.status`. Each transition locks the case row
(`select_for_update`), refuses what the table does not allow (409) or what is
not the person's to do (403), applies the action's effects, writes a
`CaseEvent` and saves with `update_fields`. Two people acting on one case at
once: the second waits for the lock, then finds the status moved and gets 409.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.cases.calendar import add_working_hours, load_calendar
from apps.cases.models import Case, CaseEvent, CasePart, Status
from apps.people.models import Role

S = Status

# (status, action) -> new status. The standard loop (GB/T 30428): report ->
# register/reject -> dispatch -> handle -> verify -> close; plus return (回退),
# extension (延期), pending (挂账), merge, rework (返工) and joint handling parts.
TRANSITIONS = {
    (S.REPORTED, "register"): S.REGISTERED,
    (S.REPORTED, "reject"): S.REJECTED,
    (S.REPORTED, "merge"): S.MERGED,
    (S.REGISTERED, "merge"): S.MERGED,
    (S.REGISTERED, "dispatch"): S.DISPATCHED,
    (S.REGISTERED, "close_error"): S.CLOSED,
    (S.DISPATCHED, "accept"): S.HANDLING,
    (S.DISPATCHED, "return"): S.RETURN_REQUESTED,
    (S.HANDLING, "return"): S.RETURN_REQUESTED,
    (S.RETURN_REQUESTED, "approve_return"): S.REGISTERED,
    (S.RETURN_REQUESTED, "refuse_return"): S.HANDLING,
    (S.HANDLING, "request_extension"): S.EXTENSION_REQUESTED,
    (S.EXTENSION_REQUESTED, "grant_extension"): S.HANDLING,
    (S.EXTENSION_REQUESTED, "refuse_extension"): S.HANDLING,
    (S.HANDLING, "request_pending"): S.PENDING_REQUESTED,
    (S.PENDING_REQUESTED, "grant_pending"): S.PENDING,
    (S.PENDING_REQUESTED, "refuse_pending"): S.HANDLING,
    (S.PENDING, "resume"): S.HANDLING,
    (S.PENDING, "close_special"): S.CLOSED,
    (S.HANDLING, "report_part"): S.HANDLING,
    (S.HANDLING, "report_handled"): S.HANDLED,
    (S.HANDLED, "verify_pass"): S.CLOSED,
    (S.HANDLED, "verify_fail"): S.HANDLING,
    # 取证闭环: the dispatcher sends back a handled case whose evidence failed a check
    # (apps/cases/evidence.py). A closed case stays closed: see `_send_back`.
    (S.HANDLED, "send_back"): S.HANDLING,
    # Border-aware routing: a report near a border moves to the other candidate
    # area (apps/cases/borders.py); the status stays, the event records from -> to.
    (S.REPORTED, "reroute"): S.REPORTED,
    (S.REGISTERED, "reroute"): S.REGISTERED,
}

# Who may take each action: "dispatcher" of the case's area, "lead" handler of
# the lead department, "part" handler of any department with a part, "patrol"
# grid worker of the case's grid who is in none of its handling departments.
ACTORS = {
    "register": "dispatcher",
    "reject": "dispatcher",
    "merge": "dispatcher",
    "dispatch": "dispatcher",
    "close_error": "dispatcher",
    "accept": "lead",
    "return": "lead",
    "approve_return": "dispatcher",
    "refuse_return": "dispatcher",
    "request_extension": "lead",
    "grant_extension": "dispatcher",
    "refuse_extension": "dispatcher",
    "request_pending": "lead",
    "grant_pending": "dispatcher",
    "refuse_pending": "dispatcher",
    "resume": "lead",
    "close_special": "dispatcher",
    "report_part": "part",
    "report_handled": "lead",
    "verify_pass": "patrol",
    "verify_fail": "patrol",
    "send_back": "dispatcher",
    "reroute": "dispatcher",
}
ACTIONS = sorted(ACTORS)
NOTE_REQUIRED = {"reject", "return", "request_extension", "request_pending", "refuse_return",
                 "refuse_extension", "refuse_pending", "verify_fail", "close_special", "close_error",
                 "send_back"}


class WorkflowError(Exception):
    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(WorkflowError):
    status_code = 409


class NotYourAction(WorkflowError):
    status_code = 403


def allowed_actions(status):
    return sorted(action for (state, action) in TRANSITIONS if state == status)


def available(case, action):
    """False for an action the case's data rules out whatever the person (send_back without a flag)."""
    if action == "reroute":
        return bool(case.near_border and (case.border or {}).get("other"))
    return action != "send_back" or bool(case.evidence_flags)


def is_dispatcher_of(person, case):
    if person is None or person.role not in (Role.DISPATCHER, Role.ADMINISTRATOR):
        return False
    return person.role == Role.ADMINISTRATOR or person.subdistrict_id in (None, case.subdistrict_id)


def part_departments(case):
    return set(case.parts.values_list("department_id", flat=True))


def may_act(person, case, action):
    """True when `action` on `case` is this person's to take (ignoring the status)."""
    kind = ACTORS[action]
    if person is None:
        return False
    if kind == "dispatcher":
        return is_dispatcher_of(person, case)
    if kind == "lead":
        return person.role == Role.HANDLER and person.department_id == case.department_id
    if kind == "part":
        return person.role == Role.HANDLER and person.department_id in part_departments(case)
    if kind == "patrol":
        # 巡办分离: the patrol side verifies, never anyone of a handling department.
        return (
            person.role == Role.GRID_WORKER
            and person.grids.filter(pk=case.grid_id).exists()
            and (person.department_id is None or person.department_id not in part_departments(case))
        )
    return False


def transition(case, action, *, by, note="", at=None, expected_version=None, notify=True, **params):
    """Take `action` on `case` as person `by`; return the event written.

    Steps:
    1. lock the row and re-read it (another request may have moved it);
    2. refuse an action the table does not allow from the current status (409),
       or one that is not this person's (403);
    3. apply the action's effects (deadlines, parts, merge target, closure);
    4. write the event, save the changed fields, queue notifications on commit.

    A bulk caller (the simulation) may pass `calendar=` a loaded working
    calendar so deadline effects do not re-read it on every call.
    """
    if action not in ACTORS:
        raise WorkflowError(_("Unknown action: %(action)s.") % {"action": action})
    at = at or timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if expected_version is not None and locked.version != expected_version:
            raise TransitionNotAllowed(
                _("Case %(number)s was changed by someone else; reload it and try again.") % {"number": locked.number}
            )
        new_status = TRANSITIONS.get((locked.status, action))
        if new_status is None:
            raise TransitionNotAllowed(
                _("Action “%(action)s” is not allowed while case %(number)s is “%(status)s”.")
                % {"action": action, "number": locked.number, "status": locked.get_status_display()}
            )
        if not may_act(by, locked, action):
            raise NotYourAction(_("Action “%(action)s” on this case is not yours to take.") % {"action": action})
        note = (note or "").strip()
        if action in NOTE_REQUIRED and not note:
            raise WorkflowError(_("Action “%(action)s” needs a reason in the note.") % {"action": action})
        old_status = locked.status
        changed = {"status", "version"}
        data = EFFECTS.get(action, _no_effect)(locked, by=by, at=at, changed=changed, **params) or {}
        locked.status = new_status
        locked.version += 1
        locked.save(update_fields=sorted(changed))
        event = CaseEvent.objects.create(
            case=locked, action=action, from_status=old_status, to_status=new_status, actor=by,
            department=by.department if by.role == Role.HANDLER else None, note=note, data=data, at=at,
        )
        if notify:
            from apps.cases.notify import notify_event

            notify_event(locked, event)
    case.refresh_from_db()
    return event


def _no_effect(case, **kwargs):
    return {}


def _require_future(deadline, at, field="deadline"):
    if deadline is None:
        return None
    if deadline <= at:
        raise WorkflowError(_("The %(field)s must be in the future.") % {"field": field})
    return deadline


def _dispatch(case, *, by, at, changed, department=None, co_departments=(), deadline=None, calendar=None, **_extra):
    if department is None:
        raise WorkflowError(_("Choose the department to dispatch to."))
    co = [d for d in co_departments if d.pk != department.pk]
    calendar = calendar or load_calendar()
    case.department = department
    case.dispatched_at = at
    case.handle_deadline = _require_future(deadline, at) or add_working_hours(
        calendar, at, case.category.handle_hours
    )
    case.warning = Case.Warning.GREEN
    case.handled_at = None
    changed.update({"department", "dispatched_at", "handle_deadline", "warning", "handled_at"})
    case.parts.all().delete()
    CasePart.objects.create(case=case, department=department, lead=True)
    CasePart.objects.bulk_create([CasePart(case=case, department=d) for d in co])
    return {
        "department": department.code,
        "co_departments": [d.code for d in co],
        "deadline": case.handle_deadline.isoformat(),
    }


def _merge(case, *, by, at, changed, target=None, **_extra):
    if target is None or target.pk == case.pk:
        raise WorkflowError(_("Choose another case to merge this one into."))
    if target.status in (S.MERGED, S.REJECTED) or target.subdistrict_id != case.subdistrict_id:
        raise WorkflowError(_("Case %(number)s cannot take merged cases.") % {"number": target.number})
    case.merged_into = target
    changed.add("merged_into")
    return {"into": target.number}


def _approve_return(case, *, by, at, changed, **_extra):
    returned_from = case.department.code if case.department_id else ""
    case.department = None
    case.handle_deadline = None
    case.warning = Case.Warning.GREEN
    changed.update({"department", "handle_deadline", "warning"})
    case.parts.all().delete()
    return {"returned_from": returned_from}


def _grant_extension(case, *, by, at, changed, deadline=None, hours=None, calendar=None, **_extra):
    if deadline is None and not hours:
        raise WorkflowError(_("Give the new deadline or the extra working hours."))
    old = case.handle_deadline
    case.handle_deadline = _require_future(deadline, at) or add_working_hours(
        calendar or load_calendar(), max(old or at, at), hours
    )
    case.extension_count += 1
    case.warning = Case.Warning.GREEN if case.handle_deadline > at else case.warning
    changed.update({"handle_deadline", "extension_count", "warning"})
    return {"from": old.isoformat() if old else None, "to": case.handle_deadline.isoformat()}


def _request_extension(case, *, by, at, changed, hours=None, **_extra):
    return {"hours": hours} if hours else {}


def _report_part(case, *, by, at, changed, result="", **_extra):
    updated = CasePart.objects.filter(case=case, department_id=by.department_id).update(
        reported_at=at, result=result or ""
    )
    if not updated:
        raise NotYourAction(_("Your department has no part in this case."))
    return {"department": by.department.code}


def _report_handled(case, *, by, at, changed, result="", calendar=None, **_extra):
    missing = list(
        case.parts.filter(lead=False, reported_at__isnull=True).values_list("department__name", flat=True)
    )
    if missing:
        raise TransitionNotAllowed(
            _("Waiting for the co-handling departments to report their part: %(names)s.")
            % {"names": "、".join(missing)}
        )
    CasePart.objects.filter(case=case, lead=True).update(reported_at=at, result=result or "")
    calendar = calendar or load_calendar()
    case.handled_at = at
    case.verify_deadline = add_working_hours(calendar, at, case.category.verify_hours)
    changed.update({"handled_at", "verify_deadline"})
    return {"on_time": bool(case.handle_deadline and at <= case.handle_deadline)}


def _verify_pass(case, *, by, at, changed, **_extra):
    case.closed_at = at
    on_time = case.handle_deadline is None or (case.handled_at and case.handled_at <= case.handle_deadline)
    case.closure = Case.Closure.ON_TIME if on_time else Case.Closure.OVERDUE
    changed.update({"closed_at", "closure"})
    return {"closure": case.closure}


def _verify_fail(case, *, by, at, changed, **_extra):
    # 返工: back to the same department; its parts must report again.
    case.rework_count += 1
    case.handled_at = None
    case.verify_deadline = None
    changed.update({"rework_count", "handled_at", "verify_deadline"})
    case.parts.update(reported_at=None)
    return {"rework": case.rework_count}


def _send_back(case, *, by, at, changed, **_extra):
    """返工 on the evidence: like a failed verification, only for a case whose photos failed a check.

    Only from HANDLED: a closed case keeps its closure (the closure type and the
    evaluation counted from it are final; a verifier's photo failing after the
    closure is a signal for the evaluation staff, not rework for the department).
    """
    if not case.evidence_flags:
        raise TransitionNotAllowed(
            _("Case %(number)s has no failed evidence check; its verification decides.") % {"number": case.number}
        )
    data = _verify_fail(case, by=by, at=at, changed=changed)
    return {**data, "flags": list(case.evidence_flags)}


def _close_as(closure):
    def effect(case, *, by, at, changed, **_extra):
        case.closed_at = at
        case.closure = closure
        changed.update({"closed_at", "closure"})
        return {"closure": closure}

    return effect


def _reroute(case, *, by, at, changed, grid=None, zone=None, **_extra):
    """Move a near-border case to the other candidate stored in `case.border` (and only there).

    `grid` is the other candidate's grid code; `zone` its zone code ("" for no
    zone), checked when given. The candidates swap places, so a second reroute
    moves the case back.
    """
    from apps.cases.borders import place_label, rule_text

    border = case.border or {}
    other, chosen = border.get("other"), border.get("chosen")
    if not case.near_border or not other:
        raise WorkflowError(_("Case %(number)s is not near a border: there is no other area to move it to.")
                            % {"number": case.number})
    wanted_zone = (other.get("zone") or {}).get("code") or ""
    if not grid or grid != other["grid"]["code"] or (zone is not None and zone != wanted_zone):
        error = WorkflowError(
            _("Case %(number)s can only be moved to the other candidate area, grid %(grid)s.")
            % {"number": case.number, "grid": other["grid"]["code"]}
        )
        error.field = "zone" if grid == other["grid"]["code"] else "grid"
        raise error
    from apps.areas.models import Grid

    target = Grid.objects.filter(pk=other["grid"]["id"], code=other["grid"]["code"],
                                 community_id=other["community"]["id"],
                                 community__subdistrict_id=other["subdistrict"]["id"])
    if other.get("zone"):
        target = target.filter(community__zones__pk=other["zone"]["id"])
    if not target.exists():
        error = WorkflowError(_("The other candidate area of case %(number)s has changed since the report; "
                                "it cannot be moved there.") % {"number": case.number})
        error.field = "grid"
        raise error
    case.grid_id = other["grid"]["id"]
    case.community_id = other["community"]["id"]
    case.subdistrict_id = other["subdistrict"]["id"]
    case.zone_id = (other.get("zone") or {}).get("id")
    case.unroutable = other.get("department") is None  # the duty rule or category default there
    rule = {"kind": "reroute", "by": by.name, "from": place_label(chosen), "to": place_label(other),
            "previous": border.get("rule"), "distance_m": border.get("distance_m")}
    case.border = {**border, "chosen": other, "other": chosen, "rule": rule, "rule_text": rule_text(rule),
                   "rerouted_at": at.isoformat()}
    changed.update({"grid", "community", "subdistrict", "zone", "unroutable", "border"})

    def codes(place):
        return {level: (place.get(level) or {}).get("code") for level in ("grid", "community", "subdistrict", "zone")}

    return {"from": codes(chosen), "to": codes(other)}


EFFECTS = {
    "reroute": _reroute,
    "dispatch": _dispatch,
    "merge": _merge,
    "approve_return": _approve_return,
    "request_extension": _request_extension,
    "grant_extension": _grant_extension,
    "report_part": _report_part,
    "report_handled": _report_handled,
    "verify_pass": _verify_pass,
    "verify_fail": _verify_fail,
    "send_back": _send_back,
    "close_special": _close_as(Case.Closure.SPECIAL),
    "close_error": _close_as(Case.Closure.ERROR),
}
