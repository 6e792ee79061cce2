"""The three attack families of tests/test_disclosure.py over many secrets (installations): `make attack`.

Each run builds the demo set with its own secret, so the noise sizes, group directions, record keys and with them
every adjustment differ; the totals say how often an attacker recovers a hidden count exactly, or a hidden cell's
workers within 5%, on an installation they know nothing about: one pair (differencing), averaging over 16
complements (every hidden country x sector x phase cell, not only the first 12 as in make test) and presence (split
by partner and joining year), as the public and as Colombian staff against the other countries. Figures go to
RELIABILITY.md ("Disclosure control").
Usage: python bench/disclosure_attack.py [runs, default 5]
       python bench/disclosure_attack.py --costs [runs]: only what the count method costs (public against exact
       enterprise counts by country, country x sector, sector and joining year), a build per secret, no attack
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from score import db
from score.access import Scope
from tests.disclosure_attack import (
    Tally,
    averaging_attack,
    build_with_secret,
    country_attack,
    presence_attack,
    public_attack,
)
from tests.oracle import RawData

LABELS = {
    "pair_public": "one pair, public",
    "pair_own": "one pair, colombia staff, (own + C) minus own",
    "pair_all_but": "one pair, colombia staff, all minus all but C",
    "avg_public": "averaging 16, public",
    "avg_staff": "averaging 16, colombia staff",
    "presence_public": "presence, public",
    "presence_staff": "presence, colombia staff",
}


COST_TABLES = {  # query: the columns that name a row
    "country_totals": ["country"],
    "enterprises_country_sector": ["country", "sector"],
    "enterprises_by_sector": ["sector"],
    "enterprises_by_year": ["year"],
}


def count_costs() -> dict[str, pd.Series]:
    """Per table: |public - exact| enterprises of every row the public sees (the version being read)."""
    out = {}
    for name, keys in COST_TABLES.items():
        public, exact = db.run_query(name, Scope.public()), db.run_query(name, Scope.hq("bench"))
        both = public.merge(exact, on=keys, suffixes=("_public", "_exact"))
        both = both[both["enterprises_public"].notna()]
        out[name] = (both["enterprises_public"].astype(float) - both["enterprises_exact"].astype(float)).abs()
    return out


def costs(runs: int) -> None:
    errors: dict[str, list[pd.Series]] = {name: [] for name in COST_TABLES}
    with tempfile.TemporaryDirectory(prefix="score-costs-") as tmp:
        for run in range(runs):
            build_with_secret(Path(tmp) / f"run{run}", f"{run:04d}" + "5e" * 30)
            for name, error in count_costs().items():
                errors[name].append(error)
            db.close_all()
    print(f"{runs} secrets: enterprises shown to the public minus exact, per row of")
    for name, parts in errors.items():
        error = pd.concat(parts)
        print(f"  {name}: {len(error)} rows, mean {error.mean():.2f}, at most {error.max():.0f}")


def main(runs: int) -> None:
    started = time.monotonic()
    totals = {key: Tally() for key in LABELS}
    staff = Scope.country("attacker", {"COL"})
    with tempfile.TemporaryDirectory(prefix="score-attack-") as tmp:
        for run in range(runs):
            data = build_with_secret(Path(tmp) / f"run{run}", f"{run:04d}" + "5e" * 30)
            raw = RawData(data / "countries")
            own, all_but = country_attack(raw, "COL")
            tallies = {
                "pair_public": public_attack(raw),
                "pair_own": own,
                "pair_all_but": all_but,
                "avg_public": averaging_attack(raw, Scope.public()),
                "avg_staff": averaging_attack(raw, staff),
                "presence_public": presence_attack(raw, Scope.public()),
                "presence_staff": presence_attack(raw, staff),
            }
            for key, tally in tallies.items():
                totals[key].add(tally)
                print(f"run {run + 1}/{runs}: {tally.line(LABELS[key])}", flush=True)
            db.close_all()
    print(f"\n{runs} secrets, {time.monotonic() - started:.0f} s:")
    for key, label in LABELS.items():
        print(totals[key].line(label))
    for key, tally in totals.items():
        for cell in tally.close_workers:
            print(f"  {key}: workers within 5%: {cell}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--costs"]:
        costs(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
