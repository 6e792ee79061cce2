"""One chart style for the whole dashboard: colours, fonts and number formats readable on a projector.

Colours are colour-blind safe (Okabe-Ito for modules and sex, Paul Tol's palettes for sectors and
regions) and fixed per code, so "QM" or "garments" has the same colour on every page and in every deck.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.basedatatypes import BaseFigure

from score import contract

FONT = "Source Sans Pro, Arial, sans-serif"
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


def hex_to_rgb(colour: str) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)]


def _register_template() -> None:
    template = go.layout.Template()
    template.layout = go.Layout(
        font={"family": FONT, "size": 15, "color": INK},
        title={"font": {"size": 19}, "x": 0, "xanchor": "left"},
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


# Characters of a 19 px title that fit a half-width chart at 800 px (about 370 px wide): Plotly titles are
# anchored at the figure's left edge and never wrap, 44 (sized for 1280 px) cut Spanish titles at 800 px.
TITLE_LINE = 36
TITLE_LINE_PX = 24


def title_lines(title: str, width: int = TITLE_LINE) -> list[str]:
    """The title broken at spaces into lines of at most `width` characters: Plotly never wraps a title, and
    French and Spanish titles run a third longer than English ones, so a long one was cut off at the edge."""
    lines: list[str] = []
    for word in title.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
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


def layout_value(fig: go.Figure | PlainFigure, name: str) -> object:
    """A top-level layout property of either kind of figure (without validating a PlainFigure)."""
    return fig.layout_dict.get(name) if isinstance(fig, PlainFigure) else fig.layout[name]


def style(fig: go.Figure, title: str, height: int = 420, value_format: str = ",d") -> go.Figure:
    """Apply the house style: title (with units, wrapped, see `title_lines`), height, thousands separators
    on the value axis. A title of n lines gets (n - 1) * TITLE_LINE_PX more room at the top. Every data value in
    the traces is shown as text (`plain_traces`). Every figure of the app goes through here once."""
    lines = title_lines(title)
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
# Widths of characters in em, a little over Arial's (the widest of the fonts a chart falls back to): narrow
# letters and punctuation, capitals, digits, the rest
NARROW_EM, CAPITAL_EM, DIGIT_EM, CHAR_EM = 0.32, 0.72, 0.58, 0.55
NARROW = frozenset(" .,:;'!|()[]/-ijltfrI\u00a0\u202f")
LINE_EM = 1.3  # a line of text in em
TICK_PAD = 6  # between the tick labels and the plot, and from the labels to the figure's edge
LEGEND_ROW_EM = 1.6  # a row of the horizontal legend in em; the legend's padding is LEGEND_PAD
LEGEND_PAD = 20
LEGEND_ENTRY = 50  # a legend entry's symbol and gaps, in px
NARROWEST = 330  # px: the narrowest chart a page draws (half of an 800 px screen): legends wrap, labels turn
MAX_MARGIN = 220  # px: no margin grows beyond (Plotly's own automargin found at most ~200 for the longest names)


def _lines(text: object) -> list[str]:
    """The lines Plotly draws for a label: split at <br>, without the other tags and entities it renders."""
    import re

    plain_text = re.sub(r"<(?!br)[^>]*>", "", str(text))
    plain_text = re.sub(r"&[a-z]+;|&#\d+;", "x", plain_text)
    return plain_text.split("<br>")


def _em(line: str) -> float:
    return sum(
        NARROW_EM if c in NARROW else DIGIT_EM if c.isdigit() else CAPITAL_EM if c.isupper() else CHAR_EM for c in line
    )


def text_width(text: object, size: float) -> float:
    """The width of a label's longest line in px, at font `size`."""
    return max(_em(line) for line in _lines(text)) * size


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
    rows, used = 1, 0.0
    for width in (LEGEND_ENTRY + text_width(t["name"], size) for t in entries):
        if used and used + width > room:
            rows, used = rows + 1, 0.0
        used += width
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
        title_room = title_size * LINE_EM + 2 * TICK_PAD if title.get("text") else 0.0
        if letter == "y":
            side = "r" if axis.get("side") == "right" else "l"
            need[side] = max(need[side], widest + standoff + 2 * TICK_PAD + title_room)
            continue
        angle = axis.get("tickangle")
        plot = NARROWEST - need["l"] - need["r"]
        ticks_shown = axis.get("tickvals") if not categories else labels
        band = plot / max(len(ticks_shown or labels) - (0 if categories else 1), 1)
        widths = [text_width(label, font) for label in labels]
        collide = any((a + b) / 2 + font / 2 > band for a, b in itertools.pairwise(widths))
        if (categories or axis.get("tickvals")) and angle in (None, "auto") and collide:
            # Plotly turns labels that would collide by 30 degrees, or 90 when that is not enough
            tall = max(tall, widest + font if widest <= 4 * font else widest / 2 + font)
        elif isinstance(angle, int | float) and angle % 180:
            tall = max(tall, widest)
        side = "t" if axis.get("side") == "top" else "b"
        need[side] = max(need[side], tall + standoff + TICK_PAD + title_room)
        # labels are centred on their ticks: the first and last hang over the plot's edges by up to half their width
        overhang = band / 2 if categories else 0.0
        need["l"] = max(need["l"], widths[0] / 2 - overhang + 2 * TICK_PAD)
        need["r"] = max(need["r"], widths[-1] / 2 - overhang + 2 * TICK_PAD)
    legend = layout.get("legend") or {}
    room = max(NARROWEST - need["l"] - need["r"] - LEGEND_PAD, NARROWEST / 3)
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
    legend's `margin.autoexpand`): the chart is drawn once instead of twice. Called once on a finished figure."""
    spec = fig.to_plotly_json() if isinstance(fig, PlainFigure) else fig.to_dict()
    margins = fitted_margins(spec)
    layout = spec.get("layout") or {}
    names = {"xaxis", "yaxis", *(name for name in layout if name.startswith(("xaxis", "yaxis")))}
    axes = {name: {"automargin": False} for name in names}
    fig.update_layout(margin={**margins, "autoexpand": False}, **axes)
    return fig
