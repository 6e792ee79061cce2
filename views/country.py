"""Country profile: one country on one page (map, KPIs, sectors, partners, outcomes, logframe)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from score import access, logframe, maps
from score.filters import Filters
from score.i18n import _, fmt_date
from score.web import components as c
from score.web import ui

filters = ui.page(
    _("Country profile"), _("One country on one page: where SCORE works, whom it reaches, what changed."), workbook=True
)
countries = ui.reference_labels("country")
sectors = ui.reference_labels("sector")
indicators = ui.reference_labels("indicator")
logframe_indicators = ui.reference_labels("logframe_indicator")
codes = list(countries)

# ---- which country: ?profile=COL (validated), else the viewer's own country, else the one with the most
# enterprises under the filters (a link's value applies when it is new, not when this page wrote it back)
ui.page_choice("profile", "profile_country", codes)
if st.session_state.get("profile_country") not in codes:  # first visit: own country, else the largest
    own = sorted(ui.current_scope().detail_countries) if ui.current_scope().role == "country" else []
    st.session_state["profile_country"] = c.default_country(ui.enterprises_by_country(), own, codes)
iso3 = st.selectbox(
    _("Country"),
    codes,
    format_func=ui.name_or_code(countries),
    key="profile_country",
    width=320,
    on_change=ui.changed_by_reader,
    args=("profile_country",),
)
ui.keep_page_choice("profile", "profile_country", iso3)
name = countries[iso3]
# This page's country replaces the country and region filters; every other filter applies.
here = replace(filters, countries=(iso3,), regions=())
ui.report_about(here, name)  # the page's report: this country under these filters
outside = st.empty()  # there either way: a caption that came and went would move, and redraw, all that follows
if iso3 not in filters.countries_within(frozenset(codes)):
    outside.caption(_("{country} is outside the country or region filter; this page shows it anyway.", country=name))

scope = ui.current_scope()
kpis = ui.query("overview_kpis", filters_override=here).iloc[0]
hidden = c.is_suppressed(kpis)
empty = not hidden and not kpis["enterprises"]
nothing = (
    access.hidden_text(country=name)
    if hidden
    else _("No enterprises in {country} match the current filters.", country=name)
)
if not hidden and not empty:  # the page's other queries of these filters in one statement, read from the cache below
    ui.query_together(
        "country_totals",
        "enterprises_by_sector",
        "enterprises_by_partner",
        "outcome_shares",
        "outcome_changes",
        filters_override=here,
    )

# ---- headline figures
if hidden or empty:
    ui.empty_state(nothing)
else:
    with_targets = c.targets_apply(filters)
    c.reach_tiles(kpis, c.headline_targets(with_targets, here), with_targets=with_targets)
    c.narrative_section(name, here)

# ---- where, in which sectors, with which partners
left, right = st.columns([3, 2])
with left:
    values = maps.metric_values(ui.query("country_totals", filters_override=here), "enterprises")
    cells = None
    if iso3 in scope.detail_countries:
        cell = maps.cell_size(maps.map_view(values, [iso3], maps.PROFILE_HEIGHT))
        cells = ui.query("enterprise_cells", filters_override=here, cell=cell, max_cells=maps.MAX_CELLS)
    c.map_chart(
        values,
        "enterprises",
        maps.metric_label("enterprises"),
        countries,
        sectors,
        cells=cells,
        focus=[iso3],
        height=maps.PROFILE_HEIGHT,
        key="profile_map",
    )
    if cells is not None and len(cells):
        st.html(maps.sector_legend_html(_("Most common sector"), sorted(set(cells["sector"])), sectors))
        st.caption(maps.cells_caption())
    elif iso3 in scope.detail_countries:
        st.caption(_("No enterprise with coordinates matches the current filters."))
    else:
        st.caption(_("Enterprise locations are shown to country staff and HQ only."))
with right:
    if not hidden and not empty:
        by_sector = ui.query("enterprises_by_sector", filters_override=here)
        c.chart_section(
            c.sector_bars(by_sector),
            nothing,
            file_name=f"{iso3}-enterprises-by-sector",
            notes=[by_sector],
        )
        by_partner = ui.query("enterprises_by_partner", filters_override=here)
        c.chart_section(
            c.bar_chart(
                by_partner.fillna({"partner": _("No partner recorded")}),
                "partner",
                "enterprises",
                title=_("Enterprises, by implementing partner"),
            ),
            nothing,
            file_name=f"{iso3}-enterprises-by-partner",
            notes=[by_partner],
        )

# ---- outcomes
if not hidden and not empty:
    st.subheader(_("Outcomes"))
    shares = ui.query("outcome_shares", filters_override=here)
    changes = ui.query("outcome_changes", filters_override=here)
    left, right = st.columns(2)
    with left:
        c.outcome_share_section(
            shares, "share_pct", labels=indicators, file_name=f"{iso3}-outcomes-reported", country=name
        )
    with right:
        c.outcome_share_section(
            changes, "improved_pct", labels=indicators, file_name=f"{iso3}-outcomes-improving", country=name
        )

# ---- logframe (the country's latest report; programme figures, not filtered by sector, phase ...: asked with
# the country alone, so a filter change finds the cached result)
lf_filters = Filters(countries=(iso3,))
frame = c.logframe_with_status(ui.query("logframe", filters_override=lf_filters, period_end=None), countries)
if frame.empty:
    st.subheader(_("Logframe"))
    ui.empty_state(_("{country} has not reported logframe figures yet.", country=name))
else:
    reported = fmt_date(frame["period_end"].max().date())
    st.subheader(_("Logframe: report of {date}", date=reported))
    c.logframe_status_tiles(frame)
    for level in logframe.LEVELS:
        rows = frame[frame["level"] == level]
        if rows.empty:
            continue
        st.markdown(f"**{logframe.level_label(level)}**")
        c.logframe_table(rows, logframe_indicators, countries, key=f"profile_logframe_{level}", show_country=False)
