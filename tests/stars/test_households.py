"""Household ten-star ratings from CSV (UTF-8 with or without BOM, GBK) and XLSX; every bad file named by file,
line and column, and nothing written; the sample file of 兴达路街道; the import command."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from apps.areas.models import Community
from apps.stars.households import HouseholdImportError, import_households
from apps.stars.models import ALL_TEN, TEN_STANDARDS, HouseholdRating
from apps.stars.setup import create_period

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "gis_data" / "households_xingdalu.csv"
HUIMIN, MADU = "410105020001", "410105020202"  # 惠民社区, 马渡村 (兴达路街道)
HEADER = ["户编号", "村社区编码", "户主", *TEN_STANDARDS]
ALL = ["1"] * 10
SOME = ["1", "0", "1", "1", "0", "0", "1", "0", "0", "0"]  # 4 stars


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def period(district):
    return create_period("2026", "2026年度", dt.date(2026, 1, 1), dt.date(2026, 12, 31))[0]


def csv_bytes(rows, encoding="utf-8", header=HEADER):
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def rows_of_two():
    return [[f"{MADU}-0001", MADU, "张三丰", *ALL], [f"{HUIMIN}-0001", HUIMIN, "欧阳娜", *SOME]]


def stored(period):
    return sorted(HouseholdRating.objects.filter(period=period).values_list(
        "household_code", "community__code", "holder", "standards"))


def problems(excinfo):
    return [str(p) for p in excinfo.value.problems]


# --- good files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_in_utf8_or_gbk_is_read_with_its_chinese_names(period, encoding):
    summary = import_households(csv_bytes(rows_of_two(), encoding), period, filename="ratings.csv")
    assert (summary["households"], summary["ten_star"], summary["created"]) == (2, 1, 2)
    assert summary["format"] == ("GBK" if encoding == "gbk" else "UTF-8")
    assert stored(period) == [(f"{HUIMIN}-0001", HUIMIN, "欧阳娜", 0b1001101),
                              (f"{MADU}-0001", MADU, "张三丰", ALL_TEN)]


def test_a_gbk_file_from_disk_with_a_stars_met_column(period, tmp_path):
    path = tmp_path / "兴达路评星.csv"
    path.write_bytes(csv_bytes([[f"{MADU}-0007", MADU, "李四", "文明爱国、遵纪守法，干净整洁 爱心奉献"]], "gbk",
                               header=["户号", "村社区编码", "户主姓名", "达标星"]))
    summary = import_households(path, period)
    assert summary["file"] == "兴达路评星.csv"
    assert stored(period) == [(f"{MADU}-0007", MADU, "李四", 0b1001000101)]


def test_an_xlsx_workbook_with_numeric_cells(period):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([f"{MADU}-0001", int(MADU), "王五", *[1] * 10])
    sheet.append([f"{HUIMIN}-0002", HUIMIN, None, *[0] * 9, 1.0])
    data = io.BytesIO()
    book.save(data)
    summary = import_households(data.getvalue(), period, filename="ratings.xlsx")
    assert (summary["format"], summary["ten_star"]) == ("XLSX", 1)
    assert stored(period) == [(f"{HUIMIN}-0002", HUIMIN, "", 1 << 9), (f"{MADU}-0001", MADU, "王五", ALL_TEN)]


def test_a_title_row_above_the_header_is_skipped_and_lines_still_count_from_the_top(period):
    book = Workbook()
    sheet = book.active
    sheet.append(["兴达路街道2026年度十星文明户评定表"])
    sheet.append(HEADER)
    sheet.append([f"{MADU}-0001", MADU, "王五", *[1] * 10])
    sheet.append([f"{MADU}-0002", "410105020999", "赵六", *[1] * 10])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(HouseholdImportError) as excinfo:
        import_households(data.getvalue(), period, filename="评定表.xlsx")
    assert problems(excinfo) == [
        "评定表.xlsx, line 4, column 村社区编码: Unknown village/community code 410105020999."]
    assert stored(period) == []


def test_importing_again_changes_nothing_and_a_changed_file_updates(period):
    import_households(csv_bytes(rows_of_two()), period, filename="a.csv")
    again = import_households(csv_bytes(rows_of_two()), period, filename="a.csv")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    changed = rows_of_two()
    changed[1][3:] = ALL
    result = import_households(csv_bytes(changed[1:]), period, filename="b.csv")
    assert (result["created"], result["updated"]) == (0, 1)
    assert len(stored(period)) == 2  # the household not in the second file is kept


def test_a_dry_run_writes_nothing(period):
    summary = import_households(csv_bytes(rows_of_two()), period, filename="a.csv", dry_run=True)
    assert summary["households"] == 2 and stored(period) == []


def test_the_sample_file_holds_xingdalus_1216_households_60_of_them_ten_star(period):
    summary = import_households(SAMPLE, period)
    assert (summary["households"], summary["ten_star"], summary["format"]) == (1216, 60, "UTF-8")
    xingdalu = set(Community.objects.filter(subdistrict__name="兴达路街道").values_list("pk", flat=True))
    ratings = HouseholdRating.objects.filter(period=period)
    assert set(ratings.values_list("community_id", flat=True)) == xingdalu
    assert ratings.filter(standards=ALL_TEN).count() == 60


def test_masked_householders(period):
    import_households(csv_bytes(rows_of_two()), period, filename="a.csv")
    assert sorted(r.masked_holder for r in HouseholdRating.objects.all()) == ["张**", "欧**"]


# --- bad files: every problem named, nothing written ------------------------------------------------


@pytest.fixture
def unchanged(period):
    """The period holds one rating before the bad import; it must be exactly the same after."""
    import_households(csv_bytes(rows_of_two()[:1]), period, filename="before.csv")
    before = stored(period)
    yield period
    assert stored(period) == before


def refused(data, period, filename="bad.csv", **kwargs):
    with pytest.raises(HouseholdImportError) as excinfo:
        import_households(data, period, filename=filename, **kwargs)
    return problems(excinfo)


def test_unknown_community_codes_are_named_by_line_and_column(unchanged):
    rows = rows_of_two() + [["X-1", "410105020999", "赵六", *ALL]]
    assert refused(csv_bytes(rows), unchanged) == [
        "bad.csv, line 4, column 村社区编码: Unknown village/community code 410105020999."]


def test_duplicate_households_name_both_lines(unchanged):
    rows = rows_of_two() + [[f"{MADU}-0001", MADU, "张三丰", *SOME]]
    assert refused(csv_bytes(rows), unchanged) == [
        f"bad.csv, line 4, column 户编号: Household {MADU}-0001 is listed twice (first on line 2)."]


def test_stars_outside_the_ten_are_refused(unchanged):
    data = csv_bytes([[f"{MADU}-0002", MADU, "李四", "文明爱国、勤劳节俭"]], header=["户编号", "村社区编码", "户主", "达标星"])
    (message,) = refused(data, unchanged)
    assert message.startswith("bad.csv, line 2, column 达标星: “勤劳节俭” is not one of the ten standards")


def test_a_ten_column_cell_that_is_not_0_or_1_is_refused(unchanged):
    bad = rows_of_two()
    bad[0][5] = "2"
    assert refused(csv_bytes(bad), unchanged) == [
        f"bad.csv, line 2, column {TEN_STANDARDS[2]}: Write 1 (met) or 0 (not met), not “2”."]


def test_every_problem_is_reported_at_once(unchanged):
    rows = [["", MADU, "甲", *ALL], ["H-2", "", "乙", *ALL], ["H-3", "999", "丙", *ALL],
            ["H-4", MADU, "丁", *ALL, "extra"]]
    messages = refused(csv_bytes(rows), unchanged)
    assert [m.split(":")[0] for m in messages] == [
        "bad.csv, line 2, column 户编号", "bad.csv, line 3, column 村社区编码", "bad.csv, line 4, column 村社区编码",
        "bad.csv, line 5"]


@pytest.mark.parametrize(("header", "missing"), [
    (["户编号", "村社区编码", *TEN_STANDARDS], "户主"),
    (["户编号", "户主", *TEN_STANDARDS], "村社区编码"),
    (["户编号", "村社区编码", "户主", *TEN_STANDARDS[:8]], "移风易俗; 爱心奉献"),
    (["户编号", "村社区编码", "户主"], "the ten standard columns"),
])
def test_missing_columns_are_named(unchanged, header, missing):
    (message,) = refused(csv_bytes([["H-1"] * len(header)], header=header), unchanged)
    assert message.startswith("bad.csv, line 1: Missing columns:") and missing in message


def test_both_the_ten_columns_and_a_stars_met_column_is_ambiguous(unchanged):
    (message,) = refused(csv_bytes([], header=[*HEADER, "达标星"]), unchanged)
    assert "either the ten standard columns or one 达标星 column" in message


@pytest.mark.parametrize(("data", "message"), [
    (b"", "bad.csv: The file is empty."),
    (b"\xef\xbb\xbf\n\n", "bad.csv: The file is empty."),
    (csv_bytes([]), "bad.csv: The file has a header but no households."),
])
def test_an_empty_file_is_refused(unchanged, data, message):
    assert refused(data, unchanged) == [message]


def test_a_file_in_another_encoding_is_refused_with_the_line_of_the_first_bad_byte(unchanged):
    data = csv_bytes(rows_of_two()) + f"{MADU}-0009,{MADU},Zoë,{','.join(ALL)}\n".encode("cp1252")
    assert refused(data, unchanged) == [
        "bad.csv, line 4: Byte 0xEB cannot be read as UTF-8 or GBK; save the file as CSV in UTF-8 or GBK."]


def test_a_utf16_file_is_refused(unchanged):
    (message,) = refused(",".join(HEADER).encode("utf-16"), unchanged)
    assert message == "bad.csv, line 1: The file is UTF-16; save it as CSV in UTF-8 or GBK."


def test_a_utf16_file_without_its_bom_is_refused_at_the_first_nul(unchanged):
    (message,) = refused(",".join(HEADER).encode("utf-16-le"), unchanged)
    assert message == "bad.csv, line 1: The file holds a NUL byte: it is not a text CSV."


def test_a_damaged_workbook_and_an_old_xls_are_refused(unchanged):
    assert refused(b"PK\x03\x04 not really a zip", unchanged, filename="bad.xlsx") == [
        "bad.xlsx: Not a readable XLSX workbook."]
    (message,) = refused(b"\xd0\xcf\x11\xe0", unchanged, filename="old.xls")
    assert message.startswith("old.xls: Old Excel .xls files are not read")


def test_communities_outside_the_readers_area_are_refused(unchanged):
    area = Community.objects.filter(code=MADU)
    assert refused(csv_bytes(rows_of_two()), unchanged, communities=area) == [
        f"bad.csv, line 3, column 村社区编码: Village/community {HUIMIN} is outside your area."]


def test_problems_are_capped_with_a_count(unchanged):
    rows = [[f"H-{n}", "999", "某", *ALL] for n in range(60)]
    with pytest.raises(HouseholdImportError) as excinfo:
        import_households(csv_bytes(rows), unchanged, filename="bad.csv")
    assert (len(excinfo.value.problems), excinfo.value.total) == (50, 60)
    assert str(excinfo.value).endswith("… and 10 more problems.")


# --- the command ------------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports(period, tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes(rows_of_two(), "gbk"))
    out = io.StringIO()
    call_command("import_households", str(path), "--period", "2026", stdout=out)
    assert "ratings.csv (GBK): 2 households imported for 2026年度" in out.getvalue()
    assert len(stored(period)) == 2


def test_the_command_refuses_a_bad_file_an_unknown_period_and_a_missing_file(period, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["H-1", "999", "甲", *ALL]]))
    with pytest.raises(CommandError, match="bad.csv, line 2, column 村社区编码: Unknown village/community code 999"):
        call_command("import_households", str(path), "--period", "2026")
    with pytest.raises(CommandError, match="Unknown period 2031"):
        call_command("import_households", str(path), "--period", "2031")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_households", str(tmp_path / "none.csv"), "--period", "2026")
    assert stored(period) == []
