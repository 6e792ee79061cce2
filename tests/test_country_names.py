"""Country names inside French and Spanish sentences: each takes the article and the merged preposition it needs
("pour la Colombie", "du Pérou", "au Ghana", "de la India"), from data/reference/countries.csv."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from babel.messages.pofile import read_po

from score import contract
from score.config import REPO_ROOT
from score.i18n import _, place_form, using_language
from score.labels import reference_labels
from tests.formats import COUNTRY_FORMS

COUNTRIES = contract.code_list("country")
# The placeholders that hold a country's name (or a list of them) in some message.
COUNTRY_FIELDS = ("country", "countries", "other", "country_name", "other_name", "place")


def test_every_country_of_the_contract_has_its_forms_here() -> None:
    assert set(COUNTRY_FORMS["fr"]) == set(COUNTRY_FORMS["es"]) == set(COUNTRIES)


@pytest.mark.parametrize("iso3", COUNTRIES)
@pytest.mark.parametrize("lang", ["fr", "es"])
def test_a_country_after_a_preposition_takes_its_article(lang: str, iso3: str) -> None:
    # The review page read "Ce que l'approbation changerait pour Colombie".
    bare, of, where = COUNTRY_FORMS[lang][iso3]
    with using_language(lang):
        name = reference_labels("country")[iso3]
        approving = _("What approving would change for {country}", country=name)
        none = _("No enterprises in {country} match the current filters.", country=name)
        fewer = _(
            "Fewer than 5 enterprises in {country} match the current filters, possibly none: their figures are "
            "not shown.",
            country=name,
        )
        pending = _("{country} has no pending submission.", country=name)
    if lang == "fr":
        assert approving == f"Ce que l'approbation changerait pour {bare}"
        assert none == f"Aucune entreprise {of} ne correspond aux filtres actuels."
        assert fewer.startswith(f"Moins de 5 entreprises {where} correspondent")
        assert pending == f"{bare[:1].upper()}{bare[1:]} n'a aucune soumission en attente."
    else:
        assert approving == f"Qué cambiaría al aprobar para {bare}"
        assert none == f"Ninguna empresa {of} coincide con los filtros actuales."
        assert fewer.startswith(f"Menos de 5 empresas {where} coinciden")
        assert pending == f"{bare[:1].upper()}{bare[1:]} no tiene ningún envío pendiente."


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_no_sentence_puts_a_bare_country_name_after_a_preposition(lang: str) -> None:
    """Every message of the catalogue, each country placeholder filled with each country's name: nowhere
    "pour Colombie", "de Pérou", "en Pérou" (but "en Colombie"), "para India"."""
    prepositions = {"fr": ("de", "pour", "à", "sur", "dans", "avec", "en"), "es": ("de", "para", "a", "en")}
    with open(REPO_ROOT / "locales" / lang / "LC_MESSAGES" / "score.po", "rb") as handle:
        catalogue = read_po(handle)
    # {other} is also an encoding ("it may be {other}"): that message holds no country
    messages = [m for m in catalogue if m.id and "{encoding}" not in str(m.id)]
    templates = [s for m in messages for s in (m.string if isinstance(m.string, tuple) else (m.string,))]
    templates = [t for t in templates if any(f"{{{field}}}" in t or f"{{{field}:" in t for field in COUNTRY_FIELDS)]
    assert len(templates) > 40
    wrong = []
    with using_language(lang):
        names = reference_labels("country")
        for iso3 in COUNTRIES:
            bare, _of, where = COUNTRY_FORMS[lang][iso3]
            name = names[iso3]
            if bare == name:  # no article: any preposition reads right before the bare name
                continue
            allowed = {where}
            bad = re.compile(r"\b(" + "|".join(prepositions[lang]) + r") " + re.escape(name) + r"\b")
            values = defaultdict(lambda: "x", {field: name for field in COUNTRY_FIELDS})
            for template in templates:
                filled = _filled_template(template, values)
                wrong += [(iso3, filled) for found in bad.finditer(filled) if found.group(0) not in allowed]
    assert not wrong, wrong[:10]


def _filled_template(template: str, values: dict[str, str]) -> str:
    from score.i18n import _SENTENCE

    return _SENTENCE.vformat(template, (), values)


def test_a_list_of_countries_takes_an_article_each_and_a_name_not_known_keeps_the_preposition() -> None:
    with using_language("fr"):
        assert place_form("Colombie, Pérou, Inde", "pour") == "pour la Colombie, le Pérou, l'Inde"
        assert place_form("Colombie, Pérou, Inde", "de") == "de la Colombie, du Pérou, de l'Inde"
        assert place_form("Colombie, Pérou", "en") == "en Colombie, au Pérou"
        assert place_form("COL", "pour") == "pour COL"  # a code, as the validator's sentences give it
    with using_language("es"):
        assert place_form("India", "de") == "de la India" and place_form("Perú", "para") == "para Perú"
    with using_language("en"):
        assert place_form("Colombia", "for") == "for Colombia"
