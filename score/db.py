"""The only way the app reads data: named queries from queries/*.sql, run read-only under a Scope.

Each query file starts with a header that the runner enforces:
    -- access: aggregate | detail | reference
    -- suppress: <count column>: <value columns ...>   (every aggregate query; `none` if it counts no enterprises)
    -- perturb: <key column>: count <columns ...>; sum <columns ...>; measured <columns ...>; median <columns ...>
                                                       (every aggregate query, one line per cell key; `none
                                                        (reason)` if nothing is about enterprises)
    -- derive: <column> = <SQL expression>             (optional, repeatable: recomputed from perturbed figures)
    -- exact: <columns ...>                            (numbers that are not about enterprises: years, targets)
    -- rows: fixed                                     (optional: the rows do not depend on the data, e.g. one per
                                                        module or country in scope, so hidden rows may stay)
    -- order: <column> [desc], ...                     (optional: the query's ORDER BY again, over the perturbed
                                                        figures: sorted by the exact ones, the largest-first bars
                                                        were out of order and told the exact ranking)
`detail` queries only ever receive the viewer's detail countries; `aggregate` queries receive the
countries the viewer may aggregate over. Where the scope says so (score.access.Scope.suppresses) they read
schema `noisy` first (every enterprise's magnitudes moved by its fixed share): `sum` columns are then sums of
noisy contributions, rounded to whole numbers here, `measured` ones sums of noisy measured values; counts are
perturbed by the cell key method (score.disclosure), medians by noise scaled to their own size (`max_<column>`);
cells of fewer than 5 enterprises, none included, are hidden alike. Every numeric column of an aggregate result
must be declared (perturbed, derived or exact): an undeclared one is an error, so a new figure cannot reach the
public unprotected. Rows of a result whose rows come from the data (a row per sector found, per year found ...)
are dropped when hidden, since a hidden row would tell 1-4 enterprises from none; `-- rows: fixed` results keep
them. Key columns and `max_<column>` are dropped before a page sees them.
`reference` queries read code lists and take no scope. Values are always passed as DuckDB named parameters.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from score import config, disclosure, settings, versions
from score.access import Scope, suppress_small_cells
from score.filters import Filters

QUERY_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")  # used with fullmatch: no "/", "..", NUL or newline
PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # the column names a `-- derive:` expression may read
FILTER_PARAMS = ("countries", "provinces", "sectors", "phases", "partners", "modules", "year_from", "year_to")


class DatabaseUnavailable(Exception):
    """The current database cannot be read; `python -m score build` makes a new version."""


class DatabaseMissing(DatabaseUnavailable):
    """No database has been built yet, or the pointer names a file that is gone (run `python -m score build`)."""


class DatabaseCorrupt(DatabaseUnavailable):
    """The pointer names a file DuckDB cannot open or read (run `python -m score build`)."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sql: str
    access: str
    params: frozenset[str]
    suppress_count: str | None
    suppress_values: tuple[str, ...]
    perturb: tuple[PerturbRule, ...] = ()
    derive: tuple[tuple[str, str], ...] = ()  # (column, SQL expression over the perturbed row)
    exact: frozenset[str] = frozenset()
    fixed_rows: bool = False  # `-- rows: fixed`: the rows are the same whatever the data (hidden ones are kept)
    order: tuple[tuple[str, bool], ...] = ()  # `-- order:` (column, ascending) pairs, applied after the perturbation

    @property
    def helpers(self) -> frozenset[str]:
        """Columns that only serve the perturbation (cell keys, largest contributions): never shown."""
        return frozenset(
            name
            for rule in self.perturb
            for name in (rule.key, *(f"max_{column}" for column in (*rule.sums, *rule.measured, *rule.medians)))
        )

    @property
    def hidden_with_count(self) -> tuple[str, ...]:
        """What a hidden row blanks: the declared values and every figure about its enterprises (fail closed)."""
        figures = (
            column for rule in self.perturb for column in (*rule.counts, *rule.sums, *rule.measured, *rule.medians)
        )
        return tuple(dict.fromkeys((*self.suppress_values, *figures, *(column for column, _ in self.derive))))

    @property
    def declared(self) -> frozenset[str]:
        perturbed = {
            column for rule in self.perturb for column in (*rule.counts, *rule.sums, *rule.medians, *rule.measured)
        }
        return frozenset(perturbed | {column for column, _ in self.derive} | self.exact | self.helpers)


@dataclass(frozen=True)
class PerturbRule:
    """`-- perturb: <key>: count <columns>; sum <columns>; measured <columns>; median <columns>`: counts, sums
    (of headcounts and other whole numbers), sums of measured values and medians over the enterprises whose cell
    key is in column `key`. Sums add up noisy contributions already (schema noisy): whole-number sums are rounded;
    each median column X comes with `max_X`, its own size, which scales its noise."""

    key: str
    counts: tuple[str, ...]
    sums: tuple[str, ...]
    medians: tuple[str, ...] = ()
    measured: tuple[str, ...] = ()


def _perturb_rule(text: str, file_name: str) -> PerturbRule:
    key, colon, rest = text.partition(":")
    parts: dict[str, tuple[str, ...]] = {"count": (), "sum": (), "measured": (), "median": ()}
    for part in rest.split(";"):
        words = part.split()
        if not words:
            continue
        if words[0] not in parts or len(words) < 2:
            raise ValueError(f"{file_name}: '-- perturb: {text}': expected 'count|sum|measured|median <columns>'")
        parts[words[0]] += tuple(words[1:])
    if not colon or not key.strip() or not any(parts.values()):
        raise ValueError(f"{file_name}: '-- perturb: {text}': expected '<key column>: count ...; sum ...'")
    return PerturbRule(key.strip(), parts["count"], parts["sum"], parts["median"], parts["measured"])


@cache
def load_query(name: str) -> NamedQuery:
    if not isinstance(name, str) or not QUERY_NAME.fullmatch(name):
        raise ValueError(f"not a query name: {str(name)[:80]!r}")
    path = config.QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise ValueError(f"no query named {name!r}")
    sql = path.read_text(encoding="utf-8")
    header = dict(re.findall(r"^--\s*(access|suppress|rows|order):\s*(.+?)\s*$", sql, flags=re.M))
    access = header.get("access")
    if access not in ("aggregate", "detail", "reference"):
        raise ValueError(f"{path.name}: header '-- access: aggregate|detail|reference' missing")
    count, values = None, ()
    suppress = header.get("suppress", "").split("(")[0].strip()  # a "(reason)" may follow
    if suppress and suppress != "none":
        count, _, rest = suppress.partition(":")
        count, values = count.strip(), tuple(rest.split())
    elif access == "aggregate" and suppress != "none":
        # Fail closed: an aggregate without a suppression rule would show small cells to the public.
        raise ValueError(f"{path.name}: aggregate queries need '-- suppress: <count column>: <values>' (or 'none')")
    perturb_lines = [t.split("(")[0].strip() for t in re.findall(r"^--\s*perturb:\s*(.+?)\s*$", sql, flags=re.M)]
    if access == "aggregate" and not perturb_lines:
        # Fail closed: an aggregate without a perturbation rule would give differences of cells away exactly.
        raise ValueError(f"{path.name}: aggregate queries need '-- perturb: <key>: count ...; sum ...' (or 'none')")
    rules = tuple(_perturb_rule(t, path.name) for t in perturb_lines if t != "none")
    for rule in rules:  # fail closed: a part shown without its sibling would show a hidden one as total - part
        disclosure.check_people_parts(rule.sums, path.name)
    derive = []
    for text in re.findall(r"^--\s*derive:\s*(.+?)\s*$", sql, flags=re.M):
        column, equals, expression = text.partition("=")
        if not equals or not re.fullmatch(r"[a-z_][a-z0-9_]*", column.strip()) or re.search(r"[;$]", expression):
            raise ValueError(f"{path.name}: '-- derive: {text}': expected '<column> = <expression>'")
        derive.append((column.strip(), expression.strip()))
    exact_lines = re.findall(r"^--\s*exact:\s*(.+?)\s*$", sql, flags=re.M)
    exact = frozenset(word for text in exact_lines for word in text.split("(")[0].split())
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    params = frozenset(PARAM.findall(body))
    if access != "reference" and "countries" not in params:
        raise ValueError(f"{path.name}: {access} queries must read through $countries (the viewer's scope)")
    rows = header.get("rows", "").split("(")[0].strip()
    if rows not in ("", "fixed"):
        raise ValueError(f"{path.name}: '-- rows: {rows}': only 'fixed' is known")
    order = _order(header.get("order", "").split("(")[0].strip(), path.name)  # a "(reason)" may follow
    return NamedQuery(name, sql, access, params, count, values, rules, tuple(derive), exact, rows == "fixed", order)


def _order(text: str, file_name: str) -> tuple[tuple[str, bool], ...]:
    """`-- order: enterprises desc, sector` as ((column, ascending), ...)."""
    order = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        words = part.split()
        if not IDENTIFIER.fullmatch(words[0]) or len(words) > 2 or words[1:] not in ([], ["asc"], ["desc"]):
            raise ValueError(f"{file_name}: '-- order: {text}': expected '<column> [asc|desc], ...'")
        order.append((words[0], words[1:] != ["desc"]))
    return tuple(order)


def query_names() -> list[str]:
    return sorted(p.stem for p in config.QUERIES_DIR.glob("*.sql"))


# One read-only connection per database version and process; a cursor per call keeps threads apart.
# Versions are immutable files, so a connection never needs refreshing, only closing once superseded:
# a connection to a version the pointer no longer names is closed when no query uses it and it has been
# idle for settings.db_grace_seconds (SCORE_DB_GRACE_SECONDS; a page rerun that started on it finishes on it), and at
# once beyond MAX_SUPERSEDED idle ones, so a long-running server does not keep one connection per publish.
MAX_SUPERSEDED = 3


@dataclass
class _Open:
    con: duckdb.DuckDBPyConnection
    users: int = 0
    last_used: float = 0.0
    # Cursors between queries, by how they read (_Reading): setting a cursor's search path is a statement (~0.3-0.6
    # ms), once per query before, 8-10 a new session (BENCHMARKS.md, "Cached reruns ... (server, session 12)").
    idle: dict[_Reading, list[duckdb.DuckDBPyConnection]] = field(default_factory=dict)

    def close(self) -> None:
        for cursors in self.idle.values():
            for cursor in cursors:
                cursor.close()
        self.idle.clear()
        self.con.close()


@dataclass(frozen=True)
class _Reading:
    """How a cursor reads: its search path ('' for DuckDB's default) and the countries a country user's rows stay
    exact for (schema mixed's `exact_countries`)."""

    search_path: str = ""
    exact_countries: tuple[str, ...] = ()


MAX_IDLE_CURSORS = 4  # kept per version and reading: about as many as sessions query at once


_connections: dict[Path, _Open] = {}
_lock = threading.Lock()


def current_path() -> Path:
    """Resolve the pointer to the versioned file it names right now."""
    current = versions.current()
    if current is None:
        raise DatabaseMissing(str(config.db_pointer()))
    return current


def data_version(path: Path | None = None) -> str:
    """Identifies the data a result came from; part of every cache key."""
    resolved = path or current_path()
    return f"{resolved.name}:{resolved.stat().st_mtime_ns}"


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise DatabaseMissing(str(path))
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise DatabaseCorrupt(f"{path}: {error}") from error


def _sweep(now: float) -> None:
    """Close idle connections to superseded versions (caller holds _lock)."""
    if len(_connections) <= 1:  # nothing superseded to close: the pointer need not be read (a file read a query)
        return
    try:
        current = current_path()
    except DatabaseUnavailable:
        current = None
    idle = sorted(
        ((entry.last_used, path) for path, entry in _connections.items() if path != current and entry.users == 0),
        reverse=True,
    )
    for rank, (last_used, path) in enumerate(idle):
        if rank >= MAX_SUPERSEDED or now - last_used >= settings.get().db_grace_seconds:
            _connections.pop(path).close()


@contextmanager
def _cursor(path: Path | None = None, reading: _Reading = _Reading()) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on `path` (default: the pointer's target now) that reads as `reading` says; its connection stays
    open while in use. A cursor whose statements all succeeded is kept for the next query that reads alike."""
    resolved = path or current_path()
    with _lock:
        entry = _connections.get(resolved)
        if entry is None:
            entry = _connections[resolved] = _Open(_open(resolved))
        entry.users += 1
        entry.last_used = time.monotonic()
        kept = entry.idle.get(reading)
        try:
            cursor = kept.pop() if kept else _set_up(entry.con.cursor(), reading)
        except BaseException:
            entry.users -= 1
            raise
    succeeded = False
    try:
        yield cursor
        succeeded = True
    finally:
        with _lock:
            entry.users -= 1
            entry.last_used = time.monotonic()
            parked = entry.idle.setdefault(reading, [])
            keep = succeeded and len(parked) < MAX_IDLE_CURSORS and _connections.get(resolved) is entry
            if keep:
                parked.append(cursor)
            _sweep(entry.last_used)
        if not keep:
            cursor.close()


# Each search path a cursor may read through, as its fixed statement (SET takes no parameters).
_SEARCH_PATHS = {
    path: f"SET search_path = '{path}'"  # the fixed schema names below
    for path in ("stored,main", "noisy,main", "noisy,stored,main", "mixed,main", "mixed,stored,main")
}


def _set_up(cursor: duckdb.DuckDBPyConnection, reading: _Reading) -> duckdb.DuckDBPyConnection:
    """A new cursor made to read as `reading` says (closed if it cannot). A version without the noisy schemas is
    refused, never read exactly."""
    try:
        if reading.exact_countries:
            cursor.execute("SET VARIABLE exact_countries = $countries", {"countries": list(reading.exact_countries)})
        if reading.search_path:
            cursor.execute(_SEARCH_PATHS[reading.search_path])
    except BaseException as error:
        cursor.close()
        if isinstance(error, duckdb.Error) and reading.search_path.startswith(("noisy", "mixed")):
            raise DatabaseCorrupt(f"this version has no per-contributor noise (rebuild it): {error}") from error
        raise
    return cursor


def connection(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """The shared connection to a version. Prefer run_query: a superseded connection is closed when idle."""
    resolved = path or current_path()
    with _lock:
        entry = _connections.get(resolved)
        if entry is None:
            entry = _connections[resolved] = _Open(_open(resolved))
        entry.last_used = time.monotonic()
        return entry.con


def open_connections() -> list[Path]:
    """Versions this process holds a connection to (for tests and the health check)."""
    with _lock:
        return sorted(_connections)


def release(path: Path) -> None:
    """Close and forget the connection to `path` now (e.g. a temporary preview database)."""
    with _lock:
        entry = _connections.pop(Path(path), None)
        _stored_schemas.pop(Path(path), None)  # a temporary file's name may come again with other contents
        if entry is not None:
            entry.close()


def close_all() -> None:
    with _lock:
        for entry in _connections.values():
            entry.close()
        _connections.clear()
        _stored_schemas.clear()


# DuckDB's file = 3 header blocks of 4 KiB, then blocks of `block_size`. A file cut short (a copy or a disk that
# ran out) still opens, and its first tables still answer; only a query that reaches the missing blocks fails,
# mid-page. The file holds at least its `used_blocks`: `total_blocks` counts free blocks too, and a checkpoint
# after deletes (a publish starts from a copy of the current version and deletes the replaced country's rows)
# truncates free blocks at the end of the file, so a whole file can be shorter than `total_blocks`.
FILE_HEADER_BYTES = 3 * 4096
_whole_files: dict[Path, tuple[int, int]] = {}  # versions found whole: (size, mtime); versions never change


def check_database(path: Path | None = None) -> Path:
    """The current version's path after checking that it opens, answers and is whole; else DatabaseUnavailable."""
    resolved = path or current_path()
    try:
        with _cursor(resolved) as cursor:
            cursor.execute("SELECT count(*) FROM meta").fetchone()
            stat = resolved.stat()
            if _whole_files.get(resolved) != (stat.st_size, stat.st_mtime_ns):
                block_size, blocks = cursor.execute(
                    "SELECT block_size, used_blocks FROM pragma_database_size() "
                    "WHERE database_name = current_database()"
                ).fetchall()[0]
                needed = FILE_HEADER_BYTES + int(block_size) * int(blocks)
                if stat.st_size < needed:
                    raise DatabaseCorrupt(f"{resolved}: the file is truncated ({stat.st_size:,} of {needed:,} bytes)")
                _whole_files[resolved] = (stat.st_size, stat.st_mtime_ns)
    except (duckdb.Error, DatabaseCorrupt, OSError) as error:
        release(resolved)
        if isinstance(error, DatabaseCorrupt):
            raise
        raise DatabaseCorrupt(f"{resolved}: {error}") from error
    return resolved


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
    clash = params.keys() & set(FILTER_PARAMS)
    if clash:
        raise ValueError(f"{name}: {sorted(clash)} come from the scope and filters, not from the caller")
    values, protect, resolved, reading = _reading(query, scope, filters, path)
    values.update(params)
    with _cursor(resolved, reading) as cursor:
        frame = cursor.execute(query.sql, _bind(query, values)).df()
        return _as_viewer_sees(query, frame, cursor, protect)


def run_queries(
    names: Sequence[str], scope: Scope | None, filters: Filters | None = None, path: Path | None = None
) -> dict[str, pd.DataFrame]:
    """`run_query(name, scope, filters, path)` of each of `names`, aggregate queries of the filters alone, as one
    statement: DuckDB plans each statement anew, ~2-3 ms of a new session's query whatever it computes, so a page's
    queries planned together cost less (BENCHMARKS.md, "One statement for a page's queries (server, session 17)").
    Each result is a list of its rows in its query's order (numbered after its ORDER BY by `row_number() OVER ()`,
    which keeps the order: DuckDB's "Order Preservation"), made into the frame `.df()` gives (`_listed_frame`)."""
    queries = [load_query(name) for name in names]
    if any(query.access != "aggregate" or not query.params <= set(FILTER_PARAMS) for query in queries):
        raise ValueError(f"{list(names)}: only aggregate queries of the filters alone run together")
    values, protect, resolved, reading = _reading(queries[0], scope, filters, path)
    with _cursor(resolved, reading) as cursor:
        result = cursor.execute(_together(tuple(names)), values)
        types = [column[1] for column in result.description]
        row = result.fetchone() or ()
        frames = [_listed_frame(rows, sql_type) for rows, sql_type in zip(row, types, strict=True)]
        if any(frame is None for frame in frames):  # a type `_listed_frame` does not know: one statement each
            return {query.name: run_query(query.name, scope, filters, path) for query in queries}
        return {
            query.name: _as_viewer_sees(query, frame, cursor, protect)
            for query, frame in zip(queries, frames, strict=True)
            if frame is not None  # none is (checked above): for the type checker
        }


BATCH_ROW = "batch_row_"  # the row number that keeps each result's order in `_together`


@cache
def _together(names: tuple[str, ...]) -> str:
    """The statement of `run_queries`: one column per query, the list of its rows as structs, in its order."""
    # the query files' text, never a value; the newline ends a file's last line, a comment or not
    parts = (
        f"(SELECT list(r ORDER BY r.{BATCH_ROW}) FROM (SELECT row_number() OVER () AS {BATCH_ROW}, * FROM (\n"  # noqa: S608
        f"{load_query(name).sql}\n)) r) AS r{index}"
        for index, name in enumerate(names)
    )
    return "SELECT " + ",\n".join(parts)


# How `.df()` turns a DuckDB column into pandas (duckdb 2.0): integers and booleans as numpy arrays, or pandas'
# nullable arrays when a value is NULL; HUGEINT, DECIMAL and DOUBLE as float64 (NaN for NULL); text as objects.
_INTEGERS = {"tinyint": "int8", "smallint": "int16", "integer": "int32", "bigint": "int64"}
_NULLABLE = {"int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64", "bool": "boolean"}


def _listed_frame(rows: list[dict] | None, sql_type: duckdb.sqltypes.DuckDBPyType) -> pd.DataFrame | None:
    """The frame `.df()` gives of a query's rows, from their list of structs (None when no row); None if a column
    has a type not known here."""
    fields = [(name, field_type) for name, field_type in sql_type.child.children if name != BATCH_ROW]
    columns: dict[str, object] = {}
    for name, field_type in fields:
        if not isinstance(field_type, duckdb.sqltypes.DuckDBPyType):
            return None
        values = [row[name] for row in rows or ()]
        kind = field_type.id
        dtype = _INTEGERS.get(kind) or ("bool" if kind == "boolean" else None)
        if dtype is not None:
            columns[name] = pd.array(values, dtype=_NULLABLE[dtype]) if None in values else np.array(values, dtype)
        elif kind in ("hugeint", "decimal", "double"):
            columns[name] = np.array([np.nan if value is None else float(value) for value in values], dtype=float)
        elif kind == "varchar":
            columns[name] = np.array(values, dtype=object)
        else:
            return None
    return pd.DataFrame(columns)


def _reading(
    query: NamedQuery, scope: Scope | None, filters: Filters | None, path: Path | None
) -> tuple[dict[str, object], bool, Path, _Reading]:
    """The filter parameters of `query` for this viewer, whether its result is protected, the version and how the
    cursor reads."""
    scope = scope or Scope.nothing()
    filters = filters or Filters()
    values: dict[str, object] = {}
    countries: frozenset[str] = frozenset()
    if query.access != "reference":
        allowed = scope.detail_countries if query.access == "detail" else scope.aggregate_countries
        countries = filters.countries_within(allowed)
        values.update(filters.sql_params(countries))
    protect = query.access == "aggregate" and scope.suppresses(countries)
    resolved = path or current_path()
    # Schema stored's readers answer every filter but one on two or more modules (score/sql/schema.sql).
    stored = len(set(filters.modules)) <= 1 and _has_stored_schema(resolved)
    reading = _noisy_reading(scope.detail_countries, stored) if protect else _Reading("stored,main" if stored else "")
    return values, protect, resolved, reading


def _as_viewer_sees(
    query: NamedQuery, frame: pd.DataFrame, cursor: duckdb.DuckDBPyConnection, protect: bool
) -> pd.DataFrame:
    """A query's result as its viewer sees it: an aggregate's numbers checked as declared, then protected or its
    helper columns dropped."""
    if query.access != "aggregate":
        return frame
    _check_declared(query, frame)
    if protect:
        return _protected(query, frame, cursor)
    return frame.drop(columns=[c for c in query.helpers if c in frame.columns])


def _protected(query: NamedQuery, frame: pd.DataFrame, cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """An aggregate result as a viewer without detail rights sees it: perturbed, small cells hidden, helpers gone.
    One frame is built, from the perturbed columns, without the helpers (BENCHMARKS.md, "A new session ...
    (server, 2026-12-06)")."""
    columns = _perturbed(query, frame, cursor)
    if not query.suppress_count:
        kept = {column: values for column, values in columns.items() if column not in query.helpers}
        return _reordered(query, pd.DataFrame(kept, index=frame.index, copy=True))
    # Counts of 1-4 keep their row of the perturbation table (adjustment 0) and a shown count stays >= 5, so
    # hiding on the perturbed count hides exactly the cells of 1-4 enterprises.
    shown = suppress_small_cells(
        columns, query.suppress_count, query.hidden_with_count, frame.index, leave_out=query.helpers
    )
    if disclosure.PEOPLE_HIDDEN in shown.columns:  # a hidden row says why already, whatever it held (0 or 1-4)
        shown[disclosure.PEOPLE_HIDDEN] &= ~shown["suppressed"].to_numpy(dtype=bool)
    if not query.fixed_rows:  # a hidden row found in the data says "1-4", its absence "none"
        shown = shown[~shown["suppressed"]].reset_index(drop=True)
    return _reordered(query, shown)


def _reordered(query: NamedQuery, shown: pd.DataFrame) -> pd.DataFrame:
    """The rows in the query's `-- order:` over the figures as shown (a hidden figure or a missing name last).
    numpy's stable lexsort: pandas' sort_values on two keys cost 0.6-0.9 ms a public query (BENCHMARKS.md)."""
    if not query.order or len(shown) < 2:
        return shown
    keys = []
    for column, ascending in reversed(query.order):  # lexsort's last key sorts first
        values = shown[column]
        if column in query.declared or pd.api.types.is_numeric_dtype(values.dtype):  # a figure (None when hidden)
            key = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            keys.append(key if ascending else np.where(np.isnan(key), np.inf, -key))
        else:
            codes, names = pd.factorize(values, sort=True)
            codes = np.where(codes < 0, len(names), codes)
            keys.append(codes if ascending else np.where(codes == len(names), len(names), -codes))
    order = np.lexsort(keys)
    if (order == np.arange(len(order))).all():
        return shown
    return shown.iloc[order].reset_index(drop=True)


def _noisy_reading(exact: frozenset[str], stored: bool = False) -> _Reading:
    """How a viewer without detail rights reads: schema noisy first, where every magnitude is a sum of
    per-contributor noisy values (score.build, score.disclosure); for country staff schema mixed, where their own
    countries' rows stay exact (so a mixed cell minus their own exact cell is the other country's noisy figure, no
    closer). `stored`: schema stored's macros next (they read tables through this path)."""
    schema = "mixed" if exact else "noisy"
    return _Reading(f"{schema},stored,main" if stored else f"{schema},main", tuple(sorted(exact)))


_stored_schemas: dict[Path, bool] = {}  # version -> has schema stored; a version file is never changed once written


def _has_stored_schema(path: Path) -> bool:
    """Whether this version has schema stored (a version built before it had none: its macros read as they did).
    Known by path: version files are immutable (score.versions), so no stat per query."""
    known = _stored_schemas.get(path)
    if known is None:
        with _cursor(path) as cursor:
            found = cursor.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'stored'").fetchone()
        known = _stored_schemas[path] = bool(found and found[0])
    return known


def _check_declared(query: NamedQuery, frame: pd.DataFrame) -> None:
    """Fail closed: every number an aggregate query returns is perturbed, derived or declared exact."""
    declared = query.declared
    undeclared = [c for c, dtype in frame.dtypes.items() if pd.api.types.is_numeric_dtype(dtype) and c not in declared]
    if undeclared:
        raise ValueError(f"{query.name}: numeric columns {undeclared} are not declared in '-- perturb/derive/exact'")


def _perturbed(query: NamedQuery, frame: pd.DataFrame, cursor: duckdb.DuckDBPyConnection) -> dict[str, pd.Series]:
    """The figures of an aggregate result as a viewer without detail rights sees them (score.disclosure), by column:
    the caller builds the one frame (setting a column at a time cost ~0.3 ms per column, 4 ms of a public
    overview_kpis; BENCHMARKS.md, "A new session opening a shared link")."""
    source = dict(frame.items())  # each column looked up once (a frame's lookup by name is ~20 us)
    out = dict(source)
    blanked: list[str] = []  # sums with a small number of people hidden (missing until the derived columns are made)
    people_hidden = np.zeros(len(frame), dtype=bool)  # rows with such a sum
    for rule in query.perturb:
        for column in rule.counts:
            out[column] = disclosure.perturb_counts(source[column], source[rule.key])
        # noisy contributions (schema noisy), unrounded until here; small numbers of people hidden
        sums = {column: _whole_numbers(source[column]) for column in rule.sums}
        for column, hidden in disclosure.small_people(sums).items():
            known = ~np.isnan(sums[column])
            whole = np.where(known, sums[column], 0).astype(np.int64)
            out[column] = pd.Series(pd.arrays.IntegerArray(whole, hidden | ~known), index=frame.index)
            if (hidden & known).any():
                blanked.append(column)
                people_hidden |= hidden & known
        for column in rule.medians:
            out[column] = disclosure.perturb_magnitudes(source[column], source[f"max_{column}"], source[rule.key])
    for layer in _derive_layers(query.derive):
        # Shares and means from the perturbed numerator and denominator, in SQL (the query's own dialect);
        # the expressions are the query file's, never a value from a viewer. One statement per layer: a
        # statement costs a few ms whatever it computes, and a public view derives 1-4 columns per query.
        # Only the columns the expressions name go in, only the derived ones come back: handing DuckDB the whole
        # row and taking it back cost 2-3x (BENCHMARKS.md, "A new session opening a shared link").
        named = set(IDENTIFIER.findall(" ".join(expression for _, expression in layer)))
        read = pd.DataFrame({column: values for column, values in out.items() if column in named}, index=frame.index)
        derived = _derive(cursor, read, layer)
        for column, _ in layer:
            out[column] = pd.Series(derived[column], index=frame.index)
    for column in blanked:  # then None, as score.access.suppress_small_cells blanks a hidden row (pd.NA is no number)
        out[column] = pd.Series(out[column].to_numpy(dtype=object, na_value=None), index=frame.index, dtype=object)
    if any(rule.sums for rule in query.perturb):  # in every such result, so that its columns say nothing
        out[disclosure.PEOPLE_HIDDEN] = pd.Series(people_hidden, index=frame.index)
    return out


# DuckDB's types of the numeric dtypes a query result has here, as DuckDB reads them from a registered frame.
_PARAMETER_TYPES = {
    "int64": "BIGINT",
    "int32": "INTEGER",
    "int16": "SMALLINT",
    "int8": "TINYINT",
    "float64": "DOUBLE",
    "float32": "FLOAT",
    "bool": "BOOLEAN",
}


def _derive(
    cursor: duckdb.DuckDBPyConnection, read: pd.DataFrame, layer: list[tuple[str, str]]
) -> dict[str, np.ndarray]:
    """One layer of derived columns over the rows of `read`, as arrays by column: in numpy for the shares, means and
    relative changes (`_derived_in_numpy`), else by DuckDB (`_derived_in_sql`)."""
    computed = _derived_in_numpy(read, layer)
    return computed if computed is not None else _derived_in_sql(cursor, read, layer)


def _derived_in_sql(
    cursor: duckdb.DuckDBPyConnection, read: pd.DataFrame, layer: list[tuple[str, str]]
) -> dict[str, np.ndarray]:
    """A layer computed by DuckDB in one statement over the rows of `read`. The columns go in as typed list
    parameters (each missing value, NaN included, a NULL, as in a registered frame): registering a pandas frame with
    DuckDB and scanning it cost ~4.5 ms a statement, the parameters ~0.7 ms (BENCHMARKS.md, "A new session ...")."""
    select = ", ".join(f"{expression} AS {column}" for column, expression in layer)
    types = {
        column: _PARAMETER_TYPES.get(
            str(np.dtype(getattr(read[column].dtype, "numpy_dtype", None) or read[column].dtype))
        )
        for column in read.columns
    }
    if any(sql_type is None or not IDENTIFIER.fullmatch(column) for column, sql_type in types.items()):
        # Another dtype (text, dates): the registered frame, DuckDB's own reading of pandas.
        cursor.register("perturbed_rows", read.assign(perturbed_row_=range(len(read))))
        try:
            result = cursor.execute(f"SELECT {select} FROM perturbed_rows ORDER BY perturbed_row_")  # noqa: S608
            return _derived_arrays(result)
        finally:
            cursor.unregister("perturbed_rows")
    values: dict[str, object] = {"rows": len(read)}
    columns = ["unnest(range($rows)) AS perturbed_row_"]
    for index, (column, sql_type) in enumerate(types.items()):
        series = read[column]
        missing = series.isna().to_numpy()
        values[f"c{index}"] = [None if gone else value for value, gone in zip(series.tolist(), missing, strict=True)]
        columns.append(f"unnest($c{index}::{sql_type}[]) AS {column}")
    rows = ", ".join(columns)
    result = cursor.execute(f"SELECT {select} FROM (SELECT {rows}) ORDER BY perturbed_row_", values)  # noqa: S608
    return _derived_arrays(result)


# The `-- derive:` forms of the queries' shares, means and relative changes: `[100.0 * ]a / nullif(b, 0)` and
# `100.0 * (a / nullif(b, 0) - 1)`. Over numeric columns DuckDB computes them in DOUBLE (an integer is cast to DOUBLE
# for `/`; 100.0 times an integer is exact), so numpy's same operations in the same order give the same bits, a NULL
# or a 0 divisor giving NULL (NaN here, as `_derived_arrays` reads it): checked against DuckDB for every such
# expression of queries/*.sql (tests/test_disclosure.py). A statement per layer cost ~1 ms of a public query.
_RATIO = re.compile(r"(100\.0 \* )?([A-Za-z_]\w*) / nullif\(([A-Za-z_]\w*), 0\)")
_CHANGE = re.compile(r"100\.0 \* \(([A-Za-z_]\w*) / nullif\(([A-Za-z_]\w*), 0\) - 1\)")


def _derived_in_numpy(read: pd.DataFrame, layer: list[tuple[str, str]]) -> dict[str, np.ndarray] | None:
    """A layer of derived columns computed in numpy when every expression has one of the forms above and reads
    numeric columns only; None otherwise (DuckDB computes it)."""
    forms = [(_RATIO.fullmatch(expression), _CHANGE.fullmatch(expression)) for _, expression in layer]
    if not all(ratio or change for ratio, change in forms):
        return None
    read_columns = {name for ratio, change in forms for name in (ratio or change).groups()[-2:]}  # type: ignore[union-attr]
    if not all(
        column in read.columns
        and pd.api.types.is_numeric_dtype(read[column].dtype)
        and not pd.api.types.is_bool_dtype(read[column].dtype)
        for column in read_columns
    ):
        return None
    values = {column: read[column].to_numpy(dtype=float, na_value=np.nan) for column in read_columns}
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for (column, _), (ratio, change) in zip(layer, forms, strict=True):
            if ratio:
                scaled, numerator, divisor = ratio.groups()
                top = 100.0 * values[numerator] if scaled else values[numerator]
                out[column] = np.where(values[divisor] == 0, np.nan, top / values[divisor])
            else:
                numerator, divisor = change.groups()  # type: ignore[union-attr]
                out[column] = 100.0 * (np.where(values[divisor] == 0, np.nan, values[numerator] / values[divisor]) - 1)
    return out


def _derived_arrays(result: duckdb.DuckDBPyConnection) -> dict[str, np.ndarray]:
    """The derived columns as `.df()` gives them, taken as numpy arrays: where every column is a DOUBLE (shares,
    means: the derived columns there are) NULL becomes NaN, as in `.df()`, which cost ~1-2 ms more a statement to
    build a frame only to take its columns out again. Any other type goes through `.df()`."""
    if all(str(column[1]) == "DOUBLE" for column in result.description):
        return {
            name: np.ma.filled(np.ma.asarray(values, dtype=np.float64), np.nan)
            for name, values in result.fetchnumpy().items()
        }
    frame = result.df()
    return {column: frame[column].to_numpy() for column in frame.columns}


def _whole_numbers(values: pd.Series) -> np.ndarray:
    """A sum of noisy contributions rounded to a whole number (half to even), as floats, missing ones NaN; in numpy
    (`Series.round().astype("Int64")` cost 2.5x on a public query's 5-12 sums)."""
    return np.round(disclosure.numeric(values).to_numpy(dtype=float, na_value=np.nan))


def _derive_layers(derive: Sequence[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The derived columns in order, grouped so that no expression reads a column derived in its own group
    (`progress_pct` reads `actual`: a group after it); each group is one statement over the rows before it."""
    layers: list[list[tuple[str, str]]] = []
    for column, expression in derive:
        reads_layer = layers and any(re.search(rf"\b{re.escape(name)}\b", expression) for name, _ in layers[-1])
        if layers and not reads_layer:
            layers[-1].append((column, expression))
        else:
            layers.append([(column, expression)])
    return layers
