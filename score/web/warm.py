"""Warm this process's caches for a new data version before visitors ask for it (BENCHMARKS.md, P3).

Each app process remembers the named queries its visitors ran (ui.query: name, scope, filters, parameters; most
asked first, bounded). A daemon thread, started once per process, looks for a newer complete version file every
WATCH_SECONDS: a publisher renames `score-<n>.duckdb.building` to `score-<n>.duckdb` once it is checked, then waits
(score.warmers, at most SCORE_WARM_WAIT_SECONDS) until every live process has warmed it, and only then switches the
pointer. The thread replays the remembered queries on the new file through the same cached function as the pages
(cache.cached_query), so the views people open are in its cache (st.cache_resource), and DuckDB's buffers loaded,
when the pointer moves. A query that fails here is left for the page to run (and report) as usual.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from pathlib import Path

from score import settings, versions, warmers
from score.access import Scope
from score.filters import Filters
from score.web import cache

LOG = logging.getLogger(__name__)
WATCH_SECONDS = 0.5
MAX_REMEMBERED = 500

Call = tuple[str, tuple, Filters, tuple]  # name, scope key, filters, parameters (cache.cached_query's key)
_asked: Counter[Call] = Counter()
_scopes: dict[Call, Scope] = {}
_lock = threading.Lock()
_started = False


def remember(call: Call, scope: Scope) -> None:
    """A visitor ran this query (ui.query); the most asked ones are warmed on every new version."""
    with _lock:
        _asked[call] += 1
        _scopes[call] = scope
        if len(_asked) > MAX_REMEMBERED:
            for rare, _count in _asked.most_common()[MAX_REMEMBERED // 2 :]:
                del _asked[rare]
                _scopes.pop(rare, None)


def most_asked(limit: int | None = None) -> list[tuple[Call, Scope]]:
    """The most asked queries, at most `limit` (default settings.warm_queries, SCORE_WARM_QUERIES)."""
    limit = settings.get().warm_queries if limit is None else limit
    with _lock:
        return [(call, _scopes[call]) for call, _count in _asked.most_common(limit)]


def newest_version_file() -> Path | None:
    """The newest complete version file (the pointer's target, or a checked one about to be switched to)."""
    return versions.newest()


def warm(path: Path, limit: int | None = None) -> int:
    """Replay the most asked queries on `path`; returns how many ran (cached ones cost nothing)."""
    from score import db

    version = db.data_version(path)
    done = 0
    for (name, scope_key, filters, params_key), scope in most_asked(limit):
        try:
            cache.cached_query(name, scope_key, filters, version, params_key, scope, path)
        except Exception:  # the page will run it and show what is wrong
            LOG.debug("warming %s on %s failed", name, path.name, exc_info=True)
            continue
        done += 1
    return done


def _watch() -> None:
    warmed: str | None = None
    while True:
        try:
            newest = newest_version_file()
            if newest is not None and newest.name != warmed and newest.exists():
                started = time.monotonic()
                count = warm(newest)
                warmed = newest.name
                LOG.info("warmed %s: %d queries in %.2f s", warmed, count, time.monotonic() - started)
            warmers.announce(warmed)
        except Exception:  # never let the watcher die: a missing folder, a file removed under us ...
            LOG.debug("cache warmer", exc_info=True)
        time.sleep(WATCH_SECONDS)


def start() -> None:
    """Start the watcher once per process (called on every page run; cheap after the first). Only in a running
    Streamlit server: not in AppTest or bare scripts, where there are no visitors to warm for."""
    from streamlit.runtime import Runtime

    global _started
    with _lock:
        # AppTest runs pages on a mock of the Runtime: only a real one serves visitors
        if _started or not Runtime.exists() or type(Runtime.instance()) is not Runtime:
            return
        _started = True
    threading.Thread(target=_watch, name="score-cache-warmer", daemon=True).start()
