"""Training: modules delivered, people trained by role and sex, consultation visits, satisfaction, progression."""

from __future__ import annotations

import streamlit as st

from score import charts
from score.filter_options import sorted_by_name
from score.i18n import _
from score.web import components as c
from score.web import ui

ui.page(
    _("Training"),
    _("Joint classroom training for managers and workers, and the expert consultations that follow in the enterprise."),
    workbook=True,
)

NO_DELIVERIES = _("No module deliveries match the current filters.")
kpis = c.headline_kpis_or_stop("module_completions", NO_DELIVERIES)
# the page's other queries in one statement for a new filter set (each read from the cache where it is drawn)
ui.query_together(
    "training_by_module",
    "satisfaction_by_module",
    "training_by_country_module",
    "people_trained_by_role_sex",
    "modules_per_enterprise",
)

modules = ui.reference_labels("module")
module_colours = charts.module_colours()
c.kpi_row(c.training_tiles(kpis))

# ---- modules delivered
by_module = ui.query("training_by_module")
satisfaction = ui.query("satisfaction_by_module")
delivered = by_module[c.numeric(by_module, "deliveries").fillna(1) > 0]


def module_bars(
    measure: str, title: str, file_name: str, caption: str | None = None, *, note: bool = False, **bars: object
) -> None:
    """A measure of training_by_module per module (`note`: the suppression note, under the first chart only)."""
    c.chart_section(
        c.bar_chart(delivered, "module", measure, title=title, labels=modules, colours=module_colours, **bars),
        NO_DELIVERIES,
        file_name=file_name,
        frame=delivered,
        caption=caption,
        notes=None if note else (),
    )


by_country_module = ui.query("training_by_country_module")
# one country in view: its modules by country would be the same bars again, so the modules' chart alone
left, right = st.columns(2) if charts.compares_countries(by_country_module) else (st.container(), None)
with left:
    module_bars("deliveries", _("Modules delivered, by module"), "modules-delivered", note=True)
if right is not None:
    with right:
        wide = c.pivot_wide(by_country_module, "country", "module", "deliveries", list(modules))
        wide = wide.set_index("country").loc[sorted_by_name(list(wide["country"]), ui.reference_labels("country"))]
        wide = wide.reset_index()  # countries by name in the reader's language, as every list
        c.chart_section(
            c.multi_bar_chart(
                wide,
                "country",
                [c.Series(code, modules[code], module_colours[code]) for code in wide.columns[1:]],
                title=_("Modules delivered, by country"),
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
        title=_("People trained (distinct estimate), by role and sex"),
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
        title=_("Training participations, by role and sex"),
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
    module_bars(
        "visits_per_delivery",
        _("Consultation visits per enterprise, by module"),
        "consultation-visits",
        _("Mean number of expert visits to an enterprise after the module's classroom training."),
        value_format=",.1f",
    )
with right:
    c.satisfaction_section(satisfaction, labels=modules, colours=module_colours)

# ---- progression
st.subheader(_("Progression through the modules"))
per_enterprise = ui.query("modules_per_enterprise")
left, right = st.columns(2)
with left:
    module_bars(
        "median_days_to_classroom",
        _("From joining SCORE to the module's classroom (median days)"),
        "days-to-module",
        _(
            "Median over the enterprises that took the module: days from the date the enterprise joined SCORE to "
            "the module's classroom training."
        ),
    )
with right:
    c.modules_taken_section(per_enterprise)

# ---- table
st.subheader(_("Modules table"))
c.modules_table_section(by_module, satisfaction, labels=modules)
