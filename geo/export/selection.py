"""Which items an export holds: checked frames, filtered by day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import geopandas as gpd
import pandas as pd

from geo.export.common import (
    ExportError,
)
from geo.schema import COLUMNS
from geo.timing import JST, active_mask

# ---------------------------------------------------------------- selection


def _checked(layer_id: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in EPSG:4326 with JST times, or ExportError if it breaks the layer contract."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ExportError(f"layer {layer_id!r} lacks columns: {', '.join(missing)}")
    if frame.crs is None:
        raise ExportError(f"layer {layer_id!r} has no CRS")
    frame = frame.to_crs(4326) if frame.crs.to_epsg() != 4326 else frame.copy()
    blank = frame.geometry.isna() | frame.geometry.is_empty
    if blank.any():
        raise ExportError(
            f"layer {layer_id!r}: item {frame['id'][blank].iloc[0]!r} has no geometry"
        )
    for column in ("start", "end"):
        if getattr(frame[column].dt, "tz", None) is None:
            raise ExportError(f"layer {layer_id!r}: {column} times have no time zone")
        frame[column] = frame[column].dt.tz_convert(JST)
    return frame.loc[:, list(COLUMNS)].reset_index(drop=True)


def filter_frames(
    frames: Mapping[str, gpd.GeoDataFrame], day: date | None = None
) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """Checked frames with only the items active on `day` (all if None), and the layers left empty.

    Layers with nothing to show are dropped (no empty files); ExportError when nothing is left.
    """
    if not frames:
        raise ExportError("nothing to export: no layers selected")
    kept: dict[str, gpd.GeoDataFrame] = {}
    empty: list[str] = []
    for layer_id, frame in frames.items():
        frame = _checked(layer_id, frame)
        if day is not None:
            # geo.timing owns the one "active on a day" rule; never restate it here.
            frame = frame[active_mask(frame, day).to_numpy()].reset_index(drop=True)
        if len(frame):
            kept[layer_id] = frame
        else:
            empty.append(layer_id)
    if not kept:
        raise nothing_left(day, empty)
    return kept, empty


def nothing_left(day: date | None, empty: list[str]) -> ExportError:
    scope = f"for {day.isoformat()} " if day is not None else ""
    return ExportError(f"nothing to export {scope}in layers {', '.join(empty)}")


def export_plan(
    items: pd.DataFrame, layer_ids: list[str] | tuple[str, ...], day: date | None = None
) -> tuple[list[str], list[str], int]:
    """What an export of `layer_ids` would hold: layers written, layers skipped as empty, and
    the feature count, with the same rule and errors as filter_frames.

    Cheap enough for every rerun of a page: `items` is one frame of all layers' items (columns
    layer, start, end) and nothing is copied or checked.
    """
    if not layer_ids:
        raise ExportError("nothing to export: no layers selected")
    chosen = items[items["layer"].isin(layer_ids)]
    if day is not None:
        chosen = chosen[active_mask(chosen, day).to_numpy()]
    counts = chosen["layer"].value_counts()
    kept = [layer_id for layer_id in layer_ids if counts.get(layer_id, 0)]
    empty = [layer_id for layer_id in layer_ids if not counts.get(layer_id, 0)]
    if not kept:
        raise nothing_left(day, empty)
    return kept, empty, int(counts.sum())
