"""Enterprises and workers: who takes part, by sector, country, size and joining year; workers by sex; a table."""

from __future__ import annotations

import streamlit as st

from score import charts, ui
from score import components as c
from score.i18n import _, fmt_int

filters = ui.page(
    _("Enterprises and workers"),
    _("The enterprises taking part in SCORE and the workers they employed when they joined."),
    workbook=True,
)

NO_ENTERPRISES = _("No enterprises match the current filters.")
kpis = ui.query("overview_kpis").iloc[0]
c.stop_unless_shown(kpis, "enterprises", NO_ENTERPRISES)

countries = ui.reference_labels("country")
sectors = ui.reference_labels("sector")
c.kpi_row(
    [
        c.Tile(_("Enterprises engaged"), kpis["enterprises"]),
        c.Tile(
            _("Workers reached"),
            kpis["workers_reached"],
            help=_("Headcount of participating enterprises when they joined."),
        ),
        c.Tile(
            _("Women among workers reached"),
            kpis["workers_female"],
            note=_("{pct} of workers reached", pct=c.format_value(kpis["workers_female_pct"], "pct")),
        ),
        c.Tile(_("Men among workers reached"), kpis["workers_male"]),
    ]
)

by_sector = ui.query("enterprises_by_sector")
by_country = ui.query("country_comparison")
left, right = st.columns(2)
with left:
    c.chart_section(
        c.bar_chart(
            by_sector,
            "sector",
            "enterprises",
            title=_("Enterprises by sector (enterprises)"),
            labels=sectors,
            colours=charts.sector_colours(),
        ),
        NO_ENTERPRISES,
        file_name="enterprises-by-sector",
        frame=by_sector,
    )
with right:
    c.chart_section(
        c.bar_chart(
            by_country,
            "country",
            "enterprises",
            title=_("Enterprises by country (enterprises)"),
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
            title=_("Enterprises by size when joining (enterprises)"),
            labels=size_labels,
            colours=charts.SIZE_COLOURS,
        ),
        NO_ENTERPRISES,
        file_name="enterprises-by-size",
        frame=by_size,
        caption=_("Size class: workers (women and men) employed when the enterprise joined SCORE."),
    )
with right:
    c.joining_trend(by_year, title=_("Enterprises by year of joining (enterprises)"))

st.subheader(_("Workers by sex"))
sexes = c.sex_labels()
by_sex = [c.Series(f"workers_{sex}", sexes[sex], charts.SEX_COLOURS[sex]) for sex in ("female", "male")]
left, right = st.columns(2)
for column, frame, code, labels, title in (
    (left, by_country, "country", countries, _("Workers reached by country and sex (workers)")),
    (right, by_sector, "sector", sectors, _("Workers reached by sector and sex (workers)")),
):
    with column:
        c.show_or_empty(
            c.multi_bar_chart(frame, code, by_sex, title=title, labels=labels),
            NO_ENTERPRISES,
            file_name=f"workers-by-{code}-and-sex",
            frame=frame,
        )
c.suppression_note(by_country, by_sector)

# ---- the table: enterprise rows for viewers with detail rights, an aggregate for everyone else
st.subheader(_("Enterprises table"))
scope = ui.current_scope()
detail_countries = filters.countries_within(scope.detail_countries)
views = {"detail": _("Enterprise list"), "aggregate": _("Summary by country and sector")}
view = "aggregate"
if detail_countries:
    view = (
        st.segmented_control(_("Table"), list(views), format_func=views.get, default="detail", key="enterprises_view")
        or "detail"
    )

if view == "detail":
    rows = ui.query("enterprise_list")
    st.caption(
        _(
            "Enterprise detail for {countries} (your access). Other countries appear in the charts only.",
            countries=", ".join(countries.get(code, code) for code in sorted(detail_countries)),
        )
    )
    if rows.empty:
        ui.empty_state(_("No enterprises of your countries match the current filters."))
    else:
        if len(rows) > c.DETAIL_ROWS:
            st.caption(
                _("The first {n} enterprises are listed: narrow the filters to see the rest.", n=fmt_int(c.DETAIL_ROWS))
            )
        shown = c.enterprise_list_table(rows.head(c.DETAIL_ROWS), countries=countries, sectors=sectors)
        c.table(shown, key="enterprise_list_table")
        c.csv_download(
            rows.head(c.DETAIL_ROWS),
            "score-enterprises.csv",
            labels={"country": countries, "sector": sectors},
            key="enterprise_list_csv",
        )
else:
    cells = ui.query("enterprises_country_sector")
    if cells.empty:
        ui.empty_state(NO_ENTERPRISES)
    else:
        c.table_section(
            cells,
            {
                "country": (_("Country"), "text"),
                "sector": (_("Sector"), "text"),
                "enterprises": (_("Enterprises"), "int"),
                "workers_female": (_("Women workers"), "int"),
                "workers_male": (_("Men workers"), "int"),
                "workers_reached": (_("Workers reached"), "int"),
            },
            labels={"country": countries, "sector": sectors},
            file_name="score-enterprises-by-country-and-sector.csv",
            key="enterprise_summary",
        )
        c.suppression_note(cells)
