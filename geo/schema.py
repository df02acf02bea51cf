"""The columns every layer frame carries, and the allowed certainty levels."""

from __future__ import annotations

COLUMNS: tuple[str, ...] = (
    "id",
    "layer",
    "name",
    "start",
    "end",
    "description",
    "sources",
    "certainty",
    "geometry",
)
CERTAINTIES: tuple[str, ...] = ("documented", "approximate", "illustrative")
CRS = "EPSG:4326"
