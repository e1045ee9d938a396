"""Weekly coverage as an XLSX workbook: a sheet of sub-districts, a sheet of zones; headers in the reader's language."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="B91C1C")
HEADER_FONT = Font(bold=True, color="FFFFFF")
PERCENT = "0.0%"


def _sheet(sheet, title, subtitle, cols, rows):
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([subtitle])
    sheet.append([header for header, _w, _v, _f in cols])
    for index, (_header, width, _value, number_format) in enumerate(cols, start=1):
        cell = sheet.cell(row=3, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append([value(row) for _h, _w, value, _f in cols])
        if any(f for *_rest, f in cols):
            for index, (*_rest, number_format) in enumerate(cols, start=1):
                if number_format:
                    sheet.cell(row=sheet.max_row, column=index).number_format = number_format
    sheet.freeze_panes = "C4"
    sheet.auto_filter.ref = f"A3:{get_column_letter(len(cols))}{max(3, sheet.max_row)}"


def workbook_bytes(coverage, *, title, subtitle, local_time):
    """The coverage dict of `weekly_coverage` as workbook bytes."""
    yes, no = _("visited"), _("not visited")
    subdistrict_cols = [
        (_("Code"), 12, lambda r: r["code"], None),
        (_("Sub-district"), 16, lambda r: r["name"], None),
        (_("Zones"), 8, lambda r: r["zones"], None),
        (_("Visited"), 8, lambda r: r["visited"], None),
        (_("Not visited"), 10, lambda r: r["zones"] - r["visited"], None),
        (_("Share visited"), 12, lambda r: r["share"], PERCENT),
        (_("Check-ins"), 10, lambda r: r["patrols"], None),
    ]
    zone_cols = [
        (_("Code"), 17, lambda r: r["code"], None),
        (_("Zone"), 22, lambda r: r["name"], None),
        (_("Village/community"), 18, lambda r: r["community_name"], None),
        (_("Sub-district"), 14, lambda r: r["subdistrict_name"], None),
        (_("Patrolled"), 10, lambda r: yes if r["visited"] else no, None),
        (_("Check-ins"), 10, lambda r: r["patrols"], None),
        (_("Cadres who patrolled"), 12, lambda r: r["cadres_patrolled"], None),
        (_("Cadres of the zone"), 12, lambda r: r["cadres"], None),
        (_("Last visit"), 18, lambda r: local_time(r["last_visit"]), None),
    ]
    book = Workbook()
    first = book.active
    first.title = _("Sub-districts")[:31]
    _sheet(first, title, subtitle, subdistrict_cols, coverage["subdistricts"])
    _sheet(book.create_sheet(_("Zones")[:31]), title, subtitle, zone_cols, coverage["zones"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
