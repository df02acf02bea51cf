"""Exports read back by independent readers: pyogrio, GDAL's ogrinfo, XML, csv and Chromium."""

from __future__ import annotations

import csv
import errno
import html
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Point, Polygon
from support import TRICKY, found, serious_accessibility_problems

from geo import export
from geo.export import ExportError, atomic, bundle, export_bytes, export_filename, export_layers
from geo.export import geojson as geojson_writer
from geo.export.common import KML_NS
from geo.schema import COLUMNS
from geo.store import visible as store_visible
from geo.timing import JST, active_mask

IN_CI = bool(os.environ.get("CI"))
K = "{http://www.opengis.net/kml/2.2}"
TOLERANCE = 1e-7  # degrees, ~1 cm


def layer(layer_id: str, rows: list[dict]) -> gpd.GeoDataFrame:
    """A layer frame as the contract has it: columns in order, JST times, EPSG:4326."""
    frame = pd.DataFrame(rows)
    frame["layer"] = layer_id
    frame["start"] = pd.to_datetime(frame["start"], format="ISO8601").dt.tz_localize(JST)
    frame["end"] = pd.to_datetime(frame["end"], format="ISO8601").dt.tz_localize(JST)
    frame["sources"] = "Wikipedia: Viktor Belenko; airportsdata"
    if "certainty" not in frame:
        frame["certainty"] = None
    frame["certainty"] = frame["certainty"].fillna("documented")
    for column in ("place", "place_ja", "place_ru", "alternatives"):
        frame[column] = frame[column].fillna("") if column in frame else ""
    columns = [c for c in COLUMNS if c != "geometry"]
    return gpd.GeoDataFrame(frame[columns], geometry=list(frame["geometry"]), crs="EPSG:4326")


# Clockwise exterior and counter-clockwise hole on purpose: the exports must re-orient them.
ZONE = Polygon(
    [(139.5, 41.0), (139.5, 41.9), (141.9, 41.9), (141.9, 41.0)],
    [[(140.0, 41.2), (140.4, 41.2), (140.4, 41.5), (140.0, 41.5)]],
)


@pytest.fixture
def frames() -> dict[str, gpd.GeoDataFrame]:
    bases = layer(
        "bases",
        [
            {
                "id": "hakodate-airport",
                "name": "Hakodate Airport (函館空港)",
                "start": "1976-09-06 13:50",
                "end": "1976-09-25 06:00",
                "description": TRICKY,
                "geometry": Point(140.8219444444444, 41.7700123456789),
            },
            {
                "id": "radar-contact",
                "name": "Radar contact",
                "start": "1976-09-06 13:10",
                "end": "1976-09-06 13:10",
                "description": "JASDF radar picks up an unknown aircraft.",
                "certainty": "approximate",
                "geometry": Point(139.1234567, 42.7654321),
            },
            {
                "id": "hitachi",
                "name": "Hitachi port",
                "start": "1976-11-15 00:00",
                "end": "1976-11-15 23:59:59",
                "description": "The crates leave for the Soviet Union.",
                "geometry": Point(140.6123456, 36.5012345),
            },
        ],
    )
    routes = layer(
        "routes",
        [
            {
                "id": "c5a-airlift",
                "name": "C-5A airlift",
                "start": "1976-09-25 09:00",
                "end": "1976-09-25 12:00",
                "description": "Hakodate to Hyakuri.",
                "geometry": LineString([(140.8219444, 41.77), (140.6, 39.0), (140.4147222, 36.18)]),
            }
        ],
    )
    zones = layer(
        "zones",
        [
            {
                "id": "tsugaru-patrol",
                "name": "Tsugaru Strait patrol",
                "start": "1976-09-08 00:00",
                "end": "1976-09-25 23:59",
                "description": "Area with a hole; certainty illustrative.",
                "certainty": "illustrative",
                "geometry": ZONE,
            },
            {
                "id": "two-boxes",
                "name": "Two boxes",
                "start": "1976-09-07 00:00",
                "end": "1976-09-09 00:00",
                "description": "A multipolygon.",
                "geometry": MultiPolygon(
                    [
                        Polygon([(143.0, 42.0), (143.5, 42.0), (143.5, 42.5)]),
                        Polygon([(144.0, 42.0), (144.5, 42.0), (144.5, 42.5)]),
                    ]
                ),
            },
            {
                "id": "ships",
                "name": "Ships on station",
                "start": "1976-09-08 00:00",
                "end": "1976-09-25 23:59",
                "description": "Two ships, one MultiPoint.",
                "certainty": "approximate",
                "geometry": MultiPoint([(139.61234567, 42.01234567), (142.98765432, 41.5)]),
            },
        ],
    )
    return {"bases": bases, "routes": routes, "zones": zones}


TITLES = {"bases": "Air bases", "routes": "C-5A route", "zones": "Patrol zones"}
STYLES = {
    "bases": {"color": "#c0392b", "fill_color": "#e74c3c", "weight": 2, "radius": 7,
              "fill_opacity": 0.8, "marker": "square", "dash_array": None},
    "routes": {"color": "#16a085", "fill_color": "#16a085", "weight": 3, "radius": 5,
               "fill_opacity": 0.2, "marker": "circle", "dash_array": "6 4"},
    "zones": {"color": "#2980b9", "fill_color": "#3498db", "weight": 1, "radius": 5,
              "fill_opacity": 0.25, "marker": "circle", "dash_array": None},
}  # fmt: skip


# ---------------------------------------------------------------- helpers


def same_geometry(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    """Equal within 1e-7 degrees, whatever the ring orientation or start vertex."""
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), TOLERANCE))


def assert_same_items(expected: gpd.GeoDataFrame, got: gpd.GeoDataFrame) -> None:
    """Same ids, names, instants and geometries (within 1e-7 degrees), in the same order."""
    assert list(got["id"]) == list(expected["id"])
    assert list(got["name"]) == list(expected["name"])
    for column in ("start", "end"):
        assert list(got[column].dt.tz_convert(JST)) == list(expected[column])
    for want, have in zip(expected.geometry, got.geometry, strict=True):
        assert same_geometry(want, have), (want.wkt, have.wkt)


def ogrinfo(path: Path, *args: str) -> str:
    """GDAL's own reader; missing ogrinfo skips here but fails under CI."""
    if shutil.which("ogrinfo") is None:
        message = "ogrinfo (Debian package gdal-bin) is not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", *args, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # not even a warning (e.g. non-conformant GPKG)
    return result.stdout


_OGR_TIME = re.compile(
    r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:([+-])(\d\d)(?::?(\d\d))?)?$"
)


def ogr_time(text: str) -> datetime:
    """ogrinfo's '1976/09/06 13:10:00+09' as an aware datetime (the zone is required)."""
    match = _OGR_TIME.match(text)
    assert match and match.group(7), f"no time zone in {text!r}"
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    offset = timedelta(hours=int(match.group(8)), minutes=int(match.group(9) or 0))
    zone = timezone(offset if match.group(7) == "+" else -offset)
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def ogr_layers(text: str) -> dict[str, list[dict[str, str]]]:
    """Features of `ogrinfo -al` output: layer name -> [{field: value, ..., 'geometry': wkt}]."""
    layers: dict[str, list[dict[str, str]]] = {}
    current: dict[str, str] | None = None
    last = ""
    for line in text.splitlines():
        if line.startswith("Layer name: "):
            layers[line.removeprefix("Layer name: ")] = []
            current = None
        elif match := re.match(r"OGRFeature\((.*)\):\d+$", line):
            current = {}
            layers[match.group(1)].append(current)
        elif current is not None and (match := re.match(r"  (\w+) \((\w+)\) = (.*)$", line)):
            last = match.group(1)
            current[last] = match.group(3)
        elif current is not None and re.match(r"  (MULTI|POINT|LINESTRING|POLYGON|GEOM)", line):
            current["geometry"] = line.strip()
        elif current is not None and line.startswith("  Style = "):
            current["Style"] = line.removeprefix("  Style = ")
        elif current is not None and line and "geometry" not in current:
            current[last] += "\n" + line  # a text value that goes on over several lines
    return layers


def assert_ogr_items(expected: gpd.GeoDataFrame, got: list[dict[str, str]], name: str = "name"):
    assert [f["id"] for f in got] == list(expected["id"])
    assert [f[name] for f in got] == list(expected["name"])
    # itertuples gives namedtuples of the frame's columns, which pandas' stubs cannot type.
    rows: Iterable[Any] = expected.itertuples()
    for row, feature in zip(rows, got, strict=True):
        if "start" in feature:
            assert ogr_time(feature["start"]) == row.start
            assert ogr_time(feature["end"]) == row.end
        assert same_geometry(row.geometry, shapely.from_wkt(feature["geometry"]))


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def is_ccw(ring: list[list[float]]) -> bool:
    return shapely.LinearRing(ring).is_ccw


# ---------------------------------------------------------------- GeoJSON


def test_geojson_one_rfc7946_collection_per_layer(frames, tmp_path):
    out = tmp_path / "geojson"
    paths = export_layers(frames, "geojson", out)
    assert paths == [out / "bases.geojson", out / "routes.geojson", out / "zones.geojson"]
    assert listing(out) == ["bases.geojson", "routes.geojson", "zones.geojson"]
    for path, (layer_id, frame) in zip(paths, frames.items(), strict=True):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["type"] == "FeatureCollection"
        assert "crs" not in doc
        assert len(doc["features"]) == len(frame)
        for feature, row in zip(doc["features"], frame.itertuples(), strict=True):
            props = feature["properties"]
            assert list(props) == list(export.PROPERTIES)
            assert props["layer"] == layer_id
            assert props["start"] == row.start.isoformat()
            assert re.fullmatch(r"1976-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", props["end"])
            geometry = feature["geometry"]
            polygons = {
                "Polygon": [geometry["coordinates"]],
                "MultiPolygon": geometry["coordinates"],
            }
            polygons = polygons.get(geometry["type"], [])
            for rings in polygons:
                assert is_ccw(rings[0]), "exterior ring must be counter-clockwise"
                assert all(not is_ccw(hole) for hole in rings[1:]), "holes must be clockwise"
    first = json.loads(paths[0].read_text())["features"][0]
    assert first["geometry"]["coordinates"] == [140.8219444444444, 41.7700123456789]  # lon, lat
    assert first["properties"]["description"] == TRICKY
    assert first["properties"]["name"] == "Hakodate Airport (函館空港)"


def test_geojson_reads_back_with_geopandas(frames, tmp_path):
    for path, frame in zip(export_layers(frames, "geojson", tmp_path / "g"), frames.values(),
                           strict=True):  # fmt: skip
        got = gpd.read_file(path)
        for column in ("start", "end"):
            assert str(got[column].dt.tz) in ("UTC+09:00", "+09:00")
            got[column] = got[column].dt.tz_convert(JST).astype(frame[column].dtype)
        got = got[list(frame.columns)]
        want = frame.copy()
        for table in (got, want):
            table.geometry = shapely.normalize(table.geometry.to_numpy())
        assert_geodataframe_equal(got, want, check_dtype=False, check_index_type=False)


def test_geojson_reads_back_with_ogrinfo(frames, tmp_path):
    for path, frame in zip(export_layers(frames, "geojson", tmp_path / "g"), frames.values(),
                           strict=True):  # fmt: skip
        (features,) = ogr_layers(ogrinfo(path)).values()
        assert_ogr_items(frame, features)
        assert features[0]["start"].endswith("+09")


def test_day_filter_keeps_what_active_mask_keeps_and_skips_empty_layers(frames, tmp_path):
    day = date(1976, 9, 25)
    paths = export_layers(frames, "geojson", tmp_path / "g", day=day)
    assert [p.name for p in paths] == ["bases.geojson", "routes.geojson", "zones.geojson"]
    for path, frame in zip(paths, frames.values(), strict=True):
        ids = [f["properties"]["id"] for f in json.loads(path.read_text())["features"]]
        assert ids == list(frame.loc[active_mask(frame, day), "id"])
    # 1976-11-15: only Hitachi; the other two layers get no (empty) file.
    paths = export_layers(frames, "geojson", tmp_path / "h", day=date(1976, 11, 15))
    assert [p.name for p in paths] == ["bases.geojson"]
    assert listing(tmp_path / "h") == ["bases.geojson"]
    kept, empty = export.filter_frames(frames, date(1976, 11, 15))
    assert list(kept) == ["bases"] and empty == ["routes", "zones"]


def test_day_boundary_is_the_jst_day(frames, tmp_path):
    # Hakodate ends 25 Sep 06:00 JST = 24 Sep 21:00 UTC: it is still there on the JST 25th.
    path = export_layers({"bases": frames["bases"]}, "geojson", tmp_path, day=date(1976, 9, 25))[0]
    ids = [f["properties"]["id"] for f in json.loads(path.read_text())["features"]]
    assert ids == ["hakodate-airport"]


def test_geojson_into_an_existing_folder_gets_a_folder_of_its_own(frames, tmp_path):
    out = tmp_path / "exports"
    whole = export_layers(frames, "geojson", out)
    assert listing(out) == ["bases.geojson", "routes.geojson", "zones.geojson"]
    # A day's export into the same folder: its own subfolder, no stale layers mixed in.
    day = export_layers(frames, "geojson", out, day=date(1976, 11, 15))
    folder = out / "foxbat76_1976-11-15_bases"
    assert day == [folder / "bases.geojson"]
    assert listing(folder) == ["bases.geojson"]
    assert [json.loads(p.read_text())["name"] for p in whole] == ["bases", "routes", "zones"]
    assert len(json.loads(whole[0].read_text())["features"]) == 3  # the first export is intact


def test_geojson_export_folder_is_replaced_whole(frames, tmp_path):
    folder = tmp_path / "foxbat76_all_bases-routes-zones"
    folder.mkdir()
    (folder / "aftermath.geojson").write_text("stale layer of an older export")
    (folder / "bases.geojson").write_text("stale")
    assert export.existing_targets(frames, "geojson", tmp_path) == [folder]
    paths = export_layers(frames, "geojson", tmp_path)
    assert paths == [folder / f"{k}.geojson" for k in frames]
    assert listing(tmp_path) == [folder.name, *(f"{folder.name}/{k}.geojson" for k in frames)]
    assert json.loads(paths[0].read_text())["type"] == "FeatureCollection"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"notes.txt": "mine"}, r"^not replacing .*/foxbat76_all_routes: it holds more than "
                                r"GeoJSON files \(notes\.txt\)$"),
        ({"sub/x.geojson": "mine"}, r"^not replacing .*: it holds more than GeoJSON files "
                                    r"\(sub\)$"),
        (None, r"^output path is a file, GeoJSON needs a directory: .*/foxbat76_all_routes$"),
    ],
)  # fmt: skip
def test_a_folder_that_is_not_an_export_is_never_replaced(frames, tmp_path, content, message):
    target = tmp_path / "foxbat76_all_routes"
    if content is None:
        target.write_text("a file of the same name")
    for name, text in (content or {}).items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(ExportError, match=message):
        export.existing_targets({"routes": frames["routes"]}, "geojson", tmp_path)
    with pytest.raises(ExportError, match=message):
        export_layers({"routes": frames["routes"]}, "geojson", tmp_path)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("moving_back_fails", [False, True])
def test_geojson_swap_failure_keeps_the_previous_export(
    frames, tmp_path, monkeypatch, moving_back_fails
):
    folder = tmp_path / "foxbat76_all_routes"
    folder.mkdir()
    (folder / "routes.geojson").write_text("previous export")
    real = os.replace

    def flaky(src, dst):
        # The finished new folder cannot move into place (and, worse, the old one not back).
        if Path(src).name == "geojson" or (moving_back_fails and Path(dst) == folder):
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    message = r"^cannot write .*/foxbat76_all_routes: input/output error"
    message += (
        r"; the previous export is in .*/\.foxbat76-export-\w+/previous and the next export "
        r"here puts it back$"
        if moving_back_fails
        else "$"
    )
    with pytest.raises(ExportError, match=message):
        export_layers({"routes": frames["routes"]}, "geojson", tmp_path)
    (kept,) = (
        tmp_path.rglob("routes.geojson")
        if not moving_back_fails
        else [p for p in tmp_path.rglob("routes.geojson") if p.parent.name == "previous"]
    )
    assert kept.read_text() == "previous export"
    assert (kept.parent == folder) is not moving_back_fails
    if moving_back_fails:  # the next run in that folder puts the previous export back first
        monkeypatch.setattr(atomic.os, "replace", real)
        assert atomic.clean_stale(tmp_path)
    assert listing(tmp_path) == [folder.name, f"{folder.name}/routes.geojson"]
    assert (folder / "routes.geojson").read_text() == "previous export"


@pytest.mark.parametrize(
    ("pick", "day", "expected_id"),
    [
        (["routes"], None, "c5a-airlift"),
        # Several layers asked for, one left on the day: that one layer, as one file.
        (["bases", "routes", "zones"], date(1976, 11, 15), "hitachi"),
    ],
)
def test_geojson_out_named_geojson_is_one_feature_collection(
    frames, tmp_path, pick, day, expected_id
):
    out = tmp_path / "hak.geojson"
    assert export_layers({k: frames[k] for k in pick}, "geojson", out, day=day) == [out]
    assert out.is_file()
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in document["features"]] == [expected_id]
    assert listing(tmp_path) == ["hak.geojson"]


@pytest.mark.parametrize(
    ("pick", "day", "message"),
    [
        (["bases", "routes", "zones"], None,
         r"^GeoJSON of several layers needs a directory, not a \.geojson file: .*/hak\.geojson "
         r"\(3 layers: bases, routes, zones\)$"),
        (["bases", "zones"], date(1976, 9, 8),
         r"^GeoJSON of several layers needs a directory, .*\(2 layers: bases, zones\)$"),
    ],
)  # fmt: skip
def test_geojson_file_of_several_layers_is_refused(frames, tmp_path, pick, day, message):
    with pytest.raises(ExportError, match=message):
        export_layers({k: frames[k] for k in pick}, "geojson", tmp_path / "hak.geojson", day=day)
    assert listing(tmp_path) == []


# ---------------------------------------------------------------- GeoPackage


# A layer mixing geometry types becomes one table per type; a table mixing single and multi
# parts is promoted to Multi*. The fixture's zones hold a Polygon, a MultiPolygon, a MultiPoint.
GPKG_TABLES = {
    "bases": ("bases", "Point", ["hakodate-airport", "radar-contact", "hitachi"]),
    "routes": ("routes", "LineString", ["c5a-airlift"]),
    "zones_points": ("zones", "MultiPoint", ["ships"]),
    "zones_areas": ("zones", "MultiPolygon", ["tsugaru-patrol", "two-boxes"]),
}


def gpkg_rows(frames: dict[str, gpd.GeoDataFrame], table: str) -> gpd.GeoDataFrame:
    """The rows a GeoPackage table should hold, single parts promoted where the table is Multi*."""
    layer_id, geometry_type, ids = GPKG_TABLES[table]
    rows = frames[layer_id].set_index("id", drop=False).loc[ids].reset_index(drop=True)
    multi = getattr(shapely, geometry_type)
    if geometry_type.startswith("Multi"):
        rows["geometry"] = gpd.GeoSeries(
            [g if g.geom_type == geometry_type else multi([g]) for g in rows.geometry],
            index=rows.index,
            crs=rows.crs,
        )
    return rows


def test_gpkg_one_table_per_layer_and_geometry_type_reads_back(frames, tmp_path):
    (path,) = export_layers(frames, "gpkg", tmp_path / "x.gpkg", titles=TITLES)
    assert path == tmp_path / "x.gpkg"
    assert [name for name, _ in pyogrio.list_layers(path)] == [*GPKG_TABLES, "layers"]
    for table, (_, geometry_type, _) in GPKG_TABLES.items():
        frame = gpkg_rows(frames, table)
        got = gpd.read_file(path, layer=table)
        assert pyogrio.read_info(path, layer=table)["geometry_type"] == geometry_type
        assert set(got.geometry.geom_type) == {geometry_type}
        # Real DATETIME fields, stored in UTC as the GPKG standard requires: same instants.
        assert str(got["start"].dt.tz) == "UTC"
        assert_same_items(frame, got)
        assert list(got["start_jst"]) == [t.isoformat() for t in frame["start"]]
        assert list(got["end_jst"]) == [t.isoformat() for t in frame["end"]]
        for column in ("layer", "description", "sources", "certainty"):
            assert list(got[column]) == list(frame[column])
        assert found(got.crs).to_epsg() == 4326
        # The whole table, back in JST: the layer's rows (GPKG keeps full doubles).
        for column in ("start", "end"):
            got[column] = got[column].dt.tz_convert(JST).astype(frame[column].dtype)
        assert_geodataframe_equal(got[list(frame.columns)], frame, check_dtype=False)
        assert pyogrio.read_info(path, layer=table)["fields"].tolist()[:8] == [
            "id", "layer", "name", "place", "place_ja", "place_ru", "start", "end"
        ]  # fmt: skip
    index = pyogrio.read_dataframe(path, layer="layers", read_geometry=False)
    assert index.to_dict("records") == [
        {"table_name": table, "layer": layer_id, "title": TITLES[layer_id],
         "geometry_type": geometry_type, "features": len(ids)}
        for table, (layer_id, geometry_type, ids) in GPKG_TABLES.items()
    ]  # fmt: skip


def test_gpkg_reads_back_with_ogrinfo(frames, tmp_path):
    (path,) = export_layers(frames, "gpkg", tmp_path / "x.gpkg", titles=TITLES)
    text = ogrinfo(path)
    assert "start: DateTime" in text
    got = ogr_layers(text)
    assert list(got) == [*GPKG_TABLES, "layers"]
    for table in GPKG_TABLES:
        frame = gpkg_rows(frames, table)
        assert_ogr_items(frame, got[table])
        assert all(f["start"].endswith("+00") for f in got[table])
        assert [f["start_jst"] for f in got[table]] == [t.isoformat() for t in frame["start"]]
    # The layer title travels as the table's identifier.
    assert "Air bases" in ogrinfo(path, "-so")


def test_gpkg_every_table_of_the_real_layers_has_one_geometry_type(tmp_path):
    import layers

    frames = layers.build_all()
    titles, _ = layers.presentation(list(frames))
    (path,) = export_layers(frames, "gpkg", tmp_path / "x.gpkg", titles=titles)
    summary = ogrinfo(path, "-so")
    declared = re.findall(r"^Geometry: (.*)$", summary, flags=re.MULTILINE)
    tables = re.findall(r"^Layer name: (.*)$", summary, flags=re.MULTILINE)
    assert len(declared) == len(tables) == len(pyogrio.list_layers(path))
    assert "Unknown (any)" not in declared
    assert declared[-1] == "None" and tables[-1] == "layers"  # the plain attribute table
    index = pyogrio.read_dataframe(path, layer="layers", read_geometry=False)
    assert list(index["table_name"]) == tables[:-1]
    assert dict(index.groupby("layer")["features"].sum()) == {k: len(f) for k, f in frames.items()}


# ---------------------------------------------------------------- KML


def test_kml_folders_styles_and_times(frames, tmp_path):
    (path,) = export_layers(frames, "kml", tmp_path / "x.kml", titles=TITLES, styles=STYLES)
    root = ET.parse(path).getroot()
    assert root.tag == f"{K}kml"
    document = found(root.find(f"{K}Document"))
    styles = {s.get("id"): s for s in document.findall(f"{K}Style")}
    folders = document.findall(f"{K}Folder")
    assert [f.findtext(f"{K}name") for f in folders] == list(TITLES.values())
    bases = styles["style-bases"]
    assert bases.findtext(f"{K}LineStyle/{K}color") == "ff2b39c0"  # aabbggrr of #c0392b
    assert bases.findtext(f"{K}PolyStyle/{K}color") == "cc3c4ce7"  # #e74c3c at 0.8
    assert found(found(bases.find(f"{K}IconStyle/{K}Icon/{K}href")).text).endswith("square.png")
    assert styles["style-routes"].findtext(f"{K}LineStyle/{K}width") == "3"
    for folder, (layer_id, frame) in zip(folders, frames.items(), strict=True):
        marks = folder.findall(f"{K}Placemark")
        assert len(marks) == len(frame)
        for mark, row in zip(marks, frame.itertuples(), strict=True):
            assert mark.findtext(f"{K}name") == row.name
            assert mark.findtext(f"{K}styleUrl") == f"#style-{layer_id}"
            assert found(mark.findtext(f"{K}styleUrl"))[1:] in styles
            if row.start == row.end:
                assert mark.find(f"{K}TimeSpan") is None
                assert mark.findtext(f"{K}TimeStamp/{K}when") == row.start.isoformat()
            else:
                assert mark.findtext(f"{K}TimeSpan/{K}begin") == row.start.isoformat()
                assert mark.findtext(f"{K}TimeSpan/{K}end") == row.end.isoformat()
            data = {d.get("name"): d.findtext(f"{K}value") for d in mark.iter(f"{K}Data")}
            assert data == {"id": row.id, "layer": layer_id, "place": row.place,
                            "place_ja": row.place_ja, "place_ru": row.place_ru,
                            "certainty": row.certainty, "alternatives": row.alternatives,
                            "sources": row.sources, "start_jst": row.start.isoformat(),
                            "end_jst": row.end.isoformat()}  # fmt: skip
            # <description> is the catalog text HTML-escaped: inert where shown as HTML.
            assert html.unescape(found(mark.findtext(f"{K}description"))) == row.description
            # Google Earth's balloon is the placemark's own BalloonStyle: HTML in which catalog
            # text is escaped, never live markup. The inline style repeats the layer's colours.
            inline = found(mark.find(f"{K}Style"))
            assert inline.get("id") is None
            for part in ("IconStyle", "LineStyle", "PolyStyle"):
                mine, shared = (
                    [(e.tag, (e.text or "").strip()) for e in found(node.find(f"{K}{part}")).iter()]
                    for node in (inline, styles[f"style-{layer_id}"])
                )
                assert mine == shared
            balloon = found(inline.findtext(f"{K}BalloonStyle/{K}text"))
            assert f"<h3>{html.escape(row.name)}</h3>" in balloon
            for source in row.sources.split("; "):
                assert f"<li>{html.escape(source)}</li>" in balloon
            assert f"<b>Layer:</b> {TITLES[layer_id]}" in balloon
            assert "<script>" not in balloon
    balloon = found(
        found(folders[0].find(f"{K}Placemark")).findtext(f"{K}Style/{K}BalloonStyle/{K}text")
    )
    assert "&lt;b&gt;not bold&lt;/b&gt;" in balloon
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in balloon
    assert "<b>When:</b> 6 Sep 1976 13:50 \u2013 25 Sep 1976 06:00 JST" in balloon


def test_kml_balloon_text_cannot_trigger_google_earth_entities(frames, tmp_path):
    routes = frames["routes"].copy()
    routes["description"] = "Fuel $[price] per ton"
    (path,) = export_layers({"routes": routes}, "kml", tmp_path / "x.kml")
    mark = found(ET.parse(path).getroot().find(f"{K}Document/{K}Folder/{K}Placemark"))
    assert mark.findtext(f"{K}description") == "Fuel &#36;[price] per ton"
    balloon = found(mark.findtext(f"{K}Style/{K}BalloonStyle/{K}text"))
    assert "$[" not in balloon and "Fuel &#36;[price] per ton" in balloon


# Quotes, <, & and non-ASCII: Hakodate in Japanese, Belenko in Cyrillic, an em dash.
KML_TEXT = 'Belenko: "I want asylum" <ask> & wait — 函館, Беленко'


# GDAL reads <description> as written: HTML-escaped, so that a viewer rendering it as HTML
# shows the text (quotes stay as they are).
ESCAPED_KML_TEXT = KML_TEXT.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
ESCAPED_TRICKY = TRICKY.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize(
    ("driver", "text", "expected"),
    [
        ("LIBKML", KML_TEXT, ESCAPED_KML_TEXT),
        ("KML", KML_TEXT, ESCAPED_KML_TEXT),
        ("LIBKML", TRICKY, ESCAPED_TRICKY),
        # GDAL's older KML driver reads a line break as a space (it does so for any KML).
        ("KML", TRICKY, ESCAPED_TRICKY.replace("\n", " ")),
    ],
)
def test_kml_description_reads_back_as_written_with_ogrinfo(
    frames, tmp_path, driver, text, expected
):
    routes = frames["routes"].copy()
    routes["description"] = text
    (path,) = export_layers(
        {"routes": routes}, "kml", tmp_path / "x.kml", titles=TITLES, styles=STYLES
    )
    other = {"LIBKML": "KML", "KML": "LIBKML"}[driver]  # ogrinfo 3.6 has no -if
    ((feature,),) = ogr_layers(ogrinfo(path, "--config", "GDAL_SKIP", other)).values()
    assert feature["description" if driver == "LIBKML" else "Description"] == expected
    if driver == "LIBKML":  # the old KML driver reads no ExtendedData
        row = routes.iloc[0]
        assert feature["sources"] == row["sources"]
        assert feature["certainty"] == row["certainty"]
        assert feature["start_jst"] == row["start"].isoformat()
        assert feature["end_jst"] == row["end"].isoformat()
        # The layer's colours reach GDAL's style string (QGIS "embedded symbols").
        assert feature["Style"].startswith("PEN(c:#16A085FF,w:3")


def test_kml_reads_back_with_pyogrio(frames, tmp_path):
    (path,) = export_layers(frames, "kml", tmp_path / "x.kml", titles=TITLES, styles=STYLES)
    assert [name for name, _ in pyogrio.list_layers(path)] == list(TITLES.values())
    for layer_id, frame in frames.items():
        got = gpd.read_file(path, layer=TITLES[layer_id])
        got = got.rename(columns={"Name": "name"})
        # LIBKML: a TimeSpan fills begin/end, a TimeStamp fills timestamp.
        got["start"] = got["begin"].fillna(got["timestamp"])
        got["end"] = got["end"].fillna(got["timestamp"])
        assert_same_items(frame, got)
        assert [html.unescape(t) for t in got["description"]] == list(frame["description"])
        for column in ("sources", "certainty"):
            assert list(got[column]) == list(frame[column])
        assert list(got["start_jst"]) == [t.isoformat() for t in frame["start"]]
        assert list(got["end_jst"]) == [t.isoformat() for t in frame["end"]]


def test_kml_reads_back_with_ogrinfo(frames, tmp_path):
    (path,) = export_layers(frames, "kml", tmp_path / "x.kml", titles=TITLES, styles=STYLES)
    got = ogr_layers(ogrinfo(path))
    assert list(got) == list(TITLES.values())
    for layer_id, frame in frames.items():
        features = got[TITLES[layer_id]]
        for feature in features:
            if "timestamp" in feature:
                feature["start"] = feature["end"] = feature["timestamp"]
            else:
                feature["start"] = feature.pop("begin")
        assert_ogr_items(frame, features, name="Name")


# ---------------------------------------------------------------- CSV


def test_csv_one_row_per_feature_for_spreadsheets(frames, tmp_path):
    (path,) = export_layers(frames, "csv", tmp_path / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,layer,name,")  # UTF-8 BOM, then the header
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    everything = pd.concat(frames.values(), ignore_index=True)
    assert list(rows[0]) == list(export.CSV_COLUMNS)
    assert len(rows) == len(everything)
    for row, want in zip(rows, everything.itertuples(), strict=True):
        assert (row["id"], row["name"], row["layer"]) == (want.id, want.name, want.layer)
        assert row["start"] == want.start.isoformat() and row["end"] == want.end.isoformat()
        assert same_geometry(shapely.from_wkt(row["WKT"]), want.geometry)
        if want.geometry.geom_type == "Point":
            assert abs(float(row["lat"]) - want.geometry.y) < TOLERANCE
            assert abs(float(row["lon"]) - want.geometry.x) < TOLERANCE
        else:
            assert row["lat"] == row["lon"] == ""
    assert rows[0]["description"] == TRICKY  # quotes and the newline survive
    # pandas as a spreadsheet-minded reader: no index column, times parse with their zone.
    table = pd.read_csv(path, encoding="utf-8-sig")
    assert list(table.columns) == list(export.CSV_COLUMNS)
    assert list(pd.to_datetime(table["start"])) == list(everything["start"])


def test_csv_reads_back_with_ogrinfo(frames, tmp_path):
    (path,) = export_layers(frames, "csv", tmp_path / "x.csv")
    (features,) = ogr_layers(ogrinfo(path)).values()
    everything = pd.concat(frames.values(), ignore_index=True)
    assert [f["id"] for f in features] == list(everything["id"])  # the BOM is not in the name
    assert [f["start"] for f in features] == [t.isoformat() for t in everything["start"]]
    for feature, want in zip(features, everything.geometry, strict=True):
        assert same_geometry(shapely.from_wkt(feature["geometry"]), want)


# ---------------------------------------------------------------- HTML


def leaflet_or_skip() -> None:
    from geo import assets

    if not assets.leaflet_installed():
        message = "Leaflet is not in static/vendor/leaflet: run `python -m geo.assets`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def page_config(page: str) -> dict:
    """The JSON the exported page's client starts from (store, basemap, first view)."""
    return json.loads(page.split('id="foxbat76-data">', 1)[1].split("</script>", 1)[0])


def test_html_is_one_file_with_everything_inlined(frames, tmp_path):
    leaflet_or_skip()
    (path,) = export_layers(frames, "html", tmp_path / "x.html", titles=TITLES, styles=STYLES)
    page = path.read_text(encoding="utf-8")
    # Nothing is fetched: no external scripts, stylesheets, images or fonts.
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"url\((?!data:|#default)", page)
    assert not re.search(r"sourceMappingURL", page)
    assert "L.version" in page or "Leaflet" in page
    # Catalog text cannot close the data block, and reaches the popup escaped.
    data = page.split('id="foxbat76-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data
    popups = {item["id"]: item["popup"] for item in page_config(page)["store"]["items"]}
    assert html.escape(TRICKY) in popups["hakodate-airport"]
    # The basemap (GSHHG land, one multi-part feature) is in the file.
    land = page_config(page)["basemap"]["data"]["features"][0]
    assert land["properties"]["kind"] == "land" and len(land["geometry"]["coordinates"]) > 10
    # No web address, so no tile server or link: only SVG's namespace name, and as plain text
    # the addresses the MiG-25's cited sources give (its marker comes from the catalog).
    cited = page_urls(json.dumps(page_config(page)["store"]["mig"], ensure_ascii=False))
    assert page_urls(page) - cited == {SVG_NS}
    assert "<a " not in json.dumps(page_config(page)["store"])
    assert "leafletjs.com" in page  # Leaflet's credit stays, as text


SVG_NS = "http://www.w3.org/2000/svg"  # an XML namespace name, never fetched


def page_urls(page: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)\\]+", page))


def open_page(chromium, path: Path, outside: list[str], problems: list[str]):
    """The exported page in Chromium, any network request refused and remembered."""

    def network(route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page = chromium.new_page(viewport={"width": 1100, "height": 800})
    page.route("**/*", network)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_function("window.foxbat76 !== undefined")
    return page


@pytest.mark.browser
def test_html_map_scrubs_offline_in_chromium_with_its_own_controls(frames, tmp_path, chromium):
    leaflet_or_skip()
    (path,) = export_layers(frames, "html", tmp_path / "x.html", titles=TITLES, styles=STYLES)
    everything = pd.concat(frames.values(), ignore_index=True)

    def expected(day: date, layer_ids=("bases", "routes", "zones")) -> list[str]:
        shown = everything[everything["layer"].isin(layer_ids)]
        ended = shown["end"] < pd.Timestamp(day.isoformat()).tz_localize(JST)
        return sorted(shown.loc[active_mask(shown, day) | ended, "id"])

    def visible() -> list[str]:
        return sorted(page.evaluate("foxbat76.view.visible().map(v => v.id)"))

    outside: list[str] = []
    problems: list[str] = []
    page = open_page(chromium, path, outside, problems)
    try:
        # It opens on 6 Sep at 15:00, the end of the replay, like the dashboard.
        assert page.inner_text("#fx-date") == "Mon 6 Sep 1976"
        assert page.inner_text("#fx-time-label") == "15:00 JST"
        assert visible() == expected(date(1976, 9, 6))
        assert page.locator(".fx-mig").count() == 1  # the MiG-25, on the ground at Hakodate
        attribution = page.inner_text(".leaflet-control-attribution")
        assert "Leaflet" in attribution and "GSHHG" in attribution
        assert page.locator("a[href^='http']").count() == 0

        # Rewind the replay: at 13:20 the radar contact is there, Hakodate Airport not yet.
        page.fill("#fx-time", str(16))
        assert page.inner_text("#fx-time-label") == "13:20 JST"
        assert "radar-contact" in visible() and "hakodate-airport" not in visible()

        # The keyboard: ArrowRight is 7 Sep; the 6 Sep items are now a faded trail.
        page.locator("#fx-panel h1").click()  # the page has focus, not a control or the map
        page.keyboard.press("ArrowRight")
        assert page.inner_text("#fx-date") == "Tue 7 Sep 1976"
        assert visible() == expected(date(1976, 9, 7))
        assert page.locator(".fx-id-radar-contact.fx-trail").count() == 1
        assert not page.is_visible("#fx-time")  # the time of day is for 6 Sep only
        # A focused map pans with the arrows and keeps its day: one key, one action.
        page.locator("#map").focus()
        east = page.evaluate("foxbat76.view.map.getCenter().lng")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(east) => foxbat76.view.map.getCenter().lng > east + 0.01", arg=east
        )
        assert page.inner_text("#fx-date") == "Tue 7 Sep 1976"
        assert visible() == expected(date(1976, 9, 7))

        # The slider to 25 Sep: the airlift is the day's, the patrol too.
        page.fill("#fx-day", "24")
        assert page.inner_text("#fx-date") == "Sat 25 Sep 1976"
        assert page.locator("path.fx-id-c5a-airlift.fx-active").count() == 1
        page.click("#fx-next")
        assert page.locator("path.fx-id-c5a-airlift.fx-trail").count() == 1

        # A layer switched off.
        page.uncheck('input[data-layer="zones"]')
        assert visible() == expected(date(1976, 9, 26), ("bases", "routes"))
        assert page.inner_text("#fx-count") == f"{len(visible())} features on the map"

        # Play steps a day at a time; Space stops it.
        page.click("#fx-play")
        page.wait_for_function("document.querySelector('#fx-date').textContent.includes('27')")
        page.keyboard.press("Space")
        assert page.inner_text("#fx-play") == "\u25b6 Play"

        # Popups show catalog text as text, not markup.
        page.fill("#fx-day", "10")
        # The MiG-25's marker sits on top of the airport: its popup lists both.
        page.click(".fx-mig")
        page.click("details[data-id='hakodate-airport'] summary")
        popup = page.locator(".leaflet-popup-content details[data-id='hakodate-airport']")
        assert "<b>not bold</b>" in popup.inner_text()
        assert popup.locator("b").count() == 1  # our name, nothing else
        page.fill("#fx-day", "11")  # another day: the list of what was there goes
        page.locator(".leaflet-popup").wait_for(state="detached", timeout=2000)  # after its fade
    finally:
        page.close()
    assert outside == [], f"the page tried the network: {outside}"
    assert problems == []


def test_html_of_one_day_offers_only_that_day(frames, tmp_path):
    leaflet_or_skip()
    (path,) = export_layers(frames, "html", tmp_path / "x.html", day=date(1976, 9, 25))
    config = page_config(path.read_text(encoding="utf-8"))
    assert [day["iso"] for day in config["store"]["days"]] == ["1976-09-25"]
    assert config["start"]["day"] == "1976-09-25" and config["store"]["replay"] is None
    ids = [item["id"] for item in config["store"]["items"]]
    assert ids == ["hakodate-airport", "c5a-airlift", "tsugaru-patrol", "ships"]
    assert {item["days"] for item in config["store"]["items"]} == {"a"}


# ---------------------------------------------------------------- ZIP and bytes


def test_zip_holds_every_format_and_a_readme(frames, tmp_path):
    leaflet_or_skip()
    day = date(1976, 9, 25)
    (path,) = export_layers(frames, "zip", tmp_path, day=day, titles=TITLES, styles=STYLES)
    assert path.name == "foxbat76_1976-09-25_bases-routes-zones.zip"
    base = path.stem
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(
            f"{base}/{name}"
            for name in [
                "README.txt",
                f"{base}.csv",
                f"{base}.gpkg",
                f"{base}.html",
                f"{base}.kml",
                "geojson/bases.geojson",
                "geojson/routes.geojson",
                "geojson/zones.geojson",
            ]
        )
        readme = archive.read(f"{base}/README.txt").decode()
        archive.extractall(tmp_path / "unzipped")
    assert "items active on 1976-09-25" in readme
    assert "bases — Air bases: 1 feature\n" in readme
    for licence in ("CC BY-SA 4.0", "LGPL", "MIT", "CC BY 4.0"):
        assert licence in readme
    assert "Wikipedia: Viktor Belenko" in readme
    assert "zones_areas — layer zones (Patrol zones), Polygon: 1 feature\n" in readme
    gpkg = tmp_path / "unzipped" / base / f"{base}.gpkg"
    got = gpd.read_file(gpkg, layer="routes")
    assert list(got["id"]) == ["c5a-airlift"]


def test_export_filename() -> None:
    assert export_filename("gpkg", date(1976, 9, 25), ["hakodate"]) == (
        "foxbat76_1976-09-25_hakodate.gpkg"
    )
    assert export_filename("kml", None, ["a", "b"]) == "foxbat76_all_a-b.kml"
    assert export_filename("zip", None, list("abcdefgh")) == "foxbat76_all_8-layers.zip"
    assert export_filename("geojson", None, ["a"]) == "foxbat76_all_a.geojson"
    assert export_filename("geojson", None, ["a", "b"]) == "foxbat76_all_a-b.geojson.zip"


@pytest.mark.parametrize(
    ("fmt", "layer_ids", "expected"),
    [
        ("geojson", ["a"], "application/geo+json"),
        ("geojson", ["a", "b"], "application/zip"),
        ("gpkg", ["a", "b"], "application/geopackage+sqlite3"),
        ("kml", ["a"], "application/vnd.google-earth.kml+xml"),
        ("csv", ["a"], "text/csv"),
        ("html", ["a"], "text/html"),
        ("zip", ["a"], "application/zip"),
    ],
)
def test_export_mime_by_format_and_layer_count(fmt, layer_ids, expected) -> None:
    assert export.export_mime(fmt, layer_ids) == expected


def test_export_mime_rejects_an_unknown_format() -> None:
    with pytest.raises(ExportError, match="unknown format 'shp'"):
        export.export_mime("shp", ["a"])


def test_every_format_has_a_menu_label() -> None:
    assert set(export.FORMAT_LABELS) == set(export.FORMATS)


def test_export_bytes_for_a_download_button(frames, tmp_path):
    name, content, mime = export_bytes(
        {"routes": frames["routes"]}, "geojson", day=date(1976, 9, 25)
    )
    assert (name, mime) == ("foxbat76_1976-09-25_routes.geojson", "application/geo+json")
    assert json.loads(content)["features"][0]["properties"]["id"] == "c5a-airlift"
    # Several GeoJSON layers: a zip of one FeatureCollection per layer, like the CLI writes.
    name, content, mime = export_bytes(frames, "geojson", day=date(1976, 9, 25))
    assert (name, mime) == ("foxbat76_1976-09-25_bases-routes-zones.geojson.zip", "application/zip")
    (tmp_path / name).write_bytes(content)
    with zipfile.ZipFile(tmp_path / name) as archive:
        assert archive.namelist() == ["bases.geojson", "routes.geojson", "zones.geojson"]
    name, content, mime = export_bytes(frames, "csv", day=date(1976, 11, 15))
    assert (name, mime) == ("foxbat76_1976-11-15_bases.csv", "text/csv")
    assert content.decode("utf-8-sig").count("\r\n") == 2  # header + Hitachi
    name, content, mime = export_bytes(frames, "gpkg", titles=TITLES)
    assert content.startswith(b"SQLite format 3\x00") and mime == "application/geopackage+sqlite3"


# ---------------------------------------------------------------- errors and atomicity


@pytest.mark.parametrize(
    ("fmt", "kwargs", "pick", "message"),
    [
        ("shp", {}, None,
         r"^unknown format 'shp' \(choose from geojson, gpkg, kml, csv, html, zip, png, gif, "
             r"mp4, pdf\)$"),
        ("gpkg", {}, [], r"^nothing to export: no layers selected$"),
        ("kml", {"day": date(1976, 10, 2)}, None,
         r"^nothing to export for 1976-10-02 in layers bases, routes, zones$"),
        ("csv", {"day": date(1976, 9, 1)}, ["routes"],
         r"^nothing to export for 1976-09-01 in layers routes$"),
    ],
)  # fmt: skip
def test_bad_requests_write_nothing(frames, tmp_path, fmt, kwargs, pick, message):
    chosen = frames if pick is None else {k: frames[k] for k in pick}
    with pytest.raises(ExportError, match=message):
        export_layers(chosen, fmt, tmp_path / "out", **kwargs)
    with pytest.raises(ExportError, match=message):
        export_bytes(chosen, fmt, **kwargs)
    assert listing(tmp_path) == []


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/deeper/out", r"^output dir does not exist: .*missing/deeper"),
        ("a-file/out", r"^output dir is not a directory: .*a-file"),
    ],
)
def test_bad_out_paths_are_named(frames, tmp_path, fmt, where, message):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ExportError, match=message):
        export_layers(frames, fmt, tmp_path / where)
    assert listing(tmp_path) == ["a-file"]


@pytest.mark.parametrize(
    ("fmt", "out"),
    [("csv", "/proc/foxbat76.csv"), ("geojson", "/proc/foxbat76"), ("gpkg", "/proc")],
)
def test_unwritable_out_dir_is_named_without_contradiction(frames, fmt, out):
    # /proc exists but refuses new files, even to root (a chmod'ed dir would not stop root).
    with pytest.raises(ExportError, match=r"^cannot write to /proc: it does not accept new files$"):
        export_layers(frames, fmt, Path(out))


def test_geojson_out_must_be_a_directory(frames, tmp_path):
    (tmp_path / "taken").write_text("keep me")
    with pytest.raises(ExportError, match=r"^output path is a file, GeoJSON needs a directory: "):
        export_layers(frames, "geojson", tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "keep me"


def test_layer_contract_is_checked(frames, tmp_path):
    naive = frames["routes"].copy()
    naive["start"] = naive["start"].dt.tz_localize(None)
    with pytest.raises(ExportError, match=r"^layer 'routes': start times have no time zone$"):
        export_layers({"routes": naive}, "csv", tmp_path / "x.csv")
    with pytest.raises(ExportError, match=r"^layer 'routes' lacks columns: certainty$"):
        export_layers({"routes": naive.drop(columns="certainty")}, "csv", tmp_path / "x.csv")
    blank = frames["routes"].copy()
    blank.geometry = [None]
    with pytest.raises(ExportError, match=r"^layer 'routes': item 'c5a-airlift' has no geometry$"):
        export_layers({"routes": blank}, "kml", tmp_path / "x.kml")
    assert listing(tmp_path) == []


def test_geojson_failure_midway_leaves_nothing(frames, tmp_path, monkeypatch):
    real = geojson_writer.write_geojson

    def flaky(frame, layer_id, path):
        if layer_id == "zones":
            raise OSError("disk full")
        real(frame, layer_id, path)

    monkeypatch.setattr(geojson_writer, "write_geojson", flaky)
    with pytest.raises(ExportError, match=r"^cannot write .*/new: disk full$"):
        export_layers(frames, "geojson", tmp_path / "new")
    assert listing(tmp_path) == []
    # Into an existing directory: what was there stays, nothing new or hidden appears.
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "bases.geojson").write_text("previous export")
    with pytest.raises(
        ExportError, match=r"^cannot write .*/old/foxbat76_all_bases-routes-zones: disk full$"
    ):
        export_layers(frames, "geojson", tmp_path / "old")
    assert listing(tmp_path) == ["old", "old/bases.geojson"]
    assert (tmp_path / "old" / "bases.geojson").read_text() == "previous export"


def test_gpkg_failure_after_first_table_leaves_old_file(frames, tmp_path, monkeypatch):
    target = tmp_path / "x.gpkg"
    target.write_bytes(b"SQLite format 3\x00previous export")
    real, calls = pyogrio.write_dataframe, []

    def flaky(*args, **kwargs):
        calls.append(kwargs["layer"])
        if len(calls) == 2:
            raise RuntimeError("writer died")
        real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", flaky)
    with pytest.raises(RuntimeError, match="writer died"):
        export_layers(frames, "gpkg", target)
    assert calls == ["bases", "routes"]
    assert listing(tmp_path) == ["x.gpkg"]
    assert target.read_bytes() == b"SQLite format 3\x00previous export"


def test_zip_failure_in_a_late_part_leaves_nothing(frames, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("html writer died")

    monkeypatch.setattr(bundle, "write_html", broken)
    with pytest.raises(RuntimeError, match="html writer died"):
        export_layers(frames, "zip", tmp_path / "x.zip")
    assert listing(tmp_path) == []


def test_out_path_forms(frames, tmp_path):
    # A suffix-less path gets the format's suffix; an existing directory gets the default name.
    assert export_layers(frames, "gpkg", tmp_path / "mine") == [tmp_path / "mine.gpkg"]
    assert export_layers(frames, "kml", tmp_path / "mine.xml") == [tmp_path / "mine.xml"]
    expected = tmp_path / "foxbat76_1976-09-25_bases-routes-zones.csv"
    assert export_layers(frames, "csv", tmp_path, day=date(1976, 9, 25)) == [expected]
    assert listing(tmp_path) == [expected.name, "mine.gpkg", "mine.xml"]


@pytest.mark.parametrize(
    ("fmt", "out", "name"),
    [
        ("csv", "x.csv", "x.csv"),
        ("gpkg", "x", "x.gpkg"),
        ("kml", ".", "foxbat76_all_bases-routes-zones.kml"),
        ("geojson", "one.geojson", "one.geojson"),
    ],
)
def test_existing_targets_names_what_an_export_replaces(frames, tmp_path, fmt, out, name):
    chosen = {"routes": frames["routes"]} if fmt == "geojson" else frames
    out = tmp_path / out
    assert export.existing_targets(chosen, fmt, out) == []
    assert export_layers(chosen, fmt, out) == [tmp_path / name]
    assert export.existing_targets(chosen, fmt, out) == [tmp_path / name]
    assert export_layers(chosen, fmt, out) == [tmp_path / name]  # replaced, not refused
    assert listing(tmp_path) == [name]


def test_successful_export_replaces_the_old_file(frames, tmp_path):
    target = tmp_path / "x.csv"
    target.write_text("old")
    assert export.existing_targets(frames, "csv", target) == [target]
    assert export_layers(frames, "csv", target) == [target]
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert listing(tmp_path) == ["x.csv"]


def test_the_real_layers_export_and_open_in_gdal(tmp_path):
    leaflet_or_skip()
    import layers

    frames = layers.build_all()
    titles = {k: spec.title for k, spec in layers.LAYERS.items()}
    styles = {k: spec.style for k, spec in layers.LAYERS.items()}
    counts = {k: len(f) for k, f in frames.items()}
    written = {
        fmt: export_layers(frames, fmt, tmp_path / fmt, titles=titles, styles=styles)
        for fmt in ("geojson", "gpkg", "kml", "csv")
    }
    got = {
        path.stem: len(f) for path in written["geojson"] for f in ogr_layers(ogrinfo(path)).values()
    }
    assert got == counts
    index = pyogrio.read_dataframe(written["gpkg"][0], layer="layers", read_geometry=False)
    got = {k: len(v) for k, v in ogr_layers(ogrinfo(written["gpkg"][0])).items() if k != "layers"}
    assert got == dict(zip(index["table_name"], index["features"], strict=True))
    assert dict(index.groupby("layer")["features"].sum()) == counts
    got = {k: len(v) for k, v in ogr_layers(ogrinfo(written["kml"][0])).items()}
    assert got == {titles[k]: n for k, n in counts.items()}
    (rows,) = ogr_layers(ogrinfo(written["csv"][0])).values()
    assert len(rows) == sum(counts.values())
    (page,) = export_layers(frames, "html", tmp_path / "map.html", titles=titles, styles=styles)
    assert page.stat().st_size < 2_000_000  # one e-mailable file
    # Web addresses in the page: SVG's namespace name, and any the catalog text cites.
    cited = {
        url
        for frame in frames.values()
        for column in ("name", "description", "sources")
        for url in page_urls(" ".join(frame[column].astype(str)))
    }
    assert page_urls(page.read_text(encoding="utf-8")) <= {SVG_NS, *cited}


# ---------------------------------------------------------------- from the command line


def read_ids(
    fmt: str, path: Path, titles: dict[str, str], order: list[str] | None = None
) -> dict[str, list[str]]:
    """Layer id -> item ids, as the tool a user opens the file with would list them.

    `order`: every item id in layer order, to put the ids of a GeoPackage's tables back in it.
    """
    if fmt == "gpkg":  # tables by geometry type: each layer's ids in the layer's order
        index = pyogrio.read_dataframe(path, layer="layers", read_geometry=False)
        ids: dict[str, list[str]] = {}
        for table, layer_id in zip(index["table_name"], index["layer"], strict=True):
            ids.setdefault(layer_id, []).extend(pyogrio.read_dataframe(path, layer=table)["id"])
        return {k: sorted(v, key=order.index) for k, v in ids.items()} if order else ids
    if fmt == "kml":
        by_title = {title: layer_id for layer_id, title in titles.items()}
        return {
            by_title[name]: list(pyogrio.read_dataframe(path, layer=name)["id"])
            for name, _ in pyogrio.list_layers(path)
        }
    if fmt == "csv":
        table = pyogrio.read_dataframe(path)
        return {
            k: list(table.loc[table["layer"] == k, "id"]) for k in dict.fromkeys(table["layer"])
        }
    if fmt == "html":
        store = page_config(path.read_text(encoding="utf-8"))["store"]
        return {
            lay["id"]: [item["id"] for item in store["items"] if item["layer"] == lay["id"]]
            for lay in store["layers"]
        }
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["gpkg", "kml", "csv", "html", "zip"])
@pytest.mark.parametrize(
    ("args", "scope"),
    [
        ([], "all_8-layers"),
        (["--date", "1976-09-25", "--layers", "hakodate,c5a_route"],
         "1976-09-25_hakodate-c5a_route"),
    ],
)  # fmt: skip
def test_cli_export_into_a_folder_reads_back(tmp_path, capsys, fmt, args, scope):
    import layers
    from geo.cli import main

    if fmt in ("html", "zip"):
        leaflet_or_skip()
    assert main(["export", "--format", fmt, "--out", str(tmp_path), *args]) == 0
    path = tmp_path / f"foxbat76_{scope}.{fmt}"
    assert capsys.readouterr().out.splitlines() == [str(path)]
    assert listing(tmp_path) == [path.name]
    frames = layers.build_all(list(layers.LAYERS) if not args else ["hakodate", "c5a_route"])
    day = date(1976, 9, 25) if args else None
    expected = {
        layer_id: list(frame.loc[active_mask(frame, day), "id"]) if day else list(frame["id"])
        for layer_id, frame in frames.items()
    }
    titles = {k: spec.title for k, spec in layers.LAYERS.items()}
    order = [item_id for ids in expected.values() for item_id in ids]
    if fmt != "zip":
        assert read_ids(fmt, path, titles, order) == expected
        return
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        archive.extractall(tmp_path / "unzipped")
    folder = tmp_path / "unzipped" / f"foxbat76_{scope}"
    assert listing(folder) == sorted(
        ["README.txt", "geojson", *(f"geojson/{k}.geojson" for k in expected)]
        + [f"foxbat76_{scope}.{ext}" for ext in ("csv", "gpkg", "html", "kml")]
    )
    for ext in ("gpkg", "kml", "csv", "html"):
        assert read_ids(ext, folder / f"foxbat76_{scope}.{ext}", titles, order) == expected
    for layer_id, ids in expected.items():
        document = json.loads((folder / "geojson" / f"{layer_id}.geojson").read_text())
        assert [f["properties"]["id"] for f in document["features"]] == ids


def test_cli_geojson_into_an_existing_folder_keeps_exports_apart(tmp_path, capsys):
    import layers
    from geo.cli import main

    out = tmp_path / "exports"
    assert main(["export", "--format", "geojson", "--out", str(out)]) == 0
    assert len(list(out.glob("*.geojson"))) == 8
    capsys.readouterr()
    # The same folder again, for one day: a folder of its own, holding only that day's layers.
    assert main(["export", "--format", "geojson", "--date", "1976-11-20", "--out", str(out)]) == 0
    printed = [Path(line) for line in capsys.readouterr().out.splitlines()]
    day = date(1976, 11, 20)
    kept = [k for k, f in layers.build_all().items() if active_mask(f, day).any()]
    assert 1 < len(kept) < 8
    folder = out / f"foxbat76_1976-11-20_{len(kept)}-layers"
    assert printed == [folder / f"{k}.geojson" for k in kept]
    assert listing(folder) == sorted(f"{k}.geojson" for k in kept)
    assert len(list(out.glob("*.geojson"))) == 8  # the whole-period export is untouched
    # One layer into a .geojson name: one FeatureCollection; several: refused in one line.
    single = tmp_path / "hak.geojson"
    assert (
        main(["export", "--format", "geojson", "--layers", "hakodate", "--out", str(single)]) == 0
    )
    assert json.loads(single.read_text())["type"] == "FeatureCollection"
    several = tmp_path / "two.geojson"
    argv = ["export", "--format", "geojson", "--layers", "hakodate,chitose", "--out", str(several)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err]
    assert "GeoJSON of several layers needs a directory" in err
    assert not several.exists()


@pytest.mark.parametrize(
    ("layer_ids", "day"),
    [
        (["hakodate", "c5a_route", "aftermath"], date(1976, 9, 25)),
        (["defection_flight"], date(1976, 9, 6)),
        (["soviet_bases", "hyakuri"], None),
        (["tsugaru_patrols", "aftermath", "chitose"], date(1976, 11, 15)),
    ],
)
def test_export_plan_agrees_with_the_export(layer_ids, day) -> None:
    import layers

    frames = layers.build_all(layer_ids)
    items = pd.concat(list(layers.build_all().values()), ignore_index=True)
    kept, empty = export.filter_frames(frames, day)
    assert export.export_plan(items, layer_ids, day) == (
        list(kept),
        empty,
        sum(len(frame) for frame in kept.values()),
    )


@pytest.mark.parametrize(
    ("layer_ids", "day", "message"),
    [
        ([], None, "nothing to export: no layers selected"),
        (["c5a_route"], date(1976, 10, 1), "nothing to export for 1976-10-01 in layers c5a_route"),
    ],
)
def test_export_plan_refuses_what_the_export_refuses(layer_ids, day, message) -> None:
    import layers

    items = pd.concat(list(layers.build_all().values()), ignore_index=True)
    with pytest.raises(ExportError, match=message):
        export.export_plan(items, layer_ids, day)


FACT_COLUMNS = ("place", "place_ja", "place_ru", "alternatives", "sources")


@pytest.fixture(scope="module")
def story_frames() -> dict[str, gpd.GeoDataFrame]:
    """Real catalog items in three scripts with alternative claims: Chuguyevka (Чугуевка,
    チュグエフカ) and the landing at Hakodate (函館空港, three other published times)."""
    import layers

    built = layers.build_all(["soviet_bases", "defection_flight"])
    picked = {"soviet_bases": "chuguyevka-air-base", "defection_flight": "landing"}
    return {
        layer_id: built[layer_id][built[layer_id]["id"] == item_id].reset_index(drop=True)
        for layer_id, item_id in picked.items()
    }


def test_the_story_frames_really_carry_three_scripts_and_alternatives(story_frames):
    base, landing = story_frames["soviet_bases"].iloc[0], story_frames["defection_flight"].iloc[0]
    assert (base["place_ru"], base["place_ja"]) == ("Чугуевка", "チュグエフカ")
    assert landing["place_ja"] == "函館空港"
    assert "13:54" in landing["alternatives"] and "13:57" in landing["alternatives"]


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "kml", "csv"])
def test_names_in_three_scripts_and_alternatives_survive_every_format(story_frames, tmp_path, fmt):
    out = tmp_path / ("x" if fmt == "geojson" else f"x.{fmt}")  # GeoJSON: a folder per export
    (path, *_) = export_layers(story_frames, fmt, out, titles=TITLES)
    for layer_id, frame in story_frames.items():
        if fmt == "geojson":
            got = gpd.read_file(path.parent / f"{layer_id}.geojson")
        elif fmt == "gpkg" or fmt == "kml":
            got = pyogrio.read_dataframe(path, layer=layer_id)
        else:
            table = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
            got = table[table["layer"] == layer_id].reset_index(drop=True)
        for column in FACT_COLUMNS:
            assert list(got[column]) == list(frame[column]), (fmt, column)


def test_names_and_alternatives_read_back_with_ogrinfo(story_frames, tmp_path):
    for fmt in ("gpkg", "kml"):
        (path,) = export_layers(story_frames, fmt, tmp_path / f"x.{fmt}", titles=TITLES)
        text = ogrinfo(path)
        assert "place_ru (String) = Чугуевка" in text
        assert "place_ja (String) = 函館空港" in text
        assert "Landed at 13:57" in text


def test_the_html_page_and_the_kml_balloon_show_names_and_alternatives(story_frames, tmp_path):
    leaflet_or_skip()
    (page_path,) = export_layers(story_frames, "html", tmp_path / "x.html", titles=TITLES)
    popups = {
        item["id"]: item["popup"]
        for item in page_config(page_path.read_text(encoding="utf-8"))["store"]["items"]
    }
    assert "Chuguyevka" in popups["chuguyevka-air-base"]
    assert (
        "チュグエフカ" in popups["chuguyevka-air-base"]
        and "Чугуевка" in popups["chuguyevka-air-base"]
    )
    assert "函館空港" in popups["landing"]
    assert "Accounts differ:" in popups["landing"] and "Landed at 13:57" in popups["landing"]
    (kml_path,) = export_layers(story_frames, "kml", tmp_path / "x.kml", titles=TITLES)
    balloons = "".join(node.text or "" for node in ET.parse(kml_path).iter(f"{{{KML_NS}}}text"))
    assert "Hakodate Airport · 函館空港" in balloons
    assert "Accounts differ:" in balloons and "Landed at 13:57" in balloons


LABEL_BOXES = """
() => {
    const box = el => { const r = el.getBoundingClientRect();
                        return [r.left, r.top, r.right, r.bottom]; };
    const labels = [...document.querySelectorAll(".fx-place-label span")]
        .filter(span => span.style.visibility !== "hidden" && span.getClientRects().length)
        .map(span => [span.textContent, box(span)]);
    const others = [...document.querySelectorAll(".fx-mig-label, .leaflet-control")].map(box);
    return {labels, others, map: box(document.getElementById("map"))};
}
"""


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def real_page(tmp_path_factory) -> Path:
    """The whole story as an exported page."""
    import layers

    leaflet_or_skip()
    built = layers.build_all()
    titles, styles = layers.presentation(list(built))
    folder = tmp_path_factory.mktemp("real-page")
    (path,) = export_layers(built, "html", folder / "map.html", titles=titles, styles=styles)
    return path


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1100, 800), (390, 844)])
def test_html_map_labels_the_days_places_without_overlaps(real_page, chromium, size):
    from geo.basemap import REGION
    from geo.timing import period_days

    path = real_page
    outside: list[str] = []
    problems: list[str] = []
    page = open_page(chromium, path, outside, problems)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    # Leaflet takes in a new window size on its next frame: measure the map it then shows.
    page.wait_for_function(
        "foxbat76.view.map.getSize().x === document.getElementById('map').clientWidth"
    )
    days = [day.isoformat() for day in period_days()]
    try:
        # The first view: the story, inside the embedded basemap.
        bounds = page.evaluate("foxbat76.view.map.getBounds().toBBoxString()").split(",")
        west, south, east, north = (float(value) for value in bounds)
        assert REGION[0] - 0.05 <= west and east <= REGION[2] + 0.05
        assert REGION[1] - 0.05 <= south and north <= REGION[3] + 0.05
        for day in ("1976-09-10", "1976-09-25"):
            page.evaluate(f"foxbat76.go({days.index(day)})")
            assert page.inner_text(".fx-stamp") == page.inner_text("#fx-date")
            found = page.evaluate(LABEL_BOXES)
            texts = [text for text, _ in found["labels"]]
            assert len(texts) >= 2, (day, texts)
            boxes = [rect for _, rect in found["labels"]]
            for index, rect in enumerate(boxes):
                assert not any(overlap(rect, other) for other in boxes[index + 1 :]), texts
                assert not any(overlap(rect, other) for other in found["others"]), texts
                left, top, right, bottom = found["map"]
                assert left <= rect[0] and rect[2] <= right and top <= rect[1] <= bottom
        if size[0] > 1000:  # on a phone the legend covers it, so its label gives way
            assert "Hyakuri Air Base" in texts  # 25 Sep: the MiG-25 arrives there
    finally:
        page.close()
    assert outside == [] and problems == []


@pytest.mark.browser
def test_html_map_plays_at_four_speeds_through_the_flight_and_loops(real_page, chromium):
    outside: list[str] = []
    problems: list[str] = []
    page = open_page(chromium, real_page, outside, problems)
    date_is = "text => document.querySelector('#fx-date').textContent === text"
    try:
        # The ends: no day before the first, none after the last.
        page.fill("#fx-day", "0")
        assert page.is_disabled("#fx-prev") and not page.is_disabled("#fx-next")
        last = int(page.get_attribute("#fx-day", "max"))
        page.fill("#fx-day", str(last))
        assert page.is_disabled("#fx-next") and not page.is_disabled("#fx-prev")

        # 4 days a second: 23 Sep to 30 Sep is seven days, about 2 s.
        page.fill("#fx-day", "22")
        page.select_option("#fx-speed", "4")
        page.click("#fx-play")
        page.wait_for_function(date_is, arg="Thu 30 Sep 1976", timeout=15000)  # not timed
        page.keyboard.press("Space")  # pauses
        assert page.inner_text("#fx-play") == "\u25b6 Play"

        # From 5 Sep, Play runs the 6 Sep flight five minutes at a time before 7 Sep.
        page.fill("#fx-day", "4")
        page.click("#fx-play")
        page.wait_for_function(
            "() => document.querySelector('#fx-time-label').textContent === '13:00 JST'",
            timeout=15000,
        )
        assert page.inner_text("#fx-date") == "Mon 6 Sep 1976"
        page.wait_for_function(date_is, arg="Tue 7 Sep 1976", timeout=15000)
        page.click("#fx-play")

        # Looping: from the last day on to the first.
        page.check("#fx-loop")
        page.fill("#fx-day", str(last - 1))
        page.click("#fx-play")
        page.wait_for_function(date_is, arg="Thu 2 Sep 1976", timeout=15000)
        page.click("#fx-play")
        assert page.inner_text("#fx-play") == "\u25b6 Play"
    finally:
        page.close()
    assert outside == [] and problems == []


OFF_SCREEN = """
() => [...document.querySelectorAll(
        "#fx-panel button, #fx-panel input, #fx-panel select, #fx-panel span, #fx-panel h1,"
        + " .leaflet-control")]
    .filter(el => el.getClientRects().length)
    .map(el => [el.id || el.className, el.getBoundingClientRect()])
    .filter(([, r]) => r.left < 0 || r.right > window.innerWidth + 0.5)
    .map(([name, r]) => [name, Math.round(r.left), Math.round(r.right)])
"""


@pytest.mark.browser
@pytest.mark.parametrize(("size", "legend_open"), [((390, 844), False), ((1400, 1000), True)])
def test_html_map_fits_a_phone_and_a_desktop(real_page, chromium, size, legend_open):
    outside: list[str] = []
    problems: list[str] = []
    page = open_page(chromium, real_page, outside, problems)
    try:
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.reload()
        page.wait_for_function("window.foxbat76 !== undefined")
        assert page.evaluate(OFF_SCREEN) == []
        legend = page.locator("details.fx-legend")
        assert legend.evaluate("el => el.open") == legend_open  # folded on a phone
        if not legend_open:
            legend.locator("summary").click()
            assert legend.evaluate("el => el.open")
            assert "Soviet bases" in legend.inner_text()
    finally:
        page.close()
    assert outside == [] and problems == []


@pytest.mark.browser
def test_axe_finds_nothing_serious_on_the_exported_page(real_page, chromium):
    outside: list[str] = []
    problems: list[str] = []
    page = open_page(chromium, real_page, outside, problems)
    try:
        page.click(".fx-mig")  # with the overlap popup open too
        assert serious_accessibility_problems(page) == []
    finally:
        page.close()
    assert outside == [] and problems == []


@pytest.mark.browser
def test_html_map_markers_are_reached_by_tab_and_opened_by_enter(real_page, chromium):
    outside: list[str] = []
    problems: list[str] = []
    page = open_page(chromium, real_page, outside, problems)
    focused = "() => { const el = document.activeElement; return el.getAttribute('aria-label'); }"
    try:
        page.fill("#fx-day", "24")  # 25 Sep
        page.locator("#map").focus()  # markers come before the controls
        names = []
        for _ in range(80):
            page.keyboard.press("Tab")
            names.append(page.evaluate(focused))
            if (names[-1] or "").startswith("Hakodate Airport"):
                break
        assert (names[-1] or "").startswith("Hakodate Airport"), names
        ring = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, s.strokeWidth]; }"
        )
        assert ring == ["path", "none", "4px"]  # a thicker outline of its own, no rectangle
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content")
        assert "Hakodate Airport" in page.inner_text(".leaflet-popup-content")
        mig = page.locator(".fx-mig")
        assert (mig.get_attribute("tabindex"), mig.get_attribute("aria-label")) == ("0", "MiG-25")
        # Enter on the map itself, over open sea: it says nothing is there and how to move.
        page.evaluate("foxbat76.view.map.closePopup(); foxbat76.view.map.setView([38, 145], 8)")
        page.locator("#map").focus()
        page.keyboard.press("Enter")
        assert "Nothing is drawn at the centre" in page.inner_text(".leaflet-popup-content")
    finally:
        page.close()
    assert outside == [] and problems == []


# The items a reader can see, from the page's elements (an item may have several): [[id,
# state], ...], sorted.
SEEN_ITEMS = """
() => [...new Set([...document.querySelectorAll("#map [class*='fx-id-']")]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => [...el.classList].find((c) => c.startsWith("fx-id-")).slice(6) + " " +
                 (el.classList.contains("fx-trail") ? "trail" : "active")))]
    .map((seen) => seen.split(" ")).sort()
"""


# The place labels shown (laid out or not), and those of places with an item of the day.
LABELS_SHOWN = """
() => [...document.querySelectorAll(".fx-place-label")]
    .filter((el) => el.style.display !== "none").map((el) => el.textContent).sort()
"""
LABELS_WANTED = """
() => {
    const view = foxbat76.view, text = document.createElement("div");
    const active = new Set(view.visible().filter((e) => e.state === "active").map((e) => e.id));
    return view.store.labels.filter((label) => label.items.some((id) => active.has(id)))
        .map((label) => { text.innerHTML = label.text; return text.textContent; }).sort();
}
"""


@pytest.mark.browser
def test_html_map_shows_exactly_the_days_items_when_days_come_and_go(real_page, chromium):
    # Elements of items that left the map stay in the page, hidden, to be shown again: the
    # reader must see (and Tab to) only what the day has, forward, back and forward again.
    outside: list[str] = []
    problems: list[str] = []
    page = open_page(chromium, real_page, outside, problems)
    try:
        for index in (24, 0, 5, 24, 74, 5):  # 25 Sep, 1 Sep, 6 Sep, 25 Sep, 14 Nov, 6 Sep
            page.fill("#fx-day", str(index))
            shown = page.evaluate("foxbat76.view.visible()")
            expected = sorted([entry["id"], entry["state"]] for entry in shown)
            assert page.evaluate(SEEN_ITEMS) == expected, index
            assert page.evaluate(LABELS_SHOWN) == page.evaluate(LABELS_WANTED), index
        page.fill("#fx-day", "0")  # 1 Sep, after later days: their items' elements wait hidden
        waiting = "#map [class*='fx-id-']"
        assert page.locator(waiting).count() > len(page.evaluate(SEEN_ITEMS)) + 10
    finally:
        page.close()
    assert outside == [] and problems == []


@pytest.mark.browser
def test_html_map_of_many_items_draws_them_on_canvases_with_the_same_states(
    frames, tmp_path, chromium, monkeypatch
):
    leaflet_or_skip()
    monkeypatch.setattr("geo.store.CANVAS_FROM", 1)  # as a catalog of thousands would
    (path,) = export_layers(frames, "html", tmp_path / "x.html", titles=TITLES, styles=STYLES)
    store = page_config(path.read_text(encoding="utf-8"))["store"]
    assert store["canvas"] is True
    outside: list[str] = []
    problems: list[str] = []
    page = open_page(chromium, path, outside, problems)

    def drawn() -> dict[str, str]:
        shown = page.evaluate("foxbat76.view.visible()")
        return {entry["id"]: entry["state"] for entry in shown}

    def expected(day: date) -> dict[str, str]:
        return store_visible(store, day, None, ["bases", "routes", "zones"])

    try:
        assert page.locator(".leaflet-fx-active-pane canvas").count() == 1
        assert page.locator("[class*='fx-id-']").count() == 0  # no element per item
        page.locator("#fx-panel h1").click()  # the arrows step days (a focused map pans)
        # Day by day forward and back (a step looks only at the items that change), then a jump.
        for key, day in [
            ("ArrowRight", date(1976, 9, 7)),
            ("ArrowRight", date(1976, 9, 8)),
            ("ArrowLeft", date(1976, 9, 7)),
        ]:
            page.keyboard.press(key)
            assert drawn() == expected(day)
        page.fill("#fx-day", "24")
        assert drawn() == expected(date(1976, 9, 25))
        assert page.inner_text("#fx-count") == f"{len(drawn())} features on the map"
        # A click on a point drawn on the canvas opens its popup.
        at = page.evaluate(
            "(() => { const v = foxbat76.view, item = v.store.items.find("
            "i => i.id === 'hakodate-airport'); const p = v.map.latLngToContainerPoint("
            "item.coords[0]); const box = v.map.getContainer().getBoundingClientRect();"
            " return [box.left + p.x, box.top + p.y]; })()"
        )
        page.mouse.click(*at)
        assert "Hakodate Airport" in page.inner_text(".leaflet-popup-content")
        # Without a mouse: Enter on the focused map lists what is drawn at its centre.
        page.evaluate(
            "(() => { const v = foxbat76.view, item = v.store.items.find("
            "i => i.id === 'hakodate-airport'); v.map.closePopup();"
            " v.map.setView(item.coords[0], 9, {animate: false}); })()"
        )
        page.locator("#map").focus()
        page.keyboard.press("Enter")
        assert "Hakodate Airport" in page.inner_text(".leaflet-popup-content")
    finally:
        page.close()
    assert outside == [] and problems == []
