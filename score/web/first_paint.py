"""The page shell in the reader's language from its first paint (webapp.py mounts `TranslatedShell`).

Streamlit serves one English index.html for every page: `<html lang="en">`, and a "Skip to main content" link (the
first stop of the Tab key) that its front end draws in English. The page's own script (layout.SKIP_LINK_JS) relabels
the link, but only once the script has run and the browser has drawn the result: 1-5 s on a quiet machine, 20 s and
more under load, during which a French or Spanish reader's screen reader heard English. Here a short script written
into the served page's <head> picks the language as the app does (`?lang=` in the address, else the browser's, else
English), sets `<html lang>` and relabels the link the moment React draws it, until the page's script takes over.

The page's layout CSS and the charts' naming script (layout.PAGE_CSS, layout.CHART_NAMES_JS) are the same for every
reader and every run: they are written into the served page too, once per visit, instead of being sent as elements
on every run (12.5 KB of each run's 52 KB on the overview; BENCHMARKS.md, "What the browser receives per run").
"""

from __future__ import annotations

import json
from functools import cache

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from score.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, using_language
from score.web import layout

_SHELL_JS = """<script>(() => {
  const LABELS = %s;
  const pick = (value) => {
    const code = (value || "").trim().slice(0, 2).toLowerCase();
    return code in LABELS ? code : null;
  };
  const code = pick(new URLSearchParams(location.search).get("lang")) || pick(navigator.language) || %s;
  document.documentElement.lang = code;
  const label = LABELS[code];
  const relabel = () => {
    if (document.scoreSkipLabel !== undefined) { watch.disconnect(); return; }  // the page's script has it now
    const link = document.querySelector('a[href="#stMain"]');
    if (link && link.textContent !== label) link.textContent = label;
  };
  const watch = new MutationObserver(relabel);
  watch.observe(document, { childList: true, subtree: true, characterData: true });
})();</script>"""


@cache
def shell_script() -> bytes:
    """The script for the page's <head>: the skip link's label in every language (JSON, never markup)."""
    labels = {}
    for code in LANGUAGES:
        with using_language(code):
            labels[code] = _("Skip to main content")
    text = json.dumps(labels, ensure_ascii=False).replace("<", "\\u003c")
    return (_SHELL_JS % (text, json.dumps(DEFAULT_LANGUAGE))).encode()


def _navigation(scope: Scope) -> bool:
    """A browser opening a page (it asks for HTML), not a script, style sheet or the app's own calls."""
    if scope["type"] != "http" or scope.get("method") != "GET":
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    return b"text/html" in accept


class TranslatedShell:
    """Writes `shell_script` into the <head> of every HTML page served (Streamlit's index.html, at every page's
    address). The request is passed on without Accept-Encoding so the page comes back as plain text to write into
    (7.9 KB); nginx, where it is in front, compresses what leaves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _navigation(scope):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope.get("headers") or [] if k != b"accept-encoding"]
        start: Message | None = None
        body: list[bytes] = []

        async def write(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                kind = MutableHeaders(raw=message["headers"]).get("content-type", "")
                if kind.startswith("text/html") and message.get("status") == 200:
                    start = message  # held until the whole page is read
                    return
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = _with_script(b"".join(body))
                out = MutableHeaders(raw=list(start["headers"]))
                out["content-length"] = str(len(page))
                del out["etag"]  # not the file's bytes any more (a 304 would also keep an older script)
                del out["last-modified"]
                await send({**start, "headers": out.raw})
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app({**scope, "headers": headers}, receive, write)


def _with_script(page: bytes) -> bytes:
    """The page with the shell script first in its <head>, the layout CSS last in it (Streamlit's own styles, added
    to the head later, and a page's own <style> elements in the body keep the order they had against it when it was
    an element) and the charts' naming script at the end of its <body> (it watches the body). The page unchanged
    when it has no <head>."""
    head = page.find(b"<head>")
    if head < 0 or page.find(b"</head>") < head:
        return page
    at = head + len(b"<head>")
    page = page[:at] + shell_script() + page[at:]
    head_end = page.find(b"</head>")
    page = page[:head_end] + layout.PAGE_CSS.strip().encode() + page[head_end:]
    body_end = page.rfind(b"</body>")
    if body_end >= 0:
        page = page[:body_end] + layout.CHART_NAMES_JS.strip().encode() + page[body_end:]
    return page
