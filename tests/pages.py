"""What the page tests share (test_pages_*.py, test_map_page.py, test_logframe_page.py, test_country_profile_page.py):
the viewers and cases, what a page shows read out of an AppTest (tiles, tables, texts, the map's layers), and the
check of a public figure, which is adjusted to protect enterprises (score/disclosure.py).
"""

from __future__ import annotations

import html
import json
import re
from itertools import product

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from score import disclosure, logframe
from score.access import Scope
from score.filters import Filters
from score.web.components.tiles import ShownTile, read_tiles
from tests.apptest import REPO
from tests.formats import en_int
from tests.query_cases import oracle_filters

NOTHING = {"countries": ["BOL"], "phases": ["I"]}  # Bolivia joined in phase II: no enterprise matches
MIN_CELL = 5  # DESIGN.md: the public never sees a cell of fewer than 5 enterprises
HQ = Scope.hq("tests")


def to_filters(params: dict) -> Filters:
    lists = {k: tuple(v) for k, v in params.items() if k not in ("year_from", "year_to")}
    years = {k: int(v) for k, v in params.items() if k in ("year_from", "year_to")}
    return Filters(**lists, **years)


def tiles(at: AppTest) -> list[ShownTile]:
    """Every KPI tile a page shows, in page order, as a reader sees it (label, value, the grey line, progress):
    the rows drawn as HTML (components.tiles), then any st.metric (the upload page's checks)."""
    drawn = [tile for element in at.get("html") for tile in read_tiles(element.proto.body)]
    return drawn + [ShownTile(m.label, m.value, m.proto.delta, None) for m in at.metric]


def metrics(at: AppTest) -> dict[str, ShownTile]:
    return {tile.label: tile for tile in tiles(at)}


def charts_shown(at) -> int:
    return len(at.get("plotly_chart"))


def chart_titles(at) -> list[str]:
    """The charts' titles in page order, as written above them (components.show: the figure drawn has none)."""
    bodies = [h.proto.body for h in at.get("html") if "data-chart-title" in h.proto.body]
    return [html.unescape(re.sub(r"<[^>]+>", "", body)) for body in bodies]


def infos(at) -> str:
    return " ".join(i.value for i in at.info)


def table(at, key: str):
    """The table drawn by components.table with this key: a grid (st.dataframe), or a short table (st.table) in
    the box of that key."""
    frames = [d for d in at.dataframe if d.key == key] if any(d.key for d in at.dataframe) else list(at.dataframe)
    if not frames or frames[0].key != key:
        boxes = [box for box in _blocks(at.main) if box.key == key]
        shown = [as_read(t.value) for box in boxes for t in box.get("table")]
        shown += [read_table_markup(h.proto.body) for box in boxes for h in box.get("html")]
        if shown:
            return shown[0]
    assert frames, f"no table {key}"
    return frames[0].value


def shown_tables(at) -> list:
    """Every table of the page as a reader sees it: the grids (st.dataframe), the short tables (st.table), then
    the tables drawn as HTML outside the charts' data tables (the logframe's, components.tables._coloured_table)."""
    drawn = [as_read(t.value) for t in at.table]
    boxes = [box for box in _blocks(at.main) if box.type != "expander"]  # a chart's data table is in an expander
    drawn += [read_table_markup(h.proto.body) for box in boxes for h in _own(box, "html") if TABLE_MARK in h.proto.body]
    return [d.value for d in at.dataframe] + drawn


TABLE_MARK = "data-score-table"


def read_table_markup(body: str) -> pd.DataFrame:
    """A table drawn by components.text.table_markup as the text a reader sees, its headings as the columns."""
    rows = [
        [html.unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]
    return pd.DataFrame(rows[1:], columns=rows[0])


def _own(block, kind: str) -> list:
    """The elements of `kind` directly in `block` (not in a box inside it)."""
    return [child for child in block.children.values() if getattr(child, "type", None) == kind]


def as_read(frame):
    """An st.table's cells as a reader sees them: without the backslashes that keep Markdown characters as text."""
    return frame.replace(r"\\(.)", r"\1", regex=True)


def _blocks(block) -> list:
    """`block` and every box inside it."""
    found = [block]
    for child in block.children.values():
        if hasattr(child, "children"):
            found += _blocks(child)
    return found


def as_int(text: object) -> int:
    """A whole number as a table shows it: text in English ("1,234") or a grid's number (typed, so it sorts)."""
    return int(text) if isinstance(text, int | float) else int(str(text).replace(",", ""))


def grid_text(grid) -> pd.DataFrame:
    """What a grid (st.dataframe) shows in its cells: the display values its Styler wrote (components.typed_grid),
    while `grid.value` holds the typed values it sorts by."""
    return pa.ipc.open_stream(grid.proto.arrow_data.styler.display_values).read_all().to_pandas()


def check_adjusted(shown: str, exact: int, count: bool = True, offset: float = 0.0) -> None:
    """A public figure: a count off by its cell's fixed offset (`count_offset`, rounded) and at most 2 more
    (data/reference/ptable_counts.csv); a magnitude by at most NOISE_MAX of itself (+1 for rounding), a sum of
    contributions each moved by at most that much (score/disclosure.py)."""
    bound = 2 + abs(offset) + 0.5 if count else disclosure.NOISE_MAX * exact + 1
    assert abs(as_int(shown) - exact) <= bound, (shown, exact, offset)


def count_offset(raw, units: list[str]) -> float:
    """The fixed count offset of a public cell whose counted units (enterprises, or deliveries: one id each) belong
    to these enterprises: the sum of their weights minus 1, recomputed from the raw enterprises and the secret."""
    key = id(raw)
    if key not in _OFFSETS:
        frame = pd.DataFrame(raw.enterprises)[["country", "enterprise_id", "sector", "phase"]]
        offsets = disclosure.count_offsets(disclosure.load_secret(), frame) / disclosure.COUNT_UNIT
        _OFFSETS[key] = dict(zip(frame["enterprise_id"], offsets, strict=True))
    return float(sum(_OFFSETS[key][unit] for unit in units))


_OFFSETS: dict[int, dict[str, float]] = {}


def check_headline_tiles(at, expected: dict) -> None:
    shown = metrics(at)
    assert shown["Enterprises engaged"].value == en_int(expected["enterprises"])
    assert shown["Workers reached"].value == en_int(expected["workers_reached"])
    if "People trained" in shown:
        assert shown["People trained"].value == en_int(expected["people_trained"])
    if "Modules delivered" in shown:
        assert shown["Modules delivered"].value == en_int(expected["module_completions"])


ENTERPRISE_CASES = [{}, {"countries": ["COL"], "sectors": ["garments", "textiles"]}, {"year_from": "2014"}]


def enterprise_charts(raw, params: dict) -> int:
    """How many charts the Enterprises page draws at least: its two by-country charts only where there are
    countries to compare (charts.compares_countries)."""
    ids = raw.enterprise_ids(**oracle_filters(to_filters(params)))
    countries = {e["country"] for e in raw.enterprises if e["enterprise_id"] in ids}
    return 6 if len(countries) > 1 else 4


def country_sector_cells(raw, params: dict) -> dict[tuple[str, str], dict[str, int]]:
    return raw.enterprises_by(lambda e: (e["country"], e["sector"]), **oracle_filters(to_filters(params)))


def cell_key(row: dict) -> tuple[str, str]:
    names = {v: k for k, v in reference_labels("country").items()}
    sectors = {v: k for k, v in reference_labels("sector").items()}
    return names[row["Country"]], sectors[row["Sector"]]


def small_public_selection(raw) -> dict:
    groups: dict[tuple[str, str, str], int] = {}
    for e in raw.enterprises:
        key = (e["country"], e["sector"], e["phase"])
        groups[key] = groups.get(key, 0) + 1
    country, sector, phase = next(k for k, n in sorted(groups.items()) if 1 <= n < MIN_CELL)
    return {"countries": [country], "sectors": [sector], "phases": [phase]}


def empty_selection(raw) -> dict:
    """A country x sector x phase with no enterprise at all (sectors and phases that exist elsewhere)."""
    found = {(e["country"], e["sector"], e["phase"]) for e in raw.enterprises}
    countries, sectors, phases = ({k[i] for k in found} for i in range(3))
    country, sector, phase = next(k for k in sorted(product(countries, sectors, phases)) if k not in found)
    return {"countries": [country], "sectors": [sector], "phases": [phase]}


def reference_labels(kind: str) -> dict[str, str]:
    import csv

    files = {
        "country": "countries",
        "sector": "sectors",
        "module": "modules",
        "indicator": "indicators",
    }
    key = "iso3" if kind == "country" else "code"
    with open(REPO / "data" / "reference" / f"{files[kind]}.csv", encoding="utf-8", newline="") as handle:
        return {row[key]: row["name_en"] for row in csv.DictReader(handle)}


COUNTRY_NAMES = {"BOL": "Bolivia", "CHN": "China", "COL": "Colombia", "GHA": "Ghana", "IDN": "Indonesia"}
COUNTRY_NAMES |= {"IND": "India", "PER": "Peru", "VNM": "Viet Nam", "ZAF": "South Africa"}
STATUS_LABELS = {"achieved": "Achieved", "on_track": "On track", "behind": "Behind", "no_data": "No data"}


def deck_spec(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[index].proto.json)


def layer(spec: dict, layer_id: str) -> dict | None:
    return next((item for item in spec["layers"] if item["id"] == layer_id), None)


def choropleth(spec: dict) -> dict[str, dict]:
    """iso3 -> properties of the coloured project countries (what the tooltips show)."""
    return {f["properties"]["iso3"]: f["properties"] for f in layer(spec, "countries")["data"]["features"]}


def located(circles: dict) -> int:
    """Enterprises in the map's circles (one circle per cell of nearby enterprises)."""
    return sum(circle["n"] for circle in circles["data"])


def metric_values(at: AppTest) -> dict[str, str]:
    return {tile.label: tile.value for tile in tiles(at)}


def texts(at: AppTest) -> str:
    parts = [*(c.value for c in at.caption), *(i.value for i in at.info), *(m.value for m in at.markdown)]
    return "\n".join(str(p) for p in parts)


def as_number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def status_counts(rows: list[dict]) -> dict[str, int]:
    return {code: sum(1 for r in rows if r["status"] == code) for code in logframe.STATUSES}
