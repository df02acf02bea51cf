"""Tests for geo.geodesy: geodesic distances, densified lines, metric buffers."""

import pytest
from shapely import Point, Polygon

from geo.catalog import load_catalog
from geo.geodesy import (
    buffer_km,
    circle_line,
    distance_km,
    geodesic_line,
    length_km,
    polygon_in_metric,
)

PLACES = load_catalog().places


@pytest.mark.parametrize(
    ("start", "end", "expected_km"),
    [("chuguyevka", "hakodate-airport", 623.0), ("hakodate-airport", "hyakuri-ab", 621.0)],
)
def test_great_circle_distances(start: str, end: str, expected_km: float) -> None:
    km = distance_km(PLACES[start].lonlat, PLACES[end].lonlat)
    assert km == pytest.approx(expected_km, abs=1.0)


def test_geodesic_line_follows_the_curve_and_keeps_its_length() -> None:
    a, b = PLACES["chuguyevka"].lonlat, PLACES["hakodate-airport"].lonlat
    line = geodesic_line([a, b], step_km=10)
    assert line.coords[0] == a and line.coords[-1] == b
    assert len(line.coords) >= 60
    assert length_km(line) == pytest.approx(distance_km(a, b), rel=1e-4)
    # The geodesic bows north of the straight lon/lat chord between the two ends.
    middle = line.interpolate(0.5, normalized=True)
    assert middle.y > (a[1] + b[1]) / 2


@pytest.mark.parametrize(
    "waypoints",
    [[(140.0, 41.0), (140.05, 41.0)], [(140.0, 41.0), (140.0, 41.0), (141.0, 41.0)]],
    ids=["leg shorter than a step", "the same point twice"],
)
def test_geodesic_line_takes_short_legs(waypoints: list[tuple[float, float]]) -> None:
    line = geodesic_line(waypoints, step_km=10)
    assert line.coords[0] == waypoints[0] and line.coords[-1] == waypoints[-1]


def test_metric_buffer_has_the_asked_radius() -> None:
    hakodate = PLACES["hakodate-airport"].lonlat
    area = buffer_km(Point(hakodate), 1.5)
    assert isinstance(area, Polygon)
    far = max(distance_km((x, y), hakodate) for x, y in area.exterior.coords)
    assert far == pytest.approx(1.5, rel=0.01)


def test_circle_line_is_closed_and_has_the_radius() -> None:
    center = PLACES["hakodate"].lonlat
    circle = circle_line(center, 6)
    assert circle.is_closed
    assert length_km(circle) == pytest.approx(2 * 3.14159 * 6, rel=0.01)


def test_polygon_in_metric_is_valid() -> None:
    polygon = polygon_in_metric([(140.0, 41.0), (141.0, 41.0), (141.0, 42.0)])
    assert polygon.is_valid and polygon.area > 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: geodesic_line([(140.0, 41.0)]), "need at least 2 waypoints, got 1"),
        (lambda: geodesic_line([(140.0, 41.0), (141.0, 41.0)], step_km=0), "step_km must be"),
        (lambda: buffer_km(Point(140, 41), -1), "radius_km must be positive, got -1"),
        (lambda: circle_line((140.0, 41.0), 0), "radius_km must be positive, got 0"),
        (lambda: polygon_in_metric([(140.0, 41.0), (141.0, 41.0)]), "at least 3 vertices, got 2"),
        (
            lambda: polygon_in_metric([(140, 41), (141, 42), (141, 41), (140, 42)]),
            "the vertices cross each other",
        ),
    ],
)
def test_bad_inputs_are_named(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
