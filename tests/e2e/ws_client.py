"""A page load over Streamlit's own websocket protocol (the protobuf messages a browser exchanges), without a browser.

Used by the load and scale-out benchmarks (the figures then measure the server, not browsers drawing charts on the
same cores) and by the scale-out test. A cookie makes the load go where a browser with that cookie would go.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class PageRun:
    metrics: dict[str, str] = field(default_factory=dict)  # KPI label -> value shown
    exceptions: list[str] = field(default_factory=list)
    finished: bool = False  # the script ran to its end (not a compile error)


async def load_page(
    base: str, path: str = "/", query: str = "", cookie: str | None = None, timeout: float = 60, reruns: int = 0
) -> PageRun:
    """Open a new session, run `path?query` and collect what it shows; then `reruns` more runs in the same session
    (what a click does), each reported in the same PageRun (the last run's metrics win)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.typing import Subprotocol

    from score.web.components.tiles import read_tiles

    stream = base.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": cookie} if cookie else None
    out = PageRun()
    async with asyncio.timeout(timeout):
        async with websockets.connect(
            stream, subprotocols=[Subprotocol("streamlit")], max_size=None, additional_headers=headers
        ) as ws:
            for _run in range(reruns + 1):
                request = BackMsg()
                request.rerun_script.query_string = query
                request.rerun_script.page_name = path.strip("/")
                await ws.send(request.SerializeToString())
                out.finished = False
                while True:
                    message = ForwardMsg()
                    message.ParseFromString(await ws.recv())
                    kind = message.WhichOneof("type")
                    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        element = message.delta.new_element
                        if element.WhichOneof("type") == "exception":
                            out.exceptions.append(element.exception.message[:300])
                        elif element.WhichOneof("type") == "metric":
                            out.metrics[element.metric.label] = element.metric.body
                        elif element.WhichOneof("type") == "html":  # a row of KPI tiles (components.tiles)
                            out.metrics |= {tile.label: tile.value for tile in read_tiles(element.html.body)}
                    elif kind == "script_finished":
                        out.finished = message.script_finished != ForwardMsg.FINISHED_WITH_COMPILE_ERROR
                        break
    return out
