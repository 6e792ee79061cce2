"""Converting each column as score.contract says: text, codes (with suggestions), numbers (decimal marks,
thousands groups, ranges) and dates."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from score import contract
from score.contract import Column
from score.formulas import restore_text
from score.frames import fullmatch, map_distinct
from score.i18n import _, fmt_bound, fmt_int, label, ngettext
from score.ingest.columns import without_percent_sign
from score.ingest.names import _ascii_fold, _code_aliases, _norm_code
from score.ingest.report import ERROR, MAX_ISSUES_PER_RULE, WARNING, IssueCollector, _Source
from score.labels import column_called
from score.templates import EXAMPLE_SUFFIX

_DTYPES = {"text": "string", "code": "string", "int": "Int64", "float": "Float64", "date": "datetime64[ns]"}
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


# --------------------------------------------------------------------------------------------
# Converting columns
# --------------------------------------------------------------------------------------------


def _empty_typed(col: Column, index: pd.Index) -> pd.Series:
    if col.dtype == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.Series(pd.NA, index=index, dtype=_DTYPES[col.dtype])


def _type_source(src: _Source, issues: IssueCollector, country: str) -> pd.DataFrame:
    out: dict[str, pd.Series] = {}
    index = src.frame.index
    for col in src.table.columns:
        if col.name not in src.frame.columns:
            out[col.name] = _empty_typed(col, index)
            continue
        text = src.frame[col.name]  # stripped when read
        present = text.ne("")
        if not col.nullable and not present.all():
            issues.add_rows(
                ERROR,
                src,
                col.name,
                ~present,
                None,
                _("The cell is empty, but {column} is required.", column=column_called(col)),
                _(
                    "Fill in {column} ({description}), e.g. {example}.",
                    column=col.name,
                    description=_(col.description),
                    example=_example(col, country),
                ),
            )
        if col.name == "value" and "indicator" in out:
            text = _yes_no_answers(out["indicator"], text)
        convert = {
            "text": _convert_text,
            "code": _convert_code,
            "int": _convert_number,
            "float": _convert_number,
            "date": _convert_date,
        }[col.dtype]
        out[col.name] = convert(src, col, text, present, issues, country)
    return pd.DataFrame(out, index=index)


# A yes/no answer kept as a checkbox or a TRUE/FALSE cell: a workbook's boolean reads "TRUE"/"FALSE" and Excel's CSV
# writes the word in its own language (VRAI/FAUX, VERDADERO/FALSO); people write yes/no, oui/non, sí/no.
_YES_NO_WORDS = {
    **dict.fromkeys(("true", "vrai", "verdadero", "yes", "oui", "si"), "1"),
    **dict.fromkeys(("false", "faux", "falso", "no", "non"), "0"),
}


def indicators_of_kind(indicator: pd.Series, kind: str) -> np.ndarray:
    """Where `indicator` is a known indicator of `kind` ("share", "change": data/reference/indicators.csv), as a bool
    array; looked up once per distinct code (a comparison of the per-row kinds as Python objects cost ~0.1 s a
    million rows)."""
    codes, distinct = pd.factorize(indicator)
    known = set(contract.code_list("indicator"))
    matches = [code in known and contract.indicator_kind(code) == kind for code in distinct.tolist()]
    return np.array([*matches, False], dtype=bool)[codes]  # code -1 (a missing indicator): the last, False


def _yes_no_answers(indicator: pd.Series, text: pd.Series) -> pd.Series:
    """The value text with a yes/no indicator's answer written as a word (_YES_NO_WORDS) as 1 or 0. Only for the
    indicators whose kind is "share": a measured value written TRUE stays a value to correct."""
    share = indicators_of_kind(indicator, "share")
    if not share.any():
        return text
    words = text[share]
    answers = map_distinct(words, {w: _YES_NO_WORDS.get(_ascii_fold(w)) for w in words.unique() if isinstance(w, str)})
    answered = answers.notna()
    if not answered.any():
        return text
    out = text.copy()
    out[answers.index[answered]] = answers[answered]
    return out


def _example(col: Column, country: str) -> str:
    if col.example.startswith("COL-") and country:
        return country + col.example[3:]
    return col.example


# Characters an id is typed with that look like its own (Word's and Outlook's en dash, a no-break hyphen, a minus
# sign; a Chinese input method's full-width letters, digits and dash, which NFKC makes plain first): "no row
# COL–0001 in enterprises" would name an id the reader sees in that file.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63", "-"))


def _plain_ids(text: pd.Series) -> pd.Series:
    """Enterprise ids as the plain characters they show (_DASHES); ids already plain ASCII are left as they are."""
    # Arrow's ASCII check (a regex for a non-ASCII character cost ~9x as much over a million ids)
    odd = ~text.str.isascii().to_numpy(dtype=bool, na_value=True) & text.notna().to_numpy(dtype=bool)
    if not odd.any():
        return text
    return text.where(~odd, text[odd].str.normalize("NFKC").str.translate(_DASHES))


def _convert_text(
    src: _Source, col: Column, text: pd.Series, present: pd.Series, issues: IssueCollector, country: str
) -> pd.Series:
    if col.name == "enterprise_id":
        text = _plain_ids(text)
    if col.pattern:
        bad = present & ~text.str.fullmatch(col.pattern)
        if bad.any():
            if col.pattern == contract.ENTERPRISE_ID_PATTERN:
                fix = _(
                    "Write the country's ISO3 code in capitals, a dash, then up "
                    "to 12 letters or digits, e.g. {example}.",
                    example=_example(col, country),
                )
            else:
                fix = _("Write it like {example} (pattern {pattern}).", example=col.example, pattern=col.pattern)
            issues.add_rows(
                ERROR,
                src,
                col.name,
                bad,
                text,
                _("'{column}' does not have the required form.", column=column_called(col)),
                fix,
            )
    if col.name == "enterprise_id":
        example = present & text.str.upper().str.endswith("-" + EXAMPLE_SUFFIX)
        issues.add_rows(
            ERROR,
            src,
            col.name,
            example,
            text,
            _("This is the example row of the template, not an enterprise."),
            _("Delete the example row, or replace it with a real enterprise and its own id."),
        )
    if col.max_length:
        lengths = text.str.len()
        long = present & lengths.gt(col.max_length)
        if long.any():
            issues.add_rows(
                ERROR,
                src,
                col.name,
                long,
                text,
                [
                    _(
                        "This text has {length} characters; {column} holds at most {limit}.",
                        length=fmt_int(n),
                        column=column_called(col),
                        limit=fmt_int(col.max_length),
                    )
                    for n in lengths[long].iloc[:MAX_ISSUES_PER_RULE].tolist()
                ],
                _(
                    "Shorten it to at most {limit} characters; check that the cell holds only the {column} "
                    "(a whole row or a paragraph pasted into one cell is a common slip).",
                    limit=fmt_int(col.max_length),
                    column=col.name,
                ),
            )
    # An apostrophe before =, +, -, @ is Excel's mark for "text, not a formula", written by our own downloads
    # (score.formulas): removed again so that a downloaded file uploads unchanged.
    marked = text.str.contains("'", regex=False)
    if marked.any():  # the regex runs value by value in Python: only when it can match
        text = text.where(~marked, text[marked].map(restore_text))
    return text.where(present).astype("string")


def _code_words(code_list: str) -> dict[str, str]:
    """Loosely written words -> code: the codes, their names in every language, common synonyms."""
    words: dict[str, str] = {}
    for word, code in contract.code_words(code_list):
        words.setdefault(_norm_words(word), code)
    return words


def _norm_words(text: str) -> str:
    """'Seguridad y Salud  en el trabajo' -> 'seguridad y salud en el trabajo' (accents, case, punctuation)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", _ascii_fold(text)).split())


def suggest_code(value: str, code_list: str) -> str | None:
    """The code someone probably meant by `value` (a typo, a name in EN/FR/ES, a synonym), or None."""
    words = _code_words(code_list)
    target = _norm_words(value)
    if not target:
        return None
    if target in words:
        return words[target]
    squashed = {w.replace(" ", ""): c for w, c in words.items()}
    if target.replace(" ", "") in squashed:  # "follow up" -> follow_up, "agroprocessing"
        return squashed[target.replace(" ", "")]
    close = difflib.get_close_matches(target, list(words), n=1, cutoff=0.75)
    if close:
        return words[close[0]]
    if len(target) >= 4:  # "seguridad y salud" is the start of "seguridad y salud en el trabajo"
        starts = {c for w, c in words.items() if w.startswith(target + " ") or target.startswith(w + " ")}
        if len(starts) == 1:
            return starts.pop()
    return None


def _code_label(code_list: str, code: str) -> str:
    """The code's name in the current language, when its reference file has names."""
    file_name = contract.code_file(code_list)
    row = next((r for r in contract.reference_rows(file_name) if r["code"] == code), None) if file_name else None
    return label(row) if row else ""


def _convert_code(
    src: _Source, col: Column, text: pd.Series, present: pd.Series, issues: IssueCollector, country: str
) -> pd.Series:
    assert col.codes is not None
    aliases = _code_aliases(col.codes)
    codes = contract.code_list(col.codes)
    mapping = {value: aliases.get(_norm_code(value)) for value in text[present].unique().tolist()}
    canonical = map_distinct(text, mapping, dtype="string").where(present)
    unknown = present & canonical.isna()
    if unknown.any():
        allowed = ", ".join(codes)

        def fix(value: str, n: int) -> str:
            code = suggest_code(value, col.codes or "")
            if code is None:
                return _("Use one of the codes: {codes}.", codes=allowed)
            name = _code_label(col.codes or "", code)
            if name and _norm_words(name) != _norm_words(code):
                return _(
                    "Did you mean {code} ({name})? Write the code {code}. Allowed codes: {codes}.",
                    code=code,
                    name=name,
                    codes=allowed,
                )
            return _("Did you mean {code}? Allowed codes: {codes}.", code=code, codes=allowed)

        issues.add_groups(
            ERROR,
            src,
            col.name,
            text,
            unknown,
            lambda value, n: ngettext(
                "Unknown code for {column} ({n} row).",
                "Unknown code for {column} ({n} rows).",
                n,
                column=column_called(col),
            ),
            fix,
        )
    return canonical


# ---- numbers -------------------------------------------------------------------------------

_GROUPED_SPACES = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?")
_GROUPED = re.compile(r"([1-9]\d{0,2}(?:([.,])\d{3})+)(?:([.,])(\d+))?")
_DECIMAL = re.compile(r"(\d*)[.,](\d+)")
_SCIENTIFIC = re.compile(r"(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_OK, _INVALID, _AMBIGUOUS = 0, 1, 2


def _parse_number_text(
    text: str, decimal: str | None, accept: Callable[[float], bool] | None = None
) -> tuple[float | None, int]:
    """One number written by a person: '1 234', '1.234,5', '6,2442', '1,234' ... -> (value, status).

    `decimal` is the file's decimal mark ("." or ",") or None when unknown. Then "1.234" is ambiguous,
    unless `accept` (the column's range, whole numbers for counts) admits only one of its two readings:
    a latitude "6.244" cannot be 6244, a headcount "1.234" cannot be 1.234.
    """
    s = text.replace("\u2212", "-")
    if s[:1] == "'":  # Excel's mark of a number kept as text ('0045), copied into a CSV with the number
        s = s[1:]
    if s[:1] == "(" and s[-1:] == ")":  # an accounting format's negative, (12): read, then checked as -12
        s = "-" + s[1:-1].strip()
    if _GROUPED_SPACES.fullmatch(s):
        s = re.sub(r"[ \u00a0\u202f']", "", s)
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = s[0], s[1:]
    if s.isascii() and s.isdigit():
        return float(sign + s), _OK
    if _SCIENTIFIC.fullmatch(s):
        return float(sign + s), _OK
    grouped = _GROUPED.fullmatch(s)
    if grouped and grouped.group(3) != grouped.group(2):
        digits, group_mark, decimal_mark, fraction = grouped.groups()
        if decimal_mark is None and digits.count(group_mark) == 1:  # "1.234": 1234 or 1.234?
            as_decimal = float(sign + digits.replace(group_mark, "."))
            as_thousands = float(sign + digits.replace(group_mark, ""))
            if decimal is not None:
                # The file's mark decides, unless the column admits only the other reading: a ";" file from Excel
                # in Swiss or Mexican settings writes a point decimal ("6.244", a latitude that cannot be 6244).
                taken, other = (as_decimal, as_thousands) if decimal == group_mark else (as_thousands, as_decimal)
                if accept is not None and not accept(taken) and accept(other):
                    return other, _OK
                return taken, _OK
            valid = [r for r in (as_decimal, as_thousands) if accept is not None and accept(r)]
            return (valid[0], _OK) if len(valid) == 1 else (None, _AMBIGUOUS)
        return float(f"{sign}{digits.replace(group_mark, '')}.{fraction or 0}"), _OK
    plain = _DECIMAL.fullmatch(s)
    if plain and s.isascii():
        return float(f"{sign}{plain.group(1) or 0}.{plain.group(2)}"), _OK
    return None, _INVALID


# What Excel and LibreOffice show in a cell whose formula failed (saved as the cell's value, read as its text)
EXCEL_ERROR = r"#(?:N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)"


def _parse_numbers(
    text: pd.Series, present: pd.Series, decimal: str | None, accept: Callable[[float], bool] | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised, once per distinct value: plain numbers in bulk, the rest one at a time."""
    positions = np.flatnonzero(np.asarray(present, dtype=bool))
    codes, distinct = pd.factorize(text.iloc[positions])
    t = pd.Series(distinct)
    values, invalid, ambiguous = np.full(len(t), np.nan), np.zeros(len(t), bool), np.zeros(len(t), bool)
    if len(t):
        fraction = {".": r"(?:\.\d+)?", ",": r"(?:,\d+)?", None: ""}[decimal]
        simple = fullmatch(t, r"[+-]?\d+" + fraction)
        if decimal is not None:  # "1.234" may also read as one thousands group: the column decides, one at a time
            simple = simple & ~fullmatch(t, r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
        plain = t[simple]
        if decimal == ",":
            plain = plain.str.replace(",", ".", regex=False)
        values[simple] = plain.astype("float64").to_numpy()  # the pattern guarantees a valid number
        for k in np.flatnonzero(~simple):
            value, status = _parse_number_text(t.iat[k], decimal, accept)
            values[k] = np.nan if value is None else value
            invalid[k], ambiguous[k] = status == _INVALID, status == _AMBIGUOUS
        invalid |= ~invalid & ~ambiguous & ~np.isfinite(values)

    def spread(per_distinct: np.ndarray, fill: object) -> pd.Series:
        out = np.full(len(text), fill, dtype=per_distinct.dtype)
        out[positions] = per_distinct[codes]
        return pd.Series(out, index=text.index)

    return spread(values, np.nan), spread(invalid, False), spread(ambiguous, False)


def _fmt(number: float) -> str:
    return fmt_bound(number)


def _convert_number(
    src: _Source, col: Column, text: pd.Series, present: pd.Series, issues: IssueCollector, country: str
) -> pd.Series:
    whole = col.dtype == "int"
    low = -np.inf if col.minimum is None else col.minimum
    high = np.inf if col.maximum is None else col.maximum

    def accept(value: float) -> bool:
        return low <= value <= high and (not whole or value.is_integer())

    parsed, invalid_rows, ambiguous_rows = _parse_numbers(without_percent_sign(col, text), present, src.decimal, accept)
    # The masks as NumPy arrays and a rule's rows looked up only when some row fails it: a Series operation per rule
    # and column was most of a small upload's validation.
    values, invalid, ambiguous = parsed.to_numpy(), invalid_rows.to_numpy(), ambiguous_rows.to_numpy()
    rows = text.index
    empty_hint = (" " + _("Leave the cell empty if the value is unknown.")) if col.nullable else ""
    if invalid.any():
        spreadsheet_error = invalid & text.str.fullmatch(EXCEL_ERROR).fillna(False).to_numpy(dtype=bool)
        issues.add_rows(
            ERROR,
            src,
            col.name,
            rows[spreadsheet_error],
            text,
            _("The cell shows a spreadsheet error instead of a number (its formula failed)."),
            _("Correct the formula or type the number in the spreadsheet.") + empty_hint,
        )
        invalid = invalid & ~spreadsheet_error
        issues.add_rows(
            ERROR,
            src,
            col.name,
            rows[invalid],
            text,
            _("This is not a number.") if not whole else _("This is not a whole number."),
            _("Write a number like {example}, without units or text.", example=col.example) + empty_hint,
        )
    if ambiguous.any():
        issues.add_rows(
            ERROR,
            src,
            col.name,
            rows[ambiguous],
            text,
            _("This number is ambiguous: the separator could be a decimal mark or a thousands separator."),
            _("Write numbers without thousands separators, with a decimal point (e.g. 1234 or 1.5)."),
        )
    ok = present.to_numpy(dtype=bool) & ~invalid & ~ambiguous
    if whole:
        fractional = ok & (values % 1 != 0)
        if fractional.any():
            issues.add_rows(
                ERROR,
                src,
                col.name,
                rows[fractional],
                text,
                _("{column} must be a whole number.", column=column_called(col)),
                _(
                    "Write a whole number without decimals or thousands separators, e.g. {example}.",
                    example=col.example,
                ),
            )
            ok &= ~fractional
    _check_range(src, col, values, ok, text, issues)
    kept = np.where(ok, values, np.nan)
    if whole:
        # A value beyond int64 (1e20 in a count) is already reported by the range check and cannot be held.
        return pd.Series(np.round(np.where(np.abs(kept) < 2**62, kept, np.nan)), index=rows).astype("Int64")
    return pd.Series(kept, index=rows).astype("Float64")


def _check_range(
    src: _Source, col: Column, values: np.ndarray, ok: np.ndarray, text: pd.Series, issues: IssueCollector
) -> None:
    low, high = col.minimum, col.maximum
    if low is not None:
        below = ok & (values < low)
        if below.any():
            if low == 0:
                problem = _("{column} cannot be negative.", column=column_called(col))
            else:
                problem = _("{column} must be at least {minimum}.", column=column_called(col), minimum=_fmt(low))
            issues.add_rows(
                ERROR,
                src,
                col.name,
                text.index[below],
                text,
                problem,
                _("Correct the value; allowed: {low} to {high}.", low=_fmt(low), high=_fmt(high or 0)),
            )
    if high is not None:
        above = ok & (values > high)
        if above.any():
            issues.add_rows(
                ERROR,
                src,
                col.name,
                text.index[above],
                text,
                _("{column} must be at most {maximum}.", column=column_called(col), maximum=_fmt(high)),
                _("Correct the value; allowed: {low} to {high}.", low=_fmt(low or 0), high=_fmt(high)),
            )
    if col.percentage:
        kept = values[ok]
        if len(kept) and kept.max() <= 1 and (kept % 1 != 0).any():
            issues.add(
                WARNING,
                src.file,
                _(
                    "All values of {column} are between 0 and 1: they look like "
                    "fractions, but it is a percentage (0-100).",
                    column=column_called(col),
                ),
                _("Multiply by 100 (0.88 -> 88), or format the cells as numbers instead of percentages."),
                sheet=src.sheet,
                column=col.name,
            )


# ---- dates ---------------------------------------------------------------------------------

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_CHINESE_DATE = re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日" + _TIME)  # Chinese Excel's long date
# Day, month and year, or month, day and year (`_Source.month_first`); a two-digit year is 20YY, the only century
# SCORE's dates can be in (from contract.EARLIEST_DATE to today): "19/5/09" as a "d/m/yy" cell shows it.
_DMY_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME)
_SERIAL = re.compile(r"\d{5}(?:\.0+)?")
# A month by name, as Excel shows a date formatted "d-mmm-yyyy" or "d mmmm yyyy" in English, French, Spanish or
# Portuguese ("15-Mar-2024", "15 mars 2024", "15 de marzo de 2024", "15/out/2024"), in Indonesian ("15-Agu-2024"), or
# "March 15, 2024"; names compared without accents.
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:er)?[ \-/.]+(?:de )?([^\W\d_]+)\.?[ \-/.,]+(?:de )?(\d{4}|\d{2})" + _TIME)
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.? (\d{1,2}),? (\d{4}|\d{2})" + _TIME)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan january janv janvier ene enero januari janeiro",
            "feb february fev fevr fevrier febrero februari fevereiro",
            "mar march mars marzo maret marco",
            "apr april avr avril abr abril",
            "may mai mayo mei maio",
            "jun june juin junio juni junho",
            "jul july juil juillet julio juli julho",
            "aug august aout ago agosto agu agt agustus",
            "sep sept september septembre set septiembre setiembre setembro",
            "oct october octobre octubre okt oktober out outubro",
            "nov november novembre noviembre novembro",
            "dec december decembre dic diciembre des desember dez dezembro",
        ),
        start=1,
    )
    for name in names.split()
}


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _as_ns(values: pd.Series) -> np.ndarray:
    """datetime64[ns] values. Dates outside its range (0001-01-01, 9999-12-31 as "no end date") are clipped
    to it rather than raising OutOfBoundsDatetime, so the range check still reports them as too early or
    in the future."""
    low, high = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    return values.clip(lower=low, upper=high).astype("datetime64[ns]").to_numpy()


def _convert_date(
    src: _Source, col: Column, text: pd.Series, present: pd.Series, issues: IssueCollector, country: str
) -> pd.Series:
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    positions = np.flatnonzero(np.asarray(present, dtype=bool))
    if not len(positions):
        return result
    codes, distinct_values = pd.factorize(text.iloc[positions])
    t = pd.Series(distinct_values)  # each value once (dates repeat), in the order the rows first have them
    iso = pd.to_datetime(t.where(fullmatch(t, r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce")
    dates = _as_ns(iso).copy()  # read-only under copy-on-write
    rest = t[iso.isna()]
    reasons: dict[str, str] = {}
    if not rest.empty:
        distinct = rest.tolist()
        day_month = [(int(m.group(1)), int(m.group(2))) for v in distinct if (m := _DMY_DATE.fullmatch(v))]
        month_first = next(((d, m) for d, m in day_month if d <= 12 < m), None)
        parsed: dict[str, dt.date | None] = {}
        for value in distinct:
            date, reason = _parse_date_text(value, month_first is not None, src.month_first)
            parsed[value] = date
            if reason:
                reasons[value] = reason
        dates[iso.isna().to_numpy()] = _as_ns(pd.to_datetime(rest.map(parsed), errors="coerce"))
        example = next(
            (v for v in distinct if (m := _DMY_DATE.fullmatch(v)) and int(m.group(1)) <= 12 < int(m.group(2))), ""
        )
        if src.month_first and day_month:
            issues.add(
                WARNING,
                src.file,
                _(
                    "The dates of this file are written month/day/year (US format), as {example} shows: "
                    "{column} was read so.",
                    example=src.month_first,
                    column=column_called(col),
                ),
                _("Check a few dates; write dates as YYYY-MM-DD to leave no doubt."),
                sheet=src.sheet,
                column=col.name,
                value=src.month_first,
            )
        messages = {
            "invalid": (
                _("This is not a date."),
                _("Write dates as YYYY-MM-DD, e.g. {example}.", example=col.example),
            ),
            "calendar": (
                _("This date does not exist in the calendar."),
                _("Check the day and the month; write dates as YYYY-MM-DD, e.g. {example}.", example=col.example),
            ),
            "month_first": (
                _("This is not a valid DD/MM/YYYY date: it looks like month/day/year (US format)."),
                _("Write dates as YYYY-MM-DD, e.g. {example}.", example=col.example),
            ),
            "ambiguous": (
                _(
                    "This date is ambiguous: the column also has month-first dates such as {example}, "
                    "so day and month could be swapped.",
                    example=example,
                ),
                _("Write all dates of this column as YYYY-MM-DD."),
            ),
            "too_early": (
                _("The date is before {earliest}, too early for SCORE.", earliest=contract.EARLIEST_DATE),
                _("Check the year; dates are written YYYY-MM-DD."),
            ),
            "too_late": (_("The date is in the future."), _("Check the year; dates are written YYYY-MM-DD.")),
        }
        bad_reason = map_distinct(text, reasons).where(present)
        for reason, (problem, fix) in messages.items():
            issues.add_rows(ERROR, src, col.name, bad_reason.eq(reason).fillna(False).astype(bool), text, problem, fix)
    every = result.to_numpy(copy=True)
    every[positions] = dates[codes]
    result = pd.Series(every, index=text.index)
    ok = result.notna()
    too_early = ok & (result < pd.Timestamp(contract.EARLIEST_DATE))
    too_late = ok & (result > pd.Timestamp(dt.date.today()))
    for mask, problem in (
        (too_early, _("The date is before {earliest}, too early for SCORE.", earliest=contract.EARLIEST_DATE)),
        (too_late, _("The date is in the future.")),
    ):
        if mask.any():
            issues.add_rows(
                ERROR,
                src,
                col.name,
                mask,
                _date_shown(text[mask], result[mask]),
                problem,
                _("Check the year; dates are written YYYY-MM-DD."),
            )
    return result


def _date_shown(text: pd.Series, dates: pd.Series) -> pd.Series:
    """The raw text, plus how it was read when that is not obvious (e.g. Excel serial numbers)."""
    iso = dates.dt.strftime("%Y-%m-%d")
    clipped = dates.le(pd.Timestamp.min.ceil("D")) | dates.ge(pd.Timestamp.max.floor("D"))  # see _as_ns
    return text.where(text.eq(iso) | clipped, text + " = " + iso)


def _named_month_date(value: str) -> tuple[int, int, str] | None:
    """(day, month, year as written) of a date with its month by name (_MONTHS), else None."""
    text = value.strip().casefold()
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        day, name, year = m.group(1), m.group(2), m.group(3)
    elif m := _MONTH_DAY_YEAR.fullmatch(text):
        name, day, year = m.group(1), m.group(2), m.group(3)
    else:
        return None
    month = _MONTHS.get(_ascii_fold(name))
    return (int(day), month, year) if month else None


def _parse_date_text(
    value: str, month_first_seen: bool, month_first_file: str = ""
) -> tuple[dt.date | None, str | None]:
    """`month_first_seen`: the column has a month-first date; `month_first_file`: the file's dates are month-first
    (`decide_date_order`), so none is a mistake."""
    date: dt.date | None
    if m := _ISO_DATE.fullmatch(value) or _CHINESE_DATE.fullmatch(value):
        date = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _DMY_DATE.fullmatch(value):
        first, second, year = int(m.group(1)), int(m.group(2)), _full_year(m.group(3))
        if month_first_file:
            first, second = second, first
        elif first <= 12 < second:
            return None, "month_first"
        elif first <= 12 and second <= 12 and first != second and month_first_seen:
            return None, "ambiguous"
        date = _safe_date(year, second, first)
    elif _SERIAL.fullmatch(value):  # an Excel date shown as a number
        date = (_EXCEL_EPOCH + dt.timedelta(days=float(value))).date()
    elif named := _named_month_date(value):
        day, month, year_written = named
        date = _safe_date(_full_year(year_written), month, day)
    else:
        return None, "invalid"
    if date is None:
        return None, "calendar"
    if not 1900 <= date.year <= 2200:  # beyond what a datetime64[ns] column holds, and far out of range anyway
        return None, "too_early" if date.year < 1900 else "too_late"
    return date, None


def _full_year(written: str) -> int:
    return int(written) + 2000 if len(written) == 2 else int(written)


def decide_date_order(sources: Sequence[_Source]) -> None:
    """Whether each file writes its dates day/month/year or month/day/year (an English Excel in US settings), from
    its unambiguous dates ("5/19/2009" has no 19th month, "19/5/2009" no 19th day), never from a guess: a file
    whose dates are all month-first reads every such date month-first (`_Source.month_first`, a warning per column
    names the date that showed it); a file with both kinds, or a date column mixing YYYY-MM-DD and slashes (typed by
    hand: an export writes a column one way), keeps the errors on its month-first and ambiguous dates.
    A file whose dates are all ambiguous ("5/6/2009") goes the way of the upload's other files when they agree."""
    evidence: dict[int, tuple[str, str]] = {}
    for at, src in enumerate(sources):
        day_first = month_first = ""
        for col in src.table.columns:
            if col.dtype != "date" or col.name not in src.frame.columns:
                continue
            values = src.frame[col.name].unique().tolist()
            if any(_ISO_DATE.fullmatch(v) for v in values) and any(_DMY_DATE.fullmatch(v) for v in values):
                day_first = month_first = "typed"  # a column of two forms was typed by hand: nothing to go by
            for value in values:
                if m := _DMY_DATE.fullmatch(value):
                    first, second = int(m.group(1)), int(m.group(2))
                    if first > 12 >= second:
                        day_first = day_first or value
                    elif first <= 12 < second:
                        month_first = month_first or value
        if day_first or month_first:
            evidence[at] = (day_first, month_first)
    decided = {at: month for at, (day, month) in evidence.items() if month and not day}
    upload_month_first = bool(decided) and len(decided) == len(evidence)
    for at, src in enumerate(sources):
        if at in decided:
            src.month_first = decided[at]
        elif at not in evidence and upload_month_first:
            src.month_first = next(iter(decided.values()))
