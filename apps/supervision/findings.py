"""Counting findings and visits for other apps: stars (支部过硬星) and bulletins.

Every count is "as at" the end of the span it is asked about, from stored
dates only (found_on, closed_at, due_on, visited_on), so the same data and
the same span always give the same numbers, whatever day it is asked.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from apps.areas.models import SubDistrict
from apps.stars.models import Branch
from apps.supervision.models import Finding, Visit


def _end_moment(day):
    """The first moment after `day` in the platform's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _open_at(end):
    """Findings found by `end` (a date) and not signed off by the end of that day."""
    return Q(found_on__lte=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=_end_moment(end)))


def open_findings_count(branch, period):
    """Open inspection findings of `branch` at the end of `period` (a stars Period), or now if it runs on.

    A finding signed off and later reopened in a look-back counts again (its
    closed_at is cleared).
    """
    end = min(period.ends_on, timezone.localdate())
    return Finding.objects.filter(_open_at(end), branch=branch).count()


def open_findings_by_branch(branch_ids, period):
    """{branch id: open findings} for many branches at once (branches with none are left out)."""
    end = min(period.ends_on, timezone.localdate())
    rows = (Finding.objects.filter(_open_at(end), branch_id__in=list(branch_ids))
            .values("branch_id").annotate(n=Count("pk")))
    return {r["branch_id"]: r["n"] for r in rows}


def findings_by_subdistrict(start, end):
    """{sub-district code: {"open", "overdue", "signed_off"}} for findings found from `start` to `end` (dates).

    open: not signed off by the end of `end`; overdue: those of them whose
    deadline passed before `end`; signed_off: signed off by the end of `end`.
    Every sub-district is in the answer, with zeros where nothing was found.
    """
    end_moment = _end_moment(end)
    still_open = Q(closed_at__isnull=True) | Q(closed_at__gte=end_moment)
    rows = (
        Finding.objects.filter(found_on__gte=start, found_on__lte=end)
        .values("branch__community__subdistrict__code")
        .annotate(
            open=Count("pk", filter=still_open),
            overdue=Count("pk", filter=still_open & Q(due_on__lt=end)),
            signed_off=Count("pk", filter=Q(closed_at__lt=end_moment)),
        )
    )
    result = {code: {"open": 0, "overdue": 0, "signed_off": 0}
              for code in SubDistrict.objects.order_by("code").values_list("code", flat=True)}
    for row in rows:
        result[row.pop("branch__community__subdistrict__code")] = row
    return result


def visits_by_subdistrict(start, end):
    """{sub-district code: {"branches", "visited"}}: branches, and those visited from `start` to `end` (dates)."""
    branches = dict(
        Branch.objects.values("community__subdistrict__code").annotate(n=Count("pk"))
        .values_list("community__subdistrict__code", "n")
    )
    visited = dict(
        Visit.objects.filter(visited_on__gte=start, visited_on__lte=end)
        .values("branch__community__subdistrict__code")
        .annotate(n=Count("branch", distinct=True))
        .values_list("branch__community__subdistrict__code", "n")
    )
    return {code: {"branches": branches.get(code, 0), "visited": visited.get(code, 0)}
            for code in SubDistrict.objects.order_by("code").values_list("code", flat=True)}
