"""Text that a spreadsheet could run as a formula, made inert for every CSV/XLSX the app writes (OWASP "CSV
injection"), and the inverse for files that come back as uploads.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (or a tab or carriage return). A CSV
opened with another separator than the one it was written with (Excel in French or Spanish settings splits on
";") starts a new cell after any "," ";" tab or line break inside a text value, so `SENA;=1+2` would run `=1+2`.
An apostrophe, Excel's own "this is text" mark, goes in front of every trigger at the start of the text and
after every such separator (spaces between them included). Apostrophes already standing there get one more, so
`restore` gives back exactly what was written: the round trip download -> upload changes nothing.
Numbers are never text here: a -3 in a number column stays the number -3.
"""

from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r"
_TRIGGER = "[" + re.escape(TRIGGERS) + "]"
_SEPARATOR = "[,;\t\r\n]"
_UNSAFE = re.compile(rf"(^|{_SEPARATOR})( *)(?='*{_TRIGGER})")
# Text in which _UNSAFE finds a formula start, as a pattern without lookahead (RE2 too: pandas' string columns
# search it in bulk, so only those values go through neutralise_text one by one).
FORMULA_START = rf"(?:^|{_SEPARATOR}) *'*{_TRIGGER}"
_MARKED = re.compile(rf"(^|{_SEPARATOR})( *)'(?='*{_TRIGGER})")


def neutralise_text(text: str) -> str:
    """`text` with an apostrophe before each formula start (at the start and after any separator)."""
    return _UNSAFE.sub(r"\1\2'", text)


def restore_text(text: str) -> str:
    """The inverse of `neutralise_text` (used when such a file is uploaded again)."""
    return _MARKED.sub(r"\1\2", text)
