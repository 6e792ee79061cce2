"""Throughput of N Streamlit processes behind nginx against one (`make scale-test`, not part of `make test`).

    .venv/bin/python bench/scale_out.py [--processes 2] [--sessions 20] [--seconds 20] [--rounds 3] [--write FILE]

Two clusters run side by side on private copies of the demo data (score.serve.Cluster: 1 process, and N processes
behind nginx; both behind nginx, so the proxy is not what differs). In each round, 20 virtual users (Streamlit's
websocket protocol, tests/e2e/ws_client.py) load pages for `--seconds` against one cluster, then the other (the
order alternates between rounds); every load is a new session (a page reload, as a new visitor), over the nine views
of bench/load_test.py. Loads per session and the run time are bounded. Reported: fresh page loads per second,
p50/p95 latency and errors per round, the medians over the rounds, and the ratio N processes / 1 process per round
and of the medians. The load generator runs on the same machine (one Python process, roughly a third of a core);
with `--write FILE` the table replaces the section between `<!-- scale-out:start -->` and `<!-- scale-out:end -->`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import harness  # noqa: E402
from load_test import VIEWS, next_view, percentile  # noqa: E402

from score.serve import Cluster  # noqa: E402
from tests.e2e.app_server import data_env, prepare_data_dir  # noqa: E402
from tests.e2e.ws_client import load_page  # noqa: E402

MARKERS = ("<!-- scale-out:start -->", "<!-- scale-out:end -->")


async def _visitor(n: int, url: str, deadline: float, max_loads: int, latencies: list[float], errors: list[str]):
    rng = random.Random(n)
    for loads in range(max_loads):
        if time.monotonic() >= deadline:
            return
        path, query, _ = next_view(n, loads, rng)
        started = time.monotonic()
        try:
            shown = await load_page(url, path, query, timeout=60)
            if shown.exceptions or not shown.finished:
                errors.append(f"{path}?{query}: {shown.exceptions[:1] or 'not finished'}")
            else:
                latencies.append(time.monotonic() - started)
        except Exception as error:
            errors.append(f"{path}?{query}: {type(error).__name__}: {str(error)[:160]}")


async def load(url: str, sessions: int, seconds: float, max_loads: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(_visitor(n, url, deadline, max_loads, latencies, errors) for n in range(sessions)))
    wall = time.monotonic() - started  # loads still running at the deadline finish and count
    return {
        "loads": len(latencies),
        "wall_s": wall,
        "loads_per_s": len(latencies) / wall,
        "p50_s": statistics.median(latencies) if latencies else float("nan"),
        "p95_s": percentile(latencies, 0.95),
        "errors": len(errors),
        "error_samples": errors[:5],
    }


def cpu_seconds(cluster: Cluster) -> float:
    """CPU time (user + system) used so far by the cluster's Streamlit processes (Linux /proc)."""
    total = 0
    for process in cluster.backends:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def warm(url: str, loads: int) -> None:
    """Every view a few times, so each process has imported everything and cached the default queries."""

    async def run() -> None:
        await asyncio.gather(*(load_page(url, path, query, timeout=120) for path, query, _ in VIEWS * loads))

    asyncio.run(run())


def report(rows: list[dict], processes: int, sessions: int, seconds: float) -> str:
    by = {n: [r for r in rows if r["processes"] == n] for n in (1, processes)}
    med = {
        n: {k: statistics.median(r[k] for r in by[n]) for k in ("loads_per_s", "p50_s", "p95_s", "cores_used")}
        for n in by
    }
    ratios = [b["loads_per_s"] / a["loads_per_s"] for a, b in zip(by[1], by[processes], strict=True)]
    lines = [
        f"`{' '.join(['.venv/bin/python', 'bench/scale_out.py', *sys.argv[1:]])}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), 1-min load average at the start/end "
        f"{rows[0]['load_before']:.1f}/{rows[-1]['load_after']:.1f} (the benchmark's own load included; "
        "the ratio is measured side by side, round by round).",
        "",
        f"{sessions} virtual users, {seconds:.0f} s per cluster and round, each load a new session; demo data.",
        "",
        "| round | processes | fresh page loads | loads/s | p50 | p95 | errors | server CPU (cores) | CPU per load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['round']} | {r['processes']} | {r['loads']} | {r['loads_per_s']:.2f} | {r['p50_s']:.2f} s | "
            f"{r['p95_s']:.2f} s | {r['errors']} | {r['cores_used']:.2f} | {r['cpu_ms_per_load']:.0f} ms |"
        )
    lines += [
        "",
        "| | 1 process | " + f"{processes} processes | ratio |",
        "|---|---|---|---|",
        f"| fresh page loads per second (median of rounds) | {med[1]['loads_per_s']:.2f} | "
        f"{med[processes]['loads_per_s']:.2f} | **{med[processes]['loads_per_s'] / med[1]['loads_per_s']:.2f}x** |",
        f"| p50 latency | {med[1]['p50_s']:.2f} s | {med[processes]['p50_s']:.2f} s | |",
        f"| p95 latency at {sessions} sessions | {med[1]['p95_s']:.2f} s | {med[processes]['p95_s']:.2f} s | |",
        f"| ratio per round | | | {', '.join(f'{x:.2f}' for x in ratios)} |",
        f"| cores the server processes used | {med[1]['cores_used']:.2f} | {med[processes]['cores_used']:.2f} | |",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-loads", type=int, default=200, help="bound on page loads per session and round")
    parser.add_argument("--write", type=Path, help="replace the scale-out section of this file (RELIABILITY.md)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="score-scale-out-"))
    rows: list[dict] = []
    try:
        clusters = {}
        for n in (1, args.processes):
            data = prepare_data_dir(root / f"p{n}", demo_users=False)
            clusters[n] = Cluster(n, env=data_env(data), run_dir=root / f"p{n}" / "run", limit_sessions=False).start()
        try:
            for cluster in clusters.values():
                warm(cluster.url, loads=2)
            for round_ in range(1, args.rounds + 1):
                order = (1, args.processes) if round_ % 2 else (args.processes, 1)
                for n in order:
                    before, cpu = os.getloadavg()[0], cpu_seconds(clusters[n])
                    result = asyncio.run(load(clusters[n].url, args.sessions, args.seconds, args.max_loads))
                    result["cores_used"] = (cpu_seconds(clusters[n]) - cpu) / result["wall_s"]
                    result["cpu_ms_per_load"] = 1000 * (cpu_seconds(clusters[n]) - cpu) / max(1, result["loads"])
                    rows.append({"round": round_, "processes": n, "load_before": before, **result})
                    rows[-1]["load_after"] = os.getloadavg()[0]
                    print(
                        f"round {round_}, {n} process(es): {result['loads']} loads, {result['loads_per_s']:.2f}/s, "
                        f"p50 {result['p50_s']:.2f} s, p95 {result['p95_s']:.2f} s, {result['errors']} errors, "
                        f"server CPU {result['cores_used']:.2f} cores, {result['cpu_ms_per_load']:.0f} ms per load",
                        flush=True,
                    )
            rows.sort(key=lambda r: (r["round"], r["processes"]))
        finally:
            for cluster in clusters.values():
                cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = report(rows, args.processes, args.sessions, args.seconds)
    print("\n" + text)
    if args.write:
        harness.write_section(args.write, text, MARKERS)
    errors = sum(r["errors"] for r in rows)
    for r in rows:
        for sample in r["error_samples"]:
            print(f"error (round {r['round']}, {r['processes']} processes): {sample}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
