"""The Overview, Enterprises, Training and Outcomes queries against independent counts from the raw CSV files
(tests/oracle.py), under several filter combinations, read with the HQ scope (nothing suppressed)."""

from __future__ import annotations

import math
import unicodedata

import pandas as pd
import pytest

from score import db
from score.access import Scope
from score.filters import Filters
from tests.oracle import reference_rows
from tests.test_queries_oracle import FILTER_CASES, oracle_filters

HQ = Scope.hq("tests")
FULL_LIST = {"search": None, "limit": None}  # enterprise_list: everyone the filters keep
IDS = [str(f.to_query_params()) or "all" for f in FILTER_CASES]
NOTHING = Filters(countries=("BOL",), phases=("I",))  # Bolivia joined in phase II: matches nothing


def close(got: object, expected: float, tol: float = 1e-9) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return got is None or pd.isna(got)
    return math.isclose(float(got), float(expected), rel_tol=tol, abs_tol=tol)


def run(name: str, filters: Filters, **params) -> pd.DataFrame:
    return db.run_query(name, HQ, filters, **params)


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_enterprises_by_sector_country_size_year(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    cases = {
        "enterprises_by_sector": ("sector", "sector"),
        "country_comparison": ("country", "country"),
        "enterprises_by_size": ("size_class", raw.size_class),
        "enterprises_by_year": ("year", lambda e: int(e["joined_on"][:4])),
    }
    for name, (column, key) in cases.items():
        frame = run(name, filters).set_index(column)
        expected = raw.enterprises_by(key, **of)
        shown = frame[frame["enterprises"] > 0]
        assert set(shown.index) == set(expected), name
        for code, cell in expected.items():
            for measure in ("enterprises", "workers_reached"):
                assert frame.loc[code, measure] == cell[measure], (name, code, measure)
            if "workers_female" in frame.columns:
                assert frame.loc[code, "workers_female"] == cell["workers_female"], (name, code)


def test_size_classes_are_listed_in_order_with_bounds(demo_data_dir) -> None:
    frame = run("enterprises_by_size", Filters())
    assert frame["size_class"].tolist() == ["micro", "small", "medium", "large"]
    assert frame["min_workers"].tolist() == [0, 10, 50, 250]
    assert frame["max_workers"].tolist()[:3] == [9, 49, 249] and pd.isna(frame["max_workers"].iloc[3])


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_country_comparison_figures_and_targets(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    frame = run("country_comparison", filters).set_index("country")
    # every country with a matching enterprise has its row (a loop over the returned rows alone misses a lost one)
    with_enterprises = set(raw.enterprises_by("country", **of))
    assert set(frame.index[frame["enterprises"] > 0]) == with_enterprises
    for country in frame.index:
        expected = raw.kpis(**{**of, "countries": {country}})
        for key in ("enterprises", "workers_reached", "people_trained", "module_completions", "participations"):
            assert frame.loc[country, key] == expected[key], (country, key)
        targets = raw.targets({country}, of["phases"])
        for metric in ("enterprises", "workers_reached", "people_trained"):
            assert close(frame.loc[country, f"target_{metric}"], targets.get(metric, float("nan"))), (country, metric)


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_overview_targets(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    frame = run("overview_targets", filters).set_index("metric")
    kpis = raw.kpis(**of)
    targets = raw.targets(of["countries"], of["phases"])
    assert list(frame.index) == ["enterprises", "workers_reached", "people_trained"]
    for metric, target in targets.items():
        assert close(frame.loc[metric, "target"], target)
        assert frame.loc[metric, "actual"] == kpis[metric]
        assert close(frame.loc[metric, "progress_pct"], 100.0 * kpis[metric] / target)


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_overview_kpis_shares_of_women(raw, filters: Filters) -> None:
    kpis = run("overview_kpis", filters).iloc[0]
    expected = raw.kpis(**oracle_filters(filters))
    assert close(kpis["workers_female_pct"], 100.0 * expected["workers_female"] / expected["workers_reached"])
    assert close(
        kpis["people_trained_female_pct"], 100.0 * expected["people_trained_female"] / expected["people_trained"]
    )


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_training_by_year(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    frame = run("training_by_year", filters).set_index("year")
    expected = raw.training_by_year(**of)
    assert set(frame.index) == set(expected)
    for year, cell in expected.items():
        for key, value in cell.items():
            assert frame.loc[year, key] == value, (year, key)
    # Summed over the years, the people first counted each year are the headline people trained.
    assert frame["people_trained"].sum() == raw.kpis(**of)["people_trained"]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_people_trained_by_role_and_sex(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    frame = run("people_trained_by_role_sex", filters).set_index(["role", "sex"])
    expected = raw.people_by_role_sex(**of)
    assert set(frame.index) == set(expected)
    for key, cell in expected.items():
        assert frame.loc[key, "people_trained"] == cell["people_trained"], key
        assert frame.loc[key, "participations"] == cell["participations"], key
    assert frame["n_enterprises"].iloc[0] == len({t["enterprise_id"] for t in raw._training(**of)})


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_training_by_module(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    frame = run("training_by_module", filters).set_index("module")
    satisfaction = run("satisfaction_by_module", filters).set_index("module")
    frame = frame.join(satisfaction)
    expected = raw.by_module(**of)
    assert list(frame.index) == list(expected)  # every module, in reference order
    for module, cell in expected.items():
        for key, value in cell.items():
            assert close(frame.loc[module, key], value), (module, key)


def test_satisfaction_over_fewer_than_5_deliveries_is_hidden(raw) -> None:
    """A module with 5+ deliveries but fewer than 5 reporting satisfaction: the mean is not shown."""
    for country in sorted({e["country"] for e in raw.enterprises}):
        filters = Filters(countries=(country,), sectors=("garments",))
        cells = raw.by_module(**oracle_filters(filters))
        small = [m for m, c in cells.items() if 1 <= c["n_satisfaction"] < 5]
        if not small:
            continue
        frame = db.run_query("satisfaction_by_module", Scope.public(), filters).set_index("module")
        for module in small:
            assert pd.isna(frame.loc[module, "satisfaction_mean"]) and pd.isna(frame.loc[module, "n_satisfaction"])
        return
    pytest.skip("no small satisfaction cell in the demo set")


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_training_by_country_module(raw, filters: Filters) -> None:
    frame = run("training_by_country_module", filters)
    got = {(r.country, r.module): r.deliveries for r in frame.itertuples()}
    assert got == raw.deliveries_by_country_module(**oracle_filters(filters))


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_modules_per_enterprise(raw, filters: Filters) -> None:
    frame = run("modules_per_enterprise", filters).set_index("n_modules")
    expected = raw.modules_per_enterprise(**oracle_filters(filters))
    total = sum(expected.values())
    assert dict(frame["enterprises"]) == expected
    for n, count in expected.items():
        assert close(frame.loc[n, "share_pct"], 100.0 * count / total)


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_enterprises_country_sector(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    frame = run("enterprises_country_sector", filters)
    got = {(r.country, r.sector): (r.enterprises, r.workers_reached) for r in frame.itertuples()}
    expected = raw.enterprises_by(lambda e: (e["country"], e["sector"]), **of)
    assert got == {k: (v["enterprises"], v["workers_reached"]) for k, v in expected.items()}


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_enterprise_list(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    frame = run("enterprise_list", filters, **FULL_LIST).set_index("enterprise_id")
    expected = {e["enterprise_id"]: e for e in raw._enterprises(**of)}
    assert set(frame.index) == set(expected)
    for enterprise_id, e in list(expected.items())[:50]:
        row = frame.loc[enterprise_id]
        assert row["name"] == e["name"] and row["sector"] == e["sector"] and row["partner"] == e["partner"]
        assert row["workers"] == int(e["workers_female"]) + int(e["workers_male"])
        assert row["size_class"] == raw.size_class(e)
        assert str(row["joined_on"])[:10] == e["joined_on"]


def test_enterprise_list_only_for_detail_countries(demo_data_dir) -> None:
    assert db.run_query("enterprise_list", Scope.public(), **FULL_LIST).empty
    own = db.run_query("enterprise_list", Scope.country("col", {"COL"}), **FULL_LIST)
    assert len(own) and set(own["country"]) == {"COL"}
    # a page of the list: its first rows in the list's order, and the exact number of all it holds
    page = db.run_query("enterprise_list", Scope.country("col", {"COL"}), search=None, limit=7)
    assert page["enterprise_id"].tolist() == own["enterprise_id"].head(7).tolist()
    assert set(page["listed"]) == {len(own)}


def _plain(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()


def test_enterprise_list_page_counts_exactly(raw) -> None:
    for filters in FILTER_CASES:
        expected = raw._enterprises(**oracle_filters(filters))
        page = run("enterprise_list", filters, search=None, limit=3)
        assert len(page) == min(3, len(expected))
        assert page.empty or set(page["listed"]) == {len(expected)}


def test_enterprise_list_search_is_plain_text(raw) -> None:
    """Name, id, city or province contains the text, ignoring case and accents; LIKE's % and _ (and quotes) are
    plain characters."""
    everyone = raw._enterprises()
    named = next(e for e in everyone if len(e["name"]) > 8)
    for term in (named["name"][2:8].upper(), named["enterprise_id"].lower(), "%", "_", "a%", "'", "\\", "Bogota"):
        want = {
            e["enterprise_id"]
            for e in everyone
            if any(_plain(term) in _plain(e[field] or "") for field in ("name", "enterprise_id", "city", "province"))
        }
        got = run("enterprise_list", Filters(), search=term, limit=None)
        assert set(got["enterprise_id"]) == want, term
        assert got.empty or set(got["listed"]) == {len(want)}
    assert {named["enterprise_id"]} <= set(
        run("enterprise_list", Filters(), search=named["enterprise_id"], limit=None)["enterprise_id"]
    )
    assert run("enterprise_list", Filters(), search="%", limit=None).empty  # no name holds a %: LIKE would match all


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_outcome_changes_in_full(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    frame = run("outcome_changes", filters).set_index("indicator")
    # one row per change indicator (a loop over the returned rows alone would miss a lost one)
    assert sorted(frame.index) == sorted(c for c, r in reference_rows("indicators").items() if r["kind"] == "change")
    for code in frame.index:
        expected = raw.change(code, **of)
        assert frame.loc[code, "n_enterprises"] == expected["n"]
        assert frame.loc[code, "n_without_follow_up"] == expected["without_follow_up"]
        for key in (
            "change_pct",
            "baseline_sum",
            "follow_up_sum",
            "baseline_mean",
            "follow_up_mean",
            "improved_pct",
            "median_change",
            "median_change_pct",
        ):
            assert close(frame.loc[code, key], expected[key], tol=1e-6), (code, key)


def test_indicator_meta_follows_the_reference(demo_data_dir) -> None:
    frame = run("indicator_meta", Filters())
    rows = reference_rows("indicators")
    assert frame["code"].tolist() == list(rows)
    assert frame["unit"].tolist() == [r["unit"] for r in rows.values()]


@pytest.mark.parametrize(
    "name",
    [
        "overview_targets",
        "country_comparison",
        "enterprises_by_year",
        "training_by_year",
        "enterprises_by_sector",
        "enterprises_country_sector",
        "enterprise_list",
        "training_by_country_module",
        "modules_per_enterprise",
    ],
)
def test_nothing_matches(demo_data_dir, name: str) -> None:
    assert run(name, NOTHING, **(FULL_LIST if name == "enterprise_list" else {})).empty


def test_nothing_matches_keeps_code_rows_at_zero(demo_data_dir) -> None:
    sizes = run("enterprises_by_size", NOTHING)
    assert sizes["size_class"].tolist() == ["micro", "small", "medium", "large"]
    assert sizes["enterprises"].tolist() == [0, 0, 0, 0]
    modules = run("training_by_module", NOTHING)
    assert modules["module"].tolist() == list(reference_rows("modules"))
    assert modules["deliveries"].tolist() == [0] * len(modules)
    people = run("people_trained_by_role_sex", NOTHING)
    assert len(people) == 4 and people["people_trained"].fillna(0).tolist() == [0] * 4  # managers/workers x sex
    changes = run("outcome_changes", NOTHING)
    codes = [c for c, r in reference_rows("indicators").items() if r["kind"] == "change"]
    assert sorted(changes["indicator"]) == sorted(codes)
    assert changes["n_enterprises"].tolist() == [0] * len(codes)
