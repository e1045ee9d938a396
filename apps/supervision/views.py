"""Supervision pages (/supervision/): one work page by role, a finding, a plan, the research round.

- an inspection group member: their campaigns' villages, the checklist form,
  their groups' findings waiting for sign-off and the look-back round;
- a branch secretary: their branch's findings to rectify (text and photos);
- leaders and administrators: the overview of their area, overdue findings,
  weak-branch plans, and the research round's map and table.
Forms post to these views, which call one verb each; bad input re-renders the
page with the message and a 400, and writes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.people.access import area_bounds, person_for
from apps.people.models import Person, Role
from apps.supervision import parse, records, workflow
from apps.supervision.access import (
    get_finding_for, get_plan_for, groups_of, is_secretary_of, visible_branches, visible_findings, visible_plans,
    visitable_branches,
)
from apps.supervision.errors import WorkflowError
from apps.supervision.models import OPEN_FINDING_STATUSES, Finding, FindingStatus, PlanStatus, ResearchRound
from apps.supervision.queries import current_round, overview, round_coverage

RELATED = ("branch__community__subdistrict", "group__campaign")


def _person_or_404(request):
    person = person_for(request.user)
    if person is None:
        raise Http404(_("No supervision work for this account."))
    return person


def watches_area(person):
    """Leaders, dispatchers and administrators read the overview of their area."""
    return person.role in (Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR) or (
        person.user_id is not None and person.user.is_superuser)


def _work_context(person):
    groups = list(groups_of(person).select_related("campaign").prefetch_related("branches__community"))
    context = {"person": person, "groups": groups, "steps": Finding.Step.choices,
               "today": timezone.localdate()}
    if groups:
        mine = Finding.objects.filter(group__in=groups).select_related(*RELATED)
        context["to_sign_off"] = mine.filter(status=FindingStatus.SUBMITTED).order_by("due_on")
        context["group_open"] = mine.filter(status__in=OPEN_FINDING_STATUSES).exclude(
            status=FindingStatus.SUBMITTED).order_by("due_on")
        context["lookback"] = mine.filter(lookback=True, lookback_checked_at__isnull=True).order_by("due_on")
    if person.role == Role.BRANCH_SECRETARY and person.community_id:
        context["branch_findings"] = Finding.objects.filter(
            branch__community_id=person.community_id, status__in=OPEN_FINDING_STATUSES).select_related(
            *RELATED).order_by("due_on")
        context["branch_plans"] = visible_plans(person).exclude(status=PlanStatus.SIGNED_OFF)
    if watches_area(person):
        branches = visible_branches(person)
        context["overview"] = overview(branches)
        context["overdue"] = visible_findings(person).filter(
            status__in=OPEN_FINDING_STATUSES, overdue=True).select_related(*RELATED).order_by("due_on")[:200]
        context["plans"] = (visible_plans(person).select_related("branch__community__subdistrict", "leader")
                            .order_by("status", "branch__community__code"))
        if person.role != Role.DISPATCHER:
            # The plan form: branches of the area with no plan in force, and the leaders to answer for one.
            context["plan_branches"] = list(
                branches.exclude(weak_plans__status__in=[PlanStatus.ACTIVE, PlanStatus.SUBMITTED])
                .order_by("community__code").values_list("community__code", "name", "weak"))
            context["plan_leaders"] = list(Person.objects.filter(role=Role.LEADER).order_by("code")
                                           .values_list("code", "name", "title"))
    elif person.role == Role.LEADER:
        context["plans"] = visible_plans(person)
    return context


@login_required
def work_page(request):
    person = _person_or_404(request)
    context = _work_context(person)
    if not (context["groups"] or "branch_findings" in context or "overview" in context):
        raise Http404(_("No supervision work for this account."))
    return render(request, "supervision/work.html", context)


@login_required
def record_inspection_page(request):
    if request.method != "POST":
        return redirect("supervision")
    person = _person_or_404(request)
    try:
        data, photos = request.POST.copy(), request.FILES.getlist("photos")
        # One select picks the group and the village together: "group id:village code".
        group_id, _sep, code = (data.get("branch_choice") or "").partition(":")
        if code:
            data["group"], data["branch"] = group_id, code
        _inspection, findings = records.record_inspection(
            parse.group(data), parse.branch(data), by=person, matter=parse.text(data, "matter"),
            answers=parse.answers(data), responsible_party=parse.text(data, "responsible_party"),
            deadline_days=data.get("deadline_days"), note=parse.text(data, "note"), photos=photos,
        )
    except WorkflowError as exc:
        context = _work_context(person)
        context.update({"error": exc.message, "error_field": exc.field, "form": request.POST})
        return render(request, "supervision/work.html", context, status=exc.status_code)
    if findings:
        messages.warning(request, _("Recorded: %(n)s finding(s) to rectify.") % {"n": len(findings)})
    else:
        messages.success(request, _("Recorded: every step was held correctly."))
    return redirect("supervision")


def _finding_context(person, finding):
    finding = Finding.objects.select_related(*RELATED, "inspection").prefetch_related(
        "photos", "rectifications__submitted_by", "rectifications__decided_by").get(pk=finding.pk)
    return {"finding": finding, "events": finding.events.select_related("actor"),
            "actions": workflow.FINDING.actions_for(person, finding),
            "is_secretary": is_secretary_of(person, finding.branch)}


@login_required
def finding_page(request, pk):
    person = _person_or_404(request)
    finding = get_finding_for(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        params = {}
        if action == "submit":
            params = {"text": parse.text(request.POST, "text"), "photos": request.FILES.getlist("photos")}
        try:
            workflow.transition(finding, action, by=person, note=parse.text(request.POST, "note"), **params)
        except WorkflowError as exc:
            context = _finding_context(person, finding)
            context.update({"error": exc.message, "form": request.POST})
            return render(request, "supervision/finding.html", context, status=exc.status_code)
        messages.success(request, _("Finding #%(id)s: %(status)s.") % {
            "id": finding.pk, "status": finding.get_status_display()})
        return redirect("supervision-finding", pk=finding.pk)
    return render(request, "supervision/finding.html", _finding_context(person, finding))


@login_required
def create_plan_page(request):
    """POST: a weak-branch plan from the overview's form (flags the branch weak); then its page."""
    if request.method != "POST":
        return redirect("supervision")
    person = _person_or_404(request)
    try:
        plan = records.create_plan(parse.branch(request.POST), by=person, problems=parse.text(request.POST, "problems"),
                                   measures=parse.text(request.POST, "measures"), leader=parse.leader(request.POST),
                                   milestones=parse.milestones(request.POST))
    except WorkflowError as exc:
        context = _work_context(person)
        context.update({"error": exc.message, "error_field": exc.field, "plan_form": request.POST})
        return render(request, "supervision/work.html", context, status=exc.status_code)
    messages.success(request, _("Rectification plan for %(branch)s made.") % {"branch": plan.branch.name})
    return redirect("supervision-plan", pk=plan.pk)


def _plan_context(person, plan):
    return {"plan": plan, "milestones": plan.milestones.all(), "events": plan.events.select_related("actor"),
            "actions": workflow.PLAN.actions_for(person, plan),
            "may_report": plan.status == PlanStatus.ACTIVE and workflow.may_act(person, plan, "plan_owner"),
            "today": timezone.localdate()}


@login_required
def plan_page(request, pk):
    person = _person_or_404(request)
    plan = get_plan_for(request.user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("milestone"):
                milestone = plan.milestones.filter(pk=parse.integer(request.POST, "milestone")).first()
                if milestone is None:
                    raise WorkflowError(_("No such milestone."), field="milestone")
                records.complete_milestone(milestone, by=person, done_on=parse.date(request.POST, "done_on"),
                                           note=parse.text(request.POST, "note"))
            else:
                workflow.plan_transition(plan, request.POST.get("action", ""), by=person,
                                         note=parse.text(request.POST, "note"))
        except WorkflowError as exc:
            context = _plan_context(person, plan)
            context["error"] = exc.message
            return render(request, "supervision/plan.html", context, status=exc.status_code)
        return redirect("supervision-plan", pk=plan.pk)
    return render(request, "supervision/plan.html", _plan_context(person, plan))


def _visits_context(person, research_round):
    coverage = round_coverage(research_round, visible_branches(person)) if research_round else None
    visitable = list(visitable_branches(person).select_related("community").order_by("community__code")
                     .values_list("community__code", "name"))
    return {
        "round": research_round, "rounds": ResearchRound.objects.all(), "coverage": coverage,
        "visitable": visitable, "today": timezone.localdate(),
        "config": {
            "bounds": area_bounds(person),
            "visited": [r["code"] for r in coverage["rows"] if r["visited"]] if coverage else [],
            "mine": [r["code"] for r in coverage["rows"]] if coverage else [],
            "urls": {"communities": reverse("layer-communities"), "subdistricts": reverse("layer-subdistricts")},
        },
        "strings": {"visited": _("visited"), "notVisited": _("not visited"), "loadFailed": _("Could not load the map:")},
    }


@login_required
def visits_page(request):
    person = _person_or_404(request)
    if not (watches_area(person) or groups_of(person).exists()):
        raise Http404(_("No research visits for this account."))
    round_id = request.GET.get("round") or request.POST.get("round")
    research_round = (ResearchRound.objects.filter(pk=round_id).first() if str(round_id or "").isdigit()
                      else current_round())
    if request.method == "POST":
        try:
            visit = records.record_visit(
                parse.research_round(request.POST), parse.branch(request.POST), by=person,
                visited_on=parse.date(request.POST, "visited_on"), checked=parse.text(request.POST, "checked"),
                issues=parse.text(request.POST, "issues"), issues_count=request.POST.get("issues_count"))
        except WorkflowError as exc:
            context = _visits_context(person, research_round)
            context.update({"error": exc.message, "form": request.POST})
            return render(request, "supervision/visits.html", context, status=exc.status_code)
        messages.success(request, _("Visit to %(branch)s logged.") % {"branch": visit.branch.name})
        return redirect(f"{reverse('supervision-visits')}?round={visit.round_id}")
    return render(request, "supervision/visits.html", _visits_context(person, research_round))


def may_open_supervision(person):
    """Whether the header shows the 督导 link: group members, secretaries, leaders, dispatchers, admins."""
    if person is None:
        return False
    if watches_area(person) or person.role == Role.BRANCH_SECRETARY:
        return True
    # Only inspectors are asked about groups: the header of every other page costs no query.
    return person.role == Role.INSPECTOR and groups_of(person).exists()

