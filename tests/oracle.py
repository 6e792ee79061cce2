"""Independent counts straight from the raw country CSV files.

Deliberately shares no code with the package (only the csv module): if the SQL and this file agree,
the numbers on the dashboard are what the files say.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path


def read(folder: Path, table: str) -> list[dict[str, str]]:
    path = folder / f"{table}.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


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

    def enterprise_ids(
        self, countries=None, sectors=None, phases=None, partners=None, modules=None, year_from=0, year_to=9999
    ) -> set[str]:
        with_module = None
        if modules:
            with_module = {t["enterprise_id"] for t in self.training if t["module"] in modules}
        ids = set()
        for e in self.enterprises:
            year = int(e["joined_on"][:4])
            if countries is not None and e["country"] not in countries:
                continue
            if sectors and e["sector"] not in sectors:
                continue
            if phases and e["phase"] not in phases:
                continue
            if partners and e["partner"] not in partners:
                continue
            if not year_from <= year <= year_to:
                continue
            if with_module is not None and e["enterprise_id"] not in with_module:
                continue
            ids.add(e["enterprise_id"])
        return ids

    def kpis(self, modules=None, **filters) -> dict[str, float]:
        ids = self.enterprise_ids(modules=modules, **filters)
        ents = [e for e in self.enterprises if e["enterprise_id"] in ids]
        rows = [t for t in self.training if t["enterprise_id"] in ids and (not modules or t["module"] in modules)]
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
        base, follow = {}, {}
        for r in self.indicators:
            if r["enterprise_id"] in ids and r["indicator"] == indicator:
                (base if r["period"] == "baseline" else follow)[r["enterprise_id"]] = float(r["value"])
        both = [k for k in base if k in follow]
        b = sum(base[k] for k in both)
        f = sum(follow[k] for k in both)
        return {
            "n": len(both),
            "change_pct": 100.0 * (f / b - 1) if b else float("nan"),
            "without_follow_up": len([k for k in base if k not in follow]),
        }
