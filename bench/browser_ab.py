"""A change to what a page draws, measured in the browser: the floor app, a baseline checkout and this checkout, visit
by visit in turn (issue 25; bench/browser.py measures one checkout beside the floor).

    git archive main | tar -x -C /tmp/baseline          # the code to compare with
    .venv/bin/python bench/browser_ab.py --baseline /tmp/baseline [--rounds 7] [--page country] [--json out.json]

The three servers (bench/floor_app.py, the baseline's app and this checkout's, as `make run` starts them, on the x1
bench data of bench/make_scaled.py) run side by side; each round visits floor, baseline and this checkout (the order
reversed every other round) in new browser contexts, and picks a country in the sidebar (bench/browser.py's visit:
first chart, page settled, filter change settled, Chromium's main-thread counters). The first round warms each
server's caches for the page and the filter and is left out of the medians; each dashboard visit is also divided by
the floor visit of the same round (the machine's load moves all three together).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import browser  # noqa: E402
import make_scaled  # noqa: E402

FIGURES = ("first_chart_s", "settled_s", "filter_settled_s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the code to compare")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--page", default="overview", choices=browser.PAGES)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    make_scaled.make(1, validate=False)
    data = make_scaled.data_dir_for(1)
    root = make_scaled.bench_root() / "browser-ab"
    visits: dict[str, list[dict]] = {"floor": [], "baseline": [], "this": []}
    loads = [os.getloadavg()[0]]
    started = time.time()
    with contextlib.ExitStack() as stack:
        servers = {
            "floor": browser.start_server("bench/floor_app.py", None, root / "floor.log"),
            "baseline": browser.start_server("app.py", data, root / "baseline.log", cwd=args.baseline.resolve()),
            "this": browser.start_server("app.py", data, root / "this.log"),
        }
        for server in servers.values():
            stack.callback(server.stop)
        urls = {
            name: server.url + "/" if name == "floor" else browser.page_url(server.url, args.page)
            for name, server in servers.items()
        }
        playwright = stack.enter_context(sync_playwright())
        chromium = playwright.chromium.launch(**browser.LAUNCH)
        stack.callback(chromium.close)
        for number in range(args.rounds):
            order = list(urls) if number % 2 == 0 else list(reversed(urls))
            for name in order:
                visits[name].append(browser.visit(chromium, urls[name], []))
            loads.append(os.getloadavg()[0])
            print(
                f"round {number + 1} (load {loads[-1]:.1f}): "
                + "; ".join(f"{n} " + " / ".join(f"{visits[n][-1][k]:.2f}" for k in FIGURES) for n in urls),
                flush=True,
            )
    print(report(visits, args, loads, started))
    if args.json:
        args.json.write_text(json.dumps({"visits": visits, "loads": loads}, indent=1))
    return 0


def report(visits: dict[str, list[dict]], args: argparse.Namespace, loads: list[float], started: float) -> str:
    later = {name: runs[1:] for name, runs in visits.items()}
    floor = later["floor"]

    def med(values: list[float]) -> str:
        return f"{statistics.median(values):.2f}"

    lines = [
        f"`{' '.join(['.venv/bin/python', 'bench/browser_ab.py', *sys.argv[1:]])}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, {args.rounds} rounds (the first left out), "
        f"1-minute load {loads[0]:.1f} -> {max(loads):.1f} (max) -> {loads[-1]:.1f}; page: {args.page}",
        "",
        "| later visits, medians | floor | baseline | this | baseline / floor | this / floor |",
        "|---|---|---|---|---|---|",
    ]
    names = {
        "first_chart_s": "first chart",
        "settled_s": "page settled",
        "filter_settled_s": "pick a country -> settled",
    }
    counters = {
        "main-thread busy on opening (TaskDuration)": lambda v: v["chromium"]["TaskDuration"],
        "main-thread busy, filter change": lambda v: v["filter_chromium"]["TaskDuration"],
        "elements": lambda v: v["census"]["elements"],
        "forward messages on opening": lambda v: v["traffic"]["messages"],
        "DOM nodes": lambda v: v["census"]["dom_nodes"],
    }
    rows = [(f"{label} (s)", lambda v, k=key: v[k]) for key, label in names.items()] + list(counters.items())
    for label, get in rows:
        cells = [med([get(v) for v in later[name]]) for name in ("floor", "baseline", "this")]
        ratios = [
            f"{statistics.median(get(v) / get(f) for v, f in zip(later[name], floor, strict=True)):.2f}x"
            for name in ("baseline", "this")
        ]
        lines.append(f"| {label} | {' | '.join(cells)} | {' | '.join(ratios)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
