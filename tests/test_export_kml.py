"""KML export: catalog text stays text where a viewer renders <description> as HTML."""

from __future__ import annotations

import html
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point
from support import found

from geo.export import export_layers
from geo.export.kml import inert_description
from geo.timing import JST

K = "{http://www.opengis.net/kml/2.2}"
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "$[name] and $[geDirections]",
    "]]><script>alert(2)</script><![CDATA[",
    "</description><name>forged</name><description>",
    "&lt;b&gt;already escaped&lt;/b&gt; &amp;",
    "<a href='javascript:alert(3)'>link</a>\nsecond line",
]


class Tags(HTMLParser):
    """The elements an HTML renderer would build from a text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def tags_in(markup: str) -> list[str]:
    parser = Tags()
    parser.feed(markup)
    parser.close()
    return parser.tags


def frame(text: str) -> gpd.GeoDataFrame:
    start = pd.Timestamp("1976-09-06 13:50", tz=JST)
    return gpd.GeoDataFrame(
        {
            "id": ["item"],
            "layer": ["bases"],
            **{column: [""] for column in ("place", "place_ja", "place_ru", "alternatives")},
            "name": [text],
            "start": [start],
            "end": [start],
            "description": [text],
            "sources": [text],
            "certainty": ["documented"],
        },
        geometry=[Point(140.82, 41.77)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_description_builds_no_element_when_rendered_as_html(tmp_path: Path, text: str) -> None:
    (path,) = export_layers({"bases": frame(text)}, "kml", tmp_path / "x.kml")
    mark = found(ET.parse(path).getroot().find(f"{K}Document/{K}Folder/{K}Placemark"))
    assert [child.tag for child in mark].count(f"{K}description") == 1  # nothing forged
    description = found(mark.findtext(f"{K}description"))
    assert tags_in(description) == []
    assert "$[" not in description  # no Google Earth entity reference
    # Back to the catalog's text when unescaped.
    assert html.unescape(description) == text
    balloon = found(mark.findtext(f"{K}Style/{K}BalloonStyle/{K}text"))
    assert set(tags_in(balloon)) <= {"h3", "p", "b", "br", "ul", "li"}  # the balloon's layout
    assert "$[" not in balloon


@pytest.mark.parametrize("text", ["Plain words, no markup", 'Belenko said "asylum"'])
def test_plain_text_needs_no_escaping(text: str) -> None:
    assert inert_description(text) == text


def test_gdal_reads_the_escaped_form(tmp_path: Path) -> None:
    if shutil.which("ogrinfo") is None:
        pytest.skip("ogrinfo (Debian package gdal-bin) is not installed")
    text = HOSTILE[1]
    (path,) = export_layers({"bases": frame(text)}, "kml", tmp_path / "x.kml")
    for driver, other, field in (
        ("LIBKML", "KML", "description"),
        ("KML", "LIBKML", "Description"),
    ):
        result = subprocess.run(
            ["ogrinfo", "-ro", "-al", "--config", "GDAL_SKIP", other, str(path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert f"  {field} (String) = {inert_description(text)}" in result.stdout, driver
