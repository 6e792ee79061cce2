"""One chart style for the whole dashboard: colours, fonts and number formats readable on a projector.

Colours are colour-blind safe (Okabe-Ito for modules and sex, Paul Tol's palettes for sectors and
regions) and fixed per code, so "QM" or "garments" has the same colour on every page and in every deck.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.basedatatypes import BaseFigure

from score import contract
from score.chart_text import text_of

# The page's own font, served by Streamlit as "Source Sans" (@font-face in its static CSS; "Source Sans Pro" is
# installed nowhere, so charts were drawn in Arial beside Source Sans headings); Arial where it is not loaded
# (kaleido's PNGs, the report file).
FONT = "Source Sans, Source Sans Pro, Arial, sans-serif"
INK = "#1f2933"
GRID = "#e4e7eb"
MUTED = "#9aa5b1"  # fills and lines (2.5:1 on white: never for text)
MUTED_TEXT = "#52606d"  # quieter text, 6.5:1 on white (WCAG AA asks 4.5:1)
ACCENT = "#0072B2"  # ILO-like blue, also Okabe-Ito blue

SEX_COLOURS = {"female": "#CC79A7", "male": "#009E73"}
# Text in the women's colour: the fill's pink is 3.1:1 on white, under WCAG AA (4.5:1) for text; this is 5.4:1
WOMEN_TEXT = "#A8477F"
ROLE_COLOURS = {"managers": "#0072B2", "workers": "#E69F00"}
PERIOD_COLOURS = {"baseline": "#9aa5b1", "follow_up": "#0072B2"}
STATUS_COLOURS = {"achieved": "#009E73", "on_track": "#56B4E9", "behind": "#D55E00", "no_data": "#9aa5b1"}
SIZE_COLOURS = {"micro": "#88CCEE", "small": "#44AA99", "medium": "#117733", "large": "#332288"}
TARGET_COLOUR = "#D55E00"  # target markers and lines (Okabe-Ito vermillion)

# Every chart is shown with this Plotly config. The modebar's camera is removed: it overlapped chart titles
# and saved an image without filters, source, date or demo status; components.show() offers a PNG with that
# caption instead (exports.chart_png). Selection tools a dashboard does not use are removed too.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["toImage", "select2d", "lasso2d", "autoScale2d"],
}

_OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Paul Tol "muted" (9) + "light" extras: distinguishable for the common colour-vision deficiencies.
_TOL = [
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#EE8866",
    "#77AADD",
    "#BBCC33",
    "#DDDDDD",
]


def module_colours() -> dict[str, str]:
    codes = contract.code_list("module")
    return {code: _OKABE_ITO[i % len(_OKABE_ITO)] for i, code in enumerate(codes)}


def sector_colours() -> dict[str, str]:
    codes = contract.code_list("sector")
    return {code: _TOL[i % len(_TOL)] for i, code in enumerate(codes)}


def country_colours() -> dict[str, str]:
    codes = contract.code_list("country")
    return {code: _TOL[i % len(_TOL)] for i, code in enumerate(codes)}


def compares_countries(frame: pd.DataFrame) -> bool:
    """Whether a chart of `frame` by country has something to compare: two countries or more. With one country
    in view (chosen, or a country's own scope) it would be one bar, the page's headline figure again."""
    return frame["country"].nunique() > 1


def hex_to_rgb(colour: str) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)]


TITLE_SIZE = 19  # px, the template's title font
TEXT_SIZE = 15  # px, the template's font: tick labels, legends


def _register_template() -> None:
    template = go.layout.Template()
    template.layout = go.Layout(
        font={"family": FONT, "size": TEXT_SIZE, "color": INK},
        title={"font": {"size": TITLE_SIZE}, "x": 0, "xanchor": "left"},
        colorway=_OKABE_ITO,
        paper_bgcolor="white",
        plot_bgcolor="white",
        separators=".,",
        margin={"l": 10, "r": 10, "t": 56, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0, "title": None},
        xaxis={"gridcolor": GRID, "zerolinecolor": GRID, "tickformat": ",d", "automargin": True},
        yaxis={"gridcolor": GRID, "zerolinecolor": GRID, "tickformat": ",d", "automargin": True},
        hoverlabel={"font": {"family": FONT, "size": 14}},
    )
    pio.templates["score"] = template


_register_template()
TEMPLATE = "score"
TEMPLATE_JSON = pio.templates[TEMPLATE].to_plotly_json()  # what a figure's layout.template holds once resolved


TITLE_LINE_PX = 24


def title_lines(title: str, width: int) -> list[str]:
    """`title` broken at spaces into lines of at most `width` characters (a bar's long category name)."""
    return wrap_words(title, lambda line: len(line) <= width)


def wrap_words(text: str, fits: Callable[[str], bool]) -> list[str]:
    """`text` broken at spaces into as few lines as `fits` allows (a word longer than a line gets its own):
    Plotly never wraps a title or a label, and French and Spanish run a third longer than English."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and fits(lines[-1] + " " + word):
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


# --------------------------------------------------------------------------------------------- plain figures


def _json_ready(value: object) -> object:
    """Plain JSON values: arrays and Series as lists, numpy numbers as Python numbers, NaN as null."""
    if isinstance(value, pd.Series | pd.Index | np.ndarray):
        return [_json_ready(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value


def _merge(target: dict, changes: Mapping[str, object]) -> None:
    """Plotly's update semantics on plain dicts: nested dicts merge, None removes the property."""
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, Mapping):
            target[key] = {}
            _merge(target[key], value)
        else:
            target[key] = _json_ready(value)


class PlainFigure(BaseFigure):
    """A Plotly figure held as plain JSON-ready dicts (`{"data": [traces], "layout": {...}}`), built without
    Plotly's validators: building and validating a go.Figure cost 10-30 ms per chart on every filter change
    (BENCHMARKS.md). st.plotly_chart takes it as a figure (a BaseFigure: it calls `to_dict()` and serialises
    that, no validation, no copy). The same property names as go.Figure, so the chart looks the same; tests
    validate every builder's output through go.Figure. `data`, `layout` and `frames` give the validated
    go.Figure's (built on first use, e.g. for a PNG export), so `go.Figure(fig)` works too.

    Built once and shared (components.cached_figure): nothing may change it after it is built."""

    _grid_str = None
    _grid_ref = None

    def __init__(self, data: list[dict] | None = None, layout: Mapping[str, object] | None = None) -> None:
        self._spec: dict[str, Any] = {"data": [], "layout": {}}
        for trace in data or []:
            self.add_trace(trace)
        if layout:
            self.update_layout(layout)

    # building (the go.Figure methods the chart builders use, on dicts)
    def add_trace(self, trace: Mapping[str, object]) -> PlainFigure:  # type: ignore[override]
        self._spec["data"].append({k: _json_ready(v) for k, v in trace.items() if v is not None})
        return self

    def update_layout(self, dict1: Mapping[str, object] | None = None, **changes: object) -> PlainFigure:  # type: ignore[override]
        _merge(self._spec["layout"], {**(dict1 or {}), **changes})
        return self

    def update_xaxes(self, **changes: object) -> PlainFigure:  # type: ignore[override]
        return self.update_layout(xaxis=changes)

    def update_yaxes(self, **changes: object) -> PlainFigure:  # type: ignore[override]
        return self.update_layout(yaxis=changes)

    def add_annotation(self, **annotation: object) -> PlainFigure:  # type: ignore[override]
        self._spec["layout"].setdefault("annotations", []).append(_json_ready(annotation))
        return self

    @property
    def traces(self) -> list[dict]:
        """The trace dicts (read-only once built)."""
        return self._spec["data"]

    @property
    def layout_dict(self) -> dict:
        """The layout dict (read-only once built)."""
        return self._spec["layout"]

    # what Streamlit and Plotly read
    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec

    @functools.cached_property
    def figure(self) -> go.Figure:
        """The same figure validated as a go.Figure (exports, tests)."""
        return go.Figure(self._spec)

    @property
    def data(self):  # type: ignore[override]
        return self.figure.data

    @property
    def layout(self):  # type: ignore[override]
        return self.figure.layout

    @property
    def frames(self):  # type: ignore[override]
        return self.figure.frames

    def __reduce__(self) -> tuple:
        return (PlainFigure, (self._spec["data"], self._spec["layout"]))

    def __repr__(self) -> str:
        return f"PlainFigure({len(self.traces)} traces, title={self.layout_dict.get('title', {}).get('text')!r})"


# Streamlit's chart element draws a new figure, then hands Plotly.react a copy of it (its theme step). Plotly.react
# compares the layout's `template` and `meta` objects, and each trace's arrays unless the layout has a
# `datarevision`, by identity: the copy differed everywhere and every chart was drawn a second time.
_DRAWN_ONCE = "_score_drawn_once"  # where a figure keeps its browser copy (figures are shared, never changed)


def drawn_once(fig: go.Figure | PlainFigure) -> go.Figure | PlainFigure:
    """The figure as the browser should get it, the same picture drawn once (see above): the house template written
    into the layout (every axis takes the template's axis, as Plotly applies it), the text alternative in `meta` as
    a string, a fixed `datarevision`, and no title (`without_title`: the page shows it as text above the chart).
    A figure with another template is returned as it is. Made once per figure and kept on it."""
    kept = getattr(fig, _DRAWN_ONCE, None)
    if kept is not None and kept.layout_dict.get("separators") == layout_value(fig, "separators"):
        return kept  # type: ignore[no-any-return]
    spec = fig.to_dict()
    layout = dict(spec.get("layout", {}))
    if layout.get("template") != TEMPLATE_JSON:
        return fig
    house = TEMPLATE_JSON["layout"]
    axes = {"xaxis", "yaxis"} | {name for name in layout if name.startswith(("xaxis", "yaxis"))}
    for trace in spec.get("data", []):  # an axis only a trace names (y2) takes the template's axis too
        axes |= {f"{ref[0]}axis{ref[1:]}" for ref in (trace.get("xaxis"), trace.get("yaxis")) if ref}
    flat: dict = {}
    _merge(flat, {k: v for k, v in house.items() if k not in ("xaxis", "yaxis")})
    _merge(flat, {k: v for k, v in layout.items() if k != "template" and k not in axes})
    for axis in sorted(axes):
        flat[axis] = {}
        _merge(flat[axis], house[axis[:5]])
        _merge(flat[axis], layout.get(axis, {}))
    for axis in _category_sides(spec.get("data", [])) & axes:
        flat[axis].update(_grid_as_templated(layout.get(axis) or {}))
    meta = flat.get("meta")
    if isinstance(meta, Mapping) and set(meta) == {"description"}:
        flat["meta"] = meta["description"]  # layout.CHART_NAMES_JS reads either
    flat["datarevision"] = 1
    without_title(flat, spec.get("data", []))  # the page writes it above the chart, wrapped to its width
    once = PlainFigure(spec.get("data", []), flat)
    setattr(fig, _DRAWN_ONCE, once)
    return once


# Plotly draws no grid or zero line along the categories of a bar or box trace unless the figure's own axis asks for
# one: its grid colour counts only when the figure sets it, not when a template does. Written into the layout, the
# template's colours would ask for them, so drawn_once says what Plotly would have done.
_GRID_ASKED = ({"showgrid", "gridcolor", "gridwidth", "griddash"}, "showgrid")
_ZEROLINE_ASKED = ({"zeroline", "zerolinecolor", "zerolinewidth"}, "zeroline")
_ORIENTED = {"bar", "box", "violin", "histogram", "funnel", "waterfall"}  # Plotly's "oriented" traces


def _category_sides(traces: Sequence[Mapping[str, Any]]) -> set[str]:
    """The axes along which an oriented trace lays out its categories (x for upright bars, y for horizontal)."""
    sides = set()
    for trace in traces:
        if trace.get("type") in _ORIENTED:
            letter = "y" if trace.get("orientation") == "h" else "x"
            ref = str(trace.get(f"{letter}axis") or letter)
            sides.add(f"{letter}axis{ref[1:]}")
    return sides


def _grid_as_templated(own: Mapping[str, Any]) -> dict[str, bool]:
    """No grid and no zero line on a category side, unless the figure's own axis said something about them."""
    return {shown: False for asked, shown in (_GRID_ASKED, _ZEROLINE_ASKED) if not asked & set(own)}


def bottom_legend(fig_height: int) -> dict[str, object]:
    """A horizontal legend under the plot, clear of the axis labels whatever the figure's height."""
    plot_height = max(fig_height - 150, 60)
    y = -min(0.6, 44 / plot_height)
    return {"orientation": "h", "x": 0, "xanchor": "left", "y": y, "yanchor": "top", "traceorder": "normal"}


def bar(**props: object) -> dict[str, object]:
    """A bar trace as a dict (go.Bar's properties)."""
    return {"type": "bar", **props}


def scatter(**props: object) -> dict[str, object]:
    """A scatter trace as a dict (go.Scatter's properties)."""
    return {"type": "scatter", **props}


def hover_template(label: str, value: str) -> str:
    """A hover line "label: value" with the reader's punctuation (French "label : value"), no trace box beside.
    `label` and `value` are Plotly placeholders ("%{y}", "%{text}") or the app's own words."""
    from score.i18n import _

    return _("{label}: {value}", label=label, value=value) + "<extra></extra>"


def layout_value(fig: go.Figure | PlainFigure, name: str) -> object:
    """A top-level layout property of either kind of figure (without validating a PlainFigure)."""
    return fig.layout_dict.get(name) if isinstance(fig, PlainFigure) else fig.layout[name]


def style(fig: go.Figure, title: str, height: int = 420, value_format: str = ",d") -> go.Figure:
    """Apply the house style: title (with units, wrapped for the narrowest chart), height, thousands separators
    on the value axis. A title of n lines gets (n - 1) * TITLE_LINE_PX more room at the top. Every data value in
    the traces is shown as text (`plain_traces`). Every figure of the app goes through here once."""
    lines = title_lines_for(title, NARROWEST)
    fig.update_layout(
        template=TEMPLATE_JSON if isinstance(fig, PlainFigure) else TEMPLATE,
        title={"text": "<br>".join(lines)},
        height=height + TITLE_LINE_PX * (len(lines) - 1),
        margin={"t": 56 + TITLE_LINE_PX * (len(lines) - 1)},
    )
    if value_format:
        fig.update_yaxes(tickformat=value_format)
    plain_traces(fig)
    return fig


def plain(text: str) -> str:
    """A string Plotly shows as it is. Plotly renders a subset of HTML in labels, hover and legends (<a href>,
    <b>, <br>, <span style>...): a partner name `<a href=...>` would become a link. Its text renderer turns the
    entities &amp; &lt; &gt; back into characters, so escaped text reads the same and never becomes markup.
    Only a line break `<br>` is kept: the app wraps long category names with it, and it loads nothing."""
    escaped = (part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for part in text.split("<br>"))
    return "<br>".join(escaped)


# Trace fields that carry data (category names, hover values); `text` and templates are the app's own wording.
_DATA_FIELDS = ("x", "y", "labels", "ids", "hovertext", "customdata")


def _plain_values(values: object) -> object:
    if isinstance(values, str):
        return plain(values)
    if isinstance(values, np.ndarray) and values.dtype.kind in "OU":
        return np.vectorize(lambda v: plain(v) if isinstance(v, str) else v, otypes=[object])(values)
    if isinstance(values, list | tuple) and any(isinstance(v, str | list | tuple) for v in values):
        return [_plain_values(v) if isinstance(v, str | list | tuple) else v for v in values]
    return values


def plain_traces(fig: go.Figure | PlainFigure) -> go.Figure | PlainFigure:
    """Escape the data strings of every trace (categories, hover values, legend names) for Plotly."""
    for trace in fig.traces if isinstance(fig, PlainFigure) else fig.data:
        for name in _DATA_FIELDS:
            if name in trace and trace[name] is not None:
                trace[name] = _plain_values(trace[name])
        legend = trace["name"] if "name" in trace else None  # noqa: SIM401 (go traces have no .get)
        if isinstance(legend, str):
            trace["name"] = plain(legend)
    return fig


# ------------------------------------------------------------------------------------------------ fixed margins

# Plotly's `automargin` measures every tick label after a first draw and, when the labels or a legend push a
# margin, draws the whole chart a second time: about half of what a chart cost in the browser (BENCHMARKS.md,
# issue 25). `fit_margins` sizes the margins from the text instead (font size x characters, the widest character
# run of the reader's language, bounded) and turns the pushing off, so every chart is drawn once.
# The advance width of each character in Arial (Liberation Sans has the same metrics), the font a chart's text is
# drawn in where Source Sans is not loaded (kaleido, the report; Source Sans is narrower, so a margin fitted for
# Arial holds it): 2/100 em per step from "0", for U+0020-U+007E and U+00A0-U+00FF; other characters as the
# widest of the Latin letters.
_ASCII_WIDTHS = ">>BLL]R:AADM>A>>LLLLLLLLLL>>MMMLcRRTTROWT>IRLZTWRWTROTR_RRO>>>HLALLILL>LL;;I;ZLLLLAI>LITIIIA=AM"
_LATIN1_WIDTHS = ">ALLLL=LAUCLMAULDLAAAMK>AABLZZZORRRRRRbTRRRR>>>>TTWWWWWMWTTTTRROLLLLLL]ILLLL>>>>LLLLLLLLOLLLLILI"
_OTHER_WIDTHS = {"\u2013": 0.56, "\u2014": 1.0, "\u2019": 0.22, "\u202f": 0.36, "\u0153": 0.94, "\u20ac": 0.56}
WIDE_EM = 1.0
LINE_EM = 1.3  # a line of text in em
TICK_PAD = 6  # between the tick labels and the plot, and from the labels to the figure's edge
LEGEND_ROW_EM = 1.6  # a row of the horizontal legend in em; the legend's padding is LEGEND_PAD
LEGEND_PAD = 20
LEGEND_ENTRY = 44  # a legend entry's symbol and gaps, in px
NARROWEST = 315  # px: the narrowest chart (half-width in a 1110 px window): legends wrap and labels turn by it
# Plotly titles are anchored at the figure's left edge and never wrap: a figure's own title is wrapped for the
# narrowest chart, an image's for its width (exports.captioned). A page shows the title as text above the chart
# instead (drawn_once, components.show), where the browser wraps it to the column's real width: wrapped for 315 px,
# a 710 px French chart at 1920 px took three lines. (A count of characters, 36, still cut "Femmes et hommes
# touchés et formés" at 1110 px: wide letters.)
TITLE_INSET = 10  # px: room kept between a title line and the figure's right edge
MAX_MARGIN = 220  # px: no margin grows beyond (Plotly's own automargin found at most ~200 for the longest names)


def _lines(text: object) -> list[str]:
    """The lines Plotly draws for a label: split at <br>, without the other tags and entities it renders."""
    import re

    plain_text = re.sub(r"<(?!br)[^>]*>", "", str(text))
    plain_text = re.sub(r"&[a-z]+;|&#\d+;", "x", plain_text)
    return plain_text.split("<br>")


def _char_em(char: str) -> float:
    code = ord(char)
    if 0x20 <= code <= 0x7E:
        return (ord(_ASCII_WIDTHS[code - 0x20]) - 48) / 50
    if 0xA0 <= code <= 0xFF:
        return (ord(_LATIN1_WIDTHS[code - 0xA0]) - 48) / 50
    return _OTHER_WIDTHS.get(char, WIDE_EM)


def _em(line: str) -> float:
    return sum(_char_em(c) for c in line)


def text_width(text: object, size: float) -> float:
    """The width of a label's longest line in px, at font `size`."""
    return max(_em(line) for line in _lines(text)) * size


def title_lines_for(title: str, width: float) -> list[str]:
    """`title` (plain text) broken at spaces into the lines a figure `width` px wide holds at the title's size."""
    return wrap_words(title, lambda line: text_width(line, TITLE_SIZE) <= width - TITLE_INSET)


LEGEND_BAND = 34  # px: the band a legend drawn above the plot takes at the top of a figure


def legend_above(layout: Mapping[str, Any], traces: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a figure (its layout and traces as dicts) draws a horizontal legend in its top margin (the theme's
    legend, at y >= 1 of the plot)."""
    legendable = [t for t in traces if t.get("showlegend") is not False]
    # Plotly's default: a legend as soon as a figure of several traces has one that may be listed (one shown
    # trace beside a hidden one, as the bars beside their "Target" ticks, is listed too).
    asked = layout.get("showlegend")
    if not (asked or (asked is None and len(traces) > 1)) or not legendable:
        return False
    template = layout.get("template")
    theme = (template.get("layout") or {}).get("legend") or {} if isinstance(template, Mapping) else {}
    own = layout.get("legend") or {}
    y = own["y"] if own.get("y") is not None else theme.get("y")
    orientation = own.get("orientation") or theme.get("orientation")
    return orientation == "h" and y is not None and y >= 1


def without_title(layout: dict[str, Any], traces: Sequence[Mapping[str, Any]]) -> str:
    """Take the title out of a figure's `layout` (changed in place) and give it back as plain text, with the room it
    took at the top, keeping a band for a legend drawn above the plot: the page and the report write the title
    as text above the chart, which wraps to the chart's real width. The plot keeps its own height."""
    title = layout.get("title")
    markup = (title.get("text") if isinstance(title, Mapping) else title) or ""
    margin = layout.get("margin")
    if markup and isinstance(margin, dict) and isinstance(margin.get("t"), int | float):
        lines = str(markup).count("<br>") + 1
        floor = 16 + (LEGEND_BAND if legend_above(layout, traces) else 0)
        layout["margin"] = {**margin, "t": max(floor, margin["t"] - TITLE_LINE_PX * lines)}
        if isinstance(layout.get("height"), int | float):
            layout["height"] -= TITLE_LINE_PX * lines
    layout["title"] = {"text": ""}
    return text_of(markup)


def _numeric_labels(axis: Mapping[str, Any], values: list[float]) -> list[str]:
    """What a numeric axis prints at its ends: the range (or the data, with Plotly's padding) in its format."""
    span = axis.get("range") or [min(values, default=0.0), max(values, default=1.0) * 1.1]
    fmt = str(axis.get("tickformat") or "")
    decimals = int(fmt.split(".")[1][0]) if "." in fmt and fmt.split(".")[1][:1].isdigit() else 0
    labels = []
    for end in span:
        try:
            number = float(end)
        except (TypeError, ValueError):
            return [str(end)]
        labels.append(f"{number:,.{decimals}f}" + ("%" if fmt.endswith("%") else ""))
    return labels


def _tick_step(low: float, high: float, length: float, nticks: object = None) -> float:
    """The step of Plotly's auto ticks on a linear axis `length` px long: about one tick per 80 px, 4 to 9 of
    them (the axis's `nticks` when it asks for a number: the span over it), 1, 2 or 5 times a power of ten."""
    count = float(nticks) if isinstance(nticks, int | float) and nticks > 0 else min(max(length / 80, 4), 9) + 1
    rough = (high - low) / count
    if rough <= 0:
        return high - low or 1.0
    base = 10 ** math.floor(math.log10(rough))
    return base * next(m for m in (1, 2, 5, 10) if m >= rough / base - 1e-9)


def _last_tick(low: float, high: float, length: float, tickvals: object, nticks: object = None) -> float:
    """Where Plotly puts the last tick of a linear axis `length` px long, or the last of the axis's `tickvals`."""
    if isinstance(tickvals, list) and tickvals:
        return max(float(v) for v in tickvals)
    step = _tick_step(low, high, length, nticks)
    return math.floor(high / step + 1e-9) * step


def _end_overhang(axis: Mapping[str, Any], label_px: float, plot_px: float) -> float:
    """How far the last tick label of a numeric x axis reaches past the plot's right edge, in px, at the widths a
    chart is drawn (NARROWEST up to a full-width chart on a wide screen): half the label, less the distance from
    the last tick to the edge."""
    span = axis.get("range")
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(v, int | float) for v in span)):
        return label_px / 2  # autoranged: the last tick may sit on the edge
    low, high = float(span[0]), float(span[1])
    if high <= low:
        return label_px / 2
    reach = 0.0
    for extra in (0, 45, 85, 135, 245, 385, 685, 1085, 1485):  # charts 315 to 1800 px wide
        length = plot_px + extra
        last = _last_tick(low, high, length, axis.get("tickvals"), axis.get("nticks"))
        reach = max(reach, label_px / 2 - (high - last) / (high - low) * length)
    return reach


def _axis_values(data: list[dict], name: str, letter: str, barmode: object) -> tuple[list[object], bool]:
    """The values traces put on axis `name` ("xaxis", "yaxis2", ...) and whether any is text (categories)."""
    ref = letter + name[5:]  # "yaxis2" -> "y2"
    values: list[object] = []
    stacks: dict[object, float] = {}
    text = False
    for trace in data:
        if trace.get(f"{letter}axis", letter) != ref or trace.get(letter) is None:
            continue
        column = trace[letter] if isinstance(trace[letter], list) else [trace[letter]]
        text = text or any(isinstance(v, str) for v in column)
        values.extend(column)
        other = trace.get("y" if letter == "x" else "x")
        if barmode == "stack" and trace.get("type") == "bar" and isinstance(other, list):
            for key, v in zip(other, column, strict=False):
                if isinstance(v, int | float):
                    stacks[str(key)] = stacks.get(str(key), 0.0) + abs(v)
    values.extend(stacks.values())
    return values, text


def _legend_height(data: list[dict], layout: Mapping[str, Any], size: float, room: float) -> float:
    """The height of the horizontal legend, in px, wrapped as in a plot `room` px wide; 0 when none is drawn."""
    entries = [t for t in data if t.get("showlegend") is not False and t.get("name") is not None]
    if layout.get("showlegend") is False or not entries:
        return 0.0
    widths = [LEGEND_ENTRY + text_width(t["name"], size) for t in entries]
    # a legend that wraps lays its entries out in columns as wide as its widest entry
    wrapped = math.ceil(len(widths) / max(1, int(room // max(widths))))
    rows = 1 if sum(widths) <= room else wrapped
    return LEGEND_PAD + rows * size * LEGEND_ROW_EM


def fitted_margins(spec: Mapping[str, Any]) -> dict[str, float]:
    """The margins a figure (`{"data", "layout"}`) needs for its tick labels, axis titles and legend without
    Plotly pushing them, sized from the text as the narrowest chart (NARROWEST) draws it: what `automargin`
    would find there, or a little more. Never smaller than the layout's own margins, never more than MAX_MARGIN."""
    layout = _resolved_layout(spec)
    data = list(spec.get("data") or [])
    size = float((layout.get("font") or {}).get("size") or 12)
    height = float(layout.get("height") or 450)
    own = layout.get("margin") or {}
    need = {side: float(own.get(side, 10)) for side in "lrtb"}
    # the y axes first: the x axis's labels turn or not by the width the y axes leave to the plot
    for name in sorted((k for k in layout if k.startswith(("xaxis", "yaxis"))), reverse=True):
        axis = layout[name]
        if not isinstance(axis, Mapping) or axis.get("visible") is False or axis.get("showticklabels") is False:
            continue
        letter = name[0]
        font = float((axis.get("tickfont") or {}).get("size") or size)
        values, text = _axis_values(data, name, letter, layout.get("barmode"))
        categories = text or axis.get("type") == "category"
        if axis.get("ticktext"):
            labels = [str(t) for t in axis["ticktext"]]
        elif categories:
            labels = list(dict.fromkeys(str(v) for v in values))
        else:
            labels = _numeric_labels(axis, [float(v) for v in values if isinstance(v, int | float)])
        if not labels:
            continue
        widest = max(text_width(label, font) for label in labels)
        tall = max(len(_lines(label)) for label in labels) * font * LINE_EM
        ticks = float(axis.get("ticklen", 5)) if axis.get("ticks") == "outside" else 0.0
        standoff = float(axis.get("ticklabelstandoff") or 0) + ticks + TICK_PAD
        title = axis.get("title") or {}
        title_size = float((title.get("font") or {}).get("size") or size)
        title_room = title_size * LINE_EM + TICK_PAD if title.get("text") else 0.0
        if letter == "y":
            side = "r" if axis.get("side") == "right" else "l"
            need[side] = max(need[side], widest + standoff + TICK_PAD - 1 + title_room)
            continue
        angle = axis.get("tickangle")
        plot = NARROWEST - need["l"] - need["r"]
        widths = [text_width(label, font) for label in labels]
        span = axis.get("range")
        if categories or axis.get("tickvals"):
            ticks_shown = labels if categories else axis["tickvals"]
            band = plot / max(len(ticks_shown) - (0 if categories else 1), 1)
            collide = any((a + b) / 2 + font > band for a, b in itertools.pairwise(widths))
        elif isinstance(span, list) and len(span) == 2 and all(isinstance(v, int | float) for v in span):
            low, high = float(span[0]), float(span[1])  # auto ticks: a step of Plotly's apart
            band = plot * _tick_step(low, high, plot, axis.get("nticks")) / (high - low) if high > low else plot
            collide = max(widths) + font > band
        else:
            collide = False
        if angle in (None, "auto") and collide:
            # Plotly turns labels that would collide by 30 degrees, or by 90 when their lines still overlap
            line = font * LINE_EM
            tall = max(tall, widest / 2 + line if band >= 2 * line else widest + font)
            need["r"] = max(need["r"], font / 2 + 4)  # a turned label's corner reaches past its tick
        elif isinstance(angle, int | float) and angle % 180:
            tall = max(tall, widest)
        side = "t" if axis.get("side") == "top" else "b"
        need[side] = max(need[side], tall + standoff + TICK_PAD + title_room)
        # labels are centred on their ticks: the first and last hang over the plot's edges by up to half their width
        if categories:
            need["l"] = max(need["l"], widths[0] / 2 - band / 2 + TICK_PAD)
            need["r"] = max(need["r"], widths[-1] / 2 - band / 2 + TICK_PAD)
        else:
            need["l"] = max(need["l"], widths[0] / 2 + TICK_PAD)
            need["r"] = max(need["r"], _end_overhang(axis, max(widths), plot) + TICK_PAD + 6)
    legend = layout.get("legend") or {}
    room = max(NARROWEST - need["l"] - need["r"], NARROWEST / 3)
    legend_height = _legend_height(data, layout, float((legend.get("font") or {}).get("size") or size), room)
    if legend_height:
        y = float(legend.get("y", 1.0))
        if y < 0 and legend.get("yanchor") == "top":  # under the plot, -y of the plot's height below it
            need["b"] = max(need["b"], (-y * (height - need["t"]) + legend_height) / (1 - y))
        elif y >= 1:
            need["t"] += legend_height
    return {side: round(min(value, max(MAX_MARGIN, float(own.get(side, 0))))) for side, value in need.items()}


def _resolved_layout(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The layout with its template's layout under it (axes, font, legend, margins), as Plotly resolves it."""
    layout = dict(spec.get("layout") or {})
    template = layout.get("template")
    base = template.get("layout", {}) if isinstance(template, Mapping) else TEMPLATE_JSON.get("layout", {})
    resolved: dict[str, Any] = {}
    _merge(resolved, _json_ready(base))  # type: ignore[arg-type]
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:  # the template's axis under every axis
        key = name[:5]
        if key in base and name != key:
            resolved[name] = {}
            _merge(resolved[name], base[key])
    for key, value in layout.items():
        if key == "template":
            continue
        if isinstance(value, Mapping):
            resolved.setdefault(key, {})
            if isinstance(resolved[key], dict):
                _merge(resolved[key], value)
                continue
        resolved[key] = value
    return resolved


def fit_margins(fig: go.Figure | PlainFigure) -> go.Figure | PlainFigure:
    """Give the figure its `fitted_margins` and turn Plotly's margin pushing off (every axis's `automargin`, the
    legend's `margin.autoexpand`): the chart is drawn once instead of twice. Called once on a finished figure.

    A legend whose widest entry does not fit beside the left margin in the narrowest chart (a module's long French
    or Spanish name) keeps `autoexpand`: Plotly then moves it left to fit, where the margins would cut it off; it
    pushes nothing, so nothing is drawn twice, where it fits."""
    spec = fig.to_plotly_json() if isinstance(fig, PlainFigure) else fig.to_dict()
    margins = fitted_margins(spec)
    layout = spec.get("layout") or {}
    names = {"xaxis", "yaxis", *(name for name in layout if name.startswith(("xaxis", "yaxis")))}
    axes = {name: {"automargin": False} for name in names}
    size = float(((_resolved_layout(spec).get("font") or {}).get("size")) or 12)
    entries = [t for t in spec.get("data") or [] if t.get("showlegend") is not False and t.get("name") is not None]
    widest = max((LEGEND_ENTRY + text_width(t["name"], size) for t in entries), default=0.0)
    overflows = layout.get("showlegend") is not False and widest > NARROWEST - margins["l"]
    fig.update_layout(margin={**margins, "autoexpand": overflows}, **axes)
    return fig
