"""Who may see what. A Scope travels with every query; the query runner (score.db) enforces it.

Fail closed: the public view is itself a scope (all countries, aggregates only, small cells
suppressed); a missing or broken scope is `Scope.nothing()`, which returns no rows at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from score import contract
from score.disclosure import MIN_CELL as MIN_CELL  # the threshold lives with the method; pages read it here
from score.disclosure import numeric
from score.i18n import _

ROLES = ("public", "country", "hq")


def hidden_text(country: str | None = None) -> str:
    """What a protected viewer reads where a whole view is hidden: the same for 0 and for 1-4 enterprises, so
    that splitting a cell by partner and year cannot count its members (README "Small numbers")."""
    if country:
        return _(
            "Fewer than 5 enterprises in {country} match the current filters, possibly none: "
            "their figures are not shown.",
            country=country,
        )
    return _("Fewer than 5 enterprises match the current filters, possibly none: their figures are not shown.")


def method_text() -> str:
    """The disclosure method in one sentence (score.disclosure, README "Small numbers"): page notes, the deck's
    speaker notes and the workbook's About sheet all say it in these words."""
    from score import disclosure

    return _(
        "Each enterprise's figures are moved by a fixed {low}-{high}% up or down (the same way for enterprises "
        "alike in country, sector and phase), counts by a few enterprises, and cells of fewer than 5 enterprises, "
        "possibly none, are hidden, as are numbers of people below {people}, so parts may not add up exactly to "
        "totals.",
        low=round(100 * disclosure.NOISE_MIN),
        high=round(100 * disclosure.NOISE_MAX),
        people=disclosure.PEOPLE_MIN,
    )


def hidden_cell_text() -> str:
    """Why one cell (a bar, a row, a country, an export cell) is empty for a protected viewer."""
    return _("hidden: fewer than 5 enterprises, possibly none, are behind this cell")


def hidden_chart_cell_text() -> str:
    """Why a cell of a chart's CSV is empty: read from the drawn chart alone, a bar hidden for too few enterprises
    and one hidden for too few people look alike, so the reason names both (each is true of one of them)."""
    from score import disclosure

    return _(
        "hidden: fewer than 5 enterprises or fewer than {n} people, possibly none, are behind this cell",
        n=disclosure.PEOPLE_MIN,
    )


def hidden_people_text() -> str:
    """Why a number of people (an export cell) is empty for a protected viewer (score.disclosure.small_people)."""
    from score import disclosure

    return _("hidden: fewer than {n} people, possibly none, are behind this figure", n=disclosure.PEOPLE_MIN)


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
    columns: dict[str, pd.Series],
    count_column: str,
    value_columns: list[str] | tuple[str, ...],
    index: pd.Index,
    leave_out: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Blank the count and values of rows describing 0 to MIN_CELL - 1 enterprises; adds a boolean
    `suppressed` column. Rows with a missing count are blanked too (fail closed). An empty cell looks exactly like
    a small one (presence is not disclosed: README "Small numbers").

    Only the small cells themselves: no secondary suppression. Public figures are perturbed first
    (score.disclosure), so a total minus its shown parts carries the noise of every cell involved and
    does not give a hidden cell away (README, "Small numbers").

    Over a result's columns (Series on `index`), the frame built once at the end: score.db hands over the perturbed
    columns before any frame is made of them, and the columns in `leave_out` (its helpers) are not copied into it.
    Setting a column at a time cost a public query ~1 ms per column; building a frame only to take its columns out
    again ~1-2 ms.
    """
    if count_column not in columns:
        raise ValueError(f"suppression count column {count_column!r} is not in the result")
    if not len(index):  # nothing to blank: every column as it is (its dtype kept), and an empty `suppressed`
        empty = {column: values.copy() for column, values in columns.items() if column not in leave_out}
        return pd.DataFrame({**empty, "suppressed": pd.Series(index=index, dtype=bool)}, index=index, copy=False)
    counts = numeric(columns[count_column]).to_numpy(dtype=float)
    unknown = np.isnan(counts)  # NaN compares False below, so it is blanked here
    blank = unknown | (counts < MIN_CELL)
    blanked = {count_column, *value_columns}
    out: dict[str, pd.Series] = {}
    for column, values in columns.items():
        if column in leave_out:
            continue
        if column in blanked:  # as objects, so that a blank is None whatever the column held
            array = values.to_numpy(dtype=object, copy=True)
            array[blank] = None
            out[column] = pd.Series(array, index=index, dtype=object, copy=False)
        else:
            out[column] = values.copy()
    out["suppressed"] = pd.Series(blank, index=index)
    return pd.DataFrame(out, index=index, copy=False)
