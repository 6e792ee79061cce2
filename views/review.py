"""Review (HQ): every country's submission waiting for review, with who, when, the files, the validation report and
what approving would change (headline figures before -> after, rows added / removed / changed per table, the largest
changes, the data quality checks); approve (published atomically) or return it with a comment.

The logic lives in score.submissions; hiding the page in the navigation is not authorisation: the scope is checked
here and again where each step is written.
"""

from __future__ import annotations

import streamlit as st

from score.i18n import _
from score.web import review_sections, ui

scope = ui.current_scope()
ui.page(_("Review submissions"), _("What country staff submitted, what it would change; approve or return it."))
if not scope.is_hq and review_sections.demo_approval_ended():  # this demo account ended with its own approval
    st.stop()
if not scope.is_hq:
    st.info(_("Only HQ reviews submissions. Country staff see the state of their own submission on the Upload page."))
    st.stop()

item = review_sections.pending_choice(scope)
if item is not None:
    # emptied once decided: the next submission loads on a clean page, not under the decided one greyed out
    decided = st.empty()
    with decided.container():
        review_sections.summary_section(item, scope)
        review_sections.decision_section(item, scope, decided.empty)
