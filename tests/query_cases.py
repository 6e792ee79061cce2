"""What the query tests share (test_queries_oracle.py, test_queries_scope.py, and the page, map and table tests
that compare with the oracle): the filter cases, the same filters as the oracle (tests/oracle.py) takes them, and a
query run as HQ (nothing suppressed).
"""

from __future__ import annotations

import math

import pandas as pd

from score import db
from score.access import Scope
from score.filters import Filters

FILTER_CASES = [
    Filters(),
    Filters(countries=("COL", "GHA")),
    Filters(sectors=("garments", "textiles"), year_from=2011, year_to=2014),
    Filters(phases=("II",), modules=("OSH", "QM")),
    Filters(regions=("Asia",)),
    # Partners, modules and single years: a dropped filter or an off-by-one in a year bound changes these counts.
    Filters(partners=("SENA", "VCCI")),
    Filters(countries=("GHA",), partners=("Trades Union Congress",), modules=("WC",)),
    Filters(modules=("CP",), year_from=2015, year_to=2015),
    Filters(year_from=2009, year_to=2009),
    Filters(year_from=2020),
    # Provinces: one alone, two of one country, and one with a module and another filter (the group tables' rows).
    Filters(provinces=("Antioquia",)),
    Filters(countries=("GHA",), provinces=("Ashanti", "Western")),
    Filters(provinces=("Gauteng", "Lima"), sectors=("garments", "food_beverages"), modules=("OSH",)),
]


def oracle_filters(f: Filters) -> dict:
    regions = {"Asia": {"CHN", "IND", "IDN", "VNM"}, "Africa": {"GHA", "ZAF"}, "Latin America": {"COL", "BOL", "PER"}}
    countries = set(f.countries) if f.countries else None
    if f.regions:
        in_regions = set().union(*(regions[r] for r in f.regions))
        countries = in_regions if countries is None else countries & in_regions
    return {
        "countries": countries,
        "provinces": set(f.provinces) or None,
        "sectors": set(f.sectors) or None,
        "phases": set(f.phases) or None,
        "partners": set(f.partners) or None,
        "modules": set(f.modules) or None,
        "year_from": f.year_from,
        "year_to": f.year_to,
    }


HQ = Scope.hq("tests")
FULL_LIST = {"search": None, "limit": None}  # enterprise_list: everyone the filters keep
IDS = [str(f.to_query_params()) or "all" for f in FILTER_CASES]
NOTHING = Filters(countries=("BOL",), phases=("I",))  # Bolivia joined in phase II: matches nothing


def close(got: object, expected: float, tol: float = 1e-9) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return got is None or pd.isna(got)
    return math.isclose(float(got), float(expected), rel_tol=tol, abs_tol=tol)


def run(name: str, filters: Filters, **params) -> pd.DataFrame:
    return db.run_query(name, HQ, filters, **params)
