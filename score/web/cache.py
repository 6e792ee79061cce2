"""The process-wide cache of query results, shared by every session (st.cache_resource): what `ui.query` reads
through and what `warm` fills for a new version before the pointer moves to it."""

from __future__ import annotations

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


# A shared, read-only result (st.cache_resource: no unpickled copy per rerun; `query` hands out a copy).
@st.cache_resource(ttl=3600, max_entries=2000, show_spinner=False, hash_funcs={Filters: filters_key})
def cached_query(
    name: str,
    scope_key: tuple,
    chosen: Filters,
    version: str,
    params_key: tuple,
    _scope: Scope,
    _path: Path | None = None,
) -> pd.DataFrame:
    # scope_key, chosen, version and params_key make up the cache key: the cache is shared by
    # all sessions, so a result computed for one scope is never served to another.
    return db.run_query(name, _scope, chosen, path=_path, **dict(params_key))
