"""Upload files for the browser and load tests: a second valid COL data set and a broken one."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.e2e.app_server import COUNTRIES

TABLES = ("enterprises", "training", "indicators", "logframe")


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def col_without_last(out: Path, drop: int = 10, source: Path = COUNTRIES / "COL") -> list[Path]:
    """The demo COL files minus the last `drop` enterprises and their training and indicator rows (valid)."""
    out.mkdir(parents=True, exist_ok=True)
    header, enterprises = _read(source / "enterprises.csv")
    dropped = {row["enterprise_id"] for row in enterprises[-drop:]} if drop else set()
    paths = []
    for table in TABLES:
        path = source / f"{table}.csv"
        if not path.exists():
            continue
        header, rows = _read(path)
        if "enterprise_id" in header:
            rows = [row for row in rows if row["enterprise_id"] not in dropped]
        _write(out / f"{table}.csv", header, rows)
        paths.append(out / f"{table}.csv")
    return paths


def col_broken(out: Path, source: Path = COUNTRIES / "COL") -> tuple[list[Path], int]:
    """Valid COL files except one negative head count in enterprises.csv; returns the paths and its Excel row."""
    paths = col_without_last(out, drop=0, source=source)
    header, rows = _read(out / "enterprises.csv")
    rows[2]["workers_female"] = "-5"
    _write(out / "enterprises.csv", header, rows)
    return paths, 4  # header is row 1, so rows[2] is Excel row 4


def names(folder: Path) -> set[str]:
    return {row["name"] for row in _read(folder / "enterprises.csv")[1]}
