"""The demo as `make demo` seeds it: each demo login finds its role's main job on the first click (issue 11)."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from apps.cases.access import cases_for_user
from apps.cases.models import Case, Status
from apps.people.models import Person
from apps.stars.access import queue, viewer_for
from apps.stars.api_support import current_period
from apps.stars.models import Assessment, Branch, StarCriterion

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 12, 4, 9, 30, tzinfo=TZ)  # the day: a Friday in the period seed_stars runs


def run(*args):
    call_command(*args, verbosity=0, stdout=StringIO())


@pytest.fixture
def demo(district, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(TODAY, tick=False):
        # deploy/demo.sh's order.
        run("seed_demo")
        run("seed_cases")
        run("seed_stars", "--today", TODAY.date().isoformat())
        run("simulate_cases", "--cases", "300", "--workers", "1", "--until", TODAY.date().isoformat())
        out = StringIO()
        call_command("seed_demo_work", stdout=out)
    return {p.user.username: p for p in Person.objects.filter(user__isnull=False).select_related("user")}, out.getvalue()


def test_each_demo_login_has_its_first_piece_of_work(demo):
    people, output = demo
    for username in ("secretary", "taskforce", "handler", "gridworker"):
        assert f"{username}: " in output
    period = current_period(TODAY.date())
    # The secretary's branch still has stars to apply for this period.
    secretary = people["secretary"]
    branch = Branch.objects.get(community=secretary.community)
    applied = set(Assessment.objects.filter(branch=branch, period=period).values_list("star", flat=True))
    criteria = set(StarCriterion.objects.filter(period=period, kind=branch.community.kind).values_list("star", flat=True))
    assert criteria - applied
    # The task force member has applications waiting for scores.
    assert queue(viewer_for(people["taskforce"].user), "scoring", period).exists()
    # The handler has cases to accept; the grid worker a handled case of their grid to verify.
    handler = people["handler"]
    assert cases_for_user(handler.user).filter(status=Status.DISPATCHED, department=handler.department).exists()
    worker = people["gridworker"]
    to_verify = cases_for_user(worker.user).filter(status=Status.HANDLED, grid__in=worker.grids.all())
    assert to_verify.exists()
    # What waits for verification was handled by a department, not left unrouted.
    assert not to_verify.filter(department__isnull=True).exists()
    # Running it again keeps the work there and makes no more (one test: seeding the demo takes minutes).
    before = Case.objects.count()
    with time_machine.travel(TODAY, tick=False):
        run("seed_demo_work")
    assert Case.objects.count() == before
