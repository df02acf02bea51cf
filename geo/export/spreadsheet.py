"""CSV: one row per feature, for spreadsheets."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import shapely

from geo.export.common import (
    CSV_COLUMNS,
    PROPERTIES,
    properties,
)


def write_csv(frames: Mapping[str, gpd.GeoDataFrame], path: Path) -> None:
    # utf-8-sig: the BOM makes Excel read UTF-8 (else it guesses a legacy code page); GDAL,
    # LibreOffice and pandas(encoding="utf-8-sig") skip it.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)  # RFC 4180: CRLF rows, quotes where needed
        writer.writerow(CSV_COLUMNS)
        for frame in frames.values():
            for _, row in frame.iterrows():
                props = properties(row)
                geom = row.geometry
                lat, lon = (repr(geom.y), repr(geom.x)) if geom.geom_type == "Point" else ("", "")
                wkt = shapely.to_wkt(geom, rounding_precision=-1, trim=True)
                writer.writerow([*(props[c] for c in PROPERTIES), lat, lon, wkt])
