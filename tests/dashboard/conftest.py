"""Hand-made five-star data and the dashboard's cast, on the loaded sample district.

Two periods: `previous` and `current` (the one containing today). Every star is
won through the real workflow (apply -> review -> score -> notice -> award), so
the figures the tests expect are the ones a person could count by hand:

current period, sub-district A (花园路街道, with its own target 1/2/3):
  a1 holds stars 1-5 (level 5); a2 holds 1-4 with star 5 applied for (level 4,
  pipeline 5); a3 holds 1-3 (level 3);
current period, sub-district B (兴达路街道):
  b1 = 马渡村 (village) holds 1-4 (level 4); b2 holds 2, 3, 4 but not the
  foundation star (level 0, yet it holds 平安法治星); b3 won star 1 and lost it
  (revoked: level 0);
previous period: a1 held 1-3 (level 3), b1 held star 1 (level 1).
Every other branch holds nothing.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from cast_helpers import fast_password_hashing, make_person  # noqa: F401 (an autouse fixture)
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.areas.models import Community, Grid, SubDistrict
from apps.people.models import Person, Role
from apps.stars.assessment import apply, transition
from apps.stars.models import Branch, Indicator, TaskForce, Target
from apps.stars.setup import create_period, ensure_task_forces

A_NAME = "花园路街道"
B_NAME = "兴达路街道"


def client_for(person_or_user):
    client = Client()
    user = person_or_user.user if isinstance(person_or_user, Person) else person_or_user
    client.force_login(user)
    return client


class Workflow:
    """Drives the real assessment workflow as an administrator and a member of every task force."""

    def __init__(self):
        ensure_task_forces()
        self.admin = make_person("ADMIN", Role.ADMINISTRATOR)
        self.member = Person.objects.create(code="TF-ALL", name="专班", role=Role.TASK_FORCE_MEMBER)
        for task_force in TaskForce.objects.all():
            task_force.members.add(self.member)

    def apply(self, branch, period, star, at):
        return apply(branch=branch, period=period, star=star, by=self.admin, self_score=90, at=at)

    def award(self, branch, period, star, at):
        assessment = self.apply(branch, period, star, at)
        transition(assessment, "review_pass", by=self.admin, at=at)
        points = dict(
            Indicator.objects.filter(criterion=assessment.criterion).values_list("code", "max_points")
        )
        transition(assessment, "score", by=self.member, points=points, at=at)
        transition(assessment, "publish", by=self.member, at=at)
        transition(assessment, "award", by=self.member, at=at + dt.timedelta(days=period.notice_days))
        return assessment


@dataclass
class Stars:
    previous: object
    current: object
    a: SubDistrict
    b: SubDistrict
    a1: Branch
    a2: Branch
    a3: Branch
    b1: Branch
    b2: Branch
    b3: Branch
    workflow: Workflow


@pytest.fixture
def stars(district):
    today = timezone.localdate()
    previous, _ = create_period("P1", "上一周期", today - dt.timedelta(days=500), today - dt.timedelta(days=136))
    current, _ = create_period("P2", "本周期", today - dt.timedelta(days=135), today + dt.timedelta(days=230))
    a = SubDistrict.objects.get(name=A_NAME)
    b = SubDistrict.objects.get(name=B_NAME)
    Target.objects.create(period=current, subdistrict=a, five_star=1, four_star=2, three_star=3)
    a_branches = list(Branch.objects.filter(community__subdistrict=a).select_related("community").order_by("community__code"))
    b1 = Branch.objects.select_related("community").get(community__name="马渡村")
    b_others = list(
        Branch.objects.filter(community__subdistrict=b).exclude(pk=b1.pk).select_related("community")
        .order_by("community__code")
    )
    a1, a2, a3 = a_branches[:3]
    b2, b3 = b_others[:2]
    flow = Workflow()
    then = timezone.now() - dt.timedelta(days=450)
    now = timezone.now() - dt.timedelta(days=100)
    for star in (1, 2, 3):
        flow.award(a1, previous, star, then)
    flow.award(b1, previous, 1, then)
    for branch, held in ((a1, 5), (a2, 4), (a3, 3), (b1, 4)):
        for star in range(1, held + 1):
            flow.award(branch, current, star, now)
    flow.apply(a2, current, 5, now)
    for star in (2, 3, 4):
        flow.award(b2, current, star, now)
    lost = flow.award(b3, current, 1, now)
    transition(lost, "revoke", by=flow.admin, note="整改不到位", at=now + dt.timedelta(days=20))
    return Stars(previous, current, a, b, a1, a2, a3, b1, b2, b3, flow)


@dataclass
class Cast:
    district_leader: Person
    a_leader: Person
    b_dispatcher: Person
    centre: Person
    admin: Person
    superuser: User
    grid_worker: Person
    handler: Person
    task_force_member: Person
    secretary: Person
    no_person: User


@pytest.fixture
def cast(stars):
    from apps.people.models import Department

    grid = Grid.objects.filter(community__subdistrict=stars.a).order_by("code").first()
    worker = make_person("GW1", Role.GRID_WORKER)
    worker.grids.add(grid)
    return Cast(
        district_leader=make_person("LEAD", Role.LEADER),
        a_leader=make_person("LEAD-A", Role.LEADER, subdistrict=stars.a),
        b_dispatcher=make_person("DSP-B", Role.DISPATCHER, subdistrict=stars.b),
        centre=make_person("DSP", Role.DISPATCHER),
        admin=stars.workflow.admin,
        superuser=User.objects.create_superuser("root", password="pw-root"),
        grid_worker=worker,
        handler=make_person("HD1", Role.HANDLER, department=Department.objects.order_by("code").first()),
        task_force_member=make_person("TF1", Role.TASK_FORCE_MEMBER),
        secretary=make_person("SEC1", Role.BRANCH_SECRETARY, community=stars.a1.community),
        no_person=User.objects.create_user("nobody", password="pw-nobody"),
    )


# Who reads what: (cast attribute, what they see: "all", "A", "B", or None for 403).
READERS = [
    ("district_leader", "all"),
    ("centre", "all"),
    ("admin", "all"),
    ("superuser", "all"),
    ("a_leader", "A"),
    ("b_dispatcher", "B"),
    ("grid_worker", None),
    ("handler", None),
    ("task_force_member", None),
    ("secretary", None),
    ("no_person", None),
]


def communities_of(stars, sees):
    queryset = Community.objects.all()
    if sees == "A":
        queryset = queryset.filter(subdistrict=stars.a)
    elif sees == "B":
        queryset = queryset.filter(subdistrict=stars.b)
    return set(queryset.values_list("code", flat=True))


@pytest.fixture
def cases_in_a(stars):
    """Cases in two grids of sub-district A: grid g1 has two in the last 30 days and one older; g2 one."""
    from apps.cases.intake import report_case
    from apps.cases.models import Category

    call_command("seed_cases", verbosity=0)
    category = Category.objects.filter(active=True).order_by("code").first()
    g1, g2 = Grid.objects.filter(community=stars.a1.community).order_by("code")[:2]
    now = timezone.now()

    def report(grid, days_ago):
        p = grid.geom.point_on_surface
        return report_case(by=None, category=category, lon=p.x, lat=p.y, description="占道经营",
                           at=now - dt.timedelta(days=days_ago), notify=False)[0]

    made = [report(g1, 2), report(g1, 10), report(g1, 40), report(g2, 5)]
    return g1, g2, made
