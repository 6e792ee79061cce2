"""Text that a spreadsheet could run as a formula, made inert for every CSV/XLSX the app writes (OWASP "CSV
injection"), and the inverse for files that come back as uploads.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (or a tab or carriage return), and take the
full-width forms ＝ ＋ － ＠ (typed by East Asian keyboards) and spaces before any of them for the same. A CSV
opened with another separator than the one it was written with (Excel in French or Spanish settings splits on
";") starts a new cell after any "," ";" tab or line break inside a text value, so `SENA;=1+2` would run `=1+2`.
An apostrophe, Excel's own "this is text" mark, goes in front of every trigger at the start of the text and
after every such separator (spaces between them included: ordinary, no-break, ideographic and the other widths).
Apostrophes already standing there get one more, so `restore` gives back exactly what was written: the round trip
download -> upload changes nothing.
Numbers are never text here: a -3 in a number column stays the number -3.
"""

from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"  # the last four: ＝ ＋ － ＠
_TRIGGER = "[" + re.escape(TRIGGERS) + "]"
_SEPARATOR = "[,;\t\r\n]"
# Spaces (not the tab, a trigger itself) written out: RE2's \s is ASCII alone, and pandas' bulk search may be RE2.
SPACES = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_SPACE = "[" + SPACES + "]"
_UNSAFE = re.compile(rf"(^|{_SEPARATOR})({_SPACE}*)(?='*{_TRIGGER})")
# Text in which _UNSAFE finds a formula start, as a pattern without lookahead (RE2 too: pandas' string columns
# search it in bulk, so only those values go through neutralise_text one by one).
FORMULA_START = rf"(?:^|{_SEPARATOR}){_SPACE}*'*{_TRIGGER}"
_MARKED = re.compile(rf"(^|{_SEPARATOR})({_SPACE}*)'(?='*{_TRIGGER})")


def neutralise_text(text: str) -> str:
    """`text` with an apostrophe before each formula start (at the start and after any separator)."""
    return _UNSAFE.sub(r"\1\2'", text)


def restore_text(text: str) -> str:
    """The inverse of `neutralise_text` (used when such a file is uploaded again)."""
    return _MARKED.sub(r"\1\2", text)
