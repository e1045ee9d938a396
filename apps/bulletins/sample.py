"""Sample data for `make demo` (seed_bulletins): bulletins of the past weeks, months and quarter, the judges'
scores, incentives of past periods, duty lists with reminder letters, and publicity counters.

Deterministic (a fixed random seed, ordered queries) and idempotent: what
exists is kept; a second run adds nothing.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.areas.models import SubDistrict
from apps.bulletins import verbs
from apps.bulletins.compute import branch_levels, star_period_of
from apps.bulletins.making import make_bulletin
from apps.bulletins.models import Bulletin, DutyItem, DutyStatus, Incentive, ObservationScore, PublicityCounter
from apps.bulletins.periods import period_before
from apps.people.models import Department, Person, Role
from apps.stars.models import Assessment, AssessmentStatus

# The seed's totals (宣传): 6,000+ manuals, 3,900+ posters, 30+ briefings.
PUBLICITY = {"manuals": 6120, "posters": 3944, "briefings": 34}
TASKS = [
    "制定五星支部创建年度工作方案", "落实一星一专班包联责任", "完成辖区软弱涣散党组织排查整顿",
    "组织开展四议两公开一监督专项检查", "建立过筛子调研台账并全覆盖走访", "落实无主管楼院下沉干部报到",
]


def _spread(total, parts, rng):
    """`total` split in `parts` whole shares of roughly equal size, deterministic."""
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    shares = [int(total * w / sum(weights)) for w in weights]
    shares[0] += total - sum(shares)
    return shares


def _periods(today):
    weeks, months = [], []
    day = today
    for _ in range(4):
        p = period_before("weekly", day)
        weeks.append(p)
        day = p.first
    day = today
    for _ in range(3):
        p = period_before("monthly", day)
        months.append(p)
        day = p.first
    return weeks, months, period_before("quarterly", today)


def seed(today=None):
    today = today or timezone.localdate()
    rng = random.Random(20261)
    counts = {"bulletins": 0, "scores": 0, "incentives": 0, "duties": 0, "publicity": 0}
    areas = list(SubDistrict.objects.order_by("code"))
    if not areas:
        return counts
    judges = list(Person.objects.filter(role=Role.LEADER, subdistrict__isnull=True).order_by("code")[:5]) or list(
        Person.objects.filter(role=Role.LEADER).order_by("code")[:5])
    weeks, months, quarter = _periods(today)
    if judges and not ObservationScore.objects.filter(period=quarter.code).exists():
        for judge in judges:
            verbs.enter_scores(quarter.code, {a.code: Decimal(rng.randint(700, 980)) / 10 for a in areas}, judge=judge,
                               at=timezone.make_aware(dt.datetime.combine(quarter.last, dt.time(15))))
            counts["scores"] += len(areas)
    for kind, periods in (("weekly", weeks), ("monthly", months), ("quarterly", [quarter])):
        for p in periods:
            if not Bulletin.objects.filter(kind=kind, period=p.code).exists():
                make_bulletin(kind, p.code, today=today, announce=False)
                counts["bulletins"] += 1
    counts["incentives"] = _incentives(today, months, quarter, rng)
    counts["duties"] = _duties(today, rng)
    counts["publicity"] = _publicity(today, areas, rng)
    return counts


@transaction.atomic
def _incentives(today, months, quarter, rng):
    if Incentive.objects.exists():
        return 0
    made = 0
    granter = Person.objects.filter(role=Role.ADMINISTRATOR).order_by("code").first()
    # Each past month: a commendation for the first-ranked sub-district's demonstration (or first) branch.
    for p in months + [quarter]:
        bulletin = Bulletin.objects.filter(kind=p.kind, period=p.code).first()
        if bulletin is None or not bulletin.data["rows"]:
            continue
        for row in bulletin.data["rows"][:3]:
            area = SubDistrict.objects.get(code=row["code"])
            branch = area.communities.order_by("-branch__demonstration", "code").first().branch
            kind = "commendation" if p.kind == "monthly" else "subsidy"
            verbs.grant_incentive(
                kind=kind, period=p.code, branch=branch, by=granter, basis_bulletin=bulletin,
                amount=Decimal(rng.choice([20000, 30000, 50000])) if kind == "subsidy" else None,
                reason=f"{bulletin} 排名第{row['rank']}（{row['name']}）", granted_on=p.last + dt.timedelta(days=3))
            made += 1
    # Star levels: a subsidy for each five-star branch, a recommendation for the first ten four-star ones,
    # each based on the award that completed the branch's level (its last decided star).
    star_period = star_period_of(today - dt.timedelta(days=1))
    levels = branch_levels(star_period, today - dt.timedelta(days=1)) if star_period else []
    fives = [pk for pk, _code, level in levels if level == 5]
    fours = [pk for pk, _code, level in levels if level == 4][:10]
    for pks, kind, amount, reason in ((fives, "subsidy", Decimal("100000.00"), "创建五星支部奖补"),
                                      (fours, "recommendation", None, "获评四星支部，推荐参评先进基层党组织")):
        for pk in pks:
            award = (Assessment.objects.filter(period=star_period, branch_id=pk, status=AssessmentStatus.AWARDED,
                                               decided_at__date__lt=today)
                     .select_related("branch").order_by("-decided_at", "-id").first())
            if award is None:
                continue
            verbs.grant_incentive(kind=kind, period=star_period.code, branch=award.branch, by=granter,
                                  basis_award=award, amount=amount, reason=f"{award.branch.name} {reason}",
                                  granted_on=award.decided_at.date())
            made += 1
    leaders = Person.objects.filter(role=Role.LEADER).order_by("code")[:3]
    last_month = Bulletin.objects.filter(kind="monthly").order_by("-ends_on").first()
    for leader in leaders if last_month else []:
        verbs.grant_incentive(kind="promotion", period=last_month.period, person=leader, by=granter,
                              basis_bulletin=last_month, reason="包保支部创星成效突出，推荐提拔使用",
                              granted_on=last_month.ends_on + dt.timedelta(days=5))
        made += 1
    return made


@transaction.atomic
def _duties(today, rng):
    if DutyItem.objects.exists():
        return 0
    departments = list(Department.objects.order_by("code"))
    sender = Person.objects.filter(role=Role.ADMINISTRATOR).order_by("code").first()
    made = 0
    for dep in departments:
        picks = rng.sample(TASKS, 2 if dep.kind == Department.Kind.DISTRICT_DEPARTMENT else 3)
        items = []
        for task in picks:
            due = today + dt.timedelta(days=rng.randint(-40, 60))
            status = rng.choice([DutyStatus.DONE, DutyStatus.IN_PROGRESS, DutyStatus.PENDING])
            item = verbs.add_duty_item(dep, task=task, owner=f"{dep.name}负责人", due_on=due, status=status)
            if status == DutyStatus.DONE:
                verbs.set_duty_status(item, DutyStatus.DONE, on=min(due, today))
            items.append(item)
            made += 1
        late = [i for i in items if i.overdue_on(today)]
        if late:
            verbs.send_reminder(dep, kind="letter" if len(late) > 1 else "prompt",
                                subject=f"关于{dep.name}五星支部创建任务逾期的提示",
                                body="请对照两清单抓紧落实，并于五个工作日内书面报告进展。", items=late,
                                sent_on=today - dt.timedelta(days=rng.randint(1, 10)), by=sender)
    return made


@transaction.atomic
def _publicity(today, areas, rng):
    if PublicityCounter.objects.filter(year=today.year).exists():
        return 0
    shares = {field: _spread(total, len(areas), rng) for field, total in PUBLICITY.items()}
    for index, area in enumerate(areas):
        verbs.count_publicity(area, today.year, **{field: shares[field][index] for field in PUBLICITY})
    return len(areas)
