"""The demo users (`python -m score users demo`), one per role, and signing in as them."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page

from tests.e2e import dashboard as ui
from tests.e2e.app_server import users_command_available


@dataclass(frozen=True)
class User:
    name: str
    password: str
    role: str
    countries: tuple[str, ...] = ()


def _demo(name: str) -> User:
    from score import auth

    for user, role, countries, password in auth.DEMO_USERS:
        if user == name:
            return User(user, password, role, tuple(countries))
    raise LookupError(name)


class _Lazy:
    """Resolved on first use: score.auth may not exist yet in a checkout without sign-in."""

    def __init__(self, name: str) -> None:
        self.name = name

    def get(self) -> User:
        return _demo(self.name)


HQ = _Lazy("geneva")
COLOMBIA = _Lazy("colombia")


def signed_in_as(page: Page, who: _Lazy) -> bool:
    """Sign in on the page; False when this checkout has no sign-in yet."""
    if not users_command_available():
        return False
    user = who.get()
    ui.sign_in(page, user.name, user.password)
    return True
