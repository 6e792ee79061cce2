"""The user's own upload with its problems marked: each cell the report names is coloured and commented."""

from __future__ import annotations

import io

import openpyxl

from score.i18n import using_language
from score.ingest import validate_submission
from score.marked import can_mark, marked_name, marked_workbook
from tests.excel_exports import strict
from tests.upload_files import BASE, base_files, workbook_of


def marks(data: bytes) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> comment text, for every cell with a fill and a comment."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {
        (sheet.title, cell.coordinate): cell.comment.text
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.comment is not None and cell.fill.fgColor.rgb.endswith(("FFC7CE", "FFEB9C"))
    }


def test_a_workbook_comes_back_with_the_problem_cells_marked_and_explained() -> None:
    text = (BASE / "enterprises.csv").read_text(encoding="utf-8")
    ent = text.replace(",garments,", ",confecciones,").replace('COL-0005,"Muebles', 'COL-0004,"Muebles')
    files = {"COL.xlsx": workbook_of(base_files(enterprises__csv=ent))}
    report = validate_submission("COL", files)
    assert can_mark(files, report) and marked_name(files) == "COL_problems.xlsx"
    with using_language("es"):  # the word in the reader's language; CSV files: SCORE_<country>
        assert marked_name(files) == "COL_problemas.xlsx"
        assert marked_name({"enterprises.csv": b""}, "COL") == "SCORE_COL_problemas.xlsx"
    marked = marks(marked_workbook(files, report))
    # sector of row 2 (column C), the two rows with the same id (A5, A6), and the knock-on rows elsewhere.
    assert set(marked) == {
        ("enterprises", "C2"),
        ("enterprises", "A5"),
        ("enterprises", "A6"),
        ("training", "A8"),
        ("indicators", "A15"),
    }
    assert marked[("enterprises", "C2")].startswith("Error: Unknown code for Sector (sector)")
    assert "Fix: Did you mean garments?" in marked[("enterprises", "C2")]
    assert "Duplicate enterprise_id" in marked[("enterprises", "A6")]
    # The rest of the user's workbook is as it was.
    book = openpyxl.load_workbook(io.BytesIO(marked_workbook(files, report)))
    assert book["enterprises"]["B2"].value == "Confecciones Andinas S.A.S."


def test_a_strict_open_xml_workbook_comes_back_marked_too() -> None:
    # Excel's "Strict Open XML Spreadsheet" is read (score.ingest); its marked copy must not fail on it either.
    text = (BASE / "enterprises.csv").read_text(encoding="utf-8").replace(",garments,", ",confecciones,", 1)
    files = {"COL.xlsx": strict(workbook_of(base_files(enterprises__csv=text)))}
    report = validate_submission("COL", files)
    assert [(i.sheet, i.row, i.column) for i in report.errors] == [("enterprises", 2, "sector")]
    assert list(marks(marked_workbook(files, report))) == [("enterprises", "C2")]


def test_csv_files_come_back_as_one_workbook_with_text_cells() -> None:
    text = (BASE / "training.csv").read_text(encoding="utf-8")
    files = base_files(training__csv=text.replace(",WC,", ",=1+1,", 1))
    report = validate_submission("COL", files)
    marked = marked_workbook(files, report)
    book = openpyxl.load_workbook(io.BytesIO(marked))
    assert book.sheetnames == ["enterprises", "indicators", "logframe", "training"]
    cell = book["training"]["B2"]
    assert cell.value == "=1+1" and cell.data_type == "s"  # text, never a formula
    assert cell.quotePrefix and not book["training"]["B3"].quotePrefix  # Excel's text mark, on formula text alone
    assert set(marks(marked)) == {("training", "B2")}


def test_nothing_to_mark_for_a_valid_upload() -> None:
    files = base_files()
    assert not can_mark(files, validate_submission("COL", files))
