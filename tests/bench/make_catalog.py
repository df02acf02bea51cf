"""Write a synthetic fact catalog of N items, to measure what the tools cost as the catalog grows.

Run: .venv/bin/python tests/bench/make_catalog.py --items 3000 --out /tmp/catalog-3000.toml
     .venv/bin/foxbat76 check --catalog /tmp/catalog-3000.toml

The catalog is the real one (its sources, places, layers, items, the MiG-25's stays and key
figures, so every reference stays valid) with synthetic items added until it holds N. They are
labelled as such: every title starts "Synthetic", every description says it is not a fact.
The mix is deterministic for a given N and roughly that of the real items: points at the real
places or anywhere in the region, multi-points, geodesic routes, items placed along one of those
routes, flight circles, buffered areas and polygons (a few clipped to the water), spread over
Sep-Nov 1976 as instants, hours, days or weeks, across the real layers.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REAL_CATALOG = ROOT / "geo" / "data" / "catalog.toml"
SYNTHETIC_SOURCE = "enwiki-defection"  # cited by every synthetic item (the catalog needs one)
PERIOD_START = datetime.fromisoformat("1976-09-01T00:00:00+09:00")
PERIOD_SECONDS = 91 * 86_400 - 1
# Where synthetic positions fall: inside the map's region, around the story's seas.
SOUTH, NORTH, WEST, EAST = 33.0, 50.0, 128.0, 148.0
OPEN_SEA = ((40.5, 135.5), (38.0, 145.5), (45.0, 137.0), (35.0, 142.5))  # (lat, lon)
# Kind of geometry, and its share of the items.
MIX = (
    ("point", 0.40),
    ("points", 0.08),
    ("route", 0.14),
    ("along", 0.14),
    ("circle", 0.06),
    ("buffer", 0.10),
    ("polygon", 0.075),
    ("polygon-water", 0.005),
)


def _toml(value: object) -> str:
    """A TOML value: strings as JSON (its escapes are TOML's), lists and tables inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(entry) for entry in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml(entry)}" for key, entry in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def _position(rng: random.Random, places: list[str]) -> str | dict[str, float]:
    """A real place id (a third of the time) or a position anywhere in the region."""
    if rng.random() < 1 / 3:
        return rng.choice(places)
    return {"lat": round(rng.uniform(SOUTH, NORTH), 4), "lon": round(rng.uniform(WEST, EAST), 4)}


def _span(rng: random.Random) -> tuple[datetime, datetime]:
    """Instants, hours, days and weeks, as the real items have them, inside the period."""
    start = PERIOD_START + timedelta(seconds=rng.randrange(PERIOD_SECONDS))
    kind = rng.random()
    if kind < 0.30:
        length = timedelta(0)
    elif kind < 0.60:
        length = timedelta(minutes=rng.randrange(10, 12 * 60))
    elif kind < 0.85:
        length = timedelta(days=rng.uniform(1, 7))
    else:
        length = timedelta(days=rng.uniform(7, 60))
    end = min(start + length, PERIOD_START + timedelta(seconds=PERIOD_SECONDS))
    return start.replace(microsecond=0), end.replace(microsecond=0)


def _geometry(kind: str, rng: random.Random, places: list[str], routes: list[str]) -> dict:
    if kind == "point":
        return {"point": _position(rng, places)}
    if kind == "points":
        return {"points": [_position(rng, places) for _ in range(rng.randrange(2, 5))]}
    if kind == "route":
        return {"route": [_position(rng, places) for _ in range(rng.randrange(2, 4))]}
    if kind == "along":
        return {"along": rng.choice(routes)}
    if kind in ("circle", "buffer"):
        return {kind: _position(rng, places), "radius_km": rng.randrange(5, 80)}
    # A small quadrilateral around a random centre (a patrol or search area); the ones cut to
    # the water lie well out at sea, so something is left.
    if kind == "polygon-water":
        lat, lon = rng.choice(OPEN_SEA)
        lat, lon = lat + rng.uniform(-0.5, 0.5), lon + rng.uniform(-0.5, 0.5)
    else:
        lat, lon = rng.uniform(SOUTH + 1, NORTH - 1), rng.uniform(WEST + 1, EAST - 1)
    size = rng.uniform(0.1, 0.8)
    corners = [(-1, -1), (1, -1.2), (1.1, 1), (-0.9, 1.1)]
    polygon = [
        {"lat": round(lat + dy * size, 4), "lon": round(lon + dx * size, 4)} for dx, dy in corners
    ]
    return {"polygon": polygon, **({"clip": "water"} if kind == "polygon-water" else {})}


def synthetic_items(count: int, catalog: dict) -> list[dict]:
    """`count` synthetic item records for a catalog parsed from the real one's TOML."""
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count!r}")
    rng = random.Random(count)
    places, layer_ids = sorted(catalog["places"]), list(catalog["layers"])
    kinds, weights = zip(*MIX, strict=True)
    routes: list[str] = []
    records = []
    for number in range(1, count + 1):
        item_id = f"synthetic-{number:05d}"
        kind = rng.choices(kinds, weights)[0]
        if kind == "along" and not routes:
            kind = "route"
        start, end = _span(rng)
        if kind == "along":
            start = end  # a moment on its route's way: an event, as the real ones are
        records.append(
            {
                "id": item_id,
                "layer": rng.choice(layer_ids),
                "name": f"Synthetic {kind.split('-')[0]} {number}",
                "start": start,
                "end": end,
                "geometry": _geometry(kind, rng, places, routes),
                "description": (
                    f"Synthetic benchmark item {number} of {count}: made up to measure the "
                    "tools on a large catalog, not a historical fact."
                ),
                "sources": [SYNTHETIC_SOURCE],
                "certainty": "illustrative",
            }
        )
        if kind == "route":
            routes.append(item_id)
    return records


def catalog_text(items: int, real: Path = REAL_CATALOG) -> str:
    """The real catalog's text with synthetic items appended until it holds `items` in all."""
    text = real.read_text(encoding="utf-8")
    parsed = tomllib.loads(text)
    extra = items - len(parsed["items"])
    if extra < 0:
        raise ValueError(
            f"items must be at least the real catalog's {len(parsed['items'])}, got {items}"
        )
    blocks = [
        "\n\n# ---------------------------------------------------------------- synthetic items",
        f"# {extra} items made up by the benchmarks to measure cost against catalog size;",
        "# none of them is a historical fact.\n",
    ]
    for record in synthetic_items(extra, parsed):
        lines = ["[[items]]", *(f"{key} = {_toml(value)}" for key, value in record.items())]
        blocks.append("\n".join(lines) + "\n")
    return text.rstrip("\n") + "\n" + "\n".join(blocks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, required=True, help="items in all (at least 36)")
    parser.add_argument("--out", type=Path, required=True, help="the catalog file to write")
    args = parser.parse_args(argv)
    try:
        text = catalog_text(args.items)
    except ValueError as error:
        parser.error(str(error))
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {args.items} items", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
