"""Audit log (HQ only): sign-ins, failed sign-ins, uploads, publishes, restores, exports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from score import audit
from score.i18n import _
from score.labels import actor
from score.web import ui

# The navigation only lists this page for HQ, but hiding is not authorisation: check here too.
if not ui.current_scope().is_hq:
    st.error(_("This page is only for the SCORE team in Geneva."))
    st.stop()

ui.page(_("Audit log"), _("Who signed in, uploaded, published, restored or exported, and when (newest first)."))

AUDIT_ROW_PX = 76  # three lines of wrapped text
AUDIT_COLUMN_PX = {"at": 160, "event": 150, "user": 110, "detail": 320}  # 740 px: an 800 px screen's page

events = pd.DataFrame(audit.read_events(limit=5000))
if events.empty:
    ui.empty_state(_("Nothing has been recorded yet."))
    st.stop()

left, right = st.columns(2)
kinds = sorted(set(events["event"].dropna()) | set(audit.EVENTS))
event_names = audit.event_names()
chosen_kinds = left.multiselect(
    _("Event"),
    kinds,
    format_func=lambda kind: event_names.get(kind, kind),
    placeholder=_("All events"),
    select_all=False,
)
users = sorted(str(u) for u in events["user"].dropna().unique())
chosen_users = right.multiselect(_("User"), users, format_func=actor, placeholder=_("All users"), select_all=False)

shown = events
if chosen_kinds:
    shown = shown[shown["event"].isin(chosen_kinds)]
if chosen_users:
    shown = shown[shown["user"].isin(chosen_users)]


names = ui.reference_labels("country")
shown = shown.assign(
    at=shown["at"].map(audit.when_text),
    detail=shown["detail"].map(lambda detail: audit.detail_text(detail, names)),
    event=shown["event"].map(lambda e: event_names.get(e, e)),
    user=shown["user"].map(actor),
)
# Columns sized to fit 800 px (stretched on a wider screen) and rows tall enough for the grid to wrap a cell (it
# wraps only above 64 px): the detail column, one long line, scrolled the table sideways.
st.dataframe(
    shown[["at", "event", "user", "detail"]],
    hide_index=True,
    width="stretch",
    row_height=AUDIT_ROW_PX,
    column_config={
        "at": st.column_config.TextColumn(_("When (UTC)"), width=AUDIT_COLUMN_PX["at"]),
        "event": st.column_config.TextColumn(_("Event"), width=AUDIT_COLUMN_PX["event"]),
        "user": st.column_config.TextColumn(_("User"), width=AUDIT_COLUMN_PX["user"]),
        "detail": st.column_config.TextColumn(_("Detail"), width=AUDIT_COLUMN_PX["detail"]),
    },
)
st.caption(_("{n} of {total} events shown.", n=len(shown), total=len(events)))
