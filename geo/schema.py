"""The columns every layer frame carries, and the allowed certainty levels."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

COLUMNS: tuple[str, ...] = (
    "id",
    "layer",
    "name",
    "start",
    "end",
    "description",
    "sources",
    "certainty",
    "geometry",
)
CERTAINTIES: tuple[str, ...] = ("documented", "approximate", "illustrative")
CRS = "EPSG:4326"


def empty_frame() -> gpd.GeoDataFrame:
    """A layer frame with the right columns and no rows."""
    data = {column: pd.Series(dtype="object") for column in COLUMNS if column != "geometry"}
    for column in ("start", "end"):
        data[column] = pd.Series(dtype="datetime64[ns, UTC]")
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
