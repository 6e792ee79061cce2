"""Every chart of the Overview, Enterprises, Training and Outcomes pages downloads as a readable PNG, and the
pages read in French with French number formats.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.apptest import ENTERPRISES, OUTCOMES, OVERVIEW, TRAINING, open_page
from tests.formats import en_int, en_number, fr_int, fr_number
from tests.pages import (
    HQ,
    chart_titles,
    shown_tables,
    tiles,
)


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING, OUTCOMES])
def test_every_chart_downloads_as_png_and_is_readable(demo_data_dir, page: str) -> None:
    """Every chart has a PNG download of its own (with the caption in the image, tests/test_exports.py)
    instead of Plotly's camera, which overlapped the title; no text is smaller than 14 px (a projector)."""

    at = open_page(page)
    charts = at.get("plotly_chart")
    assert charts
    images = [b for b in at.get("download_button") if b.proto.label == "PNG image"]
    assert len(images) == len(charts)
    for chart in charts:
        config = json.loads(chart.proto.config)
        assert "toImage" in config.get("modeBarButtonsToRemove", [])
        spec = json.loads(chart.proto.spec)
        sizes = _font_sizes(spec)
        assert sizes and min(sizes) >= 14, (page, sorted(sizes)[:3])


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING, OUTCOMES])
def test_every_chart_reaches_the_browser_to_be_drawn_once(demo_data_dir, page: str) -> None:
    """Streamlit's chart element hands Plotly.react a copy of a figure it has just drawn; Plotly compares a
    template or meta object, and arrays unless there is a datarevision, by identity, and drew every chart twice.
    What the browser gets has none of them to compare (charts.drawn_once), and the house template's values."""
    from score import charts

    at = open_page(page)
    assert at.get("plotly_chart")
    house = charts.TEMPLATE_JSON["layout"]
    for chart in at.get("plotly_chart"):
        layout = json.loads(chart.proto.spec)["layout"]
        assert "template" not in layout and layout["datarevision"] == 1
        assert isinstance(layout["meta"], str) and layout["meta"]  # the text alternative the page names it with
        assert set(house) <= set(layout)
        for axis in (name for name in layout if name.startswith(("xaxis", "yaxis"))):
            assert set(house[axis[:5]]) <= set(layout[axis]), axis


def test_a_chart_title_is_text_above_the_chart_wrapped_by_the_browser_not_at_305_px(demo_data_dir) -> None:
    """Plotly never wraps a title, so the figure's own title is broken for the narrowest chart (305 px): a full-width
    French chart at 1920 px took three lines. The page writes the title as text above the chart (one line of words,
    wrapped by the browser to the column) and the chart drawn has none."""
    import re

    at = open_page(OUTCOMES, language="fr")
    charts = at.get("plotly_chart")
    titles = [h.proto.body for h in at.get("html") if "data-chart-title" in h.proto.body]
    assert charts and len(titles) == len(charts)
    long_title = "Entreprises en amélioration (% des entreprises ayant une référence et un suivi)"
    assert any(f">{long_title}</p>" in body for body in titles)  # whole: its lines are the browser's to make
    for chart, body in zip(charts, titles, strict=True):
        layout = json.loads(chart.proto.spec)["layout"]
        assert not layout["title"]["text"], body  # the room it took: test_drawn_once_writes_the_template_in...
        assert "<br>" not in body and re.fullmatch(r'<p class="score-chart-title" [^>]*>[^<]+</p>', body), body


def test_drawn_once_writes_the_template_in_where_the_figure_has_no_value_of_its_own() -> None:
    import plotly.graph_objects as go
    from plotly.utils import PlotlyJSONEncoder

    from score import charts

    fig = charts.style(go.Figure([go.Bar(x=["a", "b"], y=[1, 2]), go.Scatter(x=["a"], y=[5], yaxis="y2")]), "T")
    fig.update_layout(margin={"t": 80}, yaxis={"gridcolor": "red"}, meta={"description": "Words."})
    once = charts.drawn_once(fig).to_dict()
    house, layout = charts.TEMPLATE_JSON["layout"], once["layout"]
    # the title is drawn above the chart by the page (components.show): the figure gives back its line (24 px),
    # keeping the band of the legend drawn above the plot (16 + 34 px), and the plot keeps its height
    assert layout["margin"] == {**house["margin"], "t": 56} and layout["height"] == fig.layout.height - 24
    assert layout["yaxis"] == {**house["yaxis"], "tickformat": ",d", "gridcolor": "red"}
    assert layout["yaxis2"] == house["yaxis"]  # named by a trace only: Plotly gives it the template's axis too
    # along the bars' categories Plotly draws no grid nor zero line for a template's colours, only for the figure's
    assert layout["xaxis"] == {**house["xaxis"], "showgrid": False, "zeroline": False}
    across = charts.style(go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h")), "T")
    across.update_yaxes(gridcolor="red")
    axes = charts.drawn_once(across).to_dict()["layout"]
    assert axes["yaxis"] == {**house["yaxis"], "tickformat": ",d", "gridcolor": "red", "zeroline": False}
    assert axes["xaxis"] == house["xaxis"]  # the value axis: Plotly's grid either way
    assert layout["title"] == {"text": ""} and layout["meta"] == "Words."
    assert json.dumps(once["data"], cls=PlotlyJSONEncoder) == json.dumps(fig.to_dict()["data"], cls=PlotlyJSONEncoder)
    assert "template" in fig.to_dict()["layout"]  # the figure itself (exports, reports) is not changed
    other = go.Figure(go.Bar(x=[1], y=[1]), layout={"template": "plotly_dark"})
    assert charts.drawn_once(other) is other  # another template (trace defaults too): sent as it is


def _font_sizes(value: object) -> list[float]:
    """Every explicit font size in a Plotly spec (layout, template and traces), and uniformtext's minimum."""
    out: list[float] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("font") and isinstance(item, dict) and isinstance(item.get("size"), int | float):
                out.append(item["size"])
            if key == "uniformtext" and isinstance(item, dict) and "minsize" in item:
                out.append(item["minsize"])  # text may shrink to this size to fit
            out.extend(_font_sizes(item))
    elif isinstance(value, list):
        for item in value:
            out.extend(_font_sizes(item))
    return out


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING, OUTCOMES])
def test_pages_in_french(raw, page: str) -> None:
    """The pages run in French with French number formats: 54 321 (narrow no-break space), 12,3."""
    at = open_page(page, scope=HQ, language="fr")  # HQ: exact figures
    assert at.get("plotly_chart")
    kpis = raw.kpis()
    if page == OUTCOMES:
        energy = raw.change("energy_use")["baseline_mean"]  # tens of thousands of kWh: a thousands separator
        assert energy >= 1000
        cells = {str(v) for frame in shown_tables(at) for v in frame.to_numpy().ravel()}
        assert fr_number(energy) in cells, sorted(cells)[:20]
        assert en_number(energy) not in cells
    else:
        figure = kpis["participations"] if page == TRAINING else kpis["workers_reached"]
        assert figure >= 1000
        values = [tile.value for tile in tiles(at)]
        assert fr_int(figure) in values, values
        assert en_int(figure) not in values


def test_chosen_filters_are_drawn_again_in_the_language_picked(demo_data_dir) -> None:
    # Streamlit's front end keeps a multiselect's chosen values as the labels it last drew: after a switch to
    # French the country chips still read "Colombia" and "Peru" beside a page saying "Colombie, Pérou" (found in a
    # walk, session 12). The filters' values are sent again with the new labels when the language changes.
    from score.web.language import LANGUAGE_KEY
    from tests.apptest import app, no_exception

    at = no_exception(app(params={"countries": ["COL", "PER"]}).run())
    assert at.multiselect(key="f_countries").value == ["COL", "PER"]
    at.selectbox(key=LANGUAGE_KEY).set_value("fr")
    no_exception(at.run())
    countries = at.multiselect(key="f_countries")
    assert countries.value == ["COL", "PER"]
    assert countries.proto.set_value and list(countries.proto.raw_values) == ["Colombie", "Pérou"]


def test_every_run_sends_the_filters_values_to_the_browser(demo_data_dir) -> None:
    # A widget's code reaches the browser after the page (a part loaded when first needed); one that appears only
    # after a later run takes that run's element as it comes: without its value, the empty default, sent back with
    # the next click. A slow browser lost a link's countries=COL that way at sign-in (the page after it opened on
    # nothing chosen; reproduced by holding the multiselect's code back in a browser). Every run carries them.
    from tests.apptest import app, no_exception

    at = no_exception(app(params={"countries": "COL", "year_from": "2015"}).run())
    no_exception(at.run())  # a later run: a click on the sign-in box, a page, a language
    countries, years = at.multiselect(key="f_countries"), at.slider(key="f_years")
    assert countries.value == ["COL"] and countries.proto.set_value and list(countries.proto.raw_values) == ["Colombia"]
    assert years.proto.set_value and years.value[0] == 2015 and list(years.proto.value) == list(years.value)
    at.multiselect(key="f_sectors").set_value(["garments"]).run()  # the reader's own pick: not sent back to them
    assert not at.multiselect(key="f_countries").proto.set_value and at.multiselect(key="f_sectors").value == [
        "garments"
    ]
    assert no_exception(at.run()).multiselect(key="f_sectors").proto.set_value  # the next run sends them again


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING])
def test_one_country_chosen_draws_no_one_bar_chart_by_country(demo_data_dir, page: str) -> None:
    # "Modules delivered, by country" with Colombia alone was Colombia's modules again, in one group of bars;
    # the overview's comparison and the enterprises' charts by country were one bar each.
    one = chart_titles(open_page(page, {"countries": "COL"}))
    assert one and not [title for title in one if "by country" in title or "Enterprises engaged" in title], one
    two = chart_titles(open_page(page, {"countries": "COL,PER"}))
    assert [title for title in two if "by country" in title or "Enterprises engaged" in title], two


def test_without_a_browser_the_pdf_report_and_chart_images_are_off_and_say_why_in_the_readers_language(
    demo_data_dir, settings_override, tmp_path
) -> None:
    """A host where `make run` could not install the headless shell: the PDF button and every chart's PNG button
    are shown off with the reason (they failed on click), the HTML report stays on; with a browser found, they
    are on (settings.can_render, the one answer to "can this host render")."""
    settings_override(chromium=str(tmp_path / "no-chromium"))
    reasons = {"en": ("no browser to print it", "no browser to draw it"), "es": ("para imprimirlo", "para dibujarla")}
    for lang, (pdf_reason, png_reason) in reasons.items():
        at = open_page(OVERVIEW, {"lang": lang})
        assert _download(at, "page_report_pdf").disabled, lang
        assert not _download(at, "page_report_html").disabled, lang
        images = _downloads(at, "png_")
        assert images and all(button.disabled for button in images), lang
        captions = [c.value for c in at.caption]
        assert any(pdf_reason in c for c in captions) and any(png_reason in c for c in captions), (lang, captions)
    settings_override(chromium=str(Path(sys.executable).resolve()))  # a file that exists: the browser is found
    at = open_page(OVERVIEW)
    assert not _download(at, "page_report_pdf").disabled
    assert not any(button.disabled for button in _downloads(at, "png_"))


def _downloads(at, prefix: str) -> list:
    """The download buttons whose key starts with `prefix` (a chart's PNG button: "png_<chart>")."""
    return [b.proto for b in at.get("download_button") if "-" + prefix in b.proto.id]


def _download(at, key: str):
    """The download button of this key (its element id ends with the key)."""
    (button,) = [b.proto for b in at.get("download_button") if b.proto.id.endswith("-" + key)]
    return button


def test_a_chart_across_the_page_gets_the_ticks_of_its_width(demo_data_dir) -> None:
    """One country's workers by sector spans the page: at 1920 px it showed two ticks, "0" and "50 000", sized for a
    half-width chart. Across the page it asks for the ticks a full-width plot holds at 1280 px (the projector), so
    more of them than a half-width chart's; the half-width charts of several countries keep theirs."""
    from score.i18n import using_language
    from score.web.components.chart_builders import VALUE_AXIS_PX, WIDE_VALUE_AXIS_PX, value_ticks

    one = open_page(ENTERPRISES, {"countries": ["COL"]}, language="fr")
    layouts = [json.loads(c.proto.spec)["layout"] for c in one.get("plotly_chart")]
    (sector,) = [layout for layout in layouts if layout.get("barmode") == "stack"]  # women and men stacked
    end, ticks = sector["xaxis"]["range"][1], sector["xaxis"]["nticks"]
    with using_language("fr"):  # the labels' widths are the page's French ones ("10 874": its own separator)
        assert ticks == value_ticks(end, ",d", WIDE_VALUE_AXIS_PX) > value_ticks(end, ",d"), (ticks, end)
        # at 1280 px each label fits its step with a character's gap; the demo's largest sector of all countries,
        # 84 000 at the axis's end, gets ticks 20 000 apart, not 50 000 (two ticks)
        assert value_ticks(84_000, ",d", WIDE_VALUE_AXIS_PX) >= 5 > value_ticks(84_000, ",d")
    assert WIDE_VALUE_AXIS_PX > 2 * VALUE_AXIS_PX
