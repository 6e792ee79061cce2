"""The demo generator: deterministic, calibrated to SCORE's published figures, valid against the contract.

The calibration figures are recomputed here with the csv module only (no pandas, no project code), from
the files on disk, so they are independent of both the generator and the dashboard's SQL.
Published Phase I (2009 to Sept 2013): 300+ SMEs, ~54,000 workers, 2,400+ people in joint classroom
training, 75-80% adopted good practices, 70% better workplace relations, 40-50% cost savings,
16% fewer accidents, 3.6% less absenteeism. By December 2016: 1,000+ SMEs, 240,000 workers.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COUNTRIES_DIR = REPO / "data" / "countries"
REFERENCE_DIR = REPO / "data" / "reference"
DEMO_COUNTRIES = ("BOL", "CHN", "COL", "GHA", "IDN", "IND", "PER", "VNM", "ZAF")
PHASE_ONE_COUNTRIES = {"CHN", "COL", "GHA", "IDN", "IND", "VNM", "ZAF"}
PHASE_ONE = (dt.date(2009, 1, 1), dt.date(2013, 9, 30))
AS_OF = dt.date(2020, 12, 31)
TABLE_FILES = ("enterprises.csv", "training.csv", "indicators.csv", "logframe.csv")
GROUPS = ("managers_female", "managers_male", "workers_female", "workers_male")
CHANGE = ("accidents", "absenteeism", "defect_rate", "staff_turnover", "energy_use")
SHARES = ("good_practices_adopted", "workplace_relations_improved", "cost_savings_reported")
MARKER = "Synthetic demo data written by `python -m score demo` (seed {seed}). Not real enterprises.\n"


# --------------------------------------------------------------------------------------------------
# Independent reading and figures (csv module only)
# --------------------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def load(root: Path) -> dict[str, list[dict[str, str]]]:
    """All countries' rows per table, each row tagged with its country folder."""
    tables: dict[str, list[dict[str, str]]] = defaultdict(list)
    for iso3 in DEMO_COUNTRIES:
        for file_name in TABLE_FILES:
            for row in read_rows(root / iso3 / file_name):
                tables[file_name.removesuffix(".csv")].append({**row, "country": iso3})
    return tables


def figures(tables: dict[str, list[dict[str, str]]], joined_from: dt.date, joined_to: dt.date) -> dict[str, float]:
    """Headline figures for the enterprises that joined in [joined_from, joined_to]."""
    enterprises = {
        e["enterprise_id"]: e for e in tables["enterprises"] if joined_from <= day(e["joined_on"]) <= joined_to
    }
    out: dict[str, float] = {"smes": len(enterprises)}
    out["workers"] = sum(int(e["workers_female"]) + int(e["workers_male"]) for e in enterprises.values())
    out["workers_women_pct"] = 100 * sum(int(e["workers_female"]) for e in enterprises.values()) / out["workers"]

    largest: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GROUPS, 0))
    participations = 0
    for row in tables["training"]:
        if row["enterprise_id"] not in enterprises:
            continue
        for group in GROUPS:
            participations += int(row[group])
            largest[row["enterprise_id"]][group] = max(largest[row["enterprise_id"]][group], int(row[group]))
    people = {group: sum(g[group] for g in largest.values()) for group in GROUPS}
    out["people_trained"] = sum(people.values())
    out["participations"] = participations
    out["trained_managers_pct"] = 100 * (people["managers_female"] + people["managers_male"]) / out["people_trained"]
    out["trained_women_pct"] = 100 * (people["managers_female"] + people["workers_female"]) / out["people_trained"]

    values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for row in tables["indicators"]:
        if row["enterprise_id"] in enterprises:
            values[(row["indicator"], row["enterprise_id"])][row["period"]] = float(row["value"])
    for code in CHANGE:
        pairs = [v for (c, _), v in values.items() if c == code and "baseline" in v and "follow_up" in v]
        base = sum(v["baseline"] for v in pairs)
        follow = sum(v["follow_up"] for v in pairs)
        out[f"{code}_change_pct"] = 100 * (follow / base - 1)
        out[f"{code}_n"] = len(pairs)
        out[f"{code}_without_follow_up"] = sum(
            1 for (c, _), v in values.items() if c == code and "baseline" in v and "follow_up" not in v
        )
        out[f"{code}_improving_pct"] = 100 * sum(v["follow_up"] < v["baseline"] for v in pairs) / len(pairs)
    for code in SHARES:
        answers = [v["follow_up"] for (c, _), v in values.items() if c == code]
        out[f"{code}_pct"] = 100 * sum(answers) / len(answers)
        out[f"{code}_n"] = len(answers)
    with_baseline = {e for (c, e), v in values.items() if c in CHANGE and "baseline" in v}
    with_follow_up = {e for (c, e), v in values.items() if c in CHANGE and "follow_up" in v}
    out["baseline_pct"] = 100 * len(with_baseline) / len(enterprises)
    out["follow_up_of_baseline_pct"] = 100 * len(with_follow_up) / len(with_baseline)
    return out


# --------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    from score.demo import generate

    root = tmp_path_factory.mktemp("demo")
    written = generate(root / "countries", root / "reference", seed=2013)
    return root / "countries", root / "reference", written


@pytest.fixture(scope="module")
def other_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from score.demo import generate

    root = tmp_path_factory.mktemp("demo_seed_7")
    generate(root / "countries", root / "reference", seed=7)
    return root / "countries"


@pytest.fixture(scope="module")
def committed() -> dict[str, list[dict[str, str]]]:
    return load(COUNTRIES_DIR)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------------
# 1. Determinism: regeneration is byte-identical to the committed files
# --------------------------------------------------------------------------------------------------


def test_regeneration_is_byte_identical_to_committed_files(regenerated) -> None:
    countries, reference, written = regenerated
    for iso3 in DEMO_COUNTRIES:
        committed_files = sorted(p.name for p in (COUNTRIES_DIR / iso3).iterdir())
        new_files = sorted(p.name for p in (countries / iso3).iterdir())
        assert committed_files == new_files == sorted([*TABLE_FILES, "DEMO_DATA.txt"]), iso3
        for name in new_files:
            assert sha256(countries / iso3 / name) == sha256(COUNTRIES_DIR / iso3 / name), f"{iso3}/{name}"
    for name in ("targets.csv", "funding.csv"):
        assert sha256(reference / name) == sha256(REFERENCE_DIR / name), name
    assert written["enterprises"] == sum(len(read_rows(COUNTRIES_DIR / c / "enterprises.csv")) for c in DEMO_COUNTRIES)


def test_files_are_plain_utf8_with_unix_newlines_and_fixed_decimals(regenerated) -> None:
    countries, _, _ = regenerated
    for iso3 in DEMO_COUNTRIES:
        assert (countries / iso3 / "DEMO_DATA.txt").read_text(encoding="utf-8") == MARKER.format(seed=2013)
        for name in TABLE_FILES:
            data = (countries / iso3 / name).read_bytes()
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
            data.decode("utf-8")
            assert not re.search(rb"\d\.\d{5,}", data), f"float noise in {iso3}/{name}"  # e.g. 0.30000000000000004


def test_generation_replaces_stale_files_but_refuses_real_data(tmp_path: Path) -> None:
    from score.demo import generate

    stale = tmp_path / "countries" / "COL" / "enterprises.xlsx"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"real upload")
    with pytest.raises(FileExistsError):
        generate(tmp_path / "countries", tmp_path / "reference")
    assert stale.read_bytes() == b"real upload"
    assert not (tmp_path / "reference" / "targets.csv").exists()  # refused before writing anything

    (stale.parent / "DEMO_DATA.txt").write_text("demo", encoding="utf-8")  # a demo folder: it may be replaced
    generate(tmp_path / "countries", tmp_path / "reference", seed=5)
    assert not stale.exists()
    assert (stale.parent / "DEMO_DATA.txt").read_text(encoding="utf-8") == MARKER.format(seed=5)


# --------------------------------------------------------------------------------------------------
# 2. Phase I calibration (published figures), for the committed set and for another seed
# --------------------------------------------------------------------------------------------------


def check_phase_one(f: dict[str, float]) -> None:
    assert 300 <= f["smes"] <= 330
    assert 50_000 <= f["workers"] <= 58_000
    assert 35 <= f["workers_women_pct"] <= 45
    assert 2_400 <= f["people_trained"] <= 2_900
    assert f["participations"] > f["people_trained"]
    assert 49 <= f["trained_managers_pct"] <= 53
    assert 28 <= f["trained_women_pct"] <= 32
    assert 93 <= f["baseline_pct"] <= 97
    assert 80 <= f["follow_up_of_baseline_pct"] <= 90
    assert -18 <= f["accidents_change_pct"] <= -14
    assert -4.6 <= f["absenteeism_change_pct"] <= -2.6
    assert -30 <= f["defect_rate_change_pct"] <= -20
    assert -10 <= f["staff_turnover_change_pct"] <= -5
    assert -10 <= f["energy_use_change_pct"] <= -5
    for code in CHANGE:
        assert 55 <= f[f"{code}_improving_pct"] <= 75, code  # not every enterprise improves
        assert f[f"{code}_without_follow_up"] > 0, code  # the dashboard must exclude and count these
    assert 75 <= f["good_practices_adopted_pct"] <= 80
    assert 68 <= f["workplace_relations_improved_pct"] <= 72
    assert 40 <= f["cost_savings_reported_pct"] <= 50


def test_phase_one_reproduces_published_figures(committed) -> None:
    check_phase_one(figures(committed, *PHASE_ONE))


def test_calibration_holds_by_construction_for_another_seed(other_seed: Path) -> None:
    check_phase_one(figures(load(other_seed), *PHASE_ONE))


def test_training_rows_are_plausible(committed) -> None:
    joined = {e["enterprise_id"]: day(e["joined_on"]) for e in committed["enterprises"]}
    phase = {e["enterprise_id"]: e["phase"] for e in committed["enterprises"]}
    modules: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    satisfaction = []
    for row in committed["training"]:
        managers = int(row["managers_female"]) + int(row["managers_male"])
        workers = int(row["workers_female"]) + int(row["workers_male"])
        assert 2 <= managers <= 6 and 2 <= workers <= 6, row
        assert 2 <= int(row["consultation_visits"]) <= 8
        classroom = day(row["classroom_date"])
        assert joined[row["enterprise_id"]] < classroom <= AS_OF
        if phase[row["enterprise_id"]] == "I":
            assert classroom <= PHASE_ONE[1]  # Phase I figures are the same by join date or by training date
        modules[row["enterprise_id"]].append((classroom, row["module"]))
        if row["satisfaction_pct"]:
            satisfaction.append(float(row["satisfaction_pct"]))
    assert set(modules) == set(joined)  # every enterprise took at least one module
    firsts = [sorted(m)[0][1] for m in modules.values()]
    assert firsts.count("WC") / len(firsts) > 0.7
    for sequence in modules.values():
        assert 1 <= len(sequence) <= 5
        assert len({m for _, m in sequence}) == len(sequence)
        assert len({d for d, _ in sequence}) == len(sequence)  # one module at a time
    assert 0.75 <= len(satisfaction) / len(committed["training"]) <= 0.85
    assert all(80 <= s <= 98 for s in satisfaction)
    assert 86 <= sum(satisfaction) / len(satisfaction) <= 90


def test_indicator_values_and_dates_are_realistic(committed) -> None:
    joined = {e["enterprise_id"]: day(e["joined_on"]) for e in committed["enterprises"]}
    ranges = {
        "accidents": (0, 40),
        "absenteeism": (2, 12),
        "defect_rate": (1, 15),
        "staff_turnover": (5, 40),
        "energy_use": (2_000, 300_000),
    }
    dates: dict[tuple[str, str], dict[str, dt.date]] = defaultdict(dict)
    for row in committed["indicators"]:
        value = float(row["value"])
        measured = day(row["measured_on"])
        assert measured <= AS_OF
        dates[(row["enterprise_id"], row["indicator"])][row["period"]] = measured
        if row["indicator"] in SHARES:
            assert row["period"] == "follow_up" and row["value"] in ("0", "1")
        else:
            low, high = ranges[row["indicator"]]
            assert low <= value <= high, row
            if row["indicator"] == "accidents":
                assert value == int(value)
        if row["period"] == "baseline":
            assert 0 <= (measured - joined[row["enterprise_id"]]).days <= 60
    for (_, code), periods in dates.items():
        if code in CHANGE and "follow_up" in periods:
            assert 270 <= (periods["follow_up"] - periods["baseline"]).days <= 550  # 9 to 18 months


# --------------------------------------------------------------------------------------------------
# 3. Later phases add on top
# --------------------------------------------------------------------------------------------------


def test_later_phases_add_on_top(committed) -> None:
    phase_one = figures(committed, *PHASE_ONE)
    by_2016 = figures(committed, dt.date(2009, 1, 1), dt.date(2016, 12, 31))
    everything = figures(committed, dt.date(2000, 1, 1), AS_OF)
    assert by_2016["smes"] > 1_000
    assert 230_000 <= by_2016["workers"] <= 250_000
    assert by_2016["people_trained"] >= 8_000 and by_2016["participations"] >= 8_000
    assert 1_200 <= everything["smes"] <= 1_600
    for key in ("smes", "workers", "people_trained", "participations"):
        assert phase_one[key] < by_2016[key] < everything[key], key
    phase_two = [e for e in committed["enterprises"] if e["phase"] == "II"]
    phase_one_rows = [e for e in committed["enterprises"] if e["phase"] == "I"]

    def size(rows: list[dict[str, str]]) -> float:
        return sum(int(e["workers_female"]) + int(e["workers_male"]) for e in rows) / len(rows)

    assert size(phase_two) > size(phase_one_rows)  # Phase II enterprises are somewhat larger
    phases = {"I": PHASE_ONE, "II": (dt.date(2013, 10, 1), dt.date(2017, 12, 31))}
    phases["III"] = (dt.date(2018, 1, 1), AS_OF)
    for e in committed["enterprises"]:
        start, end = phases[e["phase"]]
        assert start <= day(e["joined_on"]) <= end, e["enterprise_id"]
        if e["country"] in ("BOL", "PER"):
            assert e["phase"] != "I" and day(e["joined_on"]) >= dt.date(2014, 1, 1)
    assert {e["country"] for e in phase_one_rows} == PHASE_ONE_COUNTRIES
    assert {e["country"] for e in phase_two} == set(DEMO_COUNTRIES)


def test_logframe_rows(committed) -> None:
    levels = {r["code"]: r["level"] for r in read_rows(REFERENCE_DIR / "logframe_indicators.csv")}
    rows = committed["logframe"]
    for iso3 in DEMO_COUNTRIES:
        mine = [r for r in rows if r["country"] == iso3]
        expected_dates = {"2016-12-31"} if iso3 in ("BOL", "PER") else {"2013-09-30", "2016-12-31"}
        assert {r["period_end"] for r in mine} == expected_dates
        assert len(mine) == len(levels) * len(expected_dates)
    for r in rows:
        assert r["level"] == levels[r["indicator"]]
        if r["female_share"]:
            assert r["indicator"] in ("partner_staff_trained", "expert_trainers")
            assert 25 <= float(r["female_share"]) <= 45
        if r["indicator"] == "cost_covered_pct" and r["actual"]:
            assert 10 <= float(r["actual"]) <= 60
        if r["indicator"] == "centre_of_excellence":
            assert r["target"] in ("0", "1") and r["actual"] in ("", "0", "1")
    with_actual = [r for r in rows if r["actual"]]
    assert any(float(r["actual"]) >= float(r["target"]) for r in with_actual)
    assert any(float(r["actual"]) < float(r["target"]) for r in with_actual)
    assert 0 < len(rows) - len(with_actual) < len(rows) / 10
    assert 0 < sum(1 for r in rows if r["comment"]) < len(rows) / 2


def test_targets_and_funding_cover_every_country_and_phase(committed) -> None:
    present = {(e["country"], e["phase"]) for e in committed["enterprises"]}
    targets = read_rows(REFERENCE_DIR / "targets.csv")
    assert list(targets[0]) == ["country", "phase", "metric", "target"]
    assert {(t["country"], t["phase"], t["metric"]) for t in targets} == {
        (c, p, m) for c, p in present for m in ("enterprises", "workers_reached", "people_trained")
    }
    assert all(int(t["target"]) > 0 for t in targets)
    funding = read_rows(REFERENCE_DIR / "funding.csv")
    assert list(funding[0]) == ["country", "phase", "donor", "start_date", "end_date"]
    assert {(f["country"], f["phase"]) for f in funding} == present
    assert {f["donor"] for f in funding} == {"Switzerland (SECO)", "Norway (Norad)", "ILO"}
    assert all(day(f["start_date"]) < day(f["end_date"]) for f in funding)


# --------------------------------------------------------------------------------------------------
# 4. Every coordinate lies inside its country
# --------------------------------------------------------------------------------------------------


def test_every_enterprise_lies_inside_its_country(committed) -> None:
    from shapely.geometry import Point, shape

    with open(REFERENCE_DIR / "countries.geojson", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    polygons = {f["properties"]["iso3"]: shape(f["geometry"]) for f in features}
    outside = [
        e["enterprise_id"]
        for e in committed["enterprises"]
        if not polygons[e["country"]].contains(Point(float(e["longitude"]), float(e["latitude"])))
    ]
    assert outside == []


# --------------------------------------------------------------------------------------------------
# 5. Every file passes the data contract
# --------------------------------------------------------------------------------------------------


def test_files_follow_the_contract(committed) -> None:
    from score.contract import EARLIEST_DATE, TABLES, code_list

    for iso3 in DEMO_COUNTRIES:
        for table in TABLES.values():
            with open(COUNTRIES_DIR / iso3 / f"{table.name}.csv", encoding="utf-8", newline="") as handle:
                header = next(csv.reader(handle))
            assert header == table.column_names, (iso3, table.name)
    for name, table in TABLES.items():
        keys = set()
        for row in committed[name]:
            key = (row["country"], *(row[k] for k in table.key))
            assert key not in keys, key
            keys.add(key)
            for col in table.columns:
                value = row[col.name]
                if value == "":
                    assert col.nullable, (name, col.name, row)
                    continue
                if col.dtype == "int":
                    assert re.fullmatch(r"\d+", value) and col.minimum <= int(value) <= col.maximum, (col.name, value)
                elif col.dtype == "float":
                    assert col.minimum <= float(value) <= col.maximum, (col.name, value)
                elif col.dtype == "date":
                    assert EARLIEST_DATE <= day(value) <= AS_OF, (col.name, value)
                elif col.dtype == "code":
                    assert value in code_list(col.codes), (col.name, value)
                if col.pattern:
                    assert re.fullmatch(col.pattern.strip("^$"), value), (col.name, value)
    ids = {e["enterprise_id"] for e in committed["enterprises"]}
    for e in committed["enterprises"]:
        assert re.fullmatch(rf"{e['country']}-\d{{4}}", e["enterprise_id"]), e["enterprise_id"]
    assert all(row["enterprise_id"] in ids for row in committed["training"] + committed["indicators"])


@pytest.mark.parametrize("iso3", DEMO_COUNTRIES)
def test_each_country_folder_passes_validation(iso3: str) -> None:
    from score import ingest

    report = ingest.load_country_dir(COUNTRIES_DIR / iso3)
    assert report.ok, report.summary()
    assert not report.warnings, report.summary()  # the demo set is clean: no follow-up > 10x baseline etc.
