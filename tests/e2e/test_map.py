"""The map draws offline: the deck.gl canvas holds the country shapes (not a blank box) and no request
leaves the machine (the network guard of conftest.py fails the test otherwise)."""

from __future__ import annotations

import io
import time

from PIL import Image
from playwright.sync_api import Locator, Page

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer

DECK = "[data-testid='stDeckGlJsonChart']"


def drawn_share(element: Locator) -> float:
    """Share of pixels that differ from the element's most common colour (its background)."""
    image = Image.open(io.BytesIO(element.screenshot())).convert("RGB")
    counts = image.getcolors(maxcolors=1 << 24) or []
    background = max(counts)[0] if counts else 0
    total = image.width * image.height
    return (total - background) / total if total else 0.0


def wait_drawn(page: Page, minimum: float = 0.02, timeout: float = 30) -> float:
    deck = page.locator(DECK).first
    page.locator(ui.DECK_CANVAS).first.wait_for(state="visible", timeout=ui.TIMEOUT)
    deadline = time.monotonic() + timeout
    share = 0.0
    while time.monotonic() < deadline:
        share = drawn_share(deck)
        if share >= minimum:
            return share
        page.wait_for_timeout(500)
    return share


def test_map_draws_countries_without_network(page: Page, app_server: AppServer) -> None:
    ui.goto(page, app_server.url)
    link = next((link for link in ui.nav_links(page) if link.slug == "map"), None)
    assert link is not None, "no Map page in the navigation"
    ui.open_nav(page, link)
    share = wait_drawn(page)
    assert share >= 0.02, f"the map canvas is blank ({share:.1%} of pixels drawn)"
    page.get_by_role("radio", name="Workers reached").or_(
        page.get_by_role("button", name="Workers reached")
    ).first.click()
    ui.settle(page)
    assert wait_drawn(page) >= 0.02
    assert not page.locator(ui.EXCEPTION).count()
