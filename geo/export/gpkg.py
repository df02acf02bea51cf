"""GeoPackage: a table per layer and geometry type, and a `layers` table saying which is which."""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from shapely.geometry.base import BaseGeometry

from geo.export.common import (
    GPKG_COLUMNS,
    iso,
    layer_title,
)

# Geometry families a GIS table can hold one of, with the suffix of a layer's table for it.
FAMILIES: dict[str, tuple[str, str]] = {
    "Point": ("points", "Point"),
    "MultiPoint": ("points", "Point"),
    "LineString": ("lines", "LineString"),
    "MultiLineString": ("lines", "LineString"),
    "Polygon": ("areas", "Polygon"),
    "MultiPolygon": ("areas", "Polygon"),
}
_FAMILY_ORDER = ("points", "lines", "areas")
INDEX_TABLE = "layers"


@dataclass(frozen=True)
class GpkgTable:
    """One table of the GeoPackage: which layer it holds, with which single geometry type."""

    name: str
    layer: str
    title: str
    geometry_type: str  # Point, MultiPoint, LineString, ... as declared in gpkg_geometry_columns
    features: int


def split_by_geometry(
    layer_id: str, frame: gpd.GeoDataFrame
) -> list[tuple[str, str, gpd.GeoDataFrame]]:
    """(table name, geometry type, rows) per geometry family of a layer, in a fixed order.

    A layer with one family keeps its id as table name; a mixed one gets `<id>_points`,
    `<id>_lines`, `<id>_areas`. A table mixing single and multi parts is promoted to Multi*.
    """
    if frame.empty:
        raise ValueError(f"split_by_geometry: layer {layer_id!r} has no rows")
    kinds = frame.geometry.geom_type
    unknown = sorted(set(kinds) - set(FAMILIES))
    if unknown:
        raise ValueError(f"split_by_geometry: layer {layer_id!r} holds {', '.join(unknown)}")
    family = kinds.map(lambda kind: FAMILIES[kind][0])
    present = [name for name in _FAMILY_ORDER if (family == name).any()]
    tables = []
    for name in present:
        rows = frame[(family == name).to_numpy()].copy()
        types = set(rows.geometry.geom_type)
        if len(types) == 1:
            geometry_type = types.pop()
        else:
            base = next(FAMILIES[kind][1] for kind in types)
            geometry_type = f"Multi{base}"
            rows["geometry"] = gpd.GeoSeries(
                [_as_multi(geometry) for geometry in rows.geometry], index=rows.index, crs=rows.crs
            )
        table = layer_id if len(present) == 1 else f"{layer_id}_{name}"
        tables.append((table, geometry_type, gpd.GeoDataFrame(rows, geometry="geometry")))
    return tables


def _as_multi(geometry: BaseGeometry) -> BaseGeometry:
    if isinstance(geometry, shapely.Point):
        return shapely.MultiPoint([geometry])
    if isinstance(geometry, shapely.LineString):
        return shapely.MultiLineString([geometry])
    if isinstance(geometry, shapely.Polygon):
        return shapely.MultiPolygon([geometry])
    return geometry


def gpkg_tables(
    frames: Mapping[str, gpd.GeoDataFrame], titles: Mapping[str, str] | None
) -> list[GpkgTable]:
    """The tables an export of `frames` writes, in order (for the README and the `layers` table)."""
    return [
        GpkgTable(name, layer_id, layer_title(layer_id, titles), geometry_type, len(rows))
        for layer_id, frame in frames.items()
        for name, geometry_type, rows in split_by_geometry(layer_id, frame)
    ]


_LOW_SPACE = 256 * 1024  # bytes: below this, a failed SQLite write is taken as a full disk


def _write_failure(path: Path, error: RuntimeError) -> OSError:
    """The OSError behind a GDAL/SQLite failure, from the file system's state.

    SQLite on a full disk reports whatever statement failed next (e.g. "no such table"), so
    the message cannot be trusted to name the cause; the file system can.
    """
    try:
        info = os.statvfs(path.parent)
    except OSError as err:
        return err
    if info.f_flag & os.ST_RDONLY:
        return OSError(errno.EROFS, os.strerror(errno.EROFS))
    if info.f_bavail * info.f_frsize < _LOW_SPACE:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
    return OSError(errno.EIO, f"GDAL could not write the GeoPackage: {first_line}")


def write_gpkg(
    frames: Mapping[str, gpd.GeoDataFrame], path: Path, titles: Mapping[str, str] | None
) -> None:
    tables: list[GpkgTable] = []
    for layer_id, frame in frames.items():
        for name, geometry_type, rows in split_by_geometry(layer_id, frame):
            table = rows.copy()
            table["start_jst"] = [iso(t) for t in rows["start"]]
            table["end_jst"] = [iso(t) for t in rows["end"]]
            for column in ("start", "end"):
                table[column] = rows[column].dt.tz_convert("UTC")
            table = gpd.GeoDataFrame(table[[*GPKG_COLUMNS, "geometry"]], geometry="geometry")
            title = layer_title(layer_id, titles)
            _write(
                table,
                path,
                layer=name,
                # 1.2 keeps older GDAL/QGIS readers quiet; nothing newer is needed.
                dataset_options={"VERSION": "1.2"} if not tables else None,
                layer_options={
                    "IDENTIFIER": title if name == layer_id else f"{title} ({name})",
                    "DESCRIPTION": f"foxbat76 layer {layer_id}; start/end are UTC, "
                    "start_jst/end_jst the same instants in JST (UTC+09:00)",
                },
                geometry_type=geometry_type,  # declared: GIS programs need one type per table
                promote_to_multi=False,  # split_by_geometry already chose the type
            )
            tables.append(GpkgTable(name, layer_id, title, geometry_type, len(rows)))
    index = pd.DataFrame(
        {
            "table_name": [t.name for t in tables],
            "layer": [t.layer for t in tables],
            "title": [t.title for t in tables],
            "geometry_type": [t.geometry_type for t in tables],
            "features": [t.features for t in tables],
        }
    )
    # A plain attribute table (no geometry): which table belongs to which layer.
    _write(
        index,
        path,
        layer=INDEX_TABLE,
        layer_options={"IDENTIFIER": "Layers and their tables"},
    )


def _write(frame: pd.DataFrame, path: Path, **options: object) -> None:
    try:
        pyogrio.write_dataframe(frame, path, driver="GPKG", **options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise _write_failure(path, error) from None
