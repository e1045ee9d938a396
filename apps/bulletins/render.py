"""A stored bulletin as PDF (WeasyPrint, Noto CJK through fontconfig) and as XLSX (openpyxl).

WeasyPrint lays out HTML with Pango and embeds a subset of the font it found,
so the PDF shows the Chinese names on any reader, with no font installed
there. fonts-noto-cjk (deploy/setup.sh) provides "Noto Sans CJK SC".
"""

import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from apps.bulletins.compute import RULES
from apps.bulletins.models import Kind
from apps.bulletins.present import table


def title(bulletin):
    return f"{Kind(bulletin.kind).label} {bulletin.period}"


def render_pdf(bulletin, *, base_url=None):
    """The PDF bytes. With `base_url` (the site's address) each number links to its list."""
    from weasyprint import HTML  # imported late: loading Pango costs a tenth of a second

    html = render_to_string("bulletins/pdf.html", {
        "bulletin": bulletin, "title": title(bulletin), "table": table(bulletin), "rules": RULES,
        "links": base_url is not None,
    })
    return HTML(string=html, base_url=base_url).write_pdf()


def render_xlsx(bulletin):
    """The XLSX bytes: one sheet of the table (rates as fractions formatted as percentages) and the rules."""
    data = table(bulletin)
    book = Workbook()
    sheet = book.active
    sheet.title = bulletin.period
    sheet.append([title(bulletin)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("From %(first)s to %(last)s") % {"first": bulletin.starts_on.isoformat(),
                                                     "last": bulletin.ends_on.isoformat()}])
    sheet.append([str(c["label"]) for c in data["columns"]])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for row in data["rows"] + [{"cells": data["totals"]}]:
        sheet.append([c["value"] if c["key"] != "name" else c["text"] for c in row["cells"]])
        for cell, source in zip(sheet[sheet.max_row], row["cells"]):
            if source["rate"] and cell.value is not None:
                cell.number_format = "0.0%"
    sheet.cell(row=sheet.max_row, column=[c["key"] for c in data["columns"]].index("name") + 1).font = Font(bold=True)
    for index, column in enumerate(data["columns"], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 16 if column["key"] == "name" else 11
    sheet.freeze_panes = "A4"
    rules = book.create_sheet(_("Rules"))
    for _key, text in RULES:
        rules.append([str(text)])
    rules.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
