"""SQL is never built from values: every query file is a fixed, parameterised statement with a valid access
header, and no Python call site passes SQL made by f-string, %-formatting, .format() or concatenation,
except the identifier-only helpers in ALLOWED_INTERPOLATIONS. Pages hold no SQL and never touch DuckDB."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from score import db

REPO = Path(__file__).resolve().parent.parent
PYTHON_FILES = sorted([REPO / "app.py", *(REPO / "score").rglob("*.py"), *(REPO / "views").glob("*.py")])
QUERY_FILES = sorted((REPO / "queries").glob("*.sql"))

# Methods that run SQL (DuckDB connection/cursor/relation API) and the named-query runners.
SQL_METHODS = {"execute", "executemany", "sql", "query"}
RUNNERS = {"run_query", "load_query"}  # and ui.query(name, ...): its first argument names a query file

# The only f-strings allowed to reach SQL: {file: {interpolated expression: why it cannot carry a value}}.
# The statement must also carry a comment saying why (ruff's S608 suppression with a reason in brackets, or,
# where ruff does not flag the statement, e.g. DESCRIBE, a plain comment).
ALLOWED_INTERPOLATIONS = {
    "score/build.py": {
        "table": "a key of build._REFERENCE_TABLES / _TABLE_TARGETS or a fixed table name in the code",
        "names": "column names taken from the database schema (DESCRIBE) or the data contract",
        "column": "a column name read from duckdb_columns() of a table the build made itself",
        "macro": "a value of build.GROUP_TABLES: the name of the macro defining a *_by_group table",
        "schema": "'main' or 'noisy': the schema build.reading reads (its callers pass one of the two)",
        "quoted": "the name of the database the build writes (current_database()), its quotes doubled and quoted",
        "main_from_noisy": "'<quoted>.main': the database the build writes (as `quoted`), its schema main",
        "_main_rows_from_noisy(table)": "a SELECT list of build.MAIN_FROM_NOISY's fixed column names and an int",
    },
    "score/publish.py": {
        "table": "a fixed table name from the build's own row counts",
    },
    "score/db.py": {
        "select": "'* EXCLUDE (<column>), ' or '*, ': column is a '-- derive:' name checked as an identifier",
        "expression": "a '-- derive:' expression from a query file in the repo (no ';', no parameters)",
        "column": "a '-- derive:' column name from a query file, checked as an identifier",
        "rows": "'unnest($c<n>::<type>[]) AS <column>': types from db._PARAMETER_TYPES, columns checked as identifiers",
    },
}
REASON = re.compile(r"#\s*(noqa:\s*S608\s*\(.{4,}\)|(?!noqa).{8,})")
SCOPE_MACRO = re.compile(
    r"\b(filtered_enterprises|filtered_training|people_trained|indicator_change|indicator_share)\(\$countries\b"
)
ENTERPRISE_LEVEL = re.compile(r"\b(enterprise_id|name|latitude|longitude)\b")
FORBIDDEN_IN_QUERIES = re.compile(
    r"\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|DETACH|COPY|EXPORT|IMPORT|PRAGMA|INSTALL|LOAD|SET|CALL)\b",
    re.IGNORECASE,
)
SQL_KEYWORDS = re.compile(r"\b(SELECT|FROM|WHERE|JOIN|INSERT|UPDATE|DELETE|GROUP BY|ORDER BY|UNION)\b")


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _body(sql: str) -> str:
    return "\n".join(line.split("--")[0] for line in sql.splitlines())


# ---------------------------------------------------------------------------------------------- query files


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_is_fixed_and_parameterised(path: Path) -> None:
    query = db.load_query(path.stem)  # valid header, scope parameter present, suppression declared
    body = _body(query.sql)
    for pattern, what in (
        (r"[{}]", "{ } templating"),
        (r"%\(?\w*\)?s\b", "%s formatting"),
        (r"\?", "positional ? placeholders (use $named parameters)"),
    ):
        assert not re.search(pattern, body), f"{path.name}: {what}"
    assert not FORBIDDEN_IN_QUERIES.search(body), f"{path.name}: statements that change data or settings"
    assert ";" not in body.strip().rstrip(";"), f"{path.name}: one statement per file"
    if query.access == "reference":
        selected = body.split("FROM")[0] if "FROM" in body else body
        assert not ENTERPRISE_LEVEL.search(selected.replace("name_", "")), f"{path.name}: enterprise columns"
    if query.access == "detail":
        assert SCOPE_MACRO.search(body), f"{path.name}: detail rows only through a filter macro given $countries"


# ---------------------------------------------------------------------------------------------- call sites


def _assignments(tree: ast.AST) -> dict[str, list[ast.expr]]:
    """Every value assigned to each simple name in a file (a conservative, flow-insensitive view)."""
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif (
            isinstance(node, ast.AnnAssign | ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            found.setdefault(node.target.id, []).append(node.value)
    return found


def _string_building(expr: ast.expr, assigned: dict[str, list[ast.expr]], seen: frozenset[str] = frozenset()):
    """The f-strings / formatting / concatenations that can flow into `expr` (yields offending nodes)."""
    if isinstance(expr, ast.JoinedStr):
        yield expr
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod | ast.Add):
        if not (_is_number(expr.left) and _is_number(expr.right)):
            yield expr
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("format", "join"):
        yield expr
    elif isinstance(expr, ast.Name) and expr.id not in seen:
        for value in assigned.get(expr.id, []):
            yield from _string_building(value, assigned, seen | {expr.id})
    elif isinstance(expr, ast.IfExp):
        yield from _string_building(expr.body, assigned, seen)
        yield from _string_building(expr.orelse, assigned, seen)


def _is_number(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, int | float)


def _sql_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ("query", "sql", "name", "sql_query"):
            return keyword.value
    return None


def _is_sql_call(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in SQL_METHODS:
            # ui.query / self.query(...) with a query *name* is checked as a runner below.
            if func.attr == "query" and isinstance(func.value, ast.Name) and func.value.id == "ui":
                return "runner"
            return "sql"
        if func.attr in RUNNERS:
            return "runner"
    if isinstance(func, ast.Name) and func.id in RUNNERS | {"query"}:
        return "runner"
    return None


def _interpolations(node: ast.JoinedStr) -> list[str]:
    return [ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]


def find_string_built_sql(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    assigned = _assignments(tree)
    allowed = ALLOWED_INTERPOLATIONS.get(_rel(path), {})
    problems = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        kind = _is_sql_call(call)
        argument = _sql_argument(call) if kind else None
        if argument is None:
            continue
        for built in _string_building(argument, assigned):
            where = f"{_rel(path)}:{built.lineno}"
            if kind == "runner":
                problems.append(f"{where}: a query name built from a string expression")
                continue
            if isinstance(built, ast.JoinedStr):
                names = _interpolations(built)
                extra = [n for n in names if n not in allowed]
                statement_lines = lines[call.lineno - 1 : (call.end_lineno or call.lineno)]
                marked = any(REASON.search(line) for line in statement_lines)
                if extra:
                    problems.append(f"{where}: f-string SQL interpolates {extra} (not in ALLOWED_INTERPOLATIONS)")
                elif not marked:
                    problems.append(f"{where}: allow-listed f-string SQL without a comment saying why")
            else:
                problems.append(f"{where}: SQL built with {type(built).__name__} ({ast.unparse(built)[:60]})")
    return problems


@pytest.mark.parametrize("path", PYTHON_FILES, ids=_rel)
def test_no_string_built_sql(path: Path) -> None:
    assert find_string_built_sql(path) == []


def test_the_scanner_catches_string_built_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan itself works: each of these must be reported."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "\n".join(
            [
                "def f(con, country, table, ui, db):",
                "    con.execute(f\"SELECT * FROM enterprise WHERE country = '{country}'\")",
                "    con.execute(\"SELECT * FROM enterprise WHERE country = '%s'\" % country)",
                "    con.execute(\"SELECT * FROM enterprise WHERE country = '{}'\".format(country))",
                '    con.execute("SELECT * FROM enterprise WHERE country = \'" + country + "\'")',
                "    sql = f'SELECT * FROM {table}'",
                "    con.sql(sql)",
                "    cursor = con.cursor()",
                "    cursor.query(' '.join(['SELECT', country]))",
                "    ui.query(f'enterprise_{country}')",
                "    db.run_query('overview_' + country, None)",
                "    con.execute(f'SELECT count(*) FROM {table}')  # noqa",
                "    con.execute(f'SELECT count(*) FROM {table}')  # noqa: S608 (fixed names)",
            ]
        )
    )
    monkeypatch.setattr("tests.test_sql_safety.REPO", tmp_path)  # _rel() of the temporary file: "bad.py"
    problems = find_string_built_sql(bad)
    assert len(problems) == 10, problems
    monkeypatch.setitem(ALLOWED_INTERPOLATIONS, "bad.py", {"table": "test"})
    assert len(find_string_built_sql(bad)) == 9  # the marked line passes, the unmarked one does not


def test_allow_list_is_used() -> None:
    """Every allow-listed file still has such a line (stale entries hide nothing, but mislead)."""
    for name, allowed in ALLOWED_INTERPOLATIONS.items():
        source = (REPO / name).read_text(encoding="utf-8")
        for expression in allowed:
            assert re.search(r"\{" + re.escape(expression) + r"\}", source), (name, expression)


# ---------------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("path", [REPO / "app.py", *sorted((REPO / "views").glob("*.py"))], ids=_rel)
def test_pages_hold_no_sql_and_no_database(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "duckdb" for a in node.names), f"{_rel(path)} imports duckdb"
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "duckdb", f"{_rel(path)} imports duckdb"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert not SQL_KEYWORDS.search(node.value), f"{_rel(path)}:{node.lineno}: SQL in a page: {node.value[:60]}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in ("execute", "executemany", "sql", "connect", "cursor"), (
                f"{_rel(path)}:{node.lineno}: pages read data only through ui.query"
            )
