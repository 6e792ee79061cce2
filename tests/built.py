"""Data dirs built once per test run and copied by every test that needs one: a build takes seconds, a copy a
fraction of one (the version pointer is a relative link, so a copy is a valid data dir on its own).

Under pytest the xdist workers of a run share each build: the first to ask builds it under a lock in the run's
temp dir (`RUN_DIR`, set by tests/conftest.py), the others wait and copy. Outside pytest (the benches and
scripts that start the app through tests/e2e/app_server.py) a build is made once per process in a temp dir.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from score.files import private_lock

DEMO_COUNTRIES = Path(__file__).resolve().parent.parent / "data" / "countries"
RUN_DIR: list[Path] = []  # this run's shared temp dir (pytest-N/), set once by tests/conftest.py


def once_per_run(name: str, build: Callable[[Path], None]) -> Path:
    """The data dir `build(data)` made under `name`, built by the first process of the run to ask."""
    root = RUN_DIR[0] if RUN_DIR else _process_dir()
    data, done = root / f"built-{name}" / "data", root / f"built-{name}.done"
    with private_lock(root / f"built-{name}.lock"):
        if not done.exists():
            shutil.rmtree(data.parent, ignore_errors=True)  # a process that died half way
            data.parent.mkdir(parents=True)
            build(data)
            done.touch()
    return data


@cache
def _process_dir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="score-built-"))
    atexit.register(shutil.rmtree, root, True)
    return root


def build_countries(data: Path, countries: tuple[str, ...] | None = None) -> None:
    """Build the demo files of `countries` (every demo country when None) into version 1 at `data`, its
    connections closed: what `once_per_run` is given."""
    from score import db, settings
    from score.publish import build_all

    for folder in sorted(DEMO_COUNTRIES.iterdir()):
        if folder.is_dir() and (countries is None or folder.name in countries):
            shutil.copytree(folder, data / "countries" / folder.name)
    with settings.overridden(data_dir=data):
        build_all(user="tests")
        db.close_all()


def copy_built(template: Path, data: Path) -> Path:
    """A private, writable copy of a built data dir at `data`."""
    shutil.copytree(template, data, symlinks=True)
    return data
