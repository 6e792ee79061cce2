"""Faults the dashboard must survive with a clear message and nothing lost.

- no database at start (never built, or the pointer names a version file that is gone);
- a corrupt database (the pointer names garbage bytes, or a truncated DuckDB file);
- the database disappearing under a running session;
- the disk filling up while an upload is archived, driven through the upload page: refused with a
  message, the database, the archive, the country folders and the history byte-for-byte unchanged.
In each case the page shows the way back (`python -m score build`), never a traceback, and following
it brings the dashboard back. A publisher killed mid-way is tests/test_crash.py.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from score import config, db
from score.access import Scope
from score.versions import switch as switch_pointer
from tests.apptest import app
from tests.pages import tiles
from tests.publishing import REPO, build_small, dataset_b, fingerprint

TIMEOUT = 120
REBUILD = "python -m score build"


@pytest.fixture
def data(tmp_path: Path, settings_override) -> Path:
    data = build_small(tmp_path, settings_override)
    yield data
    db.close_all()


def run_app(scope: Scope | None = None, page: str | None = None) -> AppTest:
    """No check for exceptions here: what a fault shows is what these tests read."""
    at = app(scope=scope, timeout=TIMEOUT).run()
    if page:
        at.switch_page(page).run()
    return at


def assert_clear_message(at: AppTest, *words: str) -> str:
    """An error box that names the way back, and no exception (a traceback) anywhere."""
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(str(e.value) for e in at.error)
    assert errors, "no error message shown"
    for word in (REBUILD, *words):
        assert word in errors, f"{word!r} not in the message: {errors}"
    assert "Traceback" not in errors
    return errors


def rebuild(data: Path) -> None:
    """What the message tells the operator to do, as they would do it."""
    env = {**os.environ, "SCORE_DATA_DIR": str(data)}
    done = subprocess.run(
        [sys.executable, "-m", "score", "build"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


def assert_dashboard_back(at: AppTest) -> None:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert {tile.label for tile in tiles(at)} >= {"Enterprises engaged", "Workers reached"}


# ---------------------------------------------------------------------------------------------- no database


def test_never_built(tmp_path: Path, settings_override) -> None:
    data = tmp_path / "data"
    (data / "countries").mkdir(parents=True)
    settings_override(data_dir=data)
    at = run_app()
    assert_clear_message(at, REBUILD)  # the way out; no file path is shown to the public
    assert not tiles(at)


def test_pointer_names_a_missing_version(data: Path) -> None:
    current = config.db_pointer().resolve()
    current.unlink()  # e.g. a version pruned by hand
    at = run_app()
    assert_clear_message(at)
    rebuild(data)
    assert_dashboard_back(at)


# ---------------------------------------------------------------------------------------------- corrupt


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x00garbage, not a DuckDB file\n" * 1000, id="garbage"),
        pytest.param(b"", id="empty"),
        pytest.param(None, id="truncated"),  # opens, and `meta` answers: only the file's length gives it away
    ],
)
def test_corrupt_database(data: Path, content: bytes | None) -> None:
    """The pointer switched to a damaged file (a new path: DuckDB caches open files per path)."""
    good = config.db_pointer().resolve()
    bad = good.with_name("score-99.duckdb")
    bad.write_bytes(content if content is not None else good.read_bytes()[: good.stat().st_size // 3])
    switch_pointer(bad)
    at = run_app()
    assert_clear_message(at, "cannot be read")
    assert not tiles(at)
    rebuild(data)
    assert config.db_pointer().resolve() != bad
    assert_dashboard_back(at)


def test_database_removed_under_a_running_session(data: Path) -> None:
    at = run_app()
    assert not at.exception and tiles(at)
    target = config.db_pointer().resolve()
    config.db_pointer().unlink()
    target.unlink()
    at.run()
    assert_clear_message(at)
    rebuild(data)
    assert_dashboard_back(at)


# ---------------------------------------------------------------------------------------------- disk full


class FullDisk:
    """`open` for score.publish: files under an archive folder get half their bytes, then ENOSPC."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def __call__(self, file: object, mode: str = "r", *args: object, **kwargs: object):
        handle = open(file, mode, *args, **kwargs)  # noqa: SIM115 (returned)
        if "archive" in Path(str(file)).parts and any(m in mode for m in "wax"):
            return _FillingFile(handle, self.refused)
        return handle


class _FillingFile:
    def __init__(self, handle, refused: list[str]) -> None:
        self._handle, self._refused = handle, refused

    def write(self, data: bytes) -> int:
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        self._refused.append(self._handle.name)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self._handle.name)

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __getattr__(self, name: str) -> object:
        return getattr(self._handle, name)


def test_disk_full_while_archiving_an_upload(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(Scope.hq("geneva"), "views/upload.py")  # HQ publishes directly (country staff submit for review)
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="upload_country").select("COL").run()
    files = dataset_b()
    at.file_uploader(key="upload_files_0").set_value([(n, raw, "text/csv") for n, raw in files.items()])
    at.run()
    at.button(key="upload_check_files").click().run()
    assert {m.label: m.value for m in at.metric}["Errors"] == "0"
    before = fingerprint(data)
    version_files = sorted(p.name for p in (data / "versions").iterdir())

    disk = FullDisk()
    monkeypatch.setattr(
        "score.files.open", disk, raising=False
    )  # module global shadows the builtin (score.files writes)
    at.button(key="upload_publish").click().run()
    assert disk.refused, "the archive was never written: the fault was not injected"
    errors = " ".join(str(e.value) for e in at.error)
    assert not at.exception, [e.value for e in at.exception]
    assert "disk is full" in errors and "Nothing was changed" in errors, errors
    assert "Published" not in " ".join(str(s.value) for s in at.success)
    assert fingerprint(data) == before  # database bytes, pointer, archive, country folders, history
    assert sorted(p.name for p in (data / "versions").iterdir()) == version_files  # no partial version

    monkeypatch.delattr("score.files.open")  # space freed: the same upload now goes through
    at.button(key="upload_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Colombia is version 2 now" in " ".join(str(s.value) for s in at.success)
    assert fingerprint(data) != before


def test_a_refused_write_tells_the_uploader_what_happened_without_a_server_path(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from score.i18n import using_language
    from score.publish import PublishError, publish_country

    def refused(file: object, mode: str = "r", *args: object, **kwargs: object):
        if any(m in mode for m in "wax"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return open(file, mode, *args, **kwargs)

    monkeypatch.setattr("score.files.open", refused, raising=False)  # module global shadows the builtin
    before = fingerprint(data)
    with using_language("es"), pytest.raises(PublishError) as failure:
        publish_country("COL", dataset_b(), Scope.hq("geneva"))
    message = str(failure.value)
    assert str(data) not in message and "Errno" not in message and "Permission" not in message, message
    assert "No se ha cambiado nada" in message or "no se ha cambiado nada" in message, message
    assert fingerprint(data) == before
