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


CODE = "branch__community__subdistrict__code"


def findings_by_subdistrict(start, end, *, new_from=None):
    """{sub-district code: {"open", "overdue", "signed_off"}} for findings found from `start` to `end` (dates).

    open: not signed off by the end of `end`; overdue: those of them whose
    deadline passed before `end`; signed_off: signed off by the end of `end`.
    With `new_from` (a date), each also has "new": findings found from
    `new_from` to `end`, counted in the same query.
    Every sub-district is in the answer, with zeros where nothing was found.
    """
    lower = new_from if new_from is not None and new_from < start else None
    rows = finding_counts(start, end, _end_moment(end), new_from=new_from, lower=lower)
    return _every_subdistrict(rows, ("open", "overdue", "signed_off") + (("new",) if new_from is not None else ()))


def finding_counts(start, end, end_moment, *, new_from=None, lower=None):
    """The GROUP BY of `findings_by_subdistrict`: a values queryset of CODE and its counts.

    `end_moment` is the first moment after `end`. Given `lower` (at most
    `start` and `new_from`), the rows read start there and every count holds
    its own lower bound, so the query's shape depends on no date: the
    bulletins compile it once with slots (`apps.bulletins.prepared`).
    """
    span = Q() if lower is None else Q(found_on__gte=start)
    still_open = span & (Q(closed_at__isnull=True) | Q(closed_at__gte=end_moment))
    counts = {
        "open": Count("pk", filter=still_open),
        "overdue": Count("pk", filter=still_open & Q(due_on__lt=end)),
        "signed_off": Count("pk", filter=span & Q(closed_at__lt=end_moment)),
    }
    if new_from is not None:
        counts["new"] = Count("pk", filter=Q(found_on__gte=new_from))
    return (Finding.objects.filter(found_on__gte=start if lower is None else lower, found_on__lte=end)
            .values(CODE).annotate(**counts).order_by())


def visits_by_subdistrict(start, end, *, since=None):
    """{sub-district code: {"branches", "visited"}}: branches, and those visited from `start` to `end` (dates).

    With `since` (a date), each also has "visited_since": branches visited
    from `since` to `end` (a year so far), counted in the same query.
    """
    lower = since if since is not None and since < start else None
    branches = {row["community__subdistrict__code"]: row["branches"] for row in branch_counts()}
    visited = _every_subdistrict(visited_counts(start, end, since=since, lower=lower),
                                 ("visited",) + (("visited_since",) if since is not None else ()))
    return {code: {"branches": branches.get(code, 0), **row} for code, row in visited.items()}


def branch_counts():
    """Branches by sub-district: a values queryset of community__subdistrict__code and "branches"."""
    return Branch.objects.values("community__subdistrict__code").annotate(branches=Count("pk")).order_by()


def visited_counts(start, end, *, since=None, lower=None):
    """The GROUP BY of `visits_by_subdistrict`: a values queryset of CODE, "visited" (and "visited_since").

    Given `lower` (at most `start` and `since`), the rows read start there and
    each count holds its own lower bound: a shape that depends on no date.
    """
    counts = {"visited": Count("branch", distinct=True,
                               filter=None if lower is None else Q(visited_on__gte=start))}
    if since is not None:
        counts["visited_since"] = Count("branch", distinct=True, filter=Q(visited_on__gte=since))
    return (Visit.objects.filter(visited_on__gte=start if lower is None else lower, visited_on__lte=end)
            .values(CODE).annotate(**counts).order_by())


def _every_subdistrict(rows, names):
    """{code: {name: count}} for every sub-district, zeros where `rows` (dicts with CODE) have none."""
    result = {code: dict.fromkeys(names, 0)
              for code in SubDistrict.objects.order_by("code").values_list("code", flat=True)}
    for row in rows:
        result[row.pop(CODE)] = row
    return result
