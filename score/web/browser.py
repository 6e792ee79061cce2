"""The browser a Streamlit session belongs to: the cookies it sent and its address (score.throttling.client_address),
the key of its sign-in attempts, of its budget of costly files and of its memory of public files (media_guard)."""

from __future__ import annotations

import streamlit as st

from score import sessions, settings, throttling


def cookie(name: str) -> str | None:
    """A cookie the browser sent when this session opened (None under AppTest or when absent)."""
    try:
        value = st.context.cookies.get(name)
    except (AttributeError, RuntimeError, KeyError):
        return None
    return value if isinstance(value, str) else None


def client() -> throttling.Client:
    """Where this session's requests come from: the address (the websocket's peer; from X-Forwarded-For only when
    the bundled nginx proves itself) and the device cookie."""
    try:
        sent = st.context.headers
        # Every X-Forwarded-For line joined, as the server reads them (a second line must not hide what it read).
        headers = {str(name).lower(): ", ".join(sent.get_all(name)) for name in sent}
        peer = st.context.ip_address
    except (AttributeError, RuntimeError):
        headers, peer = {}, None
    found = throttling.client_address(headers, peer, settings.get().proxy_secret)
    return throttling.Client(found, cookie(sessions.DEVICE_COOKIE))


def address() -> str:
    """This browser's address as a key: every browser at an unknown address, this machine's included, shares one."""
    return client().ip or throttling.UNKNOWN_ADDRESS
