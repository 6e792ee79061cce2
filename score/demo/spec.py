"""The demo programme's shape: phases and cohorts, the published figures it is calibrated to, the countries.

The countries (cities, sector and partner mixes, enterprise counts per cohort, name style) are read from
countries.json beside this module, the sectors' typical shares from sectors.csv; the numbers here are the
calibration targets, each with the published figure it comes from.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from score import config

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2020, 12, 31)  # the demo "today": no date in the demo set is later than this
DEFAULT_SEED = 2013
COAST_MARGIN_DEG = 0.02  # points stay this far inside the (coarse, 1:110m) polygon, also after rounding

# ---------------------------------------------------------------------------------------------------
# Programme shape
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """Enterprises of one phase joining in one window; `until` is the last possible classroom date."""

    key: str
    phase: str
    join_from: dt.date
    join_to: dt.date
    until: dt.date


COHORTS: tuple[Cohort, ...] = (
    # SCORE Phase I ran 2009 to Sept 2013; joins stop in mid-2013 so the first module fits in the phase.
    Cohort("I", "I", dt.date(2009, 4, 1), dt.date(2013, 6, 30), dt.date(2013, 9, 30)),
    Cohort("II", "II", dt.date(2013, 10, 1), dt.date(2016, 12, 31), dt.date(2017, 12, 31)),
    Cohort("II-2017", "II", dt.date(2017, 1, 1), dt.date(2017, 9, 30), dt.date(2017, 12, 31)),
    Cohort("III", "III", dt.date(2018, 2, 1), dt.date(2020, 6, 30), AS_OF),
)
PHASE_DATES = {
    "I": (dt.date(2009, 1, 1), dt.date(2013, 9, 30)),
    "II": (dt.date(2013, 10, 1), dt.date(2017, 12, 31)),
    "III": (dt.date(2018, 1, 1), dt.date(2020, 12, 31)),
}
LATE_STARTERS = {"BOL": dt.date(2014, 1, 1), "PER": dt.date(2014, 1, 1)}  # join SCORE in Phase II, from 2014
DONORS: dict[str, tuple[str, ...]] = {
    "I": ("Switzerland (SECO)", "Norway (Norad)", "ILO"),
    "II": ("Switzerland (SECO)", "Norway (Norad)", "ILO"),
}
DONORS["III"] = ("Switzerland (SECO)", "ILO")

# Workforce at joining (sum of women and men), scaled to exact totals: 54,000 for Phase I (published),
# and 240,000 cumulative by end 2016 (published), i.e. 186,000 for the Phase II cohort joined up to 2016.
WORKERS_TOTAL = {"I": 54_000, "II": 186_000}
WOMEN_SHARE = {"I": 0.40, "II": 0.41, "III": 0.42}  # of the workforce
PHASE_SIZE_FACTOR = {"I": 1.0, "II": 1.3, "III": 1.35}  # Phase II+ enterprises are somewhat larger
MIN_WORKERS = 10

# People trained (distinct estimate) per enterprise; Phase I: 315 x 8.25 = 2,599 (published: "more than 2,400").
PEOPLE_PER_ENTERPRISE = {"I": 8.25, "II": 8.0, "III": 8.1}
MANAGERS_SHARE = 0.51  # published (2016): 51% managers, 49% workers, 30% women
TRAINEE_WOMEN_SHARE = 0.30
SATISFACTION_PRESENT = 0.80

BASELINE_SHARE = 0.95  # enterprises with a baseline
FOLLOW_UP_SHARE = 0.85  # of those whose follow-up date falls before AS_OF
# Relative change of summed follow-up vs summed baseline (published for Phase I: accidents -16%, absenteeism -3.6%).
CHANGE_TARGETS = {
    "accidents": {"I": -0.16, "II": -0.19, "III": -0.17},
    "absenteeism": {"I": -0.036, "II": -0.045, "III": -0.04},
    "defect_rate": {"I": -0.25, "II": -0.27, "III": -0.24},
    "staff_turnover": {"I": -0.075, "II": -0.08, "III": -0.07},
    "energy_use": {"I": -0.07, "II": -0.08, "III": -0.075},
}
# decimals, lower bound, upper bound, spread (sigma of the log follow-up/baseline factor)
CHANGE_FORMAT = {
    "accidents": (0, 0, 40, 0.40),
    "absenteeism": (1, 2, 12, 0.12),
    "defect_rate": (1, 1, 15, 0.45),
    "staff_turnover": (1, 5, 40, 0.15),
    "energy_use": (0, 2_000, 300_000, 0.14),
}
# Share of enterprises (with both values) whose follow-up is better than the baseline: not all improve.
IMPROVING_SHARE = {
    "accidents": 0.60,
    "absenteeism": 0.62,
    "defect_rate": 0.70,
    "staff_turnover": 0.64,
    "energy_use": 0.66,
}
# Published Phase I: 75-80% adopted good practices, 70% better relations, 40-50% cost savings.
SHARE_TARGETS = {
    "good_practices_adopted": {"I": 0.775, "II": 0.80, "III": 0.78},
    "workplace_relations_improved": {"I": 0.70, "II": 0.72, "III": 0.70},
    "cost_savings_reported": {"I": 0.45, "II": 0.48, "III": 0.46},
}


def _sectors() -> dict[str, dict[str, str]]:
    with open(HERE / "sectors.csv", encoding="utf-8", newline="") as handle:
        return {row["sector"]: row for row in csv.DictReader(handle)}


# Per sector: the usual share of women in the workforce, accident risk (x the average), kWh per worker a month.
SECTOR_WOMEN = {code: float(row["women_share"]) for code, row in _sectors().items()}
SECTOR_ACCIDENT_RISK = {code: float(row["accident_risk"]) for code, row in _sectors().items()}
SECTOR_KWH_PER_WORKER = {code: int(row["kwh_per_worker_month"]) for code, row in _sectors().items()}
MODULE_FIRST_WC = 0.80  # most enterprises start with workplace cooperation
MODULE_WEIGHTS = {"WC": 0.30, "QM": 0.30, "OSH": 0.22, "CP": 0.12, "HR": 0.06}
MODULE_COUNT_WEIGHTS = (0.22, 0.30, 0.22, 0.15, 0.11)  # 1..5 modules


@dataclass(frozen=True)
class City:
    province: str
    name: str
    lat: float
    lon: float
    weight: float
    spread: float = 0.06  # degrees (sigma of the jitter around the centre)
    sectors: tuple[tuple[str, float], ...] = ()  # overrides the country's sector mix


@dataclass(frozen=True)
class CountrySpec:
    iso3: str
    cities: tuple[City, ...]
    sectors: tuple[tuple[str, float], ...]
    partners: tuple[tuple[str, float], ...]
    median_workers: float
    counts: dict[str, int] = field(default_factory=dict)  # cohort key -> enterprises
    style: str = "en"


def _pairs(items: list[list[object]]) -> tuple[tuple[str, float], ...]:
    return tuple((str(name), float(str(weight))) for name, weight in items)


def _country(item: dict) -> CountrySpec:
    cities = tuple(
        City(c["province"], c["name"], c["lat"], c["lon"], c["weight"], c["spread"], _pairs(c.get("sectors", [])))
        for c in item["cities"]
    )
    return CountrySpec(
        item["iso3"],
        cities,
        _pairs(item["sectors"]),
        _pairs(item["partners"]),
        item["median_workers"],
        {str(k): int(v) for k, v in item["counts"].items()},
        item["style"],
    )


with open(HERE / "countries.json", encoding="utf-8") as _handle:
    COUNTRIES: tuple[CountrySpec, ...] = tuple(_country(item) for item in json.load(_handle))


def reference_file(reference_dir: Path, name: str) -> Path:
    """Inputs come from reference_dir when it has them, else from the repository's reference data."""
    path = reference_dir / name
    return path if path.exists() else config.REFERENCE_DIR / name


def read_reference(reference_dir: Path, name: str) -> list[dict[str, str]]:
    with open(reference_file(reference_dir, name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
