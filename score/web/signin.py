"""Sign-in in the sidebar (Streamlit glue for score.auth).

`sidebar_sign_in()` runs on every rerun, before any page, and leaves the viewer's `Scope` in
`st.session_state[ui.SCOPE_KEY]`:
- nobody signed in: the public view;
- signed in: the scope derived again, on this rerun, from the users file (a removed user is signed out,
  changed countries apply at once); an expired session falls back to the public view with a notice.

With an `[auth]` section in `.streamlit/secrets.toml` sign-in is Streamlit's OIDC (`st.login`); the
identity's e-mail is looked up in the users file (an entry with `"sso": true`, added with
`python -m score users add someone@ilo.org --sso --role country --countries COL`). Otherwise a local
user name + password form checks the users file (argon2 hashes), with failed attempts throttled (score.auth).

A local sign-in survives reloads, new tabs and bookmarks: served through webapp.py, the script hands the
browser a one-time token after a correct password and `hand_off` (app.py, once the page is known) sends it to
score.web.session_routes, which sets the HttpOnly session cookie and comes back to the same page; every new
browser session then resumes from the cookie (`_checked_session`). Sign-out ends the session in the store
(score.sessions) and clears the cookie the same way. A deep link to a page that needs sign-in opens a sign-in
prompt at that address (`placeholder_pages`) instead of Streamlit's "Page not found".

A Scope that server code put into session state without a session (AppTest) is kept as it is: session
state can only be written by the app's own code and its widgets, and no widget uses that key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitAuthError

from score import audit, auth, disclosure, drafts, sessions, throttling
from score.access import Scope
from score.auth import Session
from score.i18n import N_, _
from score.web import browser, session_routes, ui

SESSION_KEY = "score_session"
_NOTICE_KEY = "score_signin_notice"  # the last attempt's refusal (and which form): shown, box kept open
HANDOFF_KEY = "score_signin_handoff"  # a sign-in's one-time token, for `hand_off`
SIGNOUT_KEY = "score_signin_signout"  # a sign-out to finish in the browser (clear the cookie)
SIDEBAR_FORM = "score_signin"  # widget keys score_signin_user, score_signin_password
# The sidebar's sign-in box: open or folded, kept in session state; its form is drawn only while it is open.
SIDEBAR_BOX = "score_signin_box"
PAGE_FORM = "score_signin_page"  # the prompt on a page that needs sign-in
# Pages that need sign-in, by URL path (views/upload.py, views/data_quality.py, views/review.py, views/audit.py).
RESTRICTED_PAGES = {
    "upload": N_("Upload"),
    "data_quality": N_("Data quality"),
    "review": N_("Review"),
    "audit": N_("Audit log"),
}
ROLE_LABELS = {"hq": N_("HQ"), "country": N_("country"), "public": N_("public"), "none": N_("no access")}


def sidebar_sign_in() -> None:
    """Draw the sign-in/out box and set the viewer's scope for this rerun."""
    box = st.sidebar.container()
    if _oidc_settings() is not None:
        _oidc(box)
    else:
        _local(box)


# ---------------------------------------------------------------------------------------------- shared


def create_account_command(role: str, countries: Iterable[str] = ()) -> str:
    """The users command that fits the reader: HQ accounts for HQ, their own countries for country staff."""
    if role == "hq":
        return "python -m score users add NAME --role hq"
    return f"python -m score users add NAME --role country --countries {','.join(sorted(countries)) or 'COL'}"


def demo_accounts_explanation(role: str, countries: Iterable[str] = ()) -> str:
    """Why demo accounts stop with real data, and how to get real accounts (sidebar, sign-in, upload page)."""
    return _(
        "Demo accounts have published passwords, so they work only while every country holds demo data: "
        "once real data is published for any country, they stop for everyone. To keep working, ask the "
        "administrator for real accounts ({command}).",
        command=create_account_command(role, countries),
    )


def _ended_demo_account(username: object) -> tuple[str, str, tuple[str, ...]] | None:
    """(name, role, countries) of a demo account (README "Demo users": public names) that stopped because real
    data is published; None otherwise."""
    name = auth.normalise_username(username)
    demo = {user: (role, tuple(countries)) for user, role, countries, _password in auth.DEMO_USERS}
    if name not in demo or auth.demo_accounts_allowed():
        return None
    if not any(info.demo and info.username == name for info in auth.list_users()):
        return None
    return name, *demo[name]


def _set(session: Session | None) -> None:
    if session is None:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[ui.SCOPE_KEY] = Scope.public()
        session_routes.forbid_uploads()  # a page it drew before may have let this browser session send files
    else:
        st.session_state[SESSION_KEY] = session
        st.session_state[ui.SCOPE_KEY] = session.scope


def _checked_session(box: DeltaGenerator, cookies: bool = True) -> Session | None:
    """The current session re-checked (expiry, store, users file), or None with the public view in place.

    A browser session without one resumes from the session cookie (a reload, a new tab, a bookmark)."""
    session = st.session_state.get(SESSION_KEY)
    if session is None and cookies:
        session, reason = auth.resume(browser.cookie(sessions.COOKIE))
        if session is not None:
            _set(session)
            return session
        if reason != "none":
            _ended_notice(box, reason, None)
        st.session_state.setdefault(ui.SCOPE_KEY, Scope.public())
        return None
    if session is None:
        st.session_state.setdefault(ui.SCOPE_KEY, Scope.public())
        return None
    refreshed, reason = auth.refresh(session)
    if refreshed is None:
        _ended_notice(box, reason, session)
        drafts.discard(drafts.owner(session))  # its checked upload goes with the sign-in
        _set(None)
        return None
    _set(refreshed)
    return refreshed


def _ended_notice(box: DeltaGenerator, reason: str, session: object) -> None:
    """Say why the session ended (and log it)."""
    user = session.user if isinstance(session, Session) else None
    demo = _ended_demo_account(user)
    if reason == "expired":
        audit.record("session_expired", user, method=getattr(session, "method", None))
        box.warning(_("Your session has expired. You now see the public view; sign in again for more."))
    elif reason == "ended":
        box.info(_("You signed out (perhaps in another tab). You now see the public view."))
    elif demo is not None:
        audit.record("sign_out", user, reason="demo accounts ended: real data published")
        box.info(
            _("Real data is published now, so your demo account has ended.")
            + " "
            + demo_accounts_explanation(demo[1], demo[2])
        )
    else:
        audit.record("sign_out", user, reason="account removed or changed")
        box.warning(_("Your account is no longer active here. You now see the public view."))


def _signed_in_caption(box: DeltaGenerator, session: Session) -> None:
    scope = session.scope
    role = _(ROLE_LABELS.get(scope.role, scope.role))
    box.caption(_("Signed in as {user} ({role})", user=session.user, role=role))
    if scope.role == "country":
        names = ui.reference_labels("country")
        countries = ", ".join(sorted(names.get(code, code) for code in scope.detail_countries))
        box.caption(_("Enterprise detail for: {countries}", countries=countries))
    if scope.role == "none":
        box.warning(_("Your account has no data access configured. Please contact the SCORE team in Geneva."))


def _attempt_id(username: object) -> str | None:
    """Correlates failed attempts on an unknown name without a reversible trace of what was typed (it may be a
    password): a keyed HMAC with the installation's secret (score.disclosure), which never leaves the data
    directory, so the log alone allows no offline guessing. None when there is no secret yet."""
    text = username if isinstance(username, str) else ""
    try:
        secret = disclosure.load_secret()
    except (OSError, ValueError):
        return None
    return disclosure.keyed_digest(secret, "sign-in attempt\0" + text.strip().casefold()).hex()[:16]


# ---------------------------------------------------------------------------------------------- local


def _local(box: DeltaGenerator) -> None:
    session = _checked_session(box)
    if session is not None:
        _signed_in_caption(box, session)
        box.button(_("Sign out"), key="score_sign_out", on_click=_sign_out)
        return
    # A refusal is written above the box (in view even at 720 px) and keeps the box open for the next try (_submit).
    notice = box.container()
    # The form only while the box is open: a text box is code the browser fetches before it can draw a widget, and
    # on a public visitor's first view those files were in the way of the first chart's (BENCHMARKS.md, "Where the
    # first chart waits"). Opening the box reruns the page, then draws the form.
    signin_box = box.expander(_("Sign in"), icon=":material/key:", key=SIDEBAR_BOX, on_change="rerun")
    if signin_box.open:
        with signin_box:
            _form(SIDEBAR_FORM)
            st.caption(_("Without signing in you see the public view: aggregates only, small numbers hidden."))
    _show_notice(notice, SIDEBAR_FORM)


def _form(prefix: str) -> None:
    """User name and password; checked in the submit callback, so a refusal keeps the name and clears only the
    password."""
    # On a page the form is as narrow as in the sidebar (a full-width password box reads oddly at 1920 px).
    with st.form(prefix.replace("signin", "sign_in"), border=False, width="stretch" if prefix == SIDEBAR_FORM else 420):
        st.text_input(_("User name"), key=f"{prefix}_user", max_chars=254, autocomplete="username")
        st.text_input(
            _("Password"),
            type="password",
            key=f"{prefix}_password",
            max_chars=auth.MAX_PASSWORD,
            autocomplete="current-password",
        )
        st.form_submit_button(_("Sign in"), on_click=_submit, args=(prefix,))


def _submit(prefix: str) -> None:
    username = st.session_state.get(f"{prefix}_user", "")
    password = st.session_state.get(f"{prefix}_password", "")
    st.session_state[f"{prefix}_password"] = ""  # never kept in the box after a try
    refusal = _sign_in(username, password)
    if refusal is None:
        st.session_state.pop(_NOTICE_KEY, None)
    else:
        st.session_state[_NOTICE_KEY] = (prefix, *refusal)
        if prefix == SIDEBAR_FORM:
            st.session_state[SIDEBAR_BOX] = True  # open for the next try


def _show_notice(container: DeltaGenerator, prefix: str) -> None:
    """The last refusal, in the reader's language (written here: the callback runs before the language is set)."""
    notice = st.session_state.get(_NOTICE_KEY)
    if not notice or notice[0] != prefix:
        return
    kind = notice[1]
    if kind == "throttled":
        container.error(_("Too many failed attempts. Try again in {seconds} seconds.", seconds=notice[2]))
    elif kind == "demo ended":
        container.error(
            _("This demo account has ended: real data is published now.")
            + " "
            + demo_accounts_explanation(notice[2], notice[3])
        )
    else:
        container.error(_("User name or password not recognised."))


def _sign_in(username: str, password: str) -> tuple | None:
    """Check the password and sign in; None when signed in, else why not (for `_show_notice`)."""
    client = browser.client()
    result = auth.sign_in(username, password, client)
    if result.retry_after > 0:
        left_out = throttling.throttle.throttled_to_log(client)
        if left_out is not None:
            detail = {"left_out": left_out} if left_out else {}
            audit.record("sign_in_failed", result.username, reason="throttled", attempt=_attempt_id(username), **detail)
        return ("throttled", int(result.retry_after) + 1)
    if result.scope is None:
        demo = _ended_demo_account(username)
        if demo is not None:  # a demo name is public: logged in clear, with the reason
            audit.record("sign_in_failed", demo[0], reason="demo account ended")
            return ("demo ended", demo[1], demo[2])
        # Only a known user name is written in clear: an unknown one may be a password typed in the wrong box.
        audit.record("sign_in_failed", result.username, reason="bad credentials", attempt=_attempt_id(username))
        return ("bad credentials",)
    session, handoff = auth.start_session(result.username or "", result.scope)
    audit.record("sign_in", session.user, method="password", role=session.scope.role)
    _set(session)
    st.session_state[HANDOFF_KEY] = handoff
    return None


def _sign_out() -> None:
    session = st.session_state.get(SESSION_KEY)
    audit.record("sign_out", getattr(session, "user", None), method="password")
    auth.end_session(session)
    drafts.discard(drafts.owner(session))  # a checked upload is kept for a sign-in, not after it
    _set(None)
    st.session_state[SIGNOUT_KEY] = True


def hand_off(page: str | None) -> None:
    """After a sign-in or sign-out in this run (app.py, once the page is known): send the browser to the cookie
    route, which sets or clears the session cookie and comes back to this page with its filters."""
    token = st.session_state.get(HANDOFF_KEY)
    signed_out = st.session_state.get(SIGNOUT_KEY, False)
    if not session_routes.enabled() or not (token or signed_out):
        st.session_state.pop(HANDOFF_KEY, None)
        st.session_state.pop(SIGNOUT_KEY, None)
        return  # AppTest, or `streamlit run app.py`: the sign-in lasts for this browser session only
    pairs = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
    params = {"next": f"/{page or ''}", "query": urlencode(pairs)}
    if token:
        url = f"{session_routes.SIGN_IN_PATH}?{urlencode({**params, 'token': token})}"
    else:
        url = f"{session_routes.SIGN_OUT_PATH}?{urlencode(params)}"
    # Sending the redirect is where Streamlit stops this run when a click came in meanwhile (a reader who opens a
    # page as the sign-in run ends): the token stays until it is sent, so that next run hands off instead, from
    # the page the click opened. Taken before, it was lost there, and the cookie never set.
    _redirect(url)
    st.session_state.pop(HANDOFF_KEY, None)
    st.session_state.pop(SIGNOUT_KEY, None)
    st.stop()


def _redirect(url: str) -> None:
    """Send the browser to a URL of this server (Streamlit's own message for st.login's redirect)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    context = get_script_run_ctx()
    if context is not None:
        message = ForwardMsg()
        message.auth_redirect.url = url
        context.enqueue(message)


def placeholder_pages(offered: Iterable[st.Page]) -> list[st.Page]:
    """Hidden pages at the addresses of the pages this viewer cannot open: a deep link (`/upload` from a
    bookmark) asks for sign-in in the reader's language, and lands on the page after it, instead of Streamlit's
    English "Page not found" and the overview."""
    taken = {page.url_path for page in offered}
    return [
        st.Page(_prompt(title), title=_(title), url_path=path, visibility="hidden")
        for path, title in RESTRICTED_PAGES.items()
        if path not in taken
    ]


def _prompt(title: str) -> Callable[[], None]:
    def needs_sign_in() -> None:
        st.title(_(title))
        if ui.current_scope().user:
            st.warning(_("Your account cannot open this page. You can see it with an account that has access."))
            return
        st.info(_("Sign in to open this page."), icon=":material/key:")
        notice = st.container()
        _form(PAGE_FORM)
        _show_notice(notice, PAGE_FORM)

    return needs_sign_in


# ---------------------------------------------------------------------------------------------- OIDC


def _oidc_settings() -> Mapping | None:
    """The `[auth]` section of secrets.toml, or None when OIDC is not configured."""
    if not st.secrets.load_if_toml_exists():
        return None
    section = st.secrets.get("auth")
    return section if isinstance(section, Mapping) and section else None


def _login_provider() -> str | None:
    """`st.login()` for a single provider in [auth]; the first `[auth.<name>]` otherwise."""
    settings = _oidc_settings() or {}
    if "client_id" in settings:
        return None
    return next((name for name, value in settings.items() if isinstance(value, Mapping)), None)


def _login_button(box: DeltaGenerator, label: str) -> None:
    if box.button(label, key="score_sso_login", icon=":material/key:"):
        try:
            st.login(_login_provider())
        except StreamlitAuthError:  # e.g. Authlib missing (pip install "streamlit[auth]") or [auth] incomplete
            box.error(_("Single sign-on is not set up correctly on this server. Please tell the SCORE team."))


def _oidc(box: DeltaGenerator) -> None:
    claims = st.user.to_dict() if st.user.get("is_logged_in") else {}
    if not claims:
        _checked_session(box, cookies=False)  # nobody signed in: public (or a test's preset scope)
        _login_button(box, _("Sign in"))
        return
    email = auth.normalise_username(claims.get("email"))
    issued = claims.get("iat")
    issued_at = float(issued) if isinstance(issued, int | float) and issued > 0 else None
    key = auth.TokenActivity.key(claims.get("iss"), claims.get("sub"), issued, email)
    session = st.session_state.get(SESSION_KEY)
    if not isinstance(session, Session) or session.user != email or session.method != "sso":
        session = None
    if email is None or claims.get("email_verified") is False:
        _set(None)
        box.warning(_("Your identity provider did not give a verified e-mail address: public view only."))
    elif not auth.token_activity.check(key, issued_at):
        if session is not None:
            audit.record("session_expired", email, method="sso")
        _set(None)
        box.warning(_("Your session has expired. You now see the public view; sign in again for more."))
        _login_button(box, _("Sign in again"))
    elif session is None:
        found = auth.lookup(email)
        if found is None or found[1].get("sso") is not True:
            _set(None)
            box.info(_("Signed in as {user}, who has no dashboard role: public view.", user=email))
        else:
            session = Session.start(found[0], auth.scope_for(*found), method="sso", issued_at=issued_at)
            audit.record("sign_in", session.user, method="sso", role=session.scope.role, at_idp=_when(issued_at))
            _set(session)
    session = _checked_session(box, cookies=False) if st.session_state.get(SESSION_KEY) is not None else None
    if session is not None:
        _signed_in_caption(box, session)
    elif email is not None:
        st.session_state[ui.SCOPE_KEY] = Scope.public()
    if box.button(_("Sign out"), key="score_sign_out"):
        audit.record("sign_out", email, method="sso")
        drafts.discard(drafts.owner(st.session_state.get(SESSION_KEY)))
        auth.token_activity.expire(key)
        _set(None)
        st.logout()


def _when(epoch: float | None) -> str | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")
