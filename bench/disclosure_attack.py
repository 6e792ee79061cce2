"""The differencing attack of tests/test_disclosure.py over many secrets (installations): `make attack`.

Each run builds the demo set with its own secret, so the record keys, and with them every adjustment, differ;
the totals say how often an attacker recovers a hidden count exactly, or a single enterprise's workers within
5%, on an installation they know nothing about. Figures go to RELIABILITY.md ("Disclosure").
Usage: python bench/disclosure_attack.py [runs, default 20]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from score import db
from tests.disclosure_attack import Tally, build_with_secret, country_attack, public_attack
from tests.oracle import RawData


def main(runs: int) -> None:
    started = time.monotonic()
    totals = {"public": Tally(), "own": Tally(), "all_but": Tally()}
    with tempfile.TemporaryDirectory(prefix="score-attack-") as tmp:
        for run in range(runs):
            data = build_with_secret(Path(tmp) / f"run{run}", f"{run:04d}" + "5e" * 30)
            raw = RawData(data / "countries")
            public = public_attack(raw)
            own, all_but = country_attack(raw, "COL")
            for key, tally in zip(totals, (public, own, all_but), strict=True):
                totals[key].add(tally)
            db.close_all()
            print(f"run {run + 1}/{runs}: {public.line('public')}", flush=True)
    print(f"\n{runs} secrets, {time.monotonic() - started:.0f} s:")
    print(totals["public"].line("public"))
    print(totals["own"].line("colombia staff, (own + C) minus own"))
    print(totals["all_but"].line("colombia staff, all minus all but C"))
    for tally in totals.values():
        for cell in tally.close_workers:
            print("  workers within 5%:", cell)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
