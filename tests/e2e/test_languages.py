"""Languages in a real browser: a `?lang=es` link opens in Spanish in a fresh browser and stays Spanish
through the navigation and a reload; without `lang`, the browser's own language is used."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer
from tests.oracle import RawData

# (navigation label, page title) in Spanish, written out: the catalogue is what is under test.
SPANISH_PAGES = (
    ("Formación", "Formación"),
    ("Resultados", "Resultados"),
    ("Mapa", "Mapa de los países de SCORE"),
)


def spanish_int(value: float) -> str:
    """Independent of score.i18n: Spanish groups thousands with a dot (342.434)."""
    return f"{round(value):,}".replace(",", ".")


# make test-full: make test keeps a French link's `lang` through a change of slide and in an English browser (below)
@pytest.mark.exhaustive
def test_a_spanish_link_stays_spanish_across_pages_and_a_reload(public_page: Page, app_server: AppServer) -> None:
    page = public_page  # a new session of the app in an English browser: nothing but the link
    ui.goto(page, app_server.url + "/?lang=es")
    assert ui.heading(page) == "Resultados de SCORE de un vistazo"
    # The public view adjusts figures slightly (cell key perturbation), the same way in every language: the
    # Spanish tile shows the English tile's number with Spanish grouping.
    english = page.context.new_page()
    ui.goto(english, app_server.url)
    shown = int(ui.metric_text(english, "Workers reached").replace(",", ""))
    exact = RawData(app_server.data_dir / "countries").kpis()["workers_reached"]
    assert abs(shown - exact) < exact / 100  # the tile read is the workers figure
    expect(ui.metric(page, "Trabajadores alcanzados")).to_have_text(spanish_int(shown))
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("Idioma", exact=True)).to_be_visible()
    links = {link.label: link for link in ui.nav_links(page)}
    for label, title in SPANISH_PAGES:
        ui.open_nav(page, links[label])
        assert ui.heading(page) == title
        expect(sidebar.get_by_text("Filtros", exact=True)).to_be_visible()
        assert "lang=es" in page.url, page.url
    page.reload(wait_until="domcontentloaded")
    page.locator("h1").first.wait_for()
    ui.settle(page)
    assert ui.heading(page) == "Mapa de los países de SCORE"


def test_without_a_link_the_browser_language_is_used_and_a_french_link_keeps_lang_for_an_english_browser(
    open_context: Callable[..., BrowserContext], public_page: Page, app_server: AppServer
) -> None:
    """One French browser (a context opened for it) for both: a tab without a link, then a tab of a French link;
    the English browser is the worker's public one."""
    browser = open_context(locale="fr-FR")
    page = browser.new_page()
    page.goto(app_server.url, wait_until="commit")
    # the first stop of the Tab key (Streamlit's own skip link) speaks French from the moment it is drawn, long
    # before the page's scripts run (it was English for 1-5 s, 20 s under load), and the page says it is French
    page.wait_for_function("() => document.querySelector(\"a[href='#stMain']\")", timeout=ui.TIMEOUT)
    first_sight = page.evaluate(
        "() => [document.querySelector(\"a[href='#stMain']\").textContent, document.documentElement.lang]"
    )
    assert first_sight == ["Aller au contenu principal", "fr"]
    page.locator("h1").first.wait_for(timeout=ui.TIMEOUT)
    ui.settle(page)
    assert ui.heading(page) == "Les résultats de SCORE en un coup d'œil"
    assert "lang=" not in page.url  # the browser says French anyway: the link stays short
    ui.page_scripts_ran(page)
    expect(page.locator("a[href='#stMain']")).to_have_text("Aller au contenu principal")

    # a French link, in the French browser, keeps its `lang` through a change of slide: an English browser given
    # the link opens it in French
    french = browser.new_page()
    ui.open_present(french, app_server.url + "/present?lang=fr")
    french.keyboard.press("ArrowRight")
    ui.settle(french)
    french.wait_for_url(lambda url: "slide=2" in url, timeout=ui.TIMEOUT)
    assert "lang=fr" in french.url, french.url  # it used to end on /present?slide=2
    link = french.url
    french.close()  # the slides (a map among them) leave the screen
    english = public_page
    assert english.evaluate("navigator.language").startswith("en")
    ui.open_present(english, link)
    expect(english.get_by_role("button", name="Suivante").first).to_be_visible()


# What Streamlit names its own controls for a screen reader, in English whatever the page's language
STREAMLIT_ENGLISH_NAMES = """() => [...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))
  .filter(n => /^(Link to heading|Main menu|Help for .+|.+ — (start|end)|Zoom (in|out)|Pan|Reset axes)$/.test(n))"""


def test_streamlits_own_controls_are_named_in_french_and_the_sign_in_box_shows_no_english_over_the_password(
    public_page: Page, app_server: AppServer
) -> None:
    """One French overview at 1280x720 (a laptop) for both looks (the suite's time: was a page load each)."""
    # Tabbing through the French overview announced "Help for Région du monde", "Année d'adhésion — start",
    # "Main menu" and "Link to heading" beside the page's own French names ("Aide : Travailleurs touchés").
    page = public_page
    page.set_viewport_size({"width": 1280, "height": 720})
    ui.goto(page, app_server.url + "/?lang=fr")
    ui.page_scripts_ran(page)
    expect(page.get_by_label("Aide : Région du monde")).to_have_count(1)
    expect(page.get_by_label("Menu principal")).to_have_count(1)
    page.locator(ui.MAIN).hover()
    page.mouse.wheel(0, 1500)  # down to the charts: a chart's modebar, named and with its tooltip in French
    expect(page.locator(".modebar-btn[data-title='Zoom avant'][aria-label='Zoom avant']").first).to_be_attached()
    assert page.evaluate(STREAMLIT_ENGLISH_NAMES) == []

    password = ui.open_sign_in_box(page, "Se connecter").get_by_role("textbox", name="Mot de passe")
    password.fill("quelque chose")
    password.focus()
    # Streamlit's own "Press Enter to submit form · 13/1024", in English whatever the language, lay over it: drawn
    # (waited for: a look before it is drawn would pass whatever the style), and hidden.
    instructions = page.locator(ui.SIDEBAR).locator("[data-testid='InputInstructions']")
    expect(instructions).to_be_attached()
    expect(instructions).to_be_hidden()


# The reporting dates of the demo logframe as each language writes them (written out, not from score.i18n).
LOGFRAME_DATE = {"fr": ("Date du rapport", "30 sept. 2013"), "es": ("Fecha del informe", "30 sept 2013")}


# French in make test, Spanish in make test-full
@pytest.mark.parametrize("lang", [pytest.param("fr"), pytest.param("es", marks=pytest.mark.exhaustive)])
def test_a_reporting_date_picked_in_french_or_spanish_is_in_the_link_and_survives_a_reload(
    public_page: Page, app_server: AppServer, lang: str
) -> None:
    page, (box, shown) = public_page, LOGFRAME_DATE[lang]
    ui.goto(page, app_server.url + f"/logframe?lang={lang}")
    combo = page.get_by_role("combobox", name=box)
    combo.click()
    page.get_by_role("option", name=shown, exact=True).click()
    # the link carries the ISO date, not the French label (set by the rerun the choice causes: waited for)
    page.wait_for_url(re.compile(r"[?&]date=2013-09-30(&|$)"), timeout=ui.TIMEOUT)
    ui.settle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.reload(wait_until="domcontentloaded")
    page.locator("h1").first.wait_for()
    ui.settle(page)
    expect(page.get_by_role("combobox", name=box)).to_have_value(shown)
    assert page.locator("[data-testid='stException']").count() == 0
