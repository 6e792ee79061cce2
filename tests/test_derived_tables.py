"""The derived tables written at build time (per enterprise, and per group of alike enterprises for every delivery
and for each module) hold exactly what the raw CSV files say (tests/oracle.py), and the figures read through them
equal the independent count: without a module filter, with one module (the per-module rows) and with two or more
(computed from the deliveries)."""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from score import db
from score.access import Scope
from score.filters import Filters
from tests.oracle import reference_rows
from tests.query_cases import oracle_filters

GROUPS = ("managers_female", "managers_male", "workers_female", "workers_male")
CHANGE = sorted(code for code, row in reference_rows("indicators").items() if row["kind"] == "change")
SHARE = sorted(code for code, row in reference_rows("indicators").items() if row["kind"] == "share")
MODULES = list(reference_rows("modules"))
# Without a module filter or with one module the macros read the derived tables; with two or more they compute from
# the deliveries.
CASES = [
    Filters(),
    Filters(countries=("COL", "GHA"), sectors=("garments", "textiles")),
    Filters(phases=("I",), year_from=2010, year_to=2012),
    Filters(modules=("OSH",)),
    Filters(modules=("HR",), countries=("CHN", "ZAF"), phases=("II",)),
    Filters(modules=("WC",), sectors=("garments",), year_from=2011, year_to=2014),
    Filters(countries=("IDN",), modules=("QM", "WC")),
    Filters(provinces=("Antioquia", "Greater Accra")),
    Filters(provinces=("West Java",), modules=("CP",)),
    Filters(provinces=("Lima",), modules=("HR", "OSH")),
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
            | dict.fromkeys(GROUPS, 0)
            | dict.fromkeys((f"participations_{g}" for g in GROUPS), 0),
        )
        row["module_completions"] += 1
        row["participations"] += sum(int(t[g]) for g in GROUPS)
        row["consultation_visits"] += int(t["consultation_visits"])
        for g in GROUPS:
            row[g] = max(row[g], int(t[g]))
            row[f"participations_{g}"] += int(t[g])
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
    # stored in key order, as its macro's pair_order ranks them (the files list an enterprise's indicators otherwise)
    stored = [(row["enterprise_id"], row["indicator"]) for row in _table("indicator_pair")]
    listed = [(r["enterprise_id"], r["indicator"]) for r in raw.indicators if r["period"] == "baseline"]
    assert stored == sorted(stored) and [key for key in listed if key in got] != stored
    # each row carries its enterprise's filter attributes (indicator_change filters them without a join)
    attributes = {
        e["enterprise_id"]: (e["sector"], e["phase"], e["partner"] or None, int(e["joined_on"][:4]))
        for e in raw.enterprises
    }
    for row in _table("indicator_pair"):
        shown = (row["sector"], row["phase"], row["partner"] or None, row["join_year"])
        assert shown == attributes[row["enterprise_id"]], row["enterprise_id"]
    # and its modules as bits, bit i for the i-th module in reference order (the module filter's arithmetic)
    ordered = sorted(reference_rows("modules").items(), key=lambda item: (int(item[1]["order"]), item[0]))
    bit = {code: 1 << position for position, (code, _) in enumerate(ordered)}
    modules_bits: dict[str, int] = defaultdict(int)
    for t in raw.training:
        modules_bits[t["enterprise_id"]] |= bit[t["module"]]
    pairs = _table("indicator_pair")
    assert {row["module_bits"] for row in pairs} - {0} and len(set(bit.values())) == len(MODULES) > 1
    # and whether the follow-up moved in the indicator's better direction (none without a follow-up)
    lower = {code for code, row in reference_rows("indicators").items() if row["direction"] == "lower"}
    for row in pairs:
        assert row["module_bits"] == modules_bits[row["enterprise_id"]], row["enterprise_id"]
        moved = row["follow_up"] - row["baseline"]
        better = None if math.isnan(row["follow_up"]) else (moved < 0 if row["indicator"] in lower else moved > 0)
        assert (None if pd.isna(row["improved"]) else bool(row["improved"])) == better, row
    assert {row["improved"] for row in pairs if not pd.isna(row["improved"])} == {True, False}


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
        assert years.loc[year, "n_enterprises"] == cell["n_enterprises"], year
        assert years.loc[year, "participations"] == cell["participations"], year
    roles = db.run_query("people_trained_by_role_sex", hq, filters).set_index(["role", "sex"])
    for key, cell in raw.people_by_role_sex(**of).items():
        assert roles.loc[key, "people_trained"] == cell["people_trained"], key
        assert roles.loc[key, "participations"] == cell["participations"], key
    trained = {t["enterprise_id"] for t in raw.training if not of["modules"] or t["module"] in of["modules"]}
    assert set(roles["n_enterprises"]) == {len(raw.enterprise_ids(**of) & trained)}
    deliveries = db.run_query("training_by_country_module", hq, filters)
    assert {(r.country, r.module): r.deliveries for r in deliveries.itertuples()} == raw.deliveries_by_country_module(
        **of
    )
    by_module = db.run_query("satisfaction_by_module", hq, filters).set_index("module")
    modules = db.run_query("training_by_module", hq, filters).set_index("module")  # read from `delivery`
    for module, cell in raw.by_module(**of).items():
        for key in ("deliveries", "participations", "consultation_visits"):
            assert modules.loc[module, key] == cell[key], (module, key)
        if cell["deliveries"]:
            assert modules.loc[module, "median_days_to_classroom"] == cell["median_days_to_classroom"], module
        assert by_module.loc[module, "n_satisfaction"] == cell["n_satisfaction"], module
        if cell["n_satisfaction"]:
            assert math.isclose(by_module.loc[module, "satisfaction_mean"], cell["satisfaction_mean"], rel_tol=1e-12)
    taken = db.run_query("modules_per_enterprise", hq, filters)
    assert dict(zip(taken["n_modules"], taken["enterprises"], strict=True)) == raw.modules_per_enterprise(**of)
    shares = db.run_query("outcome_shares", hq, filters).set_index("indicator")
    for code in SHARE:
        n, pct = raw.share(code, **of)
        assert shares.loc[code, "n_enterprises"] == n, code
        if n:
            assert math.isclose(shares.loc[code, "share_pct"], pct, rel_tol=1e-12), code
        else:
            assert pd.isna(shares.loc[code, "share_pct"]), code
    changes = db.run_query("outcome_changes", hq, filters).set_index("indicator")
    for code in CHANGE:
        expected = raw.change(code, **of)
        assert changes.loc[code, "n_enterprises"] == expected["n"]
        assert changes.loc[code, "n_without_follow_up"] == expected["without_follow_up"]
        assert math.isclose(changes.loc[code, "change_pct"], expected["change_pct"], rel_tol=1e-12)


@pytest.mark.parametrize("module", [None, *MODULES])
def test_group_tables_add_up_to_the_raw_files_for_every_module(demo_data_dir, raw, module: str | None) -> None:
    """The rows of each *_by_group table for one `module` (NULL: every delivery) add up to the oracle's figures
    under that module filter, country by country."""
    modules = None if module is None else {module}
    params = {"module": module}
    cursor = db.connection().cursor()
    try:
        figures = cursor.execute(
            "SELECT country, sum(enterprises), sum(workers), sum(module_completions), sum(participations), "
            "sum(managers_female + managers_male + trained_workers_female + trained_workers_male), "
            "sum(trained_enterprises) FROM figures_by_group WHERE module IS NOT DISTINCT FROM $module GROUP BY country",
            params,
        ).fetchall()
        years = cursor.execute(
            "SELECT year, sum(n_enterprises), sum(deliveries), sum(people_trained) FROM training_year_by_group "
            "WHERE module IS NOT DISTINCT FROM $module GROUP BY year",
            params,
        ).fetchall()
        taken = cursor.execute(
            "SELECT n_modules, sum(enterprises) FROM modules_taken_by_group WHERE module IS NOT DISTINCT FROM $module "
            "GROUP BY n_modules",
            params,
        ).fetchall()
        shares = cursor.execute(
            "SELECT indicator, sum(n_enterprises), sum(n_yes) FROM share_by_group "
            "WHERE module IS NOT DISTINCT FROM $module GROUP BY indicator",
            params,
        ).fetchall()
    finally:
        cursor.close()
    assert len(figures) == len(raw.countries())
    for country, enterprises, workers, completions, participations, people, trained in figures:
        expected = raw.kpis(modules=modules, countries={country})
        assert (enterprises, workers, completions, participations, people) == (
            expected["enterprises"],
            expected["workers_reached"],
            expected["module_completions"],
            expected["participations"],
            expected["people_trained"],
        ), country
        with_deliveries = {t["enterprise_id"] for t in raw.training if not modules or t["module"] in modules}
        assert trained == len(raw.enterprise_ids(countries={country}) & with_deliveries), country
    expected_years = raw.training_by_year(modules=modules)
    assert {year: (n, d, p) for year, n, d, p in years} == {
        year: (cell["n_enterprises"], cell["deliveries"], cell["people_trained"])
        for year, cell in expected_years.items()
    }
    assert dict(taken) == raw.modules_per_enterprise(modules=modules)
    ids = raw.enterprise_ids(modules=modules)
    answers = [r for r in raw.indicators if r["enterprise_id"] in ids and r["period"] == "follow_up"]
    assert {indicator: (n, yes) for indicator, n, yes in shares} == {
        code: (
            sum(1 for r in answers if r["indicator"] == code),
            sum(1 for r in answers if r["indicator"] == code and float(r["value"]) == 1),
        )
        for code in SHARE
    }


def test_the_macros_read_the_derived_tables_unless_two_modules_are_chosen(demo_data_dir, raw, tmp_path: Path) -> None:
    """Emptying the tables in a copy of the version changes the figures without a module filter and with one module,
    not those of two modules: the fast path is really taken, and the other really computes from the deliveries."""
    copy = tmp_path / "emptied.duckdb"
    shutil.copy(db.current_path(), copy)
    con = duckdb.connect(str(copy))
    con.execute(
        "DELETE FROM enterprise_training; DELETE FROM delivery_people_added; DELETE FROM indicator_pair; "
        "DELETE FROM figures_by_group; DELETE FROM training_year_by_group; DELETE FROM share_by_group; "
        "DELETE FROM delivery_by_group; DELETE FROM modules_taken_by_group; DELETE FROM delivery"
    )
    con.close()
    hq = Scope.hq("t")
    try:
        for read in (Filters(), Filters(modules=("OSH",))):
            assert db.run_query("overview_kpis", hq, read, path=copy).iloc[0]["enterprises"] == 0
            assert db.run_query("people_trained_by_role_sex", hq, read, path=copy)["n_enterprises"].sum() == 0
            assert db.run_query("training_by_year", hq, read, path=copy).empty
            assert db.run_query("outcome_shares", hq, read, path=copy)["n_enterprises"].sum() == 0
            assert db.run_query("outcome_changes", hq, read, path=copy)["n_enterprises"].sum() == 0
            assert db.run_query("modules_per_enterprise", hq, read, path=copy).empty
            assert db.run_query("enterprises_by_year", hq, read, path=copy).empty
            assert db.run_query("enterprises_by_sector", hq, read, path=copy).empty
        for read in (Filters(), Filters(modules=("OSH",)), Filters(modules=("OSH", "QM"))):  # every module filter
            assert db.run_query("training_by_country_module", hq, read, path=copy).empty
        for read in (Filters(), Filters(modules=("OSH",))):  # the deliveries read from `delivery`
            assert db.run_query("training_by_module", hq, read, path=copy)["deliveries"].sum() == 0
        assert db.run_query("enterprises_by_size", hq, Filters(), path=copy)["enterprises"].sum() > 0  # rows kept
        assert db.run_query("people_trained_by_role_sex", hq, Filters(), path=copy)["people_trained"].sum() == 0
        two = Filters(modules=("OSH", "QM"))
        of = oracle_filters(two)
        filtered = db.run_query("overview_kpis", hq, two, path=copy).iloc[0]
        for key, value in raw.kpis(**of).items():
            assert filtered[key] == value, key
        years = db.run_query("training_by_year", hq, two, path=copy).set_index("year")
        assert years["people_trained"].to_dict() == {
            y: c["people_trained"] for y, c in raw.training_by_year(**of).items()
        }
        roles = db.run_query("people_trained_by_role_sex", hq, two, path=copy).set_index(["role", "sex"])
        assert roles["people_trained"].to_dict() == {
            k: c["people_trained"] for k, c in raw.people_by_role_sex(**of).items()
        }
        by_year = db.run_query("enterprises_by_year", hq, two, path=copy)
        assert by_year["enterprises"].sum() == raw.kpis(**of)["enterprises"]
        modules = db.run_query("training_by_module", hq, two, path=copy).set_index("module")  # joined again
        for module, cell in raw.by_module(**of).items():
            assert modules.loc[module, "deliveries"] == cell["deliveries"], module
        taken = db.run_query("modules_per_enterprise", hq, two, path=copy)
        assert dict(zip(taken["n_modules"], taken["enterprises"], strict=True)) == raw.modules_per_enterprise(**of)
        shares = db.run_query("outcome_shares", hq, two, path=copy).set_index("indicator")
        assert shares["n_enterprises"].to_dict() == {code: raw.share(code, **of)[0] for code in SHARE}
    finally:
        db.release(copy)


def test_noisy_tables_written_from_their_main_rows_equal_their_macros_over_the_noisy_rows(demo_data_dir) -> None:
    """score.build.NOISY_FROM_MAIN: the noisy indicator_pair is written from main's (each value moved by its
    enterprise's share) rather than grouped again from the noisy indicator values; the rows are the same bit for bit
    and in the same stored order as the macro writes them from the noisy rows."""
    from score import build

    assert build.NOISY_FROM_MAIN
    con = duckdb.connect(str(db.current_path()), read_only=True)
    try:
        countries = [row[0] for row in con.execute("SELECT country FROM country_dataset ORDER BY 1").fetchall()]
        con.execute("SET search_path = 'noisy,main'")
        for table in build.NOISY_FROM_MAIN:
            [definition] = [s for s in build.DERIVED_TABLES if build._target(s) == table]
            select = definition[definition.index("SELECT") :]
            expected = con.execute(select, {"countries": countries}).df()
            stored = con.execute(f"SELECT * FROM noisy.{table}").df()
            assert len(stored) > 1000
            pd.testing.assert_frame_equal(stored, expected[list(stored.columns)], check_exact=True, obj=table)
            # and the values did move: this is the noisy table, not main's
            main = con.execute(f"SELECT * FROM main.{table}").df()
            assert not main["baseline"].equals(stored["baseline"])
    finally:
        con.close()


def test_main_group_tables_written_from_their_noisy_rows_equal_their_macros_over_the_main_rows(
    demo_data_dir, tmp_path: Path
) -> None:
    """score.build.MAIN_FROM_NOISY: share_by_group and modules_taken_by_group are grouped once, from the noisy rows,
    and main's rows are those with each sum of record keys cut to its low part; they are the rows (bit for bit, in
    stored order) that the macros write from main's own rows, and the noisy ones still carry the count offsets."""
    from score import build

    assert build.MAIN_FROM_NOISY
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(db.current_path(), copy)
    con = duckdb.connect(str(copy))
    try:
        countries = [row[0] for row in con.execute("SELECT country FROM country_dataset ORDER BY 1").fetchall()]
        stored = {
            table: con.execute(f"SELECT * FROM main.{table} ORDER BY rowid").df() for table in build.MAIN_FROM_NOISY
        }
        for table in build.MAIN_FROM_NOISY:
            con.execute(f"DELETE FROM main.{table}")
        others = [build._target(s) for s in build.DERIVED_TABLES] + [
            table for table in build.GROUP_TABLES if table not in build.MAIN_FROM_NOISY
        ]
        build.write_derived_tables(con, countries, skip=others)  # the macros over main's rows, as before
        for table, keys in build.MAIN_FROM_NOISY.items():
            expected = con.execute(f"SELECT * FROM main.{table} ORDER BY rowid").df()
            assert len(expected) > 1000
            pd.testing.assert_frame_equal(stored[table], expected, check_exact=True, obj=table)
            noisy = con.execute(f"SELECT * FROM noisy.{table} ORDER BY rowid").df()
            assert not noisy[keys[0]].equals(expected[keys[0]])  # the noisy sums carry the count offsets
            pd.testing.assert_frame_equal(noisy.drop(columns=list(keys)), expected.drop(columns=list(keys)))
    finally:
        con.close()


def test_module_scopes_refuse_a_repeated_delivery_of_a_module(demo_data_dir, tmp_path: Path) -> None:
    """The module scopes take an enterprise's one delivery of a module as its figures there (schema.sql, "Scopes"):
    rows that repeat (enterprise_id, module), the contract's key, stop the derived tables instead of counting twice."""
    from score import build

    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(db.current_path(), copy)
    con = duckdb.connect(str(copy))
    try:
        countries = [row[0] for row in con.execute("SELECT country FROM country_dataset ORDER BY 1").fetchall()]
        con.execute("DELETE FROM figures_by_group; DELETE FROM training_year_by_group")
        con.execute("INSERT INTO training SELECT * FROM training WHERE country = $c LIMIT 1", {"c": countries[-1]})
        with pytest.raises(RuntimeError, match="enterprise_id, module"):
            build.write_derived_tables(con, countries, skip=build.NOISY_TABLES)
        assert con.execute("SELECT count(*) FROM figures_by_group").fetchall() == [(0,)]  # nothing written
    finally:
        con.close()
