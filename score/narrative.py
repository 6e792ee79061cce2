"""Narrative summaries: a short paragraph that says in words what the figures say, for one country or for the
programme, in the reader's language, made from the figures by rules (never by a language model).

Every number comes from a named query run by the caller's `query(name, **params)` under the viewer's scope and
filters (overview_kpis, outcome_changes, outcome_shares): the public reads the adjusted figures and nothing a
hidden cell would reveal, HQ the exact ones. Words follow these rules:

- reach: enterprises, workers reached with the women's share, people trained (distinct estimate);
- change from baseline to follow-up, one template per indicator and direction: an indicator is described only
  when at least `MIN_N` enterprises have both values (a change over a handful of enterprises says nothing);
  a change of less than `STABLE_PCT` % either way "stayed about the same"; the enterprises' number (n) is said,
  as a range when the indicators' n differ;
- the yes/no outcomes reported at follow-up, with their n.

Plurals go through `ngettext`, numbers through `fmt_*`, lists through the language's own "a, b and c".
The text is plain text: whoever shows it as HTML escapes it (a country name is reference data, but the rule
holds for every text shown).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from babel.lists import format_list

from score import disclosure
from score.filters import Filters
from score.i18n import _, current_language, fmt_int, fmt_pct, ngettext

Query = Callable[..., pd.DataFrame]
MIN_N = 10  # fewer enterprises with a baseline and a follow-up than this: the change is not described
STABLE_PCT = 1.0  # a change smaller than this (in %, either way) is "about the same"
_LIST_LOCALES = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}
CHANGE_ORDER = ("accidents", "absenteeism", "defect_rate", "energy_use", "staff_turnover")
SHARE_ORDER = ("good_practices_adopted", "workplace_relations_improved", "cost_savings_reported")


@dataclass(frozen=True)
class Narrative:
    """The summary as sentences (plain text, in the language current when it was made)."""

    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def _hidden(row: Mapping[str, object] | pd.Series) -> bool:
    return bool(row.get("suppressed", False)) if hasattr(row, "get") else False


def change_pct_text(value: float) -> str:
    """A change's size as the sentence says it: one decimal below 10 % ("3.6%"), none above ("18%")."""
    size = abs(float(value))
    return fmt_pct(size, 1 if size < 10 else 0)


def and_list(items: Sequence[str]) -> str:
    """'a, b and c' in the current language."""
    return format_list(list(items), locale=_LIST_LOCALES.get(current_language(), "en_GB"))


def _change_words(code: str, direction: str, pct: str, names: Mapping[str, str]) -> str:
    """One template per indicator and direction ("fell", "rose", "same"); an indicator added later as data
    (reference/indicators.csv) is said with its name."""
    templates = {
        "accidents": (
            _("work accidents fell by {pct}", pct=pct),
            _("work accidents rose by {pct}", pct=pct),
            _("work accidents stayed about the same"),
        ),
        "absenteeism": (
            _("absenteeism fell by {pct}", pct=pct),
            _("absenteeism rose by {pct}", pct=pct),
            _("absenteeism stayed about the same"),
        ),
        "defect_rate": (
            _("the defect rate fell by {pct}", pct=pct),
            _("the defect rate rose by {pct}", pct=pct),
            _("the defect rate stayed about the same"),
        ),
        "energy_use": (
            _("energy use fell by {pct}", pct=pct),
            _("energy use rose by {pct}", pct=pct),
            _("energy use stayed about the same"),
        ),
        "staff_turnover": (
            _("staff turnover fell by {pct}", pct=pct),
            _("staff turnover rose by {pct}", pct=pct),
            _("staff turnover stayed about the same"),
        ),
    }
    fell, rose, same = templates.get(code) or (
        _("{indicator} fell by {pct}", indicator=names.get(code, code), pct=pct),
        _("{indicator} rose by {pct}", indicator=names.get(code, code), pct=pct),
        _("{indicator} stayed about the same", indicator=names.get(code, code)),
    )
    return {"fell": fell, "rose": rose}.get(direction, same)


def _share_words(code: str, pct: str, names: Mapping[str, str]) -> str:
    templates = {
        "good_practices_adopted": _("{pct} had adopted good management practices", pct=pct),
        "workplace_relations_improved": _("{pct} reported better workplace relations", pct=pct),
        "cost_savings_reported": _("{pct} reported cost savings", pct=pct),
    }
    return templates.get(code) or _("{pct}: {indicator}", pct=pct, indicator=names.get(code, code))


def direction_of(change_pct: float) -> str:
    """ "fell", "rose" or "same" (a change under STABLE_PCT either way)."""
    if abs(change_pct) < STABLE_PCT:
        return "same"
    return "fell" if change_pct < 0 else "rose"


def _ordered(frame: pd.DataFrame, order: Sequence[str]) -> list[pd.Series]:
    rank = {code: index for index, code in enumerate(order)}
    rows = [row for _index, row in frame.iterrows()]
    return sorted(rows, key=lambda row: (rank.get(str(row["indicator"]), len(rank)), str(row["indicator"])))


def described_changes(changes: pd.DataFrame) -> list[pd.Series]:
    """The rows of outcome_changes a narrative describes: shown to this viewer, n >= MIN_N, a change known."""
    return [
        row
        for row in _ordered(changes, CHANGE_ORDER)
        if not _hidden(row)
        and not _missing(row["n_enterprises"])
        and int(row["n_enterprises"]) >= MIN_N
        and not _missing(row["change_pct"])
    ]


def described_shares(shares: pd.DataFrame) -> list[pd.Series]:
    """The rows of outcome_shares a narrative describes: shown to this viewer, n >= MIN_N, a share known."""
    return [
        row
        for row in _ordered(shares, SHARE_ORDER)
        if not _hidden(row)
        and not _missing(row["n_enterprises"])
        and int(row["n_enterprises"]) >= MIN_N
        and not _missing(row["share_pct"])
    ]


def _range(rows: Sequence[pd.Series]) -> tuple[int, int]:
    counts = [int(row["n_enterprises"]) for row in rows]
    return min(counts), max(counts)


def _reach(kpis: pd.Series, place: str | None) -> str:
    enterprises = ngettext("{n} SME", "{n} SMEs", int(kpis["enterprises"]))
    reached = kpis["workers_reached"]
    if _missing(reached):  # hidden from the public as too small a number of people (score.disclosure.PEOPLE_MIN)
        workers = _("fewer than {n} workers", n=fmt_int(disclosure.PEOPLE_MIN))
    else:
        workers = ngettext("{n} worker", "{n} workers", int(reached))
    women = kpis.get("workers_female_pct")
    if place is not None:
        if _missing(women):
            return _(
                "In {place}, {enterprises} with {workers} joined SCORE.", place=place, **_both(enterprises, workers)
            )
        return _(
            "In {place}, {enterprises} with {workers} ({women} women) joined SCORE.",
            place=place,
            women=fmt_pct(women),
            **_both(enterprises, workers),
        )
    countries = int(kpis.get("countries") or 0)
    if _missing(women):
        return ngettext(
            "In {n} country, {enterprises} with {workers} joined SCORE.",
            "Across {n} countries, {enterprises} with {workers} joined SCORE.",
            countries,
            **_both(enterprises, workers),
        )
    return ngettext(
        "In {n} country, {enterprises} with {workers} ({women} women) joined SCORE.",
        "Across {n} countries, {enterprises} with {workers} ({women} women) joined SCORE.",
        countries,
        women=fmt_pct(women),
        **_both(enterprises, workers),
    )


def _both(enterprises: str, workers: str) -> dict[str, str]:
    return {"enterprises": enterprises, "workers": workers}


def _trained(kpis: pd.Series) -> str | None:
    people = kpis.get("people_trained")
    if _missing(people) or not people:
        return None
    women = kpis.get("people_trained_female_pct")
    if _missing(women):
        return ngettext(
            "{n} person took part in the classroom training (distinct estimate).",
            "{n} people took part in the classroom training (distinct estimate).",
            int(people),
        )
    return ngettext(
        "{n} person took part in the classroom training ({women} women; distinct estimate).",
        "{n} people took part in the classroom training ({women} women; distinct estimate).",
        int(people),
        women=fmt_pct(women),
    )


def _changes(changes: pd.DataFrame, names: Mapping[str, str]) -> str | None:
    rows = described_changes(changes)
    if not rows:
        return None
    clauses = and_list(
        [
            _change_words(
                str(row["indicator"]),
                direction_of(float(row["change_pct"])),
                change_pct_text(float(row["change_pct"])),
                names,
            )
            for row in rows
        ]
    )
    low, high = _range(rows)
    if low == high:
        return ngettext(
            "Among the {n} SME with a baseline and a follow-up, {clauses}.",
            "Among the {n} SMEs with a baseline and a follow-up, {clauses}.",
            low,
            clauses=clauses,
        )
    return _(
        "Among the {low} to {high} SMEs with a baseline and a follow-up, {clauses}.",
        low=fmt_int(low),
        high=fmt_int(high),
        clauses=clauses,
    )


def _shares(shares: pd.DataFrame, names: Mapping[str, str]) -> str | None:
    rows = described_shares(shares)
    if not rows:
        return None
    clauses = and_list([_share_words(str(row["indicator"]), fmt_pct(row["share_pct"]), names) for row in rows])
    low, high = _range(rows)
    if low == high:
        return ngettext(
            "Of the {n} SME that answered at follow-up, {clauses}.",
            "Of the {n} SMEs that answered at follow-up, {clauses}.",
            low,
            clauses=clauses,
        )
    return _(
        "Of the {low} to {high} SMEs that answered at follow-up, {clauses}.",
        low=fmt_int(low),
        high=fmt_int(high),
        clauses=clauses,
    )


def place_of(filters: Filters, country_names: Mapping[str, str]) -> str | None:
    """The country a summary of `filters` is about (its name), or None when several or all are in view."""
    if len(filters.countries) == 1 and not filters.regions:
        return country_names.get(filters.countries[0], filters.countries[0])
    return None


def narrative(query: Query, place: str | None = None, indicator_names: Mapping[str, str] | None = None) -> Narrative:
    """The summary of the figures `query` returns (the viewer's scope and filters): `place` is the country's name
    for a country's summary, None for the programme (the countries in view). `indicator_names`: labels of
    indicators that have no template of their own."""
    names = indicator_names or {}
    kpis = query("overview_kpis").iloc[0]
    if _hidden(kpis) or _missing(kpis["enterprises"]) or not kpis["enterprises"]:
        if place is not None:
            return Narrative((_("In {place}, fewer than 5 SMEs, or none, match the current filters.", place=place),))
        return Narrative((_("Fewer than 5 SMEs, or none, match the current filters."),))
    sentences = [_reach(kpis, place), _trained(kpis), _changes(query("outcome_changes"), names)]
    sentences.append(_shares(query("outcome_shares"), names))
    if sentences[2] is None:
        sentences.append(
            _(
                "Fewer than {n} SMEs have both a baseline and a follow-up: changes are not described yet.",
                n=fmt_int(MIN_N),
            )
        )
    return Narrative(tuple(s for s in sentences if s))
