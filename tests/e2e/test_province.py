"""Country staff in Spanish filter to a province: Colombia's staff sign in, start on their own country, pick a
province; the partner, region and phase lists hold only that country's values (phases with their years), the
tiles equal the independent count for that province (tests/oracle.py), and nothing on the page is English."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer, users_command_available
from tests.e2e.roles import COLOMBIA
from tests.oracle import RawData

REPO = Path(__file__).resolve().parents[2]
# The Spanish words the test reads, written out (the catalogue is what is under test).
TILES = {
    "Empresas participantes": "enterprises",
    "Trabajadores alcanzados": "workers_reached",
    "Personas capacitadas": "people_trained",
    "Módulos impartidos": "module_completions",
}
# Streamlit's own English words that must not reach a Spanish page (README: known limits lists what remains).
STREAMLIT_ENGLISH = ("Select all", "per file", "Drag and drop", "Press Enter", "Browse files")


def spanish_int(value: float) -> str:
    """Independent of score.i18n: Spanish groups thousands with a dot (12.345)."""
    return f"{round(value):,}".replace(",", ".")


def sign_in_in_spanish(page: Page, user: str, password: str) -> None:
    sidebar = page.locator(ui.SIDEBAR)
    form = ui.open_sign_in_box(page, "Iniciar sesión")
    ui.settle(page)
    form.get_by_role("textbox", name="Nombre de usuario").fill(user)
    secret = form.get_by_role("textbox", name="Contraseña")
    secret.fill(password)
    secret.press("Tab")
    # the page that signed in goes (/auth/local/session sets the cookie and loads it again): wait for the new one
    ui.reloaded_after(page, form.locator("[data-testid='stFormSubmitButton'] button").click)
    sidebar.get_by_text(f"Sesión iniciada como {user}").first.wait_for(timeout=ui.TIMEOUT)
    ui.settle(page)


def options_of(page: Page, box: str) -> list[str]:
    """The options a sidebar multiselect offers (opened, read, closed)."""
    combo = page.locator(ui.SIDEBAR).get_by_role("combobox", name=box)
    combo.click()
    listbox = page.get_by_role("listbox")
    try:
        listbox.wait_for(timeout=5000)
        texts = [text.strip() for text in page.get_by_role("option").all_inner_texts()]
    except Exception:  # every option chosen already: no list opens
        texts = []
    page.keyboard.press("Escape")
    ui.settle(page)
    return texts


# The text a person sees: text nodes whose element is visible and large enough to read, without Material icon
# names (drawn as glyphs) and screen-reader-only live regions (Streamlit's select boxes announce "1 option
# available." in English there: README, known limits).
VISIBLE_TEXT_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !node.nodeValue.trim()) continue;
    if (el.closest('[aria-live], script, style')) continue;
    if (getComputedStyle(el).fontFamily.includes("Material")) continue;  // an icon's name, drawn as a glyph
    const box = el.getBoundingClientRect();
    const shown = el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
    if (!shown || box.width < 2 || box.height < 2) continue;
    out.push(node.nodeValue.trim());
  }
  return out;
}"""


def english_strings() -> tuple[set[str], set[str]]:
    """From the Spanish catalogue: English sentences (several words, no placeholder) and English single words whose
    Spanish differs: what an English leftover on a Spanish page would look like."""
    with open(REPO / "locales" / "es" / "LC_MESSAGES" / "score.po", "rb") as handle:
        catalogue = read_po(handle, locale="es")
    sentences, words = set(), set()
    for message in catalogue:
        if not message.id or not isinstance(message.id, str) or "{" in message.id or message.string == message.id:
            continue
        (sentences if " " in message.id.strip() else words).add(message.id.strip())
    return sentences, words


def test_colombia_in_spanish_filters_to_a_province(
    open_context: Callable[..., BrowserContext], app_server: AppServer
) -> None:
    assert users_command_available(), "this checkout has no sign-in"
    raw = RawData(app_server.data_dir / "countries")
    colombian = [e for e in raw.enterprises if e["country"] == "COL"]
    province = max({e["province"] for e in colombian}, key=lambda p: sum(e["province"] == p for e in colombian))
    page = open_context(locale="es-CO").new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    ui.goto(page, app_server.url + "/?lang=es")
    user = COLOMBIA.get()
    sign_in_in_spanish(page, user.name, user.password)
    sidebar = page.locator(ui.SIDEBAR)
    # country staff start on their own country
    expect(sidebar.get_by_role("combobox", name="País")).to_be_visible(timeout=ui.TIMEOUT)
    assert "countries=COL" in page.url, page.url
    ui.choose(page, "Provincia", province)
    page.wait_for_url(lambda url: "provinces=" in url, timeout=ui.TIMEOUT)  # its rerun has run (settle can come first)
    ui.settle(page)

    in_province = [e for e in colombian if e["province"] == province]
    assert set(options_of(page, "Socio")) == {e["partner"] for e in in_province}
    assert options_of(page, "Región del mundo") == ["América Latina"]
    # no other country has this province: the open list says so in Spanish (Streamlit's own "No results" replaced)
    assert options_of(page, "País") == ["Ningún valor coincide"]
    phases = options_of(page, "Fase")
    assert {label.split(" ")[0] for label in phases} == {e["phase"] for e in in_province}
    assert all(label.count("(") == 1 and label.endswith(")") for label in phases), phases  # "II (2013–2016)"

    expected = raw.kpis(countries={"COL"}, provinces={province})
    assert 0 < expected["enterprises"] < len(colombian)
    for label, key in TILES.items():
        expect(ui.metric(page, label)).to_have_text(spanish_int(expected[key]))

    seen = page.evaluate(VISIBLE_TEXT_JS)
    text, lines = "\n".join(seen), set(seen)
    sentences, words = english_strings()
    assert not [s for s in sentences if s in text], [s for s in sentences if s in text][:5]
    assert not lines & words, sorted(lines & words)[:5]
    assert not [w for w in STREAMLIT_ENGLISH if w in text]
    assert not options_of(page, "Sector") or "Select all" not in options_of(page, "Sector")
