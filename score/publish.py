"""Publishing: archive every accepted upload, build a new immutable database version, switch atomically.

Readers open `data/score.duckdb`, a symlink to `data/versions/score-<n>.duckdb`. A new version is built
into `score-<n>.duckdb.building`, checked, checkpointed and closed, renamed to its final name, and only
then does a new symlink get renamed over the pointer (rename is atomic on POSIX). A reader therefore
resolves either the old or the new complete file, never a half-built one; a crash at any point leaves
the previous version in place. We never copy a file over the path of an open database (duckdb #15912).

Retention: versions are kept (they are small and make restore instant). `prune_versions(keep)` removes
all but the newest `keep` versions that are not the current one; the archive is never pruned.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from score import config
from score.build import DEMO_MARKER, CountryInput, build_database, collect_inputs
from score.ingest import ValidationReport, validate_submission

VERSION_RE = re.compile(r"^score-(\d+)\.duckdb$")


class RejectedUpload(Exception):
    """The upload did not validate; nothing was changed."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(f"{len(report.errors)} error(s) in the upload for {report.country}")


class PublishError(Exception):
    """The new version failed its checks or could not be written; the previous version stays current."""


@dataclass(frozen=True)
class PublishResult:
    version: int
    path: Path
    counts: dict[str, int]
    archived: list[Path]


def history_file() -> Path:
    return config.versions_dir() / "history.jsonl"


def current_version_path() -> Path | None:
    """The versioned file the pointer resolves to, or None if there is no database yet."""
    pointer = config.db_pointer()
    if not pointer.exists():
        return None
    return pointer.resolve()


def version_number(path: Path) -> int | None:
    match = VERSION_RE.match(path.name)
    return int(match.group(1)) if match else None


def list_versions() -> list[int]:
    folder = config.versions_dir()
    if not folder.exists():
        return []
    return sorted(n for p in folder.iterdir() if (n := version_number(p)) is not None)


@contextmanager
def publish_lock() -> Iterator[None]:
    """One publisher at a time across processes (DuckDB allows one writer per file anyway)."""
    config.data_dir().mkdir(parents=True, exist_ok=True)
    with open(config.data_dir() / "publish.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def switch_pointer(target: Path) -> None:
    """Point data/score.duckdb at target by renaming a fresh symlink over it (atomic)."""
    pointer = config.db_pointer()
    link = pointer.with_name(f".{pointer.name}.{os.getpid()}.link")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, pointer.parent), link)
    os.replace(link, pointer)
    _fsync_dir(pointer.parent)


def check_version(path: Path, inputs: list[CountryInput], counts: dict[str, int]) -> None:
    """Re-open the finished file read-only and check it holds exactly what went in."""
    expected = {
        "enterprise": sum(len(c.report.tables["enterprises"]) for c in inputs),
        "training": sum(len(c.report.tables["training"]) for c in inputs),
        "indicator_value": sum(len(c.report.tables["indicators"]) for c in inputs),
    }
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table, rows in expected.items():
            got = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            if got != rows or counts.get(table) != rows:
                raise PublishError(f"{table}: {got} rows in the new version, {rows} expected")
        countries = {r[0] for r in con.execute("SELECT DISTINCT country FROM enterprise").fetchall()}
        if countries != {c.country for c in inputs if len(c.report.tables["enterprises"])}:
            raise PublishError(f"countries in the new version: {sorted(countries)}")
        bad = con.execute(
            "SELECT count(*) FROM enterprise WHERE workers_female < 0 OR workers_male < 0 "
            "OR NOT (latitude IS NULL OR latitude BETWEEN -90 AND 90)"
        ).fetchone()[0]
        if bad:
            raise PublishError(f"{bad} enterprises with out-of-range values")
    finally:
        con.close()


def _archive_upload(
    country: str, files: Mapping[str, bytes], user: str, when: dt.datetime, reuse: bool = False
) -> list[Path]:
    """Store the raw bytes of every file, with a JSON sidecar (who, when, name, sha256). Never deleted.

    With reuse=True (builds from the country folders) a file already archived with the same content
    is referenced instead of stored again, so every version can be restored without duplicating bytes.
    """
    folder = config.archive_dir() / country
    folder.mkdir(parents=True, exist_ok=True)
    stamp = when.strftime("%Y%m%dT%H%M%S") + f".{when.microsecond:06d}Z"
    written: list[Path] = []
    reused: list[Path] = []
    try:
        for name, raw in sorted(files.items()):
            sha = hashlib.sha256(raw).hexdigest()
            ext = Path(name).suffix.lower().lstrip(".") or "bin"
            existing = sorted(folder.glob(f"*_{sha}.{ext}")) if reuse else []
            if existing:
                reused.append(existing[0])
                continue
            path = folder / f"{stamp}_{sha}.{ext}"
            _write_atomic(path, raw)
            written.append(path)
            sidecar = {
                "country": country,
                "original_name": name,
                "sha256": sha,
                "bytes": len(raw),
                "user": user,
                "uploaded_at": when.isoformat(),
            }
            meta_path = path.with_suffix(path.suffix + ".json")
            _write_atomic(meta_path, json.dumps(sidecar, indent=1).encode())
            written.append(meta_path)
    except OSError:
        for path in written:  # an incomplete upload is not an archived upload
            path.unlink(missing_ok=True)
        raise
    return sorted(reused + [p for p in written if not p.name.endswith(".json")])


def _replace_country_folder(country: str, files: Mapping[str, bytes]) -> None:
    """Make data/countries/<ISO3>/ hold exactly the published files (input of the next build)."""
    root = config.countries_dir()
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".staging-{country}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name, raw in files.items():
        (staging / Path(name).name).write_bytes(raw)
    target, old = root / country, root / f".old-{country}-{os.getpid()}"
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def recover_country_folders() -> None:
    """After a crash between the two renames above, put the previous folder back."""
    root = config.countries_dir()
    if not root.exists():
        return
    for leftover in root.glob(".old-*"):
        country = leftover.name.split("-")[1]
        if not (root / country).exists():
            os.replace(leftover, root / country)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in root.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _append_history(entry: dict) -> None:
    history_file().parent.mkdir(parents=True, exist_ok=True)
    with open(history_file(), "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_history() -> list[dict]:
    """Every published version, oldest first (skips a torn last line after a crash)."""
    if not history_file().exists():
        return []
    entries = []
    for line in history_file().read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries


def _build_new_version(
    overrides: Mapping[str, CountryInput], action: str, user: str, **details: object
) -> PublishResult:
    """Build, check and switch to a new version. Caller holds publish_lock."""
    recover_country_folders()
    inputs = collect_inputs(config.countries_dir(), overrides)
    folder = config.versions_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.building*"):
        stale.unlink()  # left by a killed publisher; never a published version
    number = max(list_versions(), default=0) + 1
    final = folder / f"score-{number}.duckdb"
    building = folder / f"score-{number}.duckdb.building"
    try:
        counts = build_database(building, inputs, number)
        check_version(building, inputs, counts)
        os.replace(building, final)
        _fsync_dir(folder)
    except BaseException:
        building.unlink(missing_ok=True)
        Path(f"{building}.wal").unlink(missing_ok=True)
        raise
    switch_pointer(final)
    when = dt.datetime.now(dt.UTC)
    sources = {
        c.country: [
            str(p.relative_to(config.data_dir())) for p in _archive_upload(c.country, c.files, user, when, reuse=True)
        ]
        for c in inputs
    }
    entry = {
        "version": number,
        "action": action,
        "user": user,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "countries": {c.country: len(c.report.tables["enterprises"]) for c in inputs},
        "sources": sources,
        **details,
    }
    _append_history(entry)
    return PublishResult(
        number, final, counts, [config.data_dir() / p for p in sources.get(details.get("country"), [])]
    )


def build_all(user: str = "cli") -> PublishResult:
    """`python -m score build`: consolidate every country folder into a new version."""
    with publish_lock():
        return _build_new_version({}, "build", user)


def publish_country(country: str, files: Mapping[str, bytes], user: str) -> PublishResult:
    """Validate, archive, build and switch. Raises RejectedUpload (nothing changed) or PublishError."""
    report = validate_submission(country, files)
    if not report.ok:
        raise RejectedUpload(report)
    with publish_lock():
        when = dt.datetime.now(dt.UTC)
        archived = _archive_upload(country, files, user, when)
        item = CountryInput(country, report, dict(files), is_demo=False)
        result = _build_new_version({country: item}, "publish", user, country=country)
        _replace_country_folder(country, files)
    return PublishResult(result.version, result.path, result.counts, archived)


def restore_country(country: str, version: int, user: str) -> PublishResult:
    """Publish again the files a country had in an earlier published version (a new version itself)."""
    entry = next((e for e in read_history() if e["version"] == version), None)
    sources = (entry or {}).get("sources", {}).get(country)
    if not sources:
        raise PublishError(f"version {version} has no archived data for {country}")
    files = {}
    for relative in sources:
        path = config.data_dir() / relative
        meta = json.loads(path.with_suffix(path.suffix + ".json").read_text(encoding="utf-8"))
        files[meta["original_name"]] = path.read_bytes()
    report = validate_submission(country, files)
    if not report.ok:
        raise RejectedUpload(report)
    with publish_lock():
        item = CountryInput(country, report, files, is_demo=False)
        result = _build_new_version({country: item}, "restore", user, country=country, restored_from=version)
        _replace_country_folder(country, files)
    return result


def ensure_database() -> Path:
    """Build the database if there is none (first start, or the pointer is dangling)."""
    current = current_version_path()
    if current is not None and current.exists():
        return current
    return build_all(user="startup").path


def prune_versions(keep: int = 20) -> list[Path]:
    """Delete old versions beyond the newest `keep`; never the current one. Uploads stay archived."""
    current = current_version_path()
    removed = []
    for number in list_versions()[:-keep] if keep > 0 else []:
        path = config.versions_dir() / f"score-{number}.duckdb"
        if current is not None and path == current:
            continue
        path.unlink()
        removed.append(path)
    return removed


def is_demo_folder(folder: Path) -> bool:
    return (folder / DEMO_MARKER).exists()
