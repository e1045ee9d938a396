"""Fingerprint and wipe of what seed_stars writes (imported by the sample tests, not a conftest).

The fingerprint names rows by codes, never by database ids, so two seedings compare equal when they wrote
the same things; left out are Evidence.uploaded_at (set by the clock) and the objection ids in event data.
"""

from apps.people.models import Person
from apps.stars.models import (
    Assessment,
    AssessmentEvent,
    Branch,
    Evidence,
    FiveGood,
    HouseholdRating,
    Objection,
    Period,
    RedFlag,
    Score,
    TaskForce,
    Target,
)

SEEDED_PEOPLE = r"^(BS|SR|TF-)"
A = "assessment__"
KEY = (f"{A}branch__community__code", f"{A}period__code", f"{A}star")


def rows(queryset, *fields):
    return sorted(queryset.values_list(*fields), key=repr)


def without_ids(data):
    return {k: v for k, v in data.items() if k != "objection"}


def fingerprint():
    events = [(*row[:-2], without_ids(row[-2]), row[-1]) for row in AssessmentEvent.objects.values_list(
        *KEY, "action", "from_status", "to_status", "actor__code", "note", "data", "at")]
    return {
        "assessments": rows(Assessment.objects, "branch__community__code", "period__code", "star", "status",
                            "statement", "self_score", "score", "pass_score", "applied_at", "notice_ends_at",
                            "decided_at", "revoked_at", "version", "criterion__name"),
        "events": sorted(events, key=repr),
        "scores": rows(Score.objects, *KEY, "indicator__code", "points", "measured", "note", "by__code", "at"),
        "objections": rows(Objection.objects, *KEY, "text", "lodged_by", "lodged_at", "outcome", "resolution"),
        "evidence": rows(Evidence.objects, *KEY, "note", "uploaded_by__code"),
        "ratings": rows(HouseholdRating.objects, "period__code", "household_code", "community__code", "holder",
                        "standards"),
        "five_goods": rows(FiveGood.objects, "period__code", "subdistrict__code", "goods", "note"),
        "red_flags": rows(RedFlag.objects, "period__code", "field", "awarded_on", "recalled_on", "note"),
        "targets": rows(Target.objects, "period__code", "subdistrict__code", "five_star", "four_star", "three_star"),
        "periods": rows(Period.objects, "code", "name", "starts_on", "ends_on", "notice_days", "foundation_gates"),
        "people": rows(Person.objects.filter(code__regex=SEEDED_PEOPLE), "code", "name", "role", "title",
                       "community__code", "subdistrict__code", "department__code"),
        "members": rows(TaskForce.members.through.objects, "taskforce__kind", "taskforce__star", "person__code"),
        "weak": rows(Branch.objects.filter(weak=True), "community__code"),
    }


def wipe(period):
    """Remove what the seed wrote for `period` and the linkage rows of every period (caller's transaction).

    The people, task forces and the other periods' applications stay (earlier events point at the people):
    reseeding then replays this period's ~750 applications, a third of the whole seed.
    """
    Assessment.objects.filter(period=period).delete()
    for model in (HouseholdRating, FiveGood, RedFlag):
        model.objects.all().delete()
    Target.objects.filter(subdistrict__isnull=False).delete()  # the district's come with the period
    Branch.objects.update(weak=False)
