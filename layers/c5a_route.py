"""The USAF C-5A airlift of the MiG-25 from Hakodate to Hyakuri on 25 Sep 1976."""

from __future__ import annotations

import geopandas as gpd

from geo.features import layer_frame

LAYER_ID = "c5a_route"
STYLE = {
    "color": "#1a9850",
    "fill_color": "#91cf60",
    "weight": 4,
    "dash_array": "12 6",
    "fill_opacity": 0.0,
    "radius": 6,
    "marker": "circle",
}


def build() -> gpd.GeoDataFrame:
    """The `c5a_route` layer from the catalog, in EPSG:4326."""
    return layer_frame(LAYER_ID)
