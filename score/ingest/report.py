"""The validation report: Issue, ValidationReport (grouping, the table for people, summaries) and the
collector the readers and rules add issues to (capped per rule, grouped by value)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from score.contract import Table
from score.i18n import _, fmt_int, ngettext
from score.labels import column_headings, column_named, table_names

ERROR = "error"
WARNING = "warning"
ISSUE_COLUMNS = ["severity", "file", "sheet", "row", "column", "value", "problem", "fix", "count", "rows", "cause"]
# The report for people (screen and CSV download): its columns, headed through labels.column_headings
REPORT_COLUMNS = ["severity", "file", "sheet", "rows", "column", "value", "problem", "fix"]
MAX_ISSUES_PER_RULE = 200  # per file, column and rule; the rest is summed up in one issue
MAX_ROWS_PER_ISSUE = 10_000  # a grouped issue lists at most this many rows (and counts them all)
ROWS_SHOWN = 12  # rows listed in the report for people before "… (n rows)"
VALUE_CHARS = 80


# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    severity: str  # "error" | "warning"
    file: str  # file name as uploaded
    sheet: str | None  # sheet name for XLSX, else None
    row: int | None  # Excel row number: header is row 1, first data row is 2 (a group: its first row)
    column: str | None
    value: str | None  # offending raw value, truncated
    problem: str
    fix: str
    count: int = 0  # rows this issue stands for (0: the file or sheet as a whole)
    rows: tuple[int, ...] = ()  # every row it stands for (at most MAX_ROWS_PER_ISSUE)
    cause: str | None = None  # knock-on errors: the `key` of the issue that causes them
    key: str | None = None  # an issue that others name as their cause

    @property
    def rows_text(self) -> str:
        """The rows for people: "5, 6", "2–9, 40", "2–9, 40, 41 … (1,234 rows)"."""
        return rows_text(self.rows, self.count)


def rows_text(rows: Sequence[int], count: int | None = None) -> str:
    """Row numbers as people read them: runs collapsed ("2–9"), the first ROWS_SHOWN runs, then the total."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    parts = [f"{a}" if a == b else f"{a}, {b}" if b == a + 1 else f"{a}\u2013{b}" for a, b in runs[:ROWS_SHOWN]]
    shown = ", ".join(parts)
    total = max(count or 0, len(set(rows)))
    if len(runs) > ROWS_SHOWN or total > len(set(rows)):
        shown += " … " + ngettext("({count} row)", "({count} rows)", total, count=fmt_int(total))
    return shown


@dataclass
class ValidationReport:
    country: str
    issues: list[Issue] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # only when there is no error
    files: list[dict[str, object]] = field(default_factory=list)  # file, sheet, table, rows: what was read
    # optional tables whose file or sheet came without a data row (ignored, but there: score.publish removes the
    # published rows of such a table, and keeps them for a table without a file or sheet at all)
    emptied: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not any(i.severity == ERROR for i in self.issues)

    def to_frame(self) -> pd.DataFrame:
        """Every issue as one row, language-neutral column names (for machines and tests)."""
        records = [asdict(i) | {"rows": " ".join(map(str, i.rows))} for i in self.issues]
        frame = pd.DataFrame(records, columns=ISSUE_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        frame["count"] = frame["count"].astype("Int64")
        return frame

    def ordered(self) -> list[Issue]:
        """Issues for people: errors first, each cause followed by its knock-on errors."""
        keyed = {i.key for i in self.issues if i.key}
        children: dict[str, list[Issue]] = {}
        top: list[Issue] = []
        for issue in self.issues:
            if issue.cause in keyed:
                children.setdefault(issue.cause, []).append(issue)
            else:
                top.append(issue)
        top.sort(key=lambda i: i.severity != ERROR)  # stable: the files' own order within each severity
        out: list[Issue] = []
        for issue in top:
            out.append(issue)
            out.extend(children.get(issue.key, []) if issue.key else [])
        return out

    def for_people(self, compact: bool = False) -> pd.DataFrame:
        """The report as people read it, in the current language: translated headers and severities, knock-on
        errors right under their cause (marked ↳), rows as "5, 6" or "2–9", no Sheet column for CSV files.

        `compact`: for the screen, file, sheet, rows and column in one "Where" column, so that Problem and
        Fix keep their width on a 1280 px screen (the CSV download has them apart)."""
        labels = column_headings()
        severity = {ERROR: _("Error"), WARNING: _("Warning")}
        issues = self.ordered()
        # the column as the rest of the product names it, "Travailleuses (workers_female)", by the table its file or
        # sheet was read as (the file's code alone read as jargon beside translated Problem and Fix)
        tables = self._file_tables()
        records = [
            {
                "severity": severity.get(i.severity, i.severity),
                "file": i.file,
                "sheet": i.sheet or "",
                "rows": i.rows_text,
                "column": _column_named(i, tables),
                "value": i.value if i.value is not None else "",
                "problem": ("\u21b3 " if i.cause else "") + i.problem,
                "fix": i.fix,
            }
            for i in issues
        ]
        frame = pd.DataFrame(records, columns=REPORT_COLUMNS)
        if compact:
            parts = [
                " · ".join(p for p in (r["file"], r["sheet"], _where_rows(i), r["column"]) if p)
                for r, i in zip(records, issues, strict=True)
            ]
            frame = frame.drop(columns=["file", "sheet", "rows", "column"]).assign(where=parts)
            order = ["severity", "where", "value", "problem", "fix"]
            return frame[order].rename(columns=labels)
        if not any(i.sheet for i in issues):
            frame = frame.drop(columns="sheet")
        return frame.rename(columns=labels)

    def file_summary(self) -> pd.DataFrame:
        """One line per file (and sheet): rows read, errors, warnings; for the top of the report."""
        labels = {
            "file": _("File"),
            "sheet": _("Sheet"),
            "table": _("Table"),
            "rows": _("Data rows"),
            "errors": _("Errors"),
            "warnings": _("Warnings"),
        }
        lines: dict[tuple[Any, Any], dict[str, Any]] = {}
        for item in self.files:
            lines[(item["file"], item.get("sheet") or "")] = {**item, "errors": 0, "warnings": 0}
        for issue in self.issues:
            line = lines.get((issue.file, issue.sheet or "")) or lines.get((issue.file, ""))
            if line is None:
                line = lines.setdefault(
                    (issue.file, issue.sheet or ""),
                    {"file": issue.file, "sheet": issue.sheet or "", "table": "", "rows": None, "errors": 0},
                )
                line["warnings"] = 0
            line["errors" if issue.severity == ERROR else "warnings"] += 1
        frame = pd.DataFrame(list(lines.values()), columns=list(labels))
        frame["rows"] = frame["rows"].astype("Int64")
        # what the person calls the table ("Entreprises", as the template's file and sheet say), not its code
        names = table_names()
        frame["table"] = [names.get(code, code) for code in frame["table"].fillna("")]
        if not (frame["sheet"].fillna("") != "").any():
            frame = frame.drop(columns="sheet")
        return frame.rename(columns=labels)

    def to_json(self) -> str:
        payload = {
            "country": self.country,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "rows": {name: len(frame) for name, frame in self.tables.items()},
            "issues": [asdict(i) for i in self.issues],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2)

    def _file_tables(self) -> dict[tuple[object, object], str]:
        """(file, sheet) -> the table it was read as: a problem's column is named by its table (`_column_named`)."""
        return {(item["file"], item.get("sheet") or ""): str(item["table"]) for item in self.files}

    def counts(self) -> str:
        """'0 errors, 1 warning' in the reader's language, each noun agreeing with its number (French: '0 erreur')."""
        return ", ".join(
            (
                ngettext("{n} error", "{n} errors", len(self.errors)),
                ngettext("{n} warning", "{n} warnings", len(self.warnings)),
            )
        )

    def summary(self) -> str:
        if self.ok:
            head = _("{country}: accepted, {counts}.", country=self.country or "?", counts=self.counts())
        else:
            head = _(
                "{country}: rejected, {counts}. Nothing was changed.", country=self.country or "?", counts=self.counts()
            )
        lines = [head]
        if self.tables:
            counts = ", ".join(f"{name} {fmt_int(len(frame))}" for name, frame in self.tables.items())
            lines.append(_("Rows read: {counts}", counts=counts))
        tables = self._file_tables()
        for issue in self.ordered():
            tag = _("ERROR") if issue.severity == ERROR else _("WARNING")
            lines.append(f"{tag:8} {'↳ ' if issue.cause else ''}{_location(issue, tables)}: {issue.problem}")
            if issue.value is not None:
                lines.append("         " + _("Value: {value}", value=_as_typed(issue.value)))
            lines.append("         " + _("Fix: {fix}", fix=issue.fix))
        return "\n".join(lines)


def _column_named(issue: Issue, tables: dict[tuple[object, object], str]) -> str:
    """An issue's column by the table its file or sheet was read as (labels.column_named); a header no table was
    read from, or one the contract does not know (misspelt), as typed."""
    if not issue.column:
        return ""
    table = tables.get((issue.file, issue.sheet or "")) or tables.get((issue.file, ""))
    return column_named(table, issue.column) if table else issue.column


def _where_rows(issue: Issue) -> str:
    if issue.count > 1:
        return _("rows {rows}", rows=issue.rows_text)
    return _("row {row}", row=issue.row) if issue.row is not None else ""


def _as_typed(value: object) -> str:
    """A cell's value as the person typed it (-5, not '-5'); quoted only where the quotes show something: an empty
    value, spaces at either end, or characters that do not print (a tab, a line break)."""
    text = str(value)
    return text if text and text.strip() == text and text.isprintable() else repr(text)


def _location(issue: Issue, tables: dict[tuple[object, object], str]) -> str:
    """Where a problem is, for the command line's summary: the column named as the report's Where names it
    ("column Female workers (workers_female)"), not by its code alone."""
    parts = [issue.file or _("upload")]
    if issue.sheet:
        parts.append(_("sheet {sheet}", sheet=issue.sheet))
    if issue.count > 1:
        parts.append(_("rows {rows}", rows=issue.rows_text))
    elif issue.row is not None:
        parts.append(_("row {row}", row=issue.row))
    if issue.column:
        parts.append(_("column {column}", column=_column_named(issue, tables)))
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# Issue collection
# --------------------------------------------------------------------------------------------


def _clip(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


class IssueCollector:
    def __init__(self) -> None:
        self.items: list[Issue] = []

    def add(
        self,
        severity: str,
        file: str,
        problem: str,
        fix: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        rows: Sequence[int] = (),
        count: int | None = None,
        cause: str | None = None,
        key: str | None = None,
    ) -> None:
        row = None if row is None else int(row)
        listed = tuple(int(r) for r in rows[:MAX_ROWS_PER_ISSUE]) or ((row,) if row is not None else ())
        first = listed[0] if listed else row
        total = len(rows) if count is None and rows else count if count is not None else len(listed)
        self.items.append(
            Issue(severity, file, sheet, first, column, _clip(value), problem, fix, total, listed, cause, key)
        )

    def add_groups(
        self,
        severity: str,
        where: _Source,
        column: str | None,
        values: pd.Series,
        selector: pd.Series,
        problem: Callable[[str, int], str],
        fix: Callable[[str, int], str],
        cause: str | None = None,
    ) -> int:
        """One issue per distinct value among the selected rows, naming all its rows (knock-on errors and
        repeated mistakes read as one line each, with the count and the rows). `problem(value, n)` and
        `fix(value, n)` write the texts. At most MAX_ISSUES_PER_RULE values, then one "and N more" issue."""
        chosen = values[selector.fillna(False).astype(bool)]
        if chosen.empty:
            return 0
        groups = pd.Series(chosen.index, index=chosen.index).groupby(chosen.astype(str).to_numpy(), sort=False)
        order = sorted(groups.indices.items(), key=lambda item: item[1][0])
        for text, positions in order[:MAX_ISSUES_PER_RULE]:
            rows = chosen.index[positions].tolist()
            n = len(rows)
            self.add(
                severity,
                where.file,
                problem(text, n),
                fix(text, n),
                sheet=where.sheet,
                column=column,
                value=text,
                rows=rows,
                count=n,
                cause=cause,
            )
        if len(order) > MAX_ISSUES_PER_RULE:
            rest = order[MAX_ISSUES_PER_RULE:]
            self.add(
                severity,
                where.file,
                _("... and {count} more values with the same problem.", count=fmt_int(len(rest))),
                _("See the rows listed above."),
                sheet=where.sheet,
                column=column,
                count=sum(len(p) for _t, p in rest),
                cause=cause,
            )
        return len(chosen)

    def add_rows(
        self,
        severity: str,
        where: _Source,
        column: str | None,
        selector: pd.Series | pd.Index | Sequence[int],
        values: pd.Series | Sequence[object] | None,
        problem: str | pd.Series | Sequence[str],
        fix: str | pd.Series | Sequence[str],
    ) -> int:
        """One issue per row, at most MAX_ISSUES_PER_RULE, then one "and N more" issue.

        `selector` is a boolean Series indexed by Excel row number, or the row numbers. `values`,
        `problem` and `fix` are each a scalar, a Series indexed by row number (looked up), or a list
        aligned with the selected rows (only its first MAX_ISSUES_PER_RULE items are used).
        """
        if isinstance(selector, pd.Series) and selector.dtype == bool:
            rows = selector.index[selector.to_numpy()]
        else:
            rows = pd.Index(selector)
        total = len(rows)
        if total == 0:
            return 0
        take = min(total, MAX_ISSUES_PER_RULE)
        shown = rows[:take]

        def head(items: Any) -> list[Any]:
            if items is None:
                return [None] * take
            if isinstance(items, str):
                return [items] * take
            if isinstance(items, pd.Series):
                return items.loc[shown].tolist()
            return list(items[:take])

        for row, value, prob, fx in zip(shown.tolist(), head(values), head(problem), head(fix), strict=True):
            self.add(severity, where.file, prob, fx, sheet=where.sheet, row=row, column=column, value=value)
        if total > take:
            self.add(
                severity,
                where.file,
                _("... and {count} more rows with the same problem.", count=fmt_int(total - take)),
                fix if isinstance(fix, str) else _("See the rows listed above."),
                sheet=where.sheet,
                column=column,
                count=total - take,
            )
        return total


@contextmanager
def _guard(issues: IssueCollector, file: str, step: str) -> Iterator[None]:
    """A bug in a check must reject the upload with a message, never crash the upload page."""
    try:
        yield
    except Exception:
        # The exception (English, naming our internals) goes to the log with its traceback, not to the reader.
        logging.getLogger("score.ingest").exception("validation step failed: %s (%s)", step, file)
        issues.add(
            ERROR,
            file,
            _("The validator failed while {step}, so the upload cannot be accepted.", step=step),
            _("Please send the file to the HQ team so that they can fix the validator."),
        )


@dataclass
class _Source:
    """One table as read from a CSV file or a sheet: text cells, indexed by Excel row number."""

    file: str
    sheet: str | None
    table: Table
    frame: pd.DataFrame
    header_row: int = 1
    decimal: str | None = "."
    typed: pd.DataFrame | None = None
    foreign: pd.Series | None = None  # rows whose enterprise_id names another country
    month_first: str = ""  # a date of the file (or the upload) that shows it writes month/day/year (US settings)
    # A column the contract has no place for that says each row's country ("país", "pays"): (its header, its cells)
    country_cells: tuple[str, pd.Series] | None = None

    @property
    def display(self) -> str:
        return f"{self.file} ({self.sheet})" if self.sheet else self.file


@dataclass
class _Submission:
    issues: IssueCollector
    names: list[str]
    sources: dict[str, _Source] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # present but unreadable: no "missing" error
    # Tables a refused spreadsheet (COL.ods, training.xls) stood for: no "missing" error, and a file of a readable
    # type for them is still read.
    refused: set[str] = field(default_factory=set)
    workbook: str | None = None
    sheet_names: list[str] = field(default_factory=list)
