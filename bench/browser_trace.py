"""Where a visitor's first chart waits, timeline for timeline beside the floor app (issue 25): one Chromium
performance trace per visit, the websocket's forward messages as the page receives them, the code chunks' loading.

    .venv/bin/python bench/browser_trace.py [--visits 3] [--baseline <checkout> ...] [--page overview] [--save DIR]
    .venv/bin/python bench/browser_trace.py --filter [--visits 3] [--baseline <checkout> ...]   # a country picked

The floor app (bench/floor_app.py), this checkout's dashboard (and a baseline checkout's, if given) run side by side
on the x1 bench data, as bench/browser_ab.py starts them; each round visits each in a new browser context (the first
round warms the servers and is left out). Per visit, times from navigation start (performance.now, ms):

- ws open, first message, the script's run finished (Streamlit's `script_finished`), the first and last
  `plotly_chart` delta, as the page's main thread dispatched them (a busy main thread dispatches late);
- the PlotlyChart code chunk requested and loaded (resource timing);
- the first chart drawn (the first Plotly trace in the page);
- the renderer's main thread from Chromium's trace: busy time before the first message, between it and the script's
  run finished, up to the first chart; what it was busy with (script by file, style, layout, paint, parse, GC),
  and the long tasks (> 50 ms) before the first chart.

With `--filter` the opening is not traced; the trace covers picking a country in the sidebar (bench/browser.py's
filter change) instead: the forward messages the rerun sends (count, bytes, by kind, and how many repeat an element
or block the opening sent at the same place byte for byte), the server's part (from the click's message leaving the
browser to the first forward message and to `script_finished` arriving), the main thread's CPU from the pointer
going down to the page settled, by kind of work, how many style recalculations and layouts ran, how many of the
charts' drawings changed (DOM mutations inside each Plotly chart) and the DOM nodes before and after.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import math
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import browser  # noqa: E402
import make_scaled  # noqa: E402

# Before the page's own scripts: every websocket message as the main thread dispatches it (performance.now), and
# the first chart's time (bench/browser.py's PROBE).
WS_PROBE = """
(() => {
  const log = window.__ws = [];
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    log.push(['open', performance.now(), 0]);
    socket.addEventListener('message', (e) => log.push(['msg', performance.now(),
      e.data.byteLength ?? e.data.size ?? e.data.length]));
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""
CATEGORIES = [
    "devtools.timeline",
    "blink.user_timing",
    "toplevel",
    "v8",
]
# For a filter change also V8's sampling profiler: the CPU by the file of the function running (Plotly's drawing runs
# inside React's effects, so the trace's events alone count it as React's)
SAMPLED = [*CATEGORIES, "disabled-by-default-v8.cpu_profiler"]
# Before a filter change: count the DOM mutations inside each Plotly chart from now on (a chart whose figure did not
# change should see none), and the DOM nodes now.
CHART_WATCH = """
() => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const counts = window.__chartMutations = charts.map(() => 0);
  charts.forEach((chart, i) => new MutationObserver((records) => { counts[i] += records.length; })
    .observe(chart, {subtree: true, childList: true, attributes: true, characterData: true}));
  charts.forEach((chart) => { chart.__benchMark = true; });
  return document.getElementsByTagName('*').length;
}
"""
CHART_COUNT = """
() => ({
  mutations: window.__chartMutations,
  replaced: [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(c => !c.__benchMark).length,
  nodes: document.getElementsByTagName('*').length,
})
"""


def describe(payload: bytes) -> tuple[str, tuple[int, ...], bytes]:
    """A forward message's kind, its element's place (delta path) and its content (the delta without metadata)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    message.ParseFromString(payload)
    kind = kinds([payload])[0]
    if message.WhichOneof("type") != "delta":
        return kind, (), b""
    return kind, tuple(message.metadata.delta_path), message.delta.SerializeToString(deterministic=True)


def kinds(payloads: list[bytes]) -> list[str]:
    """Each forward message's kind, as bench/browser.py's Traffic names them."""
    out = []
    for payload in payloads:
        traffic = browser.Traffic()
        traffic.frame(payload)
        out.append(next(iter(traffic.count_by_type), "?"))
    return out


def main_thread(events: list[dict]) -> tuple[int, int]:
    """(pid, tid) of the page's renderer main thread: the thread with the navigation's `navigationStart` mark."""
    if len(events) == 1:
        return events[0]["pid"], events[0]["tid"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    for event in events:
        if event.get("name") == "navigationStart" and names.get((event["pid"], event["tid"])) == "CrRendererMain":
            return event["pid"], event["tid"]
    candidates = collections.Counter((e["pid"], e["tid"]) for e in events if e.get("name") == "FunctionCall")
    return candidates.most_common(1)[0][0]


URLS: dict[str, str] = {}  # script id -> its file, from the trace's compile events


def what(event: dict) -> str:
    """A trace event's kind of work: script by file, or Chromium's own step."""
    name = event["name"]
    data = event.get("args", {}).get("data", {}) or {}
    if name in ("EvaluateScript", "FunctionCall", "v8.compile", "v8.compileModule", "v8.evaluateModule"):
        url = data.get("url") or data.get("fileName") or URLS.get(str(data.get("scriptId")), "")
        url = url.rsplit("/", 1)[-1].split("?")[0]
        if not url and data.get("functionName"):
            return f"script inline {data['functionName']}"
        return f"script {url.split('.')[0] or '(inline)'}"
    if name in ("TimerFire", "FireAnimationFrame", "EventDispatch", "RunMicrotasks", "V8.Execute"):
        return "script (callbacks)"
    if name in ("UpdateLayoutTree", "RecalculateStyles", "ScheduleStyleRecalculation"):
        return "style"
    if name in ("Layout", "UpdateLayerTree", "Layerize", "PrePaint"):
        return "layout"
    if name in ("Paint", "PaintImage", "Commit", "CompositeLayers", "RasterTask"):
        return "paint"
    if name in ("ParseHTML", "ParseAuthorStyleSheet"):
        return "parse"
    if name.startswith(("MinorGC", "MajorGC", "V8.GC", "BlinkGC")):
        return "gc"
    return ""


def by_kind(mine: list[dict], lo: float, hi: float) -> tuple[collections.Counter[str], float]:
    """The main thread's CPU (thread time, ms) in the events that begin between lo and hi (trace clock, µs) by kind
    of work: each event's own time less its children's, an unnamed event counted with its nearest named ancestor;
    and the CPU of the top-level events in all."""
    work: collections.Counter[str] = collections.Counter()
    stack: list[list] = []
    total = 0.0
    for event in mine:
        if not lo <= event["ts"] <= hi:
            continue
        while stack and event["ts"] >= stack[-1][0]["ts"] + stack[-1][0]["dur"]:
            done = stack.pop()
            work[done[2]] += max(0.0, done[1]) / 1000
        cpu = event.get("tdur", event["dur"])
        if stack:
            stack[-1][1] -= cpu
        else:
            total += cpu / 1000
        stack.append([event, cpu, what(event) or (stack[-1][2] if stack else "other")])
    for done in stack:
        work[done[2]] += max(0.0, done[1]) / 1000
    return work, total


def analyse(
    trace: dict,
    ws: list,
    wskinds: list[str],
    first_chart: float,
    settled: float,
    resources: list[dict],
    arrivals: list[float],
    asked_s: float,
) -> dict:
    """`asked_s`: when the document was asked for (the network's clock, about the navigation's start): the origin
    of the frames' arrival times when there is no trace."""
    events = [e for e in trace["traceEvents"] if "ts" in e]
    if not events:  # marks only
        events = [{"name": "navigationStart", "pid": 0, "tid": 0, "ts": asked_s * 1e6}]
    for event in events:
        data = event.get("args", {}).get("data") or {}
        if event["name"].startswith("v8.compile") and data.get("url"):
            URLS[str(data.get("scriptId"))] = data["url"]
    pid, tid = main_thread(events)
    start = next(
        (e["ts"] for e in events if e.get("name") == "navigationStart" and (e["pid"], e["tid"]) == (pid, tid)), None
    )
    if start is None:
        start = min(e["ts"] for e in events if (e["pid"], e["tid"]) == (pid, tid))
    mine = sorted(
        (e for e in events if (e["pid"], e["tid"]) == (pid, tid) and e.get("ph") == "X" and "dur" in e),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    tasks: list[dict] = []  # the main thread's top-level tasks (nested RunTask events merged into their outer one)
    for event in (e for e in mine if e["name"] in ("RunTask", "ThreadControllerImpl::RunTask")):
        if tasks and event["ts"] < tasks[-1]["ts"] + tasks[-1]["dur"]:
            continue
        tasks.append(event)
    messages = [(t, size) for kind, t, size in ws if kind == "msg"]
    marks = {"ws open": next((t for kind, t, _s in ws if kind == "open"), None)}
    marks["first message"] = messages[0][0] if messages else None
    at = dict(zip(wskinds, [t for t, _s in messages], strict=False))  # the first of each kind
    for kind, (t, _s) in zip(wskinds, messages, strict=False):
        at.setdefault(kind, t)
    firsts: dict[str, float] = {}
    lasts: dict[str, float] = {}
    for kind, (t, _s) in zip(wskinds, messages, strict=False):
        firsts.setdefault(kind, t)
        lasts[kind] = t
    # when the frames reached the browser (the network's timestamps, same clock as the trace's)
    arrived = [(t * 1e6 - start) / 1000 for t in arrivals]
    kinds_arrived = dict(reversed(list(zip(wskinds, arrived, strict=False))))
    marks["first plotly_chart arrived"] = kinds_arrived.get("plotly_chart")
    marks["script finished arrived"] = kinds_arrived.get("script_finished")
    marks["script finished"] = firsts.get("script_finished")
    marks["first plotly_chart msg"] = firsts.get("plotly_chart")
    marks["last plotly_chart msg"] = lasts.get("plotly_chart")
    chunk = next((r for r in resources if "PlotlyChart" in r["name"]), None)
    if chunk:
        marks["PlotlyChart chunk asked"] = chunk["startTime"]
        marks["PlotlyChart chunk first byte"] = chunk["responseStart"]
        marks["PlotlyChart chunk loaded"] = chunk["responseEnd"]
    marks["first chart"] = first_chart

    def busy(lo: float, hi: float) -> tuple[float, float]:
        """The main thread's wall time in tasks between lo and hi, and its CPU time in the tasks that began there
        (the trace's thread time: what the load of other processes does not stretch)."""
        wall = cpu = 0.0
        for task in tasks:
            a, b = (task["ts"] - start) / 1000, (task["ts"] + task["dur"] - start) / 1000
            wall += max(0.0, min(b, hi) - max(a, lo))
            cpu += task.get("tdur", task["dur"]) / 1000 if lo <= a < hi else 0.0
        return wall, cpu

    edges = [0.0, marks["first message"] or 0.0, marks["script finished"] or 0.0, first_chart]
    spans = {
        "nav -> first msg": (edges[0], edges[1]),
        "first msg -> script finished": (edges[1], edges[2]),
        "script finished -> first chart": (edges[2], edges[3]),
        "nav -> first chart": (edges[0], edges[3]),
        "first chart -> settled": (edges[3], settled),
    }
    by_span = {}
    for name, (lo, hi) in spans.items():
        wall, cpu = busy(lo, hi)
        by_span[name] = {"wall": hi - lo, "busy": wall, "cpu": cpu}
    work, _total = by_kind(mine, start, start + first_chart * 1000)  # CPU by kind of work before the first chart
    long_tasks = [
        {
            "at": round((t["ts"] - start) / 1000),
            "ms": round(t["dur"] / 1000),
            "top": collections.Counter(
                what(e) or e["name"] for e in mine if t["ts"] <= e["ts"] < t["ts"] + t["dur"] and e is not t and what(e)
            ).most_common(2),
        }
        for t in tasks
        if t["dur"] > 50_000 and (t["ts"] - start) / 1000 < first_chart
    ]
    return {
        "marks": {k: None if v is None else round(v) for k, v in marks.items()},
        "spans": {k: {m: round(v) for m, v in d.items()} for k, d in by_span.items()},
        "work_before_first_chart_ms": {k: round(v) for k, v in work.most_common(14)},
        "long_tasks": long_tasks,
        "messages_before_first_chart": sum(1 for t, _s in messages if t < first_chart),
        # the page's own files still loading when the chart chunk was asked for (HTTP/1.1: six at a time)
        "requests_ahead_of_chart_chunk": sum(
            1 for r in resources if chunk and r is not chunk and r["startTime"] <= chunk["startTime"] < r["responseEnd"]
        ),
        "requests_before_first_chart": sum(1 for r in resources if r["startTime"] < first_chart),
    }


def visit(chromium, url: str, save: Path | None, label: str, trace: bool = True, filter_change: bool = False) -> dict:
    one = browser.Visit(chromium, [])
    one.context.add_init_script(WS_PROBE)
    payloads: list[bytes] = []
    arrivals: list[float] = []
    asked: list[float] = []
    one.cdp.send("Network.enable")
    one.cdp.on("Network.requestWillBeSent", lambda e: asked.append(e["timestamp"]))
    one.cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: arrivals.append(e["timestamp"]) if e["response"].get("opcode") == 2 else None,
    )
    one.page.on("websocket", lambda ws: ws.on("framereceived", lambda p: payloads.append(p)))
    if filter_change:
        sent: list[float] = []
        one.cdp.on("Network.webSocketFrameSent", lambda e: sent.append(e["timestamp"]))
        try:
            one.open(url)
            return trace_filter(chromium, one, payloads, arrivals, sent, save, label, trace)
        finally:
            one.close()
    if trace:
        chromium.start_tracing(page=one.page, categories=CATEGORIES)
    try:
        opened = one.open(url)
        raw = chromium.stop_tracing() if trace else b'{"traceEvents": []}'
        if save and trace:
            save.mkdir(parents=True, exist_ok=True)
            (save / f"{label}.json").write_bytes(raw)
        ws = one.page.evaluate("() => window.__ws")
        resources = one.page.evaluate(
            "() => performance.getEntriesByType('resource').map(r => "
            "({name: r.name, startTime: r.startTime, responseStart: r.responseStart, responseEnd: r.responseEnd}))"
        )
        binary = [p for p in payloads if not isinstance(p, str)]
        out = analyse(
            json.loads(raw),
            ws,
            kinds(binary),
            opened["first_chart_s"] * 1000,
            opened["settled_s"] * 1000,
            resources,
            arrivals,
            asked[0],
        )
        out["settled_ms"] = round(opened["settled_s"] * 1000)
        out["task_s"] = opened["chromium"]["TaskDuration"]
        return out
    finally:
        one.close()


def trace_filter(
    chromium, one, payloads: list, arrivals: list[float], sent: list[float], save: Path | None, label: str, trace: bool
) -> dict:
    """Pick a country in an opened page under a trace: what the rerun sends and what the browser does with it."""
    described = (describe(p) for p in payloads if not isinstance(p, str))
    opening = {(path, content) for _kind, path, content in described if path}  # the elements the opening sent
    before = len(payloads), len(arrivals), len(sent)
    nodes_before = one.page.evaluate(CHART_WATCH)
    if trace:
        chromium.start_tracing(page=one.page, categories=SAMPLED)
    picked = one.pick_country()
    raw = chromium.stop_tracing() if trace else b'{"traceEvents": []}'
    if save and trace:
        save.mkdir(parents=True, exist_ok=True)
        (save / f"{label}-filter.json").write_bytes(raw)
    charts = one.page.evaluate(CHART_COUNT)
    down = one.page.evaluate("() => window.__bench.downs[window.__bench.downs.length - 1]")
    rerun = [describe(p) for p in payloads[before[0] :] if not isinstance(p, str)]
    by_kind: collections.Counter[str] = collections.Counter(kind for kind, _p, _c in rerun)
    same: collections.Counter[str] = collections.Counter(
        kind for kind, path, content in rerun if (path, content) in opening
    )
    out: dict = {
        "filter_settled_ms": round(picked["filter_settled_s"] * 1000),
        "messages": len(rerun),
        "bytes": sum(len(p) for p in payloads[before[0] :] if not isinstance(p, str)),
        "by_kind": dict(by_kind.most_common()),
        "resent_unchanged": dict(same.most_common()),
        "resent_unchanged_bytes": sum(
            len(content) for _k, path, content in rerun if path and (path, content) in opening
        ),
        "chart_mutations": charts["mutations"],
        "charts_redrawn": sum(1 for m in charts["mutations"] if m),
        "charts_replaced": charts["replaced"],
        "dom_nodes": [nodes_before, charts["nodes"]],
        "task_s": picked["chromium"]["TaskDuration"],
    }
    # the server's part: from the click's message leaving to the rerun's first message and script_finished arriving
    # (the network's clock; the rerun's first message is its new_session... script_finished pair)
    clicks = sent[before[2] :]
    got = arrivals[before[1] :]
    if clicks and got:
        click = clicks[-1] if len(clicks) == 1 else next((t for t in clicks if t <= got[0]), clicks[0])
        done = next((t for (kind, _p, _c), t in zip(rerun, got, strict=False) if kind == "script_finished"), None)
        out["server_first_msg_ms"] = round((got[0] - click) * 1000)
        out["arrived_ms"] = [[kind, round((t - click) * 1000)] for (kind, _p, _c), t in zip(rerun, got, strict=False)]
        out["server_script_finished_ms"] = None if done is None else round((done - click) * 1000)
    events = [e for e in json.loads(raw)["traceEvents"] if "ts" in e]
    if events:
        out.update(filter_work(events, down))
    return out


def filter_work(events: list[dict], down: float) -> dict:
    """Main-thread CPU (thread time) by kind of work from the pointer going down to the end of the trace (the page
    settled, and QUIET_MS of stillness after it), the number of style recalculations and layouts."""
    pid, tid = main_thread(events)
    for event in events:
        data = event.get("args", {}).get("data") or {}
        if event["name"].startswith("v8.compile") and data.get("url"):
            URLS[str(data.get("scriptId"))] = data["url"]
    mine = sorted(
        (e for e in events if (e["pid"], e["tid"]) == (pid, tid) and e.get("ph") == "X" and "dur" in e),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    # the page's performance.now() origin: the trace's clock of the pointerdown's EventDispatch
    downs = [
        e
        for e in mine
        if e["name"] == "EventDispatch" and (e.get("args", {}).get("data") or {}).get("type") == "pointerdown"
    ]
    start = downs[-1]["ts"] if downs else mine[0]["ts"]
    work, total = by_kind(mine, start, math.inf)
    after = [e for e in mine if e["ts"] >= start]
    return {
        "sampled_ms": {k: round(v) for k, v in sampled(events, (pid, tid), start).most_common(12)},
        "cpu_ms": round(total),
        "work_ms": {k: round(v) for k, v in work.most_common(14)},
        "style_recalcs": sum(1 for e in after if e["name"] == "UpdateLayoutTree"),
        "layouts": sum(1 for e in after if e["name"] == "Layout"),
    }


def sampled(events: list[dict], thread: tuple[int, int], start: float) -> collections.Counter[str]:
    """V8's samples on the main thread after `start` (trace clock, µs), as ms by the file of the function running
    (its chunk's name: PlotlyChart, index, react-dom ...) or V8's own state ((program), (garbage collector))."""
    nodes: dict[int, str] = {}
    out: collections.Counter[str] = collections.Counter()
    profiles = {
        e["id"]: e["args"]["data"]["startTime"]
        for e in events
        if e.get("name") == "Profile" and (e["pid"], e["tid"]) == thread
    }
    clock: dict[str, float] = dict(profiles)
    for event in events:
        if event.get("name") != "ProfileChunk" or event.get("id") not in profiles:
            continue
        data = event["args"]["data"]
        for node in data.get("cpuProfile", {}).get("nodes", []):
            frame = node["callFrame"]
            url = frame.get("url", "").rsplit("/", 1)[-1].split("?")[0].split(".")[0]
            nodes[node["id"]] = url or frame.get("functionName") or "(anonymous)"
        samples, deltas = data.get("cpuProfile", {}).get("samples", []), data.get("timeDeltas", [])
        for sample, delta in zip(samples, deltas, strict=False):
            clock[event["id"]] += delta
            if clock[event["id"]] >= start and nodes.get(sample) != "(idle)":
                out[nodes.get(sample, "?")] += delta / 1000
    return out


def med(values: list) -> str:
    """The median of the values present, in whole ms, or a dash."""
    present = [v for v in values if v is not None]
    return f"{statistics.median(present):.0f}" if present else "–"


def filter_report(results: dict[str, list[dict]]) -> str:
    names = list(results)
    lines = ["| a country picked, medians | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]

    for key, label in (
        ("filter_settled_ms", "pointer down -> settled (ms, wall)"),
        ("server_first_msg_ms", "click sent -> first forward message (ms)"),
        ("server_script_finished_ms", "click sent -> script_finished arrived (ms)"),
        ("messages", "forward messages"),
        ("bytes", "bytes"),
        ("resent_unchanged_bytes", "bytes of elements re-sent unchanged"),
        ("charts_redrawn", "Plotly charts whose drawing changed"),
        ("cpu_ms", "main-thread CPU, pointer down -> end of trace (ms)"),
        ("style_recalcs", "style recalculations"),
        ("layouts", "layouts"),
    ):
        lines.append(f"| {label} | " + " | ".join(med([r.get(key) for r in results[n]]) for n in names) + " |")
    lines.append(
        "| DOM nodes before -> after | "
        + " | ".join(
            f"{med([r['dom_nodes'][0] for r in results[n]])} -> {med([r['dom_nodes'][1] for r in results[n]])}"
            for n in names
        )
        + " |"
    )
    for key, label in (("by_kind", "messages"), ("resent_unchanged", "re-sent unchanged")):  # the last visit's
        lines.append(
            f"| {label} by kind | "
            + " | ".join(
                ", ".join(f"{k} {v}" for k, v in sorted(results[n][-1][key].items(), key=lambda kv: -kv[1]))
                for n in names
            )
            + " |"
        )
    for key, label in (("work_ms", "main-thread CPU by event"), ("sampled_ms", "main thread, V8 samples by file")):
        kinds_seen: collections.Counter[str] = collections.Counter()
        for n in names:
            for r in results[n]:
                kinds_seen.update(r.get(key, {}))
        for kind, _total in kinds_seen.most_common(12):
            lines.append(
                f"| {label}: {kind} | "
                + " | ".join(med([r.get(key, {}).get(kind, 0) for r in results[n]]) for n in names)
                + " |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=3, help="later visits per app (after one warming round)")
    parser.add_argument(
        "--baseline", type=Path, action="append", default=[], help="a checkout to trace beside this one (repeatable)"
    )
    parser.add_argument("--page", default="overview", choices=browser.PAGES)
    parser.add_argument("--save", type=Path, help="keep each trace here (open in chrome://tracing or Perfetto)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-trace", action="store_true", help="marks only: no Chromium trace (its own cost)")
    parser.add_argument("--filter", action="store_true", help="trace picking a country instead of the opening")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    make_scaled.make(1, validate=False)
    data = make_scaled.data_dir_for(1)
    root = make_scaled.bench_root() / "browser-trace"
    results: dict[str, list[dict]] = collections.defaultdict(list)
    with contextlib.ExitStack() as stack:
        servers = {"floor": browser.start_server("bench/floor_app.py", None, root / "floor.log")}
        for checkout in args.baseline:
            name = "baseline" if len(args.baseline) == 1 else checkout.name
            servers[name] = browser.start_server("app.py", data, root / f"{name}.log", cwd=checkout.resolve())
        servers["this"] = browser.start_server("app.py", data, root / "this.log")
        for server in servers.values():
            stack.callback(server.stop)
        playwright = stack.enter_context(sync_playwright())
        chromium = playwright.chromium.launch(**browser.LAUNCH)
        stack.callback(chromium.close)
        for number in range(args.visits + 1):
            names = list(servers) if number % 2 == 0 else list(reversed(servers))
            for name in names:
                url = servers[name].url + "/" if name == "floor" else browser.page_url(servers[name].url, args.page)
                got = visit(chromium, url, args.save, f"{name}-{number}", not args.no_trace, args.filter)
                if number:
                    results[name].append(got)
                if args.filter:
                    print(name, number, json.dumps(got), flush=True)
                else:
                    print(name, number, json.dumps(got["marks"]), json.dumps(got["spans"]), flush=True)
    print(filter_report(results) if args.filter else report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def report(results: dict[str, list[dict]]) -> str:
    names = list(results)
    lines = ["| medians (ms from navigation start) | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]

    for mark in next(iter(results.values()))[0]["marks"]:
        lines.append(f"| {mark} | " + " | ".join(med([r["marks"].get(mark) for r in results[n]]) for n in names) + " |")
    for span in next(iter(results.values()))[0]["spans"]:
        lines.append(
            f"| {span}: wall / main thread busy / its CPU | "
            + " | ".join(
                f"{med([r['spans'][span]['wall'] for r in results[n]])} / "
                f"{med([r['spans'][span]['busy'] for r in results[n]])} / "
                f"{med([r['spans'][span]['cpu'] for r in results[n]])}"
                for n in names
            )
            + " |"
        )
    kinds_seen: collections.Counter[str] = collections.Counter()
    for n in names:
        for r in results[n]:
            kinds_seen.update(r["work_before_first_chart_ms"])
    for kind, _total in kinds_seen.most_common(14):
        lines.append(
            f"| main-thread CPU before the first chart: {kind} | "
            + " | ".join(med([r["work_before_first_chart_ms"].get(kind, 0) for r in results[n]]) for n in names)
            + " |"
        )
    for key, label in (
        ("messages_before_first_chart", "forward messages dispatched before the first chart"),
        ("requests_before_first_chart", "files asked for before the first chart"),
        ("requests_ahead_of_chart_chunk", "files still loading when the chart chunk was asked for"),
    ):
        lines.append(f"| {label} | " + " | ".join(med([r[key] for r in results[n]]) for n in names) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
