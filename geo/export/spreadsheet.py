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

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets: `=HYPERLINK(...)` would run when the file is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading quote before a formula start (OWASP).

    Only for text from data; the numbers this writer makes (lat, lon) stay numbers.
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


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
                texts = [inert_cell(props[c]) for c in PROPERTIES]
                writer.writerow([*texts, lat, lon, wkt])
