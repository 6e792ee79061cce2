"""Charts are built once per arguments and language (components.cached_figure), never served across either."""

from __future__ import annotations

import html
import pickle

import pandas as pd
import streamlit as st

from score.i18n import set_language
from score.web import components as c
from tests.apptest import ENTERPRISES, TRAINING, app
from tests.pages import TABLE_MARK

FRAME = pd.DataFrame({"country": ["COL", "GHA"], "enterprises": [1200, 3400]})


def _bars(frame: pd.DataFrame, title: str = "Enterprises"):
    return c.bar_chart(frame, "country", "enterprises", title=title, labels={"COL": "Colombia", "GHA": "Ghana"})


def test_the_same_chart_is_built_once_and_not_changed_by_showing_it() -> None:
    set_language("en")
    first = _bars(FRAME.copy())
    assert _bars(FRAME.copy()) is first  # an equal frame: the cached figure
    assert first.layout.separators == ".,"
    assert set(first.data[0].y) == {"Colombia", "Ghana"}  # horizontal bars: the names on the category axis


def test_other_data_arguments_or_language_give_another_chart() -> None:
    set_language("en")
    english = _bars(FRAME)
    changed = FRAME.assign(enterprises=[1200, 3401])
    assert _bars(changed) is not english
    assert 3401 in list(_bars(changed).data[0].x) + list(_bars(changed).data[0].y)
    assert _bars(FRAME, title="Other").layout.title.text == "Other"
    set_language("fr")
    try:
        french = _bars(FRAME)
        assert french is not english
        assert french.layout.separators == ",\u202f" or french.layout.separators[0] == ","
        assert english.layout.separators == ".,"  # the English figure was not changed
    finally:
        set_language("en")


def test_a_chart_key_tells_apart_every_argument_that_could_change_what_is_drawn() -> None:
    from score.web.components.figure_cache import arguments_key

    labels = {"COL": "Colombia", "GHA": "Ghana"}
    key = arguments_key("bars", "en", (FRAME, "country"), {"labels": labels, "height": 300})
    # the same content, even after a pickle round trip (as st.cache_data hands a result out), gives the same key
    again = pickle.loads(pickle.dumps(FRAME))
    assert arguments_key("bars", "en", (again, "country"), {"labels": dict(labels), "height": 300}) == key
    others = [
        arguments_key("bars", "fr", (FRAME, "country"), {"labels": labels, "height": 300}),  # language
        arguments_key("other", "en", (FRAME, "country"), {"labels": labels, "height": 300}),  # builder
        arguments_key(
            "bars", "en", (FRAME.assign(enterprises=[1200, 3401]), "country"), {"labels": labels, "height": 300}
        ),
        arguments_key(
            "bars", "en", (FRAME.astype({"enterprises": float}), "country"), {"labels": labels, "height": 300}
        ),
        arguments_key("bars", "en", (FRAME, "country"), {"labels": {**labels, "GHA": "Gh"}, "height": 300}),
        arguments_key("bars", "en", (FRAME, "country"), {"labels": dict(reversed(labels.items())), "height": 300}),
        arguments_key("bars", "en", (FRAME, "country"), {"labels": labels, "height": 300.0}),  # 300 and 300.0
        arguments_key("bars", "en", (FRAME, "country"), {"labels": labels, "height": True}),
        arguments_key("bars", "en", (FRAME, ["country"]), {"labels": labels, "height": 300}),  # a list, not a str
        arguments_key("bars", "en", (FRAME, "country"), {"labels": labels, "height": 300, "title": None}),
    ]
    assert key not in others and len(set(others)) == len(others)


def test_a_rerun_after_a_filter_change_builds_no_chart(demo_data_dir, monkeypatch) -> None:
    """The first rerun after a filter change reads its results out of st.cache_data (unpickled copies, not the
    frames fresh from DuckDB): its charts are the ones the filter change built, not built again."""
    from score import charts
    from score.access import Scope

    # Start from empty caches: charts an earlier test built in this process (same data, same filters) would be
    # served from the cache, and the filter change would build none.
    st.cache_data.clear()
    st.cache_resource.clear()
    built: list[str] = []
    style = charts.style
    monkeypatch.setattr(charts, "style", lambda fig, title, **kw: built.append(title) or style(fig, title, **kw))
    at = app(scope=Scope.hq("tests")).switch_page(TRAINING).run()
    at.session_state["f_countries"] = ["COL"]
    at.run()
    assert not at.exception and len(built) >= 5  # the filter change built the page's charts
    built.clear()
    at.run()
    assert not at.exception and at.get("plotly_chart")
    assert built == []


def _every_builder() -> list:
    """Each chart builder once, with a hidden (suppressed) value where it draws one."""
    import numpy as np

    hidden = FRAME.assign(enterprises=[1200, np.nan], suppressed=[False, True])
    roles = pd.DataFrame({"role": ["managers", "workers"], "female": [3.0, 40.0], "male": [5.0, np.nan]})
    years = pd.DataFrame({"year": [2014, 2015, 2016], "enterprises": [10, np.nan, 7]})
    change = pd.Series({"n_enterprises": 12, "baseline_mean": 4.5, "follow_up_mean": 3.0, "change_pct": -33.3})
    shares = pd.DataFrame({"indicator": ["osh_committee"], "share_pct": [62.5], "n_enterprises": [40]})
    reported = pd.DataFrame(
        {
            "indicator": ["partner_staff_trained"] * 2,
            "country": ["COL", "GHA"],
            "unit": ["people"] * 2,
            "actual": [12.0, np.nan],
            "target": [20.0, 10.0],
            "status": ["behind", "no_data"],
        }
    )
    return [
        _bars(hidden),
        c.bar_chart(FRAME, "country", "enterprises", title="T", orientation="v", target="enterprises"),
        c.multi_bar_chart(roles, "role", [c.Series("female", "W", "#CC79A7"), c.Series("male", "M", "#000")], title=""),
        c.trend_chart(years, "year", "enterprises", title="T", bar_name="B", line_name="L"),
        c.sex_split_chart([("Workers", 40, 60), ("Trained", None, 3)], title="T"),
        c.outcome_chart(change, label="Accidents", unit="accidents"),
        c.share_chart(shares, "indicator", "share_pct", "n_enterprises", title="T"),
        c.logframe_chart(reported, "partner_staff_trained", "Partner staff trained", {"COL": "Colombia"}),
    ]


def test_every_chart_is_a_valid_plotly_figure_in_plain_json() -> None:
    """The builders write plain dicts without Plotly's validators (charts.PlainFigure): here every one of them
    goes through go.Figure's validation (an unknown or misspelt property raises), and its spec is strict JSON
    (no NaN, no numpy values), which is what st.plotly_chart sends without validating it again."""
    import json

    import plotly.graph_objects as go

    from score import charts

    set_language("en")
    for fig in _every_builder():
        assert isinstance(fig, charts.PlainFigure)
        spec = fig.to_dict()
        json.dumps(spec, allow_nan=False)
        validated = go.Figure(spec)  # raises ValueError on any invalid property or value
        assert validated.layout.template.layout.font.family == charts.FONT  # the house template is in the figure
        assert validated.layout.separators == ".,"
        assert len(validated.data) == len(spec["data"]) > 0


def test_plain_figure_updates_merge_like_plotly() -> None:
    from score import charts

    fig = charts.PlainFigure([charts.bar(x=pd.Series([1.0, float("nan")]), y=["a", "b"], text=None)])
    fig.update_layout(margin={"t": 10}, title={"text": "A"})
    fig.update_layout(margin={"l": 4}, title=None)
    fig.update_xaxes(range=[0, 2])
    assert fig.to_dict() == {
        "data": [{"type": "bar", "x": [1.0, None], "y": ["a", "b"]}],
        "layout": {"margin": {"t": 10, "l": 4}, "xaxis": {"range": [0, 2]}},
    }


def _tables(at) -> list[tuple]:
    drawn = [(t.value.to_json(), t.proto.SerializeToString()) for t in [*at.dataframe, *at.table]]
    return drawn + [(h.proto.body, h.proto.SerializeToString()) for h in at.get("html") if TABLE_MARK in h.proto.body]


def test_logframe_tables_are_replayed_the_same_on_a_rerun(demo_data_dir, monkeypatch) -> None:
    """The logframe's coloured tables are drawn once (components.drawn_once) and replayed on later reruns: the
    rerun styles nothing, and shows the same tables, colours included, in the same places."""

    from score import logframe
    from score.access import Scope

    at = app(scope=Scope.hq("tests")).switch_page("views/logframe.py").run()
    at.session_state["f_countries"] = ["GHA", "PER"]  # tables drawn for the first time here
    at.run()
    first = _tables(at)
    assert not at.exception
    assert sum(b"background-color" in proto for _value, proto in first) >= 5  # the status colours
    styled: list[object] = []
    style = logframe.status_column_styles
    monkeypatch.setattr(logframe, "status_column_styles", lambda table: styled.append(table) or style(table))
    at.run()
    assert not at.exception
    assert _tables(at) == first
    assert styled == []


def test_the_enterprise_list_is_replayed_the_same_on_a_rerun(demo_data_dir, monkeypatch) -> None:
    """The enterprise list (a page of up to 1,000 rows) is named and serialised once per result and language: a rerun
    shows the same table without building it again; another filter builds another."""

    from score.access import Scope
    from score.web.components import tables

    built: list[int] = []
    make = tables.enterprise_list_table  # patched where the enterprises table section looks it up
    monkeypatch.setattr(tables, "enterprise_list_table", lambda rows, **kw: built.append(len(rows)) or make(rows, **kw))
    at = app(scope=Scope.hq("tests")).switch_page(ENTERPRISES).run()
    at.session_state["f_countries"] = ["COL"]
    at.run()
    first = _tables(at)
    assert not at.exception and built and any("Name" in t.value.columns for t in at.dataframe)
    built.clear()
    at.run()
    assert not at.exception and _tables(at) == first and built == []
    at.session_state["f_countries"] = ["GHA"]
    at.run()
    assert built and _tables(at) != first


def test_a_spanish_chart_title_wraps_to_fit_a_half_width_chart_at_800_px() -> None:
    """Plotly never wraps a title: the 44-character Spanish title of the joining-year chart ran past the edge
    of a half-width chart at 800 px. It is broken at a space onto two lines, with room made at the top."""
    import plotly.graph_objects as go

    years = pd.DataFrame({"year": [2019, 2020], "enterprises": [5, 7]})
    title = "Empresas por año de incorporación (empresas)"
    fig = go.Figure(c.trend_chart(years, "year", "enterprises", title=title, bar_name="B", line_name="L").to_dict())
    import plotly.io as pio

    assert fig.layout.title.text == "Empresas por año de incorporación<br>(empresas)"
    short = c.trend_chart(years, "year", "enterprises", title="Enterprises", bar_name="B", line_name="L")
    short = go.Figure(short.to_dict())
    assert short.layout.title.text == "Enterprises"
    extra = fig.layout.margin.t - short.layout.margin.t  # the room made for the second line ...
    assert extra >= pio.templates["score"].layout.title.font.size  # ... holds a line of the title's type
    assert fig.layout.height - short.layout.height == extra  # and the plot area below it keeps its height


def test_the_running_total_line_has_its_own_band_above_the_bars_and_their_labels() -> None:
    """On one shared plot area the cumulative line crossed the bars' value labels ("1.962" in Spanish): the
    line is drawn on a second axis whose band starts above the band of the bars (and their headroom)."""
    import plotly.graph_objects as go

    years = pd.DataFrame({"year": [2018, 2019, 2020], "enterprises": [1964, 300, 50]})
    fig = go.Figure(c.trend_chart(years, "year", "enterprises", title="T", bar_name="B", line_name="L").to_dict())
    bars, line = fig.data
    assert (bars.yaxis or "y") == "y" and line.yaxis == "y2"
    assert fig.layout.yaxis2.overlaying is None  # a band of its own, not drawn over the bars
    assert fig.layout.yaxis2.anchor == "x"
    bars_top, line_bottom = fig.layout.yaxis.domain[1], fig.layout.yaxis2.domain[0]
    assert bars_top <= 0.6 and line_bottom >= bars_top + 0.05
    assert 1964 * 1.1 < fig.layout.yaxis.range[1] < 1964 * 1.2  # headroom over the tallest bar for its label
    assert list(fig.layout.yaxis2.range) == [0, 2314 * 1.1]  # the running total 1964 + 300 + 50


def test_a_trends_years_and_bar_labels_read_level_at_every_width() -> None:
    """Upright, "1,425" read sideways even at 1920 px, and Plotly turned 12 years upright in a half-width chart at
    1280 px: the labels are level, a bar's label too wide for its bar hidden (read in the hover and the table),
    at most every second year labelled once there are more than 6."""
    import plotly.graph_objects as go

    years = pd.DataFrame({"year": range(2009, 2021), "enterprises": [200, 482, 1416, 2269] * 3})
    fig = go.Figure(c.trend_chart(years, "year", "enterprises", title="T", bar_name="B", line_name="L").to_dict())
    bars = fig.data[0]
    assert bars.textangle == 0 and bars.constraintext == "outside"  # never turned; narrowed to its bar
    assert fig.layout.uniformtext.mode == "hide" and fig.layout.uniformtext.minsize >= 14  # or hidden, not tiny
    assert fig.layout.xaxis.tickangle == 0 and fig.layout.xaxis.nticks == 7  # 12 years: every second one

    # the demo's joining years: "191", "236", "294" were narrowed to their 20 px bars at 1280 px, below 14 px, so
    # hidden; three digits fit the step from bar to bar there, so they are printed whole
    demo = years.assign(enterprises=[36, 69, 77, 92, 75, 191, 236, 294, 204, 64, 105, 58])
    fig = go.Figure(c.trend_chart(demo, "year", "enterprises", title="T2", bar_name="B", line_name="L").to_dict())
    assert fig.data[0].constraintext == "none" and fig.data[0].textfont.size >= 14


def test_a_horizontal_bar_charts_value_ticks_leave_room_between_their_labels() -> None:
    """Workers by sector in French at 1280 px: Plotly's five ticks "20 000 40 000 60 000 80 000" touched in the
    ~200 px the sector names leave; the axis asks for as many as its widest label fits with a gap."""
    import plotly.graph_objects as go

    frame = pd.DataFrame({"sector": ["garments", "food"], "female": [52747.0, 20000.0], "male": [20699.0, 15000.0]})
    series = [c.Series("female", "Women", "#CC79A7"), c.Series("male", "Men", "#009E73")]
    set_language("fr")
    try:
        fig = go.Figure(c.multi_bar_chart(frame, "sector", series, title="Travailleurs par secteur"))
    finally:
        set_language("en")
    end = fig.layout.xaxis.range[1]
    ticks = fig.layout.xaxis.nticks
    step = end / ticks  # Plotly's step: the range over nticks, rounded up to 2, 5 or 10 times a power of ten
    assert ticks <= 3 and step >= 25_000, (ticks, end)
    # plenty of ticks where the labels are short: enterprises by sector, 0 100 200 300 as before
    few = go.Figure(c.bar_chart(frame.assign(n=[277, 240]), "sector", "n", title="Entreprises par secteur"))
    assert few.layout.xaxis.nticks >= 4


def test_a_chart_comes_with_margins_that_hold_its_names_so_the_browser_draws_it_once() -> None:
    """Plotly's automargin drew every chart twice (once to measure the labels, once with the margins they
    pushed): a cached chart has its margins sized from its labels and Plotly's pushing turned off."""
    set_language("en")
    short = _bars(FRAME)
    long_names = {"COL": "Gestion des ressources humaines", "GHA": "Ghana"}
    long = c.bar_chart(FRAME, "country", "enterprises", title="Enterprises", labels=long_names)
    for fig in (short, long):
        layout = fig.to_dict()["layout"]
        assert layout["margin"]["autoexpand"] is False
        assert all(layout[axis]["automargin"] is False for axis in ("xaxis", "yaxis"))
    font = 15  # the house template's font size
    # the longest line of a wrapped name ("Gestion des ressources" then "humaines") in at least half an em a letter
    assert long.to_dict()["layout"]["margin"]["l"] >= len("Gestion des ressources") * font / 2
    assert long.to_dict()["layout"]["margin"]["l"] > short.to_dict()["layout"]["margin"]["l"]
    assert short.to_dict()["layout"]["margin"]["l"] >= len("Colombia") * font / 2


def test_a_legend_under_the_plot_gets_room_below_it() -> None:
    set_language("en")
    years = pd.DataFrame({"year": [2019, 2020, 2021], "enterprises": [5, 7, 9]})
    fig = c.trend_chart(years, "year", "enterprises", title="Joining", bar_name="Joining that year", line_name="Total")
    layout = fig.to_dict()["layout"]
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    below = layout["margin"]["b"] + layout["legend"]["y"] * plot  # the legend's top, up from the figure's bottom
    assert below >= 15 * 1.2  # a row of 15 px text fits under the legend's top
    assert layout["margin"]["r"] >= len("21") * 15 / 2  # the running total's axis labels on the right


def test_a_new_charts_data_table_is_made_once_for_its_description_and_its_table(monkeypatch) -> None:
    from score import chart_text
    from score.web.components import figures

    made = []
    real = chart_text.chart_table
    monkeypatch.setattr(chart_text, "chart_table", lambda fig: made.append(fig) or real(fig))
    set_language("en")
    fig = _bars(FRAME.assign(enterprises=[1201, 3399]), title="Made once")  # not built by another test
    markup, _csv = figures._chart_data_parts(fig)
    assert len(made) == 1
    assert chart_text.text_alternative(real(fig)) in html.unescape(markup)  # the same table behind both
    assert fig.layout.meta["description"] == chart_text.text_alternative(real(fig))
