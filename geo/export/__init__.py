"""Export layer frames as GeoJSON, GeoPackage, KML, CSV, an offline HTML map, a ZIP or pictures."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import geopandas as gpd

from geo.export.atomic import publish, publish_dir, refusal, staging
from geo.export.bundle import write_zip
from geo.export.common import (
    CSV_COLUMNS,
    FORMAT_LABELS,
    FORMATS,
    GPKG_COLUMNS,
    MIME_TYPES,
    PROPERTIES,
    SUFFIXES,
    ExportError,
    ReplaceRefused,
    check_format,
    export_filename,
    export_mime,
)
from geo.export.geojson import write_geojson, write_geojson_dir
from geo.export.gpkg import write_gpkg
from geo.export.kml import write_kml
from geo.export.page import write_html
from geo.export.selection import export_plan, filter_frames
from geo.export.spreadsheet import write_csv
from geo.export.story import (
    PICTURE_FORMATS,
    PictureRequest,
    describe,
    dialog_request,
    export_picture,
    picture_bytes,
)
from geo.export.targets import check_replaceable
from geo.messages import shown_path

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "FORMAT_LABELS",
    "GPKG_COLUMNS",
    "MIME_TYPES",
    "PICTURE_FORMATS",
    "PROPERTIES",
    "SUFFIXES",
    "ExportError",
    "PictureRequest",
    "ReplaceRefused",
    "describe",
    "dialog_request",
    "existing_targets",
    "export_bytes",
    "export_filename",
    "export_layers",
    "export_mime",
    "export_picture",
    "export_plan",
    "filter_frames",
    "picture_bytes",
]


def export_layers(
    frames: dict[str, gpd.GeoDataFrame],
    fmt: str,
    out: Path,
    *,
    day: date | None = None,
    titles: dict[str, str] | None = None,
    styles: dict[str, dict] | None = None,
    force: bool = False,
) -> list[Path]:
    """Write `frames` (layer id -> layer frame) as `fmt` and return the paths written.

    geojson: a new `out` becomes a directory of `<layer>.geojson` files; an existing directory
    `out` receives a folder named like `export_filename(...)` without its suffix (e.g.
    `foxbat76_1976-09-25_8-layers/`); an `out` ending in `.geojson` is one FeatureCollection,
    for exactly one layer. Other formats: `out` is the file to write (a path without a suffix
    gets the format's), or an existing directory to put `export_filename(...)` in.
    With `day`, only items active that JST day; layers left empty are skipped.
    All-or-nothing: everything is staged beside the target and renamed into place. A file of
    this format or a GeoJSON export folder already at the target is replaced whole
    (`existing_targets` names it beforehand); another format's file only with `force`; a
    folder holding anything but `.geojson` files, a link, pipe or device never. Any OSError
    (disk full, read-only, name too long) becomes an ExportError naming the path.
    """
    check_format(fmt)
    if fmt in PICTURE_FORMATS:
        raise ExportError(f"{fmt} is a picture format: use export_picture")
    kept, empty = filter_frames(frames, day)
    target = Path(out)
    try:
        target = _target(fmt, Path(out), day, list(kept), force)
        if fmt == "geojson" and target.suffix.lower() != ".geojson":
            return _export_geojson_dir(kept, target)
        with staging(target.parent) as stage:
            # The staged name carries the format's suffix: GDAL checks it (GPKG conformance).
            staged = stage / f"export{SUFFIXES[fmt]}"
            if fmt == "geojson":
                ((layer_id, frame),) = kept.items()
                write_geojson(frame, layer_id, staged)
            elif fmt == "gpkg":
                write_gpkg(kept, staged, titles)
            elif fmt == "kml":
                write_kml(kept, staged, titles, styles, day)
            elif fmt == "csv":
                write_csv(kept, staged)
            elif fmt == "html":
                write_html(kept, staged, titles, styles, day)
            else:
                write_zip(kept, staged, titles, styles, day, empty)
            check_replaceable(target, fmt, force=force)  # again: it may have changed meanwhile
            return [publish(staged, target)]
    except OSError as err:
        raise ExportError(f"cannot write {shown_path(target)}: {refusal(err)}") from None


def existing_targets(
    frames: dict[str, gpd.GeoDataFrame],
    fmt: str,
    out: Path,
    *,
    day: date | None = None,
    force: bool = False,
) -> list[Path]:
    """What `export_layers` with the same arguments would replace: [] or [the file or folder].

    For a caller to tell its user before exporting (e.g. "note: replacing x.gpkg"). Raises the
    ExportError that export_layers would raise for a bad request or `out` (ReplaceRefused for
    a target it must not replace).
    """
    check_format(fmt)
    kept, _ = filter_frames(frames, day)
    try:
        target = _target(fmt, Path(out), day, list(kept), force)
        return [target] if os.path.lexists(target) else []
    except OSError as err:
        raise ExportError(f"cannot write {shown_path(out)}: {refusal(err)}") from None


def _target(fmt: str, out: Path, day: date | None, layer_ids: list[str], force: bool) -> Path:
    """The file, or for GeoJSON of several layers the folder, that an export to `out` makes.

    Raises ReplaceRefused if something is there that the export must not replace.
    """
    if "\x00" in str(out):
        raise ExportError(f"output path {shown_path(out)} contains a NUL character")
    name = export_filename(fmt, day, layer_ids)
    if fmt != "geojson":
        if out.is_dir():
            target = out / name
        else:
            target = out if out.suffix else out.with_name(out.name + SUFFIXES[fmt])
        check_replaceable(target, fmt, force=force)
        return target
    if out.is_dir():
        # A folder of its own, named like the other formats' files: an earlier export of
        # another day or layer set in `out` is neither mixed in nor deleted.
        target = out / name.removesuffix(".zip").removesuffix(".geojson")
    elif out.suffix.lower() == ".geojson":
        if len(layer_ids) != 1:
            raise ExportError(
                f"GeoJSON of several layers needs a directory, not a .geojson file: "
                f"{shown_path(out)} ({len(layer_ids)} layers: {', '.join(layer_ids)})"
            )
        check_replaceable(out, fmt, force=force)
        return out
    else:
        check_replaceable(out, fmt, folder=True)  # a file, link or pipe there is refused
        return out
    if check_replaceable(target, fmt, folder=True):
        other = sorted(
            p.name for p in target.iterdir() if not (p.is_file() and p.suffix == ".geojson")
        )
        if other:
            raise ReplaceRefused(
                f"not replacing {shown_path(target)}: it holds more than GeoJSON files "
                f"({', '.join(other)})"
            )
    return target


def _export_geojson_dir(frames: Mapping[str, gpd.GeoDataFrame], target: Path) -> list[Path]:
    with staging(target.parent) as stage:
        written = write_geojson_dir(frames, stage / "geojson")
        check_replaceable(target, "geojson", folder=True)
        publish_dir(stage / "geojson", target, stage)
        return [target / p.name for p in written]


def export_bytes(
    frames: dict[str, gpd.GeoDataFrame],
    fmt: str,
    *,
    day: date | None = None,
    titles: dict[str, str] | None = None,
    styles: dict[str, dict] | None = None,
) -> tuple[str, bytes, str]:
    """(file name, content, MIME type) of an export, for a download button.

    GeoJSON of one layer is its FeatureCollection; of several, a zip of one FeatureCollection
    per layer (the same files the CLI writes), so each stays a valid RFC 7946 layer.
    """
    check_format(fmt)
    kept, _ = filter_frames(frames, day)
    name = export_filename(fmt, day, list(kept))
    with tempfile.TemporaryDirectory(prefix="foxbat76-export-") as tmp:
        if fmt == "geojson":
            paths = export_layers(kept, fmt, Path(tmp) / "geojson", day=day)
            if len(paths) == 1:
                return name, paths[0].read_bytes(), MIME_TYPES["geojson"]
            buffer = Path(tmp) / name
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in paths:
                    archive.write(path, path.name)
            return name, buffer.read_bytes(), export_mime(fmt, list(kept))
        target = Path(tmp) / name
        (path,) = export_layers(frames, fmt, target, day=day, titles=titles, styles=styles)
        return name, path.read_bytes(), MIME_TYPES[fmt]
