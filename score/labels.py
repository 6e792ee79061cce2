"""Names of codes in the viewer's language, and the sentences that say a viewer's figures are adjusted: what pages,
exports and the deck share (no Streamlit here, so `python -m score deck` reads them too)."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from score import access, audit, contract, measures, reference_text, values
from score.access import Scope
from score.i18n import _, current_language, fmt_bound, fmt_date, label


def actor(user: object) -> str:
    """Who did something, for people: the command line's default user "cli" and a command run as a machine account
    ("system:root", score.auth) in words, a missing one (a public visitor) as a dash."""
    if not isinstance(user, str) or not user:
        return "–"
    if user == "cli":
        return _("command line")
    if user.startswith(audit.SYSTEM_PREFIX):
        return _("command line ({account})", account=user.removeprefix(audit.SYSTEM_PREFIX))
    return user


def who(user: object, submitter: object) -> str:
    """Who made a version, for people: the approver, and the submitter when someone else submitted it."""
    if isinstance(submitter, str) and submitter:
        return _("{user} (submitted by {submitter})", user=actor(user), submitter=submitter)
    return actor(user)


def name_or_code(names: Mapping[Any, str]) -> Callable[[Any], str]:
    """A choice widget's format_func from names of its options: a value without a name shows as itself.

    Streamlit 1.67 takes any value a browser's message names for a choice widget, among the options or not, formats
    it with format_func before it checks it against the options, and drops it only after; for a multiselect a
    format_func answering None (`names.get`) failed the run instead (a public script's forged message). Total, the
    check runs and the page never sees the value."""
    return lambda value: names.get(value, str(value))


def reference_labels(kind: str) -> dict[str, str]:
    """Code -> label in the current language for sectors, modules, indicators, countries."""
    return dict(_reference_labels(kind, current_language()))


@functools.cache
def _reference_labels(kind: str, language: str) -> dict[str, str]:
    """Per kind and language (the reference files are part of the release): pages ask for them dozens of times
    per rerun. Shared: reference_labels hands out copies."""
    files = {
        "sector": "sectors.csv",
        "module": "modules.csv",
        "indicator": "indicators.csv",
        "logframe_indicator": "logframe_indicators.csv",
        "country": "countries.csv",
    }
    key = "iso3" if kind == "country" else "code"
    return {row[key]: label(row, language) for row in contract.reference_rows(files[kind])}


def code_names(kind: str) -> dict[str, str]:
    """Code -> what a person calls it, for the code lists a file's column may hold (a grid's drop-down shows the
    name beside the code); codes that are their own name (phases I, II ...) are left out."""
    if kind in ("sector", "module", "indicator", "logframe_indicator", "country"):
        return reference_labels(kind)
    if kind == "period":
        return {"baseline": _("Baseline"), "follow_up": _("Follow-up")}
    if kind == "logframe_level":
        return {"objective": _("Objective"), "outcome": _("Outcome"), "output": _("Output")}
    if kind == "indicator_kind":  # how an outcome indicator is reported (reference/indicators.csv)
        return {"change": _("Change from baseline to follow-up"), "share": _("Share of enterprises answering yes")}
    if kind == "direction":
        return {"higher": _("Higher is better"), "lower": _("Lower is better")}
    return {}


def code_named(names: Mapping[Any, str], code: Any) -> str:
    """A code as people read it and as their file holds it, "Prendas de vestir (garments)"; a code without a name
    (a phase, one the reference files do not know) as it is."""
    name = names.get(code)
    return f"{name} ({code})" if name else str(code)


def table_names() -> dict[str, str]:
    """A contract table's code -> what people call it ("Entreprises", as the template's file and sheet say)."""
    return {name: _(table.title) for name, table in contract.TABLES.items()}


def column_heading(col: contract.Column) -> tuple[str, str]:
    """A contract column's heading in the reader's language (what a person calls it, `Column.heading`: "Sector",
    not "Sector code"; else its description up to a bracket or colon: "Female workers") and its tooltip (the whole
    description and the code the file uses for it)."""
    description = _(col.description)
    short = _(col.heading) if col.heading else re.split(r"\s*[(:]", description, maxsplit=1)[0].strip() or col.name
    return short, _("{description}. Column in the file: {code}", description=description, code=col.name)


def column_called(col: contract.Column) -> str:
    """A contract column as people read it and as their file names it, "Travailleuses (workers_female)": the code
    alone read as jargon on a French page, and the country staff look for the code in their file."""
    return f"{column_heading(col)[0]} ({col.name})"


def column_named(table: str, code: str) -> str:
    """`column_called` by table and code, wherever a changed column is listed (the upload's preview, the review, the
    history of a value) or a report names where a problem is. A column the contract does not know stays as it is."""
    spec = contract.TABLES.get(table)
    if spec is None or code not in spec.column_names:
        return code
    return column_called(spec.column(code))


def value_names(table: str, column: str) -> Mapping[Any, str]:
    """The names of the codes a contract column holds ({} for a column of numbers, dates or text): for
    `code_named`, looked up once per column where many cells are named."""
    spec = contract.TABLES.get(table)
    codes = spec.column(column).codes if spec is not None and column in spec.column_names else None
    return code_names(codes) if codes else {}


def cell_named(names: Mapping[Any, str], value: object) -> str:
    """A cell as people read it where a change is listed (the upload's preview, the review, the history of a
    value): a code named by `names` (`value_names`), any other value as it is, an empty cell a dash (an empty
    "From" or "To" read as a cut-off table)."""
    return code_named(names, value) if value else values.HIDDEN


def value_named(table: str, column: str, value: object) -> str:
    """A cell of a contract table as people read it: a code with its name beside ("Confection (garments)", as the
    correction grid shows it), a date in the reader's language ("30 juin 2025", as the logframe page shows its
    reporting dates; the tables compare them as ISO text), a number with the reader's marks and the decimals it has
    ("22,4", "12 565", "3" for the file's "3.0"), any other value as it is, an empty cell a dash
    (`cell_named`)."""
    spec = contract.TABLES.get(table)
    dtype = spec.column(column).dtype if value and spec is not None and column in spec.column_names else None
    try:
        if dtype == "date":
            return fmt_date(dt.date.fromisoformat(str(value)[:10]))
        if dtype in ("int", "float") and math.isfinite(number := float(str(value))):
            return fmt_bound(number)
    except ValueError:  # not a date or a number (a corrected cell the validator refuses): as typed
        return str(value)
    return cell_named(value_names(table, column), value)


def column_headings() -> dict[str, str]:
    """Headings on screen for the columns of the validation report and of the data quality checks' rows, one
    word per column code wherever it is shown (their CSV downloads keep the codes, except the report's)."""
    return {
        # the validation report (ingest.report.REPORT_COLUMNS; "where" is file, sheet, rows and column in one)
        "severity": _("Severity"),
        "file": _("File"),
        "sheet": _("Sheet"),
        "rows": _("Rows"),
        "column": _("Column"),
        "where": _("Where"),
        "fix": _("Fix"),
        # the rows of the data quality checks (queries/dq_*.sql)
        "country": _("Country"),
        "enterprise_id": _("Id"),
        "name": _("Name"),
        "sector": _("Sector"),
        "partner": _("Partner"),
        "joined_on": _("Joined"),
        "module": _("Module"),
        "classroom_date": _("Classroom training"),
        "months_since": _("Months since"),
        "source": _("File"),
        "indicator": _("Indicator"),
        "period": _("Period"),
        "measured_on": _("Measured on"),
        "baseline": _("Baseline"),
        "median_value": _("Median in the country"),
        "robust_z": _("Robust z-score"),
        "reason": _("Reason"),
        # both
        "value": _("Value"),
        "problem": _("Problem"),
    }


def export_labels() -> dict[str, dict[str, str]]:
    """Code -> name in the viewer's language for every code column an export may hold (a Spanish workbook's
    enterprises by size says "Pequeña" beside "small", its people trained "Mujeres" beside "female")."""
    return {
        "country": reference_labels("country"),
        "sector": reference_labels("sector"),
        "module": reference_labels("module"),
        "indicator": {**reference_labels("logframe_indicator"), **reference_labels("indicator")},
        "size_class": values.size_class_names(),
        "role": values.role_labels(),
        "sex": values.sex_labels(),
        "level": code_names("logframe_level"),
        "period": code_names("period"),
        "kind": code_names("indicator_kind"),
        "direction": code_names("direction"),
        # texts of the reference files and measures' codes, named in the reader's language like the codes above
        # (a French workbook's indicator_meta said "accidents per year", its overview_targets "workers_reached")
        "metric": {code: measures.label(code) for code in measures.MEASURES},
        "unit": {unit: _(unit) for unit in (*reference_text.INDICATOR_UNITS, *reference_text.LOGFRAME_UNITS)},
        "definition": {text: _(text) for text in reference_text.INDICATOR_DEFINITIONS},
    }


def adjusted_figures_notice(scope: Scope) -> str | None:
    """The one sentence telling a viewer that the figures they see are slightly adjusted (score.disclosure);
    None for HQ, who see exact figures everywhere."""
    if scope.is_hq:
        return None
    if scope.role == "country":
        names = reference_labels("country")
        return _(
            "To protect enterprises, figures that include other countries are adjusted. {method} Figures for "
            "{countries} alone are exact.",
            method=access.method_text(),
            countries=", ".join(names.get(code, code) for code in sorted(scope.detail_countries)),
        )
    return _("To protect individual enterprises, figures are adjusted. {method}", method=access.method_text())


def adjusted_figures_mark(scope: Scope) -> str | None:
    """`adjusted_figures_notice` in a few words, for a slide's footer and present mode's control bar."""
    if scope.is_hq:
        return None
    if scope.role == "country":
        names = reference_labels("country")
        return _(
            "Figures including other countries slightly adjusted; {countries} exact.",
            countries=", ".join(names.get(code, code) for code in sorted(scope.detail_countries)),
        )
    return _("Figures adjusted to protect enterprises; fewer than 5 enterprises, possibly none, hidden.")
