"""One chart style for the whole dashboard: colours, fonts and number formats readable on a projector.

Colours are colour-blind safe (Okabe-Ito for modules and sex, Paul Tol's palettes for sectors and
regions) and fixed per code, so "QM" or "garments" has the same colour on every page and in every deck.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from score import contract

FONT = "Source Sans Pro, Arial, sans-serif"
INK = "#1f2933"
GRID = "#e4e7eb"
MUTED = "#9aa5b1"
ACCENT = "#0072B2"  # ILO-like blue, also Okabe-Ito blue

SEX_COLOURS = {"female": "#CC79A7", "male": "#009E73"}
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


TITLE_LINE = 44  # characters of a 19 px title that fit a half-width chart at 1280 px
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


def style(fig: go.Figure, title: str, height: int = 420, value_format: str = ",d") -> go.Figure:
    """Apply the house style: title (with units, wrapped, see `title_lines`), height, thousands separators
    on the value axis. A title of n lines gets (n - 1) * TITLE_LINE_PX more room at the top. Every data value in
    the traces is shown as text (`plain_traces`). Every figure of the app goes through here once."""
    lines = title_lines(title)
    fig.update_layout(
        template=TEMPLATE,
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


def plain_traces(fig: go.Figure) -> go.Figure:
    """Escape the data strings of every trace (categories, hover values, legend names) for Plotly."""
    for trace in fig.data:
        for name in _DATA_FIELDS:
            if name in trace and trace[name] is not None:
                trace[name] = _plain_values(trace[name])
        if isinstance(trace.name, str):
            trace.name = plain(trace.name)
    return fig
