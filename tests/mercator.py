"""Web Mercator as deck.gl draws it (512 px world at zoom 0), written out here, independently of score.maps."""

from __future__ import annotations

import math


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
