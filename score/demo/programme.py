"""The demo's programme-level files: each country's logframe, the reach targets and the donors per phase."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from score.demo.draws import seeded_rng
from score.demo.enterprises import Enterprise
from score.demo.spec import DONORS, LATE_STARTERS, PHASE_DATES

_LOGFRAME_TARGETS = {
    "institutions_embedding": ((2, 4), (4, 7)),
    "cost_covered_pct": ((15, 30), (35, 55)),
    "sponsors": ((2, 5), (4, 9)),
    "clusters_selected": ((2, 3), (3, 6)),
    "mous_signed": ((2, 5), (4, 9)),
    "partner_staff_trained": ((20, 60), (50, 120)),
    "business_plans": ((1, 3), (2, 5)),
    "expert_trainers": ((10, 25), (20, 45)),
    "centre_of_excellence": ((0, 1), (1, 1)),
}
_PEOPLE_INDICATORS = ("partner_staff_trained", "expert_trainers")


def make_logframe(seed: int, iso3: str, indicators: Sequence[dict[str, str]]) -> list[dict[str, object]]:
    rng = seeded_rng(seed, "logframe", iso3)
    dates = [dt.date(2016, 12, 31)] if iso3 in LATE_STARTERS else [dt.date(2013, 9, 30), dt.date(2016, 12, 31)]
    rows: list[dict[str, object]] = []
    for item in indicators:
        code = item["code"]
        ranges = _LOGFRAME_TARGETS.get(code, ((1, 3), (2, 5)))
        previous_target = 0.0
        for day in dates:
            low, high = ranges[0] if day.year == 2013 else ranges[1]
            target = float(max(int(rng.integers(low, high + 1)), previous_target))
            previous_target = target
            decimals = 1 if code == "cost_covered_pct" else 0
            if code == "centre_of_excellence":
                actual: float | None = float(rng.random() < (0.7 if target else 0.2))
            else:
                actual = target * float(rng.uniform(0.55, 1.3))
                actual = round(min(actual, 60.0) if code == "cost_covered_pct" else actual, decimals)
                if code == "cost_covered_pct":
                    actual = max(actual, 10.0)
            comment = ""
            if rng.random() < 0.06:
                actual, comment = None, "Not yet reported by the partner"
            elif actual is not None and actual < target and rng.random() < 0.2:
                comment = str(rng.choice(_BEHIND_COMMENTS))
            elif actual is not None and actual >= target and target and rng.random() < 0.1:
                comment = str(rng.choice(_AHEAD_COMMENTS))
            female = ""
            if code in _PEOPLE_INDICATORS and actual is not None:
                female = f"{float(rng.uniform(25, 45)):.1f}"
            rows.append(
                {
                    "level": item["level"],
                    "indicator": code,
                    "period_end": day,
                    "target": f"{target:.{decimals}f}",
                    "actual": "" if actual is None else f"{actual:.{decimals}f}",
                    "female_share": female,
                    "comment": comment,
                }
            )
    return rows


_BEHIND_COMMENTS = (
    "Behind schedule: partner reorganisation",
    "Delayed by late signature of the MoU",
    "Recruitment of trainers slower than planned",
    "Budget cuts at the partner institution",
    "Catching up in the next reporting period",
)
_AHEAD_COMMENTS = ("Target exceeded", "On track", "Achieved ahead of schedule")


def _nice(value: float, step: int) -> int:
    return max(step, round(value / step) * step)


def make_targets(seed: int, enterprises: list[Enterprise]) -> list[dict[str, object]]:
    rng = seeded_rng(seed, "targets")
    rows: list[dict[str, object]] = []
    keys = sorted({(e.iso3, e.phase) for e in enterprises})
    for iso3, phase in keys:
        group = [e for e in enterprises if e.iso3 == iso3 and e.phase == phase]
        actual = {
            "enterprises": (len(group), 5),
            "people_trained": (sum(sum(e.team) for e in group), 50),
            "workers_reached": (sum(e.workers for e in group), 500),
        }
        for metric, (value, step) in sorted(actual.items()):
            target = _nice(value * float(rng.uniform(0.85, 1.2)), step)
            rows.append({"country": iso3, "phase": phase, "metric": metric, "target": target})
    return rows


def make_funding(enterprises: list[Enterprise]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for iso3, phase in sorted({(e.iso3, e.phase) for e in enterprises}):
        start, end = PHASE_DATES[phase]
        start = max(start, LATE_STARTERS.get(iso3, start))
        for donor in sorted(DONORS[phase]):
            rows.append({"country": iso3, "phase": phase, "donor": donor, "start_date": start, "end_date": end})
    return rows
