"""The columns every layer frame carries, and the allowed certainty levels."""

from __future__ import annotations

COLUMNS: tuple[str, ...] = (
    "id",
    "layer",
    "name",
    "place",
    "place_ja",
    "place_ru",
    "start",
    "end",
    "description",
    "alternatives",
    "sources",
    "certainty",
    "geometry",
)
CERTAINTIES: tuple[str, ...] = ("documented", "approximate", "illustrative")
CRS = "EPSG:4326"
