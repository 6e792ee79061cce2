"""The Overview, Enterprises, Training and Outcomes pages as the public sees them: figures adjusted to
protect enterprises (score/disclosure.py) stay within the adjustment bound, small cells are hidden, a small or empty
selection is said in the same words and not drawn, and filters that match nothing say so.
"""

from __future__ import annotations

import pytest

from score.access import Scope
from tests.apptest import ENTERPRISES, OUTCOMES, OVERVIEW, TRAINING, open_page
from tests.formats import HIDDEN
from tests.pages import (
    ENTERPRISE_CASES,
    HQ,
    MIN_CELL,
    NOTHING,
    cell_key,
    charts_shown,
    check_adjusted,
    count_offset,
    country_sector_cells,
    empty_selection,
    enterprise_charts,
    infos,
    metrics,
    reference_labels,
    small_public_selection,
    table,
    tiles,
    to_filters,
)
from tests.query_cases import oracle_filters


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
    cells = country_sector_cells(raw, params)
    frame = table(at, "enterprise_summary_table")
    assert "enterprise_id" not in frame.columns and "Name" not in frame.columns
    rows = {cell_key(row): row for row in frame.to_dict("records")}
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
    assert charts_shown(at) >= enterprise_charts(raw, params)


# Public cases: none hidden; CP and OSH with 4 deliveries each (Ghana, one partner); CP 2 and HR 4 (Peru, garments).
TRAINING_PUBLIC_CASES = [
    {},
    {"countries": ["GHA"], "partners": ["Trades Union Congress"]},
    {"countries": ["PER"], "sectors": ["garments"]},
]


@pytest.mark.parametrize("params", TRAINING_PUBLIC_CASES, ids=lambda p: str(p) or "default")
def test_training_public_module_table_hides_small_cells(raw, params: dict) -> None:
    at = open_page(TRAINING, params)
    filters = oracle_filters(to_filters(params))
    modules = raw.by_module(**filters)
    frame = table(at, "modules_table")
    assert frame["Module"].tolist() == [reference_labels("module")[code] for code in modules]
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


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING])
def test_small_public_selection_is_hidden_not_drawn(raw, page: str) -> None:
    at = open_page(page, small_public_selection(raw))
    assert "Fewer than 5 enterprises" in infos(at)
    assert charts_shown(at) == 0
    assert not tiles(at)


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING])
def test_an_empty_public_selection_reads_like_a_small_one(raw, page: str) -> None:
    """Presence is not disclosed: none and 1-4 enterprises give the public the same words; HQ reads the truth."""
    small, empty = open_page(page, small_public_selection(raw)), open_page(page, empty_selection(raw))
    assert "Fewer than 5 enterprises match the current filters, possibly none" in infos(small)
    assert infos(empty) == infos(small)
    assert charts_shown(empty) == 0 and not tiles(empty)
    hq = open_page(page, empty_selection(raw), HQ)
    assert "No " in infos(hq) and "possibly none" not in infos(hq)  # e.g. "No enterprises match ..."


def test_small_public_selection_outcomes(raw) -> None:
    at = open_page(OUTCOMES, small_public_selection(raw))
    frame = table(at, "outcomes_table")
    assert set(frame["n"]) <= {HIDDEN, "0"}
    assert "Baseline" in frame.columns and set(frame["Baseline"]) == {HIDDEN}


@pytest.mark.parametrize("page", [OVERVIEW, ENTERPRISES, TRAINING, OUTCOMES])
def test_filters_matching_nothing_say_so(demo_data_dir, page: str) -> None:
    at = open_page(page, NOTHING, Scope.hq("tests"))
    assert charts_shown(at) == 0
    assert "No " in infos(at), infos(at)


@pytest.mark.parametrize("page", ["views/map.py", "views/logframe.py", OUTCOMES])
@pytest.mark.parametrize("viewer", ["public", "hq"])
def test_a_link_that_empties_the_view_names_the_filter_and_one_with_enterprises_says_nothing(
    demo_data_dir, page, viewer
) -> None:
    """Pages without headline figures: the notice follows the enterprises under the link (the sidebar's options know
    when there are some; otherwise the headline count is asked)."""
    scope = Scope.public() if viewer == "public" else Scope.hq("tests")
    emptied = open_page(page, NOTHING, scope)
    notice = " ".join(w.value for w in emptied.warning)
    said = "fewer than 5 (possibly none)" if viewer == "public" else "No enterprises:"  # presence not disclosed
    assert said in notice and "Phase I" in notice, notice
    for link in ({"countries": ["COL"], "year_from": "2011"}, {"sectors": ["garments"]}):
        shown = open_page(page, link, scope)
        assert not [w.value for w in shown.warning if "enterprises" in w.value and "Demo data" not in w.value]


def test_a_link_to_years_without_data_opens_every_year_with_a_notice(raw) -> None:
    # ?year_to=<before the first year> set the year slider to a range outside its own limits: Streamlit's error page.
    years = sorted({int(e["joined_on"][:4]) for e in raw.enterprises})
    before, after = years[0] - 3, years[-1] + 3
    for params, dropped in (({"year_to": before}, f"year_to={before}"), ({"year_from": after}, f"year_from={after}")):
        at = open_page(OVERVIEW, params)
        assert at.sidebar.slider[0].value == (years[0], years[-1])
        assert dropped in infos(at)
        assert tiles(at)  # every year's figures, not an empty page
