"""Exports are data: CSV and Excel hold plain numbers equal to independent counts in every language, hidden
cells are empty with the reason beside, text cannot run as a formula, and a chart PNG carries its caption."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation

from score import exports, formulas
from score.access import Scope
from score.deck import Kpi, Slide, build_deck
from score.exports import to_csv, to_excel
from score.filters import Filters
from score.i18n import set_language
from score.web import components as c
from tests.oracle import REFERENCE, reference_rows

NUMBERS = ["deliveries", "participations", "consultation_visits", "satisfaction_mean", "n_satisfaction"]


@pytest.fixture
def language():
    """Set the session language for one test; back to English afterwards."""
    yield set_language
    set_language("en")


def module_labels(lang: str) -> dict[str, str]:
    return {code: row[f"name_{lang}"] for code, row in reference_rows("modules").items()}


def training_csv(lang: str) -> bytes:
    """The Training page's CSV (views/training.py builds it the same way from the same two queries)."""
    from score import db

    set_language(lang)
    # HQ: exact figures, equal to the raw counts (the public's are adjusted, tests/test_disclosure.py)
    by_module = db.run_query("training_by_module", Scope.hq("tests"), Filters())
    satisfaction = db.run_query("satisfaction_by_module", Scope.hq("tests"), Filters())
    table = c.merge_tables(by_module, satisfaction, "module")
    return to_csv(exports.data_table(table, {"module": module_labels(lang)}))


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_training_csv_reads_back_as_numbers_equal_to_the_raw_counts(raw, lang: str, language) -> None:
    raw_bytes = training_csv(lang)
    assert raw_bytes.startswith(b"\xef\xbb\xbf")
    text = raw_bytes.decode("utf-8-sig")
    assert "\u202f" not in text and "\xa0" not in text  # no French narrow spaces as thousands separators
    frame = pd.read_csv(io.BytesIO(raw_bytes), encoding="utf-8-sig")
    assert list(frame.columns[:2]) == ["module", "module_name"]
    for column in ("deliveries", "participations", "consultation_visits", "n_satisfaction"):
        assert pd.api.types.is_integer_dtype(frame[column]), (column, frame[column].dtype)
    assert pd.api.types.is_float_dtype(frame["satisfaction_mean"])
    expected = raw.by_module()
    rows = frame.set_index("module")
    for module, figures in expected.items():
        assert rows.loc[module, "module_name"] == module_labels(lang)[module]
        assert rows.loc[module, "deliveries"] == figures["deliveries"]
        assert rows.loc[module, "participations"] == figures["participations"]
        assert rows.loc[module, "consultation_visits"] == figures["consultation_visits"]
        assert rows.loc[module, "n_satisfaction"] == figures["n_satisfaction"]
        assert math.isclose(rows.loc[module, "satisfaction_mean"], figures["satisfaction_mean"], rel_tol=1e-9)


def test_csv_numbers_are_the_same_bytes_in_every_language(demo_data_dir, language) -> None:
    """Only the label column changes with the language; every number is written the same way."""
    frames = {lang: pd.read_csv(io.BytesIO(training_csv(lang)), dtype=str) for lang in ("en", "fr", "es")}
    assert frames["en"][NUMBERS].equals(frames["fr"][NUMBERS])
    assert frames["en"][NUMBERS].equals(frames["es"][NUMBERS])
    assert frames["en"]["module_name"].tolist() != frames["fr"]["module_name"].tolist()
    assert "1,166" not in training_csv("en").decode("utf-8-sig")  # no grouping anywhere


def test_hidden_cells_are_empty_with_the_reason_beside(demo_data_dir) -> None:
    from score import db

    cells = db.run_query("country_totals", Scope.public(), Filters(sectors=("garments",), phases=("II",)))
    assert c.any_suppressed(cells), "the demo set has countries with 1-4 garment enterprises in phase II"
    frame = pd.read_csv(io.BytesIO(to_csv(exports.data_table(cells, {"country": {"COL": "Colombia"}}))))
    assert pd.api.types.is_numeric_dtype(frame["enterprises"])  # no "–" turning the column into text
    hidden = frame[frame["hidden_reason"].notna()]
    assert len(hidden) and hidden["enterprises"].isna().all() and hidden["workers_reached"].isna().all()
    assert hidden["hidden_reason"].str.contains("fewer than 5 enterprises").all()
    shown = frame[frame["hidden_reason"].isna()]
    assert (shown["enterprises"] >= 5).all()
    assert "suppressed" not in frame.columns
    assert set(frame.loc[frame["country"] == "COL", "country_name"]) == {"Colombia"}


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("fr", {"small": "Petite", "female": "Femmes", "managers": "Cadres", "outcome": "Effet"}),
        ("es", {"small": "Pequeña", "female": "Mujeres", "managers": "Gerentes", "outcome": "Efecto"}),
    ],
)
def test_page_workbook_names_every_code_in_the_readers_language(demo_data_dir, language, lang, names) -> None:
    """The pages' workbooks (components.page_workbook: data_table with export_labels) put a name beside each code
    column: enterprises by size, people trained by role and sex, the logframe's levels (they held only the English
    codes 'small', 'female', 'managers', 'outcome' in a French or Spanish workbook)."""
    from score import db, labels

    language(lang)
    hq = Scope.hq("tests")
    results = {
        "enterprises_by_size": db.run_query("enterprises_by_size", hq, Filters()),
        "people_trained_by_role_sex": db.run_query("people_trained_by_role_sex", hq, Filters()),
        "logframe": db.run_query("logframe", hq, Filters(), period_end=None),  # each country's latest report
    }
    frames = {query: exports.data_table(result, labels.export_labels()) for query, result in results.items()}
    sizes = frames["enterprises_by_size"].set_index("size_class")["size_class_name"]
    people = frames["people_trained_by_role_sex"]
    levels = frames["logframe"].set_index("level")["level_name"]
    assert sizes["small"] == names["small"]
    assert set(people.loc[people["sex"] == "female", "sex_name"]) == {names["female"]}
    assert set(people.loc[people["role"] == "managers", "role_name"]) == {names["managers"]}
    assert set(levels.loc[["outcome"]]) == {names["outcome"]}


def test_dates_are_iso() -> None:
    frame = exports.data_table(pd.DataFrame({"period_end": pd.to_datetime(["2013-09-30", None]), "n": [1, 2]}))
    assert to_csv(frame).decode("utf-8-sig").splitlines()[1] == '"2013-09-30",1'


DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "Normal SA", "a=b"]


def test_csv_neutralises_formulas_and_keeps_numbers() -> None:
    frame = pd.DataFrame({"partner": DANGEROUS, "change": [-3.5, 1, 2, 3, 4, 5, 6, 7]})
    back = pd.read_csv(io.BytesIO(to_csv(frame)), encoding="utf-8-sig", keep_default_na=False)
    assert back["partner"].tolist() == ["'" + v for v in DANGEROUS[:6]] + ["Normal SA", "a=b"]
    assert back["change"].tolist()[0] == -3.5  # a negative number is a number, not a formula


def test_excel_keeps_text_from_an_upload_as_text_even_when_it_looks_like_markup_or_holds_control_characters() -> None:
    """The data rows are written as sheet XML by our own code (exports._rows_xml): a name that looks like the
    sheet's own markup stays one text cell, a control character becomes Excel's _xHHHH_ escape (openpyxl refused
    the file), and each row keeps its numbers and its empty cells where they were."""
    names = ["<r><t>x</t></r>", "</t></is></c><c><v>1</v></c>", "a\x01b", "_x0041_", "Hà Nội & Cía", "  lead"]
    frame = pd.DataFrame({"name": names, "n": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"), "share": 0.5})
    sheet = openpyxl.load_workbook(io.BytesIO(to_excel({"list": frame})))["list"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [
        "<r><t>x</t></r>",
        "</t></is></c><c><v>1</v></c>",
        "a_x0001_b",
        "_x005F_x0041_",
        "Hà Nội & Cía",
        "  lead",
    ]
    assert [row[1] for row in rows] == [1, None, 3, 4, 5, 6]
    assert all(row[2] == 0.5 for row in rows) and sheet.max_row == len(names) + 1


SEPARATOR_PAYLOADS = ["SENA;=1+2", "SENA,=1+2", "SENA\t=1+2", "a; +1", "x,@SUM(A1)", "line\n=1+2", "x;'=1"]


@pytest.mark.parametrize("opened_with", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_csv_text_cannot_run_as_a_formula_whatever_separator_excel_splits_on(opened_with: str) -> None:
    """Excel in French or Spanish settings splits a CSV on ";": every piece it could make of a text value must
    still be text (OWASP CSV injection: neutralise after any separator, quote text fields)."""
    frame = pd.DataFrame({"partner": DANGEROUS + SEPARATOR_PAYLOADS, "n": range(len(DANGEROUS + SEPARATOR_PAYLOADS))})
    text = to_csv(frame).decode("utf-8-sig")
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[1:]:
        for quoted in (True, False):  # a reader that honours quotes, and one that splits the raw line
            cells = next(csv.reader([line], delimiter=opened_with)) if quoted else line.split(opened_with)
            for cell in cells:
                cell = cell.strip(' "')
                if cell and not _is_plain_number(cell):
                    assert not cell.startswith(tuple(formulas.TRIGGERS)), (line, cell)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert [formulas.restore_text(v) for v in back["partner"]] == DANGEROUS + SEPARATOR_PAYLOADS


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_excel_neutralises_formulas_and_stores_numbers_as_numbers() -> None:
    frame = pd.DataFrame({"partner": DANGEROUS, "enterprises": [213, 1, 2, 3, 4, 5, 6, 7]})
    book = openpyxl.load_workbook(io.BytesIO(to_excel({"partners": frame})))
    sheet = book["partners"]
    for row, typed in zip(sheet.iter_rows(min_row=2), DANGEROUS, strict=True):
        partner, enterprises = row
        assert partner.data_type == "s", partner.value  # never "f" (a formula)
        # as typed (a carriage return as Excel's escape), marked as text by the style, not by an apostrophe
        assert partner.value == typed.replace("\r", "_x000D_")
        assert partner.quotePrefix == typed.startswith(tuple(formulas.TRIGGERS)), typed
        assert enterprises.data_type == "n" and enterprises.number_format == "#,##0"
    assert sheet["B2"].value == 213


def test_excel_workbook_says_what_it_holds(demo_data_dir, language) -> None:
    from score import db

    language("fr")
    status = db.run_query("data_status", Scope.nothing()).iloc[0].to_dict()
    labels = {"country": {"COL": "Colombie"}}
    context = exports.export_context(Filters(countries=("COL",), phases=("I",)), labels, status, dt.date(2026, 3, 2))
    kpis = db.run_query("overview_kpis", Scope.public(), Filters(countries=("COL",), phases=("I",)))
    book = openpyxl.load_workbook(io.BytesIO(to_excel({"overview_kpis": exports.data_table(kpis)}, context)))
    assert book.sheetnames[0] == context.about_sheet
    about = {row[0].value: row[1].value for row in book[context.about_sheet].iter_rows(min_row=2)}
    assert "Colombie" in next(v for v in about.values() if "Colombie" in str(v))
    assert any("2026" in str(v) for v in about.values())
    assert any("synth" in str(v).lower() for v in about.values())  # demo status
    sheet = book["overview_kpis"]
    headers = [cell.value for cell in sheet[1]]
    row = {h: cell.value for h, cell in zip(headers, sheet[2], strict=True)}
    assert row["enterprises"] == int(kpis.iloc[0]["enterprises"])
    assert isinstance(row["workers_reached"], int)


def test_filters_in_words_use_names_and_the_language(language) -> None:
    labels = {"country": {"COL": "Colombia", "GHA": "Ghana"}, "module": {"QM": "Quality management"}}
    words = exports.filters_in_words(Filters(countries=("COL", "GHA"), phases=("I",), year_from=2011), labels)
    assert words.startswith("Colombia, Ghana")
    assert "Phase I" in words and "2011" in words
    assert "phases:" not in words and "COL" not in words
    assert exports.filters_in_words(Filters(), labels) == "All countries · all years"


def sample_context(demo: str = "Demo data: synthetic enterprises, not real results") -> exports.ExportContext:
    status = {"built_at": "2026-11-30T08:00:00", "is_demo": bool(demo)}
    filters = Filters(countries=("COL",), partners=("<b>SENA</b> & co",))
    return exports.export_context(filters, {"country": {"COL": "Colombia"}}, status, dt.date(2026, 12, 1))


def test_exported_chart_carries_filters_source_date_and_demo_status() -> None:
    fig = c.bar_chart(
        pd.DataFrame({"country": ["COL", "GHA"], "enterprises": [213, 158]}),
        "country",
        "enterprises",
        title="Enterprises by country",
    )
    exported = exports.captioned(fig, sample_context())
    subtitle = exported.layout.title.subtitle.text
    assert exported.layout.title.text == "Enterprises by country"
    assert "Colombia" in subtitle
    assert "Source: ILO SCORE" in subtitle
    assert "30 Nov 2026" in subtitle and "1 Dec 2026" in subtitle
    assert "DEMO DATA" in subtitle
    assert "&lt;b&gt;SENA&lt;/b&gt; &amp; co" in subtitle  # a partner name is text, never markup
    assert "<b>SENA" not in subtitle
    assert exported.layout.height > fig.layout.height  # room for the caption, the chart is not squeezed
    assert fig.layout.title.subtitle.text is None  # the chart on the page is unchanged


def test_an_exported_chart_title_is_wrapped_for_the_image_not_for_a_half_width_chart() -> None:
    # A figure's title is broken for the narrowest chart a page has (305 px); the 1400 px image read
    # "Entreprises qui adhèrent à SCORE, par" over "an" and kept the room of the lines it did not need.
    title = "Entreprises qui adhèrent à SCORE, par an (nombre d’entreprises)"
    frame = pd.DataFrame({"year": ["2019", "2020"], "n": [3, 4]})
    fig = c.bar_chart(frame, "year", "n", title=title)
    assert "<br>" in fig.layout.title.text  # as a page's figure is
    exported = exports.captioned(fig, sample_context())
    assert exported.layout.title.text == title
    one_line = exports.captioned(c.bar_chart(frame, "year", "n", title="T"), sample_context())
    assert (exported.layout.height, exported.layout.margin.t) == (one_line.layout.height, one_line.layout.margin.t)
    assert exports.captioned(fig, sample_context(), width=400).layout.title.text.count("<br>") == 1


def test_chart_png_is_an_image_with_the_caption_drawn() -> None:
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    fig.update_layout(title={"text": "t"}, height=400)
    png = exports.chart_png(fig, sample_context(), width=800, scale=1)
    assert png.startswith(b"\x89PNG")
    height = int.from_bytes(png[20:24], "big")
    assert height > 400


def _rows_of_colour(
    png: bytes, rgb: tuple[int, int, int], below: int, left: int = 10_000, within: int = 24
) -> list[int]:
    """The pixel rows above `below` (and left of `left`) holding a pixel of the colour `rgb` (+- `within`)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = image.load()
    width = min(image.width, left)
    return [
        y
        for y in range(min(below, image.height))
        if any(all(abs(a - b) <= within for a, b in zip(pixels[x, y], rgb, strict=True)) for x in range(width))
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_target_legend_of_an_exported_chart_sits_below_the_caption(lang) -> None:
    set_language(lang)
    try:
        fig = c.bar_chart(
            pd.DataFrame({"country": ["COL", "GHA", "IND"], "enterprises": [213, 158, 90], "goal": [250, 150, 120]}),
            "country",
            "enterprises",
            title="Enterprises engaged against target",
            target="goal",
        )
        png = exports.chart_png(fig, sample_context(), width=1280, scale=1)
    finally:
        set_language("en")
    exported = exports.captioned(fig, sample_context())
    plot_top = exported.layout.margin.t
    # the caption's grey text (exactly: the anti-aliased edges of the black legend text pass near that grey)
    caption = _rows_of_colour(png, (0x52, 0x60, 0x6D), below=plot_top, within=4)
    legend = _rows_of_colour(png, (0xD5, 0x5E, 0x00), below=plot_top, left=200)  # the "Target" legend tick
    # The "Target" key is drawn under the plot (on screen it sat on the title): nothing of it among the caption
    assert caption and not legend
    assert exported.layout.legend.y < 0


def test_an_exported_chart_with_a_long_title_keeps_its_first_line_and_a_legend_band() -> None:
    from score import logframe

    names = {"GHA": "Ghana", "COL": "Colombia"}
    frame = pd.DataFrame(
        {
            "country": ["GHA", "COL"],
            "level": ["output", "output"],
            "indicator": ["partner_staff_trained"] * 2,
            "unit": ["people"] * 2,
            "direction": ["higher"] * 2,
            "period_end": pd.to_datetime(["2016-12-31"] * 2),
            "target": [85.0, 100.0],
            "actual": [59.0, 130.0],
            "female_share": [None, None],
            "comment": [None, None],
        }
    )
    rows = logframe.with_status(frame, names)
    fig = logframe.chart(
        rows, "partner_staff_trained", "Partner staff trained by the national partner institutions", names
    )
    exported = exports.captioned(fig, sample_context(), width=400)  # a narrow image: the title wraps
    assert exported.layout.title.text.count("<br>") >= 1  # the case under test
    assert (exported.layout.title.yref, exported.layout.title.y, exported.layout.title.yanchor) == (
        "container",
        1,
        "top",
    )
    # 2+ title lines of ~24 px, 3 caption lines of ~17 px and a ~30 px legend band fit above the plot
    assert exported.layout.margin.t >= 12 + 2 * 24 + 3 * 17 + 30
    png = exports.chart_png(fig, sample_context(), width=400, scale=1)
    ink = _rows_of_colour(png, (0x1F, 0x29, 0x33), below=exported.layout.margin.t)
    assert min(ink) >= 4  # the title's first line is in the image, not cut at its top edge


def test_deck_charts_are_native_and_hold_the_data() -> None:
    slides = [
        Slide("Headline", kind="kpis", kpis=[Kpi("Enterprises", "1,500"), Kpi("Workers", "342,434")]),
        Slide(
            "Enterprises by country",
            categories=["Colombia", "Ghana"],
            series={"Enterprises": [213, 158]},
            colours={"Enterprises": "#0072B2"},
            notes="Enterprises engaged: participating SMEs, counted once.",
        ),
        Slide("Suppressed", categories=["A", "B"], series={"n": [None, 7]}),
    ]
    deck = Presentation(io.BytesIO(build_deck(slides, footer="SCORE")))
    assert len(deck.slides) == 3
    texts = [s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame]
    assert "1,500" in texts and "Headline" in texts
    chart = next(s for s in deck.slides[1].shapes if s.has_chart).chart
    assert list(chart.plots[0].categories) == ["Colombia", "Ghana"]
    assert list(chart.series[0].values) == [213.0, 158.0]
    assert deck.slides[1].notes_slide.notes_text_frame.text.startswith("Enterprises engaged")
    suppressed = next(s for s in deck.slides[2].shapes if s.has_chart).chart
    assert list(suppressed.series[0].values) == [None, 7.0]


def test_csv_keeps_accents_for_excel() -> None:
    raw = to_csv(pd.DataFrame({"city": ["Bogotá", "Hà Nội"], "n": [1, 2]}))
    assert raw.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")["city"].tolist() == ["Bogotá", "Hà Nội"]


def test_excel_round_trip() -> None:
    frame = pd.DataFrame({"country": ["COL"], "enterprises": [213]})
    back = pd.read_excel(
        io.BytesIO(to_excel({"a very long sheet name that Excel would refuse": frame})), sheet_name=None
    )
    ((name, got),) = back.items()
    assert len(name) <= 31
    assert got.to_dict("records") == [{"country": "COL", "enterprises": 213}]


def test_page_workbook_holds_every_table_of_the_page_as_numbers(raw) -> None:
    """The Overview's workbook (what its 'Download this page's data' button writes): one sheet per query the
    page drew from, with the headline and per-country numbers equal to the raw counts."""
    from score.web import ui
    from tests.apptest import OVERVIEW, open_page

    at = open_page(OVERVIEW, None, Scope.hq("tests"))  # exact figures (the public's are adjusted)
    assert any(b.proto.label == "Download this page's data (Excel)" for b in at.get("download_button"))
    results = at.session_state[ui.PAGE_SHEETS_KEY]
    labels = {
        "country": {
            row["iso3"]: row["name_en"] for row in csv.DictReader((REFERENCE / "countries.csv").open(encoding="utf-8"))
        }
    }
    context = sample_context(demo="")
    book = openpyxl.load_workbook(io.BytesIO(to_excel(exports.page_tables(results, labels), context)))
    assert {"overview_kpis", "country_comparison", "outcome_shares"} <= set(book.sheetnames)
    assert book.sheetnames[0] == "About"

    def records(name: str) -> list[dict[str, object]]:
        rows = list(book[name].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    (kpis,) = records("overview_kpis")
    expected = raw.kpis()
    for key in ("enterprises", "workers_reached", "people_trained", "workers_female", "people_trained_female"):
        assert kpis[key] == expected[key], key
    by_country = {row["country"]: row for row in records("country_comparison")}
    for code, figures in raw.per_country().items():
        assert by_country[code]["enterprises"] == figures["enterprises"]
        assert by_country[code]["country_name"] == labels["country"][code]


def test_long_share_labels_go_inside_long_bars_so_the_chart_keeps_its_width() -> None:
    from score.web import components as c

    frame = pd.DataFrame({"module": ["WC", "QM"], "share": [89.0, 30.0]})
    fig = c.bar_chart(
        frame, "module", "share", title="Satisfied", text=["89% (n = 1,119)", "30% (n = 639)"], max_value=100
    )
    (bars,) = [trace for trace in fig.to_dict()["data"] if trace["type"] == "bar"]
    assert list(bars["textposition"]) == ["inside", "outside"]  # the short bar leaves room beside it
    assert fig.to_dict()["layout"]["margin"].get("r", 0) < 60  # no wide margin that squeezed the bars


def test_a_chart_image_that_hangs_is_drawn_again_and_then_given_up_with_a_clear_error(monkeypatch) -> None:
    """Kaleido's Chromium has been seen to hang for good (exports.PNG_SECONDS): a download must not wait forever."""
    import threading
    import time

    never = threading.Event()  # set at the end, so the abandoned threads finish
    calls: list[int] = []

    def hangs_once(self, **kwargs) -> bytes:
        calls.append(1)
        if len(calls) == 1:
            never.wait(30)
        return b"png"

    monkeypatch.setattr(exports, "PNG_SECONDS", 0.5)
    monkeypatch.setattr(go.Figure, "to_image", hangs_once)
    started = time.monotonic()
    assert exports.figure_png(go.Figure(), width=100, height=100) == b"png"
    # drawn again after 0.5 s (not after the first try's 30 s): 1 s quiet, a few at load 30
    assert len(calls) == 2 and time.monotonic() - started < 20

    monkeypatch.setattr(go.Figure, "to_image", lambda self, **kwargs: never.wait(30))
    with pytest.raises(TimeoutError):
        exports.figure_png(go.Figure(), width=100, height=100)

    def fails(self, **kwargs) -> bytes:
        raise ValueError("no Chromium")

    monkeypatch.setattr(go.Figure, "to_image", fails)
    with pytest.raises(ValueError, match="no Chromium"):  # a real error is the caller's, at once
        exports.figure_png(go.Figure(), width=100, height=100)
    never.set()


@pytest.mark.parametrize(
    ("words", "stem"),
    [
        ("Overview", "overview"),  # the page workbook keeps its English name: score-overview.xlsx
        ("Vue d'ensemble", "vue-d-ensemble"),
        ("Personas capacitadas por año (personas)", "personas-capacitadas-por-año-personas"),
        ("Women (%)", "women"),
        ("% / ()", ""),
        ("a" * 30 + " " + "b" * 40, "a" * 30),  # cut at a word, never mid-word
    ],
)
def test_a_file_stem_is_the_words_in_the_readers_language_and_nothing_a_file_system_refuses(words, stem) -> None:
    from score.exports import file_stem

    assert file_stem(words) == stem
    assert "/" not in file_stem(words) and len(file_stem(words)) <= 60


def test_a_charts_downloads_are_named_after_its_title_in_the_readers_language() -> None:
    from score.web import components as c
    from score.web.components.figures import _file_name

    frame = pd.DataFrame({"sector": ["garments", "textiles"], "enterprises": [40, 7]})
    fig = c.bar_chart(frame, "sector", "enterprises", title="Entreprises par secteur (entreprises)")
    assert _file_name(fig) == "entreprises-par-secteur-entreprises"


def test_a_csv_download_is_named_in_the_readers_language_and_english_names_stay() -> None:
    from score.exports import csv_name
    from score.i18n import _, using_language

    assert csv_name(_("Training by module")) == "score-training-by-module.csv"  # as tests/e2e/test_exports.py reads
    with using_language("fr"):
        assert csv_name(_("Training by module")) == "score-formation-par-module.csv"
    with using_language("es"):
        assert csv_name(_("Enterprises by country and sector")) == "score-empresas-por-país-y-sector.csv"


def test_a_french_workbook_names_indicators_units_definitions_and_measures_in_french(demo_data_dir, language) -> None:
    """The Outcomes workbook's indicator_meta held the bare code, the English unit and the English definition
    beside each other in a French workbook, and the Overview's overview_targets the bare measure codes."""
    from score import db, labels

    language("fr")
    names = labels.export_labels()
    meta = exports.data_table(db.run_query("indicator_meta", Scope.public(), Filters()), names)
    accidents = meta.set_index("indicator").loc["accidents"]
    row = reference_rows("indicators")["accidents"]
    assert accidents["indicator_name"] == row["name_fr"] == "Accidents du travail"
    assert (accidents["unit"], accidents["unit_name"]) == (row["unit"], "accidents par an")
    assert accidents["definition_name"] == "Accidents du travail enregistrés au cours des 12 derniers mois"
    assert meta["unit_name"].notna().all() and meta["definition_name"].notna().all()
    # kind and direction were bare codes ("change", "lower") in every language
    assert (accidents["kind_name"], accidents["direction_name"]) == (
        "Variation entre la situation de référence et le suivi",
        "Plus bas, c'est mieux",
    )
    shares = meta[meta["kind"] == "share"]
    assert not shares.empty and set(shares["kind_name"]) == {"Part des entreprises répondant oui"}
    assert meta["kind_name"].ne(meta["kind"]).all() and meta["direction_name"].ne(meta["direction"]).all()
    targets = exports.data_table(db.run_query("overview_targets", Scope.hq("tests"), Filters()), names)
    assert (
        dict(zip(targets["metric"], targets["metric_name"], strict=True))["workers_reached"] == "Travailleurs touchés"
    )
    logframe = exports.data_table(db.run_query("logframe", Scope.hq("tests"), Filters(), period_end=None), names)
    assert "personnes" in set(logframe["unit_name"])


def test_the_french_outcomes_csv_names_each_unit_in_french(demo_data_dir, monkeypatch) -> None:
    """Its unit column held "accidents per year" beside "Accidents du travail", with nothing in French."""
    from score.web import components
    from tests.apptest import OUTCOMES, open_page

    made: list[pd.DataFrame] = []
    real = components.csv_download

    def keep(frame, file_name, labels=None, columns=None, **kwargs):
        made.append(exports.data_table(frame, labels, columns))
        return real(frame, file_name, labels=labels, columns=columns, **kwargs)

    monkeypatch.setattr(components, "csv_download", keep)
    open_page(OUTCOMES, {"lang": "fr"})
    (outcomes,) = [frame for frame in made if "unit" in frame.columns]
    units = dict(zip(outcomes["unit"], outcomes["unit_name"], strict=True))
    assert units["accidents per year"] == "accidents par an" and units["% of work days"] == "% des jours de travail"
