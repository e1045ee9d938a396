"""A stored bulletin as a table: columns, formatted cells and the link of each number.

The reader page, the PDF and the XLSX all draw from `table()`, so they show
the same figures in the same order. Each number links to the list it counts:
case figures to the evaluation page (month, quarter) or API (week) of that
sub-district, findings, visits and star levels to the bulletin's own lists of
the rows counted (`lists.py`).
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PERCENT = "percent"


def _get(row, path):
    value = row
    for key in path.split("."):
        if value is None:
            return None
        value = value.get(key)
    return value


def columns(kind):
    """[(key, label, path in the row, format, list)] for a kind of bulletin; list names what a number links to."""
    cols = []
    if kind != "weekly":
        cols.append(("rank", _("Rank"), "rank", "int", None))
    cols.append(("name", _("Sub-district"), "name", "text", None))
    if kind == "quarterly":
        cols += [("observation", _("Observation score"), "observation.mean", "dec", None),
                 ("judges", _("Judges"), "observation.judges", "int", None)]
    if kind != "weekly":
        cols.append(("score", _("Score"), "score", "dec", None))
    cols += [
        ("due", _("Cases due"), "cases.due", "int", "cases"),
        ("closure_rate", _("Closure rate"), "cases.closure_rate", PERCENT, "cases"),
        ("on_time_rate", _("On-time rate"), "cases.on_time_rate", PERCENT, "cases"),
    ]
    if kind != "weekly":
        cols += [("stars_met", _("Stars met / target"), "stars", "stars", "stars"),
                 ("star_progress", _("Star progress"), "stars.progress", PERCENT, "stars")]
    cols += [
        ("findings_new", _("New findings"), "findings.new", "int", "findings-new"),
        ("findings_open", _("Open findings"), "findings.open", "int", "findings-open"),
        ("findings_overdue", _("Overdue findings"), "findings.overdue", "int", "findings-overdue"),
        ("visited", _("Branches visited"), "visits", "visits", "visits"),
    ]
    if kind != "weekly":
        cols.append(("visited_year", _("Visited this year"), "visits.visited_year", "int", "visits-year"))
    return cols


def fmt(value, how):
    if how == "stars":
        return "—" if value is None else f"{value['met']}/{value['target']}"
    if how == "visits":
        return "—" if value is None else f"{value['visited']}/{value['branches']}"
    if value is None:
        return "—"
    if how == PERCENT:
        return f"{value * 100:.1f}%"
    if how == "dec":
        return f"{value:.2f}"
    return str(value)


def raw(value, how):
    """The plain value a spreadsheet cell holds (a fraction for rates, a number, or text)."""
    if how == "stars":
        return None if value is None else value["met"]
    if how == "visits":
        return None if value is None else value["visited"]
    return value


def link(bulletin, code, target):
    if target is None:
        return None
    if target == "cases":
        if bulletin.kind == "weekly":
            return reverse("api-evaluation") + "?" + urlencode(
                {"by": "grid", "subdistrict": code, "from": bulletin.starts_on.isoformat(),
                 "to": bulletin.ends_on.isoformat()})
        return reverse("case-evaluation") + "?" + urlencode(
            {"by": "grid", "subdistrict": code, "period": bulletin.period})
    return reverse("bulletin-list", args=[bulletin.kind, bulletin.period, code, target])


def table(bulletin):
    """{"columns": [{key, label}], "rows": [[{text, value, href}]], "totals": [...]} of a stored bulletin."""
    cols = columns(bulletin.kind)
    rows = []
    for row in bulletin.data.get("rows", []):
        cells = []
        for key, _label, path, how, target in cols:
            value = _get(row, path)
            cells.append({"key": key, "text": fmt(value, how), "value": raw(value, how),
                          "href": link(bulletin, row["code"], target) if value is not None else None,
                          "rate": how == PERCENT})
        rows.append({"code": row["code"], "cells": cells})
    totals_row = dict(bulletin.data.get("totals", {}))
    totals = []
    for key, _label, path, how, _target in cols:
        if key == "name":
            value, text = None, str(_("District"))
        elif key in ("rank", "score", "observation", "judges"):
            value, text = None, ""
        else:
            value = _get(totals_row, path)
            text = fmt(value, how)
        totals.append({"key": key, "text": text, "value": raw(value, how), "rate": how == PERCENT})
    return {"columns": [{"key": key, "label": label} for key, label, *_rest in cols], "rows": rows, "totals": totals}
