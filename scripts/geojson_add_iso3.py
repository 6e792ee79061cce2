"""Post-process the world-atlas GeoJSON into the committed country reference data.

Build-time helper for ``scripts/make_country_polygons.sh``; it is NOT a runtime
dependency of the dashboard (pycountry is only needed here, the shell script
installs it into a throwaway venv when it is missing).

Input : a GeoJSON FeatureCollection from ``topo2geo`` (world-atlas@2, countries-110m),
        feature ``id`` = ISO 3166-1 numeric as a string, property ``name``.
Output: ``data/reference/countries.geojson``
            every feature gets ``properties.iso3`` (ISO 3166-1 alpha-3 via pycountry from
            the numeric id; a small explicit mapping for features without one) and keeps
            ``name``; coordinates rounded to 3 decimals (about 110 m, well below the
            precision of 1:110m data), consecutive duplicate points dropped, compact JSON.
        ``data/reference/countries.csv``
            the nine SCORE countries: names EN/FR/ES, region, a representative point
            inside the mainland (``centroid_lat``/``centroid_lon``) and the bounding box of
            all parts, all computed from the rounded polygons.

Deterministic: same input -> same bytes (feature order kept, fixed float formatting,
no timestamps).

Usage: python scripts/geojson_add_iso3.py SRC_GEOJSON [OUT_DIR]   (OUT_DIR default data/reference)
"""

from __future__ import annotations

import csv
import io
import json
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import pycountry

DECIMALS = 3

# Features of Natural Earth 1:110m that have no ISO 3166-1 numeric code (id missing in
# world-atlas). Kosovo gets the user-assigned code XKX used by the EU, IMF and World Bank
# (not an ISO code); the others have no code in common use and stay "".
NO_NUMERIC_ISO3 = {
    "Kosovo": "XKX",
    "N. Cyprus": "",
    "Somaliland": "",
}

# The SCORE countries (ISO3 -> names as the ILO writes them in EN / FR / ES, region).
SCORE_COUNTRIES = {
    "BOL": ("Bolivia", "Bolivie", "Bolivia", "Latin America"),
    "CHN": ("China", "Chine", "China", "Asia"),
    "COL": ("Colombia", "Colombie", "Colombia", "Latin America"),
    "GHA": ("Ghana", "Ghana", "Ghana", "Africa"),
    "IDN": ("Indonesia", "Indonésie", "Indonesia", "Asia"),
    "IND": ("India", "Inde", "India", "Asia"),
    "PER": ("Peru", "Pérou", "Perú", "Latin America"),
    "VNM": ("Viet Nam", "Viet Nam", "Viet Nam", "Asia"),
    "ZAF": ("South Africa", "Afrique du Sud", "Sudáfrica", "Africa"),
}

# The article a French or Spanish sentence puts before each name ("pour la Colombie", "du Pérou", "de la India"):
# score.i18n.place_form merges it with the sentence's preposition.
ARTICLES = {
    "BOL": ("la", ""),
    "CHN": ("la", ""),
    "COL": ("la", ""),
    "GHA": ("le", ""),
    "IDN": ("l'", ""),
    "IND": ("l'", "la"),
    "PER": ("le", ""),
    "VNM": ("le", ""),
    "ZAF": ("l'", ""),
}

CSV_HEADER = [
    "iso3",
    "iso_numeric",
    "name_en",
    "name_fr",
    "name_es",
    "article_fr",
    "article_es",
    "region",
    "centroid_lat",
    "centroid_lon",
    "min_lat",
    "min_lon",
    "max_lat",
    "max_lon",
]


# ---------------------------------------------------------------- geometry helpers
def rnd(x: float) -> float:
    """Round to DECIMALS; normalise -0.0 so the output never shows "-0.0"."""
    v = round(float(x), DECIMALS)
    return 0.0 if v == 0 else v


def clean_ring(ring: list) -> list | None:
    """Round a linear ring, drop consecutive duplicates; None if it degenerates."""
    out: list[list[float]] = []
    for pt in ring:
        p = [rnd(pt[0]), rnd(pt[1])]
        if not out or out[-1] != p:
            out.append(p)
    if out[0] != out[-1]:
        out.append(list(out[0]))
    # a valid ring needs >= 4 positions (3 distinct + closing) and a non-zero area
    if len(out) < 4 or ring_area(out) == 0:
        return None
    return out


def clean_polygon(rings: list) -> list | None:
    outer = clean_ring(rings[0])
    if outer is None:
        return None
    holes = [h for h in (clean_ring(r) for r in rings[1:]) if h is not None]
    return [outer, *holes]


def clean_geometry(geom: dict) -> dict:
    if geom["type"] == "Polygon":
        poly = clean_polygon(geom["coordinates"])
        if poly is None:
            raise ValueError("polygon degenerated after rounding")
        return {"type": "Polygon", "coordinates": poly}
    if geom["type"] == "MultiPolygon":
        polys = [p for p in (clean_polygon(rs) for rs in geom["coordinates"]) if p is not None]
        if not polys:
            raise ValueError("multipolygon degenerated after rounding")
        if len(polys) == 1:
            return {"type": "Polygon", "coordinates": polys[0]}
        return {"type": "MultiPolygon", "coordinates": polys}
    raise ValueError(f"unexpected geometry type {geom['type']}")


def polygons_of(geom: dict) -> list:
    return [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]


def ring_area(ring: list) -> float:
    """Signed planar area (shoelace) in degree^2."""
    s = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def ring_centroid(ring: list) -> tuple[float, float]:
    """Area-weighted centroid (lon, lat) of a closed ring."""
    a = ring_area(ring)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        c = x1 * y2 - x2 * y1
        cx += (x1 + x2) * c
        cy += (y1 + y2) * c
    return cx / (6.0 * a), cy / (6.0 * a)


def in_ring(x: float, y: float, ring: list) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def in_polygon(x: float, y: float, poly: list) -> bool:
    return in_ring(x, y, poly[0]) and not any(in_ring(x, y, h) for h in poly[1:])


def scanline_point(poly: list, y: float) -> tuple[float, float] | None:
    """Midpoint of the widest inside segment of the horizontal line at latitude y
    (the idea behind PostGIS ST_PointOnSurface); None if the line misses."""
    xs: list[float] = []
    for ring in poly:
        for (x1, y1), (x2, y2) in pairwise(ring):
            if (y1 > y) != (y2 > y):
                xs.append((x2 - x1) * (y - y1) / (y2 - y1) + x1)
    xs.sort()
    best = None
    for a, b in zip(xs[0::2], xs[1::2], strict=True):
        if best is None or b - a > best[1] - best[0]:
            best = (a, b)
    return None if best is None else ((best[0] + best[1]) / 2.0, y)


def representative_point(geom: dict) -> tuple[float, float]:
    """A point inside the largest part: its area-weighted centroid if that lies inside
    (after rounding), else a scanline point through the centroid's latitude."""
    largest = max(polygons_of(geom), key=lambda p: abs(ring_area(p[0])))
    cx, cy = ring_centroid(largest[0])
    candidates = [(cx, cy)]
    ys = sorted({cy, (min(p[1] for p in largest[0]) + max(p[1] for p in largest[0])) / 2.0})
    candidates += [pt for pt in (scanline_point(largest, y) for y in ys) if pt is not None]
    for x, y in candidates:
        if in_polygon(rnd(x), rnd(y), largest):
            return rnd(x), rnd(y)
    raise ValueError("no representative point found inside the largest part")


def bbox(geom: dict) -> tuple[float, float, float, float]:
    pts = [p for poly in polygons_of(geom) for ring in poly for p in ring]
    return (min(p[1] for p in pts), min(p[0] for p in pts), max(p[1] for p in pts), max(p[0] for p in pts))


# ---------------------------------------------------------------- main
def iso3_for(feature: dict) -> str:
    num = feature.get("id")
    name = feature["properties"]["name"]
    if num in (None, "", "-99"):
        if name not in NO_NUMERIC_ISO3:
            raise ValueError(f"feature {name!r} has no numeric id and no explicit mapping")
        return NO_NUMERIC_ISO3[name]
    country = pycountry.countries.get(numeric=str(num).zfill(3))
    if country is None:
        raise ValueError(f"numeric id {num!r} ({name}) unknown to pycountry")
    return country.alpha_3


def fmt(v: float) -> str:
    return f"{v:.{DECIMALS}f}"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(argv[1])
    out_dir = Path(argv[2]) if len(argv) == 3 else Path("data/reference")
    data = json.loads(src.read_text(encoding="utf-8"))

    features = []
    by_iso3: dict[str, dict] = {}
    for f in data["features"]:
        iso3 = iso3_for(f)
        geom = clean_geometry(f["geometry"])
        feat: dict[str, Any] = {"type": "Feature"}
        if f.get("id") is not None:
            feat["id"] = f["id"]
        feat["properties"] = {"iso3": iso3, "name": f["properties"]["name"]}
        feat["geometry"] = geom
        features.append(feat)
        if iso3:
            if iso3 in by_iso3:
                raise ValueError(f"duplicate iso3 {iso3}")
            by_iso3[iso3] = feat

    missing = sorted(set(SCORE_COUNTRIES) - set(by_iso3))
    if missing:
        raise ValueError(f"SCORE countries missing from the polygons: {missing}")

    out_dir.mkdir(parents=True, exist_ok=True)
    geojson = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    (out_dir / "countries.geojson").write_bytes((geojson + "\n").encode("utf-8"))

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for iso3 in sorted(SCORE_COUNTRIES):
        name_en, name_fr, name_es, region = SCORE_COUNTRIES[iso3]
        feat = by_iso3[iso3]
        lon, lat = representative_point(feat["geometry"])
        min_lat, min_lon, max_lat, max_lon = bbox(feat["geometry"])
        w.writerow(
            [
                iso3,
                pycountry.countries.get(alpha_3=iso3).numeric,
                name_en,
                name_fr,
                name_es,
                *ARTICLES[iso3],
                region,
                fmt(lat),
                fmt(lon),
                fmt(min_lat),
                fmt(min_lon),
                fmt(max_lat),
                fmt(max_lon),
            ]
        )
    (out_dir / "countries.csv").write_bytes(buf.getvalue().encode("utf-8"))

    no_iso = [f["properties"]["name"] for f in features if not f["properties"]["iso3"]]
    print(
        f"wrote {len(features)} features to {out_dir / 'countries.geojson'}"
        f" (without iso3: {', '.join(no_iso) or 'none'})"
    )
    print(f"wrote {len(SCORE_COUNTRIES)} countries to {out_dir / 'countries.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
