"""The process-wide cache of query results, shared by every session (st.cache_resource): what `ui.query` reads
through and what `warm` fills for a new version before the pointer moves to it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import streamlit as st

from score import db
from score.access import Scope
from score.filters import Filters


def filters_key(filters: Filters) -> str:
    """A frozen dataclass of tuples and numbers: its repr is its value. Streamlit's own hash walks every field
    (most of a cached query's cost, BENCHMARKS.md); hashing this string is one step."""
    return repr(filters)


def cached_query(
    name: str,
    scope_key: tuple,
    chosen: Filters,
    version: str,
    params_key: tuple,
    scope: Scope,
    path: Path | None = None,
) -> pd.DataFrame:
    """`db.run_query` for a viewer, cached per query, viewer (scope_key), filters, data version and parameters.

    The cache is shared by all sessions, so a result computed for one scope is never served to another: the key
    holds the viewer's role, user and countries. It is one string made here, passed by keyword: Streamlit hashes
    a positional argument only after looking up the function's signature, and walks a tuple item by item (~1 ms
    a call, 8-12 calls a page; BENCHMARKS.md, "Cheaper cache keys")."""
    key = _key(name, scope_key, chosen, version, params_key)
    return _cached_result(key=key, _name=name, _chosen=chosen, _params_key=params_key, _scope=scope, _path=path)


def cached_together(
    names: Sequence[str], scope_key: tuple, chosen: Filters, version: str, scope: Scope, path: Path | None = None
) -> None:
    """Put `cached_query(name, ...)` of each of `names` (aggregate queries of the filters alone, no parameters) in
    the cache in one statement (db.run_queries) when two or more of them are not there: a page calls it before its
    queries, which then find their results there. When the first is cached, so are the others as a rule (the same
    page ran under these filters): nothing more is looked up."""
    keys = {name: _key(name, scope_key, chosen, version, ()) for name in names}
    if not names or _is_cached(keys[names[0]], chosen, scope):
        return
    missing = [names[0], *(name for name in names[1:] if not _is_cached(keys[name], chosen, scope))]
    if len(missing) < 2:
        return
    frames = db.run_queries(missing, scope, chosen, path)
    for name in missing:  # a result cached meanwhile (another session) is kept, this one dropped
        _cached_result(
            key=keys[name], _name=name, _chosen=chosen, _params_key=(), _scope=scope, _path=path, _ready=frames[name]
        )


def _key(name: str, scope_key: tuple, chosen: Filters, version: str, params_key: tuple) -> str:
    return repr((name, scope_key, filters_key(chosen), version, params_key))


class _NotCached(Exception):
    """`_cached_result` asked only whether it holds a result (Streamlit caches no call that raises)."""


def _is_cached(key: str, chosen: Filters, scope: Scope) -> bool:
    try:
        _cached_result(key=key, _name="", _chosen=chosen, _params_key=(), _scope=scope, _probe=True)
    except _NotCached:
        return False
    return True


# A shared, read-only result (st.cache_resource: no unpickled copy per rerun; `query` hands out a copy).
@st.cache_resource(ttl=3600, max_entries=2000, show_spinner=False)
def _cached_result(
    key: str,
    _name: str,
    _chosen: Filters,
    _params_key: tuple,
    _scope: Scope,
    _path: Path | None = None,
    _ready: pd.DataFrame | None = None,
    _probe: bool = False,
) -> pd.DataFrame:
    if _probe:
        raise _NotCached(key)
    return _ready if _ready is not None else db.run_query(_name, _scope, _chosen, path=_path, **dict(_params_key))
