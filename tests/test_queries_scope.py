"""What a query gives besides its figures: nothing without a scope, enterprise rows only for the countries a
viewer may see in detail, small groups hidden, plain-text search, and selections that match nothing.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from score import db
from score.access import Scope
from score.filters import Filters
from score.web.components.tables import SUMMARY_QUERY, enterprises_table_queries
from tests.oracle import reference_rows
from tests.query_cases import FULL_LIST, NOTHING, oracle_filters, run


def test_missing_scope_returns_nothing(demo_data_dir) -> None:
    assert db.run_query("overview_kpis", None).iloc[0]["enterprises"] == 0
    assert db.run_query("overview_kpis", Scope.nothing()).iloc[0]["enterprises"] == 0


def test_enterprise_list_only_for_detail_countries(demo_data_dir) -> None:
    assert db.run_query("enterprise_list", Scope.public(), **FULL_LIST).empty
    own = db.run_query("enterprise_list", Scope.country("col", {"COL"}), **FULL_LIST)
    assert len(own) and set(own["country"]) == {"COL"}
    # a page of the list: its first rows in the list's order, and the exact number of all it holds
    page = db.run_query("enterprise_list", Scope.country("col", {"COL"}), search=None, limit=7)
    assert page["enterprise_id"].tolist() == own["enterprise_id"].head(7).tolist()
    assert set(page["listed"]) == {len(own)}


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
    raise AssertionError("no small satisfaction cell in the demo set: the test checks nothing (pick other filters)")


def _plain(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()


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


@pytest.mark.parametrize("name, code", [("enterprises_by_sector", "sector"), ("enterprises_by_partner", "partner")])
def test_largest_first_results_are_ordered_by_the_figures_as_shown(demo_data_dir, name: str, code: str) -> None:
    """The public's bars largest first by the adjusted counts they print (ordered by the exact ones, a 29 stood
    above a 30 and told the exact ranking); ties by code, as the query file says."""
    for country in ("CHN", "COL", "GHA", None):
        filters = Filters(countries=(country,) if country else ())
        for scope in (Scope.public(), Scope.hq("hq")):
            shown = db.run_query(name, scope, filters)
            keys = list(zip(-shown["enterprises"].astype(float), shown[code].fillna("\uffff"), strict=True))
            assert len(keys) > 1 and keys == sorted(keys), (name, country, scope.role)


# The queries pages ask for together (ui.query_together), and the headline figures.
TOGETHER = [
    "country_comparison",
    "country_totals",
    "enterprises_by_partner",
    "enterprises_by_sector",
    "enterprises_by_size",
    "enterprises_by_year",
    "enterprises_country_sector",
    "modules_per_enterprise",
    "outcome_changes",
    "outcome_shares",
    "overview_kpis",
    "people_trained_by_role_sex",
    "satisfaction_by_module",
    "training_by_country_module",
    "training_by_module",
    "training_by_year",
]


@pytest.mark.parametrize(
    ("filters", "scopes"),
    [
        (
            Filters(countries=("COL", "IDN"), sectors=("garments",), year_from=2011, year_to=2016),
            (Scope.public(), Scope.hq("hq"), Scope.country("col", {"COL"})),
        ),
        (Filters(year_from=2034, year_to=2035), (Scope.public(),)),  # nothing matches: every result empty or zero
        (Filters(modules=("OSH", "QUA")), (Scope.public(),)),  # two modules: not schema stored's readers
    ],
)
def test_queries_run_together_give_what_each_gives_alone(demo_data_dir, filters: Filters, scopes) -> None:
    """One statement for several queries (db.run_queries): each frame as its own statement gives it, the same
    columns, dtypes, rows and order, for the public (perturbed, small cells hidden), HQ and a country user."""
    for scope in scopes:
        together = db.run_queries(TOGETHER, scope, filters)
        assert list(together) == TOGETHER
        for name in TOGETHER:
            # float sums of noisy values differ in their last bits between runs of one statement (two threads)
            pd.testing.assert_frame_equal(
                together[name], db.run_query(name, scope, filters), check_exact=False, rtol=1e-12, obj=name
            )


def test_the_enterprise_summary_runs_with_its_page_where_it_is_drawn_at_once() -> None:
    """The Enterprises page asks for its summary table with its other queries where that table is what it shows
    (no filtered country in detail), not where the enterprise list comes first."""
    public, hq, colombia = Scope.public(), Scope.hq("hq"), Scope.country("col", {"COL"})
    assert enterprises_table_queries(Filters(), public) == (SUMMARY_QUERY,)
    assert enterprises_table_queries(Filters(), hq) == ()
    assert enterprises_table_queries(Filters(), colombia) == ()
    assert enterprises_table_queries(Filters(countries=("IDN",)), colombia) == (SUMMARY_QUERY,)
    assert SUMMARY_QUERY in TOGETHER


def test_only_aggregate_queries_of_the_filters_run_together(demo_data_dir) -> None:
    for names in (["overview_kpis", "enterprise_list"], ["overview_kpis", "enterprise_cells"]):
        with pytest.raises(ValueError, match="only aggregate queries"):
            db.run_queries(names, Scope.public())
