"""Upstream behaviour the dashboard meets, pinned with a minimal app so we notice when it changes.

Streamlit 1.67: when a `pages/` folder sits next to a script that uses st.navigation, the first widget
interaction of the first browser session after the server starts is dropped (the rerun runs with the old
value; users would meet it once per restart: a filter that does not stick, a sign-in to repeat). Without
a `pages/` folder it is kept. This is why the page files live in `views/` (see DEVELOPERS.md): the first
test here keeps it that way, the last one pins the upstream behaviour (it fails once Streamlit fixes it).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext

from tests.e2e.app_server import REPO, free_port
from tests.e2e.dashboard import TIMEOUT, settle

APP = """
import streamlit as st
st.sidebar.multiselect("Country", ["Ghana", "Peru"], key="f_c")
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
st.sidebar.write(f"runs: {st.session_state['runs']}")
st.navigation([st.Page("views/a.py", title="A", default=True), st.Page("views/b.py", title="B")]).run()
"""
PAGE_A = """
import streamlit as st
st.title("A")
st.write("chosen:", ", ".join(st.session_state.get("f_c", [])) or "none")
"""


def first_interactions_kept(root: Path, open_context: Callable[..., BrowserContext], pages_folder: bool) -> list[bool]:
    """Start the minimal app, then in two sessions one after the other pick a country: was it kept?"""
    (root / "views").mkdir()
    (root / "app.py").write_text(APP)
    (root / "views" / "a.py").write_text(PAGE_A)
    (root / "views" / "b.py").write_text('import streamlit as st\nst.title("B")\n')
    if pages_folder:
        (root / "pages").mkdir()
        (root / "pages" / "unused.py").write_text('import streamlit as st\nst.title("unused")\n')
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        kept = []
        browser = open_context()  # a tab is a session of its own: two tabs, one browser
        for _session in range(2):
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text("chosen: none").wait_for()
            page.wait_for_timeout(1000)
            page.get_by_role("combobox", name="Country").click()
            page.get_by_role("option", name="Ghana", exact=True).click()
            page.keyboard.press("Escape")
            # the run the choice causes (with the old value when it is dropped), ended: not a fixed wait, which a
            # busy machine outlasts
            page.get_by_text("runs: 2").wait_for(timeout=TIMEOUT)
            settle(page)
            kept.append("chosen: Ghana" in page.locator("[data-testid='stMain']").inner_text())
        return kept
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_app_has_no_pages_folder() -> None:
    assert not (REPO / "pages").exists(), "a pages/ folder beside app.py drops the first interaction after start"


def test_upstream_still_drops_the_first_interaction_with_a_pages_folder(
    tmp_path: Path, open_context: Callable[..., BrowserContext]
) -> None:
    """Pins the upstream behaviour: when this fails, Streamlit fixed it and views/ is no longer needed."""
    first, second = first_interactions_kept(tmp_path, open_context, pages_folder=True)
    assert second, "the second session lost its interaction too: the minimal app is broken, not the known issue"
    assert not first, "Streamlit keeps the first interaction now: the pages/ workaround can go (DEVELOPERS.md)"
