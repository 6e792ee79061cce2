"""The words script (score/web/language.py) in a real browser: Streamlit's own English words on an upload page
(an added file's size, the password box's eye, a remove button, the uploader's limit) become the reader's, also
when Streamlit draws them later. Run on a page holding Streamlit's markup as 1.67 writes it, no server needed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from score.i18n import using_language
from score.web.language import streamlit_words_script

# The markup Streamlit 1.67 writes for an uploader holding one file and for a password box (attributes abridged).
STREAMLIT_MARKUP = """
<section data-testid="stFileUploaderDropzone"><span>50MB per file</span>
  <div data-testid="stFileChip" aria-label="entreprises.csv, 21.1KB"><div>entreprises.csv</div><div>21.1KB</div>
    <button aria-label="Remove entreprises.csv"></button></div>
  <button aria-label="Add files"></button></section>
<div data-testid="stTextInput"><input type="password"><button aria-label="Show password"></button></div>
<section aria-label="Sidebar"></section>
<div data-testid="stStatusWidget"><div aria-label="Running..." role="img"></div><button><div>Stop</div></button></div>
"""
# The box Streamlit opens over the overview when a link names no page ("/overview?lang=fr"), drawn after the script.
PAGE_NOT_FOUND = """<section role="dialog"><button aria-label="Close" type="button"></button>
  <h2>Page not found</h2>
  <div><div>The page that you have requested does not seem to exist. Running the app's main page.</div></div>
  </section>"""
LATER_CHIP = """<div data-testid="stFileChip" aria-label="formación.csv, 512.0B"><div>formación.csv</div>
  <div>512.0B</div><div>File must be 50.0MB or smaller.</div></div>"""


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fr",
            {
                "sizes": ["21,1\u00a0Ko", "512,0\u00a0o"],
                "chip": "entreprises.csv, 21,1\u00a0Ko",
                "remove": "Retirer entreprises.csv",
                "eye": "Afficher le mot de passe",
                "sidebar": "Panneau latéral",
                "limit": "50\u00a0Mo par fichier",
                "refusal": "Le fichier doit faire au plus 50,0\u00a0Mo.",
                "stop": "Arrêter",
                "running": "En cours…",
                "no page": ["Page introuvable", "Aucune page à cette adresse. La vue d'ensemble s'ouvre à la place."],
                "close": "Fermer",
            },
        ),
        (
            "es",
            {
                "sizes": ["21,1\u00a0KB", "512,0\u00a0B"],
                "chip": "entreprises.csv, 21,1\u00a0KB",
                "remove": "Quitar entreprises.csv",
                "eye": "Mostrar la contraseña",
                "sidebar": "Panel lateral",
                "limit": "50\u00a0MB por archivo",
                "refusal": "El archivo debe ocupar como máximo 50,0\u00a0MB.",
                "stop": "Detener",
                "running": "En curso…",
                "no page": ["Página no encontrada", "No hay ninguna página en esta dirección. Se abre el resumen."],
                "close": "Cerrar",
            },
        ),
    ],
)
def test_streamlit_own_sizes_and_button_names_are_in_the_readers_language(
    page: Page, lang: str, expected: dict
) -> None:
    with using_language(lang):
        script = streamlit_words_script().strip().removeprefix("<script>").removesuffix("</script>")
    page.set_content(f"<body>{STREAMLIT_MARKUP}</body>")
    page.add_script_tag(content=script)
    page.evaluate("(html) => document.querySelector('section').insertAdjacentHTML('beforeend', html)", LATER_CHIP)
    page.evaluate("(html) => document.body.insertAdjacentHTML('beforeend', html)", PAGE_NOT_FOUND)
    page.wait_for_function("() => !document.body.innerText.includes('512.0B')", timeout=5000)
    page.wait_for_function("() => !document.body.innerText.includes('Page not found')", timeout=5000)

    chips = page.locator("[data-testid='stFileChip']")
    assert [chips.nth(i).locator("div").nth(1).inner_text() for i in range(2)] == expected["sizes"]
    assert chips.first.get_attribute("aria-label") == expected["chip"]
    assert page.locator("button").first.get_attribute("aria-label") == expected["remove"]
    assert page.locator("[data-testid='stTextInput'] button").get_attribute("aria-label") == expected["eye"]
    assert page.locator("section > span").inner_text() == expected["limit"]
    assert page.locator("section").nth(1).get_attribute("aria-label") == expected["sidebar"]
    assert chips.nth(1).locator("div").nth(2).inner_text() == expected["refusal"]
    status = page.locator("[data-testid='stStatusWidget']")
    assert status.locator("button").inner_text() == expected["stop"]  # the header's button while a page runs
    assert status.locator("[role='img']").get_attribute("aria-label") == expected["running"]
    dialog = page.locator("[role='dialog']")
    assert [dialog.locator("h2").inner_text(), dialog.locator("div div").inner_text()] == expected["no page"]
    assert dialog.locator("button").get_attribute("aria-label") == expected["close"]
    text = page.locator("body").inner_text()
    assert "KB" not in text.replace("\u00a0KB", "") and "per file" not in text and "must be" not in text
