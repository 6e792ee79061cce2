"""The demo enterprises: where they are, when they join, their names, workforce and the teams they train."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from score.demo.draws import adjust_to_sum, probabilities, seeded_rng, weighted_choice
from score.demo.spec import (
    COAST_MARGIN_DEG,
    COHORTS,
    COUNTRIES,
    HERE,
    LATE_STARTERS,
    MANAGERS_SHARE,
    MIN_WORKERS,
    PEOPLE_PER_ENTERPRISE,
    PHASE_SIZE_FACTOR,
    SECTOR_WOMEN,
    TRAINEE_WOMEN_SHARE,
    WOMEN_SHARE,
    WORKERS_TOTAL,
    City,
    Cohort,
    reference_file,
)


@dataclass
class Enterprise:
    iso3: str
    cohort: Cohort
    seq: int
    joined_on: dt.date
    city: City
    sector: str
    partner: str
    latitude: float
    longitude: float
    raw_size: float
    enterprise_id: str = ""
    name: str = ""
    workers_female: int = 0
    workers_male: int = 0
    team: tuple[int, int, int, int] = (0, 0, 0, 0)  # managers f/m, workers f/m trained (distinct)

    @property
    def phase(self) -> str:
        return self.cohort.phase

    @property
    def workers(self) -> int:
        return self.workers_female + self.workers_male


with open(HERE / "names.json", encoding="utf-8") as _handle:
    _NAMES: dict[str, dict[str, Any]] = json.load(_handle)  # per style family: sector words, names, legal suffix


def enterprise_name(rng: np.random.Generator, style: str, sector: str, city: str) -> str:
    """A synthetic name in the country's style (an existing company of the same name would be a coincidence)."""

    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(len(options)))]

    words = _NAMES.get(style.split("-")[0], {})
    if style.startswith("es"):
        return f"{pick(words['sector_words'][sector])} {pick(words['names'])} {words['suffix'][style]}"
    if style.startswith("en"):
        return f"{pick(words['names'][style])} {pick(words['sector_words'][sector])} {words['suffix'][style]}"
    if style == "id":
        return f"{pick(words['names'])} {pick(words['sector_words'][sector])}"
    if style == "vi":
        return f"{pick(words['sector_words'][sector])} {pick(words['names'])}"
    if style == "zh":
        return f"{city} {pick(words['names'])} {pick(words['sector_words'][sector])} Co., Ltd."
    raise ValueError(f"unknown name style {style!r}")


def load_polygons(reference_dir: Path) -> dict[str, BaseGeometry]:
    with open(reference_file(reference_dir, "countries.geojson"), encoding="utf-8") as handle:
        collection = json.load(handle)
    wanted = {spec.iso3 for spec in COUNTRIES}
    polygons = {
        f["properties"]["iso3"]: shape(f["geometry"])
        for f in collection["features"]
        if f["properties"].get("iso3") in wanted
    }
    missing = wanted - set(polygons)
    if missing:
        raise ValueError(f"countries.geojson lacks polygons for {sorted(missing)}")
    return polygons


def _place(rng: np.random.Generator, city: City, polygon: BaseGeometry) -> tuple[float, float]:
    """A point near the city, inside the country by at least COAST_MARGIN_DEG (rejection sampling)."""
    boundary = polygon.boundary
    for _ in range(10_000):
        lat = round(city.lat + float(rng.normal(0, city.spread)), 4)
        lon = round(city.lon + float(rng.normal(0, city.spread / math.cos(math.radians(city.lat)))), 4)
        point = Point(lon, lat)
        if polygon.contains(point) and boundary.distance(point) >= COAST_MARGIN_DEG:
            return lat, lon
    raise RuntimeError(f"could not place an enterprise near {city.name}")


def _raw_size(rng: np.random.Generator, median: float) -> float:
    """Workforce before scaling: log-normal, redrawn (not clipped, which would pile up values) outside SME range."""
    while True:
        size = median * float(rng.lognormal(0.0, 0.7))
        if 15 <= size <= 1_000:
            return size


def _join_dates(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    """Join dates ramping up over the window (few pilots first, more enterprises as the programme grows)."""
    span = (end - start).days
    offsets = np.floor(span * rng.random(n) ** 0.8).astype(int)
    return [start + dt.timedelta(days=int(d)) for d in offsets]


def make_enterprises(seed: int, polygons: dict[str, BaseGeometry]) -> list[Enterprise]:
    enterprises: list[Enterprise] = []
    for spec in COUNTRIES:
        rows: list[Enterprise] = []
        for cohort in COHORTS:
            n = spec.counts.get(cohort.key, 0)
            if not n:
                continue
            rng = seeded_rng(seed, "enterprises", spec.iso3, cohort.key)
            start = max(cohort.join_from, LATE_STARTERS.get(spec.iso3, cohort.join_from))
            dates = _join_dates(rng, start, cohort.join_to, n)
            for k in range(n):
                city = spec.cities[int(rng.choice(len(spec.cities), p=probabilities([c.weight for c in spec.cities])))]
                sector = weighted_choice(rng, city.sectors or spec.sectors)
                partner = weighted_choice(rng, spec.partners)
                lat, lon = _place(rng, city, polygons[spec.iso3])
                size = _raw_size(rng, spec.median_workers * PHASE_SIZE_FACTOR[cohort.phase])
                rows.append(
                    Enterprise(
                        spec.iso3,
                        cohort,
                        len(rows),
                        dates[k],
                        city,
                        sector,
                        partner,
                        lat,
                        lon,
                        size,
                    )
                )
        rows.sort(key=lambda e: (e.joined_on, e.seq))
        names_rng = seeded_rng(seed, "names", spec.iso3)
        used: set[str] = set()
        for number, enterprise in enumerate(rows, start=1):
            enterprise.enterprise_id = f"{spec.iso3}-{number:04d}"
            for _ in range(50):
                name = enterprise_name(names_rng, spec.style, enterprise.sector, enterprise.city.name)
                if name not in used:
                    break
            else:
                name = f"{name} ({enterprise.city.name} {number})"
            used.add(name)
            enterprise.name = name
        enterprises.extend(rows)
    return enterprises


def _scale_to_total(raw: np.ndarray, total: int, minimum: int) -> np.ndarray:
    """Integers >= minimum proportional to raw (above the minimum) that add up to exactly total."""
    above = raw - minimum
    exact = minimum + above * (total - minimum * raw.size) / above.sum()
    result = np.floor(exact).astype(np.int64)
    remainder = int(total - result.sum())
    order = np.argsort(-(exact - result), kind="stable")
    result[order[:remainder]] += 1
    return result


def _split_women(rng: np.random.Generator, totals: np.ndarray, sectors: Sequence[str], target: float) -> np.ndarray:
    """Women per enterprise from the sector's typical share, shifted (bisection) so the total share is on target."""
    base = np.array([SECTOR_WOMEN[s] for s in sectors])
    logits = np.log(base / (1 - base)) + rng.normal(0, 0.5, base.size)

    def women(shift: float) -> np.ndarray:
        return np.rint(totals / (1 + np.exp(-(logits + shift)))).astype(np.int64)

    low, high = -4.0, 4.0
    for _ in range(60):
        middle = (low + high) / 2
        if women(middle).sum() < target * totals.sum():
            low = middle
        else:
            high = middle
    return women(high)


def assign_workforce(seed: int, enterprises: list[Enterprise]) -> None:
    scale_ii = 1.0
    for key in ("I", "II", "II-2017", "III"):  # "II" before "II-2017": the later cohort reuses its scale
        group = [e for e in enterprises if e.cohort.key == key]
        raw = np.array([e.raw_size for e in group])
        if key in WORKERS_TOTAL:
            totals = _scale_to_total(raw, WORKERS_TOTAL[key], MIN_WORKERS)
            if key == "II":
                scale_ii = (totals.sum() - MIN_WORKERS * raw.size) / (raw - MIN_WORKERS).sum()
        else:
            totals = np.rint(MIN_WORKERS + (raw - MIN_WORKERS) * scale_ii).astype(np.int64)
        phase = group[0].phase
        women = _split_women(seeded_rng(seed, "women", key), totals, [e.sector for e in group], WOMEN_SHARE[phase])
        for enterprise, total, female in zip(group, totals, women, strict=True):
            enterprise.workers_female = int(female)
            enterprise.workers_male = int(total - female)


def assign_teams(seed: int, group: list[Enterprise], phase: str) -> None:
    """Distinct people trained per enterprise (managers f/m, workers f/m) with exact phase totals."""
    rng = seeded_rng(seed, "teams", phase)
    n = len(group)
    total = round(n * PEOPLE_PER_ENTERPRISE[phase])
    managers_total = round(total * MANAGERS_SHARE)
    size_rank = np.argsort(np.argsort([e.workers for e in group], kind="stable"), kind="stable") / max(n - 1, 1)
    managers = 2 + rng.binomial(4, 0.35 + 0.3 * size_rank)
    workers = 2 + rng.binomial(4, 0.3 + 0.3 * size_rank)
    low, high = np.full(n, 2), np.full(n, 6)
    adjust_to_sum(rng, managers, managers_total, low, high)
    adjust_to_sum(rng, workers, total - managers_total, low, high)

    share = np.array([e.workers_female / max(e.workers, 1) for e in group])
    women_managers = rng.binomial(managers, np.clip(0.6 * share, 0.02, 0.9))
    women_workers = rng.binomial(workers, np.clip(0.85 * share, 0.02, 0.95))
    women_target = round(total * TRAINEE_WOMEN_SHARE)
    diff = women_target - int(women_managers.sum() + women_workers.sum())
    while diff:  # swap one trainee's sex, preferring enterprises whose workforce has many women (or few)
        step = 1 if diff > 0 else -1
        roles = [(women_managers, managers), (women_workers, workers)]
        if rng.random() < 0.5:
            roles.reverse()
        for women, people in roles:
            eligible = np.flatnonzero(women < people) if step > 0 else np.flatnonzero(women > 0)
            if eligible.size:
                break
        else:
            raise ValueError("trainee women target out of reach")
        weights = share[eligible] + 0.05 if step > 0 else 1.05 - share[eligible]
        women[eligible[int(rng.choice(eligible.size, p=weights / weights.sum()))]] += step
        diff -= step
    for k, enterprise in enumerate(group):
        enterprise.team = (
            int(women_managers[k]),
            int(managers[k] - women_managers[k]),
            int(women_workers[k]),
            int(workers[k] - women_workers[k]),
        )
