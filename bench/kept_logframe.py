"""CPU of publish_country's check of a kept logframe: the whole submission validated again (as before session 16)
against the kept file alone merged into the upload's report (score.ingest.with_kept_files), interleaved pairs.

    PYTHONPATH=. .venv/bin/python bench/kept_logframe.py /tmp/lead-bench15/scale-200/data/countries/COL [pairs]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from score.ingest import validate_submission, with_kept_files


def main(folder: Path, pairs: int = 3) -> None:
    country = folder.name
    files = {p.name: p.read_bytes() for p in folder.glob("*.csv") if p.name != "logframe.csv"}
    kept = {f"{country}-published-logframe.csv": (folder / "logframe.csv").read_bytes()}
    report = validate_submission(country, files)
    again, alone = [], []
    for _ in range(pairs):
        start = time.process_time()
        whole = validate_submission(country, {**files, **kept})
        again.append(time.process_time() - start)
        start = time.process_time()
        merged = with_kept_files(report, kept)
        alone.append(time.process_time() - start)
        assert merged.to_frame().equals(whole.to_frame()) and merged.files == whole.files
    print(f"whole again: {[round(s, 3) for s in again]} median {statistics.median(again):.3f} s CPU")
    print(f"kept alone:  {[round(s, 3) for s in alone]} median {statistics.median(alone):.3f} s CPU")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
