"""What every page gets on screen from app.py: the narrow-screen layout (wrapping tiles, whole numbers, the
sidebar folded once) and the charts' accessible names."""

from __future__ import annotations

import json

import streamlit as st

from score import charts
from score.i18n import _, current_language


def _script(body: str) -> str:
    """JavaScript for st.html (unsafe_allow_javascript): run once, in a scope of its own, in the iframe Streamlit
    gives it; it reaches the app through window.parent (in the served page itself, window.parent is window)."""
    return "\n<script>\n(() => {" + body + "})();\n</script>\n"


# Narrow screens (a laptop at 800 px, a tablet, an iframe): KPI tiles and columns wrap instead of squeezing,
# a number is never cut with "…", labels wrap. Streamlit collapses the sidebar only below 768 px; between
# that and 1000 px it would take a third of the screen, so the first visit collapses it once (the person
# opens it again with the arrow; the page remembers not to collapse it a second time). It remembers for whom and
# in which page load: a sign-in (or sign-out) reloads the page with the sidebar open, and hid the page the person
# signed in for.
# PAGE_CSS and CHART_NAMES_JS are the same for every reader and run: first_paint writes them into the served page
# (once per visit), not an element here on every run.
PAGE_CSS = """
<style>
/* Streamlit leaves 6rem above a page's title; on a 720 px projector that is a tenth of the screen before any
   figure. The toolbar it clears is 3.75rem high. (Present mode sets its own, !important.) */
[data-testid="stMain"] [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
/* a map's name and text alternative (components.map_chart): read by the script below, never drawn */
[data-testid="stElementContainer"]:has(.score-map-text) {
  position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
/* a chart's title (components.show), as the figure drew it (charts: 19 px, ink, the chart font) but wrapped by
   the browser to the column's width; the chart under it keeps the gap Plotly's title margin left */
CHART_TITLE_RULE
/* a short table (components.text.table_markup), drawn like st.table: its cell padding too, so headings wrap alike */
.score-table { overflow-x: auto; }
.score-table table { width: 100%; border-collapse: collapse; font-size: 0.875rem; line-height: 1.5; margin: 0; }
.score-table th, .score-table td { padding: 0.25rem 0.375rem; border: 1px solid rgba(49, 51, 63, 0.1);
  text-align: left; vertical-align: middle; font-weight: 400; }
.score-table th { color: #555f6d; }
/* a column of numbers (text.table_markup): right-aligned, a number never broken (its heading still wraps) */
.score-table .score-number { text-align: right; }
.score-table td.score-number { white-space: nowrap; }
/* Streamlit's "Press Enter to submit form · 14/1024" under a form's text box, always in English, lies over the
   password in the narrow sidebar; the sign-in form has its own button, so it is not shown. */
[data-testid="stSidebar"] [data-testid="stForm"] [data-testid="InputInstructions"] { display: none; }
/* KPI tiles (components.tiles.tiles_markup): a grid of --score-columns, drawn like st.metric with a border */
.score-tile-rows { display: flex; flex-direction: column; gap: 1rem; }
.score-tiles { display: grid; grid-template-columns: repeat(var(--score-columns), minmax(0, 1fr)); gap: 1rem;
  margin: 0; }
.score-tile { display: flex; flex-direction: column; align-items: flex-start; min-width: 0;
  border: 1px solid rgba(47, 45, 43, 0.2); border-radius: 0.5rem; padding: calc(1rem - 1px); }
.score-tile-label { position: relative; display: flex; align-items: flex-start; justify-content: space-between;
  gap: 0.25rem; width: 100%; font-size: 0.875rem; line-height: 1.4; }
.score-tile-help { flex: none; width: 1rem; height: 1rem; margin-top: 0.1rem; padding: 0; border: 1.5px solid
  currentColor; border-radius: 50%; background: none; color: #555f6d; font: 600 0.65rem/1 "Source Sans",
  sans-serif; cursor: help; }
/* the help under the label, on hover and on keyboard focus (the button's description for a screen reader) */
.score-tile-tip { display: none; position: absolute; z-index: 5; top: calc(100% + 0.25rem); left: -0.5rem;
  right: -0.5rem; padding: 0.5rem 0.75rem; border-radius: 0.5rem; background: #fff; color: #2f2d2b;
  font-size: 0.875rem; line-height: 1.4; box-shadow: 0 2px 10px rgba(0, 0, 0, 0.2); }
.score-tile-help:hover + .score-tile-tip, .score-tile-help:focus-visible + .score-tile-tip { display: block; }
.score-tile-value { font-size: clamp(1.6rem, 2.4vw + 0.6rem, 2.25rem); line-height: 1.3; padding-bottom: 0.25rem;
  white-space: nowrap; }
.score-tile-delta { font-size: 0.875rem; line-height: 1.3; padding: 2px 6px; border-radius: 0.75rem;
  color: #686255; background: #f5f4f2; }
.score-tile-delta.score-tile-good { color: #0c5a44; background: #f1fbf6; }
.score-tile-bar { width: 100%; height: 0.5rem; margin-top: auto; padding-top: 0; border-radius: 0.25rem;
  background: #e8e6e3; overflow: hidden; }
.score-tile-delta:has(+ .score-tile-bar) { margin-bottom: 0.75rem; }
.score-tile-bar > span { display: block; height: 100%; background: #0072B2; }
/* Streamlit draws captions at 60 % opacity: 3.9:1 on white, below WCAG AA (4.5:1) for 14 px text */
[data-testid="stCaptionContainer"] { color: #555f6d !important; opacity: 1 !important; }
/* the upload page's st.metric: a number never cut with "…", labels wrap (no universal selector: every element
   of the page would be checked against it on each restyle) */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {
  overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricValue"] { font-size: clamp(1.6rem, 2.4vw + 0.6rem, 2.25rem) !important; }
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div, [data-testid="stMetricDelta"] div {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
/* a button's label wraps onto a second line rather than ending in "…": a French or Spanish label in a half-width
   column at 800 px ("Télécharger votre fichier avec les problèmes signalés …") was cut */
[data-testid="stMain"] button [data-testid="stMarkdownContainer"],
[data-testid="stMain"] button [data-testid="stMarkdownContainer"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
@media (max-width: 1100px) {
  .score-tiles { grid-template-columns: repeat(auto-fill, minmax(min(100%, 10.5rem), 1fr)); row-gap: 0.75rem; }
  [data-testid="stMain"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; row-gap: 0.75rem; }
  [data-testid="stMain"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    min-width: min(100%, 10.5rem) !important; flex: 1 1 10.5rem !important; }
  /* two charts side by side would be too narrow for their titles (wrapped for a half-width chart on a
     laptop) and a map beside a chart would show a sliver of the country: one under the other, full width */
  [data-testid="stMain"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:has(
    [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]) {
    min-width: min(100%, 28rem) !important; flex: 1 1 28rem !important; }
}
</style>
""".replace(
    "CHART_TITLE_RULE",
    f".score-chart-title {{ margin: 0 0 -0.5rem; font: 400 {charts.TITLE_SIZE}px/{charts.TITLE_LINE_PX}px "
    f"{charts.FONT}; color: {charts.INK}; }}",
)
COLLAPSE_SIDEBAR_JS = _script("""
  // A page picked in the opened sidebar folds it again, as Streamlit does below 768 px: the page is what the
  // reader asked for. One listener per document, replaced on each run (the iframe of the last one is gone).
  const parentDoc = window.parent.document;
  parentDoc.removeEventListener("click", parentDoc.scoreFoldOnNav, true);
  parentDoc.scoreFoldOnNav = (event) => {
    if (window.parent.innerWidth > 1000 || !event.target.closest('[data-testid="stSidebarNav"] a')) return;
    const fold = parentDoc.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (fold) window.parent.setTimeout(() => fold.click(), 0);
  };
  parentDoc.addEventListener("click", parentDoc.scoreFoldOnNav, true);
  if (window.parent.innerWidth > 1000 || parentDoc.scoreFoldedFor === VIEWER) return;
  const tries = { n: 0 };
  const collapse = () => {
    const doc = window.parent.document;
    const side = doc.querySelector('[data-testid="stSidebar"]');
    const button = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
    const open = side && side.getBoundingClientRect().right > 40;
    if (side && (button || !open)) {  // drawn: fold it if open (Streamlit may restore it folded)
      doc.scoreFoldedFor = VIEWER;
      if (open) button.click();
    } else if (tries.n++ < 20) {
      setTimeout(collapse, 100);
    }
  };
  collapse();
""")


# Every chart gets an accessible name (its title, drawn above it by components.show) and description (the text
# alternative that components.cached_figure puts in the figure's layout.meta, a string in what charts.drawn_once
# sends): Streamlit's Plotly element has neither, so a screen reader met an unnamed graphic. One observer per page,
# throttled; text read with DOMParser (no markup runs).
CHART_NAMES_JS = _script("""
  const doc = window.parent.document;
  if (doc.scoreChartNames) return;
  doc.scoreChartNames = true;
  const plain = (markup) => {
    // \\x3c is "<": Streamlit drops a script whose text holds "<" before a letter (DOMPurify)
    const text = String(markup ?? "").replace(/\\x3cbr\\s*\\/?>/gi, " ");
    const body = new DOMParser().parseFromString(text, "text/html").body;
    return (body.textContent || "").replace(/\\s+/g, " ").trim();
  };
  const label = (box, title, description) => {
    if (title && box.getAttribute("aria-label") !== title) {
      box.setAttribute("role", "figure");  // not "img": a map holds its own controls (axe: nested-interactive)
      box.setAttribute("aria-label", title);
    }
    if (description && box.getAttribute("aria-description") !== description) {
      box.setAttribute("aria-description", description);
    }
  };
  const name = () => {
    const skip = doc.querySelector('a[href="#stMain"]');
    if (skip && doc.scoreSkipLabel && skip.textContent !== doc.scoreSkipLabel) skip.textContent = doc.scoreSkipLabel;
    doc.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((box) => {
      const plot = box.querySelector(".js-plotly-plot");
      const layout = plot && plot.layout;
      if (!layout) return;
      // a page's chart has its title as text just above it (components.show); present mode's slides have none
      const above = box.closest('[data-testid="stElementContainer"]')?.previousElementSibling;
      const shown = above && above.querySelector("[data-chart-title]");
      const title = shown ? shown.textContent.trim() : plain(layout.title && (layout.title.text ?? layout.title));
      const meta = layout.meta;  // the description, or an object holding it (charts.drawn_once)
      label(box, title, plain(typeof meta === "string" ? meta : meta && meta.description));
    });
    doc.querySelectorAll('[data-testid="stDeckGlJsonChart"]').forEach((box) => {
      const text = box.closest('[class*="st-key-map_"]')?.querySelector("[data-chart-name]");
      if (!text) return;
      label(box, text.getAttribute("data-chart-name"), text.textContent.trim());
    });
  };
  // at most once per 250 ms (a debounce never fired: Streamlit's page changes something all the time)
  let pending = false;
  const later = () => { if (!pending) { pending = true; setTimeout(() => { pending = false; name(); }, 250); } };
  new MutationObserver(later).observe(doc.body, { childList: true, subtree: true });
  name();
""")


# Streamlit's own "Skip to main content" link (the first stop of the Tab key) is in English on every page.
SKIP_LINK_JS = _script("""
  const doc = window.parent.document;
  doc.scoreSkipLabel = LABEL;  // CHART_NAMES_JS's observer applies it too, should the link be drawn later
  const link = doc.querySelector('a[href="#stMain"]');
  if (link && link.textContent !== LABEL) link.textContent = LABEL;
  doc.documentElement.lang = LANG;  // first_paint set it for the page's address; the picker may change it since
""")


def responsive_layout(words_script: str, viewer: str) -> None:
    """What every page's run sends of the layout (app.py): the sidebar folded once per `viewer` (the role signed in,
    or public), the skip link and Streamlit's own words (`words_script`: language.streamlit_words_script) in the
    reader's language. The CSS and the charts' names come with the served page (first_paint)."""
    label = json.dumps(_("Skip to main content")).replace("<", "\\u003c")  # a JS string, never markup
    folding = COLLAPSE_SIDEBAR_JS.replace("VIEWER", json.dumps(viewer).replace("<", "\\u003c"))
    # one element for the three scripts (each in a scope of its own): every element is work for the browser
    skip_link = SKIP_LINK_JS.replace("LABEL", label).replace("LANG", json.dumps(current_language()))
    scripts = folding + skip_link + words_script
    st.html(scripts, unsafe_allow_javascript=True)
