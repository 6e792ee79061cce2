"""The validation report for people: knock-on errors grouped under their cause, "did you mean" for codes,
text length limits, a summary per file, and the report in the reader's language."""

from __future__ import annotations

import importlib
import pkgutil

import pandas as pd
import pytest

from score import contract, i18n
from score.i18n import set_language
from score.ingest import suggest_code, validate_submission
from score.web.upload_sections import counts_sortable
from tests.formats import HIDDEN, fr_int
from tests.upload_files import BASE, workbook_of
from tests.upload_files import base_files as files


def text(name: str) -> str:
    return (BASE / name).read_text(encoding="utf-8")


def test_a_duplicate_id_gives_one_grouped_error_naming_every_affected_row() -> None:
    # COL-0005's row got COL-0004's id (a copied row): COL-0004 twice, and COL-0005's training and
    # indicator rows now point at an enterprise that is not there.
    ent = text("enterprises.csv").replace('COL-0005,"Muebles', 'COL-0004,"Muebles')
    report = validate_submission("COL", files(enterprises__csv=ent))
    (duplicate,) = [i for i in report.errors if "Duplicate" in i.problem]
    assert (duplicate.file, duplicate.value, duplicate.count, duplicate.rows) == (
        "enterprises.csv",
        "COL-0004",
        2,
        (5, 6),
    )
    assert "appears in 2 rows" in duplicate.problem
    knock_on = [i for i in report.errors if i.cause == duplicate.key]
    assert {(i.file, i.value, i.rows) for i in knock_on} == {
        ("training.csv", "COL-0005", (8,)),
        ("indicators.csv", "COL-0005", (15,)),
    }
    assert all("knock-on of the duplicate ids in enterprises.csv (COL-0004 in rows 5, 6)" in i.fix for i in knock_on)
    assert len(report.errors) == 3  # nothing else: one cause, its two knock-ons
    # The report for people puts the knock-ons right under their cause, marked as such.
    people = report.for_people()
    assert people["Problem"].tolist()[:3] == [
        duplicate.problem,
        *["\u21b3 " + i.problem for i in knock_on],
    ]
    assert people["Rows"].tolist()[0] == "5, 6"


def test_many_rows_of_a_missing_enterprise_are_one_line_with_count_and_rows() -> None:
    training = text("training.csv")
    header, *rows = training.splitlines()
    extra = [rows[0].replace("COL-0001", "COL-0099").replace(",WC,", f",{m},") for m in ("QM", "CP", "HR", "OSH")]
    report = validate_submission("COL", files(training__csv="\n".join([header, *rows, *extra]) + "\n"))
    (missing,) = report.errors
    assert (missing.value, missing.count, missing.rows_text) == ("COL-0099", 4, f"{len(rows) + 2}\u2013{len(rows) + 5}")
    assert "4 rows refer to it" in missing.problem and "Add COL-0099 to enterprises.csv" in missing.fix


@pytest.mark.parametrize(
    ("written", "code_list", "code"),
    [
        ("confecciones", "sector", "garments"),
        ("Confecciones", "sector", "garments"),
        ("textil", "sector", "textiles"),
        ("Madera y muebles", "sector", "wood_furniture"),
        ("Bois et ameublement", "sector", "wood_furniture"),
        ("seguridad y salud", "module", "OSH"),
        ("Seguridad y Salud en el Trabajo", "module", "OSH"),
        ("SST", "module", "OSH"),
        ("calidad", "module", "QM"),
        ("seguimiento", "period", "follow_up"),
        ("garmnets", "sector", "garments"),
    ],
)
def test_did_you_mean_knows_names_in_three_languages_and_synonyms(written: str, code_list: str, code: str) -> None:
    assert suggest_code(written, code_list) == code


def test_no_suggestion_for_a_word_that_means_nothing() -> None:
    assert suggest_code("zzzz", "sector") is None
    assert suggest_code("", "sector") is None


def test_confecciones_suggests_garments_in_the_report() -> None:
    ent = text("enterprises.csv").replace(",garments,", ",confecciones,")
    (issue,) = validate_submission("COL", files(enterprises__csv=ent)).errors
    assert (issue.row, issue.column, issue.value) == (2, "sector", "confecciones")
    assert issue.fix.startswith("Did you mean garments? Allowed codes: automotive_parts, garments,")


def test_the_suggestion_names_the_code_in_the_readers_language() -> None:
    training = text("training.csv").replace(",WC,", ",seguridad y salud,", 1)
    i18n.set_language("es")
    try:
        report = validate_submission("COL", files(training__csv=training))
    finally:
        i18n.set_language("en")
    (issue,) = [i for i in report.errors if i.column == "module"]
    assert "OSH (Seguridad y salud en el trabajo)" in issue.fix


def test_a_long_name_is_rejected_with_a_clear_message() -> None:
    ent = text("enterprises.csv").replace("Calzado Ñandú", "N" * 100_000)
    report = validate_submission("COL", files(enterprises__csv=ent))
    (issue,) = report.errors
    assert (issue.row, issue.column) == (4, "name")
    assert issue.problem == (
        f"This text has 100,000 characters; Enterprise name (name) holds at most {contract.NAME_CHARS}."
    )
    assert len(issue.value) <= 80
    # Longer than csv's field size limit (131,072 characters): the file is refused before it is parsed (a huge
    # cell costs several copies of itself), still naming the row.
    ent = text("enterprises.csv").replace("Calzado Ñandú", "N" * 1_000_000)
    (issue,) = validate_submission("COL", files(enterprises__csv=ent)).errors
    assert (issue.file, issue.row) == ("enterprises.csv", 4)
    assert issue.problem.startswith("A cell of this row holds more than 131,072 characters, so the file is not read")
    assert not issue.value


def test_text_at_the_limit_is_accepted_and_one_more_character_is_not() -> None:
    at_limit = text("enterprises.csv").replace(",SENA\n", "," + "p" * contract.NAME_CHARS + "\n", 1)
    assert validate_submission("COL", files(enterprises__csv=at_limit)).ok
    over = text("enterprises.csv").replace(",SENA\n", "," + "p" * (contract.NAME_CHARS + 1) + "\n", 1)
    (issue,) = validate_submission("COL", files(enterprises__csv=over)).errors
    assert issue.column == "partner" and issue.row == 2


def test_every_text_column_states_its_maximum_length() -> None:
    for table in contract.TABLES.values():
        for col in table.columns:
            if col.dtype == "text" and not col.pattern and not col.references:
                assert col.max_length, f"{table.name}.{col.name} has no maximum length"
    assert "at most 200 characters" in contract.contract_markdown()


def test_the_report_summarises_each_file_at_the_top() -> None:
    ent = text("enterprises.csv").replace(",garments,", ",confecciones,").replace(",85,", ",-1,")
    report = validate_submission("COL", files(enterprises__csv=ent))
    summary = report.file_summary().set_index("File")
    assert "Sheet" not in summary.columns  # CSV files have no sheets
    assert summary.loc["enterprises.csv", ["Data rows", "Errors", "Warnings"]].tolist() == [6, 2, 0]
    assert summary.loc["training.csv", ["Data rows", "Errors"]].tolist() == [8, 0]


def test_the_file_summary_names_each_files_table_in_the_readers_words() -> None:
    # the code ("enterprises") is the contract's; a person reads the name the template's files and sheets carry
    report = validate_submission("COL", files())
    named = {}
    for lang in ("en", "fr", "es"):
        set_language(lang)
        try:
            summary = report.file_summary()
        finally:
            set_language("en")
        tables = dict(zip(summary.iloc[:, 0], summary.iloc[:, 1], strict=True))
        named[lang] = [tables["enterprises.csv"], tables["training.csv"]]
    assert named == {
        "en": ["Enterprises", "Training"],
        "fr": ["Entreprises", "Formation"],
        "es": ["Empresas", "Formación"],
    }


@pytest.mark.parametrize(("lang", "shown"), [("en", "2,204"), ("fr", fr_int(2204)), ("es", "2.204")])
def test_the_file_summary_shows_counts_in_the_readers_format_and_sorts_them_as_numbers(lang: str, shown: str) -> None:
    summary = pd.DataFrame({"File": ["training.csv", "notes.txt"], "Data rows": pd.array([2204, None], "Int64")})
    set_language(lang)
    try:
        styled = counts_sortable(summary)
        drawn = styled.to_html()
    finally:
        set_language("en")
    assert f">{shown}<" in drawn and f">{HIDDEN}<" in drawn
    # the grid sorts by the values: numbers (as text, "10" sorted before "9")
    assert pd.api.types.is_numeric_dtype(styled.data["Data rows"]) and not pd.api.types.is_numeric_dtype(
        styled.data["File"]
    )


def workbook(**replace: str) -> bytes:
    """The base files as one workbook, a sheet per table (cells as text)."""
    return workbook_of(files(**replace))


def test_csv_reports_have_no_sheet_column_and_workbook_reports_do() -> None:
    ent = text("enterprises.csv").replace(",garments,", ",confecciones,")
    csv_report = validate_submission("COL", files(enterprises__csv=ent)).for_people()
    assert "Sheet" not in csv_report.columns and "None" not in csv_report.to_csv()
    book_report = validate_submission("COL", {"COL.xlsx": workbook(enterprises__csv=ent)})
    people = book_report.for_people()
    assert people[["File", "Sheet", "Rows", "Column"]].values.tolist() == [
        ["COL.xlsx", "enterprises", "2", "Sector (sector)"]
    ]
    assert "Sheet" in book_report.file_summary().columns


def test_the_report_names_a_column_as_the_rest_of_the_product_does_by_its_files_table() -> None:
    """workers_female is a headcount in enterprises.csv and a count of trainees in training.csv: each named by the
    table its file was read as ("Travailleuses (workers_female)"), the code the file uses kept beside the name."""
    ent = text("enterprises.csv").replace(",Medellín,6.244,-75.581,85,", ",Medellín,6.244,-75.581,-5,")
    training = text("training.csv").replace("COL-0001,WC,2011-05-10,2,3,4,", "COL-0001,WC,2011-05-10,2,3,-4,")
    report = validate_submission("COL", files(enterprises__csv=ent, training__csv=training))
    set_language("fr")
    try:
        where = report.for_people(compact=True)["Emplacement"].tolist()
        columns = report.for_people()["Colonne"].tolist()
    finally:
        set_language("en")
    assert where == [
        "enterprises.csv · ligne 2 · Travailleuses (workers_female)",
        "training.csv · ligne 2 · Travailleuses formées en classe (workers_female)",
    ]
    assert columns == ["Travailleuses (workers_female)", "Travailleuses formées en classe (workers_female)"]


@pytest.mark.parametrize(
    ("lang", "problems"),
    [
        (
            "fr",
            [
                "Travailleuses (workers_female)\u00a0: la valeur ne peut pas être négative.",
                "Code inconnu pour Secteur (sector) (1 ligne).",
                "Identifiant de l'entreprise (enterprise_id)\u00a0: aucune ligne du fichier enterprises.csv "
                "n'a cette valeur (1 ligne y fait référence).",
            ],
        ),
        (
            "es",
            [
                "Trabajadoras (workers_female): el valor no puede ser negativo.",
                "Código desconocido para Sector (sector) (1 fila).",
                "Identificador de la empresa (enterprise_id): ninguna fila del archivo enterprises.csv "
                "tiene este valor (1 fila hace referencia a él).",
            ],
        ),
    ],
)
def test_a_problem_names_its_column_as_the_where_column_does(lang: str, problems: list[str]) -> None:
    """The problem named the column by its code alone ("workers_female ne peut pas être négatif") beside a "Where"
    that names it: a French reader read jargon in the sentence meant for them; the column comes first, so the
    sentence agrees with any heading ("Travailleuses ... ne peut pas être négatif" did not), and a training row of
    an enterprise that is not there names the id's column too (it said "ce enterprise_id")."""
    ent = text("enterprises.csv").replace(",Medellín,6.244,-75.581,85,", ",Medellín,6.244,-75.581,-5,")
    ent = ent.replace(",garments,", ",sombreros,", 1)
    training = text("training.csv")
    stray = training.splitlines()[1].split(",", 1)[1]
    training = training.rstrip("\n") + "\nCOL-9999," + stray + "\n"
    set_language(lang)
    try:
        report = validate_submission("COL", files(enterprises__csv=ent, training__csv=training))
    finally:
        set_language("en")
    assert sorted(issue.problem for issue in report.errors) == sorted(problems)


def test_the_report_is_written_in_the_readers_language(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without catalogues (locales/ is another engineer's), mark what goes through the translation function.
    from score import ingest, labels

    def marked(message: str, **values: object) -> str:
        return "«" + message.format(**values) + "»"

    for info in pkgutil.iter_modules(ingest.__path__, "score.ingest."):  # every module that writes messages
        if info.name == "score.ingest.__main__":  # the command line, which would run on import
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "_"):
            monkeypatch.setattr(module, "_", marked)
    monkeypatch.setattr(labels, "_", marked)  # the column headings (labels.column_headings)
    ent = text("enterprises.csv").replace(",garments,", ",confecciones,")
    people = validate_submission("COL", files(enterprises__csv=ent)).for_people()
    assert all(str(name).startswith("«") for name in people.columns)
    assert people.iloc[0]["«Severity»"] == "«Error»"


def test_rows_far_apart_are_listed_up_to_a_point_then_counted() -> None:
    from score.ingest import ROWS_SHOWN, rows_text

    rows = list(range(2, 2 + 2 * 40, 2))  # 40 rows, none next to another
    text = rows_text(rows)
    assert text.startswith("2, 4, 6") and text.endswith("… (40 rows)")
    assert text.count(",") == ROWS_SHOWN - 1
    assert rows_text([5, 6]) == "5, 6" and rows_text([5, 6, 7]) == "5\u20137"
    assert rows_text(list(range(2, 10_002)), count=250_000) == "2\u201310001 … (250,000 rows)"


def _excel_export(csv_text: str, encoding: str) -> bytes:
    """A CSV as Excel saves it in a French or Spanish locale: semicolons, decimal commas, CRLF, and an
    empty row Excel leaves where a row was cleared."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for number, row in enumerate(csv.reader(io.StringIO(csv_text))):
        writer.writerow(
            [cell.replace(".", ",") if cell.replace(".", "", 1).lstrip("-").isdigit() else cell for cell in row]
        )
        if number == 2:
            writer.writerow([""] * len(row))
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize(
    ("language", "allowed", "latitudes"),
    [("fr", "de 0 à 1\u202f000\u202f000", "\u22124,3 et 12,4"), ("es", "de 0 a 1.000.000", "\u22124,3 y 12,4")],
)
def test_an_excel_export_in_french_or_spanish_gets_its_numbers_in_that_language(
    language: str, allowed: str, latitudes: str
) -> None:
    rows = text("enterprises.csv").splitlines()
    first = rows[1].split(",")
    first[8] = "-3"  # workers_male
    rows[1] = ",".join(first)
    second = rows[2].split(",")
    second[5] = "45.0"  # latitude: far north of Colombia
    rows[2] = ",".join(second)
    export = _excel_export("\n".join(rows) + "\n", "cp1252")
    i18n.set_language(language)
    try:
        report = validate_submission("COL", files() | {"enterprises.csv": export})
    finally:
        i18n.set_language("en")
    negative = next(i for i in report.errors if i.column == "workers_male")
    assert negative.rows == (2,) and allowed in negative.fix, negative.fix
    outside = next(i for i in report.errors if i.column == "latitude, longitude")
    assert outside.rows == (3,) and latitudes in outside.fix, outside.fix
    assert outside.value.startswith("45,0 / "), outside.value  # a decimal comma is not read as the separator
    assert len(report.errors) == 2  # the empty row and the encoding are no errors


def test_the_reports_value_cells_show_what_the_person_typed() -> None:
    """-5 on screen, in the command line's summary and in the report's CSV file; the formula guard (an apostrophe)
    only where a value could run as a formula in a spreadsheet."""
    from score import exports

    set_language("en")
    ent = text("enterprises.csv").replace(
        "COL-0001,Confecciones Andinas S.A.S.,garments,Antioquia,Medellín,6.244,-75.581,85,",
        "COL-0001,=HYPERLINK(1),garments,Antioquia,Medellín,6.244,-75.581,-5,",
    )
    report = validate_submission("COL", files(enterprises__csv=ent))
    (negative,) = [i for i in report.errors if i.column == "workers_female"]
    assert negative.value == "-5"
    assert "Value: -5\n" in report.summary() + "\n"
    people = report.for_people()
    assert people["Value"].tolist() == ["-5"]
    written = exports.to_csv(people).decode("utf-8-sig")
    assert ',"-5",' in written and "'-5" not in written
    assert exports.neutralise("-2+3") == "'-2+3" and exports.neutralise("=HYPERLINK(1)").startswith("'")


def test_a_wrong_date_in_the_report_is_not_broken_mid_number_at_800_px() -> None:
    # The grid breaks a word wider than its cell: at the old fixed 70 px, "31/02/2015" read "31/02/201" over "5".
    # Source Sans at the grid's 14 px: 7 px a digit or slash, and 16 px of padding in a cell.
    from score.web.upload_sections import ISSUE_COLUMNS, issue_column_widths

    first_date = text("enterprises.csv").split("\n")[1].split(",")[9]
    ent = text("enterprises.csv").replace(first_date, "31/02/2015", 1)
    i18n.set_language("fr")
    try:
        frame = validate_submission("COL", files(enterprises__csv=ent)).for_people(compact=True)
        widths = issue_column_widths(frame["Valeur"])
    finally:
        i18n.set_language("en")
    assert "31/02/2015" in set(frame["Valeur"])
    assert widths[2] >= len("31/02/2015") * 7 + 16
    assert sum(widths) == sum(ISSUE_COLUMNS)  # within the page at 800 px, as before
    assert widths[4] == ISSUE_COLUMNS[4]  # the fix keeps its width (its row height is reckoned on it)


def test_a_column_named_in_the_where_column_gets_rows_tall_enough_beside_a_one_line_fix() -> None:
    """ "training.csv · ligne 2 · Travailleuses formées en classe (workers_female)" wraps to 5 lines in the Where
    column's 130 px; rows of the fix's 2 lines cut it after "ligne 2 ·"."""
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import pandas as pd

        from score.web.upload_sections import issues_table

        where = "training.csv · ligne 2 · Travailleuses formées en classe (workers_female)"
        issues_table(
            pd.DataFrame({"Severity": ["Error"], "Where": [where], "Value": ["-3"], "Problem": ["x"], "Fix": ["y"]}),
            "k",
        )

    at = AppTest.from_function(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].proto.row_height >= 5 * 20 + 12


def test_a_long_value_widens_its_column_only_as_far_as_the_problem_column_can_give() -> None:
    from score.web.upload_sections import ISSUE_COLUMNS, NARROWEST_PROBLEM_PX, issue_column_widths

    widths = issue_column_widths(["x" * 200, "a short one"])
    assert widths[3] == NARROWEST_PROBLEM_PX and sum(widths) == sum(ISSUE_COLUMNS)
    assert issue_column_widths(["", "1", "a b"]) == ISSUE_COLUMNS
