"""Playwright helpers for the Streamlit dashboard: wait for a rerun, navigate, sign in, read KPIs.

Selectors are the ones tested in ../shared/BROWSER.md for Streamlit 1.67.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from playwright.sync_api import Download, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
PLOTLY = "[data-testid='stPlotlyChart']"
DECK_CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"
CHART = f"{PLOTLY} .main-svg, {DECK_CANVAS}"
NAV_LINK = "[data-testid='stSidebarNav'] a[data-testid='stSidebarNavLink'], a[data-testid='stTopNavLink']"
NAV_MORE = "[data-testid='stSidebarNavViewButton']"
UPLOADER = "[data-testid='stFileUploaderDropzoneInput']"
UPLOADING = "[data-testid='stFileChipIconSpinner']"
MAIN = "[data-testid='stMain']"
SIDEBAR = "[data-testid='stSidebar']"
SLIDE_COUNTER = "[data-testid='slide-counter']"
ST_METRIC = "[data-testid='stMetric']"  # the upload page's checks; a page's KPI tiles are HTML (components.tiles)
TILE_VALUE = "[data-testid='score-tile-value'], [data-testid='stMetricValue']"
EXPAND_SIDEBAR = "[data-testid='stExpandSidebarButton']"
SIDEBAR_RIGHT = """() => { const s = document.querySelector('[data-testid=stSidebar]');
  return s ? s.getBoundingClientRect().right : 0; }"""
# The sidebar slides in: its links are in the DOM before the slide ends, so wait for where it lands.
SIDEBAR_OPEN = f"({SIDEBAR_RIGHT})() > 0"
# How long a wait for a state may take before the test fails (a passing test never waits it out): 30 s was
# outlasted at load 35-40 by a first page run, a chart's draw and a click (12 failures in the first 74 tests of
# a run of main, BENCHMARKS.md "(suite, session 18)"). Every context's clicks and expectations use it too.
TIMEOUT = 60_000
Result = TypeVar("Result")


def settle(page: Page, timeout: float = TIMEOUT, quiet_ms: int = 400) -> None:
    """Wait until the script has finished its rerun and stayed finished for `quiet_ms`.

    Right after a click the rerun may not have started yet, so one look at the state is not enough.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        page.wait_for_selector(IDLE, timeout=max(1000, (deadline - time.monotonic()) * 1000))
        page.wait_for_timeout(quiet_ms)
        if page.locator(IDLE).count() and not page.locator("[data-stale='true']").count():
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not finish its rerun")


def goto(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.locator("h1").first.wait_for(timeout=TIMEOUT)
    settle(page)


# Set by the page's own scripts, drawn in one element after the page's first run (score/web/layout.py: the skip
# link's label; score/web/language.py: Streamlit's own words): once both are there, those words are the reader's.
# Under load the browser ran them more than 20 s after the run had settled (a check made before then passes nothing).
PAGE_SCRIPTS_RAN = "() => document.scoreSkipLabel !== undefined && typeof window.scoreTranslate === 'function'"


def page_scripts_ran(page: Page) -> None:
    """Wait until the page's scripts have run (PAGE_SCRIPTS_RAN), before looking at what they change."""
    page.wait_for_function(PAGE_SCRIPTS_RAN, timeout=2 * TIMEOUT)


def heading(page: Page) -> str:
    return page.locator("[data-testid='stMain'] h1, section.main h1").first.inner_text().strip()


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str

    @property
    def slug(self) -> str:
        """'overview' for the default page, else the URL path ('enterprises', 'data_quality' ...)."""
        path = urlsplit(self.href).path.strip("/")
        return path.rsplit("/", 1)[-1] or "overview"

    def on_screen(self, page: Page) -> bool:
        """Whether the page on screen is this one (its address's path)."""
        return urlsplit(page.url).path.rstrip("/") == urlsplit(self.href).path.rstrip("/")


# The navigation in one look (one JavaScript call): whether Streamlit folds part of it under "View N more", and
# every link's text and address. Read link by link, a rerun between two reads could fold the list or redraw it
# (a link read by its position then is another one, or missing).
NAV_SNAPSHOT = """([links, more]) => {
  const button = document.querySelector(more);
  return { folded: !!button && /more/i.test(button.innerText),
           links: [...document.querySelectorAll(links)].map(a => [a.innerText, a.getAttribute('href') || '']) };
}"""
NAV_UNFOLDED = """(more) => { const b = document.querySelector(more); return !b || !/more/i.test(b.innerText); }"""


def nav_links(page: Page) -> list[NavLink]:
    """Every page in the navigation (expanding 'View more' when Streamlit folds long lists), read from one look at
    an unfolded list."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while True:
        seen = page.evaluate(NAV_SNAPSHOT, [NAV_LINK, NAV_MORE])
        if not seen["folded"]:
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the navigation stayed folded under 'View more'")
        try:  # clicked only while folded (a second click folds it again): a click that times out is looked at anew
            page.locator(NAV_MORE).first.click(timeout=10_000)
            page.wait_for_function(NAV_UNFOLDED, arg=NAV_MORE, timeout=10_000)
        except PlaywrightError:
            pass
    found = [NavLink(text.strip().splitlines()[-1].strip(), href) for text, href in seen["links"]]
    if not found:  # a single page: Streamlit shows no navigation
        found.append(NavLink(heading(page), page.url))
    return found


def open_sidebar(page: Page) -> None:
    """Narrow screens fold the sidebar (navigation, filters, sign-in): open it as a reader does."""
    expand = page.locator(EXPAND_SIDEBAR)
    if expand.count() and expand.first.is_visible():
        expand.first.click()
        page.wait_for_function(SIDEBAR_OPEN, timeout=TIMEOUT)


def open_nav(page: Page, link: NavLink) -> None:
    """Open a page by clicking its navigation link (keeps the session, so sign-in survives)."""
    before = heading(page) if page.locator("h1").count() else None
    same_page = link.on_screen(page)  # the link to the page on screen reruns it under the same title
    target = page.locator(NAV_LINK).filter(has_text=link.label)
    open_sidebar(page)
    more = page.locator(NAV_MORE)
    folded = more.count() and re.search(r"more", more.first.inner_text(), re.I)
    if folded and not (target.count() and target.first.is_visible()):
        more.first.click()  # Streamlit folds a long list again after a page switch
    if not target.count():
        assert not page.locator(NAV_LINK).count(), f"no link to {link.label!r} in the navigation"
        return  # single page app: already there
    target.first.click()
    page.wait_for_url(re.compile(re.escape(urlsplit(link.href).path.rstrip("/")) + r"/?(\?.*)?$"), timeout=TIMEOUT)
    page.locator("h1").first.wait_for(timeout=TIMEOUT)
    if before is not None and not same_page:
        deadline = time.monotonic() + TIMEOUT / 1000
        while heading(page) == before and time.monotonic() < deadline and link.slug != "overview":
            page.wait_for_timeout(100)
    settle(page, timeout=2 * TIMEOUT)  # a page's first run under load (the review page's took over 30 s at load 35)


def retry(action: Callable[[], Result], tries: int, between: Callable[[], object] | None = None) -> Result:
    """Do `action` again when it fails, as a reader clicks again when nothing happens: on a busy machine a click
    can land while a rerun redraws the page. `between` runs before each new try; the last failure is raised."""
    for attempt in range(1, tries + 1):
        try:
            return action()
        except Exception:
            if attempt == tries:
                raise
            if between is not None:
                between()
    raise AssertionError("tries must be at least 1")


def download(page: Page, button: Locator, timeout: float = TIMEOUT, clicks: int = 2) -> Download:
    """Click a download button and return the file it gives. A click that starts nothing is clicked again: once in
    a fresh-clone run a deferred download's click (the file is made when asked) sent no request in 60 s (no
    spinner, nothing in the server log) and passed when run again."""

    def click() -> Download:
        with page.expect_download(timeout=timeout) as started:
            button.click()
        return started.value

    return retry(click, clicks, between=lambda: settle(page))


def leave_present_mode(page: Page) -> None:
    """Present mode hides the navigation: leave it as a presenter does (Escape), back to the page's navigation."""
    page.keyboard.press("Escape")
    page.locator("[data-testid='stSidebarNav']").wait_for(timeout=TIMEOUT)
    settle(page)


def page_problems(page: Page, expect_chart: bool, chart_timeout: float = TIMEOUT) -> list[str]:
    """What is wrong with the page on screen: no title, an exception box, no chart where one belongs."""
    problems = []
    if not page.locator("h1").count() or not heading(page):
        problems.append("no title (h1)")
    if expect_chart:
        try:
            page.locator(CHART).first.wait_for(state="visible", timeout=chart_timeout)
        except Exception:
            problems.append("no chart (Plotly or deck.gl) drawn")
    exceptions = page.locator(EXCEPTION)
    if exceptions.count():
        problems.append("exception box: " + exceptions.first.inner_text()[:300])
    return problems


def metric(page: Page, label: str) -> Locator:
    """The value element of the KPI tile with this exact label: a page's tiles (components.tiles, HTML) or the
    upload page's st.metric."""
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    tile = page.locator(f"[data-testid='score-tile'], {ST_METRIC}").filter(
        has=page.locator("[data-testid='score-tile-label'], [data-testid='stMetricLabel']", has_text=exact)
    )
    return tile.first.locator(TILE_VALUE)


def metric_text(page: Page, label: str) -> str:
    value = metric(page, label)
    value.wait_for(timeout=TIMEOUT)
    return value.inner_text().strip()


def choose(page: Page, box: str, option: str, area: str = SIDEBAR) -> None:
    """Pick an option in a select/multiselect of the sidebar (or of `area`: MAIN) (a combobox in Streamlit 1.67).

    A click that lands while the sidebar re-renders focuses the box without opening it: open it again
    with the keyboard then.
    """
    combo = page.locator(area).get_by_role("combobox", name=box)
    choice = page.get_by_role("option", name=option, exact=True)

    def pick() -> None:
        settle(page)
        combo.click()
        for _attempt in range(3):
            try:
                choice.wait_for(timeout=5000)
                break
            except Exception:
                combo.press("ArrowDown")
        choice.click(timeout=10_000)

    # a list drawn anew under the pointer (a rerun) detaches the option: close it and open it again
    retry(pick, 3, between=lambda: page.keyboard.press("Escape"))
    page.keyboard.press("Escape")
    settle(page)


# The language picker's label and its option in each language, written out (the catalogue is under test)
LANGUAGE_PICKER = {"en": ("Language", "English"), "fr": ("Langue", "Français"), "es": ("Idioma", "Español")}


def choose_language(page: Page, code: str) -> None:
    """Switch the page's language with the sidebar picker and wait for the page drawn in it (its picker labelled in
    that language): `settle` alone can return before the rerun the choice causes has begun."""
    sidebar = page.locator(SIDEBAR)
    label, option = LANGUAGE_PICKER[code]
    pickers = (name for name, _ in LANGUAGE_PICKER.values())
    now = next(name for name in pickers if sidebar.get_by_role("combobox", name=name, exact=True).count())
    choose(page, now, option)
    expect(sidebar.get_by_role("combobox", name=label, exact=True)).to_have_value(option, timeout=TIMEOUT)
    settle(page)


def page_load(page: Page) -> float:
    """Which page load the page shows (a reload, or the cookie round trip of a sign-in, changes it)."""
    return page.evaluate("performance.timeOrigin")


def wait_for_reload(page: Page, since: float, timeout: float = TIMEOUT) -> None:
    page.wait_for_function("before => performance.timeOrigin !== before", arg=since, timeout=timeout)


def reloaded_after(page: Page, action: Callable[[], object], timeout: float = TIMEOUT) -> None:
    """Do `action` (a sign-in's submit outside `sign_in`: another language, a page's own form) and wait for the
    page the cookie round trip loads: the one that signed in shows the signed-in state just before it goes."""
    before = page_load(page)
    action()
    wait_for_reload(page, before, timeout)


def open_sign_in_box(page: Page, label: str = "Sign in") -> Locator:
    """Open the sidebar's sign-in box (`label`: its title in the page's language) and return its form. Under load a
    click on the box's title was refused while a block being redrawn lay over it ("intercepts pointer events") or
    outlasted its 30 s after it had opened the box: so the box is clicked again only while its form is not shown
    (a second click on an open box would fold it)."""
    sidebar = page.locator(SIDEBAR)
    form = sidebar.locator("[data-testid='stForm']")

    def opened() -> None:
        if form.is_visible():
            return
        open_sidebar(page)
        sidebar.locator("[data-testid='stExpander'] summary").filter(has_text=label).click(timeout=TIMEOUT)
        form.wait_for(timeout=TIMEOUT)

    retry(opened, 3, between=lambda: settle(page))
    return form


def sign_in(page: Page, user: str, password: str, attempts: int = 3) -> None:
    """Sign in with the local users form in the sidebar (retried: a submit racing a rerun can be lost). A correct
    password sends the browser through /auth/local/session, which sets the cookie and reloads the page."""
    sidebar = page.locator("[data-testid='stSidebar']")
    signed_in = sidebar.get_by_text(f"Signed in as {user}")
    document = page_load(page)

    def reloaded() -> None:
        # The old page shows "Signed in as" just before the browser leaves for /auth/local/session: acting on it
        # then races the reload (a click lands in the old session, the link's filters are lost). Wait for the new
        # page, signed in, its first run done.
        wait_for_reload(page, document)
        signed_in.wait_for(timeout=TIMEOUT)
        settle(page, timeout=2 * TIMEOUT)

    for _attempt in range(attempts):
        if signed_in.count():  # the last try got through after all
            reloaded()
            return
        form = open_sign_in_box(page)
        settle(page)
        name = form.get_by_role("textbox", name="User name")
        secret = form.get_by_role("textbox", name="Password")
        name.fill(user)
        secret.fill(password)
        secret.press("Tab")  # commit the value before the submit
        expect(name).to_have_value(user)
        form.locator("[data-testid='stFormSubmitButton'] button").click()
        try:
            signed_in.wait_for(timeout=TIMEOUT)
            reloaded()
            return
        except Exception:
            rejected = sidebar.locator("[data-testid='stAlert']").filter(has_text="not recognised")
            assert not rejected.count(), f"sign-in refused for {user}"
    raise AssertionError(f"could not sign in as {user}")


def fmt_int(value: float) -> str:
    """Independent of score.i18n: English thousands separators, as the app shows them by default."""
    return f"{round(value):,}"


def upload_and_check(page: Page, paths: list[Path]) -> None:
    """Clear the uploader, add the files, press "Check the files" and wait for the report.

    Each step waits for what it caused to be on the page, not only for the app to look idle: on a busy machine a
    click's rerun can start after `settle` has already returned, and files set on the uploader that rerun then
    replaces are lost (a CI run waited 30 s for a "Check the files" button that never came).
    """
    main = page.locator(MAIN)
    clear = main.get_by_role("button", name="Clear all files")
    if clear.count():
        clear.click()
        expect(clear).to_have_count(0, timeout=TIMEOUT)  # the new, empty uploader has no Clear button
        settle(page)
    page.locator(UPLOADER).set_input_files([str(p) for p in paths])
    for path in paths:
        # the chip shortens long names; its Remove button carries the whole name
        expect(main.get_by_role("button", name=f"Remove {path.name}", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(main.locator(UPLOADING)).to_have_count(0, timeout=60_000)
    check = main.get_by_role("button", name="Check the files")
    expect(check).to_be_enabled(timeout=60_000)
    settle(page)
    check.click()
    expect(page.get_by_role("heading", name="Validation report")).to_be_visible(timeout=60_000)
    settle(page)


def table_rows(page: Page, heading: str) -> list[dict[str, str]]:
    """The rows of the st.dataframe (read from its accessible table: the grid itself draws on a canvas) or
    st.table with this column, as {heading: text}."""
    tables = page.locator(MAIN).locator("[data-testid='stDataFrame'], [data-testid='stTable']")
    table = tables.filter(has_text=heading).locator("table")
    table.first.wait_for(state="attached", timeout=TIMEOUT)
    cells = table.first.evaluate(
        "t => [...t.querySelectorAll('tr')].map(r => [...r.querySelectorAll('th,td')].map(c => c.innerText.trim()))"
    )
    header, *rows = [row for row in cells if row]
    return [dict(zip(header, row, strict=False)) for row in rows]


def open_present(page: Page, url: str) -> None:
    """A present-mode link, opened and drawn."""
    page.goto(url, wait_until="domcontentloaded")
    page.locator(SLIDE_COUNTER).wait_for(timeout=TIMEOUT)
    settle(page)


def signed_in(page: Page, user: str) -> None:
    expect(page.locator(SIDEBAR).get_by_text(f"Signed in as {user}")).to_be_visible(timeout=TIMEOUT)


def signed_out(page: Page) -> None:
    box = page.locator(SIDEBAR).locator("[data-testid='stExpander'] summary").filter(has_text="Sign in")
    expect(box).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(SIDEBAR).get_by_text("Signed in as")).to_have_count(0)
