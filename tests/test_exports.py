"""Exports: the deck has native, editable charts holding exactly the numbers given; CSV/Excel round-trip."""

from __future__ import annotations

import io

import pandas as pd
from pptx import Presentation

from score.exports import Slide, build_deck, to_csv, to_excel


def test_deck_charts_are_native_and_hold_the_data() -> None:
    slides = [
        Slide("Headline", kpis=[("Enterprises", "1,500"), ("Workers", "342,434")]),
        Slide(
            "Enterprises by country",
            categories=["Colombia", "Ghana"],
            series={"Enterprises": [213, 158]},
            colours={"Enterprises": "#0072B2"},
            note="demo data",
        ),
        Slide("Suppressed", categories=["A", "B"], series={"n": [None, 7]}),
    ]
    deck = Presentation(io.BytesIO(build_deck(slides, footer="SCORE")))
    assert len(deck.slides) == 3
    texts = [s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame]
    assert "1,500" in texts and "Headline" in texts
    chart = next(s for s in deck.slides[1].shapes if s.has_chart).chart
    assert list(chart.plots[0].categories) == ["Colombia", "Ghana"]
    assert list(chart.series[0].values) == [213.0, 158.0]
    suppressed = next(s for s in deck.slides[2].shapes if s.has_chart).chart
    assert list(suppressed.series[0].values) == [None, 7.0]


def test_csv_keeps_accents_for_excel() -> None:
    raw = to_csv(pd.DataFrame({"city": ["Bogotá", "Hà Nội"], "n": [1, 2]}))
    assert raw.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")["city"].tolist() == ["Bogotá", "Hà Nội"]


def test_excel_round_trip() -> None:
    frame = pd.DataFrame({"country": ["COL"], "enterprises": [213]})
    back = pd.read_excel(
        io.BytesIO(to_excel({"a very long sheet name that Excel would refuse": frame})), sheet_name=None
    )
    ((name, got),) = back.items()
    assert len(name) <= 31
    assert got.to_dict("records") == [{"country": "COL", "enterprises": 213}]
