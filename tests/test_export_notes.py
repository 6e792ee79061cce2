"""What every export says about its figures: the public's figures are adjusted (the Excel About sheet and the
chart image say so, as the strip and the deck do), and the demo notice names only the countries in view."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from score import exports
from score.filters import Filters
from score.i18n import set_language
from score.web import components as c

DEMO = {"is_demo": False, "demo_countries": 3, "demo_country_codes": "COL,GHA,VNM", "built_at": "2026-11-30T10:00"}
NAMES = {"country": {"COL": "Colombia", "GHA": "Ghana", "VNM": "Viet Nam"}}
ADJUSTED = ("To protect individual enterprises, figures are slightly adjusted.", "Figures slightly adjusted.")


def public_context(filters: Filters) -> exports.ExportContext:
    set_language("en")
    return exports.export_context(filters, NAMES, DEMO, dt.date(2026, 12, 1), adjusted=ADJUSTED)


def test_the_demo_notice_names_only_the_demo_countries_in_view() -> None:
    assert exports.demo_countries_in_view(DEMO, Filters(countries=("GHA",))) == ["GHA"]
    assert exports.demo_countries_in_view(DEMO, Filters(regions=("Asia",))) == ["VNM"]
    assert exports.demo_countries_in_view(DEMO, Filters()) == ["COL", "GHA", "VNM"]
    assert (
        public_context(Filters(countries=("GHA",))).demo
        == "Demo data for Ghana: synthetic enterprises, not real results"
    )
    assert public_context(Filters(countries=("PER",))).demo == ""  # Peru's figures are real


def test_the_workbooks_about_sheet_says_the_public_figures_are_adjusted() -> None:
    about = dict(public_context(Filters()).about)
    assert about["Adjusted figures"] == ADJUSTED[0]
    set_language("en")
    hq = dict(exports.export_context(Filters(), NAMES, DEMO, dt.date(2026, 12, 1)).about)
    assert "Adjusted figures" not in hq  # HQ sees exact figures


def test_an_exported_chart_image_says_the_public_figures_are_adjusted() -> None:
    fig = c.bar_chart(pd.DataFrame({"country": ["COL"], "enterprises": [213]}), "country", "enterprises", title="T")
    subtitle = exports.captioned(fig, public_context(Filters())).layout.title.subtitle.text
    assert ADJUSTED[1] in subtitle
