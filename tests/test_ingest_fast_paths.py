"""The validator's bulk paths give exactly what its row-by-row references give (so a faster build cannot change a
verdict): the width check of a text file against csv.reader row by row, a text file read by Arrow against pandas'
C parser, numbers parsed once per distinct value against the parser of one value, map_distinct against pandas'
map."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from score.frames import fullmatch, joined, map_distinct
from score.ingest import MAX_COLUMNS, IssueCollector, parse_delimited, reading
from score.ingest.conversion import _AMBIGUOUS, _INVALID, _parse_number_text, _parse_numbers
from score.ingest.reading import _width_by_rows, _width_check

SEPARATORS = [",", ";", "\t", "|"]


# Pieces of a text file; WIDE and HUGE stand for a row far wider than MAX_COLUMNS (padded with empty values or not)
# and a cell beyond csv's field size limit (expanded in the test: hypothesis would print them otherwise).
PIECES = ["a", "1", " ", '"', '""', "é", ",", ";", "\t", "|", "\r", "\n", "\r\n", "'", "WIDE", "PADDED", "HUGE"]
EXPANDED = {
    "WIDE": ",".join(["x"] * (MAX_COLUMNS + 5)),
    "PADDED": "a" + "," * (MAX_COLUMNS + 30),
    "HUGE": "x" * 140_000,
}


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=60), sep=st.sampled_from(SEPARATORS))
def test_the_width_check_agrees_with_csv_reader_row_by_row(pieces: list[str], sep: str) -> None:
    """Quotes, line breaks of every kind, blank lines, accents, wide rows, huge cells, any separator."""
    text = "".join(EXPANDED.get(piece, piece) for piece in pieces)
    assert _width_check(text, sep) == _width_by_rows(text, sep)


def test_the_width_check_on_examples() -> None:
    for text in ["", "\n\n", "a,b\n\nc", "a,b\r\nc,d,e\r", "a\rb,c", '"a,b",c\n"x\ny",z', '"open,\n' + "," * 900]:
        for sep in SEPARATORS:
            assert _width_check(text, sep) == _width_by_rows(text, sep), (text, sep)
    assert _width_check("a,b\n" + ",".join(["x"] * 701) + "\nc,d\n", ",") == (701, 2, True, None)  # the record named
    assert _width_check("a,b\n" + "," * 700 + "\nc,d\n", ",") == (2, None, True, None)  # Excel's padding: read without
    assert _width_check("a;b\n" + "x" * 140_000 + "\n", ";") == (2, None, False, 2)  # past csv's field size limit
    assert _width_check('a;b\nc;"' + "x\n" * 70_000 + '"\n', ";") == (2, None, False, 2)  # across lines, in quotes


def _parsed(text: str, by_arrow: bool) -> tuple[object, list[object]]:
    issues = IssueCollector()
    if by_arrow:
        parsed = parse_delimited(issues, "t.csv", text)
    else:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(reading, "_grid_by_arrow", lambda text, sep: None)
            parsed = parse_delimited(issues, "t.csv", text)
    if parsed is None:
        return None, issues.items
    grid, sep = parsed
    cells = {str(k): [v if isinstance(v, str) else repr(v) for v in column] for k, column in grid.items()}
    return (sep, cells, [str(t) for t in grid.dtypes], grid.columns.tolist(), list(grid.index)), issues.items


TEXT_PIECES = ["a", "1", "007", " ", "é", ",", ";", "\t", "|", "\r", "\n", "\r\n", "'", "#", "\\", "sep=;\n", "\ufeff"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from([*TEXT_PIECES, '"']), max_size=60))
@example(pieces=["a", ",", "1", "\n", "\n", "007", ",", "é", "\r\n"])
@example(pieces=["a", "\n", "\n", "1", "\n", "\n"])
@example(pieces=["WIDE"])
@example(pieces=["a", ";", "b", "\n", "HUGE", "\n"])
@example(pieces=["a", "\n", "HUGE"])
def test_a_text_file_read_by_arrow_is_the_grid_of_pandas_c_parser(pieces: list[str]) -> None:
    """Every cell, dtype, row and column, and the issues, with Arrow's reader and without it."""
    text = "".join(EXPANDED.get(piece, piece) for piece in pieces)
    assert _parsed(text, by_arrow=True) == _parsed(text, by_arrow=False)


def test_arrow_reads_the_common_file_and_leaves_the_rest() -> None:
    assert reading._grid_by_arrow("id;n\r\nA-1;007\r\n\r\nB-2;\r\n", ";").values.tolist() == [
        ["id", "n"],
        ["A-1", "007"],
        ["", ""],
        ["B-2", ""],
    ]
    wide = "," * 1_000_000  # not a million columns made: a line of separators (tests/test_fuzz_ingest.py)
    for text in ['id,n\n"A,1",2\n', "id,n\nA\n", "\nid,n\n", "id,n\n" + wide, wide + "\nid,n\n", "x\r" + wide, ""]:
        assert reading._grid_by_arrow(text, ",") is None, text


NUMBERISH = ["0", "1", "5", "9", ".", ",", "-", "+", " ", "e", "E", "\u2212", "'", "a", "1.234", "1,234", "1 234"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.lists(st.sampled_from(NUMBERISH), max_size=4).map("".join), max_size=40),
    decimal=st.sampled_from([".", ",", None]),
    whole=st.booleans(),
)
@example(values=["1.234"], decimal=".", whole=True)  # a headcount in a point-decimal file: one thousands group
@example(values=["1,234"], decimal=",", whole=True)
def test_numbers_parsed_per_distinct_value_equal_the_parser_of_one_value(
    values: list[str], decimal: str | None, whole: bool
) -> None:
    text = pd.Series(values, index=pd.RangeIndex(2, 2 + len(values)), dtype="str")
    present = text.ne("")

    def accept(value: float) -> bool:
        return 0 <= value <= 10_000 and (not whole or value.is_integer())

    parsed, invalid, ambiguous = _parse_numbers(text, present, decimal, accept)
    assert parsed.index.equals(text.index) and invalid.index.equals(text.index)
    for row, value in text.items():
        if value == "":
            assert math.isnan(parsed[row]) and not invalid[row] and not ambiguous[row]
            continue
        expected, status = _parse_number_text(value, decimal, accept)
        finite = expected is not None and math.isfinite(expected)
        assert bool(ambiguous[row]) == (status == _AMBIGUOUS), value
        assert bool(invalid[row]) == (status == _INVALID or (status not in (_INVALID, _AMBIGUOUS) and not finite))
        if expected is None:
            assert math.isnan(parsed[row])
        elif not math.isnan(expected):
            assert parsed[row] == expected, value


def test_map_distinct_is_pandas_map() -> None:
    values = pd.Series(["share", "change", None, "share", "other", "change"], index=[4, 5, 6, 7, 9, 12], dtype="string")
    kinds = {"share": "S", "change": None, "count": "C"}
    got = map_distinct(values, kinds)
    expected = values.astype(object).map(kinds)
    assert got.index.equals(values.index)
    assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in expected]
    assert got.tolist() == ["S", None, None, "S", None, None]
    assert map_distinct(pd.Series([], dtype="str"), kinds).empty
    assert np.array_equal(map_distinct(pd.Series(["a", "b"], dtype="str"), {"a": 1}).isna(), [False, True])
    # as a string column (a code column's canonical codes): the same values, pandas' string dtype, NA for missing
    as_text = map_distinct(values, kinds, dtype="string")
    pd.testing.assert_series_equal(as_text, expected.astype("string"))
    assert map_distinct(pd.Series([], dtype="str"), kinds, dtype="string").dtype == "string"


@pytest.mark.parametrize("sep", [", ", "\0", "\x1f"])
def test_joined_is_a_row_wise_join(sep: str) -> None:
    """The key of a repeated id, a review's row key and a disclosure group's name: each row's values joined, also
    with a NUL separator (Series.str.cat drops it on pandas' string columns)."""
    frame = pd.DataFrame(
        {
            "country": ["COL", "PER", None, "GHA"],
            "sector": ["food", "garments", "food", ""],
            "phase": ["I", "II", "I", "I"],
        },
        dtype="string",
    )
    got = joined([frame[c] for c in frame.columns], sep)
    expected = [None if row.isna().any() else sep.join(row) for _, row in frame.iterrows()]
    assert [None if pd.isna(v) else v for v in got] == expected
    assert got.index.equals(frame.index)
    assert joined([frame["phase"]], sep).tolist() == frame["phase"].tolist()


# Cells of every kind the fast path must leave to pandas or read alike: ASCII digits, signs, marks, Arabic-Indic and
# full-width digits (Python's \d matches them, RE2's not), a final newline (Python's "$" matches before it), blanks.
CELL_PIECES = ["1", "23", "+", "-", ".", ",", "%", "#", "N/A", "١", "２", "\n", " ", "\t", "a", "é", "2024-01-15"]
PATTERNS = [
    r"[+-]?\d+(?:\.\d+)?",
    r"[+-]?[1-9]\d{0,2}[.,]\d{3}",
    r"\d{4}-\d{2}-\d{2}",
    r"[+-]?(?:\d+,\d{1,2}|\d+,\d{4,}|0,\d+|\d{4,},\d+)",
    r"\s*\d+",  # \s: always pandas
    r"\d+$",  # "$": always pandas
    r"#(?:N/A|DIV/0!)",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.one_of(st.none(), st.lists(st.sampled_from(CELL_PIECES), max_size=4).map("".join)), max_size=12),
    pattern=st.sampled_from(PATTERNS),
)
def test_fullmatch_is_pandas_fullmatch(cells: list[str | None], pattern: str) -> None:
    """frames.fullmatch (Arrow's kernel for ASCII text and patterns) gives what Series.str.fullmatch gives."""
    values = pd.Series(cells, index=pd.RangeIndex(2, 2 + len(cells)), dtype="str")
    expected = values.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)
    assert fullmatch(values, pattern).tolist() == expected.tolist()
