"""Outcomes: what changed in the enterprises between baseline and follow-up, and what they report."""

from __future__ import annotations

import streamlit as st

from score import exports
from score.i18n import _
from score.web import components as c
from score.web import ui

ui.page(
    _("Outcomes"),
    _("Measured in the enterprises before SCORE (baseline) and after it (follow-up), and what they report."),
    workbook=True,
)

meta = ui.query("indicator_meta").set_index("indicator")
labels = ui.reference_labels("indicator")
units = {code: _(unit) for code, unit in meta["unit"].items()}
ui.query_together("outcome_shares", "outcome_changes")  # one statement for a new filter set
shares = c.ordered(ui.query("outcome_shares"), "indicator", list(meta.index))
changes = c.ordered(ui.query("outcome_changes"), "indicator", list(meta.index))

if not c.has_data(shares, "n_enterprises") and not c.has_data(changes, "n_enterprises", "n_without_follow_up"):
    ui.empty_state(_("No outcome measurements exist for the enterprises matching the current filters."))
    st.stop()

# ---- yes/no indicators
st.subheader(_("Reported at follow-up"))
left, right = st.columns([3, 2])
with left:
    c.outcome_share_section(shares, "share_pct", labels=labels, file_name="outcomes-reported", hidden_from=shares)
with right:
    st.caption(
        _(
            "Method: each enterprise answers yes (1) or no (0) at follow-up. The share is the enterprises "
            "answering yes among those that answered (n). Enterprises without a follow-up are not counted."
        )
    )
    for item in shares.itertuples():
        meaning = meta.loc[item.indicator, "definition"]
        st.caption(_("{label}: {value}", label=f"**{labels[item.indicator]}**", value=_(meaning)))

# ---- change indicators: summary
st.subheader(_("Change from baseline to follow-up"))
measures = {"mean": _("Mean per enterprise"), "sum": _("Total over enterprises")}
measure = (
    st.segmented_control(
        _("Show baseline and follow-up as"),
        list(measures),
        format_func=ui.name_or_code(measures),
        default="mean",
        key="measure",
    )
    or "mean"
)
left, right = st.columns([3, 2])
with left:
    c.outcome_share_section(
        changes, "improved_pct", labels=labels, file_name="outcomes-improving", hidden_from=changes, note=False
    )
with right:
    st.caption(
        _(
            "Method: an enterprise improves when its follow-up is better than its baseline in the indicator's "
            "direction (fewer accidents, less absenteeism ...). Only enterprises with both values count (n); those "
            "still waiting for a follow-up are listed in the table below and left out."
        )
    )
    st.caption(
        _(
            "Change: the summed follow-up against the summed baseline over the same enterprises, the "
            "definition behind the published figures (e.g. 16% fewer accidents)."
        )
    )

st.caption(
    _(
        "Baseline and follow-up: {measure}, over the enterprises with both values (n). Change: of the total. "
        "Improving: share of n. Median change: per enterprise, in the indicator's unit.",
        measure=measures[measure].lower(),
    )
)
summary = c.display_table(
    c.with_labels(changes.assign(unit=changes["indicator"].map(units)), indicator=labels),
    {
        "indicator": (_("Indicator"), "text"),
        "unit": (_("Unit"), "text"),
        "n_enterprises": (_("n"), "int"),
        "n_without_follow_up": (_("No follow-up yet"), "int"),
        f"baseline_{measure}": (_("Baseline"), "number"),
        f"follow_up_{measure}": (_("Follow-up"), "number"),
        "change_pct": (_("Change"), "signed_pct"),
        "improved_pct": (_("Improving"), "pct"),
        "median_change": (_("Median change"), "number"),
    },
)
c.table(summary, key="outcomes_table")
c.csv_download(
    changes.assign(unit=changes["indicator"].map(meta["unit"])),
    exports.csv_name(_("Outcomes")),
    labels={"indicator": labels, "unit": ui.export_labels()["unit"]},  # unit_name: the unit in the reader's words
    columns=[
        "indicator",
        "unit",
        "n_enterprises",
        "n_without_follow_up",
        f"baseline_{measure}",
        f"follow_up_{measure}",
        "change_pct",
        "improved_pct",
        "median_change",
    ],
    key="outcomes_csv",
)
c.suppression_note(changes)

# ---- change indicators: one chart each
columns = st.columns(2)
for index, row in changes.iterrows():
    code = row["indicator"]
    with columns[index % 2], st.container(border=True):
        figure = c.outcome_chart(row, label=labels[code], unit=units[code], measure=measure)
        if c.missing(row["n_enterprises"]):
            st.info(
                _("{name}: hidden, fewer than 5 enterprises have both values.", name=labels[code]),
                icon=":material/info:",
            )
        else:
            c.show_or_empty(
                figure,
                _("{name}: no enterprise has both a baseline and a follow-up yet.", name=labels[code]),
                file_name=f"outcome-{code}",
            )
        st.caption(c.outcome_note(row, unit=units[code], measure_label=measures[measure]))
