"""The chart builders (`*_chart`): plain functions returning a styled figure or None (nothing to draw), testable
and exportable without Streamlit, each cached once per arguments and language by `cached_figure`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from score import chart_text, charts, logframe
from score.i18n import _, fmt_int, fmt_number, fmt_pct
from score.values import HIDDEN, cumulative, format_value, missing, numeric, sex_labels
from score.web.components.figure_cache import Figure, cached_figure

CATEGORY_LINE = 24  # characters of a bar's name per line on a horizontal axis
# The plot of a half-width chart on a 1280 px laptop or projector, in px: what a horizontal bar chart's value axis
# keeps beside long French sector names (~200), what a trend's bars share (~300, the year axis). Tick and bar labels
# are sized to read there.
VALUE_AXIS_PX = 200
# The same for a chart across the page (a single country's workers by sector): ~820 px of page at 1280 px less the
# sector names' ~200 and the margins. Its ticks are sized to read at 1280 px (the projector); at 1920 px they are
# further apart, not fewer (two, "0 50 000", when it asked for a half-width chart's).
WIDE_VALUE_AXIS_PX = 560
TREND_PLOT_PX = 300
BAR_LABEL_SIZE = 14  # px, the printed value over a trend's bar

# The logframe's chart (score.logframe builds it without Streamlit), cached like the builders here.
logframe_chart = cached_figure(logframe.chart)

bottom_legend = charts.bottom_legend  # components.bottom_legend: pages and sections use it by that name


def _tick(value: float, suffix: str) -> str:
    """An axis tick: percentages the locale's way ("25 %" in French), other suffixes appended."""
    return fmt_pct(value) if suffix == "%" else format_value(value) + suffix


def _axis_format(value_format: str) -> str:
    """A value axis' d3 format: the bars' format without trailing zeros (",.1f" -> ",.1~f"), so whole ticks read
    "0 2 4", not "0,0 2,0 4,0", while a bar's label keeps its decimal ("2,5")."""
    return re.sub(r"(\.\d+)f$", r"\1~f", value_format)


def _bar_height(n_categories: int, per_bar: int = 44, minimum: int = 260) -> int:
    return max(minimum, 120 + per_bar * n_categories)


def _bar_gap(height: int, n_categories: int, thickest: int = 40) -> float:
    """Gap between bars so that no bar is thicker than `thickest` pixels (a lone bar is not a slab)."""
    band = max(height - 130, 50) / max(n_categories, 1)
    return min(max(0.2, 1 - thickest / band), 0.85)


def _value_labels(hidden: Sequence[bool], template: str) -> str | list[str]:
    """A bar trace's texttemplate: `template` for every bar, "–" over a hidden one. One string when nothing is
    hidden: Plotly then reads one template, not one a bar (the same labels drawn)."""
    return [HIDDEN if h else template for h in hidden] if any(hidden) else template


def _axis_letter(orientation: str) -> str:
    return "x" if orientation == "h" else "y"


def _finish_bars(
    fig: Figure,
    orientation: str,
    top: float,
    value_format: str,
    value_title: str | None,
    headroom: float = 1.15,
    category_title: str | None = None,
    axis_px: int = VALUE_AXIS_PX,
) -> None:
    value_axis: dict[str, object] = {
        "tickformat": _axis_format(value_format),
        "range": [0, (top or 1) * headroom],
        "title": {"text": value_title} if value_title else None,
    }
    if orientation == "h":
        value_axis["nticks"] = value_ticks((top or 1) * headroom, value_format, axis_px)
    category_axis = {
        "tickformat": "",
        "showgrid": False,
        "type": "category",
        "ticks": "",
        "ticklabelstandoff": 6,
        "tickangle": 0 if orientation == "v" else None,
        "title": {"text": category_title} if category_title else None,
    }
    if orientation == "h":
        fig.update_xaxes(**value_axis)
        fig.update_yaxes(autorange="reversed", **category_axis)
    else:
        fig.update_yaxes(**value_axis)
        fig.update_xaxes(**category_axis)


def value_ticks(end: float, value_format: str, axis_px: int = VALUE_AXIS_PX) -> int:
    """How many ticks a horizontal bar chart's value axis asks Plotly for (`nticks`: the step is the range over it,
    rounded up to 2, 5 or 10 times a power of ten): as many as its widest label, the axis's end, fits with a gap
    of a character in `axis_px` (VALUE_AXIS_PX for a half-width chart, WIDE_VALUE_AXIS_PX across the page).
    Plotly's own five ticks touched in French ("20 000 40 000 60 000 80 000")."""
    size = charts.TEXT_SIZE
    label = chart_text.d3_format(end, value_format)
    return max(2, int(axis_px // (charts.text_width(label, size) + size)))


def whole_bar_labels(labels: Sequence[str], bars: int) -> bool:
    """Whether a trend's bar labels are printed whole, each wider than its bar if need be: when the widest fits
    the step from bar to bar in a half-width chart at 1280 px (TREND_PLOT_PX), level and clear of its neighbours.
    Narrowed to their bar they were hidden there ("191", "236", "294": 12 years of about 20 px bars)."""
    widest = max((charts.text_width(label, BAR_LABEL_SIZE) for label in labels), default=0.0)
    return widest <= TREND_PLOT_PX / max(bars, 1)


@cached_figure
def bar_chart(
    frame: pd.DataFrame,
    code: str,
    value: str,
    *,
    title: str,
    labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
    colour: str = charts.ACCENT,
    orientation: Literal["h", "v"] = "h",
    value_format: str = ",d",
    text: Sequence[str] | None = None,
    value_title: str | None = None,
    category_title: str | None = None,
    target: str | None = None,
    target_label: str | None = None,
    height: int | None = None,
    max_value: float | None = None,
    tick_suffix: str = "",
) -> Figure | None:
    """One bar per row of `frame`, in the frame's order (top to bottom when horizontal).

    `code`: the column of category codes, shown through `labels` and coloured through `colours` (fixed per
    code, e.g. charts.module_colours(); `colour` for codes without one). `value`: the bar length; a missing
    value (suppressed) is drawn as "–". `text` overrides the label printed at each bar (default: the value
    with `value_format`, a d3 format). `target`: a column drawn as a target marker. `max_value` fixes the
    axis (e.g. 100 for percentages), ticked in halves with `tick_suffix` (e.g. "%"). Returns None when there
    is nothing to draw (no rows, or all zero).
    """
    if frame.empty:
        return None
    values = numeric(frame, value)
    if not (values.fillna(0) != 0).any():  # nothing to see: all zero or hidden
        return None
    axis = _axis_letter(orientation)
    other = "y" if axis == "x" else "x"
    names = [(labels or {}).get(str(c), str(c)) for c in frame[code]]
    if orientation == "h":  # long names ("Gestion des ressources humaines") on two lines, not cut at the edge
        names = ["<br>".join(charts.title_lines(name, CATEGORY_LINE)) for name in names]
    bar_colours = [(colours or {}).get(str(c), colour) for c in frame[code]]
    hidden = values.isna().to_numpy()
    shown = values.fillna(0)
    if text is None:  # the value itself; "–" (a template without placeholders prints as it is) when hidden
        bar_text, texttemplate = None, _value_labels(hidden.tolist(), "%{" + axis + ":" + value_format + "}")
    else:
        bar_text, texttemplate = [HIDDEN if h else t for h, t in zip(hidden, text, strict=True)], None
    longest = max((len(t) for t in (bar_text or [])), default=6)
    # Long printed labels ("89 % (n = 1 138)") on a fixed scale (shares): inside the bars of half the scale or
    # more, so the bars keep the chart's width (printed outside they squeezed a half-width chart to a sliver).
    inside = orientation == "h" and max_value is not None and bar_text is not None and longest > 8
    half = (max_value or 0) / 2
    positions = ["inside" if inside and v >= half else "outside" for v in shown] if inside else "outside"
    fig = charts.PlainFigure(
        [
            charts.bar(
                **{axis: shown, other: names},
                orientation=orientation,
                marker={"color": bar_colours},
                text=bar_text,
                texttemplate=texttemplate,
                textposition=positions,
                insidetextanchor="end",
                constraintext="inside",  # a label wider than its bar shrinks (a half-width chart in French)
                cliponaxis=False,
                textfont={"size": 15},
                hovertemplate=_bar_hover(other, "%{" + axis + ":" + value_format + "}", bar_text, hidden.tolist()),
                showlegend=False,
            )
        ]
    )
    top = max(float(shown.max()), float(max_value or 0))
    if target is not None and target in frame.columns and numeric(frame, target).notna().any():
        targets = numeric(frame, target)
        label = target_label or _("Target")
        fig.add_trace(
            charts.scatter(
                **{axis: targets, other: names},
                mode="markers",
                name=label,
                marker={
                    "symbol": "line-ns" if orientation == "h" else "line-ew",
                    "size": 30,
                    "line": {"width": 4, "color": charts.TARGET_COLOUR},
                },
                hovertemplate=label + ": %{" + axis + ":,.0f}<extra></extra>",
            )
        )
        top = max(top, float(targets.max()))
        if orientation == "h":  # each label beyond the bar or its target, whichever is longer: never under the mark
            bar = fig.traces[0]
            printed = bar_text or [
                HIDDEN if h else chart_text.d3_format(v, value_format) for h, v in zip(hidden, shown, strict=True)
            ]
            bar.pop("text", None)
            bar.pop("texttemplate", None)
            fig.add_trace(
                charts.scatter(
                    x=[max(v, t) if not pd.isna(t) else v for v, t in zip(shown, targets, strict=True)],
                    y=names,
                    mode="text",
                    text=["\u00a0" + t for t in printed],  # a space clear of the target's stroke
                    textposition="middle right",
                    textfont={"size": 15},
                    cliponaxis=False,
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    # Room for the printed labels beside horizontal bars: longer labels need more of the axis.
    headroom = 1 + 0.022 * max(longest, 6) if orientation == "h" else 1.15
    # Long printed labels ("89 % (n = 1 138)") get room of their own in the right margin: in a half-width chart
    # with long category names (French, Spanish) the axis is too short for headroom alone to hold them.
    # (On a fixed scale they are inside the long bars, and the short bars leave room beside them.)
    label_margin = 6 * longest + 10 if orientation == "h" and bar_text and longest > 8 and not inside else None
    if label_margin:
        headroom = 1.05
    if max_value is not None:
        top = max_value
    fig_height = height or (_bar_height(len(frame)) if orientation == "h" else 440)
    charts.style(fig, title, height=fig_height)
    fig.update_layout(bargap=_bar_gap(fig_height, len(frame), 40 if orientation == "h" else 90))
    if len(fig.traces) > 1:  # the "Target" key under the plot: above it, it sat on the chart's title
        fig.update_layout(legend=bottom_legend(fig_height))
    if label_margin:
        fig.update_layout(margin={"r": label_margin})
    _finish_bars(fig, orientation, top, value_format, value_title, headroom, category_title)
    if max_value is not None:
        # three ticks, level: five ("0 % 25 % 50 % 75 % 100 %") did not fit a half-width chart's axis, and Plotly
        # turned them 45 degrees
        ticks = [max_value * i / 2 for i in range(3)]
        fixed = {"tickvals": ticks, "ticktext": [_tick(t, tick_suffix) for t in ticks], "tickangle": 0}
        fig.update_layout(**{f"{axis}axis": fixed})
    return fig


@dataclass(frozen=True)
class Series:
    """One series of a multi-series bar chart: the frame column, its name in the legend, its fixed colour."""

    column: str
    name: str
    colour: str


@cached_figure
def multi_bar_chart(
    frame: pd.DataFrame,
    code: str,
    series: Sequence[Series],
    *,
    title: str,
    labels: Mapping[str, str] | None = None,
    orientation: Literal["h", "v"] = "h",
    barmode: Literal["stack", "group"] = "stack",
    value_format: str = ",d",
    value_title: str | None = None,
    height: int | None = None,
    across: bool = False,
) -> Figure | None:
    """Stacked or grouped bars: one category per row of `frame` (codes in `code`, named through `labels`),
    one bar segment per `Series`. Suppressed (missing) segments are left out and the category is marked "–".
    `across`: the chart spans the page's width (its value axis gets the ticks of that width). Returns None when
    every value is 0 or there are no rows."""
    if frame.empty:
        return None
    matrix = pd.DataFrame({s.column: numeric(frame, s.column) for s in series})
    if not (matrix.fillna(0) != 0).any().any():  # nothing to see: all zero or hidden
        return None
    axis = _axis_letter(orientation)
    other = "y" if axis == "x" else "x"
    names = [(labels or {}).get(str(c), str(c)) for c in frame[code]]
    fig = charts.PlainFigure()
    for s in series:
        values = matrix[s.column]
        fig.add_trace(
            charts.bar(
                **{axis: values.fillna(0), other: names},
                orientation=orientation,
                name=s.name,
                marker={"color": s.colour},
                # a hidden segment prints "–" (drawn as 0: score.chart_text reads it as hidden, not as 0)
                texttemplate=_value_labels(values.isna().tolist(), "%{" + axis + ":" + value_format + "}"),
                textposition="inside" if barmode == "stack" else "outside",
                insidetextanchor="middle",
                # level, never turned: "auto" printed a thin women's segment's "399" sideways; a number too wide
                # for its segment is hidden (uniformtext) and read in the hover and the data table
                textangle=0,
                textfont={"size": 14},
                constraintext="inside" if barmode == "stack" else "none",
                cliponaxis=False,
                hovertemplate=s.name + " · %{" + other + "}: %{" + axis + ":" + value_format + "}<extra></extra>",
            )
        )
    hidden = matrix.isna().any(axis=1).to_numpy()
    if hidden.any() and barmode == "stack":  # grouped bars print "–" at each hidden bar themselves
        hidden_names = [n for n, h in zip(names, hidden, strict=True) if h]
        fig.add_trace(
            charts.scatter(
                **{axis: [0] * len(hidden_names), other: hidden_names},
                mode="text",
                text=[HIDDEN] * len(hidden_names),
                textposition="middle right" if orientation == "h" else "top center",
                textfont={"size": 18, "color": charts.MUTED_TEXT},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    totals = matrix.fillna(0).sum(axis=1) if barmode == "stack" else matrix.fillna(0).max(axis=1)
    per_bar = 44 if barmode == "stack" else 30 * len(series) + 14
    fig.update_layout(barmode=barmode, uniformtext={"minsize": 14, "mode": "hide"})
    fig_height = height or (_bar_height(len(frame), per_bar) if orientation == "h" else 440)
    charts.style(fig, title, height=fig_height)
    fig.update_layout(
        legend=bottom_legend(fig_height),
        bargap=_bar_gap(fig_height, len(frame), 40 * (len(series) if barmode == "group" else 1)),
    )
    axis_px = WIDE_VALUE_AXIS_PX if across else VALUE_AXIS_PX
    _finish_bars(fig, orientation, float(totals.max()), value_format, value_title, axis_px=axis_px)
    return fig


# Vertical bands (paper fractions) of a trend chart: the bars below, the running total's line above them.
TREND_BARS, TREND_LINE = (0.0, 0.6), (0.7, 1.0)
# At most this many year labels on a trend's axis (Plotly labels every ceil(span / nticks)-th year, the span being the
# years and the bars' padding): every year up to 6, every second up to 13, each level and clear of the next in the
# narrowest chart (charts.NARROWEST).
YEAR_LABELS = 7


@cached_figure
def trend_chart(
    frame: pd.DataFrame,
    year: str,
    value: str,
    *,
    title: str,
    bar_name: str,
    line_name: str,
    colour: str = charts.ACCENT,
) -> Figure | None:
    """Yearly bars with the running total as a line on a second axis (see `cumulative`: the line stops at
    the first hidden year). The line has its own band above the bars (`TREND_BARS`, `TREND_LINE`): on one
    shared plot area it crossed the bars' value labels. Returns None when there are no rows or every value is 0."""
    if frame.empty:
        return None
    values = numeric(frame, value)
    if not (values.fillna(0) != 0).any():  # nothing to see: all zero or hidden
        return None
    years = frame[year].astype(int).astype(str)
    running = cumulative(values)
    top = float(values.max(skipna=True) or 1)
    printed = [chart_text.d3_format(v, ",d") for v in values.dropna()]
    fig = charts.PlainFigure()
    fig.add_trace(
        charts.bar(
            x=years,
            y=values.fillna(0),
            name=bar_name,
            marker={"color": colour},
            texttemplate=_value_labels(values.isna().tolist(), "%{y:,d}"),
            textposition="outside",
            # level, never turned (upright, "1,425" read sideways even at 1920 px): printed whole where it reads clear
            # of its neighbours (whole_bar_labels), else narrowed to its bar and, below 14 px, hidden (uniformtext
            # below) and read in the hover, the line's total and the data table
            textangle=0,
            constraintext="none" if whole_bar_labels(printed, len(years)) else "outside",
            cliponaxis=False,
            textfont={"size": BAR_LABEL_SIZE},
            hovertemplate="%{x}: %{y:,d}<extra>" + bar_name + "</extra>",
        )
    )
    fig_height = 480  # two bands: the bars keep about the height they had on a shared plot area
    charts.style(fig, title, height=fig_height)
    fig.update_layout(
        legend=bottom_legend(fig_height),
        yaxis={"range": [0, top * 1.15], "showgrid": True, "domain": list(TREND_BARS)},
        # years level, at most YEAR_LABELS of them (every second or third year): Plotly labels every category and
        # turned them upright where they collided (12 years in a half-width chart at 1280 px)
        xaxis={"type": "category", "tickformat": "", "showgrid": False, "tickangle": 0, "nticks": YEAR_LABELS},
        bargap=0.25,
        uniformtext={"minsize": 14, "mode": "hide"},
    )
    if running.notna().any():  # no line at all when the first year is hidden
        fig.add_trace(
            charts.scatter(
                x=years,
                y=running,
                name=line_name,
                yaxis="y2",
                mode="lines+markers",
                line={"color": charts.INK, "width": 3},
                marker={"size": 8},
                hovertemplate="%{x}: %{y:,d}<extra>" + line_name + "</extra>",
            )
        )
        fig.update_layout(
            yaxis2={
                "anchor": "x",
                "domain": list(TREND_LINE),
                "side": "right",
                "tickmode": "auto",
                "tickformat": ",d",
                "range": [0, float(running.max(skipna=True)) * 1.1],
                "nticks": 4,
                "showgrid": False,
                "automargin": True,
                "tickfont": {"color": charts.MUTED_TEXT},
            }
        )
    return fig


@cached_figure
def sex_split_chart(rows: Sequence[tuple[str, object, object]], *, title: str) -> Figure | None:
    """100 % bars split women / men, one per (label, women, men) row, each segment printed as
    'share · count'. Rows with a hidden value are drawn as "–". None when every row is empty."""
    usable = [(label, f, m) for label, f, m in rows if not (missing(f) or missing(m)) and float(f) + float(m) > 0]  # type: ignore[arg-type]
    if not usable:
        return None
    names = [label for label, _f, _m in rows]
    fig = charts.PlainFigure()
    for sex, index in (("female", 1), ("male", 2)):
        shares, texts, drawn = [], [], []
        for row in rows:
            f, m = row[1], row[2]
            if missing(f) or missing(m) or float(f) + float(m) == 0:  # type: ignore[arg-type]
                shares.append(0.0)
                texts.append("")
                drawn.append("")
                continue
            count = float(row[index])  # type: ignore[arg-type]
            share = 100 * count / (float(f) + float(m))  # type: ignore[arg-type]
            shares.append(share)
            texts.append(f"{fmt_pct(share)} · {fmt_int(count)}")  # the table, the hover and the text alternative
            # drawn on two lines: on one, "41 % · 141 064" did not fit a half-width chart's women's part and was hidden
            drawn.append(f"{fmt_pct(share)}<br>{fmt_int(count)}")
        fig.add_trace(
            charts.bar(
                x=shares,
                y=names,
                orientation="h",
                name=sex_labels()[sex],
                marker={"color": charts.SEX_COLOURS[sex]},
                text=texts,
                texttemplate=drawn,
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,  # as multi_bar_chart: never sideways in a thin segment
                textfont={"size": 15},
                hovertemplate=sex_labels()[sex] + " · %{y}: %{text}<extra></extra>",
            )
        )
    hidden = [label for label, f, m in rows if missing(f) or missing(m)]
    if hidden:
        fig.add_trace(
            charts.scatter(
                x=[0] * len(hidden),
                y=hidden,
                mode="text",
                text=[HIDDEN] * len(hidden),
                textposition="middle right",
                textfont={"size": 18, "color": charts.MUTED_TEXT},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig_height = _bar_height(len(rows), 64, minimum=300)  # bars thick enough for their two-line labels
    charts.style(fig, title, height=fig_height, value_format="")
    fig.update_layout(
        barmode="stack",
        bargap=0.15,
        legend=bottom_legend(fig_height),
        uniformtext={"minsize": 14, "mode": "hide"},
        margin={"r": 30},
    )
    ticks = [0, 25, 50, 75, 100]
    fig.update_xaxes(range=[0, 100], tickvals=ticks, ticktext=[fmt_pct(t) for t in ticks])
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category", tickformat="", ticks="")
    return fig


def _bar_hover(category: str, value: str, printed: Sequence[str] | None, hidden: Sequence[bool]) -> str | list[str]:
    """What hovering a bar says: the label printed at it (with its unit: "79 % (n = 1 144)") when there is one, else
    the value in `value`'s format; a hidden bar says "–" as it is drawn (its length is a stand-in 0, not a value)."""
    shown = charts.hover_template("%{" + category + "}", "%{text}" if printed is not None else value)
    if not any(hidden):
        return shown
    return [charts.hover_template("%{" + category + "}", HIDDEN) if h else shown for h in hidden]


@cached_figure
def outcome_chart(
    row: Mapping[str, object] | pd.Series,
    *,
    label: str,
    unit: str,
    measure: Literal["mean", "sum"] = "mean",
) -> Figure | None:
    """Baseline against follow-up for one 'change' indicator (a row of outcome_changes), over the
    enterprises having both: the mean per enterprise or the sum over them. The relative change of the sum
    (the published definition) is written between the bars. None when the row has no enterprise with both
    values; a hidden (suppressed) row also returns None (the page says why)."""
    n = row.get("n_enterprises")
    if missing(n) or float(n) == 0:  # type: ignore[arg-type]
        return None
    baseline, follow_up = row.get(f"baseline_{measure}"), row.get(f"follow_up_{measure}")
    if missing(baseline) or missing(follow_up):
        return None
    decimals = 0 if max(float(baseline), float(follow_up)) >= 1000 else 1  # type: ignore[arg-type]
    names = [_("Baseline"), _("Follow-up")]
    fig = charts.PlainFigure(
        [
            charts.bar(
                x=names,
                y=[float(baseline), float(follow_up)],  # type: ignore[arg-type]
                marker={"color": [charts.PERIOD_COLOURS["baseline"], charts.PERIOD_COLOURS["follow_up"]]},
                text=[fmt_number(baseline, decimals), fmt_number(follow_up, decimals)],
                textposition="outside",
                cliponaxis=False,
                textfont={"size": 16},
                hovertemplate="%{x}: %{text}<extra></extra>",
                width=0.55,
                showlegend=False,
            )
        ]
    )
    measure_text = _("mean per enterprise") if measure == "mean" else _("total over enterprises")
    change = row.get("change_pct")
    if not missing(change):
        fig.add_annotation(
            x=0.5,
            y=max(float(baseline), float(follow_up)) * 1.2,  # type: ignore[arg-type]
            text=_("<b>{change}</b> (total)", change=fmt_pct(change, decimals=1, signed=True)),
            showarrow=False,
            font={"size": 20, "color": charts.INK},
        )
    charts.style(fig, label, height=380, value_format="")
    top = max(float(baseline), float(follow_up))  # type: ignore[arg-type]
    fig.update_layout(
        title={"subtitle": {"text": f"{unit} · {measure_text}", "font": {"size": 15, "color": charts.MUTED_TEXT}}},
        margin={"t": fig.layout_dict["margin"]["t"] + 28},  # room for the subtitle
    )
    fig.update_yaxes(range=[0, top * 1.35], tickformat=",.0f" if decimals == 0 else ",.1~f", rangemode="tozero")
    fig.update_xaxes(type="category", showgrid=False)
    return fig


def outcome_note(row: Mapping[str, object] | pd.Series, *, unit: str, measure_label: str) -> str:
    """The method note under an outcome chart: n, how many lack a follow-up, share improving, median change."""
    direction = _("Lower is better.") if row.get("direction") == "lower" else _("Higher is better.")
    return _(
        "{measure} over the {n} enterprises with both values; {lacking} more have a baseline but no follow-up "
        "yet and are left out. Improving: {improving}. Median change per enterprise: {median} {unit} "
        "({median_pct}). {direction}",
        measure=measure_label,
        n=format_value(row.get("n_enterprises")),
        lacking=format_value(row.get("n_without_follow_up")),
        improving=format_value(row.get("improved_pct"), "pct"),
        median=format_value(row.get("median_change"), "number"),
        unit=unit,
        median_pct=format_value(row.get("median_change_pct"), "signed_pct"),
        direction=direction,
    )


@cached_figure
def share_chart(
    frame: pd.DataFrame,
    code: str,
    pct: str,
    n: str,
    *,
    title: str,
    labels: Mapping[str, str] | None = None,
    colour: str = charts.ACCENT,
) -> Figure | None:
    """Horizontal bars on a 0-100 % axis, each printed as '79% (n = 1,138)'. None when no row has an n."""
    if frame.empty or not (numeric(frame, n).fillna(1) > 0).any():
        return None
    text = [
        _("{pct} (n = {n})", pct=fmt_pct(p), n=fmt_int(k)) if not missing(p) else HIDDEN
        for p, k in zip(frame[pct], frame[n], strict=True)
    ]
    return bar_chart(
        frame,
        code,
        pct,
        title=title,
        labels=labels,
        colour=colour,
        value_format=".0f",
        text=text,
        max_value=100,
        tick_suffix="%",
    )
