"""Who sees which branches and star applications, and what each page and queue offers them.

- administrator (or a Django superuser), district leader (a leader with no
  sub-district): every branch and application (read; the workflow decides the
  actions: an administrator reviews and revokes, a district leader only reads);
- sub-district leader: the branches of their sub-district and their
  applications (the review queue);
- branch secretary: their own branch;
- task-force member: the applications of their own task force(s) (one star of
  one branch kind each) and the branches that made them; nothing else to score;
- everyone above also reads what is on public notice (公示 is public by
  nature), so that anyone may lodge an objection;
- anyone else (grid worker, dispatcher, handler, a login with no person): no
  stars pages at all, 404.

Reading outside one's scope is a 404 that reveals nothing. Acting on a visible
application is the workflow's to refuse (403, `NotYours`). One exception: a
task-force member who acts on another task force's application gets that 403
too, with the workflow's message, rather than a bare 404: the member is a
district-level assessor and the clear answer is "not your task force's".
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.people.access import person_for
from apps.people.models import Person, Role
from apps.stars.assessment import ACTORS, TRANSITIONS
from apps.stars.models import Assessment, AssessmentStatus, Branch, Objection, TaskForce

ADMIN = "admin"
DISTRICT_LEADER = "district_leader"
SUBDISTRICT_LEADER = "subdistrict_leader"
SECRETARY = "secretary"
TASK_FORCE = "task_force"
QUEUES = ("review", "scoring", "notice", "awarded", "mine", "all")


@dataclass
class Viewer:
    """A login that may open the stars pages: its person, its kind and, for members, their task forces."""

    user: object
    person: Person | None
    kind: str
    task_forces: list = field(default_factory=list)  # [(kind, star)]

    @property
    def sees_all(self):
        return self.kind in (ADMIN, DISTRICT_LEADER)

    @property
    def subdistrict_id(self):
        return self.person.subdistrict_id if self.person else None

    def in_task_force(self, assessment):
        return (assessment.criterion.kind, assessment.star) in self.task_forces


def viewer_kind(user, person):
    if user.is_superuser or (person is not None and person.role == Role.ADMINISTRATOR):
        return ADMIN
    if person is None:
        return None
    if person.role == Role.LEADER:
        return DISTRICT_LEADER if person.subdistrict_id is None else SUBDISTRICT_LEADER
    if person.role == Role.BRANCH_SECRETARY and person.community_id is not None:
        return SECRETARY
    if person.role == Role.TASK_FORCE_MEMBER:
        return TASK_FORCE
    return None


def may_open_stars(user):
    """Whether the header shows the 五星支部 link: the same rule as `viewer_for`, without raising."""
    if user is None or not user.is_authenticated:
        return False
    return viewer_kind(user, person_for(user)) is not None


def viewer_for(user):
    """The Viewer for a login, or 404 for anyone the stars pages are not for."""
    if user is None or not user.is_authenticated:
        raise Http404(_("The five-star pages are not open to you."))
    person = person_for(user)
    kind = viewer_kind(user, person)
    if kind is None:
        raise Http404(_("The five-star pages are not open to you."))
    pairs = []
    if kind == TASK_FORCE:
        pairs = list(TaskForce.objects.filter(members=person).values_list("kind", "star"))
    return Viewer(user=user, person=person, kind=kind, task_forces=pairs)


def _task_force_q(viewer, prefix=""):
    if not viewer.task_forces:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}criterion__kind": k, f"{prefix}star": s}) for k, s in viewer.task_forces))


def branches_for(viewer):
    branches = Branch.objects.all()
    if viewer.sees_all:
        return branches
    if viewer.kind == SUBDISTRICT_LEADER:
        return branches.filter(community__subdistrict_id=viewer.subdistrict_id)
    if viewer.kind == SECRETARY:
        return branches.filter(community_id=viewer.person.community_id)
    if viewer.kind == TASK_FORCE:
        return branches.filter(pk__in=Assessment.objects.filter(_task_force_q(viewer)).values("branch_id"))
    return branches.none()


def assessments_for(viewer, *, notices=True):
    """The applications a viewer reads: their scope, and (unless `notices` is off) whatever is on notice."""
    rows = Assessment.objects.all()
    if viewer.sees_all:
        return rows
    if viewer.kind == SUBDISTRICT_LEADER:
        own = Q(branch__community__subdistrict_id=viewer.subdistrict_id)
    elif viewer.kind == SECRETARY:
        own = Q(branch__community_id=viewer.person.community_id)
    elif viewer.kind == TASK_FORCE:
        own = _task_force_q(viewer)
    else:
        return rows.none()
    if notices:
        own |= Q(status=AssessmentStatus.NOTICE)
    return rows.filter(own)


def get_assessment_for(user, pk, *, acting=False, queryset=None):
    """The application with this id if the user reads it (or, `acting`, may try an action on it); 404 otherwise."""
    viewer = viewer_for(user)
    rows = Assessment.objects.all() if acting and viewer.kind == TASK_FORCE else assessments_for(viewer)
    if queryset is not None:
        rows = queryset & rows
    assessment = rows.filter(pk=pk).first()
    if assessment is None:
        raise Http404(_("No star application %(id)s that you may see.") % {"id": pk})
    return viewer, assessment


def get_branch_for(user, code):
    viewer = viewer_for(user)
    branch = (
        branches_for(viewer).filter(community__code=code)
        .select_related("community__subdistrict", "leader").defer("community__geom", "community__subdistrict__geom")
        .first()
    )
    if branch is None:
        raise Http404(_("No branch %(code)s that you may see.") % {"code": code})
    return viewer, branch


def queue(viewer, name, period=None):
    """The applications in one queue of the work page / `?queue=`, within the viewer's scope.

    review: applied, waiting for the sub-district; scoring: with the task force;
    notice: on public notice; awarded: stars held (revocable); mine: what waits
    for this viewer (a secretary: everything of their branch); all: the scope.
    """
    if name not in QUEUES:
        raise ValueError(name)
    rows = assessments_for(viewer, notices=name in ("notice", "all"))
    if period is not None:
        rows = rows.filter(period=period)
    status = {"review": AssessmentStatus.APPLIED, "scoring": AssessmentStatus.SCORING,
              "notice": AssessmentStatus.NOTICE, "awarded": AssessmentStatus.AWARDED}.get(name)
    if status:
        return rows.filter(status=status)
    if name == "mine":
        if viewer.kind == SECRETARY:
            return rows
        if viewer.kind in (SUBDISTRICT_LEADER, ADMIN):
            return rows.filter(status=AssessmentStatus.APPLIED)
        if viewer.kind == TASK_FORCE:
            return rows.filter(status__in=[AssessmentStatus.SCORING, AssessmentStatus.NOTICE])
        return rows.none()
    return rows


def queues_of(viewer):
    """The work page's sections for this viewer, in order."""
    if viewer.kind == SECRETARY:
        return ["mine", "notice"]
    if viewer.kind == SUBDISTRICT_LEADER:
        return ["review", "scoring", "notice", "awarded"]
    if viewer.kind == TASK_FORCE:
        return ["scoring", "notice", "awarded", "review"]
    return ["review", "scoring", "notice", "awarded"]


def offered_actions(viewer, assessment, now=None):
    """The actions the page offers on an application: the status allows them and the viewer is the actor.

    Mirrors `assessment.may_act` without a query per row (the member's task
    forces are on the viewer); the workflow still decides when one is taken.
    Needs `criterion`, `branch__community` and, on notice, `objections` loaded.
    """
    person, now = viewer.person, now or timezone.now()
    if person is None:
        return []
    offered = []
    for (status, action), _new in TRANSITIONS.items():
        if status != assessment.status:
            continue
        actor = ACTORS[action]
        if actor == "reviewer":
            ok = viewer.kind == ADMIN or (
                viewer.kind == SUBDISTRICT_LEADER
                and assessment.branch.community.subdistrict_id == viewer.subdistrict_id
            )
        elif actor == "secretary":
            ok = viewer.kind == SECRETARY and assessment.branch.community_id == person.community_id
        elif actor == "task_force":
            ok = viewer.kind == TASK_FORCE and viewer.in_task_force(assessment)
        elif actor == "revoker":
            ok = viewer.kind == ADMIN or (viewer.kind == TASK_FORCE and viewer.in_task_force(assessment))
        else:
            ok = True
        if ok and action == "object":
            ok = assessment.notice_ends_at is None or now <= assessment.notice_ends_at
        if ok and action == "resolve":
            ok = any(o.outcome == Objection.Outcome.OPEN for o in assessment.objections.all())
        if ok and action == "award":
            ok = assessment.notice_ends_at is not None and now >= assessment.notice_ends_at and not any(
                o.outcome != Objection.Outcome.DISMISSED for o in assessment.objections.all()
            )
        if ok:
            offered.append(action)
    return offered


def may_upload_households(viewer):
    return viewer.kind in (ADMIN, SUBDISTRICT_LEADER)


def linkage_subdistrict_ids(viewer):
    """Sub-districts whose chain a viewer reads: all (None) or one; a secretary reads their own."""
    if viewer.sees_all or viewer.kind == TASK_FORCE:
        return None
    if viewer.kind == SUBDISTRICT_LEADER:
        return [viewer.subdistrict_id]
    return [viewer.person.community.subdistrict_id]
