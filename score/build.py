"""Consolidate validated country datasets into one DuckDB file (one immutable version).

The build never touches the live database: it writes a new file that score.publish then
checks and switches the pointer to. Input validation is score.ingest's job; a country whose
files have errors stops the build with the full report, so nothing half-valid is published.
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import hashlib
import logging
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from score import contract, disclosure, ingest, settings
from score.config import REFERENCE_DIR
from score.ingest import ValidationReport, load_country_dir

LOG = logging.getLogger(__name__)
SCHEMA_SQL = Path(__file__).with_name("sql") / "schema.sql"
DEMO_MARKER = "DEMO_DATA.txt"

# Reference CSV -> table; columns are taken by name so the files may carry extra columns.
_REFERENCE_TABLES = {
    "country": "countries.csv",
    "sector": "sectors.csv",
    "module": "modules.csv",
    "indicator": "indicators.csv",
    "logframe_indicator": "logframe_indicators.csv",
    "target": "targets.csv",
    "funding": "funding.csv",
}
_COLUMN_RENAMES = {"module": {"order": "sort_order"}}

# Derived tables (score/sql/schema.sql), each filled by the macro that defines it, run without enterprise filters
# for the countries of this version once the data are loaded: the measure macros then read them instead of
# recomputing them on every page view (BENCHMARKS.md). In this order: the *_by_group tables read enterprise_training
# and delivery_people_added. The *_by_group tables hold rows for every delivery (module NULL) and for each module as
# under a filter on that module alone: the first from the macro's rows without a module filter, the others from
# one pass over every module (its *_per_scope form, score/sql/schema.sql "Scopes"), each module's rows inserted
# sorted by themselves as when each module had its own statement (the stored order decides how floats are summed).
# A table whose rows have a key (enterprise_training: the enterprise; delivery_people_added: enterprise and module, the
# contract's key; indicator_pair: enterprise and indicator, ranked into one integer by its macro) is sorted by it: the
# order ORDER BY ALL gave, with one or two columns compared instead of every one (BENCHMARKS.md, "Full build at x200:
# where the time goes", session 17).
_EVERY_YEAR = {"year_from": -(2**31), "year_to": 2**31 - 1}
DERIVED_TABLES = (
    "INSERT INTO enterprise_training BY NAME SELECT * EXCLUDE (record_key) FROM "
    "training_per_enterprise($countries, NULL, NULL, NULL, NULL, NULL, $year_from, $year_to) ORDER BY enterprise_id",
    "INSERT INTO delivery_people_added BY NAME SELECT * FROM "
    "people_added_per_delivery($countries, NULL, NULL, NULL, NULL, NULL, $year_from, $year_to) "
    "ORDER BY enterprise_id, module",
    "INSERT INTO indicator_pair BY NAME SELECT * EXCLUDE (pair_order) FROM indicator_pair_of($countries) "
    "ORDER BY pair_order",
    "INSERT INTO delivery BY NAME SELECT * EXCLUDE (delivery_row) FROM delivery_of($countries) ORDER BY delivery_row",
    "INSERT INTO delivery_by_group BY NAME SELECT * FROM "
    "delivery_per_group($countries, NULL, NULL, NULL, NULL, NULL, $year_from, $year_to) ORDER BY ALL",
)
MAX_MODULES = 63  # a bit each in a BIGINT's module_bits (score/sql/schema.sql, module_bit), its sign bit left out
GROUP_TABLES = {  # table: the macro defining its rows, per scope
    "figures_by_group": "figures_per_scope",
    "training_year_by_group": "training_year_per_scope",
    "share_by_group": "share_per_scope",
    "modules_taken_by_group": "modules_taken_per_scope",
}


# The noisy schema (score/sql/schema.sql, end): the base tables with each enterprise's magnitudes moved by its fixed
# share (score.disclosure.contribution_noise) and its record key carrying its fixed count weight in its high bits
# (score.disclosure.count_offsets), then the derived tables written from them as from main.
NOISY_BASE = (
    "INSERT INTO noisy.enterprise BY NAME SELECT e.* REPLACE ("
    "noisy_value(e.workers_female, n.share) AS workers_female, noisy_value(e.workers_male, n.share) AS workers_male, "
    "e.record_key + n.count_offset * 4294967296 AS record_key) "  # disclosure.KEY_SHIFT (checked below)
    "FROM main.enterprise e JOIN noisy.contribution_noise n ON n.enterprise_id = e.enterprise_id "
    "WHERE list_contains($countries, e.country) ORDER BY e.country, e.enterprise_id",
    "INSERT INTO noisy.training BY NAME SELECT t.* REPLACE ("
    "noisy_value(t.managers_female, n.share) AS managers_female, "
    "noisy_value(t.managers_male, n.share) AS managers_male, "
    "noisy_value(t.workers_female, n.share) AS workers_female, noisy_value(t.workers_male, n.share) AS workers_male, "
    "noisy_value(t.consultation_visits, n.share) AS consultation_visits, "
    # a share of participants stays within 0-100 (least/greatest skip NULLs: a missing one stays missing)
    "CASE WHEN t.satisfaction_pct IS NOT NULL "
    "THEN least(100, greatest(0, noisy_value(t.satisfaction_pct, n.share))) END AS satisfaction_pct) "
    "FROM main.training t JOIN noisy.contribution_noise n ON n.enterprise_id = t.enterprise_id "
    "WHERE list_contains($countries, t.country)",
    # only measured values: the 0/1 answers of yes/no indicators are counted, not summed
    "INSERT INTO noisy.indicator_value BY NAME SELECT v.* REPLACE ("
    "CASE WHEN i.kind = 'change' THEN noisy_value(v.value, n.share) ELSE v.value END AS value) "
    "FROM main.indicator_value v JOIN noisy.contribution_noise n ON n.enterprise_id = v.enterprise_id "
    "JOIN main.indicator i ON i.code = v.indicator WHERE list_contains($countries, v.country)",
)
# Noisy derived tables written from their main rows rather than by their macro from the noisy base rows, where the
# two are the same bit for bit. indicator_pair holds per enterprise and 'change' indicator the largest baseline and
# follow-up; their noisy values are value x (1 + share), one share per enterprise, and x -> x * (1 + share) never
# decreases (|share| <= 12%, and rounding keeps the order), so the largest noisy value is the noisy largest value. The
# other columns are the enterprise's (its record key as NOISY_BASE writes it), `improved` from the noisy values as the
# macro has it. ~1.5 s less CPU at x200 (BENCHMARKS.md).
NOISY_FROM_MAIN = {
    "indicator_pair": (
        "INSERT INTO noisy.indicator_pair BY NAME SELECT p.* REPLACE ("
        "noisy_value(p.baseline, n.share) AS baseline, noisy_value(p.follow_up, n.share) AS follow_up, "
        "p.record_key + n.count_offset * 4294967296 AS record_key, "  # disclosure.KEY_SHIFT (checked below)
        "improved_of(i.direction, noisy_value(p.baseline, n.share), noisy_value(p.follow_up, n.share)) AS improved) "
        "FROM main.indicator_pair p JOIN noisy.contribution_noise n ON n.enterprise_id = p.enterprise_id "
        "JOIN main.indicator i ON i.code = p.indicator "
        "WHERE list_contains($countries, p.country) ORDER BY p.enterprise_id, p.indicator"
    ),
}
# Group tables whose noisy rows differ from main's only in their sums of record keys (column names here): they count
# enterprises and answers and sum 0/1 answers, none of which the noise moves, and group by attributes it leaves
# alone. They are computed once, from the noisy rows, and main's rows are those with each key sum's low part: a noisy
# record key is key + KEY_SHIFT x count offset, and a sum of keys 0..255 stays below KEY_SHIFT up to 16 million
# enterprises (score.disclosure), so the low part is main's sum exactly. Written as before, so not in
# schema_fingerprint. ~1 s less CPU at x200 (BENCHMARKS.md, "Group tables counted once").
MAIN_FROM_NOISY = {
    "share_by_group": ("record_keys", "record_keys_yes"),
    "modules_taken_by_group": ("record_keys",),
}
if any(f"n.count_offset * {disclosure.KEY_SHIFT} AS" not in sql for sql in (NOISY_BASE[0], *NOISY_FROM_MAIN.values())):
    raise RuntimeError("NOISY_BASE and NOISY_FROM_MAIN must shift count offsets by score.disclosure.KEY_SHIFT")
if not 0 <= disclosure.NOISE_MIN <= disclosure.NOISE_MAX < 1:  # NOISY_FROM_MAIN: 1 + share > 0, so the order is kept
    raise RuntimeError("a noise share of 100% or more would turn the largest value into the smallest")
NOISY_TABLES = (
    "enterprise",
    "training",
    "indicator_value",
    "enterprise_training",
    "delivery_people_added",
    "indicator_pair",
    "delivery_by_group",
    "delivery",
    *GROUP_TABLES,
)

# Integer columns of the noisy tables that stay integers (counts, keys, years); every other integer column holds a
# magnitude of enterprises and becomes DOUBLE there, so noisy contributions add up unrounded.
NOT_MAGNITUDES = frozenset(
    {
        "record_key", "record_keys", "trained_record_keys", "satisfaction_record_keys", "record_keys_yes",
        "join_year", "year", "enterprises", "n_enterprises", "trained_enterprises", "deliveries",
        "module_completions", "n_modules", "n_satisfaction", "n_yes", "value_n", "module_bits",
    }
)  # fmt: skip


def create_noisy_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Schema noisy: NOISY_TABLES with main's columns, magnitudes as DOUBLE, each enterprise's share and each group's
    direction; schema mixed: views of NOISY_TABLES, exact for the countries in variable `exact_countries`."""
    con.execute("CREATE SCHEMA noisy")
    con.execute(
        "CREATE TABLE noisy.contribution_noise (country VARCHAR NOT NULL, enterprise_id VARCHAR PRIMARY KEY, "
        "share DOUBLE NOT NULL, count_offset INTEGER NOT NULL)"
    )
    con.execute(
        "CREATE TABLE noisy.group_sign (country VARCHAR NOT NULL, sector VARCHAR NOT NULL, phase VARCHAR NOT NULL, "
        "sign TINYINT NOT NULL, PRIMARY KEY (country, sector, phase))"
    )
    for table in NOISY_TABLES:
        con.execute(f"CREATE TABLE noisy.{table} AS FROM main.{table} LIMIT 0")  # table: from NOISY_TABLES
        integers = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'noisy' AND table_name = $t "
            "AND data_type IN ('SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT')",
            {"t": table},
        ).fetchall()
        for (column,) in integers:
            if column not in NOT_MAGNITUDES:
                con.execute(f"ALTER TABLE noisy.{table} ALTER {column} TYPE DOUBLE")  # names from the schema
            elif column == "record_key":  # carries the count weight above its 8 bits (score.disclosure.KEY_SHIFT)
                con.execute(f"ALTER TABLE noisy.{table} ALTER {column} TYPE BIGINT")  # names from the schema
    # Schema mixed, for country staff looking at several countries: their own countries' rows exact (main), the
    # others' noisy; `exact_countries` is a variable each reading cursor sets (score.db).
    con.execute("CREATE SCHEMA mixed")
    for table in NOISY_TABLES:
        con.execute(
            f"CREATE VIEW mixed.{table} AS "  # noqa: S608 (fixed names)
            f"SELECT * FROM main.{table} WHERE list_contains(getvariable('exact_countries'), country) "
            f"UNION ALL BY NAME SELECT * FROM noisy.{table} "
            f"WHERE NOT list_contains(coalesce(getvariable('exact_countries'), []::VARCHAR[]), country)"
        )


# A database with the schema and the noisy schema and no row, written once per process and schema (~0.6 s of
# CPU and seconds of disk writes on a busy machine) and copied by every build that starts empty (~0.05 s): each
# upload check builds its candidate figures from one (score.upload.candidate_figures), and so does a full build.
_empty_schemas: dict[str, Path] = {}
_empty_schemas_lock = threading.Lock()


def _empty_schema() -> Path:
    """The file of an empty database of this schema (`schema_fingerprint`), in this process's private temp folder."""
    fingerprint = schema_fingerprint()
    with _empty_schemas_lock:
        known = _empty_schemas.get(fingerprint)
        if known is not None and known.exists():
            return known
        folder = Path(tempfile.mkdtemp(prefix="score-schema-"))  # mode 0700
        atexit.register(shutil.rmtree, folder, True)
        path = folder / f"empty-{fingerprint[:16]}.duckdb"
        con = duckdb.connect(str(path))
        try:
            con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
            create_noisy_schema(con)
        finally:
            con.close()
        _empty_schemas[fingerprint] = path
        return path


class BuildError(Exception):
    """A country dataset is invalid; `reports` holds every problem found."""

    def __init__(self, reports: dict[str, ValidationReport]):
        self.reports = reports
        names = ", ".join(sorted(reports))
        super().__init__(f"invalid data for {names}")

    def summary(self) -> str:
        return "\n\n".join(report.summary() for report in self.reports.values())


@dataclass
class CountryInput:
    """One country's validated tables plus where they came from."""

    country: str
    report: ValidationReport
    files: dict[str, bytes] = field(default_factory=dict)
    is_demo: bool = False
    # Incremental publish: the version to copy this country's rows from (report.tables is then empty), and how
    # many rows each contract table has there.
    previous: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @cached_property
    def digests(self) -> dict[str, bytes]:
        """Each file's sha256, computed once: the reuse check, the archive, the build and the history all name it."""
        return {name: hashlib.sha256(raw).digest() for name, raw in self.files.items()}

    def rows(self, table: str) -> int:
        """Rows of a contract table (enterprises, training, indicators, logframe) for this country."""
        if self.previous is not None:
            return self.counts.get(table, 0)
        frame = self.report.tables.get(table)
        return 0 if frame is None else len(frame)

    def row_counts(self) -> dict[str, int]:
        names = self.counts if self.previous is not None else self.report.tables
        return {name: self.rows(name) for name in names}


def country_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix.lower() in (".csv", ".xlsx")}


def read_country_dir(folder: Path) -> CountryInput:
    report = load_country_dir(folder)
    return CountryInput(folder.name, report, country_files(folder), is_demo=(folder / DEMO_MARKER).exists())


# Validating a country is CPU-bound Python, one core per process: several large folders (a full build) are validated
# in worker processes side by side. Below this many bytes in all, starting the workers (~0.5 s each) costs more.
PARALLEL_MIN_BYTES = 32 * 1024 * 1024


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def read_country_dirs(
    folders: Sequence[Path],
    read: Callable[[Path], CountryInput] = read_country_dir,
    workers: int | None = None,
    min_bytes: int = PARALLEL_MIN_BYTES,
) -> list[CountryInput]:
    """read(folder) of every folder, in this order. When there are several and they hold at least `min_bytes`,
    they are validated by `workers` processes (default: $SCORE_BUILD_WORKERS, else one per core), the largest
    first. A worker is a fresh `python -m score.build_worker` (never a fork of a server and its threads, and it
    does not import the parent's main module, which under Streamlit is the page script). If a worker cannot
    start or fails, the folders are validated here instead: same reports, only slower. Another `read` than
    read_country_dir (a test's or a benchmark's wrapper) always runs here."""
    folders = list(folders)
    if workers is None:  # SCORE_BUILD_WORKERS=1: always validate in this process (e.g. a machine shared with others)
        workers = settings.get().build_workers or os.cpu_count() or 1
    workers = min(workers, len(folders))
    sizes = {folder: _folder_bytes(folder) for folder in folders}
    if read is not read_country_dir or workers < 2 or sum(sizes.values()) < min_bytes:
        return [read(folder) for folder in folders]
    shares: list[list[Path]] = [[] for _ in range(workers)]
    for folder in sorted(folders, key=lambda f: -sizes[f]):  # largest first, each to the least loaded worker
        min(shares, key=lambda share: sum(sizes[f] for f in share)).append(folder)
    try:
        reports = _validate_in_workers(shares)
    except Exception as error:  # a worker that cannot start, dies or cannot send: validate here
        LOG.warning("validating %d folders in worker processes failed (%r); validating them here", len(folders), error)
        return [read_country_dir(folder) for folder in folders]
    # As read_country_dir, with the report from the worker (the files are read here rather than sent back).
    return [
        CountryInput(folder.name, reports[folder], country_files(folder), is_demo=(folder / DEMO_MARKER).exists())
        for folder in folders
    ]


def _validate_in_workers(shares: list[list[Path]]) -> dict[Path, ValidationReport]:
    """One `python -m score.build_worker JOB` per share, all at once; JOB (a pickle in a private temporary folder)
    holds the folders and what the report depends on besides them: the language and the upload limit."""
    from score import config, i18n

    env = {
        **os.environ,
        **settings.get().env(),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(config.REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    with tempfile.TemporaryDirectory(prefix="score-validate-") as tmp:
        running: list[tuple[list[Path], Path, subprocess.Popen]] = []
        try:
            for number, share in enumerate(shares):
                job = Path(tmp) / f"job-{number}.pickle"
                job.write_bytes(
                    pickle.dumps((i18n.current_language(), settings.get().max_upload_mb, [str(f) for f in share]))
                )
                command = [sys.executable, "-m", "score.build_worker", str(job)]
                running.append((share, job, subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)))
            reports: dict[Path, ValidationReport] = {}
            for share, job, process in running:
                if process.wait() != 0:
                    raise RuntimeError(f"a validation worker exited with status {process.returncode}")
                reports.update(zip(share, pickle.loads(job.with_suffix(".out").read_bytes()), strict=True))
            return reports
        finally:
            for _share, _job, process in running:
                if process.poll() is None:
                    process.kill()
                    process.wait()


def validation_fingerprint(reference_dir: Path = REFERENCE_DIR) -> str:
    """What a validation's outcome depends on besides the files: the contract, the validator, the code lists.
    Recorded in each version (meta), so a later publish knows whether that version's tables may be reused."""
    digest = hashlib.sha256()
    validator = sorted(Path(ingest.__file__).parent.glob("*.py"))  # the score.ingest package, every module
    for path in [Path(contract.__file__), *validator, *sorted(reference_dir.iterdir())]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class VersionFacts:
    """What a version says about the countries it was built from, read once for every folder a publish checks."""

    path: Path
    reusable: bool  # built with this contract, validator, code lists, record-key secret and schema
    # country -> (source_sha256, is_demo, enterprises, training_rows, indicator_rows, logframe_rows)
    datasets: dict[str, tuple]


def version_facts(version_path: Path, reference_dir: Path = REFERENCE_DIR) -> VersionFacts | None:
    """The version's country_dataset rows and whether its tables may be reused at all; None when it cannot be read
    (a damaged or older version: its countries are validated instead)."""
    try:
        con = duckdb.connect(str(version_path), read_only=True)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            rows = con.execute(
                "SELECT country, source_sha256, is_demo, enterprises, training_rows, indicator_rows, logframe_rows "
                "FROM country_dataset"
            ).fetchall()
        finally:
            con.close()
    except duckdb.Error:
        return None
    reusable = (
        meta.get("validation_sha256") == validation_fingerprint(reference_dir)
        and meta.get("secret_sha256") == _secret_fingerprint(disclosure.load_secret(create=True))
        and meta.get("schema_sha256") == schema_fingerprint()  # the derived tables copied with the rows
    )
    return VersionFacts(version_path, reusable, {row[0]: tuple(row[1:]) for row in rows})


def reuse_from_version(
    folder: Path, version_path: Path, reference_dir: Path = REFERENCE_DIR, facts: VersionFacts | None = None
) -> CountryInput | None:
    """The country's validated tables taken from a published version instead of validating its files again, when
    that version was built from exactly these files (sha256) by the same contract, validator and code lists.
    None when they differ (then the folder is validated as usual). An incremental publish: only the uploaded
    country is validated; unchanged countries cost a copy of their rows (BENCHMARKS.md). `facts`: the version's,
    read once by a caller checking many folders against it."""
    facts = facts if facts is not None else version_facts(version_path, reference_dir)
    dataset = facts.datasets.get(folder.name) if facts is not None and facts.reusable else None
    if dataset is None:
        return None
    is_demo = (folder / DEMO_MARKER).exists()
    item = CountryInput(
        folder.name, ValidationReport(folder.name), country_files(folder), is_demo, previous=version_path
    )
    if dataset[0] != _sha256_of_files(item.files, item.digests) or dataset[1] != is_demo:
        return None
    item.counts = dict(zip(("enterprises", "training", "indicators", "logframe"), dataset[2:], strict=True))
    return item


def schema_fingerprint() -> str:
    """Identifies score/sql/schema.sql (the tables and the macros the derived tables are written with) and how the
    noisy schema is written (statements, magnitude columns, noise parameters). A version built otherwise is not
    copied from (its derived or noisy tables may mean something else, or be missing)."""
    noisy = repr(
        (
            NOISY_BASE,
            NOISY_FROM_MAIN,
            NOISY_TABLES,
            sorted(NOT_MAGNITUDES),
            disclosure.NOISE_MIN,
            disclosure.NOISE_MAX,
            disclosure.GROUP,
            disclosure.HIDDEN_VALUE,
            disclosure.SHARE_RANGE,
            disclosure.COUNT_UNIT,
        )
    )
    return hashlib.sha256(SCHEMA_SQL.read_bytes() + noisy.encode()).hexdigest()


def _secret_fingerprint(secret: bytes) -> str:
    """Identifies the record-key secret (a copied country's record keys must come from the same one)."""
    return hashlib.sha256(b"score record keys\0" + secret).hexdigest()


# Tables holding one country's rows, copied as they are for a reused country (derived tables included: they are
# per enterprise, so a country's rows depend on that country's data only).
_COPIED = (
    "enterprise",
    "training",
    "indicator_value",
    "logframe",
    "country_dataset",
    "load_log",
    "enterprise_training",
    "delivery_people_added",
    "indicator_pair",
    "delivery_by_group",
    "delivery",
    *GROUP_TABLES,
)


def _copy_countries(con: duckdb.DuckDBPyConnection, previous: Path, countries: list[str]) -> None:
    """Copy the rows of `countries` from the version `previous`, one statement per table."""
    con.execute("ATTACH $path AS previous (READ_ONLY)", {"path": str(previous)})
    try:
        for table in (*_COPIED, *(f"noisy.{name}" for name in ("contribution_noise", "group_sign", *NOISY_TABLES))):
            con.execute(
                f"INSERT INTO {table} SELECT * FROM previous.{table} WHERE list_contains($countries, country)",  # noqa: S608 (fixed names)
                {"countries": countries},
            )
    finally:
        con.execute("DETACH previous")


def _base_version(inputs: list[CountryInput], reference_dir: Path) -> Path | None:
    """The version to start from as a copy of its file, when every reused country comes from that one version and it
    was built with this schema, validator and code lists (so its macros and noisy schema are this build's, and its
    reused countries' rows are as _copy_countries would copy them; the code lists are loaded anew all the same). A
    file copy costs a fraction of copying the rows (they are not decompressed and compressed again: BENCHMARKS.md,
    "Publishing one country"). None otherwise, or when that version has a write-ahead log beside it (its file alone
    would not be the whole version)."""
    previous = {item.previous for item in inputs if item.previous is not None}
    if len(previous) != 1:
        return None
    base = previous.pop()
    if Path(f"{base}.wal").exists():
        return None
    try:
        con = duckdb.connect(str(base), read_only=True)
    except duckdb.Error:
        return None
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.Error:
        return None
    finally:
        con.close()
    if meta.get("schema_sha256") != schema_fingerprint() or meta.get("validation_sha256") != validation_fingerprint(
        reference_dir
    ):
        return None
    return base


def _keep_countries(con: duckdb.DuckDBPyConnection, countries: list[str]) -> None:
    """In a copy of a version: drop every row of the countries not in `countries` (the tables _copy_countries copies,
    in main and noisy) and the version's meta, as if the kept countries' rows had been copied into an empty database.
    Each delete is committed on its own, so the rows put back under the same keys later do not meet the deleted ones
    in one transaction."""
    for table in (*_COPIED, *(f"noisy.{name}" for name in ("contribution_noise", "group_sign", *NOISY_TABLES))):
        con.execute(
            f"DELETE FROM {table} WHERE NOT list_contains($countries, country)",  # noqa: S608 (fixed names)
            {"countries": countries},
        )
    con.execute("DELETE FROM meta")


def _sha256_of_files(files: Mapping[str, bytes], digests: Mapping[str, bytes] | None = None) -> str:
    """One sha256 for a country's files (names and contents); `digests`: each file's sha256, when known already."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + (digests[name] if digests else hashlib.sha256(files[name]).digest()))
    return digest.hexdigest()


def _load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    for table, file_name in _REFERENCE_TABLES.items():
        path = reference_dir / file_name
        if not path.exists():
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            frame = pd.DataFrame(list(csv.DictReader(handle)), dtype="string")
        frame = frame.rename(columns=_COLUMN_RENAMES.get(table, {}))
        columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]  # identifier from a fixed list
        frame = frame[[c for c in columns if c in frame.columns]]
        con.register("reference_frame", frame)
        names = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM reference_frame")  # noqa: S608 (allow-listed)
        con.unregister("reference_frame")


def _insert(con: duckdb.DuckDBPyConnection, table: str, country: str, frame: pd.DataFrame) -> None:
    """Insert a typed contract frame, prefixed with its country, by column name. Handed to DuckDB as an Arrow table:
    its scan of pandas' masked and Arrow-backed columns cost more than the conversion and the Arrow scan together
    (BENCHMARKS.md, "Full build at x200: a profile")."""
    con.register("country_frame", pa.Table.from_pandas(frame, preserve_index=False))
    names = ", ".join(frame.columns)
    con.execute(
        f"INSERT INTO {table} (country, {names}) SELECT $country, {names} FROM country_frame",  # noqa: S608 (contract names)
        {"country": country},
    )
    con.unregister("country_frame")


def _noise_shares(secret: bytes, enterprises: pd.DataFrame, countries: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(each enterprise's signed share and count offset, each group's sign) for the enterprises of `countries`
    (country, enterprise_id, sector, phase, size, amount = size x headcount), the groups keeping their direction of
    the current version."""
    groups = enterprises.groupby(list(disclosure.GROUP), as_index=False)["amount"].sum()
    signs = disclosure.group_signs(secret, groups, _current_signs(secret, countries))
    shares = enterprises.merge(signs, on=list(disclosure.GROUP), how="left")
    shares["share"] = shares["sign"] * shares["size"]
    shares["count_offset"] = disclosure.count_offsets(secret, shares)
    return shares[["country", "enterprise_id", "share", "count_offset"]], signs


def _current_signs(secret: bytes, countries: list[str]) -> pd.DataFrame | None:
    """The group directions of the published version (same secret), for `countries`; None without one."""
    from score import config

    pointer = config.db_pointer()
    if not pointer.exists():
        return None
    try:
        con = duckdb.connect(str(pointer.resolve()), read_only=True)
    except duckdb.Error:
        return None
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("secret_sha256") != _secret_fingerprint(secret):
            return None
        return con.execute(
            "SELECT country, sector, phase, sign FROM noisy.group_sign WHERE list_contains($c, country)",
            {"c": countries},
        ).df()
    except duckdb.Error:  # a version from before group directions: start afresh
        return None
    finally:
        con.close()


# The base tables the derived tables are written from (with the code lists, read from main).
DERIVED_FROM = ("enterprise", "training", "indicator_value")


def _quoted_database(con: duckdb.DuckDBPyConnection) -> str:
    """The version's database name, quoted (qualifies its tables while `reading` puts another first)."""
    database = con.execute("SELECT current_database()").fetchall()[0][0]
    return '"' + str(database).replace('"', '""') + '"'


@contextmanager
def reading(con: duckdb.DuckDBPyConnection, schema: str, alone: list[str] | None = None) -> Iterator[None]:
    """Unqualified table names (the macros') resolve to schema `schema` (main or noisy), then main. With `alone`, the
    DERIVED_FROM tables are first found in an in-memory database holding only the rows of those countries: a publish
    writes the derived rows of the uploaded country alone, and the macros' joins and DISTINCTs over every delivery
    (the module scopes) then work through that country's rows instead of every country's. The same rows: a country's
    derived rows depend on its own base rows only (enterprise ids are unique across countries)."""
    if schema not in ("main", "noisy"):
        raise ValueError(f"no such schema of a version: {schema!r}")
    quoted = _quoted_database(con)
    path = [f"{quoted}.{name}" for name in dict.fromkeys((schema, "main"))]
    if alone is not None:
        con.execute("ATTACH ':memory:' AS built_rows")
        if schema != "main":
            con.execute(f"CREATE SCHEMA built_rows.{schema}")  # schema: main or noisy (checked above)
        for table in DERIVED_FROM:
            con.execute(
                f"CREATE TABLE built_rows.{schema}.{table} AS "  # noqa: S608 (fixed names)
                f"SELECT * FROM {quoted}.{schema}.{table} WHERE list_contains($countries, country)",
                {"countries": alone},
            )
        path.insert(0, f"built_rows.{schema}")
    con.execute("SET search_path = $path", {"path": ",".join(path)})
    try:
        yield
    finally:  # qualified: the first entry of a search path is the default database (detached next)
        con.execute("SET search_path = $path", {"path": f"{quoted}.main"})
        if alone is not None:
            con.execute("DETACH built_rows")


def write_noisy_tables(
    con: duckdb.DuckDBPyConnection,
    noise: tuple[pd.DataFrame, pd.DataFrame],
    countries: list[str],
    alone: bool = False,
) -> None:
    """Fill schema noisy for `countries`: each enterprise's share and each group's direction (`noise`, from
    _noise_shares), the base tables with magnitudes moved by the share, then the derived tables from those (the same
    macros, reading schema noisy first; `alone`: from those countries' rows alone, as `reading`)."""
    shares, signs = noise
    con.register("noise_frame", shares)
    con.execute("INSERT INTO noisy.contribution_noise BY NAME SELECT * FROM noise_frame")
    con.unregister("noise_frame")
    con.register("sign_frame", signs)
    con.execute("INSERT INTO noisy.group_sign BY NAME SELECT * FROM sign_frame")
    con.unregister("sign_frame")
    for statement in (*NOISY_BASE, *NOISY_FROM_MAIN.values()):
        con.execute(statement, {"countries": countries})
    targets = {_target(statement) for statement in DERIVED_TABLES} | set(GROUP_TABLES)
    if not targets <= set(NOISY_TABLES):  # a derived table without its noisy twin would be written into main twice
        raise RuntimeError(f"derived tables missing from NOISY_TABLES: {sorted(targets - set(NOISY_TABLES))}")
    enterprises = con.execute("SELECT count(*) FROM noisy.contribution_noise").fetchall()[0][0]
    if enterprises * (disclosure.KEY_RANGE - 1) >= disclosure.KEY_SHIFT:  # MAIN_FROM_NOISY's low parts would overflow
        raise RuntimeError(f"{enterprises} enterprises: a sum of record keys no longer fits below KEY_SHIFT")
    main = f"{_quoted_database(con)}.main"
    with reading(con, "noisy", countries if alone else None):
        write_derived_tables(con, countries, skip=NOISY_FROM_MAIN, main_from_noisy=main)


def _main_rows_from_noisy(table: str) -> str:
    """The SELECT list of `table`'s main rows from its noisy scope rows (MAIN_FROM_NOISY): each key sum's low part
    (floor modulo KEY_SHIFT; DuckDB's % keeps the sign of a negative count offset's sum)."""
    shift = disclosure.KEY_SHIFT
    low = ", ".join(f"(({c} % {shift}) + {shift}) % {shift} AS {c}" for c in MAIN_FROM_NOISY[table])
    return f"* REPLACE ({low})"


def _target(statement: str) -> str:
    """The table an INSERT statement writes."""
    match = re.match(r"INSERT INTO (\w+)", statement)
    return match.group(1) if match else ""


def write_derived_tables(
    con: duckdb.DuckDBPyConnection, countries: list[str], skip: Collection[str] = (), main_from_noisy: str | None = None
) -> None:
    """Fill the derived tables for `countries` from the loaded rows (sorted: a country's rows are stored together),
    but those named in `skip` (written otherwise). Writing schema noisy, `main_from_noisy` (schema main, qualified)
    also gets the MAIN_FROM_NOISY tables' rows, from the same scope rows; main's own pass skips those."""
    modules = [row[0] for row in con.execute("SELECT code FROM module ORDER BY sort_order").fetchall()]
    if len(modules) > MAX_MODULES:
        raise ValueError(f"{len(modules)} modules: a row's module_bits (score/sql/schema.sql) hold {MAX_MODULES}")
    for statement in DERIVED_TABLES:
        if _target(statement) in skip:
            continue
        params = {"countries": countries, **(_EVERY_YEAR if "$year_from" in statement else {})}
        con.execute(statement, params)
    # The module scopes take an enterprise's one delivery of a module as its figures there (schema.sql, "Scopes"):
    # validation rejects a repeated (enterprise_id, module), so this only fails on rows that bypassed it.
    repeated = con.execute(
        "SELECT enterprise_id, module FROM training WHERE list_contains($countries, country) "
        "GROUP BY enterprise_id, module HAVING count(*) > 1 LIMIT 1",
        {"countries": countries},
    ).fetchall()
    if repeated:
        raise RuntimeError(f"training repeats enterprise_id, module {repeated[0]}: the contract's key")
    for table, macro in GROUP_TABLES.items():
        if table in skip:
            continue
        # The scopes' rows written by one ordered statement (one per scope cost ~0.3 s more CPU a two-country build):
        # the all-modules scope first (rank 0), then each module's in sort order, each sorted by all its columns.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE scope_rows AS SELECT 0 AS scope_rank, nullif(scope, '') AS module, "  # noqa: S608 (macro: a value of GROUP_TABLES)
            f"* EXCLUDE (scope) FROM {macro}($countries, NULL, NULL, NULL, NULL, NULL, $year_from, $year_to, false) "
            "WHERE nullif(scope, '') IS NULL",
            {"countries": countries} | _EVERY_YEAR,
        )
        con.execute(
            "INSERT INTO temp.main.scope_rows SELECT list_position($modules, scope) AS scope_rank, scope AS module, "  # noqa: S608 (macro: a value of GROUP_TABLES)
            f"* EXCLUDE (scope) FROM {macro}($countries, NULL, NULL, NULL, NULL, NULL, $year_from, $year_to, true) "
            "WHERE list_contains($modules, scope)",
            {"countries": countries, "modules": modules} | _EVERY_YEAR,
        )
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (scope_rank) FROM "  # noqa: S608 (fixed names)
            "(SELECT * FROM temp.main.scope_rows ORDER BY ALL)"
        )
        if main_from_noisy is not None and table in MAIN_FROM_NOISY:
            # the same order: a row's group columns come first and are unique within a scope
            con.execute(
                f"INSERT INTO {main_from_noisy}.{table} BY NAME "  # noqa: S608 (fixed names)
                f"SELECT {_main_rows_from_noisy(table)} FROM "
                "(SELECT * EXCLUDE (scope_rank) FROM (SELECT * FROM temp.main.scope_rows ORDER BY ALL))"
            )
    con.execute("DROP TABLE IF EXISTS temp.main.scope_rows")


def build_database(
    out_path: Path,
    inputs: list[CountryInput],
    version: int,
    reference_dir: Path = REFERENCE_DIR,
    secret: bytes | None = None,
) -> dict[str, int]:
    """Write a complete database to out_path (which must not exist). Returns row counts per table.

    `secret` (default: the data directory's, made on the first build) gives each enterprise its record key."""
    invalid = {c.country: c.report for c in inputs if not c.report.ok}
    if invalid:
        raise BuildError(invalid)
    secret = secret if secret is not None else disclosure.load_secret(create=True)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    noise: list[pd.DataFrame] = []
    base = _base_version(inputs, reference_dir)
    # Started from a copy of the version every reused country comes from (the others' rows dropped), or of an empty
    # database of this schema.
    shutil.copyfile(base if base is not None else _empty_schema(), out_path)
    con = duckdb.connect(str(out_path))
    try:
        if base is not None:
            _keep_countries(con, [item.country for item in inputs if item.previous is not None])
            for table in _REFERENCE_TABLES:  # the code lists loaded anew (~0.1 s), as this code loads them
                con.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
            _load_reference(con, reference_dir)
        else:
            _load_reference(con, reference_dir)
            for previous in sorted({item.previous for item in inputs if item.previous is not None}):
                _copy_countries(con, previous, [item.country for item in inputs if item.previous == previous])
        for item in inputs:
            if item.previous is not None:
                continue
            tables = item.report.tables
            digests = item.digests
            enterprises = tables["enterprises"].copy()
            enterprises["join_year"] = enterprises["joined_on"].dt.year.astype("Int64")
            enterprises["record_key"] = disclosure.record_keys(secret, enterprises["enterprise_id"])
            _insert(con, "enterprise", item.country, enterprises)
            size = disclosure.noise_sizes(secret, enterprises["enterprise_id"])
            headcount = enterprises["workers_female"] + enterprises["workers_male"]
            noise.append(
                enterprises[["enterprise_id", "sector", "phase"]].assign(
                    country=item.country, size=size, amount=size * headcount
                )
            )
            _insert(con, "training", item.country, tables["training"])
            _insert(con, "indicator_value", item.country, tables["indicators"])
            logframe = tables.get("logframe")
            if logframe is not None and len(logframe):
                _insert(con, "logframe", item.country, logframe)
            con.execute(
                "INSERT INTO country_dataset VALUES ($country, $is_demo, $e, $t, $i, $l, $sha)",
                {
                    "country": item.country,
                    "is_demo": item.is_demo,
                    "e": len(tables["enterprises"]),
                    "t": len(tables["training"]),
                    "i": len(tables["indicators"]),
                    "l": 0 if logframe is None else len(logframe),
                    "sha": _sha256_of_files(item.files, digests),
                },
            )
            for file_name in sorted(item.files):
                table_name = next((t for t in contract.TABLES if t in file_name.lower()), None)
                rows = len(tables[table_name]) if table_name in tables else None
                con.execute(
                    "INSERT INTO load_log VALUES ($country, $file, $sha, $rows, $at)",
                    {
                        "country": item.country,
                        "file": file_name,
                        "sha": digests[file_name].hex(),
                        "rows": rows,
                        "at": loaded_at,
                    },
                )
        built = [item.country for item in inputs if item.previous is None]
        alone = any(item.previous is not None for item in inputs)  # the tables hold other countries' rows too
        with reading(con, "main", built if alone else None):
            write_derived_tables(con, built, skip=MAIN_FROM_NOISY if noise else ())
        if noise:
            shares = _noise_shares(secret, pd.concat(noise, ignore_index=True), built)
            write_noisy_tables(con, shares, built, alone=alone)
        meta = {
            "data_version": str(version),
            "built_at": loaded_at.isoformat(),
            "is_demo": str(bool(inputs) and all(c.is_demo for c in inputs)).lower(),
            "countries": ",".join(c.country for c in inputs),
            "validation_sha256": validation_fingerprint(reference_dir),
            "secret_sha256": _secret_fingerprint(secret),
            "schema_sha256": schema_fingerprint(),
        }
        con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
        counts = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608 (fixed names)
            for table in ("enterprise", "training", "indicator_value", "logframe", "country")
        }
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts
