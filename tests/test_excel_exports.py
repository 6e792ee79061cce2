"""A country file as Excel, a Mac or another country's Windows writes it reads as the very rows it holds.

The corpus (tests/excel_exports.py) rewrites committed country folders in the encodings, separators, number and
date forms and layouts the judges' exports come in; each must be accepted and read as what the original rows
say, counted without the package: rows per table, the sum of every number column, every distinct text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pandas as pd
import pytest

from score.ingest import validate_submission
from tests.excel_exports import expected, line_break_files, variant_files, variants
from tests.hostile_uploads import base_files


def _facts(table: pd.DataFrame, wanted: dict[str, object]) -> dict[str, object]:
    facts: dict[str, object] = {"rows": len(table)}
    for column, value in wanted.items():
        if column == "rows":
            continue
        cells = table[column].dropna()
        if isinstance(value, set):
            if pd.api.types.is_datetime64_any_dtype(cells):
                facts[column] = {d.date().isoformat() for d in cells}
            else:
                facts[column] = {str(c) for c in cells}
        else:
            facts[column] = round(float(cells.astype(float).sum()), 6)
    return facts


@pytest.mark.parametrize(("variant", "country"), variants())
def test_a_country_file_written_by_any_spreadsheet_reads_as_the_rows_it_holds(variant: str, country: str) -> None:
    report = validate_submission(country, variant_files(variant, country))
    assert report.ok, report.summary()
    for table, wanted in expected(country).items():
        assert _facts(report.tables[table], wanted) == wanted, (variant, table)


def test_a_line_break_typed_inside_a_cell_stays_in_that_cell() -> None:
    report = validate_submission("COL", line_break_files("COL"))
    assert report.ok, report.summary()
    comments = report.tables["logframe"]["comment"].dropna()
    assert len(comments) and comments.str.endswith("\nsecond line").all()
    assert len(report.tables["enterprises"]) == expected("COL")["enterprises"]["rows"]


def test_a_semicolon_file_with_decimal_points_as_excel_writes_it_in_swiss_settings_keeps_its_coordinates() -> None:
    # Excel in Swiss (de-CH) or Mexican settings separates with ";" but writes a decimal point and groups
    # thousands with "'" or ",": coordinates with three decimals ("6.244") must not become thousands (6244).
    files = base_files()
    rows = list(csv.reader(io.StringIO(files["enterprises.csv"].decode("utf-8"))))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    report = validate_submission("COL", {**files, "enterprises.csv": out.getvalue().encode("utf-8")})
    assert report.ok, report.summary()
    column = rows[0].index("latitude")
    read = [None if pd.isna(v) else v for v in report.tables["enterprises"]["latitude"]]
    assert read == [float(r[column]) if r[column] else None for r in rows[1:]]


def _with_formulas(book: bytes, sheet: str, column: str, saved: bool) -> bytes:
    """The workbook with each number of one column written as a formula (=N+0), its result saved beside it as Excel
    saves it, or left out as a program that writes formulas (openpyxl) leaves it."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(book))
    cells = workbook[sheet]
    at = [c.value for c in cells[1]].index(column) + 1
    for row in range(2, cells.max_row + 1):
        cell = cells.cell(row=row, column=at)
        if cell.value is not None:
            cell.value = f"={cell.value}+0"
    out = io.BytesIO()
    workbook.save(out)
    if not saved:
        return out.getvalue()
    patched = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<f>([-\d.]+)\+0</f><v></v>", rb"<f>\1+0</f><v>\1</v>", body)
            target.writestr(info, body)
    return patched.getvalue()


@pytest.mark.parametrize("saved", [True, False])
def test_a_formula_is_read_by_its_saved_result_and_one_without_a_result_is_an_error_not_an_empty_cell(
    saved: bool,
) -> None:
    # A workbook written by a program keeps formulas without their results; read as values those cells were empty,
    # and a sheet of satisfaction shares computed by formulas was accepted with none of them (found in session 12).
    book = variant_files("an xlsx workbook", "COL")["country.xlsx"]
    files = {"country.xlsx": _with_formulas(book, "training", "satisfaction_pct", saved)}
    report = validate_submission("COL", files)
    if saved:
        assert report.ok, report.summary()
        wanted = expected("COL")["training"]
        assert _facts(report.tables["training"], wanted) == wanted
    else:
        assert not report.ok
        (issue,) = [i for i in report.issues if i.sheet == "training"]
        assert "formula" in issue.problem and issue.rows and min(issue.rows) == 2


def test_a_hidden_old_copy_of_a_sheet_is_left_unread_and_the_visible_sheet_is_read() -> None:
    # An old copy of a sheet hidden out of sight (and placed first) was read instead of the visible sheet, and the
    # visible one refused as "a second sheet": a reader could not even see what was read (found in session 12).
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(variant_files("an xlsx workbook", "COL")["country.xlsx"]))
    old = book.create_sheet("enterprises (old)", 0)
    old.append(["enterprise_id", "name"])
    old.append(["COL-9999", "An old row"])
    old.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    report = validate_submission("COL", {"country.xlsx": out.getvalue()})
    assert report.ok, report.summary()
    wanted = expected("COL")["enterprises"]
    assert _facts(report.tables["enterprises"], wanted) == wanted
    (warning,) = [i for i in report.issues if i.sheet == "enterprises (old)"]
    assert warning.severity == "warning" and "hidden" in warning.problem


def test_an_enterprise_called_total_is_data_where_the_name_comes_first() -> None:
    # A total row is left out (the variants above); an enterprise whose name is "Total", in a file with the name
    # as its first column, has an id of its own and stays.
    files = base_files()
    rows = list(csv.reader(io.StringIO(files["enterprises.csv"].decode("utf-8"))))
    at = rows[0].index("name")
    rows[1][at] = "Total"
    moved = [[row[at], *row[:at], *row[at + 1 :]] for row in rows]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(moved)
    report = validate_submission("COL", {**files, "enterprises.csv": out.getvalue().encode("utf-8")})
    assert report.ok and not report.warnings, report.summary()
    assert "Total" in set(report.tables["enterprises"]["name"])


def test_a_percent_sign_is_read_only_in_a_percentage_column() -> None:
    # "88%" is the 88 of a 0-100 share; in a headcount or a count of visits it stays a value to correct.
    files = base_files()
    training = files["training.csv"].decode("utf-8").splitlines()
    header = training[0].split(",")
    visits, satisfaction = header.index("consultation_visits"), header.index("satisfaction_pct")
    cells = training[1].split(",")
    cells[visits] += "%"
    cells[satisfaction] += " %"
    files["training.csv"] = "\n".join([training[0], ",".join(cells), *training[2:]]).encode()
    report = validate_submission("COL", files)
    assert [(i.column, i.row) for i in report.errors] == [("consultation_visits", 2)]


@pytest.mark.parametrize(
    "dash", ["\u2010", "\u2011", "\u2013", "\u2212", "\uff0d"], ids=["hyphen", "no-break", "en", "minus", "wide"]
)
def test_an_id_typed_with_a_dash_that_looks_like_the_hyphen_is_that_id(dash: str) -> None:
    # Word, Outlook and a phone's keyboard turn "COL-0001" into an en dash or a no-break hyphen; a Chinese input
    # method types full-width forms ("ＣＯＬ－０００１"). Each looks like the id, so "no row COL‑0001 in enterprises"
    # names an id the reader sees right there: an id is read as the plain characters it shows.
    files = base_files()
    wide = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    training = files["training.csv"].decode("utf-8").splitlines()
    first = training[1].split(",")
    first[0] = first[0].replace("-", dash)
    if dash == "\uff0d":
        first[0] = first[0].translate(wide)
    files["training.csv"] = "\n".join([training[0], ",".join(first), *training[2:]]).encode()
    enterprises = files["enterprises.csv"].decode("utf-8").splitlines()
    enterprises[1] = enterprises[1].replace("COL-0001", "COL" + dash + "0001", 1)
    files["enterprises.csv"] = "\n".join(enterprises).encode()
    report = validate_submission("COL", files)
    assert report.ok, report.summary()
    assert report.tables["training"]["enterprise_id"].iloc[0] == "COL-0001"
    assert "COL-0001" in set(report.tables["enterprises"]["enterprise_id"])


_YES_NO = ("good_practices_adopted", "workplace_relations_improved", "cost_savings_reported")


def _upload(files: dict[str, bytes], indicators: list[list[object]], workbook: bool) -> dict[str, bytes]:
    """The files with indicators.csv replaced: as a ";" CSV in code page 1252, or every table as one workbook."""
    if not workbook:
        text = io.StringIO()
        csv.writer(text, delimiter=";").writerows(indicators)
        return {**files, "indicators.csv": text.getvalue().encode("cp1252")}
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, content in files.items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        table = indicators if name == "indicators.csv" else list(csv.reader(io.StringIO(content.decode("utf-8"))))
        for row in table:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return {"COL.xlsx": out.getvalue()}


@pytest.mark.parametrize(
    ("yes", "no", "workbook"),
    [(True, False, True), ("VRAI", "FAUX", False), ("VERDADERO", "FALSO", False), ("Sí", "no", False)],
    ids=["xlsx TRUE-FALSE cells", "French Excel's CSV", "Spanish Excel's CSV", "words"],
)
def test_a_yes_no_indicator_answered_yes_or_no_reads_as_1_or_0(yes: object, no: object, workbook: bool) -> None:
    # A yes/no answer kept as a TRUE/FALSE cell (a checkbox): Excel's CSV writes the word in its own language.
    # A measured value written that way stays a value to correct.
    files = base_files()
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(files["indicators.csv"].decode("utf-8")))]
    answers = [row for row in rows[1:] if row[1] in _YES_NO]
    wanted = [float(str(row[4])) for row in answers]
    assert set(wanted) == {0.0, 1.0}
    for row in answers:
        row[4] = yes if row[4] == "1" else no
    report = validate_submission("COL", _upload(files, rows, workbook))
    assert report.ok, report.summary()
    indicators = report.tables["indicators"]
    assert indicators.loc[indicators["indicator"].isin(_YES_NO), "value"].tolist() == wanted
    accidents = next(row for row in rows if row[1] == "accidents")
    accidents[4] = yes
    report = validate_submission("COL", _upload(files, rows, workbook))
    assert [(i.column, i.row) for i in report.errors] == [("value", rows.index(accidents) + 1)], report.summary()


def test_a_default_name_is_read_by_its_header_only_when_that_is_clear() -> None:
    # A second enterprises file under Excel's default name, and a default name over a header of no table: ignored,
    # with the clear message, as a name that names no table always was; a chosen wrong name is never read by its header.
    files = base_files()
    files |= {"Libro1.csv": files["enterprises.csv"], "Libro2.csv": b"Notas;Fecha\nrevisar;2024-01-02\n"}
    files |= {"informe.csv": files.pop("logframe.csv")}
    report = validate_submission("COL", files)
    assert report.ok, report.summary()
    ignored = {issue.file for issue in report.warnings if "not part of the data contract" in issue.problem}
    assert ignored == {"Libro1.csv", "Libro2.csv", "informe.csv"}
    assert report.tables["logframe"].empty  # the optional table left out, not read from informe.csv


def test_merged_cells_below_the_header_are_one_error_naming_the_range_not_an_empty_cell_per_row() -> None:
    # Merged cells keep their value in the first cell only: the rows below read as empty, and the report said "The
    # cell is empty, but partner is required" with no word of the merge the reader sees (session 19). A merged title
    # above the header is no data and says nothing.
    import openpyxl

    from tests.hostile_uploads import _sheets, _workbook

    book = openpyxl.load_workbook(io.BytesIO(_workbook(_sheets())))
    enterprises = book["enterprises"]
    enterprises.insert_rows(1)
    enterprises["A1"] = "SCORE Colombia"
    enterprises.merge_cells("A1:L1")
    enterprises["L4"] = None
    enterprises.merge_cells("L3:L4")  # partner SENA over COL-0001 and COL-0002
    enterprises["N3"] = "Datos de 2013"
    enterprises.merge_cells("N3:P6")  # a note box beside the data: an unnamed column, as before
    out = io.BytesIO()
    book.save(out)
    report = validate_submission("COL", {"COL.xlsx": out.getvalue()})
    (error,) = report.errors
    assert (error.sheet, error.row, error.column, error.value, error.rows) == (
        "enterprises",
        3,
        "partner",
        "L3:L4",
        (3, 4),
    )
    assert "merged" in error.problem
    assert any(i.problem.startswith("Column N has 1 values but no name") for i in report.warnings)
