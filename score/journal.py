"""The publish journal: the transaction folder of a version being published, the history of published versions,
and `recover()`, which finishes or rolls back what a killed publisher left (the steps themselves: score.publish).

A transaction `data/versions/.txn-<n>/` stages the uploaded files (`archive/<ISO3>/`, raw bytes with a JSON
sidecar: who, when, name, sha256) and the new country folders (`countries/<ISO3>/`); `entry.json` marks it
prepared. After the pointer switch, `finish` moves the staged files into `data/archive/` and
`data/countries/`, appends the entry to `data/versions/history.jsonl` and deletes the folder; it is idempotent,
so `recover()` runs it again for a prepared transaction whose version the pointer names, and `discard` rolls
back any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from score import config, versions
from score import files as private_files
from score.build import DEMO_MARKER
from score.ingest.names import TEXT_SUFFIXES, table_for_name

LOG = logging.getLogger(__name__)
TXN_RE = re.compile(r"^\.txn-(\d+)$")
DEMO_NOTE = "Synthetic demo data restored from an earlier version. Not real enterprises.\n"


def history_file() -> Path:
    return config.versions_dir() / "history.jsonl"


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def append_history(entry: dict) -> None:
    path = history_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        handle.seek(0, os.SEEK_END)
        prefix = b""
        if handle.tell():  # a torn last line (killed mid-write) must not swallow this one
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                prefix = b"\n"
        handle.write(prefix + (json.dumps(entry, sort_keys=True) + "\n").encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def read_history() -> list[dict]:
    """Every published version, oldest first (skips a torn line after a crash)."""
    if not history_file().exists():
        return []
    entries = []
    for line in history_file().read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and isinstance(item.get("version"), int):
            entries.append(item)
    return entries


def country_history(country: str) -> list[dict]:
    """The versions that held data for `country`, newest first, with that country's row counts."""
    rows = []
    for entry in reversed(read_history()):
        if country not in entry.get("countries", {}):
            continue
        counts = entry.get("country_rows", {}).get(country, {})
        rows.append(
            {
                "version": entry["version"],
                "at": entry.get("at"),
                "user": entry.get("user"),
                "action": entry.get("action"),
                "changed": entry.get("country") == country or entry.get("action") == "build",
                "enterprises": entry["countries"][country],
                "training": counts.get("training"),
                "indicators": counts.get("indicators"),
                "restored_from": entry.get("restored_from"),
                "submitted_by": entry.get("submitted_by"),
                "files": ", ".join(f["name"] for f in entry.get("files", []) if f.get("country") == country),
            }
        )
    return rows


def txn_dir(number: int) -> Path:
    return config.versions_dir() / f".txn-{number}"


def archive_upload(
    txn: Path,
    country: str,
    files: Mapping[str, bytes],
    user: str,
    when: dt.datetime,
    reuse: bool = False,
    digests: Mapping[str, bytes] | None = None,
) -> list[Path]:
    """Stage the raw bytes of every file with a JSON sidecar (who, when, name, sha256) in the transaction.

    Returns the paths (relative to the data dir) the files have once the transaction is finished. With
    reuse=True (countries rebuilt from their folders) a file already archived with the same content is
    referenced instead of stored again, so every version can be restored without duplicating bytes. `digests`: each
    file's sha256, when known already.
    """
    archive = config.archive_dir() / country
    staged = txn / "archive" / country
    stamp = when.strftime("%Y%m%dT%H%M%S") + f".{when.microsecond:06d}Z"
    out: list[Path] = []
    for name, raw in sorted(files.items()):
        sha = digests[name].hex() if digests is not None else sha256_hex(raw)
        ext = Path(name).suffix.lower().lstrip(".") or "bin"
        if reuse:
            existing = sorted(archive.glob(f"*_{sha}.{ext}")) if archive.exists() else []
            if existing:
                out.append(existing[0].relative_to(config.data_dir()))
                continue
        staged.mkdir(parents=True, exist_ok=True)
        file_name = f"{stamp}_{sha}.{ext}"
        private_files.write_private(staged / file_name, raw)
        sidecar = {
            "country": country,
            "original_name": Path(name).name,
            "sha256": sha,
            "bytes": len(raw),
            "user": user,
            "uploaded_at": when.isoformat(),
        }
        private_files.write_private(staged / f"{file_name}.json", json.dumps(sidecar, indent=1).encode())
        out.append((archive / file_name).relative_to(config.data_dir()))
    return out


def country_file_name(uploaded: str) -> str:
    """The name an uploaded file takes in the country folder: its table's (`COL-current-2026-12-05-training.csv`
    -> `training.csv`), so the folder always reads the same whatever the upload was called; a workbook keeps its
    name (it holds every table). The archive keeps the name as uploaded."""
    name = Path(uploaded).name
    table = table_for_name(name) if Path(name).suffix.lower() in TEXT_SUFFIXES else None
    return f"{table}{Path(name).suffix.lower()}" if table else name


def stage_country_folder(txn: Path, country: str, files: Mapping[str, bytes], is_demo: bool = False) -> None:
    folder = txn / "countries" / country
    folder.mkdir(parents=True, exist_ok=True)
    for name, raw in files.items():
        private_files.write_private(folder / country_file_name(name), raw)
    if is_demo:  # restored demo data, or a demo account's approved submission on demo data, stays demo data
        private_files.write_private(folder / DEMO_MARKER, DEMO_NOTE.encode())


def finish(txn: Path) -> None:
    """Step 7, after the pointer switch. Idempotent: recover() runs it again after a crash."""
    match = TXN_RE.match(txn.name)
    assert match is not None  # recover() and publish._new_version only pass .txn-<n> folders
    number = int(match.group(1))
    entry = json.loads((txn / "entry.json").read_text(encoding="utf-8"))
    staged_archive = txn / "archive"
    if staged_archive.exists():
        for folder in sorted(staged_archive.iterdir()):
            dest = config.archive_dir() / folder.name
            dest.mkdir(parents=True, exist_ok=True)
            for item in sorted(folder.iterdir()):
                os.replace(item, dest / item.name)
            private_files.fsync_dir(dest)
    staged_countries = txn / "countries"
    if staged_countries.exists():
        root = config.countries_dir()
        root.mkdir(parents=True, exist_ok=True)
        for staged in sorted(staged_countries.iterdir()):
            target, old = root / staged.name, root / f".old-{staged.name}-{number}"
            if target.exists():
                shutil.rmtree(old, ignore_errors=True)
                os.replace(target, old)
            os.replace(staged, target)
            shutil.rmtree(old, ignore_errors=True)
        private_files.fsync_dir(root)
    if not any(e["version"] == number for e in read_history()):
        append_history(entry)
    shutil.rmtree(txn)
    private_files.fsync_dir(txn.parent)


def discard(txn: Path | None, number: int) -> None:
    """Roll back an uncommitted transaction: its folder and its version file (never the current one)."""
    if txn is not None:
        shutil.rmtree(txn, ignore_errors=True)
    building = versions.building_path(number)
    for leftover in (building, Path(f"{building}.wal")):
        leftover.unlink(missing_ok=True)
    final = versions.path(number)
    if final.exists() and not versions.is_current(final):
        final.unlink()
        Path(f"{final}.wal").unlink(missing_ok=True)


def recover() -> list[str]:
    """Finish or roll back what a killed publisher left. Caller holds publish_lock. Returns what it did."""
    done: list[str] = []
    folder = config.versions_dir()
    if folder.exists():
        for txn in sorted(folder.iterdir()):
            match = TXN_RE.match(txn.name)
            if not match or not txn.is_dir():
                continue
            number = int(match.group(1))
            final = versions.path(number)
            if versions.is_current(final) and (txn / "entry.json").exists():
                finish(txn)
                done.append(f"finished version {number}")
            else:
                discard(txn, number)
                done.append(f"rolled back version {number}")
        for stale in folder.glob("*.building*"):
            stale.unlink(missing_ok=True)  # left by a killed publisher; never a published version
    root = config.countries_dir()
    if root.exists():  # leftovers of the folder swap in older releases (no journal)
        for leftover in root.glob(".old-*"):
            country = leftover.name.split("-")[1]
            if not (root / country).exists():
                os.replace(leftover, root / country)
            else:
                shutil.rmtree(leftover, ignore_errors=True)
        for leftover in root.glob(".staging-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    if done:
        LOG.warning("publish recovery: %s", "; ".join(done))
    return done
