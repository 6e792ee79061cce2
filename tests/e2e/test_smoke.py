"""Every page in the navigation opens in a real browser with its title, its charts and no exception box.

Pages are discovered from the navigation, so a new page is covered without touching this file; the
minimum list below makes sure a page that exists in views/ is not missing from the navigation.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e import dashboard as ui
from tests.e2e.app_server import REPO, AppServer
from tests.e2e.roles import HQ, signed_in_as

# Everyone sees these (when the page file exists: pages land one by one).
PUBLIC_PAGES = ("overview", "enterprises", "training", "outcomes", "map", "logframe", "country", "present")
# Only signed-in staff see these (country users and HQ; audit is HQ only).
STAFF_PAGES = ("upload", "data_quality", "audit")
# Pages that are forms or tables rather than charts.
NO_CHART_PAGES = frozenset({"upload", "audit", "data_quality", "review", "present"})  # present: slide 1 is KPIs


def expected(pages: tuple[str, ...]) -> set[str]:
    return {"overview"} | {name for name in pages if (REPO / "views" / f"{name}.py").exists()}


def visit_all(page: Page) -> tuple[list[ui.NavLink], dict[str, list[str]]]:
    links = ui.nav_links(page)
    problems: dict[str, list[str]] = {}
    for link in links:
        ui.open_nav(page, link)
        found = ui.page_problems(page, expect_chart=link.slug not in NO_CHART_PAGES)
        if found:
            problems[link.slug] = found
            page.screenshot(path=str(REPO / "test-results" / f"smoke-{link.slug}.png"), full_page=True)
        if link.slug == "present":
            ui.leave_present_mode(page)
    return links, problems


def test_every_public_page_opens(page: Page, app_server: AppServer) -> None:
    (REPO / "test-results").mkdir(exist_ok=True)
    ui.goto(page, app_server.url)
    links, problems = visit_all(page)
    slugs = {link.slug for link in links}
    assert expected(PUBLIC_PAGES) <= slugs, f"pages missing from the navigation: {expected(PUBLIC_PAGES) - slugs}"
    assert not slugs & {"upload", "audit", "review"}, "staff pages shown to the public"
    assert not problems, f"broken pages: {problems}"


@pytest.mark.slow  # started first (tests/conftest.py)
def test_every_staff_page_opens(page: Page, app_server: AppServer) -> None:
    (REPO / "test-results").mkdir(exist_ok=True)
    ui.goto(page, app_server.url)
    assert signed_in_as(page, HQ), "sign-in failed"
    links, problems = visit_all(page)
    slugs = {link.slug for link in links}
    wanted = expected(PUBLIC_PAGES) | expected(STAFF_PAGES)
    assert wanted <= slugs, f"pages missing from HQ's navigation: {wanted - slugs}"
    assert not problems, f"broken pages: {problems}"
