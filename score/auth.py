"""Who is signed in: the local users file, password checks, sign-in throttling and session expiry.

No Streamlit here (score.web.signin is the Streamlit glue), so all of it is testable directly.

- Users live in one JSON file (`config.users_file()`, mode 0600, replaced atomically), keyed by the
  case-folded user name or, for single sign-on (`"sso": true`, no password), by the e-mail address.
  Passwords are stored only as argon2id hashes (argon2-cffi `PasswordHasher`, its default parameters);
  the clear password is never written or logged anywhere.
- A record maps to a `Scope` with `scope_for`, which fails closed: an unknown role, or a country user
  without valid countries, gets `Scope.nothing()`, never more.
- Failed sign-ins are throttled per user name and client, per client, and globally across user names (see
  `Throttle`): after `FREE_ATTEMPTS` failures each further attempt must wait `BASE_DELAY * 2**(n - FREE_ATTEMPTS)`
  seconds (at most `MAX_DELAY`); failures are forgotten after `FORGET_AFTER` seconds without one. Someone else's
  failures never lock the real user out. The counters live in memory, per server process (one process serves
  all sessions; with several replicas each throttles on its own).
- Sessions expire after `SCORE_SESSION_IDLE_HOURS` (default 8) without activity and after
  `SCORE_SESSION_MAX_HOURS` (default 12) in any case. The caller checks them on every rerun with
  `refresh`, which also re-reads the users file, so removing a user or changing their countries
  takes effect at the next click.
- Demo accounts (`python -m score users demo`) have published passwords: they are created only for the
  demo data set and stop working as soon as real data is loaded (`demo_accounts_allowed`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from score import config, contract, files
from score.access import ROLES, Scope

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
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    payload = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    files.restrict_modes(path.parent)  # the users file's folder (the data directory): 0700, its files 0600
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


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
        record["created_at"] = data["users"].get(name, {}).get("created_at", record["updated_at"])
        data["users"][name] = record
        _write(data)
    return _info(name, record)


def remove_user(username: str) -> bool:
    """Remove a user; True if there was one. Their open sessions end at their next click (`refresh`)."""
    name = normalise_username(username)
    if name is None:
        return False
    with _locked():
        data = _read()
        if data["users"].pop(name, None) is None:
            return False
        _write(data)
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


# ---------------------------------------------------------------------------------------------- throttling


FREE_ATTEMPTS = 3  # per user name and client, and per client over all user names
IP_FREE_ATTEMPTS = 20  # per IP address over all user names and sessions (an office behind one address)
BASE_DELAY = 5.0  # seconds to wait after the 3rd failure; doubles with every further failure
MAX_DELAY = 15 * 60.0
FORGET_AFTER = 60 * 60.0
MAX_TRACKED = 50_000
GLOBAL_WINDOW = 15 * 60.0  # the global limit looks at failures across every user name in this window...
GLOBAL_FAILURES = 100  # ...and beyond this many (an attack from many clients, or spraying many names)...
GLOBAL_DELAY = 15.0  # ...a name or client that failed within it waits this long after its last failure


def _digest(text: str) -> str:
    # In memory only, for the dictionary keys (never written anywhere).
    return hashlib.sha256(text.strip().casefold().encode("utf-8", "replace")).hexdigest()[:32]


class Throttle:
    """Counts failed sign-ins and says how long the next attempt must wait. Thread-safe.

    The real user is never locked out by someone else's failures, and an attacker is slowed wherever they
    come from:
    - per user name AND client (the browser session, and its IP address when known): FREE_ATTEMPTS, then
      BASE_DELAY doubling up to MAX_DELAY. Failures on "ghana" from another browser do not delay the real
      ghana, whose own client has none;
    - per client over all user names (spraying from one browser: FREE_ATTEMPTS; from one IP address:
      IP_FREE_ATTEMPTS), the same backoff;
    - globally, over all user names and clients: beyond GLOBAL_FAILURES failures in GLOBAL_WINDOW, a user name
      or client that failed in the window waits GLOBAL_DELAY after its last failure. An attack from many
      clients on one name gets one guess per GLOBAL_DELAY; the real user waits at most GLOBAL_DELAY once.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._recent: list[float] = []  # times of failures in the global window
        self._lock = threading.Lock()

    @staticmethod
    def keys(username: object, session_id: str | None, ip: str | None = None) -> dict[str, int]:
        """Counter keys for an attempt -> how many failures each allows before it slows down."""
        user = _digest(username if isinstance(username, str) else "")
        keys = {f"pair:{user}:session:{_digest(session_id or '')}": FREE_ATTEMPTS}
        if session_id:
            keys[f"session:{_digest(session_id)}"] = FREE_ATTEMPTS
        if ip:
            keys[f"pair:{user}:ip:{_digest(ip)}"] = FREE_ATTEMPTS
            keys[f"ip:{_digest(ip)}"] = IP_FREE_ATTEMPTS
        return keys

    @staticmethod
    def _recent_keys(username: object, session_id: str | None, ip: str | None) -> list[str]:
        """Keys the global limit looks at: the user name and the client(s), whoever else failed on them."""
        out = [f"name:{_digest(username if isinstance(username, str) else '')}"]
        out += [f"last-session:{_digest(session_id)}"] if session_id else []
        out += [f"last-ip:{_digest(ip)}"] if ip else []
        return out

    def _wait(self, key: str, free: int, now: float) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if count < free or now - last >= FORGET_AFTER:
            return 0.0
        delay = min(BASE_DELAY * 2 ** (count - free), MAX_DELAY)
        return max(0.0, last + delay - now)

    def _global_wait(self, keys: list[str], now: float) -> float:
        self._recent = [t for t in self._recent if now - t < GLOBAL_WINDOW]
        if len(self._recent) < GLOBAL_FAILURES:
            return 0.0
        lasts = [
            self._failures[k][1] for k in keys if k in self._failures and now - self._failures[k][1] < GLOBAL_WINDOW
        ]
        return max((last + GLOBAL_DELAY - now for last in lasts), default=0.0)

    def retry_after(self, username: object, session_id: str | None = None, ip: str | None = None) -> float:
        """Seconds until another attempt is allowed for this user name and client (0 = now)."""
        now = self.clock()
        with self._lock:
            waits = [self._wait(key, free, now) for key, free in self.keys(username, session_id, ip).items()]
            waits.append(self._global_wait(self._recent_keys(username, session_id, ip), now))
            return max(0.0, *waits)

    def failed(self, username: object, session_id: str | None = None, ip: str | None = None) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED:
                self._failures = {k: v for k, v in self._failures.items() if now - v[1] < FORGET_AFTER}
            for key in [*self.keys(username, session_id, ip), *self._recent_keys(username, session_id, ip)]:
                count, last = self._failures.get(key, (0, now))
                count = 0 if now - last >= FORGET_AFTER else count
                self._failures[key] = (count + 1, now)
            self._recent.append(now)
            if len(self._recent) > 10 * GLOBAL_FAILURES:  # only the count in the window matters
                self._recent = [t for t in self._recent if now - t < GLOBAL_WINDOW][-GLOBAL_FAILURES:]

    def succeeded(self, username: object, session_id: str | None = None, ip: str | None = None) -> None:
        with self._lock:
            for key in self.keys(username, session_id, ip):
                if key.startswith("pair:"):
                    self._failures.pop(key, None)


throttle = Throttle()


# ---------------------------------------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class SignInResult:
    scope: Scope | None  # None: refused
    username: str | None  # the stored name when the user exists (for the audit log), else None
    retry_after: float = 0.0  # > 0: refused without checking because of earlier failures


def sign_in(
    username: object,
    password: object,
    session_id: str | None = None,
    throttle_: Throttle | None = None,
    ip: str | None = None,
) -> SignInResult:
    """Check a user name and password, throttled. The result says who (if known) and with what scope."""
    guard = throttle_ or throttle
    found = lookup(username)
    wait = guard.retry_after(username, session_id, ip)
    if wait > 0:
        return SignInResult(None, found[0] if found else None, wait)
    ok = False
    if isinstance(password, str) and len(password) <= MAX_PASSWORD:
        stored = found[1].get("password_hash") if found else None
        if not (isinstance(stored, str) and stored.startswith("$argon2")) or found[1].get("sso") is True:
            stored = None
        try:
            ok = _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_DUMMY_HASH, "x")  # same cost for an absurd password as for a wrong one
    if not ok or found is None:
        guard.failed(username, session_id, ip)
        return SignInResult(None, found[0] if found else None)
    name, record = found
    guard.succeeded(username, session_id, ip)
    if _hasher.check_needs_rehash(record["password_hash"]):
        _rehash(name, password)  # type: ignore[arg-type]
    return SignInResult(scope_for(name, record), name)


def verify(
    username: object, password: object, session_id: str | None = None, throttle_: Throttle | None = None
) -> Scope | None:
    """The scope for a correct user name and password, else None (also while throttled)."""
    return sign_in(username, password, session_id, throttle_).scope


def _rehash(name: str, password: str) -> None:
    with _locked():
        data = _read()
        record = data["users"].get(name)
        if isinstance(record, dict) and record.get("password_hash"):
            record["password_hash"] = _hasher.hash(password)
            _write(data)


# ---------------------------------------------------------------------------------------------- sessions


def _hours_from_env(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if 0 < value <= 24 * 30 else default


def idle_seconds() -> float:
    return _hours_from_env("SCORE_SESSION_IDLE_HOURS", 8) * 3600


def absolute_seconds() -> float:
    return _hours_from_env("SCORE_SESSION_MAX_HOURS", 12) * 3600


@dataclass(frozen=True)
class Session:
    """A signed-in viewer. Times are seconds since the epoch (`time.time()`)."""

    user: str
    scope: Scope
    issued_at: float
    expires_at: float  # absolute end, whatever the activity
    last_seen: float
    method: str = "password"  # or "sso"

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


def refresh(session: Session, now: float | None = None) -> tuple[Session | None, str]:
    """Check a session on a rerun. Returns (session or None, reason): reason is "ok", "expired" or "revoked".

    The scope is derived again from the users file every time, so a removed user is signed out and a
    changed role or country list applies at once.
    """
    now = time.time() if now is None else now
    if not isinstance(session, Session):
        return None, "revoked"
    if session.expired(now):
        return None, "expired"
    found = lookup(session.user)
    if found is None:
        return None, "revoked"
    name, record = found
    if session.method == "sso" and record.get("sso") is not True:
        return None, "revoked"
    if session.method == "password" and record.get("sso") is True:
        return None, "revoked"
    return replace(session, scope=scope_for(name, record), last_seen=now), "ok"


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
