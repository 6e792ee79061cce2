"""Who sees what: every role x every named query x own / other / several countries (direct calls to the query
layer), every role that could see too much x every page (AppTest), and small-cell suppression (exactly the
cells of 1-4 enterprises are hidden)."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from score import contract, db
from score.access import Scope
from score.access import suppress_small_cells as suppress_columns
from score.filters import Filters
from tests.apptest import rendered_text, walk

MIN_CELL = 5  # DESIGN.md: cells of fewer than 5 enterprises are never shown to the public (not read from the code)

REPO = Path(__file__).resolve().parent.parent
COUNTRIES = contract.code_list("country")
ENTERPRISE_COLUMNS = {"enterprise_id", "name", "latitude", "longitude"}

SCOPES = {
    "public": Scope.public(),
    "country_COL": Scope.country("col-user", {"COL"}),
    "country_GHA": Scope.country("gha-user", {"GHA"}),
    "hq": Scope.hq("hq-user"),
    "nothing": Scope.nothing(),
}
# Plausible values for query parameters beyond the seven filters (a new one must be added here).
EXTRA_PARAMS = {
    "indicator": ["accidents", "good_practices_adopted"],
    "max_cells": [5000],
    "cell": [0.0069, 0.0005],
    "period_end": [None],
    "search": [None, "a"],
    "limit": [None],
    "country_filter": [None, ["COL", "GHA"]],  # filter_options: the country and region filters as its parameters
    "region_countries": [None, ["BOL", "COL", "PER"]],
}


def _param_sets(name: str) -> list[dict[str, object]]:
    extra = sorted(db.load_query(name).params - set(db.FILTER_PARAMS))
    missing = [p for p in extra if p not in EXTRA_PARAMS]
    assert not missing, f"{name}: add plausible values for {missing} to EXTRA_PARAMS"
    return [dict(zip(extra, values, strict=True)) for values in product(*(EXTRA_PARAMS[p] for p in extra))]


def _country_filters() -> list[Filters]:
    """No filter; each country user's own country; two countries that are no one's own (one in the same region as
    COL, one elsewhere); both own countries; one own with one other. (Every other country is read the same way as
    PER and VNM: the full list cost the suite a minute.)"""
    groups = [("COL",), ("GHA",), ("PER",), ("VNM",), ("COL", "GHA"), ("COL", "PER")]
    assert {c for group in groups for c in group} <= set(COUNTRIES)
    return [Filters(), *(Filters(countries=group) for group in groups)]


def _row_countries(frame: pd.DataFrame) -> pd.Series:
    if "country" in frame.columns:
        return frame["country"].astype(str)
    if "enterprise_id" in frame.columns:
        return frame["enterprise_id"].astype(str).str[:3]
    raise AssertionError("enterprise-level rows need a country or enterprise_id column to be checked")


# The own countries of the country users in SCOPES, written out (not read back from the Scope under test).
OWN_COUNTRIES = {"col-user": {"COL"}, "gha-user": {"GHA"}}


def _expected_suppression(scope: Scope, filters: Filters) -> bool:
    """The rule restated without Filters.countries_within or Scope: figures are exact for HQ, and for country staff
    when every country read is their own; the public and everything else gets small cells suppressed."""
    assert not filters.regions, "the matrix filters by country only"
    if scope.role in ("hq", "none"):  # "none" reads nothing at all (checked separately)
        return False
    read = set(filters.countries) or set(COUNTRIES)  # the public and country staff may aggregate every country
    return not read <= OWN_COUNTRIES.get(scope.user or "", set())


def check_frame(name: str, scope: Scope, filters: Filters, frame: pd.DataFrame) -> None:
    query = db.load_query(name)
    columns = set(frame.columns)
    if query.access == "reference":
        assert not columns & {"enterprise_id", "name"}, f"{name}: a reference query returns enterprise columns"
        return
    if query.access == "aggregate":
        leaked = columns & {"enterprise_id", "name"}
        assert not leaked, f"{name}: aggregate query returns enterprise-level columns {leaked}"
        coordinates = columns & {"latitude", "longitude"}
        assert coordinates <= set(query.suppress_values), f"{name}: coordinates must be suppressed with the count"
    if (query.access == "detail" or columns & ENTERPRISE_COLUMNS) and len(frame):
        outside = set(_row_countries(frame)) - scope.detail_countries
        assert not outside, f"{name} for {scope.role}: enterprise rows of {sorted(outside)}"
        if filters.countries:
            assert set(_row_countries(frame)) <= set(filters.countries)
    if scope.role == "none" and query.access != "reference":
        if query.suppress_count:
            counts = pd.to_numeric(frame[query.suppress_count], errors="coerce").fillna(0)
            assert (counts == 0).all(), f"{name}: the empty scope read data"
        else:
            assert frame.empty, f"{name}: the empty scope read data"
    if query.access == "aggregate" and query.suppress_count:
        counts = pd.to_numeric(frame[query.suppress_count], errors="coerce")
        if _expected_suppression(scope, filters):
            small = counts.between(1, MIN_CELL - 1)
            assert not small.any(), f"{name} for {scope.role} {filters}: counts {counts[small].tolist()} shown"
            assert "suppressed" in frame.columns
            hidden = frame[frame["suppressed"]]
            for column in [query.suppress_count, *query.suppress_values]:
                if column in hidden.columns:
                    assert hidden[column].isna().all(), f"{name}: {column} shown on a suppressed row"
        else:  # HQ, or country staff reading only their own countries: exact figures
            assert "suppressed" not in frame.columns or not frame["suppressed"].any(), f"{name} {scope.role} {filters}"


@pytest.fixture(scope="module")
def database(demo_data_dir: Path) -> Path:
    return db.current_path()


class Reads:
    """`db.run_query` of one query, run once per distinct reading: run_query is `db._reading` (the parameters,
    protection, version and search path a scope and filters give), the statement, then `db._as_viewer_sees`, so
    two cases that `_reading` reads alike get the same frame. Most cases repeat (the empty scope under every
    filter, a country user's detail query under other countries' filters): 3,444 runs were 1,890 readings. A
    break in `_reading` changes its key and the case is run; a break after it shows in every frame."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.frames: dict[tuple[object, ...], pd.DataFrame] = {}

    def run(self, scope: Scope | None, filters: Filters, **params: object) -> pd.DataFrame:
        values, protect, resolved, reading = db._reading(db.load_query(self.name), scope, filters, None)
        key = (repr(sorted({**values, **params}.items())), protect, resolved, reading)
        if key not in self.frames:
            self.frames[key] = db.run_query(self.name, scope, filters, **params)
        return self.frames[key]


@pytest.mark.parametrize("name", db.query_names())
def test_every_query_under_every_scope(database: Path, name: str) -> None:
    reads = Reads(name)
    for (_, scope), filters, params in product(SCOPES.items(), _country_filters(), _param_sets(name)):
        frame = reads.run(scope, filters, **params)
        check_frame(name, scope, filters, frame)
        if scope.role == "none":
            assert frame.equals(reads.run(None, filters, **params)), "scope=None must equal nothing"


def _small_selections(raw) -> list[Filters]:
    """Filter combinations that select 1 to 4 enterprises in one country (where suppression matters)."""
    groups: dict[tuple[str, str, str], int] = {}
    for e in raw.enterprises:
        key = (e["country"], e["sector"], e["phase"])
        groups[key] = groups.get(key, 0) + 1
    chosen = [k for k, n in sorted(groups.items()) if 1 <= n < MIN_CELL]
    by_country: dict[str, tuple[str, str, str]] = {}
    for key in chosen:
        by_country.setdefault(key[0], key)
    return [Filters(countries=(c,), sectors=(s,), phases=(p,)) for c, s, p in by_country.values()]


# Each case's quiet seconds for tests/conftest.py's share-out (unmarked, a slow unit test counts 8: the module's 84
# cases were costed 672 s for ~58 s of work, so the worker given them got none of the other slow modules)
@pytest.mark.slow(0.5)
@pytest.mark.parametrize("name", db.query_names())
def test_small_selections_are_suppressed(database: Path, raw, name: str) -> None:
    selections = _small_selections(raw)
    assert selections, "the demo set should have some small country x sector x phase cells"
    reads = Reads(name)
    for filters in selections:
        for (_, scope), params in product(SCOPES.items(), _param_sets(name)):
            check_frame(name, scope, filters, reads.run(scope, filters, **params))


def test_kpi_tiles_blank_for_small_public_selection(database: Path, raw) -> None:
    filters = _small_selections(raw)[0]
    country = filters.countries[0]
    expected = len(raw.enterprise_ids(countries={country}, sectors=set(filters.sectors), phases=set(filters.phases)))
    assert 1 <= expected < MIN_CELL
    query = db.load_query("overview_kpis")
    for scope in (Scope.public(), Scope.country("x", {"ZAF" if country != "ZAF" else "COL"})):
        kpis = db.run_query("overview_kpis", scope, filters)
        assert bool(kpis.iloc[0]["suppressed"])
        for column in [query.suppress_count, *query.suppress_values]:
            assert pd.isna(kpis.iloc[0][column]), column
    own = db.run_query("overview_kpis", Scope.country("x", {country}), filters)
    assert own.iloc[0]["enterprises"] == expected
    assert db.run_query("overview_kpis", Scope.hq("x"), filters).iloc[0]["enterprises"] == expected


def test_callers_cannot_pass_the_scope_parameters(database: Path) -> None:
    for bad in ("countries", "sectors", "year_from"):
        with pytest.raises(ValueError):
            db.run_query("overview_kpis", Scope.public(), **{bad: ["COL"]})


def test_queries_without_scope_or_suppression_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "no_header": "SELECT 1",
        "agg_no_suppress": "-- access: aggregate\nSELECT count(*) AS n FROM filtered_enterprises($countries)",
        "agg_empty_suppress": "-- access: aggregate\n-- suppress: (nothing)\nSELECT 1 AS n, $countries",
        "detail_unscoped": "-- access: detail\nSELECT name FROM enterprise",
        "agg_unscoped": "-- access: aggregate\n-- suppress: n: x\nSELECT count(*) AS n FROM enterprise",
    }
    for name, sql in files.items():
        (tmp_path / f"{name}.sql").write_text(sql)
    monkeypatch.setattr(db.config, "QUERIES_DIR", tmp_path)
    db.load_query.cache_clear()
    try:
        for name in files:
            with pytest.raises(ValueError):
                db.load_query(name)
    finally:
        db.load_query.cache_clear()


# ---------------------------------------------------------------------------------------------- suppression


def suppress_small_cells(frame: pd.DataFrame, count_column: str, value_columns: list[str]) -> pd.DataFrame:
    """score.access.suppress_small_cells over a whole frame's columns."""
    return suppress_columns(dict(frame.items()), count_column, value_columns, frame.index)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 30), st.none()), min_size=1, max_size=12))
def test_exactly_the_small_cells_are_hidden(counts: list[int | None]) -> None:
    frame = pd.DataFrame({"indicator": [f"i{i}" for i in range(len(counts))], "n": counts, "value": range(len(counts))})
    after = suppress_small_cells(frame, "n", ["value"])
    small = [n is None or n < MIN_CELL for n in counts]  # none included (presence); a missing count too (fail closed)
    assert after["suppressed"].tolist() == small
    assert after.loc[after["suppressed"], ["n", "value"]].isna().all(axis=None)
    assert after.loc[~after["suppressed"], "value"].tolist() == [i for i, hide in enumerate(small) if not hide]


def test_suppression_examples() -> None:
    # Only the cells of 0-4 enterprises (an empty cell looks like a small one): no other row is hidden to protect
    # them (no secondary suppression).
    frame = pd.DataFrame({"sector": list("abcd"), "n": [3, 40, 7, 0], "value": [1.0, 2.0, 3.0, 4.0]})
    after = suppress_small_cells(frame, "n", ["value"])
    assert after["suppressed"].tolist() == [True, False, False, True]
    assert after["n"].tolist() == [None, 40, 7, None] and after["value"].tolist() == [None, 2.0, 3.0, None]
    # The threshold: 1 and 4 enterprises are hidden, 5 are shown, 0 is hidden too (it must read like 1-4).
    frame = pd.DataFrame({"indicator": list("abcde"), "n": [1, 4, 5, 60, 0], "value": [1, 2, 3, 4, 5]})
    assert suppress_small_cells(frame, "n", ["value"])["suppressed"].tolist() == [True, True, False, False, True]
    # A single row (a KPI tile) under the threshold: every value blank; values not named stay.
    kpi = pd.DataFrame({"n": [4], "value": [123], "label": ["x"]})
    row = suppress_small_cells(kpi, "n", ["value"]).iloc[0]
    assert row[["n", "value"]].isna().all() and row["label"] == "x"
    # Missing count: hidden (fail closed); missing count column: an error, not a silent pass.
    assert suppress_small_cells(pd.DataFrame({"n": [None, 50, 60], "value": [1, 2, 3]}), "n", ["value"])[
        "suppressed"
    ].tolist() == [True, False, False]
    with pytest.raises(ValueError):
        suppress_small_cells(kpi, "enterprises", ["value"])
    assert suppress_small_cells(kpi.iloc[0:0], "n", ["value"]).empty


# ---------------------------------------------------------------------------------------------- pages (AppTest)

# All countries, own and another country's for Colombian staff; all and another's for the public (it has no own);
# all for Ghanaian staff (the same code as Colombia's: its own and other filters would repeat them). HQ may see
# every enterprise (nothing to leak: its pages open in tests/e2e/test_accessibility.py and test_pages_signed_in.py); the
# empty scope reads nothing whatever the filter, so it is opened once.
PAGE_FILTERS = {"public": [None, "COL"], "country_COL": [None, "COL", "GHA"], "country_GHA": [None], "nothing": [None]}


def _page_files() -> list[str]:
    return sorted(f"views/{p.name}" for p in (REPO / "views").glob("*.py"))


@pytest.fixture(scope="module")
def names_by_country(demo_data_dir: Path) -> dict[str, set[str]]:
    from tests.oracle import RawData

    raw = RawData(demo_data_dir / "countries")
    names: dict[str, set[str]] = {}
    for e in raw.enterprises:
        names.setdefault(e["country"], set()).update({e["name"], e["enterprise_id"]})
    return names


# One session per role and filter walks every page (tests/apptest.walk: app.py run once, not once per page): the
# pages' runs were most of this module's time. Its quiet seconds, as above.
@pytest.mark.slow(6)
@pytest.mark.parametrize(("role", "country"), [(role, c) for role, filters in PAGE_FILTERS.items() for c in filters])
def test_pages_show_no_enterprise_outside_scope(
    demo_data_dir: Path, names_by_country: dict[str, set[str]], role: str, country: str | None
) -> None:
    from score.web import ui

    scope = SCOPES[role]
    pages = [p for p in _page_files() if p != "views/audit.py"]
    walked = []
    for page, at in walk(pages, scope, {"countries": country} if country else None):  # listed or not, it must hold
        walked.append(page)
        assert at.session_state[ui.SCOPE_KEY] == scope
        text = rendered_text(at)
        for other, names in names_by_country.items():
            if other in scope.detail_countries:
                continue
            leaked = sorted(n for n in names if n in text)
            assert not leaked, f"{page} as {role} (filter {country}): {other} enterprises shown: {leaked[:5]}"
    assert walked == pages
