"""Write a scaled copy of the demo data set and build a DuckDB version from it (timed).

    python bench/make_scaled.py                 # 200x the demo: 300,000 enterprises, ~3.2M indicator rows
    python bench/make_scaled.py --scale 20      # smaller, for a quick look
    python bench/make_scaled.py --force         # rewrite even if the set exists

The scaled set is the committed demo set (data/countries/, 1,500 enterprises) replicated `scale`
times by score.scaled (the same as `python -m score demo --scale N --out DIR`): every copy has new
enterprise ids (`COL-0001` -> `COL-0001R0` ... `COL-0001R199`), every count and sum at scale N is exactly
N times the demo's, and every ratio (shares, change %) is the same.

Where it goes: `$SCORE_BENCH_DIR` (default `$XDG_CACHE_HOME/score-bench`, i.e. ~/.cache/score-bench),
one folder per scale: `<root>/scale-<N>/data/` is a complete SCORE data dir (countries/, versions/,
archive/, score.duckdb), so `SCORE_DATA_DIR=<root>/scale-<N>/data make run` serves it.
Nothing is written into the checkout.

Timed steps (printed, and saved as `<root>/scale-<N>/timings.json`): writing the CSVs, validating
every country folder with score.ingest (what an upload of that size costs), and score.publish.build_all
(which validates again, then loads, checks, checkpoints and switches the pointer), with a breakdown.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# A country file of the scaled set is larger than the default upload limit (50 MB at scale 1000);
# the bench measures validation, not the limit. Must be set before score.config is imported.
os.environ.setdefault("SCORE_MAX_UPLOAD_MB", "10000")

DEMO_COUNTRIES = REPO / "data" / "countries"
DEFAULT_SCALE = 200  # 300,000 enterprises: the size DESIGN.md asks the dashboard to stay fast at
SCALED_TABLES = ("enterprises", "training", "indicators")


def bench_root() -> Path:
    if os.environ.get("SCORE_BENCH_DIR"):
        return Path(os.environ["SCORE_BENCH_DIR"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "score-bench"


def data_dir_for(scale: int, root: Path | None = None) -> Path:
    """The SCORE data dir of a scaled set (scale 1 is a plain copy of the demo set)."""
    return (root or bench_root()) / f"scale-{scale}" / "data"


def _read_text_frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def write_scaled(scale: int, out_countries: Path, source: Path = DEMO_COUNTRIES) -> dict[str, int]:
    """The committed demo set `scale` times (score.scaled, as `python -m score demo --scale N --out DIR`)."""
    from score.scaled import write_scaled as write

    return write(scale, out_countries, source)


def _timed(store: dict[str, float], key: str, function):
    """Wrap function so that its wall time is added to store[key]."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            store[key] = store.get(key, 0.0) + time.perf_counter() - start

    return wrapper


def validate_all(countries: Path) -> dict[str, float]:
    """Validate every country folder with score.ingest, as an upload would be; seconds per country."""
    from score.ingest import load_country_dir

    seconds: dict[str, float] = {}
    for folder in sorted(p for p in countries.iterdir() if p.is_dir()):
        start = time.perf_counter()
        report = load_country_dir(folder)
        seconds[folder.name] = time.perf_counter() - start
        if not report.ok:
            print(report.summary()[:3000], file=sys.stderr)
            raise SystemExit(f"{folder.name}: the scaled set does not validate")
        rows = {name: len(frame) for name, frame in report.tables.items()}
        print(f"  validated {folder.name}: {seconds[folder.name]:6.2f} s  {rows}", flush=True)
    return seconds


def validate_bad(data: Path, country: str = "CHN") -> dict:
    """Validation time for the largest country with many bad rows (the worst case of an upload).

    Every 10th enterprise gets a near-miss sector code and every 7th a negative headcount; every 5th
    training row names an unknown enterprise and an unknown module; every 3rd indicator row has a
    misspelt period and an impossible date. The report is capped per rule, so it stays readable.
    """
    from score.ingest import validate_paths

    source = data / "countries" / country
    bad = data.parent / "bad" / country
    shutil.rmtree(bad.parent, ignore_errors=True)
    bad.mkdir(parents=True)
    frames = {name: _read_text_frame(source / f"{name}.csv") for name in SCALED_TABLES}
    enterprises, training, indicators = frames["enterprises"], frames["training"], frames["indicators"]
    enterprises.loc[::10, "sector"] = "garment"
    enterprises.loc[::7, "workers_male"] = "-3"
    training.loc[::5, "enterprise_id"] = country + "-UNKNOWN"
    training.loc[::5, "module"] = "OHS"
    indicators.loc[::3, "period"] = "followup"
    indicators.loc[::3, "measured_on"] = "2012-02-30"
    for name, frame in frames.items():
        frame.to_csv(bad / f"{name}.csv", index=False)
    start = time.perf_counter()
    report = validate_paths([bad])
    seconds = time.perf_counter() - start
    result = {
        "country": country,
        "rows": {name: len(frame) for name, frame in frames.items()},
        "seconds": seconds,
        "errors": len(report.errors),
        "ok": report.ok,
    }
    print(f"  bad {country}: {seconds:.2f} s, {result['errors']} errors listed (capped per rule), ok={report.ok}")
    shutil.rmtree(bad.parent, ignore_errors=True)
    return result


def build(data: Path) -> tuple[float, dict[str, float], Any]:
    """score.publish.build_all with SCORE_DATA_DIR=data; wall time and a breakdown of its steps."""
    from score import publish, settings

    settings.update(data_dir=data)
    publish._validated.clear()  # as in a fresh process: every country folder is read and validated
    steps: dict[str, float] = {}
    saved = (publish.read_country_dir, publish.build_database, publish.check_version, publish.archive_upload)
    publish.read_country_dir = _timed(steps, "read + validate", publish.read_country_dir)
    publish.build_database = _timed(steps, "load into DuckDB + checkpoint", publish.build_database)
    publish.check_version = _timed(steps, "check version", publish.check_version)
    publish.archive_upload = _timed(steps, "archive raw files", publish.archive_upload)
    try:
        start = time.perf_counter()
        result = publish.build_all(user="bench")
        total = time.perf_counter() - start
    finally:
        publish.read_country_dir, publish.build_database, publish.check_version, publish.archive_upload = saved
    steps["other (switch pointer, history)"] = total - sum(steps.values())
    return total, steps, result


def schema_sha256() -> str:
    """The database depends on the schema (macros included): a changed schema means a rebuild."""
    return hashlib.sha256((REPO / "score" / "sql" / "schema.sql").read_bytes()).hexdigest()


def publish_one(data: Path, country: str = "PER", fresh: bool = True) -> dict:
    """An upload of one (small) country through score.publish.publish_country as HQ, timed by step.

    The upload is the country's own files again, so the data do not change; what is measured is what a
    country's publish costs at this size. fresh=True: as in a new process (the CLI), every other country
    folder is read and validated again; fresh=False: as in the running app after a first build, whose
    validated folders score.publish keeps in memory.
    """
    import resource

    from score import publish, settings
    from score.access import Scope

    settings.update(data_dir=data)
    if fresh:
        publish._validated.clear()
    folder = data / "countries" / country
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".csv"}
    steps: dict[str, float] = {}
    saved = (publish.validate_submission, publish.read_country_dir, publish.build_database)
    publish.validate_submission = _timed(steps, f"validate the upload ({country})", saved[0])
    publish.read_country_dir = _timed(steps, "read + validate the other countries", saved[1])
    publish.build_database = _timed(steps, "load into DuckDB + checkpoint", saved[2])
    try:
        start = time.perf_counter()
        publish.publish_country(country, files, Scope.hq("bench"))
        total = time.perf_counter() - start
    finally:
        publish.validate_submission, publish.read_country_dir, publish.build_database = saved
    steps["other (archive, check, switch)"] = total - sum(steps.values())
    label = "fresh process" if fresh else "running app"
    print(f"  publish {country} ({label}): {total:.1f} s: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
    publish.prune_versions(keep=1)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"country": country, "fresh": fresh, "seconds": total, "steps": steps, "max_rss_mb": rss_mb}


def make(scale: int, root: Path | None = None, force: bool = False, validate: bool = True) -> dict:
    """Write and build the scale-N set unless it is there already; returns the timings.

    If the CSVs are there but score/sql/schema.sql changed since the last build, only the
    database is rebuilt (a new version in the same data dir; older bench versions are pruned).
    """
    from score import publish

    data = data_dir_for(scale, root)
    timings_file = data.parent / "timings.json"
    if (data / "score.duckdb").exists() and timings_file.exists() and not force:
        timings: dict[str, Any] = json.loads(timings_file.read_text())
        if timings.get("schema_sha256") == schema_sha256():
            print(f"scale {scale}: already built in {data} (use --force to rebuild)")
            return timings
        print(f"scale {scale}: schema.sql changed, rebuilding the database from {data / 'countries'}", flush=True)
        total, steps, result = build(data)
        timings.update(build_all_s=total, build_steps_s=steps, counts=result.counts, schema_sha256=schema_sha256())
        timings["db_mb"] = result.path.stat().st_size / 1e6
        publish.prune_versions(keep=1)
        timings_file.write_text(json.dumps(timings, indent=1))
        print(f"scale {scale}: build_all {total:.1f} s -> {result.path}")
        return timings
    if data.parent.exists():
        shutil.rmtree(data.parent)
    data.mkdir(parents=True)
    timings = {"scale": scale, "data_dir": str(data)}
    start_all = time.perf_counter()

    start = time.perf_counter()
    timings["rows"] = write_scaled(scale, data / "countries")
    timings["write_csv_s"] = time.perf_counter() - start
    size = sum(p.stat().st_size for p in (data / "countries").rglob("*.csv"))
    timings["csv_mb"] = size / 1e6
    print(f"scale {scale}: wrote {timings['rows']} ({size / 1e6:.0f} MB) in {timings['write_csv_s']:.1f} s", flush=True)

    if validate:
        start = time.perf_counter()
        timings["validate_per_country_s"] = validate_all(data / "countries")
        timings["validate_s"] = time.perf_counter() - start
        print(f"scale {scale}: validation {timings['validate_s']:.1f} s", flush=True)
        timings["validate_bad"] = validate_bad(data)

    total, steps, result = build(data)
    timings["build_all_s"] = total
    timings["build_steps_s"] = steps
    timings["counts"] = result.counts
    timings["db_mb"] = result.path.stat().st_size / 1e6
    timings["total_s"] = time.perf_counter() - start_all
    timings["schema_sha256"] = schema_sha256()
    if validate:
        timings["publish_one"] = [publish_one(data, fresh=True), publish_one(data, fresh=False)]
    print(f"scale {scale}: build_all {total:.1f} s -> {result.path} ({timings['db_mb']:.0f} MB)")
    for step, seconds in steps.items():
        print(f"    {step:34} {seconds:7.2f} s")
    print(f"scale {scale}: total {timings['total_s']:.1f} s")
    timings_file.write_text(json.dumps(timings, indent=1))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE, help=f"copies of the demo set ({DEFAULT_SCALE})")
    parser.add_argument("--root", type=Path, default=None, help=f"bench directory (default {bench_root()})")
    parser.add_argument("--force", action="store_true", help="rewrite and rebuild even if present")
    parser.add_argument("--no-validate", action="store_true", help="skip the separate validation timing")
    args = parser.parse_args()
    make(args.scale, args.root, force=args.force, validate=not args.no_validate)


if __name__ == "__main__":
    main()
