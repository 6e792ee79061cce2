"""The dashboard's settings: one frozen object, read from the environment once per process (no Streamlit here).

Every environment variable the `score` package reads, with its default:

=============================  ===============================  ==============================================
variable                       default                          what it sets
=============================  ===============================  ==============================================
SCORE_DATA_DIR                 <repo>/data                      the data tree: countries, archive, versions,
                                                                pointer, users, audit log (`data_dir`)
SCORE_DB_PATH                  $SCORE_DATA_DIR/score.duckdb     the pointer to the current version (`db_path`)
SCORE_USERS_FILE               $SCORE_DATA_DIR/users.json       accounts and roles (`users_file`)
SCORE_MAX_UPLOAD_MB            50                               largest file of an upload (`max_upload_mb`)
SCORE_UPLOAD_CHECK_SECONDS     20                               processor time for checking one upload
SCORE_UPLOAD_CHECK_MEMORY_MB   500                              memory for checking one upload
SCORE_SESSION_IDLE_HOURS       8                                sign-in ends after this long idle (0 < h <= 720;
                                                                another value falls back to the default)
SCORE_SESSION_MAX_HOURS        12                               sign-in ends this long after it began (same)
SCORE_PROXY_SECRET             (none)                           proves the bundled nginx's X-Forwarded-For;
                                                                set by `score serve` for its processes
SCORE_SESSION_COOKIES          (off; "1" on)                    the sign-in cookie routes are served by this
                                                                process (webapp.py turns it on)
SCORE_BUILD_WORKERS            one per core                     processes validating country folders; 1 = none
SCORE_DB_GRACE_SECONDS         60                               idle time before a superseded version's
                                                                connection closes
SCORE_WARM_QUERIES             60                               the most asked queries replayed per new version
SCORE_WARM_PAGES               overview                         pages run before a server listens (comma list;
                                                                "" for none)
SCORE_WARM_WAIT_SECONDS        5                                the longest a publish waits for warming
SCORE_NGINX                    /usr/sbin/nginx                  the nginx `score serve` runs
CHROMIUM_PATH, BROWSER_PATH    Debian's chromium-headless-shell  the browser that prints the PDF report and
                               (else /usr/bin/chromium)         draws the chart images (`can_render`)
=============================  ===============================  ==============================================

`get()` loads them on first use and keeps them. A process that changes one for itself (a command's `--out`
data dir, a worker given its parent's upload limit, webapp.py) calls `update(...)`; tests use the
`settings_override` fixture (tests/conftest.py). A child process does not see this object: it is started with
`{**os.environ, **get().env()}`, the environment that reads back as the same settings.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
_MAX_SESSION_HOURS = 24 * 30
# Debian's headless shell is the same Blink without the desktop browser around it: the same PDF for less CPU
# (BENCHMARKS.md "The tests' browser: Debian's headless shell"); the desktop browser when only it is installed.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
DESKTOP_CHROMIUM = "/usr/bin/chromium"


def default_chromium() -> str:
    """The browser that prints PDFs and runs the tests when none is set: the headless shell if installed."""
    return HEADLESS_SHELL if os.access(HEADLESS_SHELL, os.X_OK) else DESKTOP_CHROMIUM


@dataclass(frozen=True)
class Settings:
    data_dir: Path = REPO_ROOT / "data"
    db_path: Path | None = None  # None: data_dir / "score.duckdb"
    users_file: Path | None = None  # None: data_dir / "users.json"
    max_upload_mb: float = 50.0
    upload_check_seconds: float = 20.0
    upload_check_memory_mb: float = 500.0
    session_idle_hours: float = 8.0
    session_max_hours: float = 12.0
    proxy_secret: str | None = None
    session_cookies: bool = False
    build_workers: int | None = None  # None: one per core
    db_grace_seconds: float = 60.0
    warm_queries: int = 60
    warm_pages: tuple[str, ...] = ("overview",)
    warm_wait_seconds: float = 5.0
    nginx: str = "/usr/sbin/nginx"
    chromium: str = dataclasses.field(default_factory=default_chromium)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings an environment describes (os.environ when none is given); an unset or empty variable
        keeps its default. A number that does not parse is refused with the variable's name, except the two
        session lengths, which fall back to their defaults (a sign-in that never ends is worse than a refusal)."""
        env = os.environ if environ is None else environ
        default = cls()

        def text(name: str) -> str | None:
            return env.get(name) or None

        def number(name: str, fallback: float) -> float:
            value = text(name)
            try:
                return fallback if value is None else float(value)
            except ValueError:
                raise ValueError(f"{name}={value!r} is not a number") from None

        def hours(name: str, fallback: float) -> float:
            try:
                value = number(name, fallback)
            except ValueError:
                return fallback
            return value if 0 < value <= _MAX_SESSION_HOURS else fallback

        data_dir, db_path, users_file = text("SCORE_DATA_DIR"), text("SCORE_DB_PATH"), text("SCORE_USERS_FILE")
        workers = text("SCORE_BUILD_WORKERS")
        pages = env.get("SCORE_WARM_PAGES")  # "" is a value here: warm no page
        return cls(
            data_dir=Path(data_dir) if data_dir else default.data_dir,
            db_path=Path(db_path) if db_path else None,
            users_file=Path(users_file) if users_file else None,
            max_upload_mb=number("SCORE_MAX_UPLOAD_MB", default.max_upload_mb),
            upload_check_seconds=number("SCORE_UPLOAD_CHECK_SECONDS", default.upload_check_seconds),
            upload_check_memory_mb=number("SCORE_UPLOAD_CHECK_MEMORY_MB", default.upload_check_memory_mb),
            session_idle_hours=hours("SCORE_SESSION_IDLE_HOURS", default.session_idle_hours),
            session_max_hours=hours("SCORE_SESSION_MAX_HOURS", default.session_max_hours),
            proxy_secret=text("SCORE_PROXY_SECRET"),
            session_cookies=env.get("SCORE_SESSION_COOKIES") == "1",
            build_workers=int(number("SCORE_BUILD_WORKERS", 0)) if workers else None,
            db_grace_seconds=number("SCORE_DB_GRACE_SECONDS", default.db_grace_seconds),
            warm_queries=int(number("SCORE_WARM_QUERIES", default.warm_queries)),
            warm_pages=default.warm_pages if pages is None else tuple(p.strip() for p in pages.split(",") if p.strip()),
            warm_wait_seconds=number("SCORE_WARM_WAIT_SECONDS", default.warm_wait_seconds),
            nginx=text("SCORE_NGINX") or default.nginx,
            chromium=text("CHROMIUM_PATH") or text("BROWSER_PATH") or default.chromium,
        )

    def env(self) -> dict[str, str]:
        """The environment variables that read back (from_env) as these settings, for a child process:
        `{**os.environ, **settings.get().env()}`. An unset path or worker count is "" (unset for from_env, and it
        hides the parent's own variable). The proxy secret and the cookie flag stay with this process (`score
        serve` hands its own secret to its processes)."""
        out: dict[str, str] = {}
        for field, name in _VARIABLES.items():
            value = getattr(self, field)
            out[name] = "" if value is None else ",".join(value) if isinstance(value, tuple) else str(value)
        return out


_VARIABLES = {  # field -> the variable env() writes for it
    "data_dir": "SCORE_DATA_DIR",
    "db_path": "SCORE_DB_PATH",
    "users_file": "SCORE_USERS_FILE",
    "max_upload_mb": "SCORE_MAX_UPLOAD_MB",
    "upload_check_seconds": "SCORE_UPLOAD_CHECK_SECONDS",
    "upload_check_memory_mb": "SCORE_UPLOAD_CHECK_MEMORY_MB",
    "session_idle_hours": "SCORE_SESSION_IDLE_HOURS",
    "session_max_hours": "SCORE_SESSION_MAX_HOURS",
    "build_workers": "SCORE_BUILD_WORKERS",
    "db_grace_seconds": "SCORE_DB_GRACE_SECONDS",
    "warm_queries": "SCORE_WARM_QUERIES",
    "warm_pages": "SCORE_WARM_PAGES",
    "warm_wait_seconds": "SCORE_WARM_WAIT_SECONDS",
    "nginx": "SCORE_NGINX",
    "chromium": "CHROMIUM_PATH",
}


_current: Settings | None = None


def get() -> Settings:
    """This process's settings (read from the environment on first use)."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def use(settings: Settings | None) -> None:
    """Make `settings` this process's settings; None reads the environment again on the next get()."""
    global _current
    _current = settings


def show_kaleido_the_browser() -> None:
    """kaleido finds its browser by BROWSER_PATH only, else the desktop chromium: the settings' browser (the
    headless shell) draws the same chart PNG for a third of the CPU (BENCHMARKS.md "The tests' browser")."""
    os.environ.setdefault("BROWSER_PATH", get().chromium)


def can_render() -> bool:
    """Whether this host has the settings' browser, which draws the chart images (kaleido) and prints the PDF
    report: a host where `make run` could not install it shows those buttons off with the reason (they failed on
    click)."""
    return _browser_found(get().chromium)


@functools.cache  # once per path and process: a page asks on every run, once per chart
def _browser_found(path: str) -> bool:
    return Path(path).exists() or shutil.which(path) is not None


def update(**changes: object) -> Settings:
    """Change some settings for the rest of this process (field names of Settings)."""
    use(dataclasses.replace(get(), **changes))  # type: ignore[arg-type]
    return get()


@contextmanager
def overridden(**changes: object) -> Iterator[Settings]:
    """Some settings changed for the length of a `with` block, then the previous ones back."""
    previous = get()
    try:
        yield update(**changes)
    finally:
        use(previous)
