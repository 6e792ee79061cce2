"""Review before the public sees it, in a real browser with the demo accounts (network blocked): colombia (Spanish,
1280x720) corrects a worker count in the grid and submits it; the public's and HQ's dashboards do not change; geneva
(English, 1920x1080) sees the pending submission with what it would change (that enterprise, that count, Colombia's
workers before -> after), returns it with a comment; colombia reads the comment and submits a new correction; geneva
approves it; the figures are then those of tests/oracle.py on the new files. (`make test` approves the first
correction at once; the return and the second correction are make test-full's.)"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer
from tests.oracle import RawData

KPIS = ("Enterprises engaged", "Workers reached", "People trained", "Modules delivered")
WORKERS_FEMALE_COLUMN = 7  # enterprise_id, name, sector, province, city, latitude, longitude, workers_female
COMMENT = "COL-0001: 7 more women looks too high, please check the count"
LIGHT_PAGE = "/upload"


def sized(open_context: Callable[..., BrowserContext], width: int, height: int) -> Page:
    """A page in a browser context of its own (another person), at this window size."""
    page = open_context().new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.set_default_timeout(120_000)  # three people's pages in one browser on a busy machine: clicks wait longer
    return page


def overview_figures(page: Page) -> dict[str, str]:
    ui.metric(page, KPIS[0]).wait_for(timeout=120_000)  # a busy machine draws the first page slowly
    return {label: ui.metric_text(page, label) for label in KPIS}


def first_enterprise_women(server: AppServer) -> int:
    with open(server.data_dir / "countries" / "COL" / "enterprises.csv", encoding="utf-8-sig") as handle:
        row = next(r for r in csv.DictReader(handle) if r["enterprise_id"] == "COL-0001")
    return int(row["workers_female"])


def open_page(page: Page, slug: str) -> None:
    ui.open_nav(page, next(link for link in ui.nav_links(page) if link.slug == slug))


def correct_in_grid(page: Page, old: int, value: int) -> None:
    """Colombia's staff (Spanish): open the grid, type the count of women of the first enterprise, check, submit."""
    main = page.locator(ui.MAIN)
    expander = main.locator("[data-testid='stExpander']").filter(has_text="Corregir en el navegador")
    if not expander.locator("[data-testid='stDataFrame']").first.is_visible():
        expander.locator("summary").click()
    grid = expander.locator("[data-testid='stDataFrame']").first
    grid.wait_for(state="visible", timeout=ui.TIMEOUT)
    ui.settle(page)
    grid.scroll_into_view_if_needed()
    editor = page.locator("#portal input, #portal textarea").first
    for attempt in range(3):  # a click while the grid is still being drawn selects no cell: try again
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 100, box["y"] + 52)  # a cell of the first row
        for _column in range(12):  # to the first column, wherever the grid was scrolled
            page.keyboard.press("ArrowLeft")
        for _column in range(WORKERS_FEMALE_COLUMN):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")  # open the cell's editor (the grid draws on a canvas; its editor is an input)
        try:
            editor.wait_for(state="visible", timeout=ui.TIMEOUT // 3 if attempt < 2 else ui.TIMEOUT)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    assert editor.input_value() == str(old), "not the count of women of COL-0001"  # the right cell
    editor.fill(str(value))
    editor.press("Enter")
    ui.settle(page)
    main.get_by_role("button", name="Comprobar las correcciones").click()
    expect(ui.metric(page, "Empresas modificadas")).to_have_text("1", timeout=90_000)
    changed = main.locator("[data-testid='stExpander']").filter(has_text="Empresas modificadas: 1").last
    expect(changed.locator("[data-testid='stDataFrame'] table")).to_contain_text(
        f"Trabajadoras (workers_female): {old} → {value}"  # the column by its name, beside the file's code
    )
    main.get_by_role("button", name="Enviar Colombia para revisión").click()
    expect(main.get_by_text(re.compile("Enviado para revisión"))).to_be_visible(timeout=60_000)
    assert not page.locator(ui.EXCEPTION).count()


# make test: geneva approves the first correction; make test-full: returns it with a comment first, colombia reads it
# and corrects again (started first, their quiet seconds: tests/conftest.py)
@pytest.mark.parametrize(
    "returned",
    [
        pytest.param(False, id="approved", marks=pytest.mark.slow(100)),
        pytest.param(True, id="returned-then-approved", marks=[pytest.mark.exhaustive, pytest.mark.slow(154)]),
    ],
)
def test_colombia_corrects_in_the_grid_geneva_returns_then_approves(
    fresh_server: AppServer, open_context: Callable[..., BrowserContext], public_page: Page, returned: bool
) -> None:
    url, old = fresh_server.url, first_enterprise_women(fresh_server)
    before = RawData(fresh_server.data_dir / "countries")

    # Each signs in on the upload page's address (a page with no chart: the sign-in prompt, then the page signed
    # in), so that a new browser context's first page loads and the sign-in's reload draw no chart.
    geneva = sized(open_context, 1920, 1080)
    ui.goto(geneva, url + LIGHT_PAGE)
    ui.sign_in(geneva, "geneva", "geneva-demo-2013")
    open_page(geneva, "overview")
    hq_before = overview_figures(geneva)
    assert hq_before["Workers reached"] == ui.fmt_int(before.kpis()["workers_reached"])
    colombia = sized(open_context, 1280, 720)
    ui.goto(colombia, url + LIGHT_PAGE)
    ui.sign_in(colombia, "colombia", "colombia-demo-2013")
    # signed in first: pages loading side by side slow each other down. The public (no cookie): a tab of the
    # worker's public context, whose browser has the app's scripts at hand already
    public = public_page
    public.set_viewport_size({"width": 1280, "height": 720})
    public.set_default_timeout(120_000)
    ui.goto(public, url)
    public_before = overview_figures(public)

    expect(colombia.get_by_role("heading", name="Upload country data")).to_be_visible()  # signed in, on that page
    ui.choose_language(colombia, "es")
    correct_in_grid(colombia, old, old + 7)

    # Nothing is public yet: the public's and HQ's dashboards are as they were.
    ui.goto(public, url)
    assert overview_figures(public) == public_before
    open_page(geneva, "overview")
    assert overview_figures(geneva) == hq_before

    # geneva reviews: that enterprise, that count, Colombia's workers before -> after; returns it with a comment.
    open_page(geneva, "review")
    main = geneva.locator(ui.MAIN)
    expect(geneva.get_by_role("heading", name="What approving would change for Colombia")).to_be_visible()
    figures = {row["Figure"]: row for row in ui.table_rows(geneva, "After approval")}
    colombia_workers = before.kpis(countries={"COL"})["workers_reached"]
    assert (figures["Workers reached"]["Published now"], figures["Workers reached"]["After approval"]) == (
        ui.fmt_int(colombia_workers),
        ui.fmt_int(colombia_workers + 7),
    )
    assert figures["Workers reached"]["Change"] == "+7"
    largest = ui.table_rows(geneva, "Column")
    assert [(r["Row"], r["Column"], r["From"], r["To"]) for r in largest] == [
        ("COL-0001", "Female workers (workers_female)", str(old), str(old + 7))
    ]
    added = 7
    if returned:
        main.get_by_role("textbox", name="Comment for the submitter").fill(COMMENT)
        main.get_by_role("button", name="Return with this comment").click()
        expect(main.get_by_text("Returned Colombia to colombia with your comment.")).to_be_visible(timeout=60_000)
        expect(main.get_by_text("No submission is waiting for review.")).to_be_visible()

        # colombia reads the comment (Spanish page, the reviewer's words as written) and submits a new correction.
        open_page(colombia, "overview")
        open_page(colombia, "upload")
        expect(
            colombia.locator(ui.MAIN).get_by_text(re.compile(r"^Devuelto: correcciones en el navegador"))
        ).to_be_visible()
        expect(colombia.locator(ui.MAIN).get_by_text(COMMENT, exact=True)).to_be_visible()
        added = 5
        correct_in_grid(colombia, old, old + added)
        open_page(geneva, "review")
        figures = {row["Figure"]: row for row in ui.table_rows(geneva, "After approval")}
        assert figures["Workers reached"]["Change"] == f"+{added}"

    # geneva approves: published now, through the usual publish.
    main.get_by_role("button", name="Approve and publish Colombia").click()
    expect(main.get_by_text("Approved: Colombia is version 2 now.")).to_be_visible(timeout=120_000)
    assert not geneva.locator(ui.EXCEPTION).count()

    # The figures now are the oracle's on the new files: exact for HQ and for Colombia's own staff (their country),
    # perturbed for the public (so only within the noise), and the value's history says who changed what.
    after = RawData(fresh_server.data_dir / "countries")
    assert after.kpis()["workers_reached"] == before.kpis()["workers_reached"] + added
    open_page(geneva, "overview")
    for label, key in zip(
        KPIS, ("enterprises", "workers_reached", "people_trained", "module_completions"), strict=True
    ):
        expect(ui.metric(geneva, label)).to_have_text(ui.fmt_int(after.kpis()[key]))
    ui.goto(public, url)
    shown = int(ui.metric_text(public, "Workers reached").replace(",", ""))
    assert abs(shown - after.kpis()["workers_reached"]) < after.kpis()["workers_reached"] / 100
    open_page(colombia, "upload")
    expect(
        colombia.locator(ui.MAIN).get_by_text(re.compile(r"^Aprobado: correcciones en el navegador"))
    ).to_be_visible()
