"""Reading a submission: which files are which table, and text files (encodings, separators, widths)."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from itertools import repeat
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from score import settings
from score.contract import TABLES, Table
from score.i18n import _, fmt_bound, fmt_number, ngettext
from score.ingest.accents import encoding_name, repaired_accents
from score.ingest.columns import (
    _HEADER_SEARCH_ROWS,
    _empty_file,
    _source_from_grid,
    canonical,
    header_named,
    table_for_header,
)
from score.ingest.letters import implausible_letters, known_words
from score.ingest.names import (
    _OLE_MAGIC,
    _ZIP_MAGIC,
    TEXT_SUFFIXES,
    UNREAD_SPREADSHEET_SUFFIXES,
    WORKBOOK_SUFFIXES,
    _formats_fix,
    _save_as_utf8_fix,
    _unsupported,
    ambiguous_name_issue,
    generic_name,
    table_for_name,
)
from score.ingest.report import ERROR, WARNING, IssueCollector, _guard, _Source, _Submission
from score.ingest.workbooks import _read_workbook

# The widest table has 13 columns. A far wider row is a broken export, and a line of a million separators
# would otherwise be parsed into a million columns (gigabytes of memory; found by tests/test_fuzz_ingest.py).
MAX_COLUMNS = 500
_HEADER_SAMPLE = 65_536  # bytes read to tell a file named after no table by its header row


# Latin-script single-byte code pages that charset-normalizer cannot tell apart on short texts.
_WESTERN_CODEPAGES = frozenset(
    ["ascii", "cp1250", "cp1252", "cp1254", "cp1257", "cp437", "cp850", "latin_1", "mac_roman", "mac_latin2"]
    + [f"iso8859_{n}" for n in (1, 2, 3, 4, 9, 10, 13, 14, 15, 16)]
)
# The code pages Excel writes a plain "CSV" in on Windows, on a Mac, and DOS's, Vietnamese Windows' (its tones as
# combining marks) and ISO-8859-15 (Linux, with € and Œ), tried in this order (the first wins a tie);
# _ENCODING_SAMPLE bytes are enough to tell them apart.
_WESTERN_CANDIDATES = ("cp1252", "mac_roman", "cp850", "cp1258", "iso8859_15")
# What charset-normalizer may answer that a SCORE country's computer writes: the code pages above and their kin, and
# the Chinese ones (read as GB18030, `_reads_as_chinese`). Anything else (cp775, johab, cp949 ... for a short file
# with one "Ñandú") is a guess of the detector, and the file is judged among _WESTERN_CANDIDATES instead.
_CHINESE_CODEPAGES = frozenset({"gb18030", "gbk", "gb2312", "big5", "cp950", "cp936"})
_PLAUSIBLE_CODEPAGES = _WESTERN_CODEPAGES | _CHINESE_CODEPAGES | {"cp1258"}
_CHINESE_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_CHINESE_AFTER_LATIN = re.compile(r"(?<=[A-Za-z])[\u3400-\u9fff\uf900-\ufaff]+|[\u3400-\u9fff\uf900-\ufaff]+(?=[a-z])")
_ENCODING_SAMPLE = 1_000_000
_LETTERS_SAMPLE = 50_000  # characters whose letters are weighed one by one (score.ingest.letters): ~0.02 s each
# A character that is not ASCII between two small letters (the "á" of "Plásticos").
_INSIDE_WORD = re.compile(r"(?<=[a-z])[^\x00-\x7f](?=[a-z])")
# A character that is not ASCII between two digits: a thousands group's no-break space ("22 837" from a French
# Excel) is the only one a number can hold; each code page writes it as another byte.
_INSIDE_NUMBER = re.compile(r"(?<=\d)[^\x00-\x7f](?=\d)")
# A character that is not ASCII right after or before a letter, and two of them in a row.
_BESIDE_LETTER = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f]|[^\x00-\x7f](?=[^\W\d_])")
_TWO_ACCENTED = re.compile(r"[^\x00-\x7f]{2}")
# A capital that is not ASCII after a letter and before a small one ("PŽrou": Mac Roman's "é" read as Windows').
_CAPITAL_INSIDE = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f](?=[a-z])")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# Accented letters of Spanish, French, Portuguese and Indonesian names, and Vietnamese base letters (its tones are
# combining marks in cp1258).
_COMMON_LETTERS = frozenset("áéíóúñçãõâêôàèìòùüïëîûÿœăđơư")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --------------------------------------------------------------------------------------------
# Reading: bytes -> text -> grid of strings -> raw frame per table
# --------------------------------------------------------------------------------------------


def _read_submission(files: Mapping[str, bytes], oversized: Mapping[str, int] | None = None) -> _Submission:
    issues = IssueCollector()
    sub = _Submission(issues, list(files) + list(oversized or {}))
    limit = settings.get().max_upload_mb * 1024 * 1024
    sizes = {name: len(data) for name, data in files.items()} | dict(oversized or {})
    if not sizes:
        issues.add(ERROR, "", _("No file was uploaded."), _formats_fix())
        return sub

    texts: list[str] = []
    books: list[str] = []
    for name, size in sizes.items():
        data = files.get(name, b"")
        suffix = Path(name).suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            books.append(name)
        elif suffix in TEXT_SUFFIXES:
            texts.append(name)
        else:
            if suffix == ".xls" and _is_markup(data):  # a report's "export to Excel": a web page named .xls
                problem = _("This .xls file is a web page or an XML file, not an Excel workbook.")
                fix = _("Open it in Excel and use 'Save as' > 'Excel Workbook (*.xlsx)'.")
            else:
                problem, fix = _unsupported(name, bytes(data[:8]))
            issues.add(ERROR, name, problem, fix)
            if suffix in UNREAD_SPREADSHEET_SUFFIXES:
                table = table_for_name(name)
                sub.refused.update([table] if table else TABLES)
            continue
        if size > limit:
            issues.add(
                ERROR,
                name,
                _(
                    "The file is {size} MB, more than the limit of {limit} MB.",
                    size=fmt_number(size / 1024 / 1024),
                    limit=fmt_bound(settings.get().max_upload_mb),
                ),
                _("Remove unused sheets, columns and formatting, or split the upload; ask HQ if the limit is too low."),
            )
            table = table_for_name(name)
            if suffix in WORKBOOK_SUFFIXES:
                sub.failed.update(TABLES)
                sub.workbook = sub.workbook or name
            elif table:
                sub.failed.add(table)

    oversized_names = {n for n, s in sizes.items() if s > limit}
    if books:
        sub.workbook = sub.workbook or books[0]
        for extra in books[1:]:
            issues.add(
                ERROR,
                extra,
                _("Only one workbook can be uploaded at a time; this one was not read."),
                _("Put all sheets (enterprises, training, indicators, logframe) into one workbook."),
            )
        if books[0] not in oversized_names:
            with _guard(issues, books[0], _("reading the workbook")):
                _read_workbook(sub, books[0], bytes(files[books[0]]))
        for name in texts:
            # A CSV file beside the workbook is read for a table the workbook has no sheet for (a published logframe
            # kept beside a workbook without one, score.publish); for a table it holds, the workbook is read alone.
            table = table_for_name(name)
            if name in oversized_names:
                continue
            if table is None or table in sub.sources or table in sub.failed or table in sub.refused:
                issues.add(
                    ERROR,
                    name,
                    _("The upload mixes a workbook and CSV files; this file was not read."),
                    _("Upload either one workbook or CSV files, not both."),
                )
                continue
            _read_named_text(sub, name, bytes(files[name]), table)
        return sub

    # Files named after a table first, then those named after none: one with a spreadsheet's default name
    # ("Libro1.csv") is read as the table its header row names when no named file holds it.
    named_first = sorted(texts, key=lambda text_name: table_for_name(text_name) is None)
    for name in named_first:
        table = table_for_name(name)
        ambiguous = ambiguous_name_issue(name)
        if ambiguous is not None:
            issues.add(ERROR, name, *ambiguous)
            continue
        if table is None and generic_name(name) and name not in oversized_names:
            table = _table_by_header(bytes(files[name]))
            if table is not None and table not in sub.sources and table not in sub.failed:
                issues.add(WARNING, name, *header_named(name, table))
            else:
                table = None
        if table is None:
            issues.add(
                WARNING,
                name,
                _("This file is not part of the data contract and was ignored."),
                _("Name the files enterprises.csv, training.csv, indicators.csv and logframe.csv."),
            )
            continue
        if table in sub.sources or (table in sub.failed and name not in oversized_names):
            issues.add(
                ERROR,
                name,
                _("A second file for the {table} table; it was not read.", table=table),
                _("Upload only one {table} file.", table=table),
            )
            continue
        if name in oversized_names:
            continue
        _read_named_text(sub, name, bytes(files[name]), table)
    return sub


def _read_named_text(sub: _Submission, name: str, data: bytes, table: str) -> None:
    """Read one text file as `table` into the submission (its source, or the table marked as failed)."""
    source = None
    with _guard(sub.issues, name, _("reading the file")):
        source = _read_text_file(sub.issues, name, data, TABLES[table])
    if source is None:
        sub.failed.add(table)
    else:
        sub.sources[table] = source


# ---- text files ----------------------------------------------------------------------------


def _table_by_header(data: bytes) -> str | None:
    """The table a text file named after none holds, by its header row (`table_for_header`); None if unclear. Read
    aside (its encoding's warnings come again when it is read as that table)."""
    head = data[:_HEADER_SAMPLE].rsplit(b"\n", 1)[0] if len(data) > _HEADER_SAMPLE else data  # whole lines
    text = decode_text(IssueCollector(), "", head)
    if text is None:
        return None
    lines = text.splitlines()[: _HEADER_SEARCH_ROWS * 3]
    sep = _sniff_separator(_first_filled_line("\n".join(lines)))
    return table_for_header(list(csv.reader(lines, delimiter=sep)))


def _row_of_offset(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def decode_text(issues: IssueCollector, name: str, data: bytes) -> str | None:
    """Bytes -> text, or None after adding a clear error."""
    for bom, encoding, label_ in (
        (codecs.BOM_UTF8, "utf-8", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
    ):
        if data.startswith(bom):
            return _decode_strict(issues, name, data[len(bom) :], encoding, label_, len(bom))

    head = data[:4096]
    if b"\x00" in head:
        half = max(len(head) // 2, 1)
        zeros_odd, zeros_even = head[1::2].count(0), head[0::2].count(0)
        if zeros_odd > 0.3 * half and zeros_even < 0.05 * half:
            return _decode_strict(issues, name, data, "utf-16-le", "UTF-16", 0)
        if zeros_even > 0.3 * half and zeros_odd < 0.05 * half:
            return _decode_strict(issues, name, data, "utf-16-be", "UTF-16", 0)
        issues.add(ERROR, name, _("The file holds binary data, not text."), _formats_fix())
        return None

    try:
        return _checked_text(issues, name, data.decode("utf-8"))
    except UnicodeDecodeError as error:
        first_bad = error.start

    # Not UTF-8. A file that is UTF-8 in some rows and not in others was pasted together.
    lines = data.split(b"\n")
    utf8_rows = 0
    for line in lines:
        if not line.isascii():
            try:
                line.decode("utf-8")
                utf8_rows += 1
            except UnicodeDecodeError:
                continue
    if utf8_rows:
        issues.add(
            ERROR,
            name,
            ngettext(
                "The file mixes two text encodings: {n} row is UTF-8, but this row is not "
                "(accents would come out garbled).",
                "The file mixes two text encodings: {n} rows are UTF-8, but this row is not "
                "(accents would come out garbled).",
                utf8_rows,
            ),
            _save_as_utf8_fix() + " " + _("If the rows were pasted together from two files, fix the accents first."),
            row=_row_of_offset(data, first_bad),
        )
        return None

    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        issues.add(
            ERROR,
            name,
            _("The file is not readable text (unknown encoding, or binary data)."),
            _save_as_utf8_fix(),
            row=_row_of_offset(data, first_bad),
        )
        return None
    encoding = best.encoding
    if encoding not in _PLAUSIBLE_CODEPAGES or encoding in _CHINESE_CODEPAGES:
        encoding = "gb18030" if _reads_as_chinese(data) else "cp1252"  # a Korean or Japanese guess: not SCORE's
    other = None  # a code page that reads the file as well, but otherwise
    western = encoding in _WESTERN_CODEPAGES or encoding == "cp1258"  # Vietnamese Windows': judged with its kin
    if western or "cp1252" in best.could_be_from_charset or _only_inside_numbers(data):
        encoding, other = _western_codepage(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        issues.add(
            ERROR,
            name,
            _("The file is not valid UTF-8 and not valid {encoding} either.", encoding=encoding_name(encoding)),
            _save_as_utf8_fix(),
            row=_row_of_offset(data, error.start),
        )
        return None
    checked = _checked_text(issues, name, text)
    if checked is None:
        return None
    problem = _("The file is not UTF-8; it was read as {encoding}.", encoding=encoding_name(encoding))
    row = _row_of_offset(data, first_bad)
    difference = None if other is None else _first_difference(data, encoding, other)
    if other is not None and difference is not None:
        row, word, other_word = difference
        problem = _(
            "The file is not UTF-8; it was read as {encoding}, but it may be {other}, which reads '{word}' as "
            "'{other_word}'.",
            encoding=encoding_name(encoding),
            other=encoding_name(other),
            word=word,
            other_word=other_word,
        )
    fix = _("Check that names with accents (e.g. Bogotá) look right.") + " " + _save_as_utf8_fix()
    issues.add(WARNING, name, problem, fix, row=row)
    return checked


def _first_difference(data: bytes, encoding: str, other: str) -> tuple[int, str, str] | None:
    """(row, word as read, word as `other` reads it) of the first word the two code pages read differently."""
    for row, line in enumerate(data[:_ENCODING_SAMPLE].split(b"\n"), 1):
        if line.isascii():
            continue
        for raw in re.split(rb"[\s,;\t\"]+", line):
            word, other_word = raw.decode(encoding, errors="replace"), raw.decode(other, errors="replace")
            if word != other_word:
                return row, unicodedata.normalize("NFC", word), unicodedata.normalize("NFC", other_word)
    return None


def _western_codepage(data: bytes) -> tuple[str, str | None]:
    """Which Latin single-byte code page wrote these bytes: Windows (Excel on Windows), Mac Roman (Excel for Mac's
    plain "CSV") or DOS (cp850), and another that reads them as well but otherwise (None when none does).
    charset-normalizer cannot tell them apart, and each reads the others' accented letters as other characters:
    Mac Roman's "Plásticos" read as Windows-1252 is "Pl‡sticos", Windows' "Medellín" read as Mac Roman is "MedellÌn".
    The code page chosen is the one whose reading puts the fewest characters inside a word or a number that cannot
    be there (a symbol, or a capital, between two small letters; anything but a space between two digits; a symbol
    beside a letter, "Bogot‡"; two accented letters in a row, as a Vietnamese tone read as a letter makes them,
    "Ðýìc"; a capital inside a word, "PŽrou"), and where both readings are letters, the fewest letters where Spanish,
    French and Portuguese put none ("Franáoise" against cp850's "Françoise", score.ingest.letters) and the most words
    of the reference names ("Cúcuta", not "Cœcuta"); Windows on a tie."""
    sample = b"\n".join(line for line in data[:_ENCODING_SAMPLE].split(b"\n") if not line.isascii())
    scored: list[tuple[int, str, str]] = []
    for encoding in _WESTERN_CANDIDATES:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Each oddity counts 2; an accented letter that no SCORE country's names have ("Ø", "Þ"), 1: it tells two
        # readings apart whose characters are all letters.
        odd = sum(1 for c in _NOT_ASCII.findall(text) if c.isalpha() and c.casefold() not in _COMMON_LETTERS)
        odd += 2 * sum(1 for c in _INSIDE_WORD.findall(text) if _odd_inside_word(c))
        odd += 2 * sum(1 for c in _INSIDE_NUMBER.findall(text) if not c.isspace())
        odd += 2 * sum(1 for c in _BESIDE_LETTER.findall(text) if not _letter_like(c))
        odd += 2 * sum(1 for c in _CAPITAL_INSIDE.findall(text) if c.isupper())
        odd += 2 * len(_C1_CONTROLS.findall(text))  # ISO-8859's reading of Windows' letters and quotes: never text
        odd += 2 * sum(1 for pair in _TWO_ACCENTED.findall(text) if all(_base(c) in "aeiouy" for c in pair))
        letters = text[:_LETTERS_SAMPLE]
        odd += 2 * implausible_letters(letters) - 2 * known_words(letters)
        scored.append((odd, encoding, text))
    if not scored:
        return "cp1252", None
    fewest, best, read = min(scored, key=lambda item: item[0])  # the first of equals: the order of the candidates
    other = next((encoding for odd, encoding, text in scored if odd == fewest and text != read), None)
    return best, other


def _odd_inside_word(char: str) -> bool:
    """A character between two small letters that is no small letter, no apostrophe and no tone mark."""
    return not char.islower() and not unicodedata.combining(char) and char not in "’'"


def _reads_as_chinese(data: bytes) -> bool:
    """Whether the bytes are Chinese text as Excel on a Chinese Windows writes it (GB18030, of which GBK and GB2312
    are parts): they decode so, most Chinese words touch no Latin word, and they are two characters long or more on
    average. A short Western or Vietnamese file's few accents pair up with the next byte into a Chinese character
    inside a Latin word ("Vi膷t" for code page 1258's "Việt"); charset-normalizer reads such files as Chinese,
    Korean or Japanese."""
    try:
        text = data[:_ENCODING_SAMPLE].decode("gb18030")
    except UnicodeDecodeError:
        return False
    runs = _CHINESE_RUN.findall(text)
    after_latin = _CHINESE_AFTER_LATIN.findall(text)
    return bool(runs) and 2 * len(after_latin) <= len(runs) and sum(map(len, runs)) >= 2 * len(runs)


def _letter_like(char: str) -> bool:
    """A letter of a word, or a tone mark on one (cp1258 writes tones as combining marks); not "ª" or "º"."""
    return (char.isalpha() and char not in "ªº") or unicodedata.combining(char) > 0


def _base(char: str) -> str:
    return unicodedata.normalize("NFD", char)[0].casefold()


def _only_inside_numbers(data: bytes) -> bool:
    """Whether every byte that is not ASCII sits after a digit and before a digit or a "%": a file whose only such
    bytes are no-break spaces in numbers (thousands groups "22 837", French percentages "91,5 %"), which
    charset-normalizer reads as a Baltic or Central European code page."""
    sample = data[:_ENCODING_SAMPLE]
    return re.search(rb"(?<![0-9])[\x80-\xff]|[\x80-\xff](?![0-9%])", sample) is None


def _decode_strict(
    issues: IssueCollector, name: str, data: bytes, encoding: str, label_: str, skipped: int
) -> str | None:
    try:
        return _checked_text(issues, name, data.decode(encoding))
    except UnicodeDecodeError as error:
        good = data[: error.start].decode(encoding, errors="replace")
        issues.add(
            ERROR,
            name,
            _(
                "The file says it is {encoding} text, but byte {offset} is not valid {encoding}: "
                "the file is damaged or mixes encodings.",
                encoding=label_,
                offset=error.start + skipped,
            ),
            _save_as_utf8_fix(),
            row=good.count("\n") + 1,
        )
        return None


def _checked_text(issues: IssueCollector, name: str, text: str) -> str | None:
    text = repaired_accents(issues, name, text)
    sample = text[:1_000_000]
    controls = len(_CONTROL_CHARS.findall(sample))
    if "\x00" in text or controls > max(10, len(sample) // 100):
        issues.add(ERROR, name, _("The file holds binary data, not text."), _formats_fix())
        return None
    return canonical(text)


def _sniff_separator(line: str) -> str:
    counts = dict.fromkeys((",", ";", "\t", "|"), 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda sep: counts[sep])  # ties: the order above
    return best if counts[best] else ","


def _filled_width(row: list[str]) -> int:
    """The row's width without the empty values at its end."""
    width = len(row)
    while width and not row[width - 1].strip():
        width -= 1
    return width


def _unquoted_widest(text: str, sep: str) -> int | None:
    """The widest record of a text without quotes, as csv.reader counts it (records are the lines split at
    \\r\\n, \\r or \\n; a blank line has no value), or None when csv.reader could stop early on it (a line longer
    than its field size limit): then only csv.reader itself gives the same answer."""
    lines = (text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text).split("\n")
    if max(map(len, lines)) > csv.field_size_limit():
        return None
    return max(map(str.count, lines, repeat(sep))) + 1 if text.strip("\r\n") else 0


def _width_check(text: str, sep: str) -> tuple[int, int | None, bool, int | None]:
    """(widest row without its trailing empty values, the first record wider than MAX_COLUMNS, whether
    some row has more than MAX_COLUMNS values at all, the record holding a cell longer than csv's field size limit).
    Stops at the first row that is too wide or too long.

    Every row within MAX_COLUMNS (all but broken files) is answered in bulk: by counting separators per line
    when the text has no quote, else by csv.reader at C speed; the row-by-row loop only runs for a wide row."""
    if '"' not in text:
        fast = _unquoted_widest(text, sep)
        if fast is not None and fast <= MAX_COLUMNS:
            return fast, None, False, None
    else:
        try:
            fast = max(map(len, csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')), default=0)
        except csv.Error:
            fast = None  # the loop below stops where csv.reader does
        if fast is not None and fast <= MAX_COLUMNS:
            return fast, None, False, None
    return _width_by_rows(text, sep)


def _width_by_rows(text: str, sep: str) -> tuple[int, int | None, bool, int | None]:
    """_width_check row by row (the reference the fast paths must agree with)."""
    widest, padded, number = 0, False, 0
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"'), 1):
            padded = padded or len(row) > MAX_COLUMNS
            widest = max(widest, _filled_width(row) if len(row) > MAX_COLUMNS else len(row))
            if widest > MAX_COLUMNS:
                return widest, number, padded, None
    except csv.Error as error:  # malformed quoting (the parse below reports it) or a huge cell
        if _FIELD_TOO_LONG in str(error):
            return widest, None, padded, number + 1
    return widest, None, padded, None


# csv.reader's words when a cell is longer than its field size limit (131,072 characters), which is also the longest
# cell a text file may hold: parsing one costs several copies of it (a 40 MB cell held 400 MB more at its peak,
# 4 s of CPU), and no column of the data contract holds more than a few hundred characters.
_FIELD_TOO_LONG = "field larger than field limit"


def _first_filled_line(text: str) -> str:
    """The first line of `text` holding more than blanks, with its "\\n" (as iterating io.StringIO(text) gives it,
    without copying a file's whole text into one), else ""."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        if text[start:end].strip():
            return text[start:end]
        start = end
    return ""


def _literal_quotes(text: str, sep: str) -> str:
    """A cell that opens with a quoted word and goes on unquoted (`"El Río" Textiles Ltda.`, written by a tool that
    does not quote cells) is kept as written: quoted again the standard way (`\"""El Río"" Textiles Ltda.\"`).
    Left alone, pandas' C parser would drop its two quotes and the csv module refuse the row.

    Only the unambiguous case changes: the cell starts with a quote that closes before other text, holds an even
    number of quotes and no separator or line break, is not inside a quoted cell (an even number of quotes before
    its line), and its row, so read, is no wider than the header (a wider row means a separator inside quotes
    split a cell, `=HYPERLINK("http://x","y")`: that row is reported as it was). Every other cell reads as before.
    Only the lines holding such a cell are looked at one by one.
    """
    s = re.escape(sep)
    # A well-formed file never has a quote between two other characters of a cell ('o" T'): one look, at C speed
    # (a quote first, so the scan jumps from quote to quote), and most files end here.
    if '"' not in text or not re.search(rf'"(?<=[^{s}\n"]")[^{s}\r\n"]', text):
        return text
    pattern = re.compile(rf'"(?<![^{s}\n]")([^"{s}\r\n]*)"([^"{s}\r\n][^{s}\r\n]*)(?=[{s}\r\n]|\Z)')

    def as_written(match: re.Match[str]) -> str:
        rest = match.group(2)
        if rest.count('"') % 2:  # a quote left open: not a cell as written
            return match.group(0)
        return f'"""{match.group(1)}""{rest.replace(chr(34), chr(34) * 2)}"'

    def width(line: str) -> int:
        try:
            return _filled_width(next(csv.reader([line], delimiter=sep, quotechar='"', strict=True), []))
        except csv.Error:
            return MAX_COLUMNS + 1

    header = _first_filled_line(text)
    widest = width(header)
    pieces: list[str] = []
    done, quotes = 0, 0
    for match in pattern.finditer(text):
        if match.start() < done:  # on a line already looked at
            continue
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end
        quotes += text.count('"', done, start)
        line = text[start:end]
        pieces.append(text[done:start])
        fixed = pattern.sub(as_written, line) if quotes % 2 == 0 else line
        pieces.append(fixed if fixed != line and width(fixed) <= widest else line)
        quotes += line.count('"')  # a rewrite adds an even number: the count's parity holds
        done = end
    return "".join(pieces) + text[done:] if pieces else text


_ARROW_SEPARATORS = frozenset((",", ";", "\t", "|"))
# Arrow's reader infers a column's type unless told: every column it may see is text (a file wider is refused).
_ARROW_TEXT_COLUMNS = {f"f{position}": pa.string() for position in range(MAX_COLUMNS)}


def _grid_by_arrow(text: str, sep: str) -> pd.DataFrame | None:
    """The grid pandas' C parser gives below, read by Arrow's CSV reader straight into Arrow strings (pandas makes
    a Python string per cell, then their Arrow copy), for the files most are: no quote at all, a separator
    `_sniff_separator` finds, every record as wide as the first (a blank line is a row of empty cells, as below)
    and the first no wider than MAX_COLUMNS (a later one that is wider stops Arrow's reader where it is). Then every
    record has the same width, so the width check has nothing to say. None for any other text: the reader below
    answers (tests/test_ingest_fast_paths.py compares the two)."""
    if sep not in _ARROW_SEPARATORS or '"' in text or text[:1] in ("", "\r", "\n", "\ufeff"):
        return None
    first_end = min(end for end in (text.find("\n"), text.find("\r"), len(text)) if end >= 0)
    if text.count(sep, 0, first_end) >= MAX_COLUMNS:  # Arrow makes a column per value of the first record: not 10^6
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep, quote_char=False, double_quote=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=_ARROW_TEXT_COLUMNS, null_values=[], strings_can_be_null=False, check_utf8=False
            ),
        )
    except pa.ArrowInvalid:  # an empty text, or a record wider or narrower than the first
        return None
    if not 0 < table.num_columns <= MAX_COLUMNS:
        return None
    # A line longer than csv's field size limit may hold a cell the width check refuses: left to it. A line is at
    # most its cells' longest values and the separators between them.
    longest = sum(pc.max(pc.utf8_length(column)).as_py() or 0 for column in table.columns) + table.num_columns - 1
    if longest > csv.field_size_limit():
        return None
    return pd.DataFrame(
        {position: pd.Series(column, dtype="str") for position, column in enumerate(table.columns)},
        columns=pd.Index(range(table.num_columns), dtype="int64"),
    )


def parse_delimited(issues: IssueCollector, name: str, text: str) -> tuple[pd.DataFrame, str] | None:
    """Text -> grid of strings (columns 0..n-1, one row per record, blank records kept)."""
    first_line, _sep, rest = text.partition("\n")
    explicit = re.fullmatch(r"\s*sep=(.)\s*", first_line)
    if explicit:  # Excel's "sep=;" line: Excel hides it, so rows are counted without it
        sep, text = explicit.group(1), rest
    else:
        header_line = _first_filled_line(text)
        sep = _sniff_separator(header_line)
    grid = _grid_by_arrow(text, sep)
    if grid is not None:
        return grid, sep
    text = _literal_quotes(text, sep)
    widest, too_wide_record, padded, huge_cell_record = _width_check(text, sep)
    if huge_cell_record is not None:
        issues.add(
            ERROR,
            name,
            _(
                "A cell of this row holds more than {limit} characters, so the file is not read (no column of the "
                "data contract holds more than {longest}): a quote opened and never closed, or a whole text pasted "
                "into one cell.",
                limit=fmt_number(csv.field_size_limit(), 0),
                longest=fmt_number(max(c.max_length or 0 for t in TABLES.values() for c in t.columns), 0),
            ),
            _("Shorten the cell, or close its quote; then export the table again as 'CSV UTF-8'."),
            row=huge_cell_record,  # the record number: a row number unless quoted cells hold line breaks
        )
        return None
    if widest > MAX_COLUMNS:
        issues.add(
            ERROR,
            name,
            _(
                "A row has more than {limit} values separated by '{sep}', so this is not a table of the "
                "data contract (it has at most {columns} columns).",
                limit=MAX_COLUMNS,
                sep="\\t" if sep == "\t" else sep,
                columns=max(len(t.columns) for t in TABLES.values()),
            ),
            _("Export the table again from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)'; see the template."),
            row=too_wide_record,  # the record number: a row number unless quoted cells hold line breaks
        )
        return None
    try:
        if padded:  # Excel writes empty cells up to the last formatted column: read rows without them
            raise pd.errors.ParserError("rows padded with empty values")
        grid = pd.read_csv(  # the C parser reads UTF-8 bytes: given the text, it would encode a copy of it all the same
            io.BytesIO(text.encode("utf-8")),
            encoding="utf-8",
            sep=sep,
            header=None,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
            doublequote=True,
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError):
        # pandas also gives up ("no columns") on a first line that is blank, as a sheet whose row 1 was left empty
        # is saved: the csv module reads every record, blank ones too, so the header is found where it is.
        if not text.strip():
            return pd.DataFrame(), sep
        rows = _ragged_rows(issues, name, text, sep)  # the csv module keeps them, and the check below reports them
        if rows is None:
            return None
        if padded:
            rows = [r[: _filled_width(r)] if len(r) > MAX_COLUMNS else r for r in rows]
        width = max((len(r) for r in rows), default=0)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")
    return grid.fillna("").astype("str"), sep


def _ragged_rows(issues: IssueCollector, name: str, text: str, sep: str) -> list[list[str]] | None:
    """Records of unequal widths, or None after an error naming the row where a misplaced quote breaks the file
    (the csv module's own words are English and name no row)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=True)
    rows: list[list[str]] = []
    ended = 0  # the line the last whole record ended on
    try:
        for row in reader:
            rows.append(row)
            ended = reader.line_num
    except csv.Error:
        problem = _('A quote (") in this row is misplaced or never closed, so the file cannot be split into cells.')
        fix = _(
            'A cell with quotes must start and end with one and double those inside ("Say ""hello"""): fix the '
            "cell or remove the quote."
        )
        issues.add(ERROR, name, problem, fix + " " + _save_as_utf8_fix(), row=ended + 1)
        return None
    return rows


# How a web page, an "XML Spreadsheet 2003" or a saved HTML table starts (a report's "export to Excel" often writes
# one of these under a .csv or .txt name). Read as CSV, its first tag became the column name.
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<table", b"<head", b"<body", b"<!--", b"<meta")


def _is_markup(data: bytes) -> bool:
    """Whether the file's text starts with a markup tag (UTF-8 or UTF-16, after a byte-order mark and blanks)."""
    head = data[:1024].replace(b"\x00", b"")
    for mark in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        head = head.removeprefix(mark)
    return head.lstrip().lower().startswith(_MARKUP_STARTS)


def _read_text_file(issues: IssueCollector, name: str, data: bytes, table: Table) -> _Source | None:
    if not data.strip(b" \t\r\n\x00") or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        _empty_file(issues, name, None, table, _("The file is empty."))
        return None
    if data.startswith(_ZIP_MAGIC):
        issues.add(
            ERROR,
            name,
            _("This is an Excel workbook or a zip archive with a text-file name."),
            _("Rename it to .xlsx, or open it in Excel and save it as CSV UTF-8."),
        )
        return None
    if data.startswith(_OLE_MAGIC) or data.startswith(b"%PDF"):
        problem, fix = _unsupported(name + ".bin", data[:8])
        issues.add(ERROR, name, problem, fix)
        return None
    if _is_markup(data):
        issues.add(
            ERROR,
            name,
            _("This is a web page or an XML file with a text-file name, not a CSV export."),
            _("Open the data in Excel and save it as CSV UTF-8, or as an Excel Workbook (.xlsx)."),
        )
        return None
    text = decode_text(issues, name, data)
    if text is None:
        return None
    parsed = parse_delimited(issues, name, text)
    if parsed is None:
        return None
    grid, sep = parsed
    return _source_from_grid(issues, name, None, table, grid, sep=sep)
