"""A full build validates large country folders in worker processes (score.build.read_country_dirs): every
report, typed table and file is exactly what validating them one by one in this process gives, in the viewer's
language, and a pool that cannot start falls back to validating here."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

from score import build, i18n
from score.build import CountryInput, read_country_dir, read_country_dirs

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "countries"


def _same(a: CountryInput, b: CountryInput) -> None:
    assert (a.country, a.is_demo, a.previous, a.counts) == (b.country, b.is_demo, b.previous, b.counts)
    assert a.files == b.files
    assert a.report.to_json() == b.report.to_json() and a.report.files == b.report.files
    assert a.report.summary() == b.report.summary()
    assert list(a.report.tables) == list(b.report.tables)
    for name, frame in a.report.tables.items():
        other = b.report.tables[name]
        assert frame.dtypes.to_dict() == other.dtypes.to_dict(), name
        pd.testing.assert_frame_equal(frame, other, check_exact=True)


@pytest.fixture
def folders(tmp_path: Path) -> list[Path]:
    """The demo countries, one of them with errors (a duplicate id and its knock-on errors, an unknown sector)."""
    out = [tmp_path / p.name for p in sorted(DEMO.iterdir()) if p.is_dir()]
    for folder in out:
        shutil.copytree(DEMO / folder.name, folder)
    bad = out[2]  # COL
    lines = (bad / "enterprises.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[2]
    cells = lines[4].split(",")
    lines[4] = ",".join([*cells[:2], "textil", *cells[3:]])
    (bad / "enterprises.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def test_workers_give_exactly_the_reports_and_tables_of_validating_here(
    folders: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    here = [read_country_dir(folder) for folder in folders]
    assert not here[2].report.ok and all(item.report.ok for k, item in enumerate(here) if k != 2)
    with caplog.at_level(logging.WARNING, logger="score.build"):
        parallel = read_country_dirs(folders, workers=2, min_bytes=0)
    assert not caplog.records, caplog.text  # the workers ran: no fallback
    assert [item.country for item in parallel] == [folder.name for folder in folders]  # the order asked for
    for a, b in zip(here, parallel, strict=True):
        _same(a, b)


def test_workers_write_the_report_in_the_viewers_language(folders: list[Path]) -> None:
    i18n.set_language("fr")
    try:
        here = read_country_dir(folders[2])
        # BOL, CHN, COL: two workers each given work, and the country with errors (the suite's time: not all nine)
        (parallel,) = [item for item in read_country_dirs(folders[:3], workers=2, min_bytes=0) if item.country == "COL"]
    finally:
        i18n.set_language("en")
    assert any("en double" in issue.problem for issue in here.report.errors)
    _same(here, parallel)


def test_small_sets_and_other_readers_stay_in_this_process(
    folders: list[Path], monkeypatch: pytest.MonkeyPatch, settings_override
) -> None:
    started: list[object] = []
    monkeypatch.setattr(build, "_validate_in_workers", started.append)
    seen: list[str] = []
    assert len(read_country_dirs(folders, workers=2)) == len(folders)  # 1.3 MB: below PARALLEL_MIN_BYTES
    few = folders[:2]  # which process validates does not depend on how many (the suite's time: a few, not all nine)
    read_country_dirs(few, lambda f: seen.append(f.name) or read_country_dir(f), workers=2, min_bytes=0)
    read_country_dirs(few, workers=1, min_bytes=0)
    settings_override(build_workers=1)
    read_country_dirs(few, min_bytes=0)
    assert seen == [folder.name for folder in few] and not started


@pytest.mark.parametrize("python", ["/nonexistent/python", "/bin/false"])
def test_a_worker_that_cannot_start_or_fails_leaves_the_validation_to_this_process(
    folders: list[Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, python: str
) -> None:
    monkeypatch.setattr(build.sys, "executable", python)
    with caplog.at_level(logging.WARNING, logger="score.build"):
        items = read_country_dirs(folders[:3], workers=2, min_bytes=0)  # with COL, the one with errors
    assert "validating them here" in caplog.text
    for a, b in zip([read_country_dir(folder) for folder in folders[:3]], items, strict=True):
        _same(a, b)


def test_workers_do_not_run_the_main_module(
    folders: list[Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Under Streamlit the main module is the page script: a worker must not import (run) it."""
    import sys
    import types

    page = types.ModuleType("__main__")
    page.__file__ = str(REPO / "app.py")
    monkeypatch.setitem(sys.modules, "__main__", page)
    with caplog.at_level(logging.WARNING, logger="score.build"):
        parallel = read_country_dirs(folders[:3], workers=2, min_bytes=0)
    assert not caplog.records, caplog.text
    for a, b in zip([read_country_dir(folder) for folder in folders[:3]], parallel, strict=True):
        _same(a, b)
