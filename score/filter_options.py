"""What each sidebar filter offers, given the others, and which filter emptied a view (no Streamlit).

Every filter's options follow the others (faceted search): the options of one filter are the values with
enterprises under all the *other* filters, so a country narrows region, province, partner and phase, and a
region narrows the countries. The counts come from queries/filter_options.sql, run under the viewer's scope like
any aggregate: the public is offered only values of 5 enterprises or more (a hidden count is no option), since a
list of partners or provinces is an aggregate too (README, "Small numbers"). Values the viewer already chose stay
in the list, so a link keeps them and the empty-view notice can say which one emptied it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from score import contract
from score.access import MIN_CELL, Scope
from score.filters import YEAR_MAX, YEAR_MIN, Filters, country_regions
from score.i18n import N_, _, current_language, fmt_int

# The filters the sidebar shows, in its order: each is a Filters field and a `field` of filter_options.sql.
FIELDS = ("countries", "regions", "provinces", "sectors", "phases", "partners", "modules")
# Runs queries/filter_options.sql under some filters with its own parameters (`query_arguments`): a frame of field,
# value, country, enterprises (None where hidden), every field's rows. The web layer passes its cached query.
Run = Callable[[Filters, Mapping[str, object]], pd.DataFrame]


def sort_key(text: str, language: str | None = None) -> tuple[str, str]:
    """Sort by name as a reader of `language` expects: case and accents do not change the order of letters
    (Sudáfrica among the S, École among the E), an accented name comes right after the same name without; in
    Spanish ñ is a letter of its own after n. Without a collation library (ICU): the accents of every letter are
    taken off for the first key (Unicode decomposition), the exact text breaks ties."""
    folded = text.casefold()
    if (language or current_language()) == "es":
        folded = folded.replace("ñ", "n\U0010ffff")  # after every n-word: Spanish sorts ñ after n
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)), decomposed


def sorted_by_name(codes: Sequence[str], names: Mapping[str, str]) -> list[str]:
    """Codes in the order of their names in the reader's language."""
    language = current_language()
    return sorted(codes, key=lambda code: sort_key(names.get(code, code), language))


def without(filters: Filters, name: str) -> Filters:
    """The filters with one list filter cleared: what a facet's options are counted under."""
    cleared: dict[str, Any] = {name: ()}
    return replace(filters, **cleared, notices=())


@dataclass(frozen=True)
class Options:
    """Per filter field: the values offered (the chosen ones first kept), and for provinces their country.
    `has_enterprises`: a value of a filter left unset has enterprises under every chosen filter, as this viewer may
    count them (exact, or 5 or more where protected), so the view they make is not empty (False: not known
    from the options, e.g. every filter is set, or the view is empty)."""

    values: dict[str, list[str]]
    province_countries: dict[str, str]
    has_enterprises: bool = False


def _present(frame: pd.DataFrame) -> pd.DataFrame:
    counts = pd.to_numeric(frame["enterprises"], errors="coerce")
    return frame[counts.fillna(0) > 0]


_NONE = pd.DataFrame({"field": [], "value": [], "country": [], "enterprises": []})  # a field without any row


def query_arguments(filters: Filters) -> tuple[Filters, dict[str, object]]:
    """The filters and parameters one run of filter_options.sql answers every field of `filters` with: the country
    and region filters as its own parameters ($country_filter, $region_countries: NULL for none) instead of the
    narrowing of $countries, so that each field's rows can leave its own filter out."""
    region_countries = sorted(c for c, region in country_regions().items() if region in filters.regions)
    return replace(filters, countries=(), regions=(), notices=()), {
        "country_filter": list(filters.countries) or None,
        "region_countries": region_countries if filters.regions else None,
    }


# A run of filter_options.sql for one field's filters: the country and region filters narrow $countries.
ONE_FIELD = {"country_filter": None, "region_countries": None}


def one_run(scope: Scope, filters: Filters) -> bool:
    """Whether one run of filter_options.sql (over the viewer's whole scope) answers every field: where the viewer's
    figures are protected (score.db) alike for every field's countries. Country staff see exact figures over their
    own countries only: with their country chosen, every field but the countries is exact and the countries' field
    is not; those are asked one field at a time, each under the other filters."""
    allowed = scope.aggregate_countries
    protected = {
        scope.suppresses(countries)
        for name in FIELDS
        if (countries := without(filters, name).countries_within(allowed))  # no country: no row either way
    }
    return protected <= {scope.suppresses(allowed)}


def options(run: Run, filters: Filters, scope: Scope) -> Options:
    """The values each filter offers under the other filters (see the module docstring)."""
    values: dict[str, list[str]] = {}
    province_countries: dict[str, str] = {}
    regions = country_regions()
    # One run answers every field (a new session ran two or three statements here); else a run per field's
    # filters, the fields whose filters are the same sharing one. Each run's rows are split by field once.
    together = one_run(scope, filters)
    counted: dict[Filters, dict[str, pd.DataFrame]] = {}
    has_enterprises = False
    for name in FIELDS:
        under = filters if together else without(filters, name)
        if under not in counted:
            present = _present(run(*query_arguments(under)) if together else run(under, ONE_FIELD))
            counted[under] = {str(key): rows for key, rows in present.groupby("field", sort=False)}
        found = counted[under].get(name, _NONE)
        # a field whose filter is unset leaves nothing out: its rows count enterprises under every chosen filter,
        # protected as the view's own count would be (one_run), and a row shown has 1 or more (5 or more where
        # protected: a count of 1-4 is hidden), so the view has enterprises (ui.empty_filters_message)
        has_enterprises = has_enterprises or (not getattr(filters, name) and len(found) > 0)
        if name == "regions":
            offered = sorted({regions[c] for c in found["value"] if c in regions})
        else:
            offered = list(dict.fromkeys(found["value"]))
        if name == "provinces":
            province_countries = dict(zip(found["value"], found["country"], strict=True))
        chosen = list(getattr(filters, name))
        values[name] = chosen + [value for value in offered if value not in chosen]
    return Options(values, province_countries, has_enterprises)


def enterprises_by_country(counts: pd.DataFrame, countries: frozenset[str]) -> pd.DataFrame:
    """Enterprises per country (country, enterprises) of `countries` (the filters' countries in the viewer's scope)
    from one run of filter_options.sql under the filters (`counts`): its countries' rows count each country's
    enterprises under every filter (the country filter left out, the rows then narrowed to it), with the same cell
    keys as country_comparison and, where `one_run` holds, the same protection, so the same figures as that query's
    `enterprises` (tests/test_filter_options.py). The country profile's first country is read from them: a new
    session ran country_comparison for it alone (BENCHMARKS.md, "The country profile's first country from the
    sidebar's counts (server, session 19)")."""
    # by position in lists: a mask over the frame's Arrow-backed strings cost ~3 ms for its ~60 rows, this ~0.6
    field, value = counts["field"].tolist(), counts["value"].tolist()
    rows = [i for i, (f, v) in enumerate(zip(field, value, strict=True)) if f == "countries" and v in countries]
    return pd.DataFrame({"country": [value[i] for i in rows], "enterprises": counts["enterprises"].to_numpy()[rows]})


def phase_years(countries: Sequence[str] | None = None) -> dict[str, tuple[int, int]]:
    """Phase -> (first year, last year) of its funding (data/reference/funding.csv), over `countries` (all when
    None or empty): "II (2013–2016)" in the sidebar."""
    years: dict[str, tuple[int, int]] = {}
    for row in contract.reference_rows("funding.csv"):
        if countries and row["country"] not in countries:
            continue
        first, last = int(row["start_date"][:4]), int(row["end_date"][:4])
        known = years.get(row["phase"])
        years[row["phase"]] = (first, last) if known is None else (min(known[0], first), max(known[1], last))
    return years


def phase_label(phase: str, years: Mapping[str, tuple[int, int]]) -> str:
    span = years.get(phase)
    return phase if span is None else _("{phase} ({first}–{last})", phase=phase, first=span[0], last=span[1])


# The filters in the order the empty-view notice adds them up; then the years.
ORDER = ("countries", "regions", "provinces", "sectors", "phases", "partners", "modules")


@dataclass(frozen=True)
class EmptyReason:
    """The filter whose values left no enterprises (or, for a viewer who sees no small numbers, fewer than 5) once
    the filters before it in ORDER were applied; `within`: those earlier filters."""

    field: str  # a Filters field, or "years"
    values: tuple[str, ...]
    within: Filters
    hidden: bool  # the count is hidden (fewer than 5, possibly none), not a known zero


def empty_reason(count: Callable[[Filters], int | None], filters: Filters) -> EmptyReason | None:
    """Which filter emptied the view: the filters are added one at a time (ORDER, then the years) and the first one
    after which `count` (enterprises under some filters; None where hidden) is 0 or hidden is named. None when the
    filters leave enterprises, or when nothing is chosen."""
    steps: list[tuple[str, Filters]] = []
    applied = Filters()
    for name in ORDER:
        if getattr(filters, name):
            applied = replace(applied, **{name: getattr(filters, name)})
            steps.append((name, applied))
    if filters.year_from != YEAR_MIN or filters.year_to != YEAR_MAX:
        steps.append(("years", replace(filters, notices=())))
    before = Filters()
    for name, upto in steps:
        found = count(upto)
        if not found:
            values = (_year_span(filters),) if name == "years" else tuple(getattr(filters, name))
            return EmptyReason(name, values, before, hidden=found is None)
        before = upto
    return None


def _year_span(filters: Filters) -> str:
    first = "" if filters.year_from == YEAR_MIN else str(filters.year_from)
    last = "" if filters.year_to == YEAR_MAX else str(filters.year_to)
    return f"{first}–{last}"


# The sidebar's label of each filter (shown through _()).
FIELD_NAMES = {
    "countries": N_("Country"),
    "regions": N_("World region"),
    "provinces": N_("Province"),
    "sectors": N_("Sector"),
    "phases": N_("Phase"),
    "partners": N_("Partner"),
    "modules": N_("Module"),
    "years": N_("Year joined"),
}


def empty_message(reason: EmptyReason, names: Callable[[str, Sequence[str]], str]) -> str:
    """The empty-view notice in the reader's language, e.g. "No enterprises: World region Africa has none in
    Colombia." `names(field, values)` gives the values' names."""
    what = f"{_(FIELD_NAMES[reason.field])} {names(reason.field, reason.values)}"
    within = ", ".join(names(name, getattr(reason.within, name)) for name in ORDER if getattr(reason.within, name))
    if reason.hidden:
        if within:
            return _(
                "Too few enterprises to show: {filter} leaves fewer than {n} (possibly none) in {within}.",
                filter=what,
                n=fmt_int(MIN_CELL),
                within=within,
            )
        return _(
            "Too few enterprises to show: {filter} leaves fewer than {n} (possibly none).",
            filter=what,
            n=fmt_int(MIN_CELL),
        )
    if within:
        return _("No enterprises: {filter} has none in {within}.", filter=what, within=within)
    return _("No enterprises: {filter} has none.", filter=what)
