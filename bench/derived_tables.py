"""CPU and wall time of the build's derived tables (score.build.write_derived_tables, main then noisy), per statement.

    .venv/bin/python bench/derived_tables.py VERSION.duckdb [--repo CHECKOUT]

A fresh database of CHECKOUT's schema (default: this one) is filled with the base rows of VERSION (a built version,
e.g. `<data dir>/versions/score-1.duckdb` of `python -m score demo --scale 200 --out DIR`), then the derived tables
are written as the build writes them, timed per statement; the rows of each derived table are then hashed in their
stored order, so two checkouts can be compared on the same rows (floating-point sums in DuckDB's parallel
aggregates may differ in the last bit from run to run: compare the page figures, scripts/page_figures.py, for those).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

REPO = Path(__file__).resolve().parent.parent
BASE_TABLES = (
    "country", "sector", "module", "indicator", "logframe_indicator", "target", "funding", "enterprise", "training",
    "indicator_value", "logframe", "country_dataset", "noisy.contribution_noise", "noisy.group_sign",
    "noisy.enterprise", "noisy.training", "noisy.indicator_value",
)  # fmt: skip


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timed:
    """A connection whose execute() adds each statement's time to `spent`, keyed by what it writes."""

    def __init__(self, con, spent: dict[str, list[float]]):
        self.con, self.spent = con, spent

    def execute(self, statement: str, parameters=None):
        start, start_cpu = time.perf_counter(), cpu()
        result = self.con.execute(statement, parameters)
        found = re.search(r"INSERT INTO \w+|FROM (\w+)\(", statement)
        key = (found.group(0) if found else statement[:40]).removeprefix("FROM ").rstrip("(")
        wall, used = self.spent.setdefault(key, [0.0, 0.0])
        self.spent[key] = [wall + time.perf_counter() - start, used + cpu() - start_cpu]
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", type=Path)
    parser.add_argument("--repo", type=Path, default=REPO)
    args = parser.parse_args()
    sys.path.insert(0, str(args.repo.resolve()))
    import duckdb

    from score import build

    with tempfile.TemporaryDirectory(prefix="score-derived-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "derived.duckdb"))
        con.execute(build.SCHEMA_SQL.read_text(encoding="utf-8"))
        build.create_noisy_schema(con)
        con.execute("ATTACH $path AS source (READ_ONLY)", {"path": str(args.version)})
        for table in BASE_TABLES:
            con.execute(f"INSERT INTO {table} SELECT * FROM source.{table}")  # noqa: S608 (fixed names)
        con.execute("DETACH source")
        con.execute("CHECKPOINT")
        countries = [row[0] for row in con.execute("SELECT country FROM country_dataset ORDER BY 1").fetchall()]
        for schema in ("main", "noisy"):
            spent: dict[str, list[float]] = {}
            con.execute("SET search_path = 'noisy,main'" if schema == "noisy" else "SET search_path = 'main'")
            from_main = getattr(build, "NOISY_FROM_MAIN", {}) if schema == "noisy" else {}
            for statement in from_main.values():  # as build.write_noisy_tables (checkouts that have them)
                Timed(con, spent).execute(statement, {"countries": countries})
            timed = cast("duckdb.DuckDBPyConnection", Timed(con, spent))  # execute() is all the writer calls
            # checkouts with MAIN_FROM_NOISY write those main tables in the noisy pass, as build.write_noisy_tables
            from_noisy = getattr(build, "MAIN_FROM_NOISY", {})
            if from_noisy:
                skip, into_main = (from_noisy, None) if schema == "main" else (from_main, '"derived".main')
                build.write_derived_tables(timed, countries, skip, main_from_noisy=into_main)
            else:
                build.write_derived_tables(timed, countries, from_main)
            total = [sum(values) for values in zip(*spent.values(), strict=True)]
            print(f"{schema}: wall {total[0]:.2f} s, CPU {total[1]:.2f} s")
            for key, (wall, used) in spent.items():
                print(f"  {key:32s} wall {wall:6.2f} s  CPU {used:6.2f} s")
        con.execute("SET search_path = 'main'")
        derived = ("enterprise_training", "delivery_people_added", "indicator_pair", "delivery_by_group", "delivery")
        for schema in ("main", "noisy"):
            for table in (*derived, *build.GROUP_TABLES):
                digest = hashlib.sha256()
                for row in con.execute(f"SELECT * FROM {schema}.{table}").fetchall():  # noqa: S608 (fixed names)
                    digest.update(repr(row).encode())
                print(f"{schema}.{table} {digest.hexdigest()[:16]}")
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
