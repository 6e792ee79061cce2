"""Text that a spreadsheet could run as a formula is a text cell marked with Excel's quotePrefix in every workbook the
app writes from data (score.formulas.write_text_cell / formula_cells): the current data in upload format (rows
written by openpyxl, and rows written into the sheet's XML in bulk) as the page workbooks already were. Read back
with openpyxl: the value as typed, a string cell, the mark on exactly the cells that start like a formula."""

from __future__ import annotations

import io

import openpyxl
import pytest

from score import templates
from score.formulas import starts_formula
from score.ingest import validate_submission
from tests.upload_files import base_files

# Each trigger (= + - @, the full-width ＝, spaces before one, a second cell after a separator), then plain text.
HOSTILE = ["=1+1", "+57 300 123", "-", "@SUM(A1)", "\uff1dBogotá", " =cmd|' /C calc'!A0", "SENA;=2+3"]


def _tables() -> dict:
    report = validate_submission("COL", base_files())
    assert report.ok, report.summary()
    return {name: frame.copy() for name, frame in report.tables.items()}


def _text_cells(workbook: bytes) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheets = [book[table] for table in templates.TABLES]
    return [
        cell for sheet in sheets for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)
    ]


@pytest.mark.parametrize("every_cell_by_openpyxl", [False, True], ids=["rows-in-bulk", "openpyxl"])
def test_the_current_data_workbook_marks_formula_text_as_text(every_cell_by_openpyxl: bool) -> None:
    tables = _tables()
    ent = tables["enterprises"]
    assert len(ent) >= len(HOSTILE) // 2 + 1
    # The first data row is written by openpyxl on both paths (its style once read as the column's): hostile there too.
    for row, value in enumerate(HOSTILE):
        ent.loc[ent.index[row % len(ent)], "name" if row < len(ent) else "partner"] = value
    if every_cell_by_openpyxl:
        ent.loc[ent.index[-1], "city"] = "\tCali"  # a control character leaves every cell to openpyxl
    cells = _text_cells(templates.current_data_xlsx("COL", tables))
    written = {cell.value for cell in cells}
    assert set(HOSTILE) <= written, set(HOSTILE) - written  # as typed: no apostrophe, no formula
    wrong = [
        (cell.coordinate, cell.value, cell.quotePrefix)
        for cell in cells
        if cell.data_type != "s" or cell.quotePrefix != starts_formula(cell.value)
    ]
    assert not wrong, wrong
    assert sum(cell.quotePrefix for cell in cells) >= len(HOSTILE)
