"""KML for Google Earth and GDAL/QGIS."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry, BaseMultipartGeometry
from shapely.geometry.polygon import orient

from geo import present
from geo.export.common import (
    _GE_ICONS,
    _NCNAME,
    KML_NS,
    LICENCES,
    full_style,
    iso,
    layer_title,
    scope_text,
    text,
)
from geo.present import format_span


def _kml_color(hex_color: str, opacity: float = 1.0) -> str:
    """#rrggbb + opacity -> KML's aabbggrr."""
    red, green, blue = hex_color[1:3], hex_color[3:5], hex_color[5:7]
    return f"{round(opacity * 255):02x}{blue}{green}{red}".lower()


def _kml_coords(coords: Any) -> str:
    return " ".join(f"{x!r},{y!r}" for x, y, *_ in coords)


def _kml_geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    if isinstance(geom, Point):
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _kml_coords(geom.coords)
    elif isinstance(geom, LineString):
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"  # follow the ground in Google Earth
        ET.SubElement(line, "coordinates").text = _kml_coords(geom.coords)
    elif isinstance(geom, Polygon):
        geom = orient(geom, sign=1.0)
        polygon = ET.SubElement(parent, "Polygon")
        ET.SubElement(polygon, "tessellate").text = "1"
        rings = [("outerBoundaryIs", geom.exterior)]
        rings += [("innerBoundaryIs", ring) for ring in geom.interiors]
        for tag, ring in rings:
            linear = ET.SubElement(ET.SubElement(polygon, tag), "LinearRing")
            ET.SubElement(linear, "coordinates").text = _kml_coords(ring.coords)
    elif isinstance(geom, BaseMultipartGeometry):  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geom.geoms:
            _kml_geometry(multi, part)


def inert_description(value: str) -> str:
    """<description> text that stays text where a viewer renders it as HTML (KML allows that).

    &, < and > become entities (quotes need none outside attributes) and `$[` cannot form one
    of Google Earth's entity references; readers such as GDAL get this escaped form.
    """
    return html.escape(value, quote=False).replace("$[", "&#36;[")


def _balloon(row: pd.Series, title: str) -> str:
    """Balloon HTML; every value escaped (ElementTree then XML-escapes the whole string)."""

    def esc(text: str) -> str:
        # Google Earth fills $[...] entities in balloon text: catalog text must not form one.
        return html.escape(text).replace("$[", "&#36;[")

    description = esc(text(row["description"])).replace("\n", "<br>")
    place = present.place_line(row)
    others = "".join(f"<li>{esc(claim)}</li>" for claim in present.alternatives(row))
    cited = "".join(f"<li>{esc(source)}</li>" for source in present.sources(row))
    return (
        f"<h3>{esc(text(row['name']))}</h3>"
        + (f"<p><b>Place:</b> {esc(place)}</p>" if place else "")
        + f"<p>{description}</p>"
        f"<p><b>When:</b> {esc(format_span(row['start'], row['end']))}</p>"
        f"<p><b>Layer:</b> {esc(title)}<br><b>Certainty:</b> {esc(text(row['certainty']))}</p>"
        + (f"<p><b>Accounts differ:</b></p><ul>{others}</ul>" if others else "")
        + f"<p><b>Sources:</b></p><ul>{cited}</ul>"
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


def write_kml(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: Path,
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
) -> None:
    """KML for Google Earth and for GDAL/QGIS alike.

    <description> is the catalog's text HTML-escaped, since viewers may render it as HTML
    (GDAL's LIBKML and KML drivers read that escaped form back; the other fields are plain
    ExtendedData); Google Earth shows a formatted balloon instead, from each placemark's own
    <BalloonStyle> holding escaped HTML (entity replacement with $[description] would let
    catalog text act as markup). That inline <Style> repeats the layer's shared style: GDAL
    takes a placemark's inline style in place of its styleUrl, so QGIS keeps the colours.
    """
    root = ET.Element("kml", xmlns=KML_NS)
    document = ET.SubElement(root, "Document")
    ET.SubElement(document, "name").text = f"foxbat76 — {scope_text(day)}"
    ET.SubElement(document, "open").text = "1"
    ET.SubElement(document, "description").text = (
        "Viktor Belenko's MiG-25 defection, Sept-Nov 1976. Times are JST (UTC+09:00); "
        "use the time slider to scrub. " + " ".join(LICENCES)
    )
    layer_styles = {k: full_style(k, index, styles) for index, k in enumerate(frames)}
    for layer_id, style in layer_styles.items():
        _kml_style(ET.SubElement(document, "Style", id=f"style-{layer_id}"), style)
    for layer_id, frame in frames.items():
        title = layer_title(layer_id, titles)
        folder = ET.SubElement(document, "Folder", id=f"layer-{layer_id}")
        ET.SubElement(folder, "name").text = title
        ET.SubElement(folder, "description").text = f"layer {layer_id}"
        for _, row in frame.iterrows():
            item_id = text(row["id"])
            attrs = {"id": item_id} if _NCNAME.match(item_id) else {}
            mark = ET.SubElement(folder, "Placemark", attrs)
            ET.SubElement(mark, "name").text = text(row["name"])
            ET.SubElement(mark, "description").text = inert_description(text(row["description"]))
            begin, end = iso(row["start"]), iso(row["end"])
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
            names = ("id", "layer", "place", "place_ja", "place_ru", "certainty", "alternatives")
            values = {k: text(row[k]) for k in (*names, "sources")}
            for key, value in {**values, "start_jst": begin, "end_jst": end}.items():
                ET.SubElement(ET.SubElement(extended, "Data", name=key), "value").text = value
            _kml_geometry(mark, row.geometry)
    ET.indent(root, space=" ")
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
