"""A scaled copy of the demo data set, for benchmarks: `python -m score demo --scale N --out DIR`.

The seeded demo set (score.demo) is generated into a temporary folder and replicated N times; copy k gets
enterprise ids suffixed `R<k>` (`COL-0001` -> `COL-0001R0` ... `COL-0001R199`), which keeps the contract pattern
`^[A-Z]{3}-[A-Za-z0-9]{1,12}$`. Every other value is copied unchanged, so every count and sum at scale N is
exactly N times the demo's and every ratio (shares, change %) is the same. Logframe files are copied as they are.
DIR becomes a complete data dir (`DIR/countries/<ISO3>/`, then a built version and `DIR/score.duckdb`), so
`SCORE_DATA_DIR=DIR make run` serves it. Nothing in the checkout's data/ is read or written.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from score import config, demo

SCALED_TABLES = ("enterprises", "training", "indicators")
MAX_ID_LENGTH = 12  # the part after "<ISO3>-" (score.contract)


def _read_text_frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def replicate(frame: pd.DataFrame, scale: int) -> pd.DataFrame:
    """`scale` copies of frame, block by block; copy k gets enterprise ids suffixed with `R<k>`."""
    n = len(frame)
    out = pd.DataFrame({column: np.tile(frame[column].to_numpy(dtype=object), scale) for column in frame.columns})
    copy = np.repeat(np.arange(scale), n).astype(str)
    out["enterprise_id"] = out["enterprise_id"].str.cat(copy, sep="R")
    return out


def write_scaled(scale: int, out_countries: Path, source: Path) -> dict[str, int]:
    """Write `scale` copies of the country folders under `source` into out_countries; rows written per table.

    Scale 1 is the source itself (same ids), the baseline benchmarks compare against.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    rows = dict.fromkeys(SCALED_TABLES, 0)
    for folder in sorted(p for p in source.iterdir() if p.is_dir() and len(p.name) == 3):
        target = out_countries / folder.name
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.iterdir()):
            table = path.stem
            if path.suffix == ".csv" and table in SCALED_TABLES and scale > 1:
                frame = replicate(_read_text_frame(path), scale)
                if frame["enterprise_id"].str.len().max() - 4 > MAX_ID_LENGTH:
                    raise ValueError(f"{path}: scaled ids exceed the contract's {MAX_ID_LENGTH} characters")
                frame.to_csv(target / path.name, index=False)
                rows[table] += len(frame)
            else:  # logframe.csv, DEMO_DATA.txt (and everything at scale 1): copied as they are
                shutil.copy2(path, target / path.name)
                if path.suffix == ".csv" and table in SCALED_TABLES:
                    rows[table] += len(_read_text_frame(path))
    return rows


def write_scaled_demo(scale: int, data_dir: Path, seed: int = demo.DEFAULT_SEED) -> dict[str, int]:
    """The seeded demo set, `scale` times, as `data_dir/countries/` (the checkout's data/ untouched)."""
    data_dir = Path(data_dir).resolve()
    if data_dir == (config.REPO_ROOT / "data").resolve():
        raise ValueError("the scaled set needs its own data dir; the checkout's data/ keeps the demo set")
    countries = data_dir / "countries"
    for folder in countries.iterdir() if countries.exists() else []:
        demo.check_owned(folder)  # never overwrite real data
    with tempfile.TemporaryDirectory(prefix="score-demo-") as tmp:
        source = Path(tmp) / "countries"
        # targets.csv and funding.csv go to the temporary reference folder: the repository's stay as they are
        demo.generate(source, reference_dir=Path(tmp) / "reference", seed=seed)
        shutil.rmtree(countries, ignore_errors=True)
        return write_scaled(scale, countries, source)
