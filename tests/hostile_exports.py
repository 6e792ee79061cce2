"""A data set whose every uploaded text field is hostile (formula starts in ASCII and full width, leading spaces,
a DDE payload, markup, a markdown link, a direction override, the longest name allowed), and what a file may
hold of it: the oracle of tests/test_export_safety.py, written here without the package's own escaping.

Colombia's files carry the hostile text; Peru's stay as the demo has them, so a Colombian staff file can be
checked to hold no Peruvian row.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

from tests.built import DEMO_COUNTRIES

# What a spreadsheet (Excel, LibreOffice, Google Sheets, in any locale) may run as a formula when a text cell
# starts with it: the ASCII starters, tab and carriage return, and their full-width forms (U+FF1D U+FF0B U+FF0D
# U+FF20), which LibreOffice and Excel in East Asian settings take for the ASCII ones.
STARTERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
# Spaces a spreadsheet may skip before a formula's "=" (an ordinary, a no-break and an ideographic space).
LEADING = " \u00a0\u3000\u2007\u202f"
# Where a CSV opened with another separator (Excel in French or Spanish settings splits on ";") starts a cell.
SEPARATORS = ",;\t\r\n"
EVIL_HOST = "evil.example"
DDE = "=cmd|' /C calc'!A0"
FORMULAS = [
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(1,2)",
    "\t=1+2",
    "\r=1+2",
    "\uff1d1+2",  # ＝
    "\uff0b1+2",  # ＋
    "\uff0d1+2",  # －
    "\uff20SUM(1,2)",  # ＠
    "  =1+2",
    "\u00a0=1+2",
    "\u3000\uff1d1+2",
    DDE,
    "Acme;" + DDE,
    "Acme,+1+2",
    "Acme\n\uff1d1+2",
    "\u202e=1+2",  # a right-to-left override first
    '=HYPERLINK("http://evil.example/","x")',
]
MARKUP = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="http://evil.example/">click</a>',
    "[click](http://evil.example/)",
    "**bold** <marquee>m</marquee> &amp; </td></tr></table>",
    "\u202eevil.exe",
]
LONGEST_NAME = "=" + "A" * 199  # contract.NAME_CHARS
PARTNERS = [DDE, "\uff0bSENA", '<a href="http://evil.example/">ANDI</a>', "@CUT"]
PROVINCES = ["\uff0dAntioquia", "\u3000\uff1dBogota", "<img src=x onerror=alert(1)>", "[Cali](http://evil.example/)"]
CITIES = ["=1+2", "\uff20Bogota", "<script>alert('c')</script>", "\u00a0+Barranquilla"]
HOSTILE = [*FORMULAS, *MARKUP, LONGEST_NAME]


def write_hostile_countries(countries: Path) -> None:
    """Colombia's demo files with every text field hostile, and Peru's as they are, under `countries`."""
    for code in ("COL", "PER"):
        shutil.copytree(DEMO_COUNTRIES / code, countries / code)
    _rewrite(countries / "COL" / "enterprises.csv", _hostile_enterprise)
    _rewrite(countries / "COL" / "logframe.csv", _hostile_comment)


def _rewrite(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(change(n, row) for n, row in enumerate(rows))
    path.write_text(out.getvalue(), encoding="utf-8")


def _by_order(values: list[str], seen: dict[str, str], key: str) -> str:
    """The same hostile value for every row of one original value (a partner stays one partner)."""
    return seen.setdefault(key, values[len(seen) % len(values)])


_PARTNER: dict[str, str] = {}
_PROVINCE: dict[str, str] = {}
_CITY: dict[str, str] = {}


def _hostile_enterprise(n: int, row: dict[str, str]) -> dict[str, str]:
    name = HOSTILE[n] if n < len(HOSTILE) else f"{HOSTILE[n % len(HOSTILE)][:150]} {n}"
    return row | {
        "name": name,
        "partner": _by_order(PARTNERS, _PARTNER, row["partner"]),
        "province": _by_order(PROVINCES, _PROVINCE, row["province"]),
        "city": _by_order(CITIES, _CITY, row["city"]),
    }


def _hostile_comment(n: int, row: dict[str, str]) -> dict[str, str]:
    return row | {"comment": HOSTILE[n % len(HOSTILE)]}


def build_hostile(data: Path) -> None:
    """Colombia (hostile) and Peru built into version 1 at `data` (what tests.built.once_per_run is given)."""
    from score import db, settings
    from score.publish import build_all

    write_hostile_countries(data / "countries")
    with settings.overridden(data_dir=data):
        build_all(user="tests")
        db.close_all()


# ------------------------------------------------------------------------------------------------ the oracle

_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # "-5" is the number a person typed, not a formula


def formula_start(text: str) -> str | None:
    """The part of `text` a spreadsheet could run as a formula (at its start or after a separator, past any
    leading spaces), or None. An apostrophe first is Excel's "text" mark: nothing runs."""
    if _PLAIN_NUMBER.fullmatch(text):
        return None
    parts = [text, *(text[i + 1 :] for i, char in enumerate(text) if char in SEPARATORS)]
    for part in parts:
        stripped = part.lstrip(LEADING)
        if stripped[:1] and stripped[0] in STARTERS:
            return part
    return None


LIVE_TAGS = {"script", "img", "a", "marquee", "iframe"}  # what the hostile values would open as elements
