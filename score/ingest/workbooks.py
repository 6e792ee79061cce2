"""Reading an Excel workbook: its sheets, with the caps against workbook bombs checked before and while
reading, and cells (dates, serial numbers, numbers) turned into the text the rules read."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from score import settings
from score.contract import TABLES, Table
from score.i18n import _, fmt_int, ngettext
from score.ingest.accents import repaired_cells
from score.ingest.columns import (
    _HEADER_SEARCH_ROWS,
    _column,
    _empty_file,
    _find_header,
    _source_from_grid,
    canonical,
    header_column,
    header_named,
    table_for_header,
)
from score.ingest.names import (
    _OLE_MAGIC,
    _ZIP_MAGIC,
    _formats_fix,
    ambiguous_name_issue,
    generic_name,
    norm_name,
    table_for_name,
)
from score.ingest.report import ERROR, WARNING, IssueCollector, _Source, _Submission
from score.templates import helper_sheet_names

_UNPACKED_FACTOR = 20  # an .xlsx may unpack to at most this many times the upload limit
# Workbook bombs: a few hundred KB of zip can unpack to gigabytes of sheet XML (issue 10, point 5). Refused before
# parsing when the archive says so, and while reading when the sheets do (openpyxl's read-only mode streams rows).
MAX_WORKBOOK_UNPACKED_MB = 200  # real country workbooks unpack to a few MB; 100,000 rows x 13 columns ~ 60 MB
MAX_WORKBOOK_RATIO = 100  # unpacked / packed; sheet XML compresses 5-20 times, a bomb hundreds of times
MAX_WORKBOOK_ROWS = 500_000  # per sheet (Excel itself stops at 1,048,576)
MAX_WORKBOOK_CELLS = 2_000_000  # over all sheets, empty cells included (the demo country workbook: ~20,000)
# openpyxl streams a sheet's rows but reads every other part whole into objects before the first row (shared texts,
# styles, defined names, relationships): 200 MB of one-letter shared texts took minutes and gigabytes. Real country
# workbooks: under 1 MB besides their sheets; 2,000,000 distinct texts of 20 letters ~ 50 MB.
MAX_WORKBOOK_PARTS_MB = 50
# openpyxl finds a sheet by name with a walk over all of them (quadratic): 4,000 one-row sheets (0.6 MB zipped) took
# 200 s, 20,000 more than an hour. A country workbook has one sheet per table and a few more.
MAX_WORKBOOK_SHEETS = 100
_SHEET_ENTRY = re.compile(rb"<(?:[\w.-]+:)?sheet[\s/>]")  # a workbook part's <sheet .../>, any namespace prefix


_ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")
# A formula cell and what it keeps of its last result: Excel and LibreOffice save the result beside the formula
# (<v>), a file written by a program (openpyxl, a report generator) may not, and then the cell reads as empty.
# An empty <v> is a saved empty text only in a text cell (t="str").
_FORMULA_CELL = re.compile(rb"<c\b([^>]*)>\s*<f\b[^>]*(?:/>|>([^<]*)</f>)\s*(<v\s*/>|<v>[^<]*</v>)?\s*</c>")
_CELL_ROW = re.compile(rb'\br="[A-Z]+(\d+)"')
_CELL_REFERENCE = re.compile(rb'\br="([A-Z]+\d+)"')
_EXTERNAL_REFERENCE = re.compile(rb"\[\d+\]")  # [1]Sheet1!A1, '[1]Hoja 1'!A1 in a formula
_EXTERNAL_LINKS = "xl/externalLinks/"
_CELLS_NAMED = 5  # cells named in the warning about values from another workbook
_CHUNK = 1 << 20  # a sheet's XML is scanned a chunk at a time
_LONGEST_CELL = 1 << 20  # bytes of one cell's XML carried from a chunk to the next


# Excel's "Strict Open XML Spreadsheet (*.xlsx)" writes its parts with the ISO 29500 Strict namespaces, which openpyxl
# does not know (such a workbook read as one without sheets): read with the Transitional names they stand for.
STRICT_NAMESPACES = (
    (b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    ),
    (b"http://purl.oclc.org/ooxml/drawingml/main", b"http://schemas.openxmlformats.org/drawingml/2006/main"),
)


# ---- workbooks -----------------------------------------------------------------------------

# What reading a damaged or hand-made zip part raises (the sheet count, the crowded-cell scan, the Strict rewrite)
_DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError)


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
            besides_sheets = sum(info.file_size for info in archive.infolist() if not _streamed(info.filename))
            linked = any(info.filename.startswith(_EXTERNAL_LINKS) for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        _corrupt(issues, name, error)
        return
    limit = min(_UNPACKED_FACTOR * settings.get().max_upload_mb, MAX_WORKBOOK_UNPACKED_MB) * 1024 * 1024
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
    if besides_sheets > MAX_WORKBOOK_PARTS_MB * 1024 * 1024:
        issues.add(
            ERROR,
            name,
            _(
                "Besides its sheets, the workbook unpacks to {size} MB (texts, styles, names), more than the {limit} "
                "MB a workbook of data needs; it is too large to read safely.",
                size=fmt_int(besides_sheets / 1024 / 1024),
                limit=fmt_int(MAX_WORKBOOK_PARTS_MB),
            ),
            _("Copy the data into a new workbook (Paste Special > Values), or upload CSV files."),
        )
        return

    try:
        sheets = _sheet_count(data)
    except _DAMAGED_ZIP as error:
        _corrupt(issues, name, error)
        return
    if sheets > MAX_WORKBOOK_SHEETS:
        issues.add(
            ERROR,
            name,
            _(
                "The workbook has {n} sheets, more than the {limit} a workbook of data needs; it is too large to read "
                "safely.",
                n=fmt_int(sheets),
                limit=fmt_int(MAX_WORKBOOK_SHEETS),
            ),
            _("Keep the sheets enterprises, training, indicators and logframe in a new workbook, or upload CSV files."),
        )
        return

    try:
        crowded = _crowded(data)
    except _DAMAGED_ZIP as error:
        _corrupt(issues, name, error)
        return
    if crowded:
        _too_big(issues, name, None)
        return
    try:
        data = transitional(data)
    except _DAMAGED_ZIP as error:
        _corrupt(issues, name, error)
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
        unnamed: list[str] = []  # sheets with a default name ("Hoja1"): their header row may tell which table
        helpers = {norm_name(n) for n in helper_sheet_names()}
        # Visible sheets first: of two sheets for one table, the one a reader sees in Excel is read, and a hidden
        # one (an old copy put out of sight) is only mentioned.
        hidden = {sheet.title for sheet in book.worksheets if sheet.sheet_state != "visible"}
        for sheet_name in sorted(book.sheetnames, key=lambda sheet: sheet in hidden):
            norm = norm_name(sheet_name)
            table = norm if norm in TABLES else table_for_name(sheet_name)
            if norm in helpers:
                continue
            ambiguous = None if norm in TABLES else ambiguous_name_issue(sheet_name)
            if ambiguous is not None:
                issues.add(ERROR, name, *ambiguous, sheet=sheet_name)
                continue
            if table is None and generic_name(sheet_name):
                unnamed.append(sheet_name)
                continue
            if table is None:
                _ignored_sheet(issues, name, sheet_name)
                continue
            if table in matched and sheet_name in hidden:
                issues.add(
                    WARNING,
                    name,
                    _(
                        "The hidden sheet '{sheet}' is a second sheet for the {table} table; it was not read.",
                        sheet=sheet_name,
                        table=table,
                    ),
                    _("Delete it if it is an old copy (right-click a sheet tab > Unhide to see it)."),
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
        for sheet_name in unnamed:
            table = _table_by_header(book[sheet_name])
            if table is None or table in matched:
                _ignored_sheet(issues, name, sheet_name)
                continue
            issues.add(WARNING, name, *header_named(sheet_name, table), sheet=sheet_name)
            matched[table] = sheet_name
        cells = linked_cells = 0
        percent_styles = _percent_styles(book)
        for table, sheet_name in matched.items():
            sheet = book[sheet_name]
            declared = (sheet.max_row or 0) * (sheet.max_column or 0)  # from the sheet's <dimension>, if any
            if (sheet.max_row or 0) > MAX_WORKBOOK_ROWS or cells + declared > MAX_WORKBOOK_CELLS:
                _too_big(issues, name, sheet_name)
                sub.failed.add(table)
                return
            rows = []
            try:
                for row in _rows_as_shown(sheet, percent_styles):
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
            unsaved = _formulas_without_results(data, getattr(sheet, "_worksheet_path", ""))
            if unsaved:
                issues.add(
                    ERROR,
                    name,
                    ngettext(
                        "{n} cell holds a formula whose result was not saved in the file, so its value cannot be read.",
                        "{n} cells hold a formula whose result was not saved in the file, so their values cannot be "
                        "read.",
                        len(unsaved),
                    ),
                    _("Open the workbook in Excel or LibreOffice, let it calculate, save it and upload it again."),
                    sheet=sheet_name,
                    rows=sorted(set(unsaved)),
                )
                sub.failed.add(table)
                continue
            if linked:
                linked_cells += _warn_external_links(issues, name, sheet_name, data, sheet)
            merged = _merged_ranges(data, getattr(sheet, "_worksheet_path", ""))
            source = _source_from_cells(issues, name, sheet_name, TABLES[table], rows, book.epoch, merged)
            if source is None:
                sub.failed.add(table)
            else:
                sub.sources[table] = source
        if linked and not linked_cells:  # a link no cell of the sheets read uses (a name, another sheet): said once
            issues.add(
                WARNING,
                name,
                _(
                    "The workbook links to other workbooks (external links); values taken from them are the ones last "
                    "saved in this file and may be out of date."
                ),
                _external_links_fix(),
            )
    finally:
        book.close()


def _external_links_fix() -> str:
    return _(
        "Check those values. To keep them as they are, use Data > Edit Links > Break Link in Excel, save and upload "
        "again."
    )


def _warn_external_links(issues: IssueCollector, name: str, sheet_name: str, data: bytes, sheet: Any) -> int:
    """A warning naming the sheet's cells whose value comes from another workbook (a value saved when the file was
    last calculated, never fetched here: it may be out of date); how many there are."""
    cells = _external_link_cells(data, getattr(sheet, "_worksheet_path", ""))
    if cells:
        shown = ", ".join(cells[:_CELLS_NAMED]) + (" …" if len(cells) > _CELLS_NAMED else "")
        issues.add(
            WARNING,
            name,
            ngettext(
                "{n} cell takes its value from another workbook (an external link: {cells}); the value is the one "
                "last saved in this file and may be out of date.",
                "{n} cells take their values from another workbook (external links: {cells}); the values are the "
                "ones last saved in this file and may be out of date.",
                len(cells),
                cells=shown,
            ),
            _external_links_fix(),
            sheet=sheet_name,
        )
    return len(cells)


def _ignored_sheet(issues: IssueCollector, name: str, sheet_name: str) -> None:
    issues.add(
        WARNING,
        name,
        _("The sheet '{sheet}' is not part of the data contract and was ignored.", sheet=sheet_name),
        _("Name the sheets enterprises, training, indicators and logframe."),
        sheet=sheet_name,
    )


def _table_by_header(sheet: Any) -> str | None:
    """The table a sheet named after none holds, by its header row (`table_for_header`); None if unclear."""
    try:
        head = [
            [_cell_text(v) for v in row] for row in sheet.iter_rows(max_row=_HEADER_SEARCH_ROWS * 3, values_only=True)
        ]
    except Exception:  # damaged sheet XML: left unread, as an unnamed sheet is
        return None
    return table_for_header(head)


def transitional(data: bytes) -> bytes:
    """A Strict workbook (STRICT_NAMESPACES) with its XML parts in the Transitional names; any other unchanged.
    Its size is checked before (unpacked at most MAX_WORKBOOK_UNPACKED_MB)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "xl/workbook.xml" not in archive.namelist() or STRICT_NAMESPACES[0][0] not in archive.read(
            "xl/workbook.xml"
        ):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
            for info in archive.infolist():
                part = archive.read(info)
                if info.filename.endswith((".xml", ".rels")):
                    for strict, transitional in STRICT_NAMESPACES:
                        part = part.replace(strict, transitional)
                rewritten.writestr(info, part)
    return out.getvalue()


def _streamed(part: str) -> bool:
    """Whether openpyxl reads this part of a workbook a row at a time (a worksheet; _crowded counts its rows and
    cells), not whole. A worksheet stored anywhere else is read whole and so counts against MAX_WORKBOOK_PARTS_MB."""
    return part.startswith("xl/worksheets/") and part.endswith(".xml")


def _sheet_count(data: bytes) -> int:
    """How many sheets the workbook declares: its <sheet> entries, counted in every part but the worksheets (the
    workbook part may have any name; one declared many times over may point at one worksheet part)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(
            len(_SHEET_ENTRY.findall(archive.read(info)))
            for info in archive.infolist()
            if not _streamed(info.filename) and info.file_size
        )


def _crowded(data: bytes) -> bool:
    """Whether a worksheet has more than MAX_WORKBOOK_ROWS rows, or all of them more than MAX_WORKBOOK_CELLS
    cells, counted on the decompressed XML stream (C-speed byte counts, about a second for 100 MB) before openpyxl
    parses anything. The row loop in _read_workbook counts again (a fail-safe for unusual XML)."""
    cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not _streamed(info.filename):
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


def _formula_cells(data: bytes, worksheet: str) -> Iterator[re.Match[bytes]]:
    """The worksheet's formula cells (_FORMULA_CELL: attributes, formula, saved result), read as a stream: a window is
    cut before its last cell start, which is read again with the next chunk."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if worksheet not in archive.namelist():
            return
        with archive.open(worksheet) as stream:
            tail = b""
            while True:
                chunk = stream.read(_CHUNK)
                window = tail + chunk
                cut = window.rfind(b"<c") if chunk else len(window)
                cut = len(window) if cut < 0 else cut
                yield from _FORMULA_CELL.finditer(window, 0, cut)
                # A cell Excel writes is far shorter (32,767 characters of text, 8,192 of formula): a longer one is not
                # carried on, or a sheet of one 150 MB cell was copied again with every chunk (quadratic: 14 s of CPU)
                tail = window[cut:] if len(window) - cut <= _LONGEST_CELL else b""
                if not chunk:
                    return


def _formulas_without_results(data: bytes, worksheet: str) -> list[int]:
    """The rows of the worksheet's formula cells that hold no saved result."""
    found: list[int] = []
    for cell in _formula_cells(data, worksheet):
        attributes, result = cell.group(1), cell.group(3)
        if result is None or ((result.startswith(b"<v/") or result == b"<v></v>") and b't="str"' not in attributes):
            row = _CELL_ROW.search(attributes)
            found.append(int(row.group(1)) if row else 0)
    return found


def _external_link_cells(data: bytes, worksheet: str) -> list[str]:
    """The cells (A1 references) whose formula takes a value from another workbook: Excel writes such a reference
    as [n]Sheet!A1, n the number of the workbook's external link part (xl/externalLinks/externalLinkn.xml)."""
    found = []
    for cell in _formula_cells(data, worksheet):
        if cell.group(2) and _EXTERNAL_REFERENCE.search(cell.group(2)):
            reference = _CELL_REFERENCE.search(cell.group(1))
            found.append(reference.group(1).decode("ascii") if reference else "?")
    return found


_MERGE_CELL = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')
_MERGED_LISTED = 1000  # merged ranges looked at per sheet: a sheet of data has none, a formatted report a few


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _merged_ranges(data: bytes, worksheet: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged cells as (first row, first column, last row, last column), 1-based, from its XML
    (<mergeCells>, after the rows; openpyxl's read-only sheets do not read them), streamed a chunk at a time."""
    found: list[tuple[int, int, int, int]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if worksheet not in archive.namelist():
            return found
        with archive.open(worksheet) as stream:
            tail = b""
            while len(found) < _MERGED_LISTED:
                chunk = stream.read(_CHUNK)
                window = tail + chunk
                cut = window.rfind(b"<") if chunk else len(window)
                cut = len(window) if cut < 0 else cut
                for match in _MERGE_CELL.finditer(window, 0, cut):
                    first_col, first_row, last_col, last_row = match.groups()
                    found.append((int(first_row), _column_number(first_col), int(last_row), _column_number(last_col)))
                tail = window[cut:] if len(window) - cut <= _LONGEST_CELL else b""
                if not chunk:
                    break
    return found[:_MERGED_LISTED]


def _unmerged(
    issues: IssueCollector,
    name: str,
    sheet: str,
    table: Table,
    rows: list[tuple[object, ...]],
    header_row: int,
    header: list[str],
    merged: Sequence[tuple[int, int, int, int]],
) -> list[tuple[object, ...]]:
    """The rows with each merged range that reaches below the header filled with its value (as the sheet shows
    it; Excel keeps the value in the first cell only), and an error per such range: which rows it stands for is
    the reader's guess (one partner for three enterprises, or one count for three?), so the sheet is refused."""
    out = rows
    for first_row, first_col, last_row, last_col in merged:
        last_row, last_col = min(last_row, len(rows)), min(last_col, max(map(len, rows), default=0))
        if last_row <= header_row or (first_row == last_row and first_col == last_col) or first_row > last_row:
            continue
        named = [
            header_column(table, header[c - 1])
            for c in range(first_col, min(last_col, len(header)) + 1)
            if header_column(table, header[c - 1]) in table.column_names
        ]
        if not named:  # a note box beside the data: its columns are reported as unnamed, as before
            continue
        if out is rows:
            out = list(rows)
        first = rows[first_row - 1]
        value = first[first_col - 1] if first_col <= len(first) else None
        for r in range(first_row, last_row + 1):
            row = list(out[r - 1]) + [None] * max(0, last_col - len(out[r - 1]))
            row[first_col - 1 : last_col] = [value] * (last_col - first_col + 1)
            out[r - 1] = tuple(row)
        cells = f"{_letters(first_col)}{first_row}:{_letters(last_col)}{last_row}"
        issues.add(
            ERROR,
            name,
            _(
                "The cells {cells} are merged into one: Excel keeps its value in the first cell only, so the file "
                "does not say which rows it belongs to.",
                cells=cells,
            ),
            _(
                "Select the cells, click 'Merge & Center' to unmerge them, and type the value in every row that "
                "has it (Ctrl+D fills it down)."
            ),
            sheet=sheet,
            row=max(first_row, header_row + 1),
            column=named[0],
            value=cells,
            rows=list(range(max(first_row, header_row + 1), last_row + 1)),
        )
    return out


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# A number format's text between quotes, after a backslash, or in brackets (a colour, a condition) is shown as
# written; a "%" anywhere else makes Excel show the value times 100.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _percent_styles(book: Any) -> frozenset[int]:
    """The workbook's cell styles whose number format shows a number as a percentage (0.885 shown "88.5%")."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    def shown_as_percent(format_id: int) -> bool:
        if format_id < BUILTIN_FORMATS_MAX_SIZE:
            code = BUILTIN_FORMATS.get(format_id, "General")
        else:
            code = book._number_formats[format_id - BUILTIN_FORMATS_MAX_SIZE]
        return "%" in _FORMAT_LITERALS.sub("", code)

    try:
        return frozenset(i for i, style in enumerate(book._cell_styles) if shown_as_percent(style.numFmtId))
    except (AttributeError, IndexError, TypeError):  # styles openpyxl could not make sense of: values as kept
        return frozenset()


def _rows_as_shown(sheet: Any, percent_styles: frozenset[int]) -> Iterator[tuple[object, ...]]:
    """The sheet's rows of values; a number in a cell formatted as a percentage as Excel shows it and saves it to
    CSV (0.885 -> 88.5), since the contract's shares are written 0-100. Values only (faster) when no style is one."""
    if not percent_styles:
        yield from sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        return
    for row in sheet.iter_rows(min_row=1, min_col=1):
        yield tuple(
            _as_percent(cell.value) if getattr(cell, "_style_id", 0) in percent_styles else cell.value for cell in row
        )


def _as_percent(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(value * 100, 10)  # 0.929 * 100 is 92.89999999999999 in binary; the cell shows 92.9
    return value


def _too_big(issues: IssueCollector, name: str, sheet: str | None) -> None:
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


def _corrupt(issues: IssueCollector, name: str, error: Exception, sheet: str | None = None) -> None:
    # The library's own words ("BadZipFile: File is not a zip file") are English and name its internals: they go
    # to the log for whoever runs the service, the reader gets a sentence in their language.
    logging.getLogger("score.ingest").info("unreadable workbook %r (sheet %r): %r", name, sheet, error)
    issues.add(
        ERROR,
        name,
        _("The workbook is damaged and cannot be read."),
        _("Open it in Excel (it may offer to repair it), save it as 'Excel Workbook (*.xlsx)' and upload it again."),
        sheet=sheet,
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return canonical(value)
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
    issues: IssueCollector,
    name: str,
    sheet: str,
    table: Table,
    rows: list[tuple[object, ...]],
    epoch: dt.datetime,
    merged: Sequence[tuple[int, int, int, int]] = (),
) -> _Source | None:
    if not rows:
        _empty_file(issues, name, sheet, table, _("The sheet is empty."))
        return None
    rows = repaired_cells(issues, name, sheet, rows)
    head_text = [[_cell_text(v) for v in r] for r in rows[: _HEADER_SEARCH_ROWS * 3]]
    header_index = _find_header(head_text, table)
    header = head_text[header_index] if header_index is not None else []
    if merged and header_index is not None:
        rows = _unmerged(issues, name, sheet, table, rows, header_index + 1, header, merged)
    width = max(len(r) for r in rows)
    date_positions = {
        i
        for i, h in enumerate(header)
        if header_column(table, h) in table.column_names and _column(table, h).dtype == "date"
    }
    columns, typed = [], []
    for position in range(width):
        cells = [r[position] if position < len(r) else None for r in rows]
        if position in date_positions:
            columns.append([_serial_text(v, epoch) for v in cells])
            typed.append([False] * len(cells))
        else:
            columns.append([_number_text(v) for v in cells])
            typed.append([isinstance(v, int | float) and not isinstance(v, bool) for v in cells])
    grid = pd.DataFrame(dict(enumerate(columns)), dtype="str")
    return _source_from_grid(issues, name, sheet, table, grid, sep=None, typed=pd.DataFrame(dict(enumerate(typed))))


# "22.837": a number written with a thousands group or with three decimals? A number cell of Excel is the latter.
_LIKE_THOUSANDS = re.compile(r"-?[1-9]\d{0,2}\.\d{3}")


def _number_text(value: object) -> str:
    """A cell as text (`_cell_text`), a number cell's three decimals written with a fourth zero ("22.8370"), so
    that it reads as the number it is whatever the decimal mark of the sheet's numbers stored as text."""
    text = _cell_text(value)
    return text + "0" if isinstance(value, float) and _LIKE_THOUSANDS.fullmatch(text) else text
