"""A publisher killed (SIGKILL) at random points leaves the previous or the next version intact.

A subprocess publishes two COL datasets alternately, back to back, printing each step; it is killed with
SIGKILL a random 0-0.4 s after a randomly chosen step (seeded), so kills land in every phase: validating,
archiving, building, checking, switching and finishing (the bookkeeping after the switch). A kill chosen after
"check" or "finish" finds the publisher held in that step until it dies, so it lands before or after the commit
point however slow the machine is (a sleep there was overrun once on a loaded machine).
After every kill, before any recovery, the pointer must name a complete version (`score-<n>.duckdb`, never
a `.building` file) that opens read-only and holds exactly one of the two datasets; a watcher thread checks
that no other target ever appears. Then recovery (what the next publisher runs first) must leave a
consistent state: the country folder holds the current version's inputs, the history ends with the current
version, the archive holds only files of published versions, no transaction is left over. Finally one more
publish must succeed.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import random
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from score import publish
from score.access import Scope
from tests.publishing import REPO, build_small, dataset_a, dataset_b

SEED = 20130901
ITERATIONS = 6
MAX_DELAY = 0.4
PHASES = (*publish.STEPS, "finish", "published")

PUBLISHER = """
import os, sys, threading
from score import publish
from score.access import Scope
from score.publish import publish_country
from tests.publishing import dataset_a, dataset_b

# The step the test will kill in holds the publisher until it dies: a kill after "check" lands before the
# commit point and one after "finish" after it, whatever the kill's delay and the machine's speed.
HOLD = os.environ["CRASH_TEST_HOLD"]
real_check, real_finish = publish.check_version, publish.finish
def held(step):
    if step == HOLD:
        threading.Event().wait()
def slow_check(*args):
    held("check")
    real_check(*args)
def slow_finish(txn):
    print("finish", flush=True)
    held("finish")
    real_finish(txn)
publish.check_version, publish.finish = slow_check, slow_finish
datasets = [dataset_b(), dataset_a()]
print("ready", flush=True)
n = 0
while True:
    result = publish_country("COL", datasets[n % 2], Scope.hq("crash-test"), progress=lambda s: print(s, flush=True))
    print(f"published {result.version}", flush=True)
    n += 1
"""


@pytest.fixture
def data(tmp_path: Path, settings_override) -> Path:
    return build_small(tmp_path, settings_override)


def _dataset_rows(files: dict[str, bytes]) -> tuple[int, ...]:
    tables = ("enterprises", "training", "indicators")
    return tuple(len(files[f"{t}.csv"].decode("utf-8-sig").strip().splitlines()) - 1 for t in tables)


def _check_pointer_target(data: Path, known: set[tuple[int, int, int]]) -> int:
    """The pointer names a complete, checkable version holding one of the known COL datasets."""
    pointer = data / "score.duckdb"
    target = os.readlink(pointer)
    match = re.fullmatch(r"versions/score-(\d+)\.duckdb", target)
    assert match, f"the pointer names {target!r}"
    con = duckdb.connect(str(pointer.resolve()), read_only=True)
    try:
        rows = tuple(
            con.execute(f"SELECT count(*) FROM {table} WHERE country = 'COL'").fetchone()[0]
            for table in ("enterprise", "training", "indicator_value")
        )
        assert rows in known, rows
        assert con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0] == match.group(1)
        assert con.execute("SELECT count(*) FROM enterprise WHERE country = 'PER'").fetchone()[0] == 105
    finally:
        con.close()
    return int(match.group(1))


def _check_consistent(data: Path) -> int:
    """After recovery: nothing left over, folder and history and archive agree with the pointer."""
    version = _check_pointer_target(data, {_dataset_rows(dataset_a()), _dataset_rows(dataset_b())})
    versions = data / "versions"
    assert not list(versions.glob(".txn-*")) and not list(versions.glob("*.building*"))
    history = publish.read_history()
    numbers = [e["version"] for e in history]
    assert numbers == sorted(set(numbers)) and numbers[-1] == version
    con = duckdb.connect(str((data / "score.duckdb").resolve()), read_only=True)
    try:
        loaded = dict(con.execute("SELECT file, sha256 FROM load_log WHERE country = 'COL'").fetchall())
    finally:
        con.close()
    folder = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (data / "countries" / "COL").iterdir()
        if p.suffix in (".csv", ".xlsx")  # not the demo marker
    }
    assert folder == loaded
    referenced = {data / r for e in history for paths in e["sources"].values() for r in paths}
    archived = {p for p in (data / "archive").rglob("*") if p.is_file() and p.suffix != ".json"}
    assert archived <= referenced  # a killed publish leaves nothing in the archive
    for relative in history[-1]["sources"]["COL"]:
        path = data / relative
        meta = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
        assert hashlib.sha256(path.read_bytes()).hexdigest() == meta["sha256"]
    return version


def _state(data: Path) -> str:
    """Where the kill left the publish: before the switch, after it, or between publishes."""
    current = os.readlink(data / "score.duckdb")
    pending = [t for t in (data / "versions").glob(".txn-*")]
    if not pending:
        return "idle"
    committed = any(current == f"versions/score-{t.name.split('-')[1]}.duckdb" for t in pending)
    return "after-switch" if committed else "before-switch"


# inotify(7): the kernel's notices of names created, deleted or renamed in a folder
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE, IN_Q_OVERFLOW = 0x40, 0x80, 0x100, 0x200, 0x4000
EVENT = struct.Struct("iIII")  # watch, mask, cookie, length of the name that follows


class PointerWatch:
    """Every target the pointer takes while publishers run and die, from the kernel's notice of each change of the
    name `score.duckdb` in the data folder: a switch is a rename over it (moved to: its new target is read). The name
    removed, or made in place rather than renamed, is recorded as such: a moment without a pointer. (A thread
    reading the link in a loop kept a core busy for the whole test, ~9 s of its 36 s of CPU at load 33, and saw a
    state shorter than its loop only by chance.)"""

    def __init__(self, data: Path) -> None:
        self.pointer, self.targets, self.done = data / "score.duckdb", {os.readlink(data / "score.duckdb")}, False
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        mask = IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
        assert self.fd >= 0 and libc.inotify_add_watch(self.fd, os.fsencode(data), mask) >= 0, ctypes.get_errno()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done:
            if select.select([self.fd], [], [], 0.1)[0]:
                self._read(os.read(self.fd, 65536))

    def _read(self, notices: bytes) -> None:
        offset = 0
        while offset < len(notices):
            _watch, mask, _cookie, length = EVENT.unpack_from(notices, offset)
            name = notices[offset + EVENT.size : offset + EVENT.size + length].rstrip(b"\0")
            offset += EVENT.size + length
            if mask & IN_Q_OVERFLOW:
                self.targets.add("notices lost (queue overflow)")
            elif name != os.fsencode(self.pointer.name):
                continue
            elif mask & (IN_DELETE | IN_MOVED_FROM):
                self.targets.add("removed")
            elif mask & IN_CREATE:
                self.targets.add("made in place, not renamed over the old one")
            else:
                try:
                    self.targets.add(os.readlink(self.pointer))
                except OSError as error:
                    self.targets.add(f"unreadable: {error}")

    def stop(self) -> set[str]:
        self.done = True
        self.thread.join(timeout=5)
        os.close(self.fd)
        return self.targets


@pytest.mark.slow
def test_sigkill_at_random_points(data: Path) -> None:
    rng = random.Random(SEED)
    known = {_dataset_rows(dataset_a()), _dataset_rows(dataset_b())}
    env = {**os.environ, "SCORE_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    watch = PointerWatch(data)
    killed_after: list[str] = []
    states: list[str] = []
    published = 0
    try:
        for _ in range(ITERATIONS):
            phase, delay = rng.choice(PHASES), rng.uniform(0, MAX_DELAY)
            process = subprocess.Popen(
                [sys.executable, "-c", PUBLISHER],
                cwd=REPO,
                env={**env, "CRASH_TEST_HOLD": phase},
                stdout=subprocess.PIPE,
                text=True,
            )
            lines = [process.stdout.readline().strip()]
            while not lines[-1].startswith(phase):
                assert process.poll() is None, lines
                lines.append(process.stdout.readline().strip())
            time.sleep(delay)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            lines += process.stdout.read().splitlines()
            process.stdout.close()
            published += sum(1 for line in lines if line.startswith("published"))
            killed_after.append(f"{phase}+{delay:.2f}s")
            _check_pointer_target(data, known)  # as a reader sees it: no recovery has run yet
            states.append(_state(data))
            with publish.publish_lock():
                publish.recover()  # what the next publisher does first
            _check_consistent(data)
    finally:
        targets = watch.stop()

    assert len(targets) > 1 and all(re.fullmatch(r"versions/score-\d+\.duckdb", t) for t in targets), targets
    print(f"\n{ITERATIONS} kills, at step+delay: {', '.join(killed_after)}")
    print(f"left {', '.join(states)}; {published} publishes completed between kills")
    # The seed picks "check" and "finish" among the steps, each held until the kill: both sides of the commit point.
    assert [s for p, s in zip(killed_after, states, strict=True) if p.startswith(("check+", "finish+"))] == [
        "before-switch",
        "after-switch",
    ]

    # The next start is healthy: one more publish succeeds, and everything is consistent.
    result = publish.publish_country("COL", dataset_b(), Scope.hq("after-crash"))
    assert _check_consistent(data) == result.version
    assert {p.name: p.read_bytes() for p in (data / "countries" / "COL").iterdir()} == dataset_b()
