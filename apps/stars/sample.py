"""The five-star sample as a plan: plain data in, plain data out, no ORM (seeded by `seed_stars`).

From the branches of the loaded district and a date ("today") it decides, with
a fixed seed, everything the sample holds:

1. Three yearly periods ending with the one containing today.
2. Current-period targets per sub-district that add up to the district's
   3 / 65 / 143: five-star where the three named planned five-star branches
   are, four-star proportional to each sub-district's branches (largest
   remainder), three-star the rest but for the three branches held lower.
3. Each branch's stars per period. The current period meets the targets
   exactly; the quasi five-star branches hold four with the fifth in flight;
   earlier periods hold fewer (some won later, a few dropped later).
4. Stories: one application per (branch, star, period) and how it went
   (awarded, objection dismissed, revoked, refused three ways, withdrawn, or in
   flight at each queue), with the day it started.
5. Household ratings, five-good results and red flags.

`apps.stars.sample_write` runs the plan through the workflow functions.
"""

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

SEED = 410105
PLANNED, QUASI = "planned_five_star", "quasi_five_star"
DISTRICT_TARGETS = {5: 3, 4: 65, 3: 143}
# The quasi five-star branches' missing star, and where its application stands now.
QUASI_FIFTH = {"杲村": (3, "notice"), "戊院社区": (4, "scoring"), "建业城市花园社区": (2, "applied")}
XINGDALU, XINGDALU_RATED, XINGDALU_TEN = "兴达路街道", 1216, 60
OTHER_RATED_SUBDISTRICTS = ("花园路街道", "国基路街道", "杨金路街道")
RED_FLAG_FIELDS = ["基层党建红旗", "平安建设红旗", "文明创建红旗", "社区治理红旗", "乡村振兴红旗", "营商环境红旗"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国文斌宇浩凯鑫欣怡晨阳雪琳婷志海峰亮宏振晓丹雅博俊卫新春"

# Outcomes of an application; the first group is decided, the second in flight.
DECIDED = ("awarded", "awarded_dismissed", "revoked", "refused_review", "refused_score", "refused_upheld",
           "withdrawn")
IN_FLIGHT = ("applied", "scoring", "scoring_partial", "notice", "notice_objection", "notice_dismissed",
             "notice_closed")
HELD = ("awarded", "awarded_dismissed")


@dataclass(frozen=True)
class BranchInfo:
    code: str  # the community's code
    name: str  # the community's name
    kind: str
    subdistrict: str  # sub-district code
    demonstration: str = ""
    households: int = 0


@dataclass(frozen=True)
class Story:
    code: str
    star: int
    outcome: str
    day: dt.date  # application day (decided) or the anchor day the in-flight steps count back from


@dataclass
class Plan:
    today: dt.date
    periods: list  # [(code, name, starts_on, ends_on)], oldest first
    targets: dict  # {sub-district code: {5: n, 4: n, 3: n}} for the current period
    weak: list  # community codes
    held: dict  # {period code: {community code: frozenset of stars}}
    stories: dict  # {period code: [Story]}
    households: dict = field(default_factory=dict)  # {period code: [(code, community code, holder, bits)]}
    five_goods: dict = field(default_factory=dict)  # {period code: {sub-district code: bits}}
    red_flags: dict = field(default_factory=dict)  # {period code: [(field, awarded_on, recalled_on or None)]}

    @property
    def current(self):
        return self.periods[-1][0]


def rng_for(*parts):
    """A generator of its own per purpose, so one part of the plan never shifts another."""
    return random.Random("-".join(str(p) for p in (SEED, *parts)))


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def largest_remainder(total, weights):
    """{key: share of total} proportional to weights; ties go to the earlier key."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    shares = {k: int(v) for k, v in exact.items()}
    order = sorted(weights, key=lambda k: (-(exact[k] - shares[k]), list(weights).index(k)))
    for k in order[: total - sum(shares.values())]:
        shares[k] += 1
    return shares


def periods_for(today):
    return [(str(y), f"{y}年度", dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in range(today.year - 2, today.year + 1)]


# --- current levels and targets ----------------------------------------------------------------


def choose_lower(branches, rng):
    """The three branches held below three stars: a weak village, a weak community, one more community."""
    plain = [b for b in branches if not b.demonstration]
    village = rng.choice([b for b in plain if b.kind == "village"])
    communities = [b for b in plain if b.kind == "community" and b.subdistrict != village.subdistrict]
    weak_community = rng.choice(communities)
    taken = (village.subdistrict, weak_community.subdistrict)
    other = rng.choice([b for b in communities if b.subdistrict not in taken])
    return village, weak_community, other


def plan_current(branches, rng):
    """({code: level}, {code: stars held}, targets, lower branches) for the current period."""
    by_sd = defaultdict(list)
    for b in branches:
        by_sd[b.subdistrict].append(b)
    lower = choose_lower(branches, rng)
    lower_codes = {b.code for b in lower}
    five = {b.code for b in branches if b.demonstration == PLANNED}
    four_share = largest_remainder(DISTRICT_TARGETS[4], {sd: len(bs) for sd, bs in sorted(by_sd.items())})
    targets, level = {}, {}
    for sd, members in sorted(by_sd.items()):
        n_five = sum(b.code in five for b in members)
        n_lower = sum(b.code in lower_codes for b in members)
        quasi = [b for b in members if b.demonstration == QUASI]
        n_four = max(four_share[sd], len(quasi))
        targets[sd] = {5: n_five, 4: n_four, 3: len(members) - n_five - n_four - n_lower}
        pool = [b for b in members if b.code not in five | lower_codes and b.demonstration != QUASI]
        fours = {b.code for b in quasi} | {b.code for b in rng.sample(pool, n_four - len(quasi))}
        for b in members:
            level[b.code] = 5 if b.code in five else 0 if b.code in lower_codes else 4 if b.code in fours else 3
    if sum(t[4] for t in targets.values()) != DISTRICT_TARGETS[4]:
        raise ValueError("the quasi five-star branches do not fit the four-star targets")
    held = {}
    for b in branches:
        if b.demonstration == QUASI:
            held[b.code] = frozenset({1, 2, 3, 4, 5} - {QUASI_FIFTH[b.name][0]})
        elif level[b.code] >= 1:
            held[b.code] = frozenset({1, *rng.sample([2, 3, 4, 5], level[b.code] - 1)})
        else:
            held[b.code] = frozenset()
    # The weak community and the other lower one hold 宜业兴业星, which counts for
    # nothing without 支部过硬星 (the gate): level 0 all the same.
    held[lower[1].code] = held[lower[2].code] = frozenset({2})
    return level, held, targets, lower


def earlier(held_later, rng, *, down, up):
    """Stars held one period earlier: a star fewer with probability `down`, one more with `up`."""
    stars = set(held_later)
    roll = rng.random()
    if roll < down and len(stars) > 1:
        stars.discard(rng.choice(sorted(stars - {1})))
    elif roll < down + up and 1 in stars and len(stars) < 4:
        stars.add(rng.choice(sorted({2, 3, 4, 5} - stars)))
    return frozenset(stars)


# --- stories -------------------------------------------------------------------------------------


class _Teller:
    """Hands out (branch, star) pairs once per period and collects the stories."""

    def __init__(self, code, branches, held, rng, last_day, first_day):
        self.code, self.branches, self.held, self.rng = code, branches, held, rng
        self.first_day, self.last_day = first_day, last_day
        self.taken = set()
        self.stories = []

    def day(self, budget=110):
        span = (self.last_day - self.first_day).days - budget
        return self.first_day + dt.timedelta(days=self.rng.randrange(max(span, 1)))

    def tell(self, code, star, outcome, day=None):
        if (code, star) in self.taken:
            raise ValueError(f"{code} star {star} told twice in {self.code}")
        self.taken.add((code, star))
        self.stories.append(Story(code, star, outcome, day or self.day()))

    def held_stories(self, dismissed):
        for b in self.branches:
            for star in sorted(self.held[b.code]):
                self.tell(b.code, star, "awarded")
        for i in sorted(self.rng.sample(range(len(self.stories)), dismissed), reverse=True):
            s = self.stories[i]
            self.stories[i] = Story(s.code, s.star, "awarded_dismissed", s.day)

    def free(self, pool, stars=(2, 3, 4, 5), kind=None):
        """(branch, star) not held and not yet told, drawn at random from `pool`."""
        options = [(b, s) for b in pool for s in stars
                   if s not in self.held[b.code] and (b.code, s) not in self.taken and (kind is None or b.kind == kind)]
        return self.rng.choice(options)

    def extras(self, pool, counts):
        for outcome, n in counts.items():
            for _ in range(n):
                b, star = self.free(pool)
                self.tell(b.code, star, outcome)


def current_stories(code, branches, held, lower, anchor, first_day, rng):
    teller = _Teller(code, branches, held, rng, anchor - dt.timedelta(days=1), first_day)
    teller.held_stories(dismissed=4)
    by_name = {b.name: b for b in branches}
    busy = {b.code for b in branches if b.demonstration} | {b.code for b in lower}
    pool = [b for b in branches if b.code not in busy]
    rng.shuffle(pool)

    def take(subdistrict=None, **kw):
        """A free (branch, star) from a branch with nothing in flight yet."""
        b, star = teller.free([p for p in pool if p.code not in busy
                               and subdistrict in (None, p.subdistrict)], **kw)
        busy.add(b.code)
        return b, star

    village_weak, community_weak, other = lower
    teller.tell(village_weak.code, 1, "scoring", anchor)
    teller.tell(community_weak.code, 1, "scoring_partial", anchor)
    teller.tell(other.code, 1, "notice", anchor)
    for name, (star, outcome) in QUASI_FIFTH.items():
        teller.tell(by_name[name].code, star, outcome, anchor)
    # Every task force has applications to score, half of them partly scored.
    for kind in ("village", "community"):
        for star in (2, 3, 4, 5):
            for outcome in ("scoring", "scoring_partial"):
                b, s = take(stars=(star,), kind=kind)
                teller.tell(b.code, s, outcome, anchor)
    # Public notice: open with and without objections, one closed awaiting the award.
    for outcome, kind, star in [("notice", "village", 2), ("notice_objection", "community", 2),
                                ("notice_objection", "community", 3), ("notice_dismissed", "community", 2),
                                ("notice", "community", 3), ("notice_closed", "village", 3),
                                ("notice_closed", "community", 2)]:
        b, s = take(stars=(star,), kind=kind)
        teller.tell(b.code, s, outcome, anchor)
    # Every sub-district has applications waiting for its review.
    for sd in sorted({b.subdistrict for b in branches}):
        b, s = take(subdistrict=sd)
        teller.tell(b.code, s, "applied", anchor)
    for outcome in ("refused_review", "refused_score", "withdrawn"):
        b, s = take()
        teller.tell(b.code, s, outcome)
    return teller.stories


def past_stories(code, branches, held, first_day, last_day, rng, *, lower_village=None):
    teller = _Teller(code, branches, held, rng, last_day, first_day)
    teller.held_stories(dismissed=5)
    if lower_village is not None and 1 not in held[lower_village.code]:
        # Awarded 支部过硬星, then flagged weak and lax: the star was revoked (摘星).
        teller.tell(lower_village.code, 1, "revoked")
    pool = [b for b in branches if not b.demonstration]
    teller.extras(pool, {"revoked": 7, "refused_review": 4, "refused_score": 5, "refused_upheld": 3, "withdrawn": 2})
    return teller.stories


# --- the four-level linkage ----------------------------------------------------------------------


def ten_standard_bits(rng, stars):
    return sum(1 << i for i in rng.sample(range(10), stars))


def household_rows(communities, rated, ten_star, rng, *, code_start=1):
    """[(household code, community code, holder, bits)]: `rated` households, `ten_star` of them with all ten.

    communities: [(code, households)] in code order; ratings are spread in
    proportion to households, ten-star ones unevenly (some above 5%, some below).
    """
    per = largest_remainder(rated, {c: max(h, 1) for c, h in communities})
    weights = {c: per[c] * rng.uniform(0.3, 1.7) for c, _h in communities}
    tens = largest_remainder(ten_star, weights)
    for c in sorted(tens, key=lambda c: tens[c] - per[c], reverse=True):  # never more than rated
        excess = tens[c] - per[c]
        if excess > 0:
            tens[c] = per[c]
            spare = next(k for k in per if tens[k] < per[k])
            tens[spare] += excess
    rows = []
    for c, _h in communities:
        flags = [True] * tens[c] + [False] * (per[c] - tens[c])
        rng.shuffle(flags)
        for n, ten in enumerate(flags, start=code_start):
            bits = (1 << 10) - 1 if ten else ten_standard_bits(rng, rng.randint(4, 9))
            rows.append((f"{c}-{n:04d}", c, person_name(rng), bits))
    return rows


def plan_households(current, previous, subdistricts):
    """{period code: rows}: 兴达路's 1,216 (60 ten-star) now, fewer last period; a few other sub-districts."""
    xingdalu = subdistricts[XINGDALU]
    rows = {current: household_rows(xingdalu, XINGDALU_RATED, XINGDALU_TEN, rng_for("households", "current"))}
    for name in OTHER_RATED_SUBDISTRICTS:
        rng = rng_for("households", "current", name)
        chosen = sorted(rng.sample(subdistricts[name], max(len(subdistricts[name]) // 2, 1)))
        rated = sum(rng.randint(40, 120) for _ in chosen)
        rows[current] += household_rows(chosen, rated, max(1, round(rated * rng.uniform(0.02, 0.07))), rng)
    rows[previous] = household_rows(xingdalu, 980, 41, rng_for("households", "previous"))
    return rows


def plan_five_goods(period_code, held, branches, rng, *, strict):
    """{sub-district code: bits}: all five where a third of the branches hold four stars or more."""
    by_sd = defaultdict(list)
    for b in branches:
        by_sd[b.subdistrict].append(len(held[b.code]))
    goods = {}
    for sd, levels in sorted(by_sd.items()):
        high = sum(level >= 4 for level in levels) / len(levels)
        met = 5 if high >= (0.3 if strict else 0.4) else rng.choice((3, 4, 4))
        goods[sd] = sum(1 << i for i in rng.sample(range(5), met))
    return goods


def plan_red_flags(period, today, rng):
    code, _name, starts, ends = period
    last = max(min(ends, today - dt.timedelta(days=1)), starts)
    fields = rng.sample(RED_FLAG_FIELDS, 2)
    awarded = min(starts + dt.timedelta(days=150), last)
    recalled = min(starts + dt.timedelta(days=290), last)
    return [(fields[0], awarded, None), (fields[1], awarded, max(recalled, awarded))]


# --- the whole plan ------------------------------------------------------------------------------


def make_plan(branches, today, subdistrict_names, communities):
    """The sample for `branches` (BranchInfo, code order) as of `today`.

    subdistrict_names: {sub-district code: name}; communities: {sub-district
    name: [(community code, households)]} for the household ratings.
    """
    branches = sorted(branches, key=lambda b: b.code)
    periods = periods_for(today)
    rng = rng_for("levels")
    level, held_now, targets, lower = plan_current(branches, rng)
    (p24, _n, s24, e24), (p25, _n2, s25, e25), (p26, _n3, s26, e26) = periods
    held = {p26: held_now}
    held[p25] = {b.code: earlier(held_now[b.code], rng, down=0.4, up=0.05) for b in branches}
    held[p24] = {b.code: earlier(held[p25][b.code], rng, down=0.45, up=0.05) for b in branches}
    for b in branches:
        if b.demonstration == PLANNED:  # four stars last year, five now: won later
            held[p25][b.code] = frozenset(sorted(held_now[b.code])[:4])
    village, community_weak, other = lower
    held[p25][village.code] = frozenset()  # 支部过硬星 won, then revoked (below)
    held[p24][village.code] = frozenset({1, 2})
    held[p25][community_weak.code], held[p24][community_weak.code] = frozenset({1}), frozenset({1, 3})
    held[p25][other.code] = held[p24][other.code] = frozenset({1, 2})
    # The in-flight steps count back from the anchor: today, but never so early
    # in the year that they would start before the period does.
    anchor = min(max(today, s26 + dt.timedelta(days=120)), e26)
    stories = {
        p24: past_stories(p24, branches, held[p24], s24 + dt.timedelta(days=20), e24, rng_for("stories", p24)),
        p25: past_stories(p25, branches, held[p25], s25 + dt.timedelta(days=20), e25, rng_for("stories", p25),
                          lower_village=village),
        p26: current_stories(p26, branches, held_now, lower, anchor, s26 + dt.timedelta(days=20),
                             rng_for("stories", p26)),
    }
    plan = Plan(today=today, periods=periods, targets=targets, weak=[village.code, community_weak.code],
                held=held, stories=stories)
    plan.households = plan_households(p26, p25, communities)
    plan.five_goods = {p: plan_five_goods(p, held[p], branches, rng_for("five-good", p), strict=p == p26)
                       for p, *_rest in periods}
    plan.red_flags = {p[0]: plan_red_flags(p, today, rng_for("red-flags", p[0])) for p in periods}
    check(plan, branches, level)
    return plan


def check(plan, branches, level):
    """The promises of the sample, checked on the plan itself before anything is written."""
    counts = Counter(level.values())
    if (counts[5], counts[4], counts[3]) != (DISTRICT_TARGETS[5], DISTRICT_TARGETS[4], DISTRICT_TARGETS[3]):
        raise ValueError(f"current levels {dict(counts)} miss the targets")
    now = plan.held[plan.current]
    for b in branches:
        if (1 in now[b.code]) != (level[b.code] > 0) or (level[b.code] and len(now[b.code]) != level[b.code]):
            raise ValueError(f"{b.code}: stars {sorted(now[b.code])} do not make level {level[b.code]}")
    for p, stories in plan.stories.items():
        told = {(s.code, s.star) for s in stories if s.outcome in HELD}
        wanted = {(code, star) for code, stars in plan.held[p].items() for star in stars}
        if told != wanted:
            raise ValueError(f"{p}: awarded stories differ from the stars held")
