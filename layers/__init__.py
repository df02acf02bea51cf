"""Map layers: the registry of the catalog's layers, one GeoDataFrame each, and the MiG-25."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely import Point

from geo.catalog import catalog_path, load_catalog
from geo.features import day_moment, layer_frame, stay_at
from geo.schema import COLUMNS, CRS


@dataclass(frozen=True)
class LayerSpec:
    """A layer: its id, display title, builder and plain-dict style (all from the catalog)."""

    id: str
    title: str
    build: Callable[[], gpd.GeoDataFrame]
    style: dict[str, Any]


@dataclass(frozen=True)
class MigPosition:
    """Where the MiG-25 was at a moment, and how sure we are."""

    moment: datetime
    status: str
    geometry: Point
    certainty: str
    sources: str


def _registry() -> dict[str, LayerSpec]:
    return _registry_for(catalog_path())


@lru_cache(maxsize=4)
def _registry_for(path: Path) -> dict[str, LayerSpec]:
    catalog = load_catalog(path)
    return {
        layer.id: LayerSpec(
            layer.id, layer.title, partial(layer_frame, layer.id, catalog), layer.style
        )
        for layer in catalog.layers.values()
    }


# The registry is built on first use, not at import: a catalog error must reach the CLI's and
# the app's error handling as one clear message, not escape as a traceback from `import layers`.
if TYPE_CHECKING:
    LAYERS: dict[str, LayerSpec]


def __getattr__(name: str) -> Any:
    if name == "LAYERS":
        return _registry()
    raise AttributeError(f"module 'layers' has no attribute {name!r}")


def parse_layer_ids(text: str | None) -> list[str]:
    """Layer ids from a comma-separated list (all when None); none or unknown ids: ValueError."""
    registry = _registry()
    if text is None:
        return list(registry)
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    if not wanted:
        raise ValueError(f"no layer ids in {text!r} (known: {', '.join(registry)})")
    unknown = [layer_id for layer_id in wanted if layer_id not in registry]
    if unknown:
        raise ValueError(f"unknown layer {unknown[0]!r} (known: {', '.join(registry)})")
    return list(dict.fromkeys(wanted))


def presentation(layer_ids: list[str] | tuple[str, ...]) -> tuple[dict[str, str], dict[str, Any]]:
    """Titles and styles of the given layers, by id, for exports that draw or name them."""
    specs = [_registry()[layer_id] for layer_id in layer_ids]
    return {s.id: s.title for s in specs}, {s.id: s.style for s in specs}


def build_layer(layer_id: str) -> gpd.GeoDataFrame:
    """Build one layer by id."""
    registry = _registry()
    if layer_id not in registry:
        known = ", ".join(registry)
        raise ValueError(f"build_layer: unknown layer {layer_id!r} (known: {known})")
    return registry[layer_id].build()


def build_all(layer_ids: list[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Build the given layers (all by default), keyed by id, in display order."""
    chosen = list(_registry()) if layer_ids is None else layer_ids
    return {layer_id: build_layer(layer_id) for layer_id in chosen}


def all_features() -> gpd.GeoDataFrame:
    """Every layer's features in one frame with the same columns."""
    frames = list(build_all().values())
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), columns=list(COLUMNS), crs=CRS)


def mig25_position(day: date, at: time | None = None) -> MigPosition:
    """Where the MiG-25 was on `day` (at JST time `at`, or at the end of that day)."""
    moment = day_moment(day, at)
    catalog = load_catalog()
    found = stay_at(moment, catalog)
    if found is None:
        raise ValueError(
            f"mig25_position: the catalog has no MiG-25 position at {moment.isoformat()}"
        )
    stay, position = found
    return MigPosition(
        moment=moment,
        status=stay.status,
        geometry=position,
        certainty=stay.certainty,
        sources=catalog.citations(stay.sources),
    )
