"""Independent counts straight from the raw country CSV files.

Deliberately shares no code with the package (only the csv module): if the SQL and this file agree,
the numbers on the dashboard are what the files say.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def read(folder: Path, table: str) -> list[dict[str, str]]:
    path = folder / f"{table}.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


class _RowIndex:
    """Row numbers of the enterprise rows by each filtered column's value (the joining year as a number), of the
    training rows by module, and both lists' rows by enterprise id."""

    def __init__(self, enterprises: list[dict[str, str]], training: list[dict[str, str]]):
        self.ids = [e["enterprise_id"] for e in enterprises]
        self.by_value: dict[str, dict[Any, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.enterprises_of: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row, e in enumerate(enterprises):
            for column in ("country", "province", "sector", "phase", "partner"):
                self.by_value[column][e.get(column)].add(row)
            self.by_value["year"][int(e["joined_on"][:4])].add(row)
            self.enterprises_of[e["enterprise_id"]].append(e)
        self.training_of: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.by_module: dict[str, set[int]] = defaultdict(set)
        for row, t in enumerate(training):
            self.training_of[t["enterprise_id"]].append(t)
            self.by_module[t["module"]].add(row)

    def rows_where(self, column: str, keep: Callable[[Any], bool]) -> set[int]:
        """The enterprise rows whose value in `column` passes `keep` (asked once per distinct value)."""
        return set().union(*(rows for value, rows in self.by_value[column].items() if keep(value)))

    def training_where(self, modules) -> set[int]:
        return set().union(*(rows for module, rows in self.by_module.items() if module in modules))


class RawData:
    def __init__(self, countries_root: Path):
        self.enterprises: list[dict[str, str]] = []
        self.training: list[dict[str, str]] = []
        self.indicators: list[dict[str, str]] = []
        self.logframe: list[dict[str, str]] = []
        for folder in sorted(p for p in countries_root.iterdir() if p.is_dir() and len(p.name) == 3):
            for row in read(folder, "enterprises"):
                self.enterprises.append({**row, "country": folder.name})
            for row in read(folder, "training"):
                self.training.append({**row, "country": folder.name})
            for row in read(folder, "indicators"):
                self.indicators.append({**row, "country": folder.name})
            for row in read(folder, "logframe"):
                self.logframe.append({**row, "country": folder.name})

    def _index(self) -> _RowIndex:
        """The rows by the values they are filtered on, made on first use (and again if a list grew): a filter is
        then a few set operations, not a pass over every row; the disclosure tests ask thousands of cells."""
        sizes = (len(self.enterprises), len(self.training))
        if getattr(self, "_made_for", None) != sizes:
            self._row_index, self._made_for = _RowIndex(self.enterprises, self.training), sizes
        return self._row_index

    def enterprise_ids(
        self,
        countries=None,
        sectors=None,
        phases=None,
        partners=None,
        modules=None,
        year_from=0,
        year_to=9999,
        provinces=None,
    ) -> set[str]:
        """Ids of the enterprises with a row passing every filter (None or empty: no filter, but for countries,
        where only None is none); `modules`: having a training row of one of them."""
        index = self._index()

        def joined_within(year: int) -> bool:
            return year_from <= year <= year_to

        rows = index.rows_where("year", joined_within)
        for column, wanted in (("country", countries), ("province", provinces), ("sector", sectors),
                               ("phase", phases), ("partner", partners)):  # fmt: skip
            if wanted or (column == "country" and wanted is not None):
                rows &= index.rows_where(column, wanted.__contains__)
        ids = {index.ids[row] for row in rows}
        if modules:
            ids &= {self.training[row]["enterprise_id"] for row in index.training_where(modules)}
        return ids

    def kpis(self, modules=None, **filters) -> dict[str, float]:
        ids = self.enterprise_ids(modules=modules, **filters)
        index = self._index()
        ents = [e for i in ids for e in index.enterprises_of.get(i, ())]
        rows = [t for i in ids for t in index.training_of.get(i, ()) if not modules or t["module"] in modules]
        groups = ("managers_female", "managers_male", "workers_female", "workers_male")
        largest: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(groups, 0))
        for t in rows:
            for g in groups:
                largest[t["enterprise_id"]][g] = max(largest[t["enterprise_id"]][g], int(t[g]))
        people = {g: sum(v[g] for v in largest.values()) for g in groups}
        return {
            "enterprises": len(ents),
            "workers_female": sum(int(e["workers_female"]) for e in ents),
            "workers_male": sum(int(e["workers_male"]) for e in ents),
            "workers_reached": sum(int(e["workers_female"]) + int(e["workers_male"]) for e in ents),
            "participations": sum(int(t[g]) for t in rows for g in groups),
            "people_trained": sum(people.values()),
            "people_trained_female": people["managers_female"] + people["workers_female"],
            "people_trained_male": people["managers_male"] + people["workers_male"],
            "managers_trained": people["managers_female"] + people["managers_male"],
            "module_completions": len(rows),
            "consultation_visits": sum(int(t["consultation_visits"]) for t in rows),
        }

    def share(self, indicator: str, **filters) -> tuple[int, float]:
        """(n, % with 1) at follow-up for a yes/no indicator."""
        ids = self.enterprise_ids(**filters)
        values = [
            float(r["value"])
            for r in self.indicators
            if r["enterprise_id"] in ids and r["indicator"] == indicator and r["period"] == "follow_up"
        ]
        return len(values), (100.0 * sum(values) / len(values) if values else float("nan"))

    def change(self, indicator: str, **filters) -> dict[str, float]:
        """Relative change of summed follow-up vs summed baseline over enterprises having both."""
        ids = self.enterprise_ids(**filters)
        base: dict[str, float] = {}
        follow: dict[str, float] = {}
        for r in self.indicators:
            if r["enterprise_id"] in ids and r["indicator"] == indicator:
                (base if r["period"] == "baseline" else follow)[r["enterprise_id"]] = float(r["value"])
        both = [k for k in base if k in follow]
        b = sum(base[k] for k in both)
        f = sum(follow[k] for k in both)
        lower = reference_rows("indicators")[indicator]["direction"] == "lower"
        improved = [k for k in both if (follow[k] < base[k] if lower else follow[k] > base[k])]
        nan = float("nan")
        return {
            "n": len(both),
            "change_pct": 100.0 * (f / b - 1) if b else nan,
            "without_follow_up": len([k for k in base if k not in follow]),
            "baseline_sum": b,
            "follow_up_sum": f,
            "baseline_mean": b / len(both) if both else nan,
            "follow_up_mean": f / len(both) if both else nan,
            "improved_pct": 100.0 * len(improved) / len(both) if both else nan,
            "median_change": median([follow[k] - base[k] for k in both]),
            "median_change_pct": median([100.0 * (follow[k] - base[k]) / base[k] for k in both if base[k]]),
        }

    # ---- the pages' breakdowns (queries enterprises_by_*, training_by_*, people_trained_by_role_sex ...)

    def _enterprises(self, **filters) -> list[dict[str, str]]:
        ids = self.enterprise_ids(**filters)
        return [e for e in self.enterprises if e["enterprise_id"] in ids]

    def _training(self, modules=None, **filters) -> list[dict[str, str]]:
        ids = self.enterprise_ids(modules=modules, **filters)
        return [t for t in self.training if t["enterprise_id"] in ids and (not modules or t["module"] in modules)]

    def enterprises_by(self, key, **filters) -> dict[Any, dict[str, int]]:
        """Per value of `key` (a column name, or a function of the enterprise row): enterprises and workers."""
        out: dict[Any, dict[str, int]] = {}
        for e in self._enterprises(**filters):
            group = key(e) if callable(key) else e[key]
            cell = out.setdefault(group, {"enterprises": 0, "workers_female": 0, "workers_male": 0})
            cell["enterprises"] += 1
            cell["workers_female"] += int(e["workers_female"])
            cell["workers_male"] += int(e["workers_male"])
        for cell in out.values():
            cell["workers_reached"] = cell["workers_female"] + cell["workers_male"]
        return out

    def quality_flags(self, modules=None, **filters) -> dict[str, dict[str, int]]:
        """Per data quality check (the Data quality page, queries/dq_*.sql but the outliers): rows flagged per
        country. No training: enterprises without a training row; no follow-up: deliveries whose enterprise has
        no follow_up value; missing sex: enterprises whose female and male workers are both 0, and deliveries
        with 0 in all four participant groups."""
        trained = {t["enterprise_id"] for t in self.training}
        followed = {v["enterprise_id"] for v in self.indicators if v["period"] == "follow_up"}
        enterprises, training = self._enterprises(modules=modules, **filters), self._training(modules, **filters)
        groups = ("managers_female", "managers_male", "workers_female", "workers_male")
        flagged = {
            "dq_no_training": [e["country"] for e in enterprises if e["enterprise_id"] not in trained],
            "dq_no_follow_up": [t["country"] for t in training if t["enterprise_id"] not in followed],
            "dq_missing_sex": [
                *(e["country"] for e in enterprises if int(e["workers_female"]) + int(e["workers_male"]) == 0),
                *(t["country"] for t in training if sum(int(t[g] or 0) for g in groups) == 0),
            ],
        }
        return {check: dict(Counter(countries)) for check, countries in flagged.items()}

    @staticmethod
    def size_class(e: dict[str, str]) -> str:
        workers = int(e["workers_female"]) + int(e["workers_male"])
        return "micro" if workers < 10 else "small" if workers < 50 else "medium" if workers < 250 else "large"

    def people_by_role_sex(self, **filters) -> dict[tuple[str, str], dict[str, int]]:
        """(role, sex) -> people trained (largest group per enterprise across its modules) and participations."""
        rows = self._training(**filters)
        largest: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        out = {}
        for role in ("managers", "workers"):
            for sex in ("female", "male"):
                column = f"{role}_{sex}"
                for t in rows:
                    largest[t["enterprise_id"]][column] = max(largest[t["enterprise_id"]][column], int(t[column]))
                out[(role, sex)] = {
                    "people_trained": sum(v[column] for v in largest.values()),
                    "participations": sum(int(t[column]) for t in rows),
                }
        return out

    def training_by_year(self, **filters) -> dict[int, dict[str, int]]:
        """Per classroom year: enterprises, deliveries, participations and people first counted that year
        (walking each enterprise's deliveries by date then module, the rise of the largest group so far)."""
        groups = ("managers_female", "managers_male", "workers_female", "workers_male")
        rows = sorted(self._training(**filters), key=lambda t: (t["enterprise_id"], t["classroom_date"], t["module"]))
        out: dict[int, dict] = {}
        so_far: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(groups, 0))
        for t in rows:
            year = int(t["classroom_date"][:4])
            cell = out.setdefault(year, {"ids": set(), "deliveries": 0, "participations": 0, "people_trained": 0})
            cell["ids"].add(t["enterprise_id"])
            cell["deliveries"] += 1
            cell["participations"] += sum(int(t[g]) for g in groups)
            for g in groups:
                rise = max(0, int(t[g]) - so_far[t["enterprise_id"]][g])
                so_far[t["enterprise_id"]][g] += rise
                cell["people_trained"] += rise
        for cell in out.values():
            cell["n_enterprises"] = len(cell.pop("ids"))
        return out

    def by_module(self, **filters) -> dict[str, dict[str, float]]:
        groups = ("managers_female", "managers_male", "workers_female", "workers_male")
        joined = {e["enterprise_id"]: e["joined_on"] for e in self.enterprises}
        out: dict[str, dict[str, float]] = {}
        for module in reference_rows("modules"):
            rows = [t for t in self._training(**filters) if t["module"] == module]
            satisfaction = [float(t["satisfaction_pct"]) for t in rows if t.get("satisfaction_pct", "") != ""]
            days = [days_between(joined[t["enterprise_id"]], t["classroom_date"]) for t in rows]
            out[module] = {
                "deliveries": len(rows),
                "participations": sum(int(t[g]) for t in rows for g in groups),
                "consultation_visits": sum(int(t["consultation_visits"]) for t in rows),
                "visits_per_delivery": (
                    sum(int(t["consultation_visits"]) for t in rows) / len(rows) if rows else float("nan")
                ),
                "satisfaction_mean": sum(satisfaction) / len(satisfaction) if satisfaction else float("nan"),
                "n_satisfaction": len(satisfaction),
                "median_days_to_classroom": median(days),
            }
        return out

    def deliveries_by_country_module(self, **filters) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = defaultdict(int)
        for t in self._training(**filters):
            out[(t["country"], t["module"])] += 1
        return dict(out)

    def modules_per_enterprise(self, modules=None, **filters) -> dict[int, int]:
        """Number of modules taken (of the chosen ones) -> enterprises."""
        ids = self.enterprise_ids(modules=modules, **filters)
        taken = dict.fromkeys(ids, 0)
        for t in self.training:
            if t["enterprise_id"] in taken and (not modules or t["module"] in modules):
                taken[t["enterprise_id"]] += 1
        out: dict[int, int] = defaultdict(int)
        for n in taken.values():
            out[n] += 1
        return dict(out)

    @staticmethod
    def targets(countries=None, phases=None) -> dict[str, float]:
        """metric -> target summed over the countries and phases (data/reference/targets.csv)."""
        out: dict[str, float] = defaultdict(float)
        with open(REFERENCE / "targets.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if (countries is None or row["country"] in countries) and (not phases or row["phase"] in phases):
                    out[row["metric"]] += float(row["target"])
        return dict(out)

    # ---- per country (Map, Country profile) and logframe (Logframe page): still csv-only

    def countries(self) -> list[str]:
        return sorted({e["country"] for e in self.enterprises} | {r["country"] for r in self.logframe})

    def per_country(self, countries=None, **filters) -> dict[str, dict[str, float]]:
        """kpis() for each country in `countries` (default: every country with data); 0s where nothing matches."""
        chosen = self.countries() if countries is None else sorted(countries)
        return {c: self.kpis(countries={c}, **filters) for c in chosen}

    def public_count_slack(self, country: str, sector: str) -> float:
        """How far a public count of one country x sector x phase group of 5 or more may be from its true count
        (README "Small numbers"): the cell-key noise (at most 2) plus what the country's small groups (1-4
        enterprises) give back to the larger ones. Each small group counts as a secret value in [0.5, 4.5], so it
        moves at most 3.5 (4.5 - 1 or 4 - 0.5); the difference goes to the larger groups of its own sector, or of
        the country where its sector has none. Written from that rule, not from score.disclosure."""
        sizes = self.enterprises_by(lambda e: (e["sector"], e["phase"]), countries={country})
        has_large = {s for (s, _p), cell in sizes.items() if cell["enterprises"] >= 5}
        small = [s for (s, _p), cell in sizes.items() if cell["enterprises"] < 5]
        moved = sum(1 for s in small if s == sector or s not in has_large)
        return 2 + 3.5 * moved

    def located(self, **filters) -> set[str]:
        """Ids of the matching enterprises that have both coordinates (the map's points)."""
        ids = self.enterprise_ids(**filters)
        return {
            e["enterprise_id"]
            for e in self.enterprises
            if e["enterprise_id"] in ids and e["latitude"].strip() and e["longitude"].strip()
        }

    def improving(self, indicator: str, country: str, **filters) -> tuple[int, int]:
        """(n, n improving) in one country: for a yes/no indicator the follow-up answers and the yeses; for a
        change indicator the enterprises with baseline and follow-up and those whose follow-up is better."""
        counted, better = self.improving_ids(indicator, country, **filters)
        return len(counted), len(better)

    def improving_ids(self, indicator: str, country: str, **filters) -> tuple[list[str], list[str]]:
        """The enterprises of `improving`: those counted in n, and those improving."""
        filters = {**filters, "countries": {country} & (filters.get("countries") or {country})}
        meta = reference_rows("indicators")[indicator]
        ids = self.enterprise_ids(**filters)
        base: dict[str, float] = {}
        follow: dict[str, float] = {}
        for r in self.indicators:
            if r["enterprise_id"] in ids and r["indicator"] == indicator:
                (base if r["period"] == "baseline" else follow)[r["enterprise_id"]] = float(r["value"])
        if meta["kind"] == "share":
            return list(follow), [k for k, v in follow.items() if v == 1]
        both = [k for k in base if k in follow]
        lower = meta["direction"] == "lower"
        better = [k for k in both if (follow[k] < base[k] if lower else follow[k] > base[k])]
        return both, better

    def logframe_rows(self, countries=None, period_end: str | None = None) -> list[dict[str, Any]]:
        """Every logframe indicator for each country that reported at `period_end` (default: each country's
        latest date), with target, actual and the status by the documented rule (see logframe_status)."""
        indicators = reference_rows("logframe_indicators")
        out = []
        for country in sorted({r["country"] for r in self.logframe}):
            if countries is not None and country not in countries:
                continue
            mine = [r for r in self.logframe if r["country"] == country]
            dates = sorted({r["period_end"] for r in mine})
            date = dates[-1] if period_end is None else period_end
            if date not in dates:
                continue
            for code, meta in indicators.items():
                row = next((r for r in mine if r["period_end"] == date and r["indicator"] == code), None)
                target = _number(row["target"]) if row else None
                actual = _number(row["actual"]) if row else None
                out.append(
                    {
                        "country": country,
                        "indicator": code,
                        "period_end": date,
                        "target": target,
                        "actual": actual,
                        "status": logframe_status(actual, target, meta["direction"]),
                    }
                )
        return out


REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"


def reference_rows(name: str) -> dict[str, dict[str, str]]:
    """code -> row of a reference file (indicators, modules ...), in file order."""
    with open(REFERENCE / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def median(values: Sequence[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def days_between(first: str, second: str) -> int:
    """Days from one ISO date to another, by the proleptic Gregorian day count (no datetime module needed)."""

    def ordinal(text: str) -> int:
        y, m, d = (int(part) for part in text[:10].split("-"))
        m, y = (m + 9) % 12, y - (m <= 2)
        return 365 * y + y // 4 - y // 100 + y // 400 + (m * 306 + 5) // 10 + d - 1

    return ordinal(second) - ordinal(first)


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def logframe_status(actual: float | None, target: float | None, direction: str = "higher") -> str:
    """The rule written under the logframe tables, restated independently: achieved when the actual reaches
    the target (<= where lower is better), on track at 80 % of the way or more, behind below, no data without
    an actual or a target."""
    if actual is None or target is None:
        return "no_data"
    if (actual <= target) if direction == "lower" else (actual >= target):
        return "achieved"
    if direction == "lower":
        share = 100.0 * target / actual if actual > 0 else 0.0
    else:
        share = 100.0 * actual / target if target > 0 else 0.0
    return "on_track" if share >= 80 else "behind"
