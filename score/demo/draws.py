"""The seeded draws every demo table uses: one stream per purpose, weighted choices, sums hit exactly."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

import numpy as np


def seeded_rng(seed: int, *labels: str) -> np.random.Generator:
    """An independent stream per purpose, stable across runs and platforms (crc32, not hash())."""
    return np.random.default_rng([seed, *(zlib.crc32(label.encode("utf-8")) for label in labels)])


def weighted_choice(rng: np.random.Generator, options: Sequence[tuple[str, float]]) -> str:
    weights = np.array([w for _, w in options], dtype=float)
    return options[int(rng.choice(len(options), p=weights / weights.sum()))][0]


def probabilities(weights: Iterable[float]) -> np.ndarray:
    array = np.asarray(list(weights), dtype=float)
    return array / array.sum()


def adjust_to_sum(
    rng: np.random.Generator, values: np.ndarray, target: int, lower: np.ndarray, upper: np.ndarray
) -> None:
    """Move values at random positions (within bounds) until they sum to target; steps of one unit once the
    remaining difference is small, larger (a share of it, within the position's room) while it is not."""
    diff = int(target - values.sum())
    while diff:
        room = upper - values if diff > 0 else values - lower
        eligible = np.flatnonzero(room > 0)
        if not eligible.size:
            raise ValueError("calibration target out of reach")
        k = eligible[int(rng.integers(eligible.size))]
        step = min(abs(diff), int(room[k]), max(1, abs(diff) // (2 * eligible.size)))
        values[k] += step if diff > 0 else -step
        diff -= step if diff > 0 else -step
