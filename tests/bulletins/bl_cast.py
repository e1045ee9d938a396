"""The bulletin cast and a small fixture whose November 2026 figures are computed by hand in the tests.

Clock: 2 December 2026, 10:00 (Asia/Shanghai), so November is over and December is not.
Sub-district A holds villages v1 and v2, sub-district B village v3.
Findings: f1 (v1, found 11-10, 5 working days: open and overdue at 11-30), f2 (v2, found 11-26,
10 working days: open, not overdue), f3 (v1, found 11-12, signed off 11-25), f4 (v3, found 10-20,
open and overdue: counted open in November, not new). Visits: v1 on 11-05 and 11-07, v2 on 11-06,
v3 on 12-01 (after November).
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cast_helpers import make_person

from apps.people.models import Department, Person, Role
from apps.stars.models import Branch
from apps.supervision.models import Finding, InspectionCampaign, InspectionGroup, ResearchRound
from apps.supervision.records import record_finding, record_visit

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=TZ)


def at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


@dataclass
class Cast:
    admin: Person
    district_leader: Person
    leader_a: Person  # of sub-district A
    leader_b: Person  # of sub-district B
    dispatcher_a: Person
    worker: Person
    handler: Person
    v1: Branch
    v2: Branch
    v3: Branch

    @property
    def area_a(self):
        return self.v1.community.subdistrict

    @property
    def area_b(self):
        return self.v3.community.subdistrict


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cast(district, clock, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    villages = list(Branch.objects.filter(community__kind="village").select_related("community__subdistrict")
                    .order_by("community__code"))
    v1, v2 = next((a, b) for a in villages for b in villages
                  if a != b and a.community.subdistrict_id == b.community.subdistrict_id)
    v3 = next(b for b in villages if b.community.subdistrict_id != v1.community.subdistrict_id)
    department = Department.objects.filter(kind=Department.Kind.DISTRICT_DEPARTMENT).order_by("code").first()
    return Cast(
        admin=make_person("bl-admin", Role.ADMINISTRATOR, name="管理员"),
        district_leader=make_person("bl-dleader", Role.LEADER, name="区领导"),
        leader_a=make_person("bl-leader-a", Role.LEADER, subdistrict=v1.community.subdistrict),
        leader_b=make_person("bl-leader-b", Role.LEADER, subdistrict=v3.community.subdistrict),
        dispatcher_a=make_person("bl-disp-a", Role.DISPATCHER, subdistrict=v1.community.subdistrict),
        worker=make_person("bl-worker", Role.GRID_WORKER),
        handler=make_person("bl-handler", Role.HANDLER, department=department),
        v1=v1, v2=v2, v3=v3,
    )


@pytest.fixture
def fixture(cast):
    inspector = make_person("bl-insp", Role.INSPECTOR)
    campaign = InspectionCampaign.objects.create(name="四议两公开一监督专项检查", starts_on=dt.date(2026, 10, 1),
                                                 ends_on=dt.date(2026, 11, 30))
    group = InspectionGroup.objects.create(campaign=campaign, name="第一组")
    group.members.add(inspector)
    group.branches.add(cast.v1, cast.v2, cast.v3)

    def finding(branch, day, days):
        return record_finding(group, branch, by=inspector, description="审议到会人数不足", responsible_party="村党支部",
                              deadline_days=days, step="quorum", at=at(day))

    f1 = finding(cast.v1, dt.date(2026, 11, 10), 5)
    f2 = finding(cast.v2, dt.date(2026, 11, 26), 10)
    f3 = finding(cast.v1, dt.date(2026, 11, 12), 5)
    f4 = finding(cast.v3, dt.date(2026, 10, 20), 5)
    # f3 signed off on 25 November (the fixture sets the end state; the workflow has its own tests).
    Finding.objects.filter(pk=f3.pk).update(status="signed_off", closed_at=at(dt.date(2026, 11, 25)))
    research = ResearchRound.objects.create(name="第一轮过筛子", starts_on=dt.date(2026, 11, 1),
                                            ends_on=dt.date(2026, 12, 31))
    for branch, day in ((cast.v1, 5), (cast.v2, 6), (cast.v1, 7)):
        record_visit(research, branch, by=cast.district_leader, visited_on=dt.date(2026, 11, day), checked="台账",
                     at=at(dt.date(2026, 11, day)))
    record_visit(research, cast.v3, by=cast.district_leader, visited_on=dt.date(2026, 12, 1), checked="台账",
                 at=at(dt.date(2026, 12, 1)))
    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4}


def login(client, person):
    client.force_login(person.user)
    return client
