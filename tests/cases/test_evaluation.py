"""Evaluation figures from hand-built cases with explicit timestamps: every count and rate exactly.

The cases of September 2026 (department D = the cast's department, D2 = the other):
 1 on time; 2 handled late (overdue); 3 reworked once, then on time; 4 extended, on time;
 5 pending (挂账); 6 joint D + D2, D2's part on time, D late; 7 returned by D2, re-dispatched
 to D, handled on time, not yet verified; 8 overdue and never handled; 9 deadline in
 October; 10 rejected; 11 on time, in the other sub-district.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.cases.evaluation import Period, PeriodError, evaluate, parse_period, ranking
from apps.cases.workflow import transition

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 10, 12, tzinfo=TZ)
SEPTEMBER = parse_period("2026-09")


def at(month_day, hour, minute=0):
    month, day = month_day
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def sep(day, hour, minute=0):
    return at((9, day), hour, minute)


def dispatched(cast, reported, deadline, *, department=None, co=(), by=None, grid=None, reporter=None):
    """A case reported at `reported`, registered and dispatched an hour later, accepted at once."""
    case = cast.report(by=reporter, at=reported, **({"grid": grid} if grid else {}))
    by = by or cast.dispatcher
    transition(case, "register", by=by, at=reported + dt.timedelta(minutes=10))
    transition(case, "dispatch", by=by, department=department or cast.department, co_departments=list(co),
               deadline=deadline, at=reported + dt.timedelta(hours=1))
    return case


def accept_and_handle(cast, case, handled, handler=None):
    transition(case, "accept", by=handler or cast.handler, at=case.dispatched_at + dt.timedelta(minutes=30))
    transition(case, "report_handled", by=handler or cast.handler, result="已处置", at=handled)


@pytest.fixture
def september(cast):
    c = {}
    c[1] = dispatched(cast, sep(1, 9), sep(3, 10))
    accept_and_handle(cast, c[1], sep(2, 10))
    transition(c[1], "verify_pass", by=cast.worker, at=sep(2, 15))

    c[2] = dispatched(cast, sep(3, 9), sep(4, 10))
    accept_and_handle(cast, c[2], sep(7, 10))
    transition(c[2], "verify_pass", by=cast.worker, at=sep(8, 10))

    c[3] = dispatched(cast, sep(8, 9), sep(10, 10))
    accept_and_handle(cast, c[3], sep(9, 10))
    transition(c[3], "verify_fail", by=cast.colleague, note="仍有垃圾", at=sep(9, 11))
    transition(c[3], "report_handled", by=cast.handler, at=sep(9, 16))
    transition(c[3], "verify_pass", by=cast.worker, at=sep(9, 17))

    c[4] = dispatched(cast, sep(10, 9), sep(11, 10))
    transition(c[4], "accept", by=cast.handler, at=sep(10, 11))
    transition(c[4], "request_extension", by=cast.handler, note="需采购配件", hours=16, at=sep(10, 15))
    transition(c[4], "grant_extension", by=cast.dispatcher, deadline=sep(15, 10), at=sep(10, 16))
    transition(c[4], "report_handled", by=cast.handler, at=sep(14, 10))
    transition(c[4], "verify_pass", by=cast.worker, at=sep(14, 15))

    c[5] = dispatched(cast, sep(14, 9), sep(16, 10))
    transition(c[5], "accept", by=cast.handler, at=sep(14, 10, 30))
    transition(c[5], "request_pending", by=cast.handler, note="涉及规划调整，暂无法处置", at=sep(14, 11))
    transition(c[5], "grant_pending", by=cast.dispatcher, at=sep(14, 12))

    c[6] = dispatched(cast, sep(15, 9), sep(17, 10), co=[cast.other_department])
    transition(c[6], "accept", by=cast.handler, at=sep(15, 10, 30))
    transition(c[6], "report_part", by=cast.other_handler, result="已维修", at=sep(16, 10))
    transition(c[6], "report_handled", by=cast.handler, at=sep(18, 10))
    transition(c[6], "verify_pass", by=cast.worker, at=sep(18, 15))

    c[7] = dispatched(cast, sep(16, 9), sep(18, 10), department=cast.other_department)
    transition(c[7], "return", by=cast.other_handler, note="不属于本部门职责", at=sep(16, 11))
    transition(c[7], "approve_return", by=cast.dispatcher, at=sep(16, 12))
    transition(c[7], "dispatch", by=cast.dispatcher, department=cast.department, deadline=sep(19, 10),
               at=sep(17, 10))
    accept_and_handle(cast, c[7], sep(18, 10))

    c[8] = dispatched(cast, sep(20, 9), sep(22, 10))
    transition(c[8], "accept", by=cast.handler, at=sep(20, 11))

    c[9] = dispatched(cast, sep(28, 9), at((10, 20), 10))
    transition(c[9], "accept", by=cast.handler, at=sep(28, 11))

    c[10] = cast.report(at=sep(29, 9))
    transition(c[10], "reject", by=cast.dispatcher, note="重复上报", at=sep(29, 9, 30))

    c[11] = dispatched(cast, sep(2, 9), sep(4, 10), by=cast.centre, grid=cast.other_grid, reporter=cast.other_worker)
    accept_and_handle(cast, c[11], sep(3, 10))
    transition(c[11], "verify_pass", by=cast.other_worker, at=sep(3, 15))
    return c


def by_code(rows):
    return {row["code"]: row for row in rows}


def figures(row, *names):
    return {name: row[name] for name in names}


COUNT_NAMES = ("reported", "dispatched", "handled", "due", "closed", "closed_on_time", "overdue", "reworked",
               "extended", "returned", "pending")


def test_department_figures_count_each_case_by_the_rules(cast, september):
    rows = by_code(evaluate(SEPTEMBER, "department", now=NOW))
    d = rows[cast.department.code]
    assert figures(d, *COUNT_NAMES) == {
        "reported": None, "dispatched": 9, "handled": 7, "due": 8, "closed": 6, "closed_on_time": 4,
        "overdue": 3, "reworked": 1, "extended": 1, "returned": 0, "pending": 1,
    }
    assert d["closure_rate"] == 6 / 8
    assert d["on_time_rate"] == 4 / 8
    assert d["rework_rate"] == 1 / 7
    assert d["extension_rate"] == 1 / 9
    # Dispatch to handled, wall-clock: 24 + 96 + 30 + 96 + 72 + 24 + 24 hours over 7 cases.
    assert d["mean_handling_hours"] == round(366 / 7, 2)


def test_a_co_handling_department_counts_its_own_part_and_its_return(cast, september):
    d2 = by_code(evaluate(SEPTEMBER, "department", now=NOW))[cast.other_department.code]
    # Case 6 only: its part was reported on time although the lead was late; case 7 went back.
    assert figures(d2, *COUNT_NAMES) == {
        "reported": None, "dispatched": 1, "handled": 1, "due": 1, "closed": 1, "closed_on_time": 1,
        "overdue": 0, "reworked": 0, "extended": 0, "returned": 1, "pending": 0,
    }
    assert (d2["closure_rate"], d2["on_time_rate"], d2["rework_rate"], d2["extension_rate"]) == (1.0, 1.0, 0.0, 0.0)
    assert d2["mean_handling_hours"] == 24.0


def test_sub_district_rows_count_the_cases_reported_in_each(cast, september):
    rows = evaluate(SEPTEMBER, "subdistrict", now=NOW)
    assert len(rows) == 17  # idle sub-districts get zero rows for the ranking
    rows = by_code(rows)
    a = rows[cast.grid.community.subdistrict.code]
    assert figures(a, *COUNT_NAMES) == {
        "reported": 10, "dispatched": 8, "handled": 6, "due": 7, "closed": 5, "closed_on_time": 3,
        "overdue": 3, "reworked": 1, "extended": 1, "returned": 1, "pending": 1,
    }
    assert (a["closure_rate"], a["on_time_rate"], a["rework_rate"], a["extension_rate"]) == (5 / 7, 3 / 7, 1 / 6, 1 / 8)
    assert a["mean_handling_hours"] == round((24 + 96 + 30 + 96 + 72 + 24) / 6, 2)
    b = rows[cast.other_grid.community.subdistrict.code]
    assert figures(b, "reported", "dispatched", "handled", "due", "closed", "closed_on_time", "overdue") == {
        "reported": 1, "dispatched": 1, "handled": 1, "due": 1, "closed": 1, "closed_on_time": 1, "overdue": 0,
    }
    idle = [r for code, r in rows.items() if code not in (a["code"], b["code"])]
    assert all(r["reported"] == 0 and r["closure_rate"] is None for r in idle)


def test_grid_rows_and_an_area_limit(cast, september):
    a = cast.grid.community.subdistrict_id
    rows = by_code(evaluate(SEPTEMBER, "grid", now=NOW))
    assert set(rows) == {cast.grid.code, cast.other_grid.code}
    assert rows[cast.grid.code]["due"] == 7 and rows[cast.other_grid.code]["due"] == 1
    limited = evaluate(SEPTEMBER, "grid", subdistricts=[a], now=NOW)
    assert [r["code"] for r in limited] == [cast.grid.code]


def test_department_figures_limited_to_an_area_leave_out_other_areas_cases(cast, september):
    d = by_code(evaluate(SEPTEMBER, "department", subdistricts=[cast.grid.community.subdistrict_id], now=NOW))[
        cast.department.code
    ]
    assert figures(d, "dispatched", "handled", "due", "closed", "closed_on_time", "overdue") == {
        "dispatched": 8, "handled": 6, "due": 7, "closed": 5, "closed_on_time": 3, "overdue": 3,
    }
    assert d["mean_handling_hours"] == 57.0


def test_a_case_falls_due_in_the_period_in_which_its_deadline_passes(cast, september):
    october = parse_period("2026-10")
    before = by_code(evaluate(october, "department", now=NOW))[cast.department.code]
    assert (before["due"], before["overdue"], before["closure_rate"]) == (0, 0, None)
    after = by_code(evaluate(october, "department", now=at((10, 21), 9)))[cast.department.code]
    assert (after["due"], after["overdue"], after["closure_rate"], after["on_time_rate"]) == (1, 1, 0.0, 0.0)
    # A quarter and a year hold September's figures (nothing else was dispatched).
    for label in ("2026-Q3", "2026"):
        d = by_code(evaluate(parse_period(label), "department", now=NOW))[cast.department.code]
        assert (d["dispatched"], d["due"], d["closed"]) == (9, 8, 6)


def test_a_resumed_pending_case_counts_again(cast, september):
    transition(september[5], "resume", by=cast.handler, at=sep(21, 9))
    transition(september[5], "report_handled", by=cast.handler, at=sep(21, 10))
    d = by_code(evaluate(SEPTEMBER, "department", now=NOW))[cast.department.code]
    # Handled after its 9/16 deadline: due and overdue, not pending any more.
    assert (d["pending"], d["dispatched"], d["handled"], d["due"], d["overdue"]) == (0, 10, 8, 9, 4)


def test_nothing_in_the_period_gives_no_rates(cast, september):
    rows = evaluate(parse_period("2025-09"), "department", now=NOW)
    assert rows == []
    assert all(r["due"] == 0 and r["closure_rate"] is None for r in evaluate(parse_period("2025"), "subdistrict"))


def test_ranking_puts_the_best_first_shares_ties_and_leaves_empty_rows_last():
    rows = [
        {"code": "a", "closure_rate": 0.5, "rework_rate": 0.1},
        {"code": "b", "closure_rate": 0.9, "rework_rate": 0.3},
        {"code": "c", "closure_rate": None, "rework_rate": None},
        {"code": "d", "closure_rate": 0.5, "rework_rate": 0.0},
    ]
    assert [(r["code"], r["rank"]) for r in ranking(rows, "closure_rate")] == [("b", 1), ("a", 2), ("d", 2), ("c", None)]
    assert [(r["code"], r["rank"]) for r in ranking(rows, "rework_rate")] == [("d", 1), ("a", 2), ("b", 3), ("c", None)]
    with pytest.raises(ValueError):
        ranking(rows, "name")


@pytest.mark.parametrize(
    "kwargs, first, last",
    [
        ({"period": "2026"}, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ({"period": "2026-q3"}, dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ({"period": "2026-Q4"}, dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ({"period": "2026-02"}, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ({"period": "2026-12"}, dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        ({"start": "2026-03-05", "end": "2026-03-05"}, dt.date(2026, 3, 5), dt.date(2026, 3, 5)),
        ({"today": dt.date(2026, 4, 17)}, dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
    ],
)
def test_periods_parse_to_inclusive_dates_and_local_midnights(kwargs, first, last):
    period = parse_period(**kwargs)
    assert (period.first, period.last) == (first, last)
    assert period.start.utcoffset() == dt.timedelta(hours=8)
    assert period.end - period.start == dt.timedelta(days=(last - first).days + 1)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "2026-Q5"}, "period"),
        ({"period": "Sept"}, "period"),
        ({"start": "2026-03-01"}, "to"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "to"),
        ({"start": "2026-3-1x", "end": "2026-04-01"}, "from"),
        ({"period": "2026", "start": "2026-03-01", "end": "2026-04-01"}, "period"),
        ({"start": "2000-01-01", "end": "2026-01-01"}, "to"),
    ],
)
def test_bad_periods_name_the_parameter(kwargs, field):
    with pytest.raises(PeriodError) as error:
        parse_period(**kwargs)
    assert error.value.field == field and error.value.message


def test_a_period_is_a_plain_value():
    assert Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30), "2026-09") == SEPTEMBER
