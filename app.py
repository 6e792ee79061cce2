"""SCORE results dashboard: entry point (page config, language, sign-in, global filters, navigation)."""

from __future__ import annotations

import streamlit as st

from score import db, ui
from score.i18n import _

st.set_page_config(page_title="SCORE results", page_icon="📊", layout="wide")

ui.sidebar_language()

try:
    db.current_path()
except db.DatabaseMissing:
    st.error(_("No database yet. Run `make run` (or `python -m score build`) to build it from data/countries/."))
    st.stop()

ui.sidebar_filters()

pages = [
    st.Page("pages/overview.py", title=_("Overview"), icon="📊", default=True),
]
navigation = st.navigation(pages)
navigation.run()
