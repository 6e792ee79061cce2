"""Checking an upload within a bound of time and memory: the parse runs in a worker process that is ended as
soon as it passes either bound, so one hostile file (50 MB of one line, 50,000 rows of 500 columns) cannot hold
the app's process for half a minute or push it out of memory. Nothing is staged before the check returns.

The bounds (settings, with the upload size limit): UPLOAD_CHECK_SECONDS (20 s) of the worker's processor time
(so that a busy machine does not refuse a normal file; a worker that waits instead of working is ended after three
times as long on the clock) and UPLOAD_CHECK_MEMORY_MB (500 MB) of memory that the worker adds to what it holds
when it starts. The workers are
forked from a small server process that imported the validator once (multiprocessing's "forkserver"), so a
check starts in milliseconds, not the second a fresh Python takes to import pandas.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path

from score import config
from score.i18n import _, current_language, fmt_bound, set_language
from score.ingest.report import ERROR, Issue, ValidationReport

_POLL_SECONDS = 0.05
WALL_FACTOR = 3  # a worker that waits (swapping, starved) is ended after this many times the bound on the clock
_TICKS = os.sysconf("SC_CLK_TCK")
_context: multiprocessing.context.ForkServerContext | None = None


def _worker_context() -> multiprocessing.context.ForkServerContext:
    """A forkserver context that preloads the validator (fork from a threaded Streamlit process is unsafe)."""
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["score.ingest.validate"])
        _context = context
    return _context


def _check(connection: Connection, language: str, limit_mb: float, country: str, files: dict[str, bytes]) -> None:
    from score.ingest.validate import validate_submission

    set_language(language)
    config.MAX_UPLOAD_MB = limit_mb
    connection.send(validate_submission(country, files))
    connection.close()


def validate_bounded(
    country: str,
    files: Mapping[str, bytes],
    *,
    seconds: float | None = None,
    memory_mb: float | None = None,
) -> ValidationReport:
    """`validate_submission(country, files)` in a worker process; a report with one error when the worker
    passes `seconds` of wall time or `memory_mb` of added memory (defaults: the settings)."""
    seconds = config.UPLOAD_CHECK_SECONDS if seconds is None else seconds
    memory_mb = config.UPLOAD_CHECK_MEMORY_MB if memory_mb is None else memory_mb
    receiver, sender = _worker_context().Pipe(duplex=False)
    worker = _worker_context().Process(
        target=_check, args=(sender, current_language(), config.MAX_UPLOAD_MB, country, dict(files)), daemon=True
    )
    started = time.monotonic()
    worker.start()
    sender.close()
    baseline: float | None = None
    try:
        while True:
            if receiver.poll(_POLL_SECONDS):
                try:
                    return receiver.recv()
                except EOFError:  # the worker died without an answer (killed by the system, crashed)
                    return _refused(country, files, "memory", memory_mb)
            if not worker.is_alive() and not receiver.poll(0):
                return _refused(country, files, "memory", memory_mb)
            used, cpu = _usage(worker.pid)
            if baseline is None and used is not None:
                baseline = used
            if baseline is not None and used is not None and used - baseline > memory_mb:
                return _refused(country, files, "memory", memory_mb)
            if (cpu or 0) > seconds or time.monotonic() - started > WALL_FACTOR * seconds:
                return _refused(country, files, "time", seconds)
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join(timeout=5)
        receiver.close()


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
