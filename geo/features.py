"""Turn catalog items into GeoDataFrames: resolve places, draw geodesics, build and clip areas."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely import (
    GeometryCollection,
    LineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
    make_valid,
    unary_union,
)
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geo import basemap, geodesy
from geo.catalog import Catalog, CatalogError, Item, Stay, load_catalog
from geo.schema import COLUMNS, CRS
from geo.timing import DEFECTION_DAY, JST, PERIOD_END, PERIOD_START, day_bounds


def _lonlat(position: Any, catalog: Catalog) -> tuple[float, float]:
    if isinstance(position, str):
        return catalog.places[position].lonlat
    return float(position["lon"]), float(position["lat"])


def _largest(geometry: BaseGeometry) -> BaseGeometry:
    # A clipped sea box can leave slivers in bays; the patrol area is the one big piece.
    if isinstance(geometry, MultiPolygon):
        return max(geometry.geoms, key=lambda part: part.area)
    return geometry


def _clip_area(area: Polygon, clip: str | None) -> BaseGeometry:
    if clip is None:
        return area
    land = basemap.land_union()
    metric_area, metric_land = geodesy.to_metric(area), geodesy.to_metric(land.intersection(area))
    clipped = (
        metric_area.difference(metric_land)
        if clip == "water"
        else metric_area.intersection(metric_land)
    )
    clipped = _areas_only(clipped)
    if clip == "water":
        clipped = _largest(clipped)
    # Reprojecting back can make a ring touch itself where the coast is finely cut.
    return _areas_only(make_valid(geodesy.from_metric(clipped)))


def _areas_only(geometry: BaseGeometry) -> BaseGeometry:
    """The polygons of a clipping result, without the lines or points it can leave at edges."""
    if isinstance(geometry, GeometryCollection):
        parts = [part for part in geometry.geoms if isinstance(part, Polygon | MultiPolygon)]
        return unary_union(parts) if parts else Polygon()
    return geometry


def _route_line(item: Item, catalog: Catalog) -> LineString:
    spec = item.geometry
    waypoints = [_lonlat(position, catalog) for position in spec["route"]]
    return geodesy.geodesic_line(waypoints, step_km=float(spec.get("step_km", 10.0)))


def position_on_route(line: LineString, start: datetime, end: datetime, moment: datetime) -> Point:
    """Where a route drawn from `start` to `end` is at `moment`, moving evenly along its length."""
    if end <= start or moment >= end:
        return Point(line.coords[-1])
    if moment <= start:
        return Point(line.coords[0])
    fraction = (moment - start) / (end - start)
    return line.interpolate(fraction, normalized=True)


def _ccw(geometry: BaseGeometry) -> BaseGeometry:
    # RFC 7946 ring order (exterior counter-clockwise) from the start, so exports need no fix-up.
    if isinstance(geometry, Polygon):
        return orient(geometry, 1.0)
    if isinstance(geometry, MultiPolygon):
        return MultiPolygon([orient(part, 1.0) for part in geometry.geoms])
    return geometry


def item_geometry(item: Item, catalog: Catalog) -> BaseGeometry:
    """The lon/lat geometry of one catalog item (CatalogError naming the item if undrawable).

    Route lines are kept in the catalog once drawn: the items placed along a route, and the
    MiG-25's stays on it, use that one line rather than each drawing it again.
    """
    try:
        return _draw(item, catalog)
    except CatalogError:
        raise
    except ValueError as error:
        raise CatalogError(f"{catalog.name}: item '{item.id}': geometry: {error}") from None


def _cached_route(item: Item, catalog: Catalog) -> LineString:
    line = catalog.route_lines.get(item.id)
    if line is None:
        line = catalog.route_lines[item.id] = _route_line(item, catalog)
    return line


def _draw(item: Item, catalog: Catalog) -> BaseGeometry:
    spec = item.geometry
    if "point" in spec:
        return geodesy.point(_lonlat(spec["point"], catalog))
    if "points" in spec:
        return MultiPoint([_lonlat(position, catalog) for position in spec["points"]])
    if "route" in spec:
        return _cached_route(item, catalog)
    if "circle" in spec:
        return geodesy.circle_line(_lonlat(spec["circle"], catalog), float(spec["radius_km"]))
    if "buffer" in spec:
        center = geodesy.point(_lonlat(spec["buffer"], catalog))
        return geodesy.buffer_km(center, float(spec["radius_km"]))
    if "polygon" in spec:
        vertices = [_lonlat(position, catalog) for position in spec["polygon"]]
        area = _clip_area(geodesy.polygon_in_metric(vertices), spec.get("clip"))
        # Clipping can leave nothing, or slivers of lines and points: not an area to draw.
        if area.is_empty or not isinstance(area, Polygon | MultiPolygon):
            kind = "nothing" if area.is_empty else f"a {area.geom_type}"
            raise ValueError(
                f"clip = {spec.get('clip')!r} leaves {kind}, not an area: move the polygon"
            )
        return area
    if "along" in spec:
        route = catalog.item(spec["along"])
        line = _cached_route(route, catalog)
        return position_on_route(line, route.start, route.end, item.start)
    raise ValueError(f"item {item.id!r}: geometry {spec!r} has no known kind")


def items_frame(items: list[Item] | tuple[Item, ...], catalog: Catalog) -> gpd.GeoDataFrame:
    """A layer frame (schema COLUMNS, EPSG:4326) for `items`."""
    rows = []
    for item in items:
        names = catalog.place_names(item)
        rows.append(
            {
                "id": item.id,
                "layer": item.layer,
                "name": item.name,
                "place": names.en if names else "",
                "place_ja": names.ja if names else "",
                "place_ru": names.ru if names else "",
                "start": item.start,
                "end": item.end,
                "description": item.description,
                "alternatives": catalog.alternatives_text(item),
                "sources": catalog.citations(catalog.item_sources(item)),
                "certainty": item.certainty,
                "geometry": _ccw(item_geometry(item, catalog)),
            }
        )
    frame = gpd.GeoDataFrame(rows, columns=list(COLUMNS), geometry="geometry", crs=CRS)
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column]).dt.tz_convert(JST)
    return frame


def layer_frame(layer_id: str, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """All catalog items of one layer as a layer frame."""
    catalog = catalog or load_catalog()
    if layer_id not in catalog.layers:
        known = ", ".join(catalog.layers)
        raise ValueError(f"layer_frame: unknown layer {layer_id!r} (known: {known})")
    return items_frame([item for item in catalog.items if item.layer == layer_id], catalog)


def stay_at(moment: datetime, catalog: Catalog | None = None) -> tuple[Stay, Point] | None:
    """The MiG-25's catalog stay containing `moment`, with its position then; None outside all."""
    catalog = catalog or load_catalog()
    if moment.tzinfo is None:
        raise ValueError(f"stay_at: moment {moment!r} must be timezone-aware")
    current = [stay for stay in catalog.mig25 if stay.start <= moment <= stay.end]
    if not current:
        return None
    stay = current[-1]
    if stay.place is not None:
        return stay, geodesy.point(catalog.places[stay.place].lonlat)
    # The catalog check gives every stay a place or a route.
    assert stay.route is not None
    route = catalog.item(stay.route)
    line = _cached_route(route, catalog)
    return stay, position_on_route(line, stay.start, stay.end, moment)


def day_moment(day: date, at: time | None = None) -> datetime:
    """The moment the map shows for `day`: `at` (JST) if given, else the end of that JST day."""
    if not PERIOD_START <= day <= PERIOD_END:
        raise ValueError(f"day {day.isoformat()} is outside {PERIOD_START}..{PERIOD_END}")
    if at is not None:
        return datetime.combine(day, at, tzinfo=JST)
    return day_bounds(day)[1] - timedelta(seconds=1)


__all__ = [
    "DEFECTION_DAY",
    "day_moment",
    "item_geometry",
    "items_frame",
    "layer_frame",
    "position_on_route",
    "stay_at",
]
