"""Exports from the real page, as a donor would take them: the Training CSV in English, French and Spanish reads
back with pandas as numbers equal to the raw counts; the page workbook holds numbers; a chart PNG is an image
with room for its caption (what the caption says is tested on the exported figure in tests/test_exports.py)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import Page

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer
from tests.oracle import RawData


def download(page: Page, label: str) -> tuple[str, bytes]:
    buttons = page.locator(ui.MAIN).locator("[data-testid='stDownloadButton'] button")
    # a chart's own CSV is folded in its table
    started = ui.download(page, buttons.filter(has_text=label, visible=True).first)
    return started.suggested_filename, Path(started.path()).read_bytes()


@pytest.fixture(scope="module")
def raw(app_server: AppServer) -> RawData:
    return RawData(app_server.data_dir / "countries")


# The file's name in the reader's words, its content data
FILE_NAMES = {
    "en": "score-training-by-module.csv",
    "fr": "score-formation-par-module.csv",
    "es": "score-formación-por-módulo.csv",
}


def test_training_csv_is_data_in_every_language(hq_page: Page, app_server: AppServer, raw: RawData) -> None:
    """As HQ, whose figures are exact (the public's are adjusted, tests/test_disclosure.py). One sign-in and one
    Training page, its language switched before each download (the suite's time: not a session per language)."""
    page = hq_page
    ui.goto(page, app_server.url + "/training")  # by its address: one page run, not the overview's before it
    for lang, file_name in FILE_NAMES.items():
        ui.choose_language(page, lang)  # the download below must be the new run's
        name, content = download(page, "CSV")
        assert name == file_name
        assert content.startswith(b"\xef\xbb\xbf"), lang
        frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig").set_index("module")
        for column in ("deliveries", "participations", "consultation_visits"):
            assert pd.api.types.is_integer_dtype(frame[column]), (lang, column, frame[column].dtype)
        for module, figures in raw.by_module().items():
            assert frame.loc[module, "deliveries"] == figures["deliveries"], lang
            assert frame.loc[module, "participations"] == figures["participations"], lang
            assert frame.loc[module, "consultation_visits"] == figures["consultation_visits"], lang


def test_page_workbook_and_chart_png(hq_page: Page, app_server: AppServer, raw: RawData) -> None:
    page = hq_page
    ui.goto(page, app_server.url)
    name, content = download(page, "Excel")
    assert name == "score-overview.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book["overview_kpis"].iter_rows(values_only=True))
    kpis = dict(zip(rows[0], rows[1], strict=True))
    assert kpis["enterprises"] == raw.kpis()["enterprises"]
    assert kpis["workers_reached"] == raw.kpis()["workers_reached"]
    about = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert any("Demo data" in str(cell) for row in about for cell in row)
    name, content = download(page, "PNG")
    assert name.endswith(".png") and content.startswith(b"\x89PNG")
