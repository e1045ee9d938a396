"""The demo logins' first piece of work, so each can show its role's main job on the first click.

`manage.py seed_demo_work` runs after seed_demo, seed_cases, seed_stars and
simulate_cases (deploy/demo.sh). What it makes it makes through the owning
apps' own functions (cases: `report_case`, `transition`; stars: the current
period and task forces), never by writing their rows; `people` imports them
here only, lazily, because the demo sits on top of every app. Repeatable: work
that is still there is kept, work a visitor finished is made again.

- secretary: moved to a branch with stars still to apply for this period
  (马渡村 when it has one; the sample's 马渡村 applied for all five);
- taskforce: a member of a task force with an application waiting for its scores;
- handler: a case dispatched to their department, waiting to be accepted;
- gridworker: a case of their grid handled by the department, waiting for their verification.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.people.demo import SampleMissing
from apps.people.models import Person

PREFERRED_BRANCH = "马渡村"
DEMO_CATEGORY = "E0101"  # 暴露垃圾: the commonest case, handled by 区城市管理局 (the demo handler's department)


@dataclass(frozen=True)
class FirstWork:
    username: str
    what: str


def _demo(username):
    person = Person.objects.filter(user__username=username).select_related("department", "community").first()
    if person is None:
        raise SampleMissing(_("The demo login %(name)s is missing: run manage.py seed_demo first.") % {"name": username})
    return person


@transaction.atomic
def seed_demo_work(*, now=None):
    """Give every demo login its first piece of work; return what each has (FirstWork rows)."""
    now = now or timezone.now()
    return [
        _secretary_work(now),
        _task_force_work(now),
        _grid_worker_work(now),  # before the handler's: this one is accepted and handled by them
        _handler_work(now),
    ]


# --- five stars -------------------------------------------------------------------------


def _open_stars(branch, period):
    from apps.stars.models import Assessment, StarCriterion

    applied = set(Assessment.objects.filter(branch=branch, period=period).values_list("star", flat=True))
    stars = StarCriterion.objects.filter(period=period, kind=branch.community.kind).values_list("star", flat=True)
    return sorted(set(stars) - applied)


def _secretary_work(now):
    from apps.stars.api_support import current_period
    from apps.stars.models import Branch

    secretary = _demo("secretary")
    period = current_period(timezone.localdate(now))
    if period is None:
        raise SampleMissing(_("There is no five-star period: run manage.py seed_stars first."))
    branches = Branch.objects.select_related("community").order_by("community__code")
    preferred = branches.filter(community__name=PREFERRED_BRANCH).first()
    candidates = ([preferred] if preferred else []) + [b for b in branches if b != preferred]
    for branch in candidates:
        stars = _open_stars(branch, period)
        if stars:
            if secretary.community_id != branch.community_id:
                secretary.community = branch.community
                secretary.name = f"{branch.community.name}党支部书记"
                secretary.save(update_fields=["community", "name"])
                secretary.user.first_name = secretary.name
                secretary.user.save(update_fields=["first_name"])
            return FirstWork("secretary", f"{branch.community.name}: ★{', ★'.join(map(str, stars))} {period.name}")
    raise SampleMissing(_("Every branch has applied for every star in %(period)s.") % {"period": period.name})


def _task_force_work(now):
    from apps.stars.api_support import current_period
    from apps.stars.models import Assessment, AssessmentStatus, TaskForce

    member = _demo("taskforce")
    period = current_period(timezone.localdate(now))
    scoring = Assessment.objects.filter(period=period, status=AssessmentStatus.SCORING).select_related("criterion")
    pairs = set(TaskForce.objects.filter(members=member).values_list("kind", "star"))
    waiting = [a for a in scoring.order_by("applied_at", "id") if (a.criterion.kind, a.star) in pairs]
    if not waiting:
        first = scoring.order_by("applied_at", "id").first()
        if first is None:
            raise SampleMissing(_("No application waits for a task force in %(period)s: run manage.py seed_stars.")
                                % {"period": period.name})
        TaskForce.objects.get(kind=first.criterion.kind, star=first.star).members.add(member)
        waiting = [a for a in scoring if (a.criterion.kind, a.star) == (first.criterion.kind, first.star)]
    return FirstWork("taskforce", _("%(n)s applications to score") % {"n": len(waiting)})


# --- cases ----------------------------------------------------------------------------------


def _category():
    from apps.cases.models import Category

    category = Category.objects.filter(code=DEMO_CATEGORY, active=True).select_related("default_department").first()
    if category is None:
        raise SampleMissing(_("Category %(code)s is missing: run manage.py seed_cases first.") % {"code": DEMO_CATEGORY})
    return category


def _report(worker, grid, now, note):
    from apps.cases.intake import report_case

    point = grid.geom.point_on_surface
    case, _created = report_case(by=worker, category=_category(), lon=point.x, lat=point.y, description=note,
                                 address=grid.name, at=now, notify=False)
    return case


def _grid_worker_work(now):
    from apps.cases.models import Case, Status
    from apps.cases.workflow import transition

    worker, handler, desk = _demo("gridworker"), _demo("handler"), _demo("dispatcher")
    grids = list(worker.grids.order_by("code"))
    if not grids:
        raise SampleMissing(_("The demo grid worker has no grid: run manage.py seed_demo first."))
    waiting = Case.objects.filter(grid__in=grids, status=Status.HANDLED)
    if not waiting.exists():
        case = _report(worker, grids[0], now, f"{grids[0].name}路边暴露垃圾，请清理。")
        transition(case, "register", by=desk, at=now, notify=False)
        transition(case, "dispatch", by=desk, department=handler.department, at=now, notify=False)
        transition(case, "accept", by=handler, at=now, notify=False)
        transition(case, "report_handled", by=handler, result="已清理完毕", at=now, notify=False)
    first = waiting.order_by("handled_at", "id").first()
    return FirstWork("gridworker", _("case %(number)s waits for your verification") % {"number": first.number})


def _handler_work(now):
    from apps.cases.models import Case, Status
    from apps.cases.workflow import transition

    worker, handler, desk = _demo("gridworker"), _demo("handler"), _demo("dispatcher")
    waiting = Case.objects.filter(department=handler.department, status=Status.DISPATCHED)
    if not waiting.exists():
        grid = worker.grids.order_by("code").last()
        case = _report(worker, grid, now, f"{grid.name}垃圾桶满溢，周边暴露垃圾。")
        transition(case, "register", by=desk, at=now, notify=False)
        transition(case, "dispatch", by=desk, department=handler.department, at=now, notify=False)
    return FirstWork("handler", _("%(n)s new cases to accept") % {"n": waiting.count()})
