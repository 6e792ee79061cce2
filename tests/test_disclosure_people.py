"""Small people figures for the public (score.disclosure.PEOPLE_MIN): no shown figure is a lone contributor's exact
value, and a hidden part is not the total minus its shown sibling. Truth from the raw files (tests/oracle.py)."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest

from score import contract, db, disclosure
from score.access import Scope
from score.filters import Filters

# people columns of country_comparison -> per enterprise contribution, from its raw rows
ROLES = ("managers_female", "managers_male", "workers_female", "workers_male")
PEOPLE = (
    "workers_female", "workers_male", "workers_reached", "participations", "consultation_visits",
    "people_trained_female", "people_trained_male", "managers_trained", "workers_trained", "people_trained",
)  # fmt: skip


def _contributions(raw) -> dict[str, dict[str, dict[str, int]]]:
    """enterprise id -> column -> that enterprise's exact contribution (people trained: its largest group per role
    and sex across its modules, as tests/oracle.py counts them)."""
    largest: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ROLES, 0))
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for t in raw.training:
        e = t["enterprise_id"]
        for role in ROLES:
            largest[e][role] = max(largest[e][role], int(t[role]))
        out[e]["participations"] += sum(int(t[role]) for role in ROLES)
        out[e]["consultation_visits"] += int(t["consultation_visits"])
    for e, groups in largest.items():
        out[e]["people_trained_female"] = groups["managers_female"] + groups["workers_female"]
        out[e]["people_trained_male"] = groups["managers_male"] + groups["workers_male"]
        out[e]["managers_trained"] = groups["managers_female"] + groups["managers_male"]
        out[e]["workers_trained"] = groups["workers_female"] + groups["workers_male"]
        out[e]["people_trained"] = sum(groups.values())
    for row in raw.enterprises:
        out[row["enterprise_id"]]["workers_female"] = int(row["workers_female"])
        out[row["enterprise_id"]]["workers_male"] = int(row["workers_male"])
        out[row["enterprise_id"]]["workers_reached"] = int(row["workers_female"]) + int(row["workers_male"])
    return out


@pytest.fixture(scope="module")
def cells(demo_data_dir, raw) -> list[tuple[pd.Series, dict[str, list[int]]]]:
    """Every public country x sector cell (country_comparison per sector) with its enterprises' contributions."""
    contributions = _contributions(raw)
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in raw.enterprises:
        members[(row["country"], row["sector"])].append(row["enterprise_id"])
    out = []
    for sector in contract.code_list("sector"):
        shown = db.run_query("country_comparison", Scope.public(), Filters(sectors=(sector,)))
        for _, row in shown.iterrows():
            ids = members[(row["country"], sector)]
            columns = [c for c in shown.columns if c in PEOPLE]
            row = row.copy()
            row["sector"] = sector
            out.append((row, {c: [contributions[e][c] for e in ids] for c in columns}))
    return out


def test_no_public_people_figure_is_a_lone_contributors_exact_value(cells) -> None:
    lone = 0
    for row, contributions in cells:
        if row["suppressed"]:
            continue
        for column, values in contributions.items():
            nonzero = [v for v in values if v]
            if len(nonzero) != 1:
                continue
            lone += 1
            shown = row[column]
            assert pd.isna(shown) or int(shown) != nonzero[0], (row["country"], column, shown, nonzero)
    assert lone  # the demo set has such cells (a sector's only enterprise training women, ...)


def test_small_people_figures_are_hidden_with_their_sibling_parts(cells) -> None:
    hidden = 0
    for row, _ in cells:
        if row["suppressed"]:
            continue
        for column in [c for c in row.index if c in {p for pair in disclosure.PEOPLE_PARTS for p in pair}]:
            if pd.notna(row[column]):
                assert int(row[column]) >= disclosure.PEOPLE_MIN, (row["country"], column, row[column])
        for parts in disclosure.PEOPLE_PARTS:
            missing = [pd.isna(row[c]) for c in parts]
            assert all(missing) or not any(missing), (row["country"], parts)  # total - shown part = hidden part
            hidden += all(missing)
    assert hidden


def test_a_query_summing_one_part_without_its_sibling_is_refused() -> None:
    for parts in disclosure.PEOPLE_PARTS:
        disclosure.check_people_parts(["people_trained", *parts], "q.sql")
        with pytest.raises(ValueError, match="together"):
            disclosure.check_people_parts(["people_trained", parts[0]], "q.sql")
    for name in db.query_names():
        db.load_query(name)  # every query of queries/ sums its parts whole


def test_a_hidden_people_figure_reads_as_a_blank_where_the_pages_show_it(cells) -> None:
    """A hidden part is None, as a hidden row's figures are (pd.NA crashed the overview's women tiles)."""
    from score import tiles

    row = next(row for row, _ in cells if not row["suppressed"] and pd.isna(row["people_trained_female"]))
    assert row["people_trained_female"] is None
    kpis = db.run_query(
        "overview_kpis", Scope.public(), Filters(countries=(row["country"],), sectors=(row["sector"],))
    ).iloc[0]
    assert kpis["people_trained_female"] is None and kpis["people_trained_male"] is None
    trained = tiles.women_share_tiles(kpis)[1]
    assert trained.value is None or pd.isna(trained.value)  # drawn as "–"
    assert trained.note == "– women"


def test_an_export_says_why_a_people_figure_is_empty(cells) -> None:
    from score import exports

    row = next(row for row, _ in cells if not row["suppressed"] and pd.isna(row["people_trained_female"]))
    shown = db.run_query("country_comparison", Scope.public(), Filters(sectors=(row["sector"],)))
    table = exports.data_table(shown)
    assert disclosure.PEOPLE_HIDDEN not in table.columns  # bookkeeping, not data
    for (_, result), (_, exported) in zip(shown.iterrows(), table.iterrows(), strict=True):
        people_hidden = any(pd.isna(result[c]) for c in PEOPLE if c in shown.columns)
        if result["suppressed"]:
            assert exported[exports.HIDDEN_REASON] == exports.hidden_reason_text()
        elif people_hidden:  # an empty cell says why, like a hidden small cell
            assert exported[exports.HIDDEN_REASON] == exports.hidden_people_reason_text()
            assert str(disclosure.PEOPLE_MIN) in exported[exports.HIDDEN_REASON]
        else:
            assert pd.isna(exported[exports.HIDDEN_REASON])
    hq = exports.data_table(db.run_query("country_comparison", Scope.hq("hq"), Filters(sectors=(row["sector"],))))
    assert exports.HIDDEN_REASON not in hq.columns  # HQ sees every figure


def test_a_hidden_people_total_reads_as_hidden_against_its_target_never_0(demo_data_dir, monkeypatch) -> None:
    from score import exports

    monkeypatch.setattr(disclosure, "PEOPLE_MIN", 10**9)  # every public number of people is too small
    targets = db.run_query("overview_targets", Scope.public()).set_index("metric")
    for metric in ("workers_reached", "people_trained"):
        assert targets.loc[metric, "actual"] is None or pd.isna(targets.loc[metric, "actual"]), metric
        assert pd.isna(targets.loc[metric, "progress_pct"]), metric
    assert targets.loc["enterprises", "actual"] > 0 and targets.loc["enterprises", "progress_pct"] > 0
    reasons = exports.data_table(targets.reset_index()).set_index("metric")[exports.HIDDEN_REASON]
    assert reasons["people_trained"] == exports.hidden_people_reason_text() and pd.isna(reasons["enterprises"])
