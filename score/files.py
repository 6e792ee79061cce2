"""Private files of the data directory: who may read them, one writer at a time, and writes that are whole.

Everything under the data directory (country files, archive, versions, users file, audit log, secret, session
and throttle stores, lock files) holds enterprise names, coordinates or credentials: 0600 files and 0700
folders, readable by the service's user only, whatever the umask or a git checkout left. `restrict_modes` is
run by every build, publish and change of the users file; `private_lock` creates its lock file 0600.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE, FOLDER_MODE = 0o600, 0o700


def restrict_modes(root: Path) -> None:
    """Every folder below `root` (and `root`) 0700, every file 0600; symbolic links are left as they are."""
    if not root.is_dir():
        return
    os.chmod(root, FOLDER_MODE)
    for folder, dirs, names in os.walk(root):
        for child in dirs:
            path = Path(folder) / child
            if not path.is_symlink():
                os.chmod(path, FOLDER_MODE)
        for child in names:
            path = Path(folder) / child
            if not path.is_symlink():
                os.chmod(path, FILE_MODE)


@contextmanager
def private_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created 0600), across processes; flock is per open file, so threads too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # a lock file an older version made 0644
    with open(fd, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable (the folder's entry, not only the file's bytes)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes, mode: int = FILE_MODE, durable: bool = True) -> None:
    """Write bytes into a file created with `mode` (0600: readable by the service only), whatever the umask;
    `durable`: flushed to the disk before returning."""
    with open(path, "wb", opener=lambda name, flags: os.open(name, flags, mode)) as handle:
        os.fchmod(handle.fileno(), mode)
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())


def write_atomic(path: Path, data: bytes, mode: int = FILE_MODE, durable: bool = True) -> None:
    """Replace `path` with `data` all at once: a reader sees the old file or the new one, never half of one (a
    temporary file in the same folder, per process and thread, then renamed over it). `durable` (the default):
    the file and the rename are on the disk before returning; without it a crash may keep the old file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        write_private(tmp, data, mode, durable)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if durable:
        fsync_dir(path.parent)
