"""The three attack families of issues 10 and 20, as a careful outsider (or a country user against other
countries) would script them; used by tests/test_disclosure.py and `make attack` (bench/disclosure_attack.py).

1. One pair (differencing): a hidden cell (1-4 enterprises) as the difference of two cells the attacker may see:
   - public, one filter dimension: all enterprises minus all but one value (a sector, partner, phase, country;
     a joining year as [y, last] minus [y + 1, last]);
   - public, a country within a selection: selection F (a sector, partner, phase, module, year, or sector x phase)
     over all countries minus F over all countries but one;
   - country staff against another country C: F over {own, C} (adjusted) minus F over {own} (exact for them), and
     F over all countries minus F over all but C.
2. Averaging: the hidden cell F x C with and without C over >= 16 different sets of other countries (both sides
   shown with at least 9 enterprises), then the most likely count under the known count noise (the perturbation
   table) and the median of the workers differences. The averaged count difference tends to the hidden group's fixed
   weight (score.disclosure.count_offsets), drawn without looking at its count: no estimator knowing the method
   does better than guessing the commonest hidden count.
3. Presence: the hidden cell (country x sector x phase) split by partner and then by joining year; a sub-cell whose
   figures differ from those of a cell known to be empty counts as one enterprise at least.
Truth comes from tests/oracle.py (the raw CSVs). A count is recovered when the estimate equals the true count;
workers when the estimate is within 5% of the cell's true headcount (reported for every cell, and for cells of
one enterprise alone).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import combinations, islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from score import contract, db, disclosure, settings
from score.access import MIN_CELL, Scope
from score.filters import Filters
from tests.oracle import RawData

FIGURES = ("enterprises", "workers_reached")


def build_with_secret(root: Path, secret: str) -> Path:
    """A private copy of the demo set built with a given secret (so the record keys are known in advance)."""
    from score.publish import build_all
    from tests.conftest import make_data_dir

    data = make_data_dir(root)
    (data / "secret.key").write_text(secret + "\n")
    settings.update(data_dir=data)  # the caller's (a test fixture's `settings.overridden`, or a bench run's)
    build_all(user="tests")
    return data


@dataclass
class Tally:
    attacked: int = 0
    counts_exact: int = 0
    workers_close: int = 0  # cells whose workers came out within 5%
    single: int = 0  # hidden cells of exactly one enterprise
    single_close: int = 0  # ... whose workers came out within 5%
    queries: int = 0
    exact_cells: list[str] = field(default_factory=list)
    close_workers: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("attacked", "counts_exact", "workers_close", "single", "single_close", "queries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.exact_cells += other.exact_cells
        self.close_workers += other.close_workers

    def score(self, label: str, truth: dict[str, float], count: int | None, workers: float | None) -> None:
        """One attacked cell: the attacker's estimates against the truth (None: no estimate)."""
        self.attacked += 1
        if count is not None and count == truth["enterprises"]:
            self.counts_exact += 1
            self.exact_cells.append(label)
        single = truth["enterprises"] == 1
        self.single += single
        if workers is not None and abs(workers - truth["workers_reached"]) <= 0.05 * truth["workers_reached"]:
            self.workers_close += 1
            self.single_close += single
            self.close_workers.append(f"{label}: {workers:.0f} vs {truth['workers_reached']}")

    def line(self, label: str) -> str:
        def share(n: int, of: int) -> str:
            return f"{n / of:.0%}" if of else "-"

        return (
            f"{label}: {self.attacked} hidden cells attacked ({self.queries} queries), "
            f"{self.counts_exact} counts recovered exactly ({share(self.counts_exact, self.attacked)}); "
            f"workers within 5%: {self.workers_close} cells ({share(self.workers_close, self.attacked)}), "
            f"{self.single_close} of {self.single} single enterprises"
        )


def _filters(**values: Any) -> Filters:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list | tuple | set) else v for k, v in values.items()}
    return Filters(**fields)


def _truth_args(filters: Filters) -> dict[str, object]:
    return {
        "countries": set(filters.countries) if filters.countries else None,
        "sectors": set(filters.sectors) or None,
        "phases": set(filters.phases) or None,
        "partners": set(filters.partners) or None,
        "modules": set(filters.modules) or None,
        "year_from": filters.year_from,
        "year_to": filters.year_to,
    }


def selections(raw: RawData) -> Iterator[tuple[str, Filters]]:
    """Every single filter value and every sector x phase, as (label, filters)."""
    sectors = sorted({e["sector"] for e in raw.enterprises})
    phases = sorted({e["phase"] for e in raw.enterprises})
    partners = sorted({e["partner"] for e in raw.enterprises if e["partner"]})
    years = sorted({int(e["joined_on"][:4]) for e in raw.enterprises})
    for sector in sectors:
        yield f"sector={sector}", _filters(sectors=[sector])
    for phase in phases:
        yield f"phase={phase}", _filters(phases=[phase])
    for partner in partners:
        yield f"partner={partner}", _filters(partners=[partner])
    for module in contract.code_list("module"):
        yield f"module={module}", _filters(modules=[module])
    for year in years:
        yield f"year={year}", _filters(year_from=year, year_to=year)
    for sector in sectors:
        for phase in phases:
            yield f"sector={sector}&phase={phase}", _filters(sectors=[sector], phases=[phase])


def one_dimension_pairs(raw: RawData) -> Iterator[tuple[str, Filters, Filters, Filters]]:
    """(label, target, bigger, smaller): bigger minus smaller is the target, over all countries."""
    values = {
        "countries": sorted({e["country"] for e in raw.enterprises}),
        "sectors": sorted({e["sector"] for e in raw.enterprises}),
        "phases": sorted({e["phase"] for e in raw.enterprises}),
        "partners": sorted({e["partner"] for e in raw.enterprises if e["partner"]}),
        "modules": list(contract.code_list("module")),
    }
    for dimension, codes in values.items():
        for code in codes:
            others = [c for c in codes if c != code]
            if dimension == "modules":
                continue  # "all but one module" is not a set difference of enterprises (they take several)
            yield f"{dimension}={code}", _filters(**{dimension: [code]}), Filters(), _filters(**{dimension: others})
    years = sorted({int(e["joined_on"][:4]) for e in raw.enterprises})
    for year in years[:-1]:
        yield (
            f"year={year}",
            _filters(year_from=year, year_to=year),
            _filters(year_from=year, year_to=years[-1]),
            _filters(year_from=year + 1, year_to=years[-1]),
        )


class Attacker:
    def __init__(self, raw: RawData, scope: Scope):
        self.raw, self.scope = raw, scope
        self.seen: dict[Filters, pd.Series] = {}
        self.tally = Tally()

    def row(self, filters: Filters) -> pd.Series:
        """The headline row the attacker sees for these filters (every column, as the page gets it)."""
        if filters not in self.seen:
            self.seen[filters] = db.run_query("overview_kpis", self.scope, filters).iloc[0]
            self.tally.queries += 1
        return self.seen[filters]

    def figures(self, filters: Filters) -> dict[str, float] | None:
        """Enterprises and workers shown for these filters; None when hidden."""
        row = self.row(filters)
        values = {name: row[name] for name in FIGURES}
        if any(v is None or v != v for v in values.values()):
            return None
        return {name: float(v) for name, v in values.items()}

    def hidden(self, target: Filters) -> bool:
        n = self.raw.kpis(**_truth_args(target))["enterprises"]
        return 1 <= n < MIN_CELL

    def truth(self, target: Filters) -> dict[str, float]:
        return self.raw.kpis(**_truth_args(target))

    def attack(self, label: str, target: Filters, bigger: Filters, smaller: Filters) -> None:
        """Family 1: one difference."""
        big, small = self.figures(bigger), self.figures(smaller)
        if big is None or small is None:
            return  # one side hidden: nothing to subtract
        count = round(big["enterprises"] - small["enterprises"])
        self.tally.score(label, self.truth(target), count, big["workers_reached"] - small["workers_reached"])

    def average(self, label: str, target: Filters, pairs: Iterator[tuple[Filters, Filters]], wanted: int) -> None:
        """Family 2: the differences of up to `wanted` pairs (bigger, smaller) that are both shown with at least
        AVERAGING_MIN enterprises; the most likely count under the known count noise, the median workers."""
        counts: list[tuple[float, float]] = []
        workers: list[float] = []
        for bigger, smaller in pairs:
            big, small = self.figures(bigger), self.figures(smaller)
            if big is None or small is None or min(big["enterprises"], small["enterprises"]) < AVERAGING_MIN:
                continue
            counts.append((big["enterprises"], small["enterprises"]))
            workers.append(big["workers_reached"] - small["workers_reached"])
            if len(counts) == wanted:
                break
        if len(counts) < wanted:
            return
        self.tally.score(label, self.truth(target), most_likely_count(counts), float(np.median(workers)))

    def looks_empty(self, filters: Filters, empty: Filters) -> bool:
        """Family 3: whether these filters show exactly what a cell known to be empty shows."""
        return self.row(filters).astype(str).equals(self.row(empty).astype(str))

    def presence(self, label: str, target: Filters, partners: list[str], years: list[int]) -> None:
        """Family 3: split the hidden cell by partner, then the partners that do not look empty by year; the
        estimate is the number of sub-cells (partner x year) that do not look empty."""
        empty = replace(target, year_from=years[0] - 1, year_to=years[0] - 1)  # before anyone joined: surely none
        found = 0
        for partner in partners:
            by_partner = replace(target, partners=(partner,))
            if self.looks_empty(by_partner, empty):
                continue
            for year in years:
                if not self.looks_empty(replace(by_partner, year_from=year, year_to=year), empty):
                    found += 1
        self.tally.score(label, self.truth(target), found, None)


AVERAGING_MIN = 9  # both sides of an averaged pair show at least this many enterprises (as in the review)


def most_likely_count(pairs: list[tuple[float, float]]) -> int:
    """The count 1-4 that makes the observed differences most likely, if each shown count is the true one plus
    its row of the perturbation table at an unknown cell key (all keys alike): the attacker knows the table."""
    table = disclosure.count_ptable()
    best, best_score = 1, -np.inf
    for n in range(1, MIN_CELL):
        score = 0.0
        for big, small in pairs:
            shown_small = int(small)
            rows = table[min(shown_small + n, disclosure.PTABLE_MAX)], table[min(shown_small, disclosure.PTABLE_MAX)]
            a, b = (np.bincount(row + 2, minlength=5) / len(row) for row in rows)  # P(adjustment = -2..2)
            difference = np.convolve(a, b[::-1])  # P(a - b = -4..4)
            offset = int(big - small) - n + 4
            score += np.log((difference[offset] if 0 <= offset < len(difference) else 0.0) + 1e-12)
        if score > best_score:
            best, best_score = n, score
    return best


def public_attack(raw: RawData) -> Tally:
    """Family 1 as the public."""
    attacker = Attacker(raw, Scope.public())
    for label, target, bigger, smaller in one_dimension_pairs(raw):
        if attacker.hidden(target):
            attacker.attack(label, target, bigger, smaller)
    countries = sorted({e["country"] for e in raw.enterprises})
    for label, selection in selections(raw):
        for country in countries:
            target = replace(selection, countries=(country,))
            if attacker.hidden(target):
                others = tuple(c for c in countries if c != country)
                smaller = replace(selection, countries=others)
                attacker.attack(f"{label}&countries={country}", target, selection, smaller)
    return attacker.tally


def country_attack(raw: RawData, own: str) -> tuple[Tally, Tally]:
    """Family 1 as country staff of `own` against every other country: (with their own exact cells, all minus one)."""
    scope = Scope.country("attacker", {own})
    with_own, all_minus_one = Attacker(raw, scope), Attacker(raw, scope)
    countries = sorted({e["country"] for e in raw.enterprises})
    for label, selection in selections(raw):
        for country in countries:
            if country == own:
                continue
            target = replace(selection, countries=(country,))
            if not with_own.hidden(target):
                continue
            both = replace(selection, countries=tuple(sorted((own, country))))
            mine = replace(selection, countries=(own,))
            with_own.attack(f"{label}&countries={country}", target, both, mine)
            others = tuple(c for c in countries if c != country)
            smaller = replace(selection, countries=others)
            all_minus_one.attack(f"{label}&countries={country}", target, selection, smaller)
    return with_own.tally, all_minus_one.tally


def hidden_country_cells(raw: RawData, exclude: str | None = None) -> Iterator[tuple[str, Filters, Filters]]:
    """(label, selection, target) for every hidden country x sector x phase cell (not of country `exclude`)."""
    countries = sorted({e["country"] for e in raw.enterprises})
    sectors = sorted({e["sector"] for e in raw.enterprises})
    phases = sorted({e["phase"] for e in raw.enterprises})
    for sector in sectors:
        for phase in phases:
            selection = _filters(sectors=[sector], phases=[phase])
            for country in countries:
                target = replace(selection, countries=(country,))
                n = raw.kpis(**_truth_args(target))["enterprises"]
                if country != exclude and 1 <= n < MIN_CELL:
                    yield f"sector={sector}&phase={phase}&countries={country}", selection, target


def averaging_attack(
    raw: RawData, scope: Scope, complements: int = 16, cells: int | None = None, first: int = 0
) -> Tally:
    """Family 2: every hidden country x sector x phase cell (of a country outside the scope's own) with and without
    its country over `complements` different sets of other countries. The attacker first reads the selection in each
    other country alone, then tries the sets that look largest first (a hidden country counted as 2). `first`,
    `cells`: only the hidden cells first..cells - 1 (make test and make test-full; `make attack` takes them all)."""
    attacker = Attacker(raw, scope)
    countries = sorted({e["country"] for e in raw.enterprises})
    own = next(iter(scope.detail_countries), None)
    for label, selection, target in islice(hidden_country_cells(raw, exclude=own), first, cells):
        country = target.countries[0]
        others = [c for c in countries if c != country]
        alone = {c: attacker.figures(replace(selection, countries=(c,))) for c in others}
        guess = {c: 2.0 if f is None else f["enterprises"] for c, f in alone.items()}
        subsets = [s for size in range(len(others), 0, -1) for s in combinations(others, size)]
        subsets = [s for s in subsets if sum(guess[c] for c in s) >= AVERAGING_MIN + 2]
        subsets.sort(key=lambda s: (-sum(guess[c] for c in s), s))
        pairs = (
            (replace(selection, countries=tuple(sorted((*s, country)))), replace(selection, countries=s))
            for s in subsets[: 2 * complements]
        )
        attacker.average(label, target, pairs, complements)
    return attacker.tally


def presence_attack(raw: RawData, scope: Scope, first: int = 0, cells: int | None = None) -> Tally:
    """Family 3: every hidden country x sector x phase cell (of a country outside the scope's own) split by the
    partners working in that country (a generous attacker: they know the list), then by joining year. `first`,
    `cells`: only the hidden cells first..cells - 1 (None: to the last)."""
    attacker = Attacker(raw, scope)
    years = sorted({int(e["joined_on"][:4]) for e in raw.enterprises})
    own = next(iter(scope.detail_countries), None)
    for label, _selection, target in islice(hidden_country_cells(raw, exclude=own), first, cells):
        partners = sorted({e["partner"] for e in raw.enterprises if e["country"] in target.countries and e["partner"]})
        attacker.presence(label, target, partners, list(range(years[0], years[-1] + 1)))
    return attacker.tally
