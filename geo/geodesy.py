"""Geodesic lines and lengths on WGS84, and areas built in a metric CRS (UTM 54N)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import TypeVar

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
METRIC_CRS = "EPSG:32654"  # UTM 54N: centred on 141°E, right over Hokkaido and the Tsugaru Strait
_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_FROM_METRIC = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)

LonLat = tuple[float, float]
GeometryT = TypeVar("GeometryT", bound=BaseGeometry)


def distance_km(start: LonLat, end: LonLat) -> float:
    """Great-circle (geodesic) distance between two lon/lat points, in km."""
    return GEOD.inv(start[0], start[1], end[0], end[1])[2] / 1000.0


def geodesic_line(waypoints: Sequence[LonLat], step_km: float = 10.0) -> LineString:
    """A LineString through `waypoints` along geodesic legs, with a vertex every `step_km`."""
    if len(waypoints) < 2:
        raise ValueError(f"geodesic_line: need at least 2 waypoints, got {len(waypoints)}")
    if step_km <= 0:
        raise ValueError(f"geodesic_line: step_km must be positive, got {step_km}")
    coords: list[LonLat] = [(waypoints[0][0], waypoints[0][1])]
    for (lon1, lat1), (lon2, lat2) in pairwise(waypoints):
        leg_km = distance_km((lon1, lat1), (lon2, lat2))
        between = max(math.ceil(leg_km / step_km) - 1, 0)
        if between:  # pyproj refuses a request for no points (a leg shorter than a step)
            coords.extend(GEOD.npts(lon1, lat1, lon2, lat2, between))
        coords.append((lon2, lat2))
    return LineString(np.asarray(coords, dtype=float))  # an array: far faster than tuples


def length_km(geometry: BaseGeometry) -> float:
    """Geodesic length of a line (or perimeter of a polygon) in km."""
    return GEOD.geometry_length(geometry) / 1000.0


def destination(start: LonLat, azimuth_deg: float, distance: float) -> LonLat:
    """The lon/lat reached from `start` along `azimuth_deg` after `distance` km."""
    lon, lat, _ = GEOD.fwd(start[0], start[1], azimuth_deg, distance * 1000.0)
    return lon, lat


def to_metric(geometry: GeometryT) -> GeometryT:
    """Project a lon/lat geometry into the metric CRS."""
    # The stubs type only the interleaved callback; pyproj's takes x and y apart.
    return shapely.transform(geometry, _TO_METRIC.transform, interleaved=False)  # type: ignore[arg-type]


def from_metric(geometry: GeometryT) -> GeometryT:
    """Project a metric-CRS geometry back to lon/lat."""
    return shapely.transform(geometry, _FROM_METRIC.transform, interleaved=False)  # type: ignore[arg-type]


def buffer_km(geometry: BaseGeometry, radius_km: float) -> BaseGeometry:
    """Buffer a lon/lat geometry by `radius_km`, computed in metres in the metric CRS."""
    if radius_km <= 0:
        raise ValueError(f"buffer_km: radius_km must be positive, got {radius_km}")
    return from_metric(to_metric(geometry).buffer(radius_km * 1000.0, quad_segs=16))


def polygon_in_metric(vertices: Sequence[LonLat], step_km: float = 10.0) -> Polygon:
    """A lon/lat polygon whose edges are densified geodesics, valid after a metric round trip."""
    if len(vertices) < 3:
        raise ValueError(f"polygon_in_metric: need at least 3 vertices, got {len(vertices)}")
    ring = geodesic_line([*vertices, vertices[0]], step_km=step_km)
    metric = Polygon(to_metric(ring).coords)
    if not metric.is_valid:
        raise ValueError("polygon_in_metric: the vertices cross each other")
    return from_metric(metric)


def circle_line(center: LonLat, radius_km: float, points: int = 72) -> LineString:
    """A closed geodesic circle of `radius_km` around `center`, as a line (a flight pattern)."""
    if radius_km <= 0:
        raise ValueError(f"circle_line: radius_km must be positive, got {radius_km}")
    ring = [destination(center, 360.0 * k / points, radius_km) for k in range(points)]
    return LineString([*ring, ring[0]])


def point(lonlat: LonLat) -> Point:
    """A shapely Point from a lon/lat pair."""
    return Point(lonlat[0], lonlat[1])
