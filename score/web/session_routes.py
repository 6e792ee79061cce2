"""The two HTTP routes behind local sign-in cookies (webapp.py mounts them with `st.App`).

A Streamlit script cannot set an HttpOnly cookie, so after a correct password the script (score.web.signin) sends
the browser to `/auth/local/session?token=...&next=/page`: the one-time token (score.sessions) is exchanged once
for the session cookie and a device cookie, and the browser goes on to the page it came from.
`/auth/local/signout` ends the session in the store and clears its cookie (the device cookie stays: it only
says this browser signed in before).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from score import auth, sessions, settings

SIGN_IN_PATH = "/auth/local/session"
SIGN_OUT_PATH = "/auth/local/signout"
_PAGE = re.compile(r"^/[a-z0-9_-]{0,64}$")


def enabled() -> bool:
    """Whether this process serves the cookie routes (not under AppTest, nor `streamlit run app.py`)."""
    return settings.get().session_cookies  # webapp.py turns it on


def safe_next(path: object, query: object = None) -> str:
    """A page of this app to go on to: a plain local path (never another site) and the page's filters (a query
    string, parsed and encoded again, so nothing but name=value pairs passes)."""
    page = path if isinstance(path, str) and _PAGE.match(path) else "/"
    pairs = parse_qsl(query)[:40] if isinstance(query, str) and len(query) <= 4000 else []
    return page + (f"?{urlencode(pairs)}" if pairs else "")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


async def start_session(request: Request) -> RedirectResponse:
    params = request.query_params
    target = safe_next(params.get("next"), params.get("query"))
    exchanged = await run_in_threadpool(sessions.exchange, params.get("token"))
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
    sid = sessions.session_id(request.cookies.get(sessions.COOKIE), auth.absolute_seconds())
    if sid:
        await run_in_threadpool(sessions.end, sid)
    params = request.query_params
    response = RedirectResponse(safe_next(params.get("next"), params.get("query")), status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


ROUTES = [Route(SIGN_IN_PATH, start_session, methods=["GET"]), Route(SIGN_OUT_PATH, end_session, methods=["GET"])]
