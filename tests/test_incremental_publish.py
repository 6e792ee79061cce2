"""Publishing one country validates only that country: the others' validated tables come from the current version
when it was built from exactly their files by the same contract and validator; the result is the same database."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from score import build, publish
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


def _files(data: Path, country: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data / "countries" / country).glob("*.csv"))}


def _contents(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df() for t in TABLES}
    finally:
        con.close()


def _validated_folders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Start as a fresh process would (nothing validated in memory) and record every folder validated."""
    publish._validated.clear()
    seen: list[str] = []
    original = publish.read_country_dir
    monkeypatch.setattr(publish, "read_country_dir", lambda folder: seen.append(folder.name) or original(folder))
    return seen


def test_a_publish_in_a_fresh_process_validates_only_the_upload(
    fresh_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated = _validated_folders(monkeypatch)
    incremental = publish.publish_country("PER", _files(fresh_data_dir, "PER"), Scope.hq("t"))
    assert validated == []  # eight countries reused from the current version
    # the same database as validating everything again
    validated.clear()
    publish._validated.clear()
    monkeypatch.setattr(publish, "reuse_from_version", lambda folder, version: None)
    full = publish.build_all(user="t")
    assert len(validated) == 9
    a, b = _contents(incremental.path), _contents(full.path)
    for table in TABLES:
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
