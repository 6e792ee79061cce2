"""The two HTTP routes behind local sign-in cookies (webapp.py mounts them with `st.App`).

A Streamlit script cannot set an HttpOnly cookie, so after a correct password the script (score.web.signin) sends
the browser to `/auth/local/session?token=...&next=/page`: the one-time token (score.sessions) is exchanged once
for the session cookie and a device cookie, and the browser goes on to the page it came from.
`/auth/local/signout` clears the cookie of a session the script has already ended (the device cookie stays: it
only says this browser signed in before).

Both are plain GETs (the browser is sent there by the script), so another site could send a visitor there too:
a link or a form on another site navigates the top-level window, and a SameSite=Lax cookie goes with it. So
neither route acts on a request the browser marks as coming from another site (`Sec-Fetch-Site`, sent by every
current browser), and sign-out itself happens in the script, over the app's own websocket (the button): the route
only clears a cookie whose session is already ended in the store, never a live one. A forged link therefore
neither signs a visitor out nor signs them in as someone else (login CSRF).
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from score import auth, filters, sessions, settings
from score.serve import frame_headers
from score.web import media_guard

SIGN_IN_PATH = "/auth/local/session"
SIGN_OUT_PATH = "/auth/local/signout"
_PAGE = re.compile(r"/[a-z0-9_-]{0,64}")  # whole string (fullmatch): `$` would let a trailing line break through
# A link's query whole: every value its list filters may hold (score.filters reads MAX_VALUES a key), and as many
# again for the rest (years, a page's own parameter, the language). Cut at 40 pairs or 4000 characters, a link with
# more lost its last values at sign-in, the language first (it comes last). The page checks each value as it
# checks any link's; these bounds only keep this route's parsing cheap.
MAX_QUERY_PAIRS = (len(filters.LIST_FIELDS) + 1) * filters.MAX_VALUES
MAX_QUERY_CHARS = 64 * 1024


def enabled() -> bool:
    """Whether this process serves the cookie routes (not under AppTest, nor `streamlit run app.py`)."""
    return settings.get().session_cookies  # webapp.py turns it on


def safe_next(path: object, query: object = None) -> str:
    """A page of this app to go on to: a plain local path (never another site) and the page's filters (a query
    string, parsed and encoded again, so nothing but name=value pairs passes)."""
    page = path if isinstance(path, str) and _PAGE.fullmatch(path) else "/"
    pairs = parse_qsl(query)[:MAX_QUERY_PAIRS] if isinstance(query, str) and len(query) <= MAX_QUERY_CHARS else []
    return page + (f"?{urlencode(pairs)}" if pairs else "")


def cross_site(request: Request) -> bool:
    """Whether the browser says this request was started by another site (a link, a form, a redirect from it).
    `none` (typed, a bookmark) and `same-origin` (this app's own redirect) pass; a browser too old to send the
    header passes too (the session checks still hold)."""
    return request.headers.get("sec-fetch-site", "same-origin").lower() not in ("same-origin", "none")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


async def start_session(request: Request) -> RedirectResponse:
    params = request.query_params
    target = safe_next(params.get("next"), params.get("query"))
    forged = cross_site(request)
    exchanged = None if forged else await run_in_threadpool(sessions.exchange, params.get("token"))
    response = RedirectResponse(target, status_code=303)
    if exchanged is not None:
        cookie, user = exchanged
        secure = _secure(request)
        response.set_cookie(
            sessions.COOKIE,
            cookie,
            max_age=int(auth.absolute_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=secure,
        )
        response.set_cookie(
            sessions.DEVICE_COOKIE,
            await run_in_threadpool(sessions.device_cookie, user),
            max_age=sessions.DEVICE_DAYS * 86400,
            path="/",
            httponly=True,
            samesite="lax",
            secure=secure,
        )
    response.headers["Cache-Control"] = "no-store"
    return response


async def end_session(request: Request) -> RedirectResponse:
    params = request.query_params
    response = RedirectResponse(safe_next(params.get("next"), params.get("query")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    if cross_site(request):
        return response
    cookie = request.cookies.get(sessions.COOKIE)
    sid = sessions.session_id(cookie, auth.absolute_seconds())
    stored = await run_in_threadpool(sessions.lookup, sid) if sid else None
    if cookie is not None and (stored is None or stored.ended):  # a live session's cookie stays
        response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


ROUTES = [Route(SIGN_IN_PATH, start_session, methods=["GET"]), Route(SIGN_OUT_PATH, end_session, methods=["GET"])]


# Streamlit answers anyone at /_stcore/metrics: its cached functions' names, how often each ran, how much each holds
# (an enterprise table cached for signed-in staff shows there) and how many sessions are open. Nobody here reads
# them, and a visitor must learn nothing of other sessions: closed in every process (nginx passes paths through).
CLOSED_PATHS = ("/_stcore/metrics",)
# Streamlit's own single sign-on sign-out is a plain GET that clears the identity cookie, with no check of where the
# request came from: a link or an image on any site signed a visitor out. st.logout() sends the browser there from
# this app's page (same-origin); a request another site started goes to the app's first page, signed in still.
OIDC_SIGN_OUT = "/auth/logout"
# Streamlit keeps every file PUT here in memory until the session ends, for any open session, with or without a
# file uploader on its page: a public visitor's script put 400 MB into the server in ten requests. Only a session
# whose page drew the upload page's uploader (signed-in staff who may upload) may send files.
# And those kept every file they sent, 50 MB each, as many as they sent: one account's script filled the server's
# memory. What one sign-in's sessions hold together, files still arriving included, is bounded: UPLOAD_FILES_HELD
# files and UPLOAD_SIZES_HELD times the largest file (an upload is four CSV files or one workbook, and one being
# replaced); beyond, 413. "Clear all files" lets the session's earlier files go (`drop_uploads`).
_UPLOAD = re.compile(r"/_stcore/upload_file/([^/]+)/[^/]+")
UPLOAD_FILES_HELD = 12
UPLOAD_SIZES_HELD = 5
_uploaders: dict[str, str] = {}  # Streamlit session -> the sign-in whose page drew the uploader
_arriving: dict[str, list[int]] = {}  # sign-in -> the sizes of its files being received now
_uploaders_lock = threading.Lock()


def _running_session() -> str | None:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    context = get_script_run_ctx()
    return context.session_id if context is not None else None


def allow_uploads(user: str) -> None:
    """Let the running script's Streamlit session send files for `user` (the upload page calls it as it draws its
    uploader); sessions that have ended are forgotten on the way."""
    from streamlit import runtime

    session_id = _running_session()
    if session_id is None:
        return
    active = runtime.get_instance().is_active_session if runtime.exists() else lambda _: True
    with _uploaders_lock:
        for ended in [sid for sid in _uploaders if not active(sid)]:
            del _uploaders[ended]
        _uploaders[session_id] = user


def forbid_uploads() -> None:
    """The running script's session may send no more files (its viewer signed out or was signed out)."""
    with _uploaders_lock:
        _uploaders.pop(_running_session() or "", None)


def drop_uploads() -> None:
    """Let go of every file the running script's session sent ("Clear all files": its uploader starts again)."""
    from streamlit import runtime

    session_id = _running_session()
    if session_id is not None and runtime.exists():
        runtime.get_instance().uploaded_file_mgr.remove_session_files(session_id)


def may_upload(session_id: str) -> bool:
    with _uploaders_lock:
        return session_id in _uploaders


def _held(sessions_of_user: list[str]) -> tuple[int, int]:
    """(files, bytes) Streamlit holds for these sessions."""
    from streamlit import runtime

    if not runtime.exists():
        return 0, 0
    storage = getattr(runtime.get_instance().uploaded_file_mgr, "file_storage", {})
    files = [file for sid in sessions_of_user for file in list(storage.get(sid, {}).values())]
    return len(files), sum(len(file.data) for file in files)


def _upload_refusal(session_id: str, size: int) -> int:
    """0 when this session may send a file of `size` bytes now (then counted as arriving until `_arrived`), else
    the status that refuses it: 403 (no uploader drawn for it), 413 (its sign-in holds too much already)."""
    largest = int(settings.get().max_upload_mb * 1024 * 1024)
    with _uploaders_lock:
        user = _uploaders.get(session_id)
        if user is None:
            return 403
        files, held = _held([sid for sid, owner in _uploaders.items() if owner == user])
        arriving = _arriving.setdefault(user, [])
        if files + len(arriving) >= UPLOAD_FILES_HELD or held + sum(arriving) + size > UPLOAD_SIZES_HELD * largest:
            return 413
        arriving.append(size)
    return 0


def _arrived(session_id: str, size: int) -> None:
    with _uploaders_lock:
        user = _uploaders.get(session_id)
        arriving = _arriving.get(user or "", [])
        if size in arriving:
            arriving.remove(size)


def _declared_size(scope: Scope) -> int:
    """The size a file sent says it has (Content-Length), or the largest a file may have when it says none."""
    largest = int(settings.get().max_upload_mb * 1024 * 1024)
    declared = Request(scope).headers.get("content-length", "")
    return min(int(declared), largest) if declared.isdigit() else largest


# Streamlit acts on every message a browser sends over its websocket, whatever the page shows: `clear_cache` empties
# st.cache_data and st.cache_resource for every session of the process (the menu item is hidden in viewer mode, the
# message is not refused), and a public visitor's script sent it in a loop (training page: 0.87 -> ~1.25 s of the
# server's CPU a visit). Only what a page of this app sends passes: a run, stop, heartbeat, the upload's file
# addresses, and the operations deferred downloads and tables use; the rest (clear_cache, set_run_on_save,
# load_git_info, the skills installer's) is dropped before Streamlit reads it.
STREAM_PATH = "/_stcore/stream"
PAGE_MESSAGES = frozenset({"rerun_script", "stop_script", "app_heartbeat", "file_urls_request"})
PAGE_OPERATIONS = frozenset({"deferred_file", "dataframe_chunk"})  # backend_operation_request's payloads


def page_message(data: bytes) -> bool:
    """Whether a browser's websocket message is one this app's pages send (an unreadable one goes on to Streamlit,
    which closes the connection)."""
    from google.protobuf.message import DecodeError
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    try:
        message.ParseFromString(data)
    except DecodeError:
        return True
    kind = message.WhichOneof("type")
    if kind == "backend_operation_request":
        return message.backend_operation_request.WhichOneof("payload") in PAGE_OPERATIONS
    return kind in PAGE_MESSAGES


def _page_messages_only(receive: Receive) -> Receive:
    async def received() -> Message:
        while True:
            message = await receive()
            data = message.get("bytes") if message["type"] == "websocket.receive" else None
            if data is None or page_message(data):
                return message

    return received


_MEDIA = re.compile(r"/media/([^/]+)")


def _media_withheld(scope: Scope, path: str) -> bool:
    """Whether a download at /media/<file> was made for a sign-in this request lacks (score.web.media_guard)."""
    from streamlit import runtime

    found = _MEDIA.search(path)
    if found is None or scope.get("method") not in ("GET", "HEAD") or not runtime.exists():
        return False
    manager = runtime.get_instance().media_file_mgr
    stored = manager.read_file(found.group(1)) if manager.can_read_files else None
    if stored is None:
        return False  # Streamlit answers 404 itself
    return not media_guard.allowed(stored.content, Request(scope).cookies)


def _with_frame_headers(send: Send, path: str) -> Send:
    """`send` adding the framing headers (serve.frame_headers) to the answer's start: `make run` has no nginx."""
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in frame_headers(path)]
    names = {name for name, _value in headers}

    async def framed(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [(name, value) for name, value in message.get("headers", []) if name.lower() not in names]
            message = {**message, "headers": [*kept, *headers]}
        await send(message)

    return framed


class ClosedPaths:
    """Answers 404 at CLOSED_PATHS (under any `server.baseUrlPath`, with or without a trailing or doubled slash)
    and to a download made for another sign-in (`_media_withheld`), sends a sign-out another site started
    (`OIDC_SIGN_OUT`) to the first page, answers 403 to a file sent by a session that has no uploader
    (`allow_uploads`), and drops a websocket message no page of this app sends (`page_message`), before Streamlit
    sees the request; every answer carries the framing headers (`serve.frame_headers`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = re.sub("/+", "/", str(scope.get("path", ""))).rstrip("/")
        if scope["type"] == "http":
            send = _with_frame_headers(send, str(scope.get("path", "")))
        if scope["type"] == "http" and (path.endswith(CLOSED_PATHS) or _media_withheld(scope, path)):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        if scope["type"] == "http" and path.endswith(OIDC_SIGN_OUT) and cross_site(Request(scope)):
            first_page = path.removesuffix(OIDC_SIGN_OUT) + "/"
            await RedirectResponse(first_page, status_code=303, headers={"Cache-Control": "no-store"})(
                scope, receive, send
            )
            return
        if scope["type"] == "websocket" and path.endswith(STREAM_PATH):
            receive = _page_messages_only(receive)
        upload = _UPLOAD.search(path)
        if scope["type"] == "http" and scope.get("method") == "PUT" and upload:
            session_id, size = upload.group(1), _declared_size(scope)
            refusal = _upload_refusal(session_id, size)
            if refusal:
                text = "Forbidden" if refusal == 403 else "Too many files held: clear some and try again"
                await PlainTextResponse(text, status_code=refusal)(scope, receive, send)
                return
            try:
                await self.app(scope, receive, send)
            finally:
                _arrived(session_id, size)
            return
        await self.app(scope, receive, send)


MIDDLEWARE = [Middleware(ClosedPaths)]
