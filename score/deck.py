"""The PowerPoint deck: one 16:9 slide per `Slide` (title, headline figures, native chart, map picture, text).

Charts are python-pptx chart objects with their data embedded, so the Geneva team can restyle or correct them in
PowerPoint; the map is a picture rendered offline (kaleido). The slides' content is made by score.presentation.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from score import formulas, settings
from score.charts import ACCENT, INK, hex_to_rgb
from score.exports import ExportContext, figure_png
from score.i18n import N_, _, language_tag

_CHART_TYPES = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "stacked": XL_CHART_TYPE.COLUMN_STACKED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
}
GREY = "#52606d"
DEMO_RED = "#B00020"
# The speaker note of a map slide drawn as a list (a host without the browser that draws pictures).
MAP_AS_LIST = N_("The map could not be drawn as a picture where this deck was built: the countries are listed.")


@dataclass(frozen=True)
class Kpi:
    """A headline figure on a slide: label, formatted value, progress against target, women's share."""

    label: str
    value: str
    detail: str = ""  # e.g. "97% of target 1,550"
    women: str = ""  # e.g. "41% women"
    share: float | None = None  # the women's share itself (a number, for tests and bars)
    progress: float | None = None  # the actual as a % of the target


@dataclass
class Slide:
    """One slide. `kind`: "title", "kpis", "chart" (native chart from categories x series), "map" (a
    figure, a picture in the deck) or "text" (lines). `notes`: speaker notes (the method behind the
    figures). Text here is plain text everywhere it is shown: never markup."""

    title: str
    kind: str = "chart"
    subtitle: str = ""
    kpis: list[Kpi] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)  # series name -> hex colour
    chart: str = "column"
    number_format: str = "#,##0"
    lines: list[str] = field(default_factory=list)
    notes: str = ""
    figure: go.Figure | None = None


def _rgb(colour: str) -> RGBColor:
    return RGBColor(*hex_to_rgb(colour))


def _text(
    slide,
    text: str,
    left: int,
    top: int,
    width: int,
    height: int,
    size: int,
    bold: bool = False,
    colour: str = INK,
    align: PP_ALIGN | None = None,
) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        for run in paragraph.runs:  # spelling and reading in the deck's language, not PowerPoint's en-US
            run._r.get_or_add_rPr().set("lang", language_tag())
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
        paragraph.font.color.rgb = _rgb(colour)
        if align is not None:
            paragraph.alignment = align


def _clean(values: Sequence[float | None]) -> list[float | None]:
    out: list[float | None] = []
    for value in values:
        missing = value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)
        out.append(None if missing or value is None else float(value))
    return out


def _tag_language(chart) -> None:
    """`<c:lang>` of the chart part (absent, PowerPoint reads it as en-US) and of its text: the deck's language."""
    space = chart._chartSpace
    lang = space.find(qn("c:lang"))
    if lang is None:
        lang = space.makeelement(qn("c:lang"), {})
        space.insert(1 if space.find(qn("c:date1904")) is not None else 0, lang)
    lang.set("val", language_tag())
    for properties in space.iter(qn("a:defRPr")):
        properties.set("lang", language_tag())


class _TextCellsWriter(CategoryWorkbookWriter):
    """python-pptx's writer of a chart's embedded workbook (the data PowerPoint's "Edit data" opens) with its text
    written as text (score.formulas): its XlsxWriter write() made a category "=1+1" (a partner's or a place's name
    from an upload) a formula of that workbook, and "https://..." a link."""

    def _populate_worksheet(self, workbook, worksheet) -> None:
        self._quoted = workbook.add_format({"quote_prefix": True})
        super()._populate_worksheet(workbook, worksheet)

    def _write_cat_column(self, worksheet, col, level, num_format) -> None:
        worksheet.set_column(col, col, 10)  # as python-pptx: wide enough for a date
        for offset, name in level:
            if isinstance(name, str):
                formulas.write_sheet_text(worksheet, offset + 1, col, name, num_format, self._quoted)
            else:  # a number or a date category keeps its number format
                worksheet.write(offset + 1, col, name, num_format)

    def _write_series(self, workbook, worksheet) -> None:
        first = self._chart_data.categories.depth
        for index, series in enumerate(self._chart_data):
            if series.name is not None:
                formulas.write_sheet_text(worksheet, 0, first + index, str(series.name), None, self._quoted)
            number = workbook.add_format({"num_format": series.number_format})
            worksheet.write_column(1, first + index, series.values, number)


class _ChartData(CategoryChartData):
    """CategoryChartData whose embedded workbook holds its text as text (`_TextCellsWriter`)."""

    @property
    def _workbook_writer(self) -> CategoryWorkbookWriter:
        return _TextCellsWriter(self)


def _chart(slide, spec: Slide, left: int, top: int, width: int, height: int) -> None:
    data = _ChartData(number_format=spec.number_format)
    data.categories = spec.categories
    for name, values in spec.series.items():
        data.add_series(name, _clean(values))
    chart = slide.shapes.add_chart(_CHART_TYPES[spec.chart], left, top, width, height, data).chart
    chart.font.size = Pt(14)
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    # Stacked segments of 0 print nothing (a "0" on a segment of no height sat on its neighbour's label).
    labels_format = f"{spec.number_format};-{spec.number_format};" if spec.chart == "stacked" else spec.number_format
    plot.data_labels.number_format = labels_format
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(12)
    if spec.chart == "column" and len(spec.series) > 1:
        # Side by side, two labels at the top of neighbouring bars ran into each other ("188185"): the first
        # series is labelled above its bars, the others inside the base of theirs.
        for index, series in enumerate(plot.series):
            labels = series.data_labels
            labels.number_format, labels.number_format_is_linked = labels_format, False
            labels.font.size = Pt(12)
            labels.position = XL_LABEL_POSITION.OUTSIDE_END if index == 0 else XL_LABEL_POSITION.INSIDE_BASE
    # the axis ticks say numbers the way the labels do (47 % in French, not 47)
    chart.value_axis.tick_labels.number_format = spec.number_format
    chart.value_axis.tick_labels.number_format_is_linked = False
    if spec.chart == "bar":  # PowerPoint draws bar categories bottom up: keep the slide's top-down order
        chart.category_axis.reverse_order = True
    _tag_language(chart)
    for series in plot.series:
        colour = spec.colours.get(series.name)
        if colour and spec.chart != "line":
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _rgb(colour)


def _kpis(slide, spec: Slide, top: int, width: int) -> None:
    columns = min(4, len(spec.kpis))
    tile = (width - Inches(1)) / columns
    for index, kpi in enumerate(spec.kpis):
        row, col = divmod(index, columns)
        left = Inches(0.5) + int(tile * col)
        y = top + Inches(0.4) + Inches(2.6) * row
        _text(slide, kpi.value, left, y, int(tile), Inches(1.0), 48, bold=True, colour=ACCENT)
        _text(slide, kpi.label, left, y + Inches(1.0), int(tile), Inches(0.6), 18)
        details = "\n".join(part for part in (kpi.detail, kpi.women) if part)
        if details:
            _text(slide, details, left, y + Inches(1.6), int(tile), Inches(0.9), 16, colour=GREY)


def build_deck(
    slides: Sequence[Slide],
    footer: str = "",
    context: ExportContext | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """A 16:9 deck, one slide per spec: native, editable charts; the map as a picture (rendered offline by
    kaleido); speaker notes, ending with the viewer's "figures are adjusted" sentence; a footer with the
    filters, the data date and that sentence in short; while demo data is loaded, a "demo data" mark on every
    slide. `progress(done, total)` is called after each slide."""
    deck = Presentation()
    width, height = Inches(13.333), Inches(7.5)
    deck.slide_width, deck.slide_height = width, height
    blank = deck.slide_layouts[6]
    if not footer and context is not None:
        footer = " · ".join(part for part in (context.filters, context.details, context.adjusted_mark) if part)
    adjusted = context.adjusted if context is not None else ""
    for number, spec in enumerate(slides, start=1):
        slide = deck.slides.add_slide(blank)
        listed_note = ""
        if spec.kind == "title":
            _text(slide, spec.title, Inches(0.8), Inches(2.2), width - Inches(1.6), Inches(1.2), 48, bold=True)
            _text(slide, spec.subtitle, Inches(0.8), Inches(3.5), width - Inches(1.6), Inches(0.8), 24, colour=GREY)
            _text(slide, "\n".join(spec.lines), Inches(0.8), Inches(4.4), width - Inches(1.6), Inches(1.2), 18)
        else:
            _text(slide, spec.title, Inches(0.5), Inches(0.3), width - Inches(2.5), Inches(0.8), 30, bold=True)
            top: int = Inches(1.2)
            if spec.subtitle:
                _text(slide, spec.subtitle, Inches(0.5), top, width - Inches(1), Inches(0.5), 16, colour=GREY)
                top += Inches(0.6)
            body = height - top - Inches(0.8)
            if spec.kind == "kpis":
                _kpis(slide, spec, top, width)
            elif spec.kind == "map" and spec.figure is not None and settings.can_render():
                image = figure_png(spec.figure, width=1600, height=int(1600 * body / (width - Inches(1))))
                slide.shapes.add_picture(io.BytesIO(image), Inches(0.5), top, width=width - Inches(1))
            elif spec.kind in ("text", "map"):  # a map with no browser here to draw its picture: its figures listed
                _text(slide, "\n".join(spec.lines), Inches(0.5), top, width - Inches(1), body, 18)
                listed_note = _(MAP_AS_LIST) if spec.kind == "map" else ""
            elif spec.categories and spec.series:
                _chart(slide, spec, Inches(0.5), top, width - Inches(1), body)
        if footer:
            _text(
                slide,
                f"{footer} · {number}/{len(slides)}",
                Inches(0.5),
                height - Inches(0.6),
                width - Inches(1),
                Inches(0.4),
                11,
                colour=GREY,  # 6.5:1 on white (the lighter grey was 3.7:1)
            )
        if context is not None and context.demo:
            _text(
                slide,
                (context.demo_mark or context.demo).upper(),
                width - Inches(2.3),
                Inches(0.25),
                Inches(2.0),
                Inches(0.4),
                14,
                bold=True,
                colour=DEMO_RED,
                align=PP_ALIGN.RIGHT,
            )
        notes = "\n".join(part for part in (spec.notes, listed_note, adjusted) if part)
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
        if progress is not None:
            progress(number, len(slides))
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
