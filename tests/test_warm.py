"""A new version is warmed before the pointer moves (score.web.warm, score.warmers): the queries visitors asked are
replayed on it, and a publisher waits (bounded) for every live app process to have done so."""

from __future__ import annotations

import gc
import json
import time
import weakref
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from score import db, publish, settings, warmers
from score.access import Scope
from score.filters import Filters
from score.web import cache, start, ui, warm


def _process_file(data: Path, name: str, warmed: str | None, age: float = 0.0) -> Path:
    path = data / "run" / "warmers" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"warmed": warmed, "at": time.time() - age}))
    return path


def test_a_publisher_waits_for_live_processes_only_and_not_forever(
    fresh_data_dir: Path, settings_override: Callable[..., settings.Settings]
) -> None:
    # the default wait far from the 0.5 s asked: the clock can tell them apart on a machine at load 30 too
    settings_override(warm_wait_seconds=120)
    assert warmers.wait_until_warmed("score-9.duckdb", seconds=5) == []  # nobody to wait for
    stale = _process_file(fresh_data_dir, "gone-1", "score-1.duckdb", age=warmers.STALE_SECONDS + 1)
    _process_file(fresh_data_dir, "host-2", "score-9.duckdb")
    assert warmers.wait_until_warmed("score-9.duckdb", seconds=5) == []
    assert not stale.exists()  # a process that stopped announcing itself is forgotten
    _process_file(fresh_data_dir, "host-3", "score-8.duckdb")
    started = time.monotonic()
    assert warmers.wait_until_warmed("score-9.duckdb", seconds=0.5) == ["host-3"]
    assert 0.5 <= time.monotonic() - started < 30


def test_the_queries_visitors_asked_are_replayed_on_a_new_version(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warm, "_asked", Counter())  # only this test's visitors (pages tests remember theirs)
    monkeypatch.setattr(warm, "_scopes", {})
    scope = Scope.hq("warm-test")
    call = ("overview_kpis", ui.scope_key(scope), Filters(countries=("COL",)), ())
    warm.remember(call, scope)
    newest = publish.build_all(user="tests").path
    assert warm.newest_version_file() == newest
    ran: list[str] = []
    original = db.run_query
    monkeypatch.setattr(db, "run_query", lambda name, *a, **k: ran.append(name) or original(name, *a, **k))
    assert warm.warm(newest) >= 1
    assert "overview_kpis" in ran
    ran.clear()
    cached = cache.cached_query(*call[:3], db.data_version(newest), (), scope, newest)  # what a page would ask
    assert ran == []  # served from the warmed cache
    assert (
        cached.iloc[0]["enterprises"]
        == db.run_query("overview_kpis", scope, call[2], path=newest).iloc[0]["enterprises"]
    )


def test_remembered_queries_stay_bounded_and_keep_the_most_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm, "_asked", Counter())
    monkeypatch.setattr(warm, "_scopes", {})
    scope = Scope.public()
    popular = ("overview_kpis", ui.scope_key(scope), Filters(), ())
    for _ in range(3):
        warm.remember(popular, scope)
    for n in range(warm.MAX_REMEMBERED + 10):
        warm.remember(
            ("overview_kpis", ui.scope_key(scope), Filters(year_from=2005, year_to=2005 + n % 30), (n,)), scope
        )
    assert len(warm.most_asked(10_000)) <= warm.MAX_REMEMBERED
    assert warm.most_asked(1)[0][0] == popular


def test_the_watcher_does_not_run_outside_a_streamlit_server() -> None:
    warm.start()  # pytest: no Streamlit runtime
    assert not warm._started


class _Cycle:
    def __init__(self) -> None:
        self.itself = self


def test_a_warmed_process_is_settled_its_garbage_collected_and_the_rest_frozen() -> None:
    garbage = _Cycle()  # only a collection frees a cycle
    gone = weakref.ref(garbage)
    del garbage
    kept = _Cycle()
    try:
        start.settle()
        assert gone() is None  # collected before the freeze: not kept for the process's life
        assert gc.get_freeze_count() > 0
        assert not any(item is kept for item in gc.get_objects())  # out of every collection's walk
    finally:
        gc.unfreeze()


def test_queries_cached_together_are_read_from_the_cache(demo_data_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    """ui.query_together's cache.cached_together: one statement puts each result in the cache, where a page's
    query then reads it (no statement of its own), equal to the query run alone."""
    scope, chosen = Scope.public(), Filters(sectors=("garments",), year_from=2012, year_to=2013)
    version, key = db.data_version(), ui.scope_key(scope)
    names = ["overview_kpis", "enterprises_by_year"]
    alone = {name: db.run_query(name, scope, chosen) for name in names}
    statements: list[object] = []
    monkeypatch.setattr(db, "run_query", lambda *a, **k: statements.append(a) or pytest.fail("run alone"))
    together = db.run_queries
    monkeypatch.setattr(db, "run_queries", lambda *a, **k: statements.append(a) or together(*a, **k))
    cache.cached_together(names, key, chosen, version, scope)
    assert len(statements) == 1
    for name in names:
        pd.testing.assert_frame_equal(cache.cached_query(name, key, chosen, version, (), scope), alone[name])
    cache.cached_together(names, key, chosen, version, scope)  # cached already: no statement
    assert len(statements) == 1
    st.cache_resource.clear()  # what is cached is asked of the cache itself: gone, they are run together again
    cache.cached_together(names, key, chosen, version, scope)
    assert len(statements) == 2
