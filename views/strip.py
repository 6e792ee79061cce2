"""Headline strip: the headline figures in one compact row, for an iframe on the ILO website
(`/strip?embed=true`, with the filters of any dashboard link, e.g. `/strip?embed=true&countries=COL`)."""

from __future__ import annotations

import streamlit as st

from score import access, presentation
from score.i18n import _
from score.web import present_mode as pm
from score.web import ui

ui.pin_data_version()
filters = ui.current_filters()
kpis = ui.query("overview_kpis").iloc[0]
if bool(kpis.get("suppressed", False)):
    st.caption(access.hidden_text())
    st.stop()
if not kpis["enterprises"]:
    st.caption(_("No enterprises match the current filters."))
    st.stop()
st.html(pm.strip(presentation.headline_kpis(ui.query, kpis, filters), ui.export_context()))
