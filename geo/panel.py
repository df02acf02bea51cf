"""The page's text beside the map: the "On this day" panel and the key figures, as escaped HTML."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, overload

import numpy as np
import pandas as pd

from geo import present
from geo.catalog import SOURCE_ROLES, Catalog, load_catalog
from geo.features import item_geometry
from geo.geodesy import length_km
from geo.present import format_span
from geo.timing import JST, day_bounds

# At most this many new events in full and ongoing items listed (the real catalog's busiest
# day has 12 and 13): a day of a large catalog stays readable and its message small.
PANEL_NEW = 12
PANEL_ONGOING = 15


@dataclass(frozen=True)
class KeyFigures:
    """The dashboard's headline numbers, from the items named in the catalog's [figures]."""

    flight_km: float | None  # geodesic length of the drawn 6 Sep track
    arrival: datetime | None  # when the jet reached Japan (JST)
    departure: datetime | None  # when it left (JST)

    def days_in_japan(self, moment: datetime | None = None) -> str | None:
        """'71 days', or at a moment while the jet was in Japan 'day 20 of 71'.

        Calendar days in JST, arrival and departure days included.
        """
        if self.arrival is None or self.departure is None:
            return None
        first, last = self.arrival.date(), self.departure.date()
        total = (last - first).days + 1
        if moment is not None and self.arrival <= moment and moment.astimezone(JST).date() <= last:
            return f"day {(moment.astimezone(JST).date() - first).days + 1} of {total}"
        return f"{total} days"


def key_figures(catalog: Catalog | None = None) -> KeyFigures:
    """Length of the 6 Sep flight and the jet's days in Japan; None where the catalog is silent."""
    catalog = catalog or load_catalog()
    figures = catalog.figures

    def start(key: str) -> datetime | None:
        item_id = figures.get(key)
        return catalog.item(item_id).start.astimezone(JST) if item_id else None

    flight = figures.get("flight")
    return KeyFigures(
        flight_km=length_km(item_geometry(catalog.item(flight), catalog)) if flight else None,
        arrival=start("arrival"),
        departure=start("departure"),
    )


@dataclass(frozen=True)
class PanelItem:
    """One item as the panel shows it, with its JST span already written out."""

    id: str
    layer: str
    name: str
    start: datetime
    end: datetime
    span: str
    description: str
    sources: str
    certainty: str
    place: str = ""
    alternatives: tuple[str, ...] = ()

    @cached_property
    def start_day(self) -> date:
        """The JST day it starts (asked per item of a day, on every rerun)."""
        return self.start.astimezone(JST).date()


@dataclass(frozen=True)
class PanelItems(Sequence[PanelItem]):
    """PanelItems in order, with their times and layers as arrays: picking a day's items is a
    few array comparisons however long the catalog is."""

    items: tuple[PanelItem, ...]
    starts: np.ndarray  # POSIX seconds
    ends: np.ndarray
    layers: dict[str, np.ndarray]  # layer id -> which items are of that layer

    @classmethod
    def of(cls, items: Sequence[PanelItem]) -> PanelItems:
        """The arrays for `items`."""
        return cls(
            items=tuple(items),
            starts=np.array([item.start.timestamp() for item in items], dtype=float),
            ends=np.array([item.end.timestamp() for item in items], dtype=float),
            layers={
                layer: np.array([item.layer == layer for item in items], dtype=bool)
                for layer in dict.fromkeys(item.layer for item in items)
            },
        )

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> PanelItem: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[PanelItem, ...]: ...
    def __getitem__(self, index: int | slice) -> PanelItem | tuple[PanelItem, ...]:
        return self.items[index]


def panel_items(frame: pd.DataFrame) -> PanelItems:
    """The rows of a layer frame (or all layers' items) as PanelItems, in the frame's order.

    Made once: per day the panel then only filters arrays, no pandas work per rerun.
    """
    # itertuples gives namedtuples of the frame's columns, which pandas' stubs cannot type.
    rows: Iterable[Any] = frame.itertuples()
    return PanelItems.of(
        [
            PanelItem(
                id=str(row.id),
                layer=str(row.layer),
                name=str(row.name),
                start=row.start.to_pydatetime(),
                end=row.end.to_pydatetime(),
                span=format_span(row.start, row.end),
                description=str(row.description),
                sources=str(row.sources),
                certainty=str(row.certainty),
                place=present.place_line(row._asdict()),
                alternatives=tuple(present.alternatives(row._asdict())),
            )
            for row in rows
        ]
    )


def day_items(
    items: PanelItems, day: date, moment: datetime | None, chosen: list[str]
) -> list[PanelItem]:
    """Items of the chosen layers on the map as the day's own: `item_state` ACTIVE (active that
    day and, at a moment of the 6 Sep replay, begun by then), on arrays."""
    if not isinstance(items, PanelItems):
        raise ValueError(f"items must be PanelItems (panel_items()), got {type(items).__name__}")
    day_start, day_end = (bound.timestamp() for bound in day_bounds(day))
    active = (items.starts < day_end) & (items.ends >= day_start)
    if moment is not None:
        active &= items.starts <= moment.timestamp()
    shown = np.zeros(len(items), dtype=bool)
    for layer in chosen:
        if layer in items.layers:
            shown |= items.layers[layer]
    active &= shown
    return [items.items[index] for index in np.flatnonzero(active)]


class _SourceList:
    """The day's sources, numbered in order of first citation: the panel lists each once.

    A day's entries mostly cite the same few publications; numbered references keep the panel
    short (and its message per day small) however many entries cite them.
    """

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def refs(self, citations: Iterable[str]) -> str:
        """'1, 3 (position), 4 (names)': the numbers of an entry's citations, with their role."""
        shown = []
        for citation in citations:
            role, _, text = citation.partition(": ")
            if role not in SOURCE_ROLES:
                role, text = "", citation
            number = self.numbers.setdefault(text, len(self.numbers) + 1)
            shown.append(f"{number} ({role})" if role else str(number))
        return ", ".join(shown)

    def html(self) -> str:
        """The numbered list behind one disclosure, or nothing when no entry cites a source."""
        if not self.numbers:
            return ""
        entries = "".join(f"<li>{html.escape(text)}</li>" for text in self.numbers)
        return (
            f"<details><summary><small>Sources ({len(self.numbers)})</small></summary>"
            f"<small><ol>{entries}</ol></small></details>"
        )


def _item_html(item: PanelItem, title: str, cited: _SourceList, *, heading: bool = True) -> str:
    """An entry in full; without `heading` (name, span, layer) when its summary line says it."""
    esc = html.escape
    refs = cited.refs(present.sources({"sources": item.sources}))
    place = f"<small>{esc(item.place)}</small><br>" if item.place else ""
    others = "".join(f"<li>{esc(claim)}</li>" for claim in item.alternatives)
    differ = f'<div><small>Accounts differ:</small><ul class="fx-differ">{others}</ul></div>'
    about = f"{esc(item.span)} · {esc(title)} · " if heading else ""
    return (
        '<div class="fx-entry">'
        + (f"<b>{esc(item.name)}</b><br>" if heading else "")
        + f"{place}<small>{about}{esc(item.certainty)}</small>"
        f'<p class="fx-desc">{esc(item.description)}</p>'
        + (differ if others else "")
        + (f"<small>Sources: {esc(refs)}</small>" if refs else "")
        + "</div>"
    )


def panel_html(
    today: Sequence[PanelItem], titles: dict[str, str], day: date, moment: datetime | None
) -> str:
    """The "On this day" panel: what starts that day, then what is ongoing; every string escaped.

    At most PANEL_NEW new events in full and PANEL_ONGOING ongoing ones, each list in time
    order, then how many more there are: a large catalog keeps the panel readable and the
    page's message per day the same size. Entries cite numbered sources, listed once at the
    end behind a disclosure.
    """
    starts = [item for item in today if item.start_day == day]
    ongoing = [item for item in today if item.start_day != day]
    heading = f"On this day: {day.day} {day:%B %Y}"
    if moment is not None:
        heading += f", up to {moment.astimezone(JST):%H:%M} JST"
    cited = _SourceList()
    parts = [f'<div class="fx-panel"><h3>{html.escape(heading)}</h3>']
    if not starts:
        parts.append("<p><i>No new event on this day.</i></p>")
    parts.extend(_item_html(item, titles[item.layer], cited) for item in starts[:PANEL_NEW])
    parts.append(_more(len(starts) - PANEL_NEW, "new event", "on the map"))
    if ongoing:
        # One line each (the story so far stays short); the full entry opens on demand.
        parts.append(f"<h4>Ongoing ({len(ongoing):,})</h4>")
        parts.extend(
            _ongoing_html(item, titles[item.layer], cited) for item in ongoing[:PANEL_ONGOING]
        )
        parts.append(_more(len(ongoing) - PANEL_ONGOING, "ongoing item", "on the map"))
    parts.append(cited.html())
    parts.append("</div>")
    return "".join(parts)


def _more(count: int, what: str, where: str) -> str:
    """'and 1,234 more new events: see them on the map', or nothing."""
    if count <= 0:
        return ""
    plural = "s" if count > 1 else ""
    return f'<p class="fx-more"><i>and {count:,} more {what}{plural}: see them {where}.</i></p>'


def _ongoing_html(item: PanelItem, title: str, cited: _SourceList) -> str:
    esc = html.escape
    return (
        '<details class="fx-ongoing"><summary>'
        f"{esc(item.name)} <small>· {esc(item.span)} · {esc(title)}</small></summary>"
        f"{_item_html(item, title, cited, heading=False)}</details>"
    )


def figures_html(figures: KeyFigures, moment: datetime, count: int) -> str:
    """Key figures as one small HTML row (one element, not several, to redraw per day)."""
    cells = []
    if figures.flight_km is not None:
        cells.append(("Flown on 6 Sep (drawn track)", f"{figures.flight_km:,.0f} km"))
    in_japan = figures.days_in_japan(moment)
    if in_japan is not None and figures.arrival and figures.departure:
        arrival, departure = figures.arrival, figures.departure
        span = f"{arrival.day} {arrival:%b} to {departure.day} {departure:%b}"
        cells.append((f"Jet in Japan ({span})", in_japan))
    cells.append(("On the map this day", str(count)))
    html_cells = "".join(
        '<div style="flex:1 1 10em">'
        f'<div style="font-size:.85rem;opacity:.75">{html.escape(label)}</div>'
        f'<div style="font-size:1.9rem">{html.escape(value)}</div></div>'
        for label, value in cells
    )
    row = "display:flex;flex-wrap:wrap;gap:0 1rem"  # on a narrow screen, wrapped, not cut off
    return f'<div class="fx-figures" style="{row}">{html_cells}</div>'
