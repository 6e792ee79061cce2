"""The deck read back with python-pptx: labels that cannot run into each other, numbers in the language's format
(47 % in French, on the labels and on the axis alike), charts tagged with the deck's language, and a map
framed on every country in view (eastern Indonesia included)."""

from __future__ import annotations

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_LABEL_POSITION
from pptx.oxml.ns import qn

from score import presentation
from score.access import Scope
from score.filters import Filters
from score.i18n import set_language
from tests.mercator import polygon_bounds

# The percent sign as each language writes it after a number, written out here: "47%", "47 %" (no-break space).
PERCENT_SUFFIX = {"en": "%", "fr": "\u00a0%", "es": "\u00a0%"}
LANGUAGE_TAG = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES"}


@pytest.fixture(scope="module")  # one deck per language for the module's tests (each is seconds to build)
def deck(demo_data_dir, request):
    from tests.decks import deck_for

    language = request.param
    set_language(language)
    try:
        slides, read_back = deck_for(Filters(), Scope.public())
    finally:
        set_language("en")
    return language, slides, read_back


def charts_by_number(deck: Presentation) -> dict[int, object]:
    return {
        number: shape.chart
        for number, slide in enumerate(deck.slides, start=1)
        for shape in slide.shapes
        if shape.has_chart
    }


@pytest.mark.parametrize("deck", ["en", "fr", "es"], indirect=True)
def test_percent_labels_and_axis_ticks_follow_the_languages_format(deck) -> None:
    language, _slides, read_back = deck
    percent_charts = [c for c in charts_by_number(read_back).values() if "%" in c.plots[0].data_labels.number_format]
    assert len(percent_charts) == 2  # shares at follow-up, change from baseline
    for chart in percent_charts:
        labels = chart.plots[0].data_labels.number_format
        assert labels.endswith(f'"{PERCENT_SUFFIX[language]}"'), labels
        assert chart.value_axis.tick_labels.number_format == labels  # the axis says 47 % too


@pytest.mark.parametrize("deck", ["en", "fr", "es"], indirect=True)
def test_every_chart_is_tagged_with_the_decks_language(deck) -> None:
    language, _slides, read_back = deck
    for chart in charts_by_number(read_back).values():
        space = chart._chartSpace
        assert space.find(qn("c:lang")).get("val") == LANGUAGE_TAG[language]
        assert {p.get("lang") for p in space.iter(qn("a:defRPr"))} == {LANGUAGE_TAG[language]}
    title = read_back.slides[0].shapes[0].text_frame.paragraphs[0].runs[0]
    assert title._r.find(qn("a:rPr")).get("lang") == LANGUAGE_TAG[language]


@pytest.mark.parametrize("deck", ["fr"], indirect=True)
def test_side_by_side_bars_never_put_two_labels_at_the_same_height(deck) -> None:
    """Slide 4 (enterprises against target): one label above each enterprises bar, the target's inside the base
    of its own bar, so "188" and "185" no longer print as "188185"; stacked segments of 0 print nothing."""
    _language, slides, read_back = deck
    for number, chart in charts_by_number(read_back).items():
        spec = slides[number - 1]
        series = list(chart.plots[0].series)
        if spec.chart == "column" and len(series) > 1:
            positions = [s.data_labels.position for s in series]
            assert positions[0] == XL_LABEL_POSITION.OUTSIDE_END
            assert all(p == XL_LABEL_POSITION.INSIDE_BASE for p in positions[1:]), (number, positions)
        if spec.chart == "stacked":
            sections = chart.plots[0].data_labels.number_format.split(";")
            assert len(sections) == 3 and sections[2] == "", (number, sections)
    assert any(spec.chart == "column" and len(spec.series) > 1 for spec in slides)  # the target slide is there


def test_the_decks_map_frames_every_project_country_eastern_indonesia_included(demo_data_dir) -> None:
    from score import db, maps

    set_language("en")
    values = maps.metric_values(db.run_query("country_totals", Scope.public(), Filters()), "enterprises")
    fig = presentation.map_figure(values, "Enterprises", {})
    west, east = fig.layout.xaxis.range
    south, north = fig.layout.yaxis.range
    for code, (min_lon, min_lat, max_lon, max_lat) in polygon_bounds().items():
        assert west < min_lon and max_lon < east, code
        assert south < presentation._mercator(min_lat) and presentation._mercator(max_lat) < north, code
    assert east > 141  # Papua


def test_without_a_browser_the_map_slide_lists_the_countries_and_the_deck_is_still_built(
    demo_data_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host where no browser is installed (the chart PNG and PDF buttons off) still gives the deck: the map slide,
    which needs the browser for its picture, lists each country's enterprises instead and says so to the presenter."""
    import io

    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from score import deck, settings
    from score.i18n import _ as translate
    from tests.decks import slides_for

    monkeypatch.setattr(settings, "can_render", lambda: False)
    set_language("es")
    try:
        slides, context = slides_for(Filters(), Scope.public())
        built = Presentation(io.BytesIO(deck.build_deck(slides, context=context)))
        said = translate(deck.MAP_AS_LIST)
    finally:
        set_language("en")
    number = next(i for i, spec in enumerate(slides) if spec.kind == "map")
    spec, slide = slides[number], built.slides[number]
    assert spec.lines and all(": " in line for line in spec.lines)
    assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert "Colombia: " in text and all(line in text for line in spec.lines)
    assert said in slide.notes_slide.notes_text_frame.text and said != deck.MAP_AS_LIST  # in Spanish


def test_a_category_or_series_starting_like_a_formula_is_text_in_the_charts_embedded_workbook() -> None:
    """PowerPoint's "Edit data" opens a chart's embedded workbook: a category "=1+1" (a name from an upload) was a
    formula there, and a link for "https://..."; now each is a text cell as typed, marked as text (quotePrefix)."""
    import io

    from openpyxl import load_workbook

    from score.deck import Slide, build_deck

    planted = Slide("Planted", categories=["=1+1", "https://example.org", "Textiles"], series={"=2+2": [1, 2, 3]})
    chart = next(
        shape.chart for shape in Presentation(io.BytesIO(build_deck([planted]))).slides[0].shapes if shape.has_chart
    )
    sheet = load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob)).active
    cells = [sheet["A2"], sheet["A3"], sheet["A4"], sheet["B1"]]
    assert [(c.value, c.data_type) for c in cells] == [
        ("=1+1", "s"),
        ("https://example.org", "s"),
        ("Textiles", "s"),
        ("=2+2", "s"),
    ]
    assert [c.quotePrefix for c in cells] == [True, False, False, True]
    assert not sheet._hyperlinks and sheet["A3"].hyperlink is None  # no link either
    assert [sheet["B2"].value, sheet["B4"].value] == [1, 3]  # the values still numbers
    assert list(chart.plots[0].categories) == ["=1+1", "https://example.org", "Textiles"]  # shown as typed
