"""Recording verbs: inspections and their findings, research visits, weak-branch plans and milestones.

Each checks everything first and raises `WorkflowError` naming the branch,
finding or field at fault; then writes in one transaction, so bad input
writes nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.cases.calendar import load_calendar
from apps.people.models import Role
from apps.stars.weakness import set_weak
from apps.supervision import checklist
from apps.supervision.access import is_group_member, organises_plans_for, visitable_branches
from apps.supervision.errors import NotYourAction, WorkflowError
from apps.supervision.models import (
    Finding, FindingEvent, FindingStatus, Inspection, Milestone, PlanEvent, PlanStatus, Visit, WeakBranchPlan,
)
from apps.supervision.photos import check_photos, save_photos

MAX_DEADLINE_DAYS = 60


def add_working_days(calendar, start, days):
    """The `days`-th working day after the date `start`, on the working calendar (holidays, 调休 workdays)."""
    day, left = start, days
    for _i in range(days * 7 + 400):
        day += dt.timedelta(days=1)
        if calendar.periods_on(day):
            left -= 1
            if left == 0:
                return day
    raise ValueError(f"no working day within reach of {start}: check the working calendar")


def _deadline_days(value):
    if value in (None, ""):
        raise WorkflowError(_("Give the rectification deadline in working days."), field="deadline_days")
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise WorkflowError(_("The rectification deadline must be a whole number of working days."),
                            field="deadline_days") from None
    if not 1 <= days <= MAX_DEADLINE_DAYS:
        raise WorkflowError(_("The rectification deadline must be 1 to %(n)s working days.")
                            % {"n": MAX_DEADLINE_DAYS}, field="deadline_days")
    return days


def _responsible(value):
    value = (value or "").strip()
    if not value:
        raise WorkflowError(_("Name the party responsible for rectifying the finding."), field="responsible_party")
    return value[:80]


def _check_group_branch(group, branch, by):
    if not is_group_member(by, group.pk):
        raise NotYourAction(_("You are not a member of %(group)s.") % {"group": group.name})
    if not group.branches.filter(pk=branch.pk).exists():
        raise WorkflowError(_("%(branch)s is not one of the villages %(group)s checks.")
                            % {"branch": branch.name, "group": group.name}, field="branch")


def _new_finding(group, branch, *, by, at, step, description, responsible_party, deadline_days, inspection,
                 calendar):
    found_on = timezone.localdate(at)
    finding = Finding.objects.create(
        group=group, branch=branch, inspection=inspection, step=step, description=description,
        responsible_party=responsible_party, deadline_days=deadline_days, found_on=found_on,
        due_on=add_working_days(calendar, found_on, deadline_days), created_by=by, created_at=at,
    )
    FindingEvent.objects.create(finding=finding, action="record", from_status="", to_status=FindingStatus.OPEN,
                                actor=by, note="", at=at)
    return finding


def record_finding(group, branch, *, by, description, responsible_party, deadline_days, step="other",
                   inspection=None, photos=(), at=None):
    """One finding (open), with a deadline `deadline_days` working days after today, and its photos."""
    at = at or timezone.now()
    _check_group_branch(group, branch, by)
    description = (description or "").strip()
    if not description:
        raise WorkflowError(_("Say what is wrong at %(branch)s.") % {"branch": branch.name}, field="description")
    if step not in Finding.Step.values:
        raise WorkflowError(_("Unknown checklist step: %(step)s.") % {"step": step}, field="step")
    responsible_party = _responsible(responsible_party)
    deadline_days = _deadline_days(deadline_days)
    check_photos(photos)
    with transaction.atomic():
        finding = _new_finding(group, branch, by=by, at=at, step=step, description=description,
                               responsible_party=responsible_party, deadline_days=deadline_days,
                               inspection=inspection, calendar=load_calendar())
        save_photos(photos, finding=finding, by=by, at=at)
    return finding


def record_inspection(group, branch, *, by, matter, answers, responsible_party="", deadline_days=None,
                      note="", photos=(), at=None):
    """Record a matter checked against the checklist; each problem becomes a finding. Returns (inspection, findings).

    1. check the inspector belongs to the group and the village is the group's;
    2. check the counts (attending <= members, approving <= attending);
    3. compute the problems; if there are any, a responsible party and a
       deadline are required (they apply to every finding of this matter);
    4. write the inspection, one open finding per problem, the photos on the first.
    """
    at = at or timezone.now()
    _check_group_branch(group, branch, by)
    matter = (matter or "").strip()
    if not matter:
        raise WorkflowError(_("Name the major matter checked at %(branch)s.") % {"branch": branch.name},
                            field="matter")
    errors = checklist.count_errors(answers)
    if errors:
        field, message = next(iter(errors.items()))
        raise WorkflowError(str(message), field=field)
    problems = checklist.problems(answers)
    if problems:
        responsible_party = _responsible(responsible_party)
        deadline_days = _deadline_days(deadline_days)
    check_photos(photos)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            group=group, branch=branch, matter=matter[:200], inspected_on=timezone.localdate(at), inspector=by,
            note=note, created_at=at, **{f: getattr(answers, f) for f in checklist.Answers.__dataclass_fields__},
        )
        calendar = load_calendar()
        findings = [
            _new_finding(group, branch, by=by, at=at, step=step, description=f"{matter[:100]}: {message}",
                         responsible_party=responsible_party, deadline_days=deadline_days,
                         inspection=inspection, calendar=calendar)
            for step, message in problems
        ]
        if findings and photos:
            save_photos(photos, finding=findings[0], by=by, at=at)
    return inspection, findings


def record_visit(research_round, branch, *, by, visited_on, checked, issues="", issues_count=0, at=None):
    """Log a research visit (过筛子) to a branch of the visitor's area, within the round."""
    at = at or timezone.now()
    if not visitable_branches(by).filter(pk=branch.pk).exists():
        raise WorkflowError(_("%(branch)s is outside your area: you cannot log a visit there.")
                            % {"branch": branch.name}, field="branch")
    if visited_on is None:
        raise WorkflowError(_("Give the date of the visit."), field="visited_on")
    if not research_round.covers(visited_on):
        raise WorkflowError(_("%(day)s is outside the round %(round)s (%(start)s to %(end)s).") % {
            "day": visited_on, "round": research_round.name, "start": research_round.starts_on,
            "end": research_round.ends_on}, field="visited_on")
    if visited_on > timezone.localdate(at):
        raise WorkflowError(_("A visit cannot be logged before it happens (%(day)s).") % {"day": visited_on},
                            field="visited_on")
    checked = (checked or "").strip()
    if not checked:
        raise WorkflowError(_("Say what was checked at %(branch)s.") % {"branch": branch.name}, field="checked")
    try:
        issues_count = int(issues_count or 0)
    except (TypeError, ValueError):
        raise WorkflowError(_("The number of issues must be a whole number."), field="issues_count") from None
    if issues_count < 0:
        raise WorkflowError(_("The number of issues cannot be negative."), field="issues_count")
    return Visit.objects.create(round=research_round, branch=branch, visitor=by, visited_on=visited_on,
                                checked=checked, issues=(issues or "").strip(), issues_count=issues_count,
                                created_at=at)


def create_plan(branch, *, by, problems, measures, leader, milestones, at=None):
    """A weak-branch plan with its milestones [(title, due date)]; flags the branch weak (stars).

    Refused: someone who does not organise plans for the branch (403), a branch
    with a plan in force, a responsible "leader" who is not a leader, a plan
    without milestones.
    """
    at = at or timezone.now()
    if not organises_plans_for(by, branch):
        raise NotYourAction(_("Rectification plans for %(branch)s are not yours to make.") % {"branch": branch.name})
    if WeakBranchPlan.objects.filter(branch=branch).exclude(status=PlanStatus.SIGNED_OFF).exists():
        raise WorkflowError(_("%(branch)s already has a rectification plan in force.") % {"branch": branch.name},
                            field="branch")
    if leader is None or leader.role != Role.LEADER:
        raise WorkflowError(_("The responsible leader must be one of the leaders."), field="leader")
    problems, measures = (problems or "").strip(), (measures or "").strip()
    if not problems or not measures:
        raise WorkflowError(_("Describe the problems and the measures of the plan for %(branch)s.")
                            % {"branch": branch.name}, field="measures" if problems else "problems")
    milestones = [(str(t or "").strip(), d) for t, d in milestones]
    if not milestones or any(not t or d is None for t, d in milestones):
        raise WorkflowError(_("Give every milestone a title and a due date."), field="milestones")
    with transaction.atomic():
        plan = WeakBranchPlan.objects.create(branch=branch, problems=problems, measures=measures, leader=leader,
                                             created_by=by, created_at=at)
        Milestone.objects.bulk_create(Milestone(plan=plan, title=t[:120], due_on=d) for t, d in milestones)
        PlanEvent.objects.create(plan=plan, action="create", from_status="", to_status=PlanStatus.ACTIVE, actor=by,
                                 at=at)
        set_weak(branch, True)
    return plan


def complete_milestone(milestone, *, by, done_on, note=""):
    """Mark a milestone of an active plan done (the plan's responsible leader or the branch's secretary)."""
    from apps.supervision.workflow import may_act

    plan = milestone.plan
    if not may_act(by, plan, "plan_owner"):
        raise NotYourAction(_("Milestones of the plan for %(branch)s are not yours to report.")
                            % {"branch": plan.branch.name})
    if plan.status != PlanStatus.ACTIVE:
        raise WorkflowError(_("The plan for %(branch)s is %(status)s: milestones can no longer change.")
                            % {"branch": plan.branch.name, "status": plan.get_status_display()})
    if done_on is None or done_on > timezone.localdate():
        raise WorkflowError(_("Give the day the milestone was done (not in the future)."), field="done_on")
    milestone.done_on = done_on
    milestone.note = (note or "")[:200]
    milestone.save(update_fields=["done_on", "note"])
    return milestone
