"""Aftermath: Belenko to Tokyo and the US, the jet shipped home from Hitachi."""

from __future__ import annotations

import geopandas as gpd

from geo.features import layer_frame

LAYER_ID = "aftermath"
STYLE = {
    "color": "#4d4d4d",
    "fill_color": "#bababa",
    "weight": 2,
    "dash_array": "6 4",
    "fill_opacity": 0.2,
    "radius": 6,
    "marker": "circle",
}


def build() -> gpd.GeoDataFrame:
    """The `aftermath` layer from the catalog, in EPSG:4326."""
    return layer_frame(LAYER_ID)
