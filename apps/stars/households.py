"""Household ten-star ratings (十星文明户) from a CSV or XLSX file: validate everything, then write.

The file has a header row (a title row or two above it are skipped) and one row per household:

- household code (户编号), village/community code (村社区编码), householder (户主);
- then either ten 0/1 columns named by the ten standards (文明爱国 ... 爱心奉献),
  or one "stars met" column (达标星) listing the standards met, separated by
  、 , ， ; ； / or spaces.

CSV files may be UTF-8 (with or without BOM) or GBK/GB18030, the two that
spreadsheet programs here save; we try UTF-8 strictly first, then GB18030 (a
superset of GBK). Anything else is refused with the line of the first byte
that neither can read (where the better-fitting of the two first fails).

Every problem (file, line, column, what is wrong) is collected before anything
is written; a file with any problem writes nothing. A clean file is written in
one transaction as an upsert on (period, household code), so importing the same
file twice changes nothing. Households in the database but not in the file are
kept: a file may cover one sub-district.
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from apps.areas.models import Community
from apps.stars.models import ALL_TEN, TEN_STANDARDS, HouseholdRating, Period

COLUMNS = {
    "household_code": ("户编号", "household_code", "household code", "户号", "户码"),
    "community_code": ("村社区编码", "community_code", "community code", "村（社区）编码", "社区编码", "村社区代码"),
    "holder": ("户主", "householder", "holder", "户主姓名"),
}
STARS_MET = ("达标星", "stars_met", "stars met", "达标项目")
STAR_SEPARATORS = re.compile(r"[、,，;；/\s]+")
TRUE_CELLS, FALSE_CELLS = {"1"}, {"0", ""}
MAX_CODE, MAX_HOLDER = 30, 40
MAX_PROBLEMS = 50  # reported; the count says how many more there were
MAX_ROWS = 200_000
HEADER_SEARCH = 5  # rows searched for the header, below a title row or two
CHUNK = 2000  # codes per IN (...) list


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self):
        where = self.file
        if self.line is not None:
            where += _(", line %(line)s") % {"line": self.line}
        if self.column:
            where += _(", column %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


class HouseholdImportError(Exception):
    """The file cannot be imported; `problems` lists what is wrong (at most MAX_PROBLEMS), `total` how many."""

    def __init__(self, problems, total=None):
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        lines = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(_("… and %(n)s more problems.") % {"n": self.total - len(self.problems)})
        super().__init__("\n".join(lines))


# --- reading bytes into rows --------------------------------------------------------------------


def _load(source, filename):
    if isinstance(source, (bytes, bytearray, memoryview)):
        return filename or "upload", bytes(source)
    if hasattr(source, "read"):
        data = source.read()
        return filename or Path(getattr(source, "name", "upload")).name, data
    path = Path(source)
    return filename or path.name, path.read_bytes()


def decode(data, name):
    """(text, encoding label): UTF-8 (BOM optional) or GBK/GB18030; HouseholdImportError otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise HouseholdImportError([Problem(name, 1, None, _(
            "The file is UTF-16; save it as CSV in UTF-8 or GBK."))])
    if b"\x00" in data:  # never in UTF-8 or GBK text; UTF-16 without its BOM is full of them
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise HouseholdImportError([Problem(name, line, None, _("The file holds a NUL byte: it is not a text CSV."))])
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        utf8_at = exc.start + bom
    try:
        return data.decode("gb18030"), "GBK"
    except UnicodeDecodeError as exc:
        gbk_at = exc.start
    at = max(utf8_at, gbk_at)
    line = data.count(b"\n", 0, at) + 1
    raise HouseholdImportError([Problem(name, line, None, _(
        "Byte 0x%(byte)02X cannot be read as UTF-8 or GBK; save the file as CSV in UTF-8 or GBK.")
        % {"byte": data[at]})])


def _csv_rows(data, name):
    text, encoding = decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    line = 1
    try:
        for cells in reader:
            rows.append((line, [c.strip() for c in cells]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise HouseholdImportError([Problem(name, reader.line_num, None, _("Not a readable CSV: %(error)s")
                                            % {"error": exc})]) from None
    return rows, encoding


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data, name):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError, ValueError... for a damaged file
        raise HouseholdImportError([Problem(name, None, None, _("Not a readable XLSX workbook."))]) from None
    try:
        sheet = book.worksheets[0]
        rows = [(n, [_cell_text(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()
    return rows, "XLSX"


def read_rows(data, name):
    """[(line, cells)] of the first sheet or the CSV, and the encoding or format."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise HouseholdImportError([Problem(name, None, None, _(
            "Old Excel .xls files are not read; save the sheet as .xlsx or CSV."))])
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        rows, kind = _xlsx_rows(data, name)
    else:
        rows, kind = _csv_rows(data, name)
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        raise HouseholdImportError([Problem(name, None, None, _("The file is empty."))])
    return rows, kind


# --- validating rows ----------------------------------------------------------------------------


class _Checker:
    def __init__(self, name, communities, allowed):
        self.name = name
        self.problems = []
        self.total = 0
        self.communities = communities
        self.allowed = allowed

    def problem(self, line, column, message):
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.name, line, column, message))

    def columns(self, line, header):
        """{field: index} from the header, or None after noting what is missing."""
        normal = [h.strip().lstrip("\ufeff").lower() for h in header]
        found = {}
        for field, names in COLUMNS.items():
            found[field] = next((normal.index(n.lower()) for n in names if n.lower() in normal), None)
        stars_met = next((normal.index(n.lower()) for n in STARS_MET if n.lower() in normal), None)
        standards = {s: normal.index(s) for s in TEN_STANDARDS if s in normal}
        missing = [COLUMNS[f][0] for f, i in found.items() if i is None]
        if stars_met is not None and standards:
            self.problem(line, None, _("Use either the ten standard columns or one %(col)s column, not both.")
                         % {"col": STARS_MET[0]})
        elif stars_met is None and len(standards) < len(TEN_STANDARDS):
            if standards:
                missing += [s for s in TEN_STANDARDS if s not in standards]
            else:
                missing.append(_("the ten standard columns (%(names)s) or a %(col)s column")
                               % {"names": "、".join(TEN_STANDARDS), "col": STARS_MET[0]})
        if missing:
            self.problem(line, None, _("Missing columns: %(names)s.") % {"names": "; ".join(missing)})
        if self.total:
            return None
        found["stars_met"] = stars_met
        found["standards"] = standards
        found["width"] = len(header)
        return found

    def row(self, line, cells, cols, header):
        def cell(index):
            return cells[index] if index is not None and index < len(cells) else ""

        ok = True
        if len(cells) > cols["width"] and any(cells[cols["width"]:]):
            self.problem(line, None, _("The row has %(n)s cells but the header has %(m)s columns.")
                         % {"n": len(cells), "m": cols["width"]})
            ok = False
        code = cell(cols["household_code"])
        col = header[cols["household_code"]]
        if not code:
            self.problem(line, col, _("The household code is empty."))
            ok = False
        elif len(code) > MAX_CODE:
            self.problem(line, col, _("The household code is longer than %(n)s characters.") % {"n": MAX_CODE})
            ok = False
        community = cell(cols["community_code"])
        col = header[cols["community_code"]]
        community_id = self.communities.get(community)
        if not community:
            self.problem(line, col, _("The village/community code is empty."))
            ok = False
        elif community_id is None:
            self.problem(line, col, _("Unknown village/community code %(code)s.") % {"code": community})
            ok = False
        elif self.allowed is not None and community_id not in self.allowed:
            self.problem(line, col, _("Village/community %(code)s is outside your area.") % {"code": community})
            ok = False
        holder = cell(cols["holder"])
        if len(holder) > MAX_HOLDER:
            self.problem(line, header[cols["holder"]], _("The householder's name is longer than %(n)s characters.")
                         % {"n": MAX_HOLDER})
            ok = False
        standards = self.standards(line, cell, cols, header)
        if standards is None or not ok:
            return None
        return code, community_id, holder, standards

    def standards(self, line, cell, cols, header):
        bits = 0
        ok = True
        if cols["stars_met"] is not None:
            col = header[cols["stars_met"]]
            for token in STAR_SEPARATORS.split(cell(cols["stars_met"])):
                if not token:
                    continue
                if token not in TEN_STANDARDS:
                    self.problem(line, col, _("“%(name)s” is not one of the ten standards (%(names)s).")
                                 % {"name": token, "names": "、".join(TEN_STANDARDS)})
                    ok = False
                else:
                    bits |= 1 << TEN_STANDARDS.index(token)
            return bits if ok else None
        for n, standard in enumerate(TEN_STANDARDS):
            value = cell(cols["standards"][standard])
            if value in TRUE_CELLS:
                bits |= 1 << n
            elif value not in FALSE_CELLS:
                self.problem(line, standard, _("Write 1 (met) or 0 (not met), not “%(value)s”.") % {"value": value})
                ok = False
        return bits if ok else None


def header_index(rows):
    """The header is the first row naming a household-code column among the first HEADER_SEARCH rows
    (exported sheets often carry a title row above it); failing that, the first row."""
    names = {n.lower() for n in COLUMNS["household_code"]}
    for index, (_line, cells) in enumerate(rows[:HEADER_SEARCH]):
        if any(c.strip().lstrip("\ufeff").lower() in names for c in cells):
            return index
    return 0


def validate(rows, name, *, communities=None):
    """[(household code, community id, holder, standards bits)] or HouseholdImportError with every problem."""
    known = dict(Community.objects.values_list("code", "pk"))
    allowed = None if communities is None else set(communities.values_list("pk", flat=True))
    checker = _Checker(name, known, allowed)
    at = header_index(rows)
    (header_line, header), body = rows[at], rows[at + 1:]
    cols = checker.columns(header_line, header)
    if cols is None:
        raise HouseholdImportError(checker.problems, checker.total)
    if not body:
        raise HouseholdImportError([Problem(name, None, None, _("The file has a header but no households."))])
    if len(body) > MAX_ROWS:
        raise HouseholdImportError([Problem(name, None, None, _("The file has more than %(n)s households; split it.")
                                            % {"n": MAX_ROWS})])
    seen = {}
    parsed = []
    for line, cells in body:
        row = checker.row(line, cells, cols, header)
        code = cells[cols["household_code"]] if cols["household_code"] < len(cells) else ""
        if code and code in seen:
            checker.problem(line, header[cols["household_code"]], _(
                "Household %(code)s is listed twice (first on line %(first)s).") % {"code": code, "first": seen[code]})
            continue
        if code:
            seen[code] = line
        if row is not None:
            parsed.append(row)
    if checker.total:
        raise HouseholdImportError(checker.problems, checker.total)
    return parsed


# --- writing ------------------------------------------------------------------------------------


def write_ratings(period, rows):
    """Upsert [(household code, community id, holder, standards)] for the period; return counts.

    The caller holds the transaction (import_households, the sample seed).
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    codes = [r[0] for r in rows]
    existing = {}
    for start in range(0, len(codes), CHUNK):
        for rating in HouseholdRating.objects.filter(period=period, household_code__in=codes[start:start + CHUNK]):
            existing[rating.household_code] = rating
    new, changed = [], []
    for code, community_id, holder, standards in rows:
        rating = existing.get(code)
        if rating is None:
            new.append(HouseholdRating(period=period, household_code=code, community_id=community_id,
                                       holder=holder, standards=standards))
        elif (rating.community_id, rating.holder, rating.standards) != (community_id, holder, standards):
            rating.community_id, rating.holder, rating.standards = community_id, holder, standards
            changed.append(rating)
        else:
            counts["unchanged"] += 1
    HouseholdRating.objects.bulk_create(new, batch_size=1000)
    HouseholdRating.objects.bulk_update(changed, ["community", "holder", "standards"], batch_size=1000)
    counts["created"], counts["updated"] = len(new), len(changed)
    return counts


def import_households(source, period, *, filename=None, communities=None, dry_run=False):
    """Import ratings for `period` (a Period or its code) from bytes, a path or an open file.

    `communities` (a queryset) limits the rows to a person's area; `dry_run`
    validates only. Returns a summary dict; HouseholdImportError lists every
    problem and nothing is written.
    """
    name, data = _load(source, filename)
    if not isinstance(period, Period):
        found = Period.objects.filter(code=str(period)).first()
        if found is None:
            raise HouseholdImportError([Problem(name, None, None, _("Unknown period %(code)s.") % {"code": period})])
        period = found
    rows, kind = read_rows(data, name)
    parsed = validate(rows, name, communities=communities)
    summary = {
        "file": name, "format": kind, "period": period.code, "households": len(parsed),
        "ten_star": sum(1 for r in parsed if r[3] == ALL_TEN), "communities": len({r[1] for r in parsed}),
        "created": 0, "updated": 0, "unchanged": 0, "dry_run": dry_run,
    }
    if not dry_run:
        with transaction.atomic():
            summary.update(write_ratings(period, parsed))
    return summary
