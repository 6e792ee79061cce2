"""Decks for the deck tests (test_present.py, test_deck_format.py): the deck the app would give for some filters and
a viewer, read back with python-pptx, and its native charts by slide title."""

from __future__ import annotations

import io

from pptx import Presentation

from score import exports, presentation
from score.access import Scope
from score.deck import Slide, build_deck
from score.filters import Filters

HQ = Scope.hq("tests")  # exact figures, equal to the raw counts (the public's are adjusted: tests/test_disclosure.py)


def scoped_query(filters: Filters, scope: Scope):
    from score import db

    def query(name: str, **params: object):
        return db.run_query(name, scope, filters, **params)

    return query


def country_names() -> dict[str, str]:
    from score.web import ui

    return ui.reference_labels("country")


def slides_for(filters: Filters, scope: Scope = HQ) -> tuple[list[Slide], exports.ExportContext]:
    """The slides the app would show, without building the PPTX (its map picture takes seconds)."""
    from score import db
    from score.web import ui

    labels = ui.export_labels()
    status = db.run_query("data_status", Scope.nothing()).iloc[0].to_dict()
    adjusted = (ui.adjusted_figures_notice(scope) or "", ui.adjusted_figures_mark(scope) or "")
    context = exports.export_context(filters, labels, status, adjusted=adjusted)
    return presentation.deck_slides(scoped_query(filters, scope), labels, filters, context), context


def deck_for(filters: Filters, scope: Scope = HQ) -> tuple[list[Slide], Presentation]:
    slides, context = slides_for(filters, scope)
    return slides, Presentation(io.BytesIO(build_deck(slides, context=context)))


def charts_of(deck: Presentation) -> dict[str, object]:
    """Slide title -> its native chart."""
    out = {}
    for slide in deck.slides:
        chart = next((shape.chart for shape in slide.shapes if shape.has_chart), None)
        if chart is not None:
            out[slide.shapes[0].text_frame.text] = chart
    return out
