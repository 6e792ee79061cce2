"""What a visitor waits for in a real browser, beside the floor app, in one run (issue 25; DESIGN.md "Performance").

    .venv/bin/python bench/browser.py [--scales 1,200] [--visitors 5] [--pages overview,...] [--write BENCHMARKS.md]

For each scale, the dashboard (`streamlit run app.py` on the bench's data dir of that scale, bench/make_scaled.py)
and the floor app (bench/floor_app.py: a sidebar multiselect and five Plotly bar charts, same Streamlit and Plotly)
are started side by side; then visitors come one after another, each in a new browser context (a new session, an
empty browser cache), alternating floor and dashboard. Per visit:

- first chart: from navigation start to the first Plotly chart with a trace drawn;
- page settled: to the last change of the page (DOM mutation) after which the script is not running, every chart
  has drawn (Plotly traces, deck.gl canvases), nothing is stale, and the page stays still for QUIET_MS;
- filter change: pick a country ("Colombia") in the sidebar's Country multiselect; from the pointer going down on
  the option to the page settled again (the rerun seen starting and ending).

The first visit after a server start is reported on its own; the others as medians. Chromium is the system one
(/usr/bin/chromium), every request that leaves localhost is aborted (and counted). Per visit also: the websocket
traffic (Streamlit's forward messages: count and bytes, by element type), the page's iframes and style blocks, the
number of elements, and Chromium's own counters (Performance.getMetrics: script, layout, style time).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import harness  # noqa: E402
import make_scaled  # noqa: E402

from tests.e2e.app_server import LAUNCH, LOCAL_HOSTS, VISITOR_CHROMIUM  # noqa: E402

MARKERS = ("<!-- browser:start -->", "<!-- browser:end -->")
PAGES = ("overview", "enterprises", "training", "outcomes", "map", "logframe", "country")
QUIET_MS = 700
COUNTRY = "Colombia"
VIEWPORT = {"width": 1366, "height": 768}

# Runs in every page before its own scripts: records when the first chart drew, the last change of the page,
# the script's run state over time and the pointer going down (the click that changes a filter).
PROBE = """
(() => {
  const t = window.__bench = {first: null, last: 0, states: [], downs: []};
  const chart = '[data-testid="stPlotlyChart"] .main-svg .trace';
  const seen = () => {
    const now = performance.now();
    t.last = now;
    if (t.first === null && document.querySelector(chart)) t.first = now;
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    if (state && (t.states.length === 0 || t.states[t.states.length - 1][0] !== state)) t.states.push([state, now]);
  };
  new MutationObserver(seen).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  document.addEventListener('pointerdown', () => t.downs.push(performance.now()), true);
})();
"""

# The page is drawn: the script is not running, nothing is stale; and how many
# charts have drawn (Plotly traces, deck.gl canvases), to compare with how many the server sent in this run.
DRAWN = """
(since) => {
  const t = window.__bench;
  const app = document.querySelector('[data-testid="stApp"]');
  const done = !!t && !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]');
  const charts = document.querySelectorAll(
    '[data-testid="stPlotlyChart"] .main-svg .trace, [data-testid="stPlotlyChart"] .main-svg .pielayer');
  const plots = new Set([...charts].map(c => c.closest('[data-testid="stPlotlyChart"]')));
  const decks = [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')]
    .filter(d => d.querySelector('canvas'));
  const last = t ? t.last : 0;
  return {done, plots: plots.size, decks: decks.length, quiet: performance.now() - last, last};
}
"""

# What is on the page once settled.
CENSUS = """
() => ({
  charts: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
  decks: document.querySelectorAll('[data-testid="stDeckGlJsonChart"]').length,
  elements: document.querySelectorAll('[data-testid="stElementContainer"]').length,
  iframes: document.querySelectorAll('iframe').length,
  styles: document.querySelectorAll('style').length,
  style_bytes: [...document.querySelectorAll('style')].reduce((n, s) => n + s.textContent.length, 0),
  dom_nodes: document.getElementsByTagName('*').length,
  exceptions: document.querySelectorAll('[data-testid="stException"]').length,
})
"""
METRICS = ("ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration", "Nodes", "JSHeapUsedSize")


class Traffic:
    """Streamlit's forward messages over the page's websocket: count, bytes, and bytes by element type."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.messages = 0
        self.bytes = 0
        self.by_type: collections.Counter[str] = collections.Counter()
        self.count_by_type: collections.Counter[str] = collections.Counter()

    def frame(self, payload: bytes | str) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        self.messages += 1
        self.bytes += len(payload)
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # not a forward message: counted in bytes only
            return
        kind: str | None = message.WhichOneof("type")
        if kind == "delta":
            delta = message.delta.WhichOneof("type")
            if delta == "new_element":
                kind = message.delta.new_element.WhichOneof("type")
            elif delta == "add_block":
                kind = "block"
        self.by_type[kind or "?"] += len(payload)
        self.count_by_type[kind or "?"] += 1

    def summary(self) -> dict:
        return {
            "messages": self.messages,
            "bytes": self.bytes,
            "by_type": dict(self.by_type.most_common()),
            "count_by_type": dict(self.count_by_type),
        }


class Visit:
    """One visitor: a new browser context (new session, empty cache), network blocked beyond localhost."""

    def __init__(self, browser, blocked: list[str]) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
        self.context.add_init_script(PROBE)

        def route(request_route) -> None:
            host = urlparse(request_route.request.url).hostname or ""
            if host in LOCAL_HOSTS or request_route.request.url.startswith(("data:", "blob:")):
                request_route.continue_()
            else:
                blocked.append(request_route.request.url)
                request_route.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.traffic = Traffic()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self.traffic.frame))
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")

    def settle(self, since: float, timeout_s: float = 300) -> float:
        """Wait until the script has run, every chart the server sent in this run has drawn and the page has been
        still for QUIET_MS; returns the time (performance.now) of its last change."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self.page.evaluate(DRAWN, since)
            sent = self.traffic.count_by_type
            drawn = state["plots"] >= sent["plotly_chart"] and state["decks"] >= sent["deck_gl_json_chart"]
            # this run's script has finished (its message arrived; a fast run can start and end between two
            # observations of the page's run state), the page shows it, every chart it sent has drawn
            finished = sent["script_finished"] >= 1 and state["done"]
            if finished and drawn and state["quiet"] >= QUIET_MS:
                return state["last"]
            time.sleep(0.05 if not (finished and drawn) else max(0.05, (QUIET_MS - state["quiet"]) / 1000))
        raise TimeoutError(f"the page did not settle within {timeout_s} s: {state}, sent {dict(sent)}")

    def chromium(self) -> dict[str, float]:
        got = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        return {name: got.get(name, 0.0) for name in METRICS}

    def open(self, url: str) -> dict:
        self.page.goto(url, wait_until="commit", timeout=300_000)
        settled = self.settle(0)
        first = self.page.evaluate("() => window.__bench.first")
        out = {
            "first_chart_s": None if first is None else first / 1000,
            "settled_s": settled / 1000,
            "census": self.page.evaluate(CENSUS),
            "traffic": self.traffic.summary(),
            "chromium": self.chromium(),
        }
        self.traffic.reset()
        return out

    def pick_country(self, name: str = COUNTRY) -> dict:
        before = self.chromium()
        self.page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Country").click()
        self.traffic.reset()
        self.page.get_by_role("option", name=name, exact=True).click()
        down = self.page.evaluate("() => window.__bench.downs[window.__bench.downs.length - 1]")
        settled = self.settle(down)
        after = self.chromium()
        out = {
            "filter_settled_s": (settled - down) / 1000,
            "traffic": self.traffic.summary(),
            "chromium": {k: after[k] - before[k] for k in METRICS},
        }
        self.page.keyboard.press("Escape")
        self.traffic.reset()
        return out

    def close(self) -> None:
        self.context.close()


def page_url(base: str, page: str) -> str:
    return f"{base}/" if page == "overview" else f"{base}/{page}"


def visit(browser, url: str, blocked: list[str], filter_change: bool = True) -> dict:
    one = Visit(browser, blocked)
    try:
        result = one.open(url)
        if filter_change:
            result.update({f"filter_{k}" if k != "filter_settled_s" else k: v for k, v in one.pick_country().items()})
        return result
    finally:
        one.close()


def start_server(script: str, data: Path | None, log: Path, env: dict[str, str] | None = None, cwd: Path = REPO):
    """`streamlit run <script>` as score.serve starts the app (own process, stopped by its handle); `cwd`: the
    checkout whose app runs (bench/browser_ab.py runs a baseline's beside this one)."""
    from score.serve import streamlit_command
    from tests.e2e.app_server import AppServer, free_port

    server = AppServer(data or REPO / "data", log, port=free_port(), env=env)
    command = streamlit_command(server.port)  # the dashboard as `make run` / `score serve` start it
    if script != "app.py":  # the floor: a plain `streamlit run`, with the same options
        command[1:3] = ["-m", "streamlit", "run", script]
    log.parent.mkdir(parents=True, exist_ok=True)
    server._log = open(log, "ab")  # noqa: SIM115 (closed by server.stop)
    started = time.perf_counter()
    server.process = subprocess.Popen(
        command, cwd=cwd, env=server.env, stdout=server._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    while not server.healthy():
        if server.process.poll() is not None or time.perf_counter() - started > 300:
            server.stop()
            raise RuntimeError(f"{script} did not start:\n{server.log_tail()}")
        time.sleep(0.05)
    server.ready_s = time.perf_counter() - started  # type: ignore[attr-defined]  # read by the report
    return server


def run_scale(scale: int, pages: tuple[str, ...], visitors: int, root: Path) -> dict:
    from playwright.sync_api import sync_playwright

    make_scaled.make(scale, validate=False)
    data = make_scaled.data_dir_for(scale)
    blocked: list[str] = []
    out: dict = {"scale": scale, "floor": [], "pages": {p: [] for p in pages}}
    with contextlib.ExitStack() as stack:
        floor = _Stopper(start_server("bench/floor_app.py", None, root / "floor.log"))
        stack.callback(floor.close)
        app = _Stopper(start_server("app.py", data, root / f"app-x{scale}.log"))
        stack.callback(app.close)
        out["ready_s"] = {"floor": floor.server.ready_s, "app": app.server.ready_s}
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(**LAUNCH)
        stack.callback(browser.close)
        for number in range(visitors):
            for page in pages:
                out["floor"].append(visit(browser, floor.server.url + "/", blocked))
                out["pages"][page].append(visit(browser, page_url(app.server.url, page), blocked))
                last = out["pages"][page][-1]
                print(
                    f"x{scale} visitor {number + 1} {page}: first chart {last['first_chart_s']}, settled "
                    f"{last['settled_s']:.2f} s, filter {last['filter_settled_s']:.2f} s "
                    f"(floor {out['floor'][-1]['first_chart_s']:.2f} / {out['floor'][-1]['settled_s']:.2f} / "
                    f"{out['floor'][-1]['filter_settled_s']:.2f})",
                    flush=True,
                )
    out["blocked"] = sorted(set(blocked))
    return out


class _Stopper:
    def __init__(self, server) -> None:
        self.server = server

    def close(self) -> None:
        self.server.stop()


def med(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def gap(ours: float | None, floor: float | None) -> str:
    return "–" if ours is None or floor is None else f"{ours - floor:+.2f} s"


def verdict(ours: float | None, floor: float | None, allowed: float) -> str:
    if ours is None or floor is None:
        return "–"
    return "met" if ours - floor <= allowed else "**not met**"


def report(results: dict, command: str, started: float, loads: tuple[float, float]) -> str:
    lines = [
        f"Command: `{command}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, "
        f"{(time.time() - started) / 60:.0f} min; 1-minute load average {loads[0]:.1f} at the start, {loads[1]:.1f} "
        f"at the end (2 cores shared with other work: compare each figure with the floor beside it, measured in "
        f"the same run, alternating visit by visit). Chromium {results.get('chromium', '')}, "
        f"{VIEWPORT['width']}x{VIEWPORT['height']}, network blocked except localhost "
        f"(requests blocked: {sum(len(s['blocked']) for s in results['scales'])}).",
        "",
    ]
    for entry in results["scales"]:
        scale, floor = entry["scale"], entry["floor"]
        f_first, f_settled, f_filter = (
            [v[k] for v in floor] for k in ("first_chart_s", "settled_s", "filter_settled_s")
        )
        # the floor's first visit after its start is the first of the run; the later ones are every other
        lines += [
            f"**x{scale}** (servers answered /_stcore/health after {entry['ready_s']['app']:.1f} s (dashboard), "
            f"{entry['ready_s']['floor']:.1f} s (floor)); visitors: {len(next(iter(entry['pages'].values())))} "
            "per page; first = the first visit after the server started, later = median of the others.",
            "",
            "| page | first chart, first visitor | first chart, later | page settled, first visitor | "
            "page settled, later | pick a country -> settled, first | pick a country -> settled, later | "
            "charts | forward msgs / KB (open) | targets (later: chart +0.3, settled +0.4; first +0.6; filter +0.15) |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| floor app | {secs(f_first[0])} | {secs(med(f_first[1:]))} | {secs(f_settled[0])} | "
            f"{secs(med(f_settled[1:]))} | {secs(f_filter[0])} | {secs(med(f_filter[1:]))} | "
            f"{floor[0]['census']['charts']} | {floor[-1]['traffic']['messages']} / "
            f"{floor[-1]['traffic']['bytes'] / 1024:.0f} | |",
        ]
        floor_later = (med(f_first[1:]), med(f_settled[1:]), med(f_filter[1:]))
        for page, visits in entry["pages"].items():
            first, settled, filt = ([v[k] for v in visits] for k in ("first_chart_s", "settled_s", "filter_settled_s"))
            later = (med(first[1:]), med(settled[1:]), med(filt[1:]))
            checks = [
                f"chart {verdict(later[0], floor_later[0], 0.3)}" if later[0] is not None else None,
                f"settled {verdict(later[1], floor_later[1], 0.4)}",
                f"first {verdict(settled[0], f_settled[0], 0.6)}" if page == "overview" else None,
                f"filter {verdict(later[2], floor_later[2], 0.15)}",
            ]
            lines.append(
                f"| {page} | {secs(first[0])} ({gap(first[0], f_first[0])}) | {secs(later[0])} "
                f"({gap(later[0], floor_later[0])}) | {secs(settled[0])} ({gap(settled[0], f_settled[0])}) | "
                f"{secs(later[1])} ({gap(later[1], floor_later[1])}) | {secs(filt[0])} ({gap(filt[0], f_filter[0])}) | "
                f"{secs(later[2])} ({gap(later[2], floor_later[2])}) | {visits[-1]['census']['charts']}"
                f"{' + map' if visits[-1]['census']['decks'] else ''} | {visits[-1]['traffic']['messages']} / "
                f"{visits[-1]['traffic']['bytes'] / 1024:.0f} | {'; '.join(c for c in checks if c)} |"
            )
        lines.append("")
    lines += breakdown(results)
    return "\n".join(lines)


def breakdown(results: dict) -> list[str]:
    """Where the time goes, per page (the later visits' medians): what the server sends, what the browser does."""
    lines = [
        "Where it goes (later visits, medians; traffic = Streamlit's forward messages over the websocket; "
        "Chromium = Performance.getMetrics of the page: script, layout and style recalculation time in the "
        "renderer's main thread):",
        "",
        "| scale | page | msgs | KB | largest by type (KB) | elements | iframes | style blocks (KB) | DOM nodes | "
        "script | layout | style | filter change: msgs / KB, script |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in results["scales"]:
        for page, visits in [("floor app", entry["floor"]), *entry["pages"].items()]:
            later = visits[1:] or visits

            def m(get, later=later):
                return med([get(v) for v in later])

            types: collections.Counter[str] = collections.Counter()
            for v in later:
                types.update(v["traffic"]["by_type"])
            top = ", ".join(f"{k} {b / len(later) / 1024:.0f}" for k, b in types.most_common(4))
            cells = [
                f"x{entry['scale']}",
                page,
                f"{m(lambda v: v['traffic']['messages']):.0f}",
                f"{m(lambda v: v['traffic']['bytes']) / 1024:.0f}",
                top,
                f"{m(lambda v: v['census']['elements']):.0f}",
                f"{m(lambda v: v['census']['iframes']):.0f}",
                f"{m(lambda v: v['census']['styles']):.0f} ({m(lambda v: v['census']['style_bytes']) / 1024:.0f})",
                f"{m(lambda v: v['census']['dom_nodes']):.0f}",
                *(f"{m(lambda v, k=k: v['chromium'][k]):.2f} s" for k in METRICS[:3]),
                f"{m(lambda v: v['filter_traffic']['messages']):.0f} / "
                f"{m(lambda v: v['filter_traffic']['bytes']) / 1024:.0f}, "
                f"{m(lambda v: v['filter_chromium']['ScriptDuration']):.2f} s",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,200")
    parser.add_argument("--visitors", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--write", type=Path, help="write the tables between the browser markers of this file")
    parser.add_argument("--json", type=Path, help="also save every visit's figures here")
    args = parser.parse_args()
    pages = tuple(p for p in args.pages.split(",") if p in PAGES)
    root = make_scaled.bench_root() / "browser"

    def measure() -> dict:
        results: dict = {"scales": []}
        for scale in (int(s) for s in args.scales.split(",")):
            results["scales"].append(run_scale(scale, pages, args.visitors, root))
        with contextlib.suppress(Exception):
            results["chromium"] = subprocess.run(
                [VISITOR_CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
            ).stdout.split()[-1]
        (args.json or root / "browser.json").write_text(json.dumps(results, indent=1))
        return results

    return harness.measure_and_report("bench/browser.py", measure, report, args.write, MARKERS)


if __name__ == "__main__":
    sys.exit(main())
