"""AppTests for the Overview, Enterprises and workers, Training and Outcomes pages: default and filtered views,
the numbers shown (tiles and tables) against independent counts from the raw CSV files (tests/oracle.py),
suppression for the public, enterprise rows only for detail viewers, and empty states instead of charts.

Exact figures are checked as HQ sees them; public figures are adjusted to protect enterprises (score/disclosure.py),
so for the public the tests check what is hidden, and that what is shown is within the adjustment bound.
Expected screen strings are formatted here (`en_int` ...), not with score.i18n, so a formatting bug shows.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pandas as pd
import pytest

from score import db, disclosure
from score.access import Scope
from score.filters import Filters
from tests.formats import HIDDEN, en_int, en_number, en_pct, fr_int, fr_number
from tests.test_queries_oracle import oracle_filters

REPO = Path(__file__).resolve().parent.parent
OVERVIEW, ENTERPRISES, TRAINING, OUTCOMES = (
    "views/overview.py",
    "views/enterprises.py",
    "views/training.py",
    "views/outcomes.py",
)
NOTHING = {"countries": ["BOL"], "phases": ["I"]}  # Bolivia joined in phase II: no enterprise matches
MIN_CELL = 5  # DESIGN.md: the public never sees a cell of fewer than 5 enterprises
HQ = Scope.hq("tests")


def test_formatters_here_are_literal() -> None:
    assert [en_int(54321), en_int(2.5), en_int(None), en_pct(16.0), en_pct(-16.25, 1, signed=True)] == [
        "54,321",
        "2",
        "–",
        "16%",
        "-16.2%",
    ]
    assert [en_pct(3.5, 1, signed=True), en_number(1234.56), fr_int(54321), fr_number(1234.56)] == [
        "+3.5%",
        "1,234.6",
        "54\u202f321",
        "1\u202f234,6",
    ]


def open_page(page: str, params: dict | None = None, scope: Scope | None = None):
    """app.py with the filters in the URL (as a shared link would), then the page; fails on any exception."""
    from streamlit.testing.v1 import AppTest

    from score.web import ui

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    if scope is not None:
        at.session_state[ui.SCOPE_KEY] = scope
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    if page != OVERVIEW:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.get("exception")
    return at


def to_filters(params: dict) -> Filters:
    lists = {k: tuple(v) for k, v in params.items() if k not in ("year_from", "year_to")}
    years = {k: int(v) for k, v in params.items() if k in ("year_from", "year_to")}
    return Filters(**lists, **years)


def metrics(at) -> dict[str, object]:
    return {m.label: m for m in at.metric}


def charts_shown(at) -> int:
    return len(at.get("plotly_chart"))


def infos(at) -> str:
    return " ".join(i.value for i in at.info)


def table(at, key: str):
    frames = [d for d in at.dataframe if d.key == key] if any(d.key for d in at.dataframe) else list(at.dataframe)
    assert frames, f"no table {key}"
    return frames[0].value


def as_int(text: str) -> int:
    return int(str(text).replace(",", ""))


def check_adjusted(shown: str, exact: int, count: bool = True, offset: float = 0.0) -> None:
    """A public figure: a count off by its cell's fixed offset (`count_offset`, rounded) and at most 2 more
    (data/reference/ptable_counts.csv); a magnitude by at most NOISE_MAX of itself (+1 for rounding), a sum of
    contributions each moved by at most that much (score/disclosure.py)."""
    bound = 2 + abs(offset) + 0.5 if count else disclosure.NOISE_MAX * exact + 1
    assert abs(as_int(shown) - exact) <= bound, (shown, exact, offset)


def count_offset(raw, units: list[str]) -> float:
    """The fixed count offset of a public cell whose counted units (enterprises, or deliveries: one id each) belong
    to these enterprises: the sum of their weights minus 1, recomputed from the raw enterprises and the secret."""
    key = id(raw)
    if key not in _OFFSETS:
        frame = pd.DataFrame(raw.enterprises)[["country", "enterprise_id", "sector", "phase"]]
        offsets = disclosure.count_offsets(disclosure.load_secret(), frame) / disclosure.COUNT_UNIT
        _OFFSETS[key] = dict(zip(frame["enterprise_id"], offsets, strict=True))
    return float(sum(_OFFSETS[key][unit] for unit in units))


_OFFSETS: dict[int, dict[str, float]] = {}


def check_headline_tiles(at, expected: dict) -> None:
    shown = metrics(at)
    assert shown["Enterprises engaged"].value == en_int(expected["enterprises"])
    assert shown["Workers reached"].value == en_int(expected["workers_reached"])
    if "People trained" in shown:
        assert shown["People trained"].value == en_int(expected["people_trained"])
    if "Modules delivered" in shown:
        assert shown["Modules delivered"].value == en_int(expected["module_completions"])


# ------------------------------------------------------------------------------------------------- overview

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


# ------------------------------------------------------------------------------------------------- enterprises

ENTERPRISE_CASES = [{}, {"countries": ["COL"], "sectors": ["garments", "textiles"]}, {"year_from": "2014"}]


def _country_sector_cells(raw, params: dict) -> dict[tuple[str, str], dict[str, int]]:
    return raw.enterprises_by(lambda e: (e["country"], e["sector"]), **oracle_filters(to_filters(params)))


def _cell_key(row: dict) -> tuple[str, str]:
    names = {v: k for k, v in _labels("country").items()}
    sectors = {v: k for k, v in _labels("sector").items()}
    return names[row["Country"]], sectors[row["Sector"]]


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
    cells = _country_sector_cells(raw, params)
    frame = table(at, "enterprise_summary_table")
    rows = {_cell_key(row): row for row in frame.to_dict("records")}
    assert len(frame) == len(rows) and set(rows) == set(cells)  # every cell, each once, none hidden for HQ
    for key, cell in cells.items():
        row = rows[key]
        assert row["Enterprises"] == en_int(cell["enterprises"]), key
        assert row["Workers reached"] == en_int(cell["workers_reached"]), key
        assert row["Women workers"] == en_int(cell["workers_female"]), key
        assert row["Men workers"] == en_int(cell["workers_male"]), key
    assert charts_shown(at) >= 6


@pytest.mark.parametrize("params", ENTERPRISE_CASES, ids=lambda p: str(p) or "default")
def test_enterprises_public_summary_hides_small_cells(raw, params: dict) -> None:
    at = open_page(ENTERPRISES, params)
    assert not at.segmented_control  # the public has no choice: the aggregate table
    expected = raw.kpis(**oracle_filters(to_filters(params)))
    shown = metrics(at)
    ids = raw.enterprise_ids(**oracle_filters(to_filters(params)))
    check_adjusted(shown["Enterprises engaged"].value, expected["enterprises"], offset=count_offset(raw, list(ids)))
    for label, figure in (
        ("Workers reached", "workers_reached"),
        ("Women among workers reached", "workers_female"),
        ("Men among workers reached", "workers_male"),
    ):
        check_adjusted(shown[label].value, expected[figure], count=False)
    cells = _country_sector_cells(raw, params)
    frame = table(at, "enterprise_summary_table")
    assert "enterprise_id" not in frame.columns and "Name" not in frame.columns
    rows = {_cell_key(row): row for row in frame.to_dict("records")}
    assert len(frame) == len(rows)
    # exactly the cells of 5 or more enterprises are listed: a "–" row would tell 1-4 enterprises from none
    shown = {key for key, cell in cells.items() if cell["enterprises"] >= MIN_CELL}
    assert set(rows) == shown, (sorted(set(rows) - shown), sorted(shown - set(rows)))
    members: dict[tuple[str, str], list[str]] = {}
    for e in raw.enterprises:
        if e["enterprise_id"] in ids:
            members.setdefault((e["country"], e["sector"]), []).append(e["enterprise_id"])
    for key, row in rows.items():
        check_adjusted(row["Enterprises"], cells[key]["enterprises"], offset=count_offset(raw, members[key]))
        check_adjusted(row["Workers reached"], cells[key]["workers_reached"], count=False)
        check_adjusted(row["Women workers"], cells[key]["workers_female"], count=False)
    assert any("possibly none, are hidden" in c.value for c in at.caption)  # the page's one method note
    assert at.get("download_button")
    assert charts_shown(at) >= 6


def test_enterprises_detail_table_for_hq(raw) -> None:
    params = {"countries": ["GHA"], "phases": ["II"]}
    at = open_page(ENTERPRISES, params, Scope.hq("tests"))
    assert at.segmented_control(key="enterprises_view").value == "detail"
    frame = table(at, "enterprise_list_table")
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


# ------------------------------------------------------------------------------------------------- training

TRAINING_CASES = [{}, {"modules": ["OSH", "QM"], "phases": ["II"]}, {"countries": ["IDN"]}]
# Public cases: none hidden; CP and OSH with 4 deliveries each (Ghana, one partner); CP 2 and HR 4 (Peru, garments).
TRAINING_PUBLIC_CASES = [
    {},
    {"countries": ["GHA"], "partners": ["Trades Union Congress"]},
    {"countries": ["PER"], "sectors": ["garments"]},
]


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
    assert frame["Module"].tolist() == [_labels("module")[code] for code in modules]  # every module, in order
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
            _labels("module")[c] for c in modules if c not in params["modules"]
        }


@pytest.mark.parametrize("params", TRAINING_PUBLIC_CASES, ids=lambda p: str(p) or "default")
def test_training_public_module_table_hides_small_cells(raw, params: dict) -> None:
    at = open_page(TRAINING, params)
    filters = oracle_filters(to_filters(params))
    modules = raw.by_module(**filters)
    frame = table(at, "modules_table")
    assert frame["Module"].tolist() == [_labels("module")[code] for code in modules]
    rows = dict(zip(modules, frame.to_dict("records"), strict=True))
    small = {code for code, cell in modules.items() if cell["deliveries"] < MIN_CELL}
    hidden = {code for code, row in rows.items() if row["Deliveries"] == HIDDEN}
    assert hidden == small, (hidden, small)  # exactly the cells of 0-4 deliveries (to the public 0 looks like 1-4)
    for code, row in rows.items():
        values = [row[c] for c in ("Participations", "Consultation visits", "Median days from joining")]
        if code in hidden:
            assert values == [HIDDEN] * 3, row
        else:
            delivered = [t["enterprise_id"] for t in raw._training(**filters) if t["module"] == code]
            check_adjusted(row["Deliveries"], modules[code]["deliveries"], offset=count_offset(raw, delivered))
            check_adjusted(row["Participations"], modules[code]["participations"], count=False)
        n = modules[code]["n_satisfaction"]
        if 0 < n < MIN_CELL:  # a mean over fewer than 5 deliveries is not shown
            assert row["Satisfied (%)"] == row["Deliveries reporting satisfaction"] == HIDDEN, row


# ------------------------------------------------------------------------------------------------- outcomes

OUTCOME_CASES = [{}, {"countries": ["COL", "GHA"]}, {"sectors": ["garments"], "year_from": "2012"}]


@pytest.mark.parametrize("params", OUTCOME_CASES, ids=lambda p: str(p) or "default")
def test_outcomes_summary_table(raw, params: dict) -> None:
    at = open_page(OUTCOMES, params, HQ)
    of = oracle_filters(to_filters(params))
    frame = table(at, "outcomes_table")
    labels = _labels("indicator")
    codes = [c for c, r in _reference("indicators").items() if r["kind"] == "change"]
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
    accidents = frame[frame["Indicator"] == _labels("indicator")["accidents"]].iloc[0]
    expected = raw.change("accidents", **oracle_filters(Filters()))
    assert accidents["Baseline"] == en_number(expected["baseline_sum"], 1)
    assert accidents["Follow-up"] == en_number(expected["follow_up_sum"], 1)


# ------------------------------------------------------------------------------------------------- empty and hidden


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING, OUTCOMES])
def test_filters_matching_nothing_say_so(demo_data_dir, page: str) -> None:
    at = open_page(page, NOTHING, Scope.hq("tests"))
    assert charts_shown(at) == 0
    assert "No " in infos(at), infos(at)


def _small_public_selection(raw) -> dict:
    groups: dict[tuple[str, str, str], int] = {}
    for e in raw.enterprises:
        key = (e["country"], e["sector"], e["phase"])
        groups[key] = groups.get(key, 0) + 1
    country, sector, phase = next(k for k, n in sorted(groups.items()) if 1 <= n < MIN_CELL)
    return {"countries": [country], "sectors": [sector], "phases": [phase]}


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING])
def test_small_public_selection_is_hidden_not_drawn(raw, page: str) -> None:
    at = open_page(page, _small_public_selection(raw))
    assert "Fewer than 5 enterprises" in infos(at)
    assert charts_shown(at) == 0
    assert not at.metric


def _empty_selection(raw) -> dict:
    """A country x sector x phase with no enterprise at all (sectors and phases that exist elsewhere)."""
    found = {(e["country"], e["sector"], e["phase"]) for e in raw.enterprises}
    countries, sectors, phases = ({k[i] for k in found} for i in range(3))
    country, sector, phase = next(k for k in sorted(product(countries, sectors, phases)) if k not in found)
    return {"countries": [country], "sectors": [sector], "phases": [phase]}


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING])
def test_an_empty_public_selection_reads_like_a_small_one(raw, page: str) -> None:
    """Presence is not disclosed: none and 1-4 enterprises give the public the same words; HQ reads the truth."""
    small, empty = open_page(page, _small_public_selection(raw)), open_page(page, _empty_selection(raw))
    assert "Fewer than 5 enterprises match the current filters, possibly none" in infos(small)
    assert infos(empty) == infos(small)
    assert charts_shown(empty) == 0 and not empty.metric
    hq = open_page(page, _empty_selection(raw), HQ)
    assert "No " in infos(hq) and "possibly none" not in infos(hq)  # e.g. "No enterprises match ..."


def test_small_public_selection_outcomes(raw) -> None:
    at = open_page(OUTCOMES, _small_public_selection(raw))
    frame = table(at, "outcomes_table")
    assert set(frame["n"]) <= {HIDDEN, "0"}
    assert "Baseline" in frame.columns and set(frame["Baseline"]) == {HIDDEN}


# ------------------------------------------------------------------------------------------------- helpers


def _reference(name: str) -> dict[str, dict[str, str]]:
    from tests.oracle import reference_rows

    return reference_rows(name)


def _labels(kind: str) -> dict[str, str]:
    import csv

    files = {
        "country": "countries",
        "sector": "sectors",
        "module": "modules",
        "indicator": "indicators",
    }
    key = "iso3" if kind == "country" else "code"
    with open(REPO / "data" / "reference" / f"{files[kind]}.csv", encoding="utf-8", newline="") as handle:
        return {row[key]: row["name_en"] for row in csv.DictReader(handle)}


# ------------------------------------------------------------------------------------------------- every chart


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING, OUTCOMES])
def test_every_chart_downloads_as_png_and_is_readable(demo_data_dir, page: str) -> None:
    """Every chart has a PNG download of its own (with the caption in the image, tests/test_exports.py)
    instead of Plotly's camera, which overlapped the title; no text is smaller than 14 px (a projector)."""
    import json

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
    from streamlit.testing.v1 import AppTest

    from score.web import ui

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.session_state[ui.LANGUAGE_KEY] = "fr"
    at.session_state[ui.SCOPE_KEY] = HQ  # exact figures
    at.run()
    if page != OVERVIEW:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart")
    kpis = raw.kpis()
    if page == OUTCOMES:
        energy = raw.change("energy_use")["baseline_mean"]  # tens of thousands of kWh: a thousands separator
        assert energy >= 1000
        cells = {str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()}
        assert fr_number(energy) in cells, sorted(cells)[:20]
        assert en_number(energy) not in cells
    else:
        figure = kpis["participations"] if page == TRAINING else kpis["workers_reached"]
        assert figure >= 1000
        values = [m.value for m in at.metric]
        assert fr_int(figure) in values, values
        assert en_int(figure) not in values


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
