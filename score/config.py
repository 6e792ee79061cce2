"""Where things live. Every mutable path derives from one data directory (settings.data_dir, SCORE_DATA_DIR) so
tests and deployments can move it; the settings themselves are score.settings.
"""

from __future__ import annotations

from pathlib import Path

from score import settings
from score.settings import REPO_ROOT

QUERIES_DIR = REPO_ROOT / "queries"
REFERENCE_DIR = REPO_ROOT / "data" / "reference"


def data_dir() -> Path:
    """Root of the mutable data tree (the current settings', so a test's override moves it)."""
    return settings.get().data_dir


def countries_dir() -> Path:
    return data_dir() / "countries"


def archive_dir() -> Path:
    return data_dir() / "archive"


def versions_dir() -> Path:
    return data_dir() / "versions"


def db_pointer() -> Path:
    """`data/score.duckdb`: a symlink to the current immutable version."""
    return settings.get().db_path or data_dir() / "score.duckdb"


def users_file() -> Path:
    return settings.get().users_file or data_dir() / "users.json"


def audit_log_file() -> Path:
    return data_dir() / "audit.log"
