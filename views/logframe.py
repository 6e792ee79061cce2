"""Logframe: targets against actuals per country and reporting date, with progress and status."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from score import logframe
from score.i18n import _, fmt_date
from score.web import components as c
from score.web import ui

filters = ui.page(
    _("Logframe: targets and actuals"),
    _("Every logframe indicator per country at a reporting date, as in the progress reports, from the live data."),
    workbook=True,
)
countries = ui.reference_labels("country")
indicators = ui.reference_labels("logframe_indicator")

reports = ui.query("logframe_reports")
if reports.empty:
    ui.empty_state(_("No logframe figures have been reported for the countries in view."))
    st.stop()

LATEST = "latest"
dates = sorted({d.date() for d in reports["period_end"]}, reverse=True)
top = st.columns([2, 3])
options = [LATEST, *dates]
by_code = {LATEST if d == LATEST else d.isoformat(): d for d in options}  # ?date=2013-09-30 or ?date=latest
ui.page_choice("date", "logframe_date", list(by_code), by_code.__getitem__)
chosen = top[0].selectbox(
    _("Reporting date"),
    options,
    format_func=lambda d: _("Latest report of each country") if d == LATEST else fmt_date(d),
    key="logframe_date",
    on_change=ui.changed_by_reader,
    args=("logframe_date",),
)
ui.keep_page_choice("date", "logframe_date", LATEST if chosen == LATEST else chosen.isoformat())
frame = c.logframe_with_status(
    ui.query("logframe", period_end=None if chosen == LATEST else chosen.isoformat()), countries
)
if frame.empty:
    ui.empty_state(_("No country in view reported logframe figures for this date."))
    st.stop()

missing = sorted(set(reports["country"]) - set(frame["country"]))
if missing:
    st.caption(_("No report for this date: {countries}.", countries=", ".join(countries.get(c, c) for c in missing)))
if not replace(filters, countries=(), regions=()).is_default():
    st.caption(_("Logframe figures are per country: only the country and region filters apply to them."))

c.logframe_status_tiles(frame)

st.subheader(_("Status by indicator and country"))
c.logframe_matrix(frame, indicators, countries)
st.caption(_("Each cell: actual / target at the reporting date, coloured by status."))

st.subheader(_("Actual against target by country"))
reported = [code for code in indicators if code in set(frame["indicator"])]
default = "partner_staff_trained" if "partner_staff_trained" in reported else reported[0]
indicator = st.selectbox(
    _("Indicator"),
    reported,
    index=reported.index(default),
    format_func=ui.name_or_code(indicators),
    key="logframe_indicator",
)
suffix = "" if chosen == LATEST else f", {fmt_date(chosen)}"
figure = c.logframe_chart(frame, indicator, indicators[indicator], countries, title_suffix=suffix)
c.show_or_empty(figure, _("No country reported this indicator for this date."), file_name=f"logframe-{indicator}")

several_dates = frame["period_end"].nunique() > 1
st.subheader(_("Details, with women's shares and comments"))
tabs = st.tabs([logframe.level_label(level) for level in logframe.LEVELS])
# Each indicator's rows split off once (a selection per indicator cost ~0.4 ms each, every rerun)
rows_of = dict(tuple(frame.groupby("indicator", sort=False)))
for tab, level in zip(tabs, logframe.LEVELS, strict=True):
    with tab:
        in_level = set(frame.loc[frame["level"] == level, "indicator"])
        for code in [code for code in indicators if code in in_level]:
            rows = rows_of[code]
            st.markdown(f"**{indicators[code]}**")
            c.logframe_table(
                rows, indicators, countries, key=f"logframe_{code}", show_date=several_dates, show_indicator=False
            )
st.caption(_("Women (%): share of women, where the indicator counts people."))
