"""The map's enterprise cells (queries/enterprise_cells.sql) hold exactly the enterprises of the raw CSV files that
fall into each square of the Web Mercator plane, computed here independently (csv module + math), and only ever
for the viewer's detail countries."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pandas as pd
import pytest

from score import db, maps
from score.access import Scope
from score.filters import Filters
from tests.query_cases import oracle_filters

CASES = [
    Filters(),
    Filters(countries=("COL", "GHA"), sectors=("garments", "textiles")),
    Filters(phases=("I",), year_from=2010, year_to=2012),
    Filters(modules=("OSH",)),
]


def expected_cells(raw, cell: float, **filters) -> list[tuple]:
    """(country, enterprises, most common sector, its enterprises, sectors, workers, name if one, mean lat, mean lon)
    per country and square of side `cell` (a share of the world's width) holding enterprises with coordinates."""
    ids = raw.located(**filters)
    squares: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for e in raw.enterprises:
        if e["enterprise_id"] not in ids:
            continue
        lat, lon = float(e["latitude"]), float(e["longitude"])
        x = (lon + 180) / 360
        y = 0.5 - math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85), -85)) / 2)) / (2 * math.pi)
        squares[(e["country"], math.floor(x / cell), math.floor(y / cell))].append(e)
    out = []
    for members in squares.values():
        sectors = Counter(e["sector"] for e in members)
        top = min(sectors, key=lambda code: (-sectors[code], code))  # ties: the first code
        out.append(
            (
                members[0]["country"],
                len(members),
                top,
                sectors[top],
                len(sectors),
                sum(int(e["workers_female"]) + int(e["workers_male"]) for e in members),
                members[0]["name"] if len(members) == 1 else None,
                sum(float(e["latitude"]) for e in members) / len(members),
                sum(float(e["longitude"]) for e in members) / len(members),
            )
        )
    return sorted(out, key=lambda c: c[-2:])


def shown_cells(frame) -> list[tuple]:
    return sorted(
        (
            (
                r.country,
                int(r.enterprises),
                r.sector,
                int(r.sector_enterprises),
                int(r.sectors),
                int(r.workers),
                None if r.name is None or r.name != r.name else r.name,
                r.latitude,
                r.longitude,
            )
            for r in frame.itertuples(index=False)
        ),
        key=lambda c: c[-2:],
    )


def same_cells(shown: list[tuple], expected: list[tuple]) -> bool:
    """Equal counts, sectors, workers and names; positions equal to the 5 decimals the query keeps."""
    return len(shown) == len(expected) and all(
        a[:-2] == b[:-2] and math.isclose(a[-2], b[-2], abs_tol=1e-5) and math.isclose(a[-1], b[-1], abs_tol=1e-5)
        for a, b in zip(shown, expected, strict=True)
    )


@pytest.mark.parametrize("filters", CASES, ids=lambda f: str(f.to_query_params()) or "all")
@pytest.mark.parametrize("pixels", [4, maps.CELL_PIXELS])
def test_cells_hold_the_enterprises_of_each_square(demo_data_dir, raw, filters: Filters, pixels: int) -> None:
    view = maps.fit_view(["COL", "GHA", "IDN", "CHN"])
    cell = maps.cell_size(view, pixels)
    frame = db.run_query("enterprise_cells", Scope.hq("t"), filters, cell=cell, max_cells=maps.MAX_CELLS)
    expected = expected_cells(raw, cell, **oracle_filters(filters))
    assert len(expected) >= 5
    assert same_cells(shown_cells(frame), expected)
    assert frame["enterprises"].is_monotonic_decreasing  # the largest first: small circles drawn on top


def test_cells_of_one_zoomed_country_are_finer(demo_data_dir, raw) -> None:
    hq = Scope.hq("t")
    world = maps.cell_size(maps.fit_view(list(raw.countries())))
    ghana = maps.cell_size(maps.map_view(pd.DataFrame({"country": ["GHA"]}), ["GHA"], maps.PROFILE_HEIGHT))
    assert ghana < world / 8
    coarse = db.run_query("enterprise_cells", hq, Filters(countries=("GHA",)), cell=world, max_cells=maps.MAX_CELLS)
    fine = db.run_query("enterprise_cells", hq, Filters(countries=("GHA",)), cell=ghana, max_cells=maps.MAX_CELLS)
    assert len(fine) > len(coarse)
    assert fine["enterprises"].sum() == coarse["enterprises"].sum() == len(raw.located(countries={"GHA"}))


def test_cells_only_for_detail_countries(demo_data_dir, raw) -> None:
    cell = maps.cell_size(maps.fit_view(["GHA"]))
    ghana = db.run_query("enterprise_cells", Scope.country("c", {"GHA"}), Filters(), cell=cell, max_cells=5000)
    assert ghana["enterprises"].sum() == len(raw.located(countries={"GHA"}))
    assert same_cells(shown_cells(ghana), expected_cells(raw, cell, countries={"GHA"}))
    for scope in (Scope.public(), Scope.nothing(), None):
        assert db.run_query("enterprise_cells", scope, Filters(), cell=cell, max_cells=5000).empty
    # at most max_cells rows: the fullest cells
    top = db.run_query("enterprise_cells", Scope.hq("t"), Filters(), cell=cell / 8, max_cells=3)
    every = db.run_query("enterprise_cells", Scope.hq("t"), Filters(), cell=cell / 8, max_cells=5000)
    assert len(top) == 3 and top["enterprises"].tolist() == every["enterprises"].head(3).tolist()
