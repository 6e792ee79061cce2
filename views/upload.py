"""Upload (HQ and country staff): current data and templates, check, report, preview; country staff submit for HQ's
review (the state of their submission and HQ's comment shown here), HQ publishes; corrections in a grid; history,
restore, the history of a value.

The logic lives in score.upload and score.publish (which checks the viewer's scope again where it writes);
this page only draws. Hiding the page in the navigation is not authorisation: the scope is checked here too.
Nothing is checked (nor audited) until the person presses "Check the files": adding or removing files in
the uploader only changes the list.
"""

from __future__ import annotations

import streamlit as st

from score import upload
from score.i18n import _
from score.web import review_sections, ui
from score.web.upload_history import demo_ended, history_section
from score.web.upload_sections import (
    COUNTRY_KEY,
    downloads_section,
    opening_country,
    upload_section,
)

scope = ui.current_scope()
filters = ui.page(
    _("Upload country data"),
    _("Check a country's files or correct them in the browser, see what they change, submit them for review; history."),
)
if not upload.may_upload(scope):
    if not demo_ended():
        st.info(
            _(
                "Sign in with a country or HQ account to upload data. Country staff upload their own country's "
                "files; the SCORE team in Geneva can upload for every country."
            ),
            icon=":material/key:",
        )
    st.stop()

countries = upload.upload_countries(scope)
ui.send_again(COUNTRY_KEY, [COUNTRY_KEY])  # a country the first run chose stays chosen on a slow browser
if st.session_state.get(COUNTRY_KEY) not in countries:  # first visit, or another account in this browser
    st.session_state[COUNTRY_KEY] = opening_country(scope, filters.countries)
names = ui.reference_labels("country")
country = st.selectbox(
    _("Country"),
    countries,
    format_func=lambda code: f"{names.get(code, code)} ({code})",
    key=COUNTRY_KEY,
    on_change=ui.changed_by_reader,
    args=(COUNTRY_KEY,),
)
if country not in countries:  # session state can be written from outside the widget: check again
    st.error(_("You may not upload data for this country."))
    st.stop()

downloads_section(country, scope)
review_sections.status_section(country, scope)
upload_section(country, scope, review_sections.checked_section)
editing = review_sections.EDIT_CHECK_KEY in st.session_state  # open while a correction is being checked or sent
with st.expander(_("Correct in the browser"), icon=":material/edit_note:", expanded=editing):
    review_sections.corrections_section(country, scope)
st.divider()
history_section(country, scope)
review_sections.value_history_section(country, scope)
