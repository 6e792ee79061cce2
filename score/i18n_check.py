"""Checks of the translation catalogues, for `make i18n-check` and tests/test_i18n.py.

- `extract()`: the msgids in the code now (Babel's extractor over babel.cfg, as `make i18n` runs it);
- `missing_from_template()`: msgids in the code that locales/score.pot lacks (run `make i18n`);
- `untranslated(lang)`: msgids of the template with no French/Spanish translation, or a fuzzy one;
- `placeholder_mismatches(lang)`: translations whose {placeholders} differ from the msgid's.

`python -m score.i18n_check` prints each problem with the msgid, so the fix is a search in the .po file;
`python -m score.i18n_check --compile [fr|es]` writes the .mo files.
"""

from __future__ import annotations

import io
import re
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from score.config import REPO_ROOT

LOCALES_DIR = REPO_ROOT / "locales"
TEMPLATE = LOCALES_DIR / "score.pot"
TRANSLATED = ("fr", "es")
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}  # as in the Makefile's I18N_KEYWORDS
_METHOD_MAP = [("app.py", "python"), ("score/**.py", "python"), ("views/**.py", "python")]  # as babel.cfg


def msgid_key(message: Message) -> str:
    """The singular msgid (plural messages are keyed by their singular, as gettext does)."""
    return message.id[0] if isinstance(message.id, list | tuple) else message.id


def extract(root: Path = REPO_ROOT) -> set[str]:
    """Every msgid the extractor finds in the code under `root` now."""
    found = extract_from_dir(str(root), method_map=_METHOD_MAP, keywords=KEYWORDS, comment_tags=())
    return {msg[0] if isinstance(msg, tuple) else msg for _file, _line, msg, _comments, _context in found}


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / "score.po"


def template_ids() -> set[str]:
    return {msgid_key(m) for m in read_catalogue(TEMPLATE) if m.id}


def missing_from_template() -> list[str]:
    return sorted(extract() - template_ids())


def _texts(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, list | tuple) else [message.string or ""]


def untranslated(lang: str) -> list[str]:
    """Template msgids with no translation in `lang` (absent, empty, or marked fuzzy)."""
    catalogue = read_catalogue(po_path(lang))
    out = []
    for msgid in sorted(template_ids()):
        message = catalogue.get(msgid)
        if message is None or message.fuzzy or not all(t.strip() for t in _texts(message)):
            out.append(msgid)
    return out


def placeholders(text: str) -> set[str]:
    """The {names} of a str.format template ("{n}", "{country}"); literal text and {{ }} ignored."""
    try:
        return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}
    except ValueError:  # an unbalanced brace: report it as a placeholder of its own, so it is checked
        return {"<unbalanced braces>"}


def placeholder_mismatches(lang: str) -> list[str]:
    """Translations whose {placeholders} differ from the msgid's: a name the msgid lacks would fail when the
    text is filled in, a name left out loses a value. A plural form may leave out `{n}` ("one error")."""
    out = []
    for message in read_catalogue(po_path(lang)):
        if not message.id or not message.string:
            continue
        ids = list(message.id) if isinstance(message.id, list | tuple) else [message.id]
        allowed = set().union(*(placeholders(i) for i in ids))
        required = placeholders(ids[0]) - ({"n"} if len(ids) > 1 else set())
        for text in _texts(message):
            found = placeholders(text)
            if text and (found - allowed or required - found):
                out.append(f"{ids[0]!r} -> {text!r}")
    return out


def compiled_differs(lang: str) -> list[str]:
    """Msgids whose compiled .mo translation is not the .po one (run `make i18n` to recompile)."""
    mo = LOCALES_DIR / lang / "LC_MESSAGES" / "score.mo"
    if not mo.exists():
        return ["<no compiled catalogue: run make i18n>"]
    with mo.open("rb") as handle:
        compiled = read_mo(handle)
    out = []
    for message in read_catalogue(po_path(lang)):
        if not message.id or message.fuzzy or not all(_texts(message)):
            continue  # not translated: gettext falls back to English, and the .mo leaves it out
        other = compiled.get(message.id)
        if other is None or _texts(other) != _texts(message):
            out.append(msgid_key(message))
    return out


_HTML_TAG = re.compile(r"</?[a-z]+>")


def markup_mismatches(lang: str) -> list[str]:
    """Translations whose HTML tags (<b>, <br>) differ from the msgid's (Plotly titles and annotations)."""
    out = []
    for message in read_catalogue(po_path(lang)):
        if not message.id or not message.string:
            continue
        wanted = sorted(_HTML_TAG.findall(msgid_key(message)))
        if any(sorted(_HTML_TAG.findall(t)) != wanted for t in _texts(message) if t):
            out.append(msgid_key(message))
    return out


def compile_catalogues(langs: tuple[str, ...] = TRANSLATED) -> None:
    """Write locales/<lang>/LC_MESSAGES/score.mo from the .po (fuzzy entries left out, so they show English).

    Not `pybabel compile`: its python-format check reads "% of enterprises" as a %-template and rejects
    "% des entreprises"; our messages are str.format templates, checked by `placeholder_mismatches`.
    """
    for lang in langs:
        catalogue = read_catalogue(po_path(lang))
        with (LOCALES_DIR / lang / "LC_MESSAGES" / "score.mo").open("wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)


def report() -> list[str]:
    problems = [f"not in locales/score.pot (run make i18n): {m!r}" for m in missing_from_template()]
    for lang in TRANSLATED:
        problems += [f"{lang}: untranslated or fuzzy: {m!r}" for m in untranslated(lang)]
        problems += [f"{lang}: placeholders differ: {m}" for m in placeholder_mismatches(lang)]
        problems += [f"{lang}: markup differs: {m!r}" for m in markup_mismatches(lang)]
        problems += [f"{lang}: .mo out of date (run make i18n): {m!r}" for m in compiled_differs(lang)]
    return problems


def main(argv: list[str]) -> int:
    if "--compile" in argv:
        compile_catalogues(tuple(a for a in argv if a in TRANSLATED) or TRANSLATED)
        return 0
    problems = report()
    out = io.StringIO()
    for line in problems:
        print(line, file=out)
    print(f"{len(problems)} catalogue problem(s)", file=out)
    sys.stdout.write(out.getvalue())
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
