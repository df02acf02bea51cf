"""Load and validate the fact catalog (geo/data/catalog.toml): sources, places, layers, items."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from geo.places import Place, resolve_coordinates
from geo.schema import CERTAINTIES
from geo.timing import JST, PERIOD_END, PERIOD_START, day_bounds

CATALOG_PATH = Path(__file__).parent / "data" / "catalog.toml"
# Everything in the story lies in this box; a point outside it is a typo or swapped lat/lon.
EXTENT = {"west": 120.0, "east": 160.0, "south": 25.0, "north": 62.0}
GEOMETRY_KINDS = ("point", "points", "route", "circle", "buffer", "polygon", "along")
GEOMETRY_OPTIONS = {
    "point": set(),
    "points": set(),
    "route": {"step_km"},
    "circle": {"radius_km"},
    "buffer": {"radius_km"},
    "polygon": {"clip"},
    "along": {"fraction_of_route"},
}
CLIPS = ("water", "land")
ITEM_FIELDS = (
    "id",
    "layer",
    "name",
    "start",
    "end",
    "geometry",
    "description",
    "sources",
    "certainty",
)


class CatalogError(ValueError):
    """A catalog record is wrong; the message names the file, the record and the field."""


@dataclass(frozen=True)
class Source:
    """A work we cite."""

    id: str
    citation: str
    url: str
    licence: str


@dataclass(frozen=True)
class Item:
    """A dated, placed fact: one feature of one layer."""

    id: str
    layer: str
    name: str
    start: datetime
    end: datetime
    geometry: dict[str, Any]
    description: str
    sources: tuple[str, ...]
    certainty: str


@dataclass(frozen=True)
class Stay:
    """Where the MiG-25 itself was between two times: at a place, or along a route item."""

    start: datetime
    end: datetime
    status: str
    certainty: str
    sources: tuple[str, ...]
    place: str | None = None
    route: str | None = None


@dataclass(frozen=True)
class Catalog:
    """All facts, validated."""

    name: str
    sources: dict[str, Source]
    places: dict[str, Place]
    layers: dict[str, str]
    items: tuple[Item, ...]
    mig25: tuple[Stay, ...] = field(default=())
    figures: dict[str, str] = field(default_factory=dict)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"no catalog item {item_id!r}")

    def citations(self, source_ids: tuple[str, ...]) -> str:
        """The citations of `source_ids` joined with '; '."""
        return "; ".join(self.sources[source_id].citation for source_id in source_ids)


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate a catalog file (the packaged one by default)."""
    path = Path(path) if path is not None else CATALOG_PATH
    if path == CATALOG_PATH:
        return _packaged_catalog()
    return _load(path)


@lru_cache(maxsize=1)
def _packaged_catalog() -> Catalog:
    return _load(CATALOG_PATH)


def _load(path: Path) -> Catalog:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the catalog: {error.strerror}") from None
    return parse_catalog(text, path.name)


def parse_catalog(text: str, name: str = "catalog.toml") -> Catalog:
    """Parse and validate catalog TOML text; `name` is used in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{name}: not valid TOML: {error}") from None
    sources = _parse_sources(data.get("sources", {}), name)
    places = _parse_places(data.get("places", {}), name, sources)
    layers = _parse_layers(data.get("layers", {}), name)
    items = _parse_items(data.get("items", []), name, sources, places, layers)
    stays = _parse_stays(data.get("mig25", []), name, sources, places, items)
    figures = _parse_figures(data.get("figures", {}), name, items)
    return Catalog(name, sources, places, layers, items, stays, figures)


def _fail(name: str, record: str, message: str) -> CatalogError:
    return CatalogError(f"{name}: {record}: {message}")


def _ref(value: Any, name: str, record: str, field_name: str) -> str:
    """An id that refers to another record: must be text (a list or number cannot be looked up)."""
    if not isinstance(value, str):
        raise _fail(name, record, f"{field_name} must be an id in quotes, got {value!r}")
    return value


def _text(value: Any, name: str, record: str, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(name, record, f"{field_name} is empty or not text")
    return value.strip()


def _parse_sources(table: Any, name: str) -> dict[str, Source]:
    if not isinstance(table, dict) or not table:
        raise CatalogError(f"{name}: [sources] is missing or empty")
    sources = {}
    for source_id, record in table.items():
        label = f"source '{source_id}'"
        if not isinstance(record, dict):
            raise _fail(name, label, "must be a table")
        sources[source_id] = Source(
            id=source_id,
            citation=_text(record.get("citation"), name, label, "citation"),
            url=str(record.get("url", "")),
            licence=_text(record.get("licence"), name, label, "licence"),
        )
    return sources


def _parse_places(table: Any, name: str, sources: dict[str, Source]) -> dict[str, Place]:
    if not isinstance(table, dict):
        raise CatalogError(f"{name}: [places] must be a table")
    places = {}
    for place_id, record in table.items():
        label = f"place '{place_id}'"
        if not isinstance(record, dict):
            raise _fail(name, label, "must be a table")
        try:
            lon, lat, coords_source = resolve_coordinates(record)
        except (KeyError, ValueError) as error:
            message = error.args[0] if error.args else str(error)
            raise _fail(name, label, str(message)) from None
        _check_lonlat(lon, lat, name, label, "coordinates")
        if "lat" in record and coords_source not in sources:
            raise _fail(
                name,
                label,
                f"coords_source {coords_source!r} is not a source id (known: {', '.join(sources)})",
            )
        places[place_id] = Place(
            id=place_id,
            name=_text(record.get("name"), name, label, "name"),
            kind=_text(record.get("kind"), name, label, "kind"),
            lon=lon,
            lat=lat,
            coords_source=coords_source,
        )
    return places


def _parse_layers(table: Any, name: str) -> dict[str, str]:
    if not isinstance(table, dict) or not table:
        raise CatalogError(f"{name}: [layers] is missing or empty")
    return {
        layer: _text(title, name, f"layer '{layer}'", "title") for layer, title in table.items()
    }


def _check_lonlat(lon: Any, lat: Any, name: str, record: str, field_name: str) -> None:
    if not all(
        isinstance(value, int | float) and not isinstance(value, bool) for value in (lon, lat)
    ):
        raise _fail(
            name, record, f"{field_name}: lat/lon must be numbers, got lat={lat!r} lon={lon!r}"
        )

    def inside(x: float, y: float) -> bool:
        return EXTENT["west"] <= x <= EXTENT["east"] and EXTENT["south"] <= y <= EXTENT["north"]

    # Checked before the range test: a swapped pair here usually puts ~140 in the latitude.
    if not inside(lon, lat) and inside(lat, lon):
        raise _fail(name, record, f"{field_name}: lat={lat} lon={lon} look swapped (lat/lon)")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _fail(name, record, f"{field_name}: lat={lat} lon={lon} is out of range")
    if not inside(lon, lat):
        raise _fail(
            name,
            record,
            f"{field_name}: lat={lat} lon={lon} is outside the story's region "
            f"({EXTENT['south']}..{EXTENT['north']}°N, {EXTENT['west']}..{EXTENT['east']}°E)",
        )


def _time(value: Any, name: str, record: str, field_name: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _fail(name, record, f"{field_name} {value!r} is not a date-time") from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _fail(
                name, record, f"{field_name} {value.isoformat()} has no time zone (add +09:00)"
            )
        return value.astimezone(JST)
    if isinstance(value, date):
        raise _fail(
            name,
            record,
            f"{field_name} {value.isoformat()} is a date without a time and zone "
            f"(write {value.isoformat()}T00:00:00+09:00)",
        )
    raise _fail(name, record, f"{field_name} {value!r} is not a date-time")


def _source_ids(value: Any, name: str, record: str, sources: dict[str, Source]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(name, record, "sources is empty")
    for source_id in value:
        if _ref(source_id, name, record, "sources") not in sources:
            raise _fail(name, record, f"sources: unknown source {source_id!r}")
    return tuple(value)


def _check_waypoint(value: Any, name: str, record: str, places: dict[str, Place]) -> None:
    if isinstance(value, str):
        if value not in places:
            raise _fail(name, record, f"geometry: unknown place {value!r}")
        return
    if isinstance(value, dict) and set(value) == {"lat", "lon"}:
        _check_lonlat(value["lon"], value["lat"], name, record, "geometry")
        return
    raise _fail(name, record, f"geometry: {value!r} is neither a place id nor {{lat, lon}}")


def _check_geometry(
    spec: Any, name: str, record: str, places: dict[str, Place], route_ids: set[str]
) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise _fail(name, record, 'geometry must be a table such as { point = "hakodate" }')
    kinds = [key for key in spec if key in GEOMETRY_KINDS]
    if len(kinds) != 1:
        raise _fail(name, record, f"geometry needs exactly one of {', '.join(GEOMETRY_KINDS)}")
    kind = kinds[0]
    unknown = set(spec) - {kind} - GEOMETRY_OPTIONS[kind]
    if unknown:
        raise _fail(name, record, f"geometry: unknown option(s) {', '.join(sorted(unknown))}")
    value = spec[kind]
    if kind in ("point", "circle", "buffer"):
        _check_waypoint(value, name, record, places)
    elif kind == "along":
        if not isinstance(value, str) or value not in route_ids:
            raise _fail(name, record, f"geometry: along needs a route item id, got {value!r}")
    else:
        least = {"points": 1, "route": 2, "polygon": 3}[kind]
        if not isinstance(value, list) or len(value) < least:
            raise _fail(name, record, f"geometry: {kind} needs at least {least} positions")
        for waypoint in value:
            _check_waypoint(waypoint, name, record, places)
    if kind in ("circle", "buffer"):
        radius = spec.get("radius_km")
        if not isinstance(radius, int | float) or isinstance(radius, bool) or radius <= 0:
            raise _fail(
                name, record, f"geometry: radius_km must be a positive number, got {radius!r}"
            )
    if "clip" in spec and spec["clip"] not in CLIPS:
        raise _fail(name, record, f"geometry: clip must be one of {', '.join(CLIPS)}")
    return spec


def _parse_items(
    records: Any,
    name: str,
    sources: dict[str, Source],
    places: dict[str, Place],
    layers: dict[str, str],
) -> tuple[Item, ...]:
    if not isinstance(records, list) or not records:
        raise CatalogError(f"{name}: [[items]] is missing or empty")
    route_ids = {
        record.get("id")
        for record in records
        if isinstance(record, dict)
        and isinstance(record.get("id"), str)
        and isinstance(record.get("geometry"), dict)
        and "route" in record["geometry"]
    }
    items: list[Item] = []
    seen: set[str] = set()
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise CatalogError(f"{name}: item #{index}: must be a table")
        item_id = record.get("id")
        if not isinstance(item_id, str) or not item_id.strip():
            raise CatalogError(f"{name}: item #{index}: id is missing or empty")
        label = f"item '{item_id}'"
        if item_id in seen:
            raise _fail(name, label, "id is a duplicate")
        seen.add(item_id)
        for field_name in ITEM_FIELDS:
            if field_name not in record:
                raise _fail(name, label, f"{field_name} is missing")
        unknown = set(record) - set(ITEM_FIELDS)
        if unknown:
            raise _fail(name, label, f"unknown field(s) {', '.join(sorted(unknown))}")
        if _ref(record["layer"], name, label, "layer") not in layers:
            raise _fail(name, label, f"layer {record['layer']!r} is unknown")
        start = _time(record["start"], name, label, "start")
        end = _time(record["end"], name, label, "end")
        if end < start:
            raise _fail(name, label, f"end {end.isoformat()} is before start {start.isoformat()}")
        certainty = record["certainty"]
        if certainty not in CERTAINTIES:
            raise _fail(
                name, label, f"certainty {certainty!r} is not one of {', '.join(CERTAINTIES)}"
            )
        items.append(
            Item(
                id=item_id,
                layer=record["layer"],
                name=_text(record["name"], name, label, "name"),
                start=start,
                end=end,
                geometry=_check_geometry(record["geometry"], name, label, places, route_ids),
                description=" ".join(
                    _text(record["description"], name, label, "description").split()
                ),
                sources=_source_ids(record["sources"], name, label, sources),
                certainty=certainty,
            )
        )
    return tuple(items)


def _parse_stays(
    records: Any,
    name: str,
    sources: dict[str, Source],
    places: dict[str, Place],
    items: tuple[Item, ...],
) -> tuple[Stay, ...]:
    if not isinstance(records, list):
        raise CatalogError(f"{name}: [[mig25]] must be an array of tables")
    routes = {item.id for item in items if "route" in item.geometry}
    stays = []
    for index, record in enumerate(records, start=1):
        label = f"mig25 stay #{index}"
        if not isinstance(record, dict):
            raise _fail(name, label, "must be a table")
        for field_name in ("start", "end", "status", "certainty", "sources"):
            if field_name not in record:
                raise _fail(name, label, f"{field_name} is missing")
        place, route = record.get("place"), record.get("route")
        if (place is None) == (route is None):
            raise _fail(name, label, "needs exactly one of place or route")
        if place is not None and _ref(place, name, label, "place") not in places:
            raise _fail(name, label, f"place {place!r} is unknown")
        if route is not None and _ref(route, name, label, "route") not in routes:
            raise _fail(name, label, f"route {route!r} is not a route item")
        start = _time(record["start"], name, label, "start")
        end = _time(record["end"], name, label, "end")
        if end < start:
            raise _fail(name, label, f"end {end.isoformat()} is before start {start.isoformat()}")
        if record["certainty"] not in CERTAINTIES:
            raise _fail(name, label, f"certainty {record['certainty']!r} is unknown")
        stays.append(
            Stay(
                start=start,
                end=end,
                status=_text(record["status"], name, label, "status"),
                certainty=record["certainty"],
                sources=_source_ids(record["sources"], name, label, sources),
                place=place,
                route=route,
            )
        )
    _check_stays_cover_the_period(stays, name)
    return tuple(stays)


def _check_stays_cover_the_period(stays: list[Stay], name: str) -> None:
    """The jet is somewhere at every moment of the period: stays meet end to start, no overlap."""
    if not stays:
        return
    order = sorted(range(len(stays)), key=lambda index: stays[index].start)
    first, last = stays[order[0]], stays[order[-1]]
    period_start, period_end = day_bounds(PERIOD_START)[0], day_bounds(PERIOD_END)[1]
    if first.start > period_start:
        raise _fail(
            name,
            f"mig25 stay #{order[0] + 1}",
            f"the first stay starts {first.start.isoformat()}, after the period begins "
            f"({period_start.isoformat()})",
        )
    last_second = period_end - timedelta(seconds=1)
    if last.end < last_second:
        raise _fail(
            name,
            f"mig25 stay #{order[-1] + 1}",
            f"the last stay ends {last.end.isoformat()}, before the period ends "
            f"({last_second.isoformat()})",
        )
    for before, after in pairwise(order):
        ends, starts = stays[before].end, stays[after].start
        if starts != ends:
            kind = "a gap" if starts > ends else "an overlap"
            raise _fail(
                name,
                f"mig25 stay #{after + 1}",
                f"starts {starts.isoformat()} but stay #{before + 1} ends {ends.isoformat()} "
                f"({kind}: stays must meet end to start)",
            )


FIGURES = ("flight", "arrival", "departure")


def _parse_figures(table: Any, name: str, items: tuple[Item, ...]) -> dict[str, str]:
    """[figures]: the items the key figures come from (the flight route, arrival, departure)."""
    if not isinstance(table, dict):
        raise CatalogError(f"{name}: [figures] must be a table")
    ids = {item.id: item for item in items}
    for key, item_id in table.items():
        if key not in FIGURES:
            raise _fail(name, "[figures]", f"{key} is not one of {', '.join(FIGURES)}")
        if _ref(item_id, name, "[figures]", key) not in ids:
            raise _fail(name, "[figures]", f"{key}: item {item_id!r} is unknown")
        if key == "flight" and "route" not in ids[item_id].geometry:
            raise _fail(name, "[figures]", f"flight: item {item_id!r} is not a route item")
    return dict(table)
