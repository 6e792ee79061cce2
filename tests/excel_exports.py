"""A country's files as real spreadsheets write them: the unseen-material corpus, generated (nothing binary in git).

Each variant takes the rows of a committed country folder (csv module only) and writes them the way one
program or setting does: a code page (Windows, Mac Roman, DOS, Vietnamese Windows with its combining tone
marks), UTF-16 with tabs (Excel's "Unicode text"), UTF-8 with a BOM and CRLF, ";" with decimal commas,
thousands groups, DD/MM/YYYY dates, Excel serial numbers, headers in capitals with spaces, trailing empty
columns and rows, a line break inside a quoted cell, and an .xlsx workbook. The content never changes, so a
variant must read as exactly the rows the original says (`expected`, counted here without the package).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COUNTRIES = REPO / "data" / "countries"

Rows = list[list[str]]
Files = dict[str, bytes]

_ISO_DATE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five tone marks code page 1258 writes as combining characters


def country_rows(country: str) -> dict[str, Rows]:
    """{file name: rows} of a committed country folder, header first."""
    return {
        path.name: list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for path in sorted((COUNTRIES / country).glob("*.csv"))
    }


def _write(rows: Rows, sep: str = ",", end: str = "\r\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=end).writerows(rows)
    return out.getvalue()


def _cells(rows: Rows, change: Callable[[str], str]) -> Rows:
    return [rows[0]] + [[change(cell) for cell in row] for row in rows[1:]]


def _cp1258(text: str) -> bytes:
    """Code page 1258 as Vietnamese Windows writes it: a base letter (with its circumflex, breve or horn when
    the code page has it) followed by the tone as a combining mark."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
            out += (base + "".join(p for p in parts if p in _TONES)).encode("cp1258")
    return bytes(out)


def _garbled_text(text: str, codepage: str) -> str:
    """UTF-8 text as Excel shows it after opening it as `codepage` text (a CSV UTF-8 without its byte order mark,
    double-clicked): each byte became a character ("Medellín" -> "MedellÃ­n"); the five bytes Windows-1252 has no
    character for became the control character of that number, as Windows reads them."""
    chars = []
    for byte in text.encode("utf-8"):
        try:
            chars.append(bytes([byte]).decode(codepage))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


def _garbled(text: str, codepage: str) -> bytes:
    """A UTF-8 file garbled as `_garbled_text` says and saved again as "CSV UTF-8"."""
    return codecs.BOM_UTF8 + _garbled_text(text, codepage).encode("utf-8")


def _serial(cell: str) -> str:
    found = _ISO_DATE.match(cell)
    return str((dt.date(*map(int, found.groups())) - dt.date(1899, 12, 30)).days) if found else cell


def _thousands(cell: str) -> str:
    return f"{int(cell):,}" if cell.isdigit() and int(cell) >= 1000 else cell


def _french_number(cell: str) -> str:
    """A count as French Excel shows it (a no-break space between thousands groups), a decimal with a comma."""
    if cell.isdigit():
        return f"{int(cell):,}".replace(",", "\u00a0")
    return cell.replace(".", ",") if _DECIMAL.match(cell) else cell


def _spanish_number(cell: str) -> str:
    """A number as Spanish Excel shows it: a point between thousands groups ("1.234"), a decimal comma ("6,244")."""
    if cell.isdigit():
        return f"{int(cell):,}".replace(",", ".")
    return cell.replace(".", ",") if _DECIMAL.match(cell) else cell


def _day_month_year(cell: str) -> str:
    return _ISO_DATE.sub(r"\3/\2/\1", cell)


def _us_date(cell: str) -> str:
    """An ISO date as Excel in English (United States) settings writes a date cell to CSV: M/D/YYYY."""
    found = _ISO_DATE.match(cell)
    return f"{int(found[2])}/{int(found[3])}/{found[1]}" if found else cell


def _short_year(cell: str) -> str:
    """An ISO date as a cell formatted "d/m/yy" shows it: 19/5/09."""
    found = _ISO_DATE.match(cell)
    return f"{int(found[3])}/{int(found[2])}/{found[1][2:]}" if found else cell


def _month_named(language: str) -> Callable[[str], str]:
    """An ISO date as Excel shows a date with its month by name: "15-mar-2011" (format d-mmm-yyyy, English,
    Spanish or Indonesian abbreviations), "15 mars 2011" (d mmmm yyyy in French, "15 Maret 2011" in Indonesian),
    "15 de marzo de 2011" (Spanish long), "2011年3月15日" (Chinese long)."""
    names = {
        "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "es": "ene feb mar abr may jun jul ago sep oct nov dic",
        "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "es long": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "id": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
        "pt": "jan fev mar abr mai jun jul ago set out nov dez",
        "id long": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
        "zh": "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月",
    }[language].split()
    form = {
        "fr": "{d} {m} {y}",
        "es long": "{d} de {m} de {y}",
        "id long": "{d} {m} {y}",
        "zh": "{y}年{m}{d}日",  # Chinese Excel's long date: 2011年3月15日
        "pt": "{d:02d}/{m}/{y}",  # Portuguese (Brazil) Excel's dd/mmm/aaaa: 15/out/2011
    }.get(language, "{d:02d}-{m}-{y}")

    def change(cell: str) -> str:
        found = _ISO_DATE.match(cell)
        if not found:
            return cell
        year, month, day = map(int, found.groups())
        return form.format(d=day, m=names[month - 1], y=year)

    return change


def _loose_headers(rows: Rows) -> Rows:
    """Headers as people retype them ("  ENTERPRISE ID "), two empty columns and three empty rows after the data."""
    width = len(rows[0]) + 2
    head = [f"  {name.upper().replace('_', ' ')} " for name in rows[0]] + ["", ""]
    return [head] + [[*row, "", ""] for row in rows[1:]] + [[""] * width] * 3


def _pasted_with_total(rows: Rows) -> Rows:
    """Two exports pasted together (the second keeps its header) and a total row Excel's AutoSum adds below,
    "Total" in its first cell and the sum of each number column."""
    header, data = rows[0], rows[1:]
    total = ["Total"] + [
        str(sum(int(r[i]) for r in data if r[i].isdigit())) if any(r[i].isdigit() for r in data) else ""
        for i in range(1, len(header))
    ]
    half = len(data) // 2
    return [header, *data[:half], header, *data[half:], total]


def _line_break_in_a_quoted_cell(rows: Rows) -> Rows:
    """Alt+Enter in the last column of every data row (a logframe comment, a partner, a satisfaction share is
    not text: only text columns get one)."""
    text_columns = {"name", "partner", "comment", "city"}
    at = [i for i, name in enumerate(rows[0]) if name in text_columns]
    if not at:
        return rows
    column = at[-1]
    out = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        if row[column]:
            row[column] = row[column] + "\nsecond line"
        out.append(row)
    return out


# The contract's percentages (0-100); Excel users format such a column as a percentage.
_PERCENT_COLUMNS = ("satisfaction_pct", "female_share")


def _percent_signs(rows: Rows, decimal: str = ".", space: str = "") -> Rows:
    """The percentage columns as Excel saves a column formatted as a percentage to CSV: the value it shows,
    "88%" (or "91,5 %" in French settings), not the fraction it keeps."""
    at = [i for i, name in enumerate(rows[0]) if name in _PERCENT_COLUMNS]
    out = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        for i in at:
            if row[i]:
                row[i] = row[i].replace(".", decimal) + space + "%"
        out.append(row)
    return out


def _workbook_as_kept(files: dict[str, Rows]) -> bytes:
    """The workbook as a country office keeps it: a title row and a blank row above each header, an instructions
    sheet first, a hidden old copy of the enterprises sheet, a summary sheet of formulas, and the dates as serial
    numbers in cells formatted "General" (a column pasted as values, or typed before the format was set)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(_workbook(files)))
    notes = book.create_sheet("Instrucciones", 0)
    notes.append(["Llene una fila por empresa; no cambie los nombres de las columnas."])
    for sheet in book.worksheets[1:]:
        sheet.insert_rows(1, 2)
        sheet["A1"] = f"SCORE - {sheet.title}"
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.value, cell.number_format = (cell.value - dt.datetime(1899, 12, 30)).days, "General"
    old = book.copy_worksheet(book["enterprises"])
    old.title, old.sheet_state = "enterprises (old)", "hidden"
    old["A4"] = "broken id"
    summary = book.create_sheet("Resumen")
    summary.append(["Empresas", "=COUNTA(enterprises!A4:A10000)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _workbook(files: dict[str, Rows], percent_cells: bool = False) -> bytes:
    """One .xlsx with a sheet per file: numbers as numbers, dates as date cells (as Excel keeps them); with
    `percent_cells`, the percentage columns as Excel keeps a column formatted as a percentage: 0.885 shown 88.5%."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in files.items():
        sheet = book.create_sheet(Path(name).stem)
        sheet.append(rows[0])
        percent_at = {i + 1 for i, column in enumerate(rows[0]) if percent_cells and column in _PERCENT_COLUMNS}
        for row in rows[1:]:
            sheet.append([_typed(cell) for cell in row])
            for at in percent_at:
                cell = sheet.cell(row=sheet.max_row, column=at)
                if isinstance(cell.value, int | float):
                    cell.value, cell.number_format = cell.value / 100, "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_STRICT_NAMES = {  # ISO 29500 Part 1: Transitional -> Strict
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships"
    ),
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


def strict(book: bytes) -> bytes:
    """The workbook as Excel's "Save as > Strict Open XML Spreadsheet (*.xlsx)" writes it: the same parts, their XML
    in the ISO 29500 Strict namespaces and marked `conformance="strict"`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as written:
        for info in archive.infolist():
            part = archive.read(info)
            if info.filename.endswith((".xml", ".rels")):
                for transitional, strict_name in _STRICT_NAMES.items():
                    part = part.replace(transitional, strict_name)
            if info.filename == "xl/workbook.xml":
                part = part.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
            written.writestr(info, part)
    return out.getvalue()


def _typed(cell: str) -> object:
    found = _ISO_DATE.match(cell)
    if found:
        return dt.datetime(*map(int, found.groups()))
    if re.fullmatch(r"-?\d+", cell):
        return int(cell)
    if _DECIMAL.match(cell):
        return float(cell)
    return cell


def _each(rows: dict[str, Rows], encode: Callable[[Rows], bytes]) -> Files:
    return {name: encode(table) for name, table in rows.items()}


# name -> (countries it applies to: a code page cannot write every script, the files)
VARIANTS: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Rows]], Files]]] = {
    "Windows-1252 (Excel's plain CSV on Windows)": (
        ("COL", "PER"),
        lambda rows: _each(rows, lambda t: _write(t).encode("cp1252")),
    ),
    "Mac Roman (Excel's plain CSV on a Mac)": (
        ("COL", "PER"),
        lambda rows: _each(rows, lambda t: _write(t, end="\r").encode("mac_roman")),
    ),
    "DOS code page 850": (("COL",), lambda rows: _each(rows, lambda t: _write(t).encode("cp850"))),
    "Windows-1258 (Excel's plain CSV on Vietnamese Windows)": (
        ("VNM",),
        lambda rows: _each(rows, lambda t: _cp1258(_write(t))),
    ),
    "UTF-8 decomposed (a Mac's text, NFD)": (
        ("VNM",),
        lambda rows: _each(rows, lambda t: unicodedata.normalize("NFD", _write(t)).encode("utf-8")),
    ),
    **{
        f"UTF-8 opened as {codepage} and saved as CSV UTF-8 (garbled accents)": (
            countries,
            lambda rows, codepage=codepage: _each(rows, lambda t: _garbled(_write(t), codepage)),
        )
        for codepage, countries in (("cp1252", ("COL", "VNM")), ("mac_roman", ("COL",)))
    },
    "UTF-16 with tabs (Excel's Unicode text)": (
        ("VNM", "COL"),
        lambda rows: _each(rows, lambda t: _write(t, "\t").encode("utf-16")),
    ),
    "UTF-8 with a BOM and CRLF (Excel's CSV UTF-8)": (
        ("VNM",),
        lambda rows: _each(rows, lambda t: codecs.BOM_UTF8 + _write(t).encode("utf-8")),
    ),
    "semicolons and decimal commas (a European Excel)": (
        ("VNM", "COL"),
        lambda rows: _each(
            rows, lambda t: _write(_cells(t, lambda c: c.replace(".", ",") if _DECIMAL.match(c) else c), ";").encode()
        ),
    ),
    "thousands groups in counts": (
        ("VNM",),
        lambda rows: _each(rows, lambda t: _write(_cells(t, _thousands)).encode()),
    ),
    # Each code page writes the no-break space as another byte (A0, CA, FF); a file whose only such bytes are
    # in numbers was read as a Baltic or Central European code page, "22Ā837".
    **{
        f"no-break spaces in thousands, {codepage} (French Excel's CSV)": (
            ("COL",),
            lambda rows, codepage=codepage: _each(
                rows, lambda t: _write(_cells(t, _french_number), ";").encode(codepage)
            ),
        )
        for codepage in ("cp1252", "mac_roman", "cp850")
    },
    "dates as DD/MM/YYYY": (
        ("VNM",),
        lambda rows: _each(rows, lambda t: _write(_cells(t, lambda c: _ISO_DATE.sub(r"\3/\2/\1", c))).encode("utf-8")),
    ),
    **{
        f"dates with the month by name ({language})": (
            ("COL",),
            lambda rows, language=language: _each(rows, lambda t: _write(_cells(t, _month_named(language))).encode()),
        )
        for language in ("en", "es", "fr", "es long", "pt")
    },
    **{
        f"dates with the month by name ({language})": (
            (country,),
            lambda rows, language=language: _each(rows, lambda t: _write(_cells(t, _month_named(language))).encode()),
        )
        for language, country in (("id", "IDN"), ("id long", "IDN"), ("zh", "CHN"))
    },
    # Session 20: an English (US) Excel writes M/D/YYYY; a "d/m/yy" cell writes 19/5/09. Both were refused row by row.
    "English (US) Excel's CSV: dates as M/D/YYYY": (
        ("COL", "PER"),
        lambda rows: _each(rows, lambda t: _write(_cells(t, _us_date)).encode("cp1252")),
    ),
    "dates as D/M/YY (two-digit years), Windows-1252 with semicolons": (
        ("COL",),
        lambda rows: _each(rows, lambda t: _write(_cells(t, _short_year), ";").encode("cp1252")),
    ),
    "numbers kept as text with Excel's apostrophe ('45), copied into a CSV": (
        ("COL",),
        lambda rows: _each(rows, lambda t: _write(_cells(t, lambda c: "'" + c if c.isdigit() else c)).encode()),
    ),
    "dates as Excel serial numbers": (
        ("VNM",),
        lambda rows: _each(rows, lambda t: _write(_cells(t, _serial)).encode()),
    ),
    "headers in capitals with spaces, trailing empty columns and rows": (
        ("VNM",),
        lambda rows: _each(rows, lambda t: _write(_loose_headers(t), ";").encode("utf-8-sig")),
    ),
    "the header repeated mid-file and a total row": (
        ("COL",),
        lambda rows: _each(rows, lambda t: _write(_pasted_with_total(t), ";").encode("cp1252")),
    ),
    "an xlsx workbook with the header repeated mid-sheet and a total row": (
        ("COL",),
        lambda rows: {"country.xlsx": _workbook({name: _pasted_with_total(t) for name, t in rows.items()})},
    ),
    # Session 19: the saves country staff make in Spanish and French settings, with a blank first line (a sheet whose
    # row 1 was left empty), which read as "The file is empty." before.
    "Spanish Excel's CSV: Windows-1252, blank first line, ';', '1.234', decimal commas, DD/MM/YYYY": (
        ("COL", "PER"),
        lambda rows: _each(
            rows,
            lambda t: ("\r\n" + _write(_cells(t, lambda c: _day_month_year(_spanish_number(c))), ";")).encode("cp1252"),
        ),
    ),
    "Excel's 'sep=;' line in a CSV UTF-8 (BOM) with decimal commas and trailing ';;;;'": (
        ("COL",),
        lambda rows: _each(
            rows,
            lambda t: (
                codecs.BOM_UTF8
                + (
                    "sep=;\r\n"
                    + "".join(
                        line + ";;;;\r\n"
                        for line in _write(
                            _cells(t, lambda c: c.replace(".", ",") if _DECIMAL.match(c) else c), ";", "\n"
                        ).splitlines()
                    )
                ).encode()
            ),
        ),
    ),
    "Excel for Mac's CSV: Mac Roman, lone CR line ends, a title line and a blank line above the header": (
        ("COL",),
        lambda rows: _each(rows, lambda t: ("SCORE Colombia;;;\r\r" + _write(t, ";", "\r")).encode("mac_roman")),
    ),
    "French Excel's Unicode text: UTF-16, tabs, blank first line, '1 234', decimal commas, DD/MM/YYYY": (
        ("COL",),
        lambda rows: _each(
            rows,
            lambda t: ("\r\n" + _write(_cells(t, lambda c: _day_month_year(_french_number(c))), "\t")).encode("utf-16"),
        ),
    ),
    "an xlsx workbook as kept: title rows, notes, hidden old copy, formulas, dates as serial numbers": (
        ("COL",),
        lambda rows: {"country.xlsx": _workbook_as_kept(rows)},
    ),
    "an xlsx workbook": (("VNM", "COL"), lambda rows: {"country.xlsx": _workbook(rows)}),
    "an xlsx workbook saved as Strict Open XML": (("COL",), lambda rows: {"country.xlsx": strict(_workbook(rows))}),
    "an xlsx workbook saved from a CSV with garbled accents": (
        ("COL",),
        lambda rows: {
            "country.xlsx": _workbook({n: _cells(t, lambda c: _garbled_text(c, "cp1252")) for n, t in rows.items()})
        },
    ),
    "an xlsx workbook with Excel's own sheet names (Hoja1, Hoja2 ...)": (
        ("COL",),
        lambda rows: {"Libro1.xlsx": _workbook({f"Hoja{i}": t for i, t in enumerate(rows.values(), 1)})},
    ),
    "CSV files with Excel's own names (Libro1.csv ...), Windows-1252 with semicolons": (
        ("COL",),
        lambda rows: {f"Libro{i}.csv": _write(t, ";").encode("cp1252") for i, t in enumerate(rows.values(), 1)},
    ),
    "an xlsx workbook with its percentages formatted as percentages": (
        ("COL",),
        lambda rows: {"country.xlsx": _workbook(rows, percent_cells=True)},
    ),
    "percentages with a % sign (Excel's CSV of cells formatted as percentages)": (
        ("COL",),
        lambda rows: _each(rows, lambda t: _write(_percent_signs(t)).encode()),
    ),
    "percentages with a % sign and decimal commas (French Excel's CSV)": (
        ("COL",),
        lambda rows: _each(
            rows, lambda t: _write(_cells(_percent_signs(t, ",", "\u00a0"), _french_number), ";").encode("cp1252")
        ),
    ),
}


def variants() -> list[tuple[str, str]]:
    """(variant, country) pairs, for parametrize."""
    return [(name, country) for name, (countries, _files) in VARIANTS.items() for country in countries]


def variant_files(variant: str, country: str) -> Files:
    """The files of a variant, made once a process (a workbook takes ~0.5 s of CPU and several tests start from
    Colombia's); a copy, so a test may change its dict."""
    return dict(_variant_files(variant, country))


@cache
def _variant_files(variant: str, country: str) -> Files:
    return VARIANTS[variant][1](country_rows(country))


def line_break_files(country: str) -> Files:
    return {name: _write(_line_break_in_a_quoted_cell(rows)).encode() for name, rows in country_rows(country).items()}


def expected(country: str) -> dict[str, dict[str, object]]:
    """What each table holds, counted from the committed rows: rows, the sum of every number column, the
    set of every text column (Unicode composed)."""
    out: dict[str, dict[str, object]] = {}
    for name, rows in country_rows(country).items():
        header, data = rows[0], rows[1:]
        facts: dict[str, object] = {"rows": len(data)}
        for i, column in enumerate(header):
            cells = [row[i] for row in data if row[i] != ""]
            if cells and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in cells):
                facts[column] = round(sum(float(c) for c in cells), 6)
            else:
                facts[column] = {unicodedata.normalize("NFC", c) for c in cells}
        out[Path(name).stem] = facts
    return out
