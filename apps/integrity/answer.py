"""The one answer behind GET /api/integrity/signals/ and the page /integrity/: parse, scope, compute.

Raises ApiError (400 a bad parameter, 403 not a reader, 404 a sub-district
outside one's area) before anything is counted.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.cases.api_evaluation import narrowed_to, subdistricts_for
from apps.cases.api_support import ApiError
from apps.cases.evaluation import Period, PeriodError, parse_period
from apps.integrity.compute import Window, compute_signals
from apps.integrity.rules import CODES

FIRST_YEAR, LAST_YEAR = 2000, 2100


def last_twelve_months(today=None):
    """The default period: the twelve months ending today (inclusive), from the (pinned) clock."""
    today = today or timezone.localdate()
    try:
        first = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        first = today.replace(year=today.year - 1, day=28) + dt.timedelta(days=1)
    return Period(first, today, f"{first.isoformat()}..{today.isoformat()}")


def read_period(params):
    if not (params.get("period") or params.get("from") or params.get("to")):
        return last_twelve_months()
    try:
        period = parse_period(params.get("period"), params.get("from"), params.get("to"))
    except PeriodError as exc:
        raise ApiError(400, exc.message, "bad_period", exc.field) from None
    if not (FIRST_YEAR <= period.first.year and period.last.year <= LAST_YEAR):
        # Also keeps the look-back (a week, a month) and the day after the period inside the calendar.
        field = "period" if params.get("period") else ("from" if period.first.year < FIRST_YEAR else "to")
        raise ApiError(400, _("The period must lie between %(first)s and %(last)s.")
                       % {"first": FIRST_YEAR, "last": LAST_YEAR}, "bad_period", field)
    return period


def signals_answer(user, params):
    """{period, scope, signals}: each active signal with its rule, thresholds, figures and cases."""
    scope = subdistricts_for(user)
    period = read_period(params)
    scope = narrowed_to(scope, params.get("subdistrict"))
    signal = params.get("signal")
    if signal and signal not in CODES:
        raise ApiError(400, _("signal must be one of: %(choices)s.") % {"choices": ", ".join(CODES)}, "invalid",
                       "signal")
    window = Window(period.start, period.end, scope)
    return {
        "period": {"label": period.label, "from": period.first.isoformat(), "to": period.last.isoformat()},
        "scope": "district" if scope is None else "subdistrict",
        "signals": compute_signals(window, codes=[signal] if signal else None),
    }
