"""Presentation page and deck: the slides on screen and in the PPTX carry the same, independently counted numbers."""

from __future__ import annotations

import io

from pptx import Presentation

from score import presentation
from score.access import Scope
from score.exports import build_deck
from score.filters import Filters
from tests.formats import en_int
from tests.test_pages_a import open_page

PRESENT = "views/present.py"


def test_presentation_page_shows_headline_numbers_and_steps_through_slides(raw) -> None:
    at = open_page(PRESENT, None, Scope.hq("tests"))  # HQ: exact figures (the public's are adjusted)
    expected = raw.kpis()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Enterprises engaged"] == en_int(expected["enterprises"])
    assert shown["People trained (distinct estimate)"] == en_int(expected["people_trained"])
    assert shown["Women among workers reached"] == en_int(expected["workers_female"])
    assert at.header[0].value == "SCORE results"
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    assert not at.exception
    assert at.header[0].value == "Enterprises engaged by country"
    assert len(at.get("plotly_chart")) == 1


def test_deck_holds_the_same_numbers_as_the_queries(raw, demo_data_dir) -> None:
    from score import db

    filters = Filters(countries=("COL", "GHA"))

    def query(name: str, **params: object):
        return db.run_query(name, Scope.hq("tests"), filters, **params)  # exact: the oracle's numbers

    labels = {"country": {"COL": "Colombia", "GHA": "Ghana"}, "module": {}, "indicator": {}}
    slides = presentation.deck_slides(query, labels, "Colombia, Ghana")
    deck = Presentation(io.BytesIO(build_deck(slides)))
    texts = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
    expected = raw.kpis(countries={"COL", "GHA"})
    assert en_int(expected["enterprises"]) in texts
    assert en_int(expected["workers_reached"]) in texts
    chart = next(shape for shape in deck.slides[1].shapes if shape.has_chart).chart
    assert list(chart.plots[0].categories) == ["Colombia", "Ghana"]
    per_country = [len(raw.enterprise_ids(countries={c})) for c in ("COL", "GHA")]
    assert list(chart.series[0].values) == per_country
    for slide in slides[1:]:
        assert presentation.slide_figure(slide) is not None
