"""Writing the demo set: country folders in the upload format (fixed decimals, sorted rows, "\\n"), the marker file."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from score import config
from score.contract import TABLES
from score.demo.dataset import build
from score.demo.enterprises import Enterprise
from score.demo.spec import CHANGE_TARGETS, COUNTRIES, DEFAULT_SEED, SHARE_TARGETS

MARKER_FILE = "DEMO_DATA.txt"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        raise TypeError("format floats explicitly before writing")  # no float repr noise in the files
    return str(value)


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[dict[str, object]]) -> int:
    """UTF-8 without BOM, comma, "\\n" line endings; written to a temp file then renamed into place."""
    temporary = path.with_name(path.name + ".tmp")
    count = 0
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in header])
            count += 1
    os.replace(temporary, path)
    return count


def _enterprise_row(e: Enterprise) -> dict[str, object]:
    return {
        "enterprise_id": e.enterprise_id,
        "name": e.name,
        "sector": e.sector,
        "province": e.city.province,
        "city": e.city.name,
        "latitude": f"{e.latitude:.4f}",
        "longitude": f"{e.longitude:.4f}",
        "workers_female": e.workers_female,
        "workers_male": e.workers_male,
        "joined_on": e.joined_on,
        "phase": e.phase,
        "partner": e.partner,
    }


def _training_row(row: dict[str, object]) -> dict[str, object]:
    satisfaction = row["satisfaction_pct"]
    return {**row, "satisfaction_pct": "" if satisfaction is None else f"{satisfaction:.1f}"}


def check_owned(folder: Path) -> None:
    """Refuse to overwrite a country folder holding files that the generator did not write."""
    if not folder.exists() or (folder / MARKER_FILE).exists():
        return
    foreign = [p.name for p in folder.iterdir() if p.is_file()]
    if foreign:
        raise FileExistsError(
            f"{folder} holds {', '.join(sorted(foreign))} but no {MARKER_FILE}: it looks like real data, "
            "so the demo generator will not overwrite it. Move it away first."
        )


def generate(
    out_dir: Path | None = None,
    reference_dir: Path = config.REFERENCE_DIR,
    seed: int = DEFAULT_SEED,
) -> dict[str, int]:
    """Write the demo set: country folders under out_dir, targets.csv and funding.csv in reference_dir.

    out_dir defaults to config.countries_dir(), resolved at call time (not import time) so that
    SCORE_DATA_DIR set after import is honoured. Inputs (polygons, modules, logframe indicators) are read
    from reference_dir when present there, else from the repository's data/reference.
    Returns the rows written per table. Each country folder is emptied of files first (stale uploads,
    an old enterprises.xlsx ...), but only if it is a demo folder (has the marker) or has no files.
    """
    out_dir = Path(out_dir) if out_dir is not None else config.countries_dir()
    reference_dir = Path(reference_dir)
    data = build(seed, reference_dir)
    order = {code: i for i, code in enumerate([*CHANGE_TARGETS, *SHARE_TARGETS])}  # the reference order
    for spec in COUNTRIES:
        check_owned(out_dir / spec.iso3)

    written = dict.fromkeys(("enterprises", "training", "indicators", "logframe", "targets", "funding"), 0)
    for spec in COUNTRIES:
        folder = out_dir / spec.iso3
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            if stale.is_file():
                stale.unlink()
        prefix = spec.iso3 + "-"
        enterprises = sorted((e for e in data.enterprises if e.iso3 == spec.iso3), key=lambda e: e.enterprise_id)
        training = sorted(
            (_training_row(r) for r in data.training if str(r["enterprise_id"]).startswith(prefix)),
            key=lambda r: (r["enterprise_id"], r["classroom_date"], r["module"]),
        )
        indicators = sorted(
            (r for r in data.indicators if str(r["enterprise_id"]).startswith(prefix)),
            key=lambda r: (r["enterprise_id"], order[str(r["indicator"])], r["period"]),
        )
        written["enterprises"] += _write_csv(
            folder / "enterprises.csv", TABLES["enterprises"].column_names, map(_enterprise_row, enterprises)
        )
        written["training"] += _write_csv(folder / "training.csv", TABLES["training"].column_names, training)
        written["indicators"] += _write_csv(folder / "indicators.csv", TABLES["indicators"].column_names, indicators)
        written["logframe"] += _write_csv(
            folder / "logframe.csv", TABLES["logframe"].column_names, data.logframe[spec.iso3]
        )
        (folder / MARKER_FILE).write_text(
            f"Synthetic demo data written by `python -m score demo` (seed {seed}). Not real enterprises.\n",
            encoding="utf-8",
            newline="\n",
        )
    reference_dir.mkdir(parents=True, exist_ok=True)
    written["targets"] = _write_csv(
        reference_dir / "targets.csv", ("country", "phase", "metric", "target"), data.targets
    )
    written["funding"] = _write_csv(
        reference_dir / "funding.csv", ("country", "phase", "donor", "start_date", "end_date"), data.funding
    )
    return written
