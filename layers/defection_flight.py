"""Defection flight of 6 Sep 1976: the drawn track, radar contact, circling and landing."""

from __future__ import annotations

import geopandas as gpd

from geo.features import layer_frame

LAYER_ID = "defection_flight"
STYLE = {
    "color": "#d7301f",
    "fill_color": "#fc8d59",
    "weight": 3,
    "dash_array": "8 6",
    "fill_opacity": 0.0,
    "radius": 6,
    "marker": "circle",
}


def build() -> gpd.GeoDataFrame:
    """The `defection_flight` layer from the catalog, in EPSG:4326."""
    return layer_frame(LAYER_ID)
