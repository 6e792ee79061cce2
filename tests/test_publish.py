"""Publishing (score.publish): rejected uploads change nothing; a publish makes a new, correct version; restore;
history; authorisation where the write happens; a full disk; failures and a crash around the commit point;
the read side (superseded connections closed, a missing or corrupt database reported clearly)."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from score import db, journal, publish, settings
from score.access import Scope
from score.files import FILE_MODE, write_private
from score.ingest import validate_submission, with_kept_files
from score.publish import NotAllowed, PublishError, RejectedUpload, publish_country, restore_country
from score.versions import current as current_version
from score.versions import switch as switch_pointer
from tests.bad_file_cases import CASES, case_files
from tests.publishing import (
    REMOVED,
    build_small,
    dataset_a,
    dataset_b,
    expected_totals,
    fingerprint,
    headline,
    make_small_data_dir,
)

HQ = Scope.hq("geneva")


@pytest.fixture
def data(tmp_path: Path, settings_override) -> Path:
    return build_small(tmp_path, settings_override)


# ---------------------------------------------------------------------------------------------- bad files


def _corpus_cases() -> list[Path]:
    """The rejected cases of the bad-input corpus (the accepted ones change the data, as they should)."""
    return [case for case in CASES if not json.loads((case / "expected.json").read_text(encoding="utf-8")).get("ok")]


@pytest.fixture(scope="module")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One built data dir for the tests that must not change anything (module-wide, restored after)."""
    data = make_small_data_dir(tmp_path_factory.mktemp("publish"))
    with settings.overridden(data_dir=data):
        publish.build_all(user="tests")
        yield data


@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda p: p.name)
def test_bad_file_gives_its_message_and_changes_nothing(case: Path, shared_data_dir: Path, settings_override) -> None:
    spec = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    if "max_upload_mb" in spec:
        settings_override(max_upload_mb=spec["max_upload_mb"])
    before = fingerprint(shared_data_dir)
    with pytest.raises(RejectedUpload) as rejected:
        publish_country(spec["country"], case_files(case, spec), HQ)
    report = rejected.value.report
    for expected in (e for e in spec["expected"] if e["severity"] == "error"):
        assert any(
            expected["problem"].lower() in issue.problem.lower() and issue.file == expected["file"]
            for issue in report.errors
        ), f"{case.name}: expected {expected['problem']!r} in {expected['file']}\n{report.summary()}"
    assert fingerprint(shared_data_dir) == before  # database bytes, pointer, archive, folders, history
    assert not list((shared_data_dir / "versions").glob(".txn-*"))


def test_every_bad_input_rule_of_the_design_is_covered() -> None:
    covered = {case.name for case in _corpus_cases()}
    assert {"other_country", "huge_file", "unsupported_type", "corrupt_xlsx", "password_xlsx"} <= covered


@pytest.mark.parametrize(
    ("scope", "country"),
    [
        (Scope.country("bogota", {"COL"}), "PER"),  # country staff, another country
        (Scope.public(), "COL"),
        (Scope.nothing(), "COL"),
        (None, "COL"),
        ("hq", "COL"),  # not a Scope at all
        (HQ, "XXX"),  # not a SCORE country
    ],
    ids=["other-country", "public", "nothing", "none", "not-a-scope", "unknown-country"],
)
def test_publish_refused_outside_the_scope(scope, country: str, shared_data_dir: Path) -> None:
    before = fingerprint(shared_data_dir)
    with pytest.raises(NotAllowed):
        publish_country(country, dataset_b(), scope)
    assert fingerprint(shared_data_dir) == before


def _demo_countries(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {c for (c,) in con.execute("SELECT country FROM country_dataset WHERE is_demo").fetchall()}
    finally:
        con.close()


def test_a_restored_demo_version_keeps_its_demo_mark(data: Path) -> None:
    """Issue 20.8: restoring Colombia's version 1 (the demo set) once real data is published brings synthetic
    figures back; they must carry the demo mark, and HQ is told before that real data stays beside them."""
    from score import auth, upload

    publish_country("COL", dataset_a(), HQ)  # the same files, uploaded: real data now
    publish_country("PER", {p.name: p.read_bytes() for p in sorted((data / "countries" / "PER").glob("*.csv"))}, HQ)
    assert _demo_countries(current_version()) == set()
    assert upload.demo_restore("COL", 2) is None  # version 2's Colombia is real
    assert upload.demo_restore("COL", 1) == ["PER"]  # the demo set, beside Peru's real data
    result = restore_country("COL", 1, HQ)
    assert _demo_countries(result.path) == {"COL"}
    assert (data / "countries" / "COL" / publish.DEMO_MARKER).is_file()
    status = db.run_query("data_status", Scope.public()).iloc[0]
    assert int(status["demo_countries"]) == 1 and not bool(status["is_demo"])
    assert not auth.demo_accounts_allowed()  # Peru is real: the demo accounts stay off
    later = publish_country(
        "PER", {p.name: p.read_bytes() for p in sorted((data / "countries" / "PER").glob("*.csv"))}, HQ
    )
    assert _demo_countries(later.path) == {"COL"}  # a later build keeps the mark
    assert publish.read_history()[-1]["demo_countries"] == ["COL"]


def test_restore_is_for_hq_only(shared_data_dir: Path) -> None:
    before = fingerprint(shared_data_dir)
    with pytest.raises(NotAllowed):
        restore_country("COL", 1, Scope.country("bogota", {"COL"}))
    assert fingerprint(shared_data_dir) == before
    from score import audit

    refused = [e for e in audit.read_events(event="restore") if "refused" in str(e["detail"].get("outcome"))]
    assert refused and refused[0]["user"] == "bogota"


# ---------------------------------------------------------------------------------------------- publish, restore


def test_publish_makes_a_new_version_with_the_new_numbers(data: Path, tmp_path: Path) -> None:
    expected_a, expected_b = expected_totals(tmp_path, dataset_a()), expected_totals(tmp_path, dataset_b())
    assert headline() == expected_a["all"]
    steps: list[str] = []
    result = publish_country("col", dataset_b(), Scope.country("bogota", {"COL"}), progress=steps.append)

    assert steps == list(publish.STEPS)
    assert result.version == 2
    assert os.readlink(data / "score.duckdb") == "versions/score-2.duckdb"
    assert headline() == expected_b["all"]  # oracle over the new files (csv module only)
    assert headline(countries=("COL",)) == expected_b["COL"]
    assert headline(data / "versions" / "score-1.duckdb") == expected_a["all"]  # v1 untouched

    # The country folder holds exactly the published files: the input of the next build.
    folder = data / "countries" / "COL"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == dataset_b()
    # Archived: raw bytes named by sha256, with who and when.
    assert len(result.archived) == 4
    for path in result.archived:
        meta = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
        assert meta["user"] == "bogota" and meta["country"] == "COL"
        assert dataset_b()[meta["original_name"]] == path.read_bytes()
        assert meta["sha256"] in path.name
    # History: who, when, action, row counts.
    entry = publish.read_history()[-1]
    assert entry["version"] == 2 and entry["action"] == "publish" and entry["user"] == "bogota"
    assert entry["countries"] == {"COL": 213 - REMOVED, "PER": 105}
    assert entry["country_rows"]["COL"]["enterprises"] == 213 - REMOVED
    assert not list((data / "versions").glob(".txn-*"))


def test_restore_republishes_the_old_files_as_a_new_version(data: Path) -> None:
    original = headline()
    publish_country("COL", dataset_b(), HQ)
    assert headline() != original
    result = restore_country("COL", 1, HQ)

    assert result.version == 3
    assert headline() == original
    # Built from a copy of version 2 with COL's rows deleted, its file is shorter than DuckDB's block count says
    # (free blocks at the end are cut off): the app still reads it as whole, not as a truncated file.
    assert db.check_database() == result.path
    con_old = duckdb.connect(str(data / "versions" / "score-1.duckdb"), read_only=True)
    con_new = duckdb.connect(str(result.path), read_only=True)
    try:
        for table in ("enterprise", "training", "indicator_value", "logframe"):
            query = f"SELECT * FROM {table} WHERE country = 'COL' ORDER BY ALL"
            assert con_old.execute(query).fetchall() == con_new.execute(query).fetchall(), table
    finally:
        con_old.close()
        con_new.close()
    history = publish.read_history()
    assert [(e["version"], e["action"]) for e in history] == [(1, "build"), (2, "publish"), (3, "restore")]
    assert history[-1]["restored_from"] == 1 and history[-1]["user"] == "geneva"
    rows = journal.country_history("COL")
    assert [r["version"] for r in rows] == [3, 2, 1] and rows[1]["enterprises"] == 213 - REMOVED
    from score import audit

    assert [e["event"] for e in audit.read_events(limit=2)] == ["restore", "publish"]


def test_a_torn_history_line_does_not_swallow_the_next(data: Path) -> None:
    with open(data / "versions" / "history.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"version": 99, "act')  # killed mid-write
    publish_country("COL", dataset_b(), HQ)
    assert [e["version"] for e in publish.read_history()] == [1, 2]


# ---------------------------------------------------------------------------------------------- failures


def test_disk_full_on_the_archive_refuses_and_loses_nothing(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = write_private

    def full_disk(path: Path, data: bytes, mode: int = FILE_MODE, durable: bool = True) -> None:
        if "archive" in path.parts:
            real_write(path, data[: len(data) // 2], mode)  # a partial file first, as a real full disk leaves
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_write(path, data, mode, durable)

    monkeypatch.setattr("score.files.write_private", full_disk)
    before = fingerprint(data)
    with pytest.raises(PublishError, match="disk is full"):
        publish_country("COL", dataset_b(), HQ)
    assert fingerprint(data) == before
    assert not list((data / "versions").glob(".txn-*"))
    monkeypatch.setattr("score.files.write_private", real_write)
    assert publish_country("COL", dataset_b(), HQ).version == 2  # space freed: works


def test_a_version_failing_its_check_is_never_switched_to(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_check(*args: object) -> None:
        raise PublishError("training: 1 rows in the new version, 2 expected")

    monkeypatch.setattr(publish, "check_version", failing_check)
    before = fingerprint(data)
    with pytest.raises(PublishError, match="training"):
        publish_country("COL", dataset_b(), HQ)
    assert fingerprint(data) == before


@pytest.mark.parametrize(
    ("change", "french"),
    [
        ("DELETE FROM indicator_value WHERE rowid = (SELECT min(rowid) FROM indicator_value)", "table indicators"),
        (
            "UPDATE enterprise SET country = 'PER' WHERE enterprise_id = (SELECT min(enterprise_id) FROM enterprise "
            "WHERE country = 'COL')",
            "entreprises par pays",
        ),
        (
            "UPDATE enterprise SET workers_female = -1 WHERE enterprise_id IN (SELECT enterprise_id FROM enterprise "
            "ORDER BY 1 LIMIT 2)",
            "2 entreprises ont des valeurs hors limites",
        ),
        ("UPDATE training SET enterprise_id = 'COL-9999' WHERE rowid = (SELECT min(rowid) FROM training)", "formation"),
    ],
)
def test_a_version_failing_its_check_says_why_in_the_readers_language(
    data: Path, tmp_path: Path, change: str, french: str
) -> None:
    from score.i18n import using_language

    entry = journal.read_history()[-1]
    inputs = publish._collect_inputs({})
    broken = tmp_path / "broken.duckdb"
    shutil.copyfile(current_version(), broken)
    with duckdb.connect(str(broken)) as con:
        con.execute(change)
    publish.check_version(current_version(), inputs, entry["counts"])  # the real one passes
    with using_language("fr"), pytest.raises(PublishError) as failed:
        publish.check_version(broken, inputs, entry["counts"])
    message = str(failed.value)
    assert message.startswith("La nouvelle version n'a pas passé sa vérification") and french in message, message
    assert " rows" not in message and "expected" not in message


def test_invalid_data_of_another_country_on_the_server_is_a_clear_refusal(data: Path) -> None:
    (data / "countries" / "PER" / "enterprises.csv").write_text("broken\n", encoding="utf-8")
    before = fingerprint(data)
    with pytest.raises(PublishError, match="PER"):
        publish_country("COL", dataset_b(), HQ)
    assert fingerprint(data) == before


def test_killed_before_the_switch_rolls_back(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(target: Path) -> None:
        raise KeyboardInterrupt  # stands for SIGKILL between "checked" and "switched"

    monkeypatch.setattr("score.versions.switch", killed)
    before = fingerprint(data)
    with pytest.raises(KeyboardInterrupt):
        publish_country("COL", dataset_b(), HQ)
    assert fingerprint(data) == before


def test_killed_after_the_switch_is_finished_by_recovery(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_finish = publish.finish

    def killed(txn: Path) -> None:
        raise KeyboardInterrupt  # the pointer is switched; archive, folder and history are not done

    monkeypatch.setattr(publish, "finish", killed)
    with pytest.raises(KeyboardInterrupt):
        publish_country("COL", dataset_b(), HQ)
    assert os.readlink(data / "score.duckdb") == "versions/score-2.duckdb"
    assert [e["version"] for e in publish.read_history()] == [1]
    assert (data / "versions" / ".txn-2" / "entry.json").exists()

    monkeypatch.setattr(publish, "finish", real_finish)
    with publish.publish_lock():
        assert publish.recover() == ["finished version 2"]
    assert [e["version"] for e in publish.read_history()] == [1, 2]
    folder = data / "countries" / "COL"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == dataset_b()
    for relative in publish.read_history()[-1]["sources"]["COL"]:
        assert (data / relative).exists()
    assert publish_country("COL", dataset_a(), HQ).version == 3  # and the next publish works


# ---------------------------------------------------------------------------------------------- read side


def test_superseded_connections_are_closed(data: Path, settings_override) -> None:
    settings_override(db_grace_seconds=0.0)
    first = db.current_path()
    headline()
    assert first in db.open_connections()
    publish_country("COL", dataset_b(), HQ)
    headline()
    assert first not in db.open_connections()
    assert db.current_path() in db.open_connections()


def test_superseded_connections_are_bounded_without_grace(data: Path, settings_override) -> None:
    settings_override(db_grace_seconds=3600.0)
    versions = data / "versions"
    for n in range(2, 8):  # copies of version 1 stand for later versions (same data, new files)
        shutil.copyfile(versions / "score-1.duckdb", versions / f"score-{n}.duckdb")
        switch_pointer(versions / f"score-{n}.duckdb")
        headline()
    mine = [p for p in db.open_connections() if p.parent == versions.resolve()]
    assert len(mine) <= db.MAX_SUPERSEDED + 1


def test_missing_and_corrupt_databases_are_reported(data: Path) -> None:
    versions = data / "versions"
    (versions / "score-50.duckdb").write_bytes(b"this is not a database" * 100)
    switch_pointer(versions / "score-50.duckdb")
    with pytest.raises(db.DatabaseCorrupt):
        db.check_database()
    (data / "score.duckdb").unlink()
    with pytest.raises(db.DatabaseMissing):
        db.check_database()
    # The rebuild path: `python -m score build` makes a new, good version and points at it.
    from score.__main__ import main

    assert main(["build", "--user", "ops"]) == 0
    assert db.check_database().name == "score-51.duckdb"
    assert headline()["enterprises"] == 318


def test_demo_notice_names_only_countries_still_on_demo_data(tmp_path, settings_override) -> None:
    """After real data for COL is published, the notice still warns about PER (still demo), not COL."""
    from score import db
    from score.access import Scope
    from score.publish import publish_country
    from tests.publishing import build_small, dataset_a

    build_small(tmp_path, settings_override)
    before = db.run_query("data_status", Scope.nothing()).iloc[0]
    assert bool(before["is_demo"]) and before["demo_country_codes"] == "COL,PER"
    publish_country("COL", dataset_a(), Scope.hq("tests"))
    after = db.run_query("data_status", Scope.nothing()).iloc[0]
    assert not bool(after["is_demo"])
    assert after["demo_countries"] == 1 and after["demo_country_codes"] == "PER"


# ---------------------------------------------------------------------------------------------- optional tables


def _logframe_rows() -> list[tuple]:
    return sorted(publish.published_logframe("COL", HQ).astype(str).itertuples(index=False, name=None))


def _workbook_without_logframe(files: dict[str, bytes]) -> bytes:
    """COL's CSV files as one Excel workbook with no logframe sheet (an Excel export of the three required tables)."""
    import csv
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("enterprises", "training", "indicators"):
        sheet = book.create_sheet(name)
        for row in csv.reader(io.StringIO(files[f"{name}.csv"].decode("utf-8-sig"))):
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("first_row", "severity"),
    [
        ("outcome,institutions_embedding,2013-09-30,3,2,,En curso", "warning"),  # level against the reference
        ("objective,institutions_embedding,2013-09-30,-3,2,,En curso", "error"),  # a target below 0
    ],
)
def test_a_kept_logframe_checked_alone_gives_the_whole_uploads_report(first_row: str, severity: str) -> None:
    """publish_country checks the kept logframe file alone and merges it into the upload's report: the same
    issues, files read, emptied tables and typed tables as validating the upload and the kept file together."""
    files = dataset_a()
    lines = files.pop("logframe.csv").decode("utf-8-sig").splitlines()
    kept = {"COL-published-logframe.csv": "\n".join([lines[0], first_row, *lines[2:]]).encode()}
    upload = files
    merged = with_kept_files(validate_submission("COL", upload), kept)
    whole = validate_submission("COL", {**upload, **kept})
    assert severity in set(merged.to_frame()["severity"])
    pd.testing.assert_frame_equal(merged.to_frame(), whole.to_frame())
    assert (merged.files, merged.emptied, merged.ok) == (whole.files, whole.emptied, whole.ok)
    assert merged.tables.keys() == whole.tables.keys()
    for name, table in whole.tables.items():
        pd.testing.assert_frame_equal(merged.tables[name], table)


def test_an_upload_without_the_optional_logframe_keeps_the_published_one(data: Path) -> None:
    published = _logframe_rows()
    assert published
    without = {name: raw for name, raw in dataset_a().items() if name != "logframe.csv"}
    kept = publish_country("COL", {"COL.xlsx": _workbook_without_logframe(without)}, HQ)  # no logframe sheet
    assert _logframe_rows() == published
    archived = [json.loads(Path(f"{p}.json").read_text(encoding="utf-8"))["original_name"] for p in kept.archived]
    assert "COL-published-logframe.csv" in archived  # archived with the upload: a restore brings it back too
    header_only = dataset_a()["logframe.csv"].decode("utf-8-sig").splitlines()[0].encode() + b"\n"
    publish_country("COL", {**without, "logframe.csv": header_only}, HQ)  # removing it is explicit
    assert _logframe_rows() == []
