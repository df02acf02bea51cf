"""Hyakuri Air Base: where the MiG-25 was taken apart and examined."""

from __future__ import annotations

import geopandas as gpd

from geo.features import layer_frame

LAYER_ID = "hyakuri"
STYLE = {
    "color": "#8c510a",
    "fill_color": "#d8b365",
    "weight": 2,
    "dash_array": None,
    "fill_opacity": 0.3,
    "radius": 7,
    "marker": "diamond",
}


def build() -> gpd.GeoDataFrame:
    """The `hyakuri` layer from the catalog, in EPSG:4326."""
    return layer_frame(LAYER_ID)
