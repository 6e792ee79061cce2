"""The pruning of connections to superseded versions (`db._sweep`), on its own: fake connections, a fixed clock and
pointer, no database. tests/test_concurrency.py only bounds the count after real publishes, which a sweep that closes
too much or too little can still meet; these cases fail on either."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from score import db

NOW = 10_000.0
GRACE = 60.0
CURRENT = Path("/versions/score-9.duckdb")


class _FakeConnection:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch, settings_override) -> Iterator[dict[Path, db._Open]]:
    """An empty connection table whose pointer names CURRENT; the real table is back after the test."""
    settings_override(db_grace_seconds=GRACE)
    table: dict[Path, db._Open] = {}
    monkeypatch.setattr(db, "_connections", table)
    monkeypatch.setattr(db, "current_path", lambda: CURRENT)
    yield table


def _open(table: dict[Path, db._Open], version: int, idle_for: float, users: int = 0) -> _FakeConnection:
    connection = _FakeConnection()
    table[Path(f"/versions/score-{version}.duckdb")] = db._Open(connection, users=users, last_used=NOW - idle_for)  # type: ignore[arg-type]
    return connection


def _versions(table: dict[Path, db._Open]) -> set[int]:
    return {int(path.stem.removeprefix("score-")) for path in table}


def test_a_superseded_connection_idle_past_the_grace_is_closed_and_a_recent_one_kept(connections) -> None:
    current = _open(connections, 9, idle_for=10 * GRACE)  # the current version: never closed, however idle
    old = _open(connections, 7, idle_for=GRACE)
    recent = _open(connections, 8, idle_for=GRACE / 2)
    db._sweep(NOW)
    assert _versions(connections) == {8, 9}
    assert old.closed and not recent.closed and not current.closed


def test_a_superseded_connection_in_use_is_kept_however_old(connections) -> None:
    _open(connections, 9, idle_for=0)
    busy = _open(connections, 3, idle_for=100 * GRACE, users=1)  # a rerun that started on it finishes on it
    db._sweep(NOW)
    assert _versions(connections) == {3, 9} and not busy.closed


def test_idle_superseded_connections_beyond_the_bound_are_closed_oldest_first(connections) -> None:
    _open(connections, 9, idle_for=0)
    kept = [_open(connections, version, idle_for=version) for version in range(1, db.MAX_SUPERSEDED + 1)]
    closed = [_open(connections, version, idle_for=version) for version in range(db.MAX_SUPERSEDED + 1, 8)]
    _open(connections, 8, idle_for=GRACE / 2, users=2)  # in use: neither counted in the bound nor closed
    db._sweep(NOW)  # all within the grace: only the bound closes them, those idle longest first
    assert _versions(connections) == {*range(1, db.MAX_SUPERSEDED + 1), 8, 9}
    assert not any(c.closed for c in kept) and all(c.closed for c in closed)


def test_without_a_readable_pointer_idle_connections_still_go_by_the_rules(connections, monkeypatch) -> None:
    def missing() -> Path:
        raise db.DatabaseMissing("no pointer")

    monkeypatch.setattr(db, "current_path", missing)
    stale = _open(connections, 1, idle_for=2 * GRACE)
    fresh = _open(connections, 2, idle_for=1)
    db._sweep(NOW)
    assert stale.closed and not fresh.closed and _versions(connections) == {2}
