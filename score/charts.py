"""One chart style for the whole dashboard: colours, fonts and number formats readable on a projector.

Colours are colour-blind safe (Okabe-Ito for modules and sex, Paul Tol's palettes for sectors and
regions) and fixed per code, so "QM" or "garments" has the same colour on every page and in every deck.
"""

from __future__ import annotations

import functools
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
