"""Tests for geo.features: catalog items drawn as geometry, and the areas clipping makes."""

from __future__ import annotations

from typing import Any

import pytest
from shapely import LineString, MultiPolygon, Point, Polygon

from geo import geodesy
from geo.catalog import CatalogError, parse_catalog
from geo.features import item_geometry

CATALOG = """
[sources.atlas]
publisher = "An atlas"
title = "Japan"
published = "1976"

[layers.zones]
title = "Zones"

[layers.zones.style]
color = "#01665e"
fill_color = "#5ab4ac"
weight = 2
fill_opacity = 0.3
radius = 6
marker = "circle"

[[items]]
id = "area"
layer = "zones"
name = "An area"
start = 1976-09-08T00:00:00+09:00
end = 1976-09-25T23:59:59+09:00
geometry = { polygon = [CORNERS], clip = "CLIP" }
description = "Drawn for a test."
sources = ["atlas"]
certainty = "illustrative"
"""
# Open sea east of Honshu, no land within 100 km.
SEA = "{ lat = 38.0, lon = 145.0 }, { lat = 38.0, lon = 145.5 }, { lat = 38.5, lon = 145.25 }"
# Across the Tsugaru Strait: land on both sides, water between.
STRAIT = (
    "{ lat = 41.2, lon = 140.3 }, { lat = 41.2, lon = 141.0 }, "
    "{ lat = 41.9, lon = 141.0 }, { lat = 41.9, lon = 140.3 }"
)


def drawn(corners: str, clip: str):
    catalog = parse_catalog(CATALOG.replace("CORNERS", corners).replace("CLIP", clip))
    return item_geometry(catalog.item("area"), catalog)


@pytest.mark.parametrize(("corners", "clip"), [(STRAIT, "water"), (STRAIT, "land"), (SEA, "water")])
def test_a_clipped_area_is_always_an_area(corners: str, clip: str) -> None:
    area = drawn(corners, clip)
    assert isinstance(area, Polygon | MultiPolygon) and area.is_valid and not area.is_empty


def test_an_area_clipped_to_land_over_open_sea_is_refused_with_the_item_named() -> None:
    message = (
        r"^catalog.toml: item 'area': geometry: clip = 'land' leaves nothing, not an area: "
        r"move the polygon$"
    )
    with pytest.raises(CatalogError, match=message):
        drawn(SEA, "land")


ROUTES = (
    CATALOG.split("[[items]]")[0]
    + """
[[items]]
id = "crossing"
layer = "zones"
name = "A crossing"
start = 1976-09-10T10:00:00+09:00
end = 1976-09-10T12:00:00+09:00
geometry = { route = [{ lat = 40.0, lon = 140.0 }, { lat = 40.0, lon = 142.0 }] }
description = "Drawn for a test."
sources = ["atlas"]
certainty = "illustrative"
"""
    + "".join(
        f"""
[[items]]
id = "{name}"
layer = "zones"
name = "On the way"
start = {start}
end = {start}
geometry = {{ along = "crossing" }}
description = "Drawn for a test."
sources = ["atlas"]
certainty = "illustrative"
"""
        for name, start in (
            ("setting-off", "1976-09-10T09:00:00+09:00"),
            ("half-way", "1976-09-10T11:00:00+09:00"),
            ("arrived", "1976-09-10T13:00:00+09:00"),
        )
    )
)


@pytest.mark.parametrize(
    ("item_id", "lon"), [("setting-off", 140.0), ("half-way", 141.0), ("arrived", 142.0)]
)
def test_an_item_along_a_route_is_where_the_route_is_at_its_start(item_id: str, lon: float) -> None:
    catalog = parse_catalog(ROUTES)
    point = item_geometry(catalog.item(item_id), catalog)
    assert isinstance(point, Point)
    assert point.x == pytest.approx(lon, abs=0.01)
    assert 40.0 <= point.y <= 40.1  # the geodesic bows north of the parallel


def test_items_along_a_route_share_its_one_drawn_line(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = parse_catalog(ROUTES)
    drawn_lines: list[LineString] = []
    original = geodesy.geodesic_line

    def counted(*args: Any, **kwargs: Any) -> LineString:
        drawn_lines.append(original(*args, **kwargs))
        return drawn_lines[-1]

    monkeypatch.setattr(geodesy, "geodesic_line", counted)
    line = item_geometry(catalog.item("crossing"), catalog)
    points = [item_geometry(catalog.item(i), catalog) for i in ("setting-off", "arrived")]
    assert len(drawn_lines) == 1
    assert points[0].coords[0] == line.coords[0] and points[1].coords[0] == line.coords[-1]
