"""The bulletin's case counts, compiled once with slots (apps.bulletins.prepared), against `evaluate`.

On the hand-built September 2026 of test_evaluation.py: the figures are the
evaluation page's, period after period from the same compiled SQL, and a
stand-in the ORM would lose is refused when compiling.
"""

import datetime as dt

import pytest
from django.db import connection
from test_evaluation import TZ, accept_and_handle, dispatched, september  # noqa: F401 (fixture)

from apps.bulletins.compute import CASE_COUNTS, _end_moment, case_figures
from apps.bulletins.periods import parse
from apps.bulletins.prepared import Prepared
from apps.cases.evaluation import area_figures, evaluate
from apps.cases.models import Case
from apps.cases.workflow import transition

pytestmark = pytest.mark.django_db

FIELDS = ("due", "closed", "closed_on_time")


def by_evaluate(period):
    rows = evaluate(period.as_case_period(), "subdistrict", now=_end_moment(period.last))
    return {r["code"]: {f: r[f] for f in FIELDS} for r in rows}


def test_the_bulletins_case_figures_are_the_evaluations_month_after_month(cast, september):
    # October: case 9 falls due on the 20th and is handled late; one more case handled on time.
    transition(september[9], "report_handled", by=cast.handler, result="已处置",
               at=dt.datetime(2026, 10, 21, 9, tzinfo=TZ))
    transition(september[9], "verify_pass", by=cast.worker, at=dt.datetime(2026, 10, 21, 15, tzinfo=TZ))
    prompt = dispatched(cast, dt.datetime(2026, 10, 5, 9, tzinfo=TZ), dt.datetime(2026, 10, 7, 10, tzinfo=TZ))
    accept_and_handle(cast, prompt, dt.datetime(2026, 10, 6, 10, tzinfo=TZ))
    here = cast.grid.community.subdistrict.code
    seen = []
    for code in ("2026-09", "2026-10", "2026-Q3", "2025-12"):
        period = parse("monthly" if "Q" not in code else "quarterly", code)
        statements = []
        with connection.execute_wrapper(lambda run, sql, *rest: statements.append(sql) or run(sql, *rest)):
            figures = case_figures(period)
        expected = by_evaluate(period)
        assert len(figures) == 17
        assert {c: {f: v[f] for f in FIELDS} for c, v in figures.items()} == expected
        assert figures[here]["closure_rate"] == (round(expected[here]["closed"] / expected[here]["due"], 4)
                                                 if expected[here]["due"] else None)
        seen.append((expected[here]["due"], statements[0]))
    # Hand count (test_evaluation.py): 7 due in September in the cast's sub-district (cases 1-4, 6-8),
    # two in October (case 9 past its deadline, the new one on time), none in December 2025.
    assert [due for due, _sql in seen] == [7, 2, 7, 0]
    # One compiled statement, its values bound per period.
    assert len({sql for _due, sql in seen}) == 1


def test_the_compiled_query_is_the_orms_with_the_periods_values(cast, september):
    period = parse("monthly", "2026-09").as_case_period()
    now = _end_moment(dt.date(2026, 9, 30))
    orm = list(area_figures(period, now).values("subdistrict_id", "due", "closed", "closed_on_time"))
    rows = CASE_COUNTS.rows(start=period.start, end=period.end, now=now)
    assert sorted(rows, key=lambda r: r["subdistrict_id"]) == sorted(orm, key=lambda r: r["subdistrict_id"])
    assert rows and all(isinstance(r["due"], int) for r in rows)


def test_a_stand_in_the_orm_drops_is_refused_when_compiling():
    # `since` is never used: the compiled SQL could not take it.
    lost = Prepared(lambda since, until: Case.objects.filter(reported_at__lt=until).values("pk"),
                    since="datetime", until="datetime")
    with pytest.raises(RuntimeError, match="since"):
        lost.compile()
    with pytest.raises(ValueError, match="an id, not .text."):
        Prepared(lambda code: Case.objects.filter(category__code=code).values("pk"), code="text").compile()
    dates = Prepared(lambda first: Case.objects.filter(reported_at__date__gte=first).values("pk"), first="date")
    with pytest.raises(TypeError, match="first"):
        dates.rows(last=dt.date(2026, 9, 1))
    assert dates.rows(first=dt.date(2030, 1, 1)) == []
