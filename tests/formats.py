"""Numbers as the pages must show them, formatted here with plain Python (not score.i18n), so that a test
comparing a page to the oracle also catches a formatting bug. Checked against literals in
tests/test_pages_signed_in.py::test_formatters_here_are_literal."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

HIDDEN = "–"  # what a page shows for a missing or suppressed figure
MINUS = "\u2212"  # the sign of a negative number on a page (as on the charts' axes), never a hyphen


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _half_up(value: object, decimals: int) -> Decimal:
    """A half rounds away from zero (2.5 -> 3), as a chart's bar labels and Excel's number formats show it."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def en_int(value: object) -> str:
    """A whole number as an English page shows it (54,321), or the dash for nothing; a half rounds up."""
    return HIDDEN if _missing(value) else f"{_half_up(value, 0):,.0f}".replace("-", MINUS)


def en_number(value: object, decimals: int = 1) -> str:
    return HIDDEN if _missing(value) else f"{_half_up(value, decimals):,.{decimals}f}".replace("-", MINUS)


def en_pct(value: object, decimals: int = 0, signed: bool = False) -> str:
    """A percentage (16.2 for 16.2 %) as an English page shows it: 16%, +3.5%, −16.3%."""
    if _missing(value):
        return HIDDEN
    return f"{_half_up(value, decimals):{'+' if signed else ''},.{decimals}f}%".replace("-", MINUS)


def fr_int(value: int) -> str:
    """A whole number as a French page shows it: a narrow no-break space between thousands (54 321)."""
    return f"{value:,}".replace(",", "\u202f").replace("-", MINUS)


def fr_number(value: float, decimals: int = 1) -> str:
    return f"{_half_up(value, decimals):,.{decimals}f}".replace(",", "\u202f").replace(".", ",").replace("-", MINUS)


# How a French or Spanish sentence names each country of the contract after its prepositions: the name with its
# article, after "de", after "en" (where it is), written out here, not derived.
COUNTRY_FORMS = {
    "fr": {
        "BOL": ("la Bolivie", "de la Bolivie", "en Bolivie"),
        "CHN": ("la Chine", "de la Chine", "en Chine"),
        "COL": ("la Colombie", "de la Colombie", "en Colombie"),
        "GHA": ("le Ghana", "du Ghana", "au Ghana"),
        "IDN": ("l'Indonésie", "de l'Indonésie", "en Indonésie"),
        "IND": ("l'Inde", "de l'Inde", "en Inde"),
        "PER": ("le Pérou", "du Pérou", "au Pérou"),
        "VNM": ("le Viet Nam", "du Viet Nam", "au Viet Nam"),
        "ZAF": ("l'Afrique du Sud", "de l'Afrique du Sud", "en Afrique du Sud"),
    },
    "es": {
        "BOL": ("Bolivia", "de Bolivia", "en Bolivia"),
        "CHN": ("China", "de China", "en China"),
        "COL": ("Colombia", "de Colombia", "en Colombia"),
        "GHA": ("Ghana", "de Ghana", "en Ghana"),
        "IDN": ("Indonesia", "de Indonesia", "en Indonesia"),
        "IND": ("la India", "de la India", "en la India"),
        "PER": ("Perú", "de Perú", "en Perú"),
        "VNM": ("Viet Nam", "de Viet Nam", "en Viet Nam"),
        "ZAF": ("Sudáfrica", "de Sudáfrica", "en Sudáfrica"),
    },
}
