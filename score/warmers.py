"""Which app processes have warmed which data version: a folder of small files, so a publisher (app or command
line, on any machine sharing the data dir) can wait, briefly, until every running process has warmed the new
version before it switches the pointer (score.web.warm does the warming; no Streamlit here).

`data/run/warmers/<host>-<pid>.json` = {"warmed": "score-7.duckdb", "at": <unix time>}, rewritten atomically by
each app process about every second. A file not rewritten for STALE_SECONDS is a process that has gone: ignored
(and removed).
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from score import config, files, settings

STALE_SECONDS = 10.0


def folder() -> Path:
    return config.data_dir() / "run" / "warmers"


def _me() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def announce(warmed: str | None) -> None:
    """This process is alive and has warmed the version file named `warmed`."""
    target = folder() / f"{_me()}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    # rewritten every half second: a note lost to a crash is harmless, so no fsync
    files.write_atomic(target, json.dumps({"warmed": warmed, "at": time.time()}).encode("utf-8"), durable=False)


def live() -> dict[str, str | None]:
    """Process -> the version it has warmed, for the processes that announced themselves recently."""
    out: dict[str, str | None] = {}
    now = time.time()
    for path in folder().glob("*.json") if folder().exists() else []:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if now - float(entry.get("at", 0)) > STALE_SECONDS:
            path.unlink(missing_ok=True)
            continue
        out[path.stem] = entry.get("warmed")
    return out


def wait_until_warmed(version_file: str, seconds: float | None = None) -> list[str]:
    """Wait up to `seconds` (default settings.warm_wait_seconds, SCORE_WARM_WAIT_SECONDS) until every live process
    has warmed `version_file`; returns those that have not."""
    deadline = time.monotonic() + (settings.get().warm_wait_seconds if seconds is None else seconds)
    while True:
        cold = sorted(process for process, warmed in live().items() if warmed != version_file)
        if not cold or time.monotonic() >= deadline:
            return cold
        time.sleep(0.1)
