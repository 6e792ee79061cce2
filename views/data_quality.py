"""Data quality (HQ and country staff): per country the last publish and what to check, with the rows behind it.

The rows come from `-- access: detail` queries, so country staff see only their own countries; the page
also refuses other viewers itself (hiding it in the navigation is not authorisation).
"""

from __future__ import annotations

import streamlit as st

from score import exports, quality
from score.i18n import _, fmt_date, fmt_int
from score.labels import column_headings, table_names
from score.web import components, ui

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
names = ui.reference_labels("country")
# The day alone: eleven columns share 820 px at 1280 (French headings), and a date with its time took four lines
# there, or scrolled the table sideways unbroken (axe: a scrollable region no keyboard reaches). Its time is in
# the upload page's version history.
table["published_at"] = [
    "" if when is None or when != when else fmt_date(when.to_pydatetime()) for when in table["published_at"]
]
table["action"] = table["action"].map(quality.action_label)
headings = {
    "country": _("Country"),
    "version": _("Version"),
    "action": _("Last change"),
    "user": _("By"),
    "published_at": _("When"),
    "age_days": _("Age (days)"),
    **{check.query: check.title for check in checks},
}
shown = components.with_labels(table, country=names)
for column in ["version", "age_days", *(check.query for check in checks)]:
    shown[column] = shown[column].map(lambda value: "" if value != value or value is None else fmt_int(value))
# A plain table: its headings wrap, so every check is in view at 1280 px and 800 px (a grid scrolled sideways).
components.text_table(shown.rename(columns=headings)[list(headings.values())], hide_index=True)
st.caption(_("Countries: {names}", names=", ".join(names.get(c, c) for c in table["country"])))

for check in checks:
    frame = frames[check.query]
    with st.expander(
        _("{label}: {value}", label=check.title, value=fmt_int(len(frame))),
        icon=":material/check_circle:" if frame.empty else ":material/warning:",
    ):
        st.caption(check.explanation)
        if frame.empty:
            st.write(_("Nothing to check."))
        else:
            # On screen: names and headings in the viewer's language; the CSV below keeps the codes.
            labels = {
                "country": names,
                "module": ui.reference_labels("module"),
                "sector": ui.reference_labels("sector"),
                "indicator": ui.reference_labels("indicator"),
                "problem": quality.detail_texts(),
                "reason": quality.detail_texts(),
                "period": quality.detail_texts(),
                "source": table_names(),  # the file's table by its name, not its code
            }
            shown = components.with_labels(frame, **{k: v for k, v in labels.items() if k in frame.columns})
            headings = column_headings()
            st.dataframe(
                shown.rename(columns={k: v for k, v in headings.items() if k in shown.columns}),
                hide_index=True,
                width="stretch",
            )
            components.download(
                _("Download these rows (CSV)"),
                exports.to_csv(frame),
                exports.csv_name(check.title),
                "text/csv",
                key=f"dq_download_{check.query}",
            )
