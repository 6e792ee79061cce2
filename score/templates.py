"""Downloadable input templates, generated from score.contract so they cannot drift from the validator.

- `csv_template(table)`: header plus one example row, UTF-8 with a BOM so that Excel shows accents.
- `xlsx_template()`: one sheet per contract table (bold, frozen header, one example row, drop-down
  lists for code columns, number/date checks), a "notes" sheet that explains every column, and a
  hidden "codes" sheet holding the code lists the drop-downs point to. score.ingest ignores the two
  helper sheets, so a filled-in template can be uploaded as it is.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io

from score import contract
from score.contract import TABLES, Column
from score.i18n import _

NOTES_SHEET = "notes"
CODES_SHEET = "codes"
_LAST_ROW = 1_048_576  # Excel's last row: validations cover the whole column below the header
_HEADER_FILL = "DCE6F1"


def csv_template(table: str) -> bytes:
    """`<table>.csv`: the contract's header and one example row (UTF-8 with BOM, CRLF)."""
    spec = TABLES[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spec.column_names)
    writer.writerow([col.example for col in spec.columns])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _typed_example(col: Column) -> object:
    if col.dtype == "int":
        return int(col.example)
    if col.dtype == "float":
        number = float(col.example)
        return int(number) if number.is_integer() else number
    if col.dtype == "date":
        return dt.datetime.fromisoformat(col.example)
    return col.example


def _fmt(number: float | None) -> str:
    return "" if number is None else f"{number:,.0f}" if float(number).is_integer() else f"{number:,}"


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


def xlsx_template() -> bytes:
    """The country workbook template (see module docstring)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
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
        for position, col in enumerate(table.columns, start=1):
            letter = get_column_letter(position)
            head = sheet.cell(row=1, column=position, value=col.name)
            head.font, head.fill = bold, fill
            head.comment = Comment(column_rule(col), "SCORE")
            example = sheet.cell(row=2, column=position, value=_typed_example(col))
            if col.dtype == "date":
                example.number_format = "yyyy-mm-dd"
            elif col.dtype in ("text", "code"):
                example.number_format = "@"
            sheet.column_dimensions[letter].width = max(len(col.name), len(col.example), 10) + 2
            area = f"{letter}2:{letter}{_LAST_ROW}"
            validation = _validation(col, ranges, DataValidation)
            if validation is not None:
                sheet.add_data_validation(validation)
                validation.add(area)
        sheet.freeze_panes = "A2"

    notes = book.create_sheet(NOTES_SHEET)
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
                col.dtype,
                yes if col.required else no,
                yes if col.nullable else no,
                column_rule(col),
                col.example,
            ]
            for position, value in enumerate(values, start=1):
                notes.cell(row=row, column=position, value=value)
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
    for line in (
        _("Keep the sheet names and the column names in row 1 exactly as they are."),
        _("Replace the example row (COL-0001) with your data: one row per record, no empty rows in between."),
        _("Dates as YYYY-MM-DD, numbers without units; codes from the drop-down lists."),
        _("Upload the workbook on the Upload page; the report lists every problem with its row and column."),
    ):
        notes.cell(row=row, column=1, value=line)
        row += 1
    for letter, width in zip("ABCDEFG", (14, 22, 8, 9, 12, 90, 28), strict=True):
        notes.column_dimensions[letter].width = width
    for cells in notes.iter_rows(min_row=2, min_col=6, max_col=6):
        cells[0].alignment = Alignment(wrap_text=True, vertical="top")
    notes.freeze_panes = "A2"

    book.move_sheet(CODES_SHEET, offset=len(book.sheetnames) - 1)  # data sheets first, codes last
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _validation(col: Column, ranges: dict[str, str], data_validation: type) -> object | None:
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
