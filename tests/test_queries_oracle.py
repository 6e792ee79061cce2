"""Every headline number from the SQL equals an independent count from the raw CSV files."""

from __future__ import annotations

import math

import pytest

from score import db
from score.access import Scope
from score.filters import Filters

FILTER_CASES = [
    Filters(),
    Filters(countries=("COL", "GHA")),
    Filters(sectors=("garments", "textiles"), year_from=2011, year_to=2014),
    Filters(phases=("II",), modules=("OSH", "QM")),
    Filters(regions=("Asia",)),
    # Partners, modules and single years: a dropped filter or an off-by-one in a year bound changes these counts.
    Filters(partners=("SENA", "VCCI")),
    Filters(countries=("GHA",), partners=("Trades Union Congress",), modules=("WC",)),
    Filters(modules=("CP",), year_from=2015, year_to=2015),
    Filters(year_from=2009, year_to=2009),
    Filters(year_from=2020),
    # Provinces: one alone, two of one country, and one with a module and another filter (the group tables' rows).
    Filters(provinces=("Antioquia",)),
    Filters(countries=("GHA",), provinces=("Ashanti", "Western")),
    Filters(provinces=("Gauteng", "Lima"), sectors=("garments", "food_beverages"), modules=("OSH",)),
]


def oracle_filters(f: Filters) -> dict:
    regions = {"Asia": {"CHN", "IND", "IDN", "VNM"}, "Africa": {"GHA", "ZAF"}, "Latin America": {"COL", "BOL", "PER"}}
    countries = set(f.countries) if f.countries else None
    if f.regions:
        in_regions = set().union(*(regions[r] for r in f.regions))
        countries = in_regions if countries is None else countries & in_regions
    return {
        "countries": countries,
        "provinces": set(f.provinces) or None,
        "sectors": set(f.sectors) or None,
        "phases": set(f.phases) or None,
        "partners": set(f.partners) or None,
        "modules": set(f.modules) or None,
        "year_from": f.year_from,
        "year_to": f.year_to,
    }


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


def test_missing_scope_returns_nothing(demo_data_dir) -> None:
    assert db.run_query("overview_kpis", None).iloc[0]["enterprises"] == 0
    assert db.run_query("overview_kpis", Scope.nothing()).iloc[0]["enterprises"] == 0
