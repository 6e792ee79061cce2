"""Signed-in sessions that survive reloads, tabs and bookmarks, and the sign-in throttle's counters.

No Streamlit here: score.web.signin (the script) and score.web.session_routes (two small HTTP routes) use it.

One SQLite store per deployment, `data/auth.sqlite3` (mode 0600), shared by every process behind nginx (SQLite
locks the file; writes take `BEGIN IMMEDIATE`):

- `sessions`: one row per sign-in, keyed by the SHA-256 of a random session id. The browser holds the id in a
  signed cookie (`score_session`, itsdangerous with a key derived from the installation's `secret.key`;
  HttpOnly, SameSite=Lax, expiring with the session's absolute limit). The row says who, the user record's
  `session_key` at sign-in (changed by a role or password change, so those end every session of the user),
  when it was issued, when it was last used (the idle limit counts across every tab and process), and whether it
  has ended (sign-out). A signed cookie whose row is missing or ended is worthless.
- The script cannot set an HttpOnly cookie, so after a sign-in it hands the browser a one-time signed token
  (valid `HANDOFF_SECONDS`) and sends it to `/auth/local/session`, which exchanges it once for the cookie.
- `failures` and `recent`: the throttle's counters (score.throttling.Throttle), keyed by HMACs of user names and
  addresses (the secret never leaves the data directory; what was typed is never stored).
- Device cookies (OWASP "Slow brute force: device cookies"): after a sign-in the browser also gets
  `score_device`, a signed (user name, random nonce) valid `DEVICE_DAYS`; sign-ins from it are counted on their
  own, so other people's failures never lock its user out.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from score import config, disclosure, files

COOKIE = "score_session"
DEVICE_COOKIE = "score_device"
HANDOFF_SECONDS = 120
DEVICE_DAYS = 365
TOUCH_EVERY = 30.0  # seconds: last use is written at most this often per session (idle limits are in hours)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY, user TEXT NOT NULL, user_key TEXT NOT NULL, issued REAL NOT NULL,
    last_seen REAL NOT NULL, handed_off INTEGER NOT NULL DEFAULT 0, ended REAL
);
CREATE TABLE IF NOT EXISTS failures (key TEXT PRIMARY KEY, count INTEGER NOT NULL, last REAL NOT NULL);
CREATE TABLE IF NOT EXISTS recent (at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS recent_at ON recent (at);
CREATE TABLE IF NOT EXISTS refusals_logged (key TEXT PRIMARY KEY, last REAL NOT NULL, left_out INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS makes (key TEXT PRIMARY KEY, spent REAL NOT NULL, at REAL NOT NULL);
"""


def store_path() -> Path:
    return config.data_dir() / "auth.sqlite3"


@contextlib.contextmanager
def connect(write: bool = False) -> Iterator[sqlite3.Connection]:
    """The store, created 0600 on first use; `write` holds the write lock for the whole block."""
    path = store_path()
    path.parent.mkdir(mode=files.FOLDER_MODE, parents=True, exist_ok=True)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, files.FILE_MODE))
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.executescript(SCHEMA)
        for extra in ("-journal", "-wal"):  # SQLite makes these with the process umask
            with contextlib.suppress(FileNotFoundError):
                os.chmod(f"{path}{extra}", files.FILE_MODE)
        if write:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        else:
            yield connection
    finally:
        connection.close()


def keyed(text: str) -> str:
    """A stored key for a user name, address or nonce: HMAC with the installation's secret, never the text."""
    return disclosure.keyed_digest(disclosure.load_secret(create=True), "auth store\0" + text).hex()[:40]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    key = disclosure.keyed_digest(disclosure.load_secret(create=True), "session cookies v1").hex()
    return URLSafeTimedSerializer(key, salt=f"score-{purpose}")


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _loads(purpose: str, value: object, max_age: float) -> object:
    if not isinstance(value, str) or not value or len(value) > 1024:
        return None
    try:
        return _serializer(purpose).loads(value, max_age=int(max_age))
    except (BadSignature, ValueError, TypeError):  # SignatureExpired is a BadSignature
        return None


# ---------------------------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class Stored:
    """A session row: who, the user record's session key at sign-in, times (epoch seconds), ended or not."""

    sid: str
    user: str
    user_key: str
    issued: float
    last_seen: float
    ended: bool


def start(user: str, user_key: str, now: float | None = None) -> tuple[str, str]:
    """A new session for `user`: (session id, one-time hand-off token for `/auth/local/session`)."""
    now = time.time() if now is None else now
    sid = secrets.token_urlsafe(32)
    with connect(write=True) as db:
        db.execute(
            "INSERT INTO sessions (sid, user, user_key, issued, last_seen) VALUES (?, ?, ?, ?, ?)",
            (_hash(sid), user, user_key, now, now),
        )
    return sid, _serializer("handoff").dumps(sid)


def exchange(token: object) -> tuple[str, str] | None:
    """The cookie value and user for a hand-off token, once; None if forged, expired, used or ended."""
    sid = _loads("handoff", token, HANDOFF_SECONDS)
    if not isinstance(sid, str):
        return None
    with connect(write=True) as db:
        row = db.execute(
            "UPDATE sessions SET handed_off = 1 WHERE sid = ? AND handed_off = 0 AND ended IS NULL RETURNING user",
            (_hash(sid),),
        ).fetchone()
    return (_serializer("session").dumps(sid), row[0]) if row else None


def session_id(cookie: object, max_age: float) -> str | None:
    """The session id in a signed session cookie no older than `max_age` seconds, else None."""
    sid = _loads("session", cookie, max_age)
    return sid if isinstance(sid, str) else None


def lookup(sid: str) -> Stored | None:
    with connect() as db:
        row = db.execute(
            "SELECT user, user_key, issued, last_seen, ended FROM sessions WHERE sid = ?", (_hash(sid),)
        ).fetchone()
    if row is None:
        return None
    return Stored(sid, row[0], row[1], float(row[2]), float(row[3]), row[4] is not None)


def touch(stored: Stored, now: float) -> None:
    """Record use (for the idle limit in every process), at most every TOUCH_EVERY seconds."""
    if now - stored.last_seen < TOUCH_EVERY:
        return
    with connect(write=True) as db:
        db.execute("UPDATE sessions SET last_seen = max(last_seen, ?) WHERE sid = ?", (now, _hash(stored.sid)))


def end(sid: str | None, now: float | None = None) -> None:
    """End a session (sign-out, expiry): its cookie stops working in every process at once."""
    if not sid:
        return
    now = time.time() if now is None else now
    with connect(write=True) as db:
        db.execute("UPDATE sessions SET ended = ? WHERE sid = ? AND ended IS NULL", (now, _hash(sid)))
        db.execute("DELETE FROM sessions WHERE last_seen < ?", (now - 40 * 86400,))  # long-dead rows


# ---------------------------------------------------------------------------------------------- devices


def device_cookie(user: str) -> str:
    """A new device cookie for `user` (a fresh nonce: each browser is counted on its own)."""
    return _serializer("device").dumps([user, secrets.token_urlsafe(16)])


def device_nonce(cookie: object, user: object) -> str | None:
    """The nonce of a valid device cookie issued to this user name, else None."""
    value = _loads("device", cookie, DEVICE_DAYS * 86400)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        return None
    return value[1] if isinstance(user, str) and value[0] == user.strip().casefold() else None
