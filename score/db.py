"""The only way the app reads data: named queries from queries/*.sql, run read-only under a Scope.

Each query file starts with a header that the runner enforces:
    -- access: aggregate | detail | reference
    -- suppress: <count column>: <value columns ...>   (aggregate queries with small cells)
`detail` queries only ever receive the viewer's detail countries; `aggregate` queries receive the
countries the viewer may aggregate over and are suppressed where the scope says so; `reference`
queries read code lists and take no scope. Values are always passed as DuckDB named parameters.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from score import config
from score.access import Scope, suppress_small_cells
from score.filters import Filters

QUERY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
FILTER_PARAMS = ("countries", "sectors", "phases", "partners", "modules", "year_from", "year_to")


class DatabaseMissing(Exception):
    """No database has been built yet (run `python -m score build`)."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sql: str
    access: str
    params: frozenset[str]
    suppress_count: str | None
    suppress_values: tuple[str, ...]


@cache
def load_query(name: str) -> NamedQuery:
    if not QUERY_NAME.match(name):
        raise ValueError(f"not a query name: {name!r}")
    path = config.QUERIES_DIR / f"{name}.sql"
    sql = path.read_text(encoding="utf-8")
    header = dict(re.findall(r"^--\s*(access|suppress):\s*(.+?)\s*$", sql, flags=re.M))
    access = header.get("access")
    if access not in ("aggregate", "detail", "reference"):
        raise ValueError(f"{path.name}: header '-- access: aggregate|detail|reference' missing")
    count, values = None, ()
    if "suppress" in header:
        count, _, rest = header["suppress"].partition(":")
        count, values = count.strip(), tuple(rest.split())
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return NamedQuery(name, sql, access, frozenset(PARAM.findall(body)), count, values)


def query_names() -> list[str]:
    return sorted(p.stem for p in config.QUERIES_DIR.glob("*.sql"))


# One read-only connection per database file and process; a cursor per call keeps threads apart.
_connections: dict[Path, duckdb.DuckDBPyConnection] = {}
_lock = threading.Lock()


def current_path() -> Path:
    """Resolve the pointer to the versioned file it names right now."""
    pointer = config.db_pointer()
    if not pointer.exists():
        raise DatabaseMissing(str(pointer))
    return pointer.resolve()


def data_version(path: Path | None = None) -> str:
    """Identifies the data a result came from; part of every cache key."""
    resolved = path or current_path()
    return f"{resolved.name}:{resolved.stat().st_mtime_ns}"


def connection(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    resolved = path or current_path()
    with _lock:
        con = _connections.get(resolved)
        if con is None:
            con = duckdb.connect(str(resolved), read_only=True)
            _connections[resolved] = con
        return con


def close_all() -> None:
    with _lock:
        for con in _connections.values():
            con.close()
        _connections.clear()


def _bind(query: NamedQuery, values: dict[str, object]) -> dict[str, object]:
    missing = query.params - values.keys()
    if missing:
        raise ValueError(f"{query.name}: missing parameters {sorted(missing)}")
    return {name: values[name] for name in query.params}


def run_query(
    name: str,
    scope: Scope | None,
    filters: Filters | None = None,
    path: Path | None = None,
    **params: object,
) -> pd.DataFrame:
    """Run a named query for a viewer. `scope=None` is treated as no access at all."""
    query = load_query(name)
    scope = scope or Scope.nothing()
    filters = filters or Filters()
    values: dict[str, object] = dict(params)
    countries: frozenset[str] = frozenset()
    if query.access != "reference":
        allowed = scope.detail_countries if query.access == "detail" else scope.aggregate_countries
        countries = filters.countries_within(allowed)
        values.update(filters.sql_params(countries))
    con = connection(path)
    cursor = con.cursor()
    try:
        frame = cursor.execute(query.sql, _bind(query, values)).df()
    finally:
        cursor.close()
    if query.access == "aggregate" and query.suppress_count and scope.suppresses(countries):
        frame = suppress_small_cells(frame, query.suppress_count, list(query.suppress_values))
    return frame
