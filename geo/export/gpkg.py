"""GeoPackage: one table per layer."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo.export.common import (
    GPKG_COLUMNS,
    iso,
    layer_title,
)


def write_gpkg(
    frames: Mapping[str, gpd.GeoDataFrame], path: Path, titles: Mapping[str, str] | None
) -> None:
    for number, (layer_id, frame) in enumerate(frames.items()):
        table = frame.copy()
        table["start_jst"] = [iso(t) for t in frame["start"]]
        table["end_jst"] = [iso(t) for t in frame["end"]]
        for column in ("start", "end"):
            table[column] = frame[column].dt.tz_convert("UTC")
        table = gpd.GeoDataFrame(table[[*GPKG_COLUMNS, "geometry"]], geometry="geometry")
        pyogrio.write_dataframe(
            table,
            path,
            layer=layer_id,
            driver="GPKG",
            # 1.2 keeps older GDAL/QGIS readers quiet; nothing newer is needed.
            dataset_options={"VERSION": "1.2"} if number == 0 else None,
            layer_options={
                "IDENTIFIER": layer_title(layer_id, titles),
                "DESCRIPTION": f"foxbat76 layer {layer_id}; start/end are UTC, "
                "start_jst/end_jst the same instants in JST (UTC+09:00)",
            },
            promote_to_multi=False,  # keep Polygon as Polygon, exactly as the layer has it
        )
