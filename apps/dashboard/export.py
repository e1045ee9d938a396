"""The table under the dashboard's map as an XLSX workbook (openpyxl), headers in the reader's language."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="B91C1C")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def columns():
    """(header, width, value of a row) per column."""
    return [
        (_("Code"), 15, lambda r, s: r["code"]),
        (_("Village/community"), 18, lambda r, s: r["name"]),
        (_("Kind"), 8, lambda r, s: s["kinds"].get(r["kind"], r["kind"])),
        (_("Sub-district"), 14, lambda r, s: r["subdistrict_name"]),
        (_("Party branch"), 26, lambda r, s: r["branch"] or ""),
        (_("Star level"), 8, lambda r, s: r["level"]),
        (_("Stars held"), 40, lambda r, s: "、".join(s["names"][r["kind"]][n - 1] for n in r["stars"])),
        (_("Stars under assessment"), 30, lambda r, s: "、".join(s["names"][r["kind"]][n - 1] for n in r["pipeline"])),
        (_("Demonstration"), 12, lambda r, s: s["demonstration"].get(r["demonstration"], "")),
        (_("Weak and lax"), 10, lambda r, s: _("yes") if r["weak"] else ""),
        (_("Accountable leader"), 12, lambda r, s: r["leader"] or ""),
        (_("Leader's title"), 16, lambda r, s: r["leader_title"] or ""),
        (_("Open cases (30 days)"), 12, lambda r, s: r["cases"]),
    ]


def workbook_bytes(rows, *, star_names, title, subtitle):
    """The workbook as bytes: a title row, a subtitle (period, scope, filters), the header, one row per community."""
    strings = {
        "names": star_names,
        "kinds": {"village": _("Village"), "community": _("Community")},
        "demonstration": {"planned_five_star": _("planned five-star"), "quasi_five_star": _("quasi five-star")},
    }
    cols = columns()
    book = Workbook()
    sheet = book.active
    sheet.title = _("Five-star branches")[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([subtitle])
    sheet.append([header for header, _width, _value in cols])
    for index, (_header, width, _value) in enumerate(cols, start=1):
        cell = sheet.cell(row=3, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append([value(row, strings) for _header, _width, value in cols])
    sheet.freeze_panes = "C4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(cols))}{max(3, sheet.max_row)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
