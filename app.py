"""SCORE results dashboard: the script (page config, language, sign-in, global filters, navigation).

Served by webapp.py (`streamlit run webapp.py`), which adds the sign-in cookie routes; AppTest runs this file."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from score import db, exports, upload
from score.i18n import _
from score.web import components, language, layout, media_guard, signin, ui

language.apply_language()  # before anything is written: the tab title is translated too
st.set_page_config(
    page_title=_("SCORE results"),
    page_icon=media_guard.public_asset(Path(__file__).with_name("assets") / "favicon.png"),  # served at /media
    layout="wide",
)

language.sidebar_language()
signin.sidebar_sign_in()
layout.responsive_layout(language.streamlit_words_script(), viewer=ui.current_scope().role)

try:
    ui.pin_data_version()  # every query of this rerun reads this one version
except db.DatabaseMissing:
    st.error(_("No results have been published yet. For the administrator: run `python -m score build`."))
    st.stop()
except db.DatabaseUnavailable:
    st.error(
        _(
            "The results cannot be read just now (the data may be damaged). Nothing is lost. For the "
            "administrator: run `python -m score build` to build a new version, then reload this page."
        )
    )
    st.stop()

ui.sidebar_filters()

pages = [
    st.Page("views/overview.py", title=_("Overview"), icon=":material/dashboard:", default=True),
    st.Page("views/enterprises.py", title=_("Enterprises and workers"), icon=":material/factory:"),
    st.Page("views/training.py", title=_("Training"), icon=":material/school:"),
    st.Page("views/outcomes.py", title=_("Outcomes"), icon=":material/trending_up:"),
    st.Page("views/map.py", title=_("Map"), icon=":material/map:"),
    st.Page("views/logframe.py", title=_("Logframe"), icon=":material/flag:"),
    st.Page("views/country.py", title=_("Country profile"), icon=":material/location_on:"),
    st.Page("views/present.py", title=_("Presentation"), icon=":material/slideshow:"),
    # for an iframe (`/strip?embed=true`): not in the navigation
    st.Page("views/strip.py", title=_("Headline figures"), url_path="strip", visibility="hidden"),
]
if ui.current_scope().can_upload:  # hiding is not authorisation: the pages check the scope themselves
    pages.append(st.Page("views/upload.py", title=_("Upload"), icon=":material/upload:"))
    pages.append(st.Page("views/data_quality.py", title=_("Data quality"), icon=":material/fact_check:"))
elif upload.demo_publish_shown(st.session_state):  # a demo account ended by its own publish: keep its
    pages.append(st.Page("views/upload.py", title=_("Upload"), icon=":material/upload:"))  # confirmation
if ui.current_scope().is_hq:  # hiding is not authorisation: the pages check the scope themselves
    pages.append(st.Page("views/review.py", title=_("Review"), icon=":material/rate_review:"))
    pages.append(st.Page("views/audit.py", title=_("Audit log"), icon=":material/policy:"))
elif upload.demo_approval_shown(st.session_state):  # a demo account ended by its own approval: keep its
    pages.append(st.Page("views/review.py", title=_("Review"), icon=":material/rate_review:"))  # confirmation
pages += signin.placeholder_pages(pages)  # a deep link to a page this viewer cannot open asks for sign-in
navigation = st.navigation(pages)
signin.hand_off(navigation.url_path)  # after a sign-in or sign-out: set or clear the cookie, back to this page
ui.reset_page_workbook()
navigation.run()
components.page_workbook(exports.download_stem(navigation.title))  # the page's data as one workbook
