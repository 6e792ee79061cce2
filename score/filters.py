"""Global filters: one frozen value, round-tripped through the URL and turned into query parameters.

Every value read from the URL is checked against the known codes; anything unknown or malformed
is dropped and reported back as a notice (never an error), so a shared link always opens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from score import contract
from score.i18n import N_

YEAR_MIN, YEAR_MAX = 2005, 2035
MAX_VALUES = 100  # per URL key; a longer list is not a real link and the rest is ignored
MAX_NOTICES = 10
REGIONS = (N_("Africa"), N_("Asia"), N_("Latin America"))  # codes in countries.csv; shown through _()
# URL key for each list field, and the code list its values must come from.
LIST_FIELDS = {
    "countries": "country",
    "regions": "region",
    "provinces": "province",
    "sectors": "sector",
    "phases": "phase",
    "partners": "partner",
    "modules": "module",
}


def country_regions() -> dict[str, str]:
    return {row["iso3"]: row["region"] for row in contract.reference_rows("countries.csv")}


@dataclass(frozen=True)
class Filters:
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    year_from: int = YEAR_MIN
    year_to: int = YEAR_MAX
    notices: tuple[str, ...] = field(default=(), compare=False, hash=False)

    def countries_within(self, allowed: frozenset[str]) -> frozenset[str]:
        """Countries a query may read: the viewer's allowed set narrowed by country and region filters."""
        chosen = set(allowed)
        if self.countries:
            chosen &= set(self.countries)
        if self.regions:
            regions = country_regions()
            chosen = {c for c in chosen if regions.get(c) in self.regions}
        return frozenset(chosen)

    def sql_params(self, countries: frozenset[str]) -> dict[str, object]:
        """Named parameters for the filter macros; an empty list means "no filter" except for countries."""
        return {
            "countries": sorted(countries),
            "provinces": list(self.provinces) or None,
            "sectors": list(self.sectors) or None,
            "phases": list(self.phases) or None,
            "partners": list(self.partners) or None,
            "modules": list(self.modules) or None,
            "year_from": self.year_from,
            "year_to": self.year_to,
        }

    def to_query_params(self) -> dict[str, list[str] | str]:
        """Only non-default values, so links stay short."""
        out: dict[str, list[str] | str] = {}
        for name in LIST_FIELDS:
            values = getattr(self, name)
            if values:
                out[name] = list(values)
        if self.year_from != YEAR_MIN:
            out["year_from"] = str(self.year_from)
        if self.year_to != YEAR_MAX:
            out["year_to"] = str(self.year_to)
        return out

    def is_default(self) -> bool:
        return not self.to_query_params()

    def describe(self) -> dict[str, str]:
        """Filter name -> readable value, for captions and exports."""
        out = {name: ", ".join(getattr(self, name)) for name in LIST_FIELDS if getattr(self, name)}
        if self.year_from != YEAR_MIN or self.year_to != YEAR_MAX:
            out["years"] = f"{self.year_from}–{self.year_to}"
        return out


# Values that are data, not code lists: the partners and provinces found in the current version.
DATA_FIELDS = ("partners", "provinces")


def known_codes(
    partners: list[str] | tuple[str, ...] = (), provinces: list[str] | tuple[str, ...] = ()
) -> dict[str, tuple[str, ...]]:
    codes = {
        name: contract.code_list(kind) for name, kind in LIST_FIELDS.items() if name not in ("regions", *DATA_FIELDS)
    }
    codes["regions"] = REGIONS
    codes["partners"] = tuple(partners)
    codes["provinces"] = tuple(provinces)
    return codes


def _as_list(raw: object, whole: Mapping[str, str] | None = None) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        items = [raw]
    elif isinstance(raw, list | tuple):
        items = [str(v) for v in raw]
    else:
        return []
    # A single value may also carry a comma-separated list (hand-edited links), unless it is one value of `whole`
    # (casefolded keys) as it stands: a partner "Ministry of Labour, Invalids and Social Affairs" is one partner.
    whole = whole or {}
    parts = (part for item in items for part in ([item] if item.strip().casefold() in whole else item.split(",")))
    return [part.strip() for part in parts if part.strip()]


def _parse_year(raw: object) -> int | None:
    values = _as_list(raw)
    if len(values) != 1 or not values[0].isascii() or not values[0].isdigit() or len(values[0]) != 4:
        return None
    year = int(values[0])
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def echo(value: object) -> str:
    """A rejected URL value as it may be shown back to the user: short, and with nothing but letters,
    digits, spaces, '-' and '_' (no markdown, links, HTML, control or bidi characters). A repeated parameter
    (a list) reads as its values, not as Python's "['abc']"."""
    text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return "".join(ch if ch.isalnum() or ch in " -_" else "?" for ch in text[:40])


def from_query_params(
    params: Mapping[str, object],
    partners: list[str] | tuple[str, ...] = (),
    provinces: list[str] | tuple[str, ...] = (),
) -> Filters:
    """Build Filters from URL parameters; unknown values are dropped and listed in `notices`. Partners and
    provinces are checked against those of the current data (`partners`, `provinces`)."""
    codes = known_codes(partners, provinces)
    values: dict[str, object] = {}
    notices: list[str] = []
    for name in LIST_FIELDS:
        allowed = {c.casefold(): c for c in codes[name]}
        kept: list[str] = []
        for value in _as_list(params.get(name), allowed)[:MAX_VALUES]:
            canonical = allowed.get(value.casefold())
            if canonical is None:
                notices.append(f"{name}={echo(value)}")
            elif canonical not in kept:
                kept.append(canonical)
        values[name] = tuple(kept)
    for name in ("year_from", "year_to"):
        if params.get(name) is None:
            continue
        year = _parse_year(params.get(name))
        if year is None:
            notices.append(f"{name}={echo(params.get(name))}")
        else:
            values[name] = year
    if len(notices) > MAX_NOTICES:
        notices = [*notices[:MAX_NOTICES], "…"]
    filters = Filters(**values, notices=tuple(notices))  # type: ignore[arg-type]
    if filters.year_from > filters.year_to:
        filters = replace(filters, year_from=filters.year_to, year_to=filters.year_from)
    return filters


def within_years(chosen: Filters, first: int, last: int) -> Filters:
    """`chosen` with its years inside the data's (`first`..`last`): a bound that leaves no year with data (a year_to
    before the first year, a year_from after the last) is dropped with a notice, as an unknown value is; a range
    that overlaps the data's is clamped to it, so the year slider always holds a range it can draw."""
    notices = list(chosen.notices)
    year_from, year_to = chosen.year_from, chosen.year_to
    if year_from > last:
        notices.append(f"year_from={year_from}")
        year_from = YEAR_MIN
    if year_to < first:
        notices.append(f"year_to={year_to}")
        year_to = YEAR_MAX
    return replace(chosen, year_from=max(year_from, first), year_to=min(year_to, last), notices=tuple(notices))
