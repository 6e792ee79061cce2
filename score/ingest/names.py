"""Names: which table a file or sheet is, normalised column and code names, near-miss suggestions, and the
answer for a file of a kind that cannot be read."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path

from score import contract
from score.contract import TABLES, Table
from score.i18n import _

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Spreadsheets that cannot be read: refused with a message of their own (_unsupported). Such a file stood for the
# tables it names, or for every table (COL.xls), so those are not reported missing as well.
UNREAD_SPREADSHEET_SUFFIXES = (".xls", ".xlsb", ".ods", ".fods", ".numbers")


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


# --------------------------------------------------------------------------------------------
# Names: files, sheets, columns, codes
# --------------------------------------------------------------------------------------------


# Ligatures that have no decomposition: French writes "œuvre" and "oeuvre" alike.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# Bounded: the texts are an upload's header cells and the rows above them. A wide sheet's header is read several
# times over (the header search, the columns' mapping), so its 3,000 names were folded ~100,000 times a check.
@lru_cache(maxsize=16384)
def norm_name(text: str) -> str:
    """Column/sheet names compared loosely: 'Enterprise ID ' -> 'enterprise_id'."""
    return re.sub(r"[^a-z0-9]+", "_", _ascii_fold(text)).strip("_")


# A note after a column's name, in brackets: its unit or form ("workers_female (n)", "joined_on (YYYY-MM-DD)",
# "value [kWh]", "female_share (%)"), which people add to a header and the contract's names do not have.
_HEADER_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def header_names(text: str) -> list[str]:
    """The column names a header cell may stand for, the most literal first: `norm_name`, then without a note in
    brackets at its end, then with a percent sign read as "pct" ("satisfaction (%)", "satisfaction %")."""
    names = [norm_name(text)]
    note = _HEADER_NOTE.search(text)
    if note:
        names.append(norm_name(text[: note.start()]))
    if "%" in text:
        names.append(norm_name(text.replace("%", " pct ")))
    return names


def _header_word(text: str) -> str:
    """A header word compared loosely: accents, case, spaces and underscores aside, a percent sign as "pct"."""
    return norm_name(text.replace("%", " pct "))


@cache
def _column_words(table: str) -> dict[str, tuple[str, ...]]:
    """Loose header word -> the columns of `table` it may stand for (`contract.column_words`), in contract order."""
    order = TABLES[table].column_names
    meanings: dict[str, set[str]] = {}
    for word, column in contract.column_words(table):
        meanings.setdefault(_header_word(word), set()).add(column)
    return {word: tuple(sorted(columns, key=order.index)) for word, columns in meanings.items()}


@cache
def _column_set(table: str) -> frozenset[str]:
    """The columns of `table`, for a membership test per header cell (a wide sheet has thousands)."""
    return frozenset(TABLES[table].column_names)


def header_meanings(table: Table, text: str) -> tuple[str, ...]:
    """The columns of `table` a header cell may stand for: its contract name written loosely (`header_names`),
    else its name in English, French or Spanish (`contract.column_words`); two or more when it is ambiguous,
    none when it names no column."""
    names = header_names(text)
    columns = _column_set(table.name)
    literal = next((name for name in names if name in columns), None)
    if literal is not None:
        return (literal,)
    words = _column_words(table.name)
    return next((words[name] for name in names if name in words), ())


# The names Excel and LibreOffice give a new sheet or workbook, in the programme's countries' languages ("Hoja1",
# "Feuil1", "Sheet1", "Libro1.csv", "Classeur1 (2).csv"): such a sheet or file is read as the table its header row
# names (score.ingest.columns.table_for_header). Any other name that names no table stays refused, never guessed.
_GENERIC_NAME = re.compile(
    r"(sheet|hoja|feuil|feuille|tabelle|planilha|plan|foglio|blad|lembar|trang_tinh|book|libro|classeur|mappe|pasta"
    r"|cartel|buku|workbook|untitled|sans_titre|sin_titulo)_?\d*(_\d+)?"
)


def generic_name(name: str) -> bool:
    """Whether a sheet or file name (extension dropped) is one a spreadsheet program gives by default."""
    stem = name.rsplit(".", 1)[0] if re.search(r"\.[A-Za-z]{3,4}$", name) else name
    return _GENERIC_NAME.fullmatch(norm_name(stem)) is not None


def _norm_code(text: str) -> str:
    """Codes compared loosely: 'Follow-up' / 'follow up' -> 'follow_up', 'osh' -> 'osh'."""
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


# The words country staff name their files and sheets with, besides the table's own English name: French and
# Spanish (compared without accents or case, so 'Formación', 'FORMACION' and 'formacion' are one word). They
# count at the start of a word only ('COL_empresas.csv', 'Capacitación 2024', 'Cadre logique'), so that
# 'información' is not training; a table's English name counts anywhere in the name, as it always has.
TABLE_WORDS: dict[str, tuple[str, ...]] = {
    "enterprises": ("entreprise", "empresa"),
    "training": ("formation", "formacion", "capacitacion", "entrenamiento"),
    "indicators": ("indicateur", "indicador"),
    "logframe": ("cadrelogique", "marcologico", "logicalframework"),
}


# A file's ".csv"; the ". Enterprises" of a sheet "1. Enterprises" is not one.
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}")


def tables_named(name: str) -> list[str]:
    """Every contract table a file or sheet name names, earliest in the name first: 'COL_enterprises (2).csv'
    -> [enterprises], 'empresas_formación.csv' -> [enterprises, training]. A logframe's own indicators
    ('logframe_indicators', 'indicadores del marco lógico') are the logframe: indicators is dropped beside it."""
    stem = Path(name).stem if _EXTENSION.fullmatch(Path(name).suffix) else name  # a sheet: "1. Enterprises"
    words = re.findall(r"[a-z]+|[0-9]+", _ascii_fold(stem))
    compact = "".join(words)
    starts = {0} | {sum(len(w) for w in words[:k]) for k in range(1, len(words))}
    found: dict[str, int] = {}
    for table in TABLES:
        english = compact.find(table.removesuffix("s"))
        hits = [english] if english >= 0 else []
        hits += [start for start in starts for word in TABLE_WORDS.get(table, ()) if compact.startswith(word, start)]
        if hits:
            found[table] = min(hits)
    if "logframe" in found:
        found.pop("indicators", None)
    return sorted(found, key=found.__getitem__)


def table_for_name(name: str) -> str | None:
    """Which contract table a file or sheet name stands for (`tables_named`), or None when it names none, or
    more than one (an ambiguous name is reported, never guessed)."""
    tables = tables_named(name)
    return tables[0] if len(tables) == 1 else None


def ambiguous_name_issue(name: str) -> tuple[str, str] | None:
    """(problem, fix) when a file or sheet name names more than one table, else None."""
    tables = tables_named(name)
    if len(tables) < 2:
        return None
    return (
        _(
            "The name '{name}' fits more than one table ({tables}); it was not read.",
            name=name,
            tables=", ".join(tables),
        ),
        _("Name it after one table: enterprises, training, indicators or logframe (or its French or Spanish name)."),
    )


STORED_NAME_BYTES = 120  # far below a file system's 255 bytes, with room for a temporary file's prefix and suffix


def stored_file_name(name: str) -> str:
    """An uploaded file's name as it may be stored: its last part after either path separator (an old browser on
    Windows sends C:\\...\\COL.xlsx), control characters as '_', no leading '.', '~' or '$' (a hidden or lock
    file that a folder read skips), and at most STORED_NAME_BYTES (the middle of the stem goes, so the country
    at its start and the table at its end still name it). A browser may send any name its system allows."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = "".join("_" if unicodedata.category(ch)[0] == "C" else ch for ch in base).strip()
    suffix = Path(base).suffix if len(Path(base).suffix) <= 8 else ""
    stem = base[: len(base) - len(suffix)].lstrip(".~$ ") or "upload"
    while len((stem + suffix).encode()) > STORED_NAME_BYTES:
        half = len(stem) // 2
        stem = stem[: half - 2] + "_" + stem[half + 2 :] if len(stem) > 8 else stem[:-1]
    return stem + suffix


def contract_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files of an upload that can hold contract data (`contract_file`), under names safe to store."""
    return {stored_file_name(name): bytes(raw) for name, raw in files.items() if contract_file(name)}


def contract_file(name: str) -> bool:
    """Whether an uploaded file can hold contract data (a workbook, or a text file named after a table). Only
    these are archived and published: anything else (a note, a DEMO_DATA.txt marker) never reaches the data."""
    suffix = Path(name).suffix.lower()
    return suffix in WORKBOOK_SUFFIXES or (suffix in TEXT_SUFFIXES and table_for_name(Path(name).name) is not None)


def _countries_in_name(name: str) -> list[str]:
    known = set(contract.code_list("country"))
    tokens = re.split(r"[^A-Za-z0-9]+", Path(name).stem)
    return [t.upper() for t in tokens if t.upper() in known]


def countries_named(text: str) -> list[str]:
    """The countries a file or sheet name, or a cell, names: an ISO3 code in capitals ("PER_enterprises.csv"; in
    small letters "per" and "col" are words) or a country's name in English, French or Spanish, accents and case
    aside ("Perú.xlsx", "datos peru 2024.csv", "Afrique du Sud"), each a whole word. In the order first named."""
    codes = set(contract.code_list("country"))
    found = [token for token in re.split(r"[^A-Za-z0-9]+", text) if token in codes]
    tokens = re.split(r"[^a-z0-9]+", _ascii_fold(text))
    for words, code in _country_names().items():
        size = len(words)
        if any(tuple(tokens[at : at + size]) == words for at in range(len(tokens) - size + 1)):
            found.append(code)
    return list(dict.fromkeys(found))


@cache
def _country_names() -> dict[tuple[str, ...], str]:
    """A country's names (and synonyms) as folded words -> its code; the codes themselves are not names."""
    codes = set(contract.code_list("country"))
    return {
        tuple(t for t in re.split(r"[^a-z0-9]+", _ascii_fold(word)) if t): code
        for word, code in contract.code_words("country")
        if word not in codes
    }


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def _code_aliases(code_list: str) -> dict[str, str]:
    return {_norm_code(code): code for code in contract.code_list(code_list)}


def _suggest(value: str, candidates: Sequence[str]) -> str | None:
    """The closest candidate to `value` (names compared loosely), or None."""
    norm = {norm_name(c): c for c in candidates}
    target = norm_name(value)
    if not target:
        return None
    match = difflib.get_close_matches(target, list(norm), n=1, cutoff=0.6)
    if match:
        return norm[match[0]]
    if len(target) >= 3:  # "lat" -> latitude, "consultation" -> consultation_visits
        prefixed = [c for n, c in norm.items() if n.startswith(target) or target.startswith(n)]
        if len(prefixed) == 1:
            return prefixed[0]

    def stems(name: str) -> set[str]:  # "join_date" ~ "joined_on" share the word stem "join"
        return {word[:4] for word in name.split("_") if len(word) >= 4}

    shared = [c for n, c in norm.items() if stems(n) & stems(target)]
    return shared[0] if len(shared) == 1 else None


def _formats_fix() -> str:
    return _(
        "Upload CSV files (enterprises.csv, training.csv, indicators.csv and optionally logframe.csv) "
        "or one Excel workbook (.xlsx) with sheets of the same names. The templates show the layout."
    )


def _save_as_utf8_fix() -> str:
    return _("Open the file in Excel and save it again as 'CSV UTF-8 (Comma delimited) (*.csv)'.")


def _unsupported(name: str, data: bytes) -> tuple[str, str]:
    suffix = Path(name).suffix.lower()
    if suffix == ".xls" or (data.startswith(_OLE_MAGIC) and suffix not in (".doc", ".ppt")):
        return (
            _("Old Excel 97-2003 workbooks (.xls) cannot be read."),
            _("Open it in Excel and use 'Save as' > 'Excel Workbook (*.xlsx)'."),
        )
    if suffix == ".ods":
        return (
            _("OpenDocument spreadsheets (.ods) cannot be read."),
            _("Save it as 'Excel 2007-365 (.xlsx)' or as CSV (UTF-8)."),
        )
    if suffix == ".zip" or data.startswith(_ZIP_MAGIC):
        return (_("Zip archives cannot be read."), _("Unzip it and upload the files inside.") + " " + _formats_fix())
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        return (_("PDF files cannot be read: they hold no table data."), _formats_fix())
    return (_("Files of type '{suffix}' cannot be read.", suffix=suffix or name), _formats_fix())
