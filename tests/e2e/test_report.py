"""A report that travels: `python -m score report` writes one HTML file that opens from disk with the network off
(no request leaves it, not even to this machine), draws as many charts as the page shows, each with its heading,
text alternative and table, stays under 5 MB at the demo size; its PDF (A4 landscape) has a cover, a page per
chart and a page of notes, and every chart's title as text."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer, score_cli

CHARTS = (
    "[data-testid='stMain'] [data-testid='stPlotlyChart'], [data-testid='stMain'] [data-testid='stDeckGlJsonChart']"
)
MAX_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def colombia_report(app_server: AppServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report") / "r.html"
    result = score_cli(
        app_server.data_dir, "report", "--lang", "fr", "--query", "countries=COL", "--out", str(out), "--pdf"
    )
    return out, result.stdout


def page_charts(page: Page, app_server: AppServer, path: str) -> int:
    page.goto(f"{app_server.url}/{path}", wait_until="domcontentloaded")
    page.locator("h1").first.wait_for(timeout=ui.TIMEOUT * 3)
    ui.settle(page, timeout=ui.TIMEOUT * 3)  # a page's first run on a busy machine (cold caches)
    page.locator(CHARTS).first.wait_for(timeout=ui.TIMEOUT)
    counted = -1
    while (now := page.locator(CHARTS).count()) != counted:  # charts arrive one by one: count once they stop
        counted = now
        ui.settle(page, timeout=ui.TIMEOUT * 3)
        page.wait_for_timeout(1500)
    return counted


def test_the_report_opens_offline_with_every_chart_of_the_page(
    public_page: Page, app_server: AppServer, colombia_report: tuple[Path, str]
) -> None:
    page = public_page
    out, printed = colombia_report
    size = out.stat().st_size
    assert f"{size:,}" in printed  # the command says how big the file is
    assert size < MAX_BYTES
    on_page = page_charts(page, app_server, "?lang=fr&countries=COL")

    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(out.as_uri())
    page.locator("html[data-drawn='yes']").wait_for(timeout=ui.TIMEOUT)
    assert requests == [out.as_uri()]  # nothing else: no script, font or map tile from anywhere
    assert page.locator("html").get_attribute("lang") == "fr"
    drawn = page.locator("section.chart .plot .main-svg")
    assert page.locator("section.chart").count() == on_page
    assert page.locator("section.chart .plot").count() == on_page
    assert drawn.count() >= on_page  # Plotly draws one or more svg layers per chart
    for section in page.locator("section.chart").all():
        assert section.locator("h2").inner_text().strip()
        plot = section.locator(".plot")
        assert plot.get_attribute("role") == "img" and plot.get_attribute("aria-label")
    text = page.locator("body").inner_text()
    assert "Colombie" in text and "DONNÉES DE DÉMONSTRATION" in text.upper()
    assert re.search(r"Colombie : [\d\u202f]+ PME comptant [\d\u202f]+ travailleurs", text)  # the narrative, in French


class _ChartTitles(HTMLParser):
    """The text of each `section.chart`'s h2 in a report's HTML (written by the report, not drawn by its scripts:
    read from the file, without a browser)."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self._in_chart = self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._in_chart = "chart" in (dict(attrs).get("class") or "").split()
        elif tag == "h2" and self._in_chart:
            self._in_title = True
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.titles[-1] += data


def test_the_pdf_has_a_cover_a_page_per_chart_a_notes_page_and_every_chart_title(
    colombia_report: tuple[Path, str],
) -> None:
    out, printed = colombia_report
    pdf = out.with_suffix(".pdf")
    assert pdf.name in printed
    parser = _ChartTitles()
    parser.feed(out.read_text(encoding="utf-8"))
    titles = [title.strip() for title in parser.titles]
    assert titles and all(titles), titles
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) == len(titles) + 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, in points
    for number, title in enumerate(titles, start=1):
        assert _words(title) <= _words(reader.pages[number].extract_text()), title


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def test_the_country_profile_report_button_downloads_the_page_with_its_charts_in_spanish(
    public_page: Page, app_server: AppServer, tmp_path: Path
) -> None:
    page = public_page
    on_page = page_charts(page, app_server, "country?lang=es&profile=PER")
    button = page.locator("[data-testid='stDownloadButton'] button").filter(has_text="Informe (HTML)").first
    started = ui.download(page, button, timeout=ui.TIMEOUT * 4)
    assert started.suggested_filename.endswith(".html")
    document = tmp_path / started.suggested_filename  # as saved from an e-mail: a file named .html
    started.save_as(document)
    page.goto(document.as_uri())
    page.locator("html[data-drawn='yes']").wait_for(timeout=ui.TIMEOUT)
    assert page.locator("section.chart").count() == on_page
    assert page.locator("p.narrative").inner_text().startswith("En Perú, ")
    assert page.locator("html").get_attribute("lang") == "es"
