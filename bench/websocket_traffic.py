"""What the browser receives per run: Streamlit's forward messages and their bytes over the websocket, for a page's
first run, the same run again (a rerun with nothing changed) and a filter change, by element kind; and the served
page (index.html, once per visit).

    .venv/bin/python bench/websocket_traffic.py DATA_DIR [--pages overview,enterprises,training,country] [--detail]

DATA_DIR is a built data directory (`python -m score build`); the app is served by tests/e2e/app_server.py
(webapp.py, as `make run`).
Public viewer, English."""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "e2e")]

# (run, the address's query, in a new session?): a filter change is measured as a new session opened on a filtered
# link, since a rerun with another query string keeps the session's filters (its figures do not change)
RUNS = (("first run", "", True), ("rerun", "", False), ("filtered link", "country=COL", True))


def _kind(message: object) -> str:
    """A forward message's kind: an element's type (an html/markdown element with its first words), a block, or
    the message's own type."""
    kind = message.WhichOneof("type")  # type: ignore[attr-defined]
    if kind != "delta":
        return str(kind)
    delta = message.delta  # type: ignore[attr-defined]
    which = delta.WhichOneof("type")
    if which == "new_element":
        element = delta.new_element.WhichOneof("type")
        if element in ("html", "markdown"):
            body = getattr(delta.new_element, element).body
            return f"{element}:{body[:30]!r}"
        return f"element:{element}"
    if which == "add_block":
        return f"block:{delta.add_block.WhichOneof('type')}"
    return f"delta:{which}"


async def _page_runs(url: str, page: str, detail: bool) -> list[tuple[str, int, int]]:
    """(run, messages, bytes) for each of RUNS in one session of `page`."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.typing import Subprotocol

    rows = []
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    socket = None
    for run, query, new_session in RUNS:
        if new_session or socket is None:
            if socket is not None:
                await socket.close()
            socket = await websockets.connect(stream, subprotocols=[Subprotocol("streamlit")], max_size=None)
        request = BackMsg()
        request.rerun_script.query_string = query
        request.rerun_script.page_name = page
        await socket.send(request.SerializeToString())
        count: collections.Counter[str] = collections.Counter()
        size: collections.Counter[str] = collections.Counter()
        while True:
            raw = await socket.recv()
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = _kind(message)
            count[kind] += 1
            size[kind] += len(raw)
            if message.WhichOneof("type") == "script_finished":
                break
        rows.append((run, sum(count.values()), sum(size.values())))
        if detail:
            print(f"== {page}, {run}: {sum(count.values())} messages, {sum(size.values())} bytes")
            for kind, n in sorted(count.items(), key=lambda item: -size[item[0]]):
                print(f"   {n:3d} {size[kind]:8d}  {kind}")
    if socket is not None:
        await socket.close()
    return rows


def main() -> None:
    from app_server import AppServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--pages", default="overview,enterprises,training,country")
    parser.add_argument("--detail", action="store_true", help="messages and bytes by element kind")
    parser.add_argument("--log", type=Path, default=Path("/tmp/websocket_traffic.log"))
    args = parser.parse_args()
    with AppServer(args.data_dir, args.log) as server:
        request = urllib.request.Request(server.url + "/", headers={"Accept": "text/html"})
        with urllib.request.urlopen(request) as page:
            print(f"served page (index.html): {len(page.read())} bytes")
        print("| page | " + " | ".join(f"{run}: messages / bytes" for run, _, _ in RUNS) + " |")
        print("|---|" + "---|" * len(RUNS))
        for page_name in args.pages.split(","):
            rows = asyncio.run(_page_runs(server.url, page_name, args.detail))
            print(f"| {page_name} | " + " | ".join(f"{n} / {b:,}" for _, n, b in rows) + " |")


if __name__ == "__main__":
    main()
