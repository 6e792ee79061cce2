"""The layers hold (DEVELOPERS.md "Layers"): the core (score/ outside score/web) loads without Streamlit, so the
command line and the deck work without a session; the import contracts in pyproject.toml are kept; and pages and
the web layer read the database only through score.db's runner (run_query), never through a connection."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import score

REPO = Path(__file__).resolve().parent.parent
# What the web layer and the pages may use of score.db: the runner and what tells which version they read.
RUNNER = {"run_query", "run_queries", "data_version", "current_path", "check_database", "building", "DatabaseMissing"}
RUNNER |= {"DatabaseUnavailable"}


def core_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(score.__path__, "score.")]
    return sorted(n for n in names if not n.startswith("score.web") and not n.endswith("__main__"))


def test_the_core_loads_without_streamlit() -> None:
    modules = core_modules()
    assert {"score.presentation", "score.publish", "score.exports", "score.db"} <= set(modules)
    code = (
        f"import importlib, sys\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith(('streamlit.', 'score.web')))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def _db_uses(path: Path) -> set[str]:
    """What a module uses of score.db (`db.<name>`), and `duckdb` when it imports DuckDB itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "db"
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "duckdb" for a in node.names):
            used.add("duckdb")
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "duckdb":
            used.add("duckdb")
        if isinstance(node, ast.ImportFrom) and node.module == "score.db":
            used |= {a.name for a in node.names}
    return used


def test_pages_and_the_web_layer_read_the_database_only_through_the_runner() -> None:
    files = [REPO / "app.py", *sorted((REPO / "views").glob("*.py")), *sorted((REPO / "score" / "web").rglob("*.py"))]
    beyond = {str(f.relative_to(REPO)): sorted(_db_uses(f) - RUNNER) for f in files}
    assert {f: names for f, names in beyond.items() if names} == {}
