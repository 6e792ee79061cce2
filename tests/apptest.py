"""The one AppTest set-up of the tests (streamlit.testing): the app, or one page file run directly, as a viewer
(scope), with a shared link's filters (URL query parameters), a language and any other session state.

`app(...)` gives the AppTest not yet run; `open_page(page, ...)` runs app.py (sidebar, navigation, filters from
the URL) and then the page, as a browser would, and fails on any exception; `reach(page, ...)` opens a page the
viewer's navigation may not list (hiding is not authorisation: the page must refuse by itself).
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

from score.access import Scope

# Each new AppTest scans every installed package's metadata for Streamlit components (v2) before its first run:
# ~0.2 s of CPU to find none (the access matrix's page checks: 70 -> 50 s of CPU). The installed packages do not
# change during a test run, so the scan is made once per process.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

REPO = Path(__file__).resolve().parent.parent
OVERVIEW = "views/overview.py"
ENTERPRISES = "views/enterprises.py"
TRAINING = "views/training.py"
OUTCOMES = "views/outcomes.py"
TIMEOUT = 120  # seconds for one run; a page at the demo size takes one or two on a quiet machine


def app(
    script: str = "app.py",
    *,
    scope: Scope | None = None,
    params: Mapping[str, object] | None = None,
    language: str | None = None,
    state: Mapping[str, object] | None = None,
    timeout: float = TIMEOUT,
) -> AppTest:
    """An AppTest of `script` (relative to the repository) with this session set up, not yet run."""
    from score.web import ui

    at = AppTest.from_file(str(REPO / script), default_timeout=timeout)
    if scope is not None:
        at.session_state[ui.SCOPE_KEY] = scope
    if language is not None:
        at.session_state[ui.LANGUAGE_KEY] = language
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at


def no_exception(at: AppTest, *context: object) -> AppTest:
    assert not at.exception, (*context, [str(e.value)[:300] for e in at.exception])
    return at


def open_page(
    page: str = OVERVIEW,
    params: Mapping[str, object] | None = None,
    scope: Scope | None = None,
    *,
    language: str | None = None,
    state: Mapping[str, object] | None = None,
    timeout: float = TIMEOUT,
) -> AppTest:
    """app.py with `page` as its page, run without an exception: one run, as a link to the page opens it (app.py's
    sidebar, navigation and filters from the URL, then the page). It was a run of the overview and then a switch to
    the page, which spent the overview's run on every other page (~0.1-0.5 s of CPU an opening)."""
    at = app(scope=scope, params=params, language=language, state=state, timeout=timeout)
    if page != OVERVIEW:
        at.switch_page(page)  # before the first run a page is known by its file name, as its address names it
    no_exception(at.run(), page)
    assert not at.get("exception")
    ran = at._registered_pages.get(at._finished_page_script_hash, {}).get("script_path")
    assert ran is not None and Path(ran).resolve() == (REPO / page).resolve(), (page, "opened instead:", ran)
    return at


def listed(at: AppTest, page: str) -> bool:
    """Whether the viewer's navigation (after a run of app.py) lists `page`."""
    return (REPO / page).resolve() in {Path(info["script_path"]).resolve() for info in at._registered_pages.values()}


def reach(page: str, scope: Scope | None, params: Mapping[str, object] | None = None) -> AppTest:
    """`page` as this viewer gets it: through the navigation when it is listed, else run directly with the
    filters app.py chose (as if the address had been typed)."""
    from score.web import ui

    at = no_exception(app(scope=scope, params=params).run())
    if listed(at, page):
        return no_exception(at.switch_page(page).run(), page)
    direct = app(page, scope=scope, state={ui.FILTERS_KEY: at.session_state[ui.FILTERS_KEY]})
    return no_exception(direct.run(), page)


def walk(
    pages: Iterable[str], scope: Scope | None, params: Mapping[str, object] | None = None
) -> Iterator[tuple[str, AppTest]]:
    """Each of `pages` as `reach` gives it, in one session: app.py is run once and each
    listed page is opened from its navigation in turn, as a viewer clicking through; a page not listed is run
    directly with the filters app.py chose. One run of app.py for the lot instead of one per page (`reach`): a
    page's run costs about what app.py's does. Every page is checked to run with the filters app.py chose, as
    `reach` would run it."""
    from score.web import ui

    at = no_exception(app(scope=scope, params=params).run())
    filters = at.session_state[ui.FILTERS_KEY]
    for page in pages:
        if not listed(at, page):
            yield page, no_exception(app(page, scope=scope, state={ui.FILTERS_KEY: filters}).run(), page)
            continue
        no_exception(at.switch_page(page).run(), page)
        assert at.session_state[ui.FILTERS_KEY] == filters, (page, "the filters changed on the way")
        yield page, at


def rendered_text(at: AppTest) -> str:
    """Every string the app sent to the browser: element protos (incl. chart specs) and table cells."""
    from google.protobuf.json_format import MessageToDict
    from streamlit.testing.v1.element_tree import Dataframe, Table

    out: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None:
            _strings(MessageToDict(proto), out)
        if isinstance(node, Dataframe | Table):
            frame = node.value
            out.extend(str(c) for c in frame.columns)
            out.append(frame.to_csv(index=True))
    return "\n".join(out)


def _strings(value: object, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
        if value[:1] in "{[":
            with contextlib.suppress(ValueError):
                _strings(json.loads(value), out)
    elif isinstance(value, dict):
        for key, item in value.items():
            out.append(str(key))
            _strings(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _strings(item, out)


def open_sign_in_box(at: AppTest) -> AppTest:
    """Open the sidebar's sign-in box, as a click on it does: its form is drawn only while it is open. The run starts
    from the entry point (see tests/test_auth.py rerun()), so the sidebar stays in `at`."""
    from score.web import signin

    if not any(box.key == f"{signin.SIDEBAR_FORM}_user" for box in at.sidebar.text_input):
        at.session_state[signin.SIDEBAR_BOX] = True
        at._finished_page_script_hash = ""
        at.run()
    return at
