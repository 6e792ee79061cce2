"""Enterprises and workers: who takes part, by sector, country, size and joining year; workers by sex; a table."""

from __future__ import annotations

import streamlit as st

from score import charts
from score.i18n import _
from score.web import components as c
from score.web import ui

filters = ui.page(
    _("Enterprises and workers"),
    _("The enterprises taking part in SCORE and the workers they employed when they joined."),
    workbook=True,
)

NO_ENTERPRISES = _("No enterprises match the current filters.")
kpis = c.headline_kpis_or_stop("enterprises", NO_ENTERPRISES)
# the page's other queries in one statement for a new filter set (each read from the cache where it is drawn)
ui.query_together(
    "enterprises_by_sector",
    "country_comparison",
    "enterprises_by_size",
    "enterprises_by_year",
    *c.enterprises_table_queries(filters, ui.current_scope()),
)

countries = ui.reference_labels("country")
sectors = ui.reference_labels("sector")
c.kpi_row(c.workers_tiles(kpis))

by_sector = ui.query("enterprises_by_sector")
by_country = ui.query("country_comparison")
# one country in view: a chart by country would be one bar (the tiles' figures), so the sectors' charts alone
several = charts.compares_countries(by_country)
left, right = st.columns(2) if several else (st.container(), None)
with left:
    c.chart_section(
        c.sector_bars(by_sector),
        NO_ENTERPRISES,
        file_name="enterprises-by-sector",
        frame=by_sector,
    )
if right is not None:
    with right:
        c.chart_section(
            c.bar_chart(
                by_country,
                "country",
                "enterprises",
                title=_("Enterprises, by country"),
                labels=countries,
                colours=charts.country_colours(),
            ),
            NO_ENTERPRISES,
            file_name="enterprises-by-country",
            frame=by_country,
        )

by_size = ui.query("enterprises_by_size")
by_year = ui.query("enterprises_by_year")
left, right = st.columns(2)
with left:
    size_labels = {
        row.size_class: c.size_class_label(row.size_class, row.min_workers, row.max_workers)
        for row in by_size.itertuples()
    }
    c.chart_section(
        c.bar_chart(
            by_size,
            "size_class",
            "enterprises",
            title=_("Enterprises, by size when joining"),
            labels=size_labels,
            colours=charts.SIZE_COLOURS,
        ),
        NO_ENTERPRISES,
        file_name="enterprises-by-size",
        frame=by_size,
        caption=_("Size class: workers (women and men) employed when the enterprise joined SCORE."),
    )
with right:
    c.joining_trend(by_year, title=_("Enterprises, by year of joining"))

st.subheader(_("Workers by sex"))
sexes = c.sex_labels()
by_sex = [c.Series(f"workers_{sex}", sexes[sex], charts.SEX_COLOURS[sex]) for sex in ("female", "male")]
by_what = [(by_sector, "sector", sectors, _("Workers reached, by sector and sex"))]
if several:
    by_what.insert(0, (by_country, "country", countries, _("Workers reached, by country and sex")))
for column, (frame, code, labels, title) in zip(st.columns(len(by_what)), by_what, strict=True):
    with column:
        c.show_or_empty(
            c.multi_bar_chart(frame, code, by_sex, title=title, labels=labels, across=len(by_what) == 1),
            NO_ENTERPRISES,
            file_name=f"workers-by-{code}-and-sex",
            frame=frame,
        )
c.suppression_note(by_country, by_sector)

# ---- the table: enterprise rows for viewers with detail rights, an aggregate for everyone else
st.subheader(_("Enterprises table"))
c.enterprises_table_section(filters, countries=countries, sectors=sectors)
