"""Fuzzing the upload validator: whatever bytes arrive, `validate_submission` returns a report, never raises.

Inputs: random bytes under contract file names; valid country files mutated (bytes flipped, inserted,
deleted, NUL bytes, columns shuffled or dropped, headers renamed, cells replaced by odd values or a 1 MB
value, other encodings, other separators and line endings, files dropped, renamed or added); real XLSX
workbooks mutated at byte and zip-member level; workbooks built from random typed cells; random zips
named .xlsx. A rejected upload published through `publish_country` changes nothing on disk.

`make test` runs a small number of cases (FUZZ_EXAMPLES, default 40 per test: ~200 cases in all);
`make fuzz` (bench/fuzz_ingest.py) runs at least 10,000.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import logging
import os
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from score import contract
from score import settings as score_settings  # `settings` is hypothesis's here
from score.ingest import ERROR, WARNING, ValidationReport, validate_submission

REPO = Path(__file__).resolve().parent.parent
SMALL = REPO / "tests" / "fixtures" / "valid_small" / "COL"
DEMO = REPO / "data" / "countries" / "COL"
# make test draws EXAMPLES per strategy; make test-full draws FULL_EXAMPLES more (test_more_cases_give_a_report,
# marked exhaustive: 40 a strategy cost make test 30 s more CPU); make fuzz (bench/fuzz_ingest.py) sets FUZZ_EXAMPLES.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FULL_EXAMPLES = max(EXAMPLES, 40)
PUBLISH_EXAMPLES = max(5, EXAMPLES // 4)
CASES: Counter[str] = Counter()  # cases run per test (read by bench/fuzz_ingest.py)
HUGE = 1_000_000

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def _csv_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


BASES = {"small": _csv_files(SMALL), "demo": _csv_files(DEMO)}


def _workbook(files: dict[str, bytes]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, raw in files.items():
        sheet = book.create_sheet(Path(name).stem)
        for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))):
            sheet.append([_typed(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(cell: str) -> object:
    """Cells as Excel would hold them: numbers as numbers, ISO dates as dates."""
    try:
        return dt.datetime.strptime(cell, "%Y-%m-%d")
    except ValueError:
        pass
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell)
    except ValueError:
        return cell


BASE_XLSX = _workbook(BASES["small"])

# --------------------------------------------------------------------------------------------- strategies

ODD_VALUES = [
    "",
    " ",
    "NA",
    "N/A",
    "null",
    "-",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "=1+1",
    '=HYPERLINK("http://x")',
    "2011-02-30",
    "31/12/2011",
    "12/31/2011",
    "2011-13-01",
    "0001-01-01",
    "9999-12-31",
    "1.234",
    "1,234",
    "1,5",
    "1.234,5",
    "1 234",
    "99999999999999999999999",
    " COL-0001 ",
    "COL-0001",
    "GHA-0001",
    "col-0001",
    "ÑANDÚ Ltda.",
    "\u202eevil",
    "\ufeffCOL-0002",
    "0x10",
    "TRUE",
    "follow-up",
    "Baseline",
    "osh",
    '"',
    '""',
    "a,b",
    "a;b",
    "line\nbreak",
    "\t",
]
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "utf-8-sig", "mac_roman", "cp850"]
ENCODINGS += ["shift_jis", "cp1251", "utf-7"]
SEPARATORS = [";", "\t", "|", ":", " "]
FILE_NAMES = [
    "enterprises.csv",
    "training.csv",
    "indicators.csv",
    "logframe.csv",
    "Enterprises.CSV",
    "COL_enterprises (2).csv",
    "training.txt",
    "indicators.tsv",
    "data.csv",
    "enterprises.xlsx",
    "book.xlsm",
    "report.pdf",
    "old.xls",
    "sheet.ods",
    "archive.zip",
    "noext",
    ".hidden.csv",
    "~$enterprises.csv",
    "../../etc/enterprises.csv",
    "enterprises.csv\x00.exe",
]
MAGIC = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-1.4\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE]
COUNTRY = st.one_of(
    st.just("COL"), st.sampled_from(["col", " COL ", "GHA", "", "XXX", "CO"]), st.text(max_size=5)
).filter(lambda c: "\x00" not in c)
cell_values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=30),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
)

Files = dict[str, bytes]
Op = Callable[[st.DrawFn, Files], Files]


def _pick(draw: st.DrawFn, files: Files) -> str | None:
    return draw(st.sampled_from(sorted(files))) if files else None


def _rows(raw: bytes) -> list[list[str]] | None:
    try:
        return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error):
        return None


def _write(rows: list[list[str]], delimiter: str = ",", terminator: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=terminator).writerows(rows)
    return out.getvalue().encode("utf-8")


def _with(files: Files, name: str, raw: bytes) -> Files:
    return {**files, name: raw}


def op_flip(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None or not files[name]:
        return files
    data = bytearray(files[name])
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    return _with(files, name, bytes(data))


def op_insert(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None:
        return files
    data = files[name]
    at = draw(st.integers(0, len(data)))
    blob = draw(st.one_of(st.binary(min_size=1, max_size=64), st.sampled_from([b"\x00", b"\x00" * 16, b'"', b"\r"])))
    return _with(files, name, data[:at] + blob + data[at:])


def op_delete(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None or not files[name]:
        return files
    data = files[name]
    start = draw(st.integers(0, len(data) - 1))
    length = draw(st.integers(1, max(1, len(data) - start)))
    return _with(files, name, data[:start] + data[start + length :])


def op_truncate(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None:
        return files
    return _with(files, name, files[name][: draw(st.integers(0, len(files[name])))])


def _table_op(change: Callable[[st.DrawFn, list[list[str]]], list[list[str]]]) -> Op:
    def op(draw: st.DrawFn, files: Files) -> Files:
        name = _pick(draw, files)
        rows = _rows(files[name]) if name else None
        if not name or not rows or not rows[0]:
            return op_flip(draw, files)
        return _with(files, name, _write(change(draw, rows)))

    op.__name__ = change.__name__
    return op


@_table_op
def shuffle_columns(draw: st.DrawFn, rows: list[list[str]]) -> list[list[str]]:
    width = len(rows[0])
    order = draw(st.permutations(range(width)))
    return [[row[i] for i in order] if len(row) == width else row for row in rows]


@_table_op
def drop_column(draw: st.DrawFn, rows: list[list[str]]) -> list[list[str]]:
    at = draw(st.integers(0, len(rows[0]) - 1))
    return [row[:at] + row[at + 1 :] for row in rows]


@_table_op
def rename_header(draw: st.DrawFn, rows: list[list[str]]) -> list[list[str]]:
    at = draw(st.integers(0, len(rows[0]) - 1))
    old = rows[0][at]
    new = draw(st.one_of(st.text(max_size=20), st.just(old.upper()), st.just(old[:-1]), st.just(f" {old} ")))
    return [[*rows[0][:at], new, *rows[0][at + 1 :]], *rows[1:]]


@_table_op
def set_cells(draw: st.DrawFn, rows: list[list[str]]) -> list[list[str]]:
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(1, 5))):
        r = draw(st.integers(0, len(rows) - 1))
        if rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(cell_values)
    return rows


@_table_op
def huge_cell(draw: st.DrawFn, rows: list[list[str]]) -> list[list[str]]:
    rows = [list(r) for r in rows]
    r = draw(st.integers(0, len(rows) - 1))
    unit = draw(st.sampled_from(["X", "9", "é", "€", " ", ",", '"', "\u0000", "ab;c"]))
    if rows[r]:
        rows[r][draw(st.integers(0, len(rows[r]) - 1))] = unit * (HUGE // len(unit.encode()))
    return rows


@_table_op
def duplicate_rows(draw: st.DrawFn, rows: list[list[str]]) -> list[list[str]]:
    if len(rows) < 2:
        return rows
    picks = draw(st.lists(st.integers(1, len(rows) - 1), min_size=1, max_size=5))
    return rows + [rows[i] for i in picks]


@_table_op
def ragged_rows(draw: st.DrawFn, rows: list[list[str]]) -> list[list[str]]:
    rows = [list(r) for r in rows]
    r = draw(st.integers(0, len(rows) - 1))
    rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))] + draw(st.lists(cell_values, max_size=3))
    return rows


def op_separator(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    rows = _rows(files[name]) if name else None
    if not name or not rows:
        return files
    sep = draw(st.sampled_from(SEPARATORS))
    if draw(st.booleans()):  # decimal commas, as a European Excel writes them with ';'
        rows = [[c.replace(".", ",") if c.replace(".", "").replace("-", "").isdigit() else c for c in r] for r in rows]
    return _with(files, name, _write(rows, delimiter=sep))


def op_naive_separator(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None:
        return files
    sep = draw(st.sampled_from([b";", b"\t", b"|"]))
    return _with(files, name, files[name].replace(b",", sep))


def op_line_endings(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None:
        return files
    ending = draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\n \n", b"\x85", "\u2028".encode()]))
    return _with(files, name, files[name].replace(b"\n", ending))


def op_encoding(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None:
        return files
    try:
        text = files[name].decode("utf-8")
    except UnicodeDecodeError:
        return files
    encoding = draw(st.sampled_from(ENCODINGS))
    return _with(files, name, text.encode(encoding, errors="replace"))


def op_mixed_encoding(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None:
        return files
    lines = files[name].split(b"\n")
    at = draw(st.integers(0, max(0, len(lines) - 1)))
    try:
        lines[at] = lines[at].decode("utf-8").encode("cp1252", errors="replace") + "Ñ".encode("cp1252")
    except UnicodeDecodeError:
        return files
    return _with(files, name, b"\n".join(lines))


def op_drop_file(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    return {k: v for k, v in files.items() if k != name}


def op_rename_file(draw: st.DrawFn, files: Files) -> Files:
    name = _pick(draw, files)
    if name is None:
        return files
    new = draw(st.one_of(st.sampled_from(FILE_NAMES), st.text(min_size=1, max_size=20)))
    rest = {k: v for k, v in files.items() if k != name}
    return {**rest, new: files[name]}


def op_add_file(draw: st.DrawFn, files: Files) -> Files:
    new = draw(st.one_of(st.sampled_from(FILE_NAMES), st.text(min_size=1, max_size=20)))
    source = draw(st.one_of(st.binary(max_size=256), st.sampled_from(sorted(files.values()) or [b""])))
    return {**files, new: source}


def op_wide_row(draw: st.DrawFn, files: Files) -> Files:
    """A line of many separators (empty or with values), or every line padded as Excel does up to the
    last formatted column: once cost gigabytes of memory, now bounded (ingest.MAX_COLUMNS)."""
    name = _pick(draw, files)
    if name is None:
        return files
    sep = draw(st.sampled_from([b",", b";", b"\t"]))
    count = draw(st.sampled_from([10, 499, 500, 501, 16_383, 200_000]))
    if draw(st.booleans()):
        return _with(files, name, b"\n".join(line + sep * count for line in files[name].split(b"\n")))
    cell = draw(st.sampled_from([b"", b"x", b"1"]))
    return _with(files, name, files[name] + (cell + sep) * count + b"\n")


CSV_OPS: list[Op] = [
    op_wide_row,
    op_flip,
    op_insert,
    op_delete,
    op_truncate,
    shuffle_columns,
    drop_column,
    rename_header,
    set_cells,
    set_cells,
    huge_cell,
    duplicate_rows,
    ragged_rows,
    op_separator,
    op_naive_separator,
    op_line_endings,
    op_encoding,
    op_mixed_encoding,
    op_drop_file,
    op_rename_file,
    op_add_file,
]


@st.composite
def mutated_csv(draw: st.DrawFn) -> tuple[str, Files]:
    files = dict(BASES[draw(st.sampled_from(sorted(BASES)))])
    for op in draw(st.lists(st.sampled_from(CSV_OPS), min_size=1, max_size=3)):
        files = op(draw, files)
    return draw(COUNTRY), files


@st.composite
def random_bytes(draw: st.DrawFn) -> tuple[str, Files]:
    names = draw(st.lists(st.sampled_from(FILE_NAMES), min_size=0, max_size=4, unique=True))
    files = {name: draw(st.sampled_from(MAGIC)) + draw(st.binary(max_size=2048)) for name in names}
    return draw(COUNTRY), files


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


XLSX_MEMBERS = sorted(zipfile.ZipFile(io.BytesIO(BASE_XLSX)).namelist())


@st.composite
def mutated_xlsx(draw: st.DrawFn) -> tuple[str, Files]:
    how = draw(st.sampled_from(["bytes", "member", "drop", "replace"]))
    if how == "bytes":
        files = op_flip(draw, {"COL.xlsx": BASE_XLSX}) if draw(st.booleans()) else {"COL.xlsx": BASE_XLSX}
        files = draw(st.sampled_from([op_insert, op_delete, op_truncate, op_flip]))(draw, files)
        return "COL", files
    with zipfile.ZipFile(io.BytesIO(BASE_XLSX)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    target = draw(st.sampled_from(XLSX_MEMBERS))
    if how == "drop":
        members.pop(target)
    elif how == "replace":
        members[target] = draw(
            st.one_of(
                st.binary(max_size=512),
                st.sampled_from(
                    [b"", b"<x/>", b"<?xml version='1.0'?><worksheet/>", b"<!DOCTYPE a [<!ENTITY b 'c'>]>"]
                ),
            )
        )
    else:
        changed = op_flip(draw, {target: members[target]})
        changed = draw(st.sampled_from([op_insert, op_delete, op_truncate, op_flip]))(draw, changed)
        members[target] = changed.get(target, b"")
    return "COL", {"COL.xlsx": _zip(members)}


@st.composite
def random_zip(draw: st.DrawFn) -> tuple[str, Files]:
    names = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    names += ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "docProps/app.xml"]
    chosen = draw(
        st.lists(st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12)), max_size=6, unique=True)
    )
    members = {name: draw(st.binary(max_size=256)) for name in chosen}
    try:
        data = _zip(members)
    except (ValueError, UnicodeEncodeError, IndexError):  # names zipfile cannot store ("", "/")
        data = b"PK\x03\x04" + draw(st.binary(max_size=64))
    return draw(COUNTRY), {draw(st.sampled_from(["data.xlsx", "COL.xlsm", "enterprises.xlsx"])): data}


excel_cells = st.one_of(
    st.none(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.times(),
    st.sampled_from(ODD_VALUES).filter(lambda v: not any(ord(c) < 32 and c not in "\t\n\r" for c in v)),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
)


@st.composite
def random_workbook(draw: st.DrawFn) -> tuple[str, Files]:
    """A real workbook whose cells are the valid demo rows with random typed values dropped in."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = draw(
        st.lists(
            st.sampled_from(["enterprises", "training", "indicators", "logframe", "Sheet1", "notes", "Enterprises "]),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    for sheet_name in sheets:
        sheet = book.create_sheet(sheet_name.strip()[:31] or "x")
        base = _rows(BASES["small"].get(f"{sheet_name.strip().lower()}.csv", b"a,b\n1,2\n")) or [[]]
        for row in base:
            cells = [_typed(c) for c in row]
            for _ in range(draw(st.integers(0, 2))):
                if cells:
                    cells[draw(st.integers(0, len(cells) - 1))] = draw(excel_cells)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return draw(COUNTRY), {"COL.xlsx": out.getvalue()}


# --------------------------------------------------------------------------------------------- checks


def check_report(report: object, files: Files) -> None:
    """The validator's promise: a complete, renderable report; typed tables only when accepted."""
    assert isinstance(report, ValidationReport)
    assert report.ok == (not report.errors)
    for issue in report.issues:
        assert issue.severity in (ERROR, WARNING)
        assert isinstance(issue.problem, str) and issue.problem.strip()
        assert isinstance(issue.fix, str) and issue.fix.strip()
        assert issue.value is None or len(issue.value) <= 80
    assert isinstance(report.summary(), str)
    assert isinstance(report.to_json(), str)
    assert len(report.to_frame()) == len(report.issues)
    if report.ok:
        for name, table in contract.TABLES.items():
            assert list(report.tables[name].columns) == [c.name for c in table.columns]
    else:
        assert not report.tables
    if not files:
        assert not report.ok


class _GuardedFailures(logging.Handler):
    """score.ingest turns a bug in a check into a rejection and logs it: for the fuzz that is still a bug."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


SLOWEST: dict[str, float] = {}  # longest single case per test, seconds (read by bench/fuzz_ingest.py)


def run_case(test: str, country: str, files: Files) -> ValidationReport:
    CASES[test] += 1
    started = time.perf_counter()
    handler = _GuardedFailures()
    logger = logging.getLogger("score.ingest")
    logger.addHandler(handler)
    try:
        report = validate_submission(country, files)
    finally:
        logger.removeHandler(handler)
    SLOWEST[test] = max(SLOWEST.get(test, 0.0), time.perf_counter() - started)
    check_report(report, files)
    failures = [f"{r.getMessage()}: {r.exc_info[1]!r}" if r.exc_info else r.getMessage() for r in handler.records]
    assert not failures, f"a validation step failed (caught by score.ingest's guard): {failures}"
    return report


RANDOM_BYTES = st.one_of(random_bytes(), random_zip())


@FUZZ
@given(RANDOM_BYTES)
def test_random_bytes_give_a_report(case: tuple[str, Files]) -> None:
    # Random bytes (or a random zip) are never a valid submission: always rejected, with at least one error.
    report = run_case("random_bytes", *case)
    assert not report.ok and report.errors, report.summary()


@FUZZ
@given(mutated_csv())
def test_mutated_csv_files_give_a_report(case: tuple[str, Files]) -> None:
    run_case("mutated_csv", *case)


@FUZZ
@given(mutated_xlsx())
def test_mutated_workbooks_give_a_report(case: tuple[str, Files]) -> None:
    run_case("mutated_xlsx", *case)


@FUZZ
@given(random_workbook())
def test_random_workbooks_give_a_report(case: tuple[str, Files]) -> None:
    run_case("random_workbook", *case)


def test_unmutated_bases_are_valid() -> None:
    """The fuzz starts from valid files, so mutations test rejection rather than a broken base."""
    for files in BASES.values():
        assert validate_submission("COL", files).ok
    assert validate_submission("COL", {"COL.xlsx": BASE_XLSX}).ok


@pytest.mark.exhaustive
@pytest.mark.parametrize(
    ("test", "strategy"),
    [
        (test_random_bytes_give_a_report, RANDOM_BYTES),
        (test_mutated_csv_files_give_a_report, mutated_csv()),
        (test_mutated_workbooks_give_a_report, mutated_xlsx()),
        (test_random_workbooks_give_a_report, random_workbook()),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_more_cases_give_a_report(test: Callable[..., None], strategy: st.SearchStrategy) -> None:
    """The four checks above with FULL_EXAMPLES each (make test-full): the same body, a longer draw."""
    settings(FUZZ, max_examples=FULL_EXAMPLES)(given(strategy)(test.hypothesis.inner_test))()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------- publish


def snapshot(data: Path) -> dict[str, str]:
    """Everything a publish may touch: versions, pointer, archive, history, country folders."""
    state = {}
    for path in sorted(data.rglob("*")):
        if path.name == "publish.lock" or path.name == "audit.log":
            continue
        key = str(path.relative_to(data))
        if path.is_symlink():
            state[key] = "-> " + os.readlink(path)
        elif path.is_file():
            state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            state[key] = "dir"
    return state


@pytest.fixture(scope="module")
def small_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir holding only the small valid COL set, built (fast to snapshot)."""
    from score import db
    from score.publish import build_all

    data = tmp_path_factory.mktemp("fuzz") / "data"
    (data / "countries").mkdir(parents=True)
    import shutil

    shutil.copytree(SMALL, data / "countries" / "COL")
    with score_settings.overridden(data_dir=data):
        build_all(user="fuzz")
        yield data
        db.close_all()


REJECTED = st.one_of(mutated_csv(), random_bytes(), mutated_xlsx())


@settings(FUZZ, max_examples=PUBLISH_EXAMPLES)
@given(REJECTED)
def test_rejected_upload_changes_nothing(small_data_dir: Path, case: tuple[str, Files]) -> None:
    from score.access import Scope
    from score.publish import RejectedUpload, publish_country

    _, files = case
    assume(not validate_submission("COL", files).ok)
    CASES["publish_rejected"] += 1
    before = snapshot(small_data_dir)
    with pytest.raises(RejectedUpload) as rejected:
        publish_country("COL", files, Scope.country("fuzz", {"COL"}))
    check_report(rejected.value.report, files)
    assert snapshot(small_data_dir) == before


@pytest.mark.exhaustive
def test_more_rejected_uploads_change_nothing(small_data_dir: Path) -> None:
    """The check above with FULL_EXAMPLES // 4 cases (make test-full)."""
    more = settings(FUZZ, max_examples=FULL_EXAMPLES // 4)
    more(given(REJECTED)(test_rejected_upload_changes_nothing.hypothesis.inner_test))(small_data_dir=small_data_dir)  # type: ignore[attr-defined]
