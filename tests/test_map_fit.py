"""The map opens with every project country in view: the view is fitted to the polygons the map draws (their
bounds, from the GeoJSON itself), for the narrowest map the layout draws (about 516 px wide in an 800 px window)."""

from __future__ import annotations

import pytest

from score import maps
from tests.mercator import PROJECT, outside, polygon_bounds


@pytest.mark.parametrize("width", [516, 643, 1151])  # the map at 800, 1280 and 1920 px windows
def test_every_project_country_is_inside_the_first_view_of_the_map(width: int) -> None:
    view = maps.fit_view(PROJECT)
    shown = {"longitude": view.longitude, "latitude": view.latitude, "zoom": view.zoom}
    cut = {
        code: sides for code, box in polygon_bounds().items() if (sides := outside(box, shown, width, maps.MAP_HEIGHT))
    }
    assert not cut, f"cut at {width} px: {cut}"
    assert set(polygon_bounds()) == set(PROJECT)


def test_eastern_indonesia_and_western_peru_set_the_view() -> None:
    bounds = polygon_bounds()
    _south, min_lon, _north, max_lon = maps.country_bounds(PROJECT)
    assert max_lon == pytest.approx(bounds["IDN"][2]) and min_lon == pytest.approx(min(b[0] for b in bounds.values()))
    assert max_lon > 140  # Papua: the map of the deck cropped it


def test_a_single_country_profile_fits_its_country() -> None:
    for code, box in polygon_bounds().items():
        view = maps.fit_view([code], height=maps.PROFILE_HEIGHT, padding=0.2)
        shown = {"longitude": view.longitude, "latitude": view.latitude, "zoom": view.zoom}
        assert not outside(box, shown, 516, maps.PROFILE_HEIGHT), code
