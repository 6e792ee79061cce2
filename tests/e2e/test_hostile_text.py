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
from playwright.sync_api import Page, expect

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
    """Colombia's demo files with 12 enterprises per hostile partner name (enough to be shown publicly): the pages
    looked at show Colombia alone, and a build of one country is a ninth of the demo set's."""
    countries = root / "countries"
    shutil.copytree(COUNTRIES / "COL", countries / "COL")
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
    # no page warmed before it listens (the overview, by default): the tests open the profile and the presentation
    server = AppServer(data, log_path=root / "streamlit.log", env={"SCORE_WARM_PAGES": ""}).start()
    yield server
    server.stop()


# The hostile names drawn as text: a chart's labels (SVG text) or the page's own text hold every one, as typed.
NAMES_DRAWN = """(parts) => { const text = [...document.querySelectorAll('[data-testid=stMain] text')]
    .map(t => t.textContent).join(' ') + ' ' + document.querySelector('[data-testid=stMain]').innerText;
  return parts.every(part => text.includes(part)); }"""
HOVER_LABEL = "[data-testid='stPlotlyChart'] .hoverlayer .hovertext"


def _check(page: Page, name: str, shown: tuple[str, ...]) -> None:
    """Once the page has drawn the hostile names (`shown`: parts of them, as typed), nothing from them points out.
    Waited for the names themselves: Plotly draws after the script's run ends, and a look before that passes."""
    ui.settle(page)
    page.wait_for_function(NAMES_DRAWN, arg=list(shown), timeout=ui.TIMEOUT)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"hostile-{name}.png"), full_page=True)
    assert page.evaluate(FROM_DATA) == [], "an element from uploaded text points outside"


def test_hostile_partner_names_are_text_on_the_public_profile(public_page: Page, hostile_server: AppServer) -> None:
    page = public_page
    ui.goto(page, f"{hostile_server.url}/country?profile=COL")
    parts = ("<a", "Partner</a>", "<img", "pixel.png", "![p]")  # long names are wrapped over two lines
    _check(page, "profile", parts)
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text="evil.example").first
    chart.scroll_into_view_if_needed()
    # the hover label of every bar too (it would render the markup of the name): the pointer over each bar in turn
    # (Plotly's drag layer above the bars takes the pointer: `force`), each label waited for before the look
    bars = chart.locator(".barlayer .point")
    hovered = []
    for index in range(bars.count()):
        page.mouse.move(0, 0)
        expect(page.locator(HOVER_LABEL)).to_have_count(0)
        bars.nth(index).hover(force=True)
        expect(page.locator(HOVER_LABEL).first).to_be_visible()
        hovered.append(page.locator(HOVER_LABEL).first.text_content() or "")
        assert page.evaluate(FROM_DATA) == [], hovered[-1]
    assert any("evil.example" in label for label in hovered), hovered  # a hostile name's label was looked at
    chart.screenshot(path=str(SHOTS / "hostile-profile-partners.png"))
    labels = " ".join(chart.locator("text").all_text_contents())
    assert all(part in labels for part in parts), labels  # the chart's own labels, as typed


def test_hostile_partner_filter_is_text_in_the_presentation(public_page: Page, hostile_server: AppServer) -> None:
    page = public_page
    # the three names in one filter (a link's comma-separated list; none holds a comma): one presentation drawn,
    # not three, and the filter in words names each as typed (its text holds the address a link or image would hide)
    assert not any("," in partner for partner in HOSTILE)
    ui.goto(page, f"{hostile_server.url}/present?partners={','.join(quote(partner) for partner in HOSTILE)}")
    _check(page, "present", HOSTILE)
