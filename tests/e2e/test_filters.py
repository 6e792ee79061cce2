"""Filters in the browser: a KPI follows the sidebar filter exactly as an independent count says (for HQ, who
see exact figures; the public's are adjusted, tests/test_disclosure.py), and a copied link reproduces the same
view in a fresh session."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer
from tests.oracle import RawData

KPIS = ("Enterprises engaged", "Workers reached", "People trained", "Modules delivered")
ORACLE_KEYS = ("enterprises", "workers_reached", "people_trained", "module_completions")


def test_country_filter_changes_the_kpis_to_the_oracle(hq_page: Page, app_server: AppServer) -> None:
    raw, page = RawData(app_server.data_dir / "countries"), hq_page
    ui.goto(page, app_server.url)
    everyone = raw.kpis()
    expect(ui.metric(page, "Enterprises engaged")).to_have_text(ui.fmt_int(everyone["enterprises"]))
    ui.choose(page, "Country", "Colombia")
    colombia = raw.kpis(countries={"COL"})
    assert colombia["enterprises"] != everyone["enterprises"]
    for label, key in zip(KPIS, ORACLE_KEYS, strict=True):
        expect(ui.metric(page, label)).to_have_text(ui.fmt_int(colombia[key]))
    assert "countries=COL" in page.url
    ui.choose(page, "Sector", "Garments")
    both = raw.kpis(countries={"COL"}, sectors={"garments"})
    expect(ui.metric(page, "Enterprises engaged")).to_have_text(ui.fmt_int(both["enterprises"]))


def test_shareable_link_reproduces_the_view(public_page: Page, app_server: AppServer) -> None:
    page = public_page
    ui.goto(page, app_server.url)
    ui.choose(page, "Country", "Ghana")
    ui.choose(page, "Module", "Occupational safety and health")
    # the rerun the choice causes writes the link, then the tiles: read both after it (settle can come first)
    page.wait_for_url(lambda url: "countries=GHA" in url and "modules=" in url, timeout=ui.TIMEOUT)
    ui.settle(page)
    link = page.url
    shown = {label: ui.metric_text(page, label) for label in KPIS}
    # another session of the app (a new tab is one: nothing shared but the link; the public has no cookie)
    other = page.context.new_page()
    ui.goto(other, link)
    for label, value in shown.items():
        expect(ui.metric(other, label)).to_have_text(value)
    sidebar = other.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("Ghana", exact=True)).to_be_visible()
    assert other.url == link
