"""The Country profile page (AppTest): from a link, filtered, for the public (no enterprise points), for
country staff (their own country first), and with a bad link or filters that match nothing.
"""

from __future__ import annotations

from score.access import Scope
from tests.apptest import open_page
from tests.formats import en_int
from tests.pages import (
    HQ,
    STATUS_LABELS,
    as_number,
    choropleth,
    deck_spec,
    layer,
    located,
    metric_values,
    shown_tables,
    status_counts,
    texts,
)


def test_country_profile_for_the_public_has_no_points(demo_data_dir, raw) -> None:
    at = open_page("views/country.py", params={"profile": "gha"})
    assert at.selectbox(key="profile_country").value == "GHA"
    spec = deck_spec(at)
    assert layer(spec, "enterprises") is None
    # adjusted figures: counts off by 2 at most, magnitudes by at most NOISE_MAX of themselves (score/disclosure.py)
    expected = raw.kpis(countries={"GHA"})
    shown = metric_values(at)
    assert abs(as_number(shown["Enterprises engaged"]) - expected["enterprises"]) <= 2
    assert abs(as_number(shown["Modules delivered"]) - expected["module_completions"]) <= 2
    for label, figure in (("Workers reached", "workers_reached"), ("People trained", "people_trained")):
        assert abs(as_number(shown[label]) - expected[figure]) <= 0.35 * expected[figure], label
    assert en_int(choropleth(spec)["GHA"]["value"]) == shown["Enterprises engaged"]  # the same cell, the same number


def test_country_profile_from_link_matches_oracle(demo_data_dir, raw) -> None:
    at = open_page("views/country.py", params={"profile": "gha"}, scope=HQ)
    assert at.selectbox(key="profile_country").value == "GHA"
    expected = raw.kpis(countries={"GHA"})
    shown = metric_values(at)
    assert shown["Enterprises engaged"] == en_int(expected["enterprises"])
    assert shown["Workers reached"] == en_int(expected["workers_reached"])
    assert shown["People trained"] == en_int(expected["people_trained"])
    assert shown["Modules delivered"] == en_int(expected["module_completions"])
    spec = deck_spec(at)
    props = choropleth(spec)["GHA"]
    assert props["value"] == expected["enterprises"]
    assert spec["initialViewState"]["zoom"] > 4  # zoomed to Ghana
    assert located(layer(spec, "enterprises")) == len(raw.located(countries={"GHA"}))  # HQ sees where they are
    # logframe: the latest report, every indicator with the oracle's status
    rows = raw.logframe_rows(countries={"GHA"})
    for code, count in status_counts(rows).items():
        assert shown[STATUS_LABELS[code]] == en_int(count)
    statuses = [s for t in shown_tables(at) if "Status" in t.columns for s in t["Status"]]
    assert sorted(statuses) == sorted(STATUS_LABELS[r["status"]] for r in rows)
    assert at.query_params["profile"] in (["GHA"], "GHA")
    # choosing another country wins over the link the page was opened with, and is written back to the URL
    at.selectbox(key="profile_country").select("VNM").run()
    assert not at.exception
    assert metric_values(at)["Enterprises engaged"] == en_int(raw.kpis(countries={"VNM"})["enterprises"])
    assert at.query_params["profile"] in (["VNM"], "VNM")


def test_country_profile_filtered_with_points(demo_data_dir, raw) -> None:
    filters = {"sectors": {"garments", "textiles"}, "year_from": 2010, "year_to": 2016}
    at = open_page(
        "views/country.py",
        params={"countries": ["COL"], "sectors": ["garments", "textiles"], "year_from": "2010", "year_to": "2016"},
        scope=HQ,
    )
    assert at.selectbox(key="profile_country").value == "COL"  # the one country of the global filter
    expected = raw.kpis(countries={"COL"}, **filters)
    shown = metric_values(at)
    assert shown["Enterprises engaged"] == en_int(expected["enterprises"])
    assert shown["Workers reached"] == en_int(expected["workers_reached"])
    assert located(layer(deck_spec(at), "enterprises")) == len(raw.located(countries={"COL"}, **filters))


def largest(raw, **filters) -> str:
    counts = {code: len(raw.enterprise_ids(countries={code}, **filters)) for code in raw.countries()}
    return max(sorted(counts), key=lambda code: counts[code])


def test_country_profile_bad_link_and_empty_filters(demo_data_dir, raw) -> None:
    at = open_page("views/country.py", params={"profile": "<b>XYZ</b>"})
    assert "not a known code and was ignored" in texts(at)
    assert "<b>" not in texts(at)
    assert at.selectbox(key="profile_country").value == largest(raw)  # the largest country, no error
    at = open_page("views/country.py", params={"profile": "PER", "phases": ["V"]}, scope=HQ)
    assert "No enterprises in Peru match the current filters" in texts(at)
    assert not at.get("plotly_chart")
    at = open_page("views/country.py", params={"profile": "PER", "phases": ["V"]})  # the public: as for 1-4
    assert "Fewer than 5 enterprises in Peru match the current filters, possibly none" in texts(at)
    assert not at.get("plotly_chart")


def test_country_profile_opens_on_the_largest_country_under_the_filters(demo_data_dir, raw) -> None:
    """Bolivia joined in phase II: under a phase I filter the profile opens on the largest phase I country,
    never on an empty one."""
    at = open_page("views/country.py", params={"phases": ["I"]}, scope=HQ)
    chosen = at.selectbox(key="profile_country").value
    assert chosen == largest(raw, phases={"I"}) and chosen != "BOL"
    assert metric_values(at)["Enterprises engaged"] == en_int(raw.kpis(countries={chosen}, phases={"I"})["enterprises"])


def test_country_profile_opens_on_the_viewers_own_country(demo_data_dir) -> None:
    at = open_page("views/country.py", scope=Scope.country("ghana", {"GHA"}))
    assert at.selectbox(key="profile_country").value == "GHA"
    assert at.query_params["profile"] in (["GHA"], "GHA")


def test_a_new_session_on_the_profile_runs_no_statement_for_its_first_country(demo_data_dir, raw, monkeypatch) -> None:
    """The first country (the largest under the filters) is read from the sidebar's counts of the same filters, not
    from a country_comparison run for it alone; the page's workbook still has that sheet (made on the click)."""
    from score import db
    from score.web import ui
    from tests.apptest import app, no_exception

    asked: list[str] = []
    run_query = db.run_query
    monkeypatch.setattr(db, "run_query", lambda name, *a, **k: asked.append(name) or run_query(name, *a, **k))
    at = app(params={"sectors": ["textiles"], "phases": ["II"], "year_from": "2012"}, scope=HQ)
    at.switch_page("views/country.py")  # opened first, as a shared link does (the overview would cache the query)
    no_exception(at.run())
    assert at.selectbox(key="profile_country").value == largest(
        raw, sectors={"textiles"}, phases={"II"}, year_from=2012
    )
    assert "country_comparison" not in asked and asked.count("filter_options") == 1
    assert ("country_comparison", (), None) in at.session_state[ui.PAGE_SHEETS_KEY]
