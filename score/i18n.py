"""One translation function and one formatting module for every user-facing string and number.

Strings go through `_()` (gettext style, catalogues in locales/<lang>/LC_MESSAGES/score.mo when they
exist; English is the source language). Numbers, percentages and dates go through `fmt_*`, which use
Babel so that French gets "54 000" and Spanish "54.000" without touching any page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import gettext
import math
import re
import string
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from typing import Any

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from score import contract
from score.config import REPO_ROOT

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
DEFAULT_LANGUAGE = "en"
_LOCALES = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}
_current_language: ContextVar[str] = ContextVar("score_language", default=DEFAULT_LANGUAGE)


def language_code(value: object) -> str | None:
    """A supported language code from a URL value or a browser locale ("fr", "es-CO", "FR_fr"), else None."""
    if not isinstance(value, str):
        return None
    code = value.strip()[:2].casefold()
    return code if code in LANGUAGES else None


def set_language(language: str) -> None:
    """Set the language for this thread/session (Streamlit runs each session in its own thread)."""
    _current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current_language.get()


@contextlib.contextmanager
def using_language(language: str) -> Iterator[None]:
    """Run a block in `language`, then give the caller's back (a file made outside the viewer's session, e.g.
    a report built when its download button is clicked)."""
    token = _current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current_language.reset(token)


@cache
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation("score", localedir=str(REPO_ROOT / "locales"), languages=[language], fallback=True)


def _(message: str, **values: object) -> str:
    """Translate `message` and fill `{placeholders}` from keyword arguments."""
    text = _translations(current_language()).gettext(message)
    return _filled(text, values) if values else text


_PLACE_FORM = re.compile(r"\{\w+:[^{}]+\}")


def _filled(text: str, values: Mapping[str, object]) -> str:
    """`text` with its placeholders filled; a translation may ask for a country's form (`{country:de}`, below)."""
    return _SENTENCE.vformat(text, (), values) if _PLACE_FORM.search(text) else text.format(**values)


class _Sentence(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec and isinstance(value, str):
            return place_form(value, format_spec)
        return super().format_field(value, format_spec)


_SENTENCE = _Sentence()

# How a preposition and an article merge (French "de le Pérou" -> "du Pérou"; Spanish "de el" -> "del"), and the
# French "en", which drops the feminine article ("en Colombie") and is "au" before a masculine one ("au Pérou").
_MERGED = {
    "fr": {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux", ("en", "le"): "au"}
    | {("en", "les"): "aux", ("en", "la"): "en", ("en", "l'"): "en"},
    "es": {("de", "el"): "del", ("a", "el"): "al"},
}
# Prepositions said again before each name of a list ("de la Colombie, du Pérou"); others once ("pour la Colombie,
# le Pérou").
_REPEATED = {"fr": {"de", "à", "en"}, "es": {"de", "a"}}
_ARTICLE_SPECS = {"le", "Le", "el", "El"}


def place_form(name: str, spec: str) -> str:
    """A country's name as a sentence in the reader's language needs it after `spec`, a translation's format spec:
    a preposition (`{country:de}` -> "de la Colombie", "du Pérou", "de l'Inde"; `{country:en}` -> "en Colombie",
    "au Ghana"; `{country:pour}` -> "pour la Colombie") or the article alone (`{country:le}` -> "le Pérou",
    `{country:Le}` at a sentence's start -> "Le Pérou"). The article of each country is in data/reference/countries.csv
    (`article_fr`, `article_es`: the one home for country names). A list of names ("Colombie, Pérou") takes each its
    article; a name not in the table (or a list holding one) keeps the preposition alone."""
    language = current_language()
    articles = _articles(language)
    names = name.split(", ")
    if not all(part in articles for part in names):
        return _with_article(name, "", spec, language, first=True)
    formed = [_with_article(part, articles[part], spec, language, first=i == 0) for i, part in enumerate(names)]
    return ", ".join(formed)


def _with_article(name: str, article: str, spec: str, language: str, first: bool) -> str:
    with_article = f"{article}{name}" if article.endswith("'") else f"{article} {name}".strip()
    if spec in _ARTICLE_SPECS:
        return with_article[:1].upper() + with_article[1:] if spec[:1].isupper() and first else with_article
    if not first and spec not in _REPEATED.get(language, set()):
        return with_article
    merged = _MERGED.get(language, {}).get((spec, article))
    if merged is not None:
        return f"{merged} {name}"
    if spec == "de" and language == "fr" and not article and name[:1].casefold() in "aeiouyéèêâîôûh":
        return f"d'{name}"
    return f"{spec}{with_article}" if spec.endswith("'") else f"{spec} {with_article}"


@cache
def _articles(language: str) -> dict[str, str]:
    """A country's name in `language` -> its article there ("" for none)."""
    rows = contract.reference_rows("countries.csv")
    return {row.get(f"name_{language}") or row["name_en"]: row.get(f"article_{language}", "") for row in rows}


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark, do not translate")
    """Mark a constant for the catalogue without translating it yet (it is passed to `_()` later, e.g. a
    unit read from a reference file or a code list defined at import time)."""
    return message


def ngettext(singular: str, plural: str, n: Any, /, **values: object) -> str:
    """Translate a message whose form depends on the count `n` ("1 error" / "18 errors").

    `{n}` is always available as a placeholder, written with the language's grouping ("1 234" in French);
    a keyword `n=` shows something else there. Other `{placeholders}` come from keyword arguments. A count read
    from a result may be a float (rounded, as fmt_int shows it) or missing (hidden: "– women" takes the plural).
    """
    count = 2 if _missing(n) else round(float(n))
    text = _translations(current_language()).ngettext(singular, plural, count)
    return _filled(text, {"n": fmt_int(n), **values})


def label(row: dict[str, str], language: str | None = None) -> str:
    """The name of a reference row (sector, module, country ...) in the current language."""
    lang = language or current_language()
    return row.get(f"name_{lang}") or row.get("name_en") or row.get("code", "")


def _locale() -> str:
    return _LOCALES[current_language()]


def language_tag() -> str:
    """The current language's locale as a document's language tag ("fr-FR"): decks tag their text and charts
    with it, so PowerPoint checks spelling and reads numbers as French, not as its own en-US default."""
    return _locale().replace("_", "-")


def percent_format(decimals: int = 0) -> str:
    """A spreadsheet number format for a value in percent (47 for 47 %), written the language's way: `0"%"`
    in English, `0" %"` (a narrow no-break space) in French and Spanish, as fmt_pct writes it."""
    return "0" + ("." + "0" * decimals if decimals else "") + '"' + percent_suffix() + '"'


def percent_suffix() -> str:
    """What follows the digits of a percentage in the current language ("%" in English, a no-break space and
    "%" in French and Spanish): a chart axis's tick suffix, so ticks read as the printed values do."""
    return _percent_pattern(_locale()).split("0")[-1]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@cache
def _number_format(locale: str, pattern: str) -> tuple[babel_numbers.NumberPattern, Locale]:
    """A parsed Babel pattern and locale: what babel's format_decimal/format_percent parse again on every call
    (three quarters of their time; a page formats hundreds of numbers per rerun)."""
    return babel_numbers.parse_pattern(pattern), Locale.parse(locale)


def _formatted(number: float, pattern: str) -> str:
    """`number` with a Babel pattern in the current locale (as babel.numbers.format_decimal/_percent do), its sign
    the true minus "−" (U+2212), as Plotly writes its axes' negative ticks: a table cell "-18.4%" beside a chart
    reading "−18.4%" looked like two different signs. A half rounds away from zero (308.5 -> 309, 12.25 -> 12.3),
    as Plotly's bar labels, Excel's number formats and people do: Babel's default (half to even) wrote 308 in a
    chart's table and text beside the bar labelled 309."""
    parsed, locale = _number_format(_locale(), pattern)
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return parsed.apply(number, locale).replace("-", MINUS)


MINUS = "\u2212"  # the sign of every negative number fmt_* writes


def fmt_int(value: Any) -> str:
    """Whole number with the locale's thousands separator; a dash for missing or suppressed."""
    if _missing(value):
        return "–"
    number = float(value)
    return _formatted(0.0 if abs(number) < 0.5 else number, "#,##0")  # never "-0"


def fmt_number(value: Any, decimals: int = 1) -> str:
    if _missing(value):
        return "–"
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    return _formatted(float(value), pattern)


def fmt_bound(value: float) -> str:
    """A limit as a rule states it ("allowed: 0 to 1 000 000"): a whole number without decimals, any other with
    the decimals it has, in the reader's language."""
    number = float(value)
    if number.is_integer():
        return fmt_int(number)
    digits = repr(number)
    return fmt_number(number, len(digits.split(".", 1)[1]) if "." in digits and "e" not in digits else 2)


def fmt_pct(value: Any, decimals: int = 0, signed: bool = False) -> str:
    """`value` is a percentage (e.g. 16.2 for 16.2 %), written the locale's way ("16%", "16 %")."""
    if _missing(value):
        return "–"
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    pattern = _percent_pattern(_locale()).replace("#,##0", digits)
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return _formatted(float(value) / 100, pattern)


@cache
def _percent_pattern(locale: str) -> str:
    """The locale's percent pattern for one sign ("#,##0%" in English, "#,##0 %" in French and Spanish)."""
    return Locale.parse(locale).percent_formats[None].pattern.split(";")[0]


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "–"
    return babel_dates.format_date(value, format="medium", locale=_locale())


def fmt_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return "–"
    return babel_dates.format_datetime(value, format="medium", locale=_locale())


# A grid's date column (Streamlit's DateColumn: a moment.js pattern drawn by the browser, which knows no month names
# but English): day first where the language writes it so, ISO in English (HQ's working language, sorted as read).
_GRID_DATE_FORMATS = {"en": "YYYY-MM-DD", "fr": "DD/MM/YYYY", "es": "DD/MM/YYYY"}


def grid_date_format() -> str:
    """The pattern of a date column in a grid, in the current language."""
    return _GRID_DATE_FORMATS.get(current_language(), "YYYY-MM-DD")


def fmt_moment(value: dt.datetime, zone: str | None) -> str:
    """A moment (aware, or naive in UTC as the stores write them) in the reader's time zone and language, the zone's
    offset named: staff in Bogotá read their own clock time. `zone` is the browser's IANA name (st.context.timezone);
    an unknown or missing one gives UTC, said so."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    try:
        where = ZoneInfo(zone) if zone else None
    except (ZoneInfoNotFoundError, ValueError):  # not a zone name (the browser sends it: never trusted)
        where = None
    if where is None:
        return f"{babel_dates.format_datetime(moment, format='medium', tzinfo=dt.UTC, locale=_locale())} UTC"
    local = moment.astimezone(where)
    offset = babel_dates.get_timezone_gmt(local, width="long", locale=_locale())
    return f"{babel_dates.format_datetime(local, format='medium', tzinfo=where, locale=_locale())} ({offset})"


def plot_separators() -> str:
    """Plotly's `separators` layout value (decimal symbol, then thousands symbol) for the current language."""
    return babel_numbers.get_decimal_symbol(_locale()) + babel_numbers.get_group_symbol(_locale())
