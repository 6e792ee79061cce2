"""Every page readable by everyone, in English, French and Spanish, public and signed in as HQ (HQ's view of the
public pages in English; the signed-in pages in all three):
- every page of the navigation opens with its title, a chart where it has charts (Plotly, or the map's deck.gl
  canvas) and no exception box; the pages are found from the navigation (a new page is covered without editing
  this file), and the list below makes sure a page in views/ is not missing from it, nor a staff page shown to
  the public (this walk was tests/e2e/test_smoke.py's too: one walk of the pages for both);
- axe-core (the npm package, vendored in tests/e2e/vendor, injected into the page: no network) finds no serious
  or critical violation (text contrast below 4.5:1, unnamed controls, missing labels ...);
- every chart has an accessible name (its title) and a description, and its "Data table" holds the chart's own
  numbers, written the reader's way (1,234 / 1 234 / 1.234), hidden cells marked as hidden.
Two browser sessions walk the pages through the navigation (one server for all): the public's, in the three
languages one after the other, and HQ's, signed in once. `make test` walks every public page in English and one
page in French and one in Spanish, and one of HQ's pages per language; `make test-full` every page in every
language (PUBLIC_WALKS, HQ_WALKS: one walk, two lists)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e import dashboard as ui
from tests.e2e.app_server import REPO, AppServer

# Everyone sees these (when the page file exists: pages land one by one); only signed-in staff see the second
# (country users and HQ; audit is HQ only); the third are forms or tables rather than charts (present: slide 1 is KPIs).
PUBLIC_PAGES = ("overview", "enterprises", "training", "outcomes", "map", "logframe", "country", "present")
STAFF_PAGES = ("upload", "data_quality", "audit")
NO_CHART_PAGES = frozenset({"upload", "audit", "data_quality", "review", "present"})
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
LANGUAGES = ("en", "fr", "es")
BLOCKING = ("serious", "critical")

AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ` +
      v.nodes.slice(0, 3)
        .map((n) => n.target.join(" ").slice(-90) + " " + (n.failureSummary || "").slice(0, 160))
        .join(" | "));
}"""

# Per chart: its accessible name, its title, its values per category (hidden bars, drawn as 0 under a "–", as
# null) and the rows of the table in the expander under it.
CHARTS = """() => {
  const plain = (markup) => {
    const text = String(markup ?? "").replace(/<br\\s*\\/?>/gi, " ");
    return (new DOMParser().parseFromString(text, "text/html").body.textContent || "").replace(/\\s+/g, " ").trim();
  };
  const item = (values, i) => Array.isArray(values) ? values[i] : values;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map((box) => {
    const plot = box.querySelector(".js-plotly-plot");
    const horizontal = plot.data.some((t) => t.type === "bar" && t.orientation === "h");
    const values = {};
    for (const trace of plot.data) {
      if (trace.type !== "bar" && trace.type !== "scatter") continue;
      if (trace.mode === "text") continue;
      const categories = horizontal ? trace.y : trace.x, numbers = horizontal ? trace.x : trace.y;
      (categories || []).forEach((category, i) => {
        const printed = item(trace.text, i) ?? item(trace.texttemplate, i);
        const shown = String(printed ?? "").replace(/%\\{[^}]*\\}/g, "0");  // a template prints a number
        const hidden = printed !== undefined && printed !== "" && !/[0-9]/.test(shown);
        const key = plain(category);
        const value = hidden || numbers[i] === null ? null : Number(numbers[i]);
        (values[key] = values[key] || []).push(value);
      });
    }
    for (const trace of plot.data) {  // a "–" printed over a hidden category: its zero bars are hidden
      if (trace.mode !== "text") continue;
      ((horizontal ? trace.y : trace.x) || []).forEach((category, i) => {
        if (/[0-9]/.test(String(item(trace.text, i) ?? ""))) return;  // a printed value, not a mark
        const key = plain(category);
        values[key] = (values[key] || []).map((v) => (v === 0 ? null : v));
      });
    }
    let table = null;
    let next = box.closest(".stElementContainer, [data-testid='stElementContainer']");
    for (let hop = 0; hop < 2 && next && !table; hop++) {
      next = next.nextElementSibling;
      table = next && next.querySelector("[data-testid='stExpander'] table");
    }
    const rows = table ? [...table.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.querySelectorAll("th, td")].map((cell) => cell.textContent.trim())) : null;
    return {
      name: box.getAttribute("aria-label"),
      description: box.getAttribute("aria-description"),
      // the title the page writes above the chart (components.show), else the figure's own (present mode)
      title: box.closest("[data-testid='stElementContainer']")?.previousElementSibling
        ?.querySelector("[data-chart-title]")?.textContent.trim() || plain(plot.layout.title && plot.layout.title.text),
      values,
      rows,
    };
  });
}"""

READY = """() => {
  const captions = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')];
  const styled = captions.every((c) => getComputedStyle(c).opacity === "1");
  return styled && !document.querySelector(
    '[data-testid="stPlotlyChart"]:not([aria-label]), [data-testid="stDeckGlJsonChart"]:not([aria-label])');
}"""

NUMBER = {
    "en": (",", "."),  # (grouping, decimal mark) as each language writes them, written out here
    "fr": ("\u202f\u00a0 ", ","),
    "es": (".", ","),
}


def first_number(cell: str, language: str) -> tuple[float, int] | None:
    """The first number written in a table cell the reader's way, and its decimals ("41 % · 41 000" -> 41)."""
    grouping, decimal = NUMBER[language]
    text = "".join(ch for ch in cell if ch not in grouping).replace("\u2212", "-")
    match = re.search(r"-?\d+(?:" + re.escape(decimal) + r"\d+)?", text)
    if match is None:
        return None
    written = match.group(0)
    decimals = len(written.split(decimal, 1)[1]) if decimal in written else 0
    return float(written.replace(decimal, ".")), decimals


MAPS = """() => [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')].map((box) =>
  [box.getAttribute("role"), box.getAttribute("aria-label"), box.getAttribute("aria-description")])"""


def chart_problems(page: Page, where: str, language: str) -> list[str]:
    problems = [
        f"{where}: a map without {what}: {found}"
        for found in page.evaluate(MAPS)
        for what, ok in (("role figure", found[0] == "figure"), ("a name", found[1]), ("a description", found[2]))
        if not ok
    ]
    for chart in page.evaluate(CHARTS):
        label = f"{where}: chart {chart['title']!r}"
        if not chart["name"] or chart["name"] != chart["title"]:
            problems.append(f"{label}: accessible name {chart['name']!r}")
        if not chart["description"]:
            problems.append(f"{label}: no description")
        if chart["rows"] is None:
            problems.append(f"{label}: no data table under it")
            continue
        for row in chart["rows"]:
            category, cells = row[0], row[1:]
            drawn = chart["values"].get(category)
            if drawn is None:
                problems.append(f"{label}: table row {category!r} is not a category of the chart")
                continue
            numbers = [first_number(cell, language) for cell in cells if cell and cell != "–"]
            unmatched = [v for v in drawn if v is not None]
            for found in numbers:
                if found is None:
                    continue
                value, decimals = found
                close = [v for v in unmatched if abs(v - value) <= 0.5 * 10**-decimals + 1e-9]
                if not close:
                    problems.append(f"{label}: {category!r} shows {value} in the table, the chart draws {drawn}")
                else:
                    unmatched.remove(close[0])
            hidden_cells = sum(cell == "–" for cell in cells)
            if unmatched or hidden_cells != sum(v is None for v in drawn):
                problems.append(f"{label}: {category!r} table {cells} against the chart's {drawn}")
    return problems


def axe_problems(page: Page, where: str) -> list[str]:
    # A page opened by its link keeps the document (Streamlit draws it anew in place): axe, once added, stays
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE)
    return [f"{where}: {violation}" for violation in page.evaluate(AXE_RUN)]


def expected(pages: tuple[str, ...]) -> set[str]:
    return {"overview"} | {name for name in pages if (REPO / "views" / f"{name}.py").exists()}


def missing_pages(page: Page, where: str, pages: tuple[str, ...]) -> list[str]:
    missing = expected(pages) - {link.slug for link in ui.nav_links(page)}
    return [f"{where}: pages missing from the navigation: {sorted(missing)}"] if missing else []


def walk(
    page: Page, where: str, language: str, skip: frozenset[str] = frozenset(), only: frozenset[str] | None = None
) -> list[str]:
    """Every page of the navigation but `skip` (or only those in `only`), opened by its link as a reader would (no
    new page load: the walk's time goes to the checks; the page on screen is not opened again): its title, a chart
    where it has charts, no exception; axe; the charts. Present mode, the last page, is left on screen."""
    links = ui.nav_links(page)
    absent = (only or frozenset()) - {link.slug for link in links}  # a page asked for by name is walked, not passed
    problems = [f"{where}: {slug} is not in the navigation" for slug in sorted(absent)]
    walked = [link for link in links if link.slug not in skip and (only is None or link.slug in only)]
    for number, link in enumerate(walked, 1):
        if not link.on_screen(page):
            ui.open_nav(page, link)
        # the charts' names are set a moment after they are drawn, and app.py's styles arrive with the page
        page.wait_for_function(READY, timeout=ui.TIMEOUT)
        here = f"{where} {link.slug}"
        # the map's canvas is drawn in software (no GPU): at load 33-48 it took over page_problems' 20 s twice
        drawn = ui.page_problems(page, link.slug not in NO_CHART_PAGES, chart_timeout=ui.TIMEOUT)
        problems += [f"{here}: {found}" for found in drawn]
        problems += axe_problems(page, here)
        # a rerun during axe (a busy machine) may draw the charts anew, and a late chart is named a moment after it
        # is drawn (the page's observer runs at most every 250 ms): what counts is the state it settles in
        ui.settle(page)
        page.wait_for_function(READY, timeout=ui.TIMEOUT)
        for _attempt in range(6):
            found = chart_problems(page, here, language)
            if not found:
                break
            page.wait_for_timeout(1000)
        problems += found
        if link.slug == "present" and number < len(walked):
            ui.leave_present_mode(page)
    return problems


# What each walk opens per language: None, every page of the navigation. `make test` (the cheap part) walks every
# public page and the strip in English and one page each in French and Spanish (the catalogue's words and numbers
# written the reader's way), and one of HQ's own pages per language; `make test-full` (exhaustive) every page in
# every language, public and HQ. The pages chosen differ between languages: each is a page the others do not show.
PUBLIC_WALKS = {
    "some": {"en": None, "fr": frozenset({"overview"}), "es": frozenset({"outcomes"})},
    "every": dict.fromkeys(LANGUAGES),
}
HQ_WALKS = {
    # data quality in French: its eleven columns' longest headings at 1280 px (a date unbroken scrolled it sideways)
    "some": {"en": frozenset({"audit"}), "fr": frozenset({"data_quality"}), "es": frozenset({"upload"})},
    "every": dict.fromkeys(LANGUAGES),
}


def some_or_every(some_seconds: int, every_seconds: int) -> list:
    """The two walks of a test, each with its quiet seconds (tests/conftest.py deals the long ones out by them)."""
    return [
        pytest.param("some", marks=pytest.mark.slow(some_seconds)),
        pytest.param("every", marks=[pytest.mark.exhaustive, pytest.mark.slow(every_seconds)]),
    ]


def open_page(page: Page) -> Page:
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def first_page(base: str, language: str, only: frozenset[str] | None) -> str:
    """Where a walk in `language` starts: the one page it walks (no other page drawn first), else the overview."""
    slug = next(iter(only)) if only is not None and len(only) == 1 else "overview"
    return f"{base}/{'' if slug == 'overview' else slug}?lang={language}"


@pytest.mark.parametrize("pages", some_or_every(50, 110))
def test_every_public_page_passes_axe_and_every_chart_has_a_name_and_a_table_of_its_numbers(
    public_page: Page, app_server: AppServer, pages: str
) -> None:
    """The public's pages and the embeddable strip in English, French and Spanish, one after the other in one
    browser page (a language is a new page load: the reader's `?lang=` link)."""
    base, page, problems = app_server.url, open_page(public_page), []
    for language, only in PUBLIC_WALKS[pages].items():
        ui.goto(page, first_page(base, language, only))
        # the navigation is read before the walk: it ends in present mode, which hides it
        public_pages = frozenset(link.slug for link in ui.nav_links(page))
        problems += missing_pages(page, f"{language} public", PUBLIC_PAGES)
        if staff := public_pages & {"upload", "audit", "review"}:
            problems.append(f"{language} public: staff pages shown to the public: {sorted(staff)}")
        problems += walk(page, f"{language} public", language, only=only)
        if only is not None:
            continue  # the strip, as the pages: all of it in one language at least
        page.goto(f"{base}/strip?embed=true&lang={language}", wait_until="domcontentloaded")
        page.locator("[data-testid='stHtml']").last.wait_for(state="attached", timeout=ui.TIMEOUT)
        ui.settle(page)
        problems += axe_problems(page, f"{language} strip")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pages", some_or_every(30, 90))
def test_every_hq_page_passes_axe_and_every_chart_has_a_name_and_a_table_of_its_numbers(
    hq_page: Page, app_server: AppServer, pages: str
) -> None:
    """Signed in as HQ (once for the worker: `hq_page`): every page in English (HQ's view of the public pages: more
    detail, same words), then in French and Spanish the pages only the signed-in see (the public pages' words are
    walked in test_every_public_page_...; a page in the navigation that is not in PUBLIC_PAGES is walked here
    too)."""
    base, hq, problems = app_server.url, open_page(hq_page), []
    for language, only in HQ_WALKS[pages].items():
        ui.goto(hq, first_page(base, language, only))
        skip = frozenset() if language == "en" else frozenset(PUBLIC_PAGES)
        problems += missing_pages(hq, f"{language} hq", PUBLIC_PAGES + STAFF_PAGES)
        problems += walk(hq, f"{language} hq", language, skip, only)
    assert not problems, "\n".join(problems)
