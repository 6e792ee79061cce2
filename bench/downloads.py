"""Every download a page offers, timed from the click to the file (issue 25: ready in <= 5 s at x200, or streamed
with progress).

    SCORE_DATA_DIR=<x200 data dir> .venv/bin/python bench/downloads.py [--pages overview,enterprises] [--repeat 1]

Each page is opened as HQ with no filter (the largest files) through Streamlit's AppTest; every download button it
draws is recorded with the function that makes its file (a deferred download: the file is made on the click, in
the server process) and that function is then run and timed, wall and CPU time of this process (DuckDB's threads
included). Prints one row per button, slowest first, and the 1-minute load before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PAGES = (
    "overview",
    "enterprises",
    "training",
    "outcomes",
    "map",
    "logframe",
    "country",
    "data_quality",
    "present",
    "upload",
)
LIMIT_S = 5.0


def record_buttons() -> list[tuple[str, str, Callable[[], bytes] | bytes]]:
    """Replace Streamlit's download button by one that records (label, file name, data) and draws nothing."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    seen: list[tuple[str, str, Callable[[], bytes] | bytes]] = []

    def button(_where: object, label: str, data: Callable[[], bytes] | bytes, file_name: str = "", *a, **k) -> bool:
        seen.append((label, file_name, data))
        return False

    DeltaGenerator.download_button = button  # type: ignore[method-assign,assignment]
    st.download_button = lambda *a, **k: button(None, *a, **k)  # type: ignore[assignment]
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--repeat", type=int, default=1, help="times each file is made (median quoted)")
    args = parser.parse_args()

    from score.access import Scope
    from tests.apptest import open_page

    seen = record_buttons()
    load_before = os.getloadavg()[0]
    rows: list[tuple[float, float, str, str, str, int]] = []
    for page in args.pages.split(","):
        seen.clear()
        open_page(f"views/{page}.py", {}, Scope.hq("bench"), timeout=900)
        for label, file_name, data in list(seen):
            walls, cpus, size = [], [], 0
            for _ in range(args.repeat):
                start, cpu = time.perf_counter(), time.process_time()
                made = data() if callable(data) else data
                walls.append(time.perf_counter() - start)
                cpus.append(time.process_time() - cpu)
                size = len(made)
            rows.append((statistics.median(walls), statistics.median(cpus), page, label, file_name, size))
    print(f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}; limit {LIMIT_S} s")
    print("| page | button | file | bytes | wall s | CPU s |")
    print("|---|---|---|---|---|---|")
    for wall, cpu, page, label, file_name, size in sorted(rows, reverse=True):
        flag = " **over**" if wall > LIMIT_S else ""
        print(f"| {page} | {label} | {file_name} | {size:,} | {wall:.2f}{flag} | {cpu:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
