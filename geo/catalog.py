"""Load and validate the fact catalog: sources, places, layers, items, the MiG-25's stays."""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from geo.places import Place, resolve_coordinates
from geo.schema import CERTAINTIES
from geo.timing import JST, PERIOD_END, PERIOD_START, day_bounds

CATALOG_PATH = Path(__file__).parent / "data" / "catalog.toml"
# A researcher's own catalog, for the dashboard (the CLI's --catalog sets it too).
CATALOG_ENV = "FOXBAT76_CATALOG"
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
ITEM_OPTIONAL = ("place", "alternatives")
TABLES = ("sources", "layers", "places", "items", "figures", "mig25")
SOURCE_FIELDS = ("author", "title", "publisher", "published", "url", "consulted", "licence", "note")
PLACE_FIELDS = (
    "name",
    "kind",
    "icao",
    "geonameid",
    "lat",
    "lon",
    "coords_source",
    "coords_note",
    "names",
    "names_sources",
)
STAY_FIELDS = ("start", "end", "status", "certainty", "sources", "place", "route")
LANGUAGES = ("ja", "ru")  # the scripts a place's names may carry besides English
# What a source may back on its own ("position: airportsdata"): readers see which part it supports.
SOURCE_ROLES = ("position", "names", "time")
MARKERS = ("circle", "square", "diamond", "triangle")
STYLE_FIELDS = ("color", "fill_color", "weight", "dash_array", "fill_opacity", "radius", "marker")
MAX_RADIUS_KM = 500.0  # a larger circle or buffer is a typo: the whole story fits in ~2,000 km
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DASH_ARRAY = re.compile(r"^\d+(\.\d+)?([ ,]+\d+(\.\d+)?)*$")
_URL = re.compile(r"^https?://\S+$")


class CatalogError(ValueError):
    """A catalog record is wrong; the message names the file, the record and the field."""


@dataclass(frozen=True)
class Source:
    """A publication we cite: a reader can look it up by author/publisher, title, date or URL."""

    id: str
    title: str
    author: str = ""
    publisher: str = ""
    published: str = ""
    url: str = ""
    consulted: str = ""
    licence: str = ""
    note: str = ""

    @property
    def citation(self) -> str:
        """One line: Author, "Title", Publisher, published, URL (consulted YYYY-MM-DD)."""
        parts = [self.author, f"\u201c{self.title}\u201d", self.publisher, self.published]
        text = ", ".join(part for part in parts if part)
        if self.url:
            text += f", {self.url}"
            if self.consulted:
                text += f" (consulted {self.consulted})"
        return text

    @property
    def short(self) -> str:
        """Author or publisher and date, for lists of alternative claims."""
        who = self.author or self.publisher
        return f"{who}, \u201c{self.title}\u201d ({self.published or 'n.d.'})"


@dataclass(frozen=True)
class Alternative:
    """Another published claim about an item, with its own sources."""

    claim: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PlaceNames:
    """A place's name in English, Japanese and Russian (where a source gives it), and sources."""

    en: str
    ja: str = ""
    ru: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layer:
    """A layer's display title and its map style (a plain dict, shared by every renderer)."""

    id: str
    title: str
    style: dict[str, Any]


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
    alternatives: tuple[Alternative, ...] = ()
    place: PlaceNames | None = None


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
    layers: dict[str, Layer]
    items: tuple[Item, ...]
    mig25: tuple[Stay, ...] = field(default=())
    figures: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def route_lines(self) -> dict[str, Any]:
        """Route lines drawn so far, by route item id (geo.features draws each route once)."""
        return {}

    def item(self, item_id: str) -> Item:
        """The item with id `item_id` (KeyError naming it if there is none)."""
        try:
            return self._items_by_id[item_id]
        except KeyError:
            raise KeyError(f"no catalog item {item_id!r}") from None

    def citation(self, reference: str) -> str:
        """The citation of a source reference: an id, or "role: id" ("position: geonames")."""
        role, _, source_id = reference.rpartition(": ")
        text = self.sources[source_id].citation
        return f"{role}: {text}" if role else text

    def citations(self, references: tuple[str, ...]) -> str:
        """The citations of `references` (see `citation`) joined with '; '."""
        return "; ".join(self.citation(reference) for reference in references)

    def item_sources(self, item: Item) -> tuple[str, ...]:
        """Everything an item rests on: its own sources, its alternatives', then its place's
        position and name sources, each once, with the part a source backs alone named."""
        references = list(item.sources)
        for alternative in item.alternatives:
            references += alternative.sources
        for place_id in _place_ids(item.geometry):
            place = self.places[place_id]
            references.append(f"position: {place.coords_source}")
            if place.names is not None:
                references += [f"names: {source}" for source in place.names.sources]
        if item.place is not None:
            references += [f"names: {source}" for source in item.place.sources]
        plain = {ref for ref in references if ": " not in ref}
        # A source cited for the whole item already backs its position or names.
        kept = [
            ref for ref in references if ref.rpartition(": ")[2] not in plain or ": " not in ref
        ]
        return tuple(dict.fromkeys(kept))

    def place_names(self, item: Item) -> PlaceNames | None:
        """The names of the item's own place: set on the item, or the place it is drawn at."""
        if item.place is not None:
            return item.place
        place_ids = _place_ids(item.geometry)
        if len(set(place_ids)) != 1:
            return None
        place = self.places[place_ids[0]]
        return place.names or PlaceNames(en=place.name)

    def alternatives_text(self, item: Item) -> str:
        """The item's alternative claims, each with its sources, joined with ' | '."""
        return " | ".join(
            f"{alt.claim} ({'; '.join(self.sources[s].short for s in alt.sources)})"
            for alt in item.alternatives
        )


def _place_ids(geometry: dict[str, Any]) -> list[str]:
    """The place ids an item's geometry is drawn from (points, route ends, centres)."""
    found = []
    for key in ("point", "circle", "buffer", "points", "route", "polygon"):
        value = geometry.get(key)
        for position in value if isinstance(value, list) else [value]:
            if isinstance(position, str):
                found.append(position)
    return found


def catalog_path() -> Path:
    """The catalog in use: $FOXBAT76_CATALOG if set, else the packaged one."""
    chosen = os.environ.get(CATALOG_ENV, "").strip()
    return Path(chosen) if chosen else CATALOG_PATH


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate a catalog file (`catalog_path()` by default); cached per file."""
    return _cached(Path(path) if path is not None else catalog_path())


@lru_cache(maxsize=4)
def _cached(path: Path) -> Catalog:
    return _load(path)


def _load(path: Path) -> Catalog:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the catalog: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CatalogError(
            f"{path.name}: not UTF-8 text (byte {error.start}): save the catalog as UTF-8"
        ) from None
    return parse_catalog(text, path.name)


def parse_catalog(text: str, name: str = "catalog.toml") -> Catalog:
    """Parse and validate catalog TOML text; `name` is used in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{name}: not valid TOML: {error}") from None
    # A misspelt table (e.g. [[item]]) would silently drop what it holds.
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        raise CatalogError(
            f"{name}: unknown table(s) {', '.join(unknown)} (known: {', '.join(TABLES)})"
        )
    sources = _parse_sources(data.get("sources", {}), name)
    places = _parse_places(data.get("places", {}), name, sources)
    layers = _parse_layers(data.get("layers", {}), name)
    items = _parse_items(data.get("items", []), name, sources, places, layers)
    stays = _parse_stays(data.get("mig25", []), name, sources, places, items)
    figures = _parse_figures(data.get("figures", {}), name, items)
    return Catalog(name, sources, places, layers, items, stays, figures)


def _fail(name: str, record: str, message: str) -> CatalogError:
    return CatalogError(f"{name}: {record}: {message}")


def _check_fields(record: dict[str, Any], allowed: tuple[str, ...], name: str, label: str) -> None:
    unknown = sorted(set(record) - set(allowed))
    if unknown:
        raise _fail(
            name, label, f"unknown field(s) {', '.join(unknown)} (known: {', '.join(allowed)})"
        )


def _ref(value: Any, name: str, record: str, field_name: str) -> str:
    """An id that refers to another record: must be text (a list or number cannot be looked up)."""
    if not isinstance(value, str):
        raise _fail(name, record, f"{field_name} must be an id in quotes, got {value!r}")
    return value


def _text(value: Any, name: str, record: str, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(name, record, f"{field_name} is empty or not text")
    return value.strip()


def _optional_text(record: dict[str, Any], key: str, name: str, label: str) -> str:
    if key not in record:
        return ""
    value = record[key]
    if isinstance(value, date):  # TOML dates, e.g. consulted = 2026-11-30
        return value.isoformat()
    return _text(value, name, label, key)


def _parse_sources(table: Any, name: str) -> dict[str, Source]:
    if not isinstance(table, dict) or not table:
        raise CatalogError(f"{name}: [sources] is missing or empty")
    sources = {}
    for source_id, record in table.items():
        label = f"source '{source_id}'"
        if not isinstance(record, dict):
            raise _fail(name, label, "must be a table")
        _check_fields(record, SOURCE_FIELDS, name, label)
        fields = {key: _optional_text(record, key, name, label) for key in SOURCE_FIELDS}
        if not fields["title"]:
            raise _fail(name, label, "title is missing: a reader must be able to look it up")
        if not (fields["author"] or fields["publisher"]):
            raise _fail(name, label, "needs an author or a publisher")
        if fields["url"] and not _URL.match(fields["url"]):
            raise _fail(name, label, f"url {fields['url']!r} is not an http(s) address")
        if fields["url"] and not fields["consulted"]:
            raise _fail(name, label, "consulted is missing: give the day the URL was read")
        if not fields["url"] and not (fields["publisher"] and fields["published"]):
            raise _fail(
                name, label, "needs a url, or a publisher and a published date to find it by"
            )
        for key, value in fields.items():
            # "; " joins citations in exports, "|" joins alternatives: neither may split one.
            if ";" in value or "|" in value:
                raise _fail(name, label, f"{key} may not contain ';' or '|'")
        sources[source_id] = Source(id=source_id, **fields)
    return sources


def _parse_names(
    record: dict[str, Any], name: str, label: str, sources: dict[str, Source]
) -> PlaceNames | None:
    names = record.get("names")
    if names is None:
        if "names_sources" in record:
            raise _fail(name, label, "names_sources without names")
        return None
    if not isinstance(names, dict) or not names:
        raise _fail(name, label, 'names must be a table such as { ja = "函館空港" }')
    _check_fields(names, LANGUAGES, name, f"{label}: names")
    if "names_sources" not in record:
        raise _fail(name, label, "names need names_sources: where do the names come from?")
    english = _text(record.get("name"), name, label, "name")
    return _names(english, names, record["names_sources"], name, label, sources, "names")


def _names(
    english: str,
    scripts: dict[str, Any],
    references: Any,
    name: str,
    label: str,
    sources: dict[str, Source],
    field_name: str,
) -> PlaceNames:
    """A place's names: English, the Japanese and Russian given in `scripts`, their sources."""
    native = {
        language: _text(scripts[language], name, label, f"{field_name}.{language}")
        for language in LANGUAGES
        if language in scripts
    }
    where = f"{field_name}_sources" if field_name == "names" else f"{field_name}.sources"
    return PlaceNames(
        en=english, **native, sources=_source_ids(references, name, label, sources, where)
    )


def _parse_places(table: Any, name: str, sources: dict[str, Source]) -> dict[str, Place]:
    if not isinstance(table, dict):
        raise CatalogError(f"{name}: [places] must be a table")
    places = {}
    for place_id, record in table.items():
        label = f"place '{place_id}'"
        if not isinstance(record, dict):
            raise _fail(name, label, "must be a table")
        _check_fields(record, PLACE_FIELDS, name, label)
        try:
            lon, lat, coords_source = resolve_coordinates(record)
        except (KeyError, ValueError) as error:
            message = error.args[0] if error.args else str(error)
            raise _fail(name, label, str(message)) from None
        _check_lonlat(lon, lat, name, label, "coordinates")
        if coords_source not in sources:
            raise _fail(
                name,
                label,
                f"coords_source {coords_source!r} is not a source id (known: {', '.join(sources)})"
                if "lat" in record
                else f"its coordinates come from {coords_source!r}: add [sources.{coords_source}]",
            )
        if "coords_note" in record and "lat" not in record:
            raise _fail(name, label, "coords_note goes with hand-entered lat/lon only")
        places[place_id] = Place(
            id=place_id,
            name=_text(record.get("name"), name, label, "name"),
            kind=_text(record.get("kind"), name, label, "kind"),
            lon=lon,
            lat=lat,
            coords_source=coords_source,
            coords_note=_optional_text(record, "coords_note", name, label),
            names=_parse_names(record, name, label, sources),
        )
    return places


def _parse_style(value: Any, name: str, label: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(name, label, 'style must be a table such as { color = "#762a83", ... }')
    _check_fields(value, STYLE_FIELDS, name, f"{label}: style")
    style: dict[str, Any] = {"dash_array": None}
    for key in ("color", "fill_color"):
        if not isinstance(value.get(key), str) or not _HEX_COLOR.match(value[key]):
            raise _fail(
                name, label, f"style.{key} must be a colour like #762a83, got {value.get(key)!r}"
            )
        style[key] = value[key]
    for key, low, high in (
        ("weight", 0.0, 20.0),
        ("fill_opacity", 0.0, 1.0),
        ("radius", 1.0, 30.0),
    ):
        number = value.get(key)
        if (
            not isinstance(number, int | float)
            or isinstance(number, bool)
            or not low <= number <= high
        ):
            raise _fail(
                name,
                label,
                f"style.{key} must be a number from {low:g} to {high:g}, got {number!r}",
            )
        style[key] = number
    if "dash_array" in value:
        dash = value["dash_array"]
        if not isinstance(dash, str) or not _DASH_ARRAY.match(dash):
            raise _fail(name, label, f'style.dash_array must be numbers like "8 6", got {dash!r}')
        style["dash_array"] = dash
    if value.get("marker") not in MARKERS:
        raise _fail(
            name,
            label,
            f"style.marker must be one of {', '.join(MARKERS)}, got {value.get('marker')!r}",
        )
    style["marker"] = value["marker"]
    return {key: style[key] for key in STYLE_FIELDS}


def _parse_layers(table: Any, name: str) -> dict[str, Layer]:
    if not isinstance(table, dict) or not table:
        raise CatalogError(f"{name}: [layers] is missing or empty")
    layers = {}
    for layer_id, record in table.items():
        label = f"layer '{layer_id}'"
        if not isinstance(record, dict):
            raise _fail(name, label, "must be a table with a title and a style")
        _check_fields(record, ("title", "style"), name, label)
        layers[layer_id] = Layer(
            id=layer_id,
            title=_text(record.get("title"), name, label, "title"),
            style=_parse_style(record.get("style"), name, label),
        )
    return layers


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


def _source_ids(
    value: Any,
    name: str,
    record: str,
    sources: dict[str, Source],
    field_name: str = "sources",
) -> tuple[str, ...]:
    """Source references: ids, or "role: id" where a source backs only one part of a record."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(name, record, f"{field_name} is empty")
    for reference in value:
        role, _, source_id = _ref(reference, name, record, field_name).rpartition(": ")
        if role and role not in SOURCE_ROLES:
            raise _fail(
                name,
                record,
                f"{field_name}: {reference!r}: the part before ': ' must be one of "
                f"{', '.join(SOURCE_ROLES)}",
            )
        if source_id not in sources:
            raise _fail(name, record, f"{field_name}: unknown source {source_id!r}")
    return tuple(value)


def _parse_alternatives(
    value: Any, name: str, label: str, sources: dict[str, Source]
) -> tuple[Alternative, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(name, label, "alternatives must be a list of { claim = ..., sources = [...] }")
    alternatives = []
    for number, entry in enumerate(value, start=1):
        where = f"{label}: alternative #{number}"
        if not isinstance(entry, dict):
            raise _fail(name, where, "must be a table { claim = ..., sources = [...] }")
        _check_fields(entry, ("claim", "sources"), name, where)
        claim = " ".join(_text(entry.get("claim"), name, where, "claim").split())
        if "|" in claim:
            raise _fail(name, where, "claim may not contain '|'")
        if "sources" not in entry:
            raise _fail(name, where, "sources is missing: every claim needs its own source")
        alternatives.append(
            Alternative(claim=claim, sources=_source_ids(entry["sources"], name, where, sources))
        )
    return tuple(alternatives)


def _parse_item_place(value: Any, name: str, label: str, sources: dict[str, Source]) -> PlaceNames:
    if not isinstance(value, dict):
        raise _fail(name, label, "place must be a table { en = ..., ja = ..., sources = [...] }")
    _check_fields(value, ("en", *LANGUAGES, "sources"), name, f"{label}: place")
    if "sources" not in value:
        raise _fail(name, label, "place: sources is missing: where do the names come from?")
    english = _text(value.get("en"), name, label, "place.en")
    return _names(english, value, value["sources"], name, label, sources, "place")


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
        if (
            not isinstance(radius, int | float)
            or isinstance(radius, bool)
            or not math.isfinite(radius)
            or not 0 < radius <= MAX_RADIUS_KM
        ):
            raise _fail(
                name,
                record,
                f"geometry: radius_km must be a number above 0 and at most {MAX_RADIUS_KM:g}, "
                f"got {radius!r}",
            )
    if "clip" in spec and spec["clip"] not in CLIPS:
        raise _fail(name, record, f"geometry: clip must be one of {', '.join(CLIPS)}")
    return spec


def _parse_items(
    records: Any,
    name: str,
    sources: dict[str, Source],
    places: dict[str, Place],
    layers: dict[str, Layer],
) -> tuple[Item, ...]:
    if not isinstance(records, list) or not records:
        raise CatalogError(f"{name}: [[items]] is missing or empty")
    route_ids = {
        record["id"]
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
        _check_fields(record, (*ITEM_FIELDS, *ITEM_OPTIONAL), name, label)
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
                alternatives=(
                    _parse_alternatives(record["alternatives"], name, label, sources)
                    if "alternatives" in record
                    else ()
                ),
                place=(
                    _parse_item_place(record["place"], name, label, sources)
                    if "place" in record
                    else None
                ),
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
        _check_fields(record, STAY_FIELDS, name, label)
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
