"""The supervision cast: two inspection groups, two villages' secretaries, leaders near and far, an admin.

Group A (inspector_a) checks villages v1 and v2; group B (inspector_b) checks
v3, in another sub-district. Each test has the person who must act beside the
one who must not.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cast_helpers import make_person

from apps.people.models import Person, Role
from apps.stars.models import Branch
from apps.supervision.models import InspectionCampaign, InspectionGroup
from apps.supervision.records import record_finding

TZ = ZoneInfo("Asia/Shanghai")
# A Monday in an ordinary week: no holiday near (the working calendar's defaults).
NOW = dt.datetime(2026, 11, 16, 10, 0, tzinfo=TZ)


@dataclass
class Cast:
    campaign: InspectionCampaign
    group_a: InspectionGroup
    group_b: InspectionGroup
    v1: Branch
    v2: Branch
    v3: Branch
    inspector_a: Person
    inspector_b: Person
    secretary: Person
    other_secretary: Person
    leader: Person  # of v1's sub-district
    other_leader: Person  # of v3's sub-district
    district_leader: Person
    admin: Person
    worker: Person

    def finding(self, *, branch=None, by=None, days=5, at=None, **fields):
        return record_finding(self.group_a, branch or self.v1, by=by or self.inspector_a,
                              description=fields.pop("description", "审议到会人数不足"),
                              responsible_party=fields.pop("responsible_party", "村党支部"),
                              deadline_days=days, step=fields.pop("step", "quorum"), at=at or NOW, **fields)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cast(district, clock, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    villages = list(Branch.objects.filter(community__kind="village").select_related("community__subdistrict")
                    .order_by("community__code"))
    v1, v2 = next((a, b) for a in villages for b in villages
                  if a != b and a.community.subdistrict_id == b.community.subdistrict_id)
    v3 = next(b for b in villages if b.community.subdistrict_id != v1.community.subdistrict_id)
    campaign = InspectionCampaign.objects.create(name="四议两公开一监督专项检查", starts_on=dt.date(2026, 11, 9),
                                                 ends_on=dt.date(2026, 11, 20))
    group_a = InspectionGroup.objects.create(campaign=campaign, name="第一组")
    group_b = InspectionGroup.objects.create(campaign=campaign, name="第二组")
    inspector_a = make_person("insp-a", Role.INSPECTOR, name="督查员甲")
    inspector_b = make_person("insp-b", Role.INSPECTOR, name="督查员乙")
    group_a.members.add(inspector_a)
    group_a.branches.add(v1, v2)
    group_b.members.add(inspector_b)
    group_b.branches.add(v3)
    leader = make_person("sd-leader", Role.LEADER, subdistrict=v1.community.subdistrict)
    Branch.objects.filter(pk=v1.pk).update(leader=leader)
    v1.refresh_from_db()
    return Cast(
        campaign=campaign, group_a=group_a, group_b=group_b, v1=v1, v2=v2, v3=v3,
        inspector_a=inspector_a, inspector_b=inspector_b,
        secretary=make_person("sec-1", Role.BRANCH_SECRETARY, community=v1.community),
        other_secretary=make_person("sec-3", Role.BRANCH_SECRETARY, community=v3.community),
        leader=leader, other_leader=make_person("sd-leader-3", Role.LEADER, subdistrict=v3.community.subdistrict),
        district_leader=make_person("district-leader", Role.LEADER), admin=make_person("admin-p", Role.ADMINISTRATOR),
        worker=make_person("worker", Role.GRID_WORKER),
    )


def png(name="p.png"):
    from apps.supervision.sample import photo

    return photo(name)
