"""A local sign-in lasts as st.login's does: a signed, expiring, HttpOnly cookie that survives a reload, a new tab
and a bookmark, and stops working at once after sign-out, removal of the user and expiry. A signed-out deep link
to a page that needs sign-in asks for it in the reader's language and lands on that page after it."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer, add_user, score_cli

UPLOAD_HEADING = "Upload country data"
# Where the cookie's checks look: a page with no chart (signed out, its title and the sign-in form), so that each of
# these page loads costs the browser a fraction of the overview's; the sidebar says who is signed in on every page.
LIGHT_PAGE = "/upload"


def session_cookie(context: BrowserContext) -> dict:
    [cookie] = [c for c in context.cookies() if c["name"] == "score_session"]
    return cookie


def with_cookie(open_context: Callable[..., BrowserContext], server: AppServer, cookie: dict) -> Page:
    """A browser that never signed in, given a copy of the cookie (a stolen or kept value)."""
    context = open_context()
    context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": server.url}])
    page = context.new_page()
    ui.goto(page, server.url + LIGHT_PAGE)
    return page


def test_a_signed_in_session_survives_reload_new_tab_and_bookmark_until_sign_out(
    page: Page, context: BrowserContext, app_server: AppServer
) -> None:
    add_user(app_server.data_dir, "e2e-stays", "e2e-stays-password", "country", "COL")
    ui.goto(page, app_server.url + LIGHT_PAGE)
    ui.sign_in(page, "e2e-stays", "e2e-stays-password")
    cookie = session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["expires"] > 0

    page.reload(wait_until="domcontentloaded")
    ui.signed_in(page, "e2e-stays")
    # a new tab opened from a bookmark: signed in, on the bookmarked page
    bookmark = context.new_page()
    bookmark.goto(f"{app_server.url}/upload", wait_until="domcontentloaded")
    expect(bookmark.locator(ui.MAIN).get_by_role("heading", name=UPLOAD_HEADING)).to_be_visible(timeout=ui.TIMEOUT)
    ui.signed_in(bookmark, "e2e-stays")
    assert urlsplit(bookmark.url).path == "/upload"  # (country staff get ?countries=COL added: their own country)

    ui.settle(page)
    # the browser is sent to /auth/local/signout, which clears the cookie and loads the page again: waited for
    ui.reloaded_after(page, page.locator(ui.SIDEBAR).get_by_role("button", name="Sign out").click)
    assert not [c for c in context.cookies() if c["name"] == "score_session"], "sign-out left the cookie"
    ui.signed_out(page)
    # The value kept from before the sign-out is worthless, at once: given back to this browser (as a copy kept
    # elsewhere would be sent), the other tab's reload is signed out.
    context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": app_server.url}])
    bookmark.reload(wait_until="domcontentloaded")
    ui.signed_out(bookmark)


# make test-full: make test has the browser's half of it (a kept cookie is worthless after sign-out, above) and the
# store's (tests/test_auth.py: a session ends with expiry, removal, role or password change; AppTest: an expired or
# removed session falls back to the public view)
@pytest.mark.exhaustive
def test_the_cookie_stops_working_when_the_user_is_removed_or_the_session_expires(
    page: Page, context: BrowserContext, app_server: AppServer, open_context: Callable[..., BrowserContext]
) -> None:
    add_user(app_server.data_dir, "e2e-removed", "e2e-removed-password", "hq")
    ui.goto(page, app_server.url + LIGHT_PAGE)
    ui.sign_in(page, "e2e-removed", "e2e-removed-password")
    removed_cookie = session_cookie(context)
    score_cli(app_server.data_dir, "users", "remove", "e2e-removed")
    page.reload(wait_until="domcontentloaded")
    expect(page.locator(ui.SIDEBAR).get_by_text("no longer active")).to_be_visible(timeout=ui.TIMEOUT)
    ui.signed_out(page)
    ui.signed_out(with_cookie(open_context, app_server, removed_cookie))

    add_user(app_server.data_dir, "e2e-idle", "e2e-idle-password", "hq")
    ui.goto(page, app_server.url + LIGHT_PAGE)
    ui.sign_in(page, "e2e-idle", "e2e-idle-password")
    idle_cookie = session_cookie(context)
    with sqlite3.connect(app_server.data_dir / "auth.sqlite3") as store:  # 9 hours without a click anywhere
        store.execute("UPDATE sessions SET last_seen = last_seen - 9 * 3600 WHERE user = 'e2e-idle'")
    page.reload(wait_until="domcontentloaded")
    expect(page.locator(ui.SIDEBAR).get_by_text("Your session has expired")).to_be_visible(timeout=ui.TIMEOUT)
    ui.signed_out(page)
    ui.signed_out(with_cookie(open_context, app_server, idle_cookie))


def test_a_signed_out_deep_link_asks_for_sign_in_in_spanish_and_lands_on_the_page(
    app_server: AppServer, open_context: Callable[..., BrowserContext]
) -> None:
    add_user(app_server.data_dir, "e2e-deep", "e2e-deep-password", "country", "COL")
    context = open_context(locale="es-ES")
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_server.url}/upload?countries=COL", wait_until="domcontentloaded")
    main = page.locator(ui.MAIN)
    expect(main.get_by_text("Inicie sesión para abrir esta página.")).to_be_visible(timeout=ui.TIMEOUT)
    ui.settle(page)
    assert not page.get_by_text(re.compile("Page not found|not found", re.I)).count()
    assert page.url.endswith("/upload?countries=COL")
    name = main.get_by_role("textbox", name="Nombre de usuario")
    password = main.get_by_role("textbox", name="Contraseña")
    name.fill("e2e-deep")
    password.fill("not-the-password")
    password.press("Enter")
    expect(main.get_by_text("Nombre de usuario o contraseña no reconocidos.")).to_be_visible(timeout=ui.TIMEOUT)
    expect(name).to_have_value("e2e-deep")  # kept for the next try
    expect(password).to_have_value("")
    password.fill("e2e-deep-password")
    ui.reloaded_after(page, lambda: password.press("Enter"))  # the cookie is set by the page's reload
    expect(main.get_by_role("heading", name="Cargar los datos de un país")).to_be_visible(timeout=ui.TIMEOUT)
    expect(page.locator(ui.SIDEBAR).get_by_text("Sesión iniciada como e2e-deep")).to_be_visible(timeout=ui.TIMEOUT)
    assert page.url.endswith("/upload?countries=COL")  # the same page, filters kept
    # (that the signed-in page survives a reload: the first test, on this page, with the same cookie route)
