"""Shared fixtures: a real DuckDB database built from the committed country files in a temp data dir."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    previous = os.environ.get("SCORE_DATA_DIR")
    os.environ["SCORE_DATA_DIR"] = str(data)
    build_all(user="tests")
    yield data
    db.close_all()
    if previous is None:
        os.environ.pop("SCORE_DATA_DIR", None)
    else:
        os.environ["SCORE_DATA_DIR"] = previous


@pytest.fixture
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, writable data dir with the demo set built (for publish/restore tests)."""
    from score.publish import build_all

    data = make_data_dir(tmp_path)
    monkeypatch.setenv("SCORE_DATA_DIR", str(data))
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
