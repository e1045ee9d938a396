"""The rows behind a bulletin's numbers: findings, visits and branches' star levels of one sub-district.

Each list applies the same rule as the figure it explains (`compute.py` and
`apps.supervision.findings`), as at the bulletin's last day.
"""

import datetime as dt

from django.db.models import Q

from apps.bulletins.compute import EPOCH, _end_moment, branch_levels, star_period_of
from apps.stars.models import Branch
from apps.supervision.models import Finding, Visit

LISTS = ("findings-new", "findings-open", "findings-overdue", "visits", "visits-year", "stars")


def findings(bulletin, code, which):
    first, last = bulletin.starts_on, bulletin.ends_on
    end = _end_moment(last)
    rows = Finding.objects.filter(branch__community__subdistrict__code=code)
    if which == "findings-new":
        rows = rows.filter(found_on__gte=first, found_on__lte=last)
    else:
        rows = rows.filter(found_on__gte=EPOCH, found_on__lte=last).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        if which == "findings-overdue":
            rows = rows.filter(due_on__lt=last)
    return rows.select_related("branch__community").order_by("found_on", "id")


def visits(bulletin, code, which):
    first = dt.date(bulletin.ends_on.year, 1, 1) if which == "visits-year" else bulletin.starts_on
    return (Visit.objects.filter(branch__community__subdistrict__code=code, visited_on__gte=first,
                                 visited_on__lte=bulletin.ends_on)
            .select_related("branch__community", "visitor").order_by("visited_on", "branch__community__code", "id"))


def star_levels(bulletin, code):
    """[(branch, level)] of the sub-district's branches at the bulletin's last day."""
    star_period = star_period_of(bulletin.ends_on)
    if star_period is None:
        return []
    branches = Branch.objects.filter(community__subdistrict__code=code)
    by_id = {b.pk: b for b in branches.select_related("community")}
    return [(by_id[pk], level) for pk, _code, level in branch_levels(star_period, bulletin.ends_on, branches)]
