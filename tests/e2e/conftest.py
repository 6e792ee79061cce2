"""Browser end-to-end fixtures: a private `streamlit run webapp.py` per xdist worker, Debian chromium, no network.

- `app_server` (session): a private data dir (copy of data/countries, built with `python -m score build`,
  demo users created when sign-in exists) served by its own streamlit process on a free port. Each xdist
  worker starts its own, so `pytest -n 2` needs no coordination; it is terminated by its own handle.
- `fresh_server` (function): the same with a data dir of its own, for tests that publish.
- `public_page` / `hq_page` (function): a new tab in a browser context the worker keeps (the public's; HQ's,
  signed in once per worker): a page load in a used context costs Chromium a fraction of one in a new context
  (DEVELOPERS.md "The suite's time"), and a sign-in a page load more. A test that needs another person, a browser
  language, a cookie of its own or a sign-out opens a context of its own (`open_context`, `page`).
- Every browser context refuses requests that leave 127.0.0.1/localhost and the test fails if one was
  attempted: the dashboard must work with the network off (a meeting room, a field office).
- A failing test leaves a screenshot of each open page and the server log in test-results/.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.app_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    REPO,
    AppServer,
    leaves_machine,
    prepare_data_dir,
)
from tests.e2e.dashboard import TIMEOUT, goto
from tests.e2e.roles import HQ, signed_in_as

RESULTS = REPO / "test-results"
# Playwright's 5 s for an expectation (and 30 s for a click) is a quiet desktop's; two browsers and two app servers
# on a busy 2-core machine draw a page's tiles much later than that (a failure still says what was missing, later).
expect.set_options(timeout=TIMEOUT)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # One renderer process for a site's tabs (per browser context): a test's new tab then starts in a process that
    # has already run the app's scripts, ~2.6 s less of Chromium's CPU a test (BENCHMARKS.md, "a renderer kept").
    args = list(browser_type_launch_args.get("args", [])) + CHROMIUM_ARGS + ["--process-per-site"]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # Reduced motion, as a visitor may ask of their system: Streamlit then draws its elements without entry
    # animations and transitions, ~30% less of Chromium's CPU a page load (BENCHMARKS.md, "reduced motion").
    return {
        **browser_context_args,
        "viewport": {"width": 1600, "height": 1000},
        "accept_downloads": True,
        "reduced_motion": "reduce",
    }


def _start_server(root: Path, name: str) -> AppServer:
    data = prepare_data_dir(root)
    return AppServer(data, log_path=root / f"{name}.log").start()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """Read-only use: tests must not publish through it (use fresh_server)."""
    server = _start_server(tmp_path_factory.mktemp("e2e"), "streamlit")
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[AppServer]:
    server = _start_server(tmp_path, "streamlit-fresh")
    yield server
    server.stop()


class NetworkGuard:
    """Aborts and records every request to a host other than this machine."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.page_errors: list[str] = []

    def _route(self, route: Route) -> None:
        url = route.request.url
        if leaves_machine(url):
            self.blocked.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _websocket(self, ws: object) -> None:
        url = getattr(ws, "url", "")
        if urlsplit(url).hostname not in LOCAL_HOSTS:
            self.blocked.append(url)

    def watch_page(self, page: Page) -> None:
        page.on("websocket", self._websocket)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)[:500]))

    def install(self, context: BrowserContext) -> BrowserContext:
        context.set_default_timeout(TIMEOUT)  # every context passes here: its clicks wait as long as the waits do
        context.route("**/*", self._route)
        for page in context.pages:
            self.watch_page(page)
        context.on("page", self.watch_page)
        return context


@pytest.fixture
def network_guard() -> NetworkGuard:
    return NetworkGuard()


class SharedContext:
    """A browser context kept for the worker's tests (one tab each) and the guard of its requests.

    A tab of the app's site stays open in it (`keeper`, a plain-text page): with one renderer process a site
    (`--process-per-site`) that process, its compiled scripts and caches outlive each test's tab; once the last tab
    of the site closes, the next test's tab would start a new one."""

    def __init__(self, context: BrowserContext, guard: NetworkGuard, site_url: str) -> None:
        self.context, self.guard = context, guard
        self.keeper = context.new_page()
        self.keeper.goto(f"{site_url}/_stcore/health")

    def tab(self, request: pytest.FixtureRequest, network_guard: NetworkGuard) -> Iterator[Page]:
        """A new tab for one test: what it asked of the network is the test's; a failure keeps its screenshot."""
        page = self.context.new_page()
        yield page
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            RESULTS.mkdir(exist_ok=True)
            try:
                page.screenshot(path=str(RESULTS / f"{_slug(request.node.nodeid)}-tab.png"), full_page=True)
            except Exception as error:  # a crashed page must not hide the real failure
                print(f"screenshot failed: {error}")
        for other in self.context.pages:  # the test's tab and any it opened (a download's, a popup)
            if other is self.keeper:
                continue
            # what the app's page kept in the browser (Streamlit keeps a folded sidebar in localStorage: the next
            # test's tab at 1280 px opened folded) goes with the test, as a context of its own would
            with contextlib.suppress(PlaywrightError):
                other.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            other.close()
        network_guard.blocked += self.guard.blocked
        network_guard.page_errors += self.guard.page_errors
        self.guard.blocked.clear()
        self.guard.page_errors.clear()


def _shared_context(browser: Browser, browser_context_args: dict, server: AppServer) -> SharedContext:
    guard = NetworkGuard()
    return SharedContext(guard.install(browser.new_context(**browser_context_args)), guard, server.url)


@pytest.fixture(scope="session")
def _public_context(browser: Browser, browser_context_args: dict, app_server: AppServer) -> Iterator[SharedContext]:
    shared = _shared_context(browser, browser_context_args, app_server)
    yield shared
    shared.context.close()


@pytest.fixture(scope="session")
def _hq_context(browser: Browser, browser_context_args: dict, app_server: AppServer) -> Iterator[SharedContext]:
    """Signed in as HQ's demo account once: its tabs open signed in by the cookie (app_server publishes nothing,
    so the demo account lasts the run)."""
    shared = _shared_context(browser, browser_context_args, app_server)
    page = shared.context.new_page()
    # at a page with no chart (signed out, the upload page's address asks for sign-in; then the page itself): the
    # overview was drawn twice here, before and after the sign-in's reload. The helper signs in with the English form.
    goto(page, f"{app_server.url}/upload?lang=en")
    assert signed_in_as(page, HQ), "sign-in failed"
    page.close()
    yield shared
    shared.context.close()


@pytest.fixture
def public_page(
    _public_context: SharedContext, request: pytest.FixtureRequest, network_guard: NetworkGuard
) -> Iterator[Page]:
    """A signed-out tab (the public's) at 1600x1000, in the worker's public context."""
    yield from _public_context.tab(request, network_guard)


@pytest.fixture
def hq_page(_hq_context: SharedContext, request: pytest.FixtureRequest, network_guard: NetworkGuard) -> Iterator[Page]:
    """A tab signed in as HQ (geneva) at 1600x1000: open a page of app_server and it is HQ's."""
    yield from _hq_context.tab(request, network_guard)


@pytest.fixture
def open_context(
    new_context: Callable[..., BrowserContext], network_guard: NetworkGuard
) -> Callable[..., BrowserContext]:
    """A further browser context (another user), guarded like `context`."""

    def make(**kwargs: object) -> BrowserContext:
        return network_guard.install(new_context(**kwargs))

    return make


# Kaleido's channel to its own Chromium (the chart PNG) logs a message it could not decode, with its traceback, and
# drops it ("Ignoring"): the PNG is still made (the test checks it). Any other traceback fails the test.
KALEIDO_DROPPED = re.compile(
    r"JSONError decoding message\. Ignoring\n(?:.*\n)*?choreographer\.channels\._errors\.JSONError\n?"
)


def _slug(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


@pytest.fixture(autouse=True)
def _e2e_watch(request: pytest.FixtureRequest, network_guard: NetworkGuard) -> Iterator[None]:
    """Guard the network for `page`/`context`; keep screenshots and the server log of a failure."""
    uses_browser = {"page", "context"} & set(request.fixturenames)
    context: BrowserContext | None = request.getfixturevalue("context") if uses_browser else None
    if context is not None:
        network_guard.install(context)
    servers = [request.getfixturevalue(n) for n in ("app_server", "fresh_server") if n in request.fixturenames]
    log_start = {id(s): len(s.log_text()) for s in servers}
    yield
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        slug = _slug(request.node.nodeid)
        browser: Browser | None = request.getfixturevalue("browser") if "browser" in request.fixturenames else None
        contexts = browser.contexts if browser is not None else ([context] if context else [])
        shots = [page for ctx in contexts for page in ctx.pages]
        for i, page in enumerate(shots):
            try:
                page.screenshot(path=str(RESULTS / f"{slug}{'' if i == 0 else f'-{i}'}.png"), full_page=True)
            except Exception as error:  # a crashed page must not hide the real failure
                print(f"screenshot failed: {error}")
        for server in servers:
            (RESULTS / f"{slug}.server.log").write_text(server.log_text()[log_start[id(server)] :])
    for server in servers:
        new_log = KALEIDO_DROPPED.sub("", server.log_text()[log_start[id(server)] :])
        assert "Traceback (most recent call last)" not in new_log, f"the server logged an exception:\n{new_log[-4000:]}"
    assert not network_guard.blocked, f"requests left this machine: {sorted(set(network_guard.blocked))}"
    assert not network_guard.page_errors, f"uncaught errors in the page: {network_guard.page_errors}"
