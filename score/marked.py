"""The user's own upload with every problem marked: a copy of their workbook (or their CSV files as one
workbook) where each cell the validation report names is filled (red: error, yellow: warning) and carries a
comment with the problem and the fix, in the reader's language. They can correct it in place and upload it.

Only the cells change: the user's sheets, formulas and formatting stay as they were (it is their file).
CSV files become one sheet each, every cell as text (score.formulas.write_text_cell), so nothing is turned into a
number, date or formula.
Bounded: at most MAX_MB of upload and MAX_CELLS marked cells (the report itself names every row anyway).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from score.formulas import write_text_cell
from score.i18n import _
from score.ingest import (
    ERROR,
    TEXT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    Issue,
    IssueCollector,
    ValidationReport,
    decode_text,
    norm_name,
    parse_delimited,
    transitional,
)

MAX_MB = 10  # a marked copy of a larger upload would take too long to write; the report lists every problem
MAX_CELLS = 20_000
_ERROR_FILL, _WARNING_FILL = "FFC7CE", "FFEB9C"  # Excel's own "bad" and "neutral" cell styles
_HEADER_SEARCH_ROWS = 30


def marked_name(files: Mapping[str, bytes], country: str = "") -> str:
    """The marked copy's file name in the reader's language: the workbook's own name, else SCORE_<country>."""
    book = next((n for n in files if Path(n).suffix.lower() in WORKBOOK_SUFFIXES), None)
    stem = Path(book).stem if book else "_".join(filter(None, ("SCORE", country)))
    # outside an f-string: Babel on Python 3.11 extracts no call written inside one (the word stayed English)
    return stem + "_" + _("problems") + ".xlsx"


def can_mark(files: Mapping[str, bytes], report: ValidationReport) -> bool:
    """Whether a marked copy can be made: there are problems with a place, and the upload is small enough."""
    placed = any(i.file in files and (i.row is not None or i.column) for i in report.issues)
    return placed and 0 < sum(len(b) for b in files.values()) <= MAX_MB * 1024 * 1024


def marked_workbook(files: Mapping[str, bytes], report: ValidationReport) -> bytes | None:
    """The upload with its problem cells marked (see module docstring), or None when it cannot be made."""
    import openpyxl

    if not can_mark(files, report):
        return None
    workbooks = [n for n in files if Path(n).suffix.lower() in WORKBOOK_SUFFIXES]
    if workbooks:
        name = workbooks[0]
        try:
            book = openpyxl.load_workbook(io.BytesIO(transitional(files[name])), keep_vba=False)
        except Exception:  # a workbook openpyxl cannot open was reported as damaged already
            return None
        if not book.worksheets:
            return None
        sheets = {sheet: book[sheet] for sheet in book.sheetnames}
        issues = [i for i in report.issues if i.file == name]
        for issue in issues:
            sheet = sheets.get(issue.sheet or "") or book.worksheets[0]
            _mark_issue(sheet, issue)
    else:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, data in files.items():
            if Path(name).suffix.lower() not in TEXT_SUFFIXES:
                continue
            sheet = book.create_sheet(_sheet_title(Path(name).stem, book.sheetnames))
            for row in _csv_rows(name, data):
                sheet.append(row)
            for cells in sheet.iter_rows():
                for cell in cells:
                    if isinstance(cell.value, str):  # text stays text: no number, date or formula is made of it
                        write_text_cell(cell, cell.value)
            for issue in (i for i in report.issues if i.file == name):
                _mark_issue(sheet, issue)
        if not book.worksheets:
            return None
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(stem: str, taken: list[str]) -> str:
    title = "".join(ch for ch in stem if ch not in "[]:*?/\\")[:31] or "sheet"
    number = 2
    while title in taken:
        title = f"{title[:28]}_{number}"
        number += 1
    return title


def _csv_rows(name: str, data: bytes) -> Iterator[list[str]]:
    """The CSV file as the validator read it (same decoding and separator), row by row."""
    issues = IssueCollector()
    text = decode_text(issues, name, data.removeprefix(b"\xef\xbb\xbf"))
    parsed = parse_delimited(issues, name, text) if text is not None else None
    if parsed is None:
        return
    grid, _sep = parsed
    for values in grid.itertuples(index=False):
        yield [str(v) for v in values]


def _columns_of(sheet: Any, names: list[str]) -> list[int]:
    """1-based positions of the named contract columns, from the header (the first of the first rows that
    names one of them)."""
    wanted = {norm_name(n) for n in names if n}
    for cells in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row or 1, _HEADER_SEARCH_ROWS)):
        found = [c.column for c in cells if isinstance(c.value, str) and norm_name(c.value) in wanted]
        if found:
            return found
    return []


def _mark_issue(sheet: Any, issue: Issue) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    names = [part.strip() for part in (issue.column or "").split(",")]
    # A problem of the file, or of a column that is missing, is marked on the first cell of its row.
    rows = list(issue.rows) or [issue.row or 1]
    columns = _columns_of(sheet, names) or [1]
    fill = PatternFill("solid", fgColor=_ERROR_FILL if issue.severity == ERROR else _WARNING_FILL)
    tag = _("Error") if issue.severity == ERROR else _("Warning")
    note = (
        _("{label}: {value}", label=tag, value=issue.problem)
        + "\n"
        + _("{label}: {value}", label=_("Fix"), value=issue.fix)
    )
    marked = getattr(sheet, "_score_marked", 0)
    for row in rows:
        for column in columns:
            if marked >= MAX_CELLS:
                sheet._score_marked = marked
                return
            cell = sheet.cell(row=row, column=column)
            cell.fill = fill
            text = f"{cell.comment.text}\n\n{note}" if cell.comment else note
            comment = Comment(text[:32_000], "SCORE")
            comment.width, comment.height = 320, 160
            cell.comment = comment
            marked += 1
    sheet._score_marked = marked
