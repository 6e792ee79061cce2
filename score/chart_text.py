"""Charts readable without seeing them: a chart's name, a short text alternative and its data as a table.

Everything here is read from the built Plotly figure itself (a `charts.PlainFigure`, a `go.Figure` or the
plain `{"data": [...], "layout": {...}}` dict of either), never from the frame the chart was built from: so
the table holds exactly the numbers the chart draws, hidden cells included, and any chart, whoever built
it, gets the same treatment. No Streamlit: the page (components.show), the HTML/PDF report and tests use it.

    table = chart_table(fig)          # ChartTable | None (None: nothing tabular, e.g. an empty figure)
    table.title                       # the accessible name: the chart's title as one line of text
    text_alternative(table)           # "Enterprises by sector (enterprises). 13 bars. Largest: Garments, 61; ..."
    table.header, table.display_rows()  # the table in the reader's number format; hidden cells as the chart marks them
    table.frame()                     # the same numbers as data (hidden = empty), for a CSV

How a figure is read (the conventions of score/web/components/chart_builders.py and score/logframe.py):
- a bar trace is a series: categories on the category axis (y when `orientation="h"`), values on the other;
  its name is the legend name, or, for a lone unnamed series, the value axis title, the unit in the title's
  trailing parentheses ("Participants satisfied, by module (% of participants)" -> "% of participants") or the
  measure a title names before its breakdown ("Enterprises, by sector" -> "Enterprises");
- bar traces that split the categories between them (the logframe chart colours each country's bar by its
  status, one trace per status) are one series, with the trace's name in a second column;
- a marker or line scatter (a target, a running total) is a series too; a text-only scatter is the mark the
  chart prints over hidden categories, so those categories' cells read as hidden;
- what a cell says is what the chart prints at that bar (its `text`, or its `texttemplate` filled in the
  reader's number format); a printed label without a digit (the "–" of a hidden cell) marks a hidden cell,
  whose value the chart draws as 0 and the table leaves empty.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from score.i18n import _, fmt_int, fmt_number

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%\{([a-z]+)(?::([^}]*))?\}")
_YEAR = re.compile(r"^(19|20)\d\d$")
_UNIT = re.compile(r"\(([^()]+)\)\s*$")
# A trend whose last value is within this share of its first reads as "about the same".
LEVEL_TOLERANCE = 0.05


@dataclass(frozen=True)
class Cell:
    """One value of a chart: the number drawn (None when hidden or absent) and the text the chart prints."""

    value: float | None
    text: str
    hidden: bool = False


@dataclass(frozen=True)
class ChartTable:
    """A chart's data as a table: one row per category (in the chart's order), one column per series."""

    title: str
    subtitle: str
    category_header: str
    series: tuple[str, ...]
    categories: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]  # [category][series]
    groups: tuple[str, ...] = ()  # per category: the legend entry of its bar (logframe status), or empty
    group_header: str = ""
    notes: tuple[str, ...] = ()  # text the chart writes over the plot (e.g. "-18.0 % (total)")
    stacked: bool = False

    @property
    def header(self) -> list[str]:
        """The column headers of `display_rows`."""
        return [self.category_header, *self.series, *([self.group_header] if self.groups else [])]

    def display_rows(self) -> list[list[str]]:
        """The table as the reader sees it: the chart's own printed text in the reader's number format."""
        return [
            [category, *(cell.text for cell in row), *([self.groups[i]] if self.groups else [])]
            for i, (category, row) in enumerate(zip(self.categories, self.cells, strict=True))
        ]

    def frame(self) -> pd.DataFrame:
        """The same table as data (plain numbers, a hidden cell empty): what a chart's CSV holds."""
        data: dict[str, object] = {self.category_header: list(self.categories)}
        for j, name in enumerate(self.series):
            column = pd.Series([row[j].value if not row[j].hidden else None for row in self.cells], dtype="float64")
            # counts as whole numbers ("14", not "14.0" in the CSV), as the pages' query exports write them
            whole = column.dropna().map(float.is_integer).all()
            data[_unique(name, data)] = column.astype("Int64") if whole else column
        if self.groups:
            data[_unique(self.group_header, data)] = list(self.groups)
        return pd.DataFrame(data)

    def hidden_categories(self) -> list[str]:
        return [c for c, row in zip(self.categories, self.cells, strict=True) if any(cell.hidden for cell in row)]


def _unique(name: str, taken: Mapping[str, object]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    return candidate


def text_of(markup: object) -> str:
    """Plotly label markup as plain text: line breaks as spaces, tags dropped, entities read back."""
    if markup is None:
        return ""
    text = _TAG.sub("", _BREAK.sub(" ", str(markup)))
    return " ".join(html.unescape(text).split())


def figure_spec(fig: object) -> dict:
    """The `{"data": [...], "layout": {...}}` dict of a PlainFigure, a go.Figure or such a dict."""
    if isinstance(fig, Mapping):
        return {"data": list(fig.get("data") or []), "layout": dict(fig.get("layout") or {})}
    to_dict = getattr(fig, "to_dict", None)
    if to_dict is None:
        raise TypeError(f"not a figure: {type(fig).__name__}")
    spec = to_dict()
    return {"data": list(spec.get("data") or []), "layout": dict(spec.get("layout") or {})}


def chart_title(fig: object) -> str:
    """The chart's title as one line of plain text (its accessible name)."""
    title = figure_spec(fig)["layout"].get("title") or {}
    return text_of(title.get("text") if isinstance(title, Mapping) else title)


def _values(values: object) -> list[object]:
    if values is None:
        return []
    if isinstance(values, str | bytes):
        return [values]
    if hasattr(values, "tolist"):
        return list(values.tolist())
    return list(values)  # type: ignore[call-overload]


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def d3_format(value: float, spec: str) -> str:
    """A number in the reader's format following a d3 format (",d", ".0f", ",.1f", ",~f" ...)."""
    if spec.endswith("%"):
        return fmt_number(value * 100, _decimals(spec, value * 100)) + "%"
    return fmt_number(value, _decimals(spec, value)) if _decimals(spec, value) else fmt_int(value)


def _decimals(spec: str, value: float) -> int:
    match = re.search(r"\.(\d+)", spec)
    if match:
        return 0 if "~" in spec and float(value).is_integer() else int(match.group(1))
    if spec.endswith("d") or float(value).is_integer():
        return 0
    return 1


def _axis_title(layout: Mapping[str, object], axis: str) -> str:
    spec = layout.get(f"{axis}axis") or {}
    title = spec.get("title") if isinstance(spec, Mapping) else None
    return text_of(title.get("text") if isinstance(title, Mapping) else title)


def _printed(trace: Mapping[str, object], index: int, value: float | None, axis: str) -> Cell:
    """What the chart prints at point `index` of `trace` (see the module's docstring)."""
    texts, template = trace.get("text"), trace.get("texttemplate")
    printed: str | None = None
    if isinstance(texts, list | tuple) or hasattr(texts, "tolist"):
        items = _values(texts)
        printed = text_of(items[index]) if index < len(items) and items[index] is not None else None
    elif isinstance(texts, str):
        printed = text_of(texts)
    if printed is None and template is not None:
        items = _values(template) if not isinstance(template, str) else [template]
        item = items[index] if len(items) > 1 else items[0] if items else None
        if isinstance(item, str):
            match = _PLACEHOLDER.search(item)
            if match is None:
                printed = text_of(item)
            elif value is not None:
                return Cell(value, d3_format(value, match.group(2) or ""))
    if printed is not None and printed and not any(ch.isdigit() for ch in printed):
        return Cell(None, printed, hidden=True)  # the chart's mark for a hidden cell ("–")
    if value is None:
        return Cell(None, "–")
    if printed:
        return Cell(value, printed)
    specs = [
        m.group(2) or "" for m in _PLACEHOLDER.finditer(str(trace.get("hovertemplate") or "")) if m.group(1) == axis
    ]
    return Cell(value, d3_format(value, specs[0] if specs else ""))


def chart_table(fig: object) -> ChartTable | None:
    """The chart's data as a table (see the module's docstring), or None when it draws no category data."""
    spec = figure_spec(fig)
    layout, traces = spec["layout"], spec["data"]
    series: list[tuple[str, str, dict[str, Cell]]] = []  # (name, kind, cells by category)
    categories: list[str] = []
    hidden_marks: set[str] = set()
    value_axis = "y"
    for trace in traces:
        kind = trace.get("type", "scatter")
        if kind not in {"bar", "scatter"}:
            continue
        horizontal = trace.get("orientation") == "h" or (kind == "scatter" and _horizontal(traces))
        axis, other = ("x", "y") if horizontal else ("y", "x")
        names = [text_of(c) for c in _values(trace.get(other))]
        values = [_number(v) for v in _values(trace.get(axis))]
        if kind == "scatter" and trace.get("mode") == "text":  # printed labels, and "–" over hidden bars
            texts = _values(trace.get("text"))
            hidden_marks.update(n for n, t in zip(names, texts, strict=False) if not any(ch.isdigit() for ch in str(t)))
            continue
        if kind == "bar":
            value_axis = axis
        cells = {}
        for i, name in enumerate(names):
            if name not in categories:
                categories.append(name)
            cells[name] = _printed(trace, i, values[i] if i < len(values) else None, axis)
        series.append((text_of(trace.get("name")), kind, cells))
    if not series or not categories:
        return None
    title = layout.get("title") or {}
    title_text = text_of(title.get("text") if isinstance(title, Mapping) else title)
    subtitle = text_of((title.get("subtitle") or {}).get("text")) if isinstance(title, Mapping) else ""
    category_axis = "y" if value_axis == "x" else "x"
    categories = _reading_order(categories, layout.get(f"{category_axis}axis") or {}, category_axis)
    bars = [s for s in series if s[1] == "bar"]
    groups: tuple[str, ...] = ()
    if len(bars) > 1 and _disjoint([s[2] for s in bars]):  # one series coloured by a legend entry (logframe)
        merged = {c: cell for _name, _kind, cells in bars for c, cell in cells.items()}
        group_of = {c: name for name, _kind, cells in bars for c in cells}
        groups = tuple(group_of.get(c, "") for c in categories)
        series = [("", "bar", merged), *(s for s in series if s[1] != "bar")]
    unnamed = _axis_title(layout, value_axis) or _unit(title_text) or _("Value")
    headers = tuple(name or (unnamed if i == 0 else _("Value")) for i, (name, _kind, _cells) in enumerate(series))
    rows = tuple(
        tuple(
            Cell(None, "–", hidden=True)  # a bar of 0 under the chart's hidden mark
            if c in hidden_marks and kind == "bar" and c in cells and not cells[c].value
            else cells.get(c, Cell(None, ""))
            for _name, kind, cells in series
        )
        for c in categories
    )
    notes = tuple(text_of(a.get("text")) for a in layout.get("annotations") or [] if text_of(a.get("text")))
    return ChartTable(
        title=title_text,
        subtitle=subtitle,
        category_header=_axis_title(layout, category_axis) or _("Category"),
        series=headers,
        categories=tuple(categories),
        cells=rows,
        groups=groups,
        group_header=_("Legend") if groups else "",
        notes=notes,
        stacked=layout.get("barmode") == "stack" and len(bars) > 1 and not groups,
    )


def _reading_order(categories: list[str], axis: Mapping[str, object], letter: str) -> list[str]:
    """Categories in the order a reader meets them: top to bottom, or left to right. An explicit category
    order (`categoryarray`, listed from the axis' start: bottom up on a vertical axis) wins."""
    order = [text_of(c) for c in _values(axis.get("categoryarray"))]
    if not order:
        return categories
    if letter == "y" and axis.get("autorange") != "reversed":
        order.reverse()
    rank = {name: i for i, name in enumerate(order)}
    return sorted(categories, key=lambda name: rank.get(name, len(rank)))


def _horizontal(traces: Sequence[Mapping[str, object]]) -> bool:
    return any(t.get("type") == "bar" and t.get("orientation") == "h" for t in traces)


def _disjoint(cell_maps: Sequence[Mapping[str, Cell]]) -> bool:
    seen: set[str] = set()
    for cells in cell_maps:
        if seen & set(cells):
            return False
        seen |= set(cells)
    return True


def _unit(title: str) -> str:
    """What a lone series counts: the unit in the title's trailing parentheses, else the measure a title names
    before its breakdown ("Modules delivered, by module" -> "Modules delivered": the title says it once)."""
    match = _UNIT.search(title)
    if match:
        return match.group(1).strip().capitalize()
    measure, comma, _breakdown = title.partition(", ")
    return measure.strip() if comma else ""


def text_alternative(chart: object) -> str:
    """A short description of what a chart shows, in the reader's language: what is measured (the title),
    the largest and smallest values with their labels (per series; the totals of stacked bars), the direction
    of a trend over years, what is hidden and what the chart writes over the plot. `chart`: a figure or its
    ChartTable. Empty when the figure has no tabular data."""
    table = chart if isinstance(chart, ChartTable) else chart_table(chart)
    if table is None:
        return ""
    parts = [table.title + (f" ({table.subtitle})" if table.subtitle else "") + "."]
    years = all(_YEAR.match(c) for c in table.categories) and len(table.categories) > 1
    columns = range(len(table.series))
    totals = [  # a total with a hidden part is hidden too
        Cell(None, "–", hidden=True)
        if any(cell.hidden for cell in row)
        else Cell(sum(cell.value or 0 for cell in row), fmt_int(sum(cell.value or 0 for cell in row)))
        for row in table.cells
    ]
    shown_totals = {round(t.value, 1) for t in totals if t.value is not None}
    if table.stacked and len(shown_totals) > 1:  # 100 % bars (women and men) are described per series
        parts.append(_extremes(_("Total"), table.categories, totals))
    else:
        for j in columns if len(table.series) <= 3 else columns[:3]:
            column = [row[j] for row in table.cells]
            name = table.series[j] if len(table.series) > 1 else ""
            parts.append(_trend(name, table.categories, column) if years else _extremes(name, table.categories, column))
    hidden = table.hidden_categories()
    if hidden:
        parts.append(_("Hidden to protect individual enterprises: {names}.", names=", ".join(hidden)))
    parts.extend(note + "." for note in table.notes)
    return " ".join(p for p in parts if p)


def _shown(categories: Sequence[str], cells: Sequence[Cell]) -> list[tuple[str, Cell]]:
    return [(c, cell) for c, cell in zip(categories, cells, strict=True) if cell.value is not None and not cell.hidden]


def _extremes(name: str, categories: Sequence[str], cells: Sequence[Cell]) -> str:
    shown = _shown(categories, cells)
    if not shown:
        return ""
    top = max(shown, key=lambda item: item[1].value or 0)
    low = min(shown, key=lambda item: item[1].value or 0)
    if len(shown) == 1 or top[1].value == low[1].value:
        return (
            _("{name}: {label}, {value}.", name=name, label=top[0], value=top[1].text)
            if name
            else (_("{label}: {value}.", label=top[0], value=top[1].text))
        )
    values = {"top": top[0], "top_value": top[1].text, "low": low[0], "low_value": low[1].text}
    if name:
        return _("{name}: largest {top}, {top_value}; smallest {low}, {low_value}.", name=name, **values)
    return _("Largest: {top}, {top_value}; smallest: {low}, {low_value}.", **values)


def _trend(name: str, years: Sequence[str], cells: Sequence[Cell]) -> str:
    shown = _shown(years, cells)
    if not shown:
        return ""
    (first_year, first), (last_year, last) = shown[0], shown[-1]
    if len(shown) == 1:
        text = _("{year}: {value}.", year=first_year, value=first.text)
        return f"{name}: {text}" if name else text
    top = max(shown, key=lambda item: item[1].value or 0)
    change = (last.value or 0) - (first.value or 0)
    if abs(change) <= LEVEL_TOLERANCE * max(abs(first.value or 0), abs(last.value or 0), 1e-9):
        direction = _("about the same")
    elif change > 0:
        direction = _("rising")
    else:
        direction = _("falling")
    values = {
        "first_year": first_year,
        "last_year": last_year,
        "direction": direction,
        "first": first.text,
        "last": last.text,
        "top": top[1].text,
        "top_year": top[0],
    }
    if name:
        return _(
            "{name}: {direction} from {first} in {first_year} to {last} in {last_year}; highest {top} in {top_year}.",
            name=name,
            **values,
        )
    return _(
        "From {first_year} to {last_year}, {direction}: {first} in {first_year}, {last} in {last_year}; "
        "highest {top} in {top_year}.",
        **values,
    )
