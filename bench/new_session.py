"""A new visitor opening a shared link with filters nobody asked for yet: server time per page (issue 25).

    .venv/bin/python bench/new_session.py [--scales 1,200] [--pages overview,...] [--write BENCHMARKS.md]
    .venv/bin/python bench/new_session.py --scales 1 --pages overview --parts   # where a new session's time goes

Per scale, a fresh Python process runs app.py with Streamlit's AppTest: first every page once (imports, the
database opened, the pages' default views cached, as on a running server), then for each page six new sessions,
each opening a link whose filters no session has used (so the page's queries run), as the public viewer. Wall
and CPU time of the process per view, medians. AppTest scans the installed packages for components on every new
AppTest (~2 s here); a server does it once, so the scan is shared between the sessions, as is the compiled script.
With --parts, the parts of each new session are timed too (process CPU time around the script run, the sidebar,
each named query, the public view's perturbation, the charts ...; PARTS) and printed per page, per session: a
profiler in the script's thread reads wall time, which AppTest's polling thread inflates wherever the GIL is let go.
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
# --parts: (module, attribute, label) timed around every call; a label with "{0}" takes the call's first argument.
PARTS = [
    ("streamlit.runtime.scriptrunner.script_runner:ScriptRunner", "_run_script", "the whole script run"),
    ("streamlit.navigation.page:StreamlitPage", "run", "the page (after app.py's sidebar and navigation)"),
    ("score.web.ui", "sidebar_filters", "sidebar filters (their options included)"),
    ("score.web.signin", "sidebar_sign_in", "sign-in (session, cookie, form)"),
    ("score.web.language", "sidebar_language", "language picker"),
    ("score.db", "check_database", "database version check"),
    ("score.db", "run_query", "query {0}"),
    ("score.db", "run_queries", "queries run together (ui.query_together): {0}"),
    ("score.db", "_perturbed", "  of the queries: public perturbation (counts, sums, derived columns)"),
    ("score.db", "suppress_small_cells", "  of the queries: hiding cells of 1-4 enterprises"),
    ("score.web.components.figures", "show", "charts drawn (figure, data table, PNG button)"),
    ("score.web.components.figures", "chart_data", "  of the charts: data table and text alternative"),
    ("score.charts", "fit_margins", "figure margins fitted"),
]

SCRIPT = r"""
import collections, importlib, json, statistics, sys, time
repo, pages, links, parts = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])
sys.path.insert(0, repo)
spent_in = collections.defaultdict(float)  # label -> CPU seconds (--parts)


def timed_part(owner, attribute, label):
    function = getattr(owner, attribute)

    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent_in[label.format(*args) if "{0}" in label else label] += time.process_time() - start

    setattr(owner, attribute, timed)


for where, attribute, label in parts:
    module, _, cls = where.partition(":")
    owner = importlib.import_module(module)
    timed_part(getattr(owner, cls) if cls else owner, attribute, label)
collecting = []  # CPU time at the start of the garbage collection under way


def timed_collection(phase, info):
    if phase == "start":
        collecting[:] = [time.process_time()]
    elif collecting:
        spent_in[f"garbage collection (generation {info['generation']})"] += time.process_time() - collecting.pop()


if parts:
    import gc
    gc.callbacks.append(timed_collection)
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


for page in pages:  # the running server: every page's default view once, then settled as score.web.start does
    session(page, {})
settle = getattr(importlib.import_module("score.web.start"), "settle", None)
if settle is not None:  # a checkout before it (an A/B baseline) has none
    settle()
out = {}
for index, page in enumerate(pages):
    times, errors = [], []
    spent_in.clear()
    for params in links:  # the pages share queries: each page gets its own last year, so nothing is cached
        spent, failed = session(page, {**params, "year_to": str(2019 - index)})
        times.append(spent)
        errors += failed
    out[page] = {"seconds": times, "errors": errors, "parts": {k: v / len(links) for k, v in spent_in.items()}}
print("RESULT" + json.dumps(out))
"""


def measure(scale: int, pages: tuple[str, ...], parts: bool = False) -> dict:
    make_scaled.make(scale, validate=False)
    env = {**os.environ, "SCORE_DATA_DIR": str(make_scaled.data_dir_for(scale))}
    env.pop("SCORE_DB_PATH", None)
    args = [str(REPO), json.dumps(pages), json.dumps(LINKS), json.dumps(PARTS if parts else [])]
    result, why = harness.run_result(SCRIPT, args, env, 3600)
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
    lines += ["", f"Exceptions: {errors or 'none'}."]
    for scale in scales:  # --parts
        for page in pages:
            spent = results[scale][page].get("parts")
            if spent:
                lines += ["", f"x{scale} {page}, CPU per new session (mean of {len(LINKS)}):", ""]
                ranked = sorted(spent.items(), key=lambda item: -item[1])
                lines += [f"    {seconds * 1000:7.1f} ms  {label}" for label, seconds in ranked]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,200")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--write", type=Path)
    parser.add_argument("--parts", action="store_true", help="also time the parts of a new session (PARTS)")
    args = parser.parse_args()
    if args.parts and args.write:
        parser.error("--parts times every call, which costs time itself: it cannot --write the table")
    pages = tuple(p for p in args.pages.split(",") if p in PAGES)

    def every_scale() -> dict[int, dict]:
        results = {}
        for scale in (int(s) for s in args.scales.split(",")):
            print(f"x{scale}: new sessions with a link", flush=True)
            results[scale] = measure(scale, pages, args.parts)
        return results

    return harness.measure_and_report("bench/new_session.py", every_scale, report, args.write, MARKERS)


if __name__ == "__main__":
    sys.exit(main())
