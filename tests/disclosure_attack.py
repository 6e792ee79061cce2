"""The differencing attack of issue 10, point 1, as a careful outsider would script it (used by
tests/test_disclosure.py and `make attack`).

A hidden cell (1-4 enterprises) is worked out as the difference of two cells the attacker may see:
- public, one filter dimension: all enterprises minus all but one value (a sector, partner, phase, module, country;
  a joining year as [y, last] minus [y + 1, last]);
- public, a country within a selection: selection F (a sector, partner, phase, module, year, or sector x phase)
  over all countries minus F over all countries but one (the reproduced attack: footwear x phase I minus the same
  without Colombia);
- country staff against another country C: F over {own, C} (adjusted) minus F over {own} (exact for them), and
  F over all countries minus F over all but C.
Truth comes from tests/oracle.py (the raw CSVs). A count is recovered when the difference equals the true count;
a single enterprise's workers are recovered when the difference is within 5% of its true headcount.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from score import contract, db
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
    os.environ["SCORE_DATA_DIR"] = str(data)
    build_all(user="tests")
    return data


@dataclass
class Tally:
    attacked: int = 0
    counts_exact: int = 0
    single: int = 0  # hidden cells of exactly one enterprise
    workers_within_5pct: int = 0
    queries: int = 0
    exact_cells: list[str] = field(default_factory=list)
    close_workers: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("attacked", "counts_exact", "single", "workers_within_5pct", "queries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.exact_cells += other.exact_cells
        self.close_workers += other.close_workers

    def line(self, label: str) -> str:
        share = self.counts_exact / self.attacked if self.attacked else 0.0
        return (
            f"{label}: {self.attacked} hidden cells attacked ({self.queries} queries), "
            f"{self.counts_exact} enterprise counts recovered exactly ({share:.0%}); "
            f"{self.workers_within_5pct} of {self.single} single enterprises' workers within 5%"
        )


def _filters(**values: object) -> Filters:
    return Filters(**{k: tuple(v) if isinstance(v, list | tuple | set) else v for k, v in values.items()})


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
        self.seen: dict[Filters, dict[str, object]] = {}
        self.tally = Tally()

    def figures(self, filters: Filters) -> dict[str, object]:
        if filters not in self.seen:
            row = db.run_query("overview_kpis", self.scope, filters).iloc[0]
            self.seen[filters] = {name: row[name] for name in FIGURES}
            self.tally.queries += 1
        return self.seen[filters]

    def hidden(self, target: Filters) -> bool:
        n = self.raw.kpis(**_truth_args(target))["enterprises"]
        return 1 <= n < MIN_CELL

    def attack(self, label: str, target: Filters, bigger: Filters, smaller: Filters) -> None:
        truth = self.raw.kpis(**_truth_args(target))
        big, small = self.figures(bigger), self.figures(smaller)
        if any(v is None or v != v for v in (*big.values(), *small.values())):
            return  # one side hidden: nothing to subtract
        self.tally.attacked += 1
        if int(big["enterprises"]) - int(small["enterprises"]) == truth["enterprises"]:
            self.tally.counts_exact += 1
            self.tally.exact_cells.append(label)
        if truth["enterprises"] == 1:
            self.tally.single += 1
            estimate = float(big["workers_reached"]) - float(small["workers_reached"])
            if abs(estimate - truth["workers_reached"]) <= 0.05 * truth["workers_reached"]:
                self.tally.workers_within_5pct += 1
                self.tally.close_workers.append(f"{label}: {estimate:.0f} vs {truth['workers_reached']}")


def public_attack(raw: RawData) -> Tally:
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
    """Country staff of `own` against every other country: (with their own exact cells, all minus one)."""
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
