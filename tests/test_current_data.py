"""Download current data: a country's published data in upload format (CSV set, one workbook, and
`python -m score download`) validates, and publishing it back changes no figure and no table."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from score import audit, config, contract, publish, upload
from score.__main__ import main
from score.access import Scope
from score.i18n import using_language
from score.ingest import validate_submission
from score.ingest.names import table_for_name
from score.upload import current_files, headline
from tests.oracle import RawData
from tests.publishing import COUNTRIES, HEADLINE, build_small

HQ = Scope.hq("geneva")
BOGOTA = Scope.country("bogota", {"COL"})
# Every table of a version, compared row for row (sorted), except what records the version itself.
DATA_TABLES = ("enterprise", "training", "indicator_value", "logframe", "country", "sector", "module", "target")


@pytest.fixture
def data(tmp_path: Path, settings_override) -> Path:
    return build_small(tmp_path, settings_override)


def oracle(countries_root: Path) -> dict[str, int]:
    """COL's headline figures counted from the raw CSV files with the csv module (tests/oracle.py)."""
    figures = RawData(countries_root).kpis(countries={"COL"})
    return {k: figures[k] for k in HEADLINE}


def tables(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in DATA_TABLES:
            frame = con.table(table).df()
            out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return out
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_download_then_publish_leaves_every_figure_and_table_identical(data: Path, kind: str, tmp_path: Path) -> None:
    before_path = config.db_pointer().resolve()
    before_tables = tables(before_path)
    before_figures = {c: headline(HQ, c, before_path) for c in COUNTRIES}
    assert before_figures["COL"] == oracle(data / "countries")  # oracle: csv module only

    files = current_files("COL", BOGOTA, kind)
    stem = f"COL-current-{dt.date.today().isoformat()}"
    assert sorted(files) == (
        [f"{stem}.xlsx"]
        if kind == "xlsx"
        else [f"{stem}-{table}.csv" for table in ("enterprises", "indicators", "logframe", "training")]
    )
    report = validate_submission("COL", files)
    assert report.ok and not report.issues, report.summary()

    result = publish.publish_country("COL", files, BOGOTA)
    after_path = config.db_pointer().resolve()
    assert after_path == result.path != before_path
    after_tables = tables(after_path)
    for name in DATA_TABLES:
        pd.testing.assert_frame_equal(after_tables[name], before_tables[name], check_exact=True, obj=name)
    assert {c: headline(HQ, c, after_path) for c in COUNTRIES} == before_figures
    if kind == "csv":  # the oracle reads CSV files named after their table: the new country folder, counted raw
        assert oracle(_as_contract_names({"COL": data / "countries" / "COL"}, tmp_path)) == before_figures["COL"]


def test_a_country_user_may_download_only_their_own_country(data: Path) -> None:
    with pytest.raises(publish.NotAllowed):
        current_files("PER", BOGOTA, "csv")
    with pytest.raises(publish.NotAllowed):
        current_files("COL", Scope.public(), "xlsx")


def test_downloads_are_audited(data: Path) -> None:
    current_files("COL", BOGOTA, "xlsx")
    (event,) = audit.read_events(limit=1, event="export")
    assert event["user"] == "bogota" and event["detail"]["kind"] == "current_data"
    assert event["detail"]["country"] == "COL" and event["detail"]["format"] == "xlsx"


def test_a_csv_button_makes_its_own_file_alone(data: Path) -> None:
    """One table's CSV (what its button asks for) is the file the whole set holds, made and audited alone."""
    every = current_files("COL", HQ, "csv")
    names = upload.current_file_names("COL")
    for table in ("enterprises", "training", "indicators", "logframe"):
        alone = current_files("COL", HQ, "csv", only=(table,))
        assert alone == ({names[table]: every[names[table]]} if names[table] in every else {}), table
        (event,) = audit.read_events(limit=1, event="export")
        assert set(event["detail"]["rows"]) <= {table}
    assert len(every) >= 3
    with pytest.raises(ValueError):
        current_files("COL", HQ, "xlsx", only=("training",))
    # in French the names say "actuel" (they were English on every page), and upload back like the English ones
    with using_language("fr"):
        french = upload.current_file_names("COL")
        alone = current_files("COL", HQ, "csv", only=("logframe",))
    assert alone == {french["logframe"]: every[names["logframe"]]} and "-actuel-" in french["logframe"]
    # the upload reads a CSV's table from its name (validated whole above in English: same bytes, same rules)
    assert all(table_for_name(french[t]) == table_for_name(names[t]) == t for t in contract.TABLES)


def test_text_that_looks_like_a_formula_survives_the_round_trip_as_text(data: Path) -> None:
    files = current_files("COL", HQ, "csv")
    name = upload.current_file_names("COL")["enterprises"]
    ent = files[name].decode("utf-8-sig").splitlines()
    header, first = ent[0], ent[1].split(",")
    first[1] = "=HYPERLINK(1)"  # name
    changed = {**files, name: ("\r\n".join([header, ",".join(first), *ent[2:]]) + "\r\n").encode()}
    publish.publish_country("COL", changed, HQ)
    again = current_files("COL", HQ, "csv")[name].decode("utf-8-sig")
    assert ",'=HYPERLINK(1)," in again  # Excel shows it as text, never runs it
    report = validate_submission("COL", {**changed, name: again.encode("utf-8")})
    assert report.ok and report.tables["enterprises"]["name"].iloc[0] == "=HYPERLINK(1)"


def _as_contract_names(folders: dict[str, Path], tmp_path: Path) -> Path:
    """A countries root holding a copy of each country's CSV files named after their table alone, as tests/oracle.py
    reads them (`COL-current-2026-12-05-training.csv` -> COL/training.csv)."""
    out = tmp_path / "as-contract"
    for country, folder in folders.items():
        (out / country).mkdir(parents=True)
        for path in folder.glob("*.csv"):
            table = next(t for t in ("enterprises", "training", "indicators", "logframe") if t in path.stem)
            shutil.copy(path, out / country / f"{table}.csv")
    return out


def test_download_then_validate_on_the_same_folder_passes_and_a_reupload_changes_no_figure(
    data: Path, tmp_path: Path, capsys
) -> None:
    """`python -m score download COL --out D && python -m score validate D` exits 0: the CSV set and the workbook
    are written to D/csv and D/xlsx, named by country and date, and validate checks each set on its own."""
    out = tmp_path / "D"
    assert main(["download", "COL", "--out", str(out)]) == 0
    stem = f"COL-current-{dt.date.today().isoformat()}"
    assert sorted(p.name for p in (out / "csv").iterdir()) == [
        f"{stem}-{table}.csv" for table in ("enterprises", "indicators", "logframe", "training")
    ]
    assert sorted(p.name for p in (out / "xlsx").iterdir()) == [f"{stem}.xlsx"]
    assert main(["validate", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("COL: accepted, 0 errors, 0 warnings.") == 2, printed
    assert oracle(_as_contract_names({"COL": out / "csv"}, tmp_path)) == oracle(data / "countries")  # D/csv, raw
    before = {c: headline(HQ, c, config.db_pointer().resolve()) for c in COUNTRIES}
    for kind in ("csv", "xlsx"):  # a re-upload of either set changes no figure of any country
        files = {p.name: p.read_bytes() for p in (out / kind).iterdir()}
        result = publish.publish_country("COL", files, BOGOTA)
        assert {c: headline(HQ, c, result.path) for c in COUNTRIES} == before, kind


def test_validate_refuses_a_folder_holding_a_workbook_and_csv_files_together(data: Path, tmp_path: Path) -> None:
    """Two sets in one folder are two uploads: validate still says so (only download's sub-folders are split)."""
    out = tmp_path / "D"
    assert main(["download", "COL", "--out", str(out)]) == 0
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for path in [*(out / "csv").iterdir(), *(out / "xlsx").iterdir()]:
        shutil.copy(path, mixed / path.name)
    assert main(["validate", str(mixed)]) == 1


def test_a_template_in_spanish_keeps_its_notes_sheet_out_of_the_upload(data: Path) -> None:
    import io

    import openpyxl

    from score import i18n, templates

    i18n.set_language("es")
    try:
        book = openpyxl.load_workbook(io.BytesIO(templates.xlsx_template("COL")))
        notes = templates.notes_sheet_name()
        assert notes in book.sheetnames and templates.CODES_SHEET in book.sheetnames
        for sheet in ("enterprises", "training", "indicators"):
            book[sheet]["A2"] = "COL-7001"
        buffer = io.BytesIO()
        book.save(buffer)
        # Read back in English: the Spanish notes sheet is still known as the template's own.
        i18n.set_language("en")
        report = validate_submission("COL", {"plantilla.xlsx": buffer.getvalue()})
    finally:
        i18n.set_language("en")
    assert report.ok and not report.issues, report.summary()


def test_a_french_template_says_each_column_type_in_french() -> None:
    import io

    import openpyxl

    from score import i18n, templates

    i18n.set_language("fr")
    try:
        book = openpyxl.load_workbook(io.BytesIO(templates.xlsx_template("COL")))
        notes = book[templates.notes_sheet_name()]
    finally:
        i18n.set_language("en")
    rows = {(row[0], row[1]): row[2] for row in notes.iter_rows(min_row=2, values_only=True) if row[1]}
    assert rows[("enterprises", "workers_female")] == "nombre entier"
    assert rows[("enterprises", "joined_on")] == "date"
    assert rows[("enterprises", "name")] == "texte"
    assert rows[("enterprises", "latitude")] == "nombre"
    types = {value for value in rows.values() if value}
    assert not types & {"text", "int", "float"}, types  # no contract type code left in English
    rules = [row[5] or "" for row in notes.iter_rows(min_row=2, values_only=True)]
    assert not [rule for rule in rules if "data/reference" in rule]  # no file of ours named to country staff


def _entries(workbook: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:  # docProps/core.xml holds the time it was written
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_the_workbook_s_rows_written_in_bulk_are_openpyxl_s_byte_for_byte(data: Path) -> None:
    """current_data_xlsx writes rows 3 on into the sheets' XML itself: every part of the workbook is the same as
    openpyxl's writing every cell, with values of every kind (text to escape, spaces kept, empty text, missing
    values, whole and fractional numbers, dates); a value it leaves to openpyxl makes openpyxl write every cell."""
    from score import templates

    tables = upload.current_tables("COL", HQ)
    ent = tables["enterprises"].copy()
    ent.loc[0, "partner"] = "=1+1"  # formula text in the first data row (openpyxl's) and below (quotePrefix)
    ent.loc[1, "name"] = ' A & B <Ltd> "quoted" '
    ent.loc[3, "partner"] = "-"
    ent.loc[2, "name"] = "Café – 工厂 =1+1"
    ent.loc[3, "city"] = ""
    ent.loc[4, "city"] = None
    ent.loc[5, "latitude"] = None
    ent.loc[6, "latitude"] = 0.1 + 0.2
    ent.loc[7, "longitude"] = 1e-05
    ent.loc[8, "workers_male"] = 123456789
    ent.loc[9, "joined_on"] = None
    tables["enterprises"] = ent
    indicators = tables["indicators"].copy()
    indicators.loc[1, "value"] = 99999999999999.5
    tables["indicators"] = indicators
    bulk = templates.current_data_xlsx("COL", tables)
    assert _entries(bulk) == _entries(templates._workbook("COL", tables))
    assert all(len(frame) > 2 for name, frame in tables.items() if name != "logframe")
    ent.loc[10, "name"] = "tab\there"  # left to openpyxl, every cell
    tables["enterprises"] = ent
    assert _entries(templates.current_data_xlsx("COL", tables)) == _entries(templates._workbook("COL", tables))


def test_the_csv_files_made_column_by_column_hold_each_value_as_cell_text_writes_it(data: Path) -> None:
    """current_data_csv writes whole columns (formula starts found in bulk, dates and numbers as columns): the same
    bytes as each value written by templates._cell_text, row by row, with values of every kind planted."""
    from score import templates

    def cell_by_cell(table: str, frame: pd.DataFrame) -> bytes:
        spec = templates.TABLES[table]
        rows = [
            [templates._cell_text(col, row[col.name]) if col.name in frame.columns else "" for col in spec.columns]
            for _i, row in frame.iterrows()
        ]
        return templates._csv_bytes([spec.column_names, *rows])

    tables = upload.current_tables("COL", HQ)
    ent = tables["enterprises"].copy()
    ent.loc[1, "name"] = "=HYPERLINK(1)"
    ent.loc[2, "name"] = "SENA;+57, -3 @x"
    ent.loc[3, "city"] = None
    ent.loc[4, "latitude"] = None
    ent.loc[5, "latitude"] = 0.1 + 0.2
    ent.loc[6, "longitude"] = 1e-05
    ent.loc[7, "joined_on"] = None
    ent.loc[8, "name"] = 'quote " and, comma'
    tables["enterprises"] = ent
    indicators = tables["indicators"].copy()
    indicators.loc[1, "value"] = 21.0
    indicators.loc[2, "value"] = 99999999999999.5
    tables["indicators"] = indicators
    for table, frame in tables.items():
        assert templates.current_data_csv(table, frame) == cell_by_cell(table, frame), table
