"""Soviet bases: Chuguyevka air base, Vladivostok and the unnamed bases near Hokkaido."""

from __future__ import annotations

import geopandas as gpd

from geo.features import layer_frame

LAYER_ID = "soviet_bases"
STYLE = {
    "color": "#b2182b",
    "fill_color": "#ef8a62",
    "weight": 2,
    "dash_array": None,
    "fill_opacity": 0.25,
    "radius": 7,
    "marker": "square",
}


def build() -> gpd.GeoDataFrame:
    """The `soviet_bases` layer from the catalog, in EPSG:4326."""
    return layer_frame(LAYER_ID)
