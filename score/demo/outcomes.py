"""The demo's classroom training (modules, dates, who attended) and outcome indicators (baseline, follow-up, yes/no)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from score.demo.draws import adjust_to_sum, seeded_rng
from score.demo.enterprises import Enterprise
from score.demo.spec import (
    AS_OF,
    BASELINE_SHARE,
    CHANGE_FORMAT,
    CHANGE_TARGETS,
    FOLLOW_UP_SHARE,
    IMPROVING_SHARE,
    MODULE_COUNT_WEIGHTS,
    MODULE_FIRST_WC,
    MODULE_WEIGHTS,
    SATISFACTION_PRESENT,
    SECTOR_ACCIDENT_RISK,
    SECTOR_KWH_PER_WORKER,
    SHARE_TARGETS,
)


def _next_weekday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def _module_sequence(rng: np.random.Generator, codes: Sequence[str], count: int) -> list[str]:
    weights = np.array([MODULE_WEIGHTS.get(c, 0.05) for c in codes])
    if "WC" in codes and rng.random() < MODULE_FIRST_WC:
        first = "WC"
    else:
        first = codes[int(rng.choice(len(codes), p=weights / weights.sum()))]
    rest = [c for c in codes if c != first]
    rest_weights = np.array([MODULE_WEIGHTS.get(c, 0.05) for c in rest])
    order = rng.choice(len(rest), size=len(rest), replace=False, p=rest_weights / rest_weights.sum())
    return [first, *(rest[int(i)] for i in order)][:count]


def make_training(seed: int, group: list[Enterprise], phase: str, codes: Sequence[str]) -> list[dict[str, object]]:
    rng = seeded_rng(seed, "training", phase)
    rows: list[dict[str, object]] = []
    for enterprise in group:
        wanted = 1 + int(rng.choice(5, p=MODULE_COUNT_WEIGHTS))
        modules = _module_sequence(rng, codes, wanted)
        dates: list[dt.date] = []
        day = _next_weekday(enterprise.joined_on + dt.timedelta(days=int(rng.integers(14, 76))))
        while len(dates) < len(modules) and day <= min(enterprise.cohort.until, AS_OF):
            dates.append(day)
            day = _next_weekday(day + dt.timedelta(days=int(rng.integers(60, 151))))
        if not dates:
            raise ValueError(f"{enterprise.enterprise_id}: no time left for a first module")
        modules = modules[: len(dates)]
        # Each module has the enterprise's team, some groups one person short; every group is complete in at
        # least one module, so the distinct estimate (max per group) equals the team.
        full = [int(rng.integers(len(modules))) for _ in range(4)]
        for m, (module, day) in enumerate(zip(modules, dates, strict=True)):
            counts = list(enterprise.team)
            for g in range(4):
                role = (0, 1) if g < 2 else (2, 3)
                others = sum(counts[r] for r in role if r != g)
                if m != full[g] and counts[g] > 0 and counts[g] - 1 + others >= 2 and rng.random() < 0.3:
                    counts[g] -= 1
            rows.append(
                {
                    "enterprise_id": enterprise.enterprise_id,
                    "module": module,
                    "classroom_date": day,
                    "managers_female": counts[0],
                    "managers_male": counts[1],
                    "workers_female": counts[2],
                    "workers_male": counts[3],
                    "consultation_visits": int(rng.integers(2, 9)),
                    "satisfaction_pct": None,
                }
            )
    present = rng.permutation(len(rows))[: round(SATISFACTION_PRESENT * len(rows))]
    for index in sorted(present):
        rows[index]["satisfaction_pct"] = round(float(np.clip(rng.normal(88.5, 4.0), 80, 98)), 1)
    return rows


def _baseline_values(rng: np.random.Generator, code: str, enterprise: Enterprise) -> float:
    workers, sector = enterprise.workers, enterprise.sector
    if code == "accidents":
        return float(min(rng.poisson(workers * 0.03 * SECTOR_ACCIDENT_RISK[sector]), 40))
    if code == "absenteeism":
        return float(np.clip(rng.normal(5.5, 2.0), 2, 12))
    if code == "defect_rate":
        return float(np.clip(rng.lognormal(math.log(5), 0.5), 1.5, 15))
    if code == "staff_turnover":
        return float(np.clip(rng.lognormal(math.log(15), 0.45), 5, 40))
    if code == "energy_use":
        kwh = workers * SECTOR_KWH_PER_WORKER[sector] * rng.lognormal(0, 0.35)
        return float(np.clip(kwh, 2_000, 300_000))
    raise ValueError(code)


def _calibrated_follow_up(rng: np.random.Generator, base: np.ndarray, code: str, phase: str) -> np.ndarray:
    """Follow-up values (integer units): exactly IMPROVING_SHARE of the enterprises improve, and the summed
    follow-up over the summed baseline is exactly the target change (up to one unit)."""
    decimals, low, high, spread = CHANGE_FORMAT[code]
    unit = 10**decimals
    n = base.size
    floor = np.full(n, low * unit)
    ceiling = np.minimum(high * unit, 10 * base)  # a follow-up > 10x the baseline is flagged by validation
    can_improve = np.flatnonzero(base - 1 >= floor)
    improves = np.zeros(n, dtype=bool)
    improves[rng.permutation(can_improve)[: min(round(IMPROVING_SHARE[code] * n), can_improve.size)]] = True
    lower = np.where(improves, floor, base)
    upper = np.where(improves, base - 1, ceiling)
    target = round(int(base.sum()) * (1 + CHANGE_TARGETS[code][phase]))
    if not lower.sum() <= target <= upper.sum():
        raise ValueError(f"{code}: change target out of reach")

    # The others stay level or get somewhat worse; the improvers' drops (random shapes) are scaled together
    # (bisection) so that the total lands on the target, then single units settle the rounding.
    follow = np.clip(np.rint(base * (1 + np.abs(rng.normal(0, spread / 3, n)))), lower, upper).astype(np.int64)
    shape = np.abs(rng.normal(1.0, 0.6, n)) + 0.05
    needed = target - int(follow[~improves].sum())

    def improved(scale: float) -> np.ndarray:
        dropped = np.rint(base * (1 - np.clip(scale * shape, 0, 0.85)))  # nobody drops to zero by scaling
        return np.clip(dropped, lower, upper).astype(np.int64)[improves]

    small, large = 0.0, 20.0
    for _ in range(60):
        middle = (small + large) / 2
        if improved(middle).sum() > needed:
            small = middle
        else:
            large = middle
    follow[improves] = improved(large)
    adjust_to_sum(rng, follow, target, lower, upper)
    return follow


def _top(count: int, score: np.ndarray) -> np.ndarray:
    chosen = np.zeros(score.size, dtype=np.int64)
    chosen[np.argsort(-score, kind="stable")[:count]] = 1
    return chosen


def make_indicators(seed: int, group: list[Enterprise], phase: str) -> list[dict[str, object]]:
    rng = seeded_rng(seed, "indicators", phase)
    n = len(group)
    baseline_on = [e.joined_on + dt.timedelta(days=int(rng.integers(0, 61))) for e in group]
    follow_up_on = [d + dt.timedelta(days=int(rng.integers(274, 549))) for d in baseline_on]
    has_baseline = np.zeros(n, dtype=bool)
    has_baseline[rng.permutation(n)[: round(BASELINE_SHARE * n)]] = True
    eligible = np.flatnonzero(has_baseline & np.array([d <= AS_OF for d in follow_up_on]))
    has_follow_up = np.zeros(n, dtype=bool)
    has_follow_up[rng.permutation(eligible)[: round(FOLLOW_UP_SHARE * eligible.size)]] = True

    rows: list[dict[str, object]] = []
    improvement: dict[str, np.ndarray] = {}
    for code in CHANGE_TARGETS:
        decimals = CHANGE_FORMAT[code][0]
        unit = 10**decimals
        base_set = has_baseline.copy()
        follow_set = has_follow_up.copy()
        if code in ("defect_rate", "energy_use"):  # a few enterprises do not record these at all
            drop = rng.permutation(np.flatnonzero(base_set))[: round(0.03 * base_set.sum())]
            base_set[drop] = False
            follow_set[drop] = False
        if code == "staff_turnover":  # ... or lose a follow-up value
            follow_set[rng.permutation(np.flatnonzero(follow_set))[: round(0.02 * follow_set.sum())]] = False
        base = np.zeros(n, dtype=np.int64)
        for k in np.flatnonzero(base_set):
            base[k] = round(_baseline_values(rng, code, group[k]) * unit)
        follow = np.zeros(n, dtype=np.int64)
        both = np.flatnonzero(follow_set)
        follow[both] = _calibrated_follow_up(rng, base[both], code, phase)
        gain = np.zeros(n)
        gain[both] = (base[both] - follow[both]) / np.maximum(base[both], 1)
        improvement[code] = gain
        for k in np.flatnonzero(base_set):
            rows.append(_indicator_row(group[k], code, "baseline", baseline_on[k], base[k] / unit, decimals))
            if follow_set[k]:
                rows.append(_indicator_row(group[k], code, "follow_up", follow_up_on[k], follow[k] / unit, decimals))

    # Yes/no outcomes at follow-up, exact counts; better relations go with lower absenteeism and turnover,
    # cost savings with lower energy use and defects (plus noise), good practices with more modules taken.
    followed = np.flatnonzero(has_follow_up)
    scores = {
        "good_practices_adopted": rng.normal(0, 1, n),
        "workplace_relations_improved": improvement["absenteeism"]
        + improvement["staff_turnover"]
        + rng.normal(0, 0.15, n),
        "cost_savings_reported": improvement["energy_use"] + improvement["defect_rate"] + rng.normal(0, 0.2, n),
    }
    for code, score in scores.items():
        count = round(SHARE_TARGETS[code][phase] * followed.size)
        values = _top(count, score[followed])
        for k, value in zip(followed, values, strict=True):
            rows.append(_indicator_row(group[k], code, "follow_up", follow_up_on[k], float(value), 0))
    return rows


def _indicator_row(
    enterprise: Enterprise, code: str, period: str, day: dt.date, value: float, decimals: int
) -> dict[str, object]:
    return {
        "enterprise_id": enterprise.enterprise_id,
        "indicator": code,
        "period": period,
        "measured_on": day,
        "value": f"{value:.{decimals}f}",
    }
