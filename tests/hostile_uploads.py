"""Hostile and broken uploads, generated (nothing binary in git): what a corpus of bad files brings beyond
tests/bad_files. Each case is the valid small set (tests/fixtures/valid_small/COL) with one file replaced, or
an upload of its own. `CASES` maps a name to (what makes its files, whether the upload may be accepted), and
`case_files` makes them once a process, when a test asks: every xdist worker imports this module to collect
the tests, and making every case there (a 200 MB zip bomb compressed, a 10 MB line) cost each worker seconds."""

from __future__ import annotations

import codecs
import csv
import io
import random
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

BASE = Path(__file__).parent / "fixtures" / "valid_small" / "COL"
Files = dict[str, bytes]


def base_files() -> Files:
    return {p.name: p.read_bytes() for p in sorted(BASE.glob("*.csv"))}


def _enterprises() -> str:
    return (BASE / "enterprises.csv").read_text(encoding="utf-8")


def _with(**files: bytes) -> Files:
    """The valid set with files replaced: enterprises__csv= is enterprises.csv."""
    return base_files() | {name.replace("__", "."): data for name, data in files.items()}


def _zip(files: Files) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A workbook-shaped zip whose one sheet unpacks to 200 MB of spaces (200 KB packed)."""
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"<a>" + b" " * 200_000_000 + b"</a>"})


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheets() -> dict[str, list[list[object]]]:
    return {
        name.removesuffix(".csv"): [list(r) for r in csv.reader(io.StringIO(data.decode("utf-8")))]
        for name, data in base_files().items()
    }


def _random_bytes(lowest: int) -> bytes:
    """4 KB of random bytes from `lowest` to 255 (1: no NUL byte, which alone says "binary")."""
    draw = random.Random(19)
    return bytes(draw.randrange(lowest, 256) for _ in range(4096))


def _duplicated_rows(times: int) -> bytes:
    """The first enterprise's row `times` times, each followed by an enterprise of its own (rows 2, 4, 6 ...)."""
    lines = _enterprises().splitlines()
    rows = [line for n in range(times) for line in (lines[1], lines[2].replace("COL-0002", f"COL-9{n:04d}"))]
    return ("\n".join([lines[0], *rows, *lines[3:]]) + "\n").encode()


def _cases() -> dict[str, tuple[Callable[[], Files], bool]]:
    text = _enterprises()
    header, first = text.splitlines()[:2]
    name = "Confecciones Andinas S.A.S."
    formula_sheets = _sheets()
    formula_sheets["enterprises"][1][1] = '=HYPERLINK("http://example.org","click")'
    wide_sheets = _sheets()
    wide_sheets["enterprises"][0] += [f"extra_{i}" for i in range(3000)]
    return {
        "an empty file": (lambda: _with(enterprises__csv=b""), False),
        "blank lines only": (lambda: _with(enterprises__csv=b"\r\n\r\n  \r\n"), False),
        "a byte order mark only": (lambda: _with(enterprises__csv=b"\xef\xbb\xbf"), False),
        "the header only": (lambda: _with(enterprises__csv=(header + "\n").encode()), False),
        "wrong columns": (lambda: _with(enterprises__csv=b"a,b,c\n1,2,3\n"), False),
        "an id repeated in 2,000 rows": (lambda: _with(enterprises__csv=_duplicated_rows(2000)), False),
        "another country's ids": (lambda: {k: v.replace(b"COL-", b"PER-") for k, v in base_files().items()}, False),
        "NUL bytes": (lambda: _with(enterprises__csv=text.replace("Medell", "Med\x00ell").encode()), False),
        "a 10 MB line": (lambda: _with(enterprises__csv=(header + "\n" + "x" * 10_000_000 + "\n").encode()), False),
        "5,000 columns": (
            lambda: _with(
                enterprises__csv=(header + "," + ",".join(f"c{i}" for i in range(5000)) + "\n" + first).encode()
            ),
            False,
        ),
        "a formula as a name": (
            lambda: _with(enterprises__csv=text.replace(name, '=HYPERLINK("http://x","y")').encode()),
            False,
        ),
        "out-of-range values": (
            lambda: _with(
                enterprises__csv=text.replace(",85,40,", ",-5,99999999,").replace("6.244", "96.244").encode()
            ),
            False,
        ),
        "a zip named .csv": (lambda: _with(enterprises__csv=_zip(base_files())), False),
        "a zip": (lambda: {"upload.zip": _zip(base_files())}, False),
        "a zip bomb named .xlsx": (lambda: {"COL.xlsx": _zip_bomb()}, False),
        "a damaged workbook": (lambda: {"COL.xlsx": b"PK\x03\x04" + b"\x00garbage" * 50}, False),
        "a workbook with 3,000 extra columns": (lambda: {"COL.xlsx": _workbook(wide_sheets)}, True),
        "a formula cell in a workbook": (lambda: {"COL.xlsx": _workbook(formula_sheets)}, False),
        "an old .xls": (lambda: {"COL.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600}, False),
        "a PDF named .csv": (lambda: {"enterprises.csv": b"%PDF-1.4 \x00\x01\x02"}, False),
        "a web page named .csv": (
            lambda: _with(enterprises__csv=b"<html><body><table><tr><td>1</td></tr></table>"),
            False,
        ),
        "a path in the file name": (lambda: {"../../etc/passwd.csv": b"a,b\n"}, False),
        "random bytes named .csv": (
            lambda: _with(enterprises__csv=_random_bytes(0)),
            False,
        ),
        "random bytes without a NUL named .csv": (
            lambda: _with(enterprises__csv=_random_bytes(1)),
            False,
        ),
        "an invalid byte inside a UTF-8 file with a BOM": (
            lambda: _with(enterprises__csv=codecs.BOM_UTF8 + text.encode().replace("Medellín".encode(), b"Medell\xed")),
            False,
        ),
        "rows of another separator pasted below": (
            lambda: _with(
                enterprises__csv="\n".join(
                    [*text.splitlines()[:3], *(line.replace(",", ";") for line in text.splitlines()[3:])]
                ).encode()
            ),
            False,
        ),
        "markup in names": (
            lambda: _with(
                enterprises__csv=text.replace(name, "<script>alert(1)</script> **bold** [x](http://e.org)").encode()
            ),
            True,
        ),
    }


CASES = _cases()


@cache
def case_files(case: str) -> Files:
    """The files of a case of `CASES`, made on first use (read-only: the same dict for every test of a process)."""
    return CASES[case][0]()
