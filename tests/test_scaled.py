"""`python -m score demo --scale N --out DIR` writes and builds N copies of the demo set in a data dir of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.oracle import RawData


def _cli(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SCORE_DATA_DIR", "SCORE_DB_PATH")}
    return subprocess.run(
        [sys.executable, "-m", "score", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_scaled_demo_is_n_times_the_demo_and_built(tmp_path: Path, raw) -> None:
    before = sorted((p.name, p.stat().st_mtime_ns) for p in (REPO / "data" / "countries").rglob("*"))
    out = tmp_path / "x3"
    done = _cli("demo", "--scale", "3", "--out", str(out))
    assert done.returncode == 0, done.stderr
    scaled = RawData(out / "countries")
    assert len(scaled.enterprises) == 3 * len(raw.enterprises)
    assert len({e["enterprise_id"] for e in scaled.enterprises}) == len(scaled.enterprises)
    assert len(scaled.training) == 3 * len(raw.training)
    assert len(scaled.indicators) == 3 * len(raw.indicators)
    one, three = raw.kpis(), scaled.kpis()
    assert {k: 3 * v for k, v in one.items()} == three
    assert (out / "score.duckdb").resolve().name == "score-1.duckdb"
    assert f"{3 * len(raw.enterprises):,}" in done.stdout  # the build's row counts
    assert sorted((p.name, p.stat().st_mtime_ns) for p in (REPO / "data" / "countries").rglob("*")) == before


def test_a_scaled_demo_refuses_the_checkouts_data_dir() -> None:
    done = _cli("demo", "--scale", "2", "--out", str(REPO / "data"), "--no-build")
    assert done.returncode == 2
    assert "own data dir" in done.stderr
    done = _cli("demo", "--scale", "2")
    assert done.returncode == 2 and "--out" in done.stderr
