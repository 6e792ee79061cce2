"""KPI tiles on a page: a row of tiles (one HTML element: label, value, the grey line, a progress bar) and what the
target bars mean. The tiles themselves (Tile and the tile sets) are data, in score.tiles."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from typing import NamedTuple

import pandas as pd
import streamlit as st

from score import logframe
from score.filters import Filters
from score.i18n import _
from score.tiles import Tile, headline_tiles
from score.values import format_value


def tiles_markup(tiles: Sequence[Tile], columns: int | None = None) -> str:
    """A row of bordered KPI tiles as HTML for st.html (styled in score.web.layout: a grid of `columns` that wraps
    on a narrow screen). Every text is escaped, so a name from an upload stays text. Each tile is a group named
    by its label; a target's progress is a progressbar (its value clamped to 0-100, the text says the figure);
    the help is a button's description, shown on hover and focus. Not st.metric in st.columns: 3-4 elements a
    tile (column, metric, progress bar), ~35 of the overview's 70, most of what the browser drew before the
    first chart (BENCHMARKS.md, issue 25). `read_tiles` reads it back."""
    cells = []
    for tile in tiles:
        label, value = html.escape(tile.label), format_value(tile.value, tile.kind)
        tip = ""
        if tile.help:
            # an id of its own in the page: the same tile (label and help) is drawn at most once a page
            tip_id = "score-tip-" + hashlib.sha1(f"{tile.label}\0{tile.help}".encode()).hexdigest()[:12]
            name = html.escape(_("Help for {label}", label=tile.label))
            tip = (
                f'<button type="button" class="score-tile-help" aria-label="{name}" aria-describedby="{tip_id}">'
                f'?</button><span class="score-tile-tip" role="tooltip" id="{tip_id}">{html.escape(tile.help)}</span>'
            )
        parts = [
            f'<div class="score-tile-label"><span data-testid="score-tile-label">{label}</span>{tip}</div>',
            f'<div class="score-tile-value" data-testid="score-tile-value">{html.escape(value)}</div>',
        ]
        progress = float(tile.progress_pct) if tile.has_target else None  # type: ignore[arg-type]
        if tile.detail:
            good = " score-tile-good" if progress is not None and progress >= 100 else ""
            parts.append(
                f'<div class="score-tile-delta{good}" data-testid="score-tile-delta">{html.escape(tile.detail)}</div>'
            )
        if progress is not None:
            filled = min(max(progress, 0.0), 100.0)
            parts.append(
                f'<div class="score-tile-bar" role="progressbar" aria-label="{label}" aria-valuemin="0" '
                f'aria-valuemax="100" aria-valuenow="{filled:.0f}" aria-valuetext="{html.escape(tile.detail or "")}">'
                f'<span style="width: {filled:.1f}%"></span></div>'
            )
        cells.append(
            f'<div class="score-tile" data-testid="score-tile" role="group" aria-label="{label}">{"".join(parts)}</div>'
        )
    grid = f"--score-columns: {columns or len(tiles)}"
    return f'<div class="score-tiles" data-score-tiles="1" style="{grid}">{"".join(cells)}</div>'


class ShownTile(NamedTuple):
    """A tile as a reader sees it: label, value and the grey line ("" when none), progress (aria-valuenow) or None."""

    label: str
    value: str
    delta: str
    progress: float | None


_FIELDS = {"score-tile-label": "label", "score-tile-value": "value", "score-tile-delta": "delta"}


class _TileReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tiles: list[dict[str, object]] = []
        self.field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        testid = found.get("data-testid")
        if testid == "score-tile":
            self.tiles.append({"label": "", "value": "", "delta": "", "progress": None})
        elif testid in _FIELDS:
            self.field = _FIELDS[testid]
        elif found.get("role") == "progressbar" and self.tiles:
            self.tiles[-1]["progress"] = float(found["aria-valuenow"] or 0)

    def handle_endtag(self, tag: str) -> None:
        self.field = None

    def handle_data(self, data: str) -> None:
        if self.field and self.tiles:
            self.tiles[-1][self.field] = str(self.tiles[-1][self.field]) + data


def read_tiles(markup: str) -> list[ShownTile]:
    """The tiles in `tiles_markup`'s HTML (an st.html body) as text: for the tests, scripts/page_figures.py, the
    benches and the websocket client, which read what a page shows."""
    reader = _TileReader()
    reader.feed(markup)
    return [ShownTile(**tile) for tile in reader.tiles]  # type: ignore[arg-type]


def kpi_row(
    tiles: Sequence[Tile], columns: int | None = None, *, then: Sequence[tuple[Sequence[Tile], int | None]] = ()
) -> None:
    """A row of bordered KPI tiles (`tiles_markup`). `then`: further rows (tiles, columns) under it in the same
    element, spaced as Streamlit spaces elements: one element for the browser to draw, not one a row."""
    rows = [tiles_markup(row, cols) for row, cols in [(tiles, columns), *then] if row]
    st.html(rows[0] if len(rows) == 1 else f'<div class="score-tile-rows">{"".join(rows)}</div>')


def reach_tiles(
    kpis: Mapping[str, object] | pd.Series,
    targets: pd.DataFrame,
    *,
    with_targets: bool,
    participations: bool = False,
    then: Sequence[tuple[Sequence[Tile], int | None]] = (),
) -> None:
    """The headline row of a page (headline_tiles drawn as KPI tiles), and the rows `then` under it (`kpi_row`)."""
    kpi_row(headline_tiles(kpis, targets, with_targets=with_targets, participations=participations), then=then)


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
