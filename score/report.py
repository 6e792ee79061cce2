"""A report that travels: one self-contained HTML file of a dashboard view, and the same as an A4 PDF.

The HTML opens from an e-mail attachment with the network off: plotly.js is inlined once (from the installed
plotly package, gzip-compressed and unpacked by the browser's own DecompressionStream, so the file stays well
under 5 MB), every chart is the page's own figure (the same builders, passed in by the page), interactive, with
its title as a heading, its text alternative and its data as a table (score.chart_text: what the chart draws,
hidden cells included). Around the charts: the filters in words, the headline figures against targets, the
narrative summary (score.narrative), method notes, the data version's date, the demo mark and the viewer's
"figures are adjusted" note. Every text is escaped: partner names come from uploads.

The PDF is the HTML printed by the headless Chromium (the same browser kaleido uses for PNGs), A4 landscape:
a cover page, one page per chart (chart, text and table side by side), a page of notes. No Streamlit here: the
page's download button (score web layer) and `python -m score report` both call `build_report`/`to_html`.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
import re
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly
import plotly.io as pio

from score import chart_text, i18n, settings
from score.access import Scope
from score.charts import without_title
from score.deck import Kpi
from score.exports import ExportContext
from score.filters import Filters
from score.i18n import _

Query = Callable[..., pd.DataFrame]
PRINT_WIDTH_PX = 1100  # A4 landscape at 96 px per inch, less the margins: the window the PDF is laid out in
PRINT_CHART = (660, 520)  # a chart's box on a printed page (px): the table and the text sit beside it


# --------------------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class ReportChart:
    """One chart of the report: the figure as Plotly JSON (its title moved to the heading), the accessible
    name, the text alternative, and the table (header, rows as printed)."""

    spec: dict
    title: str
    alternative: str
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Report:
    """A view as a document, every text already in the reader's language."""

    title: str
    context: ExportContext
    language: str = "en"
    subtitle: str = ""
    kpis: tuple[Kpi, ...] = ()
    narrative: str = ""
    charts: tuple[ReportChart, ...] = ()
    notes: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # the report's own headings, translated


def _figure_spec(fig: object) -> dict:
    """The figure as plain JSON-ready dicts (a go.Figure, a charts.PlainFigure or such a dict)."""
    if isinstance(fig, dict):
        return json.loads(json.dumps(fig, cls=plotly.utils.PlotlyJSONEncoder))
    return json.loads(pio.to_json(fig, validate=False))


def chart_entry(fig: object, read_from: object | None = None) -> ReportChart:
    """A page's figure as a report chart: its name, text alternative and table from score.chart_text (the one
    reading of a chart for people who do not see it: the page, the report and the tests share it), read from
    `fig` or from `read_from`, a figure of the same numbers that chart_text reads (the bars beside a map)."""
    spec = _figure_spec(fig)
    table = chart_text.chart_table(_figure_spec(read_from) if read_from is not None else spec)
    title = chart_text.chart_title(spec) or (table.title if table is not None else "")
    if table is not None:
        alternative = chart_text.text_alternative(table)
        header, rows = tuple(table.header), tuple(tuple(row) for row in table.display_rows())
    else:
        alternative, header, rows = title, (), ()
    without_title(spec.setdefault("layout", {}), spec.get("data") or [])  # the section's heading, once, as text
    return ReportChart(spec, title or _("Chart"), alternative, header, rows)


def method_notes() -> tuple[str, ...]:
    """The method behind the report's figures, in the current language (the deck's notes: one wording)."""
    from score.presentation import method_notes as notes

    return tuple(notes().values())


def build_report(
    title: str,
    figures: Sequence[object | tuple[object, object]],
    query: Query,
    context: ExportContext,
    kpis: Sequence[Kpi] = (),
    *,
    subtitle: str = "",
    place: str | None = None,
    indicator_names: Mapping[str, str] | None = None,
) -> Report:
    """The report of a view: the page's `figures` in the page's order (a figure, or a figure and the figure
    its table is read from: see `chart_entry`), the narrative of
    `query` (the viewer's scope and the view's filters; `place`: the country a profile is about), the headline
    figures `kpis`, and the export `context`. Call it with the reader's language set (`i18n.language`)."""
    from score.narrative import narrative

    return Report(
        title=title,
        context=context,
        language=i18n.current_language(),
        subtitle=subtitle,
        kpis=tuple(kpis),
        narrative=narrative(query, place, indicator_names).text,
        charts=tuple(chart_entry(*(item if isinstance(item, tuple) else (item,))) for item in figures),
        notes=method_notes(),
        labels={
            "summary": _("In short"),
            "headline": _("Headline figures"),
            "table": _("Table of the chart"),
            "notes": _("Sources and method"),
            "filters": _("Figures for: {filters}.", filters=context.filters),
            "data": _("Data of {date}; exported {today}.", date=context.data_date, today=context.exported_on),
            "source": _("Source: {source}", source=context.source),
            "contents": i18n.ngettext("{n} chart", "{n} charts", len(figures)),
            "nojs": _("The charts need JavaScript; their tables and descriptions are below each heading."),
        },
    )


@dataclass(frozen=True)
class ReportRecipe:
    """What a page run leaves for its report, to be built only when asked (a download button's click, the
    command line): the page's title, its charts as builders (called then, in the reader's language), whose
    figures (the viewer's scope, the view's filters, the data version read) and for whom. Everything that
    needs the viewer's session (context, labels) is taken when the page runs."""

    title: str
    charts: tuple[Callable[[], object], ...]
    scope: Scope
    filters: Filters
    context: ExportContext
    language: str
    path: Path | None = None
    place: str | None = None
    subtitle: str = ""
    indicator_names: Mapping[str, str] = field(default_factory=dict)

    def query(self, name: str, **params: object) -> pd.DataFrame:
        from score import db

        return db.run_query(name, self.scope, self.filters, path=self.path, **params)

    def build(self) -> Report:
        from score.presentation import headline_kpis

        with i18n.using_language(self.language):
            row = self.query("overview_kpis").iloc[0]
            shown = not bool(row.get("suppressed", False)) and bool(row["enterprises"])
            kpis = headline_kpis(self.query, row, self.filters) if shown else []
            figures = [item for item in (build() for build in self.charts) if item is not None]
            return build_report(
                self.title,
                figures,
                self.query,
                self.context,
                kpis,
                subtitle=self.subtitle,
                place=self.place,
                indicator_names=self.indicator_names,
            )

    def html(self) -> bytes:
        return to_html(self.build()).encode("utf-8")

    def pdf(self) -> bytes:
        return to_pdf(self.build())


# --------------------------------------------------------------------------------------------- HTML


@functools.cache
def _plotly_js_packed() -> str:
    """plotly.min.js from the installed plotly package, gzip-compressed, base64 (about 1.9 MB for 4.8 MB)."""
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return base64.b64encode(gzip.compress(source.read_bytes(), compresslevel=9, mtime=0)).decode("ascii")


@functools.cache
def _plotly_js_plain() -> str:
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return source.read_text(encoding="utf-8").replace("</script", "<\\/script")


# The loader: unpack plotly.js (once), then draw every chart from its JSON. A chart is static (no zoom or drag:
# a document, not a tool) but keeps its hover values and legend clicks.
_LOADER = """
(function () {
  function draw() {
    document.querySelectorAll("script[data-chart]").forEach(function (node) {
      var spec = JSON.parse(node.textContent), box = document.getElementById(node.dataset.chart);
      Plotly.newPlot(box, spec.data, spec.layout, CONFIG);
    });
    document.documentElement.dataset.drawn = "yes";
  }
  function run(code) {
    var s = document.createElement("script"); s.textContent = code; document.head.appendChild(s); draw();
  }
  var packed = document.getElementById("plotly-gz");
  if (!packed) { draw(); return; }
  var bytes = Uint8Array.from(atob(packed.textContent.trim()), function (c) { return c.charCodeAt(0); });
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(run);
})();
"""

_CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #cbd2d9; --accent: #0072B2; --demo: #B00020; }
* { box-sizing: border-box; }
body { font-family: "Source Sans Pro", Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1200px;
  padding: 24px; line-height: 1.4; }
header { border-bottom: 2px solid var(--accent); margin-bottom: 16px; }
h1 { margin: 0 0 4px; font-size: 1.9rem; } h2 { font-size: 1.35rem; margin: 0 0 8px; }
.muted { color: var(--muted); } .demo { color: var(--demo); font-weight: 700; text-transform: uppercase; }
.adjusted { color: var(--muted); font-style: italic; }
.narrative { font-size: 1.1rem; max-width: 70em; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; padding: 0;
  list-style: none; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.kpi .value { font-size: 1.8rem; font-weight: 700; color: var(--accent); display: block; }
.kpi .detail { color: var(--muted); font-size: 0.95rem; display: block; }
section.chart { border-top: 1px solid var(--line); padding-top: 16px; margin-top: 24px; }
.chart .body { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items: start; }
.plot { width: 100%; min-height: 200px; }
table { border-collapse: collapse; font-size: 0.9rem; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
footer { margin-top: 24px; border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 900px) { .chart .body { grid-template-columns: 1fr; } }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 13px; }
  section.chart, section.notes { break-before: page; border-top: none; margin-top: 0; padding-top: 0; }
  .chart .body { grid-template-columns: 660px minmax(0, 1fr); }
  .plot { width: 660px; }
  .kpis { grid-template-columns: repeat(4, 1fr); gap: 6px; } .kpi { padding: 6px 8px; }
  .kpi .value { font-size: 1.4rem; } .narrative { font-size: 1rem; }
  td, th { padding: 2px 4px; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _number_cell(text: str) -> bool:
    return bool(re.fullmatch(r"[-+−–]?[\d\s\u202f\u00a0.,]*\d[\d\s\u202f\u00a0.,]*\s?%?|–", text.strip()))


def _chart_html(index: int, chart: ReportChart, table_label: str, for_print: bool) -> str:
    spec = json.loads(json.dumps(chart.spec))
    layout = spec.setdefault("layout", {})
    layout.pop("width", None)
    layout["autosize"] = True
    if for_print:  # a fixed box beside the table: the PDF is laid out at print width, not the screen's
        layout["width"], layout["height"] = PRINT_CHART[0], min(int(layout.get("height") or 450), PRINT_CHART[1])
    # the figure's data as JSON inside the page: no "<", ">" or "&" as such, so no text in it (a partner's name)
    # can close the script element or open a comment (JSON reads \u003c back as "<")
    data = (
        json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
    rows = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if i and _number_cell(c) else ''}>{_e(c)}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in chart.rows
    )
    table = (
        f"<table><caption>{_e(table_label)}</caption><thead><tr>"
        + "".join(f"<th scope=col>{_e(h)}</th>" for h in chart.header)
        + f"</tr></thead><tbody>{rows}</tbody></table>"
        if chart.header
        else ""
    )
    return (
        f'<section class=chart aria-labelledby="t{index}"><h2 id="t{index}">{_e(chart.title)}</h2>'
        f'<div class=body><div><div class=plot id="c{index}" role=img aria-label="{_e(chart.title)}" '
        f'aria-describedby="d{index}"></div></div>'
        f'<div><p id="d{index}">{_e(chart.alternative)}</p>{table}</div></div>'
        f'<script type="application/json" data-chart="c{index}">{data}</script></section>'
    )


def to_html(report: Report, for_print: bool = False) -> str:
    """The report as one HTML document that needs nothing else: no request leaves it. `for_print`: plotly.js
    uncompressed (drawn synchronously, for the PDF) and charts in fixed boxes."""
    context, labels = report.context, report.labels
    config = {"displaylogo": False, "responsive": not for_print, "staticPlot": for_print, "displayModeBar": False}
    demo = f"<p class=demo>{_e(context.demo)}</p>" if context.demo else ""
    adjusted = f"<p class=adjusted>{_e(context.adjusted)}</p>" if context.adjusted else ""
    kpis = "".join(
        f"<li class=kpi><span class=value>{_e(k.value)}</span>{_e(k.label)}"
        + "".join(f"<span class=detail>{_e(part)}</span>" for part in (k.detail, k.women) if part)
        + "</li>"
        for k in report.kpis
    )
    headline = f"<h2>{_e(labels.get('headline', ''))}</h2><ul class=kpis>{kpis}</ul>" if kpis else ""
    narrative = (
        f"<h2>{_e(labels.get('summary', ''))}</h2><p class=narrative>{_e(report.narrative)}</p>"
        if report.narrative
        else ""
    )
    charts = "".join(
        _chart_html(i, chart, labels.get("table", ""), for_print) for i, chart in enumerate(report.charts, 1)
    )
    notes = "".join(f"<li>{_e(note)}</li>" for note in report.notes if note)
    if for_print:
        script = f"<script>{_plotly_js_plain()}</script>"
    else:
        script = f'<script type="application/octet-stream" id="plotly-gz">{_plotly_js_packed()}</script>'
    loader = _LOADER.replace("CONFIG", json.dumps(config))
    return (
        f'<!DOCTYPE html><html lang="{_e(report.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
        "style-src 'unsafe-inline'; img-src data: blob:; font-src data:\">"
        f"<title>{_e(report.title)} · {_e(context.filters)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_e(report.title)}</h1>"
        + (f"<p class=muted>{_e(report.subtitle)}</p>" if report.subtitle else "")
        + f"<p><strong>{_e(labels.get('filters', ''))}</strong></p>"
        f"<p class=muted>{_e(labels.get('data', ''))} {_e(labels.get('contents', ''))}</p>{demo}{adjusted}</header>"
        f"<noscript><p>{_e(labels.get('nojs', ''))}</p></noscript>"
        f"<main>{narrative}{headline}{charts}"
        f"<section class=notes><h2>{_e(labels.get('notes', ''))}</h2><ul>{notes}</ul>"
        f"<p>{_e(labels.get('source', ''))}</p>{demo}{adjusted}</section></main>"
        f"<footer class=muted>{_e(context.caption())}</footer>"
        f"{script}<script>{loader}</script></body></html>"
    )


# --------------------------------------------------------------------------------------------- PDF


def to_pdf(report: Report, timeout: float = 120) -> bytes:
    """The report printed to PDF (A4 landscape, the page size is in the document's CSS) by headless Chromium,
    with every request to the network refused (the document needs none)."""
    chromium = settings.get().chromium
    if not settings.can_render():  # the page shows the PDF button off (components.page_workbook)
        raise RuntimeError(f"Chromium not found at {chromium} (set CHROMIUM_PATH)")
    with tempfile.TemporaryDirectory(prefix="score-report-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(to_html(report, for_print=True), encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={folder}/profile",
            f"--window-size={PRINT_WIDTH_PX},800",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=20000",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if not target.exists() or not target.stat().st_size:
            raise RuntimeError("Chromium did not write the PDF")
        return target.read_bytes()
