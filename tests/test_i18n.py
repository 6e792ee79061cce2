"""Languages: the catalogues are complete and current, translations keep their placeholders, the language
comes from the URL (then the session, then the browser) and every page reads French or Spanish.

When a catalogue test fails, its message lists the msgids to fix. Add them with `make i18n` (extracts the
code's strings into locales/score.pot and merges them into locales/{fr,es}/LC_MESSAGES/score.po), translate
the empty `msgstr ""` entries, run `make i18n` again; `make i18n-check` lists what is still missing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from score import i18n_check, settings
from score.i18n import fmt_int, fmt_number, fmt_pct, language_code, set_language
from score.values import number_columns
from tests.apptest import open_page
from tests.pages import chart_titles, tiles

REPO = Path(__file__).resolve().parent.parent
LANGS = ("fr", "es")


def _listing(items: list[str]) -> str:
    return "\n".join(f"  {item}" for item in items)


# ------------------------------------------------------------------------------------------ catalogues


def test_the_template_holds_every_string_of_the_code() -> None:
    missing = i18n_check.missing_from_template()
    assert not missing, f"{len(missing)} msgid(s) in the code but not in locales/score.pot (run make i18n):\n" + (
        _listing([repr(m) for m in missing])
    )


def test_the_currency_check_sees_a_new_string(tmp_path: Path) -> None:
    """The check above would fail for a string added to the code and not extracted."""
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "new_page.py").write_text(
        'from score.i18n import _, ngettext\n_("A brand new heading")\nngettext("{n} new row", "{n} new rows", 2)\n',
        encoding="utf-8",
    )
    found = i18n_check.extract(tmp_path)
    assert found == {"A brand new heading", "{n} new row"}
    assert found - i18n_check.template_ids() == found


def test_no_message_is_written_inside_an_f_string() -> None:
    """Babel (Python 3.11) reads an f-string as one string token: a `_("...")` inside it never reaches the catalogue,
    so the word stays English on every page (the marked upload was 'SCORE_upload_problems.xlsx' in Spanish)."""
    import ast

    root = Path(__file__).resolve().parent.parent
    found = []
    for path in [root / "app.py", *sorted((root / "score").rglob("*.py")), *sorted((root / "views").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in (n for value in node.values for n in ast.walk(value) if isinstance(n, ast.Call)):
                named = isinstance(call.func, ast.Name) and call.func.id in ("_", "ngettext", "N_")
                if named and call.args and isinstance(call.args[0], ast.Constant):
                    found.append(f"{path.relative_to(root)}:{call.lineno} {call.args[0].value!r}")
    assert not found, "messages inside f-strings (never extracted):\n" + "\n".join(found)


def test_the_template_is_extracted_from_this_code() -> None:
    ids = i18n_check.template_ids()
    assert len(ids) > 500
    assert {"Workers reached", "Enterprises engaged", "Clear filters", "Language"} <= ids


@pytest.mark.parametrize("lang", LANGS)
def test_every_msgid_has_a_translation(lang: str) -> None:
    missing = i18n_check.untranslated(lang)
    assert not missing, (
        f"{len(missing)} msgid(s) without a {lang} translation (empty or fuzzy) in "
        f"locales/{lang}/LC_MESSAGES/score.po:\n" + _listing([repr(m) for m in missing])
    )


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_their_placeholders_and_markup(lang: str) -> None:
    wrong = i18n_check.placeholder_mismatches(lang) + i18n_check.markup_mismatches(lang)
    assert not wrong, f"{lang}: placeholders or tags differ from the msgid:\n" + _listing(wrong)


def test_the_placeholder_check_catches_a_renamed_placeholder(tmp_path: Path, monkeypatch) -> None:
    po = tmp_path / "xx" / "LC_MESSAGES" / "score.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Publish {country}"\nmsgstr "Publier {pays}"\n\n'
        'msgid "{n} workers"\nmsgstr "{n} travailleurs"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n_check, "LOCALES_DIR", tmp_path)
    assert i18n_check.placeholder_mismatches("xx") == ["'Publish {country}' -> 'Publier {pays}'"]


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogues_match_the_po_files(lang: str) -> None:
    stale = i18n_check.compiled_differs(lang)
    assert not stale, f"locales/{lang}/LC_MESSAGES/score.mo is out of date (run make i18n):\n" + _listing(stale)


def test_reference_texts_shown_through_the_catalogue_are_in_it() -> None:
    """Units and definitions come from data/reference and are translated by msgid (score/reference_text.py)."""
    ids = i18n_check.template_ids()
    texts: set[str] = set()
    with (REPO / "data" / "reference" / "indicators.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts |= {row["unit"], row["definition_en"]}
    with (REPO / "data" / "reference" / "logframe_indicators.csv").open(encoding="utf-8") as handle:
        texts |= {row["unit"] for row in csv.DictReader(handle)}
    with (REPO / "data" / "reference" / "countries.csv").open(encoding="utf-8") as handle:
        texts |= {row["region"] for row in csv.DictReader(handle)}
    assert texts - ids == set()


def test_module_names_use_the_ilo_vocabulary() -> None:
    with (REPO / "data" / "reference" / "modules.csv").open(encoding="utf-8") as handle:
        names = {row["code"]: (row["name_fr"], row["name_es"]) for row in csv.DictReader(handle)}
    assert names["WC"] == ("Coopération sur le lieu de travail", "Cooperación en el lugar de trabajo")
    assert names["QM"] == ("Gestion de la qualité", "Gestión de la calidad")
    assert names["CP"] == ("Production plus propre", "Producción más limpia")
    assert names["HR"] == ("Gestion des ressources humaines", "Gestión de recursos humanos")
    assert names["OSH"] == ("Sécurité et santé au travail", "Seguridad y salud en el trabajo")


# ------------------------------------------------------------------------------------------ formats


@pytest.mark.parametrize(
    ("lang", "workers", "share", "change"),
    [
        ("en", "342,434", "79%", "\u221218.3%"),  # the true minus, as on the charts' axes
        ("fr", "342\u202f434", "79\u00a0%", "\u221218,3\u00a0%"),
        ("es", "342.434", "79\u00a0%", "\u221218,3\u00a0%"),
    ],
)
def test_numbers_are_written_the_way_of_each_language(lang: str, workers: str, share: str, change: str) -> None:
    set_language(lang)
    try:
        assert fmt_int(342434) == workers
        assert fmt_pct(79.2) == share
        assert fmt_pct(-18.34, decimals=1, signed=True) == change
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("lang", "median", "share", "nothing"),
    [("en", "309", "12.3%", "0"), ("fr", "309", "12,3\u00a0%", "0"), ("es", "309", "12,3\u00a0%", "0")],
)
def test_a_half_rounds_up_as_on_the_charts_bars(lang: str, median: str, share: str, nothing: str) -> None:
    # A module's median days to the classroom can be 308.5: the bar's label (Plotly) said 309, its table and text
    # alternative said 308 (half to even). Excel's "#,##0" in the page workbook shows 309 too.
    set_language(lang)
    try:
        assert (fmt_int(308.5), fmt_pct(12.25, decimals=1), fmt_int(-0.4)) == (median, share, nothing)
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("lang", "one", "hidden"),
    [
        ("en", ["1 woman", "1 woman"], "– women"),
        ("fr", ["1 femme", "1 femme"], "– femmes"),
        ("es", ["1 mujer", "1 mujer"], "– mujeres"),
    ],
)
def test_a_tile_counting_one_woman_says_so_in_the_singular(lang: str, one: list[str], hidden: str) -> None:
    # A country's staff narrowing the filters to one enterprise can meet a count of one ("1 women" was shown); a
    # hidden count (public view, fewer than 5) reads as a plural.
    from score import tiles as tile_sets

    kpis = {
        "workers_female_pct": 50.0,
        "workers_female": 1.0,  # as DuckDB hands a sum over: a float
        "people_trained_female_pct": 100.0,
        "people_trained_female": 1,
    }
    set_language(lang)
    try:
        assert [t.note for t in tile_sets.women_share_tiles(kpis)] == one
        assert tile_sets.women_share_tiles({**kpis, "workers_female": None})[0].note == hidden
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("fr", "fr"), ("es-CO", "es"), ("FR_fr", "fr"), ("en-US", "en"), ("de", None), ("", None), (None, None)],
)
def test_language_codes_from_urls_and_browsers(value: object, expected: str | None) -> None:
    assert language_code(value) == expected


# ------------------------------------------------------------------------------------------ pages

PAGES = (
    "views/overview.py",
    "views/enterprises.py",
    "views/training.py",
    "views/outcomes.py",
    "views/map.py",
    "views/logframe.py",
    "views/country.py",
    "views/present.py",
    "views/upload.py",
    "views/data_quality.py",
    "views/review.py",
    "views/audit.py",
)
# Words that are the same in English and French or Spanish (checked by hand, not a translation left out).
SAME_WORD = {"Phase", "Module", "Sector", "Version", "n", "Micro", "Action", "Participations", "Total", "Province"}
CONTRACT_FILES = (".csv", ".xlsx")  # template downloads are named by the data contract, in every language


def _run(page: str, lang: str | None = None, session_language: str | None = None):
    from score.access import Scope

    # HQ: every page, including upload, data quality and audit
    return open_page(page, {"lang": lang} if lang else None, Scope.hq("tests"), language=session_language)


def _texts(at) -> dict[str, list[str]]:
    """What a person reads first on a page: its title, widget labels and chart titles."""
    labels = []
    for kind in ("selectbox", "multiselect", "radio", "button", "segmented_control", "download_button", "tabs"):
        labels += [str(el.proto.label) for el in at.get(kind)]
    return {
        "title": [t.value for t in at.title],
        "labels": labels,
        "metrics": [tile.label for tile in tiles(at)],
        "charts": chart_titles(at),
    }


@pytest.fixture(scope="module")
def english(demo_data_dir) -> dict[str, dict[str, list[str]]]:
    return {page: _texts(_run(page, "en")) for page in PAGES}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_in_the_language_of_the_link(english, page: str, lang: str) -> None:
    shown = _texts(_run(page, lang))
    for part, english_texts in english[page].items():
        assert len(shown[part]) == len(english_texts), (part, shown[part], english_texts)
        same = [
            t
            for t, e in zip(shown[part], english_texts, strict=True)
            if t == e and t not in SAME_WORD and not t.endswith(CONTRACT_FILES)
        ]
        assert not same, f"{page} in {lang}: {part} still in English: {same}"
    assert shown["title"] and english[page]["title"]


@pytest.mark.parametrize(("lang", "workers"), [("en", "342,434"), ("fr", "342\u202f434"), ("es", "342.434")])
def test_workers_reached_is_grouped_the_way_of_the_language(demo_data_dir, lang: str, workers: str) -> None:
    at = _run(PAGES[0], lang)
    label = {"en": "Workers reached", "fr": "Travailleurs touchés", "es": "Trabajadores alcanzados"}[lang]
    assert {tile.label: tile.value for tile in tiles(at)}[label] == workers


def test_the_language_stays_after_a_page_switch(demo_data_dir) -> None:
    """The URL loses `lang` when st.navigation switches page; the session keeps the language."""
    at = _run(PAGES[0], "es")
    assert at.title[0].value == "Resultados de SCORE de un vistazo"
    at.query_params.pop("lang", None)
    at.switch_page("views/training.py").run()
    assert at.title[0].value == "Formación"
    at.switch_page("views/outcomes.py").run()
    assert at.title[0].value == "Resultados"


def test_the_link_wins_over_the_session_and_the_picker_writes_the_link(demo_data_dir) -> None:
    at = _run(PAGES[0], "fr", session_language="es")
    assert at.title[0].value == "Les résultats de SCORE en un coup d'œil"
    at.selectbox(key="score_language").set_value("es").run()
    assert at.query_params["lang"] in ("es", ["es"])
    assert at.title[0].value == "Resultados de SCORE de un vistazo"
    at.selectbox(key="score_language").set_value("en").run()
    # Picked, the language stays in the link even where this browser would pick it anyway: the link is shared
    # with people whose browsers differ (a French link used to open in English in an English browser).
    assert at.query_params["lang"] in ("en", ["en"])
    assert at.title[0].value == "SCORE results at a glance"


def test_without_a_link_the_browser_language_is_used(demo_data_dir, monkeypatch) -> None:
    from score.web import language

    monkeypatch.setattr(language, "browser_language", lambda: "fr")
    at = _run(PAGES[0])
    assert at.title[0].value == "Les résultats de SCORE en un coup d'œil"
    assert "lang" not in at.query_params  # the browser gives French anyway


def test_an_unknown_language_in_the_link_falls_back_to_english(demo_data_dir) -> None:
    at = _run(PAGES[0], "de")
    assert at.title[0].value == "SCORE results at a glance"
    assert not at.exception


# ------------------------------------------------------------------------------------------ validation reports


@pytest.fixture(scope="module")
def bad_file_corpus() -> list[tuple[str, dict, dict[str, bytes], list]]:
    """Each case of tests/bad_files: its name, spec, files and English report (made once for both languages)."""
    from score.ingest import validate_submission
    from tests.bad_file_cases import CASES, case_files

    corpus = []
    for case in CASES:
        spec = json.loads((case / "expected.json").read_text(encoding="utf-8"))
        files = case_files(case, spec)
        with settings.overridden(**{k: v for k, v in spec.items() if k == "max_upload_mb"}):
            set_language("en")
            corpus.append((case.name, spec, files, validate_submission(spec["country"], files).issues))
    return corpus


@pytest.mark.parametrize("lang", LANGS)
def test_the_bad_file_corpus_is_reported_in_french_and_spanish(lang: str, bad_file_corpus, settings_override) -> None:
    """Every problem and fix of tests/bad_files reads in the viewer's language, at the same places."""
    from score.ingest import validate_submission

    untranslated = []
    for name, spec, files, english in bad_file_corpus:
        if "max_upload_mb" in spec:
            settings_override(max_upload_mb=spec["max_upload_mb"])
        set_language(lang)
        try:
            shown = validate_submission(spec["country"], files).issues
        finally:
            set_language("en")
        assert [(i.file, i.sheet, i.row, i.column) for i in shown] == [
            (i.file, i.sheet, i.row, i.column) for i in english
        ], name
        for theirs, ours in zip(english, shown, strict=True):
            for part in ("problem", "fix"):
                if getattr(theirs, part) and getattr(theirs, part) == getattr(ours, part):
                    untranslated.append(f"{name}: {part}: {getattr(ours, part)!r}")
    assert not untranslated, f"{lang}: still in English:\n" + _listing(untranslated)


@pytest.mark.parametrize(
    ("lang", "zero", "one", "two"),
    [
        ("en", "(0 rows)", "(1 row)", "(2 rows)"),
        ("fr", "(0 ligne)", "(1 ligne)", "(2 lignes)"),  # French: 0 and 1 are singular
        ("es", "(0 filas)", "(1 fila)", "(2 filas)"),
    ],
)
def test_plural_forms_follow_each_language(lang: str, zero: str, one: str, two: str) -> None:
    from score.i18n import ngettext

    set_language(lang)
    try:  # a message of the validation report (score/ingest/)
        assert [ngettext("({count} row)", "({count} rows)", n, count=n) for n in (0, 1, 2)] == [zero, one, two]
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("lang", "button", "drop", "size"),
    [
        ("fr", "Téléverser des fichiers", "Glissez-déposez ici", "$1 par fichier"),
        ("es", "Subir archivos", "Arrastre y suelte aquí", "$1 por archivo"),
    ],
)
def test_streamlit_own_uploader_words_are_replaced(demo_data_dir, lang: str, button: str, drop: str, size: str) -> None:
    """Streamlit writes "Upload", "200MB per file" and "Drag and drop files here" itself; a script puts the
    viewer's words into the page in their place (so a screen reader reads them too, not only the eye)."""
    at = _run(PAGES[0], lang)
    scripts = " ".join(str(el.proto.body) for el in at.get("html"))
    assert "stFileUploaderDropzone" in scripts
    assert f'"{button}"' in scripts and f'"{drop}"' in scripts and f'"{size}"' in scripts


def test_english_needs_no_replaced_words(demo_data_dir) -> None:
    at = _run(PAGES[0], "en")
    assert "stFileUploaderDropzone" not in " ".join(str(el.proto.body) for el in at.get("html"))


def test_a_count_in_a_plural_message_is_grouped_the_way_of_the_language() -> None:
    from score.i18n import ngettext

    singular, plural = "Unknown code for {column} ({n} row).", "Unknown code for {column} ({n} rows)."
    set_language("fr")
    try:
        assert ngettext(singular, plural, 1234, column="sector") == "Code inconnu pour sector (1\u202f234 lignes)."
        assert ngettext(singular, plural, 2, column="sector", n="deux") == "Code inconnu pour sector (deux lignes)."
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_table_right_aligns_numbers_as_written_in_each_language(lang: str) -> None:
    # st.table aligns a cell by its type, and a formatted number is text to it: number_columns finds the columns
    # text_table right-aligns, so the numbers every fmt_* writes must read as numbers, and names must not.
    set_language(lang)
    try:
        shown = pd.DataFrame(
            {
                "module": ["Clean production", "2011-03 intake"],
                "deliveries": [fmt_int(1406), "–"],
                "change": [fmt_pct(-18.34, decimals=1, signed=True), fmt_pct(3.5, decimals=1, signed=True)],
                "median": [fmt_number(-1607.14), fmt_number(79380.4)],
                "share": [fmt_pct(88), fmt_pct(100)],
                "id": ["COL-0001", "COL-0002"],
                "hidden": ["–", "–"],
                "year": [2016, 2017],
                "before_after": [f"{fmt_int(0)} \u2192 {fmt_int(213)}", f"{fmt_int(1406)} \u2192 {fmt_int(1399)}"],
                "when": ["6 Dec 2026, 18:36:55", "2011-03"],
            }
        )
        assert number_columns(shown) == ["deliveries", "change", "median", "share", "year", "before_after"]
    finally:
        set_language("en")


def test_an_html_table_right_aligns_its_number_columns() -> None:
    # a chart's data table and the logframe's tables (components.text.table_markup): the same rule as text_table
    from score.web.components.text import table_markup
    from tests.pages import read_table_markup

    markup = table_markup(
        ["Country", "Enterprises", "Status"], [["Chile", fmt_int(1406), "on track"], ["Peru", "–", "–"]]
    )
    assert markup.count('class="score-number"') == 3  # the heading and both cells of Enterprises, nothing else
    assert read_table_markup(markup)["Enterprises"].tolist() == [fmt_int(1406), "–"]  # read back as before


@pytest.mark.parametrize(
    ("lang", "zone", "expected"),
    [
        ("es", "America/Bogota", "7 dic 2026, 10:04:00 (GMT-05:00)"),  # Bogotá staff read their own clock
        ("fr", "Africa/Accra", "7 déc. 2026, 15:04:00 (UTC+00:00)"),
        ("en", "Asia/Ho_Chi_Minh", "7 Dec 2026, 22:04:00 (GMT+07:00)"),
        ("en", None, "7 Dec 2026, 15:04:00 UTC"),  # no zone from the browser: UTC, said so
        ("en", "../../etc/passwd", "7 Dec 2026, 15:04:00 UTC"),  # the browser's value is never trusted
        ("en", "Not/AZone", "7 Dec 2026, 15:04:00 UTC"),
    ],
)
def test_a_stored_moment_is_shown_in_the_readers_time_zone_with_its_offset(lang, zone, expected) -> None:
    import datetime as dt

    from score.i18n import fmt_moment

    set_language(lang)
    try:
        # the stores write UTC, aware or naive: the same moment either way
        for stored in (dt.datetime(2026, 12, 7, 15, 4, tzinfo=dt.UTC), dt.datetime(2026, 12, 7, 15, 4)):
            assert fmt_moment(stored, zone).replace("\xa0", " ") == expected.replace("\xa0", " ")
    finally:
        set_language("en")
