"""Who may see what. A Scope travels with every query; the query runner (score.db) enforces it.

Fail closed: the public view is itself a scope (all countries, aggregates only, small cells
suppressed); a missing or broken scope is `Scope.nothing()`, which returns no rows at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from score import contract

ROLES = ("public", "country", "hq")
MIN_CELL = 5  # cells describing fewer enterprises than this are suppressed for public views


@dataclass(frozen=True)
class Scope:
    role: str
    user: str | None
    aggregate_countries: frozenset[str]  # countries whose aggregates may be read
    detail_countries: frozenset[str]  # countries whose enterprise-level rows may be read

    @classmethod
    def public(cls) -> Scope:
        return cls("public", None, frozenset(contract.code_list("country")), frozenset())

    @classmethod
    def hq(cls, user: str) -> Scope:
        every = frozenset(contract.code_list("country"))
        return cls("hq", user, every, every)

    @classmethod
    def country(cls, user: str, countries: frozenset[str] | set[str]) -> Scope:
        own = frozenset(countries) & frozenset(contract.code_list("country"))
        if not own:
            return cls.nothing()
        return cls("country", user, frozenset(contract.code_list("country")), own)

    @classmethod
    def nothing(cls) -> Scope:
        return cls("none", None, frozenset(), frozenset())

    @property
    def can_upload(self) -> bool:
        return self.role in ("hq", "country") and bool(self.detail_countries)

    @property
    def is_hq(self) -> bool:
        return self.role == "hq"

    def suppresses(self, countries: frozenset[str] | set[str]) -> bool:
        """Whether aggregates over `countries` need small-cell suppression for this viewer."""
        if self.role == "hq":
            return False
        return not set(countries) <= self.detail_countries


def suppress_small_cells(
    frame: pd.DataFrame,
    count_column: str,
    value_columns: list[str] | tuple[str, ...],
    by: list[str] | tuple[str, ...] | None = (),
) -> pd.DataFrame:
    """Blank the count and values of rows describing 1 to MIN_CELL - 1 enterprises (primary suppression),
    then blank more rows until no blanked row can be worked out from the shown rows and a total.

    Rows are cells of an aggregate table; a total over a group of rows may be published elsewhere (the
    overview, or another query with fewer filters). Within every group, the blanked rows are protected when
    at least two are blanked and their sum S satisfies S - (k - 1) >= MIN_CELL (k rows blanked): since each
    blanked row holds at least one enterprise, no blanked row's count can then be narrowed below MIN_CELL by
    subtracting the shown rows from the group total. Secondary rows are taken smallest first, preferring
    rows that are not alone in one of their groups; a group with no other non-zero row left is blanked
    entirely.

    Groups: the whole frame, and for each column in `by` the rows sharing a value of it (a country x
    sector table with `by=("country", "sector")` is protected against per-country, per-sector and grand
    totals). `by=None` says the rows are not parts of any total (e.g. one row per indicator, each over
    its own enterprises): then only primary suppression applies. The rules are applied until nothing
    changes. Rows with a missing count are blanked (fail closed). Adds a boolean `suppressed` column.

    Limit: a row alone in its group *is* that group's total. If it has to be blanked as a secondary row
    (e.g. a country's only row in some sector, all other countries having none), the total shown by another
    query (enterprises per sector) gives it away; only suppressing that total too would help. See the
    README ("Small numbers") for this and for differencing across filters.
    """
    if count_column not in frame.columns:
        raise ValueError(f"suppression count column {count_column!r} is not in the result")
    missing = [c for c in by or () if c not in frame.columns]
    if missing:
        raise ValueError(f"suppression group columns {missing} are not in the result")
    out = frame.copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        return out
    raw = pd.to_numeric(out[count_column], errors="coerce").to_numpy(dtype=float)
    unknown = np.isnan(raw)
    counts = np.where(unknown, 1.0, raw)  # an unknown count is treated as a small one
    blank = unknown | ((counts > 0) & (counts < MIN_CELL))
    groupings = [] if by is None else [np.zeros(len(out), dtype=int)]
    groupings += [pd.factorize(out[column], use_na_sentinel=False)[0] for column in by or ()]
    alone = np.zeros(len(out), dtype=bool)  # rows that are the only row of one of their `by` groups
    for codes in groupings[1:]:
        alone |= np.bincount(codes)[codes] == 1
    changed = bool(blank.any())
    while changed:
        changed = False
        for codes in groupings:
            for code in np.unique(codes):
                changed |= _protect_group(np.flatnonzero(codes == code), counts, blank, alone)
    columns = list(dict.fromkeys(c for c in [count_column, *value_columns] if c in out.columns))
    for column in columns:
        out[column] = out[column].astype("object")
        out.loc[blank, column] = None
    out["suppressed"] = blank
    return out


def _protected(counts: np.ndarray) -> bool:
    """Whether blanked cells with these counts hide each other (see suppress_small_cells)."""
    return len(counts) >= 2 and counts.sum() - (len(counts) - 1) >= MIN_CELL


def _protect_group(rows: np.ndarray, counts: np.ndarray, blank: np.ndarray, alone: np.ndarray) -> bool:
    """Blank more rows of one group until its blanked rows are protected; True if anything changed."""
    if not blank[rows].any():
        return False
    changed = False
    while not _protected(counts[rows[blank[rows]]]):
        candidates = rows[~blank[rows] & (counts[rows] > 0)]
        if len(candidates) == 0:
            rest = rows[~blank[rows]]
            if len(rest):  # only zero rows left: blank them too, so the zeros do not pin the others down
                blank[rest] = True
                changed = True
            break
        blank[candidates[np.lexsort((counts[candidates], alone[candidates]))[0]]] = True
        changed = True
    return changed
