"""Star levels: a branch's level is the number of stars it holds in a period (动态评定).

Each period is a full re-assessment: the stars a branch holds in a period are
its awarded (and not revoked) assessments of that period. When 支部过硬星 gates
the others (the period's setting, default on) a branch without it holds level 0.
All counting is done in the database in one or two queries.
"""

from collections import Counter, defaultdict

from django.db.models import Count

from apps.stars.models import FOUNDATION_STAR, Assessment, AssessmentStatus, Branch, Target

IN_FLIGHT = [AssessmentStatus.APPLIED, AssessmentStatus.SCORING, AssessmentStatus.NOTICE]


def held_stars(period, branches=None):
    """{branch id: set of star numbers held} for the period."""
    rows = Assessment.objects.filter(period=period, status=AssessmentStatus.AWARDED)
    if branches is not None:
        rows = rows.filter(branch__in=branches)
    held = defaultdict(set)
    for branch_id, star in rows.values_list("branch_id", "star"):
        held[branch_id].add(star)
    return held


def level_of(stars, gated):
    if gated and FOUNDATION_STAR not in stars:
        return 0
    return len(stars)


def levels(period, branches=None):
    """{branch id: level} for every branch (0 for those holding nothing)."""
    held = held_stars(period, branches)
    ids = (branches if branches is not None else Branch.objects.all()).values_list("pk", flat=True)
    return {pk: level_of(held.get(pk, set()), period.foundation_gates) for pk in ids}


def pipeline_levels(period, branches=None):
    """{branch id: level it reaches if every application in flight is awarded}."""
    held = held_stars(period, branches)
    rows = Assessment.objects.filter(period=period, status__in=IN_FLIGHT)
    if branches is not None:
        rows = rows.filter(branch__in=branches)
    for branch_id, star in rows.values_list("branch_id", "star"):
        held[branch_id].add(star)
    ids = (branches if branches is not None else Branch.objects.all()).values_list("pk", flat=True)
    return {pk: level_of(held.get(pk, set()), period.foundation_gates) for pk in ids}


TARGET_LEVELS = {5: "five_star", 4: "four_star", 3: "three_star"}


def summary(period, subdistricts):
    """Branches at each level (0-5), targets and gaps for the district and each sub-district.

    The targets count branches at exactly that level (3 five-star + 65 four-star
    + 143 three-star = 211 of 214). `in_pipeline` counts branches that reach the
    level if every application in flight is awarded; `gap` is what is still
    missing from the target now.
    """
    branch_area = dict(Branch.objects.values_list("pk", "community__subdistrict_id"))
    now = levels(period)
    later = pipeline_levels(period)
    targets = {t.subdistrict_id: t for t in Target.objects.filter(period=period)}

    def block(branch_ids, target):
        counts = Counter(now[b] for b in branch_ids)
        reach = Counter(later[b] for b in branch_ids)
        row = {"branches": len(branch_ids), "levels": {str(level): counts.get(level, 0) for level in range(6)}}
        progress = {}
        for level, field in TARGET_LEVELS.items():
            goal = getattr(target, field) if target else None
            held = counts.get(level, 0)
            progress[field] = {
                "target": goal,
                "held": held,
                "in_pipeline": max(reach.get(level, 0) - held, 0),
                "gap": max(goal - held, 0) if goal is not None else None,
            }
        row["progress"] = progress
        return row

    result = {"period": period.code, "district": block(list(now), targets.get(None)), "subdistricts": []}
    for subdistrict in subdistricts:
        ids = [b for b, area in branch_area.items() if area == subdistrict.pk]
        result["subdistricts"].append(
            {"code": subdistrict.code, "name": subdistrict.name, **block(ids, targets.get(subdistrict.pk))}
        )
    return result


def star_holders(period, star):
    """Branches holding `star` in the period (who holds 平安法治星?)."""
    return Branch.objects.filter(
        assessments__period=period, assessments__star=star, assessments__status=AssessmentStatus.AWARDED
    )


def counts_by_status(period):
    return dict(
        Assessment.objects.filter(period=period).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )


