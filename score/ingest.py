"""Read and validate one country's submission: CSV files or one XLSX workbook.

Everything is read as text first (pandas never infers a type), then each column is converted
as score.contract says. Every problem is collected, none raises: the report names file, sheet,
Excel row (header = row 1), column, the offending value, what is wrong and how to fix it, all
through `_()`. Typed frames are handed out only when there is no error.

Choices worth knowing (see the tests in tests/test_ingest.py and the corpus in tests/bad_files):
- Encodings: BOM first (UTF-8, UTF-16), then strict UTF-8, then charset-normalizer. When it
  proposes any Latin single-byte code page we read Windows-1252, which is what Excel writes in
  Western locales (short texts cannot tell cp1250 from cp1252 and a wrong guess mangles "Ñ").
  A file that mixes UTF-8 and another encoding is rejected instead of half-mangled.
- Numbers: the decimal mark is taken from unambiguous values such as "6,2442" in the file's
  decimal columns, else from the separator (";" goes with a decimal comma). "1.234" (one group of
  three digits) is thousands when the file's decimal mark is the other one; when the mark is unknown
  it is taken only if the column admits just one reading (a latitude cannot be 6244, a headcount
  cannot be 1.234), otherwise it is reported as ambiguous. Counts must be whole numbers.
- Headers: case, spaces and punctuation are forgiven ("Enterprise ID" is read as enterprise_id, with
  a warning); a real near-miss ("worker_female") is an error that suggests the right name.
- Dates: YYYY-MM-DD, DD/MM/YYYY, Excel date cells and Excel serial numbers. A column that holds
  month-first dates (03/15/2011) is not guessed: those rows and the ambiguous ones are errors.
- Row loops only ever run over distinct bad values or over the capped issue list, so a file with
  a million rows is validated with vectorised pandas operations.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import json
import logging
import re
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from score import config, contract
from score.contract import TABLES, Column, Table
from score.i18n import _, fmt_int, label, ngettext
from score.templates import EXAMPLE_SUFFIX, helper_sheet_names

__all__ = [
    "ISSUE_COLUMNS",
    "MAX_ISSUES_PER_RULE",
    "Issue",
    "ValidationReport",
    "load_country_dir",
    "validate_paths",
    "validate_submission",
]

ERROR = "error"
WARNING = "warning"
ISSUE_COLUMNS = ["severity", "file", "sheet", "row", "column", "value", "problem", "fix", "count", "rows", "cause"]
MAX_ISSUES_PER_RULE = 200  # per file, column and rule; the rest is summed up in one issue
MAX_ROWS_PER_ISSUE = 10_000  # a grouped issue lists at most this many rows (and counts them all)
ROWS_SHOWN = 12  # rows listed in the report for people before "… (n rows)"
VALUE_CHARS = 80
COORDINATE_MARGIN_DEG = 0.5  # coasts and the coarse 1:110m outlines
FOLLOW_UP_JUMP = 10  # a follow-up value above 10x its baseline is flagged
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_UNPACKED_FACTOR = 20  # an .xlsx may unpack to at most this many times the upload limit
# Workbook bombs: a few hundred KB of zip can unpack to gigabytes of sheet XML (issue 10, point 5). Refused before
# parsing when the archive says so, and while reading when the sheets do (openpyxl's read-only mode streams rows).
MAX_WORKBOOK_UNPACKED_MB = 200  # real country workbooks unpack to a few MB; 100,000 rows x 13 columns ~ 60 MB
MAX_WORKBOOK_RATIO = 100  # unpacked / packed; sheet XML compresses 5-20 times, a bomb hundreds of times
MAX_WORKBOOK_ROWS = 500_000  # per sheet (Excel itself stops at 1,048,576)
MAX_WORKBOOK_CELLS = 2_000_000  # over all sheets, empty cells included (the demo country workbook: ~20,000)
_HEADER_SEARCH_ROWS = 10
# The widest table has 13 columns. A far wider row is a broken export, and a line of a million separators
# would otherwise be parsed into a million columns (gigabytes of memory; found by tests/test_fuzz_ingest.py).
MAX_COLUMNS = 500
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")
# Latin-script single-byte code pages that charset-normalizer cannot tell apart on short texts.
_WESTERN_CODEPAGES = frozenset(
    ["ascii", "cp1250", "cp1252", "cp1254", "cp1257", "cp437", "cp850", "latin_1", "mac_roman", "mac_latin2"]
    + [f"iso8859_{n}" for n in (1, 2, 3, 4, 9, 10, 13, 14, 15, 16)]
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DTYPES = {"text": "string", "code": "string", "int": "Int64", "float": "Float64", "date": "datetime64[ns]"}
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    severity: str  # "error" | "warning"
    file: str  # file name as uploaded
    sheet: str | None  # sheet name for XLSX, else None
    row: int | None  # Excel row number: header is row 1, first data row is 2 (a group: its first row)
    column: str | None
    value: str | None  # offending raw value, truncated
    problem: str
    fix: str
    count: int = 0  # rows this issue stands for (0: the file or sheet as a whole)
    rows: tuple[int, ...] = ()  # every row it stands for (at most MAX_ROWS_PER_ISSUE)
    cause: str | None = None  # knock-on errors: the `key` of the issue that causes them
    key: str | None = None  # an issue that others name as their cause

    @property
    def rows_text(self) -> str:
        """The rows for people: "5, 6", "2–9, 40", "2–9, 40, 41 … (1,234 rows)"."""
        return rows_text(self.rows, self.count)


def rows_text(rows: Sequence[int], count: int | None = None) -> str:
    """Row numbers as people read them: runs collapsed ("2–9"), the first ROWS_SHOWN runs, then the total."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    parts = [f"{a}" if a == b else f"{a}, {b}" if b == a + 1 else f"{a}\u2013{b}" for a, b in runs[:ROWS_SHOWN]]
    shown = ", ".join(parts)
    total = max(count or 0, len(set(rows)))
    if len(runs) > ROWS_SHOWN or total > len(set(rows)):
        shown += " … " + ngettext("({count} row)", "({count} rows)", total, count=f"{total:,}")
    return shown


@dataclass
class ValidationReport:
    country: str
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # only when there is no error
    files: list[dict[str, object]] = field(default_factory=list)  # file, sheet, table, rows: what was read

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not any(i.severity == ERROR for i in self.issues)

    def to_frame(self) -> pd.DataFrame:
        """Every issue as one row, language-neutral column names (for machines and tests)."""
        records = [asdict(i) | {"rows": " ".join(map(str, i.rows))} for i in self.issues]
        frame = pd.DataFrame(records, columns=ISSUE_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        frame["count"] = frame["count"].astype("Int64")
        return frame

    def ordered(self) -> list[Issue]:
        """Issues for people: errors first, each cause followed by its knock-on errors."""
        keyed = {i.key for i in self.issues if i.key}
        children: dict[str, list[Issue]] = {}
        top: list[Issue] = []
        for issue in self.issues:
            if issue.cause in keyed:
                children.setdefault(issue.cause, []).append(issue)
            else:
                top.append(issue)
        top.sort(key=lambda i: i.severity != ERROR)  # stable: the files' own order within each severity
        out: list[Issue] = []
        for issue in top:
            out.append(issue)
            out.extend(children.get(issue.key, []) if issue.key else [])
        return out

    def for_people(self, compact: bool = False) -> pd.DataFrame:
        """The report as people read it, in the current language: translated headers and severities, knock-on
        errors right under their cause (marked ↳), rows as "5, 6" or "2–9", no Sheet column for CSV files.

        `compact`: for the screen, file, sheet, rows and column in one "Where" column, so that Problem and
        Fix keep their width on a 1280 px screen (the CSV download has them apart)."""
        labels = report_headers()
        severity = {ERROR: _("Error"), WARNING: _("Warning")}
        issues = self.ordered()
        records = [
            {
                "severity": severity.get(i.severity, i.severity),
                "file": i.file,
                "sheet": i.sheet or "",
                "rows": i.rows_text,
                "column": i.column or "",
                "value": i.value if i.value is not None else "",
                "problem": ("\u21b3 " if i.cause else "") + i.problem,
                "fix": i.fix,
            }
            for i in issues
        ]
        frame = pd.DataFrame(records, columns=list(labels))
        if compact:
            parts = [
                " · ".join(p for p in (r["file"], r["sheet"], _where_rows(i), r["column"]) if p)
                for r, i in zip(records, issues, strict=True)
            ]
            frame = frame.drop(columns=["file", "sheet", "rows", "column"]).assign(where=parts)
            order = ["severity", "where", "value", "problem", "fix"]
            return frame[order].rename(columns=labels | {"where": _("Where")})
        if not any(i.sheet for i in issues):
            frame = frame.drop(columns="sheet")
        return frame.rename(columns=labels)

    def file_summary(self) -> pd.DataFrame:
        """One line per file (and sheet): rows read, errors, warnings; for the top of the report."""
        labels = {
            "file": _("File"),
            "sheet": _("Sheet"),
            "table": _("Table"),
            "rows": _("Data rows"),
            "errors": _("Errors"),
            "warnings": _("Warnings"),
        }
        lines: dict[tuple[str, str], dict[str, object]] = {}
        for item in self.files:
            lines[(item["file"], item.get("sheet") or "")] = {**item, "errors": 0, "warnings": 0}
        for issue in self.issues:
            line = lines.get((issue.file, issue.sheet or "")) or lines.get((issue.file, ""))
            if line is None:
                line = lines.setdefault(
                    (issue.file, issue.sheet or ""),
                    {"file": issue.file, "sheet": issue.sheet or "", "table": "", "rows": None, "errors": 0},
                )
                line["warnings"] = 0
            line["errors" if issue.severity == ERROR else "warnings"] += 1
        frame = pd.DataFrame(list(lines.values()), columns=list(labels))
        frame["rows"] = frame["rows"].astype("Int64")
        if not (frame["sheet"].fillna("") != "").any():
            frame = frame.drop(columns="sheet")
        return frame.rename(columns=labels)

    def to_json(self) -> str:
        payload = {
            "country": self.country,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "rows": {name: len(frame) for name, frame in self.tables.items()},
            "issues": [asdict(i) for i in self.issues],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2)

    def summary(self) -> str:
        n_err, n_warn = len(self.errors), len(self.warnings)
        if self.ok:
            head = _(
                "{country}: accepted, {errors} errors, {warnings} warnings.",
                country=self.country or "?",
                errors=n_err,
                warnings=n_warn,
            )
        else:
            head = _(
                "{country}: rejected, {errors} errors, {warnings} warnings. Nothing was changed.",
                country=self.country or "?",
                errors=n_err,
                warnings=n_warn,
            )
        lines = [head]
        if self.tables:
            counts = ", ".join(f"{name} {len(frame):,}" for name, frame in self.tables.items())
            lines.append(_("Rows read: {counts}", counts=counts))
        for issue in self.ordered():
            tag = _("ERROR") if issue.severity == ERROR else _("WARNING")
            lines.append(f"{tag:8} {'↳ ' if issue.cause else ''}{_location(issue)}: {issue.problem}")
            if issue.value is not None:
                lines.append("         " + _("Value: {value}", value=repr(issue.value)))
            lines.append("         " + _("Fix: {fix}", fix=issue.fix))
        return "\n".join(lines)


def _where_rows(issue: Issue) -> str:
    if issue.count > 1:
        return _("rows {rows}", rows=issue.rows_text)
    return _("row {row}", row=issue.row) if issue.row is not None else ""


def report_headers() -> dict[str, str]:
    """Column names of the report for people (screen and CSV download), in the current language."""
    return {
        "severity": _("Severity"),
        "file": _("File"),
        "sheet": _("Sheet"),
        "rows": _("Rows"),
        "column": _("Column"),
        "value": _("Value"),
        "problem": _("Problem"),
        "fix": _("Fix"),
    }


def _location(issue: Issue) -> str:
    parts = [issue.file or _("upload")]
    if issue.sheet:
        parts.append(_("sheet {sheet}", sheet=issue.sheet))
    if issue.count > 1:
        parts.append(_("rows {rows}", rows=issue.rows_text))
    elif issue.row is not None:
        parts.append(_("row {row}", row=issue.row))
    if issue.column:
        parts.append(_("column {column}", column=issue.column))
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# Issue collection
# --------------------------------------------------------------------------------------------


def _clip(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


class _Issues:
    def __init__(self) -> None:
        self.items: list[Issue] = []

    def add(
        self,
        severity: str,
        file: str,
        problem: str,
        fix: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        rows: Sequence[int] = (),
        count: int | None = None,
        cause: str | None = None,
        key: str | None = None,
    ) -> None:
        row = None if row is None else int(row)
        listed = tuple(int(r) for r in rows[:MAX_ROWS_PER_ISSUE]) or ((row,) if row is not None else ())
        first = listed[0] if listed else row
        total = len(rows) if count is None and rows else count if count is not None else len(listed)
        self.items.append(
            Issue(severity, file, sheet, first, column, _clip(value), problem, fix, total, listed, cause, key)
        )

    def add_groups(
        self,
        severity: str,
        where: _Source,
        column: str | None,
        values: pd.Series,
        selector: pd.Series,
        problem: Callable[[str, int], str],
        fix: Callable[[str, int], str],
        cause: str | None = None,
    ) -> int:
        """One issue per distinct value among the selected rows, naming all its rows (knock-on errors and
        repeated mistakes read as one line each, with the count and the rows). `problem(value, n)` and
        `fix(value, n)` write the texts. At most MAX_ISSUES_PER_RULE values, then one "and N more" issue."""
        chosen = values[selector.fillna(False).astype(bool)]
        if chosen.empty:
            return 0
        groups = pd.Series(chosen.index, index=chosen.index).groupby(chosen.astype(str).to_numpy(), sort=False)
        order = sorted(groups.indices.items(), key=lambda item: item[1][0])
        for text, positions in order[:MAX_ISSUES_PER_RULE]:
            rows = chosen.index[positions].tolist()
            n = len(rows)
            self.add(
                severity,
                where.file,
                problem(text, n),
                fix(text, n),
                sheet=where.sheet,
                column=column,
                value=text,
                rows=rows,
                count=n,
                cause=cause,
            )
        if len(order) > MAX_ISSUES_PER_RULE:
            rest = order[MAX_ISSUES_PER_RULE:]
            self.add(
                severity,
                where.file,
                _("... and {count} more values with the same problem.", count=f"{len(rest):,}"),
                _("See the rows listed above."),
                sheet=where.sheet,
                column=column,
                count=sum(len(p) for _t, p in rest),
                cause=cause,
            )
        return len(chosen)

    def add_rows(
        self,
        severity: str,
        where: _Source,
        column: str | None,
        selector: pd.Series | pd.Index | Sequence[int],
        values: pd.Series | Sequence[object] | None,
        problem: str | pd.Series | Sequence[str],
        fix: str | pd.Series | Sequence[str],
    ) -> int:
        """One issue per row, at most MAX_ISSUES_PER_RULE, then one "and N more" issue.

        `selector` is a boolean Series indexed by Excel row number, or the row numbers. `values`,
        `problem` and `fix` are each a scalar, a Series indexed by row number (looked up), or a list
        aligned with the selected rows (only its first MAX_ISSUES_PER_RULE items are used).
        """
        if isinstance(selector, pd.Series) and selector.dtype == bool:
            rows = selector.index[selector.to_numpy()]
        else:
            rows = pd.Index(selector)
        total = len(rows)
        if total == 0:
            return 0
        take = min(total, MAX_ISSUES_PER_RULE)
        shown = rows[:take]

        def head(items: Any) -> list[Any]:
            if items is None:
                return [None] * take
            if isinstance(items, str):
                return [items] * take
            if isinstance(items, pd.Series):
                return items.loc[shown].tolist()
            return list(items[:take])

        for row, value, prob, fx in zip(shown.tolist(), head(values), head(problem), head(fix), strict=True):
            self.add(severity, where.file, prob, fx, sheet=where.sheet, row=row, column=column, value=value)
        if total > take:
            self.add(
                severity,
                where.file,
                _("... and {count} more rows with the same problem.", count=f"{total - take:,}"),
                fix if isinstance(fix, str) else _("See the rows listed above."),
                sheet=where.sheet,
                column=column,
                count=total - take,
            )
        return total


@contextmanager
def _guard(issues: _Issues, file: str, step: str) -> Iterator[None]:
    """A bug in a check must reject the upload with a message, never crash the upload page."""
    try:
        yield
    except Exception as error:
        logging.getLogger(__name__).exception("validation step failed: %s (%s)", step, file)
        issues.add(
            ERROR,
            file,
            _(
                "The validator failed while {step} ({detail}), so the upload cannot be accepted.",
                step=step,
                detail=f"{type(error).__name__}: {error}",
            ),
            _("Please send the file to the HQ team so that they can fix the validator."),
        )


# --------------------------------------------------------------------------------------------
# Names: files, sheets, columns, codes
# --------------------------------------------------------------------------------------------


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _norm_name(text: str) -> str:
    """Column/sheet names compared loosely: 'Enterprise ID ' -> 'enterprise_id'."""
    return re.sub(r"[^a-z0-9]+", "_", _ascii_fold(text)).strip("_")


def _norm_code(text: str) -> str:
    """Codes compared loosely: 'Follow-up' / 'follow up' -> 'follow_up', 'osh' -> 'osh'."""
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def _table_for_name(name: str) -> str | None:
    """Which contract table a file or sheet name stands for: 'COL_enterprises (2).csv' -> enterprises.

    The name of the table (or its singular) must appear in the name; when several do (e.g.
    'logframe_indicators'), the earliest wins.
    """
    compact = re.sub(r"[^a-z0-9]+", "", _ascii_fold(Path(name).stem if "." in name else name))
    found = []
    for table in TABLES:
        position = compact.find(table.removesuffix("s"))
        if position >= 0:
            found.append((position, table))
    return min(found)[1] if found else None


def contract_file(name: str) -> bool:
    """Whether an uploaded file can hold contract data (a workbook, or a text file named after a table). Only
    these are archived and published: anything else (a note, a DEMO_DATA.txt marker) never reaches the data."""
    suffix = Path(name).suffix.lower()
    return suffix in WORKBOOK_SUFFIXES or (suffix in TEXT_SUFFIXES and _table_for_name(Path(name).name) is not None)


def _countries_in_name(name: str) -> list[str]:
    known = set(contract.code_list("country"))
    tokens = re.split(r"[^A-Za-z0-9]+", Path(name).stem)
    return [t.upper() for t in tokens if t.upper() in known]


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def _code_aliases(code_list: str) -> dict[str, str]:
    return {_norm_code(code): code for code in contract.code_list(code_list)}


def _suggest(value: str, candidates: Sequence[str]) -> str | None:
    """The closest candidate to `value` (names compared loosely), or None."""
    norm = {_norm_name(c): c for c in candidates}
    target = _norm_name(value)
    if not target:
        return None
    match = difflib.get_close_matches(target, list(norm), n=1, cutoff=0.6)
    if match:
        return norm[match[0]]
    if len(target) >= 3:  # "lat" -> latitude, "consultation" -> consultation_visits
        prefixed = [c for n, c in norm.items() if n.startswith(target) or target.startswith(n)]
        if len(prefixed) == 1:
            return prefixed[0]

    def stems(name: str) -> set[str]:  # "join_date" ~ "joined_on" share the word stem "join"
        return {word[:4] for word in name.split("_") if len(word) >= 4}

    shared = [c for n, c in norm.items() if stems(n) & stems(target)]
    return shared[0] if len(shared) == 1 else None


# --------------------------------------------------------------------------------------------
# Reading: bytes -> text -> grid of strings -> raw frame per table
# --------------------------------------------------------------------------------------------


@dataclass
class _Source:
    """One table as read from a CSV file or a sheet: text cells, indexed by Excel row number."""

    file: str
    sheet: str | None
    table: Table
    frame: pd.DataFrame
    header_row: int = 1
    decimal: str | None = "."
    typed: pd.DataFrame | None = None
    foreign: pd.Series | None = None  # rows whose enterprise_id names another country
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # repeated key value -> its rows

    @property
    def display(self) -> str:
        return f"{self.file} ({self.sheet})" if self.sheet else self.file


@dataclass
class _Submission:
    issues: _Issues
    names: list[str]
    sources: dict[str, _Source] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # present but unreadable: no "missing" error
    workbook: str | None = None
    sheet_names: list[str] = field(default_factory=list)


def _formats_fix() -> str:
    return _(
        "Upload CSV files (enterprises.csv, training.csv, indicators.csv and optionally logframe.csv) "
        "or one Excel workbook (.xlsx) with sheets of the same names. The templates show the layout."
    )


def _save_as_utf8_fix() -> str:
    return _("Open the file in Excel and save it again as 'CSV UTF-8 (Comma delimited) (*.csv)'.")


def _unsupported(name: str, data: bytes) -> tuple[str, str]:
    suffix = Path(name).suffix.lower()
    if suffix == ".xls" or (data.startswith(_OLE_MAGIC) and suffix not in (".doc", ".ppt")):
        return (
            _("Old Excel 97-2003 workbooks (.xls) cannot be read."),
            _("Open it in Excel and use 'Save as' > 'Excel Workbook (*.xlsx)'."),
        )
    if suffix == ".ods":
        return (
            _("OpenDocument spreadsheets (.ods) cannot be read."),
            _("Save it as 'Excel 2007-365 (.xlsx)' or as CSV (UTF-8)."),
        )
    if suffix == ".zip" or data.startswith(_ZIP_MAGIC):
        return (_("Zip archives cannot be read."), _("Unzip it and upload the files inside.") + " " + _formats_fix())
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        return (_("PDF files cannot be read: they hold no table data."), _formats_fix())
    return (_("Files of type '{suffix}' cannot be read.", suffix=suffix or name), _formats_fix())


def _read_submission(files: Mapping[str, bytes], oversized: Mapping[str, int] | None = None) -> _Submission:
    issues = _Issues()
    sub = _Submission(issues, list(files) + list(oversized or {}))
    limit = config.MAX_UPLOAD_MB * 1024 * 1024
    sizes = {name: len(data) for name, data in files.items()} | dict(oversized or {})
    if not sizes:
        issues.add(ERROR, "", _("No file was uploaded."), _formats_fix())
        return sub

    texts: list[str] = []
    books: list[str] = []
    for name, size in sizes.items():
        data = files.get(name, b"")
        suffix = Path(name).suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            books.append(name)
        elif suffix in TEXT_SUFFIXES:
            texts.append(name)
        else:
            problem, fix = _unsupported(name, bytes(data[:8]))
            issues.add(ERROR, name, problem, fix)
            continue
        if size > limit:
            issues.add(
                ERROR,
                name,
                _(
                    "The file is {size} MB, more than the limit of {limit} MB.",
                    size=f"{size / 1024 / 1024:,.1f}",
                    limit=f"{config.MAX_UPLOAD_MB:g}",
                ),
                _("Remove unused sheets, columns and formatting, or split the upload; ask HQ if the limit is too low."),
            )
            table = _table_for_name(name)
            if suffix in WORKBOOK_SUFFIXES:
                sub.failed.update(TABLES)
                sub.workbook = sub.workbook or name
            elif table:
                sub.failed.add(table)

    oversized_names = {n for n, s in sizes.items() if s > limit}
    if books:
        sub.workbook = sub.workbook or books[0]
        for extra in books[1:]:
            issues.add(
                ERROR,
                extra,
                _("Only one workbook can be uploaded at a time; this one was not read."),
                _("Put all sheets (enterprises, training, indicators, logframe) into one workbook."),
            )
        for name in texts:
            issues.add(
                ERROR,
                name,
                _("The upload mixes a workbook and CSV files; this file was not read."),
                _("Upload either one workbook or CSV files, not both."),
            )
        if books[0] not in oversized_names:
            with _guard(issues, books[0], _("reading the workbook")):
                _read_workbook(sub, books[0], bytes(files[books[0]]))
        return sub

    for name in texts:
        table = _table_for_name(name)
        if table is None:
            issues.add(
                WARNING,
                name,
                _("This file is not part of the data contract and was ignored."),
                _("Name the files enterprises.csv, training.csv, indicators.csv and logframe.csv."),
            )
            continue
        if table in sub.sources or (table in sub.failed and name not in oversized_names):
            issues.add(
                ERROR,
                name,
                _("A second file for the {table} table; it was not read.", table=table),
                _("Upload only one {table} file.", table=table),
            )
            continue
        if name in oversized_names:
            continue
        source = None
        with _guard(issues, name, _("reading the file")):
            source = _read_text_file(sub.issues, name, bytes(files[name]), TABLES[table])
        if source is None:
            sub.failed.add(table)
        else:
            sub.sources[table] = source
    return sub


# ---- text files ----------------------------------------------------------------------------


def _row_of_offset(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _decode(issues: _Issues, name: str, data: bytes) -> str | None:
    """Bytes -> text, or None after adding a clear error."""
    for bom, encoding, label_ in (
        (codecs.BOM_UTF8, "utf-8", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
    ):
        if data.startswith(bom):
            return _decode_strict(issues, name, data[len(bom) :], encoding, label_, len(bom))

    head = data[:4096]
    if b"\x00" in head:
        half = max(len(head) // 2, 1)
        zeros_odd, zeros_even = head[1::2].count(0), head[0::2].count(0)
        if zeros_odd > 0.3 * half and zeros_even < 0.05 * half:
            return _decode_strict(issues, name, data, "utf-16-le", "UTF-16", 0)
        if zeros_even > 0.3 * half and zeros_odd < 0.05 * half:
            return _decode_strict(issues, name, data, "utf-16-be", "UTF-16", 0)
        issues.add(ERROR, name, _("The file holds binary data, not text."), _formats_fix())
        return None

    try:
        return _checked_text(issues, name, data.decode("utf-8"))
    except UnicodeDecodeError as error:
        first_bad = error.start

    # Not UTF-8. A file that is UTF-8 in some rows and not in others was pasted together.
    lines = data.split(b"\n")
    utf8_rows = 0
    for line in lines:
        if not line.isascii():
            try:
                line.decode("utf-8")
                utf8_rows += 1
            except UnicodeDecodeError:
                continue
    if utf8_rows:
        issues.add(
            ERROR,
            name,
            _(
                "The file mixes two text encodings: {count} rows are UTF-8, but this row is not "
                "(accents would come out garbled).",
                count=utf8_rows,
            ),
            _save_as_utf8_fix() + " " + _("If the rows were pasted together from two files, fix the accents first."),
            row=_row_of_offset(data, first_bad),
        )
        return None

    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        issues.add(
            ERROR,
            name,
            _("The file is not readable text (unknown encoding, or binary data)."),
            _save_as_utf8_fix(),
            row=_row_of_offset(data, first_bad),
        )
        return None
    encoding = best.encoding
    if encoding in _WESTERN_CODEPAGES or "cp1252" in best.could_be_from_charset:
        encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        issues.add(
            ERROR,
            name,
            _("The file is not valid UTF-8 and not valid {encoding} either.", encoding=encoding),
            _save_as_utf8_fix(),
            row=_row_of_offset(data, error.start),
        )
        return None
    checked = _checked_text(issues, name, text)
    if checked is not None:
        issues.add(
            WARNING,
            name,
            _("The file is not UTF-8; it was read as {encoding}.", encoding=encoding),
            _("Check that names with accents (e.g. Bogotá) look right.") + " " + _save_as_utf8_fix(),
            row=_row_of_offset(data, first_bad),
        )
    return checked


def _decode_strict(issues: _Issues, name: str, data: bytes, encoding: str, label_: str, skipped: int) -> str | None:
    try:
        return _checked_text(issues, name, data.decode(encoding))
    except UnicodeDecodeError as error:
        good = data[: error.start].decode(encoding, errors="replace")
        issues.add(
            ERROR,
            name,
            _(
                "The file says it is {encoding} text, but byte {offset} is not valid {encoding}: "
                "the file is damaged or mixes encodings.",
                encoding=label_,
                offset=error.start + skipped,
            ),
            _save_as_utf8_fix(),
            row=good.count("\n") + 1,
        )
        return None


def _checked_text(issues: _Issues, name: str, text: str) -> str | None:
    sample = text[:1_000_000]
    controls = len(_CONTROL_CHARS.findall(sample))
    if "\x00" in text or controls > max(10, len(sample) // 100):
        issues.add(ERROR, name, _("The file holds binary data, not text."), _formats_fix())
        return None
    return text


def _sniff_separator(line: str) -> str:
    counts = dict.fromkeys((",", ";", "\t", "|"), 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda sep: counts[sep])  # ties: the order above
    return best if counts[best] else ","


def _filled_width(row: list[str]) -> int:
    """The row's width without the empty values at its end."""
    width = len(row)
    while width and not row[width - 1].strip():
        width -= 1
    return width


def _width_check(text: str, sep: str) -> tuple[int, int | None, bool]:
    """(widest row without its trailing empty values, the first record wider than MAX_COLUMNS, whether
    some row has more than MAX_COLUMNS values at all). Stops at the first row that is too wide."""
    widest, padded = 0, False
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"'), 1):
            padded = padded or len(row) > MAX_COLUMNS
            widest = max(widest, _filled_width(row) if len(row) > MAX_COLUMNS else len(row))
            if widest > MAX_COLUMNS:
                return widest, number, padded
    except csv.Error:
        pass  # malformed quoting or a huge cell: the parse below reports it
    return widest, None, padded


def _parse_delimited(issues: _Issues, name: str, text: str) -> tuple[pd.DataFrame, str] | None:
    """Text -> grid of strings (columns 0..n-1, one row per record, blank records kept)."""
    first_line, _sep, rest = text.partition("\n")
    explicit = re.fullmatch(r"\s*sep=(.)\s*", first_line)
    if explicit:  # Excel's "sep=;" line: Excel hides it, so rows are counted without it
        sep, text = explicit.group(1), rest
    else:
        header_line = next((ln for ln in io.StringIO(text) if ln.strip()), "")
        sep = _sniff_separator(header_line)
    widest, too_wide_record, padded = _width_check(text, sep)
    if widest > MAX_COLUMNS:
        issues.add(
            ERROR,
            name,
            _(
                "A row has more than {limit} values separated by '{sep}', so this is not a table of the "
                "data contract (it has at most {columns} columns).",
                limit=MAX_COLUMNS,
                sep="\\t" if sep == "\t" else sep,
                columns=max(len(t.columns) for t in TABLES.values()),
            ),
            _("Export the table again from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)'; see the template."),
            row=too_wide_record,  # the record number: a row number unless quoted cells hold line breaks
        )
        return None
    try:
        if padded:  # Excel writes empty cells up to the last formatted column: read rows without them
            raise pd.errors.ParserError("rows padded with empty values")
        grid = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
            doublequote=True,
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame(), sep
    except pd.errors.ParserError:
        try:  # ragged rows: the csv module keeps them, and the check below reports them
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=True))
        except csv.Error as error:
            issues.add(
                ERROR,
                name,
                _("The file cannot be read as text separated by '{sep}': {detail}.", sep=sep, detail=str(error)),
                _('Check for a quote (") that is opened but never closed.') + " " + _save_as_utf8_fix(),
            )
            return None
        if padded:
            rows = [r[: _filled_width(r)] if len(r) > MAX_COLUMNS else r for r in rows]
        width = max((len(r) for r in rows), default=0)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")
    return grid.fillna("").astype("str"), sep


def _read_text_file(issues: _Issues, name: str, data: bytes, table: Table) -> _Source | None:
    if not data.strip(b" \t\r\n\x00") or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        _empty_file(issues, name, None, table, _("The file is empty."))
        return None
    if data.startswith(_ZIP_MAGIC):
        issues.add(
            ERROR,
            name,
            _("This is an Excel workbook or a zip archive with a text-file name."),
            _("Rename it to .xlsx, or open it in Excel and save it as CSV UTF-8."),
        )
        return None
    if data.startswith(_OLE_MAGIC) or data.startswith(b"%PDF"):
        problem, fix = _unsupported(name + ".bin", data[:8])
        issues.add(ERROR, name, problem, fix)
        return None
    text = _decode(issues, name, data)
    if text is None:
        return None
    parsed = _parse_delimited(issues, name, text)
    if parsed is None:
        return None
    grid, sep = parsed
    return _source_from_grid(issues, name, None, table, grid, sep=sep)


def _empty_file(issues: _Issues, name: str, sheet: str | None, table: Table, problem: str) -> None:
    if table.required:
        issues.add(
            ERROR, name, problem, _("Export the {table} data again; see the template.", table=table.name), sheet=sheet
        )
    else:
        issues.add(WARNING, name, problem + " " + _("It was ignored."), _("Remove it or fill it in."), sheet=sheet)


# ---- workbooks -----------------------------------------------------------------------------


def _read_workbook(sub: _Submission, name: str, data: bytes) -> None:
    issues = sub.issues
    sub.failed.update(TABLES)  # until a sheet is read, a missing sheet is reported below
    if not data.strip(b"\x00 \r\n\t"):
        issues.add(ERROR, name, _("The file is empty."), _formats_fix())
        return
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARKER in data:
            issues.add(
                ERROR,
                name,
                _("The workbook is protected with a password, so it cannot be read."),
                _("Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt), save and upload."),
            )
        else:
            issues.add(
                ERROR,
                name,
                _("This is an old Excel 97-2003 workbook (.xls) with an .xlsx name; it cannot be read."),
                _("Open it in Excel and use 'Save as' > 'Excel Workbook (*.xlsx)'."),
            )
        return
    if not data.startswith(_ZIP_MAGIC):
        issues.add(
            ERROR,
            name,
            _("The file is not a real Excel workbook (.xlsx); it may be damaged or renamed."),
            _("Open it in Excel and save it again as 'Excel Workbook (*.xlsx)'."),
        )
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        _corrupt(issues, name, error)
        return
    limit = min(_UNPACKED_FACTOR * config.MAX_UPLOAD_MB, MAX_WORKBOOK_UNPACKED_MB) * 1024 * 1024
    if unpacked > limit or unpacked > MAX_WORKBOOK_RATIO * max(len(data), 1):
        issues.add(
            ERROR,
            name,
            _(
                "The workbook unpacks to {size} MB ({ratio} times its file size), which is too large to read safely.",
                size=fmt_int(unpacked / 1024 / 1024),
                ratio=fmt_int(unpacked / max(len(data), 1)),
            ),
            _("Remove unused sheets, columns and formatting, or upload CSV files."),
        )
        return

    try:
        crowded = _crowded(data)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as error:
        _corrupt(issues, name, error)
        return
    if crowded:
        _too_big(issues, name, None)
        return

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any failure of a damaged file must become an issue, never a crash
        _corrupt(issues, name, error)
        return
    try:
        sub.failed.clear()
        sub.sheet_names = list(book.sheetnames)
        matched: dict[str, str] = {}
        helpers = {_norm_name(n) for n in helper_sheet_names()}
        for sheet_name in book.sheetnames:
            norm = _norm_name(sheet_name)
            table = norm if norm in TABLES else _table_for_name(sheet_name)
            if norm in helpers:
                continue
            if table is None:
                issues.add(
                    WARNING,
                    name,
                    _("The sheet '{sheet}' is not part of the data contract and was ignored.", sheet=sheet_name),
                    _("Name the sheets enterprises, training, indicators and logframe."),
                    sheet=sheet_name,
                )
                continue
            if table in matched:
                issues.add(
                    ERROR,
                    name,
                    _("A second sheet for the {table} table; it was not read.", table=table),
                    _("Keep only one sheet called {table}.", table=table),
                    sheet=sheet_name,
                )
                continue
            matched[table] = sheet_name
        cells = 0
        for table, sheet_name in matched.items():
            sheet = book[sheet_name]
            declared = (sheet.max_row or 0) * (sheet.max_column or 0)  # from the sheet's <dimension>, if any
            if (sheet.max_row or 0) > MAX_WORKBOOK_ROWS or cells + declared > MAX_WORKBOOK_CELLS:
                _too_big(issues, name, sheet_name)
                sub.failed.add(table)
                return
            rows = []
            try:
                for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
                    cells += len(row)
                    rows.append(row)
                    if len(rows) > MAX_WORKBOOK_ROWS or cells > MAX_WORKBOOK_CELLS:
                        _too_big(issues, name, sheet_name)
                        sub.failed.add(table)
                        return
            except Exception as error:  # damaged sheet XML
                _corrupt(issues, name, error, sheet=sheet_name)
                sub.failed.add(table)
                continue
            source = _source_from_cells(issues, name, sheet_name, TABLES[table], rows, book.epoch)
            if source is None:
                sub.failed.add(table)
            else:
                sub.sources[table] = source
    finally:
        book.close()


def _crowded(data: bytes) -> bool:
    """Whether a worksheet has more than MAX_WORKBOOK_ROWS rows, or all of them more than MAX_WORKBOOK_CELLS
    cells, counted on the decompressed XML stream (C-speed byte counts, about a second for 100 MB) before openpyxl
    parses anything. The row loop in _read_workbook counts again (a fail-safe for unusual XML)."""
    cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            rows, tail = 0, b""
            with archive.open(info) as stream:
                while chunk := stream.read(1 << 20):
                    window = tail + chunk  # a tag split across two chunks is counted once, in the next window
                    rows += window.count(b"<row") - tail.count(b"<row")
                    cells += (window.count(b"<c ") + window.count(b"<c>")) - (tail.count(b"<c ") + tail.count(b"<c>"))
                    tail = window[-8:]
                    if rows > MAX_WORKBOOK_ROWS or cells > MAX_WORKBOOK_CELLS:
                        return True
    return False


def _too_big(issues: _Issues, name: str, sheet: str | None) -> None:
    issues.add(
        ERROR,
        name,
        _(
            "The workbook has a sheet with more than {rows} rows, or more than {cells} cells in all, which is too "
            "large to read.",
            rows=fmt_int(MAX_WORKBOOK_ROWS),
            cells=fmt_int(MAX_WORKBOOK_CELLS),
        ),
        _("Delete empty rows and columns below and beside the data, or upload CSV files."),
        sheet=sheet,
    )


def _corrupt(issues: _Issues, name: str, error: Exception, sheet: str | None = None) -> None:
    issues.add(
        ERROR,
        name,
        _("The workbook is damaged and cannot be read ({detail}).", detail=type(error).__name__ + ": " + str(error)),
        _("Open it in Excel (it may offer to repair it), save it as 'Excel Workbook (*.xlsx)' and upload it again."),
        sheet=sheet,
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _serial_text(value: object, epoch: dt.datetime) -> str:
    """An Excel date serial number in a date column -> ISO date; anything else as text."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        return (epoch + dt.timedelta(days=float(value))).date().isoformat()
    return _cell_text(value)


def _source_from_cells(
    issues: _Issues, name: str, sheet: str, table: Table, rows: list[tuple[object, ...]], epoch: dt.datetime
) -> _Source | None:
    if not rows:
        _empty_file(issues, name, sheet, table, _("The sheet is empty."))
        return None
    width = max(len(r) for r in rows)
    head_text = [[_cell_text(v) for v in r] for r in rows[: _HEADER_SEARCH_ROWS * 3]]
    header_index = _find_header(head_text, table)
    header = head_text[header_index] if header_index is not None else []
    date_positions = {
        i for i, h in enumerate(header) if _norm_name(h) in table.column_names and _column(table, h).dtype == "date"
    }
    columns = []
    for position in range(width):
        cells = [r[position] if position < len(r) else None for r in rows]
        if position in date_positions:
            columns.append([_serial_text(v, epoch) for v in cells])
        else:
            columns.append([_cell_text(v) for v in cells])
    grid = pd.DataFrame(dict(enumerate(columns)), dtype="str")
    return _source_from_grid(issues, name, sheet, table, grid, sep=None)


def _column(table: Table, header: str) -> Column:
    return table.column(_norm_name(header))


# ---- grid -> source ------------------------------------------------------------------------


def _find_header(rows: list[list[str]], table: Table) -> int | None:
    """Index of the header row: the first non-empty row, unless a later one of the first few
    non-empty rows names more contract columns (a title line above the header)."""
    names = set(table.column_names)
    candidates = [i for i, r in enumerate(rows) if any(str(c).strip() for c in r)][:_HEADER_SEARCH_ROWS]
    if not candidates:
        return None
    scores = [sum(_norm_name(str(c)) in names for c in rows[i]) for i in candidates]
    best = max(range(len(candidates)), key=lambda k: (scores[k], -k))
    return candidates[best] if scores[best] > 0 else candidates[0]


def _source_from_grid(
    issues: _Issues, name: str, sheet: str | None, table: Table, grid: pd.DataFrame, sep: str | None
) -> _Source | None:
    if grid.empty:
        _empty_file(issues, name, sheet, table, _("The file is empty.") if sheet is None else _("The sheet is empty."))
        return None
    stripped = {c: grid[c].str.strip() for c in grid.columns}  # cells are kept stripped from here on
    filled = {c: column.ne("").to_numpy() for c, column in stripped.items()}
    nonempty = np.logical_or.reduce(list(filled.values()))
    if not nonempty.any():
        _empty_file(issues, name, sheet, table, _("The file is empty.") if sheet is None else _("The sheet is empty."))
        return None
    first_rows = [grid.iloc[i].tolist() for i in range(min(len(grid), _HEADER_SEARCH_ROWS * 3))]
    header_index = _find_header(first_rows, table)
    assert header_index is not None
    header_row = header_index + 1
    header = [str(c).strip() for c in grid.iloc[header_index].tolist()]
    skipped_above = int(nonempty[:header_index].sum())
    if skipped_above:
        issues.add(
            WARNING,
            name,
            _("{count} rows above the header (row {row}) were ignored.", count=skipped_above, row=header_row),
            _("Keep the column names in row 1 and the data right below."),
            sheet=sheet,
            row=header_row,
        )

    body_mask = np.zeros(len(grid), dtype=bool)
    body_mask[header_index + 1 :] = True
    body_mask &= nonempty
    positions = np.flatnonzero(body_mask)
    n_body = len(positions)
    excel_rows = pd.Index(positions + 1, name="row")
    where = _Source(name, sheet, table, pd.DataFrame(index=excel_rows), header_row)

    mapping = _map_columns(issues, where, header, table)
    last_named = max((i for i, h in enumerate(header) if h), default=-1)
    # Values under no header: a whole unnamed column (warning) or rows with too many values (error).
    for position in range(len(header)):
        if header[position]:
            continue
        has_value = filled[position][body_mask]
        count = int(has_value.sum())
        if not count:
            continue
        if sep is not None and position > last_named and count <= max(1, n_body // 2):
            continue  # reported per row below
        issues.add(
            WARNING,
            name,
            _(
                "Column {letter} has {count} values but no name in the header row; they were ignored.",
                letter=_letter(position),
                count=count,
            ),
            _("Give the column a name from the template, or delete it."),
            sheet=sheet,
            row=header_row,
        )
    if sep is not None and last_named + 1 < len(header):
        extra = np.logical_or.reduce([filled[p][body_mask] for p in range(last_named + 1, len(header))])
        extra_rows = excel_rows[extra]
        if 0 < len(extra_rows) <= max(1, n_body // 2):
            tails = grid.iloc[positions[extra][:MAX_ISSUES_PER_RULE], last_named + 1 :].agg(
                lambda r: sep.join(r).rstrip(sep), axis=1
            )
            issues.add_rows(
                ERROR,
                where,
                None,
                extra_rows,
                tails.tolist(),
                _("This row has more values than the header has columns; these values were left over."),
                _(
                    "A value probably contains the separator '{sep}': put such values in double quotes, "
                    "or export the file from Excel again.",
                    sep="\\t" if sep == "\t" else sep,
                ),
            )

    contiguous = n_body == 0 or n_body == positions[-1] - positions[0] + 1
    columns = {}
    for position, column in mapping.items():
        values = stripped[position].array
        values = values[positions[0] : positions[-1] + 1] if contiguous and n_body else values[body_mask]
        columns[column] = pd.Series(values, index=excel_rows, copy=False)
    frame = pd.DataFrame(columns, index=excel_rows)
    if not n_body:
        problem = (
            _("The file has a header but no data rows.")
            if sheet is None
            else _("The sheet has a header but no data rows.")
        )
        _empty_file(issues, name, sheet, table, problem)
        return None
    where.frame = frame
    where.decimal = _decimal_mark(frame, table, sep)
    return where


def _map_columns(issues: _Issues, where: _Source, header: list[str], table: Table) -> dict[int, str]:
    """Header cells -> contract columns (position -> name); reports missing, unknown, duplicate."""
    mapping: dict[int, str] = {}
    unknown: dict[int, str] = {}
    for position, cell in enumerate(header):
        if not cell:
            continue
        norm = _norm_name(cell)
        if norm in table.column_names:
            if norm in mapping.values():
                first = next(p for p, n in mapping.items() if n == norm)
                issues.add(
                    ERROR,
                    where.file,
                    _(
                        "The column {column} appears twice (columns {first} and {second}); the second was ignored.",
                        column=norm,
                        first=_letter(first),
                        second=_letter(position),
                    ),
                    _("Delete one of the two columns."),
                    sheet=where.sheet,
                    row=where.header_row,
                    column=norm,
                    value=cell,
                )
                continue
            mapping[position] = norm
            if cell != norm:
                issues.add(
                    WARNING,
                    where.file,
                    _("The column name '{name}' was read as {column}.", name=cell, column=norm),
                    _("Use the exact name {column} to avoid surprises.", column=norm),
                    sheet=where.sheet,
                    row=where.header_row,
                    column=norm,
                    value=cell,
                )
        else:
            unknown[position] = cell

    used: set[int] = set()
    for col in table.columns:
        if col.name in mapping.values() or not col.required:
            continue
        candidates = {p: c for p, c in unknown.items() if p not in used}
        suggestion = _suggest(col.name, list(candidates.values()))
        if suggestion is not None:
            position = next(p for p, c in candidates.items() if c == suggestion)
            used.add(position)
            fix = _(
                "Column {letter} is called '{found}': did you mean {column}? Rename it.",
                letter=_letter(position),
                found=suggestion,
                column=col.name,
            )
        else:
            fix = _(
                "Add a column {column} ({description}); see the template.",
                column=col.name,
                description=_(col.description),
            )
        issues.add(
            ERROR,
            where.file,
            _("The required column {column} is missing.", column=col.name),
            fix,
            sheet=where.sheet,
            row=where.header_row,
            column=col.name,
            value=suggestion,
        )
    for position, cell in unknown.items():
        if position in used:
            continue
        missing_optional = [c.name for c in table.columns if c.name not in mapping.values()]
        suggestion = _suggest(cell, missing_optional)
        fix = (
            _("Did you mean {column}? Rename the column.", column=suggestion)
            if suggestion
            else _(
                "Remove the column, or check its name against the template ({columns}).",
                columns=", ".join(table.column_names),
            )
        )
        issues.add(
            WARNING,
            where.file,
            _("The column '{name}' is not part of the data contract and was ignored.", name=cell),
            fix,
            sheet=where.sheet,
            row=where.header_row,
            column=cell,
            value=cell,
        )
    return mapping


# ---- decimal mark --------------------------------------------------------------------------

_COMMA_DECIMAL = r"[+-]?(?:\d+,\d{1,2}|\d+,\d{4,}|0,\d+|\d{4,},\d+)"
_POINT_DECIMAL = r"[+-]?(?:\d+\.\d{1,2}|\d+\.\d{4,}|0\.\d+|\d{4,}\.\d+)"


def _decimal_mark(frame: pd.DataFrame, table: Table, sep: str | None) -> str | None:
    """The decimal mark of a file: from unambiguous numbers in its float columns, else from the
    separator (";" goes with a decimal comma), else unknown for tab-separated text."""
    default = {",": ".", ";": ",", None: "."}.get(sep)
    comma = point = False
    for col in table.columns:
        if col.dtype != "float" or col.name not in frame.columns:
            continue
        values = frame[col.name].iloc[:100_000].str.strip()
        comma = comma or bool(values.str.fullmatch(_COMMA_DECIMAL).any())
        point = point or bool(values.str.fullmatch(_POINT_DECIMAL).any())
    if comma and not point:
        return ","
    if point and not comma:
        return "."
    return default


# --------------------------------------------------------------------------------------------
# Converting columns
# --------------------------------------------------------------------------------------------


def _empty_typed(col: Column, index: pd.Index) -> pd.Series:
    if col.dtype == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.Series(pd.NA, index=index, dtype=_DTYPES[col.dtype])


def _type_source(src: _Source, issues: _Issues, country: str) -> pd.DataFrame:
    out: dict[str, pd.Series] = {}
    index = src.frame.index
    for col in src.table.columns:
        if col.name not in src.frame.columns:
            out[col.name] = _empty_typed(col, index)
            continue
        text = src.frame[col.name]  # stripped when read
        present = text.ne("")
        if not col.nullable:
            issues.add_rows(
                ERROR,
                src,
                col.name,
                ~present,
                None,
                _("The cell is empty, but {column} is required.", column=col.name),
                _(
                    "Fill in {column} ({description}), e.g. {example}.",
                    column=col.name,
                    description=_(col.description),
                    example=_example(col, country),
                ),
            )
        convert = {
            "text": _convert_text,
            "code": _convert_code,
            "int": _convert_number,
            "float": _convert_number,
            "date": _convert_date,
        }[col.dtype]
        out[col.name] = convert(src, col, text, present, issues, country)
    return pd.DataFrame(out, index=index)


def _example(col: Column, country: str) -> str:
    if col.example.startswith("COL-") and country:
        return country + col.example[3:]
    return col.example


def _convert_text(
    src: _Source, col: Column, text: pd.Series, present: pd.Series, issues: _Issues, country: str
) -> pd.Series:
    if col.pattern:
        bad = present & ~text.str.fullmatch(col.pattern)
        if bad.any():
            if col.pattern == contract.ENTERPRISE_ID_PATTERN:
                fix = _(
                    "Write the country's ISO3 code in capitals, a dash, then up "
                    "to 12 letters or digits, e.g. {example}.",
                    example=_example(col, country),
                )
            else:
                fix = _("Write it like {example} (pattern {pattern}).", example=col.example, pattern=col.pattern)
            issues.add_rows(
                ERROR, src, col.name, bad, text, _("'{column}' does not have the required form.", column=col.name), fix
            )
    if col.name == "enterprise_id":
        example = present & text.str.upper().str.endswith("-" + EXAMPLE_SUFFIX)
        issues.add_rows(
            ERROR,
            src,
            col.name,
            example,
            text,
            _("This is the example row of the template, not an enterprise."),
            _("Delete the example row, or replace it with a real enterprise and its own id."),
        )
    if col.max_length:
        lengths = text.str.len()
        long = present & lengths.gt(col.max_length)
        if long.any():
            issues.add_rows(
                ERROR,
                src,
                col.name,
                long,
                text,
                [
                    _(
                        "This text has {length} characters; {column} holds at most {limit}.",
                        length=f"{n:,}",
                        column=col.name,
                        limit=f"{col.max_length:,}",
                    )
                    for n in lengths[long].iloc[:MAX_ISSUES_PER_RULE].tolist()
                ],
                _(
                    "Shorten it to at most {limit} characters; check that the cell holds only the {column} "
                    "(a whole row or a paragraph pasted into one cell is a common slip).",
                    limit=f"{col.max_length:,}",
                    column=col.name,
                ),
            )
    # A leading apostrophe before =, +, -, @ is Excel's mark for "text, not a formula" (see score.templates).
    text = text.str.replace(_TEXT_MARK, "", regex=True)
    return text.where(present).astype("string")


_TEXT_MARK = r"^'(?=[=+\-@\t\r])"


def _code_words(code_list: str) -> dict[str, str]:
    """Loosely written words -> code: the codes, their names in every language, common synonyms."""
    words: dict[str, str] = {}
    for word, code in contract.code_words(code_list):
        words.setdefault(_norm_words(word), code)
    return words


def _norm_words(text: str) -> str:
    """'Seguridad y Salud  en el trabajo' -> 'seguridad y salud en el trabajo' (accents, case, punctuation)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", _ascii_fold(text)).split())


def suggest_code(value: str, code_list: str) -> str | None:
    """The code someone probably meant by `value` (a typo, a name in EN/FR/ES, a synonym), or None."""
    words = _code_words(code_list)
    target = _norm_words(value)
    if not target:
        return None
    if target in words:
        return words[target]
    squashed = {w.replace(" ", ""): c for w, c in words.items()}
    if target.replace(" ", "") in squashed:  # "follow up" -> follow_up, "agroprocessing"
        return squashed[target.replace(" ", "")]
    close = difflib.get_close_matches(target, list(words), n=1, cutoff=0.75)
    if close:
        return words[close[0]]
    if len(target) >= 4:  # "seguridad y salud" is the start of "seguridad y salud en el trabajo"
        starts = {c for w, c in words.items() if w.startswith(target + " ") or target.startswith(w + " ")}
        if len(starts) == 1:
            return starts.pop()
    return None


def _code_label(code_list: str, code: str) -> str:
    """The code's name in the current language, when its reference file has names."""
    file_name = contract.code_file(code_list)
    row = next((r for r in contract.reference_rows(file_name) if r["code"] == code), None) if file_name else None
    return label(row) if row else ""


def _convert_code(
    src: _Source, col: Column, text: pd.Series, present: pd.Series, issues: _Issues, country: str
) -> pd.Series:
    assert col.codes is not None
    aliases = _code_aliases(col.codes)
    codes = contract.code_list(col.codes)
    mapping = {value: aliases.get(_norm_code(value)) for value in text[present].unique().tolist()}
    canonical = text.map(mapping).where(present)
    unknown = present & canonical.isna()
    if unknown.any():
        allowed = ", ".join(codes)

        def fix(value: str, n: int) -> str:
            code = suggest_code(value, col.codes or "")
            if code is None:
                return _("Use one of the codes: {codes}.", codes=allowed)
            name = _code_label(col.codes or "", code)
            if name and _norm_words(name) != _norm_words(code):
                return _(
                    "Did you mean {code} ({name})? Write the code {code}. Allowed codes: {codes}.",
                    code=code,
                    name=name,
                    codes=allowed,
                )
            return _("Did you mean {code}? Allowed codes: {codes}.", code=code, codes=allowed)

        issues.add_groups(
            ERROR,
            src,
            col.name,
            text,
            unknown,
            lambda value, n: ngettext(
                "Unknown code for {column} ({n} row).", "Unknown code for {column} ({n} rows).", n, column=col.name
            ),
            fix,
        )
    return canonical.astype("string")


# ---- numbers -------------------------------------------------------------------------------

_GROUPED_SPACES = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?")
_GROUPED = re.compile(r"([1-9]\d{0,2}(?:([.,])\d{3})+)(?:([.,])(\d+))?")
_DECIMAL = re.compile(r"(\d*)[.,](\d+)")
_SCIENTIFIC = re.compile(r"(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_OK, _INVALID, _AMBIGUOUS = 0, 1, 2


def _parse_number_text(
    text: str, decimal: str | None, accept: Callable[[float], bool] | None = None
) -> tuple[float | None, int]:
    """One number written by a person: '1 234', '1.234,5', '6,2442', '1,234' ... -> (value, status).

    `decimal` is the file's decimal mark ("." or ",") or None when unknown. Then "1.234" is ambiguous,
    unless `accept` (the column's range, whole numbers for counts) admits only one of its two readings:
    a latitude "6.244" cannot be 6244, a headcount "1.234" cannot be 1.234.
    """
    s = text.replace("\u2212", "-")
    if _GROUPED_SPACES.fullmatch(s):
        s = re.sub(r"[ \u00a0\u202f']", "", s)
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = s[0], s[1:]
    if s.isascii() and s.isdigit():
        return float(sign + s), _OK
    if _SCIENTIFIC.fullmatch(s):
        return float(sign + s), _OK
    grouped = _GROUPED.fullmatch(s)
    if grouped and grouped.group(3) != grouped.group(2):
        digits, group_mark, decimal_mark, fraction = grouped.groups()
        if decimal_mark is None and digits.count(group_mark) == 1:  # "1.234": 1234 or 1.234?
            if decimal == group_mark:
                return float(sign + digits.replace(group_mark, ".")), _OK
            if decimal is not None:
                return float(sign + digits.replace(group_mark, "")), _OK
            readings = [float(sign + digits.replace(group_mark, ".")), float(sign + digits.replace(group_mark, ""))]
            valid = [r for r in readings if accept is not None and accept(r)]
            return (valid[0], _OK) if len(valid) == 1 else (None, _AMBIGUOUS)
        return float(f"{sign}{digits.replace(group_mark, '')}.{fraction or 0}"), _OK
    plain = _DECIMAL.fullmatch(s)
    if plain and s.isascii():
        return float(f"{sign}{plain.group(1) or 0}.{plain.group(2)}"), _OK
    return None, _INVALID


def _parse_numbers(
    text: pd.Series, present: pd.Series, decimal: str | None, accept: Callable[[float], bool] | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised: plain numbers in bulk, the rest one distinct value at a time."""
    values = pd.Series(np.nan, index=text.index, dtype="float64")
    invalid = pd.Series(False, index=text.index)
    ambiguous = pd.Series(False, index=text.index)
    t = text[present]
    if t.empty:
        return values, invalid, ambiguous
    fraction = {".": r"(?:\.\d+)?", ",": r"(?:,\d+)?", None: ""}[decimal]
    simple = t.str.fullmatch(r"[+-]?\d+" + fraction)
    plain = t[simple]
    if decimal == ",":
        plain = plain.str.replace(",", ".", regex=False)
    values[plain.index] = plain.astype("float64").to_numpy()  # the pattern guarantees a valid number
    rest = t[~simple]
    if not rest.empty:
        parsed = {value: _parse_number_text(value, decimal, accept) for value in rest.unique().tolist()}
        values[rest.index] = rest.map({k: v[0] for k, v in parsed.items()}).astype("float64").to_numpy()
        status = rest.map({k: v[1] for k, v in parsed.items()})
        invalid[rest.index] = (status == _INVALID).to_numpy()
        ambiguous[rest.index] = (status == _AMBIGUOUS).to_numpy()
    not_finite = present & ~invalid & ~ambiguous & ~np.isfinite(values)
    invalid |= not_finite
    return values, invalid, ambiguous


def _fmt(number: float) -> str:
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:,}"


def _convert_number(
    src: _Source, col: Column, text: pd.Series, present: pd.Series, issues: _Issues, country: str
) -> pd.Series:
    whole = col.dtype == "int"
    low = -np.inf if col.minimum is None else col.minimum
    high = np.inf if col.maximum is None else col.maximum

    def accept(value: float) -> bool:
        return low <= value <= high and (not whole or value.is_integer())

    values, invalid, ambiguous = _parse_numbers(text, present, src.decimal, accept)
    empty_hint = (" " + _("Leave the cell empty if the value is unknown.")) if col.nullable else ""
    issues.add_rows(
        ERROR,
        src,
        col.name,
        invalid,
        text,
        _("This is not a number.") if not whole else _("This is not a whole number."),
        _("Write a number like {example}, without units or text.", example=col.example) + empty_hint,
    )
    if ambiguous.any():
        issues.add_rows(
            ERROR,
            src,
            col.name,
            ambiguous,
            text,
            _("This number is ambiguous: the separator could be a decimal mark or a thousands separator."),
            _("Write numbers without thousands separators, with a decimal point (e.g. 1234 or 1.5)."),
        )
    ok = present & ~invalid & ~ambiguous
    if whole:
        fractional = ok & (values % 1 != 0)
        issues.add_rows(
            ERROR,
            src,
            col.name,
            fractional,
            text,
            _("{column} must be a whole number.", column=col.name),
            _("Write a whole number without decimals or thousands separators, e.g. {example}.", example=col.example),
        )
        ok &= ~fractional
    _check_range(src, col, values, ok, text, issues)
    kept = values.where(ok)
    if whole:
        # A value beyond int64 (1e20 in a count) is already reported by the range check and cannot be held.
        return kept.where(kept.abs() < 2**62).round().astype("Int64")
    return kept.astype("Float64")


def _check_range(src: _Source, col: Column, values: pd.Series, ok: pd.Series, text: pd.Series, issues: _Issues) -> None:
    low, high = col.minimum, col.maximum
    if low is not None:
        below = ok & (values < low)
        if low == 0:
            problem = _("{column} cannot be negative.", column=col.name)
        else:
            problem = _("{column} must be at least {minimum}.", column=col.name, minimum=_fmt(low))
        issues.add_rows(
            ERROR,
            src,
            col.name,
            below,
            text,
            problem,
            _("Correct the value; allowed: {low} to {high}.", low=_fmt(low), high=_fmt(high or 0)),
        )
    if high is not None:
        above = ok & (values > high)
        issues.add_rows(
            ERROR,
            src,
            col.name,
            above,
            text,
            _("{column} must be at most {maximum}.", column=col.name, maximum=_fmt(high)),
            _("Correct the value; allowed: {low} to {high}.", low=_fmt(low or 0), high=_fmt(high)),
        )
    if low == 0 and high == 100 and col.dtype == "float":
        kept = values[ok]
        if len(kept) and kept.max() <= 1 and (kept % 1 != 0).any():
            issues.add(
                WARNING,
                src.file,
                _(
                    "All values of {column} are between 0 and 1: they look like "
                    "fractions, but it is a percentage (0-100).",
                    column=col.name,
                ),
                _("Multiply by 100 (0.88 -> 88), or format the cells as numbers instead of percentages."),
                sheet=src.sheet,
                column=col.name,
            )


# ---- dates ---------------------------------------------------------------------------------

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_DMY_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})" + _TIME)
_SHORT_YEAR = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}" + _TIME)
_SERIAL = re.compile(r"\d{5}(?:\.0+)?")


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _as_ns(values: pd.Series) -> np.ndarray:
    """datetime64[ns] values. Dates outside its range (0001-01-01, 9999-12-31 as "no end date") are clipped
    to it rather than raising OutOfBoundsDatetime, so the range check still reports them as too early or
    in the future."""
    low, high = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    return values.clip(lower=low, upper=high).astype("datetime64[ns]").to_numpy()


def _convert_date(
    src: _Source, col: Column, text: pd.Series, present: pd.Series, issues: _Issues, country: str
) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    t = text[present]
    if t.empty:
        return result
    iso = pd.to_datetime(t.where(t.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce")
    result[iso.index] = _as_ns(iso)
    rest = t[iso.isna()]
    reasons: dict[str, str] = {}
    if not rest.empty:
        distinct = rest.unique().tolist()
        day_month = [(int(m.group(1)), int(m.group(2))) for v in distinct if (m := _DMY_DATE.fullmatch(v))]
        month_first = next(((d, m) for d, m in day_month if d <= 12 < m), None)
        parsed: dict[str, dt.date | None] = {}
        for value in distinct:
            date, reason = _parse_date_text(value, month_first is not None)
            parsed[value] = date
            if reason:
                reasons[value] = reason
        result[rest.index] = _as_ns(pd.to_datetime(rest.map(parsed), errors="coerce"))
        example = next(
            (v for v in distinct if (m := _DMY_DATE.fullmatch(v)) and int(m.group(1)) <= 12 < int(m.group(2))), ""
        )
        messages = {
            "invalid": (
                _("This is not a date."),
                _("Write dates as YYYY-MM-DD, e.g. {example}.", example=col.example),
            ),
            "calendar": (
                _("This date does not exist in the calendar."),
                _("Check the day and the month; write dates as YYYY-MM-DD, e.g. {example}.", example=col.example),
            ),
            "month_first": (
                _("This is not a valid DD/MM/YYYY date: it looks like month/day/year (US format)."),
                _("Write dates as YYYY-MM-DD, e.g. {example}.", example=col.example),
            ),
            "ambiguous": (
                _(
                    "This date is ambiguous: the column also has month-first dates such as {example}, "
                    "so day and month could be swapped.",
                    example=example,
                ),
                _("Write all dates of this column as YYYY-MM-DD."),
            ),
            "too_early": (
                _("The date is before {earliest}, too early for SCORE.", earliest=contract.EARLIEST_DATE),
                _("Check the year; dates are written YYYY-MM-DD."),
            ),
            "too_late": (_("The date is in the future."), _("Check the year; dates are written YYYY-MM-DD.")),
            "short_year": (
                _("This date has a two-digit year, which is ambiguous."),
                _("Write dates with the full year as YYYY-MM-DD, e.g. {example}.", example=col.example),
            ),
        }
        bad_reason = text.map(reasons).where(present)
        for reason, (problem, fix) in messages.items():
            issues.add_rows(ERROR, src, col.name, bad_reason.eq(reason).fillna(False).astype(bool), text, problem, fix)
    ok = result.notna()
    too_early = ok & (result < pd.Timestamp(contract.EARLIEST_DATE))
    too_late = ok & (result > pd.Timestamp(dt.date.today()))
    for mask, problem in (
        (too_early, _("The date is before {earliest}, too early for SCORE.", earliest=contract.EARLIEST_DATE)),
        (too_late, _("The date is in the future.")),
    ):
        if mask.any():
            issues.add_rows(
                ERROR,
                src,
                col.name,
                mask,
                _date_shown(text[mask], result[mask]),
                problem,
                _("Check the year; dates are written YYYY-MM-DD."),
            )
    return result


def _date_shown(text: pd.Series, dates: pd.Series) -> pd.Series:
    """The raw text, plus how it was read when that is not obvious (e.g. Excel serial numbers)."""
    iso = dates.dt.strftime("%Y-%m-%d")
    clipped = dates.le(pd.Timestamp.min.ceil("D")) | dates.ge(pd.Timestamp.max.floor("D"))  # see _as_ns
    return text.where(text.eq(iso) | clipped, text + " = " + iso)


def _parse_date_text(value: str, month_first_seen: bool) -> tuple[dt.date | None, str | None]:
    date: dt.date | None
    if m := _ISO_DATE.fullmatch(value):
        date = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _DMY_DATE.fullmatch(value):
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if first <= 12 < second:
            return None, "month_first"
        if first <= 12 and second <= 12 and first != second and month_first_seen:
            return None, "ambiguous"
        date = _safe_date(year, second, first)
    elif _SHORT_YEAR.fullmatch(value):
        return None, "short_year"
    elif _SERIAL.fullmatch(value):  # an Excel date shown as a number
        date = (_EXCEL_EPOCH + dt.timedelta(days=float(value))).date()
    else:
        return None, "invalid"
    if date is None:
        return None, "calendar"
    if not 1900 <= date.year <= 2200:  # beyond what a datetime64[ns] column holds, and far out of range anyway
        return None, "too_early" if date.year < 1900 else "too_late"
    return date, None


# --------------------------------------------------------------------------------------------
# Cross-row and cross-table checks
# --------------------------------------------------------------------------------------------


def _check_keys(src: _Source, typed: pd.DataFrame, issues: _Issues) -> None:
    """One error per repeated key value, naming every row that has it (the first included)."""
    key = list(src.table.key)
    keyed = typed[key].dropna()
    if keyed.empty:
        return
    repeated = keyed[keyed.duplicated(key, keep=False)]
    if repeated.empty:
        return
    label_ = ", ".join(key)
    shown = repeated.astype(str).agg(", ".join, axis=1)
    src.duplicates = {value: list(rows) for value, rows in shown.groupby(shown, sort=False).groups.items()}

    def problem(value: str, n: int) -> str:
        return ngettext(
            "Duplicate {key}: {value} appears in {n} row.",
            "Duplicate {key}: {value} appears in {n} rows.",
            n,
            key=label_,
            value=value,
        )

    def fix(value: str, n: int) -> str:
        return _("Keep one row per {key}: delete the repeated rows or correct their {key}.", key=label_)

    before = len(issues.items)
    issues.add_groups(ERROR, src, label_, shown, pd.Series(True, index=shown.index), problem, fix)
    for position in range(before, len(issues.items)):  # knock-on errors in other files name these as their cause
        issue = issues.items[position]
        issues.items[position] = replace(issue, key=f"duplicate:{src.display}:{issue.value}")


def _check_country_ids(sources: Sequence[_Source], submission: _Submission, country: str) -> None:
    """enterprise_id values must start with the chosen country's code."""
    issues = submission.issues
    whole_files: list[tuple[_Source, int, str, str]] = []
    for src in sources:
        typed = src.typed
        assert typed is not None
        if "enterprise_id" not in typed.columns:
            continue
        ids = typed["enterprise_id"]
        head = ids.str.slice(0, 3)
        # Each part is filled before combining: a blank id is NA, and NA & <arrow bool> raises TypeError.
        parts = (head.str.isalpha(), head.str.isascii(), ids.str.slice(3, 4).eq("-"))
        has = np.logical_and.reduce([part.fillna(False).astype(bool).to_numpy() for part in parts])
        has = pd.Series(has, index=ids.index)
        prefix = head.str.upper().where(has)
        foreign = (has & prefix.ne(country)).fillna(False).astype(bool)
        src.foreign = foreign
        if not foreign.any():
            continue
        if foreign.sum() == has.sum():
            other = prefix[foreign].value_counts().index[0]
            whole_files.append((src, int(foreign.sum()), other, str(ids[foreign].iloc[0])))
            continue
        issues.add_rows(
            ERROR,
            src,
            "enterprise_id",
            foreign,
            ids,
            prefix[foreign].map(
                {
                    p: _("This id names another country ({other}), not {country}.", other=p, country=country)
                    for p in prefix[foreign].unique().tolist()
                }
            ),
            _(
                "Use ids of the form {country}-0001 for {country}'s "
                "enterprises, and upload other countries separately.",
                country=country,
            ),
        )
    if not whole_files:
        return
    others = {other for _s, _n, other, _v in whole_files}
    if (
        submission.workbook
        and len(others) == 1
        and len(whole_files) == len([s for s in sources if "enterprise_id" in s.table.column_names])
    ):
        other = others.pop()
        count = sum(n for _s, n, _o, _v in whole_files)
        issues.add(
            ERROR,
            submission.workbook,
            _(
                "This workbook names another country ({other}): all {count} "
                "enterprise ids start with {other}, not {country}.",
                other=other,
                count=f"{count:,}",
                country=country,
            ),
            _(
                "If this is {other}'s file, choose {other} as the country; otherwise upload {country}'s own file.",
                other=other,
                country=country,
            ),
            column="enterprise_id",
            value=whole_files[0][3],
        )
        return
    for src, count, other, value in whole_files:
        issues.add(
            ERROR,
            src.file,
            _(
                "This file names another country ({other}): all {count} "
                "enterprise ids start with {other}, not {country}.",
                other=other,
                count=f"{count:,}",
                country=country,
            ),
            _(
                "If this is {other}'s file, choose {other} as the country; otherwise upload {country}'s own file.",
                other=other,
                country=country,
            ),
            sheet=src.sheet,
            column="enterprise_id",
            value=value,
        )


def _check_references(submission: _Submission, issues: _Issues) -> None:
    """Rows naming an enterprise that is not in enterprises: one error per missing id and file, with its rows.

    When enterprises itself repeats an id, a missing id is most often its knock-on (a row copied and its id
    left unchanged): the errors then name the duplicates as their cause and the report shows them under it.
    """
    for src in submission.sources.values():
        assert src.typed is not None
        for col in src.table.columns:
            if not col.references:
                continue
            ref_table, ref_column = col.references.split(".")
            target = submission.sources.get(ref_table)
            if target is None or target.typed is None:
                continue  # a missing or unreadable file is reported already
            values = src.typed[col.name]
            unknown = values.notna() & ~_isin(values, target.typed[ref_column].dropna())
            if src.foreign is not None:
                unknown &= ~src.foreign
            unknown = unknown.fillna(False).astype(bool)
            if not unknown.any():
                continue
            causes = [
                i for i in issues.items if i.key and i.key.startswith(f"duplicate:{target.display}:") and i.count > 1
            ]
            cause = causes[0] if causes else None
            if cause is not None:
                repeated = "; ".join(
                    _("{value} in rows {rows}", value=i.value, rows=i.rows_text) for i in causes[:MAX_ISSUES_PER_RULE]
                )

                def fix(value: str, n: int, repeated: str = repeated, file: str = target.display) -> str:
                    return _(
                        "Probably a knock-on of the duplicate ids in {file} ({repeated}): if one of those rows is "
                        "{value}, correct its id there and this error goes away; otherwise add {value} to {file}.",
                        file=file,
                        repeated=repeated,
                        value=value,
                    )
            else:

                def fix(value: str, n: int, file: str = target.display) -> str:
                    return ngettext(
                        "Add {value} to {file}, or correct the id in this row.",
                        "Add {value} to {file}, or correct the id in these {n} rows.",
                        n,
                        file=file,
                        value=value,
                    )

            def problem(value: str, n: int, column: str = ref_column, file: str = target.display) -> str:
                return ngettext(
                    "There is no row with this {column} in {file} ({n} row refers to it).",
                    "There is no row with this {column} in {file} ({n} rows refer to it).",
                    n,
                    column=column,
                    file=file,
                )

            issues.add_groups(
                ERROR, src, col.name, values, unknown, problem, fix, cause=cause.key if cause is not None else None
            )


def _isin(values: pd.Series, known: pd.Series) -> pd.Series:
    """values.isin(known), fast for millions of ids (pyarrow's hash lookup instead of pandas' object path)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        found = pc.is_in(
            pa.array(values.astype("string[pyarrow]").array), value_set=pa.array(known.astype("string[pyarrow]").array)
        )
        return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index).fillna(False).astype(bool)
    except (ImportError, TypeError, ValueError):
        return pd.Series(pd.Index(known.unique()).get_indexer(values) >= 0, index=values.index)


def _check_coordinates(src: _Source, country: str, issues: _Issues) -> None:
    typed = src.typed
    assert typed is not None
    if not {"latitude", "longitude"} <= set(typed.columns):
        return
    lat = typed["latitude"].astype("float64")
    lon = typed["longitude"].astype("float64")
    if not {"latitude", "longitude"} <= set(src.frame.columns):
        return  # the missing column is reported already
    raw_lat, raw_lon = src.frame["latitude"].str.strip(), src.frame["longitude"].str.strip()
    lat_given, lon_given = raw_lat.ne(""), raw_lon.ne("")
    fix = _("Fill in both latitude and longitude, or leave both empty.")
    issues.add_rows(
        ERROR, src, "latitude", lon_given & ~lat_given, None, _("Longitude is filled in but latitude is empty."), fix
    )
    issues.add_rows(
        ERROR, src, "longitude", lat_given & ~lon_given, None, _("Latitude is filled in but longitude is empty."), fix
    )
    if src.foreign is not None and src.foreign.any() and src.foreign.sum() == typed["enterprise_id"].notna().sum():
        return  # a file of another country: reported once already
    both = lat.notna() & lon.notna() & lat.between(-90, 90) & lon.between(-180, 180)
    if not both.any():
        return
    shape = _country_shape(country)
    if shape is None:
        issues.add(
            WARNING,
            src.file,
            _("The coordinates could not be checked: there is no outline for {country}.", country=country),
            _("Ask HQ to add the country to data/reference/countries.geojson."),
            sheet=src.sheet,
            column="latitude, longitude",
        )
        return
    import shapely

    inside = pd.Series(True, index=typed.index)
    inside[both] = shapely.contains_xy(shape, lon[both].to_numpy(), lat[both].to_numpy())
    outside = both & ~inside
    if not outside.any():
        return
    rows = outside[outside].index
    o_lat, o_lon = lat[rows[:MAX_ISSUES_PER_RULE]].to_numpy(), lon[rows[:MAX_ISSUES_PER_RULE]].to_numpy()
    swapped = shapely.contains_xy(shape, o_lat, o_lon)
    lon_sign = shapely.contains_xy(shape, -o_lon, o_lat)
    lat_sign = shapely.contains_xy(shape, o_lon, -o_lat)
    both_sign = shapely.contains_xy(shape, -o_lon, -o_lat)
    name = _country_name(country)
    min_x, min_y, max_x, max_y = shape.bounds
    m = COORDINATE_MARGIN_DEG
    generic = _(
        "Check the coordinates: {name} lies between latitude {lat_min} and {lat_max} "
        "and longitude {lon_min} and {lon_max} (decimal degrees).",
        name=name,
        lat_min=f"{min_y + m:.1f}",
        lat_max=f"{max_y - m:.1f}",
        lon_min=f"{min_x + m:.1f}",
        lon_max=f"{max_x - m:.1f}",
    )
    fixes = []
    for k in range(len(o_lat)):
        if swapped[k]:
            fixes.append(
                _(
                    "Latitude and longitude look swapped: put {lat} in latitude and {lon} in longitude.",
                    lat=f"{o_lon[k]:g}",
                    lon=f"{o_lat[k]:g}",
                )
            )
        elif lon_sign[k]:
            fixes.append(
                _("The longitude is probably missing its minus sign (west of Greenwich): {lon}.", lon=f"{-o_lon[k]:g}")
            )
        elif lat_sign[k]:
            fixes.append(
                _(
                    "The latitude is probably missing its minus sign (south of the equator): {lat}.",
                    lat=f"{-o_lat[k]:g}",
                )
            )
        elif both_sign[k]:
            fixes.append(_("Latitude and longitude are probably both missing their minus sign."))
        else:
            fixes.append(generic)
    shown = raw_lat[rows[:MAX_ISSUES_PER_RULE]] + ", " + raw_lon[rows[:MAX_ISSUES_PER_RULE]]
    issues.add_rows(
        ERROR,
        src,
        "latitude, longitude",
        rows,
        shown.tolist(),
        _("This point lies outside {name}.", name=name),
        fixes,
    )


_SHAPES: dict[str, Any] = {}


def _country_shape(iso3: str) -> Any:
    """The country's outline from data/reference/countries.geojson, grown by the margin (cached)."""
    if iso3 in _SHAPES:
        return _SHAPES[iso3]
    path = config.REFERENCE_DIR / "countries.geojson"
    if not path.exists():
        return None
    import shapely
    from shapely.geometry import shape

    with open(path, encoding="utf-8") as handle:
        features = json.load(handle).get("features", [])
    for feature in features:
        if (feature.get("properties") or {}).get("iso3") == iso3:
            geometry = shape(feature["geometry"]).buffer(COORDINATE_MARGIN_DEG)
            shapely.prepare(geometry)
            _SHAPES[iso3] = geometry
            return geometry
    return None


def _country_name(iso3: str) -> str:
    row = next((r for r in contract.reference_rows("countries.csv") if r["iso3"] == iso3), None)
    return label(row) if row else iso3


def _check_training_dates(submission: _Submission, issues: _Issues) -> None:
    training, enterprises = submission.sources.get("training"), submission.sources.get("enterprises")
    if training is None or enterprises is None:
        return
    assert training.typed is not None and enterprises.typed is not None
    joined = enterprises.typed.dropna(subset=["enterprise_id"]).drop_duplicates("enterprise_id")
    by_id = joined.set_index("enterprise_id")["joined_on"]
    joined_on = pd.Series(by_id.reindex(training.typed["enterprise_id"]).to_numpy(), index=training.typed.index)
    classroom = training.typed["classroom_date"]
    early = (classroom.notna() & joined_on.notna() & (classroom < joined_on)).astype(bool)
    if early.any():
        first = early[early].index[:MAX_ISSUES_PER_RULE]
        problems = [
            _(
                "The classroom training ({date}) is before the enterprise joined SCORE ({joined}).",
                date=f"{c:%Y-%m-%d}",
                joined=f"{j:%Y-%m-%d}",
            )
            for c, j in zip(classroom[first], joined_on[first], strict=True)
        ]
        issues.add_rows(
            WARNING,
            training,
            "classroom_date",
            early[early].index,
            training.frame["classroom_date"],
            problems,
            _("Check the classroom date here and joined_on in {file}.", file=enterprises.display),
        )


def _check_indicators(src: _Source, issues: _Issues) -> None:
    typed = src.typed
    assert typed is not None
    kinds = {code: contract.indicator_kind(code) for code in contract.code_list("indicator")}
    kind = typed["indicator"].map(kinds)
    value, period = typed["value"], typed["period"]
    share = kind.eq("share").fillna(False).astype(bool)
    raw_value = src.frame.get("value")
    not_binary = (share & value.notna() & ~value.isin([0, 1])).fillna(False).astype(bool)
    issues.add_rows(
        ERROR,
        src,
        "value",
        not_binary,
        raw_value,
        _("This indicator is a yes/no answer: the value must be 1 (yes) or 0 (no)."),
        _("Write 1 for yes and 0 for no."),
    )
    not_follow_up = (share & period.notna() & period.ne("follow_up")).fillna(False).astype(bool)
    issues.add_rows(
        ERROR,
        src,
        "period",
        not_follow_up,
        src.frame.get("period"),
        _("This yes/no indicator is measured at follow-up only."),
        _("Set period to follow_up, or delete the baseline row."),
    )

    change = kind.eq("change").fillna(False).astype(bool)
    rows = typed[change].assign(_row=typed.index[change.to_numpy()])
    base = rows[rows["period"].eq("baseline").fillna(False)].drop_duplicates(["enterprise_id", "indicator"])
    follow = rows[rows["period"].eq("follow_up").fillna(False)]
    if base.empty or follow.empty:
        return
    pairs = follow.merge(
        base[["enterprise_id", "indicator", "value", "measured_on", "_row"]],
        on=["enterprise_id", "indicator"],
        suffixes=("", "_base"),
    ).set_index("_row")
    jump = (pairs["value_base"] > 0) & (pairs["value"] > FOLLOW_UP_JUMP * pairs["value_base"])
    jump = jump.fillna(False).astype(bool)
    if jump.any():
        head = pairs[jump].iloc[:MAX_ISSUES_PER_RULE]
        issues.add_rows(
            WARNING,
            src,
            "value",
            jump[jump].index,
            src.frame["value"],
            [
                _(
                    "The follow-up value is more than {factor} times the baseline ({baseline}, row {row}).",
                    factor=FOLLOW_UP_JUMP,
                    baseline=_fmt(b),
                    row=r,
                )
                for b, r in zip(head["value_base"], head["_row_base"], strict=True)
            ],
            _("Check both values and their units (e.g. a yearly total against a monthly one)."),
        )
    early = (pairs["measured_on"] < pairs["measured_on_base"]).fillna(False).astype(bool)
    if early.any():
        head = pairs[early].iloc[:MAX_ISSUES_PER_RULE]
        issues.add_rows(
            ERROR,
            src,
            "measured_on",
            early[early].index,
            src.frame["measured_on"],
            [
                _("The follow-up is dated before its baseline ({date}, row {row}).", date=f"{d:%Y-%m-%d}", row=r)
                for d, r in zip(head["measured_on_base"], head["_row_base"], strict=True)
            ],
            _("Check the two dates, or whether baseline and follow_up were swapped."),
        )


def _check_logframe(src: _Source, issues: _Issues) -> None:
    typed = src.typed
    assert typed is not None
    levels = {row["code"]: row["level"] for row in contract.reference_rows("logframe_indicators.csv")}
    expected = typed["indicator"].map(levels)
    wrong = (typed["level"].notna() & expected.notna() & typed["level"].ne(expected)).fillna(False).astype(bool)
    if wrong.any():
        issues.add_rows(
            WARNING,
            src,
            "level",
            wrong,
            src.frame.get("level"),
            expected[wrong].map(lambda e: _("The reference logframe puts this indicator at level {level}.", level=e)),
            _("Use the level from data/reference/logframe_indicators.csv, or tell HQ if the reference is wrong."),
        )


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _final_frame(table: Table, typed: pd.DataFrame | None) -> pd.DataFrame:
    if typed is None:
        typed = pd.DataFrame(index=pd.RangeIndex(0))
    columns = {}
    for col in table.columns:
        series = typed[col.name] if col.name in typed else _empty_typed(col, typed.index)
        columns[col.name] = series.astype(_DTYPES[col.dtype])
    return pd.DataFrame(columns).reset_index(drop=True)


def _validate(country: str, submission: _Submission) -> ValidationReport:
    issues = submission.issues
    country = (country or "").strip().upper()
    known = contract.code_list("country")
    if country not in known:
        issues.add(
            ERROR,
            submission.workbook or "",
            _("Unknown country code '{country}'.", country=country),
            _("Choose one of the SCORE countries: {codes}.", codes=", ".join(known)),
        )

    for table in TABLES.values():
        if table.name in submission.sources or table.name in submission.failed:
            continue
        if submission.workbook:
            if table.required:
                sheets = ", ".join(submission.sheet_names)
                issues.add(
                    ERROR,
                    submission.workbook,
                    _("The workbook has no sheet called {table}.", table=table.name),
                    _(
                        "Add a sheet {table} (the workbook has: {sheets}); see the template.",
                        table=table.name,
                        sheets=sheets,
                    ),
                    sheet=table.name,
                )
        elif table.required and submission.names:
            issues.add(
                ERROR,
                f"{table.name}.csv",
                _("The file {file} is missing.", file=f"{table.name}.csv"),
                _(
                    "Add {file} to the upload ({description}).",
                    file=f"{table.name}.csv",
                    description=_(table.description),
                ),
            )

    for name, src in list(submission.sources.items()):
        with _guard(issues, src.file, _("checking the columns")):
            src.typed = _type_source(src, issues, country)
            _check_keys(src, src.typed, issues)
        if src.typed is None:
            del submission.sources[name]
            submission.failed.add(name)
    sources = list(submission.sources.values())
    file = submission.workbook or ""
    if country in known:
        with _guard(issues, file, _("checking the country of the enterprise ids")):
            _check_country_ids(sources, submission, country)
    with _guard(issues, file, _("checking the enterprise ids")):
        _check_references(submission, issues)
    enterprises, indicators = submission.sources.get("enterprises"), submission.sources.get("indicators")
    if enterprises is not None and country in known:
        with _guard(issues, enterprises.file, _("checking the coordinates")):
            _check_coordinates(enterprises, country, issues)
    with _guard(issues, file, _("checking the training dates")):
        _check_training_dates(submission, issues)
    if indicators is not None:
        with _guard(issues, indicators.file, _("checking the indicators")):
            _check_indicators(indicators, issues)
    if "logframe" in submission.sources:
        with _guard(issues, submission.sources["logframe"].file, _("checking the logframe")):
            _check_logframe(submission.sources["logframe"], issues)

    # Group the report by file (in the order files first appear), keeping each file's own order.
    order: dict[str, int] = {}
    for issue in issues.items:
        order.setdefault(issue.file, len(order))
    read = [
        {"file": src.file, "sheet": src.sheet or "", "table": name, "rows": len(src.frame)}
        for name, src in submission.sources.items()
    ]
    report = ValidationReport(country, sorted(issues.items, key=lambda i: order[i.file]), files=read)
    if report.ok:
        report.tables = {
            name: _final_frame(table, submission.sources[name].typed if name in submission.sources else None)
            for name, table in TABLES.items()
        }
    return report


def validate_submission(country: str, files: Mapping[str, bytes]) -> ValidationReport:
    """Validate one country's upload: {file name: raw bytes}, CSV files or one .xlsx workbook."""
    return _validate(country, _read_submission(files))


def _infer_country(folders: Sequence[str], submission: _Submission) -> str | None:
    known = set(contract.code_list("country"))
    for folder in folders:
        if folder.upper() in known:
            return folder.upper()
    for name in submission.names:
        found = _countries_in_name(name)
        if found:
            return found[0]
    counts: dict[str, int] = {}
    for src in submission.sources.values():
        if "enterprise_id" in src.frame.columns:
            prefixes = src.frame["enterprise_id"].str.extract(r"^\s*([A-Za-z]{3})-", expand=False).str.upper()
            for code, n in prefixes.value_counts().items():
                if code in known:
                    counts[code] = counts.get(code, 0) + int(n)
    return max(counts, key=lambda c: counts[c]) if counts else None


def validate_paths(paths: Sequence[Path], country: str | None = None) -> ValidationReport:
    """Validate files, or a country folder (data/countries/<ISO3>/), read from disk.

    The country is taken from the argument, else the folder name (if a known ISO3 code), else the
    file names, else the enterprise id prefixes; if none works, the report has an error.
    """
    files: dict[str, bytes] = {}
    oversized: dict[str, int] = {}
    folders: list[str] = []
    early = _Issues()
    limit = config.MAX_UPLOAD_MB * 1024 * 1024

    def add(path: Path) -> None:
        if path.name in files or path.name in oversized:
            early.add(
                ERROR, path.name, _("Two files have the same name; only the first was read."), _("Rename one of them.")
            )
            return
        try:
            size = path.stat().st_size
            if size > limit:
                oversized[path.name] = size
            else:
                files[path.name] = path.read_bytes()
        except OSError as error:
            early.add(
                ERROR,
                path.name,
                _("The file cannot be opened ({detail}).", detail=str(error)),
                _("Check the path and the permissions."),
            )

    for path in (Path(p) for p in paths):
        if path.is_dir():
            folders.append(path.resolve().name)
            for child in sorted(path.iterdir()):
                if child.name.startswith((".", "~$")) or not child.is_file():
                    continue
                suffix = child.suffix.lower()
                if suffix in WORKBOOK_SUFFIXES or (suffix in TEXT_SUFFIXES and _table_for_name(child.name)):
                    add(child)
                # anything else in a country folder (notes, markers such as DEMO_DATA.txt) is not data
        elif path.is_file():
            folders.append(path.resolve().parent.name)
            add(path)
        else:
            early.add(
                ERROR, path.name, _("There is no such file or folder: {path}.", path=str(path)), _("Check the path.")
            )

    submission = _read_submission(files, oversized)
    submission.issues.items[:0] = early.items
    chosen = (country or "").strip().upper() or _infer_country(folders, submission)
    if not chosen:
        submission.issues.add(
            ERROR,
            folders[0] if folders else "",
            _("It is not clear which country these files belong to."),
            _(
                "Put them in a folder named after the country's ISO3 code (e.g. "
                "data/countries/COL/) or give the country explicitly."
            ),
        )
        return ValidationReport("", submission.issues.items)
    return _validate(chosen, submission)


def load_country_dir(path: Path) -> ValidationReport:
    """Validate data/countries/<ISO3>/ for the database build (typed tables when valid)."""
    return validate_paths([Path(path)])


if __name__ == "__main__":  # python -m score.ingest FILES_OR_FOLDER [--country XXX]
    import argparse

    parser = argparse.ArgumentParser(description="Validate one country's SCORE files")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--country")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    result = validate_paths([Path(p) for p in arguments.paths], arguments.country)
    print(result.to_json() if arguments.json else result.summary())
    sys.exit(0 if result.ok else 1)
