"""The settings object (score/settings.py): read once from the environment, overridden by one fixture, handed to
child processes as environment variables."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from score import config, settings
from score.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def test_an_empty_environment_gives_the_defaults() -> None:
    read = Settings.from_env({})
    assert read == Settings()
    assert read.data_dir == REPO / "data" and read.max_upload_mb == 50 and read.warm_pages == ("overview",)


def test_every_variable_in_the_docstring_is_read_and_every_one_read_is_in_it() -> None:
    documented = set(re.findall(r"\b(SCORE_[A-Z_]+|CHROMIUM_PATH|BROWSER_PATH)\b", settings.__doc__ or ""))
    unread = sorted(name for name in documented if Settings.from_env({name: "1"}) == Settings())
    assert not unread
    source = (REPO / "score" / "settings.py").read_text(encoding="utf-8")
    assert set(re.findall(r'"(SCORE_[A-Z_]+|CHROMIUM_PATH|BROWSER_PATH)"', source)) <= documented


def test_a_number_that_does_not_parse_is_refused_with_its_name() -> None:
    try:
        Settings.from_env({"SCORE_MAX_UPLOAD_MB": "fifty"})
    except ValueError as error:
        assert "SCORE_MAX_UPLOAD_MB" in str(error)
    else:
        raise AssertionError("an upload limit of 'fifty' was accepted")


def test_warm_pages_may_be_none_or_a_list() -> None:
    assert Settings.from_env({"SCORE_WARM_PAGES": ""}).warm_pages == ()
    assert Settings.from_env({"SCORE_WARM_PAGES": "overview, outcomes"}).warm_pages == ("overview", "outcomes")


def test_the_environment_of_a_child_reads_back_as_the_same_settings(tmp_path: Path) -> None:
    changed = Settings(data_dir=tmp_path, max_upload_mb=600 / 1024 / 1024, build_workers=1, warm_pages=())
    assert Settings.from_env(changed.env()) == changed
    assert Settings.from_env({"SCORE_USERS_FILE": "/elsewhere.json", **Settings().env()}).users_file is None


def test_the_override_fixture_moves_the_data_dir_for_this_process_and_its_children(
    tmp_path: Path, settings_override
) -> None:
    settings_override(data_dir=tmp_path, max_upload_mb=12.5)
    assert config.data_dir() == tmp_path and config.users_file() == tmp_path / "users.json"
    code = "from score import config, settings; print(config.data_dir(), settings.get().max_upload_mb)"
    child = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, **settings.get().env()},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert child.stdout.split() == [str(tmp_path), "12.5"]


def test_settings_are_read_from_the_environment_in_one_module_only() -> None:
    """Elsewhere os.environ is only passed on, whole, to a child process (`{**os.environ, ...}`)."""
    readers = []
    for path in sorted((REPO / "score").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            passed_on = line.replace("**os.environ", "").replace('os.environ.get("PYTHONPATH")', "")
            if path.name != "settings.py" and re.search(r"os\.environ|getenv", passed_on):
                readers.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert readers == []


def test_make_test_installs_the_browsers_the_code_defaults_to() -> None:
    """`make chromium` installs the two Debian browsers by the paths settings falls back to (a renamed path here
    would leave the tests and the PDF on a browser nothing installs)."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert f"CHROMIUM ?= {settings.DESKTOP_CHROMIUM}\n" in makefile
    assert f"HEADLESS_SHELL ?= {settings.HEADLESS_SHELL}\n" in makefile
    assert "apt-get install -y -qq chromium chromium-headless-shell" in makefile
    assert settings.default_chromium() == settings.HEADLESS_SHELL  # make test installed it on this machine
