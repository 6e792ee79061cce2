"""Values as the pages show them, without Streamlit: missing and hidden cells, formats, labels, reshaping."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from score.filters import YEAR_MAX, YEAR_MIN, Filters
from score.i18n import DEFAULT_LANGUAGE, _, current_language, fmt_date, fmt_int, fmt_number, fmt_pct

HIDDEN = "–"  # how a suppressed or missing value is shown, in tables and on bars
Kind = Literal["int", "pct", "signed_pct", "number", "text", "date"]


def missing(value: object) -> bool:
    """None, NaN or pandas NA: a value that is not there (suppressed or not applicable)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats, suppressed cells as NaN (suppression turns columns into objects)."""
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def suppressed_rows(frame: pd.DataFrame) -> pd.Series:
    """Boolean per row: hidden for this viewer (False everywhere when the query was not suppressed)."""
    if "suppressed" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["suppressed"].fillna(True).astype(bool)


def any_suppressed(frame: pd.DataFrame) -> bool:
    return bool(suppressed_rows(frame).any())


def hidden_or_empty(frame: pd.DataFrame) -> bool:
    """A protected result (it has the `suppressed` column) with a hidden row or no row at all: told as hidden, so
    that an empty view and one of 1-4 enterprises look the same to the public."""
    return "suppressed" in frame.columns and (frame.empty or any_suppressed(frame))


def is_suppressed(row: Mapping[str, object] | pd.Series) -> bool:
    """Whether a single-row result (e.g. overview_kpis) was suppressed for this viewer."""
    return bool(row.get("suppressed", False))


def cumulative(values: pd.Series) -> pd.Series:
    """Running total of yearly values, stopping at the first missing (suppressed) one: the line is built
    from the shown values only, so it can never reveal a hidden year."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float).reset_index(drop=True)
    running = numbers.cumsum()
    gaps = numbers.isna().to_numpy()
    if gaps.any():
        running.iloc[int(gaps.argmax()) :] = float("nan")
    running.index = values.index
    return running


def ordered(frame: pd.DataFrame, column: str, order: Sequence[str]) -> pd.DataFrame:
    """Rows sorted by the position of `column` in `order` (e.g. reference order); others last."""
    rank = {code: i for i, code in enumerate(order)}
    return frame.sort_values(column, key=lambda s: s.map(lambda v: rank.get(v, len(rank))), kind="stable").reset_index(
        drop=True
    )


def has_data(frame: pd.DataFrame, *columns: str) -> bool:
    """Whether any row has a non-zero count in one of `columns` (a hidden count counts as data)."""
    return any(bool((numeric(frame, column).fillna(1) > 0).any()) for column in columns if column in frame.columns)


def targets_apply(filters: Filters) -> bool:
    """Targets are set per country and phase: progress against them only means something when no sector,
    partner, module or joining-year filter narrows the actual figures."""
    return not (
        filters.sectors
        or filters.partners
        or filters.modules
        or filters.year_from != YEAR_MIN
        or filters.year_to != YEAR_MAX
    )


def default_country(by_country: pd.DataFrame, own: Sequence[str], codes: Sequence[str]) -> str:
    """The country a profile opens on: the viewer's own country (country staff) when it has enterprises under
    the filters, else the country with the most enterprises under them (`by_country`: country, enterprises),
    else the first code. So it never opens on a country the filters leave empty."""
    shown = by_country[~suppressed_rows(by_country)].assign(n=lambda f: numeric(f, "enterprises").fillna(0))
    with_data = shown[shown["n"] > 0].sort_values(["n", "country"], ascending=[False, True])
    ranked = [code for code in with_data["country"] if code in codes]
    for code in sorted(own):
        if code in ranked:
            return code
    return ranked[0] if ranked else codes[0]


def size_class_names() -> dict[str, str]:
    """Size class code (score/sql/schema.sql's size_class table) -> its name in the reader's language."""
    return {"micro": _("Micro"), "small": _("Small"), "medium": _("Medium"), "large": _("Large")}


def size_class_name(code: str) -> str:
    return size_class_names().get(code, code)


def size_class_label(code: str, min_workers: object, max_workers: object) -> str:
    """'Small (10–49 workers)' for a row of enterprises_by_size (bounds from the size_class table)."""
    name = size_class_name(code)
    if missing(max_workers):
        return _("{name} ({low}+ workers)", name=name, low=fmt_int(min_workers))
    return _("{name} ({low}–{high} workers)", name=name, low=fmt_int(min_workers), high=fmt_int(max_workers))


def sex_labels() -> dict[str, str]:
    return {"female": _("Women"), "male": _("Men")}


def role_labels() -> dict[str, str]:
    return {"managers": _("Managers"), "workers": _("Workers")}


def format_value(value: object, kind: Kind = "int", decimals: int = 1) -> str:
    """One value as shown to people (locale separators; "–" when missing or suppressed)."""
    if missing(value):
        return HIDDEN
    if kind == "pct":
        return fmt_pct(value)
    if kind == "signed_pct":
        return fmt_pct(value, decimals=1, signed=True)
    if kind == "number":
        return fmt_number(value, decimals)
    if kind == "date":
        return fmt_date(value)  # type: ignore[arg-type]
    if kind == "text":
        return str(value)
    return fmt_int(value)


def pivot_wide(frame: pd.DataFrame, index: str, columns: str, values: str, order: Sequence[str]) -> pd.DataFrame:
    """Long -> wide for stacked bars (e.g. country x module deliveries): absent combinations are 0, hidden
    (suppressed) cells stay missing; `index` keeps its first-seen order, the columns follow `order`."""
    if frame.empty:
        return pd.DataFrame(columns=[index, *order])
    cells: dict[tuple[object, object], float] = {}
    for row, column, value in zip(frame[index], frame[columns], numeric(frame, values), strict=True):
        cells.setdefault((row, column), value)  # the first value of a combination (NaN: hidden)
    rows = list(dict.fromkeys(frame[index]))
    present = set(frame[columns])
    wide = {column: [cells.get((row, column), 0.0) for row in rows] for column in order if column in present}
    return pd.DataFrame({index: rows, **wide}, columns=[index, *wide])


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# GitHub-flavoured Markdown also links bare addresses after parsing, escapes or not (remark-gfm's autolink
# literals: http://, https://, www., name@host): a WORD JOINER (U+2060, invisible) breaks each pattern.
_AUTOLINK = re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def markdown_text(text: str) -> str:
    """`text` as it reads, for a place that renders Markdown (st.markdown, st.caption, st.table cells): uploaded
    text holding [link](url), ![image](url), **bold** or a bare https://address stays text, never a link or image."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))


def quoted(text: object) -> str:
    """A name someone typed or uploaded (a file name, a comment), in quotes inside a line of the app's own words:
    "x.csv · published · version 12" reads as one name, not as an outcome. The quotes are the reader's language's
    (`QUOTES`: « x.csv » in French). A quote mark, a backslash or an invisible or line-breaking character inside
    the name is written escaped (\\", \\», \\u2028), so it cannot close the quotes or break the line."""
    opening, closing = QUOTES.get(current_language(), QUOTES[DEFAULT_LANGUAGE])
    escapes = {mark: "\\" + mark for mark in (opening.strip(), closing.strip(), "\\")}
    return opening + "".join(escapes.get(char) or _escaped(char) for char in str(text)) + closing


# The quotes around a name in each language. French: guillemets with no-break spaces inside (« x.csv »), as its
# typography and this catalogue's sentences write them. Spanish: angle quotes, close («x.csv»): the first choice of
# the Ortografía of the Spanish academies (Latin America's included), the quotes of this catalogue's Spanish sentences
# (locales/GLOSSARY.md), and unlike the English “ ” that Latin American press also uses, not the quotes uploaded
# company names often hold ("El Río" Textiles), so where a name ends stays plain.
QUOTES = {"en": ('"', '"'), "fr": ("«\u00a0", "\u00a0»"), "es": ("«", "»")}


def _escaped(char: str) -> str:
    return f"\\u{ord(char):04x}" if unicodedata.category(char)[0] in "CZ" and char != " " else char


# A number as fmt_* writes it in any language (1,406; 1 406; 1.406; −18.4 %; +3,5 %), or the dash of a hidden cell;
# or a change from one to another ("0 → 213", the upload history's figures before and after).
_NUMBER = r"(?:[+\-\u2212]?\d[\d.,\s\u00a0\u202f]*%?|" + HIDDEN + ")"
_SHOWN_NUMBER = re.compile(rf"{_NUMBER}(?:\s*\u2192\s*{_NUMBER})?")


def shown_number(text: object) -> bool:
    """Whether a cell's text is a number as fmt_* writes it (or the dash of a hidden cell, or "a → b")."""
    return bool(_SHOWN_NUMBER.fullmatch(str(text).strip()))


def number_column(cells: Sequence[object]) -> bool:
    """Whether a column's shown cells are all numbers (`shown_number`), one at least not hidden: a table
    right-aligns it, so digits line up."""
    shown = [str(v).strip() for v in cells if not missing(v) and str(v).strip()]
    return any(c != HIDDEN for c in shown) and all(shown_number(c) for c in shown)


def number_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a display table that hold numbers: typed numbers, or text every cell of which is a number as
    fmt_* writes it (or the dash of a hidden cell), one at least. A table right-aligns them, so digits line up."""
    found = []
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            found.append(column)
            continue
        if number_column(list(values)):
            found.append(column)
    return found


def as_plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and index read as typed where Streamlit renders Markdown (st.table). Headings are
    the app's own words, left as they are."""
    out = frame.copy()
    escape = lambda value: markdown_text(value) if isinstance(value, str) else value  # noqa: E731
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape)
    out.index = out.index.map(escape)
    return out
