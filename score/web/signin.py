"""Sign-in in the sidebar (Streamlit glue for score.auth).

`sidebar_sign_in()` runs on every rerun, before any page, and leaves the viewer's `Scope` in
`st.session_state[ui.SCOPE_KEY]`:
- nobody signed in: the public view;
- signed in: the scope derived again, on this rerun, from the users file (a removed user is signed out,
  changed countries apply at once); an expired session falls back to the public view with a notice.

With an `[auth]` section in `.streamlit/secrets.toml` sign-in is Streamlit's OIDC (`st.login`); the
identity's e-mail is looked up in the users file (an entry with `"sso": true`, added with
`python -m score users add someone@ilo.org --sso --role country --countries COL`). Otherwise a local
user name + password form checks the users file (argon2 hashes), with failed attempts throttled.

A Scope that server code put into session state without a session (AppTest) is kept as it is: session
state can only be written by the app's own code and its widgets, and no widget uses that key.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitAuthError

from score import audit, auth, disclosure
from score.access import Scope
from score.auth import Session
from score.i18n import N_, _
from score.web import ui

SESSION_KEY = "score_session"
_FAILED_KEY = "score_signin_failed"  # the last attempt failed: keep the box open
CLIENT_KEY = "score_client_id"  # a random id per browser session, for throttling failed sign-ins
ROLE_LABELS = {"hq": N_("HQ"), "country": N_("country"), "public": N_("public"), "none": N_("no access")}


def sidebar_sign_in() -> None:
    """Draw the sign-in/out box and set the viewer's scope for this rerun."""
    st.session_state.setdefault(CLIENT_KEY, secrets.token_urlsafe(16))
    box = st.sidebar.container()
    if _oidc_settings() is not None:
        _oidc(box)
    else:
        _local(box)


# ---------------------------------------------------------------------------------------------- shared

CREATE_ACCOUNTS = "python -m score users add NAME --role country --countries COL"


def demo_accounts_explanation() -> str:
    """Why demo accounts stop with real data, and how to get real accounts (sidebar, sign-in, upload page)."""
    return _(
        "Demo accounts have published passwords, so they work only while every country holds demo data: "
        "once real data is published for any country, they stop for everyone. To keep working, ask the "
        "administrator for real accounts ({command}).",
        command=CREATE_ACCOUNTS,
    )


def _ended_demo_account(username: object) -> bool:
    """A demo account (README "Demo users": public names) that stopped because real data is published."""
    name = auth.normalise_username(username)
    demo_names = {user for user, *_rest in auth.DEMO_USERS}
    if name not in demo_names or auth.demo_accounts_allowed():
        return False
    return any(info.demo and info.username == name for info in auth.list_users())


def _set(session: Session | None) -> None:
    if session is None:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[ui.SCOPE_KEY] = Scope.public()
    else:
        st.session_state[SESSION_KEY] = session
        st.session_state[ui.SCOPE_KEY] = session.scope


def _checked_session(box: DeltaGenerator) -> Session | None:
    """The current session re-checked (expiry, users file), or None with the public view in place."""
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        st.session_state.setdefault(ui.SCOPE_KEY, Scope.public())
        return None
    refreshed, reason = auth.refresh(session)
    if refreshed is None:
        user = session.user if isinstance(session, Session) else None
        if reason == "expired":
            audit.record("session_expired", user, method=getattr(session, "method", None))
            box.warning(_("Your session has expired. You now see the public view; sign in again for more."))
        elif _ended_demo_account(user):
            audit.record("sign_out", user, reason="demo accounts ended: real data published")
            box.info(
                _("Real data is published now, so your demo account has ended.") + " " + demo_accounts_explanation()
            )
        else:
            audit.record("sign_out", user, reason="account removed or changed")
            box.warning(_("Your account is no longer active here. You now see the public view."))
        _set(None)
        return None
    _set(refreshed)
    return refreshed


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


def _client_ip() -> str | None:
    """The browser's address as Streamlit sees it, for the throttle; None when unknown or a local proxy's."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return None
    if not isinstance(address, str) or address in ("", "127.0.0.1", "::1", "localhost"):
        return None
    return address


# ---------------------------------------------------------------------------------------------- local


def _local(box: DeltaGenerator) -> None:
    session = _checked_session(box)
    if session is not None:
        _signed_in_caption(box, session)
        if box.button(_("Sign out"), key="score_sign_out"):
            audit.record("sign_out", session.user, method="password")
            _set(None)
            st.rerun()
        return
    # A refusal is written above the box (in view even at 720 px) and keeps the box open for the next try.
    notice = box.container()
    failed = bool(st.session_state.get(_FAILED_KEY))
    with box.expander(_("Sign in"), icon=":material/key:", expanded=failed):
        with st.form("score_sign_in", clear_on_submit=True, border=False):
            username = st.text_input(_("User name"), key="score_signin_user", max_chars=254, autocomplete="username")
            password = st.text_input(
                _("Password"),
                type="password",
                key="score_signin_password",
                max_chars=auth.MAX_PASSWORD,
                autocomplete="current-password",
            )
            submitted = st.form_submit_button(_("Sign in"))
        st.caption(_("Without signing in you see the public view: aggregates only, small numbers hidden."))
    if submitted:
        with notice:
            st.session_state[_FAILED_KEY] = not _sign_in(username, password)


def _sign_in(username: str, password: str) -> bool:
    """Sign in and rerun on success; False (with the reason on screen) otherwise."""
    result = auth.sign_in(username, password, session_id=st.session_state[CLIENT_KEY], ip=_client_ip())
    if result.retry_after > 0:
        audit.record("sign_in_failed", result.username, reason="throttled", attempt=_attempt_id(username))
        st.error(_("Too many failed attempts. Try again in {seconds} seconds.", seconds=int(result.retry_after) + 1))
        return False
    if result.scope is None:
        # Only a known user name is written in clear: an unknown one may be a password typed in the wrong box.
        audit.record("sign_in_failed", result.username, reason="bad credentials", attempt=_attempt_id(username))
        if _ended_demo_account(username):
            st.error(_("This demo account has ended: real data is published now.") + " " + demo_accounts_explanation())
        else:
            st.error(_("User name or password not recognised."))
        return False
    session = Session.start(result.username or "", result.scope)
    audit.record("sign_in", session.user, method="password", role=session.scope.role)
    _set(session)
    st.rerun()
    return True


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
        _checked_session(box)  # nobody signed in: public (or a test's preset scope)
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
    session = _checked_session(box) if st.session_state.get(SESSION_KEY) is not None else None
    if session is not None:
        _signed_in_caption(box, session)
    elif email is not None:
        st.session_state[ui.SCOPE_KEY] = Scope.public()
    if box.button(_("Sign out"), key="score_sign_out"):
        audit.record("sign_out", email, method="sso")
        auth.token_activity.expire(key)
        _set(None)
        st.logout()


def _when(epoch: float | None) -> str | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")
