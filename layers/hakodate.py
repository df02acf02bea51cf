"""Hakodate Airport: landing, police, the guarded MiG and the Ground SDF deployment."""

from __future__ import annotations

import geopandas as gpd

from geo.features import layer_frame

LAYER_ID = "hakodate"
STYLE = {
    "color": "#762a83",
    "fill_color": "#af8dc3",
    "weight": 2,
    "dash_array": None,
    "fill_opacity": 0.3,
    "radius": 7,
    "marker": "circle",
}


def build() -> gpd.GeoDataFrame:
    """The `hakodate` layer from the catalog, in EPSG:4326."""
    return layer_frame(LAYER_ID)
