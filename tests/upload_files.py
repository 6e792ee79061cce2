"""The small valid Colombian upload of tests/fixtures, with cells replaced, as CSV files or as one workbook."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

BASE = Path(__file__).parent / "fixtures" / "valid_small" / "COL"


def base_files(**replace: str) -> dict[str, bytes]:
    """The fixture's CSV files; `enterprises__csv="..."` replaces enterprises.csv with that text."""
    files = {p.name: p.read_bytes() for p in sorted(BASE.glob("*.csv"))}
    files.update({name.replace("__", "."): text.encode("utf-8") for name, text in replace.items()})
    return files


def workbook_of(files: dict[str, bytes]) -> bytes:
    """CSV files as one workbook, a sheet per table (cells as text)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, data in files.items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        for row in csv.reader(io.StringIO(data.decode("utf-8"))):
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
