"""Publishing one country validates only that country: the others' validated tables come from the current version
when it was built from exactly their files by the same contract and validator; the result is the same database."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from score import build, publish, versions
from score.access import Scope

TABLES = (
    "enterprise",
    "training",
    "indicator_value",
    "logframe",
    "country_dataset",
    "enterprise_training",
    "delivery_people_added",
    "indicator_pair",
    "figures_by_group",
    "training_year_by_group",
    "share_by_group",
    "delivery_by_group",
    "modules_taken_by_group",
    "delivery",
)
NOISY = tuple(f"noisy.{t}" for t in ("contribution_noise", "group_sign", *build.NOISY_TABLES))


def _files(data: Path, country: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data / "countries" / country).glob("*.csv"))}


def _contents(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df() for t in (*TABLES, *NOISY)}
    finally:
        con.close()


def _validated_folders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Start as a fresh process would (nothing validated in memory) and record every folder validated."""
    publish._validated.clear()
    seen: list[str] = []
    original = publish.read_country_dir
    monkeypatch.setattr(publish, "read_country_dir", lambda folder: seen.append(folder.name) or original(folder))
    return seen


def test_a_publish_in_a_fresh_process_validates_only_the_upload_and_writes_what_a_full_build_would(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated = _validated_folders(monkeypatch)
    incremental = publish.publish_country("PER", _files(fresh_data_dir, "PER"), Scope.hq("t"))
    assert validated == []  # eight countries reused from the current version
    # the same database as validating everything again
    validated.clear()
    publish._validated.clear()
    monkeypatch.setattr(publish, "reuse_from_version", lambda *args, **kwargs: None)
    full = publish.build_all(user="t")
    assert len(validated) == 9
    a, b = _contents(incremental.path), _contents(full.path)
    for table in (*TABLES, *NOISY):
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=False, rtol=1e-12, obj=table)
    assert len(a["enterprise"]) > 1000 and len(a["indicator_value"]) > 10_000


def test_a_changed_folder_or_validator_means_validating_again(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghana = fresh_data_dir / "countries" / "GHA" / "enterprises.csv"
    ghana.write_bytes(ghana.read_bytes().replace(b"\n", b"\r\n", 1))  # same data, other bytes
    validated = _validated_folders(monkeypatch)
    publish.publish_country("PER", _files(fresh_data_dir, "PER"), Scope.hq("t"))
    assert validated == ["GHA"]
    validated = _validated_folders(monkeypatch)
    monkeypatch.setattr(build, "validation_fingerprint", lambda *a, **k: "another validator")
    publish.publish_country("PER", _files(fresh_data_dir, "PER"), Scope.hq("t"))
    assert sorted(validated) == ["BOL", "CHN", "COL", "GHA", "IDN", "IND", "VNM", "ZAF"]


def test_a_version_built_with_another_schema_is_not_copied_from(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its derived tables were written by other macros, or lack a table or column of this schema."""
    validated = _validated_folders(monkeypatch)
    monkeypatch.setattr(build, "schema_fingerprint", lambda: "another schema")
    publish.publish_country("PER", _files(fresh_data_dir, "PER"), Scope.hq("t"))
    assert sorted(validated) == ["BOL", "CHN", "COL", "GHA", "IDN", "IND", "VNM", "ZAF"]


def test_a_version_started_from_a_copy_of_the_current_file_holds_what_copying_the_rows_would(
    fresh_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other countries' rows come with a copy of the current version's file, the upload's and any dropped
    country's rows deleted: every table, noisy ones and the reference tables included, holds the same rows in the
    same order as a version whose rows were copied one by one into an empty database."""
    current = versions.current()
    assert current is not None
    inputs = [build.read_country_dir(fresh_data_dir / "countries" / "PER")]
    for country in ("BOL", "CHN", "COL", "GHA", "IDN", "IND", "VNM"):  # ZAF dropped
        reused = build.reuse_from_version(fresh_data_dir / "countries" / country, current)
        assert reused is not None
        inputs.append(reused)
    assert build._base_version(inputs, build.REFERENCE_DIR) == current
    copied, inserted = tmp_path / "copied.duckdb", tmp_path / "inserted.duckdb"
    secret = b"s" * 32
    counts = build.build_database(copied, inputs, 7, secret=secret)
    monkeypatch.setattr(build, "_base_version", lambda *args: None)
    assert build.build_database(inserted, inputs, 7, secret=secret) == counts
    a, b = duckdb.connect(str(copied), read_only=True), duckdb.connect(str(inserted), read_only=True)
    try:
        tables = [
            f"{schema}.{name}"
            for schema, name in b.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "ORDER BY ALL"
            ).fetchall()
        ]
        assert set(NOISY) | {f"main.{t}" for t in TABLES} <= set(tables)
        for table in tables:
            # stored order, not sorted: it decides how the figures' floating-point sums add up
            query = {  # less the time of the build
                "main.meta": "FROM meta WHERE key <> 'built_at' ORDER BY 1",
                "main.load_log": "SELECT * EXCLUDE (loaded_at) FROM load_log",
            }.get(table, f"SELECT * FROM {table}")
            pd.testing.assert_frame_equal(  # DuckDB's parallel sums may differ in the last bit from run to run
                a.execute(query).df(), b.execute(query).df(), check_exact=False, rtol=1e-12, obj=table
            )
        assert a.execute("SELECT DISTINCT country FROM enterprise ORDER BY 1").fetchall() == [
            (c,) for c in ("BOL", "CHN", "COL", "GHA", "IDN", "IND", "PER", "VNM")
        ]
    finally:
        a.close()
        b.close()


def test_a_version_with_a_write_ahead_log_beside_it_is_not_copied_as_a_file(fresh_data_dir: Path) -> None:
    current = versions.current()
    assert current is not None
    inputs = [build.reuse_from_version(fresh_data_dir / "countries" / "GHA", current)]
    assert inputs[0] is not None and build._base_version(inputs, build.REFERENCE_DIR) == current
    Path(f"{current}.wal").write_bytes(b"")
    assert build._base_version(inputs, build.REFERENCE_DIR) is None


def test_builds_that_start_empty_copy_one_empty_database_of_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every upload check builds its candidate figures into a new database (score.upload.candidate_figures): the
    schema and the noisy schema are written once per process and schema, and copied; the rows are the same."""
    monkeypatch.setattr(build, "_empty_schemas", {})  # as in a new process
    written: list[str] = []
    original = build.create_noisy_schema
    monkeypatch.setattr(build, "create_noisy_schema", lambda con: written.append("noisy") or original(con))
    inputs = [build.read_country_dir(Path(__file__).parent / "fixtures" / "valid_small" / "COL")]
    paths = [tmp_path / f"{name}.duckdb" for name in ("first", "second", "other_schema")]
    counts = build.build_database(paths[0], inputs, 1, secret=b"s" * 32)
    assert build.build_database(paths[1], inputs, 1, secret=b"s" * 32) == counts
    assert written == ["noisy"]
    monkeypatch.setattr(build, "schema_fingerprint", lambda: "another schema")  # schema.sql edited meanwhile
    build.build_database(paths[2], inputs, 1, secret=b"s" * 32)
    assert written == ["noisy", "noisy"]
    first = _contents(paths[0])
    assert len(first["enterprise"]) > 0 and len(first["noisy.contribution_noise"]) > 0
    for other in paths[1:]:
        for table, frame in _contents(other).items():
            pd.testing.assert_frame_equal(frame, first[table], check_exact=False, rtol=1e-12, obj=table)
