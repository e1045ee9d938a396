"""The ranking page (/evaluation/): the evaluation figures of helper `evaluation.py`, as a ranked table.

The figures and who may read them come from `api_evaluation.evaluation_answer`
(the same answer as GET /api/evaluation/), so the page and the API never
disagree; this module only chooses the period, the grouping and the order.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.areas.models import SubDistrict
from apps.cases.api_evaluation import evaluation_answer
from apps.cases.api_support import ApiError
from apps.people.access import sees_whole_district

GROUP_LABELS = {
    "department": gettext_lazy("Departments"),
    "subdistrict": gettext_lazy("Sub-districts"),
    "grid": gettext_lazy("Grids"),
}
# (key, label, kind): kind picks the bar's colour and scale.
COLUMNS = [
    ("closure_rate", gettext_lazy("Closure rate (结案率)"), "good"),
    ("on_time_rate", gettext_lazy("On-time closure rate (按期结案率)"), "good"),
    ("rework_rate", gettext_lazy("Rework rate (返工率)"), "bad"),
    ("extension_rate", gettext_lazy("Extension rate (延期率)"), "bad"),
    ("mean_handling_hours", gettext_lazy("Mean handling time (h)"), "time"),
]
COUNT_COLUMNS = [
    ("due", gettext_lazy("Due to close")),
    ("closed", gettext_lazy("Closed")),
    ("handled", gettext_lazy("Handled")),
    ("overdue", gettext_lazy("Overdue")),
    ("pending", gettext_lazy("Pending")),
]
RANK_KEYS = [key for key, _label, _kind in COLUMNS]


def period_choices(today):
    """(value, label) of the periods offered: recent months, quarters and years."""
    month = today.replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    quarter = (today.month - 1) // 3 + 1
    last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return [
        (f"{month:%Y-%m}", _("This month (%(p)s)") % {"p": f"{month:%Y-%m}"}),
        (f"{previous:%Y-%m}", _("Last month (%(p)s)") % {"p": f"{previous:%Y-%m}"}),
        (f"{today.year}-Q{quarter}", _("This quarter (%(p)s)") % {"p": f"{today.year}-Q{quarter}"}),
        (f"{last_quarter[0]}-Q{last_quarter[1]}",
         _("Last quarter (%(p)s)") % {"p": f"{last_quarter[0]}-Q{last_quarter[1]}"}),
        (str(today.year), _("This year (%(p)s)") % {"p": today.year}),
        (str(today.year - 1), _("Last year (%(p)s)") % {"p": today.year - 1}),
    ]


def _cells(row, longest_hours):
    cells = []
    for key, _label, kind in COLUMNS:
        value = row.get(key)
        if value is None:
            cells.append({"key": key, "kind": kind, "value": None, "text": "—", "width": 0})
        elif kind == "time":
            width = round(100 * value / longest_hours, 1) if longest_hours else 0
            cells.append({"key": key, "kind": kind, "value": value, "text": f"{value:.1f}", "width": width})
        else:
            cells.append({"key": key, "kind": kind, "value": value, "text": f"{100 * value:.1f}%",
                          "width": round(100 * value, 1)})
    for cell in cells:
        # A plain number for the script to sort by, never localised.
        cell["data"] = "" if cell["value"] is None else repr(float(cell["value"]))
    return cells


def ranking_context(request, person):
    today = timezone.localdate()
    choices = period_choices(today)
    by = request.GET.get("by") or "department"
    rank = request.GET.get("rank") or "closure_rate"
    params = {
        "period": request.GET.get("period") or choices[0][0],
        "by": by,
        "rank": rank if rank in RANK_KEYS else "closure_rate",
    }
    if request.GET.get("subdistrict"):
        params["subdistrict"] = request.GET["subdistrict"]
    error = None
    try:
        answer = evaluation_answer(request.user, params)
    except ApiError as exc:
        error = exc.detail.get("detail")
        answer = {"rows": [], "rules": [], "period": {"label": params["period"]}, "by": by}
    rows = answer["rows"]
    longest = max((r["mean_handling_hours"] or 0 for r in rows), default=0)
    whole = request.user.is_superuser or sees_whole_district(person)
    return {
        "error": error,
        "answer": answer,
        "rows": [{**row, "cells": _cells(row, longest)} for row in rows],
        "columns": COLUMNS,
        "count_columns": COUNT_COLUMNS,
        "groupings": list(GROUP_LABELS.items()),
        "periods": choices,
        "params": params,
        "subdistricts": SubDistrict.objects.order_by("code").values_list("code", "name") if whole else [],
        "scope_name": _("the whole district") if whole else (person.subdistrict.name if person else ""),
    }
