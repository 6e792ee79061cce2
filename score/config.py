"""Where things live. Every path derives from one data directory so tests and deployments can move it.

`SCORE_DATA_DIR` moves the whole data tree (countries, archive, versions, pointer);
`SCORE_DB_URL` is the pointer the app reads: a local file by default, but the same SQL runs
against MotherDuck (`md:score`) when the data outgrows one machine (see README, "Scale").
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
REFERENCE_DIR = REPO_ROOT / "data" / "reference"

# Upload limit; configurable because some country workbooks are large.
MAX_UPLOAD_MB = float(os.environ.get("SCORE_MAX_UPLOAD_MB", "50"))
# Checking one upload may take at most this long and this much memory (score.ingest.bounded).
UPLOAD_CHECK_SECONDS = float(os.environ.get("SCORE_UPLOAD_CHECK_SECONDS", "20"))
UPLOAD_CHECK_MEMORY_MB = float(os.environ.get("SCORE_UPLOAD_CHECK_MEMORY_MB", "500"))


def data_dir() -> Path:
    """Root of the mutable data tree (read at call time so tests can point it elsewhere)."""
    return Path(os.environ.get("SCORE_DATA_DIR", REPO_ROOT / "data"))


def countries_dir() -> Path:
    return data_dir() / "countries"


def archive_dir() -> Path:
    return data_dir() / "archive"


def versions_dir() -> Path:
    return data_dir() / "versions"


def db_pointer() -> Path:
    """`data/score.duckdb`: a symlink to the current immutable version."""
    return Path(os.environ.get("SCORE_DB_PATH", data_dir() / "score.duckdb"))


def users_file() -> Path:
    return Path(os.environ.get("SCORE_USERS_FILE", data_dir() / "users.json"))


def audit_log_file() -> Path:
    return data_dir() / "audit.log"
