"""The database versions: `data/versions/score-<n>.duckdb` (immutable once checked) and the pointer
`data/score.duckdb`, a symbolic link to the current one. The one place that knows a version file's name, how the
pointer is read and moved, and which versions there are; score.publish builds and checks them, score.db reads
through the pointer, score.web.warm warms the newest.

The pointer is moved by renaming a fresh symlink over it (atomic on POSIX), so `duckdb data/score.duckdb` always
opens a complete version, and a reader never has a file copied over the path it has open (duckdb #15912).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from score import config, files

VERSION_RE = re.compile(r"^score-(\d+)\.duckdb$")


def path(number: int) -> Path:
    """The file of version `number` (whether or not it exists)."""
    return config.versions_dir() / f"score-{number}.duckdb"


def building_path(number: int) -> Path:
    """Where version `number` is built and checked before it is renamed to `path(number)`."""
    return config.versions_dir() / f"score-{number}.duckdb.building"


def number_of(file: Path) -> int | None:
    """The version number a file name carries (`score-7.duckdb` -> 7), None for any other file."""
    match = VERSION_RE.match(file.name)
    return int(match.group(1)) if match else None


def numbers() -> list[int]:
    """The complete versions there are, oldest first."""
    folder = config.versions_dir()
    if not folder.exists():
        return []
    return sorted(n for p in folder.iterdir() if (n := number_of(p)) is not None)


def newest() -> Path | None:
    """The newest complete version file (the pointer's target, or a checked one about to be switched to)."""
    known = numbers()
    return path(known[-1]) if known else None


def current() -> Path | None:
    """The version file the pointer names right now, or None when nothing has been published."""
    pointer = config.db_pointer()
    if not pointer.exists():
        return None
    return pointer.resolve()


def is_current(file: Path) -> bool:
    """Whether `file` is the version the pointer names (never deleted, never rolled back)."""
    now = current()
    return now is not None and now == file.resolve()


def switch(target: Path) -> None:
    """Point `data/score.duckdb` at `target` by renaming a fresh symlink over it (atomic), durably."""
    pointer = config.db_pointer()
    link = pointer.with_name(f".{pointer.name}.{os.getpid()}.link")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, pointer.parent), link)
    os.replace(link, pointer)
    files.fsync_dir(pointer.parent)


def prune(keep: int) -> list[Path]:
    """Delete the versions older than the newest `keep`, never the current one (the caller holds the publish
    lock). Uploads stay archived: a restore republishes them."""
    removed = []
    for number in numbers()[:-keep] if keep > 0 else []:
        file = path(number)
        if is_current(file):
            continue
        file.unlink()
        removed.append(file)
    return removed
