"""Readers never see a half-built version, a mix of two versions, or an error while publishes run.

Several threads in this process and a separate process run the overview query continuously (through
score.db, as the app does: resolve the pointer, read-only connection per version) while 4 publishes
alternate two valid COL datasets with different totals. Every read must return exactly one of the two
complete totals (computed independently by tests/oracle.py), and no read may fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from score import db
from score.access import Scope
from score.publish import publish_country, read_history
from tests.publishing import HEADLINE, REPO, build_small, dataset_a, dataset_b, expected_totals

# 4 publishes make 5 versions: one more than db.MAX_SUPERSEDED + the current one, so the pruning of superseded
# connections is still reached (5 publishes cost ~25 s of CPU more for nothing further checked)
PUBLISHES = 4
assert PUBLISHES + 1 > db.MAX_SUPERSEDED + 1
THREADS = 3
# Between reads. A read costs ~20 ms of CPU, so the readers' pace is most of the test's CPU: make test reads every
# 0.1 s (~8 reads a second a reader); make test-full continuously (0.01 s), one code path.
PAUSES = [
    pytest.param(0.1, id="paced"),
    pytest.param(0.01, id="continuous", marks=pytest.mark.exhaustive),
]

READER = """
import json, os, sys, time
from pathlib import Path
from score import db
from score.access import Scope
stop, ready = Path(sys.argv[1]), Path(sys.argv[2])
keys, pause = sys.argv[3].split(","), float(sys.argv[4])
seen, errors, reads = {}, [], 0
while not stop.exists():
    try:
        row = db.run_query("overview_kpis", Scope.hq("reader-process")).iloc[0]
        key = ",".join(str(int(row[k])) for k in keys)
        seen[key] = seen.get(key, 0) + 1
        reads += 1
        if reads == 1:
            ready.write_text("ok")
    except Exception as error:  # every error counts, whatever it is
        errors.append(repr(error)[:300])
    time.sleep(pause)  # as the threads: without a pause this process kept a core busy and slowed the publishes
print(json.dumps({"reads": reads, "seen": seen, "errors": errors[:20], "n_errors": len(errors),
                  "open": len(db.open_connections())}))
"""


@pytest.fixture
def data(tmp_path: Path, settings_override) -> Path:
    return build_small(tmp_path, settings_override)


def _key(totals: dict[str, int]) -> str:
    return ",".join(str(totals[k]) for k in HEADLINE)


@pytest.mark.slow
@pytest.mark.parametrize("pause", PAUSES)
def test_reads_during_publishes_see_one_complete_version(data: Path, tmp_path: Path, pause: float) -> None:
    totals = {
        "A": _key(expected_totals(tmp_path, dataset_a())["all"]),
        "B": _key(expected_totals(tmp_path, dataset_b())["all"]),
    }
    assert totals["A"] != totals["B"]
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    env = {**os.environ, "SCORE_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-c", READER, str(stop), str(ready), ",".join(HEADLINE), str(pause)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: dict[str, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def reader(n: int) -> None:
        scope = Scope.hq(f"reader-{n}")
        while not done.is_set():
            try:
                row = db.run_query("overview_kpis", scope).iloc[0]
                key = ",".join(str(int(row[k])) for k in HEADLINE)
            except Exception as error:  # every error counts, whatever it is
                with lock:
                    errors.append(repr(error))
                continue
            with lock:
                seen[key] = seen.get(key, 0) + 1
            time.sleep(pause)

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(THREADS)]
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():  # the other process has read version 1 once
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the reader process did not start"
            time.sleep(0.05)
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        versions = []
        for n in range(PUBLISHES):
            files = dataset_b() if n % 2 == 0 else dataset_a()
            versions.append(publish_country("COL", files, Scope.hq("publisher")).version)
        time.sleep(0.3)
    finally:
        done.set()
        stop.write_text("stop")
        for thread in threads:
            thread.join(timeout=30)
        out, err = process.communicate(timeout=60)
    other = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}

    assert versions == list(range(2, PUBLISHES + 2))
    assert [e["version"] for e in read_history()] == list(range(1, PUBLISHES + 2))
    assert errors == [], errors[:5]
    assert other.get("n_errors") == 0, (other, err[-2000:])
    # Every read saw one of the two complete versions, never a mix; both were seen, in both processes.
    assert set(seen) == {totals["A"], totals["B"]}, seen
    assert set(other["seen"]) == {totals["A"], totals["B"]}, other["seen"]
    reads = sum(seen.values())
    print(f"\n{reads} reads in {THREADS} threads and {other['reads']} in another process during {PUBLISHES} publishes")
    assert reads > 20 and other["reads"] > 5
    # Connections to superseded versions do not pile up, one per publish.
    assert len(db.open_connections()) <= db.MAX_SUPERSEDED + 1 + THREADS
    assert other["open"] <= db.MAX_SUPERSEDED + 1
