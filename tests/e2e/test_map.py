"""The map draws offline: the deck.gl canvas holds the country shapes (not a blank box) and no request
leaves the machine (the network guard of conftest.py fails the test otherwise)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from PIL import Image
from playwright.sync_api import Locator, Page, Response

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


def grey_share(element: Locator) -> float:
    """Share of pixels in the grey world's fill (maps.CONTEXT_FILL)."""
    from score import charts, maps

    image = Image.open(io.BytesIO(element.screenshot())).convert("RGB")
    grey = tuple(charts.hex_to_rgb(maps.CONTEXT_FILL))
    return sum(n for n, colour in image.getcolors(maxcolors=1 << 24) or [] if colour == grey) / (
        image.width * image.height
    )


def wait_drawn(
    page: Page, minimum: float = 0.02, timeout: float = 30, measure: Callable[[Locator], float] = drawn_share
) -> float:
    """`measure` of the map (its drawn share, else e.g. its grey world's) once it reaches `minimum`, or the last
    one after `timeout` seconds: the canvas is drawn in software, in layers, later on a busy machine."""
    deck = page.locator(DECK).first
    page.locator(ui.DECK_CANVAS).first.wait_for(state="visible", timeout=ui.TIMEOUT)
    deadline = time.monotonic() + timeout
    share = 0.0
    while time.monotonic() < deadline:
        share = measure(deck)
        if share >= minimum:
            return share
        page.wait_for_timeout(500)
    return share


def test_map_draws_countries_without_network(public_page: Page, app_server: AppServer) -> None:
    from score import maps

    page = public_page  # a tab of the worker's context: its routing (the network guard) turns the HTTP cache off
    worlds: list[Response] = []  # the grey world's file (maps.WORLD_URL), fetched from this server
    page.on("response", lambda response: worlds.append(response) if response.url.endswith(maps.WORLD_URL) else None)
    ui.goto(page, app_server.url + "/map")
    assert "map" in {link.slug for link in ui.nav_links(page)}, "no Map page in the navigation"
    share = wait_drawn(page)
    assert share >= 0.02, f"the map canvas is blank ({share:.1%} of pixels drawn)"
    assert [(r.url, r.status) for r in worlds] == [(f"{app_server.url}/{maps.WORLD_URL}", 200)]
    # the world drawn from the file around the project countries (a layer of its own: waited for, not slept for)
    assert wait_drawn(page, minimum=0.05, measure=grey_share) > 0.05
    page.get_by_role("radio", name="Workers reached").or_(
        page.get_by_role("button", name="Workers reached")
    ).first.click()
    # the old measure's canvas is drawn already: wait for the rerun the click causes (it writes the measure)
    page.wait_for_url(lambda url: "measure=workers_reached" in url, timeout=ui.TIMEOUT)
    ui.settle(page)
    assert wait_drawn(page) >= 0.02
    assert len(worlds) == 1  # a new deck for the new measure reuses the world the browser holds
    assert not page.locator(ui.EXCEPTION).count()


def test_at_800_by_900_in_spanish_every_project_country_is_inside_the_maps_first_view(
    public_page: Page, app_server: AppServer
) -> None:
    """The map's drawn size measured in the browser, the app's first view, and every project country's polygon
    projected into it; and no project country's colour on the canvas' outer pixels (nothing cut at an edge)."""
    from score import contract, map_colours, maps
    from tests.mercator import outside, polygon_bounds

    page = public_page
    page.set_viewport_size({"width": 800, "height": 900})
    ui.goto(page, app_server.url + "/map?lang=es")
    assert wait_drawn(page) >= 0.02
    page.wait_for_timeout(1000)
    deck = page.locator(DECK).first
    size = deck.bounding_box()
    assert size is not None and size["width"] < 600  # the narrow layout: the legend beside the map
    view = maps.fit_view(contract.code_list("country"))
    shown = {"longitude": view.longitude, "latitude": view.latitude, "zoom": view.zoom}
    cut = {
        code: sides
        for code, box in polygon_bounds().items()
        if (sides := outside(box, shown, size["width"], size["height"]))
    }
    assert not cut, f"cut at {size['width']:.0f} x {size['height']:.0f} px: {cut}"
    image = Image.open(io.BytesIO(deck.screenshot())).convert("RGB")
    fills = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (*map_colours.SEQUENTIAL, maps.PROJECT_LINE)]
    edge = [(x, y) for y in range(image.height) for x in (0, 1, image.width - 2, image.width - 1)]
    edge += [(x, y) for x in range(image.width) for y in (0, 1, image.height - 2, image.height - 1)]

    def project_colour(rgb: tuple[int, int, int]) -> bool:
        return any(sum(abs(a - b) for a, b in zip(rgb, fill, strict=True)) < 24 for fill in fills)

    on_edge = [point for point in edge if project_colour(image.getpixel(point))]
    assert not on_edge, f"a project country touches the map's edge at {on_edge[:5]}"
