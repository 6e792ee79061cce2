"""Training: modules delivered, people trained by role and sex, consultation visits, satisfaction, progression."""

from __future__ import annotations

import functools

import streamlit as st

from score import charts, ui
from score import components as c
from score.i18n import _

ui.page(
    _("Training"),
    _("Joint classroom training for managers and workers, and the expert consultations that follow in the enterprise."),
    workbook=True,
)

NO_DELIVERIES = _("No module deliveries match the current filters.")
kpis = ui.query("overview_kpis").iloc[0]
c.stop_unless_shown(kpis, "module_completions", NO_DELIVERIES)

modules = ui.reference_labels("module")
module_colours = charts.module_colours()
c.kpi_row(
    [
        c.Tile(
            _("Modules delivered"),
            kpis["module_completions"],
            help=_("One per enterprise and module: classroom training plus in-factory consultations."),
        ),
        c.Tile(
            _("People trained (distinct estimate)"),
            kpis["people_trained"],
            help=_(
                "Per enterprise, role and sex, the largest classroom group across its modules: someone in two "
                "modules is counted once (a conservative estimate)."
            ),
        ),
        c.Tile(
            _("Training participations"),
            kpis["participations"],
            help=_("Everyone in every classroom: a person in two modules counts twice."),
        ),
        c.Tile(_("Consultation visits"), kpis["consultation_visits"]),
    ]
)

# ---- modules delivered
by_module = ui.query("training_by_module")
satisfaction = ui.query("satisfaction_by_module")
delivered = by_module[c.numeric(by_module, "deliveries").fillna(1) > 0]
module_bars = functools.partial(c.bar_chart, delivered, "module", labels=modules, colours=module_colours)
by_country_module = ui.query("training_by_country_module")
left, right = st.columns(2)
with left:
    c.chart_section(
        module_bars("deliveries", title=_("Modules delivered, by module (deliveries)")),
        NO_DELIVERIES,
        file_name="modules-delivered",
        frame=delivered,
    )
with right:
    wide = c.pivot_wide(by_country_module, "country", "module", "deliveries", list(modules))
    c.chart_section(
        c.multi_bar_chart(
            wide,
            "country",
            [c.Series(code, modules[code], module_colours[code]) for code in wide.columns[1:]],
            title=_("Modules delivered, by country (deliveries)"),
            labels=ui.reference_labels("country"),
        ),
        NO_DELIVERIES,
        file_name="modules-by-country",
        frame=by_country_module,
    )

# ---- people trained by role and sex
st.subheader(_("People trained by role and sex"))
roles = ui.query("people_trained_by_role_sex")
left, right = st.columns(2)
with left:
    c.role_sex_section(
        roles,
        "people_trained",
        title=_("People trained (distinct estimate), by role and sex (people)"),
        file_name="people-trained-by-role-and-sex",
        barmode="group",
        caption=_(
            "Distinct estimate: per enterprise, role and sex, the largest classroom group across its modules, "
            "so someone who took two modules is counted once."
        ),
        note=False,
    )
with right:
    c.role_sex_section(
        roles,
        "participations",
        title=_("Training participations, by role and sex (participations)"),
        file_name="participations-by-role-and-sex",
        barmode="group",
        caption=_("Participations: everyone in every classroom, so a person in two modules counts twice."),
        note=False,
    )
c.suppression_note(roles)

# ---- consultations and satisfaction
st.subheader(_("Consultation visits and satisfaction"))
left, right = st.columns(2)
with left:
    c.chart_section(
        module_bars(
            "visits_per_delivery",
            title=_("Consultation visits per enterprise, by module (visits)"),
            value_format=",.1f",
        ),
        NO_DELIVERIES,
        file_name="consultation-visits",
        frame=delivered,
        caption=_("Mean number of expert visits to an enterprise after the module's classroom training."),
        notes=(),
    )
with right:
    reporting = satisfaction[c.numeric(satisfaction, "n_satisfaction").fillna(1) > 0]
    c.chart_section(
        c.bar_chart(
            reporting,
            "module",
            "satisfaction_mean",
            title=_("Participants satisfied, by module (% of participants)"),
            labels=modules,
            colours=module_colours,
            text=[
                _("{pct} (n = {n})", pct=c.format_value(p, "pct"), n=c.format_value(n))
                for p, n in zip(reporting["satisfaction_mean"], reporting["n_satisfaction"], strict=True)
            ],
            max_value=100,
            tick_suffix="%",
        ),
        _("No delivery in the current selection reports satisfaction."),
        file_name="satisfaction",
        frame=reporting,
    )
    st.caption(
        _(
            "Mean of the satisfied share reported per delivery (satisfaction_pct); n = deliveries reporting it. "
            "Deliveries without a figure are left out."
        )
    )

# ---- progression
st.subheader(_("Progression through the modules"))
per_enterprise = ui.query("modules_per_enterprise")
left, right = st.columns(2)
with left:
    c.chart_section(
        module_bars("median_days_to_classroom", title=_("From joining SCORE to the module's classroom (median days)")),
        NO_DELIVERIES,
        file_name="days-to-module",
        frame=delivered,
        caption=_("Median over the enterprises that took the module: days from joined_on to classroom_date."),
        notes=(),
    )
with right:
    counts = per_enterprise.assign(n_modules=per_enterprise["n_modules"].astype(str))
    c.chart_section(
        c.bar_chart(
            counts,
            "n_modules",
            "share_pct",
            title=_("Enterprises by number of modules taken (% of enterprises)"),
            orientation="v",
            text=[
                _("{pct} ({n})", pct=c.format_value(p, "pct"), n=c.format_value(n))
                for p, n in zip(per_enterprise["share_pct"], per_enterprise["enterprises"], strict=True)
            ],
            value_format=".0f",
            value_title=_("% of enterprises"),
            category_title=_("Modules taken"),
        ),
        _("No enterprises match the current filters."),
        file_name="modules-per-enterprise",
        frame=per_enterprise,
        caption=_("Share of the enterprises engaged that have taken 0, 1, 2 ... of the modules in view."),
    )

# ---- table
st.subheader(_("Modules table"))
columns = {
    "module": (_("Module"), "text"),
    "deliveries": (_("Deliveries"), "int"),
    "participations": (_("Participations"), "int"),
    "consultation_visits": (_("Consultation visits"), "int"),
    "satisfaction_mean": (_("Satisfied (%)"), "pct"),
    "n_satisfaction": (_("Deliveries reporting satisfaction"), "int"),
    "median_days_to_classroom": (_("Median days from joining"), "int"),
}
c.table_section(
    c.merge_tables(by_module, satisfaction, "module"),
    columns,
    labels={"module": modules},
    file_name="score-training-by-module.csv",
    key="modules",
    csv_columns=list(columns),
)
c.suppression_note(by_module, satisfaction)
