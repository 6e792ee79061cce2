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

A workbook needs no apostrophe: every workbook the app writes (the page workbooks, the current data and the
templates, the marked upload, the deck's chart data) puts text into a cell through this module (`write_text_cell`
for openpyxl, `write_sheet_text` for XlsxWriter, or the cells that `formula_cells` finds for a writer that writes the
sheet's XML itself): a string cell, never a formula, number or
date, and text that starts like a formula carries Excel's own "this is text" mark, the style quotePrefix, so it
shows as typed and editing the cell (F2, Enter) keeps it text.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

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


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could run `text` (or a part of it split off at a separator) as a formula: the text
    `neutralise_text` changes, and a workbook marks with quotePrefix."""
    return _UNSAFE.search(text) is not None


def formula_starts(values: pd.Series) -> np.ndarray | None:
    """Which values hold text that starts like a formula, found in bulk (a column of 300,000 names took seconds
    value by value); None when the column is not plain text or objects."""
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return None
    try:
        found = values.str.contains(FORMULA_START, regex=True)
    except AttributeError:  # no text at all in an object column (.str refuses it)
        return None
    return found.fillna(False).astype(bool).to_numpy()


def formula_cells(values: pd.Series) -> np.ndarray:
    """Which cells of a column are text that starts like a formula: the text cells a workbook marks with
    quotePrefix (numbers and dates never)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return np.zeros(len(values), dtype=bool)
    marked = formula_starts(values)
    if marked is None:
        marked = np.ones(len(values), dtype=bool)
    found = marked.copy()
    found[marked] = [isinstance(value, str) and starts_formula(value) for value in values[marked].tolist()]
    return found


def write_sheet_text(sheet: Any, row: int, column: int, text: str, plain: Any, quoted: Any) -> None:
    """Put `text` into an XlsxWriter cell as text: a string cell (XlsxWriter's write() makes "=1+1" a formula and
    "https://..." a link) in the format `quoted` (one with quote_prefix) when it starts like a formula, else `plain`."""
    sheet.write_string(row, column, text, quoted if starts_formula(text) else plain)


def write_text_cell(cell: Any, text: str) -> None:
    """Put `text` into an openpyxl cell as text: a string cell (openpyxl makes "=1+1" a formula), with Excel's
    quotePrefix when it starts like a formula."""
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = starts_formula(text)
