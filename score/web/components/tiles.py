"""KPI tiles on a page: a row of tiles (st.metric with a progress bar) and what the target bars mean. The tiles
themselves (Tile and the tile sets) are data, in score.tiles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from score import logframe
from score.filters import Filters
from score.i18n import _
from score.tiles import Tile, headline_tiles
from score.values import format_value


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


def reach_tiles(
    kpis: Mapping[str, object] | pd.Series,
    targets: pd.DataFrame,
    *,
    with_targets: bool,
    participations: bool = False,
) -> None:
    """The headline row of a page (headline_tiles drawn as KPI tiles)."""
    kpi_row(headline_tiles(kpis, targets, with_targets=with_targets, participations=participations))


def headline_targets(with_targets: bool, filters_override: Filters | None = None) -> pd.DataFrame:
    """overview_targets indexed by metric for `reach_tiles`. Without targets (a filter makes progress meaningless)
    the tiles read none of it: the query is then left for the page's workbook, run only if that is downloaded
    (a new link with a year or sector filter saves a statement, ~30 ms: BENCHMARKS.md)."""
    from score.web import ui

    if with_targets:
        return ui.query("overview_targets", filters_override=filters_override).set_index("metric")
    ui.query_on_click("overview_targets", filters_override=filters_override)
    return pd.DataFrame()


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


def logframe_status_tiles(frame: pd.DataFrame) -> None:
    """How many logframe indicators are achieved, on track, behind or without data (`logframe.with_status` rows),
    and the rule that decides it (the Logframe page and the country profile)."""
    counts = logframe.status_counts(frame)
    kpi_row([Tile(logframe.status_label(code), count) for code, count in counts.items()])
    st.caption(logframe.rule_caption())
