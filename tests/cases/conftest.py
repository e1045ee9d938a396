"""The cast of the case workflow's permission story, on the loaded sample district.

A grid worker and a colleague in the same grid, a worker of another grid (in
another sub-district), a zone cadre, dispatchers of the command centre and of
two sub-districts, handlers of two departments, leaders, an administrator.
"""

import uuid
from dataclasses import dataclass

import pytest
from cast_helpers import fast_password_hashing, make_person  # noqa: F401 (an autouse fixture)
from django.contrib.auth.models import User
from django.core.management import call_command

from apps.areas.models import Grid
from apps.cases.intake import report_case
from apps.cases.models import Category
from apps.compounds.models import Zone
from apps.people.models import Department, Person, Role


@dataclass
class Cast:
    grid: Grid
    other_grid: Grid
    worker: Person
    colleague: Person
    other_worker: Person
    cadre: Person
    centre: Person
    dispatcher: Person
    other_dispatcher: Person
    handler: Person
    other_handler: Person
    leader: Person
    subdistrict_leader: Person
    admin: Person
    department: Department
    other_department: Department
    category: Category

    def point(self, grid=None):
        """A point well inside `grid` (default: the cast's grid)."""
        p = (grid or self.grid).geom.point_on_surface
        return p.x, p.y

    def report(self, by=None, **kwargs):
        lon, lat = self.point(kwargs.pop("grid", None))
        kwargs.setdefault("category", self.category)
        kwargs.setdefault("description", "路边暴露垃圾，需要清理")
        case, _ = report_case(by=by or self.worker, lon=lon, lat=lat, **kwargs)
        return case


@pytest.fixture
def cast(district):
    call_command("seed_cases", verbosity=0)
    zone = Zone.objects.select_related("community__subdistrict").order_by("code").first()
    # The cast's grid lies in a community with a zone, so the zone cadre shares the area.
    grid = Grid.objects.filter(community=zone.community).order_by("code").first()
    subdistrict = grid.community.subdistrict
    other_grid = Grid.objects.exclude(community__subdistrict=subdistrict).order_by("code").first()
    department = Department.objects.get(name="区城市管理局")
    other_department = Department.objects.get(name="区住房和城乡建设局")
    cadre = zone.cadres.order_by("code").first()
    cadre.user = User.objects.create_user(username="cadre-" + uuid.uuid4().hex[:6], password="pw")
    cadre.save(update_fields=["user"])
    return Cast(
        grid=grid,
        other_grid=other_grid,
        worker=make_person("worker", Role.GRID_WORKER, grids=[grid]),
        colleague=make_person("colleague", Role.GRID_WORKER, grids=[grid]),
        other_worker=make_person("other-worker", Role.GRID_WORKER, grids=[other_grid]),
        cadre=cadre,
        centre=make_person("centre", Role.DISPATCHER),
        dispatcher=make_person("dispatcher", Role.DISPATCHER, subdistrict=subdistrict),
        other_dispatcher=make_person("other-dispatcher", Role.DISPATCHER, subdistrict=other_grid.community.subdistrict),
        handler=make_person("handler", Role.HANDLER, department=department),
        other_handler=make_person("other-handler", Role.HANDLER, department=other_department),
        leader=make_person("leader", Role.LEADER),
        subdistrict_leader=make_person("sd-leader", Role.LEADER, subdistrict=subdistrict),
        admin=make_person("admin", Role.ADMINISTRATOR),
        department=department,
        other_department=other_department,
        category=Category.objects.get(code="E0101"),
    )


# --- API helpers: a client per person, a case walked to any status ---------------------------


@pytest.fixture
def api_as():
    """api_as(person) -> an APIClient logged in as that person (no queries spent on auth)."""
    from rest_framework.test import APIClient

    def client_for(person):
        client = APIClient()
        client.force_authenticate(person.user)
        return client

    return client_for


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads go to a fresh folder, so a test can show that nothing was written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def walk_to(cast, case, status):
    """Take `case` (reported) to `status` through the workflow, each step by its rightful actor."""
    from apps.cases.workflow import transition

    d, h = cast.dispatcher, cast.handler
    steps = {
        "reported": [],
        "registered": [("register", d, {})],
        "rejected": [("reject", d, {"note": "不属实"})],
        "merged": [("merge", d, {"target": None})],
        "dispatched": [("register", d, {}), ("dispatch", d, {"department": cast.department})],
    }
    steps["handling"] = steps["dispatched"] + [("accept", h, {})]
    steps["return_requested"] = steps["handling"] + [("return", h, {"note": "不属本部门职责"})]
    steps["extension_requested"] = steps["handling"] + [("request_extension", h, {"note": "需要更多时间", "hours": 8})]
    steps["pending_requested"] = steps["handling"] + [("request_pending", h, {"note": "需协调资金"})]
    steps["pending"] = steps["pending_requested"] + [("grant_pending", d, {})]
    steps["handled"] = steps["handling"] + [("report_handled", h, {"result": "已清理"})]
    steps["closed"] = steps["handled"] + [("verify_pass", cast.colleague, {})]
    for action, by, params in steps[status]:
        if action == "merge":
            params = {"target": cast.report(description="同一处垃圾")}
        transition(case, action, by=by, **params)
    case.refresh_from_db()
    assert case.status == status
    return case


@pytest.fixture
def walk(cast):
    """walk(status) -> a new case of the cast's grid taken to `status`; walk(status, case=c) takes `c` there."""
    return lambda status, case=None, **report: walk_to(cast, case or cast.report(**report), status)
