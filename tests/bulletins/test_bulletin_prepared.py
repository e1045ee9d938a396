"""The bulletin's supervision figures, compiled once with slots, against the supervision app's own counts."""

import datetime as dt

import pytest
from django.db import connection

from apps.bulletins.compute import EPOCH, supervision_figures
from apps.bulletins.periods import parse
from apps.supervision.findings import findings_by_subdistrict, visits_by_subdistrict

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind, code", [("monthly", "2026-11"), ("weekly", "2026-W46"), ("weekly", "2026-W01"),
                                        ("monthly", "2026-12"), ("quarterly", "2026-Q4")])
def test_supervision_figures_are_the_supervision_apps(cast, fixture, kind, code):
    period = parse(kind, code)
    year = dt.date(period.last.year, 1, 1)
    statements = []
    with connection.execute_wrapper(lambda run, sql, *rest: statements.append(sql) or run(sql, *rest)):
        findings, visits = supervision_figures(period)
    assert len(statements) == 3  # findings, branches, visits: one query each
    expected_findings = findings_by_subdistrict(EPOCH, period.last, new_from=period.first)
    expected_visits = visits_by_subdistrict(period.first, period.last, since=year)
    zero = {"open": 0, "overdue": 0, "signed_off": 0, "new": 0}
    assert {c: findings.get(c, zero) for c in expected_findings} == expected_findings
    assert {c: {"visited": 0, "visited_since": 0, **visits.get(c, {})} for c in expected_visits} == expected_visits
    # And as the two separate spans count them.
    new = findings_by_subdistrict(period.first, period.last)
    for c, row in expected_findings.items():
        assert row["new"] == new[c]["open"] + new[c]["signed_off"]
    year_so_far = visits_by_subdistrict(year, period.last)
    assert all(row["visited_since"] == year_so_far[c]["visited"] for c, row in expected_visits.items())


def test_the_hand_count_of_november(cast, fixture):
    findings, visits = supervision_figures(parse("monthly", "2026-11"))
    a, b = cast.area_a.code, cast.area_b.code
    assert findings[a] == {"open": 2, "overdue": 1, "signed_off": 1, "new": 3}
    assert findings[b] == {"open": 1, "overdue": 1, "signed_off": 0, "new": 0}
    assert (visits[a]["visited"], visits[a]["visited_since"]) == (2, 2)
    assert "visited" not in visits[b]  # v3's visit was on 1 December
