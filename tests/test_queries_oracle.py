"""Every figure the SQL gives the pages equals an independent count from the raw CSV files (tests/oracle.py):
the Overview, Enterprises, Training and Outcomes queries under several filter combinations, read with the HQ scope
(nothing suppressed).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from score import db
from score.access import Scope
from score.filters import Filters
from tests.oracle import reference_rows
from tests.query_cases import FILTER_CASES, FULL_LIST, IDS, close, oracle_filters, run


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: str(f.to_query_params()) or "all")
def test_overview_kpis_match_raw_files(raw, filters: Filters) -> None:
    got = db.run_query("overview_kpis", Scope.hq("t"), filters).iloc[0]
    expected = raw.kpis(**oracle_filters(filters))
    assert expected["enterprises"] > 0
    for key, value in expected.items():
        assert got[key] == value, key


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: str(f.to_query_params()) or "all")
def test_outcomes_match_raw_files(raw, filters: Filters) -> None:
    shares = db.run_query("outcome_shares", Scope.hq("t"), filters).set_index("indicator")
    changes = db.run_query("outcome_changes", Scope.hq("t"), filters).set_index("indicator")
    of = oracle_filters(filters)
    for code in ("good_practices_adopted", "workplace_relations_improved", "cost_savings_reported"):
        n, pct = raw.share(code, **of)
        assert shares.loc[code, "n_enterprises"] == n
        assert math.isclose(shares.loc[code, "share_pct"], pct, abs_tol=1e-9)
    for code in ("accidents", "absenteeism", "defect_rate", "staff_turnover", "energy_use"):
        expected = raw.change(code, **of)
        assert changes.loc[code, "n_enterprises"] == expected["n"]
        assert changes.loc[code, "n_without_follow_up"] == expected["without_follow_up"]
        assert math.isclose(changes.loc[code, "change_pct"], expected["change_pct"], abs_tol=1e-9)


def test_phase_one_reproduces_published_figures(demo_data_dir) -> None:
    """The dashboard's own queries, on the demo set, give the published Phase I results (2009-Sep 2013)."""
    phase_one = Filters(phases=("I",))
    kpis = db.run_query("overview_kpis", Scope.hq("t"), phase_one).iloc[0]
    assert 300 <= kpis["enterprises"] <= 330
    assert 50_000 <= kpis["workers_reached"] <= 58_000
    assert kpis["people_trained"] >= 2_400
    shares = db.run_query("outcome_shares", Scope.hq("t"), phase_one).set_index("indicator")["share_pct"]
    assert 75 <= shares["good_practices_adopted"] <= 80
    assert 67 <= shares["workplace_relations_improved"] <= 73
    assert 40 <= shares["cost_savings_reported"] <= 50
    changes = db.run_query("outcome_changes", Scope.hq("t"), phase_one).set_index("indicator")["change_pct"]
    assert -18 <= changes["accidents"] <= -14
    assert -4.6 <= changes["absenteeism"] <= -2.6
    everything = db.run_query("overview_kpis", Scope.hq("t"), Filters()).iloc[0]
    assert everything["enterprises"] > kpis["enterprises"]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_enterprises_by_sector_country_size_year(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    cases = {
        "enterprises_by_sector": ("sector", "sector"),
        "country_comparison": ("country", "country"),
        "enterprises_by_size": ("size_class", raw.size_class),
        "enterprises_by_year": ("year", lambda e: int(e["joined_on"][:4])),
        "enterprises_by_partner": ("partner", "partner"),  # the country profile's partners chart
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


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_map_country_totals_match_raw_files(raw, filters: Filters) -> None:
    """The map's (and the deck's) figures per country: one row per country in the filters, 0 where none matches."""
    of = oracle_filters(filters)
    frame = run("country_totals", filters).set_index("country")
    others = {key: value for key, value in of.items() if key != "countries"}
    expected = raw.per_country(of["countries"] or set(raw.countries()), **others)
    assert sorted(frame.index) == sorted(expected)
    measures = ("enterprises", "workers_reached", "workers_female", "workers_male", "people_trained")
    for country, figures in expected.items():
        for measure in (*measures, "module_completions"):
            assert frame.loc[country, measure] == figures[measure], (country, measure)


@pytest.mark.parametrize("filters", FILTER_CASES, ids=IDS)
def test_data_quality_checks_match_raw_files(raw, filters: Filters) -> None:
    """The Data quality page's rows per check and country (its summary counts them) against the raw files."""
    expected = raw.quality_flags(**oracle_filters(filters))
    for check, per_country in expected.items():
        frame = run(check, filters)
        assert frame.groupby("country").size().to_dict() == per_country, check


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


def test_enterprise_list_page_counts_exactly(raw) -> None:
    for filters in FILTER_CASES:
        expected = raw._enterprises(**oracle_filters(filters))
        page = run("enterprise_list", filters, search=None, limit=3)
        assert len(page) == min(3, len(expected))
        assert page.empty or set(page["listed"]) == {len(expected)}


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
    assert frame["indicator"].tolist() == list(rows)
    assert frame["unit"].tolist() == [r["unit"] for r in rows.values()]
