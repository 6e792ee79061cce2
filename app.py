"""SCORE results dashboard: entry point (page config, language, sign-in, global filters, navigation)."""

from __future__ import annotations

import streamlit as st

from score import db, signin, ui
from score.i18n import _

st.set_page_config(page_title="SCORE results", page_icon="📊", layout="wide")

ui.sidebar_language()
signin.sidebar_sign_in()

try:
    ui.pin_data_version()  # every query of this rerun reads this one version
except db.DatabaseMissing:
    st.error(_("No database yet. Run `make run` (or `python -m score build`) to build it from data/countries/."))
    st.stop()
except db.DatabaseUnavailable:
    st.error(
        _(
            "The database file cannot be read (it may be damaged). Nothing is lost: run `python -m score build` "
            "to build a new version from data/countries/, then reload this page."
        )
    )
    st.stop()

ui.sidebar_filters()

pages = [
    st.Page("pages/overview.py", title=_("Overview"), icon="📊", default=True),
    st.Page("pages/enterprises.py", title=_("Enterprises and workers"), icon="🏭"),
    st.Page("pages/training.py", title=_("Training"), icon="🎓"),
    st.Page("pages/outcomes.py", title=_("Outcomes"), icon="📈"),
    st.Page("pages/map.py", title=_("Map"), icon="🗺️"),
    st.Page("pages/logframe.py", title=_("Logframe"), icon="🎯"),
    st.Page("pages/country.py", title=_("Country profile"), icon="📍"),
    st.Page("pages/present.py", title=_("Presentation"), icon="📽️"),
]
if ui.current_scope().can_upload:  # hiding is not authorisation: the pages check the scope themselves
    pages.append(st.Page("pages/upload.py", title=_("Upload"), icon="📤"))
    pages.append(st.Page("pages/data_quality.py", title=_("Data quality"), icon="🩺"))
if ui.current_scope().is_hq:  # hiding is not authorisation: the page checks the scope itself
    pages.append(st.Page("pages/audit.py", title=_("Audit log"), icon="🔏"))
navigation = st.navigation(pages)
navigation.run()
