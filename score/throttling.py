"""Limits on what one client may make the server do: sign-in throttling (`Throttle`), the budget of costly
files (`MakeBudget`) and how many of the heaviest are made at once in one process (`MakeSlots`).

Sign-in throttling, as OWASP recommends for slow brute force: per user name, per user name and address, per
address, globally across user names, and, from a browser holding the user's device cookie, per device only, so
someone else's failures never lock the real user out of their own browser. After the free attempts each further
one waits `BASE_DELAY * 2**(n - free)` seconds (at most `MAX_DELAY`); failures are forgotten after `FORGET_AFTER`
seconds without one. The counters are in the deployment's store (score.sessions, SQLite in data/), shared by every
process; the address comes from `client_address` (trusted from score.serve's nginx only). score.auth.sign_in
asks `throttle` before checking a password."""

from __future__ import annotations

import hmac
import ipaddress
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from score import sessions

FREE_ATTEMPTS = 3  # per user name and address, and per device cookie
NAME_FREE_ATTEMPTS = 5  # per user name, from every browser without its device cookie together
IP_FREE_ATTEMPTS = 20  # per address over all user names (an office behind one address)
BASE_DELAY = 5.0  # seconds to wait once the free attempts are used; doubles with every further failure
MAX_DELAY = 15 * 60.0
FORGET_AFTER = 60 * 60.0
GLOBAL_WINDOW = 15 * 60.0  # the global limit looks at failures across every user name in this window...
GLOBAL_FAILURES = 100  # ...and beyond this many (an attack from many addresses, or spraying many names)...
GLOBAL_DELAY = 15.0  # ...a name or address that failed within it waits this long after its last failure
UNKNOWN_ADDRESS = "unknown"  # this machine, or no address known: all such attempts share one counter
# A throttled attempt costs the attacker nothing, so a script can retry as fast as the server answers: the audit
# log gets one line per address per LOG_THROTTLED_EVERY seconds, counting the refusals left out since the last one.
LOG_THROTTLED_EVERY = 60.0


@dataclass(frozen=True)
class Client:
    """Where a sign-in attempt comes from: the browser's address (None: unknown or this machine) and the
    device cookie it sent (None: none)."""

    ip: str | None = None
    device: str | None = None


PROXY_HEADER = "X-Score-Proxy"  # score.serve's nginx sends it with the deployment's proxy secret
PROXY_SECRET_ENV = "SCORE_PROXY_SECRET"


UNTRUSTED_FORWARDING = "forwarded-by-an-untrusted-proxy"  # the one counter of addresses a client may have written


def client_address(headers: Mapping[str, str], peer: str | None, proxy_secret: str | None) -> str | None:
    """The browser's address for the throttle and the budget of costly files; None when unknown or this machine.

    X-Forwarded-For is trusted only from the bundled nginx, which proves itself with the deployment's proxy
    secret (score.serve writes it into nginx's configuration and the processes' environment); its last entry is
    the address nginx saw. Otherwise the address is `peer`, the websocket's TCP peer (`make run`: every visitor
    its own address), and forwarding headers are ignored, with one exception: the server (uvicorn) itself replaces
    the peer with an X-Forwarded-For entry when the connection comes from this machine, so a peer that is one of
    the header's entries may be one the client wrote; all such requests share one counter (`UNTRUSTED_FORWARDING`),
    so writing addresses gains nothing. A direct visitor's own header never moves it off its own address, nor
    into the counter every visitor behind a forwarding proxy shared (one script there denied them all).
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    forwarded = [entry.strip() for entry in lowered.get("x-forwarded-for", "").split(",") if entry.strip()]
    sent = lowered.get(PROXY_HEADER.lower(), "")
    if proxy_secret and sent and hmac.compare_digest(sent.encode(), proxy_secret.encode()):
        return _address(forwarded[-1]) if forwarded else None
    if peer is not None and _exact(peer) in {_exact(entry) for entry in forwarded}:
        return UNTRUSTED_FORWARDING
    return _address(peer)


def _exact(text: str) -> str:
    """An address written one way (IPv6 in any of its spellings, with or without brackets), else the text."""
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        return text.strip()


# One IPv6 subscriber gets a whole /64 (RFC 6177): its 2**64 addresses are one counter. nginx's session limits count
# the same prefix (score.serve writes its map from this, a whole number of 16-bit groups).
IPV6_PREFIX = 64


def _address(text: object) -> str | None:
    """The counter's address: an IPv4 address (an IPv4-mapped IPv6 one as its IPv4), or an IPv6 address's /64
    (an attacker holding a /64 could otherwise use a fresh address, and fresh counters, for every guess)."""
    try:
        address = ipaddress.ip_address(str(text).strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


class Throttle:
    """Counts failed sign-ins and says how long the next attempt must wait (OWASP, slow brute force).

    Counters live in the deployment's store (score.sessions, SQLite in data/), so every process behind nginx
    counts the same failures. An attempt is counted when it starts (check and count in one write transaction, so
    parallel guesses cannot all pass one check) and uncounted when it succeeds.

    - From a browser holding a valid device cookie for the user name (it signed in as that user before): only
      that device's own failures count (FREE_ATTEMPTS, then BASE_DELAY doubling up to MAX_DELAY). Nobody else's
      failures, however many, delay it: the real user is never locked out from their own browser.
    - From any other browser:
      - per user name: NAME_FREE_ATTEMPTS over every such browser and address (fresh sessions do not reset it);
      - per user name and address: FREE_ATTEMPTS;
      - per address over all user names: IP_FREE_ATTEMPTS (an unknown address counts as one address);
      - globally: beyond GLOBAL_FAILURES failures in GLOBAL_WINDOW, a user name or address that failed in the
        window waits GLOBAL_DELAY after its last failure.
    """

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock

    @staticmethod
    def _keys(username: object, client: Client) -> tuple[dict[str, int], list[str]]:
        """Counter keys for an attempt -> failures each allows before it slows down; keys the global limit uses."""
        user = username.strip().casefold() if isinstance(username, str) else ""
        nonce = sessions.device_nonce(client.device, user) if client.device else None
        if nonce is not None:
            return {f"device:{sessions.keyed(nonce)}": FREE_ATTEMPTS}, []
        name, ip = sessions.keyed("name\0" + user), sessions.keyed("ip\0" + (client.ip or UNKNOWN_ADDRESS))
        keys = {f"name:{name}": NAME_FREE_ATTEMPTS, f"pair:{name}:{ip}": FREE_ATTEMPTS, f"ip:{ip}": IP_FREE_ATTEMPTS}
        return keys, [f"name:{name}", f"ip:{ip}"]

    @staticmethod
    def _wait(row: tuple[int, float] | None, free: int, now: float) -> float:
        if row is None:
            return 0.0
        count, last = row
        if count < free or now - last >= FORGET_AFTER:
            return 0.0
        return max(0.0, last + min(BASE_DELAY * 2 ** (count - free), MAX_DELAY) - now)

    def _waits(self, db: sqlite3.Connection, keys: dict[str, int], global_keys: list[str], now: float) -> float:
        rows = {key: db.execute("SELECT count, last FROM failures WHERE key = ?", (key,)).fetchone() for key in keys}
        waits = [self._wait(rows[key], free, now) for key, free in keys.items()]
        if global_keys:
            recent = db.execute("SELECT count(*) FROM recent WHERE at > ?", (now - GLOBAL_WINDOW,)).fetchone()[0]
            if recent >= GLOBAL_FAILURES:
                lasts = [rows[k][1] for k in global_keys if rows.get(k) and now - rows[k][1] < GLOBAL_WINDOW]
                waits += [last + GLOBAL_DELAY - now for last in lasts]
        return max(0.0, *waits)

    def retry_after(self, username: object, client: Client | None = None) -> float:
        """Seconds until another attempt is allowed for this user name and client (0 = now)."""
        keys, global_keys = self._keys(username, client or Client())
        with sessions.connect() as db:
            return self._waits(db, keys, global_keys, self.clock())

    def attempt(self, username: object, client: Client | None = None) -> float:
        """Start an attempt: the seconds to wait (nothing counted), or 0 and the attempt counted as a failure
        until `succeeded` says otherwise."""
        return self._count(username, client, check=True)

    def failed(self, username: object, client: Client | None = None) -> None:
        """Count a failure, whatever the wait (tests, and callers that check elsewhere)."""
        self._count(username, client, check=False)

    def _count(self, username: object, client: Client | None, check: bool) -> float:
        keys, global_keys = self._keys(username, client or Client())
        now = self.clock()
        with sessions.connect(write=True) as db:
            wait = self._waits(db, keys, global_keys, now) if check else 0.0
            if wait > 0:
                return wait
            for key in keys:
                db.execute(
                    "INSERT INTO failures (key, count, last) VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET "
                    "count = CASE WHEN ? - last >= ? THEN 1 ELSE count + 1 END, last = excluded.last",
                    (key, now, now, FORGET_AFTER),
                )
            if global_keys:
                db.execute("INSERT INTO recent (at) VALUES (?)", (now,))
                db.execute("DELETE FROM recent WHERE at <= ?", (now - GLOBAL_WINDOW,))
            db.execute("DELETE FROM failures WHERE last <= ?", (now - FORGET_AFTER,))
        return 0.0

    def throttled_to_log(self, client: Client | None = None) -> int | None:
        """A throttled attempt from this client's address: None to leave it out of the audit log, or the number of
        its refusals left out since its last line (0 for the first), when this one is to be written."""
        key = sessions.keyed("logged\0" + ((client or Client()).ip or UNKNOWN_ADDRESS))
        now = self.clock()
        with sessions.connect(write=True) as db:
            row = db.execute("SELECT last, left_out FROM refusals_logged WHERE key = ?", (key,)).fetchone()
            if row is not None and now - row[0] < LOG_THROTTLED_EVERY:
                db.execute("UPDATE refusals_logged SET left_out = left_out + 1 WHERE key = ?", (key,))
                return None
            db.execute("INSERT OR REPLACE INTO refusals_logged (key, last, left_out) VALUES (?, ?, 0)", (key, now))
            db.execute("DELETE FROM refusals_logged WHERE last <= ?", (now - FORGET_AFTER,))
        return 0 if row is None else int(row[1])

    def succeeded(self, username: object, client: Client | None = None) -> None:
        """The attempt was right: it was no failure, and this user's own counters start again."""
        keys, global_keys = self._keys(username, client or Client())
        with sessions.connect(write=True) as db:
            for key in keys:
                if not key.startswith("ip:"):  # the address's failures on other names still count
                    db.execute("DELETE FROM failures WHERE key = ?", (key,))
                else:
                    db.execute("UPDATE failures SET count = max(count - 1, 0) WHERE key = ?", (key,))
            if global_keys:
                db.execute("DELETE FROM recent WHERE rowid = (SELECT max(rowid) FROM recent)")


throttle = Throttle()


# Costly files: a PDF report prints the page in headless Chromium, the deck draws every slide and its map; both are
# made inside the websocket (a click, or a script sending the same request in a loop), where nginx limits nothing.
# Each kind costs the CPU seconds one make took (BENCHMARKS.md, "Costly files"), rounded up; a client's budget
# holds MAKE_BURST of them and refills at MAKE_REFILL a second: an HQ presenter's reports of every page in a row,
# or a room of donors behind one address each taking the report, pass; a script gets a tenth of a core once the
# burst is spent.
MAKE_COSTS = {"pdf": 4.0, "pptx": 4.0, "xlsx": 1.0}
MAKE_BURST = 60.0  # CPU seconds: fifteen PDF reports
MAKE_REFILL = 0.1  # CPU seconds a second: a PDF report every 40 s


class MakeBudget:
    """A token bucket of CPU seconds per client (a signed-in user name, or the public's address: `client_address`),
    in the deployment's store, so every process behind nginx spends the same budget."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock

    @staticmethod
    def _key(client: str) -> str:
        return "make:" + sessions.keyed("make\0" + client)

    def _wait(self, db: sqlite3.Connection, key: str, cost: float, now: float) -> tuple[float, float]:
        """(seconds until `cost` fits, what the bucket holds spent now)."""
        row = db.execute("SELECT spent, at FROM makes WHERE key = ?", (key,)).fetchone()
        spent = 0.0 if row is None else max(0.0, row[0] - (now - row[1]) * MAKE_REFILL)
        return max(0.0, (spent + cost - MAKE_BURST) / MAKE_REFILL), spent

    def retry_after(self, client: str, kind: str) -> float:
        """Seconds until this client may make a file of this kind (0 = now); nothing spent."""
        with sessions.connect() as db:
            return self._wait(db, self._key(client), MAKE_COSTS[kind], self.clock())[0]

    def spend(self, client: str, kind: str) -> float:
        """Make one file of this kind: 0 and its cost spent, or the seconds to wait and nothing spent."""
        key, cost, now = self._key(client), MAKE_COSTS[kind], self.clock()
        with sessions.connect(write=True) as db:
            wait, spent = self._wait(db, key, cost, now)
            if wait > 0:
                return wait
            db.execute("INSERT OR REPLACE INTO makes (key, spent, at) VALUES (?, ?, ?)", (key, spent + cost, now))
            db.execute("DELETE FROM makes WHERE at <= ?", (now - MAKE_BURST / MAKE_REFILL,))  # refilled: forgotten
        return 0.0


makes = MakeBudget()


# Streamlit makes every deferred download in its default pool of threads (6 on this machine, shared by every session),
# so a burst of clicks within everyone's budgets ran 6 Chromium PDF prints at once in one process (about 6 x 250 MB).
# The heaviest kinds take one of MAKE_AT_ONCE slots per process; a click finding none free is refused at once (the
# page says to try again in a moment), never queued, so the pool's threads stay free for every other download.
HEAVY_KINDS = frozenset({"pdf", "pptx"})
MAKE_AT_ONCE = 2


class MakeSlots:
    """The slots for the heaviest files made at once in this process (a counter, not a queue)."""

    def __init__(self, size: int = MAKE_AT_ONCE):
        self.size = size
        self._taken = 0
        self._lock = threading.Lock()

    def full(self, kind: str) -> bool:
        """True when a file of this kind could not be made now (nothing taken)."""
        return kind in HEAVY_KINDS and self._taken >= self.size

    @contextmanager
    def take(self, kind: str) -> Iterator[bool]:
        """Hold a slot while a file of this kind is made: yields False, at once, when every slot is taken."""
        if kind not in HEAVY_KINDS:
            yield True
            return
        with self._lock:
            got = self._taken < self.size
            self._taken += got
        try:
            yield got
        finally:
            if got:
                with self._lock:
                    self._taken -= 1


slots = MakeSlots()
