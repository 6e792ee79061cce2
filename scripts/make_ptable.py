"""Write data/reference/ptable_counts.csv, the perturbation table of the cell key method for counts.

Format of the UK ONS `cell-key-perturbation` package (columns pcv, ckey, pvalue; pcv 1..750, cell keys 0..255;
counts above 750 reuse rows 501..750). Its shipped example table (`ptable_10_5_rule.csv`) is a deterministic
rule (counts under 10 become 0, others are rounded to 5): no noise, and it would hide counts 5-9 that we show.
So the table is made by the published method instead (Giessing 2016, Enderle/Giessing/Tent 2018, R package
`ptable`): for each count n, the maximum-entropy distribution of the adjustment d with
- |d| <= D = 2 (the largest change a reader will see),
- mean 0 wherever the support allows it (unbiased: sums of many cells keep their level),
- n + d never in 1..4 for n >= 5 (counts of 1-4 are hidden; a shown count stays >= 5),
then each cell key u = 0..255 takes the adjustment whose cumulative interval holds (u + 0.5) / 256, and the keys
of each row are shuffled by a fixed seed so that rows are independent (a cell and the same cell minus one
enterprise do not move together). For n >= 7 this is uniform on -2..2 (P(d = 0) = 1/5, variance 2);
n = 6 uses -1..2 with mean 0; n = 5 can only move up (0, 1, 2: mean +1); rows 1..4 are 0 (those cells are hidden).

The table is public by design: the secret is in the record keys. Run: `python scripts/make_ptable.py`.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "data" / "reference" / "ptable_counts.csv"
MAX_DEVIATION = 2
THRESHOLD = 5  # counts 1..THRESHOLD-1 are hidden
MAX_PCV = 750
KEYS = 256
SEED = 20261201


def distribution(n: int) -> dict[int, float]:
    """Maximum-entropy adjustment law for count n (mean 0 where the support has both signs)."""
    if n < THRESHOLD:
        return {0: 1.0}
    support = [d for d in range(-MAX_DEVIATION, MAX_DEVIATION + 1) if n + d >= THRESHOLD]
    if min(support) >= 0 or -min(support) == max(support):
        return {d: 1 / len(support) for d in support}  # symmetric (or one-sided): uniform has the most entropy
    # p_d proportional to exp(mu * d), mu found by bisection so that the mean is 0.
    lo, hi = -10.0, 10.0
    for _ in range(200):
        mu = (lo + hi) / 2
        weights = [math.exp(mu * d) for d in support]
        mean = sum(w * d for w, d in zip(weights, support, strict=True)) / sum(weights)
        lo, hi = (lo, mu) if mean > 0 else (mu, hi)
    total = sum(weights)
    return {d: w / total for d, w in zip(support, weights, strict=True)}


def row(n: int, rng: np.random.Generator) -> list[int]:
    law = distribution(n)
    cumulative, adjustments = [], []
    running = 0.0
    for d in sorted(law):
        running += law[d]
        cumulative.append(running)
        adjustments.append(d)
    last = len(adjustments) - 1
    by_position = [adjustments[min(int(np.searchsorted(cumulative, (u + 0.5) / KEYS)), last)] for u in range(KEYS)]
    return [by_position[i] for i in rng.permutation(KEYS)]


def main() -> None:
    rng = np.random.default_rng(SEED)
    with open(OUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["pcv", "ckey", "pvalue"])
        for n in range(1, MAX_PCV + 1):
            for ckey, d in enumerate(row(n, rng)):
                writer.writerow([n, ckey, d])
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
