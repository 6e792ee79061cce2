"""Accents garbled on the way through Excel ("MedellÃ­n" for "Medellín"): found and repaired, with a warning, in
CSV files (score.ingest.reading) and in workbook cells (score.ingest.workbooks) alike."""

from __future__ import annotations

import codecs
import re

from score.i18n import N_, _
from score.ingest.columns import canonical
from score.ingest.report import WARNING, IssueCollector

# How a reader is told which code page a file was read in: what wrote it, then the codec's name for whoever exports
# it again (a country's staff do not know "cp1252"; HQ's support does).
_ENCODING_NAMES = {
    "cp1252": N_("Windows text (Western European, cp1252)"),
    "mac_roman": N_("Mac text (Western European, Mac Roman)"),
    "cp850": N_("DOS text (Western European, cp850)"),
    "cp1258": N_("Windows text (Vietnamese, cp1258)"),
    "iso8859_15": N_("ISO-8859-15 text (Western European with €)"),
}


def encoding_name(encoding: str) -> str:
    """A code page as the reader is told it (_ENCODING_NAMES), else the codec's name."""
    name = _ENCODING_NAMES.get(encoding)
    return _(name) if name else encoding


def _as_windows_read_it(error: UnicodeError) -> tuple[bytes, int]:
    """An encoding error handler: the five bytes Windows-1252 has no character for (0x81, 0x8D, 0x8F, 0x90, 0x9D),
    which Windows reads as the control character of that number, back to their byte."""
    assert isinstance(error, UnicodeEncodeError)
    chunk = error.object[error.start : error.end]
    if any(char not in "\x81\x8d\x8f\x90\x9d" for char in chunk):
        raise error
    return chunk.encode("latin-1"), error.end


codecs.register_error("score.windows_read", _as_windows_read_it)


def _ungarbled(text: str) -> tuple[str, str] | None:
    """(the text, the code page) when `text` is UTF-8 that was read as Windows-1252 or Mac Roman text and saved again
    as UTF-8: Excel opening a "CSV UTF-8" that has no byte order mark shows "Medellín" as "MedellÃ­n", and its "Save"
    keeps that. Its characters are then, in that code page, the bytes of valid UTF-8 (text with real accents is not:
    "í" alone is an invalid byte there). None when the text is not so garbled."""
    if text.isascii():
        return None
    for codepage in ("cp1252", "mac_roman"):
        try:
            return text.encode(codepage, errors="score.windows_read").decode("utf-8"), codepage
        except UnicodeError:
            continue
    return None


def repaired_accents(issues: IssueCollector, name: str, text: str, sheet: str | None = None) -> str:
    """`text` with garbled accents repaired (`_ungarbled`), saying so in a warning; else `text` as it is."""
    ungarbled = _ungarbled(text)
    if ungarbled is None:
        return text
    repaired, codepage = ungarbled
    word = next((w for w in re.split(r"[\s,;\t\"\x1f]+", repaired) if not w.isascii()), "")
    issues.add(
        WARNING,
        name,
        _(
            "The accents of this file had been garbled ('{garbled}' for '{word}'): it was opened as {encoding} "
            "and saved again. They were repaired.",
            garbled=canonical(word.encode("utf-8").decode(codepage, errors="replace")),
            word=word,
            encoding=encoding_name(codepage),
        ),
        _("Check that names with accents (e.g. Bogotá) look right."),
        sheet=sheet,
    )
    return repaired


def repaired_cells(
    issues: IssueCollector, name: str, sheet: str, rows: list[tuple[object, ...]]
) -> list[tuple[object, ...]]:
    """A sheet's rows with garbled accents in its text cells repaired, as `repaired_accents` repairs a CSV file (a
    garbled CSV saved again as a workbook keeps "MedellÃ­n"), before the cells are made canonical (which drops the
    soft hyphen of "Ã\u00ad"). Judged over all its texts that are not ASCII at once, one warning for the sheet."""
    distinct = sorted({cell for row in rows for cell in row if isinstance(cell, str) and not cell.isascii()})
    if not distinct:
        return rows
    joined = "\x1f".join(distinct)  # the unit separator: ASCII, so a repair keeps it
    repaired = repaired_accents(issues, name, joined, sheet)
    fixed = repaired.split("\x1f")
    if repaired == joined or len(fixed) != len(distinct):  # a cell holding the separator itself: left as it is
        return rows
    mapping = dict(zip(distinct, fixed, strict=True))
    return [tuple(mapping.get(cell, cell) if isinstance(cell, str) else cell for cell in row) for row in rows]
