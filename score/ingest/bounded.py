"""Checking an upload within a bound of time and memory: the parse runs in a worker process that is ended as
soon as it passes either bound, so one hostile file (50 MB of one line, 50,000 rows of 500 columns) cannot hold
the app's process for half a minute or push it out of memory. Nothing is staged before the check returns.

The bounds (settings, with the upload size limit): UPLOAD_CHECK_SECONDS (20 s) of the worker's processor time
(so that a busy machine does not refuse a normal file; a worker that waits instead of working is ended after three
times as long on the clock) and UPLOAD_CHECK_MEMORY_MB (500 MB) of memory that the worker adds to what it holds
when it is ready.

The worker is a fresh Python (`python -m score.ingest.check_worker`), not a fork of the app: a Streamlit process
runs threads (fork is unsafe there) and its `__main__` is the page script, which multiprocessing's spawn and
forkserver would run again in the child. One worker is started ahead (a spare that has imported the validator and
waits), so a check does not wait the second a new Python takes to import pandas.
"""

from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from score import config, settings
from score.i18n import _, current_language, fmt_bound
from score.ingest.report import ERROR, Issue, ValidationReport

_POLL_SECONDS = 0.05
_READY_SECONDS = 60  # a new worker imports pandas and the validator first
WALL_FACTOR = 3  # a worker that waits (swapping, starved) is ended after this many times the bound on the clock
_TICKS = os.sysconf("SC_CLK_TCK")
_spare: subprocess.Popen | None = None
_spare_lock = threading.Lock()


def _start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "score.ingest.check_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=config.REPO_ROOT,
        env={**os.environ, **settings.get().env()},
        start_new_session=True,  # a signal to the app's process group does not reach a check in flight
    )


def _take_worker() -> subprocess.Popen:
    """The spare worker (or a new one), and a new spare started behind it."""
    global _spare
    with _spare_lock:
        worker = _spare if _spare is not None and _spare.poll() is None else _start_worker()
        _spare = _start_worker()
    return worker


def validate_bounded(
    country: str,
    files: Mapping[str, bytes],
    *,
    seconds: float | None = None,
    memory_mb: float | None = None,
) -> ValidationReport:
    """`validate_submission(country, files)` in a worker process; a report with one error when the worker
    passes `seconds` of processor time or `memory_mb` of added memory (defaults: the settings)."""
    seconds = settings.get().upload_check_seconds if seconds is None else seconds
    memory_mb = settings.get().upload_check_memory_mb if memory_mb is None else memory_mb
    worker = _take_worker()
    assert worker.stdin is not None and worker.stdout is not None
    try:
        ready, _unused, _unused2 = select.select([worker.stdout], [], [], _READY_SECONDS)
        if not ready or worker.stdout.read(1) != b"R":
            return _refused(country, files, "time", seconds)
        base_memory, base_cpu = _usage(worker.pid)
        job = (current_language(), settings.get().max_upload_mb, country, dict(files))
        sender = threading.Thread(target=_send, args=(worker, job), daemon=True)
        sender.start()  # the worker reads while we watch it
        started = time.monotonic()
        while True:
            ready, _unused, _unused2 = select.select([worker.stdout], [], [], _POLL_SECONDS)
            if ready:
                answer = worker.stdout.read()
                if worker.wait(timeout=30) != 0 or not answer:
                    return _refused(country, files, "memory", memory_mb)  # killed by the system, or crashed
                return pickle.loads(answer)  # our own child's answer
            memory, cpu = _usage(worker.pid)
            if memory is not None and base_memory is not None and memory - base_memory > memory_mb:
                return _refused(country, files, "memory", memory_mb)
            used = (cpu or 0.0) - (base_cpu or 0.0)
            if used > seconds or time.monotonic() - started > WALL_FACTOR * seconds:
                return _refused(country, files, "time", seconds)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=10)
        worker.stdout.close()


def _send(worker: subprocess.Popen, job: tuple) -> None:
    try:
        assert worker.stdin is not None
        pickle.dump(job, worker.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        worker.stdin.close()
    except (BrokenPipeError, OSError, ValueError):
        pass  # the worker was ended past a bound while it read


def _usage(pid: int | None) -> tuple[float | None, float | None]:
    """The worker's resident memory in MB and processor time in seconds (Linux /proc), None when unreadable."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None, None
    memory = next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), None)
    fields = stat.rsplit(")", 1)[-1].split()  # after the command name, which may hold spaces
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
    return memory, cpu


def _refused(country: str, files: Mapping[str, bytes], bound: str, limit: float) -> ValidationReport:
    names = ", ".join(sorted(files)) or "-"
    if bound == "time":
        problem = _(
            "Checking these files took longer than {seconds} seconds, the most one upload may take; it was stopped "
            "and nothing was changed.",
            seconds=fmt_bound(limit),
        )
    else:
        problem = _(
            "Checking these files needed more than {megabytes} MB of memory, the most one upload may use; it was "
            "stopped and nothing was changed.",
            megabytes=fmt_bound(limit),
        )
    fix = _(
        "Upload only the contract's files and columns (one row per record, no pasted text or images); split a very "
        "large file by year. If the files are right and this large, ask HQ to load them."
    )
    issue = Issue(ERROR, names, None, None, None, None, problem, fix)
    return ValidationReport(country=country, issues=[issue])
