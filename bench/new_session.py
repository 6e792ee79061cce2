"""A new visitor opening a shared link with filters nobody asked for yet: server time per page (issue 25).

    .venv/bin/python bench/new_session.py [--scales 1,200] [--pages overview,...] [--write BENCHMARKS.md]

Per scale, a fresh Python process runs app.py with Streamlit's AppTest: first every page once (imports, the
database opened, the pages' default views cached, as on a running server), then for each page six new sessions,
each opening a link whose filters no session has used (so the page's queries run), as the public viewer. Wall
and CPU time of the process per view, medians. AppTest scans the installed packages for components on every new
AppTest (~2 s here); a server does it once, so the scan is shared between the sessions, as is the compiled script.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import harness  # noqa: E402
import make_scaled  # noqa: E402

MARKERS = ("<!-- new-session:start -->", "<!-- new-session:end -->")
PAGES = ("overview", "enterprises", "training", "outcomes", "map", "logframe", "country")
# Links nobody opened before in the process: six filter sets, each page with its own last year (SCRIPT).
LINKS = [
    {"countries": ["COL"], "year_from": "2011"},
    {"regions": ["Asia"], "year_from": "2012"},
    {"sectors": ["garments"], "year_from": "2010"},
    {"phases": ["II"]},
    {"modules": ["OSH"]},
    {"countries": ["COL", "IDN"], "sectors": ["garments", "food_beverages"], "year_from": "2009"},
]
GOALS = {1: 0.120, 200: 0.200}

SCRIPT = r"""
import json, statistics, sys, time
repo, pages, links = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
sys.path.insert(0, repo)
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

shared_scripts = ScriptCache()  # a server compiles each script once per process
app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared_scripts
components = []  # and scans for components once


def session(page, params):
    at = AppTest.from_file(repo + "/app.py", default_timeout=900)
    if components:
        at._bidi_component_manager = components[0]
    at.query_params.update(params)
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    spent = [time.perf_counter() - start, time.process_time() - cpu]
    components[:] = [at._bidi_component_manager]
    return spent, [str(e.value)[:200] for e in at.exception]


for page in pages:  # the running server: every page's default view once
    session(page, {})
out = {}
for index, page in enumerate(pages):
    times, errors = [], []
    for params in links:  # the pages share queries: each page gets its own last year, so nothing is cached
        spent, failed = session(page, {**params, "year_to": str(2019 - index)})
        times.append(spent)
        errors += failed
    out[page] = {"seconds": times, "errors": errors}
print("RESULT" + json.dumps(out))
"""


def measure(scale: int, pages: tuple[str, ...]) -> dict:
    make_scaled.make(scale, validate=False)
    env = {**os.environ, "SCORE_DATA_DIR": str(make_scaled.data_dir_for(scale))}
    env.pop("SCORE_DB_PATH", None)
    result, why = harness.run_result(SCRIPT, [str(REPO), json.dumps(pages), json.dumps(LINKS)], env, 3600)
    if result is None:
        raise RuntimeError(why[-3000:])
    return result


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def report(results: dict[int, dict], command: str, started: float, loads: tuple[float, float]) -> str:
    scales = sorted(results)
    lines = [
        f"Command: `{command}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}; 1-minute load "
        f"average {loads[0]:.1f} at the start, {loads[1]:.1f} at the end (2 cores: wall times are upper bounds, CPU "
        "time of the process, DuckDB's threads included, is the steadier figure). Public viewer, a new session "
        f"per link, {len(LINKS)} links per page, medians, wall / CPU.",
        "",
        "| page | " + " | ".join(f"x{s}" for s in scales) + " | goal | reached? (CPU) |",
        "|---|" + "---|" * len(scales) + "---|---|",
    ]
    pages = list(results[scales[0]])
    for page in pages:
        cells, verdicts = [], []
        for scale in scales:
            seconds = results[scale][page]["seconds"]
            wall, cpu = median([w for w, _ in seconds]), median([c for _, c in seconds])
            cells.append(f"{wall * 1000:,.0f} / {cpu * 1000:,.0f} ms")
            if scale in GOALS:
                verdicts.append(f"x{scale} {'met' if cpu <= GOALS[scale] else '**not met**'}")
        goal = ", ".join(f"<= {GOALS[s] * 1000:.0f} ms (x{s})" for s in scales if s in GOALS)
        lines.append(f"| {page} | " + " | ".join(cells) + f" | {goal} | {'; '.join(verdicts)} |")
    errors = {(s, p): results[s][p]["errors"] for s in scales for p in pages if results[s][p]["errors"]}
    return "\n".join([*lines, "", f"Exceptions: {errors or 'none'}."])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,200")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    pages = tuple(p for p in args.pages.split(",") if p in PAGES)

    def every_scale() -> dict[int, dict]:
        results = {}
        for scale in (int(s) for s in args.scales.split(",")):
            print(f"x{scale}: new sessions with a link", flush=True)
            results[scale] = measure(scale, pages)
        return results

    return harness.measure_and_report("bench/new_session.py", every_scale, report, args.write, MARKERS)


if __name__ == "__main__":
    sys.exit(main())
