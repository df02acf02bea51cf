"""GeoJSON: one RFC 7946 FeatureCollection per layer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from geo.export.common import (
    properties,
    rfc7946_geometry,
)


def write_geojson(frame: gpd.GeoDataFrame, layer_id: str, path: Path) -> None:
    features = [
        {
            "type": "Feature",
            "properties": properties(row),
            "geometry": rfc7946_geometry(row.geometry),
        }
        for _, row in frame.iterrows()
    ]
    # One feature per line: diff-friendly; full float repr keeps coordinates exact.
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, allow_nan=False) for f in features)
    head = json.dumps({"type": "FeatureCollection", "name": layer_id}, ensure_ascii=False)[:-1]
    path.write_text(f'{head}, "features": [\n{lines}\n]}}\n', encoding="utf-8")


def write_geojson_dir(frames: Mapping[str, gpd.GeoDataFrame], folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for layer_id, frame in frames.items():
        paths.append(folder / f"{layer_id}.geojson")
        write_geojson(frame, layer_id, paths[-1])
    return paths
