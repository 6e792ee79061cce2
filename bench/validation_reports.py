"""Every validation report of a set of inputs, as JSON: run on two checkouts and `cmp` the files, to show a change
to score/ingest leaves every report as it was (issues, rows, values, the report for people in en/fr/es, the file
summary, the typed tables' hashes).

    .venv/bin/python bench/validation_reports.py OUT.json --tests [TEST_FILE ...] [--fuzz-examples 100]
    .venv/bin/python bench/validation_reports.py OUT.json --folders data/countries/*
    .venv/bin/python bench/validation_reports.py OUT.json --tests --repo /tmp/base   (another checkout's validator)

`--tests` runs the validator's tests (the bad-file corpus, the hostile uploads, the real Excel exports, the fuzz
tests with a fixed hypothesis seed, the ingest and upload tests) and records every report they make, keyed by a
hash of the input (country and files); their pass or fail is not the point here. `--folders` validates each
country folder as a build does (`load_country_dir`). The output is sorted by key, so two runs compare with `cmp`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TESTS = [
    "tests/test_bad_files.py",
    "tests/test_hostile_uploads.py",
    "tests/test_excel_exports.py",
    "tests/test_fuzz_ingest.py",
    "tests/test_ingest.py",
    "tests/test_ingest_fast_paths.py",
    "tests/test_marked.py",
    "tests/test_upload_flow.py",
]


def report_record(report: Any) -> dict[str, Any]:
    """What a report says, every way it is shown: to_json, the report for people (full and compact) and the file
    summary in each language, and a hash of each typed table."""
    import pandas as pd

    from score.i18n import using_language

    record: dict[str, Any] = {"json": json.loads(report.to_json())}
    for language in ("en", "fr", "es"):
        with using_language(language):
            record[f"people_{language}"] = report.for_people().to_dict("split")
            record[f"compact_{language}"] = report.for_people(compact=True).to_dict("split")
            record[f"summary_{language}"] = report.file_summary().astype(object).to_dict("split")
            record[f"counts_{language}"] = report.counts()
    record["tables"] = {
        name: [
            str(frame.dtypes.to_dict()),
            hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()).hexdigest(),
        ]
        for name, frame in report.tables.items()
    }
    return record


def _key(country: str | None, files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256(repr(country).encode())
    for name in sorted(files):
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _recording(records: dict[str, list[Any]]) -> None:
    """Wrap the validator's entry points so that every report made is recorded under its input's key."""
    import score.ingest as ingest
    import score.ingest.validate as validate

    original_submission: Callable[..., Any] = validate.validate_submission
    original_paths: Callable[..., Any] = validate.validate_paths

    def validate_submission(country: str, files: Mapping[str, bytes]) -> Any:
        report = original_submission(country, files)
        records.setdefault(_key(country, files), []).append(report_record(report))
        return report

    def validate_paths(paths: Sequence[Path], country: str | None = None) -> Any:
        report = original_paths(paths, country)
        files: dict[str, bytes] = {}
        for path in map(Path, paths):
            for child in sorted(path.iterdir()) if path.is_dir() else [path]:
                if child.is_file():
                    files[str(child)] = child.read_bytes()
        records.setdefault(_key(country, files), []).append(report_record(report))
        return report

    for module in (validate, ingest):
        setattr(module, "validate_submission", validate_submission)  # noqa: B010 (a module's function replaced)
        setattr(module, "validate_paths", validate_paths)  # noqa: B010


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--tests", nargs="*", help="record the reports these test files make (none named: the validator's tests, TESTS)"
    )
    parser.add_argument("--fuzz-examples", type=int, default=100, help="hypothesis examples per fuzz test")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose validator runs (default: this one)")
    parser.add_argument("--folders", nargs="*", type=Path, default=[], help="country folders to validate")
    args = parser.parse_args()
    folders = [folder.resolve() for folder in args.folders]
    sys.path.insert(0, str(args.repo.resolve()))
    os.chdir(args.repo)
    records: dict[str, list[Any]] = {}
    if args.tests is not None:
        import pytest

        os.environ["FUZZ_EXAMPLES"] = str(args.fuzz_examples)
        _recording(records)
        pytest.main(["-q", "-p", "no:cacheprovider", "--hypothesis-seed=20261206", *(args.tests or TESTS)])
    from score.ingest import load_country_dir

    for folder in folders:
        records[f"folder:{folder.name}"] = [report_record(load_country_dir(folder))]
    text = json.dumps(dict(sorted(records.items())), ensure_ascii=False, indent=0, sort_keys=True, default=str)
    args.out.write_text(text)
    import score

    print(f"{len(records)} inputs, {sum(len(r) for r in records.values())} reports -> {args.out} ({score.__file__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
