"""Overview: headline KPIs for the current filters."""

from __future__ import annotations

import streamlit as st

from score import ui
from score.i18n import _, fmt_int, fmt_pct

ui.page(_("SCORE results at a glance"), _("Enterprises, workers and people reached by SCORE training."))

kpis = ui.query("overview_kpis").iloc[0]
if not kpis["enterprises"]:
    ui.empty_state(_("No enterprises match the current filters."))
    st.stop()

row = st.columns(4)
row[0].metric(_("Enterprises engaged"), fmt_int(kpis["enterprises"]))
row[1].metric(
    _("Workers reached"),
    fmt_int(kpis["workers_reached"]),
    help=_("Headcount of participating enterprises when they joined."),
)
row[2].metric(
    _("People trained"),
    fmt_int(kpis["people_trained"]),
    help=_("Conservative distinct estimate: per enterprise, role and sex, the largest group across its modules."),
)
row[3].metric(_("Modules delivered"), fmt_int(kpis["module_completions"]))

row = st.columns(4)
row[0].metric(_("Women among workers reached"), fmt_int(kpis["workers_female"]))
row[1].metric(_("Men among workers reached"), fmt_int(kpis["workers_male"]))
row[2].metric(_("Women trained"), fmt_int(kpis["people_trained_female"]))
row[3].metric(_("Men trained"), fmt_int(kpis["people_trained_male"]))

st.subheader(_("Outcomes reported at follow-up"))
labels = ui.reference_labels("indicator")
shares = ui.query("outcome_shares")
changes = ui.query("outcome_changes")
cols = st.columns(len(shares) + 2)
for col, item in zip(cols, shares.itertuples(), strict=False):
    col.metric(
        labels[item.indicator], fmt_pct(item.share_pct), help=_("n = {n} enterprises", n=fmt_int(item.n_enterprises))
    )
for col, code in zip(cols[len(shares) :], ("accidents", "absenteeism"), strict=False):
    item = changes.set_index("indicator").loc[code]
    col.metric(
        labels[code],
        fmt_pct(item["change_pct"], decimals=1, signed=True),
        help=_("Summed follow-up against summed baseline, n = {n} enterprises", n=fmt_int(item["n_enterprises"])),
    )
