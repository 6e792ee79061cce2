"""The Map page (AppTest, default and filtered) against the csv-only oracle, and the map's parts (score.maps,
score.map_colours): the colour scale and legend, an offline deck with escaped tooltips, polygons that do not wrap;
the public gets no enterprise locations and hidden countries show no number.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib

import pandas as pd
import pytest
from pydeck.bindings.json_tools import default_serialize

from score import db, map_colours, maps
from score.access import Scope
from score.filters import Filters
from score.settings import REPO_ROOT
from tests.apptest import open_page
from tests.formats import en_int
from tests.pages import (
    COUNTRY_NAMES,
    HQ,
    MIN_CELL,
    check_adjusted,
    choropleth,
    count_offset,
    deck_spec,
    layer,
    located,
    texts,
)


def test_map_default_matches_oracle_and_is_offline(demo_data_dir, raw) -> None:
    expected = raw.per_country()
    shown = choropleth(deck_spec(open_page("views/map.py", scope=HQ)))
    assert set(shown) == set(expected)
    for iso3, props in shown.items():
        assert props["state"] == "shown"
        assert props["value"] == expected[iso3]["enterprises"]
        assert props["n"] == expected[iso3]["enterprises"]
        assert props["tt_title"] == COUNTRY_NAMES[iso3]
        assert props["tt_value"] == en_int(expected[iso3]["enterprises"])
        assert props["tt_note"] == f"n = {en_int(expected[iso3]['enterprises'])} enterprises"
    # the public: every country has at least 5 enterprises, so every one is shown with a number
    at = open_page("views/map.py")
    spec_text = at.get("deck_gl_json_chart")[0].proto.json
    spec = json.loads(spec_text)
    shown = choropleth(spec)
    assert set(shown) == set(expected) and min(e["enterprises"] for e in expected.values()) >= MIN_CELL
    for iso3, props in shown.items():  # adjusted by at most 2 (data/reference/ptable_counts.csv)
        assert props["state"] == "shown"
        assert abs(props["value"] - expected[iso3]["enterprises"]) <= 2, iso3
        assert props["n"] == props["value"]
        assert props["tt_title"] == COUNTRY_NAMES[iso3]
        assert props["tt_value"] == en_int(props["value"])
        assert props["tt_note"] == f"n = {en_int(props['value'])} enterprises"
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["html"] == maps.TOOLTIP
    # no basemap and nothing fetched from outside: no provider, no style URL, no http anywhere in the spec
    lowered = spec_text.lower()
    assert "mapbox" not in lowered and "carto" not in lowered and "http" not in lowered
    assert spec.get("mapProvider") is None
    # public viewer: no enterprise points, and the page says who sees them
    assert layer(spec, "enterprises") is None
    assert "shown to country staff and HQ only" in texts(at)
    # the legend is drawn next to the map
    assert any("Enterprises engaged" in h.proto.body for h in at.get("html"))


@pytest.mark.parametrize(
    ("metric", "column"),
    [("workers_reached", "workers_reached"), ("people_trained", "people_trained")],
)
def test_map_other_metrics_filtered_match_oracle(demo_data_dir, raw, metric: str, column: str) -> None:
    chosen = {"COL", "PER", "BOL"}
    at = open_page("views/map.py", params={"countries": sorted(chosen)}, scope=HQ, state={"map_metric": metric})
    shown = choropleth(deck_spec(at))
    expected = raw.per_country(countries=chosen)
    assert set(shown) == chosen
    for iso3, props in shown.items():
        assert props["value"] == expected[iso3][column]
        assert props["n"] == expected[iso3]["enterprises"]
        assert props["tt_value"] == en_int(expected[iso3][column])
    # the view is fitted to the selected countries (South America), not the world
    view = deck_spec(at)["initialViewState"]
    assert view["zoom"] > 2 and -80 < view["longitude"] < -57 and -23 < view["latitude"] < 13


@pytest.mark.parametrize("indicator", ["good_practices_adopted", "accidents"])
def test_map_share_improving_matches_oracle(demo_data_dir, raw, indicator: str) -> None:
    at = open_page(
        "views/map.py",
        params={"sectors": ["garments", "food_beverages"]},
        scope=HQ,
        state={"map_metric": "improving", "map_indicator": indicator},
    )
    shown = choropleth(deck_spec(at))
    assert set(shown) == set(COUNTRY_NAMES)  # every project country is drawn
    for iso3, props in shown.items():
        n, better = raw.improving(indicator, iso3, sectors={"garments", "food_beverages"})
        assert props["state"] == ("shown" if n else "no_data"), iso3
        if n:
            assert props["n"] == n, iso3
            assert math.isclose(props["value"], 100.0 * better / n, abs_tol=1e-9), iso3


@pytest.mark.parametrize("indicator", ["good_practices_adopted", "accidents"])
def test_map_share_improving_public_hides_small_countries(demo_data_dir, raw, indicator: str) -> None:
    filters = {"sectors": {"garments"}, "phases": {"II"}}  # Bolivia: 4 enterprises with answers
    at = open_page(
        "views/map.py",
        params={k: sorted(v) for k, v in filters.items()},
        state={"map_metric": "improving", "map_indicator": indicator},
    )
    shown = choropleth(deck_spec(at))
    assert set(shown) == set(COUNTRY_NAMES)
    counted = {iso3: raw.improving_ids(indicator, iso3, **filters)[0] for iso3 in shown}
    n = {iso3: len(ids) for iso3, ids in counted.items()}
    small = {iso3 for iso3, k in n.items() if k < MIN_CELL}  # none included: 0 looks like 1-4
    assert any(n[iso3] > 0 for iso3 in small), "the case needs a country with 1-4 enterprises"
    hidden = {iso3 for iso3, props in shown.items() if props["state"] == "suppressed"}
    assert hidden == small, (small, hidden)  # exactly the countries with 0-4 enterprises
    for iso3, props in shown.items():
        if iso3 in hidden:
            assert props["value"] is None and props["n"] is None and props["tt_value"] == "", iso3
        else:
            assert props["state"] == "shown" and props["value"] is not None, iso3
            check_adjusted(str(props["n"]), n[iso3], offset=count_offset(raw, counted[iso3]))  # adjusted: public


def test_map_public_suppression_is_hatched_and_hides_numbers(demo_data_dir, raw) -> None:
    at = open_page("views/map.py", params={"sectors": ["garments"], "phases": ["II"]})
    spec = deck_spec(at)
    shown = choropleth(spec)
    expected = raw.per_country(sectors={"garments"}, phases={"II"})
    small = {c for c, k in expected.items() if k["enterprises"] < 5}  # none included: 0 looks like 1-4
    assert any(expected[c]["enterprises"] for c in small), "the case needs a country with 1-4 enterprises"
    assert any(not expected[c]["enterprises"] for c in small), "the case needs a country with none"
    hidden = {c for c, p in shown.items() if p["state"] == "suppressed"}
    assert hidden == small, (small, hidden)  # exactly the countries with 0-4 enterprises
    tooltips = set()
    for iso3 in hidden:
        assert shown[iso3]["value"] is None and shown[iso3]["n"] is None
        assert "fewer than 5 enterprises, possibly none" in shown[iso3]["tt_label"]
        assert shown[iso3]["tt_value"] == ""
        assert not re.search(r"\d", shown[iso3]["tt_label"].replace("5", "") + shown[iso3]["tt_note"])
        tooltips.add((shown[iso3]["tt_label"], shown[iso3]["tt_note"], shown[iso3]["state"]))
    assert len(tooltips) == 1  # a country with none and one with 1-4 read the same
    for iso3 in set(shown) - hidden:
        assert shown[iso3]["state"] == "shown", iso3
        # adjusted for the public: noise, and a share of what the country's small groups give back
        slack = raw.public_count_slack(iso3, "garments")
        assert abs(shown[iso3]["value"] - expected[iso3]["enterprises"]) <= slack, (iso3, slack)
    assert layer(spec, "not-shown") is not None  # the hatching
    assert any("Not shown" in h.proto.body for h in at.get("html"))


def test_map_points_for_hq_and_country_staff(demo_data_dir, raw) -> None:
    at = open_page("views/map.py", params={"countries": ["COL", "PER"]}, scope=HQ)
    circles = layer(deck_spec(at), "enterprises")
    assert circles is not None
    assert located(circles) == len(raw.located(countries={"COL", "PER"}))
    assert any("Most common sector" in h.proto.body for h in at.get("html"))
    # a country user sees the points of their own country only
    at = open_page("views/map.py", scope=Scope.country("c", {"GHA"}))
    circles = layer(deck_spec(at), "enterprises")
    assert located(circles) == len(raw.located(countries={"GHA"}))
    assert "shown for your countries only" in texts(at)


def test_map_empty_filters_say_what_is_empty(demo_data_dir) -> None:
    at = open_page("views/map.py", params={"countries": ["BOL"], "phases": ["V"]}, scope=HQ)
    assert not at.get("deck_gl_json_chart")
    assert "No enterprises match the current filters" in texts(at)
    at = open_page("views/map.py", params={"countries": ["BOL"], "phases": ["V"]})  # the public: as for 1-4
    assert choropleth(deck_spec(at))["BOL"]["state"] == "suppressed"
    assert "No enterprises match" not in texts(at)
    at = open_page("views/map.py", params={"countries": ["COL"], "regions": ["Asia"]})
    assert not at.get("deck_gl_json_chart")
    assert "No project country is in view" in texts(at)


def test_public_scope_gets_no_enterprise_locations(demo_data_dir) -> None:
    for scope in (Scope.public(), Scope.nothing(), None):
        assert db.run_query("enterprise_cells", scope, Filters(), cell=0.001, max_cells=10).empty
    assert len(db.run_query("enterprise_cells", Scope.hq("t"), Filters(), cell=0.001, max_cells=10)) == 10


def test_map_measure_and_logframe_date_are_in_the_shareable_link(demo_data_dir) -> None:
    at = open_page("views/map.py", params={"measure": "workers_reached"})
    assert at.session_state["map_metric"] == "workers_reached"
    assert at.query_params["measure"] in (["workers_reached"], "workers_reached")
    at = open_page("views/map.py", params={"measure": "improving", "indicator": "cost_savings_reported"})
    assert at.selectbox(key="map_indicator").value == "cost_savings_reported"
    # Every later run sends them to the browser, as the sidebar's filters (test_pages_charts_and_languages): a widget
    # whose code reaches a slow browser after that run would show, and send back with the next click, its first
    # option, and the shared link's measure would be lost. Not on the run the reader's own pick started.
    metric, indicator = at.run().button_group(key="map_metric"), at.selectbox(key="map_indicator")
    assert metric.proto.set_value and metric.value == "improving"
    assert indicator.proto.set_value and indicator.value == "cost_savings_reported"
    indicator.select("accidents").run()
    assert not at.selectbox(key="map_indicator").proto.set_value and at.button_group(key="map_metric").proto.set_value
    at = open_page("views/map.py")
    assert at.query_params["measure"] in (["enterprises"], "enterprises")  # the default, written for the link
    at = open_page("views/logframe.py", params={"date": "2013-09-30"})
    assert at.selectbox(key="logframe_date").value == dt.date(2013, 9, 30)
    at.selectbox(key="logframe_date").select("latest").run()
    assert at.query_params["date"] in (["latest"], "latest")
    at = open_page("views/map.py", params={"measure": "<script>"})
    assert "not a known code and was ignored" in texts(at)


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize(
    ("values", "kind"),
    [([85, 230, 213, 158], "count"), ([7153, 86519], "count"), ([70.9, 86.3], "percent"), ([3], "count")],
)
def test_colour_scale_covers_values_with_ordered_colours(values, kind) -> None:
    scale = maps.colour_scale(values, kind)
    assert scale.breaks[0] <= min(values) and scale.breaks[-1] >= max(values)
    assert len(scale.colours) == len(scale.breaks) - 1 <= map_colours.MAX_CLASSES
    assert all(c in map_colours.SEQUENTIAL for c in scale.colours)
    lightness = [_luminance(c) for c in scale.colours]
    assert lightness == sorted(lightness, reverse=True)  # light = less, dark = more
    assert scale.colour(min(values)) == scale.colours[0]
    assert scale.colour(max(values)) == scale.colours[-1]
    legend = scale.legend()
    assert [colour for colour, _label in legend] == list(scale.colours)
    if kind == "percent":
        assert scale.breaks[-1] <= 100 and all(label.endswith("%") for _c, label in legend)


def test_colour_scale_breaks_are_round_and_legend_html_escapes() -> None:
    scale = maps.colour_scale([85, 230, 213, 158, 202, 182, 105, 190, 135])
    assert scale.breaks == (50, 100, 150, 200, 250)
    # no two classes share an edge: 100 is in the second class only
    assert [label for _c, label in scale.legend()] == ["50 – 99", "100 – 149", "150 – 199", "200 – 250"]
    assert maps.colour_scale([70.9, 86.3], "percent").legend()[0][1] == "70% to under 75%"
    assert map_colours.nice_breaks(55.5, 66.9) == [55, 60, 65, 70]  # round steps (no 3-wide classes from 2.5)
    assert map_colours.nice_breaks(7153, 86519) == [0, 20000, 40000, 60000, 80000, 100000]
    assert maps.colour_scale([]) is None and maps.colour_scale([float("nan")]) is None
    html = maps.legend_html("<Enterprises>", scale, {"suppressed", "no_data"})
    assert "&lt;Enterprises&gt;" in html and "<Enterprises>" not in html
    assert html.count("width:22px") == len(scale.colours) + 2  # one swatch per class, hatched, white
    assert "Not shown (fewer than 5 enterprises, possibly none)" in html


def test_deck_is_offline_escapes_tooltips_and_fits_view() -> None:
    values = pd.DataFrame(
        {"country": ["COL", "GHA", "PER"], "value": [213.0, None, 0.0], "n": [213.0, None, 0.0]}
    ).assign(suppressed=[False, True, False])
    cells = pd.DataFrame(  # queries/enterprise_cells.sql: one enterprise in Medellín, 30 around Bogotá
        {
            "latitude": [4.6, 6.2],
            "longitude": [-74.1, -75.6],
            "enterprises": [30, 1],
            "sector": ["textiles", "garments"],
            "sector_enterprises": [20, 1],
            "sectors": [3, 1],
            "workers": [1200, 24],
            "name": [None, "<img src=x onerror=alert(1)>"],
            "city": [None, "Medellín"],
            "province": ["Cundinamarca", "Antioquia"],
        }
    )
    deck = maps.build_deck(values, "enterprises", "Enterprises", COUNTRY_NAMES, {"textiles": "Textiles"}, cells=cells)
    spec_text = deck.to_json()
    assert deck.to_json() is spec_text  # serialised once

    # the deck's text is pydeck's own, without indentation
    again = maps.build_deck(values, "enterprises", "Enterprises", COUNTRY_NAMES, {"textiles": "Textiles"}, cells=cells)
    assert json.dumps(again, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False) == (
        spec_text
    )
    # the grey world is not in the deck but the address of the file the app serves, relative (a proxy's prefix holds)
    other = maps.build_deck(values.iloc[:1], "enterprises", "Enterprises", COUNTRY_NAMES, {})
    for text in (spec_text, other.to_json()):
        world = json.loads(text)["layers"][0]
        assert (world["id"], world["data"]) == ("world", "app/static/grey-world.json")
    assert len(spec_text) < 60_000  # three countries' shapes, hatching and two circles; the world's file ~155 KB
    assert "http" not in spec_text.lower() and "mapbox" not in spec_text.lower()
    assert deck.map_provider is None
    spec = json.loads(spec_text)
    props = choropleth(spec)
    assert props["COL"]["state"] == "shown" and props["GHA"]["state"] == "suppressed"
    assert props["PER"]["state"] == "no_data"
    many, one = layer(spec, "enterprises")["data"]
    # plain text: the name is not pre-escaped (Streamlit escapes values put into the tooltip HTML) ...
    assert one["tt_title"] == "<img src=x onerror=alert(1)>"
    assert one["tt_label"] == "garments"  # no label given: the code
    assert one["tt_note"] == "Medellín, Antioquia · 24 workers"
    assert many["tt_title"] == "30 enterprises"
    assert many["tt_label"] == "most common sector: Textiles (20)"
    assert many["tt_note"] == "Cundinamarca · 1,200 workers"
    # circle area in proportion to the enterprises: one enterprise the smallest, the fullest cell the largest
    assert (one["radius"], many["radius"]) == maps.CIRCLE_PIXELS
    assert (one["n"], many["n"]) == (1, 30)
    # ... and the only markup is the fixed template
    assert "<b>" not in spec_text and "<br" not in spec_text
    assert layer(spec, "enterprises")["radiusUnits"] == "pixels"  # a literal, not an accessor expression
    # a single country is zoomed in further than all nine
    one = maps.fit_view(["GHA"])
    every = maps.fit_view(list(COUNTRY_NAMES))
    assert one.zoom > every.zoom + 2
    assert -3.3 < one.longitude < 1.1 and 4.7 < one.latitude < 11.1


def test_world_polygons_do_not_wrap_and_hatching_stays_inside() -> None:
    from shapely.geometry import shape

    for feature in maps.world_features():
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        assert not any(maps._crosses_antimeridian(ring) for polygon in polygons for ring in polygon)
    assert not any(f["properties"]["iso3"] == "ATA" for f in maps.world_features())
    ghana = shape(next(f["geometry"] for f in maps.world_features() if f["properties"]["iso3"] == "GHA"))
    lines = maps.hatch("GHA", maps.hatch_spacing(5))
    assert len(lines) > 10
    assert len(maps.hatch("GHA", maps.hatch_spacing(1))) < len(lines)  # a fixed spacing on screen
    assert all(ghana.buffer(1e-6).contains(shape(line["geometry"])) for line in lines)


def test_the_grey_world_is_sent_as_shapes_to_a_hundredth_of_a_degree_each_within_it_of_its_outline() -> None:
    from itertools import pairwise

    from shapely.geometry import shape

    # the file the app serves (.streamlit/config.toml serves static/) is the one the code writes
    assert (
        tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())["server"]["enableStaticServing"] is True
    )
    assert maps.WORLD_FILE.parent == REPO_ROOT / "static" and f"app/static/{maps.WORLD_FILE.name}" == maps.WORLD_URL
    assert maps.WORLD_FILE.read_text(encoding="utf-8") == maps.grey_world_json(), (
        "stale: .venv/bin/python scripts/make_grey_world.py"
    )
    others = maps.world_features()
    grey = json.loads(maps.WORLD_FILE.read_text(encoding="utf-8"))["features"]
    assert len(grey) == len(others) and all(f["properties"] == {} for f in grey)  # not picked: no names
    rings = [ring for f in grey for poly in _polygons(f["geometry"]) for ring in poly]
    assert all(len(ring) >= 4 and ring[0] == ring[-1] for ring in rings)  # closed rings, drawable
    assert all(round(v, 2) == v for ring in rings for point in ring for v in point)
    assert all(a != b for ring in rings if len(ring) > 4 for a, b in pairwise(ring))
    for original, drawn in zip(others, grey, strict=True):  # a corner moves at most 0.005 degrees each way
        assert shape(original["geometry"]).hausdorff_distance(shape(drawn["geometry"])) <= 0.0071


def _polygons(geometry: dict) -> list:
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def test_metric_values_and_table_show_suppression() -> None:
    frame = pd.DataFrame(
        {"country": ["BOL", "CHN"], "enterprises": [None, 39], "workers_reached": [None, 9000]}
    ).assign(suppressed=[True, False])
    values = maps.metric_values(frame, "workers_reached")
    assert values["value"].isna().tolist() == [True, False] and values["n"].tolist()[1] == 39
    table = maps.values_table(values, "workers_reached", "Workers reached", COUNTRY_NAMES)
    assert table["Workers reached"].tolist() == ["not shown (fewer than 5)", "9,000"]
    assert table["Enterprises"].tolist() == ["–", "39"]
    assert maps.states(values) == {"suppressed"}
    assert re.fullmatch(r"[a-z_]+", maps.metric_query("improving"))


def test_a_link_to_a_measure_opens_the_map_without_streamlits_widget_state_warning(demo_data_dir) -> None:
    # Streamlit logged "The widget with key "map_metric" was created with a default value but also had its value
    # set via the Session State API" once per process: the measure had a default and page_choice sets its state.
    # (Streamlit checks only with a runtime, which AppTest has not: its check is given one here.)
    from types import SimpleNamespace
    from unittest import mock

    import streamlit.elements.lib.policies as policies

    warned: list[tuple] = []
    with (
        mock.patch.object(policies, "_shown_default_value_warning", False),
        mock.patch.object(policies, "runtime", SimpleNamespace(exists=lambda: True)),
        mock.patch.object(policies._LOGGER, "warning", side_effect=lambda *args, **_kw: warned.append(args)),
    ):
        at = open_page("views/map.py", params={"measure": "improving", "indicator": "absenteeism"})
        assert at.session_state["map_metric"] == "improving" and at.session_state["map_indicator"] == "absenteeism"
        at.run()  # a rerun (a filter changed): the state is set again and the widgets drawn again
        assert not at.exception
    assert not warned
    assert open_page("views/map.py").session_state["map_metric"] == "enterprises"  # no link: the first measure
