"""The fixes of the adversarial review (issue 10, points 2 and 4-8), each as the attack that worked before:
a DEMO_DATA.txt smuggled in an upload, markup in uploaded names, workbook bombs, lock-out of the real user,
a reversible trace of typed input in the audit log, world-readable data files."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import stat
import time
import zipfile
from pathlib import Path

import plotly.graph_objects as go
import pytest

from score import auth, charts, config, disclosure, ingest, settings, throttling
from score.access import Scope
from tests.publishing import build_small, dataset_a

PASSWORD = "correct horse battery staple"
LINK = '<a href="https://evil.example/login">Partner</a>'
IMAGE = "<img src=https://evil.example/pixel.png>"
MARKDOWN = "[Partner](https://evil.example/login) ![p](https://evil.example/pixel.png)"


class FakeClock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------------------------------- 2: demo state


def test_a_demo_marker_in_an_upload_never_reaches_the_data(tmp_path: Path, settings_override) -> None:
    from score.__main__ import main
    from score.publish import build_all, publish_country

    data = build_small(tmp_path, settings_override)  # COL and PER, the demo set (with its markers)
    settings_override(users_file=data / "users.json")
    assert main(["users", "demo"]) == 0
    assert auth.verify("geneva", "geneva-demo-2013") is not None
    files = {**dataset_a(), "DEMO_DATA.txt": b"Synthetic demo data\n", "notes.txt": b"hello"}
    publish_country("COL", files, Scope.country("colombia", {"COL"}))
    assert sorted(p.name for p in (data / "countries" / "COL").iterdir()) == sorted(dataset_a())
    import json

    sidecars = [json.loads(p.read_text()) for p in (data / "archive" / "COL").glob("*.json")]
    assert {s["original_name"] for s in sidecars} == set(dataset_a())  # only the contract files are archived
    assert not auth.demo_accounts_allowed()
    assert auth.verify("geneva", "geneva-demo-2013") is None  # the published password no longer works
    build_all(user="tests")  # a later rebuild from the folders does not call the real data demo either
    from score import db

    assert not bool(db.run_query("data_status", Scope.nothing()).iloc[0]["is_demo"])
    assert auth.verify("geneva", "geneva-demo-2013") is None


def test_demo_accounts_need_the_published_version_to_be_demo(tmp_path: Path, settings_override) -> None:
    from score import publish

    data = build_small(tmp_path, settings_override)
    assert auth.demo_accounts_allowed()
    publish.publish_country(
        "PER", {p.name: p.read_bytes() for p in (data / "countries" / "PER").glob("*.csv")}, Scope.hq("hq")
    )
    # A marker put back into the folder by hand does not bring the demo accounts back: the version says real.
    (data / "countries" / "PER" / auth.DEMO_MARKER).write_text("demo\n")
    assert not auth.demo_accounts_allowed()


# ---------------------------------------------------------------------------------------------- 4: text, not markup


def test_plotly_shows_uploaded_names_as_text() -> None:
    import pandas as pd

    from score.web import components as c

    frame = pd.DataFrame({"partner": [LINK, IMAGE, "A & B"], "enterprises": [12, 9, 7]})
    fig = c.bar_chart(frame, "partner", "enterprises", title="Enterprises by partner")
    spec = fig.to_json()
    assert "<a " not in spec and "<img" not in spec
    shown = [label.replace("<br>", " ") for label in fig.data[0].y]  # long names are wrapped on two lines
    assert shown == [charts.plain(LINK), charts.plain(IMAGE), "A &amp; B"]
    assert charts.plain("<br>") == "<br>" and charts.plain("<b>x</b><br>y") == "&lt;b&gt;x&lt;/b&gt;<br>y"
    legend = go.Figure(go.Bar(x=[1], y=["x"], name=IMAGE, customdata=[[LINK]]))
    charts.style(legend, "t")
    assert "<" not in legend.data[0].name and "<" not in str(legend.data[0].customdata)


# ---------------------------------------------------------------------------------------------- 5: workbook bombs


def _bomb(rows: int, numbered: bool = False) -> bytes:
    """An .xlsx whose enterprises sheet holds `rows` rows of 12 cells: tiny zipped, huge unpacked. Without cell
    references (optional in the format) it compresses about 1,000 times; numbered, about 15 times."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "enterprises"
    small = io.BytesIO()
    book.save(small)
    cell = (
        '<c r="{col}{{r}}" t="inlineStr"><is><t>x</t></is></c>'
        if numbered
        else '<c t="inlineStr"><is><t>x</t></is></c>'
    )
    row = (
        ('<row r="{r}">' if numbered else "<row>") + "".join(cell.format(col=col) for col in "ABCDEFGHIJKL") + "</row>"
    )
    body = "".join(row.format(r=r) for r in range(1, rows + 1)) if numbered else row * rows
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main"><sheetData>{body}</sheetData></worksheet>'
    )
    # level 9 packs the repeated row tightest (~250 times); on numbered rows it takes 4x the CPU of the default level
    # (~5 s for 120 MB of XML) for a file a third larger
    level = 6 if numbered else 9
    out = io.BytesIO()
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
    return out.getvalue()


def _refused(bomb: bytes) -> tuple[list[str], float]:
    started = time.monotonic()
    report = ingest.validate_submission("COL", {"COL.xlsx": bomb})
    return [issue.problem for issue in report.errors], time.monotonic() - started


def test_a_workbook_bomb_is_refused_before_it_is_read() -> None:
    bomb = _bomb(300_000)  # the review's kind: a few hundred KB that unpack to ~150 MB
    problems, took = _refused(bomb)
    print(f"\nworkbook bomb: {len(bomb) / 1e6:.2f} MB zipped, refused in {took:.2f} s: {problems}")
    assert any("times its file size" in p for p in problems), problems


def test_a_crowded_workbook_is_refused_before_parsing() -> None:
    crowded = _bomb(200_000, numbered=True)  # 2.4 million cells that compress like real data
    problems, took = _refused(crowded)
    print(f"\ncrowded workbook: {len(crowded) / 1e6:.1f} MB zipped, refused in {took:.2f} s")
    assert any("more than 2,000,000 cells" in p for p in problems), problems


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"


def _hand_workbook(strings: int = 0, sheets: int = 1) -> bytes:
    """A workbook written by hand (openpyxl takes seconds on this machine): `sheets` sheet entries, all on one empty
    worksheet part, and with `strings` a shared-strings part of that many one-letter texts no cell uses, padded with
    random bytes so it passes the ratio cap."""
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    entries = "".join(f'<sheet name="Sheet{n}" sheetId="{n}" r:id="r1"/>' for n in range(1, sheets + 1))
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{_PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/>'
        f'<Override PartName="/xl/strings.xml" ContentType="{kind}.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PACKAGE}/relationships"><Relationship Id="r1" '
        f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>{entries}</sheets>'
        "</workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE}/relationships"><Relationship Id="r1" '
        f'Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData/></worksheet>',
        "xl/strings.xml": f'<sst xmlns="{_MAIN}">' + "<si><t>a</t></si>" * strings + "</sst>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for name, text in parts.items():
            target.writestr(name, text)
        target.writestr("pad.bin", os.urandom(len(parts["xl/strings.xml"]) // 50), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def test_a_workbook_of_many_shared_texts_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from score.ingest import workbooks

    # openpyxl reads the shared texts whole before any row: 12 million (200 MB) took minutes and gigabytes
    bomb = _hand_workbook(strings=150_000)  # 2.5 MB of texts against a cap of 1 MB, as 200 MB against 50 MB
    monkeypatch.setattr(workbooks, "MAX_WORKBOOK_PARTS_MB", 1, raising=False)
    parsed: list[object] = []
    monkeypatch.setattr("openpyxl.reader.excel.read_string_table", lambda source: parsed.append(source) or [])
    problems, _ = _refused(bomb)
    assert not parsed, "refused before openpyxl reads the texts"
    assert any("Besides its sheets, the workbook unpacks to 2 MB" in p for p in problems), problems


def test_a_workbook_of_many_sheets_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl finds a sheet by name with a walk over all of them: 4,000 one-row sheets (0.6 MB zipped) took 200 s,
    20,000 more than an hour. Here 101 entries, all on one worksheet part (so no count of parts would see them)."""
    opened: list[object] = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *args, **kwargs: opened.append(args) or 1 / 0)
    problems, _ = _refused(_hand_workbook(sheets=101))
    assert not opened, "refused before openpyxl reads the workbook"
    assert any("The workbook has 101 sheets, more than the 100" in p for p in problems), problems
    problems, _ = _refused(_hand_workbook(sheets=100))
    assert opened and not any("sheets, more than" in p for p in problems), "100 sheets are read"


def test_a_sheet_of_one_huge_cell_is_scanned_for_formulas_in_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan for formulas without a saved result carried the unfinished cell on to the next chunk however long it
    was: a sheet of one 150 MB cell was copied again with every 1 MB chunk (14 s of CPU). Here in small: 1 KB
    chunks, cells carried up to 64 KB."""
    import tracemalloc

    from score.ingest import workbooks

    monkeypatch.setattr(workbooks, "_CHUNK", 1024, raising=False)
    monkeypatch.setattr(workbooks, "_LONGEST_CELL", 64 * 1024, raising=False)
    huge = b'<c r="A1"><f>' + b"x" * 4_000_000 + b"</f></c>"
    sheet = b'<worksheet><sheetData><row r="1">' + huge + b'</row><row r="2"><c r="A2"><f>1+1</f></c></row></sheetData>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet + b"</worksheet>")
    tracemalloc.start()
    try:
        rows = workbooks._formulas_without_results(out.getvalue(), "xl/worksheets/sheet1.xml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"{peak / 1e6:.1f} MB held for a 4 MB cell"
    assert rows == [2], "the formula after the over-long cell is still found"


def test_workbook_rows_are_counted_while_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    from score.ingest import workbooks  # where the workbook reader looks these up

    monkeypatch.setattr(workbooks, "_crowded", lambda data: False)  # past the pre-scan: the row loop still counts
    monkeypatch.setattr(workbooks, "MAX_WORKBOOK_ROWS", 1_000)
    problems, _ = _refused(_bomb(1_500, numbered=True))
    assert any("more than 1,000 rows" in p for p in problems), problems


# ---------------------------------------------------------------------------------------------- 6: throttling


def test_failures_from_elsewhere_do_not_lock_the_real_user_out(tmp_path: Path, settings_override) -> None:
    from score import sessions

    settings_override(data_dir=tmp_path)
    auth.add_user("ghana", PASSWORD, "country", ["GHA"])
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    attacker = throttling.Client(ip="203.0.113.66")
    for _ in range(9):  # the attack of the review: 9 failures on "ghana" from another browser
        auth.sign_in("ghana", "guess", attacker, throttle_=guard)
        clock.now += 30
    assert guard.retry_after("ghana", attacker) > 0  # the attacker is slowed down
    own_browser = throttling.Client(ip="198.51.100.3", device=sessions.device_cookie("ghana"))  # signed in here before
    assert auth.sign_in("ghana", PASSWORD, own_browser, throttle_=guard).scope is not None


def test_the_attacker_is_slowed_per_address_and_globally(tmp_path: Path, settings_override) -> None:
    from score import sessions

    settings_override(data_dir=tmp_path)
    auth.add_user("ghana", PASSWORD, "country", ["GHA"])
    clock = FakeClock()
    guard = throttling.Throttle(clock)
    # New browser sessions from one address: the address is slowed down after IP_FREE_ATTEMPTS.
    for n in range(throttling.IP_FREE_ATTEMPTS):
        guard.failed(f"user{n}", throttling.Client(ip="203.0.113.9"))
    assert guard.retry_after("someone", throttling.Client(ip="203.0.113.9")) > 0
    assert guard.retry_after("someone", throttling.Client(ip="198.51.100.1")) == 0
    # Many addresses spraying many names: beyond GLOBAL_FAILURES, a name that failed waits...
    for n in range(throttling.GLOBAL_FAILURES):
        guard.failed("ghana" if n % 10 == 0 else f"name{n}", throttling.Client(ip=f"192.0.2.{n % 250}"))
    assert guard.retry_after("ghana", throttling.Client(ip="198.51.100.7")) > 0
    assert (
        0 < guard.retry_after("name11", throttling.Client(ip="198.51.100.7")) <= throttling.GLOBAL_DELAY
    )  # one failure
    # ...a name nobody attacked is not slowed, and the real user from their own browser gets in at once.
    assert guard.retry_after("maria", throttling.Client(ip="198.51.100.7")) == 0
    own_browser = throttling.Client(ip="198.51.100.7", device=sessions.device_cookie("ghana"))
    assert auth.sign_in("ghana", PASSWORD, own_browser, throttle_=guard).scope


def test_a_throttled_attempt_names_the_known_user(tmp_path: Path, settings_override) -> None:
    settings_override(data_dir=tmp_path)
    auth.add_user("maria", PASSWORD, "hq")
    guard = throttling.Throttle(FakeClock())
    for _ in range(throttling.FREE_ATTEMPTS):
        auth.sign_in("maria", "wrong", throttle_=guard)
    throttled = auth.sign_in("Maria", PASSWORD, throttle_=guard)
    assert throttled.retry_after > 0 and throttled.username == "maria"  # audit.log gets a user, not null


def test_a_script_retrying_a_throttled_sign_in_adds_one_audit_line_a_minute(tmp_path: Path, settings_override) -> None:
    # Before: every throttled retry wrote a line, so a script filled the disk as fast as the server answered.
    from score import audit
    from score.web import signin

    settings_override(data_dir=tmp_path)
    auth.add_user("maria", PASSWORD, "hq")
    for _ in range(throttling.FREE_ATTEMPTS + 8):  # a wait long enough that no retry below comes after it
        throttling.throttle.failed("maria")
    for _ in range(30):
        assert signin._sign_in("maria", PASSWORD)[0] == "throttled"  # refused, as before
    (line,) = audit.read_events(event="sign_in_failed")
    assert line["user"] == "maria" and line["detail"]["reason"] == "throttled" and "left_out" not in line["detail"]

    clock = FakeClock()
    guard = throttling.Throttle(clock)
    away = throttling.Client(ip="203.0.113.9")
    assert guard.throttled_to_log(away) == 0  # the first from an address is written...
    assert [guard.throttled_to_log(away) for _ in range(5)] == [None] * 5  # ...the next ones in its minute are not
    assert guard.throttled_to_log(throttling.Client(ip="203.0.113.10")) == 0  # another address has its own minute
    clock.now += throttling.LOG_THROTTLED_EVERY
    assert guard.throttled_to_log(away) == 5  # the next line says how many were left out
    assert guard.throttled_to_log(away) is None
    assert "5 more refusals" in audit.detail_text({"reason": "throttled", "left_out": 5}, {})


# ---------------------------------------------------------------------------------------------- 7: audit trace


def test_typed_user_names_leave_no_reversible_trace(tmp_path: Path, settings_override) -> None:
    from score.web import signin

    settings_override(data_dir=tmp_path)
    typed = "my-password-typed-in-the-wrong-box"
    assert signin._attempt_id(typed) is None  # no secret yet: nothing rather than a guessable hash
    disclosure.load_secret(create=True)
    attempt = signin._attempt_id(typed)
    assert attempt == signin._attempt_id(typed) and len(attempt) == 16  # still correlates repeated attempts
    assert attempt not in hashlib.sha256(typed.encode()).hexdigest()  # not the unsalted hash of the review
    (tmp_path / "secret.key").write_text("ab" * 32 + "\n")
    assert signin._attempt_id(typed) != attempt  # keyed: without the secret it cannot be recomputed


# ---------------------------------------------------------------------------------------------- 8: file modes


def _loose_modes(data: Path) -> list[str]:
    """Every folder or file under `data` (itself included) that its group or others may read."""
    loose = []
    for path in [data, *data.rglob("*")]:
        if not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            loose.append(f"{path.relative_to(data)} {oct(stat.S_IMODE(path.stat().st_mode))}")
    return loose


def test_data_files_are_readable_by_the_service_only(tmp_path: Path, settings_override) -> None:
    """Issue 20.7: data/, data/reference/ and the lock files were 0755/0644 after a checkout or a user change."""
    from score.publish import publish_country

    data = build_small(tmp_path, settings_override)
    for path in (data, data / "countries", data / "countries" / "PER"):
        os.chmod(path, 0o755)  # as a git checkout leaves them
    os.chmod(data / "countries" / "PER" / "enterprises.csv", 0o644)
    (data / "reference").mkdir(exist_ok=True, mode=0o755)
    (data / "reference" / "sectors.csv").write_text("code\n")
    publish_country("COL", dataset_a(), Scope.hq("hq"))
    assert not _loose_modes(data), _loose_modes(data)
    assert config.data_dir() == data
    (data / ".users.json.lock").touch(mode=0o644)  # as the old code left it
    os.chmod(data, 0o755)
    auth.add_user("maria", "a long enough password 1", "country", ["COL"])
    assert (data / "users.json").is_file() and (data / ".users.json.lock").is_file()
    assert not _loose_modes(data), _loose_modes(data)


# ------------------------------------------------------------------ uploads bounded in time and memory (issue 20.6)


def _hostile_csv(rows: int = 50_000, columns: int = 499) -> bytes:
    """About 50 MB (just under the size limit): 50,000 rows of 499 one-digit values."""
    header = "enterprise_id," + ",".join(f"c{i}" for i in range(columns - 1))
    row = ",".join(["1"] * columns)
    return (header + "\n" + "\n".join([row] * rows) + "\n").encode()


def test_a_50_mb_hostile_csv_is_refused_within_the_stated_bound(fresh_data_dir: Path) -> None:
    from score import upload
    from score.ingest import bounded

    files = {"enterprises.csv": _hostile_csv()}
    assert 45 < len(files["enterprises.csv"]) / 1e6 < settings.get().max_upload_mb
    before = sorted(p.relative_to(fresh_data_dir) for p in fresh_data_dir.rglob("*") if "audit" not in p.name)
    started = time.monotonic()
    check = upload.check_upload("COL", files, Scope.country("colombia", {"COL"}))
    elapsed = time.monotonic() - started
    # The bound: 20 s of the worker's processor time, and never more than three times that on the clock.
    assert elapsed < bounded.WALL_FACTOR * settings.get().upload_check_seconds + 5, elapsed
    assert not check.report.ok and check.preview is None
    (issue,) = check.report.errors
    assert "the most one upload may" in issue.problem and "nothing was changed" in issue.problem
    after = sorted(p.relative_to(fresh_data_dir) for p in fresh_data_dir.rglob("*") if "audit" not in p.name)
    assert after == before  # nothing staged, archived or built


def test_a_check_past_its_time_bound_is_ended_and_says_so_in_the_readers_language(settings_override) -> None:
    from score import i18n
    from score.ingest.bounded import validate_bounded

    settings_override(upload_check_seconds=0.3)
    i18n.set_language("es")
    try:
        started = time.monotonic()
        report = validate_bounded("COL", {"enterprises.csv": _hostile_csv(rows=20_000)})
        assert time.monotonic() - started < 5
    finally:
        i18n.set_language("en")
    (issue,) = report.errors
    assert "0,3 segundos" in issue.problem or "0.3 segundos" in issue.problem, issue.problem
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("Fork")]


def test_a_check_past_its_memory_bound_is_ended(settings_override) -> None:
    from score.ingest.bounded import validate_bounded

    settings_override(upload_check_memory_mb=50)
    report = validate_bounded("COL", {"enterprises.csv": _hostile_csv(rows=30_000)})
    (issue,) = report.errors
    assert "MB of memory" in issue.problem


def test_a_bounded_check_gives_the_same_report_as_the_validator() -> None:
    from score.ingest import validate_submission
    from score.ingest.bounded import validate_bounded
    from tests.upload_files import base_files

    files = base_files(enterprises__csv="enterprise_id,name\nCOL-0001,=1+2\n")
    assert validate_bounded("COL", files).to_frame().equals(validate_submission("COL", files).to_frame())
    good = validate_bounded("COL", base_files())
    assert good.ok and set(good.tables) == set(validate_submission("COL", base_files()).tables)
