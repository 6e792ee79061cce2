"""How a slide looks on screen in present mode: the page CSS (no chrome, one screen, large text) and the HTML
of the title, headline-figure and text slides. No Streamlit here; views/present.py draws what this returns.

Sizes are in viewport units so that one slide fills 1280x720 and 1920x1080 alike without scrolling: the
heading takes about 13 % of the height, the body 72 %, the control bar 8 %. Text is at least 24 px on a 1920 px
wide screen (1.25vw); headline numbers are 5vw. Every text is escaped: filter descriptions hold partner names
from uploads, and they are shown as text, never as markup.
"""

from __future__ import annotations

import html
import math

from score import charts
from score.deck import Kpi, Slide
from score.exports import ExportContext

HEAD_KEY = "slide_head"
BODY_KEY = "slide_body"
BAR_KEY = "slide_bar"
KEYS_KEY = "slide_keys"
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}

_CSS = f"""
<style>
/* present mode: this page only (the style goes with the page) */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarNav"], header, [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"], footer {{ display: none !important; }}
html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  overflow: hidden !important; }}
[data-testid="stMainBlockContainer"] {{
  padding: 2vh 3vw 0 3vw !important; max-width: none !important; height: 100vh; box-sizing: border-box; }}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{ gap: 0 !important; }}
.st-key-{HEAD_KEY} h1 {{ font-size: max(2.6vw, 26px) !important; line-height: 1.15 !important; margin: 0 !important;
  padding: 0 !important; color: {charts.INK}; font-weight: 700; }}
.st-key-{HEAD_KEY} p {{ font-size: max(1.3vw, 15px); margin: 0.4vh 0 0 0; color: #52606d; }}
.st-key-{HEAD_KEY} {{ height: 11vh !important; min-height: 11vh !important; max-height: 11vh !important;
  overflow: hidden; }}
.st-key-{BODY_KEY} {{ height: 76vh !important; min-height: 76vh !important; max-height: 76vh !important;
  overflow: hidden; }}
.st-key-{BODY_KEY} [data-testid="stPlotlyChart"] {{ height: 75vh !important; }}
.st-key-{BAR_KEY} {{ height: 9vh; gap: 1.2vw; }}
.st-key-{BAR_KEY} button p, .st-key-{BAR_KEY} button span {{ font-size: max(1.25vw, 15px) !important; }}
.st-key-{BAR_KEY} button {{ min-height: 5vh; }}
.slide-counter {{ font-size: max(1.25vw, 15px); color: #52606d; min-width: 5vw; text-align: center; }}
.slide-note {{ font-size: max(1.25vw, 16px); color: #52606d; text-align: right; line-height: 1.15; }}
/* the note takes what the buttons leave, and a line of its own when that is too little (narrow screens) */
.st-key-{BAR_KEY} [data-testid="stElementContainer"]:has(.slide-note) {{ flex: 1 1 16rem; min-width: 16rem; }}
/* the clicker keys' extra buttons: live for their shortcuts, out of the Tab order and of what a screen reader reads
   (three unseen "Next"/"Previous" stops after the bar's own buttons) */
.st-key-{KEYS_KEY} {{ position: fixed !important; left: -10000px; top: 0; width: 1px; height: 1px;
  overflow: hidden; visibility: hidden; }}
.slide-title {{ display: flex; flex-direction: column; justify-content: flex-start; height: 60vh; }}
.slide-title .filters {{ font-size: max(2vw, 22px); color: {charts.INK}; margin: 2vh 0; }}
.slide-title .line {{ font-size: max(1.4vw, 16px); color: #52606d; margin: 0.5vh 0; }}
.slide-kpis {{ display: grid; grid-template-columns: repeat(2, 1fr); gap: 3vh 3vw; height: 72vh;
  align-content: center; }}
.slide-kpi {{ border-left: 0.5vw solid {charts.ACCENT}; padding: 1vh 1.5vw; }}
.slide-kpi .value {{ font-size: max(5vw, 44px); font-weight: 700; line-height: 1.05; color: {charts.INK}; }}
.slide-kpi .label {{ font-size: max(1.5vw, 17px); color: {charts.INK}; }}
.slide-kpi .detail {{ font-size: max(1.3vw, 15px); color: #52606d; }}
.slide-kpi .bar {{ height: 1vh; background: #e4e7eb; margin: 0.8vh 0; max-width: 30vw; }}
.slide-kpi .bar span {{ display: block; height: 100%; background: {charts.ACCENT}; }}
.slide-kpi .women {{ font-size: max(1.3vw, 15px); color: {charts.WOMEN_TEXT}; font-weight: 600; }}
.slide-text ul {{ margin: 2vh 0; padding-left: 2vw; }}
.slide-text li {{ font-size: var(--line-size, max(1.35vw, 16px)); line-height: 1.35; margin: 0 0 1.2vh 0;
  color: {charts.INK}; }}
.demo-mark {{ position: fixed; right: 1vw; top: 1vh; z-index: 1000; background: #B00020; color: white;
  font-size: max(0.9vw, 12px); font-weight: 700; padding: 0.3vh 0.7vw; border-radius: 4px;
  text-transform: uppercase; letter-spacing: 0.05em; }}
</style>
"""


def page_top(slide: Slide, demo: str = "") -> str:
    """The page CSS and the demo mark (when `demo` is a text), in one element: fewer elements, fewer gaps.
    On the title slide the heading is the programme name, large, and the body gives it room."""
    mark = f'<div class="demo-mark" data-testid="demo-mark">{html.escape(demo)}</div>' if demo else ""
    if demo:  # a long title wraps before the corner mark instead of running under it
        mark += f"<style>.st-key-{HEAD_KEY} h1 {{ padding-right: max(16vw, 13rem) !important; }}</style>"
    big = f".st-key-{HEAD_KEY} h1 {{ color: {charts.ACCENT} !important; font-size: max(5vw, 40px) !important; }}"
    room = (
        f".st-key-{HEAD_KEY} {{ height: 24vh !important; min-height: 24vh !important; max-height: 24vh !important; "
        "padding-top: 12vh; } "
        f".st-key-{BODY_KEY} {{ height: 63vh !important; min-height: 63vh !important; max-height: 63vh !important; }}"
    )
    title = f"<style>{big} {room}</style>"
    return _CSS + (title if slide.kind == "title" else "") + mark


def subtitle(slide: Slide) -> str:
    return f"<p>{html.escape(slide.subtitle)}</p>"


STRIP_CSS = f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header, [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], footer {{
  display: none !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 8px 12px !important; max-width: none !important; }}
.strip {{ display: flex; flex-wrap: wrap; gap: 8px 24px; font-family: "Source Sans", sans-serif; }}
.strip .tile {{ flex: 1 1 140px; border-left: 4px solid {charts.ACCENT}; padding: 2px 10px; min-width: 0; }}
.strip .value {{ font-size: 28px; font-weight: 700; color: {charts.INK}; line-height: 1.1; white-space: nowrap; }}
.strip .label {{ font-size: 14px; color: {charts.INK}; }}
.strip .detail {{ font-size: 13px; color: #52606d; }}
.strip .women {{ font-size: 13px; color: {charts.WOMEN_TEXT}; font-weight: 600; }}
.strip-foot {{ font-size: 12px; color: #52606d; margin-top: 6px; }}
.strip-foot b {{ color: #B00020; text-transform: uppercase; }}
</style>
"""


def strip(tiles: list[Kpi], context: ExportContext) -> str:
    """The headline figures in one compact row for an iframe (views/strip.py), with source, date and demo."""
    cells = []
    for kpi in tiles:
        extra = "".join(
            f'<div class="{css}">{html.escape(text)}</div>'
            for css, text in (("detail", kpi.detail), ("women", kpi.women))
            if text
        )
        cells.append(
            f'<div class="tile" data-testid="strip-kpi"><div class="value">{html.escape(kpi.value)}</div>'
            f'<div class="label">{html.escape(kpi.label)}</div>{extra}</div>'
        )
    demo = f"<b>{html.escape(context.demo)}</b> · " if context.demo else ""
    words = " · ".join(part for part in (context.filters, context.details, context.adjusted_mark) if part)
    foot = f'<div class="strip-foot">{demo}{html.escape(words)}</div>'
    return f'{STRIP_CSS}<div class="strip">{"".join(cells)}</div>{foot}'


def note(text: str) -> str:
    """A small line at the right of the control bar (the viewer's "figures are adjusted" sentence)."""
    return f'<div class="slide-note" data-testid="slide-note">{html.escape(text)}</div>' if text else ""


def counter(number: int, total: int) -> str:
    return f'<div class="slide-counter" data-testid="slide-counter">{number} / {total}</div>'


def body(slide: Slide) -> str:
    """The HTML of a title, headline-figure or text slide (chart slides are Plotly figures)."""
    if slide.kind == "title":
        lines = "".join(f'<p class="line">{html.escape(line)}</p>' for line in slide.lines)
        return f'<div class="slide-title"><p class="filters">{html.escape(slide.subtitle)}</p>{lines}</div>'
    if slide.kind == "kpis":
        tiles = []
        for kpi in slide.kpis:
            detail = f'<div class="detail">{html.escape(kpi.detail)}</div>' if kpi.detail else ""
            if kpi.progress is not None:
                filled = min(max(kpi.progress, 0.0), 100.0)
                detail += f'<div class="bar"><span style="width: {filled:.0f}%"></span></div>'
            women = f'<div class="women">{html.escape(kpi.women)}</div>' if kpi.women else ""
            tiles.append(
                f'<div class="slide-kpi" data-testid="slide-kpi"><div class="value">{html.escape(kpi.value)}</div>'
                f'<div class="label">{html.escape(kpi.label)}</div>{detail}{women}</div>'
            )
        return f'<div class="slide-kpis">{"".join(tiles)}</div>'
    items = "".join(f"<li>{html.escape(line)}</li>" for line in slide.lines)
    return f'<div class="slide-text" style="--line-size: {text_size(slide.lines)}"><ul>{items}</ul></div>'


# A text slide's lines as large as the screen holds them: the largest size (in vw, from TEXT_LARGEST_VW down) at which
# its lines, wrapped across the slide's ~92 vw at half an em a character, take at most TEXT_ROOM_VH of a 16:9 screen
# (1.35 em a row, 1.2 vh between lines); the same size in vh caps it on a screen wider than 16:9. At a fixed
# max(1.35vw, 16px) a country's nine logframe lines were 17 px on a 1280 x 720 projector, in half the slide.
TEXT_ROOM_VH = 62
TEXT_WIDTH_VW = 92
TEXT_LARGEST_VW = 2.4
TEXT_SMALLEST_VW = 1.2
VH_PER_VW = 16 / 9


def text_size(lines: list[str]) -> str:
    """The CSS font size of a text slide's lines: the largest that holds them all on the screen."""
    size = TEXT_LARGEST_VW
    while size > TEXT_SMALLEST_VW:
        per_row = TEXT_WIDTH_VW / (0.5 * size)  # characters
        rows = sum(max(1, math.ceil(len(line) / per_row)) for line in lines)
        if rows * 1.35 * size * VH_PER_VW + 1.2 * len(lines) <= TEXT_ROOM_VH:
            break
        size -= 0.05
    return f"max(16px, min({size:.2f}vw, {size * VH_PER_VW:.2f}vh))"
