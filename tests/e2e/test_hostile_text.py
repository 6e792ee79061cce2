"""Uploaded text is data, never markup, in a real browser (issue 10, point 4): partner names holding an HTML
link, an HTML image and markdown link + image are shown on the public country profile (Plotly bar labels and
hover) and in the presentation subtitle (the partner filter in words). No anchor or image element may come from
them, and no request may leave the machine (the network guard of conftest.py fails the test otherwise)."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from tests.e2e import dashboard as ui
from tests.e2e.app_server import COUNTRIES, AppServer, prepare_data_dir

LINK = '<a href="https://evil.example/login">Partner</a>'
IMAGE = '<img src="https://evil.example/pixel.png">'
MARKDOWN = "[Partner](https://evil.example/login) ![p](https://evil.example/pixel.png)"
HOSTILE = (LINK, IMAGE, MARKDOWN)
SHOTS = Path(__file__).resolve().parents[2] / "test-results"

# Elements that would come from the hostile names: a link, image or other loader pointing at evil.example
# (Plotly keeps the raw label in a harmless data-unformatted attribute of its <text>; that is not one).
FROM_DATA = """() => [...document.querySelectorAll('*')].flatMap(el =>
    [...el.attributes].filter(a => a.value.includes('evil.example')
        && (['href', 'xlink:href', 'src', 'srcset', 'action', 'data', 'style'].includes(a.name)
            || ['A', 'IMG', 'IMAGE', 'IFRAME', 'SCRIPT', 'LINK', 'OBJECT', 'EMBED'].includes(el.tagName.toUpperCase())))
    .map(a => el.tagName + ' ' + a.name + '=' + a.value))"""


def _hostile_countries(root: Path) -> Path:
    """The demo files with 12 Colombian enterprises per hostile partner name (enough to be shown publicly)."""
    countries = root / "countries"
    shutil.copytree(COUNTRIES, countries)
    path = countries / "COL" / "enterprises.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for index, row in enumerate(rows[: 12 * len(HOSTILE)]):
        row["partner"] = HOSTILE[index // 12]
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return countries


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    root = tmp_path_factory.mktemp("hostile")
    data = prepare_data_dir(root, countries=_hostile_countries(root), demo_users=False)
    server = AppServer(data, log_path=root / "streamlit.log").start()
    yield server
    server.stop()


def _check(page: Page, name: str) -> None:
    ui.settle(page)
    page.wait_for_timeout(1500)  # Plotly draws after the frame settles
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"hostile-{name}.png"), full_page=True)
    assert page.evaluate(FROM_DATA) == [], "an element from uploaded text points outside"


def test_hostile_partner_names_are_text_on_the_public_profile(page: Page, hostile_server: AppServer) -> None:
    ui.goto(page, f"{hostile_server.url}/country?profile=COL")
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=ui.TIMEOUT)
    _check(page, "profile")
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text="evil.example").first
    chart.scroll_into_view_if_needed()
    chart.hover()  # the hover label too (it would render the markup of the name)
    page.wait_for_timeout(500)
    assert page.evaluate(FROM_DATA) == []
    chart.screenshot(path=str(SHOTS / "hostile-profile-partners.png"))
    labels = " ".join(chart.locator("text").all_text_contents())  # long names are wrapped over two lines
    assert all(part in labels for part in ("<a", "Partner</a>", "<img", "pixel.png", "![p]")), labels  # as typed


def test_hostile_partner_filter_is_text_in_the_presentation(page: Page, hostile_server: AppServer) -> None:
    for index, partner in enumerate(HOSTILE):
        ui.goto(page, f"{hostile_server.url}/present?partners={quote(partner)}")
        _check(page, f"present-{index}")
        shown = page.locator("[data-testid='stMain']").inner_text()
        assert "evil.example" in shown, shown[:500]  # the filter is shown, as typed
