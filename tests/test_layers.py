"""Tests for layers: schema and CRS of every layer, what each shows, and where the MiG-25 was."""

from datetime import date, time

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely import MultiPoint, Point, Polygon
from support import found

import layers
from geo import basemap
from geo.geodesy import distance_km, length_km
from geo.schema import COLUMNS
from geo.timing import active_mask

LAYER_IDS = [
    "soviet_bases",
    "defection_flight",
    "chitose",
    "hakodate",
    "tsugaru_patrols",
    "c5a_route",
    "hyakuri",
    "aftermath",
]


def test_registry_has_exactly_the_eight_layers_in_order() -> None:
    assert list(layers.LAYERS) == LAYER_IDS


@pytest.mark.parametrize("layer_id", LAYER_IDS)
def test_layer_schema_and_crs(layer_id: str) -> None:
    frame = layers.build_layer(layer_id)
    assert isinstance(frame, gpd.GeoDataFrame)
    assert list(frame.columns) == list(COLUMNS)
    assert found(frame.crs).to_epsg() == 4326
    assert len(frame) > 0
    assert (frame["layer"] == layer_id).all()
    assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()
    for column in ("start", "end"):
        assert isinstance(frame[column].dtype, pd.DatetimeTZDtype)
    assert (frame["end"] >= frame["start"]).all()
    assert frame["certainty"].isin(["documented", "approximate", "illustrative"]).all()
    assert frame["description"].str.len().gt(40).all()
    # Every citation names a title in quotes: a reference a reader can look up.
    assert frame["sources"].map(lambda text: all("\u201c" in s for s in text.split("; "))).all()


@pytest.mark.parametrize("layer_id", LAYER_IDS)
def test_layer_style_is_plain_data(layer_id: str) -> None:
    style = layers.LAYERS[layer_id].style
    assert set(style) == {
        "color",
        "fill_color",
        "weight",
        "dash_array",
        "fill_opacity",
        "radius",
        "marker",
    }
    assert style["color"].startswith("#") and len(style["color"]) == 7


def test_building_twice_gives_equal_frames() -> None:
    assert_geodataframe_equal(layers.build_layer("hakodate"), layers.build_layer("hakodate"))


def test_all_features_concatenates_every_layer() -> None:
    frame = layers.all_features()
    assert frame["id"].is_unique
    assert set(frame["layer"]) == set(LAYER_IDS)
    assert len(frame) == sum(len(f) for f in layers.build_all().values())


def test_routes_are_geodesic_with_documented_lengths() -> None:
    flight = layers.build_layer("defection_flight").set_index("id")
    airlift = layers.build_layer("c5a_route").set_index("id")
    assert length_km(flight.geometry["defection-route"]) == pytest.approx(623, abs=1)
    assert length_km(airlift.geometry["c5a-airlift"]) == pytest.approx(621, abs=1)


def test_radar_contact_lies_on_the_drawn_flight_track_over_the_sea() -> None:
    flight = layers.build_layer("defection_flight").set_index("id")
    radar = flight.geometry["radar-contact"]
    assert flight.geometry["defection-route"].distance(radar) < 1e-9
    assert not basemap.land_union().contains(radar)


def test_sea_patrol_stays_on_the_water_and_covers_the_strait() -> None:
    patrols = layers.build_layer("tsugaru_patrols").set_index("id")
    area = patrols.geometry["msdf-tsugaru-patrol"]
    land = basemap.land_union()
    assert area.intersection(land).area / area.area < 1e-3
    assert area.contains(Point(140.5, 41.45))  # mid-channel
    counts = []
    for ship_layer in ("msdf-ships-sea-of-japan", "msdf-ships-pacific"):
        ships = patrols.geometry[ship_layer]
        assert isinstance(ships, MultiPoint), ship_layer
        for ship in ships.geoms:
            assert not land.contains(ship), ship_layer
        counts.append(len(ships.geoms))
    assert counts == [3, 2]


def test_gsdf_ring_is_around_hakodate_airport() -> None:
    hakodate = layers.build_layer("hakodate").set_index("id")
    ring = hakodate.geometry["gsdf-deployment"]
    assert isinstance(ring, Polygon)
    assert ring.contains(hakodate.geometry["hakodate-airport"])
    assert ring.exterior.is_ccw


@pytest.mark.parametrize(
    ("day", "expected_ids", "absent_ids"),
    [
        (date(1976, 9, 1), {"chuguyevka-air-base"}, {"landing", "msdf-tsugaru-patrol"}),
        (
            date(1976, 9, 6),
            {"radar-contact", "f4ej-scramble", "landing", "police-arrive"},
            {"c5a-airlift"},
        ),
        (date(1976, 9, 8), {"msdf-tsugaru-patrol", "us-asylum"}, {"landing"}),
        (
            date(1976, 9, 9),
            {"jurisdiction-to-defense-agency", "belenko-leaves-japan"},
            {"us-asylum"},
        ),
        (date(1976, 9, 25), {"c5a-airlift", "msdf-tsugaru-patrol", "examination"}, {"us-asylum"}),
        (date(1976, 9, 26), {"examination"}, {"msdf-tsugaru-patrol", "c5a-airlift"}),
        (date(1976, 11, 11), {"crates-to-hitachi"}, {"soviet-inspection-hitachi"}),
        (
            date(1976, 11, 15),
            {"shipped-from-hitachi", "taigonos-to-vladivostok"},
            {"examination", "gsdf-deployment"},
        ),
        (
            date(1976, 11, 16),
            {"hyakuri-air-base", "taigonos-to-vladivostok"},
            {"examination", "shipped-from-hitachi"},
        ),
    ],
)
def test_what_is_active_on_key_days(day: date, expected_ids: set, absent_ids: set) -> None:
    frame = layers.all_features()
    active = set(frame.loc[active_mask(frame, day), "id"])
    assert expected_ids <= active
    assert not absent_ids & active


@pytest.mark.parametrize(
    ("day", "at", "near_place", "status_word"),
    [
        (date(1976, 9, 1), None, (133.868333, 44.083333), "Chuguyevka"),
        (date(1976, 9, 6), time(12, 0), (133.868333, 44.083333), "Chuguyevka"),
        (date(1976, 9, 6), None, (140.82201, 41.77), "Hakodate"),
        (date(1976, 9, 24), time(12, 0), (140.82201, 41.77), "Hakodate"),
        (date(1976, 9, 24), time(23, 45), (140.82201, 41.77), "C-5A"),
        (date(1976, 9, 25), None, (140.41499, 36.1811), "Hyakuri"),
        (date(1976, 10, 20), None, (140.41499, 36.1811), "Hyakuri"),
        (date(1976, 11, 13), None, (140.62, 36.49), "Hitachi"),
        (date(1976, 11, 20), None, (131.87353, 43.10562), "Vladivostok"),
    ],
)
def test_mig25_position_every_phase(
    day: date, at: time | None, near_place: tuple[float, float], status_word: str
) -> None:
    position = layers.mig25_position(day, at)
    assert isinstance(position.geometry, Point)
    assert distance_km((position.geometry.x, position.geometry.y), near_place) < 1
    assert status_word in position.status


def test_mig25_is_over_the_sea_at_radar_contact() -> None:
    position = layers.mig25_position(date(1976, 9, 6), time(13, 11))
    radar = layers.build_layer("defection_flight").set_index("id").geometry["radar-contact"]
    assert position.geometry.distance(radar) < 1e-9
    assert "flight" in position.status


def test_mig25_position_known_for_every_day_of_the_period() -> None:
    from geo.timing import period_days

    assert all(layers.mig25_position(day).geometry is not None for day in period_days())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hakodate,nope", "unknown layer 'nope'"),
        ("x", "unknown layer 'x'"),
        ("", "no layer ids in ''"),
        (" , ", "no layer ids in ' , '"),
    ],
)
def test_parse_layer_ids_bad(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        layers.parse_layer_ids(text)


def test_parse_layer_ids_good() -> None:
    assert layers.parse_layer_ids(" hakodate, c5a_route,hakodate") == ["hakodate", "c5a_route"]
    assert layers.parse_layer_ids(None) == LAYER_IDS


def test_build_all_builds_what_it_is_asked_for() -> None:
    assert list(layers.build_all(["hakodate"])) == ["hakodate"]
    assert layers.build_all([]) == {}
    assert list(layers.build_all()) == LAYER_IDS


def test_layers_do_not_import_ui_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys, layers; layers.all_features(); "
        "print(sorted(m for m in ('streamlit', 'folium') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_presentation_gives_titles_and_styles_of_the_chosen_layers():
    titles, styles = layers.presentation(["hakodate", "c5a_route"])
    assert titles == {"hakodate": "Hakodate Airport", "c5a_route": "C-5A transfer, 24-25 Sep"}
    assert styles["c5a_route"] is layers.LAYERS["c5a_route"].style
    assert list(styles) == ["hakodate", "c5a_route"]
