"""Read-only views of supervision for pages and the API: round coverage, the overview's counts."""

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from apps.stars.models import Branch
from apps.supervision.models import OPEN_FINDING_STATUSES, Finding, PlanStatus, ResearchRound, WeakBranchPlan


def current_round(today=None):
    """The research round in progress today, else the latest that started."""
    today = today or timezone.localdate()
    rounds = ResearchRound.objects.filter(starts_on__lte=today)
    return rounds.filter(ends_on__gte=today).order_by("-starts_on").first() or rounds.order_by("-starts_on").first()


def round_coverage(research_round, branches):
    """Which of `branches` (a queryset) were visited in the round: totals and one row per branch, by code."""
    rows = list(
        branches.annotate(
            n_visits=Count("visits", filter=Q(visits__round=research_round)),
            last=Max("visits__visited_on", filter=Q(visits__round=research_round)),
            n_issues=Sum("visits__issues_count", filter=Q(visits__round=research_round)),
        )
        .order_by("community__code")
        .values("community__code", "name", "community__subdistrict__code", "community__subdistrict__name",
                "n_visits", "last", "n_issues")
    )
    table = [{
        "code": r["community__code"], "name": r["name"], "subdistrict_code": r["community__subdistrict__code"],
        "subdistrict_name": r["community__subdistrict__name"], "visited": r["n_visits"] > 0,
        "visits": r["n_visits"], "last_visit": r["last"], "issues": r["n_issues"] or 0,
    } for r in rows]
    return {"round": research_round, "branches": len(table), "visited": sum(r["visited"] for r in table),
            "rows": table}


def overview(branches):
    """Counts over `branches` (a queryset): findings by state, overdue, in look-back; weak plans."""
    findings = Finding.objects.filter(branch__in=branches)
    counts = findings.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_FINDING_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_FINDING_STATUSES, overdue=True)),
        submitted=Count("pk", filter=Q(status="submitted")),
        signed_off=Count("pk", filter=Q(status="signed_off")),
        lookback=Count("pk", filter=Q(lookback=True, lookback_checked_at__isnull=True)),
    )
    counts["weak"] = Branch.objects.filter(pk__in=branches.values("pk"), weak=True).count()
    counts["plans_open"] = WeakBranchPlan.objects.filter(branch__in=branches).exclude(
        status=PlanStatus.SIGNED_OFF).count()
    return counts
