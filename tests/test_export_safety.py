"""Text that came from an upload is data, never markup or a formula, in every file the app offers.

Colombia's enterprise names, partners, provinces, cities and logframe comments are hostile (tests/hostile_exports.py:
formula starts in ASCII and full width, spaces before "=", a DDE payload, tags, a markdown link, a direction override,
a 200-character name). Every page is run (AppTest) by HQ with a hostile partner in its filters and the deck built, and
the Upload page by Colombia's staff with a hostile upload rejected; every download button drawn is recorded where
media_guard binds its data (`components.download`, the app's one download button), and its file made and read back:
CSV (csv module), workbooks (openpyxl; a deck's chart workbooks too), the HTML report (html.parser, its charts' JSON),
the PDF (pypdf), the deck (python-pptx). No CSV text may start a formula (at its start or after a separator, past
leading spaces; score.formulas puts Excel's apostrophe there); a workbook holds no formula, link or external link (its
text cells are text by their type); no element, script or link in the HTML, the PDF or a chart comes from a value; and
Colombia's staff files hold no other country's enterprise.

Every download button in the code (a call of `download`, `csv_download` or `download_button` in app.py, views/ or
score/web/, found by reading the source) must have been drawn and made here: a new export fails this test until it
is exercised. PNG images are recorded but not made (kaleido; a picture holds no cell or element).
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from score import db, settings
from score.access import Scope
from score.web import media_guard
from tests import built
from tests.apptest import no_exception, open_page
from tests.hostile_exports import (
    CITIES,
    EVIL_HOST,
    FORMULAS,
    HOSTILE,
    LONGEST_NAME,
    MARKUP,
    PARTNERS,
    build_hostile,
    formula_start,
)

REPO = Path(__file__).resolve().parent.parent
HQ = Scope.hq("geneva")
BOGOTA = Scope.country("bogota", {"COL"})
TIMEOUT = 180
HQ_PAGES = [
    "views/overview.py",
    "views/enterprises.py",
    "views/training.py",
    "views/outcomes.py",
    "views/map.py",
    "views/logframe.py",
    "views/country.py",
    "views/data_quality.py",
]  # Review, Audit log and the history offer no download (the test of the buttons says so); the Upload page is staff's
# Two hostile partners chosen: the filters in words (every file's About, footer and caption) carry them.
HQ_PARAMS = {"countries": ["COL"], "partners": [PARTNERS[0], PARTNERS[2]], "profile": "COL"}
DOWNLOAD_CALLS = {"download", "csv_download", "download_button"}


@dataclass(frozen=True)
class Offered:
    """A download button as drawn: who saw it, its file's name and type, what makes it, where in the code."""

    viewer: str
    page: str
    file_name: str
    mime: str
    make: Callable[[], bytes] | bytes | str
    sites: frozenset[tuple[str, int]]

    def data(self) -> bytes:
        """The file, made on the first call as a click would make it; the later checks read that same file (they
        made each file again: ~5 s of CPU for files already made and read)."""
        if self not in _MADE:
            made = self.make() if callable(self.make) else self.make
            _MADE[self] = made.encode("utf-8") if isinstance(made, str) else made
        return _MADE[self]


_MADE: dict[Offered, bytes] = {}  # each offered file's bytes, made once (the module's offered files are read-only)


def _sites() -> frozenset[tuple[str, int]]:
    """The lines of this repository's code on the stack (the button's call and every call above it)."""
    frame, out = sys._getframe(2), set()
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(REPO) and not path.is_relative_to(REPO / "tests"):
            out.add((path.relative_to(REPO).as_posix(), frame.f_lineno))
        frame = frame.f_back
    return frozenset(out)


class _Recorder:
    """media_guard.bound, recording each button's maker as `download` was given it (before any budget wraps it:
    this test makes every file once, and a viewer's budget of costly files would refuse some)."""

    def __init__(self, bound: Callable[..., object]) -> None:
        self.bound, self.offered, self.viewer, self.page = bound, list[Offered](), "", ""

    def __call__(self, data: object) -> object:
        button = sys._getframe(1).f_locals  # `download`'s own arguments
        self.offered.append(
            Offered(self.viewer, self.page, str(button["file_name"]), str(button["mime"]), button["make"], _sites())
        )
        return self.bound(data)


def _hostile_upload() -> dict[str, bytes]:
    """Colombia's small valid set with hostile sectors and names: rejected, its report and marked copy hold them."""
    from tests.hostile_uploads import base_files

    files = base_files()
    rows = list(csv.reader(io.StringIO(files["enterprises.csv"].decode("utf-8"))))
    sector, name = rows[0].index("sector"), rows[0].index("name")
    for n, row in enumerate(rows[1:]):
        row[sector], row[name] = HOSTILE[n % len(HOSTILE)], HOSTILE[(n + 3) % len(HOSTILE)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return files | {"enterprises.csv": out.getvalue().encode("utf-8")}


@pytest.fixture(scope="module")
def offered(run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Offered]]:
    """Every download button HQ and Colombia's staff are offered on every page over the hostile data set (the
    files are made by the tests, inside this data dir, as a click would make them)."""
    template = built.once_per_run("hostile", build_hostile)
    data = built.copy_built(template, tmp_path_factory.mktemp("hostile") / "data")
    recorder = _Recorder(media_guard.bound)
    with settings.overridden(data_dir=data), pytest.MonkeyPatch.context() as patch:
        patch.setattr(media_guard, "bound", recorder)
        recorder.viewer = "hq"
        for page in HQ_PAGES:
            recorder.page = page
            open_page(page, HQ_PARAMS, HQ, timeout=TIMEOUT)
        recorder.page = "views/present.py"
        at = open_page(recorder.page, HQ_PARAMS, HQ, timeout=TIMEOUT)
        no_exception(at.button(key="deck_build").click().run(), "deck")
        recorder.viewer, recorder.page = "bogota", "views/upload.py"
        at = open_page(recorder.page, {}, BOGOTA, timeout=TIMEOUT)
        uploader = next(u for u in at.file_uploader if str(u.key).startswith("upload_files_"))
        uploader.set_value([(n, raw, "text/csv") for n, raw in _hostile_upload().items()])
        no_exception(at.run(), "upload")
        no_exception(at.button(key="upload_check_files").click().run(), "check")
        recorder.page = "views/data_quality.py"  # its CSVs: one per check, Colombia's rows alone
        open_page(recorder.page, {}, BOGOTA, timeout=TIMEOUT)
        yield recorder.offered
        _MADE.clear()
        db.close_all()


# ------------------------------------------------------------------------------------------------ reading back


def _text_cells_csv(data: bytes) -> Iterator[str]:
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        yield from row


def _workbook_problems(data: bytes, where: str) -> list[str]:
    """A formula, a link or a link to another file in a workbook. A text cell is text by its type (a shared or inline
    string): a spreadsheet shows "=1+2" in it as written and runs nothing."""
    import openpyxl

    problems = []
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{where} {sheet.title}: a formula {cell.value!r}")
                if cell.hyperlink is not None:
                    problems.append(f"{where} {sheet.title}: a link {cell.hyperlink.target!r}")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # what openpyxl would not show: the sheets' own XML
        for name in archive.namelist():
            xml = archive.read(name).decode("utf-8", "replace")
            if name.startswith("xl/worksheets/") and re.search(r"<f[ >]|<(\w+:)?f>", xml):
                problems.append(f"{where} {name}: a formula element")
            if "externalLink" in name or (name.endswith(".rels") and EVIL_HOST in xml):
                problems.append(f"{where} {name}: a link to another file or site")
    return problems


class _Elements(HTMLParser):
    """The elements a browser would make of a document: tags, attributes, scripts' text, the text itself."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))
        else:
            self.text.append(data)


def _strings(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a chart's JSON with where it is ("layout.title.text")."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, path)


PLOTLY_LIVE = ("<a", "<script", "<img", "<marquee", "<iframe")  # tags Plotly draws as elements or links


def _html_problems(data: bytes, where: str) -> list[str]:
    page = _Elements()
    page.feed(data.decode("utf-8"))
    problems = [f"{where}: a <{tag}> element" for tag, _ in page.tags if tag in {"img", "marquee", "iframe", "a"}]
    problems += [f"{where}: <{tag}> {attrs}" for tag, attrs in page.tags if EVIL_HOST in str(attrs)]
    for attrs, script in page.scripts:
        if "alert(" in script:
            problems.append(f"{where}: a script from a value {script[:80]!r}")
        if attrs.get("type") == "application/json":  # a chart: Plotly draws some tags in its strings
            problems += [
                f"{where}: chart text at {path}: {text[:80]!r}"
                for path, text in _strings(json.loads(script))
                # layout.meta is drawn by no template (none names %{meta}): the charts' names read it as plain text
                if (any(tag in text.lower() for tag in PLOTLY_LIVE) and not path.startswith(".layout.meta"))
                or "%{meta" in text
            ]
    return problems


def _pdf_problems(data: bytes, where: str) -> list[str]:
    import pypdf

    problems = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages, 1):
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if EVIL_HOST in str(action.get("/URI", "")):
                problems.append(f"{where} page {number}: a link to {action['/URI']}")
    return problems


def _deck_problems(data: bytes, where: str) -> list[str]:
    import pptx

    problems = []
    deck = pptx.Presentation(io.BytesIO(data))
    for number, slide in enumerate(deck.slides, 1):
        for shape in slide.shapes:
            if shape.has_chart:  # the workbook PowerPoint opens to edit the chart's data
                problems += _workbook_problems(
                    shape.chart.part.chart_workbook.xlsx_part.blob, f"{where} slide {number}"
                )
            if shape.click_action.hyperlink.address and EVIL_HOST in shape.click_action.hyperlink.address:
                problems.append(f"{where} slide {number}: a link")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".rels") and EVIL_HOST in archive.read(name).decode("utf-8", "replace"):
                problems.append(f"{where} {name}: a link to {EVIL_HOST}")
    return problems


def problems_of(file_name: str, data: bytes) -> list[str]:
    """What in a file could run or link: a formula, text a spreadsheet runs, an element or link from a value."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        return [
            f"{file_name}: text that runs as a formula {cell[:60]!r}"
            for cell in _text_cells_csv(data)
            if formula_start(cell) is not None
        ]
    if suffix == ".xlsx":
        return _workbook_problems(data, file_name)
    if suffix == ".html":
        return _html_problems(data, file_name)
    if suffix == ".pdf":
        return _pdf_problems(data, file_name)
    if suffix == ".pptx":
        return _deck_problems(data, file_name)
    raise AssertionError(f"{file_name}: a kind of file this test cannot read back: add a reader")


# ------------------------------------------------------------------------------------------------------- tests


def _download_calls() -> dict[tuple[str, int, int], str]:
    """Every download button in the app's code: {(file, first line, last line): the call as written}."""
    files = [REPO / "app.py", *(REPO / "views").glob("*.py"), *(REPO / "score" / "web").rglob("*.py")]
    calls = {}
    for path in files:
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in DOWNLOAD_CALLS:
                    where = (path.relative_to(REPO).as_posix(), node.lineno, node.end_lineno or node.lineno)
                    calls[where] = ast.get_source_segment(source, node.func) or name
    return calls


def test_every_download_button_in_the_code_was_offered_here(offered: list[Offered]) -> None:
    calls = _download_calls()
    assert len(calls) >= 15, calls  # the reading of the code found the buttons
    seen = {site for o in offered for site in o.sites}
    missed = [
        f"{path}:{first} {call}"
        for (path, first, last), call in calls.items()
        if not any(p == path and first <= line <= last for p, line in seen)
    ]
    assert not missed, f"download buttons this test never drew (add the page or case to its runs): {missed}"


# Files whose text comes from the app alone, and whose markup is the app's own (no uploaded text reaches them).
def test_every_file_offered_holds_uploaded_text_as_data(offered: list[Offered]) -> None:
    made, problems, pdfs = set(), [], 0
    for item in offered:
        if item.mime == "image/png":
            continue  # a picture: no cell, element or link
        if item.mime == "application/pdf":
            pdfs += 1
            if pdfs > 1:  # the same maker for every page; Chromium takes seconds a PDF
                continue
        data = item.data()
        assert data, (item.page, item.file_name)
        made.add(Path(item.file_name).suffix.lower())
        problems += [f"{item.viewer} {item.page}: {p}" for p in problems_of(item.file_name, data)]
    assert made >= {".csv", ".xlsx", ".html", ".pdf", ".pptx"}, made
    assert not problems, "\n".join(sorted(set(problems))[:60]) + f"\n({len(problems)} in all)"


def test_the_hostile_values_reached_the_files(offered: list[Offered]) -> None:
    """The check above reads files that hold the hostile text (else it would pass on empty files)."""
    from score.formulas import neutralise_text

    text = b"".join(
        item.data() for item in offered if item.mime in ("text/csv", "text/html") and item.viewer == "bogota"
    ).decode("utf-8", "replace")
    for value in (PARTNERS[0], CITIES[0], "alert(1)"):
        assert neutralise_text(value) in text or value in text, value


def test_colombias_staff_files_hold_no_other_countrys_rows(offered: list[Offered]) -> None:
    """The Upload page's files for Colombia's staff (current data, the report, the marked copy) and the Data quality
    page's CSVs: Colombia alone."""
    uploads = [
        item
        for item in offered
        if item.viewer == "bogota" and any(path == "score/web/upload_sections.py" for path, _ in item.sites)
    ]
    assert len(uploads) >= 5, [item.file_name for item in uploads]  # the workbook, 3-4 CSVs, the report, the copy
    checks = [
        item
        for item in offered
        if item.viewer == "bogota" and item.page == "views/data_quality.py" and item.mime == "text/csv"
    ]
    # a CSV per check with rows (one over this data set: it counted two while a page opening ran the overview first
    # and its CSVs were recorded as this page's)
    assert checks, [item.file_name for item in offered if item.viewer == "bogota"]
    assert sum(len(re.findall(rb"\bCOL-\d{4}\b", item.data())) for item in checks) >= 10  # their rows are there
    theirs = uploads + checks
    colombian = 0
    for item in theirs:
        data = item.data()
        if data[:2] == b"PK":  # a workbook
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            rows = (row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
            text = "\n".join(str(cell) for row in rows for cell in row)
        else:
            text = data.decode("utf-8-sig")
        colombian += len(re.findall(r"\bCOL-\d{4}\b", text))
        assert not re.search(r"\b(?!COL)[A-Z]{3}-\d{4}\b", text), item.file_name  # another country's enterprise
    assert colombian > 500, colombian  # the current data: Colombia's 213 enterprises in three tables at least


def test_the_page_workbooks_show_formula_text_as_typed_with_excels_text_mark(offered: list[Offered]) -> None:
    """A page workbook's text that a spreadsheet could run (a hostile partner "=cmd|...", "＝Bogotá") is the cell's
    value as typed, marked as text by the cell's style (quotePrefix), not by an apostrophe the reader sees."""
    import openpyxl

    marked, problems = 0, []
    for item in offered:
        if item.viewer != "hq" or not item.file_name.endswith(".xlsx"):
            continue  # HQ's workbooks are the pages' (exports.to_excel); the Upload page's are in upload format
        for sheet in openpyxl.load_workbook(io.BytesIO(item.data())).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if not isinstance(cell.value, str):
                        continue
                    if formula_start(cell.value) is not None:
                        marked += cell.quotePrefix
                        if not cell.quotePrefix:
                            problems.append(f"{item.file_name} {sheet.title}!{cell.coordinate}: {cell.value[:40]!r}")
                    elif cell.value.startswith("'") and formula_start(cell.value[1:]) is not None:
                        problems.append(f"{item.file_name} {sheet.title}!{cell.coordinate}: an apostrophe shown")
    assert not problems, "\n".join(problems[:30]) + f"\n({len(problems)} in all)"
    assert marked >= 20, marked  # the hostile partners, names and cities reached the workbooks


@pytest.mark.parametrize("value", [*FORMULAS, *MARKUP, LONGEST_NAME, " \u3000 \uff1d1", "\u2007=1", "a; \uff20b"])
def test_the_one_neutraliser_leaves_no_formula_start_and_restores_what_it_wrote(value: str) -> None:
    import pandas as pd

    from score.exports import neutralised
    from score.formulas import neutralise_text, restore_text

    assert formula_start(neutralise_text(value)) is None, neutralise_text(value)
    assert restore_text(neutralise_text(value)) == value
    for dtype in (object, "string"):  # the bulk search (RE2 for a string column) finds what the regex does
        column = neutralised(pd.DataFrame({"name": pd.Series([value], dtype=dtype)}))["name"]
        assert formula_start(str(column.iloc[0])) is None, (dtype, column.iloc[0])
