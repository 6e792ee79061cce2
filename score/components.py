"""Reusable drawing helpers for the dashboard pages: KPI tiles, bar and trend charts, outcome charts, tables.

Pages (and the Country profile page) call these with the frames that `ui.query(...)` returns; nothing here
computes a measure. The figure builders (`*_chart`) are plain functions returning a styled Plotly figure, or
None when there is nothing to draw, so they can be tested and exported without Streamlit. `show()` draws a
figure with the house Plotly config and a PNG download carrying the chart's caption; `show_or_empty()` draws an
info box saying what is empty instead of an empty chart. `kpi_row`, `table` and `csv_download` draw directly.

Suppressed cells (public views: fewer than 5 enterprises, see score.access) arrive as missing values with a
`suppressed` column; charts draw them as an empty bar marked "–" and `suppression_note()` explains it.

Typical use in a page:

    frame = ui.query("enterprises_by_sector")
    components.show_or_empty(
        components.bar_chart(frame, "sector", "enterprises", title=_("Enterprises by sector"),
                             labels=ui.reference_labels("sector"), colours=charts.sector_colours()),
        _("No enterprises match the current filters."),
        file_name="enterprises-by-sector",
    )
    components.suppression_note(frame)
"""

from __future__ import annotations

import functools
import math
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from score import charts, maps
from score.filters import YEAR_MAX, YEAR_MIN, Filters
from score.i18n import _, current_language, fmt_date, fmt_int, fmt_number, fmt_pct, plot_separators

HIDDEN = "–"  # how a suppressed or missing value is shown, in tables and on bars
CATEGORY_LINE = 24  # characters of a bar's name per line on a horizontal axis
DETAIL_ROWS = 50_000  # enterprise rows shown at most (queries/enterprise_list.sql returns one more)
Kind = Literal["int", "pct", "signed_pct", "number", "text", "date"]
Figure = go.Figure | charts.PlainFigure  # the builders here return PlainFigures; other modules' go.Figures show too

# --------------------------------------------------------------------------------------------- helpers


def content_key(frame: pd.DataFrame | pd.Series) -> bytes:
    """The bytes of a small frame's content (column names, dtypes, index, values): equal for equal frames.

    Not the frame's own pickle: a result fresh from DuckDB and the same result after a pickle round trip (as
    st.cache_data hands it out) pickle to different bytes, so the first rerun after every filter change missed
    every chart (BENCHMARKS.md)."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    content = (
        tuple(frame.columns),
        tuple(map(str, frame.dtypes)),
        frame.index.tolist(),
        frame.to_numpy(object).tolist(),
    )
    return pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL)


FRAME_KEYS = {pd.DataFrame: content_key, pd.Series: content_key}  # hash_funcs of the caches below


def cached_figure(build: Callable[..., Figure | None]) -> Callable[..., Figure | None]:
    """Build a chart once per arguments and language, not on every rerun: Plotly's validators make building a
    figure cost more than the rest of a cached page run (BENCHMARKS.md). The figure is shared (st.cache_resource:
    no copy), so nothing may change it after it is built; it carries the language's separators already."""
    name = f"{build.__module__}.{build.__qualname__}"  # one cache serves every builder: the name is in the key

    @st.cache_resource(max_entries=1000, show_spinner=False, hash_funcs=FRAME_KEYS)
    def cached(name: str, language: str, args: tuple, kwargs: dict) -> Figure | None:
        fig = build(*args, **kwargs)
        if fig is not None:
            fig.update_layout(separators=plot_separators())
        return fig

    @functools.wraps(build)
    def wrapper(*args: object, **kwargs: object) -> Figure | None:
        return cached(name, current_language(), args, kwargs)

    return wrapper


@st.cache_resource(max_entries=100, show_spinner=False, hash_funcs=FRAME_KEYS)
def _deck(language: str, args: tuple, kwargs: dict) -> maps.CompactDeck:
    return maps.build_deck(*args, **kwargs)


def map_chart(*args: object, height: int, key: str, **kwargs: object) -> None:
    """`st.pydeck_chart` of `maps.build_deck(*args, **kwargs)`, built and serialised once per arguments and
    language (per data version, filters and viewer, as the frames it is built from are): the world's polygons
    make a deck's JSON ~200 KB, too much to rebuild on every rerun. The deck is shared: never change it."""
    st.pydeck_chart(_deck(current_language(), args, {**kwargs, "height": height}), height=height, key=key)


def drawn_once(draw: Callable[..., None]) -> Callable[..., None]:
    """Draw these elements once per arguments and language; a rerun replays what was drawn (a cached function's
    elements are recorded by st.cache_data), instead of styling and serialising them again: a coloured table
    (a pandas Styler) cost 5-10 ms to send, every rerun (BENCHMARKS.md). Elements only, never widgets, and only
    elements whose data travel in the message: a Styler is always sent whole, while a server may serve a plain
    st.dataframe lazily from a source registered for one session, which a replay in another would not find.
    Frames are keyed by content, and the language is in the key for the words drawn."""
    name = f"{draw.__module__}.{draw.__qualname__}"

    @st.cache_data(max_entries=1000, show_spinner=False, hash_funcs=FRAME_KEYS)
    def drawn(name: str, language: str, args: tuple, kwargs: dict) -> None:
        draw(*args, **kwargs)

    @functools.wraps(draw)
    def wrapper(*args: object, **kwargs: object) -> None:
        drawn(name, current_language(), args, kwargs)

    return wrapper


def missing(value: object) -> bool:
    """None, NaN or pandas NA: a value that is not there (suppressed or not applicable)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats, suppressed cells as NaN (suppression turns columns into objects)."""
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def suppressed_rows(frame: pd.DataFrame) -> pd.Series:
    """Boolean per row: hidden for this viewer (False everywhere when the query was not suppressed)."""
    if "suppressed" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["suppressed"].fillna(True).astype(bool)


def any_suppressed(frame: pd.DataFrame) -> bool:
    return bool(suppressed_rows(frame).any())


def is_suppressed(row: Mapping[str, object] | pd.Series) -> bool:
    """Whether a single-row result (e.g. overview_kpis) was suppressed for this viewer."""
    return bool(row.get("suppressed", False))


def suppression_note(*frames: pd.DataFrame) -> None:
    """The footnote under any chart or table that hides small cells (nothing when none is hidden)."""
    if any(any_suppressed(f) for f in frames):
        st.caption(
            _(
                "{hidden} hidden to protect individual enterprises: fewer than 5 enterprises are behind the cell.",
                hidden=HIDDEN,
            )
        )


def cumulative(values: pd.Series) -> pd.Series:
    """Running total of yearly values, stopping at the first missing (suppressed) one: the line is built
    from the shown values only, so it can never reveal a hidden year."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float).reset_index(drop=True)
    running = numbers.cumsum()
    gaps = numbers.isna().to_numpy()
    if gaps.any():
        running.iloc[int(gaps.argmax()) :] = float("nan")
    running.index = values.index
    return running


def ordered(frame: pd.DataFrame, column: str, order: Sequence[str]) -> pd.DataFrame:
    """Rows sorted by the position of `column` in `order` (e.g. reference order); others last."""
    rank = {code: i for i, code in enumerate(order)}
    return frame.sort_values(column, key=lambda s: s.map(lambda v: rank.get(v, len(rank))), kind="stable").reset_index(
        drop=True
    )


def has_data(frame: pd.DataFrame, *columns: str) -> bool:
    """Whether any row has a non-zero count in one of `columns` (a hidden count counts as data)."""
    return any(bool((numeric(frame, column).fillna(1) > 0).any()) for column in columns if column in frame.columns)


def targets_apply(filters: Filters) -> bool:
    """Targets are set per country and phase: progress against them only means something when no sector,
    partner, module or joining-year filter narrows the actual figures."""
    return not (
        filters.sectors
        or filters.partners
        or filters.modules
        or filters.year_from != YEAR_MIN
        or filters.year_to != YEAR_MAX
    )


def default_country(by_country: pd.DataFrame, own: Sequence[str], codes: Sequence[str]) -> str:
    """The country a profile opens on: the viewer's own country (country staff) when it has enterprises under
    the filters, else the country with the most enterprises under them (`by_country`: country_comparison),
    else the first code. So it never opens on a country the filters leave empty."""
    shown = by_country[~suppressed_rows(by_country)].assign(n=lambda f: numeric(f, "enterprises").fillna(0))
    with_data = shown[shown["n"] > 0].sort_values(["n", "country"], ascending=[False, True])
    ranked = [code for code in with_data["country"] if code in codes]
    for code in sorted(own):
        if code in ranked:
            return code
    return ranked[0] if ranked else codes[0]


def size_class_name(code: str) -> str:
    names = {"micro": _("Micro"), "small": _("Small"), "medium": _("Medium"), "large": _("Large")}
    return names.get(code, code)


def size_class_label(code: str, min_workers: object, max_workers: object) -> str:
    """'Small (10–49 workers)' for a row of enterprises_by_size (bounds from the size_class table)."""
    name = size_class_name(code)
    if missing(max_workers):
        return _("{name} ({low}+ workers)", name=name, low=fmt_int(min_workers))
    return _("{name} ({low}–{high} workers)", name=name, low=fmt_int(min_workers), high=fmt_int(max_workers))


def sex_labels() -> dict[str, str]:
    return {"female": _("Women"), "male": _("Men")}


def role_labels() -> dict[str, str]:
    return {"managers": _("Managers"), "workers": _("Workers")}


def format_value(value: object, kind: Kind = "int", decimals: int = 1) -> str:
    """One value as shown to people (locale separators; "–" when missing or suppressed)."""
    if missing(value):
        return HIDDEN
    if kind == "pct":
        return fmt_pct(value)
    if kind == "signed_pct":
        return fmt_pct(value, decimals=1, signed=True)
    if kind == "number":
        return fmt_number(value, decimals)
    if kind == "date":
        return fmt_date(value)  # type: ignore[arg-type]
    if kind == "text":
        return str(value)
    return fmt_int(value)


def pivot_wide(frame: pd.DataFrame, index: str, columns: str, values: str, order: Sequence[str]) -> pd.DataFrame:
    """Long -> wide for stacked bars (e.g. country x module deliveries): absent combinations are 0, hidden
    (suppressed) cells stay missing; `index` keeps its first-seen order, the columns follow `order`."""
    if frame.empty:
        return pd.DataFrame(columns=[index, *order])
    cells: dict[tuple[object, object], float] = {}
    for row, column, value in zip(frame[index], frame[columns], numeric(frame, values), strict=True):
        cells.setdefault((row, column), value)  # the first value of a combination (NaN: hidden)
    rows = list(dict.fromkeys(frame[index]))
    present = set(frame[columns])
    wide = {column: [cells.get((row, column), 0.0) for row in rows] for column in order if column in present}
    return pd.DataFrame({index: rows, **wide}, columns=[index, *wide])


# --------------------------------------------------------------------------------------------- KPI tiles


@dataclass(frozen=True)
class Tile:
    """One KPI tile. `value` None/NaN shows as "–" (suppressed). With `target` and `progress_pct` (the actual
    as a % of the target, from the query) the tile shows '97% of target 12,600' and a progress bar.
    `note` is a short grey line under the value instead (e.g. '41% of workers reached')."""

    label: str
    value: object
    help: str | None = None
    kind: Kind = "int"
    target: object = None
    progress_pct: object = None
    note: str | None = None
    # for the deck and the headline strip (presentation.headline_kpis), where no help can be hovered and
    # women's shares sit on the tile; the pages show those shares in tiles of their own
    printed_label: str | None = None
    women_pct: object = None

    @property
    def has_target(self) -> bool:
        return not missing(self.target) and not missing(self.progress_pct)

    @property
    def detail(self) -> str | None:
        """The grey line under the value: progress against the target, else the note."""
        if not self.has_target:
            return self.note
        return _("{pct} of target {target}", pct=fmt_pct(self.progress_pct), target=fmt_int(self.target))


def kpi_row(tiles: Sequence[Tile], columns: int | None = None) -> None:
    """A row of bordered KPI tiles (st.metric)."""
    cols = st.columns(columns or len(tiles))
    any_target = any(t.has_target for t in tiles)
    for col, tile in zip(cols, tiles, strict=False):
        progress = float(tile.progress_pct) if tile.has_target else None  # type: ignore[arg-type]
        with col:
            st.metric(
                tile.label,
                format_value(tile.value, tile.kind),
                delta=tile.detail,
                delta_color="green" if progress is not None and progress >= 100 else "off",
                delta_arrow="off",
                help=tile.help,
                border=True,
                # tiles of a row share one height (with or without a note), unless progress bars sit below
                height="content" if any_target else "stretch",
            )
            if progress is not None:
                st.progress(min(max(progress / 100, 0.0), 1.0))


# --------------------------------------------------------------------------------------------- showing


def show(fig: Figure, *, file_name: str = "score-chart", key: str | None = None) -> None:
    """Draw a figure with the house config (our template rather than Streamlit's theme, numbers in the
    viewer's language), and under it a PNG download that carries the chart's caption in the image: filters,
    source, data date and demo status (exports.chart_png). Plotly's own camera button is removed: it
    overlapped the chart title and saved an image without any of that."""
    from score import exports, ui

    if charts.layout_value(fig, "separators") != plot_separators():  # cached_figure's have them (and are shared)
        fig.update_layout(separators=plot_separators())
    st.plotly_chart(fig, config=charts.PLOTLY_CONFIG, theme=None, key=key)
    context = ui.export_context()
    download(
        _("PNG image"),
        lambda: exports.chart_png(fig, context),
        f"{file_name}.png",
        "image/png",
        icon=":material/image:",
        key=f"png_{key or file_name}",
        kind="tertiary",
    )


def show_or_empty(
    fig: Figure | None,
    empty_message: str,
    *,
    file_name: str = "score-chart",
    frame: pd.DataFrame | None = None,
) -> None:
    """`show(fig)`, or an info box saying what is empty when the builder returned None. Pass the chart's
    `frame` to say "hidden" rather than "empty" when what is missing was suppressed for this viewer."""
    if fig is not None:
        show(fig, file_name=file_name)
    elif frame is not None and any_suppressed(frame):
        st.info(_("Hidden: fewer than 5 enterprises are behind these figures."), icon=":material/lock:")
    else:
        st.info(empty_message, icon=":material/info:")


def bottom_legend(fig_height: int) -> dict[str, object]:
    """A horizontal legend under the plot, clear of the axis labels whatever the figure's height."""
    plot_height = max(fig_height - 150, 60)
    y = -min(0.6, 44 / plot_height)
    return {"orientation": "h", "x": 0, "xanchor": "left", "y": y, "yanchor": "top", "traceorder": "normal"}


def _tick(value: float, suffix: str) -> str:
    """An axis tick: percentages the locale's way ("25 %" in French), other suffixes appended."""
    return fmt_pct(value) if suffix == "%" else format_value(value) + suffix


def _bar_height(n_categories: int, per_bar: int = 44, minimum: int = 260) -> int:
    return max(minimum, 120 + per_bar * n_categories)


def _bar_gap(height: int, n_categories: int, thickest: int = 40) -> float:
    """Gap between bars so that no bar is thicker than `thickest` pixels (a lone bar is not a slab)."""
    band = max(height - 130, 50) / max(n_categories, 1)
    return min(max(0.2, 1 - thickest / band), 0.85)


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
) -> None:
    value_axis = {
        "tickformat": value_format,
        "range": [0, (top or 1) * headroom],
        "title": {"text": value_title} if value_title else None,
    }
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
    axis (e.g. 100 for percentages), ticked in quarters with `tick_suffix` (e.g. "%"). Returns None when there
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
        bar_text, texttemplate = None, [HIDDEN if h else "%{" + axis + ":" + value_format + "}" for h in hidden]
    else:
        bar_text, texttemplate = [HIDDEN if h else t for h, t in zip(hidden, text, strict=True)], None
    longest = max((len(t) for t in (bar_text or [])), default=6)
    # Long printed labels ("89 % (n = 1 138)") on a fixed scale (shares): inside the bars of half the scale or
    # more, so the bars keep the chart's width (printed outside they squeezed a half-width chart to a sliver).
    inside = orientation == "h" and max_value is not None and bar_text is not None and longest > 8
    positions = ["inside" if inside and v >= max_value / 2 else "outside" for v in shown] if inside else "outside"
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
                constraintext="none",
                cliponaxis=False,
                textfont={"size": 15},
                hovertemplate="%{" + other + "}: %{" + axis + ":" + value_format + "}<extra></extra>",
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
    if label_margin:
        fig.update_layout(margin={"r": label_margin})
    _finish_bars(fig, orientation, top, value_format, value_title, headroom, category_title)
    if max_value is not None:
        ticks = [max_value * i / 4 for i in range(5)]
        fig.update_layout(**{f"{axis}axis": {"tickvals": ticks, "ticktext": [_tick(t, tick_suffix) for t in ticks]}})
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
) -> Figure | None:
    """Stacked or grouped bars: one category per row of `frame` (codes in `code`, named through `labels`),
    one bar segment per `Series`. Suppressed (missing) segments are left out and the category is marked "–".
    Returns None when every value is 0 or there are no rows."""
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
                texttemplate="%{" + axis + ":" + value_format + "}",
                textposition="inside" if barmode == "stack" else "outside",
                insidetextanchor="middle",
                textfont={"size": 14},
                constraintext="inside" if barmode == "stack" else "none",
                cliponaxis=False,
                hovertemplate=s.name + " · %{" + other + "}: %{" + axis + ":" + value_format + "}<extra></extra>",
            )
        )
    hidden = matrix.isna().any(axis=1).to_numpy()
    if hidden.any():
        hidden_names = [n for n, h in zip(names, hidden, strict=True) if h]
        fig.add_trace(
            charts.scatter(
                **{axis: [0] * len(hidden_names), other: hidden_names},
                mode="text",
                text=[HIDDEN] * len(hidden_names),
                textposition="middle right" if orientation == "h" else "top center",
                textfont={"size": 18, "color": charts.MUTED},
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
    _finish_bars(fig, orientation, float(totals.max()), value_format, value_title)
    return fig


# --------------------------------------------------------------------------------------------- specific charts


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
    the first hidden year). Returns None when there are no rows or every value is 0."""
    if frame.empty:
        return None
    values = numeric(frame, value)
    if not (values.fillna(0) != 0).any():  # nothing to see: all zero or hidden
        return None
    years = frame[year].astype(int).astype(str)
    running = cumulative(values)
    fig = charts.PlainFigure()
    fig.add_trace(
        charts.bar(
            x=years,
            y=values.fillna(0),
            name=bar_name,
            marker={"color": colour},
            texttemplate=[HIDDEN if pd.isna(v) else "%{y:,d}" for v in values],
            textposition="outside",
            constraintext="none",
            cliponaxis=False,
            textfont={"size": 14},
            hovertemplate="%{x}: %{y:,d}<extra>" + bar_name + "</extra>",
        )
    )
    fig_height = 440
    charts.style(fig, title, height=fig_height)
    top = float(values.max(skipna=True) or 1)
    fig.update_layout(
        legend=bottom_legend(fig_height),
        yaxis={"range": [0, top * 1.15], "showgrid": True},
        # no fixed tickangle: Plotly turns the year labels when they would collide (half-width charts)
        xaxis={"type": "category", "tickformat": "", "showgrid": False},
        bargap=0.25,
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
                "overlaying": "y",
                "side": "right",
                "tickmode": "auto",
                "tickformat": ",d",
                "range": [0, float(running.max(skipna=True)) * 1.08],
                "showgrid": False,
                "automargin": True,
                "tickfont": {"color": charts.MUTED},
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
        shares, texts = [], []
        for row in rows:
            f, m = row[1], row[2]
            if missing(f) or missing(m) or float(f) + float(m) == 0:  # type: ignore[arg-type]
                shares.append(0.0)
                texts.append("")
                continue
            count = float(row[index])  # type: ignore[arg-type]
            share = 100 * count / (float(f) + float(m))  # type: ignore[arg-type]
            shares.append(share)
            texts.append(f"{fmt_pct(share)} · {fmt_int(count)}")
        fig.add_trace(
            charts.bar(
                x=shares,
                y=names,
                orientation="h",
                name=sex_labels()[sex],
                marker={"color": charts.SEX_COLOURS[sex]},
                text=texts,
                textposition="inside",
                insidetextanchor="middle",
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
                textfont={"size": 18, "color": charts.MUTED},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig_height = _bar_height(len(rows), 52)
    charts.style(fig, title, height=fig_height, value_format="")
    fig.update_layout(
        barmode="stack", legend=bottom_legend(fig_height), uniformtext={"minsize": 14, "mode": "hide"}, margin={"r": 30}
    )
    ticks = [0, 25, 50, 75, 100]
    fig.update_xaxes(range=[0, 100], tickvals=ticks, ticktext=[fmt_pct(t) for t in ticks])
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category", tickformat="", ticks="")
    return fig


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
        title={"subtitle": {"text": f"{unit} · {measure_text}", "font": {"size": 15, "color": charts.MUTED}}},
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


# --------------------------------------------------------------------------------------------- tables


def display_table(frame: pd.DataFrame, columns: Mapping[str, tuple[str, Kind]]) -> pd.DataFrame:
    """A frame of display strings: `columns` maps a frame column to (heading, kind); values are formatted for
    the viewer's language and hidden or missing cells show as "–". For aggregate tables with suppression."""
    out = pd.DataFrame(index=frame.index)
    for column, (heading, kind) in columns.items():
        out[heading] = [format_value(v, kind) for v in frame[column]]
    return out.reset_index(drop=True)


def merge_tables(left: pd.DataFrame, right: pd.DataFrame, on: str) -> pd.DataFrame:
    """`left` with `right`'s columns beside (left join on `on`); a row is hidden when it is in either."""
    merged = left.merge(right, on=on, how="left", suffixes=("", "_right"))
    if "suppressed_right" in merged.columns:
        hidden = suppressed_rows(left).to_numpy() | merged["suppressed_right"].fillna(False).astype(bool).to_numpy()
        merged = merged.drop(columns="suppressed_right").assign(suppressed=hidden)
    return merged


def renamed(values: pd.Series, names: Mapping[str, str] | Callable[[str], str]) -> pd.Series:
    """`values` with each code replaced by its name (a code without one stays as it is, missing stays missing),
    looked up once per distinct code: the enterprise list has 50,000 rows and a dozen codes."""
    lookup = names if callable(names) else (lambda code: names.get(code, code))
    return values.map({code: lookup(code) for code in values.dropna().unique()})


def with_labels(frame: pd.DataFrame, **labels: Mapping[str, str]) -> pd.DataFrame:
    """A copy with code columns replaced by their names, e.g. `with_labels(frame, country=countries)`."""
    return frame.assign(**{column: renamed(frame[column], m) for column, m in labels.items()})


def enterprise_list_table(
    rows: pd.DataFrame, *, countries: Mapping[str, str], sectors: Mapping[str, str]
) -> pd.DataFrame:
    """The enterprise list (query enterprise_list, detail viewers only) with headings and names, for the
    table and its CSV; numbers and dates stay typed so the table sorts correctly."""
    named = with_labels(rows, country=countries, sector=sectors)
    named["size_class"] = renamed(named["size_class"], size_class_name)
    # Dates as dates (a datetime column shows "2011-03-15 00:00:00"); still typed, so the column sorts.
    named["joined_on"] = pd.to_datetime(named["joined_on"]).dt.date
    headings = {
        "enterprise_id": _("Id"),
        "name": _("Name"),
        "country": _("Country"),
        "sector": _("Sector"),
        "province": _("Province"),
        "city": _("City"),
        "workers": _("Workers"),
        "workers_female": _("Women workers"),
        "workers_male": _("Men workers"),
        "size_class": _("Size"),
        "joined_on": _("Joined"),
        "phase": _("Phase"),
        "partner": _("Partner"),
    }
    return named[list(headings)].rename(columns=headings)


def table(frame: pd.DataFrame, *, height: int | Literal["auto"] = "auto", key: str | None = None) -> None:
    """st.dataframe without the index, full width."""
    st.dataframe(frame, hide_index=True, height=height, key=key)


def csv_download(
    frame: pd.DataFrame,
    file_name: str,
    *,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    columns: Sequence[str] | None = None,
    label: str | None = None,
    key: str | None = None,
) -> None:
    """A button that downloads `frame` (a query result, not display strings) as CSV data: see
    exports.data_table (codes beside `labels`, plain numbers, hidden cells empty with the reason) and
    exports.to_csv (formulas neutralised, UTF-8 with BOM). The page workbook holds the same query's sheet.
    The table is made when the button is clicked, not on every rerun (the words are translated here)."""
    from score import exports

    reason = exports.hidden_reason_text()
    download(
        label or _("Download CSV"),
        lambda: exports.to_csv(exports.data_table(frame, labels, columns, hidden_reason=reason)),
        file_name,
        "text/csv",
        key=key,
    )


def download(
    label: str,
    make: Callable[[], bytes],
    file_name: str,
    mime: str,
    *,
    icon: str = ":material/download:",
    key: str | None = None,
    kind: Literal["secondary", "tertiary"] = "secondary",
    where: object = st,
) -> None:
    """A download button whose file is made only when clicked (`make` runs outside the session, so it must
    not translate anything: translate before, as exports.ExportContext does)."""
    where.download_button(  # type: ignore[attr-defined]
        label, data=make, file_name=file_name, mime=mime, icon=icon, type=kind, on_click="ignore", key=key
    )


def page_workbook(file_name: str) -> None:
    """Fill the room ui.page() left under the header: the whole page as one workbook (a sheet per query the
    page ran, as data, plus an About sheet). Called by app.py once the page has run. The sheets are typed
    (exports.page_tables) only when the button is clicked, not on every filter change: everything in words is
    translated here, in the viewer's session."""
    from score import exports, ui

    slot = st.session_state.get(ui.PAGE_DOWNLOADS_KEY)
    sheets = st.session_state.get(ui.PAGE_SHEETS_KEY)
    if slot is None or not sheets:
        return
    labels, reason, context = ui.export_labels(), exports.hidden_reason_text(), ui.export_context()
    download(
        _("Download this page's data (Excel)"),
        lambda: exports.to_excel(exports.page_tables(sheets, labels, reason), context),
        f"{file_name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        key="page_workbook",
        where=slot,
    )


# --------------------------------------------------------------------------------------------- sections
# What several pages draw the same way: a page names the section and passes its frame and words.


def headline_kpis_or_stop(count: str, empty_message: str) -> pd.Series:
    """The row of overview_kpis a page heads with; the page ends with an explanation instead when that row
    was suppressed or `count` is 0."""
    from score import ui

    kpis = ui.query("overview_kpis").iloc[0]
    if is_suppressed(kpis):
        ui.empty_state(_("Fewer than 5 enterprises match the current filters: their figures are not shown."))
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


def headline_tiles(
    kpis: Mapping[str, object] | pd.Series,
    targets: pd.DataFrame,
    *,
    with_targets: bool,
    participations: bool = False,
) -> list[Tile]:
    """The headline figures against targets: enterprises engaged, workers reached, people trained, modules
    (the reach row of the pages, the deck's headline slide, the headline strip). `kpis`: the row of
    overview_kpis; `targets`: overview_targets indexed by metric; progress only when `with_targets`. With
    `participations` the modules tile explains itself and counts the training participations under it."""

    def target(metric: str) -> dict[str, object]:
        if not with_targets or metric not in targets.index:
            return {}
        return {"target": targets.loc[metric, "target"], "progress_pct": targets.loc[metric, "progress_pct"]}

    return [
        Tile(_("Enterprises engaged"), kpis["enterprises"], **target("enterprises")),
        Tile(
            _("Workers reached"),
            kpis["workers_reached"],
            help=_("Headcount of participating enterprises when they joined."),
            women_pct=kpis.get("workers_female_pct"),
            **target("workers_reached"),
        ),
        Tile(
            _("People trained"),
            kpis["people_trained"],
            help=_(
                "Conservative distinct estimate: per enterprise, role and sex, the largest group across its modules."
            ),
            printed_label=_("People trained (distinct estimate)"),
            women_pct=kpis.get("people_trained_female_pct"),
            **target("people_trained"),
        ),
        Tile(
            _("Modules delivered"),
            kpis["module_completions"],
            help=_("One per enterprise and module: classroom training plus in-factory consultations.")
            if participations
            else None,
            note=_("{n} training participations", n=fmt_int(kpis["participations"])) if participations else None,
        ),
    ]


def reach_tiles(
    kpis: Mapping[str, object] | pd.Series,
    targets: pd.DataFrame,
    *,
    with_targets: bool,
    participations: bool = False,
) -> None:
    """The headline row of a page (headline_tiles drawn as KPI tiles)."""
    kpi_row(headline_tiles(kpis, targets, with_targets=with_targets, participations=participations))


def sector_bars(frame: pd.DataFrame) -> Figure | None:
    """Enterprises by sector (enterprises_by_sector), in the sectors' colours."""
    from score import ui

    return bar_chart(
        frame,
        "sector",
        "enterprises",
        title=_("Enterprises by sector (enterprises)"),
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
    title: str,
    labels: Mapping[str, str],
    empty_message: str,
    file_name: str,
    hidden_from: pd.DataFrame | None = None,
    note: bool = True,
) -> None:
    """Outcome indicators as % bars with their n: answering yes at follow-up (`share_pct`) or improving
    (`improved_pct`). `hidden_from`: the frame whose suppression turns the empty message into 'hidden';
    `note`: the suppression note under it (False where the page notes it once further down)."""
    colour = charts.PERIOD_COLOURS["follow_up"] if measure == "share_pct" else charts.STATUS_COLOURS["achieved"]
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


@drawn_once
def logframe_table(
    rows: pd.DataFrame,
    indicator_names: Mapping[str, str],
    country_names: Mapping[str, str],
    *,
    key: str,
    show_country: bool = True,
    show_date: bool = False,
    show_indicator: bool = True,
) -> None:
    """Rows of `logframe.with_status` as a table (logframe.display_table) with its status column coloured, as
    tall as its rows."""
    from score import logframe

    table = logframe.display_table(
        rows,
        dict(indicator_names),
        dict(country_names),
        show_country=show_country,
        show_date=show_date,
        show_indicator=show_indicator,
    )
    st.dataframe(
        logframe.status_column_style(table),
        hide_index=True,
        height="content",
        column_config=logframe.column_config(),
        key=key,
    )


@drawn_once
def logframe_matrix(frame: pd.DataFrame, indicator_names: Mapping[str, str], country_names: Mapping[str, str]) -> None:
    """The traffic-light overview of `logframe.with_status` rows (logframe.matrix), each cell coloured."""
    from score import logframe

    texts, statuses = logframe.matrix(frame, dict(indicator_names), dict(country_names))
    table(logframe.matrix_style(texts, statuses), height="content", key="logframe_matrix")


def table_section(
    frame: pd.DataFrame,
    columns: Mapping[str, tuple[str, Kind]],
    *,
    labels: Mapping[str, Mapping[str, str]],
    file_name: str,
    key: str,
    csv_columns: Sequence[str] | None = None,
) -> None:
    """An aggregate table (codes named through `labels`, headings and kinds from `columns`) with its CSV
    (the query's data: codes beside names, `csv_columns` or all of them)."""
    table(display_table(with_labels(frame, **labels), columns), key=f"{key}_table")
    csv_download(frame, file_name, labels=labels, columns=csv_columns, key=f"{key}_csv")


# --------------------------------------------------------------------------------------------- page sections
# Sections of one page each, kept here so that the page only composes: its tiles, and the sections whose
# figures need more than a chart call (labels from the data, text per bar, a table by access).


def training_tiles(kpis: Mapping[str, object] | pd.Series) -> list[Tile]:
    """The Training page's headline row: modules, people trained, participations, consultation visits."""
    return [
        Tile(
            _("Modules delivered"),
            kpis["module_completions"],
            help=_("One per enterprise and module: classroom training plus in-factory consultations."),
        ),
        Tile(
            _("People trained (distinct estimate)"),
            kpis["people_trained"],
            help=_(
                "Per enterprise, role and sex, the largest classroom group across its modules: someone in two "
                "modules is counted once (a conservative estimate)."
            ),
        ),
        Tile(
            _("Training participations"),
            kpis["participations"],
            help=_("Everyone in every classroom: a person in two modules counts twice."),
        ),
        Tile(_("Consultation visits"), kpis["consultation_visits"]),
    ]


def workers_tiles(kpis: Mapping[str, object] | pd.Series) -> list[Tile]:
    """The Enterprises page's headline row: enterprises, workers reached, women and men among them."""
    return [
        Tile(_("Enterprises engaged"), kpis["enterprises"]),
        Tile(
            _("Workers reached"),
            kpis["workers_reached"],
            help=_("Headcount of participating enterprises when they joined."),
        ),
        Tile(
            _("Women among workers reached"),
            kpis["workers_female"],
            note=_("{pct} of workers reached", pct=format_value(kpis["workers_female_pct"], "pct")),
        ),
        Tile(_("Men among workers reached"), kpis["workers_male"]),
    ]


def women_share_tiles(kpis: Mapping[str, object] | pd.Series) -> list[Tile]:
    """Women's shares of the workers reached and of the people trained, with the number of women under each."""
    shares = (
        (
            _("Women's share of workers reached"),
            "workers",
            _("Women among the workers of the participating enterprises when they joined."),
        ),
        (
            _("Women's share of people trained"),
            "people_trained",
            _("Women among the people trained (distinct estimate), managers and workers."),
        ),
    )
    return [
        Tile(
            label,
            kpis[f"{measure}_female_pct"],
            kind="pct",
            help=help_,
            note=_("{n} women", n=fmt_int(kpis[f"{measure}_female"])),
        )
        for label, measure, help_ in shares
    ]


def targets_caption(with_targets: bool) -> None:
    """Under the headline row: what the target bars mean, or why there are none."""
    if with_targets:
        st.caption(
            _("Targets: the programme's targets for the countries and phases in view, summed. A bar fills at 100%.")
        )
    else:
        st.caption(
            _(
                "Targets are set per country and phase, so progress is shown only without sector, partner, module "
                "or year filters."
            )
        )


def outcome_tiles(shares: pd.DataFrame, changes: pd.DataFrame, labels: Mapping[str, str]) -> list[Tile]:
    """Outcomes at follow-up as tiles: the share answering yes per indicator (outcome_shares, in `labels`
    order), then the change in accidents and absenteeism (outcome_changes indexed by indicator), with n."""
    tiles = [
        Tile(labels[item.indicator], item.share_pct, kind="pct", note=_("n = {n}", n=format_value(item.n_enterprises)))
        for item in ordered(shares, "indicator", list(labels)).itertuples()
    ]
    for code in ("accidents", "absenteeism"):
        item = changes.loc[code]
        tiles.append(
            Tile(
                labels[code],
                item["change_pct"],
                kind="signed_pct",
                help=_("Summed follow-up against summed baseline, over the enterprises with both."),
                note=_("n = {n}", n=format_value(item["n_enterprises"])),
            )
        )
    return tiles


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
            "Mean of the satisfied share reported per delivery (satisfaction_pct); n = deliveries reporting it. "
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
            text=[
                _("{pct} ({n})", pct=format_value(p, "pct"), n=format_value(n))
                for p, n in zip(per_enterprise["share_pct"], per_enterprise["enterprises"], strict=True)
            ],
            value_format=".0f",
            value_title=_("% of enterprises"),
            category_title=_("Modules taken"),
        ),
        _("No enterprises match the current filters."),
        file_name="modules-per-enterprise",
        frame=per_enterprise,
        caption=_("Share of the enterprises engaged that have taken 0, 1, 2 ... of the modules in view."),
    )


def modules_table_section(by_module: pd.DataFrame, satisfaction: pd.DataFrame, *, labels: Mapping[str, str]) -> None:
    """The Training page's table: one row per module (training_by_module beside satisfaction_by_module)."""
    columns: dict[str, tuple[str, Kind]] = {
        "module": (_("Module"), "text"),
        "deliveries": (_("Deliveries"), "int"),
        "participations": (_("Participations"), "int"),
        "consultation_visits": (_("Consultation visits"), "int"),
        "satisfaction_mean": (_("Satisfied (%)"), "pct"),
        "n_satisfaction": (_("Deliveries reporting satisfaction"), "int"),
        "median_days_to_classroom": (_("Median days from joining"), "int"),
    }
    table_section(
        merge_tables(by_module, satisfaction, "module"),
        columns,
        labels={"module": labels},
        file_name="score-training-by-module.csv",
        key="modules",
        csv_columns=list(columns),
    )
    suppression_note(by_module, satisfaction)


def enterprises_table_section(filters: Filters, *, countries: Mapping[str, str], sectors: Mapping[str, str]) -> None:
    """The Enterprises page's table: the enterprise list for the countries the viewer may see in detail
    (a choice beside the summary), else the summary by country and sector that everyone may see."""
    from score import ui

    detail_countries = filters.countries_within(ui.current_scope().detail_countries)
    views = {"detail": _("Enterprise list"), "aggregate": _("Summary by country and sector")}
    view = "aggregate"
    if detail_countries:
        view = (
            st.segmented_control(
                _("Table"), list(views), format_func=views.get, default="detail", key="enterprises_view"
            )
            or "detail"
        )
    if view == "detail":
        _enterprise_list(sorted(detail_countries), countries=countries, sectors=sectors)
        return
    cells = ui.query("enterprises_country_sector")
    if cells.empty:
        ui.empty_state(_("No enterprises match the current filters."))
        return
    table_section(
        cells,
        {
            "country": (_("Country"), "text"),
            "sector": (_("Sector"), "text"),
            "enterprises": (_("Enterprises"), "int"),
            "workers_female": (_("Women workers"), "int"),
            "workers_male": (_("Men workers"), "int"),
            "workers_reached": (_("Workers reached"), "int"),
        },
        labels={"country": countries, "sector": sectors},
        file_name="score-enterprises-by-country-and-sector.csv",
        key="enterprise_summary",
    )
    suppression_note(cells)


@st.cache_data(max_entries=10, show_spinner=False)
def _enterprise_table(
    result: tuple, language: str, _rows: pd.DataFrame, _countries: Mapping[str, str], _sectors: Mapping[str, str]
) -> None:
    """The list's first DETAIL_ROWS as a table, drawn once per result (`result`: ui.result_key) and language and
    replayed on later reruns, as drawn_once does (naming and serialising 50,000 rows took ~70 ms a rerun). Its
    data travel in the message: Streamlit serves a dataframe lazily only above 150,000 rows."""
    table(
        enterprise_list_table(_rows.head(DETAIL_ROWS), countries=_countries, sectors=_sectors),
        key="enterprise_list_table",
    )


def _enterprise_list(
    detail_countries: Sequence[str], *, countries: Mapping[str, str], sectors: Mapping[str, str]
) -> None:
    """enterprise_list (scoped to the viewer's detail countries by the query runner), at most DETAIL_ROWS."""
    from score import ui

    rows = ui.query("enterprise_list")
    st.caption(
        _(
            "Enterprise detail for {countries} (your access). Other countries appear in the charts only.",
            countries=", ".join(countries.get(code, code) for code in detail_countries),
        )
    )
    if rows.empty:
        ui.empty_state(_("No enterprises of your countries match the current filters."))
        return
    if len(rows) > DETAIL_ROWS:
        st.caption(
            _("The first {n} enterprises are listed: narrow the filters to see the rest.", n=fmt_int(DETAIL_ROWS))
        )
    _enterprise_table(ui.result_key("enterprise_list"), current_language(), rows, countries, sectors)
    csv_download(
        rows.head(DETAIL_ROWS),
        "score-enterprises.csv",
        labels={"country": countries, "sector": sectors},
        key="enterprise_list_csv",
    )
