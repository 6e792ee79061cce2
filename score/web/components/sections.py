"""Sections of the pages: a chart with its caption and suppression note, the headline row or a stop, and the
sections that pages name (joining trend, sectors, outcome shares, women and men by role, satisfaction ...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd
import streamlit as st

from score import access, charts
from score.filters import Filters
from score.i18n import _
from score.values import (
    HIDDEN,
    any_suppressed,
    format_value,
    is_suppressed,
    numeric,
    pivot_wide,
    role_labels,
    sex_labels,
)
from score.web.components.chart_builders import Series, bar_chart, multi_bar_chart, share_chart, trend_chart
from score.web.components.figure_cache import Figure
from score.web.components.figures import show_or_empty
from score.web.components.text import plain_paragraph


def suppression_note(*frames: pd.DataFrame) -> None:
    """The footnote under any chart or table that hides small cells (nothing when none is hidden)."""
    if any(any_suppressed(f) for f in frames):
        st.caption(
            _(
                "{hidden} hidden to protect individual enterprises: fewer than 5 enterprises, possibly none, "
                "are behind the cell.",
                hidden=HIDDEN,
            )
        )


def headline_kpis_or_stop(count: str, empty_message: str) -> pd.Series:
    """The row of overview_kpis a page heads with; the page ends with an explanation instead when that row
    was hidden (for the public also when nothing matches: access.hidden_text) or `count` is 0."""
    from score.web import ui

    kpis = ui.query("overview_kpis").iloc[0]
    if is_suppressed(kpis):
        ui.empty_state(access.hidden_text())
        st.stop()
    if not kpis[count]:
        ui.empty_state(empty_message)
        st.stop()
    return kpis


def chart_section(
    fig: Figure | None,
    empty_message: str,
    *,
    file_name: str,
    frame: pd.DataFrame | None = None,
    caption: str | None = None,
    notes: Sequence[pd.DataFrame] | None = None,
) -> None:
    """A chart (or why it is empty), its caption, then the suppression note for `notes` (default: `frame`)."""
    show_or_empty(fig, empty_message, file_name=file_name, frame=frame)
    if caption:
        st.caption(caption)
    suppression_note(*(notes if notes is not None else [] if frame is None else [frame]))


def sector_bars(frame: pd.DataFrame) -> Figure | None:
    """Enterprises by sector (enterprises_by_sector), in the sectors' colours."""
    from score.web import ui

    return bar_chart(
        frame,
        "sector",
        "enterprises",
        title=_("Enterprises, by sector"),
        labels=ui.reference_labels("sector"),
        colours=charts.sector_colours(),
    )


def joining_trend(frame: pd.DataFrame, *, title: str) -> None:
    """Enterprises joining per year, with the running total."""
    chart_section(
        trend_chart(
            frame, "year", "enterprises", title=title, bar_name=_("Joining that year"), line_name=_("Cumulative")
        ),
        _("No enterprises joined in the years selected."),
        file_name="enterprises-by-year",
        frame=frame,
    )


def outcome_share_section(
    frame: pd.DataFrame,
    measure: Literal["share_pct", "improved_pct"],
    *,
    labels: Mapping[str, str],
    file_name: str,
    country: str | None = None,
    hidden_from: pd.DataFrame | None = None,
    note: bool = True,
) -> None:
    """Outcome indicators as % bars with their n: answering yes at follow-up (`share_pct`) or improving
    (`improved_pct`), with the same title on every page. `country`: the country's name on its profile (the empty
    message names it), None for the current selection. `hidden_from`: the frame whose suppression turns the empty
    message into 'hidden'; `note`: the suppression note under it (False where the page notes it once further down)."""
    colour = charts.PERIOD_COLOURS["follow_up"] if measure == "share_pct" else charts.STATUS_COLOURS["achieved"]
    title = {
        "share_pct": _("Enterprises answering yes at follow-up (% of enterprises)"),
        "improved_pct": _("Enterprises improving (% of enterprises with baseline and follow-up)"),
    }[measure]
    if country:
        empty_message = {
            "share_pct": _("No enterprise in {country} has a follow-up answer yet.", country=country),
            "improved_pct": _("No enterprise in {country} has both a baseline and a follow-up yet.", country=country),
        }[measure]
    else:
        empty_message = {
            "share_pct": _("No enterprise in the current selection has a follow-up answer yet."),
            "improved_pct": _("No enterprise in the current selection has both a baseline and a follow-up yet."),
        }[measure]
    show_or_empty(
        share_chart(frame, "indicator", measure, "n_enterprises", title=title, labels=labels, colour=colour),
        empty_message,
        file_name=file_name,
        frame=hidden_from,
    )
    if note:
        suppression_note(frame)


def role_sex_section(
    roles: pd.DataFrame,
    value: str,
    *,
    title: str,
    file_name: str,
    barmode: Literal["stack", "group"] = "stack",
    caption: str | None = None,
    note: bool = True,
) -> None:
    """people_trained_by_role_sex as bars per role (managers, workers), women and men as segments."""
    sexes = sex_labels()
    show_or_empty(
        multi_bar_chart(
            pivot_wide(roles, "role", "sex", value, ["female", "male"]),
            "role",
            [Series(sex, sexes[sex], charts.SEX_COLOURS[sex]) for sex in ("female", "male")],
            title=title,
            labels=role_labels(),
            barmode=barmode,
        ),
        _("No classroom training matches the current filters."),
        file_name=file_name,
        frame=roles,
    )
    if caption:
        st.caption(caption)
    if note:
        suppression_note(roles)


def satisfaction_section(satisfaction: pd.DataFrame, *, labels: Mapping[str, str], colours: Mapping[str, str]) -> None:
    """Participants satisfied per module (satisfaction_by_module) with each bar's n; modules no delivery
    reports satisfaction for are left out."""
    reporting = satisfaction[numeric(satisfaction, "n_satisfaction").fillna(1) > 0]
    chart_section(
        bar_chart(
            reporting,
            "module",
            "satisfaction_mean",
            title=_("Participants satisfied, by module (% of participants)"),
            labels=labels,
            colours=colours,
            text=[
                _("{pct} (n = {n})", pct=format_value(p, "pct"), n=format_value(n))
                for p, n in zip(reporting["satisfaction_mean"], reporting["n_satisfaction"], strict=True)
            ],
            max_value=100,
            tick_suffix="%",
        ),
        _("No delivery in the current selection reports satisfaction."),
        file_name="satisfaction",
        frame=reporting,
        caption=_(
            "Mean of the share of participants satisfied, as reported for each delivery; n = deliveries reporting it. "
            "Deliveries without a figure are left out."
        ),
    )


def modules_taken_section(per_enterprise: pd.DataFrame) -> None:
    """Enterprises by the number of modules they have taken (modules_per_enterprise): share, with the count."""
    chart_section(
        bar_chart(
            per_enterprise.assign(n_modules=per_enterprise["n_modules"].astype(str)),
            "n_modules",
            "share_pct",
            title=_("Enterprises by number of modules taken (% of enterprises)"),
            orientation="v",
            # on two lines: on one, "25 % (368)" was wider than its bar and the first one lay over the axis' "25"
            text=[
                _("{pct}<br>({n})", pct=format_value(p, "pct"), n=format_value(n))
                for p, n in zip(per_enterprise["share_pct"], per_enterprise["enterprises"], strict=True)
            ],
            value_format=".0f",  # no axis title: the chart's title says "% of enterprises" already
            category_title=_("Modules taken"),
        ),
        _("No enterprises match the current filters."),
        file_name="modules-per-enterprise",
        frame=per_enterprise,
        caption=_("Share of the enterprises engaged that have taken 0, 1, 2 ... of the modules in view."),
    )


def narrative_section(place: str | None = None, filters_override: Filters | None = None) -> None:
    """The figures in words (score.narrative: rules over the page's own named queries), a short paragraph.
    `place`: the country the page is about; `filters_override`: that page's filters (the country profile)."""
    from score.narrative import narrative, place_of
    from score.web import ui

    if place is None and filters_override is None:
        place = place_of(ui.current_filters(), ui.reference_labels("country"))

    def query(name: str, **params: object) -> pd.DataFrame:
        return ui.query(name, filters_override=filters_override, **params)

    text = narrative(query, place, ui.reference_labels("indicator")).text
    plain_paragraph(text)
