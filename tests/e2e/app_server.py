"""Run the real app: `streamlit run webapp.py` (app.py and the sign-in cookie routes) on a private data dir and a
free port on 127.0.0.1.

Shared by the browser tests (tests/e2e), the screenshot script (scripts/screenshots.py) and the load
test (bench/load_test.py), so all three exercise the app exactly as `make run` starts it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from score import settings
from score.serve import healthy, streamlit_command
from tests.built import copy_built, once_per_run

REPO = Path(__file__).resolve().parents[2]
COUNTRIES = REPO / "data" / "countries"
# The tests' browser: CHROMIUM_PATH, else Debian's headless shell (make test installs it; ~40% less CPU a page load
# than the desktop browser, BENCHMARKS.md "The tests' browser"). The benches and screenshots measure and show the
# desktop browser a visitor runs (LAUNCH).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or settings.HEADLESS_SHELL
# Keep the browser quiet with the network off (see ../shared/BROWSER.md).
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run"]
# How the scripts and benches outside pytest launch it: playwright's chromium.launch(**LAUNCH)
VISITOR_CHROMIUM = os.environ.get("CHROMIUM_PATH") or settings.DESKTOP_CHROMIUM
LAUNCH: dict[str, Any] = {"executable_path": VISITOR_CHROMIUM, "args": CHROMIUM_ARGS}
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def leaves_machine(url: str) -> bool:
    """A web or websocket request to a host other than this machine: what a browser run blocks and records."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def data_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SCORE_DB_PATH", None)
    env.pop("SCORE_USERS_FILE", None)
    env["SCORE_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def score_cli(data_dir: Path, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """`python -m score ...` against data_dir, as an operator would run it."""
    result = subprocess.run(
        [sys.executable, "-m", "score", *args],
        cwd=REPO,
        env=data_env(data_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"python -m score {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@cache
def users_command_available() -> bool:
    """Whether this checkout has `python -m score users` (sign-in landed)."""
    result = subprocess.run(
        [sys.executable, "-m", "score", "users", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    return result.returncode == 0


def prepare_data_dir(root: Path, countries: Path = COUNTRIES, demo_users: bool = True) -> Path:
    """A private copy of the country files, built into a database (and demo users when sign-in exists). The demo
    set with its users is built once per test run (or per process outside pytest) and copied: tests/built.py."""
    if countries == COUNTRIES and demo_users:
        return copy_built(once_per_run("e2e-demo", build_data_dir), root / "data")
    data = root / "data"
    build_data_dir(data, countries, demo_users)
    return data


def build_data_dir(data: Path, countries: Path = COUNTRIES, demo_users: bool = True) -> None:
    """`countries` copied into `data` and built by the command line, as an operator does."""
    shutil.copytree(countries, data / "countries")
    score_cli(data, "build", "--user", "e2e")
    if demo_users and users_command_available():
        score_cli(data, "users", "demo")


def add_user(data_dir: Path, name: str, password: str, role: str, countries: str = "") -> None:
    args = ["users", "add", name, "--role", role, "--password-stdin"]
    if countries:
        args += ["--countries", countries]
    score_cli(data_dir, *args, stdin=password + "\n")


class AppServer:
    """One `streamlit run webapp.py` process; stopped through its own handle, never by name."""

    def __init__(self, data_dir: Path, log_path: Path, port: int | None = None, env: dict[str, str] | None = None):
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = port or free_port()
        self.env = {**data_env(data_dir), **(env or {})}
        self.process: subprocess.Popen | None = None
        self._log: BinaryIO | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240) -> AppServer:
        # at load 40 a start outlasted 90 s (its log: "warmed overview 72.6 s"); a start that works never waits it out
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        command = streamlit_command(self.port)  # as `make run` / `make serve` start it
        self.process = subprocess.Popen(
            command, cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout} s:\n{self.log_tail()}")

    def healthy(self) -> bool:
        return healthy(self.url)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
