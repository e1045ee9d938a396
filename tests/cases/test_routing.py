"""Duty rules: the most specific area wins, down grid -> community -> sub-district -> district -> category.

A new report finds its rule inside its place query (routing.duty_rule_here);
a case already made asks suggest_department. Both must give the same answer.
"""

import uuid

import pytest

from apps.cases.intake import report_case
from apps.cases.models import Category, DutyRule
from apps.cases.routing import suggest_department
from apps.people.models import Department

pytestmark = pytest.mark.django_db


def routed(cast, grid=None):
    """(level, department code, reason) from a fresh report, after checking suggest_department agrees."""
    lon, lat = cast.point(grid)
    case, created = report_case(by=None, category=cast.category, lon=lon, lat=lat, description="占道经营",
                                client_id=uuid.uuid4())
    assert created
    fresh, again = case.intake.suggestion, suggest_department(cast.category, case.grid)
    as_tuple = lambda s: (s.level, s.department.code if s.department else None, s.reason)  # noqa: E731
    assert as_tuple(fresh) == as_tuple(again)
    assert case.unroutable == (fresh.department is None)
    return as_tuple(fresh)


def departments(n):
    return list(Department.objects.exclude(duty_rules__isnull=False).order_by("code")[:n])


def test_the_most_specific_rule_wins_and_each_level_falls_back_to_the_next(cast):
    DutyRule.objects.filter(category=cast.category).delete()
    grid, community, subdistrict = cast.grid, cast.grid.community, cast.grid.community.subdistrict
    d_grid, d_community, d_subdistrict, d_district = departments(4)
    rules = [
        DutyRule.objects.create(category=cast.category, department=d_district),
        DutyRule.objects.create(category=cast.category, subdistrict=subdistrict, department=d_subdistrict),
        DutyRule.objects.create(category=cast.category, community=community, department=d_community),
        DutyRule.objects.create(category=cast.category, grid=grid, department=d_grid),
    ]
    expected = [("grid", d_grid, grid.name), ("community", d_community, community.name),
                ("subdistrict", d_subdistrict, subdistrict.name), ("district", d_district, None)]
    for rule, (level, department, area) in zip(reversed(rules), expected):
        got_level, got_code, reason = routed(cast)
        assert (got_level, got_code) == (level, department.code)
        assert department.name in reason and cast.category.name in reason
        if area is not None:
            assert area in reason
        rule.delete()
    # No rule left: the category's default department, then nobody.
    assert routed(cast)[:2] == ("category", cast.category.default_department.code)
    cast.category.default_department = None
    cast.category.save(update_fields=["default_department"])
    assert routed(cast)[:2] == ("none", None)


def test_a_rule_of_another_area_or_category_is_not_used(cast):
    DutyRule.objects.filter(category=cast.category).delete()
    (elsewhere,) = departments(1)
    other = cast.other_grid
    DutyRule.objects.create(category=cast.category, grid=other, department=elsewhere)
    DutyRule.objects.create(category=cast.category, subdistrict=other.community.subdistrict, department=elsewhere)
    another = Category.objects.exclude(pk=cast.category.pk).order_by("code").first()
    DutyRule.objects.filter(category=another, grid=cast.grid).delete()
    DutyRule.objects.create(category=another, grid=cast.grid, department=elsewhere)
    assert routed(cast)[:2] == ("category", cast.category.default_department.code)
    assert routed(cast, other)[:2] == ("grid", elsewhere.code)
