"""The page shell (Streamlit's index.html) carries the reader's skip link and <html lang> from its first paint
(score/web/first_paint.py): what the middleware writes, and what it leaves alone."""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from score.web import first_paint, layout

INDEX = b'<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="UTF-8" />\n  </head><body></body></html>'


def _serve(path: str, accept: bytes, content_type: bytes, body: bytes = INDEX) -> tuple[dict, bytes, list]:
    """One GET through TranslatedShell in front of a server answering `body`: (headers sent, body sent, the
    request headers the server saw)."""
    seen: list = []

    async def streamlit(scope, receive, send) -> None:
        seen.extend(scope["headers"])
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"etag", b'"f"')]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:]})

    async def one() -> tuple[dict, bytes]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        async def receive() -> dict:
            return {"type": "http.request", "body": b""}

        headers = [(b"accept", accept), (b"accept-encoding", b"gzip, br")]
        scope = {"type": "http", "method": "GET", "path": path, "headers": headers, "query_string": b""}
        await first_paint.TranslatedShell(streamlit)(scope, receive, send)
        start = dict(sent[0]["headers"])
        return start, b"".join(m.get("body", b"") for m in sent[1:])

    with ThreadPoolExecutor(max_workers=1) as thread:  # a Playwright test may hold this thread's loop
        start, sent = thread.submit(asyncio.run, one()).result()
    return start, sent, seen


def test_a_page_is_served_with_the_skip_link_labels_of_every_language_first_in_its_head() -> None:
    headers, page, seen = _serve("/training", b"text/html,application/xhtml+xml", b"text/html; charset=utf-8")
    head = page.index(b"<head>") + len(b"<head>")
    assert page[head:].startswith(b"<script>") and page[: page.index(b"</head>")].count(b"<script>") == 1
    labels = json.loads(re.search(rb"const LABELS = (\{.*?\});", page).group(1))
    assert labels == {
        "en": "Skip to main content",
        "fr": "Aller au contenu principal",
        "es": "Ir al contenido principal",
    }
    assert int(headers[b"content-length"]) == len(page) > len(INDEX)
    assert b"etag" not in headers  # the file's tag no longer names these bytes
    assert b"accept-encoding" not in dict(seen)  # asked plain, so there is text to write into


def test_scripts_styles_and_data_pass_untouched() -> None:
    script = b"console.log('<head>')"
    headers, body, seen = _serve("/static/js/index.js", b"*/*", b"application/javascript", script)
    assert body == script and headers[b"etag"] == b'"f"'
    assert dict(seen)[b"accept-encoding"] == b"gzip, br"


def test_the_web_server_mounts_it() -> None:
    assert "Middleware(first_paint.TranslatedShell)" in (Path(__file__).parents[1] / "webapp.py").read_text()


def test_the_layout_css_ends_the_head_and_the_charts_naming_script_ends_the_body_of_the_served_page() -> None:
    """Sent once per visit with the page, not as elements on every run (layout.responsive_layout sends neither)."""
    _, page, _ = _serve("/", b"text/html", b"text/html; charset=utf-8")
    css, names = layout.PAGE_CSS.strip().encode(), layout.CHART_NAMES_JS.strip().encode()
    assert page.index(css) + len(css) == page.index(b"</head>")  # after the head's styles, before the body's
    assert page.index(names) + len(names) == page.index(b"</body>")  # the body exists when it starts watching it


def test_a_run_sends_the_sidebar_skip_link_and_words_scripts_but_not_the_layout_css_or_the_charts_naming_script(
    monkeypatch,
) -> None:
    sent: list[str] = []
    monkeypatch.setattr(layout.st, "html", lambda body, **_: sent.append(body))
    layout.responsive_layout("<script>/* words */</script>", viewer="public")
    assert len(sent) == 1 and "scoreFoldOnNav" in sent[0] and "scoreSkipLabel" in sent[0] and "words" in sent[0]
    assert "<style>" not in sent[0] and "scoreChartNames" not in sent[0]
