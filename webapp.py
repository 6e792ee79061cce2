"""The web server: `streamlit run webapp.py` serves app.py (the dashboard) plus the two small routes that set and
clear the local sign-in cookie (score/web/session_routes.py), so a signed-in session survives reloads, new tabs and
bookmarks, and closes Streamlit's public metrics (session_routes.MIDDLEWARE); every page's shell is served in the
reader's language (first_paint.TranslatedShell). `make run`, `make serve` and the
browser tests start this file; app.py alone still runs (AppTest, or `streamlit run app.py`), with sign-in kept only
for the browser session."""

import streamlit as st
from starlette.middleware import Middleware

from score import settings
from score.web import first_paint, session_routes

settings.update(session_cookies=True)  # tells score.web.signin (same process) that the routes exist
app = st.App(
    "app.py",
    routes=session_routes.ROUTES,
    middleware=[*session_routes.MIDDLEWARE, Middleware(first_paint.TranslatedShell)],
)
