"""Data quality (HQ and country staff): per country the last publish and what to check, with the rows behind it.

The rows come from `-- access: detail` queries, so country staff see only their own countries; the page
also refuses other viewers itself (hiding it in the navigation is not authorisation).
"""

from __future__ import annotations

import streamlit as st

from score import exports, quality, ui
from score.i18n import _, fmt_int

scope = ui.current_scope()
filters = ui.page(_("Data quality"), _("What to check in each country's data, and when it was last published."))
if not quality.may_view(scope):
    st.info(_("Sign in with a country or HQ account to see the data quality checks."), icon=":material/key:")
    st.stop()

checks = quality.checks()
frames = {check.query: ui.query(check.query) for check in checks}
countries = filters.countries_within(scope.detail_countries)
table = quality.summary(quality.last_publishes(scope, countries), frames)
if table.empty:
    ui.empty_state(_("No data for the countries you can see with the current filters."))
    st.stop()
table["published_at"] = table["published_at"].dt.strftime("%Y-%m-%d %H:%M UTC")

names = ui.reference_labels("country")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "country": st.column_config.TextColumn(_("Country")),
        "version": st.column_config.NumberColumn(_("Version"), format="%d"),
        "action": st.column_config.TextColumn(_("Last change")),
        "user": st.column_config.TextColumn(_("By")),
        "published_at": st.column_config.TextColumn(_("When")),
        "age_days": st.column_config.NumberColumn(_("Age (days)"), format="%d"),
        **{check.query: st.column_config.NumberColumn(check.title, format="%d") for check in checks},
    },
)
st.caption(_("Countries: {names}", names=", ".join(names.get(c, c) for c in table["country"])))

for check in checks:
    frame = frames[check.query]
    with st.expander(
        f"{check.title}: {fmt_int(len(frame))}", icon=":material/check_circle:" if frame.empty else ":material/warning:"
    ):
        st.caption(check.explanation)
        if frame.empty:
            st.write(_("Nothing to check."))
        else:
            st.dataframe(frame, hide_index=True, width="stretch")
            st.download_button(
                _("Download these rows (CSV)"),
                data=exports.to_csv(frame),
                file_name=f"SCORE_{check.query}.csv",
                mime="text/csv",
                key=f"dq_download_{check.query}",
            )
