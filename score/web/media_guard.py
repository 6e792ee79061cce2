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
thousands of other sign-ins made files since): forgetting only ever withholds a file, it never opens one. The public's
files are remembered per browser address too (the key of its budget of costly files, `browser.address`), apart
from the sign-ins': with one memory for the whole public, one script clicking CSV buttons 1,024 times had every
donor's deck or file answer 404. A public file is still served to anyone.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

from score import auth, sessions

PUBLIC = "public"  # a public viewer's files: PUBLIC, or PUBLIC + ":" + its address
_OIDC_COOKIE = "_streamlit_user"  # streamlit.web.server.server_util.AUTH_COOKIE_NAME
# A file lives in Streamlit only while a session shows its button, and a deferred one is fetched as soon as it is
# made: a viewer making this many files before fetching the first is not a person.
FILES_PER_VIEWER = 1024
VIEWERS = 4096  # sign-ins remembered, the one that made a file longest ago forgotten first
PUBLIC_VIEWERS = 1024  # public addresses remembered, apart (one IPv6 /48 holds 65,536 addresses, sign-ins are few)
_made_for: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()  # sign-in -> SHA-256 of its files, oldest first
_public_made_for: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()  # public address -> the same
_public: dict[str, int] = {}  # SHA-256 -> how many public addresses remember it
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
        from score.web import browser

        return f"{PUBLIC}:{browser.address()}"
    try:
        cookies = dict(st.context.cookies)
    except (AttributeError, RuntimeError):
        cookies = {}
    return sign_in_of(cookies) or "unbound"


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _is_public(viewer: str) -> bool:
    return viewer == PUBLIC or viewer.startswith(PUBLIC + ":")


def _remember(data: bytes | str, viewer: str) -> None:
    digest = _digest(data)
    public = _is_public(viewer)
    viewers, most = (_public_made_for, PUBLIC_VIEWERS) if public else (_made_for, VIEWERS)
    with _lock:
        files = viewers.setdefault(viewer, OrderedDict())
        viewers.move_to_end(viewer)
        if public and digest not in files:
            _public[digest] = _public.get(digest, 0) + 1
        files[digest] = None
        files.move_to_end(digest)
        forgotten = []
        while len(files) > FILES_PER_VIEWER:
            forgotten.append(files.popitem(last=False)[0])
        while len(viewers) > most:
            forgotten.extend(viewers.popitem(last=False)[1])
        if public:
            _forget_public(forgotten)


def _forget_public(digests: list[str]) -> None:
    """Files a public address no longer remembers (under the lock): public while another address still does."""
    for digest in digests:
        left = _public.get(digest, 0) - 1
        if left > 0:
            _public[digest] = left
        else:
            _public.pop(digest, None)


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
        if digest in _assets or digest in _public:
            return True
    viewer = sign_in_of(cookies)  # checks the cookie's signature: outside the lock
    with _lock:
        return viewer is not None and digest in _made_for.get(viewer, {})
