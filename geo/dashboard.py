"""What the dashboard page derives once: its static files, the event list and the timeline."""

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

DAY_DATASET = "fx_day"  # the timeline's one-row dataset holding the chosen day
JUMP_LIMIT = 40  # events in the "Jump to event" list, at most (the real catalog has 29)
# The day rule's data-binding key, the same on every day. Vega keeps the drawn item of every
# row that has left a dataset (until 10,000 have), unless the new row has the old one's key:
# then it moves its one rule instead of adding an item per day shown.
DAY_RULE_KEY = {"key": "day rule"}


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


def timeline_rows(items: pd.DataFrame, titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per item for the timeline: layer title, name, JST wall-clock start and end, and
    whether it lasts for days (drawn faint, so the events on the same row stay visible)."""
    # Instants get a few hours of width so they stay visible.
    end = items["end"].where(items["end"] > items["start"], items["start"] + pd.Timedelta(hours=8))
    return [
        {
            "layer": titles[layer],
            "name": name,
            "start": f"{begin.tz_convert(JST):%Y-%m-%dT%H:%M:%S}",
            "end": f"{finish.tz_convert(JST):%Y-%m-%dT%H:%M:%S}",
            "lasting": bool(finish - begin > pd.Timedelta(days=3)),
        }
        for layer, name, begin, finish in zip(
            items["layer"], items["name"], items["start"], end, strict=True
        )
    ]


def timeline_spec(data_url: str, titles: Sequence[str], colors: Sequence[str]) -> dict[str, Any]:
    """The timeline as a Vega-Lite spec, built with Altair: bars per item, a day rule.

    Building and validating Altair objects costs ~30 ms: build it once; only the rule's
    position changes from day to day (`timeline_for_day`).
    """
    import altair as alt  # here, not at the top: the map goes out before this import runs

    if len(titles) != len(colors):
        raise ValueError(f"titles and colors differ in length: {len(titles)} != {len(colors)}")
    data = alt.UrlData(
        url=data_url,
        format=alt.DataFormat(type="json", parse={"start": "date", "end": "date"}),
    )
    base = alt.Chart(data).encode(
        # No explicit domain: the items already span the period, and an explicit temporal
        # domain makes Streamlit's Vega-Lite log conflicting-domain warnings.
        x=alt.X("start:T", title=None, axis=alt.Axis(format="%d %b")),
        x2="end:T",
        y=alt.Y("layer:N", title=None, sort=list(titles), axis=alt.Axis(labelLimit=240)),
        color=alt.Color(
            "layer:N", scale=alt.Scale(domain=list(titles), range=list(colors)), legend=None
        ),
        tooltip=[
            alt.Tooltip("name:N"),
            alt.Tooltip("start:T", format="%d %b %H:%M"),
            alt.Tooltip("end:T", format="%d %b %H:%M"),
        ],
    )
    # Places and stays that last for weeks: thin and faint, under the day's events.
    lasting = base.transform_filter("datum.lasting").mark_bar(height=5, opacity=0.35)
    events = base.transform_filter("!datum.lasting").mark_bar(height=12, cornerRadius=2)
    # The day rule goes underneath, in a neutral dashed grey, so it never hides a one-day bar.
    rule = (
        alt.Chart(alt.NamedData(name=DAY_DATASET))
        .mark_rule(color="#555555", strokeWidth=1.5, strokeDash=[4, 3])
        .encode(x="day:T", key="key:N")  # shares the bars' x scale
    )
    themes = alt.theme if hasattr(alt, "theme") else alt.themes  # renamed in Altair 5.5
    with themes.enable("none"):  # no default 300x300 view config
        return (rule + lasting + events).properties(height=230).to_dict()


def timeline_for_day(spec: Mapping[str, Any], day: date) -> dict[str, Any]:
    """The spec with its rule at noon of `day`, in a copy (the spec itself is shared).

    The day travels as a named dataset, so the spec is the same every day and the browser
    updates the chart's data instead of rebuilding the chart.
    """
    row = {**DAY_RULE_KEY, "day": f"{day.isoformat()}T12:00:00"}
    datasets = {**spec.get("datasets", {}), DAY_DATASET: [row]}
    return {**spec, "datasets": datasets}
