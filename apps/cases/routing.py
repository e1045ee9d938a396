"""Which department handles a case: duty rules by category and area, most specific first.

FixMyStreet routes a report to the body whose area contains it; we do the same
down the grid -> community -> sub-district -> district ladder, and explain the
choice to the dispatcher. A case no rule covers is flagged, never dropped.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.cases.models import DutyRule


@dataclass(frozen=True)
class Suggestion:
    department: object  # people.Department or None when unroutable
    reason: str
    level: str  # grid, community, subdistrict, district, category, none


def suggest_department(category, grid):
    """The department for `category` at `grid`, with the reason, in one query."""
    community = grid.community
    rules = {
        rule.level: rule
        for rule in DutyRule.objects.filter(category=category)
        .filter(
            Q(grid=grid)
            | Q(community_id=grid.community_id)
            | Q(subdistrict_id=community.subdistrict_id)
            | Q(grid__isnull=True, community__isnull=True, subdistrict__isnull=True)
        )
        .select_related("department")
    }
    names = {"grid": grid.name, "community": community.name, "subdistrict": community.subdistrict.name}
    for level in ("grid", "community", "subdistrict", "district"):
        rule = rules.get(level)
        if rule is not None:
            area = names.get(level, _("the whole district"))
            return Suggestion(
                department=rule.department,
                reason=_("Duty rule: %(category)s in %(area)s is handled by %(department)s.")
                % {"category": category.name, "area": area, "department": rule.department.name},
                level=level,
            )
    if category.default_department_id:
        return Suggestion(
            department=category.default_department,
            reason=_("Default department of category %(category)s.") % {"category": category.name},
            level="category",
        )
    return Suggestion(
        department=None,
        reason=_("No duty rule covers %(category)s here: choose a department.") % {"category": category.name},
        level="none",
    )
