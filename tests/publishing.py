"""Helpers for the publishing tests (test_publish, test_concurrency, test_crash, test_upload_flow).

- `build_small`: a private data dir with two demo countries (COL, PER) built into version 1; small, so
  every publish takes about a second.
- Two valid COL datasets whose totals differ: `dataset_a` (the demo files) and `dataset_b` (the demo files
  without the last REMOVED enterprises and their rows, and one enterprise with more workers).
- `expected_totals`: the headline figures from tests/oracle.py (csv module only) for a country folder tree.
- `fingerprint`: what a rejected or failed publish must leave unchanged, byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from score.settings import Settings
from tests import built
from tests.oracle import RawData

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "countries"
COUNTRIES = ("COL", "PER")
REMOVED = 20  # enterprises dropped from COL in dataset B
HEADLINE = ("enterprises", "workers_reached", "people_trained", "module_completions")


def make_small_data_dir(root: Path, countries: tuple[str, ...] = COUNTRIES) -> Path:
    data = root / "data"
    for country in countries:
        shutil.copytree(DEMO / country, data / "countries" / country)
    return data


def build_small(tmp_path: Path, settings_override: Callable[..., Settings]) -> Path:
    """For a per-test fixture: a private data dir (COL, PER) built into version 1, the settings' data dir
    (`settings_override`, the fixture of tests/conftest.py); a copy of one build per run (tests/built.py)."""
    template = built.once_per_run("col-per", lambda data: built.build_countries(data, COUNTRIES))
    data = built.copy_built(template, tmp_path / "data")
    settings_override(data_dir=data)
    return data


def dataset_a() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((DEMO / "COL").glob("*.csv"))}


def csv_rows(raw: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    return list(reader.fieldnames or []), list(reader)


def csv_bytes(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def dataset_b() -> dict[str, bytes]:
    """COL without its last REMOVED enterprises (and their training and indicator rows), one changed."""
    files = dataset_a()
    header, enterprises = csv_rows(files["enterprises.csv"])
    dropped = {row["enterprise_id"] for row in enterprises[-REMOVED:]}
    kept = enterprises[:-REMOVED]
    kept[0] = {**kept[0], "workers_male": str(int(kept[0]["workers_male"]) + 7)}
    files["enterprises.csv"] = csv_bytes(header, kept)
    for name in ("training.csv", "indicators.csv"):
        header, rows = csv_rows(files[name])
        files[name] = csv_bytes(header, [r for r in rows if r["enterprise_id"] not in dropped])
    return files


def write_country(root: Path, country: str, files: dict[str, bytes]) -> None:
    folder = root / country
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, raw in files.items():
        (folder / name).write_bytes(raw)


def expected_totals(tmp: Path, col_files: dict[str, bytes], countries: tuple[str, ...] = COUNTRIES) -> dict:
    """Oracle totals (all countries, and COL alone) when COL holds `col_files` and the rest the demo files."""
    root = tmp / f"oracle-{hashlib.sha256(b''.join(col_files.values())).hexdigest()[:12]}"
    for country in countries:
        if country != "COL" and not (root / country).exists():
            shutil.copytree(DEMO / country, root / country)
    write_country(root, "COL", col_files)
    raw = RawData(root)
    every = raw.kpis()
    col = raw.kpis(countries={"COL"})
    return {"all": {k: every[k] for k in HEADLINE}, "COL": {k: col[k] for k in HEADLINE}}


def _tree(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def fingerprint(data: Path) -> dict[str, object]:
    """The published state: pointer target and its bytes, versions, archive, country folders, history."""
    pointer = data / "score.duckdb"
    target = pointer.resolve()
    versions = data / "versions"
    return {
        "pointer": os.readlink(pointer),
        "database_sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        "versions": sorted(p.name for p in versions.iterdir()),
        "archive": _tree(data / "archive"),
        "countries": _tree(data / "countries"),
        "history": hashlib.sha256((versions / "history.jsonl").read_bytes()).hexdigest(),
    }


def headline(path: Path | None = None, countries: tuple[str, ...] | None = None) -> dict[str, int]:
    """overview_kpis through the app's query runner (HQ scope), as ints."""
    from score import db
    from score.access import Scope
    from score.filters import Filters

    filters = Filters(countries=countries) if countries else None
    row = db.run_query("overview_kpis", Scope.hq("tests"), filters, path=path).iloc[0]
    return {k: int(row[k]) for k in HEADLINE}
