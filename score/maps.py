"""Offline maps: the pydeck Deck for the Map and Country profile pages, its colour scale and legend.

No Streamlit here, so everything is testable directly. The pages run the named queries
(`country_totals`, `country_improving`, `enterprise_cells`) and hand the frames to `build_deck`.

- No basemap: `pdk.Deck(..., map_provider=None)` with `map_style` left unset, so no request leaves the
  machine (see ../shared/BROWSER.md). The world is drawn from the bundled Natural Earth polygons
  (data/reference/countries.geojson) in light grey, the project countries on top of it. The grey world is a file
  the app serves (static/grey-world.json, WORLD_URL), fetched once by the browser; a deck carries only what changes.
- Colour scale: a classed sequential scale (ColorBrewer YlGnBu, colour-blind safe, light = less,
  dark = more) over "nice" equal-interval breaks of the shown values; the same `ColourScale` object draws
  the polygons and the legend, so they cannot disagree.
- Countries whose figure is suppressed for the viewer (small cells, see score.access) are drawn grey and
  hatched with a tooltip saying why; countries where nothing matches the filters are drawn white.
- Every tooltip string is formatted with score.i18n and HTML-escaped (enterprise names come from uploads).
- Enterprise locations (detail viewers only) are gathered in DuckDB into cells a few pixels wide at the zoom the
  map opens with (queries/enterprise_cells.sql): one circle per cell, its area growing with the number of
  enterprises, its colour their most common sector. At 300,000 enterprises the browser gets a few thousand
  circles at most instead of a sample of points, and overlapping points no longer hide how many there are.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from functools import cache
from itertools import pairwise

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize
from shapely.affinity import translate
from shapely.geometry import LineString, box, mapping, shape

from score import charts, contract, measures
from score.config import REFERENCE_DIR
from score.i18n import _, fmt_int, fmt_number, fmt_pct, ngettext
from score.map_colours import ColourScale, colour_scale
from score.settings import REPO_ROOT

GEOJSON = REFERENCE_DIR / "countries.geojson"
LEFT_OUT = frozenset({"ATA"})  # Antarctica: a huge band at the bottom of a Mercator map, no SCORE work there

CONTEXT_FILL = "#e6e9ed"
CONTEXT_LINE = "#ffffff"
PROJECT_LINE = "#3e4c59"
SUPPRESSED_FILL = "#c3c9d0"
HATCH_LINE = "#52606d"
NO_DATA_FILL = "#ffffff"
PIXELS = pdk.types.String("pixels")  # a literal: a plain str would be sent as an accessor expression

# Map metric -> (query, value column, count column, value kind). "improving" takes an indicator.
METRICS = ("enterprises", "workers_reached", "people_trained", "improving")
_METRIC_COLUMNS = {
    **{
        code: (str(measures.MEASURES[code].by_country), code, "enterprises", "count")
        for code in ("enterprises", "workers_reached", "people_trained")
    },
    "improving": ("country_improving", "share_pct", "n_enterprises", "percent"),
}
DEFAULT_INDICATOR = "good_practices_adopted"
# The size the initial view is fitted to (px). The server does not know the browser's width, so the width is the
# narrowest the map is drawn at: 516 px in an 800 px window (the sidebar folded, the legend beside the map), 643
# at 1280, 1151 at 1920. Fitted to 760, the map cut Colombia, Peru and Bolivia at 800 px; a wider map shows more
# of the world around the same view. (Below about 530 px of window the map takes the full width and is narrower.)
MAP_WIDTH, MAP_HEIGHT = 500, 560
PROFILE_HEIGHT = 520  # the country profile's map
CELL_PIXELS = 10  # side of an enterprise cell on screen at the zoom the map opens with
MAX_CELLS = 5_000  # enterprise cells sent to the browser at most (the largest; a 760x560 map has ~4,300 cells)
CIRCLE_PIXELS = (4.0, 16.0)  # radius of a cell's circle: one enterprise, the most enterprises in a cell


def metric_query(metric: str) -> str:
    """Name of the query in queries/ that holds `metric`."""
    return _METRIC_COLUMNS[metric][0]


def metric_label(metric: str, indicator_label: str | None = None, indicator_kind: str = "share") -> str:
    """Readable name of a metric, with its unit."""
    if metric == "improving":
        if indicator_kind == "share":
            return _("Enterprises reporting: {indicator} (%)", indicator=indicator_label or "")
        return _("Enterprises improving: {indicator} (%)", indicator=indicator_label or "")
    return measures.long_label(metric)


# ------------------------------------------------------------------------------------------ values


def metric_values(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Reshape a query result to the columns the map draws: country, value, n, suppressed."""
    _query, value, count, _kind = _METRIC_COLUMNS[metric]
    if frame.empty:
        return pd.DataFrame({"country": [], "value": [], "n": [], "suppressed": []})
    suppressed = frame["suppressed"] if "suppressed" in frame.columns else pd.Series(False, index=frame.index)
    return pd.DataFrame(
        {
            "country": frame["country"],
            "value": pd.to_numeric(frame[value], errors="coerce"),
            "n": pd.to_numeric(frame[count], errors="coerce"),
            "suppressed": suppressed.astype(bool),
        }
    ).reset_index(drop=True)


def metric_kind(metric: str) -> str:
    return _METRIC_COLUMNS[metric][3]


def values_table(values: pd.DataFrame, metric: str, metric_name: str, country_names: dict[str, str]) -> pd.DataFrame:
    """The mapped figures as a table (same numbers as the tooltips), for reading without hovering."""
    kind = metric_kind(metric)
    shown = []
    for row in values.itertuples(index=False):
        if row.suppressed:
            shown.append(_("not shown (fewer than 5)"))
        elif pd.isna(row.value) or pd.isna(row.n) or row.n == 0:
            shown.append("–")
        else:
            shown.append(fmt_pct(row.value) if kind == "percent" else fmt_int(row.value))
    n_label = _("Enterprises with a follow-up") if metric == "improving" else _("Enterprises")
    return pd.DataFrame(
        {
            _("Country"): [country_names.get(c, c) for c in values["country"]],
            metric_name: shown,
            n_label: [
                "–" if s or pd.isna(n) else fmt_int(n) for s, n in zip(values["suppressed"], values["n"], strict=True)
            ],
        }
    )


def scale_for(values: pd.DataFrame, metric: str) -> ColourScale | None:
    """The colour scale over the countries whose value is shown (not suppressed, n > 0)."""
    if values.empty:
        return None
    shown = values[~values["suppressed"] & (values["n"] > 0)]
    return colour_scale(shown["value"], metric_kind(metric))


# ------------------------------------------------------------------------------------------ geometry


def _crosses_antimeridian(ring: list) -> bool:
    return any(abs(a[0] - b[0]) > 180 for a, b in pairwise(ring))


def _split_at_antimeridian(polygon: list) -> list:
    """A polygon whose rings jump from +180 to -180 (Natural Earth's Russia and Fiji) as polygons that
    stay within -180..180; drawn as is, it would paint a band across the whole map."""
    shifted = [[[x + 360 if x < 0 else x, y] for x, y in ring] for ring in polygon]
    shape_ = shape({"type": "Polygon", "coordinates": shifted}).buffer(0)
    west = shape_.intersection(box(-180, -90, 180, 90))
    east = translate(shape_.intersection(box(180, -90, 540, 90)), xoff=-360)
    parts = []
    for piece in (west, east):
        for poly in getattr(piece, "geoms", [piece]):
            if poly.geom_type == "Polygon" and not poly.is_empty:
                parts.append(mapping(poly)["coordinates"])
    return [[[list(point) for point in ring] for ring in part] for part in parts]


def _clean(geometry: dict) -> dict:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    if not any(_crosses_antimeridian(ring) for polygon in polygons for ring in polygon):
        return geometry
    out = []
    for polygon in polygons:
        out.extend(_split_at_antimeridian(polygon) if _crosses_antimeridian(polygon[0]) else [polygon])
    return {"type": "MultiPolygon", "coordinates": out}


@cache
def _world() -> tuple[dict, ...]:
    with open(GEOJSON, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    return tuple(
        {**f, "geometry": _clean(f["geometry"])} for f in features if f["properties"].get("iso3") not in LEFT_OUT
    )


def world_features() -> list[dict]:
    """The bundled country polygons (copies, safe to annotate)."""
    return [{"type": "Feature", "properties": dict(f["properties"]), "geometry": f["geometry"]} for f in _world()]


@cache
def _country_geometry(iso3: str):
    for feature in _world():
        if feature["properties"].get("iso3") == iso3:
            return shape(feature["geometry"])
    return None


def hatch(iso3: str, spacing: float) -> list[dict]:
    """Diagonal hatching clipped to a country's outline (GeoJSON line features), `spacing` degrees apart,
    for "not shown" (suppressed) cells."""
    geometry = _country_geometry(iso3)
    if geometry is None or spacing <= 0:
        return []
    min_x, min_y, max_x, max_y = geometry.bounds
    size = max(max_x - min_x, max_y - min_y)
    out = []
    offset = -size
    while offset <= size:
        line = LineString([(min_x + offset, min_y), (min_x + offset + size, min_y + size)])
        clipped = line.intersection(geometry)
        if not clipped.is_empty and clipped.geom_type in ("LineString", "MultiLineString"):
            out.append({"type": "Feature", "properties": {}, "geometry": mapping(clipped)})
        offset += spacing
    return out


def hatch_spacing(zoom: float, pixels: float = 7.0) -> float:
    """Degrees of longitude that are `pixels` wide on screen at `zoom` (512 px world at zoom 0)."""
    return pixels * 360 / (512 * 2**zoom)


def country_bounds(countries: list[str] | tuple[str, ...]) -> tuple[float, float, float, float] | None:
    """(min_lat, min_lon, max_lat, max_lon) of the polygons the map draws for `countries` (the drawn shapes, not
    a table of boxes: what must be in view is what is drawn); None when none has a polygon."""
    shapes = [g for g in (_country_geometry(code) for code in sorted(set(countries))) if g is not None]
    if not shapes:
        return None
    boxes = [g.bounds for g in shapes]  # (min_lon, min_lat, max_lon, max_lat)
    return (
        min(b[1] for b in boxes),
        min(b[0] for b in boxes),
        max(b[3] for b in boxes),
        max(b[2] for b in boxes),
    )


def mercator(lat: float) -> float:
    """The Mercator projection's ordinate of a latitude (radians of the projected plane; 0 at the equator): the one
    formula the map (pydeck's Web Mercator) and the deck's Plotly map both project with."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return (1 - mercator(lat) / math.pi) / 2


def _inverse_mercator_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(math.pi * (1 - 2 * y))) - math.pi / 2)


def fit_view(
    countries: list[str] | tuple[str, ...],
    width: int = MAP_WIDTH,
    height: int = MAP_HEIGHT,
    padding: float = 0.08,
    max_zoom: float = 6.5,
) -> pdk.ViewState:
    """A view in which the polygons of `countries` fit a map of `width` x `height` pixels (Web Mercator, 512 px
    tiles): centred on their bounds, zoomed so that the bounds with `padding` on each side fit both ways."""
    box = country_bounds(countries) or country_bounds(contract.code_list("country"))
    assert box is not None
    min_lat, min_lon, max_lat, max_lon = box
    dx = max((max_lon - min_lon) / 360, 1e-6)
    top, bottom = _mercator_y(max_lat), _mercator_y(min_lat)
    dy = max(bottom - top, 1e-6)
    usable = 1 - 2 * padding
    zoom = math.log2(min(width * usable / (512 * dx), height * usable / (512 * dy)))
    zoom = max(0.0, min(max_zoom, zoom))
    return pdk.ViewState(
        longitude=round((min_lon + max_lon) / 2, 4),
        latitude=round(_inverse_mercator_y((top + bottom) / 2), 4),
        zoom=round(zoom, 2),
        min_zoom=0,
        max_zoom=10,
    )


def map_view(values: pd.DataFrame, focus: list[str] | tuple[str, ...] = (), height: int = MAP_HEIGHT) -> pdk.ViewState:
    """The view a map opens with: fitted to `focus` (default: the countries in `values`); one country leaves room
    for its neighbours, so the reader knows where it is."""
    return fit_view(list(focus) or list(values["country"]), height=height, padding=0.2 if len(focus) == 1 else 0.08)


def cell_size(view: pdk.ViewState, pixels: float = CELL_PIXELS) -> float:
    """The side of an enterprise cell (queries/enterprise_cells.sql, a share of the world's width) that is
    `pixels` wide on screen in `view`."""
    return pixels / (512 * 2**view.zoom)


# ------------------------------------------------------------------------------------------ layers


def _compact_json(value: object, default: Callable[[object], object] | None = None) -> str:
    """JSON as pydeck writes it (sorted keys), without the indentation."""
    return json.dumps(value, sort_keys=True, default=default, separators=(",", ":"), ensure_ascii=False)


# The grey world reaches the browser once, as a file (Streamlit's static serving, .streamlit/config.toml), not inside
# every deck: ~140 KB a deck was re-sent on every filter change (BENCHMARKS.md, "browser, session 16"). The address
# is relative, so it holds under a server.baseUrlPath or a proxy's prefix; the browser caches the file (ETag).
WORLD_FILE = REPO_ROOT / "static" / "grey-world.json"
WORLD_URL = "app/static/grey-world.json"
GREY_DECIMALS = 2  # the grey world's degrees: moved at most 0.005°, 0.2 px at a profile's zoom (5), 0.6 px at 6.5


@cache
def _grey_features() -> tuple[dict, ...]:
    """The grey world under the project countries (the same for every map: never changed): shapes only (it is not
    picked, so no names), to GREY_DECIMALS, a point equal to the one before it left out."""
    return tuple({"type": "Feature", "properties": {}, "geometry": _rounded(f["geometry"])} for f in _world())


def _rounded(geometry: dict) -> dict:
    """A (Multi)Polygon's rings to GREY_DECIMALS, repeated points dropped (a ring keeps at least its 4 points)."""

    def ring(points: list) -> list:
        out: list = []
        for x, y in points:
            point = [round(x, GREY_DECIMALS), round(y, GREY_DECIMALS)]
            if not out or point != out[-1]:
                out.append(point)
        return out if len(out) >= 4 else [[round(x, GREY_DECIMALS), round(y, GREY_DECIMALS)] for x, y in points]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}


def grey_world_json() -> str:
    """The grey world as the file the app serves, WORLD_FILE (kept in git, written by scripts/make_grey_world.py):
    GeoJSON without indentation."""
    return _compact_json({"type": "FeatureCollection", "features": list(_grey_features())})


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation (pydeck indents by 2 spaces, about five times larger on the wire), written
    once: a built deck is not changed afterwards, and a cached one (components.map_chart) is then not serialised
    again on every rerun."""

    def to_json(self) -> str:
        spec = self.__dict__.get("_compact_json")
        if spec is None:
            spec = _compact_json(self, default=default_serialize)  # what pydeck's to_json writes (its serialiser)
            self.__dict__["_compact_json"] = spec
        return spec


def _rgba(colour: str, alpha: int = 255) -> list[int]:
    return [*charts.hex_to_rgb(colour), alpha]


def _n_text(metric: str, n: float) -> str:
    if metric == "improving":
        return _("n = {n} enterprises with a follow-up", n=fmt_int(n))
    return _("n = {n} enterprises", n=fmt_int(n))


def choropleth_features(
    values: pd.DataFrame,
    metric: str,
    metric_name: str,
    scale: ColourScale | None,
    country_names: dict[str, str],
) -> list[dict]:
    """Project-country features with their fill colour and tooltip lines (TOOLTIP: `tt_title`, `tt_label`,
    `tt_value`, `tt_note`; plain text, Streamlit escapes what it puts into the tooltip's HTML)."""
    by_country = {row.country: row for row in values.itertuples(index=False)}
    out = []
    for feature in world_features():
        iso3 = feature["properties"].get("iso3")
        row = by_country.get(iso3)
        if row is None:
            continue
        name = country_names.get(iso3, feature["properties"].get("name", iso3))
        shown, note = "", ""
        if row.suppressed:
            fill, state = SUPPRESSED_FILL, "suppressed"
            label = _("Not shown: fewer than 5 enterprises, possibly none")
        elif pd.isna(row.value) or pd.isna(row.n) or row.n == 0:
            fill, state = NO_DATA_FILL, "no_data"
            label = (
                _("No enterprises with a follow-up match the filters.")
                if metric == "improving"
                else _("No enterprises match the filters.")
            )
        else:
            fill = scale.colour(row.value) if scale else NO_DATA_FILL
            state = "shown"
            label = _("{figure}:", figure=metric_name)  # French puts a space before the colon
            shown = scale.format(row.value) if scale else fmt_number(row.value)
            note = _n_text(metric, row.n)
        feature["properties"].update(
            {
                "tt_title": name,
                "tt_label": label,
                "tt_value": shown,
                "tt_note": note,
                "state": state,
                "value": None if state != "shown" else float(row.value),
                "n": None if state == "suppressed" or pd.isna(row.n) else int(row.n),
                "fill": _rgba(fill, 235),
            }
        )
        out.append(feature)
    return out


def cell_records(cells: pd.DataFrame, sector_names: dict[str, str]) -> list[dict]:
    """Enterprise cells (queries/enterprise_cells.sql) as circles: colour by their most common sector, radius by
    how many enterprises (area in proportion), and tooltip lines."""
    colours = charts.sector_colours()
    smallest, largest = CIRCLE_PIXELS
    most = max(int(cells["enterprises"].max()), 1) if len(cells) else 1
    out = []
    for row in cells.itertuples(index=False):
        n = int(row.enterprises)
        sector = sector_names.get(row.sector, row.sector)
        place = ", ".join(str(p) for p in (row.city, row.province) if isinstance(p, str) and p)
        workers = ngettext("{n} worker", "{n} workers", row.workers)
        if n == 1:
            title, label = str(row.name), sector
        else:
            title = ngettext("{n} enterprise", "{n} enterprises", n, n=fmt_int(n))
            label = (
                sector
                if row.sectors == 1
                else _("most common sector: {sector} ({n})", sector=sector, n=fmt_int(row.sector_enterprises))
            )
        out.append(
            {
                "lon": float(row.longitude),
                "lat": float(row.latitude),
                "n": n,
                "radius": round(smallest + (largest - smallest) * math.sqrt((n - 1) / max(most - 1, 1)), 1),
                "fill": _rgba(colours.get(row.sector, charts.MUTED), 210),
                "tt_title": title,
                "tt_label": label,
                "tt_value": "",
                "tt_note": f"{place} · {workers}" if place else workers,
            }
        )
    return out


def _outline_layer(
    layer_id: str,
    features: list[dict] | str,
    line: list[int],
    width: float,
    fill: str | list[int] | None = None,
    pickable: bool = False,
    **options: object,
) -> pdk.Layer:
    """Country shapes (or hatching lines) outlined `width` pixels wide, filled when `fill` is given; `features` a
    list, or the address of a GeoJSON file the browser fetches (deck.gl loads a layer's data given as a string)."""
    if fill is not None:
        options["get_fill_color"] = fill
    return pdk.Layer(
        "GeoJsonLayer",
        features if isinstance(features, str) else {"type": "FeatureCollection", "features": features},
        id=layer_id,
        stroked=True,
        filled=fill is not None,
        get_line_color=line,
        line_width_units=PIXELS,
        get_line_width=width,
        pickable=pickable,
        **options,
    )


# The tooltip's HTML is fixed here; the values filled into it are plain text, which Streamlit's deck.gl
# component HTML-escapes (so an uploaded enterprise name cannot inject markup).
TOOLTIP = "<b>{tt_title}</b><br/>{tt_label} <b>{tt_value}</b><br/>{tt_note}"


def build_deck(
    values: pd.DataFrame,
    metric: str,
    metric_name: str,
    country_names: dict[str, str],
    sector_names: dict[str, str],
    cells: pd.DataFrame | None = None,
    focus: list[str] | tuple[str, ...] = (),
    scale: ColourScale | None = None,
    height: int = MAP_HEIGHT,
) -> pdk.Deck:
    """The whole map: grey world, coloured project countries, hatching where suppressed, enterprise cells.

    `values`: `metric_values(...)` output. `cells`: queries/enterprise_cells.sql for `cell_size(map_view(...))`.
    `focus`: countries to fit the view to (default: those in `values`).
    """
    if scale is None:
        scale = scale_for(values, metric)
    project = choropleth_features(values, metric, metric_name, scale, country_names)
    view = map_view(values, focus, height)
    hidden = [f["properties"]["iso3"] for f in project if f["properties"]["state"] == "suppressed"]
    hatching = [line for iso3 in hidden for line in hatch(iso3, hatch_spacing(view.zoom))]
    layers = [
        _outline_layer("world", WORLD_URL, _rgba(CONTEXT_LINE), 1, fill=_rgba(CONTEXT_FILL)),
        _outline_layer(
            "countries",
            project,
            _rgba(PROJECT_LINE),
            1.2,
            fill="properties.fill",
            pickable=True,
            auto_highlight=True,
            highlight_color=[255, 255, 255, 70],
        ),
    ]
    if hatching:
        layers.append(_outline_layer("not-shown", hatching, _rgba(HATCH_LINE, 200), 1))
    records = cell_records(cells, sector_names) if cells is not None and len(cells) else []
    if records:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                records,
                id="enterprises",
                get_position=["lon", "lat"],
                get_fill_color="fill",
                get_line_color=[255, 255, 255, 230],
                stroked=True,
                line_width_units=PIXELS,
                get_line_width=0.8,
                radius_units=PIXELS,
                get_radius="radius",
                pickable=True,
                auto_highlight=True,
            )
        )
    deck = CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip={
            "html": TOOLTIP,
            "style": {
                "backgroundColor": "white",
                "color": charts.INK,
                "fontFamily": charts.FONT,
                "fontSize": "14px",
                "border": f"1px solid {charts.GRID}",
                "boxShadow": "0 2px 6px rgba(0,0,0,0.15)",
            },
        },
    )
    return deck


# ------------------------------------------------------------------------------------------ legends


def _swatch(style: str) -> str:
    return (
        f'<span style="display:inline-block;width:22px;height:14px;margin-right:8px;vertical-align:-2px;'
        f'border:1px solid {PROJECT_LINE};{style}"></span>'
    )


HATCH_CSS = (
    f"background:repeating-linear-gradient(135deg,{SUPPRESSED_FILL} 0 3px,{HATCH_LINE} 3px 4px);"  # drawn as on the map
)


def legend_html(title: str, scale: ColourScale | None, states: set[str] | frozenset[str] = frozenset()) -> str:
    """Choropleth legend: one swatch per class, then "not shown" / "no data" when the map has them."""
    rows = [(_swatch(f"background:{colour}"), html.escape(text)) for colour, text in (scale.legend() if scale else [])]
    if "suppressed" in states:
        rows.append((_swatch(HATCH_CSS), html.escape(_("Not shown (fewer than 5 enterprises, possibly none)"))))
    if "no_data" in states:
        rows.append((_swatch(f"background:{NO_DATA_FILL}"), html.escape(_("No data for these filters"))))
    return _legend_box(title, rows)


def cells_caption() -> str:
    """What the enterprise circles mean (under a map that has them)."""
    return _(
        "Each circle gathers the enterprises of a small area: the larger the circle, the more enterprises; its "
        "colour is their most common sector. Hover a circle for its figures."
    )


def sector_legend_html(title: str, sectors: list[str], sector_names: dict[str, str]) -> str:
    """Legend of the circle colours, for the sectors that are on the map."""
    colours = charts.sector_colours()
    rows = [
        (
            '<span style="display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:8px;'
            f"background:{colours.get(code, charts.MUTED)};border:1px solid white;"
            f'box-shadow:0 0 0 1px {charts.MUTED}"></span>',
            html.escape(sector_names.get(code, code)),
        )
        for code in sectors
    ]
    return _legend_box(title, rows)


def _legend_box(title: str, rows: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<div style="margin:4px 0;display:flex;align-items:flex-start"><span style="flex:none">{mark}</span>'
        f"<span>{text}</span></div>"
        for mark, text in rows
    )
    return (
        f'<div style="font-family:{charts.FONT};color:{charts.INK};font-size:14px;line-height:1.35">'
        f'<div style="font-weight:600;margin-bottom:6px">{html.escape(title)}</div>{items}</div>'
    )


def states(values: pd.DataFrame) -> set[str]:
    """Which special states ("suppressed", "no_data") the map shows, for the legend."""
    out = set()
    if len(values) and values["suppressed"].any():
        out.add("suppressed")
    shown = values[~values["suppressed"]] if len(values) else values
    if len(shown) and (shown["value"].isna() | shown["n"].isna() | (shown["n"] == 0)).any():
        out.add("no_data")
    return out
