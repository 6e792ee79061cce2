"""score.ingest: reading real-world exports and the content of the validation report.

The bad-input corpus (one folder per rule) is tests/test_bad_files.py; this file covers reading
variants, the typed frames, row numbering, the cross-row rules, the templates and the public API.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import importlib
import io
import json
import pkgutil
import re
import shutil
import time
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from score import contract, ingest
from score.i18n import using_language
from score.ingest import (
    ISSUE_COLUMNS,
    MAX_ISSUES_PER_RULE,
    ValidationReport,
    conversion,
    load_country_dir,
    validate_paths,
    validate_submission,
)
from score.templates import CODES_SHEET, NOTES_SHEET, csv_template, template_name, xlsx_template

INGEST_MODULES = [  # the modules of the score.ingest package (its __main__ would run the command line)
    importlib.import_module(m.name)
    for m in pkgutil.iter_modules(ingest.__path__, "score.ingest.")
    if m.name != "score.ingest.__main__"
]
BASE = Path(__file__).parent / "fixtures" / "valid_small" / "COL"
DTYPES = {"text": "string", "code": "string", "int": "Int64", "float": "Float64", "date": "datetime64[ns]"}


def base_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(BASE.iterdir())}


def base_text(name: str) -> str:
    return (BASE / name).read_text(encoding="utf-8")


def submit(country: str = "COL", **replace: bytes | str | None) -> ValidationReport:
    """The valid base set with some files replaced (keyword = file name with '.' as '__')."""
    files = base_files()
    for key, data in replace.items():
        name = key.replace("__", ".")
        if data is None:
            files.pop(name, None)
        else:
            files[name] = data.encode("utf-8") if isinstance(data, str) else data
    return validate_submission(country, files)


def find(report: ValidationReport, *, column: str | None = None, text: str = "", severity: str | None = None):
    return [
        i
        for i in report.issues
        if (column is None or i.column == column)
        and text.lower() in i.problem.lower()
        and (severity is None or i.severity == severity)
    ]


def read_as(report: ValidationReport) -> set[tuple[str, str, str]]:
    """(file, column, header as written) of each header read as another name of its column, from the one warning a
    file gets for them (asserted: never two)."""
    found: set[tuple[str, str, str]] = set()
    warned: list[str] = []
    for issue in report.warnings:
        if "was read as" in issue.problem and issue.value is not None and issue.file.endswith((".csv", ".xlsx")):
            if "'" + str(issue.value) + "'" in issue.problem and "names no table" not in issue.problem:
                found.add((issue.file, str(issue.column), str(issue.value)))
                warned.append(f"{issue.file}/{issue.sheet}")
        elif "column names were read as" in issue.problem:
            for column in str(issue.column).split(", "):
                header = re.search(rf"'([^']*)' as {re.escape(column)}[;.]", issue.problem)
                assert header is not None, (column, issue.problem)
                found.add((issue.file, column, header.group(1)))
            warned.append(f"{issue.file}/{issue.sheet}")
    assert len(warned) == len(set(warned)), warned  # one warning per file or sheet
    return found


# ---------------------------------------------------------------------------------------------
# The valid set and the typed frames
# ---------------------------------------------------------------------------------------------


def test_valid_country_folder_gives_typed_frames_in_contract_order() -> None:
    report = load_country_dir(BASE)
    assert report.ok and report.issues == [], report.summary()
    assert report.country == "COL"
    assert set(report.tables) == set(contract.TABLES)
    for name, table in contract.TABLES.items():
        frame = report.tables[name]
        assert list(frame.columns) == table.column_names
        for col in table.columns:
            assert str(frame[col.name].dtype) == DTYPES[col.dtype], (name, col.name, frame[col.name].dtype)
    ent = report.tables["enterprises"]
    assert len(ent) == 6
    assert ent.loc[2, "city"] == "Bogotá" and ent.loc[2, "name"] == "Calzado Ñandú"
    assert ent.loc[4, "name"] == "Muebles y Maderas, El Roble"
    assert ent.loc[0, "joined_on"] == pd.Timestamp("2011-03-15")
    assert ent["joined_on"].dt.tz is None
    assert ent.loc[5, ["city", "latitude", "longitude"]].isna().all()  # empty -> NA, not ""
    assert report.tables["training"]["satisfaction_pct"].isna().sum() == 1
    assert report.tables["indicators"]["value"].sum() == pytest.approx(99572.4)


def test_optional_column_missing_from_file_is_added_as_null() -> None:
    training = "\n".join(line.rsplit(",", 1)[0] for line in base_text("training.csv").splitlines()) + "\n"
    logframe = "\n".join(line.rsplit(",", 2)[0] for line in base_text("logframe.csv").splitlines()) + "\n"
    report = submit(training__csv=training, logframe__csv=logframe)
    assert report.ok, report.summary()
    assert report.tables["training"]["satisfaction_pct"].isna().all()
    assert str(report.tables["training"]["satisfaction_pct"].dtype) == "Float64"
    assert list(report.tables["logframe"].columns) == contract.LOGFRAME.column_names
    assert report.tables["logframe"]["comment"].isna().all()


def test_optional_logframe_file_may_be_absent() -> None:
    report = submit(logframe__csv=None)
    assert report.ok, report.summary()
    assert len(report.tables["logframe"]) == 0
    assert list(report.tables["logframe"].columns) == contract.LOGFRAME.column_names


def test_text_is_stripped_and_codes_are_normalised() -> None:
    ent = base_text("enterprises.csv").replace(",garments,", ",  Garments ,").replace(",Cali,", ",  Cali\u00a0,")
    ent = ent.replace(",II,ANDI", ",ii,ANDI")
    training = base_text("training.csv").replace(",OSH,", ",osh,").replace("COL-0006,CP", "COL-0006, cp")
    indicators = base_text("indicators.csv").replace("follow_up,2012-03-22,5", "Follow-up,2012-03-22,5")
    indicators = indicators.replace("follow_up,2012-04-12,9", "FOLLOW UP,2012-04-12,9")
    report = submit(enterprises__csv=ent, training__csv=training, indicators__csv=indicators)
    assert report.ok and not report.errors, report.summary()
    ent_t, tr_t, ind_t = (report.tables[t] for t in ("enterprises", "training", "indicators"))
    assert ent_t.loc[0, "sector"] == "garments"
    assert ent_t.loc[1, "city"] == "Cali"
    assert set(ent_t["phase"]) == {"I", "II"}
    assert set(tr_t["module"]) == {"WC", "QM", "OSH", "CP"}
    assert set(ind_t["period"]) == {"baseline", "follow_up"}


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_invisible_characters_and_decomposed_accents_do_not_make_another_province_or_city(form: str) -> None:
    """A zero-width space, a word joiner or a stray byte-order mark (text pasted from a web page) cannot be seen, nor
    can an accent written as a letter and a combining mark (a Mac, Vietnamese Windows): "Antioquia" with one must
    still be Antioquia and "Medellín" Medellín, not a second province or city in the filters."""
    pasted = {
        "Antioquia": "Anti\u200boquia\u2060",
        "Cali": "\ufeffCali",
        "SENA": "SE\u200bNA",
        "Medellín": unicodedata.normalize("NFD", "Medellín"),
        "Cámara de Comercio de Bogotá": unicodedata.normalize("NFD", "Cámara de Comercio de Bogotá"),
        # A direction override (a name shown backwards), a left-to-right mark, a soft hyphen (found in session 12)
        "Valle del Cauca": "\u202eValle del Cauca\u202c",
        "Barranquilla": "Barran\u00adquilla\u200e",
    }
    if form == "csv":
        pasted["ANDI"] = "AN\x1b[31mDI\x07"  # an escape sequence and a bell; a workbook cannot hold them
        text = base_text("enterprises.csv")
        for clean, dirty in pasted.items():
            text = text.replace("," + clean + ",", "," + dirty + ",")
        report = submit(enterprises__csv=text)
    else:

        def paste(book) -> None:
            for row in book["enterprises"].iter_rows(min_row=2):
                for cell in row:
                    cell.value = pasted.get(cell.value, cell.value)

        report = validate_submission("COL", {"COL.xlsx": _workbook(mutate=paste)})
    assert report.ok, report.summary()
    raw = list(csv.DictReader(io.StringIO(base_text("enterprises.csv"))))
    typed = report.tables["enterprises"]
    for column in ("province", "city", "partner"):
        assert typed[column].fillna("").tolist() == [row[column] for row in raw], column
    hidden = "[\u200b\u2060\ufeff\u0300-\u036f\u202e\u202c\u00ad\u200e\x1b\x07]"
    assert not typed.astype("string").apply(lambda c: c.str.contains(hidden).any()).any()


def test_a_long_text_loses_every_invisible_character_whatever_its_script() -> None:
    """A file's text (longer than a cell) is searched for the invisible characters as its Latin-1 bytes when it fits
    in them, else a character at a time: each character is found either way, at the end of a long text, and a text
    with none comes back as it was (the tab and line breaks kept)."""
    from score.ingest import columns

    body = "COL-0001,Medellín,\tçà,12\r\n" * 400  # Latin-1; longer than one cell
    assert len(body) > columns._SHORT_TEXT
    for script in (body, body + "Hà Nội\n", body + "北京\n"):  # Latin-1, Vietnamese, Chinese
        assert columns.canonical(script) == script
        for char in columns._INVISIBLE_CHARS:
            assert columns.canonical(script + "a" + char + "b") == script + "ab", hex(ord(char))


# ---------------------------------------------------------------------------------------------
# Reading variants
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "encode", "warns"),
    [
        ("utf-8", lambda t: t.encode("utf-8"), False),
        ("utf-8 with BOM", lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), False),
        ("cp1252", lambda t: t.encode("cp1252"), True),
        ("latin-1", lambda t: t.encode("latin-1"), True),
        ("mac_roman", lambda t: t.encode("mac_roman"), True),
        ("cp850", lambda t: t.encode("cp850"), True),
        ("utf-16 with BOM, tabs", lambda t: t.replace(",", "\t").encode("utf-16"), False),
        ("utf-16-le without BOM, tabs", lambda t: t.replace(",", "\t").encode("utf-16-le"), False),
        ("utf-16-be with BOM, tabs", lambda t: codecs.BOM_UTF16_BE + t.replace(",", "\t").encode("utf-16-be"), False),
    ],
)
def test_encodings_read_accents_correctly(label: str, encode, warns: bool) -> None:
    text = base_text("enterprises.csv").replace('"Muebles y Maderas, El Roble"', "Muebles y Maderas El Roble")
    report = submit(enterprises__csv=encode(text.replace("\n", "\r\n")))
    assert report.ok, report.summary()
    ent = report.tables["enterprises"]
    assert list(ent["city"].dropna()) == ["Medellín", "Cali", "Bogotá", "Barranquilla", "Bucaramanga"]
    assert ent.loc[3, "name"] == "Alimentos Caribeños S.A."
    assert ent.loc[2, "partner"] == "Cámara de Comercio de Bogotá"
    encoding_warnings = find(report, text="not UTF-8")
    assert bool(encoding_warnings) is warns, label
    if warns:
        read_as = {"latin-1": "cp1252", "mac_roman": "Mac Roman"}.get(label, label)
        assert read_as in encoding_warnings[0].problem and encoding_warnings[0].severity == "warning"
        assert "may be" not in encoding_warnings[0].problem  # a whole file leaves no doubt


_ONE_NAME = [  # (code page, the one name with accents in a short file): what a detector cannot count on
    *(("cp1252", w) for w in ("Ñandú", "Niño", "Cúcuta", "Açúcar", "Françoise", "Œuvre")),
    *(("iso8859_15", w) for w in ("Ñandú", "Cúcuta", "Œuvre", "Niño")),
    *(("cp850", w) for w in ("Peñalosa", "Ñandú", "Bogotá", "São Paulo", "Pérou")),
    *(("mac_roman", w) for w in ("Ñandú", "Bogotá", "São Paulo", "Pérou")),
    # Both readings letters (session 22): "Franáoise" as Mac Roman, "Cœcuta" as Windows', "IbaguÇ", "êcija" ...
    *(("cp850", w) for w in ("Françoise", "Gonçalves", "Côte d'Ivoire", "Ibagué", "Écija", "Noël", "Forêt", "Coût")),
    *(("mac_roman", w) for w in ("Cúcuta", "Perú", "Raúl", "Œuvre", "Île-de-France", "Óscar", "Úrsula", "Cœur")),
    *(("cp1252", w) for w in ("Conceição", "Irmã", "Camões", "João")),  # not cp1258's "Conceiçăo"
    *(("cp1258", w) for w in ("Công ty May Việt Tiến", "Đà Nẵng", "Đồng Nai", "Hải Phòng", "Nguyễn Văn Đức")),
    *(("cp1258", w) for w in ("Phạm Minh Chính", "Lạng Sơn", "Cần Thơ")),
    *(("gbk", w) for w in ("北京", "苏州ABC纺织厂", "广东省")),
]


@pytest.mark.parametrize(("codepage", "name"), _ONE_NAME, ids=[f"{c}-{w}" for c, w in _ONE_NAME])
def test_a_short_file_with_one_accented_name_reads_it_exactly(codepage: str, name: str) -> None:
    # A logframe or a correction of a few rows: charset-normalizer answered cp775, cp1250, johab, big5 or cp949 for
    # such files, and "Ñandú" came back "čand·", "Việt" as "Vi膷t", "北京" as big5 (session 20).
    from tests.excel_exports import _cp1258

    text = f"enterprise_id,name\r\nCOL-0001,{name}\r\nCOL-0002,Plain name\r\n"
    raw = _cp1258(text) if codepage == "cp1258" else text.encode(codepage)
    issues = ingest.IssueCollector()
    read = ingest.decode_text(issues, "enterprises.csv", raw)
    assert read is not None and name in unicodedata.normalize("NFC", read), read
    assert not [i.problem for i in issues.items if "may be" in i.problem]  # no doubt left


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_file_two_code_pages_read_as_letters_alike_names_both_readings_of_a_word(lang: str) -> None:
    # Mac Roman's "Voilà" is DOS's "Voilê": both French, nothing tells them apart; the warning shows the word both ways.
    text = "enterprise_id,name\r\nCOL-0001,Plain name\r\nCOL-0002,Voilà Textiles\r\n"
    issues = ingest.IssueCollector()
    with using_language(lang):
        read = ingest.decode_text(issues, "enterprises.csv", text.encode("mac_roman"))
    assert read is not None and "Voilà" in read
    (warning,) = issues.items
    assert "Voilà" in warning.problem and "Voilê" in warning.problem and warning.row == 3, warning
    assert "Mac Roman" in warning.problem and "cp850" in warning.problem


def test_semicolon_separator_with_decimal_commas_and_thousands() -> None:
    ent = (
        "enterprise_id;name;sector;province;city;latitude;longitude;workers_female;workers_male;joined_on;phase;partner\r\n"
        "COL-0001;Confecciones Andinas;garments;Antioquia;Medellín;6,2442;-75,5812;1.234;40;2011-03-15;I;SENA\r\n"
        'COL-0002;"Textiles; del Río";textiles;Valle del Cauca;Cali;3,452;-76,532;60;1\u00a0072;15/04/2011;I;SENA\r\n'
        "COL-0003;Calzado Ñandú;footwear_leather;Bogotá D.C.;Bogotá;4,711;-74,072;22;31;2012-01-20;I;SENA\r\n"
        "COL-0004;Alimentos;food_beverages;Atlántico;Barranquilla;10,964;-74,796;45;88;2012-06-11;II;ANDI\r\n"
        "COL-0005;Muebles;wood_furniture;Santander;Bucaramanga;7,119;-73,123;9;27;2013-02-05;II;SENA\r\n"
        "COL-0006;Plásticos;chemicals_plastics;Cundinamarca;;;;30;55;2013-05-14;II;ANDI\r\n"
    )
    report = submit(enterprises__csv=ent.encode("cp1252"))
    assert report.ok, report.summary()
    ent_t = report.tables["enterprises"]
    assert ent_t.loc[0, "latitude"] == pytest.approx(6.2442)
    assert ent_t.loc[0, "longitude"] == pytest.approx(-75.5812)
    assert ent_t.loc[0, "workers_female"] == 1234  # "1.234" with a decimal comma: thousands
    assert ent_t.loc[1, "workers_male"] == 1072  # NBSP as thousands separator
    assert ent_t.loc[1, "name"] == "Textiles; del Río"
    assert ent_t.loc[1, "joined_on"] == pd.Timestamp("2011-04-15")  # DD/MM/YYYY


def test_excel_sep_line_crlf_trailing_empty_rows_and_columns() -> None:
    lines = base_text("enterprises.csv").splitlines()
    text = "sep=,\r\n" + "".join(line + ",,,\r\n" for line in lines) + ",,,,,,,,,,,,,,,\r\n\r\n,,,\r\n"
    report = submit(enterprises__csv=text)
    assert report.ok and not report.issues, report.summary()
    assert len(report.tables["enterprises"]) == 6


def test_quoted_newlines_keep_excel_row_numbers() -> None:
    lines = base_text("enterprises.csv").splitlines()
    lines[2] = lines[2].replace("Textiles del Río Cauca Ltda.", '"Textiles del Río\nCauca Ltda."')
    lines[5] = lines[5].replace(",wood_furniture,", ",madera,")
    report = submit(enterprises__csv="\n".join(lines) + "\n")
    (issue,) = report.errors
    assert (issue.row, issue.column, issue.value) == (6, "sector", "madera")


def test_blank_rows_in_the_middle_are_skipped_but_counted() -> None:
    lines = base_text("training.csv").splitlines()
    lines.insert(3, "")
    lines.insert(4, ",,,,,,,,")
    lines[6] = lines[6].replace(",WC,", ",XX,")  # Excel row 7
    report = submit(training__csv="\n".join(lines) + "\n")
    (issue,) = report.errors
    assert (issue.row, issue.column) == (7, "module")


@pytest.mark.parametrize("blank", ["\r\n", "\n\n", "\r", ",,,,\r\n"])
def test_a_blank_first_line_above_the_header_is_not_an_empty_file(blank: str) -> None:
    # A sheet whose row 1 was left empty saves a blank first line; pandas' C parser stops at it ("no columns"),
    # and the file was reported as "The file is empty." (session 19).
    clean = submit()
    report = submit(enterprises__csv=blank + base_text("enterprises.csv"))
    assert report.ok and not report.issues, report.summary()
    pd.testing.assert_frame_equal(
        report.tables["enterprises"].reset_index(drop=True), clean.tables["enterprises"].reset_index(drop=True)
    )
    wrong = submit(enterprises__csv=blank + base_text("enterprises.csv").replace(",textiles,", ",zzz,"))
    (issue,) = wrong.errors
    rows_above = blank.count("\n") or 1
    assert (issue.row, issue.column, issue.value) == (3 + rows_above, "sector", "zzz"), wrong.summary()


def test_a_unit_or_form_in_brackets_after_a_column_name_is_read_as_that_column() -> None:
    # People add a unit or a form to a header; "workers_female (n)" was a missing required column, and the shares of
    # "satisfaction (%)" were left out of an accepted upload with a warning (session 19).
    enterprises = base_text("enterprises.csv").splitlines()
    enterprises[0] = enterprises[0].replace("latitude", "Latitude [°]").replace("workers_female", "workers_female (n)")
    enterprises[0] = enterprises[0].replace("joined_on", "Joined on (YYYY-MM-DD)")
    training = base_text("training.csv").replace("satisfaction_pct", "satisfaction (%)")
    logframe = base_text("logframe.csv").replace("female_share", "female_share (%)")
    report = submit(enterprises__csv="\n".join(enterprises) + "\n", training__csv=training, logframe__csv=logframe)
    assert report.ok and not report.errors, report.summary()
    clean = submit()
    for table in ("enterprises", "training", "logframe"):
        pd.testing.assert_frame_equal(report.tables[table], clean.tables[table])
    assert len(report.warnings) == 3  # a warning per file
    assert read_as(report) == {
        ("enterprises.csv", "latitude", "Latitude [°]"),
        ("enterprises.csv", "workers_female", "workers_female (n)"),
        ("enterprises.csv", "joined_on", "Joined on (YYYY-MM-DD)"),
        ("training.csv", "satisfaction_pct", "satisfaction (%)"),
        ("logframe.csv", "female_share", "female_share (%)"),
    }


def test_title_rows_above_the_header_are_skipped_with_a_warning() -> None:
    text = "SCORE Colombia - empresas 2013,,,\n\n" + base_text("enterprises.csv").replace(",textiles,", ",zzz,")
    report = submit(enterprises__csv=text)
    assert find(report, text="above the header", severity="warning")
    (issue,) = report.errors
    assert (issue.row, issue.column) == (5, "sector")  # header in row 3, COL-0002 in row 5


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 row above the header (row 3) was ignored.", "2 rows above the header (row 4) were ignored."),
        (
            "fr",
            "1 ligne au-dessus de l'en-tête (ligne 3) a été ignorée.",
            "2 lignes au-dessus de l'en-tête (ligne 4) ont été ignorées.",
        ),
        (
            "es",
            "Se ignoró 1 fila por encima del encabezado (fila 3).",
            "Se ignoraron 2 filas por encima del encabezado (fila 4).",
        ),
    ],
)
def test_one_title_row_above_the_header_is_counted_in_the_singular(lang: str, one: str, two: str) -> None:
    from score.i18n import using_language

    body = base_text("enterprises.csv")
    with using_language(lang):
        single = submit(enterprises__csv="SCORE Colombia - empresas 2013,,,\n\n" + body)
        double = submit(enterprises__csv="SCORE Colombia,,,\nempresas 2013,,,\n\n" + body)
    assert [i.problem for i in single.warnings] == [one]
    assert [i.problem for i in double.warnings] == [two]


def test_header_case_and_spaces_are_accepted_with_a_warning() -> None:
    lines = base_text("enterprises.csv").splitlines()
    lines[0] = lines[0].replace("enterprise_id", "Enterprise ID").replace("workers_male", " Workers-Male ")
    report = submit(enterprises__csv="\n".join(lines) + "\n")
    assert report.ok, report.summary()
    assert read_as(report) == {
        ("enterprises.csv", "enterprise_id", "Enterprise ID"),
        ("enterprises.csv", "workers_male", "Workers-Male"),
    }


# Headers as Colombia's, Peru's and a French-speaking office's exports write them (session 21): each was a missing
# required column plus an ignored one, so the whole file was refused.
SPANISH_AND_FRENCH_HEADERS = {
    "enterprises.csv": {
        "enterprise_id": "ID de la empresa",
        "name": "Nombre de la empresa",
        "province": "Département",
        "city": "VILLE",
        "workers_female": "Trabajadoras",
        "workers_male": "Effectif_masculin",
        "joined_on": "Fecha de inicio",
        "partner": "Partenaire de mise en oeuvre",
    },
    "training.csv": {"module": "Módulo", "classroom_date": "Fecha de inicio", "consultation_visits": "Visites"},
    "indicators.csv": {"indicator": "Indicador", "period": "Période", "measured_on": "Fecha", "value": "Valeur"},
    "logframe.csv": {"level": "Nivel", "period_end": "Date", "actual": "Réalisé", "female_share": "% mujeres"},
}


def test_spanish_and_french_headers_are_read_as_the_contracts_columns() -> None:
    renamed = {}
    for name, headers in SPANISH_AND_FRENCH_HEADERS.items():
        header, rest = base_text(name).split("\n", 1)
        cells = [headers.get(cell, cell) for cell in header.split(",")]
        renamed[name.replace(".", "__")] = ",".join(cells) + "\n" + rest
    report = submit(**renamed)
    assert report.ok and not report.errors, report.summary()
    clean = submit()
    for table in contract.TABLES:
        pd.testing.assert_frame_equal(report.tables[table], clean.tables[table])
    expected = {(f, c, h) for f, headers in SPANISH_AND_FRENCH_HEADERS.items() for c, h in headers.items()}
    assert read_as(report) == expected
    assert len(report.warnings) == len(SPANISH_AND_FRENCH_HEADERS)  # one per file, naming each column


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "8 column names were read as the data contract's: 'ID de la empresa' as enterprise_id; "),
        (
            "fr",
            "8 noms de colonne ont été lus comme ceux du contrat de données\u202f: «\xa0ID de la empresa\xa0» comme ",
        ),
        ("es", "8 nombres de columna se leyeron como los del contrato de datos: «ID de la empresa» como "),
    ],
)
def test_a_file_in_spanish_or_french_gets_one_warning_naming_each_column_read(lang: str, words: str) -> None:
    # A fully Spanish or French file had a warning per column (8 for enterprises.csv), one thing said eight times.
    headers = SPANISH_AND_FRENCH_HEADERS["enterprises.csv"]
    header, rest = base_text("enterprises.csv").split("\n", 1)
    with using_language(lang):
        report = submit(enterprises__csv=",".join(headers.get(cell, cell) for cell in header.split(",")) + "\n" + rest)
    assert report.ok, report.summary()
    (warning,) = report.warnings
    assert warning.problem.startswith(words), warning.problem
    assert warning.column == ", ".join(headers) and warning.row == 1
    assert all(written in warning.problem and column in warning.fix for column, written in headers.items())


def test_a_header_that_may_stand_for_two_columns_is_named_with_both_and_not_read() -> None:
    training = base_text("training.csv").replace("managers_female", "Mujeres", 1)
    report = submit(training__csv=training)
    (issue,) = report.errors
    assert (issue.file, issue.column) == ("training.csv", "Mujeres")
    assert "managers_female, workers_female" in issue.problem and "managers_female" in issue.fix
    with using_language("es"):
        (issue,) = submit(training__csv=training).errors
    assert "más de una columna (managers_female, workers_female)" in issue.problem


def test_near_miss_headers_get_a_suggestion() -> None:
    lines = base_text("enterprises.csv").splitlines()
    lines[0] = lines[0].replace("latitude", "lat").replace("joined_on", "join_date").replace("partner", "socio")
    report = submit(enterprises__csv="\n".join(lines) + "\n")
    by_column = {i.column: i for i in report.errors}
    assert set(by_column) == {"latitude", "joined_on", "partner"}
    assert by_column["latitude"].row == 1 and "'lat'" in by_column["latitude"].fix
    assert "'join_date'" in by_column["joined_on"].fix
    assert "did you mean" not in by_column["partner"].fix.lower()  # "socio" is not close to anything
    assert find(report, column="socio", severity="warning")  # unknown column, listed once
    assert not find(report, column="lat", severity="warning")  # used as a suggestion, not listed again


def test_ragged_row_with_unquoted_separator() -> None:
    text = base_text("enterprises.csv").replace('"Muebles y Maderas, El Roble"', "Muebles y Maderas, El Roble")
    report = submit(enterprises__csv=text)
    ragged = find(report, text="more values than the header")
    assert [(i.row, i.severity) for i in ragged] == [(6, "error")]
    assert "double quotes" in ragged[0].fix


def test_file_names_are_matched_loosely() -> None:
    files = base_files()
    renamed = {
        "COL_enterprises (2).csv": files["enterprises.csv"],
        "Training.CSV": files["training.csv"],
        "colombia-INDICATORS-final.txt": files["indicators.csv"],
        "log_frame.csv": files["logframe.csv"],
    }
    report = validate_submission("col", renamed)
    assert report.ok and not report.issues, report.summary()
    assert report.country == "COL"
    assert len(report.tables["logframe"]) == 5


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def _csv_rows(name: str) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(base_text(name))))


def _workbook(sheet_names: dict[str, str] | None = None, mutate=None) -> bytes:
    """The base set as a workbook with typed cells: numbers as numbers, dates as Excel dates."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in contract.TABLES.values():
        rows = _csv_rows(f"{table.name}.csv")
        sheet = book.create_sheet((sheet_names or {}).get(table.name, table.name))
        sheet.append(rows[0])
        for row in rows[1:]:
            cells: list[object] = []
            for name, value in zip(rows[0], row, strict=True):
                dtype = table.column(name).dtype
                if value == "":
                    cells.append(None)
                elif dtype == "int":
                    cells.append(int(value))
                elif dtype == "float":
                    cells.append(float(value))
                elif dtype == "date":
                    cells.append(dt.datetime.fromisoformat(value))
                else:
                    cells.append(value)
            sheet.append(cells)
        for cell in sheet[1]:
            if table.column(cell.value).dtype == "date":
                for (c,) in sheet.iter_rows(min_row=2, min_col=cell.column, max_col=cell.column):
                    c.number_format = "yyyy-mm-dd"
    if mutate:
        mutate(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_real_date_cells_numbers_and_loose_sheet_names() -> None:
    def mutate(book: openpyxl.Workbook) -> None:
        ent = book[" Enterprises "]
        ent["J3"] = 40635  # joined_on as an Excel serial number (2011-04-02)
        ent["J3"].number_format = "General"
        ent["J4"] = "20/01/2012"  # text date DD/MM/YYYY
        book.create_sheet("Hoja1")["A1"] = "borrador"

    data = _workbook({"enterprises": " Enterprises ", "training": "TRAINING"}, mutate)
    report = validate_submission("COL", {"COL.xlsx": data})
    assert report.ok, report.summary()
    (warning,) = report.warnings
    assert warning.sheet == "Hoja1" and "ignored" in warning.problem
    ent = report.tables["enterprises"]
    assert list(ent["joined_on"][:3]) == [pd.Timestamp(d) for d in ("2011-03-15", "2011-04-02", "2012-01-20")]
    assert ent.loc[0, "latitude"] == pytest.approx(6.244)
    assert ent.loc[0, "workers_female"] == 85
    assert report.tables["training"].loc[1, "satisfaction_pct"] == pytest.approx(91.5)
    assert report.tables["logframe"].loc[3, "female_share"] == pytest.approx(33.3)


def test_a_name_that_opens_with_a_quoted_word_keeps_its_quotes_as_written() -> None:
    lines = base_text("enterprises.csv").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    column = header.index("name")
    names = ['"El Río" Textiles Ltda.', '"A" y "B" Cía.', '""Sin nombre', '"Bebidas" S.A.C.']
    others = [line.split(",") for line in lines[2:5]]
    rows = [
        ",".join([*row[:column], name, *row[column + 1 :]]) for row, name in zip([first, *others], names, strict=True)
    ]
    text = "\n".join([lines[0], *rows, *lines[5:]]) + "\n"
    # A well-formed quoted cell, and one whose quotes hold a separator, read as before.
    text = text.replace(others[2][column + 1], '"' + others[2][column + 1] + '"', 1)
    # Read by pandas' C parser; with semicolons; and by the csv module (a row with extra empty cells is ragged).
    for body in (text, text.replace(",", ";"), text.rstrip("\n") + ",,,\n"):
        report = submit(enterprises__csv=body)
        names_read = report.tables["enterprises"]["name"].tolist() if "enterprises" in report.tables else []
        assert names_read[:4] == ['"El Río" Textiles Ltda.', '"A" y "B" Cía.', '""Sin nombre', '"Bebidas" S.A.C.'], (
            report.summary()
        )
    report = submit(enterprises__csv=text.replace('"El Río" Textiles Ltda.', '"El Río, Cali" Textiles'))
    assert report.tables["enterprises"]["name"][0] == "El Río, Cali Textiles"  # the quotes hold a comma: a cell


def test_files_and_sheets_named_in_french_or_spanish_are_read_as_their_table() -> None:
    tables = {"enterprises": "COL", "training": "", "indicators": "", "logframe": ""}
    spanish = {"enterprises": "COL_Empresas.CSV", "training": "capacitación 2024.csv", "indicators": "INDICADORES.csv"}
    french = {"enterprises": "entreprises.csv", "training": "Formation.csv", "indicators": "indicateurs.csv"}
    for names in (spanish | {"logframe": "Marco lógico.csv"}, french | {"logframe": "cadre_logique.csv"}):
        files = {names[table]: (BASE / f"{table}.csv").read_bytes() for table in tables}
        report = validate_submission("COL", files)
        assert report.ok and not report.issues, report.summary()
        assert {table: len(frame) for table, frame in report.tables.items()} == {
            table: len(_csv_rows(f"{table}.csv")) - 1 for table in tables
        }
    sheets = {
        "enterprises": "Empresas",
        "training": "Formación",
        "indicators": "Indicadores",
        "logframe": "Marco lógico",
    }
    report = validate_submission("COL", {"COL.xlsx": _workbook(sheets)})
    assert report.ok and not report.issues, report.summary()
    assert set(report.tables) == set(tables)


def test_a_sheet_name_with_a_dot_is_a_name_not_a_file_name() -> None:
    # Numbered tabs ("1. Enterprises") and a company form ("S.A. empresas") were cut at the first dot as if it began
    # a file's extension ("1"), so no sheet was found; a file's extension is still dropped ("1. Empresas.csv").
    sheets = {
        "enterprises": "1. Enterprises",
        "training": "2. Formación",
        "indicators": "Indicadores S.A.",
        "logframe": "4. Marco lógico v1.2",
    }
    report = validate_submission("COL", {"COL.xlsx": _workbook(sheets)})
    assert report.ok and not report.issues, report.summary()
    assert set(report.tables) == set(contract.TABLES)
    files = {
        f"{n}. {table.title()}.csv": (BASE / f"{table}.csv").read_bytes() for n, table in enumerate(contract.TABLES, 1)
    }
    report = validate_submission("COL", files)
    assert report.ok and not report.issues, report.summary()


def test_a_file_name_that_fits_two_tables_or_none_is_an_error_never_a_guess() -> None:
    # 'información' is not 'formación'; a name with no table word leaves the expected file missing, named.
    report = submit(training__csv=None, **{"información__csv": base_text("training.csv")})
    (missing,) = report.errors
    assert missing.file == "training.csv" and "missing" in missing.problem
    assert missing.fix.startswith("Add training.csv to the upload: One row per") and ".)." not in missing.fix
    assert find(report, text="not part of the data contract", severity="warning")[0].file == "información.csv"
    from score.i18n import using_language

    with using_language("es"):  # the fix names the files the way the reader may name them
        report = submit(training__csv=None, **{"información__csv": base_text("training.csv")})
    (ignored,) = report.warnings
    assert "capacitación.csv" in ignored.fix and "training.csv" in ignored.fix
    # Two names for one table (English and Spanish) are two files for it, not a pick.
    report = submit(**{"empresas__csv": base_text("enterprises.csv")})
    assert find(report, text="second file for the enterprises table", severity="error")
    # A name that names two tables is refused, in a file set and as a sheet.
    report = submit(training__csv=None, **{"formation_entreprises__csv": base_text("training.csv")})
    ambiguous = find(report, text="fits more than one table", severity="error")
    assert [i.file for i in ambiguous] == ["formation_entreprises.csv"] and not report.ok
    assert "training, enterprises" in ambiguous[0].problem
    book = _workbook({"training": "Capacitación empresas"})
    report = validate_submission("COL", {"COL.xlsx": book})
    assert [i.sheet for i in find(report, text="fits more than one table")] == ["Capacitación empresas"]
    assert not report.ok
    # The logframe's indicators are the logframe, in any of the three languages.
    for name in ("logframe_indicators.csv", "indicadores_marco_logico.csv", "Indicateurs du cadre logique.csv"):
        report = submit(logframe__csv=None, **{name.replace(".", "__"): base_text("logframe.csv")})
        assert report.ok and not report.issues and len(report.tables["logframe"]), (name, report.summary())


def test_xlsx_issues_name_sheet_and_excel_row() -> None:
    def mutate(book: openpyxl.Workbook) -> None:
        book["training"]["D4"] = "uno"  # managers_female of COL-0002
        book["indicators"]["E6"] = -3  # value

    report = validate_submission("COL", {"COL.xlsx": _workbook(mutate=mutate)})
    got = {(i.file, i.sheet, i.row, i.column) for i in report.errors}
    assert got == {("COL.xlsx", "training", 4, "managers_female"), ("COL.xlsx", "indicators", 6, "value")}


def _with_external_link(book: bytes, cells: tuple[str, ...]) -> bytes:
    """`book` with an external link part, and the training sheet's numeric `cells` made formulas taking their value
    from that other workbook ([1]Hoja1!D3), their saved results kept (what Excel writes for a linked cell)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":  # training
                for cell in cells:
                    pattern = rf'<c r="{cell}"( s="\d+")? t="n"><v>([^<]*)</v></c>'.encode()
                    linked = rf'<c r="{cell}"\1><f>[1]Hoja1!{cell}</f><v>\2</v></c>'.encode()
                    data, found = re.subn(pattern, linked, data)
                    assert found == 1, cell
            target.writestr(item, data)
        target.writestr("xl/externalLinks/externalLink1.xml", b'<externalLink xmlns="x"><externalBook/></externalLink>')
    return out.getvalue()


def test_a_workbook_linked_to_other_workbooks_is_read_with_a_warning_naming_the_cells() -> None:
    # Values from another workbook are the ones saved when the file was last calculated (nothing is fetched): they
    # may be out of date, and were accepted without a word (session 20's notes).
    clean = validate_submission("COL", {"COL.xlsx": _workbook()})
    linked = validate_submission("COL", {"COL.xlsx": _with_external_link(_workbook(), ("D3", "E3", "D4"))})
    assert linked.ok and not linked.errors, linked.summary()
    pd.testing.assert_frame_equal(linked.tables["training"], clean.tables["training"])
    (issue,) = find(linked, text="another workbook", severity="warning")
    assert (issue.file, issue.sheet) == ("COL.xlsx", "training")
    assert "3 cells" in issue.problem and "D3, E3, D4" in issue.problem and "Break Link" in issue.fix
    unused = validate_submission("COL", {"COL.xlsx": _with_external_link(_workbook(), ())})
    (issue,) = find(unused, text="links to other workbooks", severity="warning")
    assert issue.sheet is None
    with using_language("fr"):
        linked = validate_submission("COL", {"COL.xlsx": _with_external_link(_workbook(), ("D3",))})
    (issue,) = [i for i in linked.warnings if "D3" in i.problem]
    assert "1 cellule" in issue.problem, issue.problem


def test_xlsx_missing_sheet_and_workbook_plus_csv() -> None:
    def drop(book: openpyxl.Workbook) -> None:
        del book["indicators"]

    report = validate_submission("COL", {"COL.xlsx": _workbook(mutate=drop), "training.csv": b"x"})
    missing = find(report, text="no sheet called indicators")
    assert missing and missing[0].sheet == "indicators" and missing[0].file == "COL.xlsx"
    assert find(report, text="mixes a workbook and CSV files")[0].file == "training.csv"


def test_a_csv_file_beside_a_workbook_is_read_for_a_table_the_workbook_has_no_sheet_for() -> None:
    def drop(book: openpyxl.Workbook) -> None:
        del book["logframe"]

    logframe = base_text("logframe.csv").encode()
    report = validate_submission("COL", {"COL.xlsx": _workbook(mutate=drop), "logframe.csv": logframe})
    assert report.ok, report.summary()
    assert len(report.tables["logframe"]) == len(_csv_rows("logframe.csv")) - 1
    assert {(f["file"], f["table"]) for f in report.files} >= {("COL.xlsx", "training"), ("logframe.csv", "logframe")}
    both = validate_submission("COL", {"COL.xlsx": _workbook(), "logframe.csv": logframe})  # the sheet is there
    assert find(both, text="mixes a workbook and CSV files")[0].file == "logframe.csv"


def test_xlsx_numbers_stored_as_text_are_read_by_their_own_marks_not_by_excels_number_cells() -> None:
    def thousands_as_text(book: openpyxl.Workbook) -> None:
        book["indicators"]["E2"] = "22.837"  # a Spanish paste: 22837 or 22.837?
        book["indicators"]["E3"] = 12.837  # a number cell of Excel: 12.837, whatever the text cells say

    report = validate_submission("COL", {"COL.xlsx": _workbook(mutate=thousands_as_text)})
    (ambiguous,) = find(report, text="ambiguous")  # never read silently as 22.837 beside the sheet's number cells
    assert (ambiguous.file, ambiguous.sheet, ambiguous.row, ambiguous.column) == ("COL.xlsx", "indicators", 2, "value")

    def comma_decimals_as_text(book: openpyxl.Workbook) -> None:
        book["indicators"]["E2"] = "22.837"
        book["indicators"]["E3"] = 12.837
        book["indicators"]["E4"] = "1,5"  # the text cells write a decimal comma: "22.837" is 22837

    report = validate_submission("COL", {"COL.xlsx": _workbook(mutate=comma_decimals_as_text)})
    assert report.ok, report.summary()
    assert report.tables["indicators"]["value"].head(3).tolist() == [22837, pytest.approx(12.837), 1.5]


def test_a_spreadsheet_error_in_a_number_cell_is_named_as_such() -> None:
    def errors(book: openpyxl.Workbook) -> None:
        book["training"]["I2"] = "#N/A"  # satisfaction_pct, optional: what Excel saves for a failed lookup
        book["training"]["D3"] = "#DIV/0!"  # managers_female
        book["training"]["D4"] = "n/a"

    report = validate_submission("COL", {"COL.xlsx": _workbook(mutate=errors)})
    failed = find(report, text="spreadsheet error")
    assert {(i.sheet, i.row, i.column, i.value) for i in failed} == {
        ("training", 2, "satisfaction_pct", "#N/A"),
        ("training", 3, "managers_female", "#DIV/0!"),
    }
    assert [(i.row, i.column) for i in find(report, text="not a whole number")] == [(4, "managers_female")]


def test_xlsx_all_ids_of_another_country_give_one_issue() -> None:
    def peru(book: openpyxl.Workbook) -> None:
        for name in ("enterprises", "training", "indicators"):
            for (cell,) in book[name].iter_rows(min_row=2, max_col=1):
                cell.value = cell.value.replace("COL-", "PER-")

    report = validate_submission("COL", {"PER.xlsx": _workbook(mutate=peru)})
    (issue,) = report.errors
    assert issue.file == "PER.xlsx" and issue.sheet is None and issue.column == "enterprise_id"
    assert "another country (PER)" in issue.problem and "29" in issue.problem


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\xef\xbb\xbf<html xmlns:o='urn:schemas-microsoft-com:office:office'><body><table><tr><td>1", "web page"),
        (b"\r\n<table border=1><tr><td>enterprise_id</td></tr></table>", "web page"),
        (b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', "XML file"),
    ],
    ids=["html", "table", "xml 2003"],
)
def test_an_xls_that_is_a_web_page_or_xml_says_so(data: bytes, said: str) -> None:
    # Information systems export "Excel" as a web page or an XML Spreadsheet 2003 named .xls; the report said "Old
    # Excel 97-2003 workbooks", which the person who downloaded it cannot recognise (a .csv one was told already).
    with using_language("es"):
        spanish = validate_submission("COL", {"COL.xls": data})
    (error,) = validate_submission("COL", {"COL.xls": data}).errors
    assert said in error.problem and "97-2003" not in error.problem, error.problem
    assert "Excel" in spanish.errors[0].problem and spanish.errors[0].problem != error.problem


def test_xlsx_that_is_an_old_xls_or_not_a_workbook() -> None:
    report = validate_submission("COL", {"COL.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600})
    assert "97-2003" in report.errors[0].problem and len(report.errors) == 1
    report = validate_submission("COL", {"COL.xlsx": b"enterprise_id,name\n"})
    assert "not a real Excel workbook" in report.errors[0].problem and len(report.errors) == 1


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


def test_xlsx_template_example_rows_are_rejected_and_a_filled_in_template_validates() -> None:
    with using_language("es"):  # the download's name in the reader's language (it was English on every page)
        name = template_name("COL")
    assert name == "SCORE_COL_plantilla.xlsx"
    report = validate_submission("COL", {name: xlsx_template("COL")})
    # The example id can never clash with a real enterprise, and a forgotten example row is never published.
    assert {(i.sheet, i.row, i.value) for i in report.issues} == {
        ("enterprises", 2, "COL-EXAMPLE"),
        ("training", 2, "COL-EXAMPLE"),
        ("indicators", 2, "COL-EXAMPLE"),
    }
    assert all("example row" in i.problem for i in report.issues)

    book = openpyxl.load_workbook(io.BytesIO(xlsx_template("COL")))
    for sheet in ("enterprises", "training", "indicators"):
        book[sheet]["A2"] = "COL-7001"
    buffer = io.BytesIO()
    book.save(buffer)
    report = validate_submission("COL", {"SCORE_template.xlsx": buffer.getvalue()})
    assert report.ok and not report.issues, report.summary()
    assert {name: len(frame) for name, frame in report.tables.items()} == dict.fromkeys(contract.TABLES, 1)


def test_xlsx_template_layout() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_template()))
    assert book.sheetnames[: len(contract.TABLES)] == list(contract.TABLES)
    assert {NOTES_SHEET, CODES_SHEET} <= set(book.sheetnames)
    assert book[CODES_SHEET].sheet_state == "hidden"
    for table in contract.TABLES.values():
        sheet = book[table.name]
        assert [c.value for c in sheet[1]] == table.column_names
        assert all(c.font.bold for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        lists = {str(dv.sqref).split(":")[0][:-1]: dv for dv in sheet.data_validations.dataValidation}
        for position, col in enumerate(table.columns):
            if col.codes:
                letter = openpyxl.utils.get_column_letter(position + 1)
                validation = lists[letter]
                assert validation.type == "list"
                assert validation.formula1.replace("'", "").startswith(f"{CODES_SHEET}!$")
    notes = book[NOTES_SHEET]
    listed = {(row[0], row[1]) for row in notes.iter_rows(min_row=2, max_col=2, values_only=True)}
    assert {(t.name, c.name) for t in contract.TABLES.values() for c in t.columns} <= listed
    codes = book[CODES_SHEET]
    header = [c.value for c in codes[1]]
    for name in ("sector", "module", "indicator", "period", "phase", "logframe_level", "logframe_indicator"):
        column = header.index(name) + 1
        values = [r[0] for r in codes.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True) if r[0]]
        assert tuple(values) == contract.code_list(name)


def test_csv_templates() -> None:
    files = {f"{name}.csv": csv_template(name) for name in contract.TABLES}
    for name, data in files.items():
        assert data.startswith(codecs.BOM_UTF8)
        header, _example = data[3:].decode("utf-8").splitlines()
        assert header.split(",") == contract.TABLES[name[:-4]].column_names
    assert "Medellín" in files["enterprises.csv"].decode("utf-8")
    report = validate_submission("COL", files)
    assert {(i.file, i.row) for i in report.errors} == {
        ("enterprises.csv", 2),
        ("training.csv", 2),
        ("indicators.csv", 2),
    }
    filled = {name: data.replace(b"COL-EXAMPLE", b"COL-7001") for name, data in files.items()}
    report = validate_submission("COL", filled)
    assert report.ok and not report.issues, report.summary()


# ---------------------------------------------------------------------------------------------
# Numbers and dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("12", ".", 12.0),
        ("-3.5", ".", -3.5),
        ("6,2442", ".", 6.2442),  # a comma with four decimals can only be a decimal comma
        ("6,2442", None, 6.2442),
        ("1,234", ".", 1234.0),
        ("1,234", ",", 1.234),
        ("1.234", ",", 1234.0),
        ("1.234", ".", 1.234),
        ("1.234", None, "ambiguous"),
        ("1,234", None, "ambiguous"),
        ("0,123", None, 0.123),
        ("1.234.567", ".", 1234567.0),
        ("1,234,567", ",", 1234567.0),
        ("1.234,56", ".", 1234.56),
        ("1,234.56", ",", 1234.56),
        ("1 234", None, 1234.0),
        ("1\u00a0234,5", ",", 1234.5),
        ("1\u202f234", ".", 1234.0),
        ("1e3", ".", 1000.0),
        ("\u221212", ".", -12.0),  # the typographic minus sign
        ("'0045", ".", 45.0),  # Excel's mark of a number kept as text, copied with it
        ("(12)", ".", -12.0),  # an accounting format's negative, then refused where negatives are
        ("(1.234,5)", ",", -1234.5),
        ("''12", ".", "invalid"),
        ("--1", ".", "invalid"),
        ("1,2,3", ".", "invalid"),
        ("12 %", ".", "invalid"),
        ("N/A", ".", "invalid"),
        ("1 23", ".", "invalid"),
    ],
)
def test_number_parsing(text: str, decimal: str | None, expected: float | str) -> None:
    value, status = conversion._parse_number_text(text, decimal)
    if expected == "ambiguous":
        assert status == conversion._AMBIGUOUS
    elif expected == "invalid":
        assert status == conversion._INVALID
    else:
        assert status == conversion._OK and value == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**9), group=st.sampled_from([",", ".", " ", "\u00a0"]))
def test_thousands_separators_round_trip(n: int, group: str) -> None:
    written = f"{n:,}".replace(",", group)
    decimal = {",": ".", ".": ",", " ": ".", "\u00a0": ","}[group]  # the file's decimal mark is the other one
    value, status = conversion._parse_number_text(written, decimal)
    assert status == conversion._OK and value == n


def test_thousands_in_a_tab_file_without_decimal_evidence() -> None:
    """No value shows the decimal mark: '1.004' is 1004 in a count (1.004 is not whole), but
    '1.250' as a value of an indicator could be either, so it is reported, not guessed."""
    training = base_text("training.csv").replace(
        "COL-0002,WC,2011-06-01,1,2,2,4,", "COL-0002,WC,2011-06-01,1,2,2,1.004,"
    )
    training = training.replace(",91.5\n", ",91\n")  # no decimal in the file
    indicators = base_text("indicators.csv")
    for old, new in ((",4.2\n", ",4\n"), (",3.6\n", ",3\n"), (",6.5\n", ",6\n"), (",4.1\n", ",4\n")):
        indicators = indicators.replace(old, new)
    indicators = indicators.replace(",47500\n", ",1.250\n")
    tab = {"training__csv": training.replace(",", "\t"), "indicators__csv": indicators.replace(",", "\t")}
    report = submit(**tab)
    (issue,) = report.errors
    assert (issue.file, issue.row, issue.column, issue.value) == ("indicators.csv", 13, "value", "1.250")
    assert "ambiguous" in issue.problem
    report = submit(training__csv=tab["training__csv"])
    assert report.ok and report.tables["training"].loc[2, "workers_male"] == 1004


def test_accepted_date_formats() -> None:
    text = base_text("training.csv")
    for old, new in (
        ("2011-05-10", "10/05/2011"),  # DD/MM/YYYY
        ("2011-09-14", "14.09.2011"),
        ("2011-06-01", "40695"),  # an Excel serial number
        ("2012-03-08", "2012/03/08"),
        ("2012-08-21", "2012-08-21 00:00:00"),
        ("2013-02-12", "2013-2-12"),
    ):
        text = text.replace(old, new)
    report = submit(training__csv=text)
    assert report.ok and not report.issues, report.summary()
    expected = ["2011-05-10", "2011-09-14", "2011-06-01", "2012-03-08", "2012-08-21", "2013-02-12"]
    assert list(report.tables["training"]["classroom_date"][:6]) == [pd.Timestamp(d) for d in expected]


def test_rejected_date_formats() -> None:
    text = base_text("training.csv")
    # A month by name is a date ("16-Jul-2013", tests/excel_exports.py); an unknown month name is not. A two-digit
    # year is of this century (SCORE's dates are from 2005 to today), so "5/5/30" is in the future.
    for old, new in (("2013-02-12", "5/5/30"), ("2013-04-09", "31/02/2013"), ("2013-07-16", "16-Jux-2013")):
        text = text.replace(old, new)
    report = submit(training__csv=text)
    errors = {i.row: i.problem for i in report.errors}
    assert set(errors) == {7, 8, 9}
    assert "in the future" in errors[7]
    assert "does not exist" in errors[8]
    assert "not a date" in errors[9]
    assert all(i.column == "classroom_date" for i in report.errors)


def test_a_two_digit_year_is_of_this_century() -> None:
    # "19/5/09" is how a cell formatted d/m/yy goes to CSV; it was "a two-digit year, which is ambiguous", but
    # 1909 is long before SCORE began (contract.EARLIEST_DATE), so 2009 is the only reading.
    text = base_text("training.csv").replace("2013-02-12", "12-feb-13").replace("2011-05-10", "10/5/11")
    report = submit(training__csv=text)
    assert report.ok and not report.issues, report.summary()
    assert set(report.tables["training"]["classroom_date"]) >= {pd.Timestamp("2013-02-12"), pd.Timestamp("2011-05-10")}


def _us_dates(name: str) -> str:
    """A base file with its ISO dates as an English (US) Excel writes them, M/D/YYYY."""
    return "\n".join(
        ",".join(_us_dates_of(c) if len(c) == 10 and c[4] == "-" else c for c in line.split(","))
        for line in base_text(name).splitlines()
    )


def _us_dates_of(iso: str) -> str:
    return f"{int(iso[5:7])}/{int(iso[8:])}/{iso[:4]}"


def test_us_dates_are_read_month_first_when_the_files_own_dates_say_so() -> None:
    # An English (US) Excel writes 5/19/2009; every such date was an error ("looks like month/day/year"), and the
    # ambiguous ones too. A file whose unambiguous dates are all month-first is read month-first, with a warning
    # naming the date that shows it; a file whose dates are all ambiguous follows the upload's other files.
    training = _us_dates("training.csv")
    enterprises = _us_dates("enterprises.csv")
    report = submit(training__csv=training, enterprises__csv=enterprises)
    assert report.ok, report.summary()
    assert (
        report.tables["training"]["classroom_date"].tolist() == submit().tables["training"]["classroom_date"].tolist()
    )
    warned = find(report, text="month/day/year (US format)", severity="warning")
    assert {(i.file, i.column) for i in warned} >= {("training.csv", "classroom_date")}
    example = warned[0].value
    assert int(example.split("/")[0]) <= 12 < int(example.split("/")[1])
    # A file whose dates are all ambiguous ("6/11/2012") goes the way of the upload's other files.
    days = {"2011-03-15": "2011-03-05", "2012-01-20": "2012-01-10", "2013-05-14": "2013-05-04"}
    ambiguous = enterprises
    for iso, day in days.items():
        ambiguous = ambiguous.replace(_us_dates_of(iso), _us_dates_of(day))
    report = submit(training__csv=training, enterprises__csv=ambiguous)
    assert report.ok, report.summary()
    joined = set(report.tables["enterprises"]["joined_on"].dropna().dt.strftime("%Y-%m-%d"))
    assert joined >= {"2011-03-05", "2011-04-02", "2012-01-10", "2012-06-11", "2013-05-04"}
    # A day-first date in the same upload (19/5/2009): nothing to go by, the month-first dates are errors again.
    mixed = training.replace("2/12/2013", "12/2/2013", 1).replace("5/10/2011", "10/5/2011")
    mixed = mixed.replace("7/16/2013", "16/7/2013")
    errors = submit(training__csv=mixed, enterprises__csv=enterprises).errors
    assert errors and all("month/day/year" in i.problem or "ambiguous" in i.problem for i in errors)


def test_dates_beyond_the_datetime_range_are_out_of_range() -> None:
    def mutate(book: openpyxl.Workbook) -> None:
        book["enterprises"]["J2"] = dt.datetime(1, 1, 1)
        book["enterprises"]["J3"] = "9999-12-31"
        book["training"]["C2"] = 2_958_000  # an Excel serial number in year 9998

    report = validate_submission("COL", {"COL.xlsx": _workbook(mutate=mutate)})
    got = {(i.sheet, i.row, i.column, i.problem.split(",")[0]) for i in report.errors}
    assert got == {
        ("enterprises", 2, "joined_on", "The date is before 2005-01-01"),
        ("enterprises", 3, "joined_on", "The date is in the future."),
        ("training", 2, "classroom_date", "The date is in the future."),
    }


def test_excel_serial_out_of_range_shows_how_it_was_read() -> None:
    text = base_text("training.csv").replace("2011-05-10", "12000")
    report = submit(training__csv=text)
    (issue,) = report.errors
    assert issue.value == "12000 = 1932-11-07" and "before 2005" in issue.problem


def test_percentages_written_as_fractions_warn() -> None:
    text = base_text("training.csv")
    for pct in ("88", "91.5", "85", "90", "87", "79", "92"):
        text = text.replace(f",{pct}\n", f",{float(pct) / 100}\n")
    report = submit(training__csv=text)
    assert report.ok
    (warning,) = report.warnings
    assert warning.column == "satisfaction_pct" and "fractions" in warning.problem


# ---------------------------------------------------------------------------------------------
# Rules across rows and tables
# ---------------------------------------------------------------------------------------------


def test_indicator_rules() -> None:
    text = base_text("indicators.csv")
    text = text.replace(
        "good_practices_adopted,follow_up,2012-03-22,1", "good_practices_adopted,follow_up,2012-03-22,0.5"
    )
    text = text.replace("workplace_relations_improved,follow_up", "workplace_relations_improved,baseline")
    text = text.replace("accidents,follow_up,2012-04-12,9", "accidents,follow_up,2012-04-12,130")
    text = text.replace("defect_rate,follow_up,2013-01-28", "defect_rate,follow_up,2011-12-28")
    report = submit(indicators__csv=text)
    got = {(i.severity, i.row, i.column) for i in report.issues}
    assert got == {
        ("error", 6, "value"),  # share indicator not 0/1
        ("error", 9, "period"),  # share indicator at baseline
        ("warning", 8, "value"),  # 130 > 10 x 12
        ("error", 11, "measured_on"),  # follow-up before baseline
    }
    jump = find(report, column="value", severity="warning")[0]
    assert "row 7" in jump.problem and jump.value == "130"


def test_classroom_before_joining_is_a_warning() -> None:
    text = base_text("training.csv").replace("2011-06-01", "2011-03-01")
    report = submit(training__csv=text)
    assert report.ok
    (warning,) = report.warnings
    assert (warning.row, warning.column) == (4, "classroom_date") and "2011-04-02" in warning.problem


def test_logframe_level_must_match_reference() -> None:
    text = base_text("logframe.csv").replace("output,mous_signed", "outcome,mous_signed")
    report = submit(logframe__csv=text)
    assert report.ok
    (warning,) = report.warnings
    assert (warning.row, warning.column, warning.value) == (3, "level", "outcome") and "output" in warning.problem


def test_some_ids_of_another_country_are_errors_per_row() -> None:
    text = base_text("enterprises.csv").replace("COL-0004", "PER-0004")
    report = submit(enterprises__csv=text)
    foreign = find(report, text="another country (PER)")
    assert [(i.file, i.row, i.column) for i in foreign] == [("enterprises.csv", 5, "enterprise_id")]
    # The rows of the now unknown COL-0004 elsewhere: one line per file, with the count and every row.
    unknown = find(report, text="no row with this Enterprise id (enterprise_id)")
    assert {(i.file, i.value, i.count, i.rows) for i in unknown} == {
        ("training.csv", "COL-0004", 2, (6, 7)),
        ("indicators.csv", "COL-0004", 3, (12, 13, 14)),
    }
    assert all("rows refer to it" in i.problem and i.cause is None for i in unknown)


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"PER.xlsx": "book"}, ("PER.xlsx", None, "The file name 'PER.xlsx' names Peru (PER), not Colombia (COL).")),
        ({"Datos Perú 2013.xlsx": "book"}, ("Datos Perú 2013.xlsx", None, "names Peru (PER)")),
        ({"COL.xlsx": "Peru sheet"}, ("COL.xlsx", "enterprises Peru", "The sheet name 'enterprises Peru' names Peru")),
        ({"enterprises_PER.csv": "enterprises.csv"}, ("enterprises_PER.csv", None, "names Peru (PER)")),
    ],
    ids=["workbook code", "workbook name in Spanish", "sheet", "csv"],
)
def test_a_file_named_for_another_country_is_refused_for_this_one(
    files: dict[str, str], where: tuple[str, str | None, str]
) -> None:
    # Colombia's staff uploading "PER.xlsx" (COL ids inside): accepted and published as Colombia's before (session
    # 19, carried). Staff upload their own country's files only; a file that says Peru is Peru's or misnamed.
    def peru_sheet(book: openpyxl.Workbook) -> None:
        book["enterprises"].title = "enterprises Peru"

    upload = base_files()
    for name, what in files.items():
        if what == "book":
            upload = {name: _workbook()}
        elif what == "Peru sheet":
            upload = {name: _workbook(mutate=peru_sheet)}
        else:
            upload[name] = upload.pop(what)
    with using_language("es"):
        spanish = validate_submission("COL", upload)
    report = validate_submission("COL", upload)
    (issue,) = report.errors
    assert (issue.file, issue.sheet) == where[:2] and where[2] in issue.problem
    assert "PER" in issue.fix and "COL" in issue.fix
    (error,) = spanish.errors
    assert "Perú (PER), no a Colombia" in error.problem, error.problem


def test_a_file_named_for_its_own_country_or_for_none_is_read() -> None:
    # "per" and "col" in small letters are words of a name, not codes.
    files = base_files()
    for accepted in ("enterprises_COL_2013.csv", "enterprises Colombia.csv", "enterprises per city.csv"):
        renamed = {**files, accepted: files["enterprises.csv"]}
        del renamed["enterprises.csv"]
        assert validate_submission("COL", renamed).ok, accepted


def test_a_country_column_saying_another_country_is_refused() -> None:
    # The contract has no country column; one added by the office ("país", "Pays") was ignored with a warning,
    # so rows saying Peru were accepted as Colombia's.
    lines = base_text("enterprises.csv").splitlines()

    def with_country(words: list[str], header: str = "país") -> str:
        return "\n".join([f"{header},{lines[0]}", *(f"{w},{line}" for w, line in zip(words, lines[1:], strict=True))])

    n = len(lines) - 1
    report = submit(enterprises__csv=with_country(["PER"] * n))
    (issue,) = report.errors
    assert (issue.column, issue.value) == ("país", "PER") and f"in all {n} rows" in issue.problem
    mixed = ["Colombia"] * n
    mixed[2] = "Pérou"
    report = submit(enterprises__csv=with_country(mixed, "Pays"))
    assert [(i.row, i.column, i.value) for i in report.errors] == [(4, "Pays", "Pérou")]
    assert submit(enterprises__csv=with_country(["col"] * n, "Country")).ok


def test_lowercase_country_prefix_is_a_pattern_error() -> None:
    report = submit(enterprises__csv=base_text("enterprises.csv").replace("COL-0001,", "col-0001,"))
    pattern = find(report, column="enterprise_id", text="required form")
    assert pattern and pattern[0].row == 2 and "COL-0001" in pattern[0].fix


def test_issue_list_is_capped_per_rule() -> None:
    lines = base_text("enterprises.csv").splitlines()
    template = lines[1]
    rows = [template.replace("COL-0001", f"COL-{n}").replace(",85,", ",-1,") for n in range(1000, 1250)]
    report = submit(enterprises__csv="\n".join([lines[0], *rows]) + "\n")
    negative = find(report, column="workers_female")
    assert len(negative) == MAX_ISSUES_PER_RULE + 1
    assert negative[-1].row is None and "50 more rows" in negative[-1].problem and negative[-1].count == 50
    assert [i.row for i in negative[:3]] == [2, 3, 4]


def test_the_same_unknown_code_in_many_rows_is_one_line_with_every_row() -> None:
    lines = base_text("enterprises.csv").splitlines()
    template = lines[1]
    rows = [template.replace("COL-0001", f"COL-{n}").replace(",garments,", ",nope,") for n in range(1000, 1250)]
    report = submit(enterprises__csv="\n".join([lines[0], *rows]) + "\n")
    (sector,) = find(report, column="sector")
    assert (sector.value, sector.count, sector.rows) == ("nope", 250, tuple(range(2, 252)))
    assert sector.rows_text == "2\u2013251" and "250 rows" in sector.problem


# ---------------------------------------------------------------------------------------------
# Files, folders and the report
# ---------------------------------------------------------------------------------------------


def test_missing_required_file_unknown_country_and_no_files() -> None:
    report = submit(indicators__csv=None)
    (issue,) = report.errors
    assert issue.file == "indicators.csv" and "missing" in issue.problem
    assert not report.tables
    report = submit(country="XYZ")
    assert [i.problem for i in report.errors] == ["Unknown country code 'XYZ'."]
    report = validate_submission("COL", {})
    assert len(report.errors) == 1 and "No file" in report.errors[0].problem


def test_second_file_for_a_table_and_binary_garbage() -> None:
    rng = np.random.default_rng(7)
    report = submit(**{"enterprises (copy)__csv": base_text("enterprises.csv")})
    assert find(report, text="second file for the enterprises table")
    report = submit(training__csv=rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
    (issue,) = report.errors
    assert issue.file == "training.csv" and ("binary" in issue.problem or "not readable" in issue.problem)


def test_upload_size_limit_is_checked_before_reading(settings_override) -> None:
    settings_override(max_upload_mb=600 / 1024 / 1024)  # enterprises and indicators are larger
    report = submit()
    too_big = find(report, text="more than the limit")
    assert {i.file for i in too_big} == {"enterprises.csv", "indicators.csv"}
    assert len(report.errors) == 2  # no "missing file" errors on top


def test_validate_paths_infers_the_country(tmp_path: Path) -> None:
    folder = tmp_path / "COL"
    shutil.copytree(BASE, folder)
    (folder / "DEMO_DATA.txt").write_text("demo")  # markers and notes in a country folder are not data
    report = validate_paths([folder])
    assert report.ok and report.country == "COL" and not report.issues, report.summary()

    upload = tmp_path / "upload"
    shutil.copytree(BASE, upload)
    report = validate_paths(sorted(upload.iterdir()))
    assert report.ok and report.country == "COL"

    report = validate_paths([upload], country="per")
    assert report.country == "PER" and find(report, text="another country (COL)")

    lonely = tmp_path / "misc"
    lonely.mkdir()
    shutil.copy(BASE / "logframe.csv", lonely / "logframe.csv")
    report = validate_paths([lonely])
    assert not report.ok and "which country" in report.errors[0].problem

    report = validate_paths([tmp_path / "nowhere.csv"])
    assert not report.ok


def test_validate_paths_checks_size_before_reading(tmp_path: Path, settings_override) -> None:
    folder = tmp_path / "COL"
    shutil.copytree(BASE, folder)
    settings_override(max_upload_mb=770 / 1024 / 1024)  # only enterprises.csv is larger
    report = validate_paths([folder])
    assert [i.file for i in report.errors] == ["enterprises.csv"]
    assert "more than the limit" in report.errors[0].problem


def test_report_outputs() -> None:
    report = submit(enterprises__csv=base_text("enterprises.csv").replace(",textiles,", ",textil,"))
    frame = report.to_frame()
    assert list(frame.columns) == ISSUE_COLUMNS and len(frame) == 1
    assert str(frame["row"].dtype) == "Int64" and frame.loc[0, "row"] == 3
    payload = json.loads(report.to_json())
    assert payload["ok"] is False and payload["errors"] == 1 and payload["issues"][0]["value"] == "textil"
    summary = report.summary()
    # the column named as the report's Where names it, not by its code alone (`python -m score validate` said
    # "column sector")
    assert "rejected" in summary and "enterprises.csv, row 3, column Sector (sector):" in summary
    assert "textiles" in summary
    with using_language("fr"):
        negative = submit(enterprises__csv=base_text("enterprises.csv").replace(",60,72,", ",-60,72,"))
        assert "enterprises.csv, ligne 3, colonne Travailleuses (workers_female)" in negative.summary()
    assert len(report.errors) == 1 and report.warnings == [] and not report.ok
    empty = ValidationReport("COL", [])
    assert empty.ok and list(empty.to_frame().columns) == ISSUE_COLUMNS


def test_long_values_are_truncated() -> None:
    report = submit(enterprises__csv=base_text("enterprises.csv").replace(",textiles,", "," + "x" * 300 + ","))
    (issue,) = report.errors
    assert len(issue.value) <= ingest.VALUE_CHARS and issue.value.endswith("…")


def test_every_message_goes_through_the_translation_function(monkeypatch: pytest.MonkeyPatch) -> None:
    def marked(message: str, **values: object) -> str:
        return "«" + (message.format(**values) if values else message) + "»"

    def marked_plural(singular: str, plural: str, n: int, **values: object) -> str:
        return "«" + (singular if n == 1 else plural).format(n=n, **values) + "»"

    for module in INGEST_MODULES:  # every module of the package that writes messages
        if hasattr(module, "_"):
            monkeypatch.setattr(module, "_", marked)
        if hasattr(module, "ngettext"):
            monkeypatch.setattr(module, "ngettext", marked_plural)
    ent = base_text("enterprises.csv").replace(",textiles,", ",textil,").replace("latitude", "lat")
    ent = ent.replace("COL-0004", "PER-0004").encode("cp1252")
    report = submit(enterprises__csv=ent, training__csv=b"", **{"x__pdf": b"%PDF"})
    assert len(report.issues) >= 5
    for issue in report.issues:
        assert issue.problem.startswith("«") and issue.fix.startswith("«"), issue


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html>\n<html><body><table><tr><td>enterprise_id</td></tr></table></body></html>",
        b'\xef\xbb\xbf  <html xmlns:x="urn:schemas-microsoft-com:office:excel"><table><tr><td>1</td></tr></table>',
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'.encode("utf-16"),
        b"<table><tr><th>enterprise_id</th></tr></table>",
    ],
    ids=["web page", "Excel's web page with a BOM", "XML Spreadsheet 2003 in UTF-16", "a bare HTML table"],
)
def test_a_web_page_or_xml_named_csv_is_named_as_such(page: bytes) -> None:
    """A report's "export to Excel" often writes HTML or XML under a .csv name: read as CSV, its first tag became a
    column name ("did you mean enterprise_id?")."""
    report = submit(enterprises__csv=page)
    (issue,) = [i for i in report.issues if i.file == "enterprises.csv"]
    assert "web page or an XML file" in issue.problem and "CSV UTF-8" in issue.fix
    assert issue.column is None  # no tag taken for a column name


def test_a_spreadsheet_that_cannot_be_read_is_the_one_message() -> None:
    """COL.ods or COL.xls stood for every table, training.xls for its own: the report says to convert it, without a
    "file ... is missing" for each table it held. A table no file stood for is still missing."""
    (only,) = validate_submission("COL", {"COL.ods": b"PK\x03\x04 not read"}).issues
    assert "OpenDocument" in only.problem
    (only,) = validate_submission("COL", {"COL.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)}).issues
    assert "97-2003" in only.problem
    (only,) = submit(training__csv=None, training__xls=b"\xd0\xcf\x11\xe0").issues
    assert only.file == "training.xls"
    report = submit(training__csv=None, notes__pdf=b"%PDF-1.4")
    assert {i.file for i in report.issues} == {"notes.pdf", "training.csv"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), name=st.sampled_from(["enterprises.csv", "COL.xlsx", "training.txt"]))
def test_garbage_never_raises(data: bytes, name: str) -> None:
    report = validate_submission("COL", {name: data})
    assert not report.ok


# A validation of the whole base set each (~0.35 s of CPU): make test draws 8 lists of cells, make test-full 60 more
# (test_more_text_cells_never_raise: the same body, a longer draw). Was 20 in make test (7 s of CPU).
TEXT_CELLS = st.lists(st.text(max_size=12), min_size=1, max_size=40)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=TEXT_CELLS)
def test_any_text_cells_never_raise(cells: list[str]) -> None:
    header = contract.ENTERPRISES.column_names
    rows = [cells[i : i + len(header)] for i in range(0, len(cells), len(header))]
    buffer = io.StringIO()
    import csv

    csv.writer(buffer).writerows([header, *rows])
    report = submit(enterprises__csv=buffer.getvalue())
    assert isinstance(report, ValidationReport)


@pytest.mark.exhaustive
def test_more_text_cells_never_raise() -> None:
    inner = test_any_text_cells_never_raise.hypothesis.inner_test  # type: ignore[attr-defined]
    settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])(
        given(cells=TEXT_CELLS)(inner)
    )()


@pytest.mark.slow
def test_large_submission_is_validated_quickly() -> None:
    """20,000 enterprises and 60,000 training rows: vectorised checks, seconds not minutes."""
    n = 20_000
    ids = [f"COL-{i:04d}" for i in range(1, n + 1)]
    ent = pd.DataFrame(
        {
            "enterprise_id": ids,
            "name": [f"Empresa {i} Ñandú" for i in range(n)],
            "sector": "garments",
            "province": "Antioquia",
            "city": "Medellín",
            "latitude": "6.244",
            "longitude": "-75.581",
            "workers_female": "10",
            "workers_male": "12",
            "joined_on": "2011-03-15",
            "phase": "I",
            "partner": "SENA",
        }
    )
    training = pd.DataFrame(
        {
            "enterprise_id": np.repeat(ids, 3),
            "module": np.tile(["WC", "QM", "CP"], n),
            "classroom_date": "2011-05-10",
            "managers_female": "1",
            "managers_male": "2",
            "workers_female": "3",
            "workers_male": "4",
            "consultation_visits": "4",
        }
    )
    files = base_files()
    files["enterprises.csv"] = ent.to_csv(index=False).encode()
    files["training.csv"] = training.to_csv(index=False).encode()
    files["indicators.csv"] = base_text("indicators.csv").encode()
    started = time.perf_counter()
    report = validate_submission("COL", files)
    elapsed = time.perf_counter() - started
    assert report.ok, report.summary()
    assert len(report.tables["training"]) == 3 * n
    assert elapsed < 30


@pytest.mark.parametrize(
    ("lang", "one_warning", "two_errors"),
    [
        ("en", "0 errors, 1 warning", "2 errors, 0 warnings"),
        ("fr", "0 erreur, 1 avertissement", "2 erreurs, 0 avertissement"),  # French: 0 takes the singular
        ("es", "0 errores, 1 advertencia", "2 errores, 0 advertencias"),
    ],
)
def test_a_report_counts_its_errors_and_warnings_in_words_that_agree_with_the_number(
    lang: str, one_warning: str, two_errors: str
) -> None:
    from score.i18n import using_language
    from score.ingest.report import ERROR, WARNING, Issue

    def issue(severity: str) -> Issue:
        return Issue(severity, "enterprises.csv", None, 2, "remarks", "x", "problem", "fix")

    warned = ValidationReport("COL", issues=[issue(WARNING)])
    rejected = ValidationReport("COL", issues=[issue(ERROR), issue(ERROR)])
    with using_language(lang):
        assert warned.counts() == one_warning and rejected.counts() == two_errors
        assert one_warning in warned.summary().splitlines()[0]  # the command line's first line
        assert two_errors in rejected.summary().splitlines()[0]


def test_a_name_written_two_ways_in_one_file_is_flagged_where_it_is_the_rarer_spelling() -> None:
    # "SENA" on most rows and "Sena" on one would be two partners in the filters and charts, each with its own count.
    from tests.upload_files import BASE, base_files

    text = (BASE / "enterprises.csv").read_text(encoding="utf-8")
    rows = text.splitlines()
    at = next(i for i, line in enumerate(rows) if ",SENA" in line)
    rows[at] = rows[at].replace(",SENA", ",Sena")
    report = ingest.validate_submission("COL", base_files(enterprises__csv="\n".join(rows) + "\n"))
    assert report.ok
    flagged = [(i.column, i.row, i.value) for i in report.warnings]
    assert flagged == [("partner", at + 1, "Sena")]
    assert "'SENA'" in report.warnings[0].problem
    assert not ingest.validate_submission("COL", base_files()).warnings  # one spelling each: nothing to say
