"""Who sees what, in the browser: the public sees no enterprise, a country user only their own, HQ everyone.

The enterprise table is checked through what the page holds (its text and the table's accessible cells)
and through its CSV download, which is also the export flow: the file is saved, parsed and compared with
the raw country files.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer
from tests.e2e.datasets import names
from tests.e2e.roles import COLOMBIA, signed_in_as

ENTERPRISES = "/enterprises"


def enterprises_page(page: Page) -> None:
    """The Enterprises page on screen (opened by its address: one page run, not the overview's and then this one's),
    listed in the navigation and its table drawn."""
    assert "enterprises" in {link.slug for link in ui.nav_links(page)}, "no Enterprises page in the navigation"
    page.locator(f"{ui.MAIN} [data-testid='stDataFrame'] [role='gridcell']").first.wait_for(
        state="attached", timeout=ui.TIMEOUT
    )


FULL_LIST = "Download the full list (CSV)"  # the enterprise list's button (the page shows its first rows)


def download_csv(page: Page, label: str = "Download CSV") -> tuple[str, list[dict[str, str]]]:
    button = page.locator(ui.MAIN).locator("[data-testid='stDownloadButton'] button").filter(has_text=label).last
    download = ui.download(page, button)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    return download.suggested_filename, list(csv.DictReader(io.StringIO(text)))


def names_on_page(page: Page, candidates: set[str]) -> set[str]:
    text = page.locator(ui.MAIN).text_content() or ""
    return {name for name in candidates if name in text}


@pytest.fixture(scope="module")
def all_names(app_server: AppServer) -> dict[str, set[str]]:
    root = app_server.data_dir / "countries"
    return {folder.name: names(folder) for folder in sorted(root.iterdir()) if (folder / "enterprises.csv").exists()}


def test_public_sees_no_enterprise_names(
    public_page: Page, app_server: AppServer, all_names: dict[str, set[str]]
) -> None:
    page = public_page
    ui.goto(page, app_server.url + ENTERPRISES)
    enterprises_page(page)
    every = set().union(*all_names.values())
    assert not names_on_page(page, every)
    file_name, rows = download_csv(page)
    assert rows, f"{file_name} is empty"
    assert "name" not in rows[0]
    assert not {value for row in rows for value in row.values()} & every


def test_country_user_sees_own_enterprises_only(
    page: Page, app_server: AppServer, all_names: dict[str, set[str]]
) -> None:
    ui.goto(page, app_server.url + ENTERPRISES)
    assert signed_in_as(page, COLOMBIA), "sign-in failed"  # the page signed in on comes back, signed in
    assert urlsplit(page.url).path == ENTERPRISES, page.url
    enterprises_page(page)
    others = set().union(*(n for country, n in all_names.items() if country != "COL"))
    shown = names_on_page(page, all_names["COL"] | others)
    assert shown, "the enterprise table shows no enterprise to a country user"
    assert shown <= all_names["COL"], f"other countries' enterprises shown: {sorted(shown - all_names['COL'])[:5]}"
    assert not names_on_page(page, all_names["GHA"])
    file_name, rows = download_csv(page, FULL_LIST)
    assert file_name.endswith(".csv")
    assert {row["name"] for row in rows} == all_names["COL"]
    assert {(row["country"], row["country_name"]) for row in rows} == {("COL", "Colombia")}
    assert {row["enterprise_id"][:4] for row in rows} == {"COL-"}


def test_hq_sees_every_country(hq_page: Page, app_server: AppServer, all_names: dict[str, set[str]]) -> None:
    page = hq_page
    ui.goto(page, app_server.url + ENTERPRISES)
    enterprises_page(page)
    _, rows = download_csv(page, FULL_LIST)  # every enterprise, though the page shows the first 1,000
    assert {row["name"] for row in rows} == set().union(*all_names.values())
