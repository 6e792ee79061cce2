"""Charts on a page: `show()` / `show_or_empty()` draw a figure with the house config, its data table and a PNG
download; `map_chart` draws a cached pydeck map (the builders are chart_builders.py, the caches figure_cache.py)."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import streamlit as st

from score import access, chart_text, charts, maps, settings
from score.i18n import _, current_language, plot_separators
from score.values import hidden_or_empty
from score.web.components.chart_builders import bar_chart
from score.web.components.downloads import download, no_image_text
from score.web.components.figure_cache import CHART_TABLE, FRAME_KEYS, Figure
from score.web.components.text import table_markup


@st.cache_resource(max_entries=100, show_spinner=False, hash_funcs=FRAME_KEYS)
def _deck(language: str, args: tuple, kwargs: dict) -> maps.CompactDeck:
    return maps.build_deck(*args, **kwargs)


def map_chart(*args: object, height: int, key: str, **kwargs: object) -> None:
    """`st.pydeck_chart` of `maps.build_deck(*args, **kwargs)`, built and serialised once per arguments and
    language (per data version, filters and viewer, as the frames it is built from are), not rebuilt on every rerun
    (the grey world is a file the browser fetches once: maps.WORLD_URL). The deck is shared: never change it.

    A map draws on a canvas: its name (the measure) and text alternative (the largest and smallest countries,
    score.chart_text) ride in a paragraph beside it, which the page's script makes the map's accessible name and
    description (layout.CHART_NAMES_JS)."""
    from score.web import ui

    values, _metric, metric_name, names = args[:4]
    bars = _map_bars(values, str(metric_name), names)  # type: ignore[arg-type]
    words = chart_text.text_alternative(bars) if bars is not None else str(metric_name)  # no country to show
    with st.container(key=f"map_{key}"):
        st.html(
            f'<p class="score-map-text" aria-hidden="true" data-chart-name="{html.escape(str(metric_name))}">'
            f"{html.escape(words)}</p>"
        )
        st.pydeck_chart(_deck(current_language(), args, {**kwargs, "height": height}), height=height, key=key)

    ui.record_chart(functools.partial(_map_for_report, *args[:4], focus=kwargs.get("focus") or ()))  # type: ignore[arg-type, misc]


def _map_for_report(
    values: pd.DataFrame, metric: str, metric_name: str, names: Mapping[str, str], focus: Sequence[str] = ()
) -> tuple:
    """The page's map in its report: the same countries and colour classes drawn by Plotly (it draws offline in
    any browser), and for people who do not see it the bars of the same figures (score.chart_text reads bars)."""
    from score import presentation

    bars = _map_bars(values, metric_name, names)
    return presentation.titled_map_figure(values, metric, metric_name, names, focus), bars


def _map_bars(values: pd.DataFrame, metric_name: str, names: Mapping[str, str]) -> Figure | None:
    """A map's figures as bars, largest first: what its text alternative and the report's table read."""
    ranked = values.sort_values("value", ascending=False, na_position="last", kind="stable")
    return bar_chart(ranked, "country", "value", title=metric_name, labels=names)


def show(fig: Figure, *, file_name: str = "score-chart", key: str | None = None) -> None:
    """Draw a figure with the house config (our template rather than Streamlit's theme, numbers in the
    viewer's language), its title above it as text (`chart_title_markup`), and under it a PNG download that
    carries the chart's caption in the image: filters, source, data date and demo status (exports.chart_png).
    Plotly's own camera button is removed: it overlapped the chart title and saved an image without any of that."""
    from score import exports
    from score.web import ui

    if charts.layout_value(fig, "separators") != plot_separators():  # cached_figure's have them (and are shared)
        fig.update_layout(separators=plot_separators())
    title = _title(fig)
    if title:  # as text the browser wraps to the column (the figure drawn has none: charts.drawn_once)
        st.html(chart_title_markup(title))
    st.plotly_chart(charts.drawn_once(fig), config=charts.PLOTLY_CONFIG, theme=None, key=key)
    key = key or file_name  # the widgets' identity stays the page's name for the chart
    file_name = _file_name(fig) or file_name  # the files take the chart's title, in the reader's language
    chart_data(fig, file_name=file_name, key=key)
    ui.record_chart(lambda: fig)  # the page's report draws the same figure
    context = ui.export_context()
    download(
        _("PNG image"),
        lambda: exports.chart_png(fig, context),
        f"{file_name}.png",
        "image/png",
        icon=":material/image:",
        key=f"png_{key}",
        kind="tertiary",
        unavailable="" if settings.can_render() else no_image_text(),
    )


def chart_title_markup(title: str) -> str:
    """A chart's title (plain text) as the line(s) above it. Hidden from screen readers: the chart itself is named
    by it (layout.CHART_NAMES_JS reads `data-chart-title`), so it is read once, with the chart."""
    return f'<p class="score-chart-title" data-chart-title aria-hidden="true">{html.escape(title)}</p>'


def _title(fig: Figure) -> str:
    """The chart's title as one line of plain text."""
    title = charts.layout_value(fig, "title")
    return chart_text.text_of(title.get("text") if isinstance(title, Mapping) else getattr(title, "text", None))


def _file_name(fig: Figure) -> str:
    """The chart's title as a file name in the reader's language ("entreprises-par-secteur-entreprises")."""
    from score import exports

    return exports.file_stem(_title(fig))


def chart_data(fig: Figure, *, file_name: str, key: str | None = None) -> None:
    """The chart's data a click away, in an expander under it (Our World in Data's Table tab): what it shows
    in words, its numbers as a table in the reader's format (hidden cells as the chart marks them) and its own
    CSV (plain numbers, a hidden cell empty with the reason). All read from the figure (score.chart_text)."""
    from score import exports

    parts = _chart_data_parts(fig)
    if parts is None:
        return
    markup, csv_frame = parts
    with st.expander(_("Data table"), icon=":material/table:"):
        st.html(markup)  # one element: fewer to draw
        download(
            _("Download CSV"),
            lambda: exports.to_csv(csv_frame()),
            f"{file_name}.csv",
            "text/csv",
            key=f"csv_{key or file_name}",
            kind="tertiary",
        )


_CHART_DATA = "_score_chart_data"  # where a figure keeps its data table's parts: (language, parts)


def _chart_data_parts(fig: Figure) -> tuple[str, Callable[[], pd.DataFrame]] | None:
    """A chart's data table as markup (its words and table) and what makes the CSV's frame, or None when it draws no
    category data. Made once per figure and language, kept on the figure: a cached figure is shared and never
    changed (cached_figure), and reading it again cost ~1 ms a chart on every rerun (BENCHMARKS.md, "Cached
    reruns ..."). The frame is made only when its CSV is asked for: a frame per chart was most of the charts' data
    tables in a new session (0.4-0.7 ms a chart; BENCHMARKS.md, "A chart's CSV frame made on its click")."""

    language = current_language()
    kept = getattr(fig, _CHART_DATA, None)
    if kept is not None and kept[0] == language:
        return kept[1]  # type: ignore[no-any-return]
    made = getattr(fig, CHART_TABLE, None)  # a cached figure's, made with it (cached_figure)
    table = made[1] if made is not None and made[0] == language else chart_text.chart_table(fig)
    parts = None
    if table is not None:
        # As text, never Markdown: a partner name from an upload may hold [link](url) or ![image](url).
        words = html.escape(chart_text.text_alternative(table))
        paragraph = f'<p style="margin:0 0 0.5rem;font-size:0.875rem;color:{charts.MUTED_TEXT}">{words}</p>'
        # translated here, in the viewer's session: the frame is made on a click, outside it (downloads.download)
        reason = access.hidden_chart_cell_text()
        markup = paragraph + table_markup(table.header, table.display_rows())
        parts = (markup, functools.partial(_csv_frame, table, reason))
    setattr(fig, _CHART_DATA, (language, parts))
    return parts


def _csv_frame(table: chart_text.ChartTable, reason: str) -> pd.DataFrame:
    """A chart's CSV as a frame: its data (a hidden cell empty) and, where a row has a hidden cell, `reason`."""
    from score import exports

    data = table.frame()
    hidden = [any(cell.hidden for cell in row) for row in table.cells]
    if any(hidden):
        data[exports.HIDDEN_REASON] = [reason if h else "" for h in hidden]
    return data


def show_or_empty(
    fig: Figure | None,
    empty_message: str,
    *,
    file_name: str = "score-chart",
    frame: pd.DataFrame | None = None,
) -> None:
    """`show(fig)`, or an info box saying what is empty when the builder returned None. Pass the chart's
    `frame` to say "hidden" rather than "empty" when what is missing was suppressed for this viewer; for such a
    viewer an empty result is told the same way, so that 0 and 1-4 enterprises look alike (README "Small numbers")."""
    if fig is not None:
        show(fig, file_name=file_name)
    elif frame is not None and hidden_or_empty(frame):
        st.info(_("Hidden: fewer than 5 enterprises, possibly none, are behind these figures."), icon=":material/lock:")
    else:
        st.info(empty_message, icon=":material/info:")
