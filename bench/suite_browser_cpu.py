"""What a page load costs the tests' browser in CPU, under two sets of browser-context options, paired (the suite's
time: Chromium is most of a browser test's CPU, DEVELOPERS.md "The suite's time").

    .venv/bin/python bench/suite_browser_cpu.py [--rounds 3] [--a '{}'] [--b '{"reduced_motion": "reduce"}']

One server on the demo data (as the browser tests start it), one browser (the tests' headless shell), a context per
option set at 1280x720; each round opens every page in both contexts, the order swapped every other round, and
counts the CPU seconds of the browser's processes (the Streamlit server's apart) from `goto` to the first chart.
Prints the median per load for each option set and the ratio b / a.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e import dashboard as ui  # noqa: E402
from tests.e2e.app_server import CHROMIUM, CHROMIUM_ARGS, AppServer, prepare_data_dir  # noqa: E402

PAGES = ["", "enterprises", "training", "outcomes"]
_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` and every live process under it (children's reaped time included)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        parents[pid], ticks[pid] = int(fields[1]), sum(int(f) for f in fields[11:15])
    under, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in under]
        under.update(children)
        todo += children
    return sum(ticks.get(pid, 0) for pid in under) / _TICK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--a", default="{}", help="context options, JSON")
    parser.add_argument("--b", default='{"reduced_motion": "reduce"}', help="context options, JSON")
    args = parser.parse_args()
    options = {"a": json.loads(args.a), "b": json.loads(args.b)}
    root = Path(tempfile.mkdtemp(prefix="score-browser-cpu-"))
    loads: dict[str, list[float]] = {"a": [], "b": []}
    with AppServer(prepare_data_dir(root), root / "server.log") as server, sync_playwright() as playwright:
        server_pid = server.process.pid if server.process else -1
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tabs = {}
        for name, extra in options.items():
            tabs[name] = browser.new_context(viewport={"width": 1280, "height": 720}, **extra).new_page()
            ui.goto(tabs[name], server.url + "/")  # each context's first load (cold caches) is left out
        for round_number in range(args.rounds):
            order = ["a", "b"] if round_number % 2 == 0 else ["b", "a"]
            for slug in PAGES:
                for name in order:
                    before = tree_cpu(os.getpid()) - tree_cpu(server_pid)
                    ui.goto(tabs[name], f"{server.url}/{slug}")
                    tabs[name].locator(ui.CHART).first.wait_for(timeout=ui.TIMEOUT)
                    loads[name].append(tree_cpu(os.getpid()) - tree_cpu(server_pid) - before)
        browser.close()
    medians = {name: statistics.median(values) for name, values in loads.items()}
    for name, values in loads.items():
        shown = json.dumps(options[name])
        print(f"{name} {shown}: browser CPU per load, median {medians[name]:.2f} s (n={len(values)})")
    print(f"b / a: {medians['b'] / medians['a']:.2f}")


if __name__ == "__main__":
    main()
