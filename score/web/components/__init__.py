"""Drawing helpers and sections for the dashboard pages, by concern (pages use `from score.web import components
as c` and `c.<name>`; every public name is here, including the core's values and tiles that pages draw):

- score/values.py (core): values as shown (missing and hidden cells, `format_value`, labels, reshaping)
- score/tiles.py (core): the Tile spec and the tile sets of the pages (`headline_tiles` ...)
- chart_builders.py: the chart builders (`*_chart`), plain functions returning a figure or None
- figure_cache.py: a chart built once per arguments and language (`cached_figure`), `drawn_once`
- figures.py: `show()` / `show_or_empty()` (a chart with its data table and PNG), `map_chart`
- tiles.py: a row of KPI tiles on a page (`kpi_row`, `reach_tiles`, `headline_targets`, `targets_caption`)
- tables.py: display tables, the enterprise list, table sections
- downloads.py: download buttons (CSV of a query, the page's workbook)
- sections.py: sections pages name (`chart_section`, `headline_kpis_or_stop`, joining trend, outcome shares ...)

Pages call these with the frames that `ui.query(...)` returns; nothing here computes a measure. The figure
builders return a styled figure, or None when there is nothing to draw, so they can be tested and exported
without Streamlit. Suppressed cells (public views: fewer than 5 enterprises, see score.access) arrive as missing
values with a `suppressed` column; charts draw them as an empty bar marked "–" and `suppression_note()` explains
it. Typical use in a page:

    frame = ui.query("enterprises_by_sector")
    c.chart_section(
        c.bar_chart(frame, "sector", "enterprises", title=_("Enterprises by sector"),
                    labels=ui.reference_labels("sector"), colours=charts.sector_colours()),
        _("No enterprises match the current filters."),
        file_name="enterprises-by-sector",
        frame=frame,
    )
"""

from __future__ import annotations

from score.tiles import (
    Tile,
    headline_tiles,
    outcome_tiles,
    training_tiles,
    women_share_tiles,
    workers_tiles,
)
from score.values import (
    HIDDEN,
    Kind,
    any_suppressed,
    cumulative,
    default_country,
    format_value,
    has_data,
    is_suppressed,
    missing,
    numeric,
    ordered,
    pivot_wide,
    role_labels,
    sex_labels,
    size_class_label,
    size_class_name,
    suppressed_rows,
    targets_apply,
)
from score.web.components.chart_builders import (
    CATEGORY_LINE,
    Series,
    bar_chart,
    bottom_legend,
    logframe_chart,
    multi_bar_chart,
    outcome_chart,
    outcome_note,
    sex_split_chart,
    share_chart,
    trend_chart,
)
from score.web.components.downloads import (
    csv_download,
    download,
    make_allowed,
    page_workbook,
)
from score.web.components.figure_cache import FRAME_KEYS, Figure, cached_figure, content_key, drawn_once
from score.web.components.figures import map_chart, show, show_or_empty
from score.web.components.sections import (
    chart_section,
    headline_kpis_or_stop,
    joining_trend,
    modules_taken_section,
    narrative_section,
    outcome_share_section,
    role_sex_section,
    satisfaction_section,
    sector_bars,
    suppression_note,
)
from score.web.components.tables import (
    LIST_ROWS,
    SEARCH_CHARS,
    display_table,
    enterprise_list_table,
    enterprises_table_queries,
    enterprises_table_section,
    logframe_matrix,
    logframe_table,
    logframe_with_status,
    merge_tables,
    modules_table_section,
    renamed,
    table,
    table_section,
    typed_grid,
    with_labels,
    wrapped_row_height,
)
from score.web.components.text import plain_paragraph, text_table
from score.web.components.tiles import headline_targets, kpi_row, logframe_status_tiles, reach_tiles, targets_caption

__all__ = [
    "CATEGORY_LINE",
    "FRAME_KEYS",
    "HIDDEN",
    "LIST_ROWS",
    "SEARCH_CHARS",
    "Figure",
    "Kind",
    "Series",
    "Tile",
    "any_suppressed",
    "bar_chart",
    "bottom_legend",
    "cached_figure",
    "chart_section",
    "content_key",
    "csv_download",
    "cumulative",
    "default_country",
    "display_table",
    "download",
    "drawn_once",
    "enterprise_list_table",
    "enterprises_table_queries",
    "enterprises_table_section",
    "format_value",
    "has_data",
    "headline_kpis_or_stop",
    "headline_targets",
    "headline_tiles",
    "is_suppressed",
    "joining_trend",
    "kpi_row",
    "logframe_chart",
    "logframe_matrix",
    "logframe_status_tiles",
    "logframe_table",
    "logframe_with_status",
    "make_allowed",
    "map_chart",
    "merge_tables",
    "missing",
    "modules_table_section",
    "modules_taken_section",
    "multi_bar_chart",
    "narrative_section",
    "numeric",
    "ordered",
    "outcome_chart",
    "outcome_note",
    "outcome_share_section",
    "outcome_tiles",
    "page_workbook",
    "pivot_wide",
    "plain_paragraph",
    "reach_tiles",
    "renamed",
    "role_labels",
    "role_sex_section",
    "satisfaction_section",
    "sector_bars",
    "sex_labels",
    "sex_split_chart",
    "share_chart",
    "show",
    "show_or_empty",
    "size_class_label",
    "size_class_name",
    "suppressed_rows",
    "suppression_note",
    "table",
    "table_section",
    "targets_apply",
    "targets_caption",
    "text_table",
    "training_tiles",
    "trend_chart",
    "typed_grid",
    "with_labels",
    "women_share_tiles",
    "workers_tiles",
    "wrapped_row_height",
]
