"""How plausible the accented letters of a text are as Spanish, French or Portuguese: which of two code pages wrote a
text file when both readings are letters ("Françoise" in DOS's cp850 reads "Franáoise" as Mac Roman, Mac Roman's
"Cúcuta" reads "Cœcuta" as Windows'). score.ingest.reading weighs these counts with its other signs."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from score.contract import reference_rows

_VOWELS = frozenset("aeiouy")
# Accented vowels that Spanish, French and Portuguese do not put before another vowel ("Franáoise", "Noâl"); í, ú
# and é do ("día", "Raúl", "Léon").
_NO_VOWEL_AFTER = frozenset("áóàèòùâêîôû")
# Letters none of the three writes, though other readings make them of these languages' bytes ("Cìte", "Rondìnia").
_FOREIGN = frozenset("ìò")
# Letters that start no word in lower case, which another code page's capital often becomes ("êcija" for "Écija").
_NOT_FIRST_SMALL = frozenset("áíóúâêôûçñãõœëïüìòè")
# Where a cell starts: a name there starts with a capital ("Óscar", not "îscar").
_CELL_START = frozenset(("", ",", ";", "\t", "\n", "\r", '"'))
# A Vietnamese reading (code page 1258 writes tones as combining marks): the rules of the three languages do not hold.
_VIETNAMESE = re.compile(r"[^\W\d_][\u0300-\u036f]|[ăđơưĂĐƠƯ]")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# The reference files whose names people write in a file (sectors, modules, indicators, countries, places, the
# words of headers and codes), and the columns holding them.
_NAMED_FILES = {
    "sectors.csv": ("name_fr", "name_es"),
    "modules.csv": ("name_fr", "name_es"),
    "indicators.csv": ("name_fr", "name_es"),
    "logframe_indicators.csv": ("name_fr", "name_es"),
    "countries.csv": ("name_fr", "name_es"),
    "code_synonyms.csv": ("synonym",),
    "column_names.csv": ("name",),
    "place_names.csv": ("name",),
}


def _base(char: str) -> str:
    return unicodedata.normalize("NFD", char)[0].casefold() if char else ""


def implausible_letters(text: str) -> int:
    """How many accented letters of `text` stand where Spanish, French or Portuguese never put them: ç not before
    a, o or u, or first in a word; ñ not before a vowel; œ not before u or i; ã, õ before another letter than o, e, s,
    or after a vowel but not before o ("Anaãs", not "João"); á, ó, the grave and circumflex vowels before a vowel;
    â, ê, ô after a, e, o ("Noâl"); ë, ï not after a vowel; à, ù inside a word; a capital grave vowel starting a
    word; ì, ò; a capital ending a word in small letters ("IbaguÇ"); a small letter that starts no word ("êcija")
    or starts a cell ("îscar"); a tone mark on no letter. In a Vietnamese reading only the capital, the tone, ă before a
    vowel or ending a word ("Săo" for "São") and ơ before a vowel but i count."""
    odd, vietnamese = 0, _VIETNAMESE.search(text) is not None
    for match in re.finditer(r"[^\x00-\x7f]", text):
        char, at = match.group(), match.start()
        before = text[at - 1] if at else ""
        after = text[at + 1] if at + 1 < len(text) else ""
        if not char.isalpha():
            odd += unicodedata.combining(char) > 0 and not before.isalpha()  # a tone on no letter
            continue
        small, next_base, previous_base = char.lower(), _base(after), _base(before)
        if char.isupper() and before.isalpha() and before.islower() and not after.isalpha():
            odd += 1
        if vietnamese:  # ă before a vowel or ending a word, ơ before a vowel but i, are no Vietnamese ("Săo", "Camơes")
            odd += small == "ă" and not _is_tone(after) and (next_base in _VOWELS or not after.isalpha())
            odd += small == "ơ" and next_base in _VOWELS - {"i"}
            continue
        if small == "ç":
            odd += (next_base not in ("a", "o", "u")) + (not before.isalpha())
        elif small == "ñ":
            odd += next_base not in _VOWELS
        elif small == "œ":
            odd += next_base not in ("u", "i")
        elif small in "ãõ":
            odd += after.isalpha() and (after.lower() not in "oes" or (previous_base in _VOWELS and after != "o"))
        elif small in "ëï":  # a diaeresis parts two vowels ("Noël", "Anaïs"), the second before a consonant
            odd += (previous_base not in _VOWELS) + (next_base in _VOWELS)
        elif small in "íú":
            odd += next_base == _base(char)  # "Cúur" for "Cœur"
        elif small in _NO_VOWEL_AFTER:
            odd += next_base in _VOWELS
            odd += small in "âêô" and previous_base in ("a", "e", "o")  # "Noâl"; "Goiânia", "maître", "coût" are
            odd += small in "àù" and after.isalpha()  # French ends a word with them ("déjà", "où"): "Foràt"
            odd += small == "ù" and previous_base != "o"  # "où" alone: "Maceiù"
            odd += char.isupper() and small in "àèìòù" and after.isalpha()  # "Èrsula"; "À Paris" is a word
        odd += small in _FOREIGN
        if char.islower() and after.isalpha():
            odd += (char in _NOT_FIRST_SMALL and not before.isalpha()) or before in _CELL_START
    return odd


def _is_tone(char: str) -> bool:
    return unicodedata.combining(char) > 0


@cache
def _known_words() -> frozenset[str]:
    """The words with accents of the reference names (casefolded): "atlántico", "confección", "qualité"."""
    words: set[str] = set()
    for file_name, columns in _NAMED_FILES.items():
        for row in reference_rows(file_name):
            for column in columns:
                words.update(w.casefold() for w in _WORD.findall(row.get(column) or "") if not w.isascii())
    return frozenset(words)


def known_words(text: str) -> int:
    """How many words of `text` with an accent are reference names' words (a province, a sector, a module)."""
    known = _known_words()
    return sum(1 for word in _WORD.findall(text) if not word.isascii() and word.casefold() in known)
