"""Files made for a signed-in viewer are served only to that viewer's browser.

Streamlit serves every download at `/media/<id>` to whoever asks with the id, until no session holds the file: no
cookie, no session check. The id is a hash of the file, so nobody guesses it, but it travels: the proxy's access log,
the browser's download list and history (a meeting room's shared computer), a link pasted into a chat. A country's
current data, the enterprise list, a marked upload or a deck of a signed-in viewer would reach anyone holding it.

So every download button's file is remembered (by its SHA-256) with the sign-in it was made for: the local sign-in
session (its cookie's session id, which outlives a renewed cookie) or single sign-on's cookie; a public viewer's file
is marked public. `allowed` (called by session_routes.ClosedPaths for `GET /media/...`) serves a remembered file to
a request of the same sign-in, or to anyone when some public viewer made the same bytes (then the public may have it
anyway); a file made for a sign-in that a request does not carry answers 404. A file never seen here (none in this
app: every download goes through `bound`) passes as before.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping

from score import auth, sessions

PUBLIC = "public"
_OIDC_COOKIE = "_streamlit_user"  # streamlit.web.server.server_util.AUTH_COOKIE_NAME
_REMEMBERED = 4096  # files; each lives only while a session shows its button, the oldest are forgotten first
_made_for: OrderedDict[str, set[str]] = OrderedDict()  # SHA-256 of a file -> the sign-ins it was made for
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


def _remember(data: bytes | str, viewer: str) -> None:
    digest = hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
    with _lock:
        _made_for.setdefault(digest, set()).add(viewer)
        _made_for.move_to_end(digest)
        while len(_made_for) > _REMEMBERED:
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


def allowed(content: bytes, cookies: Mapping[str, str]) -> bool:
    """Whether a request with these cookies may have this file."""
    with _lock:
        made_for = _made_for.get(hashlib.sha256(content).hexdigest())
        made_for = None if made_for is None else set(made_for)
    if made_for is None or PUBLIC in made_for:
        return True
    return sign_in_of(cookies) in made_for
