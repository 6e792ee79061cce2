"""Local users, password hashing, throttling, session expiry, fail-closed scopes, the users CLI, the audit log,
and the sign-in box in the app (AppTest)."""

from __future__ import annotations

import io
import json
import logging
import os
import sqlite3
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher

from score import audit, auth, throttling
from score.access import Scope
from score.settings import Settings
from tests.apptest import app, open_sign_in_box

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


@pytest.fixture
def users_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_override) -> Path:
    """A private data dir for the users file and audit log, with (by default) demo-marked country folders."""
    data = tmp_path / "data"
    for country in ("COL", "GHA"):
        (data / "countries" / country).mkdir(parents=True)
        (data / "countries" / country / auth.DEMO_MARKER).write_text("demo\n")
    settings_override(data_dir=data, users_file=None)
    monkeypatch.setattr(throttling, "throttle", throttling.Throttle())
    return data


class FakeClock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------------------------------- hashing


@pytest.mark.real_argon2
def test_users_file_holds_only_argon2_hashes_with_argon2_cffis_default_cost(users_dir: Path) -> None:
    auth.add_user("maria", PASSWORD, "country", ["COL"])
    path = auth.config.users_file()
    raw = path.read_bytes()
    assert PASSWORD.encode() not in raw
    assert PASSWORD.encode("utf-16-le") not in raw
    record = json.loads(raw)["users"]["maria"]
    defaults = PasswordHasher()  # the library's recommended cost (RFC 9106's second choice), written out below
    cost = f"$m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}$"
    assert record["password_hash"].startswith("$argon2id$v=19" + cost), record["password_hash"][:40]
    assert defaults.memory_cost >= 65536 and defaults.time_cost >= 3
    assert record["role"] == "country" and record["countries"] == ["COL"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob(".*.tmp")), "the atomic write left a temp file behind"


def test_verify_right_wrong_unknown(users_dir: Path) -> None:
    auth.add_user("Maria", PASSWORD, "country", ["col", "PER"])
    scope = auth.verify("maria", PASSWORD)
    assert scope is not None and scope.role == "country" and scope.user == "maria"
    assert scope.detail_countries == {"COL", "PER"}
    assert auth.verify(" MARIA ", PASSWORD) == scope  # names are case-insensitive
    assert auth.verify("maria", PASSWORD.upper()) is None
    assert auth.verify("nobody", PASSWORD) is None
    assert auth.verify("maria", None) is None
    assert auth.verify(None, PASSWORD) is None


def test_unknown_user_costs_a_hash_check(users_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = auth._hasher
    calls: list[str] = []

    class Spy:
        def verify(self, hashed: str, password: str) -> bool:
            calls.append(hashed)
            return real.verify(hashed, password)

        def check_needs_rehash(self, hashed: str) -> bool:
            return real.check_needs_rehash(hashed)

    monkeypatch.setattr(auth, "_hasher", Spy())
    assert auth.verify("ghost", "whatever password") is None
    assert calls == [auth._DUMMY_HASH]
    assert auth.verify("ghost", "x" * 100_000) is None  # absurdly long: refused, still one (cheap) check
    assert len(calls) == 2


def test_passwords_must_be_reasonable(users_dir: Path) -> None:
    with pytest.raises(auth.UserError):
        auth.add_user("short", "abc", "hq")
    with pytest.raises(auth.UserError):
        auth.add_user("long", "x" * (auth.MAX_PASSWORD + 1), "hq")
    with pytest.raises(auth.UserError):
        auth.add_user("bad name!", PASSWORD, "hq")
    with pytest.raises(auth.UserError):
        auth.add_user("x", PASSWORD, "admin")
    with pytest.raises(auth.UserError):
        auth.add_user("x", PASSWORD, "country", [])
    with pytest.raises(auth.UserError):
        auth.add_user("x", PASSWORD, "country", ["XXX"])
    with pytest.raises(auth.UserError):
        auth.add_user("not-an-email", None, "hq", sso=True)
    assert auth.list_users() == []


def test_outdated_hash_is_upgraded_on_sign_in(users_dir: Path) -> None:
    auth.add_user("old", PASSWORD, "hq")
    path = auth.config.users_file()
    data = json.loads(path.read_text())
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    data["users"]["old"]["password_hash"] = weak
    path.write_text(json.dumps(data))
    assert auth.verify("old", PASSWORD) is not None
    upgraded = json.loads(path.read_text())["users"]["old"]["password_hash"]
    assert upgraded != weak and not auth._hasher.check_needs_rehash(upgraded)


def test_broken_users_file_lets_nobody_in(users_dir: Path) -> None:
    auth.add_user("maria", PASSWORD, "hq")
    auth.config.users_file().write_text("{ not json")
    assert auth.verify("maria", PASSWORD) is None
    assert auth.list_users() == []
    auth.config.users_file().write_text('["a list"]')
    assert auth.verify("maria", PASSWORD) is None


def test_sso_entries_cannot_sign_in_with_a_password(users_dir: Path) -> None:
    auth.add_user("Ana@ILO.org", None, "country", ["COL"], sso=True)
    [info] = auth.list_users()
    assert info.username == "ana@ilo.org" and info.sso and not info.has_password
    assert auth.verify("ana@ilo.org", "") is None
    assert auth.verify("ana@ilo.org", "anything at all") is None


# ---------------------------------------------------------------------------------------------- scopes


@pytest.mark.parametrize(
    "record",
    [
        None,
        "hq",
        {},
        {"role": "admin"},
        {"role": "HQ"},
        {"role": None},
        {"role": "country"},
        {"role": "country", "countries": []},
        {"role": "country", "countries": "COL"},
        {"role": "country", "countries": ["XXX"]},
        {"role": "country", "countries": ["COL", "XXX"]},
        {"role": "country", "countries": ["col"]},
        {"role": "country", "countries": [None]},
        {"role": ["hq"]},
    ],
)
def test_scope_for_fails_closed(record: object) -> None:
    assert auth.scope_for("someone", record) == Scope.nothing()


def test_scope_for_valid_records() -> None:
    assert auth.scope_for("g", {"role": "hq", "countries": []}).is_hq
    public = auth.scope_for("d", {"role": "public"})
    assert public.role == "public" and not public.detail_countries and public.suppresses({"COL"})
    country = auth.scope_for("c", {"role": "country", "countries": ["GHA"]})
    assert country.detail_countries == {"GHA"} and not country.suppresses({"GHA"}) and country.suppresses({"COL"})
    assert auth.scope_for("", {"role": "hq"}) == Scope.nothing()


# ---------------------------------------------------------------------------------------------- throttling


def test_throttling_per_user(users_dir: Path) -> None:
    auth.add_user("maria", PASSWORD, "hq")
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    for _ in range(throttling.FREE_ATTEMPTS):
        assert auth.sign_in("maria", "wrong password", throttle_=guard).retry_after == 0
    # Locked now: even the right password is refused without being checked.
    locked = auth.sign_in("maria", PASSWORD, throttle_=guard)
    assert locked.scope is None and locked.retry_after == pytest.approx(throttling.BASE_DELAY)
    clock.now += throttling.BASE_DELAY
    assert auth.sign_in("maria", "wrong again", throttle_=guard).scope is None
    assert guard.retry_after("maria") == pytest.approx(2 * throttling.BASE_DELAY)  # doubles
    clock.now += 2 * throttling.BASE_DELAY
    assert auth.sign_in("maria", "wrong again", throttle_=guard).scope is None
    assert guard.retry_after("maria") == pytest.approx(4 * throttling.BASE_DELAY)
    clock.now += 4 * throttling.BASE_DELAY
    assert auth.sign_in("maria", PASSWORD, throttle_=guard).scope is not None
    assert guard.retry_after("maria") == 0  # success resets the counter


def test_throttle_is_capped_and_forgets(users_dir: Path) -> None:
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    for _ in range(40):
        guard.failed("maria")
        clock.now += 0.001
    assert guard.retry_after("maria") <= throttling.MAX_DELAY
    clock.now += throttling.FORGET_AFTER
    assert guard.retry_after("maria") == 0


def test_99_guesses_from_fresh_sessions_are_slowed(users_dir: Path) -> None:
    """The attack of issue 20: every guess from a new browser session of the same machine (no address known)."""
    auth.add_user("maria", PASSWORD, "hq")
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    checked = 0
    for n in range(99):
        result = auth.sign_in("maria", f"guess-{n}", throttling.Client(), throttle_=guard)
        checked += result.retry_after == 0
        clock.now += 1  # one guess a second
    # FREE_ATTEMPTS (this name from this unknown address), then one after 5, 10, 20 and 40 s: 7 of 99 guesses
    # reach the password check; the next would wait 80 s.
    assert checked == throttling.FREE_ATTEMPTS + 4
    # Spraying 99 user names from one address is slowed too (the address's own counter).
    clock.now += throttling.FORGET_AFTER
    sprayed = sum(
        auth.sign_in(f"name{n}", "guess", throttling.Client(ip="203.0.113.9"), throttle_=guard).retry_after == 0
        for n in range(99)
        if not setattr(clock, "now", clock.now + 1)
    )
    assert sprayed <= throttling.IP_FREE_ATTEMPTS + 5


def test_an_ipv6_attacker_counts_as_one_address_per_64(users_dir: Path) -> None:
    """An IPv6 subscriber holds a /64: a fresh address for every guess is still one address's counter."""
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    secret = "proxy-secret"

    def through_nginx(address: str) -> throttling.Client:
        return throttling.Client(
            throttling.client_address({"X-Forwarded-For": address, "X-Score-Proxy": secret}, None, secret)
        )

    sprayed = sum(
        auth.sign_in(f"name{n}", "guess", through_nginx(f"2001:db8:5:7::{n + 1:x}"), throttle_=guard).retry_after == 0
        for n in range(60)
        if not setattr(clock, "now", clock.now + 1)
    )
    assert sprayed <= throttling.IP_FREE_ATTEMPTS + 5
    # Another /64 is another subscriber; a mapped IPv4 address is that IPv4 address; loopback stays unknown.
    assert guard.retry_after("someone", through_nginx("2001:db8:5:8::1")) == 0
    assert through_nginx("2001:db8:5:7:ffff:ffff:ffff:ffff").ip == through_nginx("2001:db8:5:7::1").ip
    assert through_nginx("::ffff:203.0.113.9").ip == "203.0.113.9"
    assert through_nginx("::1").ip is None


# One name, typed as a guesser would to look like a new user to a counter: case, spaces, tabs, a no-break space.
VARIANTS = ("maria", "Maria", "MARIA", " maria", "maria ", "\tMaRiA\n", "\u00a0maria\u00a0")


def test_case_and_space_variants_of_a_name_share_its_sign_in_counter(users_dir: Path) -> None:
    auth.add_user("maria", PASSWORD, "hq")
    assert {auth.normalise_username(v) for v in VARIANTS} == {"maria"}  # each would sign in as maria
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    # Every guess from a new address (a botnet), each with the next variant of the name.
    checked = 0
    for n in range(60):
        client = throttling.Client(ip=f"198.51.100.{n + 1}")
        result = auth.sign_in(VARIANTS[n % len(VARIANTS)], f"guess-{n}", client, throttle_=guard)
        checked += result.retry_after == 0
        clock.now += 1
    # The name's own counter holds across addresses and spellings: its free attempts, then a doubling wait
    # (5, 10, 20, 40 s after the last guess) lets only a few more through in a minute.
    assert checked <= throttling.NAME_FREE_ATTEMPTS + 4
    assert guard.retry_after("MARIA ") > 0


@pytest.mark.parametrize(
    "path",
    ["/upload\n", "/upload\r\n", "//evil.example", "/\\evil.example", "/upload/../audit", "https://evil.example"],
)
def test_the_page_after_sign_in_is_a_plain_page_of_this_app(path: str) -> None:
    """`next` is a page name; anything else (a trailing line break, another host, a path) goes home."""
    from score.web import session_routes

    assert session_routes.safe_next(path) == "/"


def test_a_links_whole_query_goes_on_after_sign_in() -> None:
    """Every value a link's filters may hold comes back from the cookie route, the language too (it comes last):
    cut at 40 pairs or 4000 characters, a link with more lost its last values at sign-in."""
    from urllib.parse import parse_qsl, urlencode

    from score import filters
    from score.web import session_routes

    pairs = [(name, code) for name, codes in filters.known_codes().items() for code in codes]  # every code chosen
    pairs += [("partners", f"Ministry of Labour, Invalids and Social Affairs of province {n}") for n in range(80)]
    pairs += [("year_from", "2014"), ("year_to", "2019"), ("lang", "fr")]
    assert len(pairs) > 40 and len(urlencode(pairs)) > 4000  # what the old bounds cut
    kept = session_routes.safe_next("/map", urlencode(pairs))
    assert kept.startswith("/map?") and parse_qsl(kept.split("?", 1)[1]) == pairs
    endless = urlencode([("sectors", "garments")] * (2 * session_routes.MAX_QUERY_PAIRS))
    assert len(parse_qsl(session_routes.safe_next("/", endless).split("?", 1)[1])) == session_routes.MAX_QUERY_PAIRS


def test_real_user_with_a_known_browser_signs_in_during_an_attack(users_dir: Path) -> None:
    from score import sessions

    auth.add_user("maria", PASSWORD, "country", ["COL"])
    auth.add_user("kofi", PASSWORD, "country", ["GHA"])
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    device = sessions.device_cookie("maria")  # set when Maria signed in from her browser before
    for n in range(throttling.GLOBAL_FAILURES + 20):  # from many addresses, beyond the global limit
        auth.sign_in("maria", f"guess-{n}", throttling.Client(ip=f"198.51.100.{n % 250}"), throttle_=guard)
        clock.now += 0.5
    assert guard.retry_after("maria", throttling.Client()) > 0  # a new browser must wait
    result = auth.sign_in("maria", PASSWORD, throttling.Client(device=device), throttle_=guard)
    assert result.retry_after == 0 and result.scope is not None and result.scope.detail_countries == {"COL"}
    # Maria's device cookie is hers only: the attacker holding one for "kofi" gains nothing on "maria".
    assert guard.retry_after("maria", throttling.Client(device=sessions.device_cookie("kofi"))) > 0
    assert sessions.device_nonce(device + "x", "maria") is None  # a forged cookie is no device cookie
    # Wrong passwords from the device itself slow that device (someone at her unlocked computer).
    for _ in range(throttling.FREE_ATTEMPTS):
        auth.sign_in("maria", "wrong", throttling.Client(device=device), throttle_=guard)
    assert guard.retry_after("maria", throttling.Client(device=device)) == pytest.approx(throttling.BASE_DELAY)


COUNT_FAILURES = """
import sys
from score import throttling
for n in range(int(sys.argv[1])):
    throttling.throttle.failed("maria", throttling.Client(ip="203.0.113.7"))
print(throttling.throttle.retry_after("maria", throttling.Client(ip="203.0.113.7")))
"""


def test_throttle_counters_are_shared_by_every_process(users_dir: Path) -> None:
    env = {**os.environ, "SCORE_DATA_DIR": str(users_dir)}
    other = subprocess.run(
        [sys.executable, "-c", COUNT_FAILURES, str(throttling.NAME_FREE_ATTEMPTS + 3)],  # the name waits 40 s
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(other.stdout) > 0  # the other process slowed down after its own failures
    # This process sees them: another address, the same user name.
    assert throttling.Throttle().retry_after("maria", throttling.Client(ip="192.0.2.50")) > 0
    store = users_dir / "auth.sqlite3"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert b"maria" not in store.read_bytes() and b"203.0.113.7" not in store.read_bytes()


def test_forwarded_for_is_trusted_only_from_the_bundled_proxy() -> None:
    secret = "proxy-secret-of-this-start"
    through_nginx = {"X-Forwarded-For": "10.9.9.9, 203.0.113.5", "X-Score-Proxy": secret}
    assert throttling.client_address(through_nginx, None, secret) == "203.0.113.5"  # the address nginx saw
    forged = {"X-Forwarded-For": "198.51.100.1"}
    # The server took the peer from the header (it does when the connection comes from this machine): not believed.
    assert throttling.client_address(forged, "198.51.100.1", secret) == throttling.UNTRUSTED_FORWARDING
    assert throttling.client_address(forged, None, secret) is None  # this machine's own request
    wrong = {"X-Forwarded-For": "198.51.100.1", "X-Score-Proxy": "guess"}
    assert throttling.client_address(wrong, "198.51.100.1", secret) == throttling.UNTRUSTED_FORWARDING
    no_secret = {"X-Forwarded-For": "198.51.100.1", "X-Score-Proxy": ""}
    assert throttling.client_address(no_secret, "198.51.100.1", None) == throttling.UNTRUSTED_FORWARDING
    assert throttling.client_address({"X-Forwarded-For": "[2001:DB8:0::1]"}, "2001:db8::1", secret) == (
        throttling.UNTRUSTED_FORWARDING  # the same address spelled another way
    )
    assert throttling.client_address({}, "192.0.2.8", secret) == "192.0.2.8"
    assert throttling.client_address({}, None, secret) is None  # this machine
    assert throttling.client_address({"X-Forwarded-For": "127.0.0.1", "X-Score-Proxy": secret}, None, secret) is None
    # score.serve writes the secret into nginx's configuration, which replaces whatever a client sent.
    from score import serve

    conf = serve.nginx_config(Path("/run"), Path("/tmp"), "127.0.0.1:1", [2, 3], secret)
    assert f'proxy_set_header X-Score-Proxy "{secret}";' in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf


def test_a_direct_visitors_forwarding_header_keeps_it_at_its_own_address(users_dir: Path) -> None:
    """Without nginx (`make run`), any visitor whose request carried X-Forwarded-For (every visitor behind an
    office's or a carrier's forwarding proxy, and any script that adds the header) was counted as one address:
    one script sending the header spent that address's budget of PDFs and decks and its sign-in attempts for all
    of them. The websocket's TCP peer (st.context.ip_address; the server believes the header only from this
    machine) is the visitor's address; a header a direct visitor sends moves it nowhere."""
    secret = "proxy-secret-of-this-start"
    script, donor = "203.0.113.66", "192.0.2.44"
    assert throttling.client_address({"X-Forwarded-For": "198.51.100.1"}, script, secret) == script
    assert throttling.client_address({"X-Forwarded-For": "10.1.2.3"}, donor, secret) == donor  # an office proxy
    assert throttling.client_address({"X-Real-IP": "198.51.100.1", "Forwarded": "for=1.2.3.4"}, donor, None) == donor
    now = [1_000.0]
    budget = throttling.MakeBudget(clock=lambda: now[0])
    pdfs = int(throttling.MAKE_BURST // throttling.MAKE_COSTS["pdf"])
    for forged in range(pdfs + 3):  # the script rotates the header on every click
        headers = {"X-Forwarded-For": f"198.51.100.{forged}"}
        budget.spend("address:" + str(throttling.client_address(headers, script, secret)), "pdf")
    assert budget.retry_after("address:" + script, "pdf") > 0  # the script's own budget is spent...
    office = throttling.client_address({"X-Forwarded-For": "10.1.2.3"}, donor, secret)
    assert budget.spend(f"address:{office}", "pdf") == 0.0  # ...and the donor behind a proxy still gets the PDF
    # The sign-in throttle: the script's failures, under rotating headers, slow its own address, not the donor's.
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    for n in range(throttling.IP_FREE_ATTEMPTS + 5):
        forged_client = throttling.Client(throttling.client_address({"X-Forwarded-For": f"10.0.0.{n}"}, script, None))
        auth.sign_in(f"name{n}", "guess", forged_client, throttle_=guard)
    assert guard.retry_after("someone", throttling.Client(script)) > 0
    assert guard.retry_after("someone", throttling.Client(office)) == 0


# ---------------------------------------------------------------------------------------------- sessions


def test_session_idle_and_absolute_expiry(users_dir: Path) -> None:
    start = 1_700_000_000.0
    session = auth.Session.start("maria", Scope.hq("maria"), now=start)
    assert session.expires_at == start + 12 * 3600
    assert not session.expired(start + 8 * 3600 - 1)
    assert session.expired(start + 8 * 3600)  # idle
    active = session
    for hour in range(1, 12):
        assert not active.expired(start + hour * 3600)
        active = auth.Session.start("maria", Scope.hq("maria"), now=start)  # issued at start ...
        active = type(active)(**{**active.__dict__, "last_seen": start + hour * 3600})  # ... but active since
    assert active.expired(start + 12 * 3600)  # absolute, however active


def test_session_lifetimes_come_from_the_settings(users_dir: Path, settings_override) -> None:
    settings_override(session_idle_hours=0.5, session_max_hours=2)
    session = auth.Session.start("m", Scope.hq("m"), now=0.0)
    assert session.expires_at == 7200 and session.expired(1800) and not session.expired(1799)


def test_session_lifetimes_out_of_range_in_the_environment_fall_back_to_the_defaults() -> None:
    read = Settings.from_env({"SCORE_SESSION_IDLE_HOURS": "0.5", "SCORE_SESSION_MAX_HOURS": "2"})
    assert (read.session_idle_hours, read.session_max_hours) == (0.5, 2)
    read = Settings.from_env({"SCORE_SESSION_IDLE_HOURS": "nonsense", "SCORE_SESSION_MAX_HOURS": "-3"})
    assert (read.session_idle_hours, read.session_max_hours) == (Settings().session_idle_hours, 12)


def test_refresh_rederives_scope_from_users_file(users_dir: Path) -> None:
    auth.add_user("maria", PASSWORD, "country", ["COL"])
    scope = auth.verify("maria", PASSWORD)
    assert scope is not None
    start = 1_700_000_000.0
    session = auth.Session.start("maria", scope, now=start)
    refreshed, reason = auth.refresh(session, now=start + 60)
    assert reason == "ok" and refreshed is not None and refreshed.last_seen == start + 60
    auth.add_user("maria", PASSWORD, "country", ["GHA"])  # countries changed by HQ
    refreshed, _ = auth.refresh(refreshed, now=start + 120)
    assert refreshed is not None and refreshed.scope.detail_countries == {"GHA"}
    assert auth.refresh(refreshed, now=start + 120 + 8 * 3600) == (None, "expired")
    auth.remove_user("maria")
    assert auth.refresh(refreshed, now=start + 180) == (None, "revoked")
    assert auth.refresh("not a session", now=start) == (None, "revoked")  # type: ignore[arg-type]


def test_session_cookie_is_handed_over_once_and_resumes_the_session(users_dir: Path) -> None:
    from score import sessions

    auth.add_user("maria", PASSWORD, "country", ["COL"])
    start = time.time()
    session, handoff = auth.start_session("maria", auth.verify("maria", PASSWORD))
    cookie, user = sessions.exchange(handoff)
    assert user == "maria" and sessions.exchange(handoff) is None  # one time only
    resumed, reason = auth.resume(cookie, now=start + 60)  # a reload, a new tab, another process
    assert reason == "ok" and resumed.user == "maria" and resumed.scope.detail_countries == {"COL"}
    assert resumed.issued_at == session.issued_at  # the absolute limit counts from the sign-in
    for forged in (None, "", "x" * 5000, cookie + "x", cookie.replace(".", "!", 1), handoff):
        assert auth.resume(forged) == (None, "none")
    auth.end_session(resumed)  # sign-out, in any tab or process
    assert auth.resume(cookie) == (None, "none")
    store = (users_dir / "auth.sqlite3").read_bytes()
    assert session.sid.encode() not in store  # only its hash is stored


def _route(handler, cookie: str | None = None, site: str | None = None, **params: str):
    """Call one of the cookie routes (score/web/session_routes.py) as the browser would: its response."""
    import asyncio
    from urllib.parse import urlencode

    from starlette.requests import Request

    from score import sessions

    headers = [(b"host", b"dash.example")]
    if cookie is not None:
        headers.append((b"cookie", f"{sessions.COOKIE}={cookie}".encode()))
    if site is not None:
        headers.append((b"sec-fetch-site", site.encode()))
    scope = {"type": "http", "method": "GET", "scheme": "https", "path": "/auth", "headers": headers}
    scope["query_string"] = urlencode(params).encode()
    # In a thread of its own: a worker that ran a Playwright test before keeps that test's event loop running in
    # this thread, and asyncio.run refuses to start inside it (the suite shares long tests out across workers)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, handler(Request(scope))).result()


def _clears_cookie(response) -> bool:
    from score import sessions

    return any(
        name == b"set-cookie" and value.startswith(f"{sessions.COOKIE}=".encode()) and b"Max-Age=0" in value
        for name, value in response.raw_headers
    )


def test_a_link_from_another_site_neither_signs_a_visitor_out_nor_in(users_dir: Path) -> None:
    from score import sessions
    from score.web import session_routes

    auth.add_user("maria", PASSWORD, "country", ["COL"])
    session, handoff = auth.start_session("maria", auth.verify("maria", PASSWORD))
    cookie = sessions.exchange(handoff)[0]
    # Another site links (or posts a form that navigates) to the sign-out route: the session lives on.
    for site in ("cross-site", "same-site", None, "same-origin", "none"):
        response = _route(session_routes.end_session, cookie, site, next="/upload")
        assert response.status_code == 303 and response.headers["location"] == "/upload"
        assert not _clears_cookie(response), site
        assert auth.resume(cookie)[1] == "ok", site
    # The app's own sign-out (the button, over the websocket) ends the session; then its redirect clears the cookie.
    auth.end_session(session)
    assert not _clears_cookie(_route(session_routes.end_session, cookie, "cross-site"))
    assert _clears_cookie(_route(session_routes.end_session, cookie, "same-origin"))
    # Login CSRF: a hand-off token carried by another site's link is not exchanged (nor spent).
    _other, token = auth.start_session("maria", auth.verify("maria", PASSWORD))
    forged = _route(session_routes.start_session, None, "cross-site", token=token, next="/")
    assert not any(name == b"set-cookie" for name, _value in forged.raw_headers)
    own = _route(session_routes.start_session, None, "same-origin", token=token, next="/")
    assert any(value.startswith(f"{sessions.COOKIE}=".encode()) for _name, value in own.raw_headers)


def _statuses(
    requests: list[tuple[str, str]],
    cookie: str | None = None,
    site: str | None = None,
    headers: dict[str, str] | None = None,
) -> list[int]:
    """The status each (method, path) gets through session_routes.MIDDLEWARE (`_response_starts`)."""
    return [start["status"] for start in _response_starts(requests, cookie, site, headers)]


def _response_starts(
    requests: list[tuple[str, str]],
    cookie: str | None = None,
    site: str | None = None,
    headers: dict[str, str] | None = None,
) -> list[dict]:
    """The response start (status, headers) each (method, path) gets through session_routes.MIDDLEWARE, in front of
    a server that would answer 200 to everything (with `cookie` as the browser's Cookie header, `site` as its
    Sec-Fetch-Site, and any other `headers`)."""
    import asyncio

    from score.web import session_routes

    extra = headers

    async def streamlit(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"served"})

    async def answer(method: str, path: str) -> dict:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        async def receive() -> dict:
            return {"type": "http.request", "body": b""}

        headers = [(b"cookie", cookie.encode())] if cookie else []
        headers += [(b"sec-fetch-site", site.encode())] if site else []
        headers += [(name.encode(), value.encode()) for name, value in (extra or {}).items()]
        scope = {"type": "http", "method": method, "path": path, "headers": headers, "query_string": b""}
        wrapped = session_routes.MIDDLEWARE[0]
        await wrapped.cls(streamlit, *wrapped.args, **wrapped.kwargs)(scope, receive, send)
        return sent[0]

    async def every() -> list[dict]:
        return [await answer(method, path) for method, path in requests]

    with ThreadPoolExecutor(max_workers=1) as thread:  # as _route: a Playwright test may hold this thread's loop
        return thread.submit(asyncio.run, every()).result()


def test_streamlits_metrics_are_closed_to_visitors_and_other_paths_pass() -> None:
    """/_stcore/metrics told anyone the cached functions' names, calls and sizes and the open sessions."""
    closed = ["/_stcore/metrics", "/_stcore/metrics/", "//_stcore//metrics", "/dashboard/_stcore/metrics"]
    open_ = ["/", "/_stcore/health", "/app/static/grey-world.json", "/upload", "/_stcore/stream"]
    statuses = _statuses([("GET", path) for path in closed + open_])
    assert statuses == [404] * len(closed) + [200] * len(open_)
    assert "*session_routes.MIDDLEWARE" in (Path(__file__).parents[1] / "webapp.py").read_text()


def test_no_other_site_may_frame_the_app_without_nginx_but_donors_may_frame_the_strip() -> None:
    """`make run` (Streamlit alone, no nginx) sent no framing headers: any site could frame sign-in and upload under
    a transparent layer (clickjacking). The app now sends nginx's own (score.serve.frame_headers) on every answer,
    Streamlit's and the middleware's own refusals alike; the headline strip may be framed by donor sites."""
    from score import serve

    paths = ["/", "/upload", "/dashboard/upload", "/_stcore/metrics", "/strip", "//strip", "/strip/", "/x/strip"]
    starts = _response_starts([("GET", path) for path in paths])
    framing = [
        {
            name.decode(): value.decode()
            for name, value in start["headers"]
            if name in (b"content-security-policy", b"x-frame-options")
        }
        for start in starts
    ]
    own = {"content-security-policy": "frame-ancestors 'self'", "x-frame-options": "SAMEORIGIN"}
    strip = {"content-security-policy": f"frame-ancestors {serve.STRIP_FRAME_ANCESTORS}"}
    assert framing == [own, own, own, own, strip, strip, own, own]  # exactly /strip, as nginx's map
    assert "proxy_hide_header Content-Security-Policy" in serve.NGINX_CONF  # behind nginx, one set: nginx's


def test_another_site_cannot_sign_a_single_sign_on_user_out() -> None:
    """Streamlit's /auth/logout clears the single sign-on cookie on a plain GET from anywhere: an image or a link on
    another site signed the visitor out. A request the browser marks as another site's now goes to the first page
    (Streamlit never sees it); st.logout() (same-origin) and a typed address (none) still sign out."""
    sign_outs = [("GET", "/auth/logout"), ("GET", "/dashboard/auth/logout/")]
    assert _statuses(sign_outs, site="cross-site") == [303, 303]
    assert _statuses(sign_outs, site="same-site") == [303, 303]  # a sibling subdomain is another site too
    assert _statuses(sign_outs, site="same-origin") == [200, 200]  # passed on to Streamlit's route
    assert _statuses(sign_outs, site="none") == [200, 200]
    assert _statuses([("GET", "/oauth2callback"), ("GET", "/auth/login")], site="cross-site") == [200, 200]


def _delivered(messages: list[bytes]) -> list[str]:
    """What Streamlit's websocket handler receives through session_routes.MIDDLEWARE when a browser sends these
    BackMsg bytes (the kinds, in order; the connection's own messages left out)."""
    import asyncio

    from streamlit.proto.BackMsg_pb2 import BackMsg

    from score.web import session_routes

    incoming = [{"type": "websocket.receive", "bytes": data} for data in messages]
    incoming.append({"type": "websocket.disconnect", "code": 1000})
    seen: list[str] = []

    async def streamlit(scope, receive, send) -> None:
        while (message := await receive())["type"] != "websocket.disconnect":
            parsed = BackMsg.FromString(message["bytes"])
            kind = parsed.WhichOneof("type")
            operation = parsed.backend_operation_request.WhichOneof("payload") if kind.startswith("backend") else None
            seen.append(operation or kind)

    async def receive() -> dict:
        return incoming.pop(0)

    async def send(message: dict) -> None:
        pass

    async def run() -> None:
        wrapped = session_routes.MIDDLEWARE[0]
        scope = {"type": "websocket", "path": "/_stcore/stream", "headers": [], "query_string": b""}
        await wrapped.cls(streamlit, *wrapped.args, **wrapped.kwargs)(scope, receive, send)

    with ThreadPoolExecutor(max_workers=1) as thread:  # as _route: a Playwright test may hold this thread's loop
        thread.submit(asyncio.run, run()).result()
    return seen


def test_a_visitor_cannot_clear_the_servers_caches_over_the_websocket() -> None:
    """Streamlit empties st.cache_data and st.cache_resource for every session of the process on a `clear_cache`
    message from any browser (viewer mode hides the menu item, the server still obeys): a public script sent it in
    a loop and every visitor's page ran cold (training: 0.87 -> ~1.25 s of server CPU a visit). Only the messages
    a page of this app sends reach Streamlit."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    def message(**fields: object) -> bytes:
        built = BackMsg()
        for name, value in fields.items():
            if isinstance(value, str):  # a backend operation: its payload
                getattr(built.backend_operation_request, value).SetInParent()
            elif name == "rerun_script":
                built.rerun_script.query_string = "countries=COL"
            else:
                setattr(built, name, value)
        return built.SerializeToString()

    sent = [
        message(clear_cache=True),
        message(rerun_script=True),
        message(set_run_on_save=True),
        message(load_git_info=True),
        message(app_heartbeat=True),
        message(backend_operation_request="install_skills"),
        message(backend_operation_request="deferred_file"),
        message(backend_operation_request="dataframe_chunk"),
        message(stop_script=True),
        message(clear_cache=True),
    ]
    assert _delivered(sent) == ["rerun_script", "app_heartbeat", "deferred_file", "dataframe_chunk", "stop_script"]
    from score.web import session_routes

    assert session_routes.page_message(b"\xff\xff not a message")  # passed on: Streamlit closes the connection


def test_no_other_site_may_drive_the_app_from_a_frame_and_no_agent_api() -> None:
    """Streamlit's page obeys postMessage commands (rerun, stop, change page, clear the cache) from a frame around
    it whose origin /_stcore/host-config lists; by default every *.streamlit.app site, where anyone publishes an
    app. The list is empty here. The agent API (a script driving the app over HTTP, no websocket) stays off, and
    headless refuses the skills installer's file writes."""
    import tomllib

    from streamlit import config

    written = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert written["client"]["allowedOrigins"] == []
    assert written["server"]["headless"] is True
    assert not written["server"].get("enableAgentApi", False) and config.get_option("server.enableAgentApi") is False


@pytest.fixture
def media(users_dir: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Streamlit's files at /media (name -> bytes, filled by the test), an empty media_guard, and two signed-in
    country staff's cookies and sign-ins."""
    from collections import OrderedDict

    from streamlit import runtime

    from score import sessions
    from score.web import media_guard

    monkeypatch.setattr(media_guard, "_made_for", OrderedDict())
    monkeypatch.setattr(media_guard, "_public_made_for", OrderedDict())
    monkeypatch.setattr(media_guard, "_public", {})
    monkeypatch.setattr(media_guard, "_assets", set())
    files: dict[str, bytes] = {}
    manager = SimpleNamespace(can_read_files=True, read_file=lambda name: _stored(files.get(name.split(".")[0])))
    monkeypatch.setattr(runtime, "exists", lambda: True)
    monkeypatch.setattr(runtime, "get_instance", lambda: SimpleNamespace(media_file_mgr=manager))
    cookies, sign_ins = {}, {}
    for user, country in (("maria", "COL"), ("kofi", "GHA")):
        auth.add_user(user, PASSWORD, "country", [country])
        _session, handoff = auth.start_session(user, auth.verify(user, PASSWORD))
        cookies[user] = f"{sessions.COOKIE}={sessions.exchange(handoff)[0]}"
        sign_ins[user] = media_guard.sign_in_of(dict([cookies[user].split("=", 1)]))

    def make(data: bytes, viewer: str) -> None:
        monkeypatch.setattr(media_guard, "_viewer", lambda: viewer)
        assert media_guard.bound(lambda: data)() == data  # a deferred download, made on the click

    return SimpleNamespace(files=files, cookies=cookies, sign_ins=sign_ins, make=make, guard=media_guard)


def test_a_download_made_for_a_sign_in_is_served_to_that_sign_in_only(media: SimpleNamespace) -> None:
    """Streamlit served /media/<id> to anyone with the id (a proxy's log, a shared computer's download list): a
    country's data, a deck or the enterprise list made for staff went to a request with no cookie at all. A file
    the guard never saw was served too (a button that forgot media_guard): now it answers 404."""
    staff_file, public_file, shared_file = b"COL-0001,Confecciones Andinas", b"public figures", b"template"
    media.files.update(staff=staff_file, public=public_file, shared=shared_file, unknown=b"COL-0002,Textiles Sur")
    maria = media.sign_ins["maria"]
    for data, viewer in [(staff_file, maria), (public_file, media.guard.PUBLIC), (shared_file, maria)]:
        media.make(data, viewer)
    media.make(shared_file, media.guard.PUBLIC)  # the same bytes made for a public viewer too
    paths = ["/media/staff.csv", "/media/public.csv", "/media/shared.xlsx", "/media/unknown.csv", "/media/gone.csv"]
    requests = [("GET", path) for path in paths]
    assert _statuses(requests) == [404, 200, 200, 404, 200]  # no cookie ("gone": Streamlit's own 404)
    assert _statuses(requests, media.cookies["kofi"]) == [404, 200, 200, 404, 200]  # another sign-in
    assert _statuses(requests, media.cookies["maria"]) == [200, 200, 200, 404, 200]
    assert _statuses(requests, media.cookies["maria"] + "x") == [404, 200, 200, 404, 200]  # a forged cookie


def test_files_made_after_a_private_download_never_open_it_to_others(media: SimpleNamespace) -> None:
    """The guard remembered the last 4,096 files of everyone together and served a file it had forgotten to
    anyone: a public visitor clicking a download 4,096 times turned staff's enterprise list public. Now a viewer's
    files are remembered apart, and a forgotten file is withheld, never opened."""
    maria, kofi, public = media.sign_ins["maria"], media.sign_ins["kofi"], media.guard.PUBLIC
    media.files.update(staff=b"COL-0001,Confecciones Andinas", first_public=b"public 0")
    media.make(media.files["staff"], maria)
    media.make(media.files["first_public"], public)
    for n in range(1, media.guard.FILES_PER_VIEWER + 4097):  # a script clicking the public workbook button
        media.make(f"public {n}".encode(), public)
    for n in range(media.guard.FILES_PER_VIEWER + 1):  # and another country's staff downloading
        media.make(f"GHA {n}".encode(), kofi)
    staff = [("GET", "/media/staff.csv")]
    assert _statuses(staff) == [404]
    assert _statuses(staff, media.cookies["kofi"]) == [404]
    assert _statuses(staff, media.cookies["maria"]) == [200]  # her own file is still hers
    # The public's oldest file is forgotten under the public's newer ones: withheld, not served
    assert _statuses([("GET", "/media/first_public.csv")]) == [404]
    for n in range(media.guard.FILES_PER_VIEWER):  # her own flood forgets her own files only
        media.make(f"COL {n}".encode(), maria)
    assert _statuses(staff, media.cookies["maria"]) == [404]


@pytest.fixture
def web_modules() -> SimpleNamespace:
    """score.web's browser and ui, imported before `media` stands in for Streamlit's runtime (ui caches at import)."""
    from score.web import browser, ui

    return SimpleNamespace(browser=browser, ui=ui)


def test_one_public_script_cannot_push_other_visitors_files_out(
    web_modules: SimpleNamespace, media: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The public's files were one memory of 1,024 for every public visitor together: a script clicking a CSV
    button 1,025 times (cheap, unbudgeted) from one address had a donor's deck, built a minute before and not yet
    fetched, answer 404. Now each address has its own memory (as its budget of costly files), and a file another
    public visitor made is still served to anyone."""
    browser, whose_files = web_modules.browser, media.guard._viewer
    monkeypatch.setattr(web_modules.ui, "current_scope", Scope.public)

    def make_from(address: str, data: bytes) -> None:
        monkeypatch.setattr(media.guard, "_viewer", whose_files)  # media.make sets another
        monkeypatch.setattr(browser, "client", lambda: throttling.Client(address))
        assert media.guard.bound(lambda: data)() == data

    media.files.update(deck=b"the donor's deck", office=b"a colleague's deck", first=b"script 0")
    make_from("192.0.2.44", media.files["deck"])
    make_from("198.51.100.7", media.files["office"])
    for n in range(media.guard.FILES_PER_VIEWER + 1):
        make_from("203.0.113.66", f"script {n}".encode())
    assert _statuses([("GET", "/media/deck.pptx"), ("GET", "/media/office.pptx")]) == [200, 200]
    assert _statuses([("GET", "/media/first.csv")]) == [404]  # the script's flood forgets its own files only
    # A file two addresses made stays public while either remembers it.
    media.files["shared"] = b"the overview's CSV"
    make_from("192.0.2.44", media.files["shared"])
    make_from("198.51.100.7", media.files["shared"])
    for n in range(media.guard.FILES_PER_VIEWER):
        make_from("192.0.2.44", f"donor {n}".encode())
    assert _statuses([("GET", "/media/shared.csv"), ("GET", "/media/deck.pptx")]) == [200, 404]
    for n in range(media.guard.FILES_PER_VIEWER):
        make_from("198.51.100.7", f"colleague {n}".encode())
    assert _statuses([("GET", "/media/shared.csv")]) == [404]
    # Many addresses (an IPv6 /48 holds 65,536 of them) push out public addresses, never a sign-in's files.
    maria = media.sign_ins["maria"]
    media.files["staff"] = b"COL-0001,Confecciones Andinas"
    media.make(media.files["staff"], maria)
    for n in range(media.guard.PUBLIC_VIEWERS + 1):
        make_from(f"2001:db8:7:{n:x}::1", f"address {n}".encode())
    assert _statuses([("GET", "/media/staff.csv")], media.cookies["maria"]) == [200]


def test_the_pages_own_image_is_public_and_every_download_button_is_the_guarded_one(
    media: SimpleNamespace,
) -> None:
    """Denied by default, the favicon (a file at /media too) must be declared public; and a download button made
    without components.download would be denied to its own viewer: none exists."""
    favicon = REPO / "assets" / "favicon.png"
    media.files["icon"] = favicon.read_bytes()
    assert _statuses([("GET", "/media/icon.png")]) == [404]
    assert media.guard.public_asset(favicon) == str(favicon)
    assert _statuses([("GET", "/media/icon.png")]) == [200]
    assert "page_icon=media_guard.public_asset(" in (REPO / "app.py").read_text()
    sources = [REPO / "app.py", REPO / "webapp.py", *(REPO / "score").rglob("*.py"), *(REPO / "views").rglob("*.py")]
    makers = sorted(str(path.relative_to(REPO)) for path in sources if "download_button(" in path.read_text())
    assert makers == ["score/web/components/downloads.py"]


def _stored(content: bytes | None) -> object:
    from types import SimpleNamespace

    return None if content is None else SimpleNamespace(content=content)


def test_only_a_session_whose_page_drew_the_uploader_may_send_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit kept any open session's PUT files in memory: a public visitor put 400 MB in ten requests."""
    from types import SimpleNamespace

    from score.web import session_routes

    visitor, staff = "0b5e0a1c-public", "6c1d2e3f-staff"
    put = [("PUT", f"/_stcore/upload_file/{sid}/file-1") for sid in (visitor, staff)]
    assert _statuses(put) == [403, 403]
    context = SimpleNamespace(session_id=staff)  # the upload page's script run, drawing its uploader
    monkeypatch.setattr(
        "streamlit.runtime.scriptrunner_utils.script_run_context.get_script_run_ctx", lambda *a, **k: context
    )
    session_routes.allow_uploads("maria")
    assert _statuses(put) == [403, 200]
    others = [("DELETE", put[0][1]), ("OPTIONS", put[0][1]), ("PUT", "/upload"), ("GET", put[0][1])]
    assert _statuses(others) == [200] * len(others)  # removing a file, CORS and every other request pass
    session_routes.forbid_uploads()  # signed out (score.web.signin)
    assert _statuses(put) == [403, 403]


def test_a_sign_ins_sessions_hold_a_bounded_number_and_size_of_sent_files(
    monkeypatch: pytest.MonkeyPatch, settings_override
) -> None:
    """A session allowed to send files kept every file it PUT (50 MB each) until it ended, however many: a signed-in
    account's script filled the server's memory. What one sign-in's sessions hold together is bounded (files and
    bytes, files still arriving counted); another sign-in is not held back by it; "Clear all files" lets go."""
    from types import SimpleNamespace

    from streamlit import runtime

    from score.web import session_routes

    settings_override(max_upload_mb=1.0)
    largest = 1024 * 1024
    storage: dict[str, dict[str, object]] = {}
    manager = SimpleNamespace(file_storage=storage, remove_session_files=lambda sid: storage.pop(sid, None))
    monkeypatch.setattr(runtime, "exists", lambda: True)
    monkeypatch.setattr(
        runtime,
        "get_instance",
        lambda: SimpleNamespace(uploaded_file_mgr=manager, is_active_session=lambda sid: True),
    )
    monkeypatch.setattr(session_routes, "_uploaders", {})
    monkeypatch.setattr(session_routes, "_arriving", {})
    context = SimpleNamespace(session_id="tab-1")
    monkeypatch.setattr(
        "streamlit.runtime.scriptrunner_utils.script_run_context.get_script_run_ctx", lambda *a, **k: context
    )
    for tab, user in (("tab-1", "maria"), ("tab-2", "maria"), ("kofi-tab", "kofi")):
        context.session_id = tab
        session_routes.allow_uploads(user)

    def sent(tab: str, n: int, size: int) -> list[int]:
        """PUT n files of `size` bytes from this tab; each accepted one is then held, as Streamlit would."""
        statuses = []
        for i in range(n):
            status = _statuses([("PUT", f"/_stcore/upload_file/{tab}/f{i}")], headers={"content-length": str(size)})[0]
            if status == 200:
                storage.setdefault(tab, {})[f"{tab}-{len(storage.get(tab, {}))}"] = SimpleNamespace(data=b"x" * size)
            statuses.append(status)
        return statuses

    small = 1000
    assert sent("tab-1", session_routes.UPLOAD_FILES_HELD + 3, small).count(200) == session_routes.UPLOAD_FILES_HELD
    assert sent("tab-2", 1, small) == [413]  # the same sign-in's other tab: held together
    assert sent("kofi-tab", 1, small) == [200]  # another sign-in: its own bound
    context.session_id = "tab-1"
    session_routes.drop_uploads()  # "Clear all files"
    assert sent("tab-2", 1, small) == [200]
    big = sent("tab-1", session_routes.UPLOAD_SIZES_HELD + 2, largest)
    assert big.count(200) == session_routes.UPLOAD_SIZES_HELD - 1  # tab-2's small file counts too
    # A file still arriving counts: the size it declares is set aside until it has arrived.
    assert session_routes._upload_refusal("kofi-tab", largest) == 0
    assert session_routes._upload_refusal("kofi-tab", session_routes.UPLOAD_SIZES_HELD * largest) == 413
    session_routes._arrived("kofi-tab", largest)
    assert session_routes._upload_refusal("kofi-tab", (session_routes.UPLOAD_SIZES_HELD - 1) * largest) == 0


def test_costly_files_spend_a_budget_per_client_and_refill(users_dir: Path) -> None:
    """A PDF report or a deck is made inside the websocket, where nginx limits nothing: a script sending the click
    in a loop had every core printing PDFs. Each client (a user, or the public's address) has its own budget."""
    now = [1_000.0]
    budget = throttling.MakeBudget(clock=lambda: now[0])
    pdfs = int(throttling.MAKE_BURST // throttling.MAKE_COSTS["pdf"])
    assert [budget.spend("address:203.0.113.7", "pdf") for _ in range(pdfs)] == [0.0] * pdfs
    wait = budget.spend("address:203.0.113.7", "pdf")
    assert wait == pytest.approx(throttling.MAKE_COSTS["pdf"] / throttling.MAKE_REFILL)
    assert budget.retry_after("address:203.0.113.7", "xlsx") > 0  # one budget for every kind of file
    assert budget.spend("address:198.51.100.2", "pdf") == 0.0  # another address: its own budget
    assert budget.spend("user:maria", "pptx") == 0.0
    now[0] += wait
    assert budget.spend("address:203.0.113.7", "pdf") == 0.0  # refilled
    assert budget.spend("address:203.0.113.7", "pdf") > 0


def test_a_costly_download_past_the_budget_is_off_and_says_when_in_the_readers_language(
    demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal is a sentence in the reader's language beside the button, not an error; a script that sends the
    click anyway gets an empty file, and nothing is made."""
    from score.web.components import downloads
    from tests.apptest import open_page

    past = throttling.MakeBudget(clock=lambda: 1_000.0)  # long ago: the rows it leaves are refilled for the others
    monkeypatch.setattr(throttling, "makes", past)
    while past.spend("address:" + throttling.UNKNOWN_ADDRESS, "pdf") == 0:  # AppTest's address is unknown
        pass
    at = open_page(language="es")
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert buttons["Informe (PDF)"].disabled and buttons["Descargar los datos de esta página (Excel)"].disabled
    assert not buttons["Informe (HTML)"].disabled  # a light file: no budget
    shown = [c.value for c in at.caption]
    said = [c for c in shown if c.startswith("Ha generado muchos archivos grandes") and "min." in c]
    assert len(said) == 1, shown  # once for the row of buttons
    made = []
    assert downloads._budgeted(lambda: made.append(1) or b"%PDF", "address:unknown", "pdf")() == b""
    assert made == []


def test_the_heaviest_files_are_made_two_at_a_time_per_process_and_a_third_is_refused_politely(
    demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit makes downloads in 6 threads shared by every session: a burst within everyone's budget ran 6
    Chromium prints at once. A third PDF while two are being made is refused at once (nothing made, no budget
    spent), and the page says so in the reader's language instead of queueing it."""
    import threading

    from score.web.components import downloads
    from tests.apptest import open_page

    monkeypatch.setattr(throttling, "slots", throttling.MakeSlots(size=2))
    monkeypatch.setattr(throttling, "makes", throttling.MakeBudget())
    release, running, made, results = threading.Event(), [threading.Semaphore(0) for _ in range(2)], [], {}

    def printing(n: int) -> bytes:
        running[n].release()
        release.wait(timeout=60)
        return b"%PDF"

    def click(n: int) -> None:
        results[n] = downloads._budgeted(lambda: printing(n), f"user:viewer{n}", "pdf")()

    prints = [threading.Thread(target=click, args=(n,)) for n in range(2)]
    for thread in prints:
        thread.start()
    for started in running:
        assert started.acquire(timeout=60)  # both are printing now
    assert downloads._budgeted(lambda: made.append(1) or b"%PDF", "user:viewer2", "pdf")() == b""
    assert made == [] and throttling.makes.retry_after("user:viewer2", "pdf") == 0  # nothing made, nothing spent
    assert downloads._budgeted(lambda: b"PK", "user:viewer2", "xlsx")() == b"PK"  # a light file needs no slot

    at = open_page(language="fr")
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert buttons["Rapport (PDF)"].disabled
    assert not buttons["Rapport (HTML)"].disabled
    assert not buttons["Télécharger les données de cette page (Excel)"].disabled
    said = [c.value for c in at.caption if c.value.startswith("Le serveur crée d'autres fichiers volumineux")]
    assert len(said) == 1, [c.value for c in at.caption]

    release.set()
    for thread in prints:
        thread.join(timeout=60)
    assert results == {0: b"%PDF", 1: b"%PDF"}
    assert downloads._budgeted(lambda: b"%PDF", "user:viewer2", "pdf")() == b"%PDF"  # a slot is free again
    assert not throttling.slots.full("pdf")


def test_adding_changing_and_removing_an_account_is_audited_with_who_what_and_when(users_dir: Path) -> None:
    """A role change is security-relevant: the log says which account, its new role and countries, whether the
    password changed and open sessions ended, and the system account that ran the command; never the password."""
    from score import config

    auth.add_user("maria", PASSWORD, "country", ["COL"])
    auth.add_user("maria", PASSWORD, "hq")
    auth.add_user("maria", PASSWORD + "x", "hq")
    auth.remove_user("maria")
    events = [e for e in reversed(audit.read_events(limit=10)) if e["event"].startswith("user_")]
    assert [(e["event"], e["detail"]["account"], e["detail"]["role"]) for e in events] == [
        ("user_added", "maria", "country"),
        ("user_changed", "maria", "hq"),
        ("user_changed", "maria", "hq"),
        ("user_removed", "maria", "hq"),
    ]
    assert events[0]["detail"]["countries"] == ["COL"] and events[1]["detail"]["countries"] == []
    assert [e["detail"]["changed"] for e in events[1:3]] == [["role", "countries"], ["password"]]
    assert events[1]["detail"]["sessions_ended"]  # a new role ends open sessions (auth._session_key)
    assert all(e["user"].startswith("system:") and e["at"] for e in events)
    log = config.audit_log_file().read_text()
    assert PASSWORD not in log and "argon2" not in log


def test_session_cookie_ends_with_expiry_removal_role_or_password_change(users_dir: Path) -> None:
    from score import sessions

    def signed_in() -> str:
        _session, handoff = auth.start_session("maria", auth.verify("maria", PASSWORD))
        return sessions.exchange(handoff)[0]

    auth.add_user("maria", PASSWORD, "country", ["COL"])
    cookie = signed_in()
    now = auth.resume(cookie)[0].issued_at
    assert auth.resume(cookie, now=now + 8 * 3600 - 60)[1] == "ok"  # used within the idle limit...
    assert auth.resume(cookie, now=now + 11 * 3600)[1] == "ok"  # ...and again (idle 3 h)
    assert auth.resume(cookie, now=now + 12 * 3600 + 1)[1] == "expired"  # but not past the absolute limit
    assert auth.resume(cookie, now=now + 12 * 3600 + 2) == (None, "none")  # and it stays ended
    idle = signed_in()
    assert auth.resume(idle, now=time.time() + 8 * 3600 + 1)[1] == "expired"
    kept = signed_in()
    auth.add_user("maria", PASSWORD, "country", ["COL", "GHA"])  # countries changed: applies, session kept
    resumed, reason = auth.resume(kept)
    assert reason == "ok" and resumed.scope.detail_countries == {"COL", "GHA"}
    auth.add_user("maria", PASSWORD, "hq")  # role changed
    assert auth.resume(kept) == (None, "revoked")
    changed = signed_in()
    auth.add_user("maria", PASSWORD + " new", "hq")  # password changed
    assert auth.resume(changed) == (None, "revoked")
    _session, handoff = auth.start_session("maria", auth.verify("maria", PASSWORD + " new"))
    removed = sessions.exchange(handoff)[0]
    auth.remove_user("maria")
    assert auth.resume(removed) == (None, "revoked")
    auth.add_user("maria", PASSWORD + " new", "hq")  # added again: old cookies stay dead
    assert auth.resume(removed) == (None, "none")


def test_token_activity_expires_across_reloads() -> None:
    clock = FakeClock(1_700_000_000.0)
    tokens = auth.TokenActivity(clock)
    key = tokens.key("https://idp", "sub-1", clock.now, "ana@ilo.org")
    assert tokens.check(key, issued_at=clock.now)
    clock.now += 7 * 3600
    assert tokens.check(key, issued_at=clock.now - 7 * 3600)
    clock.now += 8 * 3600  # idle for 8 h
    assert not tokens.check(key, issued_at=clock.now - 15 * 3600)
    clock.now += 1
    assert not tokens.check(key, issued_at=clock.now)  # stays expired until a new sign-in (new token)
    old = tokens.key("https://idp", "sub-1", 1, "ana@ilo.org")
    assert not tokens.check(old, issued_at=clock.now - 13 * 3600)  # issued more than 12 h ago
    fresh = tokens.key("https://idp", "sub-1", clock.now, "ana@ilo.org")
    assert tokens.check(fresh, issued_at=clock.now)
    tokens.expire(fresh)
    assert not tokens.check(fresh, issued_at=clock.now)


# ---------------------------------------------------------------------------------------------- demo users


def test_demo_users_only_for_demo_data(users_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from score import build
    from score.__main__ import main

    assert auth.DEMO_MARKER == build.DEMO_MARKER
    assert main(["users", "demo"]) == 0
    printed = capsys.readouterr().out
    for name, role, countries, password in auth.DEMO_USERS:
        assert name in printed and password in printed
        scope = auth.verify(name, password)
        assert scope is not None and scope.role == role and scope.detail_countries >= set(countries)
    assert auth.verify("colombia", "colombia-demo-2013").detail_countries == {"COL"}
    assert auth.verify("ghana", "ghana-demo-2013").detail_countries == {"GHA"}
    # Real data arrives for one country: the published demo passwords stop working at once.
    (users_dir / "countries" / "GHA" / auth.DEMO_MARKER).unlink()
    assert auth.verify("geneva", "geneva-demo-2013") is None
    session = auth.Session.start("geneva", Scope.hq("geneva"))
    assert auth.refresh(session) == (None, "revoked")
    assert main(["users", "demo"]) == 1
    assert "Refused" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_add_list_remove(users_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from score.__main__ import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "pedro", "--role", "country", "--countries", "COL,PER", "--password-stdin"]) == 0
    assert main(["users", "add", "ana@ilo.org", "--role", "hq", "--sso"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["users", "add", "bad", "--role", "hq", "--password-stdin"]) == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "x", "--role", "country", "--countries", "ZZZ", "--password-stdin"]) == 1
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "pedro" in listing and "COL,PER" in listing and "ana@ilo.org" in listing and "sso" in listing
    assert "argon2" not in listing and PASSWORD not in listing and "bad" not in listing
    assert auth.verify("pedro", PASSWORD).detail_countries == {"COL", "PER"}
    assert main(["users", "remove", "pedro"]) == 0
    assert main(["users", "remove", "pedro"]) == 1
    assert auth.verify("pedro", PASSWORD) is None


def test_cli_getpass_confirmation(users_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    from score.__main__ import main

    answers = iter([PASSWORD, PASSWORD + "typo"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["users", "add", "lena", "--role", "hq"]) == 1
    assert auth.list_users() == []
    answers = iter([PASSWORD, PASSWORD])
    assert main(["users", "add", "lena", "--role", "hq"]) == 0
    assert auth.verify("lena", PASSWORD).is_hq


def test_cli_subprocess(users_dir: Path) -> None:
    env = {**os.environ, "SCORE_DATA_DIR": str(users_dir)}
    run = [sys.executable, "-m", "score", "users"]
    added = subprocess.run(
        [*run, "add", "kofi", "--role", "country", "--countries", "GHA", "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    listed = subprocess.run([*run, "list"], capture_output=True, text=True, env=env, cwd=REPO, check=True)
    assert "kofi" in listed.stdout and "GHA" in listed.stdout
    for output in (added.stdout, added.stderr, listed.stdout, listed.stderr):
        assert PASSWORD not in output
    assert PASSWORD.encode() not in (users_dir / "users.json").read_bytes()


# ---------------------------------------------------------------------------------------------- audit log


def test_audit_log_scrubs_secrets_and_appends(users_dir: Path) -> None:
    audit.record("sign_in", "maria", method="password")
    audit.record(
        "upload",
        "maria",
        country="COL",
        password="hunter2-secret",
        nested={"api_key": "k-123", "Token": "t-456", "files": [{"client_secret": "s-789", "rows": 3}]},
        cookie_secret="c-000",
    )
    audit.record("sign_in_failed", None, reason="bad credentials", note="x" * 100_000)
    raw = auth.config.audit_log_file().read_bytes()
    for secret in (b"hunter2-secret", b"k-123", b"t-456", b"s-789", b"c-000"):
        assert secret not in raw
    assert len(raw) < 5_000  # long values are cut
    assert stat.S_IMODE(auth.config.audit_log_file().stat().st_mode) == 0o600
    events = audit.read_events()
    assert [e["event"] for e in events] == ["sign_in_failed", "upload", "sign_in"]
    assert events[1]["detail"]["nested"]["files"][0] == {"client_secret": audit.REDACTED, "rows": 3}
    assert audit.read_events(event="upload")[0]["user"] == "maria"
    assert audit.read_events(user="maria", limit=1)[0]["event"] == "upload"
    with open(auth.config.audit_log_file(), "ab") as handle:
        handle.write(b'{"torn": ')  # a crash mid-line
    events = audit.read_events()
    assert [e["event"] for e in events] == [audit.UNREADABLE, "sign_in_failed", "upload", "sign_in"]
    assert events[0]["detail"] == {"line": 4, "text": '{"torn": '}  # shown to HQ, not dropped
    audit.record("export", "maria", what="overview")
    assert audit.read_events(limit=1)[0]["event"] == "export"
    assert len(audit.read_events(event="upload")) == 1
    with pytest.raises(ValueError):
        audit.record("sign in; DROP TABLE", "maria")


def test_audit_log_write_failure_does_not_raise(
    users_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = users_dir / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setattr(audit.config, "audit_log_file", lambda: blocker / "audit.log")
    with caplog.at_level(logging.ERROR, logger="score.audit"):
        audit.record("sign_in", "maria")  # logged, not raised
    assert [r.getMessage() for r in caplog.records] == [
        f"could not write the audit log {blocker / 'audit.log'} (event sign_in)"
    ]
    assert caplog.records[0].exc_info is not None  # with the reason
    assert blocker.read_text() == ""


# ---------------------------------------------------------------------------------------------- the app (AppTest)


def _app(data_dir: Path):
    return app()


def _texts(at) -> str:
    parts = [
        e.value for kind in ("markdown", "caption", "error", "warning", "info", "success") for e in getattr(at, kind)
    ]
    parts += [e.value for e in at.sidebar.markdown] + [e.value for e in at.sidebar.caption]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def app_users(demo_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_override) -> Path:
    """Users file and audit log of their own, next to the shared demo database."""
    settings_override(users_file=tmp_path / "users.json")
    monkeypatch.setattr(audit.config, "audit_log_file", lambda: tmp_path / "audit.log")
    from score import sessions

    monkeypatch.setattr(sessions, "store_path", lambda: tmp_path / "auth.sqlite3")  # its own throttle counters
    auth.add_user("maria", PASSWORD, "country", ["COL"])
    auth.add_user("boss", PASSWORD, "hq")
    return tmp_path


def rerun(at):
    """Rerun on the default page. AppTest drops what app.py draws before `navigation.run()` (the sidebar)
    from its element tree when a rerun targets the page the last run finished on; starting from the entry
    point again keeps the sign-in box inspectable, as it always is in a browser."""
    at._finished_page_script_hash = ""
    return at.run()


def _sign_in(at, username: str, password: str):
    open_sign_in_box(at)
    at.sidebar.text_input(key="score_signin_user").input(username)
    at.sidebar.text_input(key="score_signin_password").input(password)
    next(b for b in at.sidebar.button if b.label == "Sign in").click()
    return rerun(at)


def test_app_sign_in_and_out(app_users: Path) -> None:
    from score.web import signin, ui

    at = _app(app_users).run()
    assert not at.exception
    assert at.session_state[ui.SCOPE_KEY] == Scope.public()
    at = _sign_in(at, "maria", PASSWORD)
    assert not at.exception
    scope = at.session_state[ui.SCOPE_KEY]
    assert scope.role == "country" and scope.detail_countries == {"COL"}
    assert "Signed in as maria" in _texts(at)
    # HQ changes Maria's countries: the next rerun uses the new scope.
    auth.add_user("maria", PASSWORD, "country", ["GHA"])
    rerun(at)
    assert at.session_state[ui.SCOPE_KEY].detail_countries == {"GHA"}
    next(b for b in at.sidebar.button if b.label == "Sign out").click()
    rerun(at)
    assert at.session_state[ui.SCOPE_KEY] == Scope.public()
    assert signin.SESSION_KEY not in at.session_state
    events = [e["event"] for e in audit.read_events()]
    assert events[:3] == ["sign_out", "user_changed", "sign_in"]  # the change of countries between them


def test_a_sign_in_from_a_link_lands_on_it_with_its_filters_and_language_even_when_a_click_cuts_the_run_short(
    app_users: Path, monkeypatch: pytest.MonkeyPatch, settings_override
) -> None:
    """Country staff (COL) sign in from a colleague's French link to Peru. The run that signs in sends the browser
    to the cookie route with the link's page, filters and language; a click that lands as that run ends (Streamlit
    stops a run where it sends a message, here the redirect) no longer loses the one-time token: the next run hands
    off instead. The route sets the cookie and sends the browser back to the link, and the session resumed from the
    cookie opens on it: Peru, in French."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    from score import sessions
    from score.web import language, session_routes, signin, ui

    settings_override(session_cookies=True)  # served by webapp.py: the cookie routes exist
    link = {"countries": "PER", "lang": "fr"}
    sent: list[str] = []

    def redirect(url: str) -> None:
        sent.append(url)
        if len(sent) == 1:  # a click came in meanwhile: the run stops here and runs again at once
            raise RerunException(RerunData(query_string=urlencode(link)))

    monkeypatch.setattr(signin, "_redirect", redirect)
    at = open_sign_in_box(app(params=link).run())
    at.sidebar.text_input(key=f"{signin.SIDEBAR_FORM}_user").input("maria")
    at.sidebar.text_input(key=f"{signin.SIDEBAR_FORM}_password").input(PASSWORD)
    next(button for button in at.sidebar.button if button.proto.form_id).click()
    rerun(at)
    assert len(sent) == 2, sent  # sent again by the run after the click, with the same token
    first, handed = (dict(parse_qsl(urlsplit(url).query)) for url in sent)
    assert urlsplit(sent[1]).path == session_routes.SIGN_IN_PATH and handed["token"] == first["token"]
    assert handed["next"] == "/" and dict(parse_qsl(handed["query"])) == link

    response = _route(session_routes.start_session, None, "same-origin", **handed)
    assert response.status_code == 303 and response.headers["location"] == f"/?{urlencode(link)}"
    cookie = response.headers["set-cookie"].split(";")[0].removeprefix(f"{sessions.COOKIE}=")
    monkeypatch.setattr(signin.browser, "cookie", lambda name: cookie if name == sessions.COOKIE else None)
    back = app(params=dict(parse_qsl(urlsplit(response.headers["location"]).query))).run()
    assert not back.exception and ui.SCOPE_KEY in back.session_state
    assert back.session_state[ui.SCOPE_KEY].detail_countries == {"COL"}  # resumed from the cookie
    assert back.session_state[ui.FILTERS_KEY].countries == ("PER",)  # the link's, not her own country
    assert back.session_state[language.LANGUAGE_CHOICE_KEY] == "fr"


def test_sidebar_form_only_while_its_box_is_open(app_users: Path) -> None:
    """A public visitor's first view draws no text box (their code would be fetched before the first chart's); the
    box opens on a click, and stays open after a refused try."""
    from score.web import signin

    at = _app(app_users).run()
    assert not at.exception
    assert not at.sidebar.text_input and not at.text_input
    assert at.sidebar.expander[0].label == "Sign in"
    at = _sign_in(at, "maria", "Wrong-Password-123")
    assert at.session_state[signin.SIDEBAR_BOX] is True
    assert at.sidebar.text_input(key="score_signin_user").value == "maria"


def test_app_wrong_password_is_not_logged(app_users: Path) -> None:
    from score.web import ui

    at = _app(app_users).run()
    at = _sign_in(at, "maria", "Wrong-Password-123")
    assert at.session_state[ui.SCOPE_KEY] == Scope.public()
    assert any("not recognised" in e.value for e in at.error)
    # The name stays for the next try; the password does not.
    assert at.sidebar.text_input(key="score_signin_user").value == "maria"
    assert at.sidebar.text_input(key="score_signin_password").value == ""
    # A password typed into the user name box must not end up in the log either.
    at = _sign_in(at, PASSWORD, "whatever-else")
    log = (app_users / "audit.log").read_text()
    assert "Wrong-Password-123" not in log and PASSWORD not in log and "whatever-else" not in log
    failed = audit.read_events(event="sign_in_failed")
    assert [e["user"] for e in failed] == [None, "maria"]
    assert PASSWORD.encode() not in (app_users / "users.json").read_bytes()


def test_app_throttles_repeated_failures(app_users: Path) -> None:
    at = _app(app_users).run()
    for _ in range(throttling.FREE_ATTEMPTS):
        at = _sign_in(at, "maria", "nope-nope-nope")
    at = _sign_in(at, "maria", PASSWORD)  # right password, but too soon
    assert any("Too many failed attempts" in e.value for e in at.error)
    from score.web import ui

    assert at.session_state[ui.SCOPE_KEY] == Scope.public()


def test_app_expired_or_removed_session_falls_back_to_public(app_users: Path) -> None:
    from dataclasses import replace

    from score.web import signin, ui

    at = _app(app_users).run()
    at = _sign_in(at, "boss", PASSWORD)
    assert at.session_state[ui.SCOPE_KEY].is_hq
    session = at.session_state[signin.SESSION_KEY]
    at.session_state[signin.SESSION_KEY] = replace(session, last_seen=session.last_seen - 9 * 3600)
    with sqlite3.connect(app_users / "auth.sqlite3") as store:  # unused for 9 hours in every tab and process
        store.execute("UPDATE sessions SET last_seen = last_seen - 9 * 3600")
    rerun(at)
    assert at.session_state[ui.SCOPE_KEY] == Scope.public()
    assert any("expired" in w.value for w in at.sidebar.warning)
    assert audit.read_events(limit=1)[0]["event"] == "session_expired"
    at = _sign_in(at, "maria", PASSWORD)
    assert at.session_state[ui.SCOPE_KEY].role == "country"
    auth.remove_user("maria")
    rerun(at)
    assert at.session_state[ui.SCOPE_KEY] == Scope.public()


def test_app_refused_demo_sign_in_is_logged_under_its_name_with_the_command_for_its_role(
    app_users: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, role, countries, password in auth.DEMO_USERS:
        auth.add_user(name, password, role, countries, demo=True)
    monkeypatch.setattr(auth, "demo_accounts_allowed", lambda: False)  # real data was published
    at = _app(app_users).run()
    at = _sign_in(at, "geneva", "geneva-demo-2013")
    [message] = [e.value for e in at.error]
    assert "demo account has ended" in message and "--role hq" in message and "--countries" not in message
    at = _sign_in(at, "colombia", "colombia-demo-2013")
    [message] = [e.value for e in at.error]
    assert "--role country --countries COL" in message and "--role hq" not in message
    refused = audit.read_events(event="sign_in_failed")
    assert [(e["user"], e["detail"]) for e in refused] == [
        ("colombia", {"reason": "demo account ended"}),
        ("geneva", {"reason": "demo account ended"}),
    ]


def test_audit_page_is_hq_only(app_users: Path) -> None:
    audit.record("sign_in", "boss", method="password")
    for scope in (Scope.public(), Scope.country("maria", {"COL"}), Scope.nothing(), None):
        page = app("views/audit.py", scope=scope).run()
        assert not page.exception
        assert [e.value for e in page.error] == ["This page is only for the SCORE team in Geneva."]
        assert not page.dataframe
    page = app("views/audit.py", scope=Scope.hq("boss")).run()
    assert not page.exception and not page.error
    assert "boss" in page.dataframe[0].value["user"].tolist()
    # The navigation lists it for HQ only.
    at = _app(app_users).run()
    assert not any("audit" in str(p) for p in _nav_pages(at))
    at = _sign_in(at, "boss", PASSWORD)
    assert any("audit" in str(p) for p in _nav_pages(at))


def _nav_pages(at) -> list[str]:
    """Page script paths the navigation offered in the last run (AppTest keeps them to resolve switch_page)."""
    return [str(info.get("script_path", "")) for info in at._registered_pages.values()]


# ---------------------------------------------------------------------------------------------- OIDC (st.login)

OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-only-cookie-secret",
        "client_id": "score-dashboard",
        "client_secret": "test-only-client-secret",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    }
}


def _oidc_app(app_users: Path, monkeypatch: pytest.MonkeyPatch, **claims):
    import time

    monkeypatch.setattr(auth, "token_activity", auth.TokenActivity())
    at = _app(app_users)
    at.secrets = {k: dict(v) for k, v in OIDC_SECRETS.items()}
    defaults = {"is_logged_in": True, "iss": "https://login.example.org", "sub": "s-1", "iat": int(time.time())}
    at.user = {**defaults, **claims} if claims.get("is_logged_in", True) else {"is_logged_in": False}
    return at


def test_oidc_identity_maps_to_users_file(app_users: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from score.web import ui

    auth.add_user("ana@ilo.org", None, "country", ["GHA"], sso=True)
    at = _oidc_app(app_users, monkeypatch, is_logged_in=False).run()
    assert not at.exception
    assert at.session_state[ui.SCOPE_KEY] == Scope.public()
    assert any(b.label == "Sign in" for b in at.sidebar.button)

    issued = int(time.time()) - 60  # signed in at the identity provider a minute ago
    at = _oidc_app(app_users, monkeypatch, email="Ana@ILO.org", email_verified=True, iat=issued).run()
    assert not at.exception
    scope = at.session_state[ui.SCOPE_KEY]
    assert scope.role == "country" and scope.detail_countries == {"GHA"}
    assert audit.read_events(limit=1)[0] | {"at": None} == {
        "at": None,
        "event": "sign_in",
        "user": "ana@ilo.org",
        "detail": {
            "method": "sso",
            "role": "country",
            "at_idp": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(issued)),
        },
    }
    auth.remove_user("ana@ilo.org")  # takes effect at the next rerun, though the cookie is still valid
    rerun(at)
    assert at.session_state[ui.SCOPE_KEY] == Scope.public()


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "stranger@example.org", "email_verified": True},  # not in the users file
        {"email": "ana@ilo.org", "email_verified": False},  # unverified address
        {"email": "maria"},  # a local password user cannot be reached through the identity provider
        {"email": None},
        {"email": "ana@ilo.org", "email_verified": True, "iat": 1_000_000},  # token issued long ago
    ],
)
def test_oidc_fails_to_public(app_users: Path, monkeypatch: pytest.MonkeyPatch, claims: dict) -> None:
    from score.web import ui

    auth.add_user("ana@ilo.org", None, "hq", sso=True)
    at = _oidc_app(app_users, monkeypatch, **claims).run()
    assert not at.exception
    assert at.session_state[ui.SCOPE_KEY] == Scope.public()
