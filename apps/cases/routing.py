"""Which department handles a case: duty rules by category and area, most specific first.

FixMyStreet routes a report to the body whose area contains it; we do the same
down the grid -> community -> sub-district -> district ladder, and explain the
choice to the dispatcher. A case no rule covers is flagged, never dropped.

Two ways in, one answer: `suggest_department` asks for a case already made;
a new report asks within its place query (`duty_rule_here`, compiled once,
read back by `suggestion_here`).
"""

from dataclasses import dataclass

from django.db.models import Case, CharField, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext as _

from apps.areas.compiled import IdSlot, instance_of
from apps.cases.models import DutyRule
from apps.people.models import Department

LEVELS = ("grid", "community", "subdistrict", "district")


@dataclass(frozen=True)
class Suggestion:
    department: object  # people.Department or None when unroutable
    reason: str
    level: str  # grid, community, subdistrict, district, category or none


def explain(category, level, department, area_names):
    """The Suggestion for the most specific rule found (`level`, `department`), or the category's default."""
    if department is not None:
        area = area_names.get(level, _("the whole district"))
        return Suggestion(
            department=department,
            reason=_("Duty rule: %(category)s in %(area)s is handled by %(department)s.")
            % {"category": category.name, "area": area, "department": department.name},
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
    level = next((level for level in LEVELS if level in rules), None)
    return explain(category, level, rules[level].department if level else None, names)


CATEGORY = IdSlot.named("category")


def duty_rule_here(lon, lat):
    """Annotations of a grid row (`locate(extra=...)`): its most specific duty rule for the category slot."""
    rank = Case(
        When(grid__isnull=False, then=Value(0)),
        When(community__isnull=False, then=Value(1)),
        When(subdistrict__isnull=False, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    rules = (
        DutyRule.objects.filter(category_id=CATEGORY)
        .filter(
            Q(grid_id=OuterRef("pk"))
            | Q(community_id=OuterRef("community_id"))
            | Q(subdistrict_id=OuterRef("community__subdistrict_id"))
            | Q(grid__isnull=True, community__isnull=True, subdistrict__isnull=True)
        )
        .annotate(rank=rank)
        .order_by("rank")
    )
    level = Case(*(When(rank=i, then=Value(name)) for i, name in enumerate(LEVELS)), output_field=CharField())
    return {
        "rule_level": Subquery(rules.annotate(level=level).values("level")[:1]),
        "rule_department_id": Subquery(rules.values("department_id")[:1]),
        "rule_department_code": Subquery(rules.values("department__code")[:1]),
        "rule_department_name": Subquery(rules.values("department__name")[:1]),
    }


def suggestion_here(category, where):
    """The Suggestion of `duty_rule_here`'s answers in a Location; the same as suggest_department's."""
    extra = where.extra
    department = instance_of(Department, {
        "id": extra["rule_department_id"], "code": extra["rule_department_code"], "name": extra["rule_department_name"],
    })
    names = {"grid": where.grid.name, "community": where.community.name, "subdistrict": where.subdistrict.name}
    return explain(category, extra["rule_level"], department, names)
