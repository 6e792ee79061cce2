"""Validation of a whole submission, from bytes or from paths, and `python -m score.ingest`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from score import contract, settings
from score.contract import TABLES, Table
from score.i18n import _
from score.ingest.conversion import _DTYPES, _empty_typed, _type_source, decide_date_order
from score.ingest.names import TEXT_SUFFIXES, WORKBOOK_SUFFIXES, _countries_in_name, tables_named
from score.ingest.reading import _read_submission
from score.ingest.report import ERROR, IssueCollector, ValidationReport, _guard, _Submission
from score.ingest.rules import (
    _check_coordinates,
    _check_country_ids,
    _check_indicators,
    _check_keys,
    _check_logframe,
    _check_named_countries,
    _check_references,
    _check_spellings,
    _check_training_dates,
)

# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _final_frame(table: Table, typed: pd.DataFrame | None) -> pd.DataFrame:
    if typed is None:
        typed = pd.DataFrame(index=pd.RangeIndex(0))
    columns = {}
    for col in table.columns:
        series = typed[col.name] if col.name in typed else _empty_typed(col, typed.index)
        columns[col.name] = series.astype(_DTYPES[col.dtype])
    return pd.DataFrame(columns).reset_index(drop=True)


def _validate(country: str, submission: _Submission, whole: bool = True) -> ValidationReport:
    """`whole`: the submission is a whole upload (a required table without a file or sheet is an error)."""
    issues = submission.issues
    country = (country or "").strip().upper()
    known = contract.code_list("country")
    if country not in known:
        issues.add(
            ERROR,
            submission.workbook or "",
            _("Unknown country code '{country}'.", country=country),
            _("Choose one of the SCORE countries: {codes}.", codes=", ".join(known)),
        )

    for table in TABLES.values() if whole else ():
        if table.name in submission.sources or table.name in submission.failed or table.name in submission.refused:
            continue
        if submission.workbook:
            if table.required:
                sheets = ", ".join(submission.sheet_names)
                issues.add(
                    ERROR,
                    submission.workbook,
                    _("The workbook has no sheet called {table}.", table=table.name),
                    _(
                        "Add a sheet {table} (the workbook has: {sheets}); see the template.",
                        table=table.name,
                        sheets=sheets,
                    ),
                    sheet=table.name,
                )
        elif table.required and submission.names:
            issues.add(
                ERROR,
                f"{table.name}.csv",
                _("The file {file} is missing.", file=f"{table.name}.csv"),
                _(
                    "Add {file} to the upload: {description}",
                    file=f"{table.name}.csv",
                    description=_(table.description),
                ),
            )

    with _guard(issues, submission.workbook or "", _("checking the columns")):
        decide_date_order(list(submission.sources.values()))
    for name, src in list(submission.sources.items()):
        with _guard(issues, src.file, _("checking the columns")):
            src.typed = _type_source(src, issues, country)
            _check_keys(src, src.typed, issues)
        if src.typed is None:
            del submission.sources[name]
            submission.failed.add(name)
    sources = list(submission.sources.values())
    file = submission.workbook or ""
    if country in known:
        with _guard(issues, file, _("checking the country of the enterprise ids")):
            _check_country_ids(sources, submission, country)
            _check_named_countries(submission, country)
    with _guard(issues, file, _("checking the enterprise ids")):
        _check_references(submission, issues)
    enterprises, indicators = submission.sources.get("enterprises"), submission.sources.get("indicators")
    if enterprises is not None and country in known:
        with _guard(issues, enterprises.file, _("checking the coordinates")):
            _check_coordinates(enterprises, country, issues)
    if enterprises is not None:
        with _guard(issues, enterprises.file, _("checking the names of provinces, cities and partners")):
            _check_spellings(enterprises, issues)
    with _guard(issues, file, _("checking the training dates")):
        _check_training_dates(submission, issues)
    if indicators is not None:
        with _guard(issues, indicators.file, _("checking the indicators")):
            _check_indicators(indicators, issues)
    if "logframe" in submission.sources:
        with _guard(issues, submission.sources["logframe"].file, _("checking the logframe")):
            _check_logframe(submission.sources["logframe"], issues)

    # Group the report by file (in the order files first appear), keeping each file's own order.
    order: dict[str, int] = {}
    for issue in issues.items:
        order.setdefault(issue.file, len(order))
    read = [
        {"file": src.file, "sheet": src.sheet or "", "table": name, "rows": len(src.frame)}
        for name, src in submission.sources.items()
    ]
    emptied = sorted(name for name in submission.failed if not TABLES[name].required)
    report = ValidationReport(country, sorted(issues.items, key=lambda i: order[i.file]), files=read, emptied=emptied)
    if report.ok:
        report.tables = {
            name: _final_frame(table, submission.sources[name].typed if name in submission.sources else None)
            for name, table in TABLES.items()
        }
    return report


def validate_submission(country: str, files: Mapping[str, bytes]) -> ValidationReport:
    """Validate one country's upload: {file name: raw bytes}, CSV files or one .xlsx workbook."""
    return _validate(country, _read_submission(files))


def with_kept_files(report: ValidationReport, files: Mapping[str, bytes]) -> ValidationReport:
    """`report` (a valid upload's) with `files` added: an optional table's published rows that an upload without
    its file keeps (score.publish). Only these files are read and checked, the upload's checks stand as `report`
    has them: the report is the one of the upload and these files together (no rule joins a kept table to others)."""
    kept = _validate(report.country, _read_submission(files), whole=False)
    merged = ValidationReport(
        report.country, report.issues + kept.issues, files=report.files + kept.files, emptied=report.emptied
    )
    if merged.ok:
        read = {str(item["table"]) for item in kept.files}
        merged.tables = {name: kept.tables[name] if name in read else frame for name, frame in report.tables.items()}
    return merged


def _infer_country(folders: Sequence[str], submission: _Submission) -> str | None:
    known = set(contract.code_list("country"))
    for folder in folders:
        if folder.upper() in known:
            return folder.upper()
    for name in submission.names:
        found = _countries_in_name(name)
        if found:
            return found[0]
    counts: dict[str, int] = {}
    for src in submission.sources.values():
        if "enterprise_id" in src.frame.columns:
            prefixes = src.frame["enterprise_id"].str.extract(r"^\s*([A-Za-z]{3})-", expand=False).str.upper()
            for code, n in prefixes.value_counts().items():
                if code in known:
                    counts[code] = counts.get(code, 0) + int(n)
    return max(counts, key=lambda c: counts[c]) if counts else None


def validate_paths(paths: Sequence[Path], country: str | None = None) -> ValidationReport:
    """Validate files, or a country folder (data/countries/<ISO3>/), read from disk.

    The country is taken from the argument, else the folder name (if a known ISO3 code), else the
    file names, else the enterprise id prefixes; if none works, the report has an error.
    """
    files: dict[str, bytes] = {}
    oversized: dict[str, int] = {}
    folders: list[str] = []
    early = IssueCollector()
    limit = settings.get().max_upload_mb * 1024 * 1024

    def add(path: Path) -> None:
        if path.name in files or path.name in oversized:
            early.add(
                ERROR, path.name, _("Two files have the same name; only the first was read."), _("Rename one of them.")
            )
            return
        try:
            size = path.stat().st_size
            if size > limit:
                oversized[path.name] = size
            else:
                files[path.name] = path.read_bytes()
        except OSError as error:
            early.add(
                ERROR,
                path.name,
                _("The file cannot be opened ({detail}).", detail=str(error)),
                _("Check the path and the permissions."),
            )

    for path in (Path(p) for p in paths):
        if path.is_dir():
            folders.append(path.resolve().name)
            for child in sorted(path.iterdir()):
                if child.name.startswith((".", "~$")) or not child.is_file():
                    continue
                suffix = child.suffix.lower()
                if suffix in WORKBOOK_SUFFIXES or (suffix in TEXT_SUFFIXES and tables_named(child.name)):
                    add(child)
                # anything else in a country folder (notes, markers such as DEMO_DATA.txt) is not data
        elif path.is_file():
            folders.append(path.resolve().parent.name)
            add(path)
        else:
            early.add(
                ERROR, path.name, _("There is no such file or folder: {path}.", path=str(path)), _("Check the path.")
            )

    submission = _read_submission(files, oversized)
    submission.issues.items[:0] = early.items
    chosen = (country or "").strip().upper() or _infer_country(folders, submission)
    if not chosen:
        submission.issues.add(
            ERROR,
            folders[0] if folders else "",
            _("It is not clear which country these files belong to."),
            _(
                "Put them in a folder named after the country's ISO3 code (e.g. "
                "data/countries/COL/) or give the country explicitly."
            ),
        )
        return ValidationReport("", submission.issues.items)
    return _validate(chosen, submission)


def load_country_dir(path: Path) -> ValidationReport:
    """Validate data/countries/<ISO3>/ for the database build (typed tables when valid)."""
    return validate_paths([Path(path)])
