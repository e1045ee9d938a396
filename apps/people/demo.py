"""Demo logins, one per role, on top of the loaded sample district.

`seed_demo` calls `seed_demo_accounts`; running it again updates the same rows
(users by username, people by code), so it is safe to repeat.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from apps.areas.models import Community, District, Grid, SubDistrict
from apps.people.models import Department, Person, Role

DEFAULT_PASSWORD = "gridgov-demo"
DEMO_SUBDISTRICT = "花园路街道"
HANDLER_DEPARTMENT = "区城市管理局"
TASK_FORCE_DEPARTMENT = "区委组织部"  # leads the 支部过硬星 task forces
INSPECTOR_DEPARTMENT = "区纪委监委"


class SampleMissing(LookupError):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    name: str
    area: str


def _department(name):
    department = Department.objects.filter(name=name).first()
    if department is None:
        raise SampleMissing(_("Department %(name)s is not in the database.") % {"name": name})
    return department


def _subdistrict(name):
    subdistrict = SubDistrict.objects.filter(name=name).first()
    if subdistrict is None:
        raise SampleMissing(_("Sub-district %(name)s is not in the database.") % {"name": name})
    return subdistrict


def _two_grids():
    """The first community (by code) with at least two grids, and its first two grids."""
    for community in Community.objects.order_by("code"):
        grids = list(Grid.objects.filter(community=community).order_by("code")[:2])
        if len(grids) == 2:
            return community, grids
    raise SampleMissing(_("No village/community has two grids."))


def _user(username, password, *, first_name, staff=False, superuser=False):
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.first_name = first_name
    user.is_staff = staff or superuser
    user.is_superuser = superuser
    user.is_active = True
    user.set_password(password)
    user.save()
    return user


def _person(user, code, **fields):
    """Attach `user` to the person with `code`, created or updated to `fields`.

    A user holds one person; any other person the user was attached to by an
    earlier run with different data lets go first (the link is one-to-one).
    """
    Person.objects.filter(user=user).exclude(code=code).update(user=None)
    person, _created = Person.objects.update_or_create(code=code, defaults={"user": user, **fields})
    return person


@transaction.atomic
def seed_demo_accounts(password=DEFAULT_PASSWORD):
    """Create or update one login per role; return the DemoAccount rows to print.

    SampleMissing when the sample district (or a named part of it) is not loaded.
    """
    district = District.objects.first()
    if district is None:
        raise SampleMissing(_("The database holds no district."))
    hyl = _subdistrict(DEMO_SUBDISTRICT)
    hyl_office = Department.objects.filter(subdistrict=hyl).first()
    handler_dept = _department(HANDLER_DEPARTMENT)
    task_force_dept = _department(TASK_FORCE_DEPARTMENT)
    inspector_dept = _department(INSPECTOR_DEPARTMENT)
    community, grids = _two_grids()
    # A cadre of the sample (they come with their zones); the first by code.
    cadre = Person.objects.filter(role=Role.ZONE_CADRE).order_by("code").first()
    if cadre is None:
        raise SampleMissing(_("The database holds no zone cadre."))
    cadre_zones = "、".join(cadre.zones.order_by("code").values_list("name", flat=True)) or "-"

    # Names and titles are data (Chinese, like the sample), not UI text.
    blank = {"department": None, "subdistrict": None, "community": None, "title": "", "phone": ""}
    accounts = []

    def add(username, role, name, area, *, code=None, staff=False, superuser=False, **fields):
        user = _user(username, password, first_name=name, staff=staff, superuser=superuser)
        person = _person(user, code or f"DEMO-{username}", name=name, role=role, **{**blank, **fields})
        accounts.append(DemoAccount(username, person.get_role_display(), name, area))
        return person

    add("admin", Role.ADMINISTRATOR, "系统管理员", district.name, superuser=True)
    add("dispatcher", Role.DISPATCHER, "区指挥中心调度员", district.name,
        title="区网格化综合指挥中心调度员")
    add("dispatcher_hyl", Role.DISPATCHER, f"{hyl.name}调度员", hyl.name,
        subdistrict=hyl, department=hyl_office, title="街道综治中心调度员")
    worker = add("gridworker", Role.GRID_WORKER, "演示网格员",
                 f"{community.name}: " + "、".join(g.code for g in grids))
    worker.grids.set(grids)

    # The cadre keeps the sample's name, department and phone; only the login is new.
    cadre_user = _user("cadre", password, first_name=cadre.name)
    Person.objects.filter(user=cadre_user).exclude(pk=cadre.pk).update(user=None)
    cadre.user = cadre_user
    cadre.save(update_fields=["user"])
    accounts.append(DemoAccount("cadre", cadre.get_role_display(), cadre.name, cadre_zones))

    add("handler", Role.HANDLER, "城管局处置人员", handler_dept.name, department=handler_dept)
    add("taskforce", Role.TASK_FORCE_MEMBER, "专班成员", task_force_dept.name,
        department=task_force_dept)
    add("inspector", Role.INSPECTOR, "督查组成员", inspector_dept.name, department=inspector_dept)
    add("leader", Role.LEADER, "区领导", district.name, title="区委副书记")
    add("leader_hyl", Role.LEADER, f"{hyl.name}领导", hyl.name, subdistrict=hyl,
        department=hyl_office, title="街道党工委书记")
    # The secretary of a planned five-star branch, to apply for stars.
    madu = Community.objects.filter(name="马渡村").first() or Community.objects.order_by("code").first()
    add("secretary", Role.BRANCH_SECRETARY, f"{madu.name}党支部书记", madu.name, community=madu,
        title="党支部书记")
    return accounts
