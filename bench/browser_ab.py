"""A change to what a page draws, measured in the browser: the floor app, a baseline checkout and this checkout, visit
by visit in turn (issue 25; bench/browser.py measures one checkout beside the floor).

    git archive main | tar -x -C /tmp/baseline          # the code to compare with
    .venv/bin/python bench/browser_ab.py --baseline /tmp/baseline [--rounds 7] [--pages overview,country|all]
        [--scales 1,200] [--json out.json]

For each scale, the three servers (bench/floor_app.py, the baseline's app and this checkout's, as `make run` starts
them, on the bench data of that scale, bench/make_scaled.py) run side by side; each round visits every page on
floor, baseline and this checkout (the order reversed every other visit) in new browser contexts, and picks a country
in the sidebar (bench/browser.py's visit: first chart, page settled, filter change settled, Chromium's main-thread
counters). The first round is each server's first visitors after its start: the first page's visit is reported as
"first visitor after a start", and the whole round is left out of the medians (it warms each page and its filter);
each dashboard visit is also divided by the floor visit just beside it (the machine's load moves all three
together).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import browser  # noqa: E402
import make_scaled  # noqa: E402

FIGURES = ("first_chart_s", "settled_s", "filter_settled_s")
APPS = ("floor", "baseline", "this")
# issue 25: later visitors' first chart and page settled, a filter change settled, the first visitor after a start
ALLOWED = {"first_chart_s": 0.3, "settled_s": 0.4, "filter_settled_s": 0.15, "first": 0.6}

Visits = dict[str, list[dict]]  # app name -> its visits of one page, round by round


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the code to compare")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pages", "--page", default="overview", help="comma-separated, or 'all'")
    parser.add_argument("--scales", default="1", help="comma-separated bench data scales (bench/make_scaled.py)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    pages = browser.PAGES if args.pages == "all" else tuple(args.pages.split(","))
    unknown = set(pages) - set(browser.PAGES)
    if unknown:
        parser.error(f"unknown pages {sorted(unknown)}; pages: {', '.join(browser.PAGES)}")
    scales = [int(s) for s in args.scales.split(",")]
    loads = [os.getloadavg()[0]]
    started = time.time()
    results = {scale: run_scale(scale, pages, args.baseline.resolve(), args.rounds, loads) for scale in scales}
    print(report(results, args, loads, started))
    if args.json:
        args.json.write_text(json.dumps({"visits": results, "loads": loads}, indent=1))
    return 0


def run_scale(scale: int, pages: tuple[str, ...], baseline: Path, rounds: int, loads: list[float]) -> dict[str, Visits]:
    """Every page's visits on the three servers started fresh on this scale's data, round after round."""
    from playwright.sync_api import sync_playwright

    make_scaled.make(scale, validate=False)
    data = make_scaled.data_dir_for(scale)
    root = make_scaled.bench_root() / "browser-ab"
    visits: dict[str, Visits] = {page: {name: [] for name in APPS} for page in pages}
    with contextlib.ExitStack() as stack:
        servers = {
            "floor": browser.start_server("bench/floor_app.py", None, root / "floor.log"),
            "baseline": browser.start_server("app.py", data, root / f"baseline-x{scale}.log", cwd=baseline),
            "this": browser.start_server("app.py", data, root / f"this-x{scale}.log"),
        }
        for server in servers.values():
            stack.callback(server.stop)
        playwright = stack.enter_context(sync_playwright())
        chromium = playwright.chromium.launch(**browser.LAUNCH)
        stack.callback(chromium.close)
        turn = 0
        for number in range(rounds):
            for page in pages:
                urls = {
                    name: server.url + "/" if name == "floor" else browser.page_url(server.url, page)
                    for name, server in servers.items()
                }
                for name in APPS if turn % 2 == 0 else reversed(APPS):
                    visits[page][name].append(browser.visit(chromium, urls[name], []))
                turn += 1
                loads.append(os.getloadavg()[0])
                print(
                    f"x{scale} round {number + 1} {page} (load {loads[-1]:.1f}): "
                    + "; ".join(f"{n} " + " / ".join(_secs(visits[page][n][-1][k]) for k in FIGURES) for n in APPS),
                    flush=True,
                )
    return visits


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _gap(ours: float | None, floor: float | None) -> str:
    return "-" if ours is None or floor is None else f"{ours - floor:+.2f}"


def _verdict(ours: float | None, floor: float | None, allowed: float) -> str:
    if ours is None or floor is None:
        return "-"
    return f"{ours - floor:+.2f} ({'met' if ours - floor <= allowed else '**not met**'})"


def report(results: dict[int, dict[str, Visits]], args: argparse.Namespace, loads: list[float], started: float) -> str:
    lines = [
        f"`{' '.join(['.venv/bin/python', 'bench/browser_ab.py', *sys.argv[1:]])}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))} to {time.strftime('%H:%M UTC')}, "
        f"{args.rounds} rounds (the first left out of the medians), 1-minute load {loads[0]:.1f} -> "
        f"{max(loads):.1f} (max) -> {loads[-1]:.1f}",
    ]
    for scale, pages in results.items():
        lines += ["", f"**x{scale}**, gap of this checkout to the floor (medians of later visits; target in brackets):"]
        lines += [
            "",
            "| page | first chart (+0.3) | settled (+0.4) | filter change settled (+0.15) "
            "| baseline: chart / settled / filter | first visitor after a start, settled (+0.6) |",
            "|---|---|---|---|---|---|",
        ]
        for position, (page, visits) in enumerate(pages.items()):
            later = {name: runs[1:] for name, runs in visits.items()}
            meds = {name: {k: _median([v[k] for v in later[name]]) for k in FIGURES} for name in APPS}
            first = (
                _verdict(visits["this"][0]["settled_s"], visits["floor"][0]["settled_s"], ALLOWED["first"])
                if position == 0
                else ""
            )
            cells = [_verdict(meds["this"][k], meds["floor"][k], ALLOWED[k]) for k in FIGURES]
            base = " / ".join(_gap(meds["baseline"][k], meds["floor"][k]) for k in FIGURES)
            lines.append(f"| {page} | {' | '.join(cells)} | {base} | {first} |")
        for page, visits in pages.items():
            lines += ["", f"x{scale}, {page}:", "", *_table(visits)]
    return "\n".join(lines)


def _field(key: str) -> Callable[[dict], float | None]:
    return lambda visit: visit[key]


def _table(visits: Visits) -> list[str]:
    later = {name: runs[1:] for name, runs in visits.items()}
    floor = later["floor"]
    lines = [
        "| later visits, medians | floor | baseline | this | baseline / floor | this / floor |",
        "|---|---|---|---|---|---|",
    ]
    names = {
        "first_chart_s": "first chart",
        "settled_s": "page settled",
        "filter_settled_s": "pick a country -> settled",
    }
    counters: dict[str, Callable[[dict], float | None]] = {
        "main-thread busy on opening (TaskDuration)": lambda v: v["chromium"]["TaskDuration"],
        "main-thread busy, filter change": lambda v: v["filter_chromium"]["TaskDuration"],
        "elements": lambda v: v["census"]["elements"],
        "forward messages on opening": lambda v: v["traffic"]["messages"],
        "forward messages, filter change": lambda v: v["filter_traffic"]["messages"],
        "DOM nodes": lambda v: v["census"]["dom_nodes"],
    }
    rows = [(f"{label} (s)", _field(key)) for key, label in names.items()] + list(counters.items())
    for label, get in rows:
        cells = [_median([get(v) for v in later[name]]) for name in APPS]
        ratios = []
        for name in ("baseline", "this"):
            pairs = [(get(v), get(f)) for v, f in zip(later[name], floor, strict=True)]
            each = [ours / theirs for ours, theirs in pairs if ours is not None and theirs]
            ratios.append(f"{statistics.median(each):.2f}x" if each else "-")
        shown = ["-" if c is None else f"{c:,.2f}".rstrip("0").rstrip(".") for c in cells]
        lines.append(f"| {label} | {' | '.join(shown)} | {' | '.join(ratios)} |")
    return lines


if __name__ == "__main__":
    sys.exit(main())
