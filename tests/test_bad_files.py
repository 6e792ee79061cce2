"""The bad-input corpus: one folder per rule of DESIGN.md's "Bad input" list (tests/bad_files/<rule>/).

Each folder holds only the defective files and an expected.json; the test lays them over the valid
base set (tests/fixtures/valid_small/COL) unless `"base": false`, runs validate_submission and checks
that every expected issue is reported at its exact file, sheet, row and column, and that no other
error is reported. Accepted cases (`"ok": true`) also check some typed values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from score.ingest import Issue, validate_submission
from tests.bad_file_cases import BASE, CASES, case_files

# DESIGN.md, "Bad input", plus the workbook failures the upload page must explain.
RULES = {
    "wrong_columns",
    "wrong_types",
    "unknown_codes",
    "duplicate_ids",
    "negative_counts",
    "dates_out_of_range",
    "coordinates_outside_country",
    "training_unknown_enterprise",
    "other_country",
    "wrong_encoding",
    "semicolon_separator",
    "decimal_commas",
    "empty_file",
    "huge_file",
    "corrupt_xlsx",
    "password_xlsx",
    "unsupported_type",
    "mixed_separators",
}


def _matches(issue: Issue, expected: dict) -> bool:
    return (
        issue.severity == expected["severity"]
        and issue.file == expected["file"]
        and issue.sheet == expected.get("sheet")
        and issue.row == expected["row"]
        and issue.column == expected["column"]
        and expected["problem"].lower() in issue.problem.lower()
        and expected.get("fix", "").lower() in issue.fix.lower()
    )


def test_corpus_has_one_folder_per_rule() -> None:
    assert {case.name for case in CASES} >= RULES


def test_base_set_is_clean() -> None:
    files = {p.name: p.read_bytes() for p in BASE.iterdir()}
    report = validate_submission("COL", files)
    assert report.issues == [], report.summary()


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_file(case: Path, settings_override) -> None:
    spec = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    if "max_upload_mb" in spec:
        settings_override(max_upload_mb=spec["max_upload_mb"])
    report = validate_submission(spec["country"], case_files(case, spec))

    for expected in spec["expected"]:
        assert any(_matches(issue, expected) for issue in report.issues), (
            f"expected issue not reported: {expected}\n\n{report.summary()}"
        )
    unexpected = [
        issue for issue in report.errors if not any(_matches(issue, expected) for expected in spec["expected"])
    ]
    assert not unexpected, "unexpected errors:\n" + "\n".join(map(str, unexpected))
    assert report.ok is spec["ok"], report.summary()
    assert bool(report.tables) is spec["ok"]
    for check in spec.get("typed", []):
        value = report.tables[check["table"]][check["column"]].iloc[check["row"]]
        if isinstance(check["value"], float | int) and not isinstance(check["value"], bool):
            assert float(value) == pytest.approx(check["value"]), check
        else:
            assert value == check["value"], check
        assert not pd.isna(value)
