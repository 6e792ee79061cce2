"""Long fuzz run of the upload validator (`make fuzz`): at least 10,000 cases, not part of `make test`.

Runs the hypothesis tests of tests/test_fuzz_ingest.py with FUZZ_EXAMPLES examples each (default 2,400:
4 x 2,400 validator cases + 600 rejected publishes = 10,200 cases), keeps going after a failure, and
prints the number of cases per test, the duration and every failure (with hypothesis' reproduction blob).

    .venv/bin/python bench/fuzz_ingest.py [--examples 2400]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2400, help="hypothesis examples per test")
    parser.add_argument("--memory-gb", type=float, default=6, help="address-space limit of this process")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    os.environ["FUZZ_EXAMPLES"] = str(args.examples)
    # A case that needs gigabytes must fail as a MemoryError here, not take the machine down with it.
    limit = args.memory_gb * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.path.insert(0, str(REPO))
    logging.basicConfig(level=logging.CRITICAL)  # guarded validator failures are asserted, not printed

    from tests import test_fuzz_ingest as fuzz

    tests = [
        fuzz.test_random_bytes_give_a_report,
        fuzz.test_mutated_csv_files_give_a_report,
        fuzz.test_mutated_workbooks_give_a_report,
        fuzz.test_random_workbooks_give_a_report,
    ]
    failures: dict[str, str] = {}
    timings: dict[str, float] = {}
    started = time.monotonic()
    for test in tests:
        t0 = time.monotonic()
        try:
            test()
        except BaseException as error:  # keep fuzzing the other strategies; report at the end
            if isinstance(error, KeyboardInterrupt):
                raise
            failures[test.__name__] = "".join(traceback.format_exception(error))[-6000:]
        timings[test.__name__] = time.monotonic() - t0
        print(f"{test.__name__:45} {time.monotonic() - t0:8.1f} s  cases so far {sum(fuzz.CASES.values()):,}")

    from score import db, settings
    from score.publish import build_all

    root = Path(tempfile.mkdtemp(prefix="fuzz-publish-"))
    try:
        data = root / "data"
        shutil.copytree(fuzz.SMALL, data / "countries" / "COL")
        settings.update(data_dir=data)
        build_all(user="fuzz")
        t0 = time.monotonic()
        try:
            fuzz.test_rejected_upload_changes_nothing(small_data_dir=data)
        except Exception as error:
            failures["test_rejected_upload_changes_nothing"] = "".join(traceback.format_exception(error))[-6000:]
        timings["test_rejected_upload_changes_nothing"] = time.monotonic() - t0
        db.close_all()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    total = sum(fuzz.CASES.values())
    duration = time.monotonic() - started
    print()
    for name, count in sorted(fuzz.CASES.items()):
        print(f"  {name:20} {count:>7,} cases")
    print(f"  {'total':20} {total:>7,} cases in {duration:,.0f} s; {len(failures)} failing test(s)")
    for name, seconds in sorted(fuzz.SLOWEST.items()):
        print(f"  slowest {name:12} case {seconds:6.2f} s")
    for name, text in failures.items():
        print(f"\n=== {name} ===\n{text}")
    if args.json:
        summary = {
            "cases": dict(fuzz.CASES),
            "total": total,
            "seconds": round(duration),
            "slowest_case_seconds": {k: round(v, 2) for k, v in fuzz.SLOWEST.items()},
            "failures": failures,
        }
        args.json.write_text(json.dumps(summary, indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
