"""What the dashboard page derives once: its static files and the event list."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from geo import assets, mapview, web
from geo.store import build_store
from geo.timing import JST, PERIOD_START

JUMP_LIMIT = 40  # events in the "Jump to event" list, at most (the real catalog has 29)


def write_map_files(
    frames: Mapping[str, pd.DataFrame],
    titles: Mapping[str, str],
    styles: Mapping[str, Mapping[str, Any]],
    static_dir: Path,
) -> mapview.ClientFiles:
    """Write the map's item store, client code, config and basemap as static files (named by
    content hash, so browsers may cache them); their URLs as the map's iframe sees them."""
    if not isinstance(static_dir, Path):
        raise ValueError(f"static_dir must be a Path, got {static_dir!r}")
    store_url = assets.write_data("items", build_store(frames, titles, styles), static_dir)
    assets.write_basemap(static_dir)
    config = mapview.client_config(store_url, assets.basemap_url())
    return mapview.ClientFiles(
        js=assets.write_text("fx-client", web.read("map.js"), ".js", static_dir),
        css=assets.write_text("fx-client", web.read("map.css"), ".css", static_dir),
        config=assets.write_data("map-config", config, static_dir),
    )


def page_style() -> str:
    """The dashboard page's own CSS as one `<style>` element (Streamlit puts a style-only
    st.html in its event container, where it takes no room), without its comments: it goes
    out with every rerun."""
    css = re.sub(r"/\*.*?\*/", "", web.read("page.css"), flags=re.DOTALL)
    return "<style>" + " ".join(css.split()) + "</style>"


def event_labels(items: pd.DataFrame) -> dict[str, str]:
    """Labels like "06 Sep 13:10 · Radar contact" by item id, for the event list, in time order.

    Events, not places: items present from the first moment of the period are left out.
    """
    events = items[items["start"] > datetime.combine(PERIOD_START, time(0, 0), tzinfo=JST)]
    events = events.sort_values("start", kind="stable")
    labels = {}
    # itertuples gives namedtuples of the frame's columns, which pandas' stubs cannot type.
    rows: Iterable[Any] = events.itertuples()
    for row in rows:
        start = row.start.tz_convert(JST)
        when = f"{start:%d %b}" if start.hour == start.minute == 0 else f"{start:%d %b %H:%M}"
        labels[row.id] = f"{when} · {row.name}"
    return labels


def events_by_day(labels: Mapping[str, str], items: pd.DataFrame) -> dict[date, tuple[str, ...]]:
    """The ids of the events in `labels` (see `event_labels`) by their JST start day, in time
    order."""
    starts = dict(zip(items["id"], items["start"], strict=True))
    days: dict[date, list[str]] = {}
    for item_id in labels:
        days.setdefault(starts[item_id].tz_convert(JST).date(), []).append(item_id)
    return {day: tuple(ids) for day, ids in days.items()}


def jump_choices(
    labels: Mapping[str, str], days: Mapping[date, Sequence[str]], day: date
) -> list[str]:
    """The "Jump to event" list: every event while there are at most JUMP_LIMIT, else the
    first JUMP_LIMIT of the chosen day (a list of thousands is sent with every rerun and
    read by nobody)."""
    if len(labels) <= JUMP_LIMIT:
        return list(labels)
    return list(days.get(day, ())[:JUMP_LIMIT])
