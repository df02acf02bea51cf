"""Tsugaru Strait: the MSDF sea patrol, Ominato helicopters and ships around Hokkaido."""

from __future__ import annotations

import geopandas as gpd

from geo.features import layer_frame

LAYER_ID = "tsugaru_patrols"
STYLE = {
    "color": "#01665e",
    "fill_color": "#5ab4ac",
    "weight": 2,
    "dash_array": "2 6",
    "fill_opacity": 0.3,
    "radius": 6,
    "marker": "triangle",
}


def build() -> gpd.GeoDataFrame:
    """The `tsugaru_patrols` layer from the catalog, in EPSG:4326."""
    return layer_frame(LAYER_ID)
