"""score.serve's nginx configuration, through the real nginx, in front of a stub that answers every request (no
Streamlit start): what nginx itself must do for every process behind it (framing headers)."""

from __future__ import annotations

import http.server
import ipaddress
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from score import serve, settings, throttling


class _Stub(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"ok" if self.path == "/_stcore/health" else b"<!doctype html><title>app</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # `make test` installs nginx (as it does chromium): a missing one fails here, never skips into green
    assert Path(settings.get().nginx).exists(), "nginx is not installed (`make nginx`)"
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    run = tmp_path_factory.mktemp("nginx-run")
    temp = tmp_path_factory.mktemp("nginx-temp")
    temp.chmod(0o711)
    port = serve.free_port()
    conf = run / "nginx.conf"
    conf.write_text(serve.nginx_config(run, temp, f"127.0.0.1:{port}", [backend.server_address[1]], "secret"))
    process = subprocess.Popen(
        [settings.get().nginx, "-p", str(run), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a wait for nginx to answer, long enough for a machine at load 40
        while not serve.healthy(url) and time.monotonic() < deadline:
            assert process.poll() is None, (run / "error.log").read_text()
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        backend.shutdown()


def _headers(url: str) -> dict[str, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # the stub answers from this busy process
            return {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return {k.lower(): v for k, v in error.headers.items()}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/upload",
        "/review",
        "/overview?embed=true",
        "/strip/",
        "/STRIP",
        "/strip.html",
        "/media/x.pptx",
        "/x/strip",
    ],
)
def test_no_other_site_may_frame_the_dashboard(nginx: str, path: str) -> None:
    headers = _headers(nginx + path)
    assert headers.get("x-frame-options") == "SAMEORIGIN"
    assert headers.get("content-security-policy") == "frame-ancestors 'self'"


@pytest.mark.parametrize("path", ["/strip", "/strip?embed=true", "/strip?embed=true&countries=COL", "//strip"])
def test_the_headline_strip_may_be_framed_by_donor_sites(nginx: str, path: str) -> None:
    headers = _headers(nginx + path)
    assert "x-frame-options" not in headers
    assert headers.get("content-security-policy") == f"frame-ancestors {serve.STRIP_FRAME_ANCESTORS}"
    assert headers.get("set-cookie", "").startswith(f"{serve.STICKY_COOKIE}=")  # the sticky cookie still set


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_script_opening_sessions_is_slowed_and_the_rest_of_the_app_is_not(nginx: str) -> None:
    """Streamlit sessions (websockets at /_stcore/stream) from one client: a burst of SESSION_BURST, then one a
    second; a page, its files and the health check are not counted."""
    extra = 30
    started = time.monotonic()
    statuses = [_status(f"{nginx}/_stcore/stream") for _ in range(serve.SESSION_BURST + extra)]
    refilled = 1 + int((time.monotonic() - started) * int(serve.SESSION_RATE.removesuffix("r/m")) / 60)
    assert statuses[: serve.SESSION_BURST] == [200] * serve.SESSION_BURST
    assert statuses.count(429) > 0 and statuses.count(200) <= serve.SESSION_BURST + refilled, (refilled, statuses)
    assert {_status(f"{nginx}{path}") for path in ["/", "/strip", "/_stcore/health", "/static/x.js"] * 5} == {200}


def test_the_session_limit_counts_an_ipv6_client_per_64() -> None:
    """nginx's regular expressions, read from the configuration and tried here (both are PCRE-like on these)."""
    import re

    conf = serve.nginx_config(Path("/run"), Path("/tmp"), "127.0.0.1:1", [2], "secret")
    block = conf[conf.index("map $remote_addr $score_client") :]
    rules = re.findall(r"~(\S+) (\S+);", block[: block.index("}")])

    def client(address: str) -> str:
        for pattern, value in rules:
            match = re.match(pattern.replace("(?<", "(?P<"), address)
            if match:
                return re.sub(r"\$(\w+)", lambda m, found=match: found.group(m.group(1)), value)
        return address

    assert client("2001:db8:5:7:1:2:3:4") == client("2001:db8:5:7::9") == "2001:db8:5:7"
    assert client("2001:db8::1:2:3:4") == client("2001:db8::9") == "2001:db8:0:0"
    assert client("2001:db8:0:7:1:2:3:4") == "2001:db8:0:7" != client("2001:db8:0:8::1")
    assert client("::ffff:203.0.113.9") == "203.0.113.9" == client("203.0.113.9")
    # the sign-in throttle counts the same clients (score.throttling: one home for the prefix)
    for address in ["2001:db8:5:7:1:2:3:4", "2001:db8::9", "2001:db8:0:7::1", "2001:db8:1:2::", "::1:2:3:4", "::"]:
        groups = client(address).split(":")
        network = ipaddress.IPv6Network((":".join(groups + ["0"] * (8 - len(groups))), throttling.IPV6_PREFIX))
        assert str(network) == throttling._address(address), address
