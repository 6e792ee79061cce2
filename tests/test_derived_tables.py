"""The per-enterprise tables written at build time hold exactly what the raw CSV files say (tests/oracle.py),
and the figures read through them equal the independent count, with and without a module filter."""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from score import db
from score.access import Scope
from score.filters import Filters
from tests.oracle import reference_rows
from tests.test_queries_oracle import oracle_filters

GROUPS = ("managers_female", "managers_male", "workers_female", "workers_male")
CHANGE = sorted(code for code, row in reference_rows("indicators").items() if row["kind"] == "change")
# Without a module filter the macros read the derived tables; with one they compute from the deliveries.
CASES = [
    Filters(),
    Filters(countries=("COL", "GHA"), sectors=("garments", "textiles")),
    Filters(phases=("I",), year_from=2010, year_to=2012),
    Filters(modules=("OSH",)),
    Filters(countries=("IDN",), modules=("QM", "WC")),
]


def _table(name: str) -> list[dict]:
    cursor = db.connection().cursor()
    try:
        frame = cursor.execute(f"SELECT * FROM {name}").df()
    finally:
        cursor.close()
    return frame.to_dict("records")


def test_enterprise_training_holds_each_enterprises_deliveries(raw) -> None:
    expected: dict[str, dict] = {}
    for t in raw.training:
        row = expected.setdefault(
            t["enterprise_id"],
            {"country": t["country"], "module_completions": 0, "participations": 0, "consultation_visits": 0}
            | dict.fromkeys(GROUPS, 0),
        )
        row["module_completions"] += 1
        row["participations"] += sum(int(t[g]) for g in GROUPS)
        row["consultation_visits"] += int(t["consultation_visits"])
        for g in GROUPS:
            row[g] = max(row[g], int(t[g]))
    got = {row.pop("enterprise_id"): row for row in _table("enterprise_training")}
    assert len(got) == len(expected) > 1000
    assert got == expected


def test_indicator_pair_holds_baseline_and_follow_up(raw) -> None:
    expected: dict[tuple[str, str], dict] = defaultdict(lambda: {"baseline": None, "follow_up": None})
    for r in raw.indicators:
        if r["indicator"] in CHANGE:
            expected[(r["enterprise_id"], r["indicator"])][r["period"]] = float(r["value"])
            expected[(r["enterprise_id"], r["indicator"])]["country"] = r["country"]
    expected = {k: v for k, v in expected.items() if v["baseline"] is not None}
    got = {
        (row["enterprise_id"], row["indicator"]): {
            "baseline": row["baseline"],
            "follow_up": None if math.isnan(row["follow_up"]) else row["follow_up"],
            "country": row["country"],
        }
        for row in _table("indicator_pair")
    }
    assert len(got) == len(expected) > 1000
    assert got == expected
    assert any(v["follow_up"] is None for v in got.values())  # enterprises lacking a follow-up are kept


def test_delivery_people_added_sums_to_people_trained_per_year_and_enterprise(raw) -> None:
    rows = _table("delivery_people_added")
    assert len(rows) == len(raw.training)
    per_year: dict[int, int] = defaultdict(int)
    per_enterprise: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GROUPS, 0))
    for row in rows:
        per_year[row["classroom_date"].year] += sum(int(row[g]) for g in GROUPS)
        for g in GROUPS:
            per_enterprise[row["enterprise_id"]][g] += int(row[g])
    assert dict(per_year) == {year: cell["people_trained"] for year, cell in raw.training_by_year().items()}
    largest: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GROUPS, 0))
    for t in raw.training:
        for g in GROUPS:
            largest[t["enterprise_id"]][g] = max(largest[t["enterprise_id"]][g], int(t[g]))
    assert dict(per_enterprise) == dict(largest)


@pytest.mark.parametrize("filters", CASES, ids=lambda f: str(f.to_query_params()) or "all")
def test_figures_through_the_derived_tables_equal_the_raw_files(raw, filters: Filters) -> None:
    of = oracle_filters(filters)
    hq = Scope.hq("t")
    kpis = db.run_query("overview_kpis", hq, filters).iloc[0]
    for key, value in raw.kpis(**of).items():
        assert kpis[key] == value, key
    by_country = db.run_query("country_comparison", hq, filters).set_index("country")
    for country, expected in raw.per_country(**{**of, "countries": set(by_country.index)}).items():
        for key in ("enterprises", "people_trained", "module_completions", "participations", "consultation_visits"):
            assert by_country.loc[country, key] == expected[key], (country, key)
    years = db.run_query("training_by_year", hq, filters).set_index("year")
    expected_years = raw.training_by_year(**of)
    assert sorted(years.index) == sorted(expected_years)
    for year, cell in expected_years.items():
        assert years.loc[year, "people_trained"] == cell["people_trained"], year
        assert years.loc[year, "deliveries"] == cell["deliveries"], year
    roles = db.run_query("people_trained_by_role_sex", hq, filters).set_index(["role", "sex"])
    for key, cell in raw.people_by_role_sex(**of).items():
        assert roles.loc[key, "people_trained"] == cell["people_trained"], key
    changes = db.run_query("outcome_changes", hq, filters).set_index("indicator")
    for code in CHANGE:
        expected = raw.change(code, **of)
        assert changes.loc[code, "n_enterprises"] == expected["n"]
        assert changes.loc[code, "n_without_follow_up"] == expected["without_follow_up"]
        assert math.isclose(changes.loc[code, "change_pct"], expected["change_pct"], rel_tol=1e-12)


def test_the_macros_read_the_derived_tables_unless_a_module_filter_is_set(demo_data_dir, raw, tmp_path: Path) -> None:
    """Emptying the tables in a copy of the version changes the unfiltered figures and not the module-filtered
    ones: the fast path is really taken, and the module path really computes from the deliveries."""
    copy = tmp_path / "emptied.duckdb"
    shutil.copy(db.current_path(), copy)
    con = duckdb.connect(str(copy))
    con.execute(
        "DELETE FROM enterprise_training; DELETE FROM delivery_people_added; DELETE FROM indicator_pair; "
        "DELETE FROM figures_by_group"
    )
    con.close()
    hq = Scope.hq("t")
    try:
        assert db.run_query("overview_kpis", hq, Filters(), path=copy).iloc[0]["enterprises"] == 0
        assert db.run_query("enterprises_by_year", hq, Filters(), path=copy)["enterprises"].sum() > 0
        assert db.run_query("people_trained_by_role_sex", hq, Filters(), path=copy)["people_trained"].sum() == 0
        assert db.run_query("training_by_year", hq, Filters(), path=copy)["people_trained"].sum() == 0
        assert db.run_query("outcome_changes", hq, Filters(modules=("OSH",)), path=copy)["n_enterprises"].sum() == 0
        module = Filters(modules=("OSH",))
        filtered = db.run_query("overview_kpis", hq, module, path=copy).iloc[0]
        for key, value in raw.kpis(**oracle_filters(module)).items():
            assert filtered[key] == value, key
    finally:
        db.release(copy)
