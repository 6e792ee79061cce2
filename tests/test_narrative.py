"""Narrative summaries: every number in the words, read back in each language's own number format, equals the
independent count from the raw CSV files (tests/oracle.py), for every country and for the programme, as HQ sees
them (exact figures); the public's summary hides what a small cell would reveal."""

from __future__ import annotations

import re

import pytest

from score import db, i18n
from score.access import Scope
from score.filters import Filters
from score.narrative import narrative

CHANGES = ("accidents", "absenteeism", "defect_rate", "energy_use", "staff_turnover")
SHARES = ("good_practices_adopted", "workplace_relations_improved", "cost_savings_reported")
MIN_N = 10  # the rule under test: changes over fewer enterprises are not described

# A number as each language writes it: grouping and decimal marks (French groups with a narrow no-break space).
NUMBER = {
    "en": (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", ",", "."),
    "fr": (r"\d{1,3}(?:[\u202f\u00a0 ]\d{3})+(?:,\d+)?|\d+(?:,\d+)?", "\u202f\u00a0 ", ","),
    "es": (r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?", ".", ","),
}


def numbers_in(text: str, language: str) -> list[tuple[float, int]]:
    """Every number of `text` as (value, decimals shown), read the way `language` writes numbers."""
    pattern, group, decimal = NUMBER[language]
    found = []
    for match in re.findall(pattern, text):
        plain = "".join(ch for ch in match if ch not in group).replace(decimal, ".")
        found.append((float(plain), len(plain.split(".")[1]) if "." in plain else 0))
    return found


def expected_numbers(raw, countries: list[str] | None) -> list[float]:
    """The figures a summary states, in its order, from the raw files (plain Python)."""
    where = {"countries": set(countries)} if countries else {}
    kpis = raw.kpis(**where)
    out: list[float] = [] if countries else [len(raw.countries())]
    out += [kpis["enterprises"], kpis["workers_reached"], 100 * kpis["workers_female"] / kpis["workers_reached"]]
    out += [kpis["people_trained"], 100 * kpis["people_trained_female"] / kpis["people_trained"]]
    changes = [raw.change(code, **where) for code in CHANGES]
    described = [c for c in changes if c["n"] >= MIN_N]
    ns = sorted({c["n"] for c in described})
    out += [ns[0], ns[-1]] if len(ns) > 1 else ns
    out += [abs(c["change_pct"]) for c in described]
    shares = [raw.share(code, **where) for code in SHARES]
    described_shares = [s for s in shares if s[0] >= MIN_N]
    ns = sorted({n for n, _pct in described_shares})
    out += [ns[0], ns[-1]] if len(ns) > 1 else ns
    out += [pct for _n, pct in described_shares]
    return out


def summary(country: str | None, scope: Scope, language: str) -> str:
    i18n.set_language(language)
    chosen = Filters(countries=(country,)) if country else Filters()
    try:
        return narrative(lambda name, **params: db.run_query(name, scope, chosen, **params), country).text
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_number_of_every_summary_equals_the_raw_files(raw, language: str) -> None:
    for country in [None, *raw.countries()]:
        text = summary(country, Scope.hq("tests"), language)
        shown = numbers_in(text, language)
        expected = expected_numbers(raw, [country] if country else None)
        assert len(shown) == len(expected), (country, text)
        for (value, decimals), truth in zip(shown, expected, strict=True):
            # the printed value is the true one, rounded to the decimals shown
            assert abs(value - truth) <= 0.5 * 10**-decimals + 1e-9, (country, language, value, truth, text)
        if country:
            assert country in text  # the place the summary is about (the test passes the code as the name)


def test_a_change_is_said_in_its_direction(raw) -> None:
    text = summary("COL", Scope.hq("tests"), "en")
    change = raw.change("accidents", countries={"COL"})["change_pct"]
    assert ("work accidents fell by" if change < 0 else "work accidents rose by") in text


def test_the_public_summary_of_a_tiny_selection_states_no_figure(demo_data_dir) -> None:
    i18n.set_language("en")
    chosen = Filters(countries=("BOL",), sectors=("tourism_hospitality",), year_from=2009, year_to=2009)
    text = narrative(lambda name, **params: db.run_query(name, Scope.public(), chosen, **params), "Bolivia").text
    assert "fewer than 5" in text
    assert not re.search(r"\d", text.replace("5", ""))


def test_a_public_summary_with_its_workers_hidden_as_too_few_says_so(demo_data_dir, monkeypatch) -> None:
    from score import disclosure

    i18n.set_language("en")
    monkeypatch.setattr(disclosure, "PEOPLE_MIN", 10**6)  # every public number of people is too small to show
    text = narrative(lambda name, **params: db.run_query(name, Scope.public(), **params)).text  # no TypeError
    assert f"SMEs with fewer than {disclosure.PEOPLE_MIN:,} workers joined SCORE" in text


def test_the_deck_speaker_notes_open_with_the_summary_of_the_country_in_view(demo_data_dir) -> None:
    from score import exports, presentation

    chosen = Filters(countries=("GHA",))
    query = lambda name, **params: db.run_query(name, Scope.hq("tests"), chosen, **params)  # noqa: E731
    labels = {"country": {"GHA": "Ghana"}, "indicator": {}}
    context = exports.export_context(chosen, labels, {})
    slides = presentation.deck_slides(query, labels, chosen, context)
    assert slides[0].notes.startswith(narrative(query, "Ghana").text)
    assert slides[0].notes.startswith("In Ghana, ")
