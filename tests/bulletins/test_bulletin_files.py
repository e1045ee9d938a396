"""make_bulletin command, the PDF's text (pdftotext) and the XLSX read back with openpyxl."""

import io
import subprocess

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from apps.areas.models import SubDistrict
from apps.bulletins.models import Bulletin
from apps.bulletins.render import render_xlsx
from apps.stars.models import Branch

pytestmark = pytest.mark.django_db


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_command_writes_a_pdf_with_the_chinese_names_and_numbers(cast, fixture, tmp_path):
    out = tmp_path / "bulletin.pdf"
    call_command("make_bulletin", "--kind", "monthly", "--period", "2026-11", "--out", str(out), stdout=io.StringIO())
    text = pdf_text(out)
    for name in SubDistrict.objects.values_list("name", flat=True):
        assert name in text
    assert "月通报" in text or "monthly" in text.lower()
    branches_a = Branch.objects.filter(community__subdistrict=cast.area_a).count()
    line = next(ln for ln in text.splitlines() if cast.area_a.name in ln)
    assert f"2/{branches_a}" in line.split()  # visits done in November
    row = Bulletin.objects.get(kind="monthly", period="2026-11").data["rows"]
    score = next(r for r in row if r["code"] == cast.area_a.code)["score"]
    assert f"{score:.2f}" in line.split()


def test_command_twice_keeps_one_bulletin(cast, fixture):
    for _ in range(2):
        call_command("make_bulletin", "--kind", "weekly", "--period", "2026-W47", stdout=io.StringIO())
    assert Bulletin.objects.filter(kind="weekly").count() == 1


@pytest.mark.parametrize("kind, period, message", [
    ("monthly", "2026-13", "not a month"),
    ("monthly", "2026-12", "has not ended"),
    ("weekly", "2026-W49", "has not ended"),  # 30 November to 6 December
    ("quarterly", "2026-Q4", "has not ended"),
])
def test_command_refuses_malformed_and_unfinished_periods(cast, kind, period, message):
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("make_bulletin", "--kind", kind, "--period", period, stdout=io.StringIO())
    assert not Bulletin.objects.exists()


def test_xlsx_reads_back_the_same_figures(cast, fixture):
    call_command("make_bulletin", "--kind", "monthly", "--period", "2026-11", stdout=io.StringIO())
    bulletin = Bulletin.objects.get()
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(bulletin))).active
    header = [c.value for c in sheet[3]]
    rows = {r[header.index("Sub-district") if "Sub-district" in header else 1]: r
            for r in sheet.iter_rows(min_row=4, values_only=True)}
    a = rows[cast.area_a.name]
    data = next(r for r in bulletin.data["rows"] if r["code"] == cast.area_a.code)
    assert a[0] == data["rank"]
    assert data["score"] in a and data["findings"]["open"] in a
    assert len(rows) == 18  # 17 sub-districts and the district's totals
