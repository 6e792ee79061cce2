"""The three attack families of tests/test_disclosure.py over many secrets (installations): `make attack`.

Each run builds the demo set with its own secret, so the noise sizes, group directions, record keys and with them
every adjustment differ; the totals say how often an attacker recovers a hidden count exactly, or a hidden cell's
workers within 5%, on an installation they know nothing about: one pair (differencing), averaging over 16
complements (every hidden country x sector x phase cell, not only the first 12 as in make test) and presence (split
by partner and joining year), as the public and as Colombian staff against the other countries. Figures go to
RELIABILITY.md ("Disclosure control").
Usage: python bench/disclosure_attack.py [runs, default 5]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
