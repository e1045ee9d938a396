"""Write the five-star sample (apps.stars.sample) into the database through the workflow.

Every application is made with `apply` and moved with `transition`, dated with
explicit `at=` timestamps inside its period, so the sample's history is what
the workflow itself would have written (events, scores, objections, notice
dates). The seed is idempotent: people, periods and targets are found by code,
and an application already present for (branch, star, period) is left alone.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.areas.models import Community, SubDistrict
from apps.people.models import Department, Person, Role
from apps.stars import sample
from apps.stars.assessment import apply, transition
from apps.stars.households import write_ratings
from apps.stars.indicators import refresh_measured_scores
from apps.stars.models import (
    FIVE_GOODS,
    Assessment,
    Branch,
    FiveGood,
    RedFlag,
    Score,
    StarCriterion,
    TaskForce,
    Target,
)
from apps.stars.setup import create_period, ensure_task_forces

MEMBERS_PER_TASK_FORCE = 3
DEMO_TASK_FORCE_CODE = "DEMO-taskforce"  # seed_demo's `taskforce` login (apps/people/demo.py)

REFUSED_REVIEW = ["申报材料不完整，佐证资料缺失，请补充后下期再报。", "自评得分与实际台账不符，街道审核未通过。",
                  "班子成员分工不明确，不符合申报条件。"]
REFUSED_SCORE = ["专班实地核查得分未达80分。", "多项指标台账缺失，评定不予通过。", "群众满意度测评偏低，未达创建标准。"]
OBJECTIONS = ["群众反映该支部组织生活流于形式，请专班核实。", "有居民来信称辖区环境整治未落实到位。",
              "反映村务公开不及时，对评星结果有异议。", "反映该社区矛盾纠纷化解台账存在补记情况。"]
DISMISSED = ["经专班核查，反映问题不属实，异议不成立。", "经实地走访核实，相关工作已落实，驳回异议。"]
UPHELD = ["经核查反映问题属实，异议成立。", "专班复核确认存在问题，异议成立，不予授星。"]
UPHELD_REFUSAL = "公示期异议成立，不予授星。"
REVOKED = ["辖区发生刑事案件，三零创建未达标，经专班复核摘星。", "督查发现问题整改不力，经专班研究摘星。",
           "群众满意度测评大幅下降，动态评定摘星。", "年度复核台账弄虚作假，予以摘星。"]
REVOKED_WEAK = "被列为软弱涣散党组织，摘去支部过硬星。"
WITHDRAWN = "支部申请撤回，待条件成熟后再报。"


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class Cast:
    secretaries: dict = field(default_factory=dict)  # {community id: Person}
    reviewers: dict = field(default_factory=dict)  # {sub-district id: Person}
    members: dict = field(default_factory=dict)  # {(kind, star): [Person]}
    created: int = 0


def ensure_people():
    """Branch secretaries, sub-district reviewers and task force members, by code; no logins."""
    cast = Cast()
    existing = {p.code: p for p in Person.objects.filter(code__regex=r"^(BS|SR|TF-)")}
    offices = {d.subdistrict_id: d for d in Department.objects.filter(subdistrict__isnull=False)}
    wanted = []
    for community in Community.objects.order_by("code"):
        wanted.append(("secretaries", community.pk, dict(
            code=f"BS{community.code}", role=Role.BRANCH_SECRETARY, community=community,
            title=f"{community.name}党支部书记")))
    for sd in SubDistrict.objects.order_by("code"):
        wanted.append(("reviewers", sd.pk, dict(
            code=f"SR{sd.code}", role=Role.LEADER, subdistrict=sd, department=offices.get(sd.pk),
            title=f"{sd.name}党工委副书记")))
    for force in TaskForce.objects.select_related("lead_department").order_by("kind", "star"):
        for n in range(1, MEMBERS_PER_TASK_FORCE + 1):
            wanted.append(("members", (force.kind, force.star), dict(
                code=f"TF-{force.kind[0].upper()}{force.star}-{n}", role=Role.TASK_FORCE_MEMBER,
                department=force.lead_department, title=f"{force.name}成员", force=force)))
    new = []
    for _group, _key, fields in wanted:
        if fields["code"] not in existing:
            values = {k: v for k, v in fields.items() if k != "force"}
            new.append(Person(name=sample.person_name(sample.rng_for("people", fields["code"])), **values))
    Person.objects.bulk_create(new)
    cast.created = len(new)
    people = {p.code: p for p in Person.objects.filter(code__in=[f["code"] for _g, _k, f in wanted])}
    for group, key, fields in wanted:
        person = people[fields["code"]]
        if group == "members":
            fields["force"].members.add(person)
            cast.members.setdefault(key, []).append(person)
        else:
            getattr(cast, group)[key] = person
    demo = Person.objects.filter(code=DEMO_TASK_FORCE_CODE).first()
    if demo is not None and not demo.task_forces.exists():
        TaskForce.objects.get(kind="community", star=1).members.add(demo)
    return cast


class StoryWriter:
    """Plays one period's stories through apply/transition."""

    def __init__(self, period, cast, branches):
        self.period, self.cast, self.branches = period, cast, branches
        self.indicators = {}
        for criterion in StarCriterion.objects.filter(period=period).prefetch_related("indicators"):
            self.indicators[(criterion.kind, criterion.star)] = (criterion, list(criterion.indicators.all()))
        self.counts = Counter()

    def points(self, rng, kind, star, *, passing, measured):
        """{indicator code: points} beside the `measured` ones: passing totals reach the pass score."""
        criterion, indicators = self.indicators[(kind, star)]
        level = rng.uniform(0.86, 0.96) if passing else rng.uniform(0.5, 0.68)
        points = {i.code: min(i.max_points, round(i.max_points * (level + rng.uniform(-0.03, 0.03))))
                  for i in indicators if i.code not in measured}
        if passing:
            fixed = sum(measured.values(), Decimal(0))
            room = [i for i in indicators if i.code in points]
            while fixed + sum(points.values()) < criterion.pass_score + 1 and room:
                i = max(room, key=lambda i: i.max_points - points[i.code])
                if points[i.code] >= i.max_points:
                    break
                points[i.code] += 1
        return points

    def play(self, story):
        branch = self.branches[story.code]
        kind, sd = branch.community.kind, branch.community.subdistrict_id
        rng = sample.rng_for("story", self.period.code, story.code, story.star)
        secretary, reviewer = self.cast.secretaries[branch.community_id], self.cast.reviewers[sd]
        member = rng.choice(self.cast.members[(kind, story.star)])
        criterion = self.indicators[(kind, story.star)][0]
        in_flight = story.outcome in sample.IN_FLIGHT
        times = self.timeline(story, rng)
        assessment = apply(
            branch=branch, period=self.period, star=story.star, by=secretary, at=times["apply"],
            statement=f"{branch.name}对照{criterion.name}创建标准逐项自查，材料齐全，申请评定。",
            self_score=rng.randint(84, 98),
            evidence=[{"note": f"{criterion.name}创建台账、会议记录及活动照片（{self.period.name}）"}],
        )
        self.counts[story.outcome] += 1
        outcome = story.outcome
        if outcome == "applied":
            return
        if outcome == "withdrawn":
            transition(assessment, "withdraw", by=secretary, note=WITHDRAWN, at=times["review"])
            return
        if outcome == "refused_review":
            transition(assessment, "review_refuse", by=reviewer, note=rng.choice(REFUSED_REVIEW), at=times["review"])
            return
        transition(assessment, "review_pass", by=reviewer, at=times["review"])
        measured = {}
        if in_flight:
            # The platform fills in what it measures as soon as scoring starts.
            refresh_measured_scores(self.period, at=times["review"] + dt.timedelta(hours=1),
                                    assessment_ids=[assessment.pk])
            measured = {s.indicator.code: s.points for s in
                        Score.objects.filter(assessment=assessment).select_related("indicator")}
        if outcome == "scoring":
            return
        passing = outcome != "refused_score"
        points = self.points(rng, kind, story.star, passing=passing, measured=measured)
        if outcome == "scoring_partial":
            first = sorted(points)[:1]
            points = {code: points[code] for code in first}
        if points:
            transition(assessment, "score", by=member, points=points, at=times["score"])
        if outcome == "scoring_partial":
            return
        if outcome == "refused_score":
            transition(assessment, "refuse", by=member, note=rng.choice(REFUSED_SCORE), at=times["decide"])
            return
        transition(assessment, "publish", by=member, at=times["publish"])
        if outcome in ("awarded_dismissed", "notice_objection", "notice_dismissed", "refused_upheld"):
            transition(assessment, "object", by=reviewer, note=rng.choice(OBJECTIONS), at=times["object"],
                       lodged_by="群众来信（匿名）")
        if outcome in ("awarded_dismissed", "notice_dismissed", "refused_upheld"):
            objection = assessment.objections.get()
            upheld = outcome == "refused_upheld"
            transition(assessment, "resolve", by=member, note=rng.choice(UPHELD if upheld else DISMISSED),
                       objection=objection, upheld=upheld, at=times["resolve"])
        if in_flight:
            return
        if outcome == "refused_upheld":
            transition(assessment, "refuse", by=member, note=UPHELD_REFUSAL, at=times["decide"])
            return
        transition(assessment, "award", by=member, at=times["decide"])
        if outcome == "revoked":
            note = REVOKED_WEAK if story.star == 1 else rng.choice(REVOKED)
            transition(assessment, "revoke", by=member, note=note, at=times["revoke"])

    def timeline(self, story, rng):
        """Step times: forward from the application day (decided) or back from the anchor (in flight)."""
        days = dt.timedelta(days=1)
        notice = self.period.notice_days * days
        if story.outcome in sample.DECIDED:
            apply_at = at(story.day, 9, rng.randrange(60))
            review = apply_at + rng.randint(2, 8) * days + dt.timedelta(hours=1)
            score = review + rng.randint(3, 15) * days + dt.timedelta(hours=4)
            publish = score + rng.randint(1, 3) * days
            decide = publish + notice + dt.timedelta(hours=1)
            if story.outcome == "refused_score":
                decide = score + days
            objection = publish + rng.randint(1, 3) * days
            return {"apply": apply_at, "review": review, "score": score, "publish": publish, "object": objection,
                    "resolve": objection + dt.timedelta(hours=20), "decide": decide,
                    "revoke": decide + rng.randint(20, 50) * days}
        base = at(story.day, 0)
        if story.outcome == "applied":
            return {"apply": base - rng.randint(1, 10) * days + dt.timedelta(hours=9)}
        apply_at = base - rng.randint(25, 40) * days + dt.timedelta(hours=9)
        review = apply_at + rng.randint(3, 6) * days
        if story.outcome.startswith("scoring"):
            return {"apply": apply_at, "review": review, "score": review + rng.randint(5, 10) * days}
        publish = base - (9 if story.outcome == "notice_closed" else rng.randint(2, 3)) * days + dt.timedelta(hours=10)
        objection = publish + dt.timedelta(hours=20)
        return {"apply": apply_at, "review": review, "score": publish - 2 * days, "publish": publish,
                "object": objection, "resolve": objection + dt.timedelta(hours=6)}


def write_periods(plan):
    periods, made = {}, 0
    for code, name, starts, ends in plan.periods:
        periods[code], created = create_period(code, name, starts, ends)
        made += created
    return periods, made


def write_targets(plan, period):
    subdistricts = dict(SubDistrict.objects.values_list("code", "pk"))
    made = 0
    for code, goals in sorted(plan.targets.items()):
        made += Target.objects.get_or_create(
            period=period, subdistrict_id=subdistricts[code],
            defaults={"five_star": goals[5], "four_star": goals[4], "three_star": goals[3]},
        )[1]
    return made


def write_linkage(plan, periods):
    communities = dict(Community.objects.values_list("code", "pk"))
    subdistricts = dict(SubDistrict.objects.values_list("code", "pk"))
    ratings = Counter()
    for code, rows in plan.households.items():
        ratings.update(write_ratings(periods[code], [(h, communities[c], holder, bits) for h, c, holder, bits in rows]))
    goods = flags = 0
    for code, per_sd in plan.five_goods.items():
        for sd, bits in per_sd.items():
            missing = [g for i, g in enumerate(FIVE_GOODS) if not bits & (1 << i)]
            goods += FiveGood.objects.get_or_create(
                period=periods[code], subdistrict_id=subdistricts[sd],
                defaults={"goods": bits, "note": ("未达：" + "、".join(missing)) if missing else "五好全部达标"},
            )[1]
    for code, rows in plan.red_flags.items():
        for name, awarded, recalled in rows:
            flags += RedFlag.objects.get_or_create(
                period=periods[code], field=name,
                defaults={"awarded_on": awarded, "recalled_on": recalled,
                          "note": "年度考核复核未达标，收回红旗。" if recalled else "区委区政府授予。"},
            )[1]
    return ratings, goods, flags


def branch_infos():
    return [
        sample.BranchInfo(code=b.community.code, name=b.community.name, kind=b.community.kind,
                          subdistrict=b.community.subdistrict.code, demonstration=b.demonstration,
                          households=b.community.households)
        for b in Branch.objects.select_related("community__subdistrict").order_by("community__code")
    ]


def build_plan(today):
    communities = {}
    for name, code, households in Community.objects.order_by("code").values_list(
            "subdistrict__name", "code", "households"):
        communities.setdefault(name, []).append((code, households))
    return sample.make_plan(branch_infos(), today, dict(SubDistrict.objects.values_list("code", "name")),
                            communities)


@transaction.atomic
def seed(today=None):
    """Write the sample as of `today` (default: the local date); return what was made, for the summary."""
    today = today or timezone.localdate()
    if Branch.objects.count() == 0:
        raise LookupError("no branches: load the district first (manage.py load_district)")
    plan = build_plan(today)
    made = {"task_forces": ensure_task_forces()}
    cast = ensure_people()
    made["people"] = cast.created
    periods, made["periods"] = write_periods(plan)
    current = periods[plan.current]
    made["targets"] = write_targets(plan, current)
    made["weak"] = Branch.objects.filter(community__code__in=plan.weak, weak=False).update(weak=True)
    # Ratings first: the measured ten-star share of in-flight applications reads them.
    made["ratings"], made["five_goods"], made["red_flags"] = write_linkage(plan, periods)
    branches = {b.community.code: b for b in Branch.objects.select_related("community")}
    made["applications"] = Counter()
    for code, stories in plan.stories.items():
        writer = StoryWriter(periods[code], cast, branches)
        done = set(Assessment.objects.filter(period=periods[code]).values_list("branch__community__code", "star"))
        for story in sorted(stories, key=lambda s: (s.day, s.code, s.star)):
            if (story.code, story.star) not in done:
                writer.play(story)
        made["applications"][code] = sum(writer.counts.values())
    made["measured"] = refresh_measured_scores(current)
    return plan, periods, made

