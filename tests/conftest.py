"""Shared fixtures: a real DuckDB database built from the committed country files in a temp data dir."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from score import settings

REPO = Path(__file__).resolve().parent.parent
COUNTRIES = REPO / "data" / "countries"


def make_data_dir(root: Path, countries: Path = COUNTRIES) -> Path:
    """A private copy of the data tree, so tests never touch data/ in the checkout."""
    data = root / "data"
    shutil.copytree(countries, data / "countries")
    return data


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir with the demo set built into a published version (session-wide, read-only use)."""
    from score import db
    from score.publish import build_all

    data = make_data_dir(tmp_path_factory.mktemp("demo"))
    with settings.overridden(data_dir=data):
        build_all(user="tests")
        yield data
        db.close_all()


@pytest.fixture
def settings_override() -> Iterator[Callable[..., settings.Settings]]:
    """`settings_override(data_dir=..., max_upload_mb=...)`: this test's settings (score.settings field names),
    the previous ones back after it. A child process a test starts reads them from
    `{**os.environ, **settings.get().env()}`."""
    previous = settings.get()
    yield settings.update
    settings.use(previous)


@pytest.fixture
def fresh_data_dir(tmp_path: Path, settings_override: Callable[..., settings.Settings]) -> Path:
    """A private, writable data dir with the demo set built (for publish/restore tests)."""
    from score.publish import build_all

    data = make_data_dir(tmp_path)
    settings_override(data_dir=data)
    build_all(user="tests")
    return data


@pytest.fixture(scope="session")
def raw(demo_data_dir: Path):
    from tests.oracle import RawData

    return RawData(demo_data_dir / "countries")


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir() -> None:
    """Overrides pytest-playwright's: with `-n 2` one worker would delete the other's failure screenshots
    in test-results/ (tests/e2e writes them there); `make test` clears the folder once instead."""


def _start_order(item: pytest.Item) -> int:
    """Longest first, so that no worker starts a two-minute test when the others are nearly done: the long walks
    (marked slow) among the browser tests, the other browser tests, slow unit tests, then everything else. (With
    `--dist worksteal` the idle workers take the not yet started half of a busy worker's list.)"""
    browser = item.get_closest_marker("e2e") is not None
    slow = item.get_closest_marker("slow") is not None
    return (0 if slow else 1) if browser else (2 if slow else 3)


@pytest.hookimpl(trylast=True)  # after tests/e2e/conftest.py has marked its tests e2e
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_start_order)  # stable: within a group, the collection order
