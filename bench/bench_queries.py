"""Query benchmarks at the demo size and at scale (`make bench`).

    python bench/make_scaled.py            # once: writes and builds the scaled set (also done here if missing)
    python bench/bench_queries.py          # = make bench; prints markdown tables (pasted into BENCHMARKS.md)
    python bench/bench_queries.py --scale 20 --quick     # smaller and fewer repetitions

Environment: SCORE_BENCH_DIR (where the scaled sets live, default ~/.cache/score-bench),
SCORE_BENCH_SCALE (default 200 = 300,000 enterprises). Results are also saved as JSON next to the data.

What is measured (wall clock, time.perf_counter, median of N runs):
- every named query in queries/ at scale 1 and scale N, for several filter cases: "cold" = the first run on a
  new DuckDB connection (db.close_all() first: empty buffer pool, as after a restart or a new data version;
  the OS file cache is warm), "warm" = the connection's later runs; and the size of the result frame;
- per page: all the queries one page view runs (its ui.query calls plus the sidebar's), cold;
- pandas: the same headline numbers computed from the raw CSVs with pandas (load time and compute time
  separately), checked equal to the SQL results, with the ratio pandas / DuckDB;
- the app path: run_query overhead over a bare cursor (scope, binding, suppression), connection reuse,
  concurrent sessions, and the first page rendered by streamlit.testing AppTest (cold and cached).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402  (bench/ siblings)
import make_scaled  # noqa: E402

from score import db, settings  # noqa: E402
from score.access import Scope  # noqa: E402
from score.filters import Filters  # noqa: E402

# Values for query parameters beyond the seven filter parameters (the runner fills those).
PARAM_VALUES: dict[str, object] = {
    "indicator": "accidents",
    "country": "COL",
    "module": "OSH",
    "sector": "garments",
    "phase": "I",
    "year": 2012,
    "level": "output",
    "lang": "en",
    "limit": 100,
    "offset": 0,
    "country_filter": None,  # filter_options: the country and region filters (none here: in the Filters)
    "region_countries": None,
    "max_cells": 5_000,  # score.maps.MAX_CELLS
    "cell": 0.0069,  # score.maps.cell_size at the map page's opening zoom
    "period_end": None,  # the logframe page's "latest report"
}
CASES: dict[str, Filters] = {
    "all (default)": Filters(),
    "one country": Filters(countries=("COL",)),
    "module filter": Filters(modules=("OSH", "QM")),
    "typical filtered": Filters(
        countries=("COL", "GHA", "IDN"),
        sectors=("garments", "textiles", "food_beverages"),
        modules=("OSH",),
        year_from=2011,
        year_to=2016,
    ),
}
SIDEBAR_QUERIES = ("partners", "year_bounds", "data_status")  # run by app.py / score.web.ui on every page view
CHANGE_CODES = ("absenteeism", "accidents", "defect_rate", "energy_use", "staff_turnover")
SHARE_CODES = ("cost_savings_reported", "good_practices_adopted", "workplace_relations_improved")


def measure(function: Callable[[], object], runs: int, before: Callable[[], None] | None = None) -> dict[str, float]:
    """Median wall time, median CPU time of this process (all DuckDB threads) and best wall time of `runs` calls.

    CPU time does not grow when other processes compete for the cores, so it is the steadier figure on a
    shared machine; on an idle 2-core machine wall ~ CPU / 2 for DuckDB's parallel operators.
    """
    walls, cpus = [], []
    for _ in range(runs):
        if before:
            before()
        start, cpu = time.perf_counter(), time.process_time()
        function()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - start)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "best": min(walls)}


def median_time(function: Callable[[], object], runs: int, before: Callable[[], None] | None = None) -> float:
    return measure(function, runs, before)["wall"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def table(headers: list[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def use(data: Path) -> None:
    db.close_all()
    settings.update(data_dir=data)


def scope_for(name: str) -> Scope:
    """The public view for aggregates (the common, suppressed case); HQ for detail queries."""
    return Scope.hq("bench") if db.load_query(name).access == "detail" else Scope.public()


def extra_params(name: str) -> dict[str, Any] | None:
    """Values for a query's own parameters; None if one is not known here."""
    wanted = db.load_query(name).params - set(db.FILTER_PARAMS)
    if not wanted <= PARAM_VALUES.keys():
        return None
    return {key: PARAM_VALUES[key] for key in wanted}


def run(name: str, filters: Filters) -> pd.DataFrame:
    return db.run_query(name, scope_for(name), filters, **(extra_params(name) or {}))


# ------------------------------------------------------------------------------------------------
# Named queries
# ------------------------------------------------------------------------------------------------


def bench_named_queries(scale: int, cold_runs: int, warm_runs: int) -> list[dict]:
    results = []
    for name in db.query_names():
        if extra_params(name) is None:
            missing = db.load_query(name).params - set(db.FILTER_PARAMS) - PARAM_VALUES.keys()
            print(f"  skipped {name}: no bench value for {sorted(missing)}", file=sys.stderr)
            continue
        cases = CASES if db.load_query(name).access != "reference" else {"all (default)": Filters()}
        for case, filters in cases.items():
            cold = measure(partial(run, name, filters), cold_runs, before=db.close_all)
            run(name, filters)
            warm = measure(partial(run, name, filters), warm_runs)
            frame = run(name, filters)
            results.append(
                {
                    "scale": scale,
                    "query": name,
                    "case": case,
                    "cold_s": cold["wall"],
                    "warm_s": warm["wall"],
                    "cold_cpu_s": cold["cpu"],
                    "warm_cpu_s": warm["cpu"],
                    "warm_best_s": warm["best"],
                    "rows": len(frame),
                    "columns": frame.shape[1],
                    "bytes": int(frame.memory_usage(deep=True).sum()),
                }
            )
            print(
                f"  x{scale} {name:28} {case:18} cold {ms(cold['wall']):>9} ms  warm {ms(warm['wall']):>9} ms"
                f"  (cpu {ms(cold['cpu'])} / {ms(warm['cpu'])})",
                flush=True,
            )
    return results


PAGES_SCRIPT = r"""
import json, re, statistics, sys, time
repo, runs, cases = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
sys.path.insert(0, repo)
import streamlit as st
from streamlit.testing.v1 import AppTest
from score import db
from score.access import Scope

log = []
original = db.run_query


def logged(name, *args, **kwargs):
    start = time.perf_counter()
    try:
        return original(name, *args, **kwargs)
    finally:
        log.append((name, time.perf_counter() - start))


db.run_query = logged
app = repo + "/app.py"
pages = re.findall(r'st\.Page\("([^"]+)"', open(app, encoding="utf-8").read())


def render(page, params, clear):
    if clear:
        st.cache_data.clear()
        st.cache_resource.clear()
        db.close_all()
    log.clear()
    at = AppTest.from_file(app, default_timeout=900)
    at.session_state["score_scope"] = Scope.hq("bench")  # every page and every section
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    start = time.perf_counter()
    at.run()
    total = time.perf_counter() - start
    queries = list(log)
    log.clear()
    start = time.perf_counter()
    at.run()
    cached = time.perf_counter() - start
    return at, total, queries, cached, len(log)


render(pages[0], {}, True)  # imports (plotly, pydeck ...) and the first compile are not part of a page view
out = []
for page in pages:
    for case, params in cases.items():
        samples = [render(page, params, True) for _ in range(runs)]
        at, _total, queries, _cached, _ = samples[-1]
        out.append({
            "page": page.split("/")[-1].removesuffix(".py"),
            "case": case,
            "cold_s": statistics.median(x[1] for x in samples),
            "queries_s": statistics.median(sum(t for _, t in x[2]) for x in samples),
            "cached_s": statistics.median(x[3] for x in samples),
            "queries_on_cached_rerun": samples[-1][4],
            "queries": [name for name, _ in queries],
            "slowest": sorted(((round(t, 3), name) for name, t in queries), reverse=True)[:3],
            "exceptions": [str(e.value)[:200] for e in at.exception],
        })
print("RESULT" + json.dumps(out))
"""


def bench_pages(scale: int, data: Path, runs: int) -> list[dict]:
    """Every page of the navigation rendered by AppTest as HQ (everything visible), in a fresh process.

    cold = st.cache_data cleared and connections closed before the run (a page view no one has asked for
    since the last publish or restart); cached = the same view again. Times include Streamlit and Plotly.
    """
    cases = {"all (default)": {}, "typical filtered": CASES["typical filtered"].to_query_params()}
    rendered, why = harness.run_result(
        PAGES_SCRIPT, [str(REPO), str(runs), json.dumps(cases)], {**os.environ, "SCORE_DATA_DIR": str(data)}, 3600
    )
    if rendered is None:
        print(f"  pages failed: {why[-3000:]}", file=sys.stderr)
        return []
    results = [{"scale": scale, **r} for r in rendered]
    for r in results:
        print(
            f"  x{scale} page {r['page']:14} {r['case']:18} cold {r['cold_s']:.2f} s (queries {r['queries_s']:.2f} s,"
            f" {len(r['queries'])}) cached {r['cached_s']:.2f} s  {r['exceptions'][:1]}",
            flush=True,
        )
    return results


def overview_queries(pages: list[dict]) -> list[str]:
    """The queries one overview view runs (as logged by bench_pages), for the concurrency test."""
    for r in pages:
        if r["page"] == "overview" and r["case"] == "all (default)":
            return [n for n in dict.fromkeys(r["queries"]) if n in db.query_names()]
    # Without the page run: the sidebar's queries and the ui.query("...") calls in the overview's file.
    text = (REPO / "views" / "overview.py").read_text(encoding="utf-8") if (REPO / "views").exists() else ""
    names = re.findall(r"""query\(\s*["']([a-z][a-z0-9_]*)["']""", text)
    return [n for n in dict.fromkeys([*SIDEBAR_QUERIES, *names]) if n in db.query_names()]


# ------------------------------------------------------------------------------------------------
# The same headline numbers in plain pandas
# ------------------------------------------------------------------------------------------------


def pandas_load(countries: Path) -> dict[str, pd.DataFrame]:
    """The raw country CSVs into three frames (what a pandas-only app would hold in memory)."""
    frames: dict[str, list[pd.DataFrame]] = {"enterprises": [], "training": [], "indicators": []}
    for folder in sorted(p for p in countries.iterdir() if p.is_dir()):
        for name in frames:
            frame = pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig")
            frame["country"] = folder.name
            frames[name].append(frame)
    out = {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}
    out["enterprises"]["join_year"] = out["enterprises"]["joined_on"].str[:4].astype(int)
    return out


def pandas_headlines(raw: dict[str, pd.DataFrame], f: Filters) -> dict[str, float]:
    """Overview KPIs, outcome changes and shares for filters f, in pandas (the definitions of schema.sql)."""
    ent, tr, ind = raw["enterprises"], raw["training"], raw["indicators"]
    countries = f.countries_within(Scope.public().aggregate_countries)
    keep = ent["country"].isin(countries) & ent["join_year"].between(f.year_from, f.year_to)
    for column, values in (
        ("province", f.provinces),
        ("sector", f.sectors),
        ("phase", f.phases),
        ("partner", f.partners),
    ):
        if values:
            keep &= ent[column].isin(values)
    if f.modules:
        keep &= ent["enterprise_id"].isin(tr.loc[tr["module"].isin(f.modules), "enterprise_id"])
    e = ent[keep]
    t = tr[tr["enterprise_id"].isin(e["enterprise_id"])]
    if f.modules:
        t = t[t["module"].isin(f.modules)]
    groups = ["managers_female", "managers_male", "workers_female", "workers_male"]
    people = t.groupby("enterprise_id")[groups].max().sum()
    out: dict[str, float] = {
        "enterprises": len(e),
        "workers_female": int(e["workers_female"].sum()),
        "workers_male": int(e["workers_male"].sum()),
        "workers_reached": int(e["workers_female"].sum() + e["workers_male"].sum()),
        "participations": int(t[groups].to_numpy().sum()),
        "people_trained": int(people.sum()),
        "people_trained_female": int(people["managers_female"] + people["workers_female"]),
        "people_trained_male": int(people["managers_male"] + people["workers_male"]),
        "module_completions": len(t),
        "consultation_visits": int(t["consultation_visits"].sum()),
    }
    v = ind[ind["enterprise_id"].isin(e["enterprise_id"])]
    change = v[v["indicator"].isin(CHANGE_CODES)]
    wide = change.pivot_table(index=["indicator", "enterprise_id"], columns="period", values="value", aggfunc="max")
    wide = wide[wide["baseline"].notna()]
    both = wide[wide["follow_up"].notna()]
    sums = both.groupby(level="indicator")[["baseline", "follow_up"]].sum()
    for code in CHANGE_CODES:
        n = int((both.index.get_level_values("indicator") == code).sum())
        out[f"{code}.n"] = n
        out[f"{code}.change_pct"] = 100.0 * (sums.loc[code, "follow_up"] / sums.loc[code, "baseline"] - 1)
        out[f"{code}.without_follow_up"] = int(wide.loc[code, "follow_up"].isna().sum())
    share = v[v["indicator"].isin(SHARE_CODES) & (v["period"] == "follow_up")]
    stats = share.groupby("indicator")["value"].agg(["size", "mean"])
    for code in SHARE_CODES:
        out[f"{code}.n"] = int(stats.loc[code, "size"])
        out[f"{code}.share_pct"] = 100.0 * stats.loc[code, "mean"]
    return out


def duckdb_headlines(f: Filters) -> dict[str, float]:
    """The same numbers through the dashboard's own queries (HQ scope: nothing suppressed)."""
    hq = Scope.hq("bench")
    kpis = db.run_query("overview_kpis", hq, f).iloc[0]
    out: dict[str, float] = {
        key: kpis[key]
        for key in (
            "enterprises",
            "workers_female",
            "workers_male",
            "workers_reached",
            "participations",
            "people_trained",
            "people_trained_female",
            "people_trained_male",
            "module_completions",
            "consultation_visits",
        )
    }
    changes = db.run_query("outcome_changes", hq, f).set_index("indicator")
    for code in CHANGE_CODES:
        out[f"{code}.n"] = changes.loc[code, "n_enterprises"]
        out[f"{code}.change_pct"] = changes.loc[code, "change_pct"]
        out[f"{code}.without_follow_up"] = changes.loc[code, "n_without_follow_up"]
    shares = db.run_query("outcome_shares", hq, f).set_index("indicator")
    for code in SHARE_CODES:
        out[f"{code}.n"] = shares.loc[code, "n_enterprises"]
        out[f"{code}.share_pct"] = shares.loc[code, "share_pct"]
    return out


def same_numbers(a: dict[str, float], b: dict[str, float]) -> list[str]:
    bad = []
    for key in a:
        x, y = float(a[key]), float(b[key])
        if not (x == y or math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9)):
            bad.append(f"{key}: pandas {x!r} != duckdb {y!r}")
    return bad


def bench_pandas(scale: int, data: Path, runs: int) -> tuple[list[dict], dict[str, dict[str, float]]]:
    start = time.perf_counter()
    raw = pandas_load(data / "countries")
    load = time.perf_counter() - start
    results, numbers = [], {}
    for case in ("all (default)", "typical filtered"):
        f = CASES[case]
        compute = median_time(partial(pandas_headlines, raw, f), runs)
        duck_cold = median_time(partial(duckdb_headlines, f), max(1, runs // 2), before=db.close_all)
        duck_warm = median_time(partial(duckdb_headlines, f), runs)
        ours, theirs = duckdb_headlines(f), pandas_headlines(raw, f)
        mismatches = same_numbers(theirs, ours)
        numbers[case] = {k: float(v) for k, v in ours.items()}
        results.append(
            {
                "scale": scale,
                "case": case,
                "pandas_load_s": load,
                "pandas_compute_s": compute,
                "duckdb_cold_s": duck_cold,
                "duckdb_warm_s": duck_warm,
                "identical": not mismatches,
                "mismatches": mismatches[:5],
            }
        )
        print(f"  x{scale} pandas vs duckdb, {case}: identical={not mismatches} {mismatches[:3]}", flush=True)
    return results, numbers


# ------------------------------------------------------------------------------------------------
# The app path
# ------------------------------------------------------------------------------------------------


def bench_runner(scale: int, runs: int) -> dict:
    """run_query against a bare cursor on the same connection, and the cost of a new connection."""
    name, f = "overview_kpis", Filters()
    query = db.load_query(name)
    values = f.sql_params(f.countries_within(Scope.public().aggregate_countries))
    params = {k: values[k] for k in query.params}
    run(name, f)
    con = db.connection()

    def bare():
        cursor = con.cursor()
        try:
            cursor.execute(query.sql, params).df()
        finally:
            cursor.close()

    bare()
    # Interleaved, so that a change in the machine's load hits all three alike.
    timings: dict[str, list[float]] = {"bare_cursor_s": [], "run_query_hq_s": [], "run_query_public_s": []}
    for _ in range(runs):
        for key, function in (
            ("bare_cursor_s", bare),
            ("run_query_hq_s", lambda: db.run_query(name, Scope.hq("b"), f)),
            ("run_query_public_s", lambda: db.run_query(name, Scope.public(), f)),
        ):
            start = time.perf_counter()
            function()
            timings[key].append(time.perf_counter() - start)
    out = {"scale": scale, **{key: statistics.median(values) for key, values in timings.items()}}
    out["connect_s"] = median_time(lambda: db.connection(), runs, before=db.close_all)
    out["first_query_new_connection_s"] = median_time(lambda: run(name, f), runs, before=db.close_all)
    out["cursor_s"] = median_time(lambda: db.connection().cursor().close(), runs)
    return out


def bench_concurrency(scale: int, names: list[str], sessions: int, views: int) -> dict:
    """`sessions` threads each run `views` times the queries of an overview view (uncached), sharing the connection."""
    names = [n for n in names if extra_params(n) is not None]
    cases = list(CASES.values())
    latencies: list[float] = []
    lock = threading.Lock()

    def session(k: int) -> None:
        for i in range(views):
            f = cases[(k + i) % len(cases)]
            start = time.perf_counter()
            for name in names:
                run(name, f)
            with lock:
                latencies.append(time.perf_counter() - start)

    for name in names:
        run(name, Filters())
    start = time.perf_counter()
    threads = [threading.Thread(target=session, args=(k,)) for k in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    return {
        "scale": scale,
        "sessions": sessions,
        "views": len(latencies),
        "wall_s": wall,
        "p50_s": float(np.percentile(latencies, 50)),
        "p95_s": float(np.percentile(latencies, 95)),
        "views_per_s": len(latencies) / wall,
    }


APPTEST_SCRIPT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
from streamlit.testing.v1 import AppTest
imported = time.perf_counter() - start
out = {"import_s": imported}


def timed(at):
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start


at = AppTest.from_file("app.py", default_timeout=900)
out["cold_s"] = timed(at)
out["exceptions"] = [str(e.value)[:200] for e in at.exception]
from tests.pages import tiles
out["metrics"] = len(tiles(at))
# (in AppTest the sidebar widgets are only found after the first run, so the filter is changed now)
at.multiselect(key="f_countries").set_value(["COL"])
out["filter_change_s"] = timed(at)
out["new_session_cached_s"] = timed(AppTest.from_file("app.py", default_timeout=900))
linked = AppTest.from_file("app.py", default_timeout=900)
linked.query_params["countries"] = "COL"
out["filter_cached_s"] = timed(linked)
out["rerun_cached_s"] = timed(at)
out["exceptions"] += [str(e.value)[:200] for x in (at, linked) for e in x.exception]
print("RESULT" + json.dumps(out))
"""


def bench_apptest(scale: int, data: Path) -> dict:
    """The default page through streamlit.testing.AppTest in a fresh process (nothing cached, nothing open)."""
    env = {**os.environ, "SCORE_DATA_DIR": str(data)}
    start = time.perf_counter()
    result, why = harness.run_result(APPTEST_SCRIPT, [str(REPO)], env, 1200)
    wall = time.perf_counter() - start
    if result is None:
        return {"scale": scale, "error": why[-2000:]}
    return {"scale": scale, "process_wall_s": wall, **result}


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def report(results: dict, scales: list[int]) -> str:
    out = []
    big = max(scales)
    builds = results["builds"]
    out.append("### Data sets and build\n")
    out.append(
        table(
            [
                "scale",
                "enterprises",
                "training rows",
                "indicator rows",
                "CSV MB",
                "write CSV s",
                "validate s",
                "build_all s",
                "DuckDB MB",
            ],
            [
                [
                    f"x{s}",
                    f"{b['rows']['enterprises']:,}",
                    f"{b['rows']['training']:,}",
                    f"{b['rows']['indicators']:,}",
                    f"{b['csv_mb']:.0f}",
                    f"{b.get('write_csv_s', 0):.1f}",
                    f"{b.get('validate_s', float('nan')):.1f}",
                    f"{b['build_all_s']:.1f}",
                    f"{b['db_mb']:.0f}",
                ]
                for s, b in sorted(builds.items())
            ],
        )
    )
    steps = builds[big].get("build_steps_s", {})
    if steps:
        out.append(f"\nbuild_all at x{big}, by step:\n")
        out.append(table(["step", "s"], [[k, f"{v:.2f}"] for k, v in steps.items()]))
    per_country = builds[big].get("validate_per_country_s")
    if per_country:
        out.append(f"\nValidation per country at x{big} (one upload each):\n")
        out.append(table(["country", "s"], [[k, f"{v:.2f}"] for k, v in per_country.items()]))
    bad = builds[big].get("validate_bad")
    if bad:
        out.append(
            f"\nWorst case, {bad['country']} at x{big} with many bad rows ({bad['rows']}): "
            f"{bad['seconds']:.2f} s, {bad['errors']} issues listed (capped per rule), rejected={not bad['ok']}."
        )

    published = builds[big].get("publish_one")
    if published:
        out.append(f"\nPublishing one country's upload at x{big} (score.publish.publish_country), s:\n")
        steps = list(dict.fromkeys(k for p in published for k in p["steps"]))
        rows = [
            ["fresh process (CLI)" if p["fresh"] else "running app (validated folders kept)", f"{p['seconds']:.1f}"]
            + [f"{p['steps'].get(k, 0):.1f}" for k in steps]
            for p in published
        ]
        out.append(table([f"publish {published[0]['country']}", "total", *steps], rows))
    if results["queries"]:
        out.append(_queries_table(results, scales))
    if results["pages"]:
        out.append(_pages_table(results, scales))
    if results["pandas"]:
        out.append(_pandas_table(results))
    if results["runner"]:
        out.append(_runner_tables(results))
    loads = results.get("load", {})
    if loads:
        out.append(
            "\nLoad average (1 min) at the start and end of each scale's run: "
            + "; ".join(f"x{k}: {a:.1f} -> {b:.1f}" for k, (a, b) in sorted(loads.items()))
        )
    return "\n".join(out)


# The queries' and the pages' tables: a row per query (page) and filters at the largest scale, beside the same at the
# smallest; each column is a heading ("{small}" and "{big}" stand for the scales) and its cell from (row, that twin).
Cell = Callable[[dict, dict], object]
QUERY_COLUMNS: list[tuple[str, Cell]] = [
    ("query", lambda r, s: r["query"]),
    ("filters", lambda r, s: r["case"]),
    ("x{small} cold", lambda r, s: ms(s["cold_s"]) if s else ""),
    ("x{small} warm", lambda r, s: ms(s["warm_s"]) if s else ""),
    ("x{big} cold", lambda r, s: ms(r["cold_s"])),
    ("x{big} warm", lambda r, s: ms(r["warm_s"])),
    ("x{big} cold CPU", lambda r, s: ms(r["cold_cpu_s"])),
    ("x{big} warm CPU", lambda r, s: ms(r["warm_cpu_s"])),
    ("result rows x cols", lambda r, s: f"{r['rows']} x {r['columns']}"),
    ("result KiB", lambda r, s: f"{r['bytes'] / 1024:.1f}"),
]
PAGE_COLUMNS: list[tuple[str, Cell]] = [
    ("page", lambda r, s: r["page"]),
    ("filters", lambda r, s: r["case"]),
    ("queries", lambda r, s: len(r["queries"])),
    ("x{small} cold", lambda r, s: f"{s['cold_s']:.2f}" if s else ""),
    ("x{small} cached", lambda r, s: f"{s['cached_s']:.2f}" if s else ""),
    ("x{big} cold", lambda r, s: f"{r['cold_s']:.2f}"),
    ("x{big} of which queries", lambda r, s: f"{r['queries_s']:.2f}"),
    ("x{big} cached", lambda r, s: f"{r['cached_s']:.2f}"),
    ("x{big} slowest queries (s)", lambda r, s: ", ".join(f"{name} {t:.2f}" for t, name in r["slowest"])),
    ("exceptions", lambda r, s: "; ".join(r["exceptions"])[:80] or "none"),
]


def _scale_table(title: str, records: list[dict], key: str, scales: list[int], columns: list[tuple[str, Cell]]) -> str:
    small, big = min(scales), max(scales)
    twins = {(r[key], r["case"]): r for r in records if r["scale"] == small}
    rows = [[cell(r, twins.get((r[key], r["case"]), {})) for _, cell in columns] for r in records if r["scale"] == big]
    return "\n".join([title, table([heading.format(small=small, big=big) for heading, _ in columns], rows)])


def _queries_table(results: dict, scales: list[int]) -> str:
    title = (
        "\n### Named queries, ms (median; cold = first run on a new connection; CPU = process CPU time, "
        "both DuckDB threads)\n"
    )
    return _scale_table(title, results["queries"], "query", scales, QUERY_COLUMNS)


def _pages_table(results: dict, scales: list[int]) -> str:
    title = (
        "\n### Page views through AppTest as HQ, s (cold = st.cache_data cleared and connections closed; "
        "includes Streamlit and Plotly)\n"
    )
    return _scale_table(title, results["pages"], "page", scales, PAGE_COLUMNS)


def _pandas_table(results: dict) -> str:
    out = []
    out.append("\n### DuckDB vs plain pandas on the raw CSVs (KPIs + outcome changes + shares), ms\n")
    rows = []
    for r in results["pandas"]:
        rows.append(
            [
                f"x{r['scale']}",
                r["case"],
                ms(r["pandas_load_s"]),
                ms(r["pandas_compute_s"]),
                ms(r["duckdb_cold_s"]),
                ms(r["duckdb_warm_s"]),
                f"{r['pandas_compute_s'] / r['duckdb_warm_s']:.1f}",
                f"{(r['pandas_load_s'] + r['pandas_compute_s']) / r['duckdb_cold_s']:.0f}",
                "yes" if r["identical"] else "NO: " + "; ".join(r["mismatches"]),
            ]
        )
    out.append(
        table(
            [
                "scale",
                "filters",
                "pandas load CSV",
                "pandas compute",
                "DuckDB cold",
                "DuckDB warm",
                "compute / warm",
                "(load+compute) / cold",
                "identical numbers",
            ],
            rows,
        )
    )

    return "\n".join(out)


def _runner_tables(results: dict) -> str:
    out = []
    out.append("\n### App path (overview_kpis, all filters default), ms\n")
    rows = [
        [
            f"x{r['scale']}",
            ms(r["bare_cursor_s"]),
            ms(r["run_query_hq_s"]),
            ms(r["run_query_public_s"]),
            ms(r["connect_s"]),
            ms(r["first_query_new_connection_s"]),
            ms(r["cursor_s"]),
        ]
        for r in results["runner"]
    ]
    out.append(
        table(
            [
                "scale",
                "bare cursor",
                "run_query hq",
                "run_query public (+suppression)",
                "connect (read-only)",
                "first query on new connection",
                "cursor()",
            ],
            rows,
        )
    )
    if results.get("concurrency"):
        out.append("\n### Concurrent sessions: threads rendering overview views, no st.cache_data (seconds)\n")
        out.append(
            table(
                ["scale", "sessions", "views", "wall", "p50 view", "p95 view", "views/s"],
                [
                    [
                        f"x{r['scale']}",
                        r["sessions"],
                        r["views"],
                        f"{r['wall_s']:.2f}",
                        f"{r['p50_s']:.3f}",
                        f"{r['p95_s']:.3f}",
                        f"{r['views_per_s']:.1f}",
                    ]
                    for r in results["concurrency"]
                ],
            )
        )
    if results.get("apptest"):
        out.append("\n### First page through streamlit AppTest (fresh process), s\n")
        rows = []
        for r in results["apptest"]:
            if "error" in r:
                rows.append([f"x{r['scale']}", "error: " + r["error"].splitlines()[-1], "", "", "", "", "", ""])
                continue
            rows.append(
                [
                    f"x{r['scale']}",
                    f"{r['import_s']:.2f}",
                    f"{r['cold_s']:.2f}",
                    f"{r['filter_change_s']:.2f}",
                    f"{r['new_session_cached_s']:.2f}",
                    f"{r['filter_cached_s']:.2f}",
                    f"{r['rerun_cached_s']:.2f}",
                    f"{r['metrics']} metrics, {len(r['exceptions'])} exceptions",
                ]
            )
        out.append(
            table(
                [
                    "scale",
                    "import streamlit",
                    "first view (cold)",
                    "country filter set (not cached)",
                    "new session (cached)",
                    "link with that filter (cached)",
                    "rerun (cached)",
                    "rendered",
                ],
                rows,
            )
        )
    return "\n".join(out)


SECTIONS = ("queries", "pages", "pandas", "app")


def main() -> None:
    parser = argparse.ArgumentParser(description="SCORE query benchmarks")
    default_scale = int(os.environ.get("SCORE_BENCH_SCALE", make_scaled.DEFAULT_SCALE))
    parser.add_argument("--scale", type=int, default=default_scale, help=f"scale to compare with x1 ({default_scale})")
    parser.add_argument("--root", type=Path, default=None, help="bench directory (default $SCORE_BENCH_DIR)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"subset of {','.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, default=None, help="also write the markdown tables here")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    cold_runs, warm_runs, page_runs = (2, 3, 1) if args.quick else (3, 7, 2)
    scales = sorted({1, args.scale})
    results: dict = {key: [] for key in ("queries", "pages", "pandas", "runner", "concurrency", "apptest")}
    results["builds"] = {scale: make_scaled.make(scale, args.root) for scale in scales}
    for scale in scales:
        data = make_scaled.data_dir_for(scale, args.root)
        use(data)
        print(f"scale {scale}: {data}", flush=True)
        load_before = os.getloadavg()[0]
        if "queries" in sections:
            results["queries"] += bench_named_queries(scale, cold_runs, warm_runs)
        pages = bench_pages(scale, data, page_runs) if "pages" in sections else []
        results["pages"] += pages
        if "pandas" in sections:
            pandas_rows, numbers = bench_pandas(scale, data, warm_runs if scale == 1 else cold_runs)
            results["pandas"] += pandas_rows
            results.setdefault("numbers", {})[scale] = numbers
        if "app" in sections:
            results["runner"].append(bench_runner(scale, warm_runs))
            results["concurrency"].append(
                bench_concurrency(scale, overview_queries(pages), sessions=4, views=3 if args.quick else 6)
            )
            results["apptest"].append(bench_apptest(scale, data))
            print(f"  x{scale} apptest {results['apptest'][-1]}", flush=True)
        results.setdefault("load", {})[scale] = (load_before, os.getloadavg()[0])
    # Scaled copies: every count is `scale` times the demo's and every ratio is the same.
    if len(scales) == 2 and "numbers" in results:
        one, big = results["numbers"][1]["all (default)"], results["numbers"][scales[1]]["all (default)"]
        off = [k for k in one if not math.isclose(big[k], one[k] * (1 if k.endswith("_pct") else scales[1]))]
        results["scaled_consistent"] = not off
        print(f"x{scales[1]} numbers = x1 numbers x {scales[1]} (ratios equal): {not off} {off[:5]}")
    text = report(results, scales)
    print("\n" + text)
    target = make_scaled.data_dir_for(max(scales), args.root).parent / "bench_results.json"
    target.write_text(json.dumps(results, indent=1, default=str))
    if args.out:
        args.out.write_text(text + "\n")
    print(f"\nresults: {target}")


if __name__ == "__main__":
    main()
