"""Every numeric and date rule of the contract at its edges: just below, at and just above each bound.

The bounds are written out here rather than read from score.contract, so a loosened contract fails
`test_bounds_here_are_the_contracts` and a loosened validator fails the boundary cases. Each case changes one
cell of the valid base set (tests/fixtures/valid_small/COL) and checks the report by file, row and column,
never by wording (the messages are translated): an out-of-range value gives an error at exactly that cell,
an in-range value gives no error at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from score import contract
from score.ingest import ValidationReport, validate_submission

BASE = Path(__file__).parent / "fixtures" / "valid_small" / "COL"
COUNT = (0, 1_000_000)
# (table, column) -> (lowest allowed, highest allowed, smallest step a value can differ by, data row to edit)
NUMERIC_BOUNDS: dict[tuple[str, str], tuple[int, int, str, int]] = {
    ("enterprises", "latitude"): (-90, 90, "0.001", 0),
    ("enterprises", "longitude"): (-180, 180, "0.001", 0),
    ("enterprises", "workers_female"): (*COUNT, "1", 0),
    ("enterprises", "workers_male"): (*COUNT, "1", 1),
    ("training", "managers_female"): (*COUNT, "1", 0),
    ("training", "managers_male"): (*COUNT, "1", 1),
    ("training", "workers_female"): (*COUNT, "1", 2),
    ("training", "workers_male"): (*COUNT, "1", 3),
    ("training", "consultation_visits"): (0, 100, "1", 0),
    ("training", "satisfaction_pct"): (0, 100, "0.01", 0),
    ("indicators", "value"): (0, 1_000_000_000_000, "0.01", 0),  # accidents, a "change" indicator
    ("logframe", "target"): (0, 1_000_000_000, "0.01", 1),
    ("logframe", "actual"): (0, 1_000_000_000, "0.01", 1),
    ("logframe", "female_share"): (0, 100, "0.01", 2),
}
EARLIEST = dt.date(2005, 1, 1)
# (table, column) -> data row to edit for the earliest bound, and for the latest (today). measured_on: a baseline
# moved early and a follow-up moved late keep the follow-up after its baseline (a separate rule).
DATE_COLUMNS: dict[tuple[str, str], tuple[int, int]] = {
    ("enterprises", "joined_on"): (0, 0),
    ("training", "classroom_date"): (0, 0),
    ("indicators", "measured_on"): (0, 1),
    ("logframe", "period_end"): (0, 0),
}
# The point-in-country rule reports on this pseudo-column; at latitude 90 a point is in range but outside Colombia.
COUNTRY_RULE_COLUMN = "latitude, longitude"


def test_bounds_here_are_the_contracts() -> None:
    bounded = {
        (table.name, col.name): (col.minimum, col.maximum)
        for table in contract.TABLES.values()
        for col in table.columns
        if col.dtype in ("int", "float") and (col.minimum is not None or col.maximum is not None)
    }
    assert bounded == {key: (low, high) for key, (low, high, _step, _row) in NUMERIC_BOUNDS.items()}
    dates = {(t.name, c.name) for t in contract.TABLES.values() for c in t.columns if c.dtype == "date"}
    assert dates == set(DATE_COLUMNS)
    assert contract.EARLIEST_DATE == EARLIEST


def base_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(BASE.iterdir())}


def with_cell(table: str, row: int, column: str, value: str) -> dict[str, bytes]:
    """The base set with one cell of `table` (data row `row`, 0-based) replaced."""
    files = base_files()
    rows = list(csv.DictReader(io.StringIO(files[f"{table}.csv"].decode("utf-8"))))
    assert column in rows[row], (table, column)
    rows[row][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files[f"{table}.csv"] = out.getvalue().encode("utf-8")
    return files


def errors_at(report: ValidationReport, file: str, row: int, column: str) -> list:
    return [i for i in report.errors if (i.file, i.sheet, i.row, i.column) == (file, None, row, column)]


def check(table: str, row: int, column: str, value: str, allowed: bool) -> None:
    report = validate_submission("COL", with_cell(table, row, column, value))
    excel_row = row + 2  # header is row 1
    here = errors_at(report, f"{table}.csv", excel_row, column)
    if allowed:
        others = [i for i in report.errors if i.column != COUNTRY_RULE_COLUMN]
        assert not others, f"{column}={value} must be accepted:\n{report.summary()}"
    else:
        assert here, f"{column}={value} must be an error at {table}.csv row {excel_row}:\n{report.summary()}"
        elsewhere = [i for i in report.errors if (i.file, i.row) != (f"{table}.csv", excel_row)]
        assert not elsewhere, f"{column}={value}: errors on other rows:\n{report.summary()}"


# A bound's four edges (one step outside refused, the bound itself accepted, at each end) run in make test; one
# step inside each bound (accepted: rounding, a step finer than the rule's) in make test-full. A validation each,
# ~0.5 s of CPU: 109 cases took ~75 s of the suite.
INSIDE = {"above_min", "below_max", "day_after_earliest", "yesterday"}
INSIDE_MARKS = (pytest.mark.exhaustive,)


def _numeric_cases() -> list:
    cases = []
    for (table, column), (low, high, step, row) in NUMERIC_BOUNDS.items():
        d = Decimal(step)
        for name, value, allowed in (
            ("below_min", Decimal(low) - d, False),
            ("at_min", Decimal(low), True),
            ("above_min", Decimal(low) + d, True),
            ("below_max", Decimal(high) - d, True),
            ("at_max", Decimal(high), True),
            ("above_max", Decimal(high) + d, False),
        ):
            marks = INSIDE_MARKS if name in INSIDE else ()
            cases.append(
                pytest.param(table, column, row, str(value), allowed, id=f"{table}.{column}-{name}", marks=marks)
            )
    return cases


@pytest.mark.parametrize(("table", "column", "row", "value", "allowed"), _numeric_cases())
def test_numeric_bound(table: str, column: str, row: int, value: str, allowed: bool) -> None:
    check(table, row, column, value, allowed)


def _date_cases() -> list:
    """(days from the earliest date or from today, allowed?): the date itself is taken when the test runs, so a
    suite that crosses midnight checks the day that is tomorrow then."""
    cases = []
    for (table, column), (early_row, late_row) in DATE_COLUMNS.items():
        for name, base, days, row, allowed in (
            ("day_before_earliest", "earliest", -1, early_row, False),
            ("earliest", "earliest", 0, early_row, True),
            ("day_after_earliest", "earliest", 1, early_row, True),
            ("yesterday", "today", -1, late_row, True),
            ("today", "today", 0, late_row, True),
            ("tomorrow", "today", 1, late_row, False),
        ):
            marks = INSIDE_MARKS if name in INSIDE else ()
            cases.append(
                pytest.param(table, column, row, base, days, allowed, id=f"{table}.{column}-{name}", marks=marks)
            )
    return cases


@pytest.mark.parametrize(("table", "column", "row", "base", "days", "allowed"), _date_cases())
def test_date_bound(table: str, column: str, row: int, base: str, days: int, allowed: bool) -> None:
    date = (EARLIEST if base == "earliest" else dt.date.today()) + dt.timedelta(days=days)
    check(table, row, column, date.isoformat(), allowed)
