"""What province as a group attribute costs the derived *_by_group tables (issue 22), on one built version:

    .venv/bin/python bench/province_groups.py [PATH_TO_VERSION.duckdb]     # default: the current data dir's

Per table: its rows (grouped by province too) against the rows it would have without province (the same rows summed
over provinces, what it held before); then the read of country_figures' first step over figures_by_group as it is
and over those rows summed without province (a temporary table in the same connection), interleaved, medians.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TABLES = ("figures_by_group", "training_year_by_group", "delivery_by_group", "modules_taken_by_group", "share_by_group")
KEYS = ("country", "module", "sector", "phase", "partner", "join_year", "year", "delivery_module", "n_modules",
        "indicator")  # fmt: skip
READ_NOW = (
    "SELECT country, sum(enterprises), sum(workers), sum(record_keys) % 256, max(max_workers) FROM figures_by_group "
    "WHERE module IS NULL AND list_contains($c, country) AND ($p IS NULL OR list_contains($p, province)) "
    "GROUP BY country"
)
READ_BEFORE = (
    "SELECT country, sum(enterprises), sum(workers), sum(record_keys) % 256, max(max_workers) FROM before_province "
    "WHERE module IS NULL AND list_contains($c, country) GROUP BY country"
)
EVERY_COUNTRY = ["BOL", "CHN", "COL", "GHA", "IDN", "IND", "PER", "VNM", "ZAF"]


def count(con: duckdb.DuckDBPyConnection, statement: str) -> int:
    row = con.execute(statement).fetchone()
    assert row is not None  # a count always returns its row
    return row[0]


def main(path: str) -> None:
    con = duckdb.connect(path, read_only=True)
    for table in TABLES:
        rows = count(con, f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
        columns = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
        keys = ", ".join(key for key in KEYS if key in columns)
        before = count(con, f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {table})")  # noqa: S608
        print(f"{table:24} {rows:>7,} rows ({before:,} without province: x{rows / before:.2f})")
    con.execute(
        "CREATE TEMP TABLE before_province AS SELECT country, module, sector, phase, partner, join_year, "
        "sum(enterprises) AS enterprises, sum(workers) AS workers, sum(record_keys) AS record_keys, "
        "max(max_workers) AS max_workers FROM figures_by_group GROUP BY ALL"
    )
    for label, countries, provinces in (
        ("every country", EVERY_COUNTRY, None),
        ("Colombia", ["COL"], None),
        ("Colombia, Antioquia", ["COL"], ["Antioquia"]),
    ):
        now: list[float] = []
        without_province: list[float] = []
        for _ in range(50):
            start = time.perf_counter()
            con.execute(READ_NOW, {"c": countries, "p": provinces}).fetchall()
            now.append(time.perf_counter() - start)
            if provinces is None:
                start = time.perf_counter()
                con.execute(READ_BEFORE, {"c": countries}).fetchall()
                without_province.append(time.perf_counter() - start)
        shown = f"{statistics.median(now) * 1000:.2f} ms"
        if without_province:
            shown += f" (without province: {statistics.median(without_province) * 1000:.2f} ms)"
        print(f"figures_by_group read, {label}: {shown}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        from score import db

        main(str(db.current_path()))
