"""A hostile or broken upload gets a report in the reader's language, in the reader's number format, with no
words of a library, no file path, and nothing accepted that should not be (the corpus: tests/hostile_uploads.py).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from score.i18n import using_language
from score.ingest import ValidationReport, validate_submission
from tests.hostile_uploads import CASES, base_files, case_files

# What must never reach a reader: an exception's name or words, a traceback, a path of this machine.
LIBRARY_WORDS = re.compile(r"\b\w+(Error|Exception)\b|BadZipFile|Traceback|/tmp/|/work/|site-packages")
# Two English words in a row (not a code such as sector_code): what an untranslated part of a sentence leaves.
ENGLISH_PAIR = re.compile(r"(?<![\w'])([a-z]{3,}) ([a-z]{3,})(?![\w'])")
REPORT_LINES = 60
ENGLISH_GROUPED = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")


def _checked(case: str, language: str) -> tuple[ValidationReport, list[str]]:
    """The report and every cell of it as the page draws it (where, value, problem, fix)."""
    with using_language(language):
        report = validate_submission("COL", case_files(case))
        shown = report.for_people(compact=True)
        report.file_summary()
    return report, [str(cell) for cell in shown.drop(columns=shown.columns[0]).to_numpy().ravel()]


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_upload_is_reported_in_french_and_spanish_without_a_librarys_words(case: str) -> None:
    english, english_cells = _checked(case, "en")
    assert english.ok is CASES[case][1], english.summary()
    assert len(english.issues) <= REPORT_LINES, "a report people can read to the end"
    for language in ("fr", "es"):
        report, cells = _checked(case, language)
        assert report.ok is english.ok and len(report.issues) == len(english.issues)
        for theirs, ours in zip(english.issues, report.issues, strict=True):
            for en_text, text in ((theirs.problem, ours.problem), (theirs.fix, ours.fix)):
                assert not LIBRARY_WORDS.search(text), (language, text)
                assert text != en_text or not re.search("[a-z]{4}", text), (language, "untranslated", text)
                left = [" ".join(pair) for pair in ENGLISH_PAIR.findall(en_text) if " ".join(pair) in text]
                assert not left, (language, "English words left in", text)
        for en_cell, cell in zip(english_cells, cells, strict=True):
            for number in ENGLISH_GROUPED.findall(en_cell):
                assert number not in cell, (language, "English number format", cell)


def test_a_misplaced_quote_is_reported_at_the_row_that_holds_it() -> None:
    report = validate_submission("COL", case_files("a formula as a name"))
    assert [(i.file, i.row) for i in report.errors] == [("enterprises.csv", 2)]  # COL-0001, below the header


@pytest.mark.parametrize("quoted", [False, True])
def test_a_cell_beyond_csvs_field_size_limit_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch, quoted: bool
) -> None:
    """One 40 MB cell cost 400 MB more at its peak (pandas' tokenizer, its string, the checks' copies)."""
    files = base_files()
    header, first, *rest = files["enterprises.csv"].decode("utf-8").splitlines()
    cells = first.split(",")
    cells[header.split(",").index("name")] = '"' + "A," * 100_000 + '"' if quoted else "A" * 200_000
    files["enterprises.csv"] = "\n".join([header, ",".join(cells), *rest]).encode("utf-8")

    def parsed(*_args: object, **_kwargs: object) -> pd.DataFrame:
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(pd, "read_csv", parsed)
    report = validate_submission("COL", files)
    assert [(i.file, i.row) for i in report.errors if i.file == "enterprises.csv"] == [("enterprises.csv", 2)]
    assert "131,072" in report.errors[0].problem  # the others: training and indicators of its unread enterprises


def test_a_file_of_one_id_repeated_is_grouped_without_a_python_step_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # A row-wise DataFrame.agg/apply took 68 s for 100,000 copies of one id (measured: 4.7 s for the whole check
    # without it); the duplicate check must stay column-wise, whatever the number of rows.
    def row_by_row(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Python step per row")

    monkeypatch.setattr(pd.DataFrame, "agg", row_by_row)
    monkeypatch.setattr(pd.DataFrame, "apply", row_by_row)
    for table in ("enterprises.csv", "training.csv"):
        files = case_files("an id repeated in 2,000 rows") if table == "enterprises.csv" else _training_twice()
        report = validate_submission("COL", files)
        assert [i.problem.startswith("Duplicate") for i in report.errors][:1] == [True], report.summary()


def _training_twice() -> dict[str, bytes]:
    files = base_files()
    text = files["training.csv"].decode("utf-8")
    return {**files, "training.csv": (text + text.splitlines()[1] + "\n").encode("utf-8")}


def test_a_check_that_fails_rejects_the_upload_in_the_readers_language_without_the_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("internal_column")

    monkeypatch.setattr("score.ingest.validate._check_coordinates", broken)
    with using_language("fr"):
        report = validate_submission("COL", base_files())
    assert not report.ok
    (error,) = report.errors
    assert "KeyError" not in error.problem and "internal_column" not in error.problem, error.problem
    assert error.problem.startswith("Le validateur a échoué"), error.problem
