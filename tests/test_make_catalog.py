"""The benchmarks' synthetic catalogs (tests/bench/make_catalog.py): valid, labelled, mixed."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from geo.catalog import parse_catalog
from geo.features import item_geometry

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))

import make_catalog  # from the benchmarks' folder, added above


def test_a_synthetic_catalog_loads_draws_and_says_it_is_synthetic() -> None:
    catalog = parse_catalog(make_catalog.catalog_text(400), "synthetic.toml")
    real = parse_catalog(make_catalog.REAL_CATALOG.read_text(encoding="utf-8"))
    assert len(catalog.items) == 400
    added = catalog.items[len(real.items) :]
    assert all(item.name.startswith("Synthetic") for item in added)
    assert all("not a historical fact" in item.description for item in added)
    kinds = Counter(next(iter(item.geometry)) for item in added)
    assert {"point", "points", "route", "along", "circle", "buffer", "polygon"} <= set(kinds)
    assert len({item.layer for item in added}) == len(catalog.layers)
    for item in catalog.items:
        assert not item_geometry(item, catalog).is_empty


def test_the_same_size_gives_the_same_catalog() -> None:
    assert make_catalog.catalog_text(60) == make_catalog.catalog_text(60)


def test_fewer_items_than_the_real_catalog_are_refused() -> None:
    with pytest.raises(ValueError, match=r"items must be at least the real catalog's \d+, got 5"):
        make_catalog.catalog_text(5)
