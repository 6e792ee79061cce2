"""A chart read without seeing it (score/chart_text.py): its table holds the numbers the chart draws, which equal
independent counts from the raw files; its text alternative names the largest and smallest values and the
direction of a trend; hidden cells read as hidden; numbers follow the reader's language."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from babel.messages.pofile import read_po

from score import charts, db, logframe
from score.access import Scope
from score.chart_text import chart_table, chart_title, text_alternative
from score.filters import Filters
from score.i18n import set_language
from score.web import components as c
from tests.formats import HIDDEN, en_int, fr_int
from tests.oracle import REFERENCE


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def country_names(language: str = "en") -> dict[str, str]:
    with open(REFERENCE / "countries.csv", encoding="utf-8", newline="") as handle:
        return {row["iso3"]: row[f"name_{language}"] for row in csv.DictReader(handle)}


def enterprises_by_country_chart(demo_data_dir, language: str = "en"):
    set_language(language)
    frame = db.run_query("country_comparison", Scope.hq("t"), Filters())
    frame = frame.sort_values("enterprises", ascending=False)
    return c.bar_chart(
        frame,
        "country",
        "enterprises",
        title="Enterprises engaged (enterprises)",
        labels=country_names(language),
        target="target_enterprises",
    )


def test_the_table_of_a_country_chart_holds_every_countrys_count_from_the_raw_files(demo_data_dir, raw):
    table = chart_table(enterprises_by_country_chart(demo_data_dir))
    counts = Counter(e["country"] for e in raw.enterprises)
    names = country_names()
    expected = {names[code]: n for code, n in counts.items()}
    assert dict(zip(table.categories, table.frame()["Enterprises"], strict=True)) == expected
    assert {row[0]: row[1] for row in table.display_rows()} == {name: en_int(n) for name, n in expected.items()}
    assert table.header[:2] == ["Category", "Enterprises"] and table.header[2] == "Target"


def test_the_text_alternative_names_the_largest_and_smallest_country_with_their_counts(demo_data_dir, raw):
    text = text_alternative(enterprises_by_country_chart(demo_data_dir))
    counts = Counter(e["country"] for e in raw.enterprises)
    (top, n_top), (low, n_low) = counts.most_common()[0], counts.most_common()[-1]
    names = country_names()
    assert text.startswith("Enterprises engaged (enterprises).")
    assert f"largest {names[top]}, {en_int(n_top)}; smallest {names[low]}, {en_int(n_low)}" in text


def test_a_french_reader_gets_french_number_formats_in_the_table(demo_data_dir, raw):
    table = chart_table(enterprises_by_country_chart(demo_data_dir, "fr"))
    counts = Counter(e["country"] for e in raw.enterprises)
    names = country_names("fr")
    assert {row[0]: row[1] for row in table.display_rows()} == {names[k]: fr_int(n) for k, n in counts.items()}
    assert table.header[2] == "Cible"


def test_a_trend_over_years_reads_with_its_direction_first_last_and_highest_year(demo_data_dir, raw):
    frame = db.run_query("enterprises_by_year", Scope.hq("t"), Filters())
    fig = c.trend_chart(frame, "year", "enterprises", title="Joining per year", bar_name="Joining", line_name="Total")
    per_year = Counter(int(e["joined_on"][:4]) for e in raw.enterprises)
    years = sorted(per_year)
    table = chart_table(fig)
    assert list(table.categories) == [str(y) for y in years]
    assert list(table.frame()["Joining"]) == [per_year[y] for y in years]
    assert list(table.frame()["Total"]) == list(pd.Series([per_year[y] for y in years]).cumsum())
    first, last = per_year[years[0]], per_year[years[-1]]
    direction = "rising" if last > first * 1.05 else "falling" if last < first * 0.95 else "about the same"
    top = max(years, key=lambda y: per_year[y])
    assert (
        f"Joining: {direction} from {en_int(first)} in {years[0]} to {en_int(last)} in {years[-1]}; "
        f"highest {en_int(per_year[top])} in {top}." in text_alternative(table)
    )


def test_a_hidden_bar_reads_as_hidden_in_the_table_the_csv_and_the_text():
    frame = pd.DataFrame({"sector": ["garments", "textiles", "other"], "enterprises": [40, None, 7]})
    table = chart_table(c.bar_chart(frame, "sector", "enterprises", title="Enterprises by sector (enterprises)"))
    assert [row[1] for row in table.display_rows()] == ["40", HIDDEN, "7"]
    assert table.cells[1][0].hidden and pd.isna(table.frame()["Enterprises"][1])
    text = text_alternative(table)
    assert "largest: garments, 40; smallest: other, 7" in text.lower()
    assert "Hidden to protect individual enterprises: textiles." in text


@pytest.mark.parametrize("barmode", ["stack", "group"])
def test_a_hidden_segment_of_a_two_series_chart_is_hidden_while_the_other_series_shows(barmode):
    frame = pd.DataFrame({"role": ["managers", "workers"], "female": [10.0, None], "male": [20.0, 30.0]})
    series = [c.Series("female", "Women", "#CC79A7"), c.Series("male", "Men", "#009E73")]
    fig = c.multi_bar_chart(frame, "role", series, title="People (people)", barmode=barmode)
    table = chart_table(fig)
    assert table.display_rows() == [["managers", "10", "20"], ["workers", HIDDEN, "30"]]
    assert table.cells[1][0].hidden and not table.cells[1][1].hidden


def test_women_and_men_shares_read_as_printed_on_the_bars():
    fig = c.sex_split_chart([("Workers", 41000, 59000)], title="Women and men (% of people)")
    table = chart_table(fig)
    assert table.display_rows() == [["Workers", "41% · 41,000", "59% · 59,000"]]
    assert (
        text_alternative(table)
        == "Women and men (% of people). Women: Workers, 41% · 41,000. Men: Workers, 59% · 59,000."
    )


def test_an_outcome_chart_reads_with_its_subtitle_and_the_change_it_writes_between_the_bars():
    row = {"n_enterprises": 160, "baseline_mean": 3.2, "follow_up_mean": 2.6, "change_pct": -18.0}
    fig = c.outcome_chart(row, label="Work accidents", unit="accidents", measure="mean")
    assert chart_title(fig) == "Work accidents"
    text = text_alternative(fig)
    assert text.startswith("Work accidents (accidents · mean per enterprise).")
    assert "Largest: Baseline, 3.2; smallest: Follow-up, 2.6." in text and text.endswith(
        "\u221218.0% (total)."
    )  # the true minus, as on the axis


def test_the_logframe_chart_is_one_column_of_actuals_with_each_countrys_status_beside_it():
    frame = pd.DataFrame(
        {
            "indicator": ["mous_signed"] * 3,
            "country": ["COL", "PER", "GHA"],
            "unit": ["count"] * 3,
            "actual": [4, 1, None],
            "target": [4, 3, 2],
            "status": ["achieved", "behind", "no_data"],
        }
    )
    table = chart_table(logframe.chart(frame, "mous_signed", "MoUs signed", {"COL": "Colombia"}))
    assert table.header == ["Category", "Value", "Target", "Legend"]
    rows = {row[0]: row for row in table.display_rows()}
    assert rows["Colombia"][1:3] == ["4", "4"] and rows["PER"][1:3] == ["1", "3"]
    assert [row[3] for row in table.display_rows()] == [
        logframe.status_label(s) for s in ("achieved", "behind", "no_data")
    ]


def test_a_title_wrapped_over_lines_and_escaped_text_read_as_plain_text():
    frame = pd.DataFrame({"partner": ["<b>A & B</b>"], "enterprises": [12]})
    long_title = "Enterprises by implementing partner and something long enough to wrap (enterprises)"
    fig = c.bar_chart(frame, "partner", "enterprises", title=long_title)
    assert "<br>" in charts.layout_value(fig, "title")["text"]
    table = chart_table(fig)
    assert chart_title(fig) == long_title and table.categories == ("<b>A & B</b>",)


def test_a_bars_label_sits_beyond_its_target_mark_and_the_target_key_under_the_plot():
    frame = pd.DataFrame({"country": ["CHN", "BOL"], "enterprises": [232, 83], "target": [200, 85]})
    fig = c.bar_chart(frame, "country", "enterprises", title="Enterprises (enterprises)", target="target")
    (labels,) = [t for t in fig.traces if t.get("mode") == "text"]
    assert labels["x"] == [232, 85]  # Bolivia's 83 printed right of its target at 85, not under the mark
    assert [text.strip() for text in labels["text"]] == ["232", "83"]
    assert charts.layout_value(fig, "legend")["y"] < 0  # "Target" under the plot, clear of the title
    assert [row[1:] for row in chart_table(fig).display_rows()] == [["232", "200"], ["83", "85"]]


def test_map_legend_classes_share_no_edge():
    from score import maps

    labels = [label for _colour, label in maps.colour_scale([85, 230, 213, 158]).legend()]
    assert labels == ["50 – 99", "100 – 149", "150 – 199", "200 – 250"]


def test_a_charts_csv_made_on_its_click_holds_its_data_and_the_reason_in_the_language_of_the_page():
    from score import access, disclosure, exports
    from score.i18n import using_language
    from score.web.components import figures

    set_language("en")  # the click's language, other than the page's
    frame = pd.DataFrame({"sector": ["garments", "textiles", "other"], "enterprises": [40, None, 7]})
    fig = c.bar_chart(frame, "sector", "enterprises", title="Enterprises by sector (enterprises)")
    with using_language("fr"):
        parts = figures._chart_data_parts(fig)
        reason, expected = access.hidden_chart_cell_text(), chart_table(fig).frame()
    assert parts is not None and reason != access.hidden_chart_cell_text()
    # the reason holds for a bar hidden for too few enterprises and for one hidden for too few people alike
    assert "5" in reason and str(disclosure.PEOPLE_MIN) in reason
    csv_frame = parts[1]()  # as the click runs it, outside the page's language
    expected[exports.HIDDEN_REASON] = ["", reason, ""]
    pd.testing.assert_frame_equal(csv_frame, expected)


@pytest.mark.parametrize(("language", "colon"), [("en", ": "), ("fr", " : ")])
def test_hovering_a_bar_says_what_is_printed_at_it_and_a_hidden_bar_says_hidden_not_zero(language, colon):
    set_language(language)
    frame = pd.DataFrame({"indicator": ["good_practices", "cost_savings"], "share": [79.0, None]})
    printed = ["79 % (n = 1 144)", "whatever"]
    fig = c.bar_chart(frame, "indicator", "share", title="Shares", text=printed, max_value=100, value_format=".0f")
    hovers = fig.to_dict()["data"][0]["hovertemplate"]
    assert hovers[0] == "%{y}" + colon + "%{text}<extra></extra>"  # the printed label, with its unit
    assert hovers[1] == "%{y}" + colon + HIDDEN + "<extra></extra>"  # not the stand-in length 0
    plain = c.bar_chart(frame.fillna(5.0), "indicator", "share", title="Shares", value_format=".0f")
    assert plain.to_dict()["data"][0]["hovertemplate"] == "%{y}" + colon + "%{x:.0f}<extra></extra>"


def test_a_charts_csv_writes_counts_as_whole_numbers_and_shares_with_their_decimals(demo_data_dir) -> None:
    """A donor's CSV of a count chart read "Colombia",212.0: counts are whole numbers there as in the page's
    workbook; a column with a fraction keeps its decimals, a hidden cell stays empty."""
    import plotly.graph_objects as go

    from score import exports

    counts = chart_table(enterprises_by_country_chart(demo_data_dir)).frame()
    assert pd.api.types.is_integer_dtype(counts["Enterprises"]) and pd.api.types.is_integer_dtype(counts["Target"])
    written = exports.to_csv(counts).decode("utf-8-sig")
    assert ".0," not in written and not written.rstrip().endswith(".0")
    shares = go.Figure(go.Bar(x=[47.3, 12.0, None], y=["a", "b", "c"], orientation="h", name="Share"))
    column = chart_table(shares).frame()["Share"]
    assert pd.api.types.is_float_dtype(column) and list(column[:2]) == [47.3, 12.0] and pd.isna(column[2])


def test_a_title_that_names_its_measure_once_heads_the_table_with_that_measure():
    # "Modules delivered, by module (deliveries)" said its measure twice on screen ("Módulos impartidos, por módulo
    # (módulos impartidos)" in Spanish, over two lines); the title now says it once and the table still names it.
    frame = pd.DataFrame({"module": ["WC", "QM"], "deliveries": [1410, 809]})
    table = chart_table(c.bar_chart(frame, "module", "deliveries", title="Modules delivered, by module"))
    assert table.series == ("Modules delivered",)
    assert table.frame().columns[1] == "Modules delivered"


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_no_title_says_its_measure_twice_in_any_language(lang):
    # a trailing "(unit)" that repeats the measure named before it, in the English text or its translation
    catalogue = read_po((Path(__file__).parents[1] / "locales" / lang / "LC_MESSAGES" / "score.po").open("rb"))
    said_twice = re.compile(r"^(?P<measure>.*\S) \((?P<unit>[^(),]+)[^()]*\)$")
    repeated = [
        text
        for message in catalogue
        if message.id and isinstance(message.string, str)
        for text in (message.id, message.string)
        if (m := said_twice.match(text)) and m["unit"].strip().lower() in m["measure"].lower()
    ]
    assert not repeated


def test_the_modules_taken_labels_fit_their_bars_and_read_on_one_line_in_the_table(monkeypatch) -> None:
    # "25 % (368)" on one line was wider than its bar: the first bar's label lay over the value axis' "25"
    from score.web.components import sections

    drawn = []
    monkeypatch.setattr(sections, "chart_section", lambda fig, *_args, **_kw: drawn.append(fig))
    frame = pd.DataFrame({"n_modules": [1, 2], "share_pct": [25.4, 31.9], "enterprises": [368, 475]})
    sections.modules_taken_section(frame)
    (fig,) = drawn
    printed = list(fig.traces[0]["text"])
    assert printed == ["25%<br>(368)", "32%<br>(475)"]
    assert [row[1] for row in chart_table(fig).display_rows()] == ["25% (368)", "32% (475)"]


@pytest.mark.parametrize("barmode", ["stack", "group"])
def test_numbers_in_stacked_segments_stay_level_and_hide_when_they_do_not_fit(barmode):
    # a thin women's segment printed "399" turned sideways (Plotly's textangle "auto")
    frame = pd.DataFrame({"sector": ["garments", "food"], "female": [399.0, 387.0], "male": [9000.0, 8000.0]})
    series = [c.Series("female", "Women", "#CC79A7"), c.Series("male", "Men", "#009E73")]
    fig = go.Figure(c.multi_bar_chart(frame, "sector", series, title="Workers", barmode=barmode))
    split = go.Figure(c.sex_split_chart([("Workers", 399, 9000)], title="Women and men"))
    for figure in (fig, split):
        assert figure.layout.uniformtext.mode == "hide"
        assert all(trace.textangle == 0 for trace in figure.data if trace.type == "bar")
    assert chart_table(fig).display_rows()[0][1:] == ["399", "9,000"]  # the number still read in the table


def test_value_ticks_are_level_and_whole_numbers_have_no_decimals():
    # satisfaction's "25 %" ticks were turned 45 degrees; visits per enterprise read "0,0 2,0 4,0" in Spanish
    frame = pd.DataFrame({"module": ["QM", "WC"], "share": [80.0, 64.5], "visits": [2.5, 4.0]})
    shares = go.Figure(c.bar_chart(frame, "module", "share", title="Satisfied", max_value=100, tick_suffix="%"))
    assert shares.layout.xaxis.tickangle == 0
    assert list(shares.layout.xaxis.ticktext) == ["0%", "50%", "100%"]  # five did not fit a half-width axis
    visits = go.Figure(c.bar_chart(frame, "module", "visits", title="Visits", value_format=",.1f"))
    assert visits.layout.xaxis.tickformat == ",.1~f"  # d3: 2 -> "2", 2.5 -> "2.5"
    assert visits.data[0].texttemplate == "%{x:,.1f}"  # the bars keep their decimal


def test_charts_name_first_the_font_the_page_serves() -> None:
    # FONT named "Source Sans Pro", which nothing serves: every chart was drawn in Arial beside the page's headings
    # in Streamlit's "Source Sans" (its @font-face), the chart titles above them too.
    import streamlit

    static = Path(streamlit.__file__).parent / "static"
    served = {
        name.strip("\"'")
        for css in static.rglob("*.css")
        for name in re.findall(r"@font-face\{font-family:([^;}]+)", css.read_text(encoding="utf-8", errors="replace"))
    }
    assert charts.FONT.split(",")[0].strip() in served, served
