"""Logframe progress: the one definition of progress and status, and the tables and chart that show them.

No Streamlit here. The pages run `logframe` / `logframe_reports` (queries/) and pass the frames in.

The rule (shown under every logframe table, see `rule_caption`):
- progress = actual as a % of the target for the reporting date (for an indicator where lower is better:
  target as a % of actual);
- **achieved**: the actual reaches the target (actual >= target; <= where lower is better);
- **on track**: not yet, but at least `ON_TRACK_PCT` % of the way (progress >= 80 %);
- **behind**: progress below 80 %;
- **no data**: no actual or no target reported for that date.
Targets in the logframe are milestone targets per reporting date, so "on track" compares with the target
due at that date. The 80 % threshold is the common amber band of donor traffic-light reporting; it is a
constant here so it can be changed in one place.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from score import charts, contract
from score.i18n import N_, _, fmt_date, fmt_int, fmt_number, fmt_pct

# Each status a logframe indicator can have, in the order charts and tiles show them, with its name for people
STATUSES = {"achieved": N_("Achieved"), "on_track": N_("On track"), "behind": N_("Behind"), "no_data": N_("No data")}
ON_TRACK_PCT = 80.0
LEVELS = contract.LOGFRAME_LEVELS  # objective, outcome, output


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def progress_pct(actual: Any, target: Any, direction: str = "higher") -> float | None:
    """Actual as a % of target (target as a % of actual where lower is better); None when undefined."""
    if _missing(actual) or _missing(target):
        return None
    actual, target = float(actual), float(target)
    if direction == "lower":
        return None if actual <= 0 else 100.0 * target / actual
    return None if target <= 0 else 100.0 * actual / target


def status(actual: Any, target: Any, direction: str = "higher") -> str:
    """achieved | on_track | behind | no_data (the rule in the module docstring)."""
    if _missing(actual) or _missing(target):
        return "no_data"
    actual, target = float(actual), float(target)
    if (actual <= target) if direction == "lower" else (actual >= target):
        return "achieved"
    progress = progress_pct(actual, target, direction)
    if progress is not None and progress >= ON_TRACK_PCT:
        return "on_track"
    return "behind"


def status_label(code: str) -> str:
    return _(STATUSES[code])


def level_label(code: str) -> str:
    return {"objective": _("Objectives"), "outcome": _("Outcomes"), "output": _("Outputs")}.get(code, code)


def rule_caption() -> str:
    return _(
        "Status at the reporting date: achieved when the actual reaches the target (at or below it where lower "
        "is better); on track when it is at least {pct} of the way there; behind otherwise; no data when the "
        "actual or the target was not reported. Progress = actual as a % of the target due at that date.",
        pct=fmt_pct(ON_TRACK_PCT),
    )


def with_status(frame: pd.DataFrame, country_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Add `progress_pct` and `status` to rows of the `logframe` query; rows in the reference order of levels
    and indicators, then by country name (`country_names`, else code)."""
    out = frame.copy()
    directions = out["direction"].fillna("higher") if "direction" in out else pd.Series("higher", index=out.index)
    out["progress_pct"] = [
        progress_pct(a, t, d) for a, t, d in zip(out["actual"], out["target"], directions, strict=True)
    ]
    out["status"] = [status(a, t, d) for a, t, d in zip(out["actual"], out["target"], directions, strict=True)]
    order = {code: i for i, code in enumerate(contract.code_list("logframe_indicator"))}
    levels = {code: i for i, code in enumerate(LEVELS)}
    out["_level"] = out["level"].map(levels).fillna(len(levels))
    out["_order"] = out["indicator"].map(order).fillna(len(order))
    out["_name"] = out["country"].map(lambda code: (country_names or {}).get(code, code))
    out = out.sort_values(["_level", "_order", "_name"], kind="stable").drop(columns=["_level", "_order", "_name"])
    return out.reset_index(drop=True)


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Rows per status (a frame from `with_status`), every status present."""
    counts = frame["status"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {code: int(counts.get(code, 0)) for code in STATUSES}


def format_value(value: Any, unit: str | None, compact: bool = False) -> str:
    """A target or actual as shown: percentages with %, counts as whole numbers, yes/no indicators as yes/no.
    `compact`: percentages without decimals (the status matrix)."""
    if _missing(value):
        return "–"
    if unit == "%":
        return fmt_pct(float(value), decimals=0 if compact else 1)
    if unit == "1 = yes":
        return _("yes") if float(value) >= 1 else _("no")
    number = float(value)
    return fmt_int(number) if number.is_integer() else fmt_number(number)


def display_table(
    frame: pd.DataFrame,
    indicator_names: dict[str, str],
    country_names: dict[str, str],
    show_country: bool = True,
    show_date: bool = False,
    show_indicator: bool = True,
) -> pd.DataFrame:
    """Rows from `with_status` as the strings the page shows, in the current language."""
    columns: dict[str, list] = {}
    if show_indicator:
        columns[_("Indicator")] = [indicator_names.get(c, c) for c in frame["indicator"]]
    if show_country:
        columns[_("Country")] = [country_names.get(c, c) for c in frame["country"]]
    if show_date:
        columns[_("Reported")] = [fmt_date(d) for d in pd.to_datetime(frame["period_end"]).dt.date]
    units = frame["unit"].tolist()
    columns[_("Target")] = [format_value(v, u) for v, u in zip(frame["target"], units, strict=True)]
    columns[_("Actual")] = [format_value(v, u) for v, u in zip(frame["actual"], units, strict=True)]
    columns[_("Progress")] = [fmt_pct(p) if p is not None else "–" for p in frame["progress_pct"]]
    columns[_("Status")] = [status_label(s) for s in frame["status"]]
    women = [fmt_pct(v, decimals=1) if not _missing(v) else "" for v in frame["female_share"]]
    comments = [c if isinstance(c, str) else "" for c in frame["comment"]]
    # Optional columns only when a row has one: an empty column pushed the table sideways beside the sidebar
    # (its heading cut at 1280 px) and says nothing.
    if any(women):
        columns[_("Women (%)")] = women
    if any(comments):
        columns[_("Comment")] = comments
    return pd.DataFrame(columns)


def status_column_styles(table: pd.DataFrame) -> list[list[str]]:
    """A CSS declaration per cell of `display_table` rows: the status cells coloured with STATUS_COLOURS, the
    others none (components.text.table_markup)."""
    codes = {status_label(code): code for code in STATUSES}
    where = list(table.columns).index(_("Status"))
    blank = [""] * len(table.columns)
    return [[*blank[:where], _cell_css(codes.get(label, "")), *blank[where + 1 :]] for label in table[_("Status")]]


def matrix(
    frame: pd.DataFrame, indicator_names: dict[str, str], country_names: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The traffic-light overview: one row per indicator (grouped by level), one column per country, each cell
    "actual / target". Returns (texts, statuses) of the same shape, for `matrix_styles`."""
    rows = frame.copy()
    # "/" held to the actual by a no-break space: a narrow column (800 px) wraps after it, never before it ("29 %",
    # "/", "38 %" on three lines read as three values)
    rows["cell"] = [
        "–" if _missing(a) and _missing(t) else f"{format_value(a, u, True)}\u00a0/ {format_value(t, u, True)}"
        for a, t, u in zip(rows["actual"], rows["target"], rows["unit"], strict=True)
    ]
    keys = list(dict.fromkeys(zip(rows["level"], rows["indicator"], strict=True)))
    columns = sorted(dict.fromkeys(rows["country"]), key=lambda c: country_names.get(c, c))
    cells = {(r.level, r.indicator, r.country): (r.cell, r.status) for r in rows.itertuples(index=False)}
    level_heading, indicator_heading = _("Level"), _("Indicator")
    texts, statuses = [], []
    for level, indicator in keys:
        head = {level_heading: level_label(level), indicator_heading: indicator_names.get(indicator, indicator)}
        found = [cells.get((level, indicator, c), ("", "")) for c in columns]
        texts.append(head | {country_names.get(c, c): cell[0] for c, cell in zip(columns, found, strict=True)})
        statuses.append(head | {country_names.get(c, c): cell[1] for c, cell in zip(columns, found, strict=True)})
    return pd.DataFrame(texts), pd.DataFrame(statuses)


def matrix_styles(statuses: pd.DataFrame) -> list[list[str]]:
    """A CSS declaration per cell of `matrix`: each country cell coloured by its status, the level and indicator
    none."""
    return [["", "", *(_cell_css(code) for code in row[2:])] for row in statuses.itertuples(index=False)]


def _cell_css(code: str) -> str:
    colour = charts.STATUS_COLOURS.get(code)
    if not colour:
        return ""
    # Black text: at least 5.4:1 contrast on every status colour (white on the green is only 3.4:1).
    return f"background-color: {colour}; color: #000000; font-weight: 600"


def chart(
    frame: pd.DataFrame,
    indicator: str,
    indicator_name: str,
    country_names: dict[str, str],
    title_suffix: str = "",
) -> charts.PlainFigure | None:
    """Actual (bar, coloured by status) against target (tick) per country for one indicator; None if no rows."""
    rows = frame[frame["indicator"] == indicator].copy()
    if rows.empty:
        return None
    unit = rows["unit"].iloc[0] if "unit" in rows else ""
    rows["name"] = [country_names.get(c, c) for c in rows["country"]]
    actual = pd.to_numeric(rows["actual"], errors="coerce")
    target = pd.to_numeric(rows["target"], errors="coerce")
    fig = charts.PlainFigure()
    for code in STATUSES:
        part = rows[rows["status"] == code]
        if part.empty:
            continue
        fig.add_trace(
            charts.bar(
                y=part["name"],
                x=actual[part.index].fillna(0),
                orientation="h",
                name=status_label(code),
                marker={"color": charts.STATUS_COLOURS[code]},
                text=[format_value(v, unit) for v in part["actual"]],
                textposition="inside" if code != "no_data" else "outside",
                insidetextanchor="start",
                textangle=0,  # "auto" turned some two-digit labels on their side inside their bar ("92" read "6")
                textfont={"size": 15, "color": "#000000"},
                cliponaxis=False,
                hovertemplate="%{y}: %{text}<extra>" + status_label(code) + "</extra>",
            )
        )
    fig.add_trace(
        charts.scatter(
            y=rows["name"],
            x=target,
            mode="markers",
            name=_("Target"),
            marker={"symbol": "line-ns", "size": 28, "line": {"width": 4, "color": charts.INK}},
            customdata=[format_value(v, unit) for v in rows["target"]],
            hovertemplate="%{y}: " + _("target") + " %{customdata}<extra></extra>",
        )
    )
    unit_text = f" ({_(unit)})" if unit and unit != "1 = yes" else ""
    title = _("{indicator}{unit}: actual against target", indicator=indicator_name, unit=unit_text) + title_suffix
    height = max(300, 130 + 44 * len(rows))
    charts.style(fig, title, height=height, value_format="")
    fig.update_layout(
        barmode="overlay",
        bargap=0.3,
        uniformtext={"minsize": 12, "mode": "hide"},
        # under the plot: above it, the legend wrapped into a second row at 800 px and ran into the title
        legend=charts.bottom_legend(height),
    )
    fig.update_xaxes(rangemode="tozero", tickformat=",~f")
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(reversed(rows["name"].tolist())), showgrid=False, ticklabelstandoff=8
    )
    return fig
