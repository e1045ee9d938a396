import datetime as dt

import pytest
from django.utils import translation

from apps.bulletins.periods import BulletinPeriodError, parse, parse_ended, period_before


@pytest.mark.parametrize("kind, text, first, last", [
    ("weekly", "2026-W47", dt.date(2026, 11, 16), dt.date(2026, 11, 22)),
    ("weekly", "2026-w01", dt.date(2025, 12, 29), dt.date(2026, 1, 4)),
    ("monthly", "2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
    ("monthly", "2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
    ("quarterly", "2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
])
def test_periods_cover_their_days(kind, text, first, last):
    period = parse(kind, text)
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize("kind, text", [
    ("monthly", "2026-13"), ("monthly", "2026-00"), ("monthly", "2026-W47"), ("monthly", ""),
    ("weekly", "2026-W54"), ("weekly", "2025-W53"), ("weekly", "2026-11"), ("quarterly", "2026-Q5"),
    ("quarterly", "2026-4"),
])
def test_malformed_periods_are_refused(kind, text):
    with pytest.raises(BulletinPeriodError) as error:
        parse(kind, text)
    assert error.value.field == "period"


def test_a_period_not_ended_is_refused():
    today = dt.date(2026, 11, 30)
    with translation.override("en"), pytest.raises(BulletinPeriodError, match="not ended"):
        parse_ended("monthly", "2026-11", today=today)
    with translation.override("zh-hans"), pytest.raises(BulletinPeriodError, match="尚未结束"):
        parse_ended("monthly", "2026-11", today=today)
    assert parse_ended("monthly", "2026-11", today=dt.date(2026, 12, 1)).code == "2026-11"


def test_beat_jobs_report_the_last_whole_period():
    monday = dt.date(2026, 11, 23)
    assert period_before("weekly", monday).code == "2026-W47"
    assert period_before("monthly", dt.date(2026, 12, 1)).code == "2026-11"
    assert period_before("quarterly", dt.date(2027, 1, 1)).code == "2026-Q4"
    assert period_before("weekly", dt.date(2027, 1, 4)).code == "2026-W53"
