"""Chitose Air Base: the F-4EJ scramble and the patrols over Hokkaido."""

from __future__ import annotations

import geopandas as gpd

from geo.features import layer_frame

LAYER_ID = "chitose"
STYLE = {
    "color": "#2166ac",
    "fill_color": "#67a9cf",
    "weight": 2,
    "dash_array": "4 4",
    "fill_opacity": 0.08,
    "radius": 7,
    "marker": "diamond",
}


def build() -> gpd.GeoDataFrame:
    """The `chitose` layer from the catalog, in EPSG:4326."""
    return layer_frame(LAYER_ID)
