"""The Logframe page (AppTest, default, filtered and empty) against the csv-only oracle, its reporting date in
a shared link in every language, and the status rule (score.logframe).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from score import charts, logframe
from score.web.components.text import table_markup
from tests.apptest import open_page
from tests.formats import en_int
from tests.oracle import logframe_status, reference_rows
from tests.pages import (
    COUNTRY_NAMES,
    STATUS_LABELS,
    TABLE_MARK,
    as_number,
    metric_values,
    read_table_markup,
    shown_tables,
    status_counts,
    texts,
)


def test_logframe_default_matches_oracle(demo_data_dir, raw) -> None:
    at = open_page("views/logframe.py")
    expected = raw.logframe_rows()
    shown = metric_values(at)
    for code, count in status_counts(expected).items():
        assert shown[STATUS_LABELS[code]] == en_int(count)
    # the detail tables: one per indicator, a row per country, with the oracle's status
    tables = [t for t in shown_tables(at) if "Status" in t.columns and "Country" in t.columns]
    indicators = list(dict.fromkeys(r["indicator"] for r in expected))
    assert len(tables) == len(indicators)
    by_key = {(r["indicator"], COUNTRY_NAMES[r["country"]]): r for r in expected}
    order = [code for code in _reference_order() if code in indicators]
    for code, table in zip(order, tables, strict=True):
        for row in table.itertuples(index=False):
            want = by_key[(code, row.Country)]
            assert row.Status == STATUS_LABELS[want["status"]], (code, row.Country)
            if want["actual"] is not None and code != "centre_of_excellence":
                assert as_number(row.Actual) == pytest.approx(want["actual"])
                assert as_number(row.Target) == pytest.approx(want["target"])
    # the status matrix has a row per indicator and a column per country
    matrix = shown_tables(at)[0]
    assert list(matrix.columns[2:]) == sorted(COUNTRY_NAMES.values())
    assert len(matrix) == len(indicators)
    assert at.get("plotly_chart")


def _reference_order() -> list[str]:

    rows = reference_rows("logframe_indicators")
    levels = {"objective": 0, "outcome": 1, "output": 2}
    return sorted(rows, key=lambda code: (levels[rows[code]["level"]], list(rows).index(code)))


def test_logframe_filtered_by_country_and_date(demo_data_dir, raw) -> None:
    at = open_page(
        "views/logframe.py",
        params={"countries": ["COL", "BOL", "CHN"]},
        state={"logframe_date": dt.date(2013, 9, 30)},
    )
    expected = raw.logframe_rows(countries={"COL", "BOL", "CHN"}, period_end="2013-09-30")
    assert {r["country"] for r in expected} == {"COL", "CHN"}  # Bolivia had not reported yet
    shown = metric_values(at)
    for code, count in status_counts(expected).items():
        assert shown[STATUS_LABELS[code]] == en_int(count)
    assert "No report for this date: Bolivia" in texts(at)
    matrix = shown_tables(at)[0]
    assert list(matrix.columns[2:]) == ["China", "Colombia"]


def test_logframe_empty_state(demo_data_dir) -> None:
    at = open_page("views/logframe.py", params={"countries": ["COL"], "regions": ["Asia"]})
    assert "No logframe figures have been reported" in texts(at)
    assert not shown_tables(at) and not at.get("plotly_chart")


@pytest.mark.parametrize(("lang", "label"), [("fr", "30 sept. 2013"), ("es", "30 sept 2013")])
def test_a_reporting_date_picked_in_another_language_goes_into_the_link(demo_data_dir, lang, label) -> None:
    # AppTest finds a selectbox's option by calling the page's format_func in the TEST's thread, where
    # score.i18n's language is still English: the French labels then are "not in list" (a ValueError from
    # AppTest, not from the page; a browser sends back the label it was shown, see tests/e2e/test_languages.py).
    # So the test thread speaks the page's language while it picks, as the browser's user does.
    from score.i18n import set_language

    at = open_page("views/logframe.py", params={"lang": lang})
    box = at.selectbox(key="logframe_date")
    assert label in box.options
    set_language(lang)
    try:
        box.select(dt.date(2013, 9, 30)).run()
    finally:
        set_language("en")
    assert not at.exception
    assert at.query_params["date"] in (["2013-09-30"], "2013-09-30")  # the ISO code, never the shown label
    assert at.selectbox(key="logframe_date").value == dt.date(2013, 9, 30)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_logframe_tables_wrap_their_headings_and_comments_in_french_and_spanish(demo_data_dir, lang) -> None:
    # The grid never wraps: it cut headings ("Progressio", "Femmes (%"), cut the comments and scrolled sideways at
    # 800 px. Plain HTML tables wrap both (layout's .score-table, as st.table did); the status colours stay.
    at = open_page("views/logframe.py", params={"lang": lang})
    tables = [h.proto.body for h in at.get("html") if TABLE_MARK in h.proto.body]
    coloured = [body for body in tables if "background-color" in body]
    assert not at.dataframe and not at.table and len(coloured) >= 4


@pytest.mark.parametrize(
    ("actual", "target", "direction", "status", "progress"),
    [
        (10, 10, "higher", "achieved", 100.0),
        (12, 10, "higher", "achieved", 120.0),
        (8, 10, "higher", "on_track", 80.0),
        (7.9, 10, "higher", "behind", 79.0),
        (0, 10, "higher", "behind", 0.0),
        (1, 0, "higher", "achieved", None),  # a zero target is met; progress is undefined
        (None, 10, "higher", "no_data", None),
        (5, None, "higher", "no_data", None),
        (float("nan"), 10, "higher", "no_data", None),
        (4, 5, "lower", "achieved", 125.0),  # lower is better: at or below the target
        (6, 5, "lower", "on_track", pytest.approx(83.333, abs=1e-3)),
        (8, 5, "lower", "behind", 62.5),
    ],
)
def test_status_rule(actual, target, direction, status, progress) -> None:
    assert logframe.status(actual, target, direction) == status
    assert logframe.progress_pct(actual, target, direction) == progress
    clean = None if actual is None or (isinstance(actual, float) and math.isnan(actual)) else actual
    assert logframe_status(clean, target, direction) == status  # the oracle restates the same rule


def test_status_table_and_matrix() -> None:
    frame = pd.DataFrame(
        {
            "country": ["GHA", "COL", "COL"],
            "level": ["output", "output", "objective"],
            "indicator": ["partner_staff_trained", "partner_staff_trained", "cost_covered_pct"],
            "unit": ["people", "people", "%"],
            "direction": ["higher"] * 3,
            "period_end": pd.to_datetime(["2016-12-31"] * 3),
            "target": [85.0, 100.0, 38.0],
            "actual": [59.0, 130.0, 32.2],
            "female_share": [33.3, None, None],
            "comment": [None, "Target exceeded", None],
        }
    )
    rows = logframe.with_status(frame, COUNTRY_NAMES)
    assert rows["indicator"].tolist() == ["cost_covered_pct", "partner_staff_trained", "partner_staff_trained"]
    assert rows["country"].tolist() == ["COL", "COL", "GHA"]  # objectives first, then by country name
    assert rows["status"].tolist() == ["on_track", "achieved", "behind"]
    table = logframe.display_table(rows, {}, COUNTRY_NAMES)
    assert table["Actual"].tolist() == ["32.2%", "130", "59"]
    assert table["Women (%)"].tolist() == ["", "", "33.3%"]
    assert table["Comment"].tolist() == ["", "Target exceeded", ""]
    only_ghana = logframe.display_table(rows[rows["country"] == "GHA"], {}, COUNTRY_NAMES)
    assert "Comment" not in only_ghana.columns and only_ghana["Women (%)"].tolist() == ["33.3%"]
    objective = logframe.display_table(rows[rows["level"] == "objective"], {}, COUNTRY_NAMES)
    assert "Women (%)" not in objective.columns and "Comment" not in objective.columns  # empty columns left out
    assert logframe.status_counts(rows) == {"achieved": 1, "on_track": 1, "behind": 1, "no_data": 0}
    cells, statuses = logframe.matrix(rows, {}, COUNTRY_NAMES)
    assert cells.columns.tolist()[2:] == ["Colombia", "Ghana"]
    assert cells.iloc[1]["Ghana"] == "59\u00a0/ 85" and statuses.iloc[1]["Ghana"] == "behind"  # wraps after "/" only
    assert cells.iloc[0]["Ghana"] == ""  # Ghana did not report that indicator in this frame
    # colours: only the status cells, one declaration each; the text stays escaped text in the HTML table
    styles = logframe.status_column_styles(table)
    where = table.columns.get_loc("Status")
    assert [[bool(css) for css in row] for row in styles] == [[i == where for i in range(table.shape[1])]] * 3
    assert styles[2][where] == f"background-color: {charts.STATUS_COLOURS['behind']}; color: #000000; font-weight: 600"
    assert [row[:2] for row in logframe.matrix_styles(statuses)] == [["", ""]] * 2
    assert logframe.matrix_styles(statuses)[0][2:] == [styles[0][where], ""]  # Colombia on track, Ghana none
    typed = table.assign(Comment=["[link](https://x.example) <b>", "", ""])
    drawn = table_markup(list(typed.columns), typed.to_numpy(dtype=str).tolist(), styles)
    assert "[link](https://x.example) &lt;b&gt;" in drawn and "<b>" not in drawn
    assert read_table_markup(drawn).equals(typed.astype(str))
    figure = logframe.chart(rows, "partner_staff_trained", "Partner staff trained", COUNTRY_NAMES)
    bars = {trace.name: list(trace.x) for trace in figure.data if trace.type == "bar"}
    assert bars == {"Achieved": [130.0], "Behind": [59.0]}
    assert {trace.textangle for trace in figure.data if trace.type == "bar"} == {0}  # never on its side
    assert logframe.chart(rows, "mous_signed", "MoUs", COUNTRY_NAMES) is None
