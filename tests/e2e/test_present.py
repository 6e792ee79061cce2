"""Present mode in a real browser, as on a meeting-room projector at 1920x1080 and 1280x720 (and a small
laptop window at 800x900): no sidebar, header or scroll bar on any slide, the title clear of the demo mark, the
"figures are adjusted" note on screen; the keys presenter clickers send move through the slides; `?slide=3`
opens slide 3; Escape leaves; text is large enough to read; no request leaves the machine (the e2e network guard)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer

# The projector's size (and the 24 px text) and the smallest window in make test; the laptop size in make test-full
SIZES = [(1920, 1080, "en"), pytest.param(1280, 720, "fr", marks=pytest.mark.exhaustive), (800, 900, "es")]
SLIDES = 9
COUNTER = ui.SLIDE_COUNTER
OVERFLOW = """() => {
  const out = [];
  for (const sel of ['html', 'body', '[data-testid=stApp]', '[data-testid=stAppViewContainer]',
                     '[data-testid=stMain]', '[data-testid=stMainBlockContainer]', '.st-key-slide_body']) {
    const e = document.querySelector(sel);
    if (e && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1))
      out.push(`${sel}: ${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`);
  }
  const bar = document.querySelector('.st-key-slide_bar');
  if (!bar || bar.getBoundingClientRect().bottom > window.innerHeight) out.push('control bar below the screen');
  return out;
}"""
SMALLEST_TEXT = """() => {
  const sizes = [];
  for (const e of document.querySelectorAll('.st-key-slide_body *, .st-key-slide_head *')) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = e.getBoundingClientRect();
    if (own && box.width > 0 && box.height > 0) sizes.push(parseFloat(getComputedStyle(e).fontSize));
  }
  return sizes.length ? Math.min(...sizes) : 0;
}"""


CLASHES = """() => {
  const out = [];
  const box = sel => { const e = document.querySelector(sel); return e && e.getBoundingClientRect(); };
  const apart = (a, b) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
  const heading = document.querySelector('.st-key-slide_head h1'), mark = box('[data-testid=demo-mark]');
  const words = document.createRange();  // the title's text, line by line (the h1 box itself is wider)
  if (heading) words.selectNodeContents(heading);
  if (heading && mark && [...words.getClientRects()].some(line => !apart(line, mark)))
    out.push('the title runs under the demo mark');
  const note = box('[data-testid=slide-note]');
  if (!note) out.push('no note that the figures are adjusted');
  else if (note.bottom > window.innerHeight || note.right > window.innerWidth || note.height > 60)
    out.push(`the note is squeezed or off screen: ${note.width}x${note.height} at ${note.left},${note.top}`);
  return out;
}"""


ON_SCREEN = """() => { const e = document.activeElement, r = e.getBoundingClientRect();
  return r.right >= 0 && r.bottom >= 0 && r.left < innerWidth && r.top < innerHeight ? [] : [e.innerText]; }"""


def slide_number(page: Page) -> int:
    return int(page.locator(COUNTER).inner_text().split("/")[0])


def press(page: Page, key: str, expected: int) -> None:
    page.keyboard.press(key)
    ui.settle(page)
    page.wait_for_function(
        f"() => document.querySelector(\"{COUNTER}\")?.innerText.startsWith('{expected} /')", timeout=ui.TIMEOUT
    )
    assert re.search(rf"[?&]slide={expected}(&|$)", page.url), page.url


@pytest.mark.parametrize(("width", "height", "language"), SIZES)
def test_every_slide_fills_the_screen_without_chrome_or_scroll_bars(
    public_page: Page, app_server: AppServer, width: int, height: int, language: str
) -> None:
    page = public_page
    page.set_viewport_size({"width": width, "height": height})
    ui.open_present(page, f"{app_server.url}/present?lang={language}")
    assert slide_number(page) == 1
    for number in range(1, SLIDES + 1):
        if number > 1:
            press(page, "ArrowRight", number)
        page.wait_for_timeout(300)
        assert not page.locator("[data-testid='stSidebar']").is_visible()
        assert not page.locator("[data-testid='stHeader']").is_visible()
        assert not page.locator("[data-testid='stToolbar']").is_visible()
        assert page.locator("[data-testid='demo-mark']").is_visible()  # demo data is loaded
        assert page.evaluate(OVERFLOW) == [], f"slide {number} at {width}x{height}"
        assert page.evaluate(CLASHES) == [], f"slide {number} at {width}x{height} in {language}"
        if width == 1920:
            smallest = page.evaluate(SMALLEST_TEXT)
            assert smallest >= 24, f"slide {number}: text of {smallest} px"


def test_clicker_keys_move_through_the_slides_a_link_opens_its_slide_and_escape_leaves(
    public_page: Page, app_server: AppServer
) -> None:
    """A link with its filters and slide opens that slide of those filters; the clicker's keys move through the
    slides and keep the filters in the URL; a reload (a new session from the URL, as a link) opens the map slide
    the URL names, drawn; Escape leaves for the overview with the filters kept."""
    page = public_page
    page.set_viewport_size({"width": 1280, "height": 720})
    ui.open_present(page, f"{app_server.url}/present?countries=COL&phases=I&slide=1")
    assert slide_number(page) == 1
    assert "Colombia · Phase I" in page.locator("[data-testid='stMain']").inner_text()
    for key, expected in (("ArrowRight", 2), ("PageDown", 3), ("ArrowLeft", 2), ("Space", 3), ("PageUp", 2)):
        press(page, key, expected)
        assert "countries=COL" in page.url
    # Tab stops only on what is on screen: the keys' extra buttons off screen were three unseen stops
    unseen = []
    for _ in range(9):
        page.keyboard.press("Tab")
        unseen += page.evaluate(ON_SCREEN)
    assert not unseen, unseen
    press(page, "ArrowRight", 3)
    page.reload(wait_until="domcontentloaded")  # the slide is in the URL: a reload stays on it
    page.locator(COUNTER).wait_for(timeout=ui.TIMEOUT)
    ui.settle(page)
    assert slide_number(page) == 3
    page.locator(ui.PLOTLY).first.wait_for(state="visible", timeout=ui.TIMEOUT)  # the map slide, drawn
    overview = re.compile(r"127\.0\.0\.1:\d+/\?countries=COL&phases=I$")  # filters kept

    def leave() -> None:
        page.keyboard.press("Escape")
        page.wait_for_url(overview, timeout=ui.TIMEOUT / 3)

    ui.retry(leave, 3)  # after a reload the keys' listener may come after the page looks settled
    page.locator("h1").first.wait_for(timeout=ui.TIMEOUT)
    ui.settle(page)
    assert page.locator("[data-testid='stSidebar']").is_visible()
    assert ui.heading(page) == "SCORE results at a glance"
