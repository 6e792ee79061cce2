"""Measure the proposals in bench/proposals/ on a copy of the scaled database (nothing in the repo changes).

    python bench/try_proposals.py            # scale 200 (SCORE_BENCH_SCALE), built by make_scaled.py

- derived_tables.sql: tables written at build time + the macros reading them. Every named query is run
  on the current version and on the copy with the derived tables, for every filter case of bench_queries;
  results must be identical; CPU time (min of N, both DuckDB threads) before -> after.
- dq_outliers.sql: the data-quality outlier query with GROUP BY medians, against queries/dq_outliers.sql.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_queries as bq  # noqa: E402
import make_scaled  # noqa: E402

from score import db  # noqa: E402


def params_for(name: str, case: str) -> dict[str, object]:
    query, filters, scope = db.load_query(name), bq.CASES[case], bq.scope_for(name)
    allowed = scope.detail_countries if query.access == "detail" else scope.aggregate_countries
    values = {**(bq.extra_params(name) or {}), **filters.sql_params(filters.countries_within(allowed))}
    return {k: values[k] for k in query.params}


def timed(con: duckdb.DuckDBPyConnection, sql: str, params: dict, runs: int) -> tuple[pd.DataFrame, float, float]:
    frame = con.execute(sql, params).df()
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        con.execute(sql, params).df()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - start)
    return frame, min(walls), min(cpus)


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    except AssertionError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCORE_BENCH_SCALE", 200)))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    make_scaled.make(args.scale)
    os.environ["SCORE_DATA_DIR"] = str(make_scaled.data_dir_for(args.scale))
    current = db.current_path()
    work = Path(tempfile.mkdtemp(prefix="score-proposals-"))
    try:
        copy = work / "derived.duckdb"
        shutil.copy(current, copy)
        con = duckdb.connect(str(copy))
        start, cpu = time.perf_counter(), time.process_time()
        con.execute((HERE / "proposals" / "derived_tables.sql").read_text(encoding="utf-8"))
        con.execute("CHECKPOINT")
        con.close()
        print(
            f"derived tables at x{args.scale}: {time.perf_counter() - start:.2f} s "
            f"(CPU {time.process_time() - cpu:.2f} s), file {current.stat().st_size / 1e6:.0f} -> "
            f"{copy.stat().st_size / 1e6:.0f} MB\n"
        )
        before = duckdb.connect(str(current), read_only=True)
        after = duckdb.connect(str(copy), read_only=True)
        print("| query | filters | CPU ms now | CPU ms with derived tables | wall ms now | wall ms after | same |")
        print("|---|---|---|---|---|---|---|")
        totals = [0.0, 0.0]
        for name in db.query_names():
            if bq.extra_params(name) is None:
                continue
            cases = bq.CASES if db.load_query(name).access != "reference" else {"all (default)": None}
            for case in cases:
                sql, params = db.load_query(name).sql, params_for(name, case)
                a, wall_a, cpu_a = timed(before, sql, params, args.runs)
                b, wall_b, cpu_b = timed(after, sql, params, args.runs)
                totals[0] += cpu_a
                totals[1] += cpu_b
                if abs(cpu_a - cpu_b) > 0.05 or not same(a, b):
                    print(
                        f"| {name} | {case} | {cpu_a * 1000:.0f} | {cpu_b * 1000:.0f} | {wall_a * 1000:.0f} | "
                        f"{wall_b * 1000:.0f} | {'yes' if same(a, b) else 'NO'} |",
                        flush=True,
                    )
        print(f"| **all queries x filter cases** | | {totals[0]:.2f} s | {totals[1]:.2f} s | | | |")
        print("\n| dq_outliers | filters | CPU ms now | CPU ms GROUP BY medians | wall ms now | wall ms after | same |")
        print("|---|---|---|---|---|---|---|")
        proposal = (HERE / "proposals" / "dq_outliers.sql").read_text(encoding="utf-8")
        for case in bq.CASES:
            params = params_for("dq_outliers", case)
            a, wall_a, cpu_a = timed(before, db.load_query("dq_outliers").sql, params, args.runs)
            b, wall_b, cpu_b = timed(before, proposal, params, args.runs)
            print(
                f"| dq_outliers | {case} | {cpu_a * 1000:.0f} | {cpu_b * 1000:.0f} | {wall_a * 1000:.0f} | "
                f"{wall_b * 1000:.0f} | {'yes' if same(a, b) else 'NO'} |",
                flush=True,
            )
        before.close()
        after.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
