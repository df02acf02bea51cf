"""The dashboard's timeline as escaped HTML: a row per layer, a bar per item, the chosen day."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd

from geo.present import format_span
from geo.timing import JST, PERIOD_END, PERIOD_START, day_bounds

LASTING_DAYS = 3  # an item longer than this is drawn thin and faint, under the day's events
INSTANT_WIDTH = timedelta(hours=8)  # instants get some width so they stay visible
# Up to this many items each has its own bar and tooltip; a larger catalog's bars that touch
# merge into one per stretch (with how many items it holds), so the drawing stays small for
# any catalog size.
ITEM_BAR_LIMIT = 500
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
MERGE_SHARE = 0.003  # bars closer than this share of the period merge (about a pixel)


@dataclass(frozen=True)
class Timeline:
    """The drawing, the same every day (the browser leaves an unchanged element alone), and
    its time axis; `day_rule_style` places the day's rule on it."""

    html: str
    start: datetime  # the axis (JST): the whole period
    end: datetime


def build_timeline(
    items: pd.DataFrame, titles: Mapping[str, str], colors: Mapping[str, str]
) -> Timeline:
    """The timeline of `items` (columns layer, name, start, end; tz-aware): one row per layer
    of `titles` in its order, each item a bar in its layer's colour from its start to its
    end with its name and JST span as tooltip (above ITEM_BAR_LIMIT items, a bar per stretch
    of touching items); every text escaped. page.css lays it out."""
    missing = set(items["layer"]) - set(titles)
    if missing:
        raise ValueError(f"items have layers without a title: {sorted(missing)}")
    if set(titles) - set(colors):
        raise ValueError(f"colors lack layers: {sorted(set(titles) - set(colors))}")
    for layer, color in colors.items():  # they go into a style attribute
        if not HEX_COLOR.fullmatch(color):
            raise ValueError(f"colors[{layer!r}] must be a colour like #762a83, got {color!r}")
    start, end = day_bounds(PERIOD_START)[0], day_bounds(PERIOD_END)[1]
    drawn = _item_bars if len(items) <= ITEM_BAR_LIMIT else _merged_bars
    bars = drawn(items, start, end)
    esc = html.escape
    labels = "".join(f'<div title="{esc(title)}">{esc(title)}</div>' for title in titles.values())
    ticks = "".join(
        f'<span class="fx-tl-tick" style="left:{_share(day, start, end):.2%}">'
        + (f"<span>{day.day} {day:%b}</span>" if day.day == 1 else "")  # room for months
        + "</span>"
        for day in _ticks(PERIOD_START, PERIOD_END)
    )
    rows = "".join(
        f'<div class="fx-tl-row" style="--fx-color:{colors[layer]}">'
        + "".join(_bar(*bar) for bar in bars.get(layer, []))
        + "</div>"
        for layer in titles
    )
    count = len(items)
    summary = (
        f"Timeline, {PERIOD_START.day} {PERIOD_START:%b} to {PERIOD_END.day} {PERIOD_END:%b %Y}: "
        f"{count:,} item{'s' if count != 1 else ''} in {len(titles)} layers, with a dashed "
        "line at the chosen day"
    )
    drawing = (
        f'<div class="fx-timeline" role="img" aria-label="{esc(summary)}">'
        f'<div class="fx-tl-labels">{labels}</div>'
        f'<div class="fx-tl-plot">{ticks}<span class="fx-day-rule"></span>{rows}</div></div>'
    )
    return Timeline(drawing, start, end)


def day_rule_style(timeline: Timeline, day: date) -> str:
    """A `<style>` that puts the timeline's dashed rule at noon of `day` (JST): the one part
    of the timeline that changes from day to day, so the drawing itself is never redrawn."""
    if not isinstance(day, date):
        raise ValueError(f"day must be a date, got {day!r}")
    noon = datetime.combine(day, time(12, 0), tzinfo=JST)
    return (
        f"<style>.fx-timeline{{--fx-day:{_share(noon, timeline.start, timeline.end):.2%}}}</style>"
    )


def layer_colors(styles: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Each layer's line colour, the colour its items have on the map."""
    return {layer: str(style["color"]) for layer, style in styles.items()}


Bar = tuple[float, float, bool, str]  # left and width (shares of the period), lasting, tooltip


def _bar(left: float, width: float, lasting: bool, tooltip: str) -> str:
    kind = "fx-tl-bar fx-tl-lasting" if lasting else "fx-tl-bar"
    return (
        f'<span class="{kind}" style="left:{left:.2%};width:{width:.2%}" '
        f'title="{html.escape(tooltip)}"></span>'
    )


def _share(moment: date | datetime, start: datetime, end: datetime) -> float:
    """Where `moment` (a date: its midnight, JST) falls in [start, end], from 0 to 1."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0, 0), tzinfo=JST)
    return min(max((moment - start) / (end - start), 0.0), 1.0)


def _spans(items: pd.DataFrame) -> list[tuple[str, str, datetime, datetime]]:
    """(layer, name, start, end) per item, as datetimes."""
    return [
        (layer, name, begin.to_pydatetime(), finish.to_pydatetime())
        for layer, name, begin, finish in zip(
            items["layer"], items["name"], items["start"], items["end"], strict=True
        )
    ]


def _is_lasting(begin: datetime, finish: datetime) -> bool:
    return finish - begin > timedelta(days=LASTING_DAYS)


def _item_bars(items: pd.DataFrame, start: datetime, end: datetime) -> dict[str, list[Bar]]:
    """A bar per item, by layer, lasting ones first (a one-off event is drawn over them)."""
    bars: dict[str, list[Bar]] = {}
    spans = sorted(_spans(items), key=lambda span: not _is_lasting(span[2], span[3]))
    for layer, name, begin, finish in spans:
        left = _share(begin, start, end)
        right = _share(max(finish, begin + INSTANT_WIDTH), start, end)
        tooltip = f"{name}: {format_span(begin, finish)}"
        bars.setdefault(layer, []).append((left, right - left, _is_lasting(begin, finish), tooltip))
    return bars


def _merged_bars(items: pd.DataFrame, start: datetime, end: datetime) -> dict[str, list[Bar]]:
    """Per layer and kind (lasting or not), a bar per stretch of touching items, with how many
    items it holds and its span as tooltip; lasting ones first."""
    stretches: dict[tuple[str, bool], list[list[Any]]] = {}
    for layer, _, begin, finish in sorted(_spans(items), key=lambda span: span[2]):
        left = _share(begin, start, end)
        right = _share(max(finish, begin + INSTANT_WIDTH), start, end)
        runs = stretches.setdefault((layer, _is_lasting(begin, finish)), [])
        if runs and left <= runs[-1][1] + MERGE_SHARE:
            run = runs[-1]
            run[1], run[2], run[4] = max(run[1], right), run[2] + 1, max(run[4], finish)
        else:
            runs.append([left, right, 1, begin, finish])
    bars: dict[str, list[Bar]] = {}
    for (layer, lasting), runs in sorted(stretches.items(), key=lambda kind: not kind[0][1]):
        for left, right, count, begin, finish in runs:
            what = "1 item" if count == 1 else f"{count:,} items"
            tooltip = f"{what}: {format_span(begin, finish)}"
            bars.setdefault(layer, []).append((left, right - left, lasting, tooltip))
    return bars


def _ticks(first: date, last: date) -> Sequence[date]:
    """The 1st and 15th of each month from `first` to `last`."""
    day, ticks = first, []
    while day <= last:
        if day.day in (1, 15):
            ticks.append(day)
        day += timedelta(days=1)
    return ticks
