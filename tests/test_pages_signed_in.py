"""The Overview, Enterprises, Training and Outcomes pages as the signed-in see them: HQ's tiles and tables
equal the independent counts from the raw CSV files (tests/oracle.py), under several filters; enterprise rows for
HQ, and for country staff only in their own country.

Expected screen strings are formatted here (`en_int` ...), not with score.i18n, so a formatting bug shows.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from score import db
from score.access import Scope
from score.filters import Filters
from score.web.components.tables import COUNTRY_PX, LIST_PX, OTHERS_PX, SHORT_TABLE_ROWS, name_layout
from tests.apptest import ENTERPRISES, OUTCOMES, OVERVIEW, TRAINING, open_page
from tests.formats import HIDDEN, en_int, en_number, en_pct, fr_int, fr_number
from tests.oracle import reference_rows
from tests.pages import (
    ENTERPRISE_CASES,
    HQ,
    cell_key,
    charts_shown,
    check_adjusted,
    check_headline_tiles,
    country_sector_cells,
    enterprise_charts,
    grid_text,
    metrics,
    reference_labels,
    table,
    to_filters,
)
from tests.query_cases import oracle_filters


def test_formatters_here_are_literal() -> None:
    assert [en_int(54321), en_int(2.5), en_int(None), en_pct(16.0), en_pct(-16.25, 1, signed=True)] == [
        "54,321",
        "3",  # a half rounds away from zero, as the charts' labels and Excel do
        "–",
        "16%",
        "\u221216.3%",  # the true minus, as on the charts' axes
    ]
    assert [en_pct(3.5, 1, signed=True), en_number(1234.56), fr_int(54321), fr_number(1234.56)] == [
        "+3.5%",
        "1,234.6",
        "54\u202f321",
        "1\u202f234,6",
    ]


OVERVIEW_CASES = [{}, {"countries": ["COL", "GHA"], "phases": ["II"]}, {"regions": ["Asia"]}]


@pytest.mark.parametrize("params", OVERVIEW_CASES, ids=lambda p: str(p) or "default")
def test_overview_tiles_against_targets(raw, params: dict) -> None:
    at = open_page(OVERVIEW, params, HQ)
    of = oracle_filters(to_filters(params))
    expected = raw.kpis(**of)
    check_headline_tiles(at, expected)
    shown = metrics(at)
    assert shown["Modules delivered"].delta == f"{en_int(expected['participations'])} training participations"
    targets = raw.targets(of["countries"], of["phases"])
    for label, metric in (
        ("Enterprises engaged", "enterprises"),
        ("Workers reached", "workers_reached"),
        ("People trained", "people_trained"),
    ):
        progress = en_pct(100 * expected[metric] / targets[metric])
        assert shown[label].delta == f"{progress} of target {en_int(targets[metric])}", label
        # the bar: filled to the progress (a whole percent), full from 100% on
        assert abs(shown[label].progress - min(100 * expected[metric] / targets[metric], 100)) <= 0.6, label
    # the outcome tiles
    assert shown["Good practices adopted"].value == en_pct(raw.share("good_practices_adopted", **of)[1])
    assert shown["Work accidents"].value == en_pct(raw.change("accidents", **of)["change_pct"], 1, signed=True)
    assert charts_shown(at) >= 5  # two trends, the country comparison, two women-and-men charts


def test_overview_hides_progress_when_targets_do_not_apply(raw) -> None:
    params = {"sectors": ["garments"]}
    at = open_page(OVERVIEW, params, HQ)
    expected = raw.kpis(**oracle_filters(to_filters(params)))
    check_headline_tiles(at, expected)
    assert not metrics(at)["Enterprises engaged"].delta
    assert any("Targets are set per country and phase" in c.value for c in at.caption)


def test_overview_country_comparison_measure_can_change(demo_data_dir) -> None:
    at = open_page(OVERVIEW)
    control = at.segmented_control(key="overview_country_metric")
    assert control.value == "enterprises"
    control.set_value("people_trained").run()
    assert not at.exception
    assert at.segmented_control(key="overview_country_metric").value == "people_trained"


def test_overview_shows_womens_shares_as_headline_figures(raw) -> None:
    at = open_page(OVERVIEW, scope=Scope.hq("tests"))  # exact figures (the public's are adjusted)
    expected = raw.kpis()
    shown = metrics(at)
    workers = 100 * expected["workers_female"] / expected["workers_reached"]
    trained = 100 * expected["people_trained_female"] / expected["people_trained"]
    assert shown["Women's share of workers reached"].value == en_pct(workers)
    assert shown["Women's share of people trained"].value == en_pct(trained)
    assert shown["Women's share of people trained"].delta == f"{en_int(expected['people_trained_female'])} women"
    assert not any("data/" in caption.value or ".csv" in caption.value for caption in at.caption)  # no file paths


@pytest.mark.parametrize("params", ENTERPRISE_CASES, ids=lambda p: str(p) or "default")
def test_enterprises_tiles_and_summary_table_for_hq(raw, params: dict) -> None:
    at = open_page(ENTERPRISES, params, HQ)
    expected = raw.kpis(**oracle_filters(to_filters(params)))
    check_headline_tiles(at, expected)
    shown = metrics(at)
    assert shown["Women among workers reached"].value == en_int(expected["workers_female"])
    assert shown["Men among workers reached"].value == en_int(expected["workers_male"])
    at.segmented_control(key="enterprises_view").set_value("aggregate").run()
    assert not at.exception
    cells = country_sector_cells(raw, params)
    frame = table(at, "enterprise_summary_table")
    rows = {cell_key(row): row for row in frame.to_dict("records")}
    assert len(frame) == len(rows) and set(rows) == set(cells)  # every cell, each once, none hidden for HQ
    numbers = ["Enterprises", "Women workers", "Men workers", "Workers reached"]
    grid = len(frame) > SHORT_TABLE_ROWS  # a long summary is a grid the reader sorts, a short one a plain table
    if grid:  # numbers kept numbers, so a click on a heading sorts 9 before 10 (as text, "10" came first)
        assert all(pd.api.types.is_numeric_dtype(frame[h]) for h in numbers), frame.dtypes
        assert not pd.api.types.is_numeric_dtype(frame["Sector"])
    shown = grid_text(at.dataframe[0]) if grid else frame  # the grid's cells as drawn (its Styler's text)
    text_rows = {cell_key(row): row for row in shown.to_dict("records")}
    for key, cell in cells.items():
        row = text_rows[key]
        assert row["Enterprises"] == en_int(cell["enterprises"]), key
        assert row["Workers reached"] == en_int(cell["workers_reached"]), key
        assert row["Women workers"] == en_int(cell["workers_female"]), key
        assert row["Men workers"] == en_int(cell["workers_male"]), key
    assert charts_shown(at) >= enterprise_charts(raw, params)


def test_enterprises_detail_table_for_hq(raw) -> None:
    params = {"countries": ["GHA"], "phases": ["II"]}
    at = open_page(ENTERPRISES, params, Scope.hq("tests"))
    assert at.segmented_control(key="enterprises_view").value == "detail"
    frame = table(at, "enterprise_list_table")
    # on screen: who it is and the key figures (13 columns scrolled sideways at 1280 px); the rest in the downloads;
    # one country listed: no country column, its room goes to the names
    (grid,) = at.dataframe  # the only grid of the page (the summaries are plain tables)
    assert list(grid.proto.column_order) == ["Name", "Sector", "Size", "Workers", "Women workers", "Joined"]
    assert json.loads(grid.proto.columns)["Joined"]["type_config"]["format"] == "YYYY-MM-DD"
    # the name reads as data (pinned, the grid drew it grey like an index) and whole on one line (the grid's font
    # draws ~6.2 px a character), in the room the other columns leave at 1280 px (at 420 px the list scrolled)
    name = json.loads(grid.proto.columns)["Name"]
    assert not name.get("pinned") and 6.2 * frame["Name"].str.len().max() + 16 <= name["width"], name
    assert name["width"] <= LIST_PX - OTHERS_PX + COUNTRY_PX and not grid.proto.row_height, (
        name,
        grid.proto.row_height,
    )
    expected = {e["enterprise_id"]: e for e in raw._enterprises(**oracle_filters(to_filters(params)))}
    assert set(frame["Id"]) == set(expected)
    for row in frame.head(25).itertuples(index=False):
        e = expected[row.Id]
        assert row.Name == e["name"]
        assert row.Workers == int(e["workers_female"]) + int(e["workers_male"])
    # the same viewer can switch to the summary
    at.segmented_control(key="enterprises_view").set_value("aggregate").run()
    assert not at.exception
    summary = table(at, "enterprise_summary_table")
    assert summary["Enterprises"].tolist() == [
        en_int(v["enterprises"])
        for _, v in sorted(raw.enterprises_by("sector", **oracle_filters(to_filters(params))).items())
    ]


@pytest.mark.parametrize("one_country", [True, False])
def test_the_enterprise_list_fits_1280_px_beside_the_sidebar_and_a_long_name_wraps_whole(one_country: bool) -> None:
    """The name column takes what the other columns leave at 1280 px (the list scrolled sideways by 113 px with a
    420 px name column); a name longer than that wraps onto lines enough for it, in rows tall enough for the grid to
    wrap (above 64 px): whole, at the grid's ~6.2 px a character."""
    others = OTHERS_PX - (COUNTRY_PX if one_country else 0)
    for name in ("Metalmecánica Automotriz El Dorado S.A.S.", "Lakshmi Precision Components Pvt Ltd (Coimbatore 149)"):
        width, row_height = name_layout(pd.Series([name, "Modas Rojas S.A.S.", None]), one_country)
        assert width + others <= LIST_PX, (name, width)
        lines = 1 if row_height is None else (row_height - 8) // 20
        assert row_height is None or row_height > 64, row_height
        assert lines * (width - 16) >= 6.2 * len(name), (name, width, row_height)
    assert name_layout(pd.Series(["Modas Rojas S.A.S."]), one_country) == (160, None)  # short names: one line


def test_the_enterprise_lists_dates_are_written_as_the_readers_language_writes_them() -> None:
    """A Spanish or French page writes a joining date 19/05/2009 (day first), not 2009-05-19."""
    for lang, joined in [("es", "Incorporación"), ("fr", "Adhésion")]:
        at = open_page(ENTERPRISES, {"countries": ["COL"], "lang": lang}, Scope.hq("tests"))
        (grid,) = at.dataframe
        assert json.loads(grid.proto.columns)[joined]["type_config"]["format"] == "DD/MM/YYYY", lang


def test_enterprise_list_shows_a_page_and_its_downloads_hold_all(raw, monkeypatch) -> None:
    """The page shows the list's first rows and says how many there are (exactly); the workbook's sheet holds them
    all, made when it is downloaded; the search box keeps the enterprises whose name or id contains the text."""
    from score.web import ui
    from score.web.components import tables

    monkeypatch.setattr(tables, "LIST_ROWS", 40)
    at = open_page(ENTERPRISES, {"countries": ["GHA"]}, HQ)
    expected = {e["enterprise_id"]: e for e in raw._enterprises(countries={"GHA"})}
    frame = table(at, "enterprise_list_table")
    assert frame["Id"].tolist() == sorted(expected)[:40]
    shown = f"Showing 40 of {en_int(len(expected))} enterprises; download the full list (CSV or Excel) for all."
    assert shown in [x.value for x in at.caption]
    (full,) = [v for (name, *_rest), v in at.session_state[ui.PAGE_SHEETS_KEY].items() if name == "enterprise_list"]
    assert callable(full) and sorted(full()["enterprise_id"]) == sorted(expected)
    wanted = sorted(expected)[7]
    at.text_input(key="enterprise_search").input(f"  {wanted.lower()} ").run()
    assert not at.exception
    assert table(at, "enterprise_list_table")["Name"].tolist() == [expected[wanted]["name"]]
    assert "1 enterprise." in [x.value for x in at.caption]
    at.text_input(key="enterprise_search").input("%").run()
    assert [x.value for x in at.info] == ["No enterprise of your countries matches this search."]


def test_enterprises_detail_only_for_own_country(raw) -> None:
    # Country staff start on their own country: the list, the tiles and the charts are Colombia's, exact.
    at = open_page(ENTERPRISES, {}, Scope.country("col-user", {"COL"}))
    frame = table(at, "enterprise_list_table")
    assert set(frame["Country"]) == {"Colombia"}
    assert len(frame) == len(raw.enterprise_ids(countries={"COL"}))
    assert metrics(at)["Enterprises engaged"].value == en_int(raw.kpis(countries={"COL"})["enterprises"])
    # every region chosen: the tiles and charts cover every country, as aggregates (adjusted: they include other
    # countries), and the list still holds Colombia's enterprises only
    everywhere = {"regions": ["Africa", "Asia", "Latin America"]}
    at = open_page(ENTERPRISES, everywhere, Scope.country("col-user", {"COL"}))
    assert set(table(at, "enterprise_list_table")["Country"]) == {"Colombia"}
    public = db.run_query("overview_kpis", Scope.public(), to_filters(everywhere)).iloc[0]
    assert metrics(at)["Enterprises engaged"].value == en_int(public["enterprises"])
    check_adjusted(metrics(at)["Enterprises engaged"].value, len(raw.enterprises))


TRAINING_CASES = [{}, {"modules": ["OSH", "QM"], "phases": ["II"]}, {"countries": ["IDN"]}]


@pytest.mark.parametrize("params", TRAINING_CASES, ids=lambda p: str(p) or "default")
def test_training_tiles_and_module_table_for_hq(raw, params: dict) -> None:
    at = open_page(TRAINING, params, HQ)
    of = oracle_filters(to_filters(params))
    expected = raw.kpis(**of)
    shown = metrics(at)
    assert shown["Modules delivered"].value == en_int(expected["module_completions"])
    assert shown["People trained (distinct estimate)"].value == en_int(expected["people_trained"])
    assert shown["Training participations"].value == en_int(expected["participations"])
    assert shown["Consultation visits"].value == en_int(expected["consultation_visits"])
    frame = table(at, "modules_table")
    modules = raw.by_module(**of)
    assert frame["Module"].tolist() == [reference_labels("module")[code] for code in modules]  # every module, in order
    for row, (code, cell) in zip(frame.to_dict("records"), modules.items(), strict=True):
        assert row["Deliveries"] == en_int(cell["deliveries"]), code
        assert row["Participations"] == en_int(cell["participations"]), code
        assert row["Consultation visits"] == en_int(cell["consultation_visits"]), code
        assert row["Satisfied (%)"] == (en_pct(cell["satisfaction_mean"]) if cell["n_satisfaction"] else HIDDEN)
        assert row["Deliveries reporting satisfaction"] == en_int(cell["n_satisfaction"]), code
        days = cell["median_days_to_classroom"]
        assert row["Median days from joining"] == (en_int(days) if cell["deliveries"] else HIDDEN), code
    assert charts_shown(at) >= 7
    if params.get("modules"):  # modules outside the filter are listed with nothing delivered
        assert set(frame.loc[frame["Deliveries"] == "0", "Module"]) == {
            reference_labels("module")[c] for c in modules if c not in params["modules"]
        }


OUTCOME_CASES = [{}, {"countries": ["COL", "GHA"]}, {"sectors": ["garments"], "year_from": "2012"}]


@pytest.mark.parametrize("params", OUTCOME_CASES, ids=lambda p: str(p) or "default")
def test_outcomes_summary_table(raw, params: dict) -> None:
    at = open_page(OUTCOMES, params, HQ)
    of = oracle_filters(to_filters(params))
    frame = table(at, "outcomes_table")
    labels = reference_labels("indicator")
    codes = [c for c, r in reference_rows("indicators").items() if r["kind"] == "change"]
    assert frame["Indicator"].tolist() == [labels[c] for c in codes]  # reference order
    for row, code in zip(frame.to_dict("records"), codes, strict=True):
        expected = raw.change(code, **of)
        assert row["n"] == en_int(expected["n"])
        assert row["No follow-up yet"] == en_int(expected["without_follow_up"])
        assert row["Baseline"] == en_number(expected["baseline_mean"], 1)
        assert row["Follow-up"] == en_number(expected["follow_up_mean"], 1)
        assert row["Change"] == en_pct(expected["change_pct"], 1, signed=True)
        assert row["Improving"] == en_pct(expected["improved_pct"])
        assert row["Median change"] == en_number(expected["median_change"], 1)
    # one chart per change indicator, plus the yes/no shares and the improving shares
    assert charts_shown(at) == len(codes) + 2
    # a method note under each chart
    assert sum("enterprises with both values" in c.value for c in at.caption) >= len(codes)


def test_outcomes_totals_instead_of_means(raw) -> None:
    at = open_page(OUTCOMES, {}, HQ)
    at.segmented_control(key="measure").set_value("sum").run()
    assert not at.exception
    frame = table(at, "outcomes_table")
    accidents = frame[frame["Indicator"] == reference_labels("indicator")["accidents"]].iloc[0]
    expected = raw.change("accidents", **oracle_filters(Filters()))
    assert accidents["Baseline"] == en_number(expected["baseline_sum"], 1)
    assert accidents["Follow-up"] == en_number(expected["follow_up_sum"], 1)
