"""Present mode and the deck: the slides on screen, in the PPTX and from `python -m score deck` carry the same,
independently counted numbers; the deck has native charts, the map as a picture, speaker notes and the demo
mark on every slide while demo data is loaded."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from score import exports, presentation, settings
from score.access import Scope
from score.deck import Kpi, Slide, build_deck
from score.filters import Filters
from score.i18n import set_language
from tests.apptest import open_page
from tests.decks import charts_of, country_names, deck_for, slides_for
from tests.formats import en_int, en_pct

PRESENT = "views/present.py"
REPO = Path(__file__).resolve().parent.parent
SLIDES = 9  # title, headline, map, enterprises, people, outcomes, change, logframe, sources
COUNTRIES = {"BOL", "CHN", "COL", "GHA", "IDN", "IND", "PER", "VNM", "ZAF"}


def slide_html(at) -> str:
    return "\n".join(element.proto.body for element in at.get("html"))


def counter(at) -> str:
    text = slide_html(at)
    return text.split('data-testid="slide-counter">', 1)[1].split("<", 1)[0]


HQ = Scope.hq("tests")  # exact figures, equal to the raw counts (the public's are adjusted: tests/test_disclosure.py)


def test_present_mode_opens_on_the_title_and_steps_through_the_slides(raw) -> None:
    at = open_page(PRESENT, None, HQ)
    assert counter(at) == f"1 / {SLIDES}"
    assert at.title[0].value == "SCORE results" and "All countries · all years" in slide_html(at)
    assert 'data-testid="demo-mark"' in slide_html(at)  # demo data is loaded
    assert at.query_params["slide"] == ["1"] or at.query_params["slide"] == "1"
    next(b for b in at.button if b.key == "slide_next").click().run()
    assert not at.exception
    assert counter(at) == f"2 / {SLIDES}"
    expected = raw.kpis()
    shown = slide_html(at)
    assert en_int(expected["enterprises"]) in shown
    assert en_int(expected["workers_reached"]) in shown
    assert en_int(expected["people_trained"]) in shown
    women_workers = 100 * expected["workers_female"] / expected["workers_reached"]
    women_trained = 100 * expected["people_trained_female"] / expected["people_trained"]
    assert f"{en_pct(women_workers)} women" in shown
    assert f"{en_pct(women_trained)} women" in shown
    next(b for b in at.button if b.key == "slide_previous").click().run()
    assert counter(at) == f"1 / {SLIDES}"


def test_slide_in_the_link_opens_that_slide_and_a_bad_one_is_ignored(demo_data_dir) -> None:
    at = open_page(PRESENT, params={"slide": "3"})
    assert counter(at) == f"3 / {SLIDES}"
    assert len(at.get("plotly_chart")) == 1  # the map
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert "template" not in layout and layout["datarevision"] == 1  # drawn once, as a page's (charts.drawn_once)
    at = open_page(PRESENT, params={"slide": "99"})
    assert counter(at) == f"1 / {SLIDES}"
    assert any("slide=99" in info.value for info in at.info)


def test_present_mode_follows_the_filters_of_the_link(raw) -> None:
    at = open_page(PRESENT, {"countries": ["COL"], "phases": ["I"], "slide": "2"}, HQ)
    expected = raw.kpis(countries={"COL"}, phases={"I"})
    assert en_int(expected["enterprises"]) in slide_html(at)
    at = open_page(PRESENT, params={"countries": ["COL"], "phases": ["I"]})
    assert "Colombia · Phase I · all years" in slide_html(at)


ADJUSTED_SHORT = "Figures adjusted to protect enterprises; fewer than 5 enterprises, possibly none, hidden."
ADJUSTED = "Each enterprise's figures are moved by a fixed 6-12% up or down"


def test_present_mode_says_on_every_slide_that_public_figures_are_adjusted(demo_data_dir) -> None:
    at = open_page(PRESENT)
    for number in range(1, SLIDES + 1):
        assert counter(at) == f"{number} / {SLIDES}"
        assert f'data-testid="slide-note">{ADJUSTED_SHORT}<' in slide_html(at), number
        if number < SLIDES:
            next(b for b in at.button if b.key == "slide_next").click().run()
    at = open_page(PRESENT, None, Scope.country("bogota", frozenset({"COL"})))
    assert "slightly adjusted; Colombia exact." in slide_html(at)  # the short mark for country staff
    at = open_page(PRESENT, None, HQ)  # exact figures: nothing to say
    assert 'data-testid="slide-note"' not in slide_html(at)
    at = open_page(PRESENT, {"lang": "fr"})
    assert "Chiffres ajustés pour protéger les entreprises" in slide_html(at)


# ------------------------------------------------------------------------------------------------ the deck


def test_headline_figures_on_a_slide_are_the_pages_tiles_with_women_shares() -> None:
    """One tile spec (components.headline_tiles) serves the pages and the deck: literal inputs, literal text."""
    import pandas as pd

    kpis = pd.Series(
        {
            "enterprises": 1234,
            "workers_reached": 56789,
            "people_trained": 4321,
            "module_completions": 2500,
            "participations": 9876,
            "workers_female_pct": 41.26,
            "people_trained_female_pct": None,  # hidden: no women's line
        }
    )
    targets = pd.DataFrame(
        {"metric": ["enterprises", "people_trained"], "target": [1500, 4000], "progress_pct": [82.27, 108.03]}
    )
    asked = []

    def query(name: str, **params: object) -> pd.DataFrame:
        asked.append(name)
        return targets

    set_language("en")
    kpis_shown = presentation.headline_kpis(query, kpis, Filters())
    assert kpis_shown == [
        Kpi("Enterprises engaged", "1,234", "82% of target 1,500", progress=82.27),
        Kpi("Workers reached", "56,789", "", "41% women", share=41.26),
        Kpi("People trained (distinct estimate)", "4,321", "108% of target 4,000", progress=108.03),
        Kpi("Modules delivered", "2,500", "9,876 training participations"),
    ]
    assert asked == ["overview_targets"]
    # With a sector filter targets do not apply: no progress, and the targets are not even read.
    asked.clear()
    narrowed = presentation.headline_kpis(query, kpis, Filters(sectors=("garments",)))
    assert [k.detail for k in narrowed] == ["", "", "", "9,876 training participations"] and asked == []
    assert all(k.progress is None for k in narrowed)


@pytest.fixture(scope="module")
def hq_deck(demo_data_dir) -> tuple[list[Slide], Presentation]:
    """HQ's deck for no filters, built once for the tests that read it (a deck's map picture is a Chromium start)."""
    set_language("en")
    return deck_for(Filters(), HQ)


def test_deck_has_every_slide_native_charts_equal_to_the_raw_counts(raw, hq_deck) -> None:
    slides, deck = hq_deck
    assert len(deck.slides) == len(slides) == SLIDES
    charts = charts_of(deck)
    enterprises = charts["Enterprises engaged by country against target"]
    names = country_names()
    per_country = {names[code]: len(raw.enterprise_ids(countries={code})) for code in COUNTRIES}
    categories = list(enterprises.plots[0].categories)
    assert set(categories) == set(per_country)
    assert [per_country[name] for name in categories] == list(enterprises.series[0].values)
    assert categories == sorted(per_country, key=lambda name: -per_country[name])  # by value, not by code
    targets = raw.targets()
    assert sum(enterprises.series[1].values) == targets["enterprises"]
    people = charts["People trained by country, women and men (distinct estimate)"]
    women = {names[c]: raw.kpis(countries={c})["people_trained_female"] for c in COUNTRIES}
    assert list(people.series[0].values) == [women[name] for name in people.plots[0].categories]
    outcomes = charts["Outcomes reported at follow-up (% of enterprises)"]
    n, share = raw.share("good_practices_adopted")
    found = dict(zip(outcomes.plots[0].categories, outcomes.series[0].values, strict=True))
    assert found[f"Good practices adopted (n = {en_int(n)})"] == pytest.approx(share)


def test_deck_has_the_map_picture_speaker_notes_and_the_demo_mark_on_every_slide(hq_deck) -> None:
    slides, deck = hq_deck
    map_slide = deck.slides[[s.kind for s in slides].index("map")]
    assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in map_slide.shapes)
    for slide in deck.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert "DEMO DATA" in texts
        assert slide.has_notes_slide and len(slide.notes_slide.notes_text_frame.text) > 40
        assert not any("score-" in text and ".duckdb" in text for text in texts)  # a date, not a file name
    title = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
    assert "All countries · all years" in title


def test_the_public_deck_says_its_figures_are_adjusted_in_footer_notes_and_sources(hq_deck) -> None:
    slides, deck = deck_for(Filters(), Scope.public())
    for slide in deck.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert any(ADJUSTED_SHORT in text for text in texts), texts  # the footer
        assert ADJUSTED in slide.notes_slide.notes_text_frame.text
    assert any(ADJUSTED in line for line in slides[-1].lines)  # sources and method
    _slides, exact = hq_deck
    for slide in exact.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert not any("adjusted" in text for text in texts)
        assert "adjusted" not in slide.notes_slide.notes_text_frame.text


def test_deck_says_the_filters_in_words_in_its_language(demo_data_dir) -> None:
    set_language("fr")
    try:
        _slides, deck = deck_for(Filters(countries=("COL",), phases=("I",)))
    finally:
        set_language("en")
    title = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
    assert any(text.startswith("Colombie · Phase I") for text in title), title
    assert not any("phases:" in text for text in title)


def test_no_demo_mark_on_real_data() -> None:
    context = exports.ExportContext("All countries", "1 Dec 2026", "1 Dec 2026", "ILO", demo="")
    deck = Presentation(io.BytesIO(build_deck([Slide("A", kind="text", lines=["x"])], context=context)))
    assert not any("DEMO" in shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)


def test_command_line_deck_exits_0_and_writes_the_same_deck(demo_data_dir, tmp_path: Path) -> None:
    out = tmp_path / "deck.pptx"
    result = subprocess.run(
        [sys.executable, "-m", "score", "deck", "--out", str(out), "--query", "countries=COL&phases=I"],
        cwd=REPO,
        env={**os.environ, **settings.get().env()},  # the demo data dir of this test session
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    written = Presentation(str(out))
    _slides, app_deck = deck_for(Filters(countries=("COL",), phases=("I",)), Scope.public())  # the CLI's default
    assert len(written.slides) == len(app_deck.slides)
    for mine, theirs in zip(written.slides, app_deck.slides, strict=True):
        assert [s.text_frame.text for s in mine.shapes if s.has_text_frame] == [
            s.text_frame.text for s in theirs.shapes if s.has_text_frame
        ]
    for title, chart in charts_of(written).items():
        other = charts_of(app_deck)[title]
        assert list(chart.plots[0].categories) == list(other.plots[0].categories)
        assert [list(s.values) for s in chart.series] == [list(s.values) for s in other.series]


def test_command_line_refuses_unknown_filters(demo_data_dir, tmp_path: Path, capsys) -> None:
    # The command's own function, in this process: a new Python (~2 s of CPU to start and import) only to be refused;
    # the test above runs `python -m score deck` as a person types it.
    import logging

    from score.__main__ import main

    streamlit_log = logging.getLogger("streamlit")
    level = streamlit_log.level
    try:  # the command quietens Streamlit's log for its process: this one's back as it was
        assert main(["deck", "--out", str(tmp_path / "x.pptx"), "--query", "countries=XXX"]) == 1
    finally:
        streamlit_log.setLevel(level)
    assert "countries=XXX" in capsys.readouterr().err
    assert not (tmp_path / "x.pptx").exists()


def test_slide_charts_use_the_languages_separators_on_their_axes(demo_data_dir) -> None:
    import json

    at = open_page(PRESENT, {"lang": "es", "slide": "5"})  # people trained by country: thousands on the axis
    (chart,) = at.get("plotly_chart")
    layout = json.loads(chart.proto.spec)["layout"]
    assert layout["separators"] == ",."  # Spanish: 2.000 on the axis, as the bars' own labels print it
    assert "tickangle" not in layout.get("xaxis", {})  # names may turn on a narrow screen instead of overlapping


@pytest.mark.parametrize(("lang", "suffix"), [("fr", "\xa0%"), ("es", "\xa0%"), ("en", "%")])
def test_percent_slides_tick_their_axis_as_their_bars_print_the_values(demo_data_dir, lang: str, suffix: str) -> None:
    import json

    for slide in ("6", "7"):  # shares of enterprises improving, change since the baseline
        at = open_page(PRESENT, {"lang": lang, "slide": slide})
        (chart,) = at.get("plotly_chart")
        spec = json.loads(chart.proto.spec)
        assert spec["layout"]["xaxis"]["ticksuffix"] == suffix  # "20 %" beside labels reading "47,1 %"
        printed = [t for trace in spec["data"] for t in trace.get("text", []) if t != "–"]
        assert printed and all(t.endswith(suffix) and not t.endswith(" " + suffix) for t in printed)
        if slide == "7":  # falls print the axis's true minus "−4 %", not a hyphen "-4,2 %"
            assert any(t.startswith("\u2212") for t in printed) and not any(t.startswith("-") for t in printed)


def test_the_map_slides_legend_sits_under_the_map_so_it_covers_no_country_label(demo_data_dir) -> None:
    import json

    at = open_page(PRESENT, {"lang": "fr", "slide": "3"})
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    legend = spec["layout"]["legend"]
    # below the plotting area (y = 0, hanging down): a corner of the map held it over "Indonésie 203"
    assert legend["y"] <= 0 and legend["yanchor"] == "top" and legend["orientation"] == "h"
    bottom, top = spec["layout"]["yaxis"]["range"]
    assert all(bottom < a["y"] < top for a in spec["layout"]["annotations"])  # every label on the map, above it


def test_one_countrys_deck_shows_it_by_sector_and_role_not_one_bar_by_country(raw) -> None:
    # A presenter who chose Colombia: "by country" charts were one bar each (the headline slide's figures again)
    # and the map's legend one class ("0 – 250"). Now its sectors, its people by role and its logframe indicators.
    # (The slides, not the PPTX: the deck is made from them, test_deck_has_every_slide_native_charts_...)
    from tests.oracle import reference_rows

    slides, _context = slides_for(Filters(countries=("COL",)))
    assert len(slides) == SLIDES
    charts = {slide.title: slide for slide in slides if slide.categories}
    assert not [title for title in charts if "by country" in title]
    assert all(len(slide.categories) > 1 for slide in charts.values())
    sectors = charts["Enterprises engaged by sector"]
    names = {code: row["name_en"] for code, row in reference_rows("sectors").items()}
    expected = {
        names[code]: cell["enterprises"] for code, cell in raw.enterprises_by("sector", countries={"COL"}).items()
    }
    assert dict(zip(sectors.categories, sectors.series["Enterprises"], strict=True)) == expected
    roles = charts["People trained by role, women and men (distinct estimate)"]
    people = raw.people_by_role_sex(countries={"COL"})
    assert roles.categories == ["Managers", "Workers"]
    assert roles.series["Women"] == [people[(r, "female")]["people_trained"] for r in ("managers", "workers")]
    assert roles.series["Men"] == [people[(r, "male")]["people_trained"] for r in ("managers", "workers")]
    (logframe,) = [s for s in slides if s.title.startswith("Logframe status, Colombia")]
    reported = [r for r in raw.logframe_rows(countries={"COL"}) if r["status"] != "no_data"]
    assert logframe.kind == "text" and len(logframe.lines) == len(reported) > 1
    (map_slide,) = [s for s in slides if s.kind == "map"]
    assert map_slide.figure is not None and map_slide.figure.layout.showlegend is False
    # two countries: the charts by country and the map's legend as before
    slides, _context = slides_for(Filters(countries=("COL", "PER")))
    assert "Enterprises engaged by country against target" in [slide.title for slide in slides]
    assert next(s for s in slides if s.kind == "map").figure.layout.showlegend is True


def test_a_countrys_logframe_lines_are_large_on_a_projector_and_longer_text_slides_smaller() -> None:
    # Colombia's nine logframe lines were max(1.35vw, 16px): 17 px at 1280 x 720, in the top half of the slide
    import re

    from score.web import present_mode

    def size_vw(slide: Slide) -> float:
        html = present_mode.body(slide)
        return float(re.search(r'style="--line-size: max\(16px, min\(([\d.]+)vw, [\d.]+vh\)\)"', html).group(1))

    slides, _context = slides_for(Filters(countries=("COL",)))
    (logframe,) = [s for s in slides if s.title.startswith("Logframe status, Colombia")]
    (sources,) = [s for s in slides if s.kind == "text" and s is not logframe]
    assert size_vw(logframe) >= 2.0  # 27 px at 1280 px wide
    assert present_mode.TEXT_SMALLEST_VW <= size_vw(sources) < size_vw(logframe)  # paragraphs: smaller, to fit


def test_the_adjusted_figures_note_is_readable_on_a_projector():
    # the note was 12 px at 1280x720 (max(0.85vw, 12px)): unreadable from the back of a room; now as the counter
    from score.web import present_mode

    rule = re.search(r"\.slide-note \{ font-size: max\(([\d.]+)vw, (\d+)px\)", present_mode._CSS)
    assert rule is not None
    at_1280 = max(float(rule.group(1)) * 1280 / 100, float(rule.group(2)))
    assert at_1280 >= 16
