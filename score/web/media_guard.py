"""Files at /media are served only to whom they were made for: a signed-in viewer's to that sign-in's browser.

Streamlit serves every file at `/media/<id>` to whoever asks with the id, until no session holds the file: no
cookie, no session check. The id is a hash of the file, so nobody guesses it, but it travels: the proxy's access log,
the browser's download list and history (a meeting room's shared computer), a link pasted into a chat. A country's
current data, the enterprise list, a marked upload or a deck of a signed-in viewer would reach anyone holding it.

So every file is remembered (by its SHA-256) under the viewer it was made for: the local sign-in session (its
cookie's session id, which outlives a renewed cookie), single sign-on's cookie, or PUBLIC for a public viewer's file
and the page's own images (`public_asset`, the favicon). Every download button is `components.download`, which
passes its data through `bound`; `allowed` (called by session_routes.ClosedPaths for `GET /media/...`) serves a
file remembered as PUBLIC to anyone (some public viewer made the same bytes: the public may have them anyway) and a
file remembered under a sign-in to a request of that sign-in. Anything else answers 404, a file never seen here
included (deny by default: a button or image that bypassed this module is broken, not open).

The memory is kept per viewer, so a viewer's files are forgotten only under that viewer's own newer files (or when
thousands of other sign-ins made files since): forgetting only ever withholds a file, it never opens one.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

from score import auth, sessions

PUBLIC = "public"
_OIDC_COOKIE = "_streamlit_user"  # streamlit.web.server.server_util.AUTH_COOKIE_NAME
# A file lives in Streamlit only while a session shows its button, and a deferred one is fetched as soon as it is
# made: a viewer making this many files before fetching the first is not a person.
FILES_PER_VIEWER = 1024
VIEWERS = 4096  # sign-ins remembered, the one that made a file longest ago forgotten first
_made_for: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()  # viewer -> SHA-256 of its files, oldest first
_assets: set[str] = set()  # the page's own images: public for as long as the process runs, never forgotten
_lock = threading.Lock()


def sign_in_of(cookies: Mapping[str, str]) -> str | None:
    """The sign-in a browser's cookies carry: its local session id, or its single sign-on cookie; None: none."""
    sid = sessions.session_id(cookies.get(sessions.COOKIE), auth.absolute_seconds())
    if sid is not None:
        return "local:" + sid
    oidc = cookies.get(_OIDC_COOKIE)
    return "sso:" + oidc if oidc else None


def _viewer() -> str:
    """Whom the running script's files are for: PUBLIC, or its sign-in (a signed-in session without one gets a key
    no request carries: its files are served to nobody rather than to everybody)."""
    import streamlit as st

    from score.web import ui

    if ui.current_scope().role == "public":
        return PUBLIC
    try:
        cookies = dict(st.context.cookies)
    except (AttributeError, RuntimeError):
        cookies = {}
    return sign_in_of(cookies) or "unbound"


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _remember(data: bytes | str, viewer: str) -> None:
    digest = _digest(data)
    with _lock:
        files = _made_for.setdefault(viewer, OrderedDict())
        _made_for.move_to_end(viewer)
        files[digest] = None
        files.move_to_end(digest)
        while len(files) > FILES_PER_VIEWER:
            files.popitem(last=False)
        while len(_made_for) > VIEWERS:
            _made_for.popitem(last=False)


def bound(data: bytes | str | Callable[[], bytes]) -> bytes | str | Callable[[], bytes]:
    """A download button's data (bytes, or a function making them on the click), remembered for this viewer."""
    viewer = _viewer()  # now, in the script: a deferred file is made outside it
    if not callable(data):
        _remember(data, viewer)
        return data

    def made() -> bytes:
        made_bytes = data()
        _remember(made_bytes, viewer)
        return made_bytes

    return made


def public_asset(path: Path) -> str:
    """An image file of the page itself (the favicon), served at /media to anyone: its path, for Streamlit."""
    with _lock:
        _assets.add(_digest(path.read_bytes()))
    return str(path)


def allowed(content: bytes, cookies: Mapping[str, str]) -> bool:
    """Whether a request with these cookies may have this file: only if it was made for the public or for the
    request's own sign-in."""
    digest = _digest(content)
    with _lock:
        if digest in _assets or digest in _made_for.get(PUBLIC, {}):
            return True
    viewer = sign_in_of(cookies)  # checks the cookie's signature: outside the lock
    with _lock:
        return viewer is not None and digest in _made_for.get(viewer, {})
