"""Exports of what the viewer sees: a PowerPoint deck with native (editable) charts, Excel and CSV.

Charts in the deck are python-pptx chart objects with their data embedded, so the Geneva team can
restyle or correct them in PowerPoint. Every export is built from query results the viewer's scope
already allowed (and suppressed), never from a separate data path.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Emu, Inches, Pt

from score.charts import ACCENT, INK, hex_to_rgb

_CHART_TYPES = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "stacked": XL_CHART_TYPE.COLUMN_STACKED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
}


@dataclass
class Slide:
    """One slide: a title, optional big numbers, optional chart, optional footnote."""

    title: str
    subtitle: str = ""
    kpis: list[tuple[str, str]] = field(default_factory=list)  # (label, formatted value)
    categories: list[str] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)  # series name -> hex colour
    chart: str = "column"
    number_format: str = "#,##0"
    note: str = ""


def _rgb(colour: str) -> RGBColor:
    return RGBColor(*hex_to_rgb(colour))


def _text(
    slide, text: str, left: Emu, top: Emu, width: Emu, height: Emu, size: int, bold: bool = False, colour: str = INK
) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.text = text
    paragraph.font.size = Pt(size)
    paragraph.font.bold = bold
    paragraph.font.color.rgb = _rgb(colour)


def _clean(values: Sequence[float | None]) -> list[float | None]:
    out: list[float | None] = []
    for value in values:
        missing = value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)
        out.append(None if missing else float(value))
    return out


def build_deck(slides: Sequence[Slide], footer: str = "") -> bytes:
    """A 16:9 deck, one slide per spec; charts are native and editable."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]
    width = deck.slide_width
    for spec in slides:
        slide = deck.slides.add_slide(blank)
        _text(slide, spec.title, Inches(0.5), Inches(0.3), width - Inches(1), Inches(0.8), 30, bold=True)
        top = Inches(1.1)
        if spec.subtitle:
            _text(slide, spec.subtitle, Inches(0.5), top, width - Inches(1), Inches(0.5), 16, colour="#52606d")
            top += Inches(0.6)
        if spec.kpis:
            columns = min(4, len(spec.kpis))
            tile = (width - Inches(1)) / columns
            for index, (label, value) in enumerate(spec.kpis):
                row, col = divmod(index, columns)
                left = Inches(0.5) + int(tile * col)
                y = top + Inches(1.3) * row
                _text(slide, value, left, y, int(tile), Inches(0.7), 34, bold=True, colour=ACCENT)
                _text(slide, label, left, y + Inches(0.65), int(tile), Inches(0.5), 14, colour="#52606d")
            top += Inches(1.3) * math.ceil(len(spec.kpis) / columns)
        if spec.categories and spec.series:
            data = CategoryChartData(number_format=spec.number_format)
            data.categories = spec.categories
            for name, values in spec.series.items():
                data.add_series(name, _clean(values))
            height = deck.slide_height - top - Inches(0.9)
            frame = slide.shapes.add_chart(_CHART_TYPES[spec.chart], Inches(0.5), top, width - Inches(1), height, data)
            chart = frame.chart
            chart.font.size = Pt(14)
            chart.has_legend = len(spec.series) > 1
            if chart.has_legend:
                chart.legend.position = XL_LEGEND_POSITION.TOP
                chart.legend.include_in_layout = False
            plot = chart.plots[0]
            plot.has_data_labels = True
            plot.data_labels.number_format = spec.number_format
            plot.data_labels.number_format_is_linked = False
            plot.data_labels.font.size = Pt(12)
            for series in plot.series:
                colour = spec.colours.get(series.name)
                if colour and spec.chart != "line":
                    series.format.fill.solid()
                    series.format.fill.fore_color.rgb = _rgb(colour)
        note = " · ".join(part for part in (spec.note, footer) if part)
        if note:
            _text(
                slide,
                note,
                Inches(0.5),
                deck.slide_height - Inches(0.7),
                width - Inches(1),
                Inches(0.5),
                11,
                colour="#7b8794",
            )
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def to_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, one sheet per frame (sheet names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so that Excel opens accents (Bogotá, Hà Nội) correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")
