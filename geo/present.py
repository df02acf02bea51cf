"""Texts shared by every place a feature is shown: popups, the panel, KML balloons, pictures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ALTERNATIVES_SEPARATOR = " | "
SOURCES_SEPARATOR = "; "


def _field(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key) if hasattr(row, "get") else None
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    return str(value).strip()


def place_line(row: Mapping[str, Any]) -> str:
    """The feature's place in English with its Japanese and Russian names, e.g.
    'Hakodate Airport · 函館空港'; '' when the feature has no single place."""
    names = [_field(row, key) for key in ("place", "place_ja", "place_ru")]
    return " · ".join(name for name in names if name)


def alternatives(row: Mapping[str, Any]) -> list[str]:
    """The other published claims about the feature, each with its sources."""
    text = _field(row, "alternatives")
    return [part.strip() for part in text.split(ALTERNATIVES_SEPARATOR) if part.strip()]


def sources(row: Mapping[str, Any]) -> list[str]:
    """The feature's citations, one per source."""
    text = _field(row, "sources")
    return [part.strip() for part in text.split(SOURCES_SEPARATOR) if part.strip()]
