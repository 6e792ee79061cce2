"""Load test (`make load`, not part of `make test`): 20 sessions for 60 s while COL is published 5 times.

- The app runs as `make run` would (`streamlit run webapp.py`) on a private copy of the demo data, 127.0.0.1.
- 20 concurrent sessions each load dashboard pages in a bounded loop until the time is up; every load is
  a new Streamlit session (a page reload), and its latency is recorded until the script has finished.
  `--mode ws` (default) speaks Streamlit's own websocket protocol (the protobuf messages the browser
  sends and receives), so the figures measure the server, not 20 browsers drawing charts on the same
  CPUs; `--mode browser` uses 20 Debian chromium contexts and waits until the KPI tiles (or the map's
  canvas) are drawn.
- Meanwhile `python -m score publish --country COL ...` runs 5 times, alternating two valid data sets
  (the demo files, and the same without the last 10 enterprises).
- Errors: a load that times out or fails, an exception element, a script that does not finish, an HTTP
  error, a request leaving the machine (browser mode), a failed publish, a server-side traceback, and a
  COL figure that is neither data set's (readers see the old or the new version, never a mix).

    .venv/bin/python bench/load_test.py [--mode ws|browser] [--sessions 20] [--seconds 60] [--publishes 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.async_api import Page, Route, async_playwright  # noqa: E402

from tests.e2e.app_server import (  # noqa: E402
    COUNTRIES,
    LAUNCH,
    AppServer,
    data_env,
    leaves_machine,
    prepare_data_dir,
)
from tests.e2e.datasets import col_without_last, names  # noqa: E402
from tests.e2e.ws_client import load_page  # noqa: E402

METRIC = "[data-testid='score-tile-value']"  # a KPI tile's value (components.tiles)
DECK = "[data-testid='stDeckGlJsonChart'] canvas"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
# (path, query, what shows the page is drawn); COL views check the figure against both data sets.
VIEWS = [
    ("/", "", METRIC),
    ("/", "countries=COL", METRIC),
    ("/enterprises", "", METRIC),
    ("/training", "sectors=garments", METRIC),
    ("/outcomes", "", "[data-testid='stPlotlyChart'] .main-svg"),
    ("/logframe", "", METRIC),
    ("/country", "", METRIC),
    ("/", "countries=COL&modules=OSH", METRIC),
    ("/map", "", DECK),
]
LOAD_TIMEOUT_MS = 60_000


def next_view(n: int, loads: int, rng: random.Random) -> tuple[str, str, str]:
    """Virtual user n's next view: every view once (each user starting at its own), then at random."""
    return VIEWS[(n + loads) % len(VIEWS)] if loads < len(VIEWS) else rng.choice(VIEWS)


def user_views(n: int, deadline: float, max_loads: int) -> Iterator[tuple[str, str, str]]:
    """Virtual user n's views (path, query, what shows it drawn) until the time is up or it made max_loads loads."""
    rng = random.Random(n)
    loads = 0
    while time.monotonic() < deadline and loads < max_loads:
        yield next_view(n, loads, rng)
        loads += 1


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    col_values: dict[str, int] = field(default_factory=dict)
    publishes: list[dict] = field(default_factory=list)
    loads_per_session: list[int] = field(default_factory=list)

    def col_figure(self, n: int, shown: str, allowed: set[str]) -> None:
        """The COL figure session n saw: counted, and an error unless it is one data set's."""
        self.col_values[shown] = self.col_values.get(shown, 0) + 1
        if shown not in allowed:
            self.errors.append(f"session {n}: COL shows {shown}, expected one of {sorted(allowed)}")


async def wait_loaded(page: Page, ready: str) -> None:
    await page.wait_for_selector(ready, state="visible", timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_selector(IDLE, timeout=LOAD_TIMEOUT_MS)


async def session(n: int, browser, base: str, deadline: float, max_loads: int, allowed: set[str], out: Results):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})

    async def guard(route: Route) -> None:
        if leaves_machine(route.request.url):
            out.blocked.append(route.request.url)
            await route.abort("blockedbyclient")
        else:
            await route.continue_()

    await context.route("**/*", guard)
    page = await context.new_page()
    page.on("pageerror", lambda error: out.errors.append(f"session {n}: page error {str(error)[:200]}"))
    page.on(
        "response",
        lambda r: out.errors.append(f"session {n}: HTTP {r.status} {r.url}") if r.status >= 500 else None,
    )
    loads = 0
    for path, query, ready in user_views(n, deadline, max_loads):
        url = f"{base}{path}{'?' + query if query else ''}"
        started = time.monotonic()
        try:
            await page.goto(url, wait_until="domcontentloaded", timeout=LOAD_TIMEOUT_MS)
            await wait_loaded(page, ready)
            elapsed = time.monotonic() - started
            if await page.locator(EXCEPTION).count():
                out.errors.append(f"session {n}: exception box on {url}")
            elif path == "/" and query == "countries=COL":
                out.col_figure(n, (await page.locator(METRIC).first.inner_text()).strip(), allowed)
            out.latencies.append(elapsed)
        except Exception as error:
            out.errors.append(f"session {n}: {url}: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
        loads += 1
    out.loads_per_session.append(loads)
    await context.close()


async def ws_session(n: int, base: str, deadline: float, max_loads: int, allowed: set[str], out: Results):
    """A virtual user: reload after reload, each a new session over Streamlit's websocket protocol."""
    loads = 0
    for path, query, _ready in user_views(n, deadline, max_loads):
        where = f"{path}{'?' + query if query else ''}"
        started = time.monotonic()
        try:
            shown = await load_page(base, path, query, timeout=LOAD_TIMEOUT_MS / 1000)
            out.errors.extend(f"session {n}: exception on {where}: {message}" for message in shown.exceptions)
            if not shown.finished:
                out.errors.append(f"session {n}: script failed on {where}")
            out.latencies.append(time.monotonic() - started)
            if path == "/" and query == "countries=COL":
                out.col_figure(n, shown.metrics.get("Enterprises engaged", "missing"), allowed)
        except Exception as error:
            out.errors.append(f"session {n}: {where}: {type(error).__name__}: {str(error)[:200]}")
        loads += 1
    out.loads_per_session.append(loads)


def publish_once(data: Path, folder: Path) -> dict:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "score", "publish", "--country", "COL", "--user", "load-test"]
        + [str(p) for p in sorted(folder.glob("*.csv"))],
        cwd=REPO,
        env=data_env(data),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return {
        "dataset": folder.name,
        "seconds": round(time.monotonic() - started, 2),
        "returncode": done.returncode,
        "output": (done.stdout + done.stderr).strip()[-300:],
    }


async def publisher(data: Path, datasets: list[Path], count: int, seconds: float, out: Results) -> None:
    start = time.monotonic()
    for i in range(count):
        at = start + seconds * (i + 0.5) / count
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        result = await asyncio.to_thread(publish_once, data, datasets[(i + 1) % len(datasets)])
        out.publishes.append(result)
        if result["returncode"] != 0:
            out.errors.append(f"publish {i + 1} failed: {result['output']}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run(args: argparse.Namespace) -> dict:
    out = Results()
    root = Path(tempfile.mkdtemp(prefix="score-load-"))
    try:
        data = prepare_data_dir(root, demo_users=False)
        demo = root / "demo"  # data set A: the demo files (the data dir's own folder changes as we publish)
        demo.mkdir()
        for p in (COUNTRIES / "COL").glob("*.csv"):
            shutil.copy(p, demo / p.name)
        fewer = root / "fewer"
        col_without_last(fewer, drop=10)
        allowed = {f"{len(names(folder)):,}" for folder in (demo, fewer)}  # COL enterprises in A and in B
        server = AppServer(data, root / "streamlit.log").start()
        try:
            if args.mode == "ws":
                started = time.monotonic()
                deadline = started + args.seconds
                tasks = [
                    ws_session(n, server.url, deadline, args.max_loads, allowed, out) for n in range(args.sessions)
                ]
                tasks.append(publisher(data, [demo, fewer], args.publishes, args.seconds, out))
                await asyncio.gather(*tasks)
                wall = time.monotonic() - started
            else:
                async with async_playwright() as pw:
                    browser = await pw.chromium.launch(**LAUNCH)
                    started = time.monotonic()
                    deadline = started + args.seconds
                    tasks = [
                        session(n, browser, server.url, deadline, args.max_loads, allowed, out)
                        for n in range(args.sessions)
                    ]
                    tasks.append(publisher(data, [demo, fewer], args.publishes, args.seconds, out))
                    await asyncio.gather(*tasks)
                    wall = time.monotonic() - started
                    await browser.close()
        finally:
            server.stop()
            log = server.log_text()
        if "Traceback (most recent call last)" in log:
            out.errors.append("the server logged an exception: " + log[log.index("Traceback") :][:1500])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    lat = out.latencies
    return {
        "mode": args.mode,
        "sessions": args.sessions,
        "seconds": round(wall, 1),
        "page_loads": len(lat),
        "loads_per_session_min": min(out.loads_per_session, default=0),
        "errors": len(out.errors),
        "error_samples": out.errors[:20],
        "blocked_outside_requests": sorted(set(out.blocked)),
        "latency_p50_s": round(statistics.median(lat), 2) if lat else None,
        "latency_p95_s": round(percentile(lat, 0.95), 2) if lat else None,
        "latency_max_s": round(max(lat), 2) if lat else None,
        "publishes": out.publishes,
        "publishes_ok": sum(p["returncode"] == 0 for p in out.publishes),
        "col_enterprises_seen": out.col_values,
        "col_enterprises_allowed": sorted(allowed),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("ws", "browser"), default="ws")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--load-timeout", type=float, default=60, help="seconds before a page load counts as failed")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--max-loads", type=int, default=500, help="bound on page loads per session")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    global LOAD_TIMEOUT_MS
    LOAD_TIMEOUT_MS = int(args.load_timeout * 1000)
    summary = asyncio.run(run(args))
    text = json.dumps(summary, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)
    failed = summary["errors"] or summary["blocked_outside_requests"] or summary["publishes_ok"] != args.publishes
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
