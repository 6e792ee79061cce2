"""Several Streamlit processes behind nginx, all reading one data dir: `python -m score serve`, `make serve N=2`.

One Streamlit process runs its scripts on about one core, so visitors outgrow a process long before the data
outgrow DuckDB. This starts N `streamlit run webapp.py` processes on free ports of 127.0.0.1 and Debian's nginx in
front of them on one port, with its own configuration, logs and temp files in a run folder (never /etc/nginx):

- sticky sessions: a Streamlit session lives in the process holding its websocket, and uploads and downloads
  (`/_stcore/upload_file`, `/media`) must reach that same process. nginx hashes a cookie (`score_node`, set on the
  first response from a random request id) to pick the process, so every request of a browser goes to one process
  (`hash ... consistent`: open-source nginx has no `sticky`; ip_hash would send every visitor behind one proxy or
  NAT to the same process);
- websocket upgrade (`/_stcore/stream`), no proxy buffering, day-long read timeouts;
- the browser's address in X-Forwarded-For, with a per-start proxy secret in `X-Score-Proxy` so the processes
  trust that address only from this nginx (score.throttling.client_address; sign-in throttling counts per address);
- one shared data dir (`SCORE_DATA_DIR`): the pointer `score.duckdb` names the current immutable version, so a
  publish through any process is seen by every process at its next page run; the publish lock, the users file, the
  audit log and the sign-in store (sessions and throttle counters, SQLite) are files with their own locks
  (score.publish, score.auth, score.audit, score.sessions), correct with several processes (and machines, on a
  volume with working `flock`) writing.

The processes are stopped through their own handles (nginx first, then each Streamlit process).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from score import config, settings
from score.throttling import IPV6_PREFIX, PROXY_SECRET_ENV

STICKY_COOKIE = "score_node"
# Who may frame the headline strip (`/strip?embed=true`): public aggregates for donor sites, so any site.
# A deployment that knows its donors' sites narrows it (CSP frame-ancestors sources, e.g. "https://www.ilo.org").
STRIP_FRAME_ANCESTORS = "*"
FRAME_ANCESTORS = "'self'"  # every other page: no other site may frame it
STRIP_PATH = "/strip"


def frame_headers(path: str) -> list[tuple[str, str]]:
    """The framing (clickjacking) headers of an answer at `path`: every page may be framed by the app itself alone,
    exactly `/strip` (the headline strip; slashes merged, as nginx merges them) by STRIP_FRAME_ANCESTORS. Sent by
    the app itself (session_routes.ClosedPaths: `make run` has no nginx) and by nginx (NGINX_CONF's maps, the same
    values; it hides the app's own so that an answer carries one set). Under a base path the strip is not framed."""
    if re.sub("/+", "/", path) == STRIP_PATH:
        return [("Content-Security-Policy", f"frame-ancestors {STRIP_FRAME_ANCESTORS}")]
    return [("Content-Security-Policy", f"frame-ancestors {FRAME_ANCESTORS}"), ("X-Frame-Options", "SAMEORIGIN")]


# New Streamlit sessions (websockets) per client, in nginx: sustained rate, burst, and open at once (figures and
# choice in RELIABILITY.md, "Session 18"). One address can be a whole room: a workshop or a donors' meeting on one
# Wi-Fi, a country office behind one NAT, each person with a tab or two, opening the link when it is shown. So
# the bounds are a room's size, not a person's; a script from one address is still held to two new sessions a
# second after its first hundred (~60 ms of a process's CPU each).
SESSION_RATE = "120r/m"
SESSION_BURST = 100
STREAMS_PER_CLIENT = 300

NGINX_CONF = """# Written by score.serve: {processes} Streamlit process(es) behind one port, in a private prefix.
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format score '$remote_addr [$time_iso8601] "$request" $status $upstream_addr node=$score_node';
    access_log {run}/access.log score;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    client_max_body_size {upload_mb}m;

    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # The sticky key: the browser's cookie, or for its first request a random id that becomes its cookie.
    map $cookie_{cookie} $score_node {{ '' $request_id; default $cookie_{cookie}; }}
    map $cookie_{cookie} $score_node_cookie {{ '' '{cookie}=$request_id; Path=/; HttpOnly; SameSite=Lax'; default ''; }}

    # Framing (clickjacking): no other site may frame the dashboard (its sign-in, upload and publish could be
    # clicked through a transparent frame); the headline strip is made to be framed by donor sites, so its one
    # page, exactly `/strip`, may be framed by STRIP_FRAME_ANCESTORS (framed, Streamlit draws the page alone: no
    # sidebar, no sign-in, no navigation, no menu).
    # A map, not add_header in a location of its own: that would drop every add_header of the server block.
    # (`~`: case-sensitive, as Streamlit's page paths are; a map's plain strings are not.)
    map $uri $score_frame_ancestors {{
        default "frame-ancestors {own_ancestors}";
        ~^/strip$ "frame-ancestors {strip_ancestors}";
    }}
    map $uri $score_frame_options {{ default SAMEORIGIN; ~^/strip$ ''; }}

    # Sessions per client (RELIABILITY.md, "Session 18"): every Streamlit session is a websocket at /_stcore/stream, and
    # a page run in it costs ~60 ms of a process's CPU, so a script opening sessions by the hundred takes the
    # processes from everyone. A new session a second from one client (a burst of {session_burst} at once) and
    # {streams} open at once; beyond, 429. A visitor opens one per tab and reload. The client is its IPv4 address or
    # its IPv6 prefix (one subscriber's allocation, as the sign-in throttle counts: throttling.IPV6_PREFIX): the
    # prefix's groups as nginx writes them, a `::` among them standing for zero groups.
    map $remote_addr $score_client {{
        ~^::ffff:(?<v4>[0-9.]+)$ $v4;
{ipv6_prefix_rules}
        default $remote_addr;
    }}
    limit_req_zone $score_client zone=score_sessions:10m rate={session_rate};
    limit_conn_zone $score_client zone=score_streams:10m;
    limit_req_status 429;
    limit_conn_status 429;

    upstream streamlit {{
        hash $score_node consistent;
{servers}
    }}
    server {{
        listen {listen};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        # Proves to the processes that this request came through this nginx, so they trust the address it
        # added to X-Forwarded-For (score.throttling.client_address); a client cannot set it (replaced here).
        proxy_set_header X-Score-Proxy "{proxy_secret}";
        proxy_buffering off;
        proxy_request_buffering off;
        proxy_read_timeout 1d;
        proxy_send_timeout 1d;
        add_header Set-Cookie $score_node_cookie;
        proxy_hide_header Content-Security-Policy;
        proxy_hide_header X-Frame-Options;
        add_header Content-Security-Policy $score_frame_ancestors always;
        add_header X-Frame-Options $score_frame_options always;
        location / {{
            proxy_pass http://streamlit;
        }}
        location = /_stcore/stream {{
{session_limits}
            proxy_pass http://streamlit;
        }}
    }}
}}
"""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


ENTRY = "webapp.py"  # app.py plus the routes that set and clear the sign-in cookie


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """`streamlit run webapp.py` as every process is started (the app's own settings are in .streamlit/), through
    score.web.start: the opening page runs once in the process before its port answers, so the first visitor
    waits no longer than the next."""
    return [
        sys.executable,
        "-m",
        "score.web.start",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def _ipv6_prefix_rules(groups: int = IPV6_PREFIX // 16) -> str:
    """nginx map lines giving an IPv6 address's first `groups` groups: written out in full, or cut short by `::`
    (the missing groups are zeros)."""
    group = "[0-9a-f]+"
    lines = [f"        ~^(?<p>{':'.join([group] * groups)}): $p;"]
    for written in range(groups - 1, 0, -1):
        lines.append(f"        ~^(?<p>{':'.join([group] * written)}):: $p{':0' * (groups - written)};")
    lines.append(f"        ~^:: {':'.join(['0'] * groups)};")
    return "\n".join(lines)


def nginx_config(
    run: Path, temp: Path, listen: str, backends: list[int], proxy_secret: str, limit_sessions: bool = True
) -> str:
    """The configuration; `limit_sessions=False` for load benchmarks, whose many virtual visitors share one address."""
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in backends)
    limits = (
        f"            limit_req zone=score_sessions burst={SESSION_BURST} nodelay;\n"
        f"            limit_conn score_streams {STREAMS_PER_CLIENT};"
    )
    return NGINX_CONF.format(
        processes=len(backends),
        run=run,
        temp=temp,
        listen=listen,
        servers=servers,
        cookie=STICKY_COOKIE,
        upload_mb=int(settings.get().max_upload_mb) + 1,
        proxy_secret=proxy_secret,
        strip_ancestors=STRIP_FRAME_ANCESTORS,
        own_ancestors=FRAME_ANCESTORS,
        ipv6_prefix_rules=_ipv6_prefix_rules(),
        session_rate=SESSION_RATE,
        session_burst=SESSION_BURST,
        streams=STREAMS_PER_CLIENT,
        session_limits=limits if limit_sessions else "            # (no session limits: a load benchmark)",
    )


class Cluster:
    """N Streamlit processes on one data dir behind nginx on `host:port`; a context manager."""

    def __init__(
        self,
        processes: int = 2,
        port: int | None = None,
        host: str = "127.0.0.1",
        run_dir: Path | None = None,
        env: dict[str, str] | None = None,
        cwd: Path = config.REPO_ROOT,
        limit_sessions: bool = True,
    ):
        if processes < 1:
            raise ValueError("at least one process")
        self.processes = processes
        self.host = host
        self.port = port or free_port(host)
        self.proxy_secret = secrets.token_urlsafe(32)  # new for every start; only nginx and the processes know it
        self.env = {
            **os.environ,
            **settings.get().env(),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
            PROXY_SECRET_ENV: self.proxy_secret,
        }
        self.cwd = cwd
        self.limit_sessions = limit_sessions  # off only for load benchmarks (many virtual visitors, one address)
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="score-serve-"))
        self.temp_dir: Path | None = None
        self.backend_ports: list[int] = []
        self.backends: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self._logs: list = []

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def backend_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.backend_ports[index]}"

    def _log(self, name: str):
        handle = open(self.run_dir / name, "ab")  # noqa: SIM115 (closed in stop)
        self._logs.append(handle)
        return handle

    def start(self, timeout: float = 120) -> Cluster:
        nginx = settings.get().nginx
        if not Path(nginx).exists():
            raise RuntimeError(f"{nginx} is missing: `make nginx` installs Debian's nginx")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # Started as root, nginx runs its workers as nobody, who must reach the temp folders nginx makes for them:
        # a folder of its own in the system temp dir (the run folder may sit under a private 0700 parent).
        self.temp_dir = Path(tempfile.mkdtemp(prefix="score-nginx-"))
        self.temp_dir.chmod(0o711)
        try:
            for index in range(self.processes):
                port = free_port()
                log = self._log(f"streamlit-{index}.log")
                self.backends.append(
                    subprocess.Popen(
                        streamlit_command(port),
                        cwd=self.cwd,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                )
                self.backend_ports.append(port)
            conf = self.run_dir / "nginx.conf"
            listen = f"{self.host}:{self.port}"
            fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the proxy secret
            with os.fdopen(fd, "w") as handle:
                handle.write(
                    nginx_config(
                        self.run_dir, self.temp_dir, listen, self.backend_ports, self.proxy_secret, self.limit_sessions
                    )
                )
            test = subprocess.run(
                [nginx, "-t", "-q", "-p", str(self.run_dir), "-c", str(conf)],
                capture_output=True,
                text=True,
            )
            if test.returncode:
                raise RuntimeError(f"nginx rejected {conf}:\n{test.stderr}")
            self.nginx = subprocess.Popen(
                [nginx, "-p", str(self.run_dir), "-c", str(conf), "-g", "daemon off;"],
                stdout=self._log("nginx.out"),
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = set(range(self.processes))
        while time.monotonic() < deadline:
            for index, process in enumerate(self.backends):
                if process.poll() is not None:
                    raise RuntimeError(f"streamlit {index} exited with {process.returncode}:\n{self.log_tail(index)}")
            if self.nginx is not None and self.nginx.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.nginx.returncode}:\n{self.nginx_errors()}")
            waiting = {index for index in waiting if not healthy(self.backend_url(index))}
            if not waiting and healthy(self.url):
                return
            time.sleep(0.2)
        raise RuntimeError(f"not healthy within {timeout} s (processes {sorted(waiting)} not answering)")

    def log_tail(self, index: int, lines: int = 60) -> str:
        path = self.run_dir / f"streamlit-{index}.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def nginx_errors(self) -> str:
        path = self.run_dir / "error.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def access_log(self) -> list[str]:
        path = self.run_dir / "access.log"
        return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []

    def stop(self) -> None:
        """nginx first (no new requests), then every Streamlit process; each through its own handle."""
        for process in [p for p in (self.nginx,) if p is not None] + self.backends:
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if process is self.nginx else signal.SIGTERM)
        for process in [p for p in (self.nginx,) if p is not None] + self.backends:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        for handle in self._logs:
            with contextlib.suppress(OSError):
                handle.close()
        self._logs.clear()
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            self.temp_dir = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *_exc_info: object) -> None:
        self.stop()


def serve(processes: int, port: int, host: str = "0.0.0.0") -> int:
    """Run until interrupted (Ctrl-C or SIGTERM); returns an exit code."""
    cluster = Cluster(processes, port, host, run_dir=config.data_dir() / "run" / f"nginx-{port}")
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    try:
        cluster.start()
        print(f"SCORE dashboard: {processes} Streamlit process(es) behind nginx on http://{host}:{port}", flush=True)
        print(f"  processes on 127.0.0.1:{', '.join(map(str, cluster.backend_ports))}; logs in {cluster.run_dir}")
        while not stop:
            for index, process in enumerate(cluster.backends):
                if process.poll() is not None:
                    print(f"streamlit {index} exited:\n{cluster.log_tail(index)}", file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0
