"""Who is signed in: the local users file, password checks, sign-in throttling and session expiry.

No Streamlit here (score.web.signin is the Streamlit glue), so all of it is testable directly.

- Users live in one JSON file (`config.users_file()`, mode 0600, replaced atomically), keyed by the
  case-folded user name or, for single sign-on (`"sso": true`, no password), by the e-mail address.
  Passwords are stored only as argon2id hashes (argon2-cffi `PasswordHasher`, its default parameters);
  the clear password is never written or logged anywhere.
- A record maps to a `Scope` with `scope_for`, which fails closed: an unknown role, or a country user
  without valid countries, gets `Scope.nothing()`, never more.
- Failed sign-ins are throttled (score.throttling: per user name, address, device cookie and globally).
- Sessions expire after `SCORE_SESSION_IDLE_HOURS` (default 8) without activity and after
  `SCORE_SESSION_MAX_HOURS` (default 12) in any case. A local session is a row of the store behind a signed
  cookie (`start_session`, `resume`, `end_session`), so it survives reloads and tabs and ends in every process
  at once. The caller checks it on every rerun with `refresh`, which also re-reads the users file: removing a
  user, or changing their role or password (a new `session_key` in their record), ends their sessions; a change
  of countries applies at the next click.
- Demo accounts (`python -m score users demo`) have published passwords: they are created only for the
  demo data set and stop working as soon as real data is loaded (`demo_accounts_allowed`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from score import audit, config, contract, files, sessions, settings, throttling
from score.access import ROLES, Scope
from score.throttling import Client, Throttle

LOG = logging.getLogger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._+-]{0,63}$")
EMAIL = re.compile(r"^[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,189}\.[a-z]{2,24}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # longer input is refused before hashing (no hashing of 100k-character strings)

# Documented in the README ("Demo users"); valid only while the demo data set is loaded.
DEMO_USERS = (
    ("geneva", "hq", (), "geneva-demo-2013"),
    ("colombia", "country", ("COL",), "colombia-demo-2013"),
    ("ghana", "country", ("GHA",), "ghana-demo-2013"),
)
DEMO_MARKER = "DEMO_DATA.txt"  # same file name as score.build.DEMO_MARKER (a test checks)

_hasher = PasswordHasher()
# Verified against when the user does not exist, so an unknown name costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password: only here to spend the same time as a real check")
_file_lock = threading.Lock()


class UserError(ValueError):
    """A user cannot be added or changed as asked (bad name, role, countries or password)."""


# ---------------------------------------------------------------------------------------------- names


def normalise_username(username: object) -> str | None:
    """The key a user name is stored under, or None if it can never be a valid name or e-mail."""
    if not isinstance(username, str) or len(username) > 254:
        return None
    name = username.strip().casefold()
    if USERNAME.match(name) or EMAIL.match(name):
        return name
    return None


# ---------------------------------------------------------------------------------------------- file


def _empty() -> dict:
    return {"version": 1, "users": {}}


def _read() -> dict:
    """The whole users file; a missing file is no users, a broken one is treated as no users (fail closed)."""
    path = config.users_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _empty()
    except (OSError, ValueError):
        LOG.error("users file %s cannot be read: nobody can sign in until it is fixed", path)
        return _empty()
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        LOG.error("users file %s has an unexpected shape: nobody can sign in until it is fixed", path)
        return _empty()
    return data


def _write(data: dict) -> None:
    """Replace the users file atomically (temp file in the same folder, mode 0600, fsync, rename)."""
    path = config.users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"
    files.write_atomic(path, payload)
    files.restrict_modes(path.parent)  # the users file's folder (the data directory): 0700, its files 0600


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One writer at a time, across threads and processes (CLI and app may both write)."""
    path = config.users_file()
    with _file_lock, files.private_lock(path.with_name(f".{path.name}.lock")):
        yield


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------- users


@dataclass(frozen=True)
class UserInfo:
    """What `list_users` shows: never the hash."""

    username: str
    role: str
    countries: tuple[str, ...]
    sso: bool
    demo: bool
    has_password: bool


def _check_role_countries(role: str, countries: Iterable[str]) -> tuple[str, ...]:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    known = set(contract.code_list("country"))
    chosen = tuple(sorted({c.strip().upper() for c in countries if c.strip()}))
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise UserError(f"unknown country codes {unknown}; known: {', '.join(sorted(known))}")
    if role == "country" and not chosen:
        raise UserError("a country user needs at least one country (--countries COL,PER)")
    return chosen if role == "country" else ()


def add_user(
    username: str,
    password: str | None,
    role: str,
    countries: Iterable[str] = (),
    *,
    sso: bool = False,
    demo: bool = False,
) -> UserInfo:
    """Add or replace a user. Local users need a password; SSO users (e-mail as name) have none."""
    name = normalise_username(username)
    if name is None:
        raise UserError("user names are 1-64 letters, digits, '.', '_', '+' or '-' (or an e-mail address)")
    chosen = _check_role_countries(role, countries)
    record: dict[str, object] = {"role": role, "countries": list(chosen), "updated_at": _now_iso()}
    if sso:
        if not EMAIL.match(name):
            raise UserError("single sign-on users are identified by their e-mail address")
        if password:
            raise UserError("single sign-on users have no password here (the identity provider checks it)")
        record.update(sso=True, password_hash=None)
    else:
        if not isinstance(password, str) or not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
            raise UserError(f"passwords are {MIN_PASSWORD} to {MAX_PASSWORD} characters long")
        record.update(sso=False, password_hash=_hasher.hash(password))
    if demo:
        record["demo"] = True
    with _locked():
        data = _read()
        before = data["users"].get(name)
        before = before if isinstance(before, dict) else {}
        record["created_at"] = before.get("created_at", record["updated_at"])
        record["session_key"] = _session_key(before, record, password)
        data["users"][name] = record
        _write(data)
    # Who may see what changed: audited with the account that ran the command (never the password or its hash).
    audit.record(
        "user_changed" if before else "user_added",
        _operator(),
        account=name,
        role=role,
        countries=list(chosen),
        sso=sso,
        demo=demo,
        changed=_changes(before, record, password) if before else [],
        sessions_ended=bool(before) and record["session_key"] != before.get("session_key"),
    )
    return _info(name, record)


def _changes(before: dict, after: dict, password: str | None) -> list[str]:
    """What an account's replacement changed, by name (the audit keeps no password, nor a key named like one)."""
    changed = [k for k in ("role", "countries", "sso", "demo") if before.get(k) != after.get(k)]
    if not after.get("sso") and not _same_password(before.get("password_hash"), password):
        changed.append("password")
    return changed


def _operator() -> str:
    """The system account running the users command (the audit's "who" for a change of accounts)."""
    try:
        return audit.SYSTEM_PREFIX + getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a container)
        return f"{audit.SYSTEM_PREFIX}uid {os.getuid()}"


def _session_key(before: dict, after: dict, password: str | None) -> str:
    """The record's session key: kept while role, sign-in method and password stay the same (a change of
    countries applies to open sessions at their next click); new otherwise, which ends every open session."""
    kept = before.get("session_key")
    same = (
        isinstance(kept, str)
        and before.get("role") == after["role"]
        and before.get("sso") is after.get("sso")
        and (after.get("sso") is True or _same_password(before.get("password_hash"), password))
    )
    return kept if same else secrets.token_urlsafe(12)  # type: ignore[return-value]


def _same_password(stored: object, password: str | None) -> bool:
    if not isinstance(stored, str) or not isinstance(password, str):
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def remove_user(username: str) -> bool:
    """Remove a user; True if there was one. Their open sessions end at their next click (`refresh`)."""
    name = normalise_username(username)
    if name is None:
        return False
    with _locked():
        data = _read()
        removed = data["users"].pop(name, None)
        if removed is None:
            return False
        _write(data)
    role = removed.get("role") if isinstance(removed, dict) else None
    audit.record("user_removed", _operator(), account=name, role=role)
    return True


def _info(name: str, record: dict) -> UserInfo:
    countries = record.get("countries")
    return UserInfo(
        name,
        str(record.get("role")),
        tuple(countries) if isinstance(countries, list) else (),
        record.get("sso") is True,
        record.get("demo") is True,
        bool(record.get("password_hash")),
    )


def list_users() -> list[UserInfo]:
    return [_info(name, record) for name, record in sorted(_read()["users"].items()) if isinstance(record, dict)]


def demo_accounts_allowed() -> bool:
    """Demo accounts (published passwords) work only while every loaded country is demo data.

    Both must say so: every country folder carries the demo generator's marker (an upload never brings one:
    score.publish stages contract files only), and the published version was built from demo data only (a
    publish marks its country as real whatever files came with it). Before any build, the folders decide.
    """
    from score import db  # here, not at the top: score.db does not need the users file

    root = config.countries_dir()
    folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")] if root.is_dir() else []
    if not folders or not all((p / DEMO_MARKER).exists() for p in folders):
        return False
    try:
        status = db.run_query("data_status", Scope.nothing())
    except db.DatabaseMissing:
        return True
    except db.DatabaseUnavailable:
        return False
    return bool(len(status)) and bool(status.iloc[0]["is_demo"])


def lookup(username: object) -> tuple[str, dict] | None:
    """The stored record for a user name or e-mail, or None (unknown, malformed, or a disabled demo account)."""
    name = normalise_username(username)
    if name is None:
        return None
    record = _read()["users"].get(name)
    if not isinstance(record, dict):
        return None
    if record.get("demo") is True and not demo_accounts_allowed():
        return None
    return name, record


def scope_for(username: str, record: object) -> Scope:
    """The scope a user record grants. Fails closed: anything unexpected is `Scope.nothing()`."""
    if not isinstance(record, dict) or not isinstance(username, str) or not username:
        return Scope.nothing()
    role = record.get("role")
    countries = record.get("countries")
    if role == "hq":
        return Scope.hq(username)
    if role == "public":
        return replace(Scope.public(), user=username)
    if role == "country":
        if not isinstance(countries, list) or not countries or not all(isinstance(c, str) for c in countries):
            return Scope.nothing()
        known = set(contract.code_list("country"))
        if not set(countries) <= known:
            return Scope.nothing()  # a hand-edited record with a typo gets nothing, not a partial guess
        return Scope.country(username, frozenset(countries))
    return Scope.nothing()


# ---------------------------------------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class SignInResult:
    scope: Scope | None  # None: refused
    username: str | None  # the stored name when the user exists (for the audit log), else None
    retry_after: float = 0.0  # > 0: refused without checking because of earlier failures


def sign_in(
    username: object, password: object, client: Client | None = None, throttle_: Throttle | None = None
) -> SignInResult:
    """Check a user name and password, throttled. The result says who (if known) and with what scope."""
    guard = throttle_ or throttling.throttle
    found = lookup(username)
    wait = guard.attempt(username, client)
    if wait > 0:
        return SignInResult(None, found[0] if found else None, wait)
    ok = False
    if isinstance(password, str) and len(password) <= MAX_PASSWORD:
        stored = found[1].get("password_hash") if found else None
        if not (isinstance(stored, str) and stored.startswith("$argon2")) or (found and found[1].get("sso") is True):
            stored = None
        try:
            ok = _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_DUMMY_HASH, "x")  # same cost for an absurd password as for a wrong one
    if not ok or found is None:
        return SignInResult(None, found[0] if found else None)  # counted as a failure by `attempt`
    name, record = found
    guard.succeeded(username, client)
    if _hasher.check_needs_rehash(record["password_hash"]):
        _rehash(name, password)  # type: ignore[arg-type]
    return SignInResult(scope_for(name, record), name)


def verify(username: object, password: object, throttle_: Throttle | None = None) -> Scope | None:
    """The scope for a correct user name and password, else None (also while throttled)."""
    return sign_in(username, password, throttle_=throttle_).scope


def _rehash(name: str, password: str) -> None:
    with _locked():
        data = _read()
        record = data["users"].get(name)
        if isinstance(record, dict) and record.get("password_hash"):
            record["password_hash"] = _hasher.hash(password)
            _write(data)


# ---------------------------------------------------------------------------------------------- sessions


def idle_seconds() -> float:
    return settings.get().session_idle_hours * 3600


def absolute_seconds() -> float:
    return settings.get().session_max_hours * 3600


@dataclass(frozen=True)
class Session:
    """A signed-in viewer. Times are seconds since the epoch (`time.time()`).

    A local (password) session has a row in the deployment's store (`sid`, score.sessions) behind its cookie,
    and the user record's `session_key` at sign-in (`user_key`): a role or password change ends it."""

    user: str
    scope: Scope
    issued_at: float
    expires_at: float  # absolute end, whatever the activity
    last_seen: float
    method: str = "password"  # or "sso"
    sid: str | None = None
    user_key: str | None = None

    @classmethod
    def start(
        cls, user: str, scope: Scope, now: float | None = None, method: str = "password", issued_at: float | None = None
    ) -> Session:
        now = time.time() if now is None else now
        issued = now if issued_at is None else min(issued_at, now)
        return cls(user, scope, issued, issued + absolute_seconds(), now, method)

    def expired(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return now >= self.expires_at or now - self.last_seen >= idle_seconds()


def start_session(name: str, scope: Scope, now: float | None = None) -> tuple[Session, str]:
    """A signed-in local session kept in the store: (session, one-time token for the cookie route)."""
    now = time.time() if now is None else now
    found = lookup(name)
    user_key = str(found[1].get("session_key", "")) if found else ""
    sid, handoff = sessions.start(name, user_key, now)
    return replace(Session.start(name, scope, now), sid=sid, user_key=user_key), handoff


def resume(cookie: object, now: float | None = None) -> tuple[Session | None, str]:
    """The session behind a session cookie, checked as `refresh` does; (None, "none") for no valid cookie."""
    now = time.time() if now is None else now
    sid = sessions.session_id(cookie, absolute_seconds())
    stored = sessions.lookup(sid) if sid else None
    if stored is None or stored.ended:
        return None, "none"
    session = Session(
        stored.user,
        Scope.nothing(),
        stored.issued,
        stored.issued + absolute_seconds(),
        stored.last_seen,
        sid=stored.sid,
        user_key=stored.user_key,
    )
    return refresh(session, now)


def end_session(session: object) -> None:
    """Sign-out: the session's cookie stops working in every process at once."""
    if isinstance(session, Session):
        sessions.end(session.sid)


def refresh(session: Session, now: float | None = None) -> tuple[Session | None, str]:
    """Check a session on a rerun. Returns (session or None, reason): "ok", "expired", "ended" (signed out,
    perhaps in another tab) or "revoked" (user removed, role or password changed).

    The scope is derived again from the users file every time, so a removed user is signed out and a
    changed country list applies at once. A stored session's last use is shared by every tab and process.
    """
    now = time.time() if now is None else now
    if not isinstance(session, Session):
        return None, "revoked"
    stored = sessions.lookup(session.sid) if session.sid else None
    if session.sid and (stored is None or stored.ended):
        return None, "ended"
    if stored is not None:
        session = replace(session, last_seen=max(session.last_seen, stored.last_seen))
    if session.expired(now):
        sessions.end(session.sid, now)
        return None, "expired"
    found = lookup(session.user)
    record = found[1] if found else {}
    if (
        found is None
        or (session.method == "sso" and record.get("sso") is not True)
        or (session.method == "password" and record.get("sso") is True)
        or (session.user_key is not None and str(record.get("session_key", "")) != session.user_key)
    ):
        sessions.end(session.sid, now)  # for good: adding the user again does not bring the cookie back
        return None, "revoked"
    name = found[0]
    if stored is not None:
        sessions.touch(stored, now)
    return replace(session, scope=scope_for(name, record), last_seen=now), "ok"


MAX_TRACKED = 50_000  # OIDC tokens remembered per process (TokenActivity)


class TokenActivity:
    """Last activity per OIDC identity token, across browser sessions of this server process.

    Streamlit keeps the identity cookie (30 days) and never checks the token's expiry; a reload starts a new
    Streamlit session from the same cookie. So the app remembers, per token (issuer, subject, issue time),
    when it was last used and whether it has expired: an expired token stays expired until the user signs
    in again (which issues a new token), and the absolute lifetime counts from the token's issue time.
    """

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._seen: dict[str, float] = {}
        self._expired: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def key(issuer: object, subject: object, issued_at: object, email: object) -> str:
        raw = json.dumps([str(issuer), str(subject), str(issued_at), str(email)])
        return hashlib.sha256(raw.encode()).hexdigest()

    def check(self, key: str, issued_at: float | None) -> bool:
        """Record a use of the token; False if it has expired (idle or absolute)."""
        now = self.clock()
        with self._lock:
            if key in self._expired:
                return False
            if len(self._seen) >= MAX_TRACKED:
                self._seen = {k: v for k, v in self._seen.items() if now - v < idle_seconds()}
            first = issued_at if issued_at else self._seen.get(f"first:{key}", now)
            self._seen.setdefault(f"first:{key}", first)
            last = self._seen.get(key)
            if now - first >= absolute_seconds() or (last is not None and now - last >= idle_seconds()):
                self._expired.add(key)
                return False
            self._seen[key] = now
            return True

    def expire(self, key: str) -> None:
        with self._lock:
            self._expired.add(key)


token_activity = TokenActivity()
