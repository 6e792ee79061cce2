"""Files in upload format, generated from score.contract so they cannot drift from the validator.

- `csv_template(table, country)`: header plus one example row, UTF-8 with a BOM so that Excel shows accents.
- `xlsx_template(country)`: one sheet per contract table (bold, frozen header, one example row, drop-down
  lists for code columns, number/date checks), a notes sheet that explains every column (in the reader's
  language), and a hidden "codes" sheet holding the code lists the drop-downs point to. score.ingest
  ignores the two helper sheets (under their name in every language).
- `current_data_csv(table, frame)` / `current_data_xlsx(country, tables)`: a country's published data in
  the same layout, so that it can be corrected and uploaded back: numbers and dates are written exactly
  (Python's shortest round-trip form for floats, ISO dates), and a figure does not change on the way.

The example rows use the id `<ISO3>-EXAMPLE`, which no real enterprise has: score.ingest rejects a row
with it, so an example left in a filled-in template is never published as an enterprise.
Sheet names and column names stay contract codes in every language (a machine reads them back).
"""

from __future__ import annotations

import codecs
import contextvars
import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from score import contract
from score.contract import TABLES, Column, Table
from score.formulas import formula_cells, formula_starts, neutralise_text, write_text_cell
from score.i18n import LANGUAGES, N_, _, fmt_bound, fmt_int, set_language

NOTES_SHEET = "notes"  # the English name; see notes_sheet_name()
CODES_SHEET = "codes"  # hidden, referenced by the drop-down formulas: never translated
EXAMPLE_SUFFIX = "EXAMPLE"
_LAST_ROW = 1_048_576  # Excel's last row: validations cover the whole column below the header
_HEADER_FILL = "DCE6F1"
# Text that Excel could run as a formula is written with an apostrophe (score.formulas); score.ingest removes
# it again, so a value survives the download -> upload round trip unchanged.


def notes_sheet_name() -> str:
    return _("notes")


# What a cell of each contract type holds, in words for the notes sheet (the codes text/int/... are the
# contract's own and stay in the Markdown contract for developers).
TYPE_WORDS = {
    "text": N_("text"),
    "int": N_("whole number"),
    "float": N_("number"),
    "date": N_("date"),
    "code": N_("code"),
}


def type_words(dtype: str) -> str:
    """A contract type ("int") as the notes sheet says it, in the reader's language ("nombre entier")."""
    return _(TYPE_WORDS[dtype]) if dtype in TYPE_WORDS else dtype


def _in_language(language: str, message: str) -> str:
    set_language(language)
    return _(message)


def helper_sheet_names() -> set[str]:
    """Names of the template's helper sheets in every language (ignored when a workbook is uploaded)."""
    names = {NOTES_SHEET, CODES_SHEET}
    for language in LANGUAGES:  # a copied context: the caller's language is left as it is
        names.add(contextvars.copy_context().run(_in_language, language, NOTES_SHEET))
    return names


def example_id(country: str) -> str:
    return f"{country or 'COL'}-{EXAMPLE_SUFFIX}"


def _example(col: Column, country: str) -> str:
    return example_id(country) if col.name == "enterprise_id" else col.example


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_name(country: str) -> str:
    """The empty workbook's download name in the reader's language (`SCORE_COL_modèle.xlsx`). A CSV template keeps
    its table's code as its name (`training.csv`): that is how the upload knows the table."""
    return f"SCORE_{country}_" + _("template") + ".xlsx"  # _() outside the f-string: Babel extracts it


def csv_template(table: str, country: str = "COL") -> bytes:
    """`<table>.csv`: the contract's header and one example row (UTF-8 with BOM, CRLF)."""
    spec = TABLES[table]
    return _csv_bytes([spec.column_names, [_example(col, country) for col in spec.columns]])


def _typed_example(col: Column, country: str) -> object:
    if col.dtype == "int":
        return int(col.example)
    if col.dtype == "float":
        number = float(col.example)
        return int(number) if number.is_integer() else number
    if col.dtype == "date":
        return dt.datetime.fromisoformat(col.example)
    return _example(col, country)


def _fmt(number: float | None) -> str:
    return "" if number is None else fmt_bound(number)


def column_rule(col: Column) -> str:
    """One line saying what a cell of `col` must hold (for the notes sheet and tooltips)."""
    parts = [_(col.description)]
    if col.codes:
        parts.append(_("one of: {codes}", codes=", ".join(contract.code_list(col.codes))))
    if col.dtype == "date":
        parts.append(_("a date YYYY-MM-DD from {earliest} to today", earliest=contract.EARLIEST_DATE.isoformat()))
    elif col.dtype == "int" and col.minimum is not None:
        parts.append(_("a whole number from {low} to {high}", low=_fmt(col.minimum), high=_fmt(col.maximum)))
    elif col.dtype == "float" and col.minimum is not None:
        parts.append(_("a number from {low} to {high}", low=_fmt(col.minimum), high=_fmt(col.maximum)))
    if col.pattern:
        parts.append(_("form {pattern}", pattern=col.pattern))
    if col.max_length:
        parts.append(_("at most {limit} characters", limit=fmt_int(col.max_length)))
    if col.references:
        parts.append(_("must exist in {reference}", reference=col.references))
    if col.nullable:
        parts.append(_("may be empty"))
    return "; ".join(parts)


def _code_lists() -> list[str]:
    """Code lists used by the contract, in the order they first appear."""
    names: list[str] = []
    for table in TABLES.values():
        for col in table.columns:
            if col.codes and col.codes not in names:
                names.append(col.codes)
    return names


# ---------------------------------------------------------------------------------------------- values


def _number_text(value: float) -> str:
    """A float as the shortest text that reads back as the same float ("6.2442", "12", "1e-05" -> "0.00001")."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:  # the validator reads scientific notation too, but people read plain decimals better
        plain = f"{value:.17f}".rstrip("0").rstrip(".")
        text = plain if float(plain) == value else text
    return text


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _cell_text(col: Column, value: Any) -> str:
    """One value of `col` as the validator reads it back (language-neutral: ISO dates, '.' decimals)."""
    if _missing(value):
        return ""
    if col.dtype == "date":
        return pd.Timestamp(value).date().isoformat()
    if col.dtype in ("int", "float"):  # "21.5" typed as a count stays 21.5 (the validator says why), never 21
        return _number_text(float(value))
    return neutralise_text(str(value))


def _cell_value(col: Column, value: Any) -> object:
    """One value of `col` for a workbook cell: numbers as numbers, dates as dates, text as text."""
    if _missing(value):
        return None
    if col.dtype == "date":
        return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)
    if col.dtype == "int":
        return int(value)
    if col.dtype == "float":
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    return str(value)


def current_data_csv(table: str, frame: pd.DataFrame) -> bytes:
    """`<table>.csv` holding `frame` (a country's published rows) in upload format (UTF-8 with BOM, CRLF): each
    value as `_cell_text` writes it, made column by column (a large country's indicators at 200x the demo, 2.5
    million cells, took 8 s of CPU cell by cell, most of it searching every text for a formula start)."""
    spec = TABLES[table]
    columns = [
        _column_texts(col, frame[col.name]) if col.name in frame.columns else [""] * len(frame) for col in spec.columns
    ]
    return _csv_bytes([spec.column_names, *(list(row) for row in zip(*columns, strict=True))])


def _column_texts(col: Column, values: pd.Series) -> list[str]:
    """[_cell_text(col, value) for value in values], in bulk where the column's type allows."""
    if col.dtype in ("text", "code") and pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        marked = formula_starts(values)
        texts = values.fillna("").astype(str)
        if marked is not None and marked.any():  # only text with a formula start changes
            texts = texts.copy()
            texts[marked] = texts[marked].map(neutralise_text).to_numpy()
        return texts.tolist()
    if col.dtype == "date" and pd.api.types.is_datetime64_any_dtype(values.dtype):
        present = values.dropna()
        if not len(present) or present.dt.year.min() >= 1000:  # strftime writes year 999 as "999", isoformat "0999"
            return values.dt.strftime("%Y-%m-%d").fillna("").tolist()
    if col.dtype in ("int", "float") and pd.api.types.is_numeric_dtype(values.dtype):
        return ["" if _missing(value) else _number_text(float(value)) for value in values.astype(object).tolist()]
    return [_cell_text(col, value) for value in values.tolist()]


# ---------------------------------------------------------------------------------------------- workbooks


def xlsx_template(country: str = "COL") -> bytes:
    """The country workbook template: one example row per sheet (see module docstring)."""
    return _workbook(country, None)


def current_data_xlsx(country: str, tables: Mapping[str, pd.DataFrame]) -> bytes:
    """The country's published data as one workbook in upload format (sheets, notes, drop-downs as the template).

    openpyxl writes the workbook with each sheet's first data row; the other rows are then written into the sheets'
    XML column by column, as openpyxl writes them, byte for byte (`_rows_as_openpyxl`): cell by cell, a mid-sized
    country at 200x the demo (1.6 million cells) took 23 s of CPU. A value openpyxl would write otherwise or refuse
    (a control character, a date before March 1900 or with a time, a number too large for its 16 digits) leaves
    every cell to openpyxl."""
    rest = {name: frame.iloc[1:] for name, frame in tables.items() if len(frame) > 1}
    if not rest or not all(_written_as_openpyxl(TABLES[name], frame) for name, frame in rest.items()):
        return _workbook(country, tables)
    import zipfile

    from openpyxl.utils import get_column_letter

    from score.exports import splice_rows

    column_styles: dict[str, dict[str, tuple[str, str]]] = {}
    book = _workbook(country, {name: frame.iloc[:1] for name, frame in tables.items()}, column_styles)
    sheets = {}
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        for position, table in enumerate(TABLES.values(), start=1):  # the data sheets come first, in TABLES order
            frame = rest.get(table.name)
            if frame is None:
                continue
            path = f"xl/worksheets/sheet{position}.xml"
            xml = archive.read(path).decode("utf-8")
            if f"<t>{table.columns[0].name}</t>" not in xml:  # not the sheet expected: every cell by openpyxl
                return _workbook(country, tables)
            last = get_column_letter(len(table.columns))
            sheets[path] = (f"A1:{last}{len(frame) + 2}", _rows_as_openpyxl(table, frame, column_styles[table.name]))
    return splice_rows(book, sheets)


_NOT_PLAIN_TEXT = re.compile(r"[\x00-\x1f]")  # openpyxl refuses some, lxml escapes \r: left to them
_EXCEL_DAY_ZERO = pd.Timestamp("1899-12-30")
_FIRST_PLAIN_DAY = pd.Timestamp("1900-03-01")  # before it openpyxl shifts a day (Excel's 29 February 1900)
_ROWS_PER_CHUNK = 20_000


def _written_as_openpyxl(table: Table, frame: pd.DataFrame) -> bool:
    """Whether `_rows_as_openpyxl` writes every value of `frame` as openpyxl would."""
    for col in table.columns:
        if col.name not in frame.columns:
            continue
        values = frame[col.name]
        present = values.dropna()
        if col.dtype in ("text", "code"):
            if present.astype(str).str.contains(_NOT_PLAIN_TEXT.pattern, regex=True).any():
                return False
        elif col.dtype == "date":
            dates = pd.to_datetime(present)
            if len(dates) and (dates.min() < _FIRST_PLAIN_DAY or (dates != dates.dt.normalize()).any()):
                return False
        else:
            numbers = pd.to_numeric(present).astype(float)
            if not np.isfinite(numbers).all() or (numbers.abs() >= 1e15).any():
                return False
    return True


def _rows_as_openpyxl(table: Table, frame: pd.DataFrame, styles: Mapping[str, tuple[str, str]]) -> Iterator[str]:
    """The rows of `frame` from row 3 on as the sheet XML openpyxl writes for `_column_values` (lxml: text inline,
    styled empty cells kept, unstyled ones left out, numbers as "%.16g", dates as Excel's day numbers), a chunk of
    rows at a time. `styles`: each column's style ids, plain and with quotePrefix (`_workbook`)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i) for i in range(1, len(table.columns) + 1)]
    for start in range(0, len(frame), _ROWS_PER_CHUNK):
        part = frame.iloc[start : start + _ROWS_PER_CHUNK]
        rows = [str(row) for row in range(start + 3, start + 3 + len(part))]
        columns = [
            _cells_as_openpyxl(col, letter, styles[letter], rows, part)
            for col, letter in zip(table.columns, letters, strict=True)
        ]
        yield "".join(f'<row r="{row}">{"".join(cells)}</row>' for row, *cells in zip(rows, *columns, strict=True))


def _cells_as_openpyxl(
    col: Column, letter: str, styles: tuple[str, str], rows: list[str], part: pd.DataFrame
) -> list[str]:
    plain, quoted = styles
    styled = f' s="{plain}"' if plain != "0" else ""
    if col.name not in part.columns:
        values: list[object] = [None] * len(part)
    elif col.dtype == "date":
        days = (pd.to_datetime(part[col.name]) - _EXCEL_DAY_ZERO).dt.days
        values = [None if _missing(day) else int(day) for day in days.tolist()]
    else:
        values = [_cell_value(col, value) for value in part[col.name].tolist()]
    empty = (lambda row: f'<c r="{letter}{row}"{styled} t="n"></c>') if styled else (lambda row: "")
    if col.dtype in ("text", "code"):
        texts = [None if value is None else str(value) for value in values]
        marked = formula_cells(pd.Series(texts, dtype=object)).tolist()
        quote = f' s="{quoted}"'
        return [
            empty(row) if text is None else _text_cell(f"{letter}{row}", quote if mark else styled, text)
            for row, text, mark in zip(rows, texts, marked, strict=True)
        ]
    return [
        empty(row) if value is None else f'<c r="{letter}{row}"{styled} t="n"><v>{value:.16g}</v></c>'
        for row, value in zip(rows, values, strict=True)
    ]


def _text_cell(reference: str, styled: str, text: str) -> str:
    """A text cell as openpyxl has lxml write it: inline, &, < and > escaped, anything not ASCII as a character
    reference, spaces at either end kept by xml:space, an empty text without content."""
    if not text:
        return f'<c r="{reference}"{styled} t="inlineStr"></c>'
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped if escaped.isascii() else escaped.encode("ascii", "xmlcharrefreplace").decode("ascii")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{reference}"{styled} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def _workbook(
    country: str,
    tables: Mapping[str, pd.DataFrame] | None,
    column_styles: dict[str, dict[str, tuple[str, str]]] | None = None,
) -> bytes:
    """The workbook (the template when `tables` is None). With tables, `column_styles` receives each data column's
    style ids (plain, and with quotePrefix for text that starts like a formula) for rows written later into its XML
    (current_data_xlsx): both are registered whenever `tables` is given, so every path writes the same styles."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=_HEADER_FILL)

    # Hidden sheet with the code lists: one column per list, header = list name.
    codes_sheet = book.create_sheet(CODES_SHEET)
    ranges: dict[str, str] = {}
    for position, name in enumerate(_code_lists(), start=1):
        letter = get_column_letter(position)
        values = contract.code_list(name)
        codes_sheet.cell(row=1, column=position, value=name).font = bold
        for row, code in enumerate(values, start=2):
            codes_sheet.cell(row=row, column=position, value=code)
        ranges[name] = f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    codes_sheet.sheet_state = "hidden"

    for table in TABLES.values():
        sheet = book.create_sheet(table.name)
        frame = None if tables is None else tables.get(table.name)
        if frame is None and tables is not None:
            frame = pd.DataFrame(columns=table.column_names)
        for position, col in enumerate(table.columns, start=1):
            letter = get_column_letter(position)
            head = sheet.cell(row=1, column=position, value=col.name)
            head.font, head.fill = bold, fill
            head.comment = Comment(column_rule(col), "SCORE")
            cells = [_typed_example(col, country)] if frame is None else _column_values(col, frame)
            number_format = "yyyy-mm-dd" if col.dtype == "date" else "@" if col.dtype in ("text", "code") else None
            for row, value in enumerate(cells, start=2):
                cell = sheet.cell(row=row, column=position)
                if isinstance(value, str):
                    write_text_cell(cell, value)  # text from the data is text, never a formula ("=1+1" as written)
                else:
                    cell.value = value
                if number_format:
                    cell.number_format = number_format
            if tables is not None and cells:
                # registers both styles in the book whichever path writes the rows, so the bytes are the same
                styles = _column_style_ids(sheet.cell(row=2, column=position))
                if column_styles is not None:
                    column_styles.setdefault(table.name, {})[letter] = styles
            sheet.column_dimensions[letter].width = max(len(col.name), len(col.example), 10) + 2
            area = f"{letter}2:{letter}{_LAST_ROW}"
            validation = _validation(col, ranges, DataValidation)
            if validation is not None:
                sheet.add_data_validation(validation)
                validation.add(area)
        sheet.freeze_panes = "A2"

    _notes_sheet(book, bold, fill, example=tables is None, country=country)
    book.move_sheet(CODES_SHEET, offset=len(book.sheetnames) - 1)  # data sheets first, codes last
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _column_style_ids(cell: Any) -> tuple[str, str]:
    """The style ids of `cell`'s column (openpyxl's, registered in the workbook now): without and with quotePrefix."""
    marked = cell.quotePrefix
    ids = []
    for quote_prefix in (False, True):
        cell.quotePrefix = quote_prefix
        ids.append(str(cell.style_id))
    cell.quotePrefix = marked
    return ids[0], ids[1]


def _column_values(col: Column, frame: pd.DataFrame) -> list[object]:
    if col.name not in frame.columns:
        return [None] * len(frame)
    return [_cell_value(col, value) for value in frame[col.name].tolist()]


def _notes_sheet(book: Any, bold: object, fill: object, *, example: bool, country: str) -> None:
    from openpyxl.styles import Alignment

    notes = book.create_sheet(notes_sheet_name())
    headers = [_("table"), _("column"), _("type"), _("required"), _("may be empty"), _("rule"), _("example")]
    for position, text in enumerate(headers, start=1):
        cell = notes.cell(row=1, column=position, value=text)
        cell.font, cell.fill = bold, fill
    row = 2
    yes, no = _("yes"), _("no")
    for table in TABLES.values():
        for col in table.columns:
            values = [
                table.name,
                col.name,
                type_words(col.dtype),
                yes if col.required else no,
                yes if col.nullable else no,
                column_rule(col),
                _example(col, country),
            ]
            for position, value in enumerate(values, start=1):
                notes.cell(row=row, column=position, value=value).data_type = "s"
            row += 1
        for check in table.checks:
            notes.cell(row=row, column=1, value=table.name)
            notes.cell(row=row, column=2, value=_("(check)"))
            notes.cell(row=row, column=6, value=_(check))
            row += 1
        if not table.required:
            notes.cell(row=row, column=1, value=table.name)
            notes.cell(row=row, column=2, value=_("(sheet)"))
            notes.cell(row=row, column=6, value=_("This sheet is optional; delete it if you do not report it."))
            row += 1
    row += 1
    first = (
        _(
            "Replace the example rows ({example}) with your data: one row per record, no empty rows in between. "
            "A row with the example id is rejected on upload.",
            example=example_id(country),
        )
        if example
        else _(
            "This workbook holds the data published now. Correct or add rows, keep the ids, and upload it again: "
            "the preview shows exactly what changes before anything is published."
        )
    )
    for line in (
        _("Keep the sheet names and the column names in row 1 exactly as they are."),
        first,
        _("Dates as YYYY-MM-DD, numbers without units; codes from the drop-down lists."),
        _("Upload the workbook on the Upload page; the report lists every problem with its row and column."),
    ):
        notes.cell(row=row, column=1, value=line)
        row += 1
    for letter, width in zip("ABCDEFG", (14, 22, 16, 9, 12, 90, 28), strict=True):
        notes.column_dimensions[letter].width = width
    for cells in notes.iter_rows(min_row=2, min_col=6, max_col=6):
        cells[0].alignment = Alignment(wrap_text=True, vertical="top")
    notes.freeze_panes = "A2"


def _validation(col: Column, ranges: dict[str, str], data_validation: type) -> Any:
    title = col.name
    if col.codes:
        return data_validation(
            type="list",
            formula1=ranges[col.codes],
            allow_blank=col.nullable,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=title,
            error=_("Choose a value from the list."),
            promptTitle=title,
            prompt=_(col.description)[:255],
        )
    if col.dtype == "text" and col.max_length:
        return data_validation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(col.max_length),
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=title,
            error=_("At most {limit} characters.", limit=fmt_int(col.max_length)),
        )
    if col.dtype == "date":
        earliest = (dt.datetime.combine(contract.EARLIEST_DATE, dt.time()) - dt.datetime(1899, 12, 30)).days
        return data_validation(
            type="date",
            operator="greaterThanOrEqual",
            formula1=str(earliest),
            allow_blank=col.nullable,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=title,
            error=_("A date from {earliest}, written YYYY-MM-DD.", earliest=contract.EARLIEST_DATE.isoformat()),
        )
    if col.dtype in ("int", "float") and col.minimum is not None and col.maximum is not None:
        return data_validation(
            type="whole" if col.dtype == "int" else "decimal",
            operator="between",
            formula1=repr(col.minimum),
            formula2=repr(col.maximum),
            allow_blank=col.nullable,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=title,
            error=_("A number from {low} to {high}.", low=_fmt(col.minimum), high=_fmt(col.maximum)),
        )
    return None
