"""Overview: headline KPIs against targets, outcomes, trend by year, comparison by country, women and men."""

from __future__ import annotations

import streamlit as st

from score import charts, measures
from score.i18n import _
from score.web import components as c
from score.web import ui

filters = ui.page(
    _("SCORE results at a glance"), _("Enterprises, workers and people reached by SCORE training."), workbook=True
)
kpis = c.headline_kpis_or_stop("enterprises", _("No enterprises match the current filters."))
# the rest of the page's queries in one statement for a new filter set (each read from the cache where it is drawn);
# after the headline figures, which stop an empty view before them
ui.query_together(
    "outcome_shares",
    "outcome_changes",
    "enterprises_by_year",
    "training_by_year",
    "country_comparison",
    "people_trained_by_role_sex",
)

# ---- headline figures against targets
with_targets = c.targets_apply(filters)
c.reach_tiles(  # the women's shares under the reach in the same element (one fewer for the browser)
    kpis,
    c.headline_targets(with_targets),
    with_targets=with_targets,
    participations=True,
    then=[(c.women_share_tiles(kpis), 4)],
)
c.targets_caption(with_targets)
c.narrative_section()  # the figures in words

# ---- outcomes (published headline definitions)
st.subheader(_("Outcomes reported at follow-up"))
c.kpi_row(
    c.outcome_tiles(
        ui.query("outcome_shares"), ui.query("outcome_changes").set_index("indicator"), ui.reference_labels("indicator")
    )
)

# ---- trend by year
st.subheader(_("Trend by year"))
left, right = st.columns(2)
with left:
    c.joining_trend(ui.query("enterprises_by_year"), title=_("Enterprises joining SCORE, per year"))
with right:
    trained = ui.query("training_by_year")
    c.chart_section(
        c.trend_chart(
            trained,
            "year",
            "people_trained",
            title=_("People trained, per year of classroom training"),
            bar_name=_("Trained that year"),
            line_name=_("Cumulative"),
            colour=charts.ROLE_COLOURS["workers"],
        ),
        _("No classroom training matches the current filters."),
        file_name="people-trained-by-year",
        frame=trained,
        caption=_(
            "People trained (distinct estimate), counted in the year of the classroom training that first "
            "includes them; the cumulative line ends at the headline total."
        ),
    )

# ---- comparison by country
by_country = ui.query("country_comparison")
if charts.compares_countries(by_country):  # one country: one bar, the headline tiles' figures again
    st.subheader(_("Comparison by country"))
    metrics = {
        "enterprises": _("Enterprises engaged"),
        "workers_reached": _("Workers reached"),
        "people_trained": _("People trained (distinct estimate)"),
    }
    titles = {  # the measure once, then the breakdown (the chart's table reads its column name from before the comma)
        "enterprises": _("Enterprises engaged, by country"),
        "workers_reached": _("Workers reached, by country"),
        "people_trained": _("People trained (distinct estimate), by country"),
    }
    chosen = st.segmented_control(
        _("Measure"),
        list(metrics),
        format_func=ui.name_or_code(metrics),
        default="enterprises",
        key="overview_country_metric",
    )
    chosen = chosen or "enterprises"
    c.show_or_empty(
        c.bar_chart(
            by_country.sort_values(chosen, ascending=False, key=lambda s: s.astype(float)),
            "country",
            chosen,
            title=titles[chosen],
            labels=ui.reference_labels("country"),
            colours=charts.country_colours(),
            target=f"target_{chosen}" if with_targets else None,
            target_label=_("Target"),
        ),
        _("No enterprises match the current filters."),
        file_name=f"{chosen}-by-country",
        frame=by_country,
    )
    if with_targets:
        st.caption(_("The orange mark is the country's target for the phases in view."))
    c.suppression_note(by_country)

# ---- women and men
st.subheader(_("Women and men"))
left, right = st.columns(2)
with left:
    c.show_or_empty(
        c.sex_split_chart(
            [
                (measures.label("workers_reached"), kpis["workers_female"], kpis["workers_male"]),
                (measures.label("people_trained"), kpis["people_trained_female"], kpis["people_trained_male"]),
            ],
            title=_("Women and men reached and trained (% of people)"),
        ),
        _("No people match the current filters."),
        file_name="women-and-men",
    )
    st.caption(_("Workers reached: headcount when joining. People trained: distinct estimate."))
with right:
    c.role_sex_section(
        ui.query("people_trained_by_role_sex"),
        "people_trained",
        title=_("Managers and workers trained, by sex (people, distinct estimate)"),
        file_name="trained-by-role-and-sex",
    )
