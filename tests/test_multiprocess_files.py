"""Several app processes share one data dir (score.serve): the audit log and the users file stay whole when they
write at the same moment. Each writer here is a separate Python process started together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.conftest import REPO

WRITERS = 4


def _run_together(data: Path, script: str, count: int) -> None:
    """Start WRITERS processes that wait for the same instant, then run `script` (given `me` and `count`)."""
    start_at = time.time() + 3  # imports first, then all write at once
    code = textwrap.dedent(
        f"""
        import sys, time
        me, count = int(sys.argv[1]), {count}
        time.sleep(max(0.0, {start_at} - time.time()))
        """
    ) + textwrap.dedent(script)
    env = {**os.environ, "SCORE_DATA_DIR": str(data)}
    env.pop("SCORE_USERS_FILE", None)
    workers = [
        subprocess.Popen([sys.executable, "-c", code, str(me)], cwd=REPO, env=env, stderr=subprocess.PIPE)
        for me in range(WRITERS)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err.decode()[-2000:]


def test_audit_lines_written_by_several_processes_at_once_are_all_whole(tmp_path: Path) -> None:
    # Lines of ~9 KB: larger than PIPE_BUF (4 KB), so without O_APPEND + one write + the lock they could tear.
    _run_together(
        tmp_path,
        """
        from score import audit
        for n in range(count):
            audit.record("export", f"writer-{me}", n=n, page="overview", padding=["x" * 450] * 20)
        """,
        count=150,
    )
    lines = (tmp_path / "audit.log").read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends with a newline
    events = [json.loads(line) for line in lines[:-1]]  # every line is one complete JSON object
    assert len(events) == WRITERS * 150
    for me in range(WRITERS):
        mine = [e["detail"]["n"] for e in events if e["user"] == f"writer-{me}"]
        assert mine == list(range(150))  # none lost, none twice, in each writer's order
    assert all(len(e["detail"]["padding"]) == 20 for e in events)


def test_users_added_by_several_processes_at_once_are_all_kept(tmp_path: Path) -> None:
    _run_together(
        tmp_path,
        """
        from score import auth
        from tests.conftest import CHEAP_HASHER
        auth._hasher = CHEAP_HASHER  # the file's locking is under test, not argon2's cost (32 real hashes: ~25 s)
        for n in range(count):
            auth.add_user(f"user-{me}-{n}", "a-long-enough-password", "country", ["COL"])
        """,
        count=8,
    )
    users = json.loads((tmp_path / "users.json").read_text(encoding="utf-8"))["users"]
    assert sorted(users) == sorted(f"user-{me}-{n}" for me in range(WRITERS) for n in range(8))
    assert oct((tmp_path / "users.json").stat().st_mode & 0o777) == "0o600"
    assert not list(tmp_path.glob(".users.json.*.tmp"))  # no temp file left behind
