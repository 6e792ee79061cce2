"""Map: project countries coloured by a chosen figure, enterprise points where the viewer may see them."""

from __future__ import annotations

import streamlit as st

from score import contract, maps
from score.i18n import _
from score.web import components as c
from score.web import ui

ui.page(
    _("Map of SCORE countries"),
    _("Project countries coloured by the chosen figure for the current filters; hover a country for its numbers."),
    workbook=True,
)

countries = ui.reference_labels("country")
sectors = ui.reference_labels("sector")
indicators = ui.reference_labels("indicator")

# ?measure=workers_reached opens that measure
ui.page_choice("measure", "map_metric", maps.METRICS, default="enterprises")
metric = st.segmented_control(  # full width: four options with long names in French and Spanish
    _("Colour countries by"),
    maps.METRICS,
    format_func=lambda m: _("Share improving") if m == "improving" else maps.metric_label(m),
    required=True,
    key="map_metric",
    on_change=ui.changed_by_reader,
    args=("map_metric",),
)
ui.keep_page_choice("measure", "map_metric", metric)
params: dict[str, object] = {}
indicator_name = None
kind = "share"
if metric == "improving":
    codes = list(indicators)
    ui.page_choice("indicator", "map_indicator", codes, default=maps.DEFAULT_INDICATOR)
    indicator = st.columns([2, 3])[0].selectbox(
        _("Outcome indicator"),
        codes,
        format_func=ui.name_or_code(indicators),
        key="map_indicator",
        on_change=ui.changed_by_reader,
        args=("map_indicator",),
    )
    ui.keep_page_choice("indicator", "map_indicator", indicator)
    params["indicator"] = indicator
    indicator_name, kind = indicators[indicator], contract.indicator_kind(indicator)
metric_name = maps.metric_label(metric, indicator_name, kind)

values = maps.metric_values(ui.query(maps.metric_query(metric), None, **params), metric)
if values.empty:
    ui.empty_state(_("No project country is in view: the country and region filters match none."))
    st.stop()
if not ((values["n"] > 0) | values["suppressed"]).any():
    if metric == "improving":
        ui.empty_state(_("No enterprise with a follow-up measurement matches the current filters."))
    else:
        ui.empty_state(_("No enterprises match the current filters."))
    st.stop()

scope = ui.current_scope()
cell = maps.cell_size(maps.map_view(values))
cells = ui.query("enterprise_cells", cell=cell, max_cells=maps.MAX_CELLS) if scope.detail_countries else None
scale = maps.scale_for(values, metric)

left, right = st.columns([5, 1.3])
with left:
    c.map_chart(
        values,
        metric,
        metric_name,
        countries,
        sectors,
        cells=cells,
        scale=scale,
        height=maps.MAP_HEIGHT,
        key="map_deck",
    )
right.html(maps.legend_html(metric_name, scale, maps.states(values)))
if cells is not None and len(cells):
    right.html(maps.sector_legend_html(_("Most common sector"), sorted(set(cells["sector"])), sectors))

if not scope.detail_countries:
    st.caption(_("Enterprise locations are shown to country staff and HQ only."))
elif cells is None or cells.empty:
    st.caption(_("No enterprise with coordinates matches the current filters in the countries you may see in detail."))
else:
    st.caption(maps.cells_caption())
    if not scope.is_hq:
        mine = ", ".join(countries.get(c, c) for c in sorted(scope.detail_countries))
        st.caption(_("Enterprise locations are shown for your countries only: {countries}.", countries=mine))

with st.expander(_("Figures by country"), expanded=False):
    c.table(maps.values_table(values, metric, metric_name, countries), key="map_values")
