"""Web Mercator as deck.gl draws it (512 px world at zoom 0), written out here, independently of score.maps; and the
project countries' drawn extents, from the committed GeoJSON."""

from __future__ import annotations

import json
import math

from shapely.geometry import shape

from score import contract
from tests.oracle import REFERENCE

PROJECT = contract.code_list("country")


def pixel(lon: float, lat: float, view: dict, width: float, height: float) -> tuple[float, float]:
    """Where (lon, lat) falls on a `width` x `height` map opened at `view` (longitude, latitude, zoom)."""
    world = 512 * 2 ** view["zoom"]

    def x(lo: float) -> float:
        return (lo + 180) / 360 * world

    def y(la: float) -> float:
        la = max(min(la, 85.0511), -85.0511)
        return (1 - math.log(math.tan(math.pi / 4 + math.radians(la) / 2)) / math.pi) / 2 * world

    return width / 2 + x(lon) - x(view["longitude"]), height / 2 + y(lat) - y(view["latitude"])


def outside(bounds: tuple[float, float, float, float], view: dict, width: float, height: float) -> list[str]:
    """Which sides of a (min_lon, min_lat, max_lon, max_lat) box fall outside the map."""
    left, top = pixel(bounds[0], bounds[3], view, width, height)
    right, bottom = pixel(bounds[2], bounds[1], view, width, height)
    sides = {"left": left < 0, "top": top < 0, "right": right > width, "bottom": bottom > height}
    return [side for side, out in sides.items() if out]


def polygon_bounds() -> dict[str, tuple[float, float, float, float]]:
    """Each project country's drawn extent, read from the committed GeoJSON (Russia-style antimeridian splits do
    not concern SCORE's countries: none of their polygons crosses 180 degrees)."""
    with open(REFERENCE / "countries.geojson", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    return {
        f["properties"]["iso3"]: shape(f["geometry"]).bounds for f in features if f["properties"].get("iso3") in PROJECT
    }
