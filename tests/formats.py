"""Numbers as the pages must show them, formatted here with plain Python (not score.i18n), so that a test
comparing a page to the oracle also catches a formatting bug. Checked against literals in
tests/test_pages_signed_in.py::test_formatters_here_are_literal."""

from __future__ import annotations

import math
from decimal import Decimal

HIDDEN = "–"  # what a page shows for a missing or suppressed figure


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def en_int(value: object) -> str:
    """A whole number as an English page shows it (54,321), or the dash for nothing; half to even."""
    return HIDDEN if _missing(value) else f"{Decimal(str(value)):,.0f}"


def en_number(value: object, decimals: int = 1) -> str:
    return HIDDEN if _missing(value) else f"{Decimal(str(value)):,.{decimals}f}"


def en_pct(value: object, decimals: int = 0, signed: bool = False) -> str:
    """A percentage (16.2 for 16.2 %) as an English page shows it: 16%, +3.5%, -16.2%."""
    return HIDDEN if _missing(value) else f"{Decimal(str(value)):{'+' if signed else ''},.{decimals}f}%"


def fr_int(value: int) -> str:
    """A whole number as a French page shows it: a narrow no-break space between thousands (54 321)."""
    return f"{value:,}".replace(",", "\u202f")


def fr_number(value: float, decimals: int = 1) -> str:
    return f"{Decimal(str(value)):,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
