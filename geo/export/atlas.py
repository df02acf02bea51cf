"""PDF atlas: a page per day with a new event, the day's map above its events and their sources."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from geo.export.common import ExportError, layer_title, text
from geo.export.picture import ATTRIBUTION, TITLE, text_style
from geo.present import format_span
from geo.timing import JST

PAGE_INCHES = (8.27, 11.69)  # A4 portrait
_MARGIN = 0.06
_LINE = 0.0135  # one 8.5 pt line, as a fraction of the page height
_WRAP = 125  # characters per line of body text across the page


@dataclass(frozen=True)
class Event:
    """An item that starts on a page's day, as the atlas lists it."""

    name: str
    layer: str
    when: str
    place: str  # where, with its Japanese and Russian names when the catalog gives them
    description: str
    sources: tuple[str, ...]


def day_events(
    frames: Mapping[str, gpd.GeoDataFrame], day: date, titles: Mapping[str, str] | None
) -> list[Event]:
    """The items starting on `day` (JST), earliest first."""
    rows = []
    for layer_id, frame in frames.items():
        starts = frame["start"].dt.tz_convert(JST)
        for _, row in frame[(starts.dt.date == day).to_numpy()].iterrows():
            rows.append((pd.Timestamp(row["start"]), layer_title(layer_id, titles), row))
    rows.sort(key=lambda entry: (entry[0], str(entry[2]["id"])))
    return [
        Event(
            name=text(row["name"]),
            layer=title,
            when=format_span(row["start"], row["end"]),
            place=_place(row),
            description=text(row["description"]),
            sources=tuple(s.strip() for s in text(row["sources"]).split(";") if s.strip()),
        )
        for _, title, row in rows
    ]


def _place(row: pd.Series) -> str:
    place, *native = (text(row.get(column)) for column in ("place", "place_ja", "place_ru"))
    native = [name for name in native if name]
    if place and native:
        return f"{place} ({', '.join(native)})"
    return place or ", ".join(native)


def _width(word: str) -> int:
    # Japanese (and other wide) characters take about two Latin letters' room.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in word)


def wrap(line: str, width: int) -> list[str]:
    """Greedy wrap by displayed width; words wider than a line are cut."""
    lines: list[str] = []
    current = ""
    for word in line.split():
        while _width(word) > width:
            cut = len(word)
            while _width(word[:cut]) > width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if _width(candidate) > width:
            lines.append(current)
            candidate = word
        current = candidate
    if current:
        lines.append(current)
    return lines


def _event_lines(event: Event) -> list[tuple[str, dict]]:
    """(text, style) lines of one event: name, when and layer, description, sources."""
    bold = {"weight": "bold", "fontsize": 10.5, "color": "#111111"}
    small = {"fontsize": 8.5, "color": "#333333"}
    muted = {"fontsize": 7.5, "color": "#666666"}
    lines = [(line, bold) for line in wrap(event.name, 95)]
    where = f" · {event.place}" if event.place else ""
    lines.append((f"{event.when} · {event.layer}{where}", muted))
    lines += [(line, small) for line in wrap(event.description, _WRAP)]
    for source in event.sources:
        lines += [(line, muted) for line in wrap(f"Source: {source}", _WRAP + 12)]
    lines.append(("", small))
    return lines


def _pages(events: Sequence[Event], first_room: float) -> Iterator[list]:
    """The event lines of a day split into pages: the first below the map, the rest full."""
    page: list = []
    room = first_room
    for event in events:
        for line in _event_lines(event):
            if len(page) * _LINE >= room:
                yield page
                page, room = [], 1 - 2 * _MARGIN - 0.06
            page.append(line)
    yield page


def write_pdf(pages: Iterator[tuple[date, np.ndarray, list[Event]]], path: Path) -> int:
    """Write the atlas; returns the number of pages. Fonts are embedded (TrueType subsets)."""
    from matplotlib.backends.backend_pdf import PdfPages  # only for an atlas: slow to import

    count = 0
    with matplotlib.rc_context(text_style()), PdfPages(path, metadata=_metadata()) as pdf:
        for day, rgb, events in pages:
            heading = f"{day:%A} {day.day} {day:%B %Y}"
            width = 1 - 2 * _MARGIN
            map_height = width * PAGE_INCHES[0] / PAGE_INCHES[1] * rgb.shape[0] / rgb.shape[1]
            map_bottom = 1 - _MARGIN - 0.035 - map_height
            first_room = map_bottom - _MARGIN - 0.03
            for number, lines in enumerate(_pages(events, first_room)):
                figure = Figure(figsize=PAGE_INCHES)
                title = heading if number == 0 else f"{heading} (continued)"
                figure.text(_MARGIN, 1 - _MARGIN, title, fontsize=15, weight="bold", va="top")
                top = 1 - _MARGIN - 0.045
                if number == 0:
                    axes = figure.add_axes((_MARGIN, map_bottom, width, map_height))
                    axes.imshow(rgb, interpolation="lanczos")
                    axes.set_axis_off()
                    top = map_bottom - 0.025
                for index, (line, style) in enumerate(lines):
                    figure.text(_MARGIN, top - index * _LINE, line, va="top", **style)
                figure.text(_MARGIN, _MARGIN / 2, ATTRIBUTION, fontsize=6, color="#777777")
                pdf.savefig(figure)
                count += 1
    if count == 0:
        raise ExportError("nothing for the atlas: no day with a new event")
    return count


def _metadata() -> dict[str, str]:
    return {"Title": f"foxbat76 atlas: {TITLE}", "Creator": "foxbat76"}
