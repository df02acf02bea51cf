"""GeoPackage: one table per layer."""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyogrio.errors

from geo.export.common import (
    GPKG_COLUMNS,
    iso,
    layer_title,
)

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
    for number, (layer_id, frame) in enumerate(frames.items()):
        table = frame.copy()
        table["start_jst"] = [iso(t) for t in frame["start"]]
        table["end_jst"] = [iso(t) for t in frame["end"]]
        for column in ("start", "end"):
            table[column] = frame[column].dt.tz_convert("UTC")
        table = gpd.GeoDataFrame(table[[*GPKG_COLUMNS, "geometry"]], geometry="geometry")
        try:
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
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
            raise _write_failure(path, error) from None
