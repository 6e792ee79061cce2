"""Private files of the data directory: who may read them, and one writer at a time.

Everything under the data directory (country files, archive, versions, users file, audit log, secret, session
and throttle stores, lock files) holds enterprise names, coordinates or credentials: 0600 files and 0700
folders, readable by the service's user only, whatever the umask or a git checkout left. `restrict_modes` is
run by every build, publish and change of the users file; `private_lock` creates its lock file 0600.
"""

from __future__ import annotations

import fcntl
import os
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
