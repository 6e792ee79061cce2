"""Two Streamlit processes behind nginx on one data dir (score.serve, `make serve N=2`): every request of a session
reaches one process, a publish through one process is warmed by both before the switch and seen through the other
at its next click, the audit lines written by both are whole, and a sign-in made through one process holds in the
other until a sign-out through either. One cluster for the module (two servers, nginx, two browsers). `make
scale-test` runs it, then the load figures; `make test` leaves it out (`-m "not scale"`: ~2.5 min of a 15-minute
budget on a loaded machine, session 19), so run `make scale-test` after any change to serve, sessions, publish or
the upload flow: it once failed for two days before anyone saw."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import BrowserContext, expect

from score import maps
from score.serve import STICKY_COOKIE, Cluster
from tests.e2e import dashboard as ui
from tests.e2e.app_server import add_user, data_env, prepare_data_dir
from tests.e2e.datasets import col_without_last
from tests.e2e.ws_client import load_page
from tests.oracle import RawData

pytestmark = pytest.mark.scale
ACCESS = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) (?P<upstream>\S+) node=(?P<node>\S+)$')


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for the module (its start is most of the module's cost); the publish, which changes the data,
    comes after the test that counts page loads."""
    base = tmp_path_factory.mktemp("cluster")
    data = prepare_data_dir(base)
    with Cluster(2, env=data_env(data), run_dir=base / "run") as running:
        running.data_dir = data
        yield running


def _requests(cluster: Cluster) -> list[dict[str, str]]:
    return [m.groupdict() for line in cluster.access_log() if (m := ACCESS.search(line))]


def _get(url: str, cookie: str | None = None) -> tuple[int, str | None]:
    request = Request(url, headers={"Cookie": cookie} if cookie else {})
    with urlopen(request, timeout=30) as response:
        return response.status, response.headers.get("Set-Cookie")


def _process_of(cluster: Cluster, node: str) -> str:
    """The backend address nginx sends this cookie to (asked once, read from nginx's own access log)."""
    _get(f"{cluster.url}/_stcore/health?probe={node}", f"{STICKY_COOKIE}={node}")
    for _attempt in range(50):  # nginx logs a request just after answering it
        found = [r["upstream"] for r in _requests(cluster) if r["path"].endswith(f"probe={node}")]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no access log line for {node}")


def _node_on_each_process(cluster: Cluster) -> list[str]:
    """A cookie value for each of the two processes."""
    found: dict[str, str] = {}
    for n in range(40):
        found.setdefault(_process_of(cluster, f"pin{n}"), f"pin{n}")
        if len(found) == 2:
            return [found[f"127.0.0.1:{port}"] for port in cluster.backend_ports]
    raise AssertionError(f"40 cookies all went to {sorted(found)}")


def test_every_request_of_a_session_reaches_one_process(cluster: Cluster) -> None:
    status, set_cookie = _get(cluster.url + "/")
    assert status == 200 and set_cookie and set_cookie.startswith(f"{STICKY_COOKIE}=")
    first = set_cookie.split(";")[0]
    status, again = _get(cluster.url + "/", first)
    assert status == 200 and again is None  # the cookie is kept, not replaced
    with urlopen(f"{cluster.url}/{maps.WORLD_URL}", timeout=30) as response:  # the map's grey world, through nginx
        assert response.status == 200 and response.read() == maps.WORLD_FILE.read_bytes()

    async def sessions() -> list:
        cookies = [first] + [f"{STICKY_COOKIE}=visitor{n}" for n in range(11)]
        for cookie in cookies:  # the page and its health check, as a browser does, then the session's websocket
            _get(cluster.url + "/", cookie)
            _get(cluster.url + "/_stcore/health", cookie)
        return await asyncio.gather(*(load_page(cluster.url, "/", "countries=COL", c, reruns=1) for c in cookies))

    # a thread of its own: under pytest-playwright a worker's thread may already run an event loop
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        runs = thread.submit(asyncio.run, sessions()).result()
    assert all(run.finished and not run.exceptions and run.metrics.get("Enterprises engaged") for run in runs)
    by_node: dict[str, set[str]] = defaultdict(set)
    for request in _requests(cluster):
        by_node[request["node"]].add(request["upstream"])
    visitors = {node: upstreams for node, upstreams in by_node.items() if node.startswith("visitor")}
    assert len(visitors) == 11
    assert all(len(upstreams) == 1 for upstreams in visitors.values()), visitors
    assert len(by_node[first.split("=", 1)[1]]) == 1
    used = set().union(*visitors.values())
    assert used == {f"127.0.0.1:{port}" for port in cluster.backend_ports}, "the sessions did not spread"
    streams = [r for r in _requests(cluster) if r["path"] == "/_stcore/stream"]
    assert len(streams) >= 12 and all(r["status"] == "101" for r in streams)  # websocket upgrades


def test_a_publish_through_one_process_is_seen_through_the_other(
    cluster: Cluster, tmp_path: Path, open_context: Callable[..., BrowserContext]
) -> None:
    data = cluster.data_dir
    before = RawData(data / "countries").kpis(countries={"COL"})
    garments_before = RawData(data / "countries").kpis(countries={"COL"}, sectors={"garments"})["enterprises"]
    add_user(data, "scale-geneva", "scale-geneva-password", "hq")
    add_user(data, "scale-hq", "scale-hq-password", "hq")
    node_a, node_b = _node_on_each_process(cluster)
    contexts = {}
    for node in (node_a, node_b):
        contexts[node] = open_context()
        contexts[node].add_cookies([{"name": STICKY_COOKIE, "value": node, "url": cluster.url}])

    # B: HQ signed in, looking at Colombia before the publish.
    reader = contexts[node_b].new_page()
    ui.goto(reader, f"{cluster.url}/?countries=COL")
    ui.sign_in(reader, "scale-hq", "scale-hq-password")  # the page loads again, with the session cookie
    expect(ui.metric(reader, "Enterprises engaged")).to_have_text(ui.fmt_int(before["enterprises"]), timeout=60_000)

    # A: HQ uploads and publishes COL with 10 enterprises fewer (country staff submit for review: HQ publishes).
    writer = contexts[node_a].new_page()
    ui.goto(writer, f"{cluster.url}/?countries=COL")
    ui.sign_in(writer, "scale-geneva", "scale-geneva-password")
    ui.open_nav(writer, next(link for link in ui.nav_links(writer) if link.slug == "upload"))
    # HQ's Upload page opens on the one country its filters chose (tests/test_upload_flow.py)
    expect(writer.locator(ui.MAIN).get_by_role("combobox", name="Country")).to_have_value("Colombia (COL)")
    ui.upload_and_check(writer, col_without_last(tmp_path / "valid", drop=10))
    expect(ui.metric(writer, "Enterprises removed")).to_have_text("10", timeout=60_000)
    writer.get_by_role("button", name="Publish Colombia").click(timeout=60_000)
    expect(writer.locator(ui.MAIN).get_by_text(re.compile(r"Published: Colombia is version \d+"))).to_be_visible(
        timeout=120_000
    )
    version = (data / "score.duckdb").resolve().name  # the version the publish switched to
    assert version != "score-1.duckdb"
    # Both processes warmed the new version (score.web.warm) before the publisher switched to it.
    warmed = {p.stem: json.loads(p.read_text())["warmed"] for p in (data / "run" / "warmers").glob("*.json")}
    assert len(warmed) == 2 and set(warmed.values()) == {version}, warmed

    # B, at its next click (same session, no reload): the new figures (one of the 10 was in garments).
    ui.choose(reader, "Sector", "Garments")
    after = RawData(data / "countries")
    assert after.kpis(countries={"COL"})["enterprises"] == before["enterprises"] - 10
    garments = after.kpis(countries={"COL"}, sectors={"garments"})["enterprises"]
    assert garments == garments_before - 1
    expect(ui.metric(reader, "Enterprises engaged")).to_have_text(ui.fmt_int(garments))
    assert not reader.locator(ui.EXCEPTION).count() and not writer.locator(ui.EXCEPTION).count()

    # Each browser stayed on its process, the upload (POST /_stcore/upload_file) included.
    upstreams = defaultdict(set)
    for request in _requests(cluster):
        upstreams[request["node"]].add(request["upstream"])
    assert upstreams[node_a] == {f"127.0.0.1:{cluster.backend_ports[0]}"}
    assert upstreams[node_b] == {f"127.0.0.1:{cluster.backend_ports[1]}"}
    assert any(r["node"] == node_a and "upload_file" in r["path"] for r in _requests(cluster))

    # The audit log holds whole lines from both processes.
    events = [json.loads(line) for line in (data / "audit.log").read_text(encoding="utf-8").splitlines()]
    signed_in = {e["user"] for e in events if e["event"] == "sign_in"}
    assert {"scale-geneva", "scale-hq"} <= signed_in
    published = [e for e in events if e["event"] == "publish" and e["detail"].get("outcome") == "published"]
    assert [e["user"] for e in published] == ["scale-geneva"]


def test_a_sign_in_through_one_process_holds_in_the_other_until_sign_out(
    cluster: Cluster, open_context: Callable[..., BrowserContext]
) -> None:

    add_user(cluster.data_dir, "scale-stays", "scale-stays-password", "country", "COL")
    node_a, node_b = _node_on_each_process(cluster)
    first = open_context()
    first.add_cookies([{"name": STICKY_COOKIE, "value": node_a, "url": cluster.url}])
    on_a = first.new_page()
    ui.goto(on_a, cluster.url)
    ui.sign_in(on_a, "scale-stays", "scale-stays-password")
    [session] = [c for c in first.cookies() if c["name"] == "score_session"]
    # The same browser's cookie, reaching the other process (a restart, a new node, another tab's stickiness).
    second = open_context()
    second.add_cookies(
        [
            {"name": STICKY_COOKIE, "value": node_b, "url": cluster.url},
            {"name": "score_session", "value": session["value"], "url": cluster.url},
        ]
    )
    on_b = second.new_page()
    on_b.goto(f"{cluster.url}/upload", wait_until="domcontentloaded")
    expect(on_b.locator(ui.MAIN).get_by_role("heading", name="Upload country data")).to_be_visible(timeout=60_000)
    ui.signed_in(on_b, "scale-stays")
    ui.settle(on_b)
    on_b.locator("[data-testid='stSidebar']").get_by_role("button", name="Sign out").click()
    ui.signed_out(on_b)
    on_a.reload(wait_until="domcontentloaded")  # signed out through B: A's process refuses the cookie at once
    ui.signed_out(on_a)
    upstreams = defaultdict(set)
    for request in _requests(cluster):
        upstreams[request["node"]].add(request["upstream"])
    assert upstreams[node_a] == {f"127.0.0.1:{cluster.backend_ports[0]}"}
    assert upstreams[node_b] == {f"127.0.0.1:{cluster.backend_ports[1]}"}
