"""The dashboard's timeline as escaped SVG: a row per layer, a bar per item, the chosen day."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd

from geo.present import format_span
from geo.timing import JST, PERIOD_END, PERIOD_START, day_bounds

# The drawing's own units (the SVG scales to its column; text scales with it).
WIDTH = 520
LABEL_WIDTH = 172  # layer titles, right-aligned, left of the bars
PLOT_LEFT = LABEL_WIDTH + 8
PLOT_RIGHT = WIDTH - 8
ROW_HEIGHT = 24
EVENT_HEIGHT = 12  # one-off events: full colour, on top
LASTING_HEIGHT = 5  # places and stays of days: thin and faint, under the day's events
LASTING_DAYS = 3  # an item longer than this is drawn as lasting
INSTANT_WIDTH = timedelta(hours=8)  # instants get some width so they stay visible
AXIS_HEIGHT = 22
TITLE_LIMIT = 24  # characters of a layer title shown; the whole title is its row's tooltip
DAY_RULE = 'stroke="#555555" stroke-width="1.5" stroke-dasharray="4 3"'


@dataclass(frozen=True)
class Timeline:
    """The drawing without its day rule, made once; `timeline_html` adds the rule per day."""

    start: datetime  # the time axis (JST): the whole period
    end: datetime
    axis_and_labels: str  # SVG drawn under the rule
    bars: str  # SVG drawn over it: the rule never hides a bar
    height: int
    summary: str  # the chart's accessible name, without the day


def build_timeline(
    items: pd.DataFrame, titles: Mapping[str, str], colors: Mapping[str, str]
) -> Timeline:
    """The timeline of `items` (columns layer, name, start, end; tz-aware): one row per layer
    of `titles` in its order and colour, each item a bar from its start to its end with its
    name and JST span as tooltip; every text escaped."""
    missing = set(items["layer"]) - set(titles)
    if missing:
        raise ValueError(f"items have layers without a title: {sorted(missing)}")
    if set(titles) - set(colors):
        raise ValueError(f"colors lack layers: {sorted(set(titles) - set(colors))}")
    start = day_bounds(PERIOD_START)[0]
    end = day_bounds(PERIOD_END)[1]
    rows = {layer: index for index, layer in enumerate(titles)}
    height = len(rows) * ROW_HEIGHT + AXIS_HEIGHT
    plot_bottom = len(rows) * ROW_HEIGHT

    def x(moment: datetime) -> float:
        return _x(moment, start, end)

    parts = []
    for day in _ticks(PERIOD_START, PERIOD_END):
        at = x(datetime.combine(day, time(0, 0), tzinfo=JST))
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="0" y2="{plot_bottom + 4}" '
            'stroke="#d6d6d6" stroke-width="1"/>'
            f'<text x="{at:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
            f'fill="currentColor">{day.day} {day:%b}</text>'
        )
    for layer, row in rows.items():
        title = titles[layer]
        shown = title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH}" y="{row * ROW_HEIGHT + ROW_HEIGHT / 2 + 4:.0f}" '
            f'text-anchor="end" font-size="12" fill="currentColor">'
            f"<title>{html.escape(title)}</title>{html.escape(shown)}</text>"
        )
    bars = []
    # Lasting items first, so a one-off event on the same row is drawn over them.
    for lasting in (True, False):
        for layer, name, begin, finish in zip(
            items["layer"], items["name"], items["start"], items["end"], strict=True
        ):
            begin, finish = begin.to_pydatetime(), finish.to_pydatetime()
            if (finish - begin > timedelta(days=LASTING_DAYS)) != lasting:
                continue
            drawn_end = finish if finish > begin else begin + INSTANT_WIDTH
            left, right = x(begin), x(drawn_end)
            tall = LASTING_HEIGHT if lasting else EVENT_HEIGHT
            top = rows[layer] * ROW_HEIGHT + (ROW_HEIGHT - tall) / 2
            faint = ' fill-opacity="0.35"' if lasting else ' rx="2"'
            tooltip = html.escape(f"{name}: {format_span(begin, finish)}")
            bars.append(
                f'<rect x="{left:.1f}" y="{top:.1f}" width="{max(right - left, 2.0):.1f}" '
                f'height="{tall}" fill="{html.escape(colors[layer])}"{faint}>'
                f"<title>{tooltip}</title></rect>"
            )
    count = len(items)
    summary = (
        f"Timeline, {PERIOD_START.day} {PERIOD_START:%b} to {PERIOD_END.day} {PERIOD_END:%b %Y}: "
        f"{count} item{'s' if count != 1 else ''} in {len(rows)} layers"
    )
    return Timeline(start, end, "".join(parts), "".join(bars), height, summary)


def timeline_html(timeline: Timeline, day: date) -> str:
    """The timeline as one `<svg>` with a dashed rule at noon of `day` (JST)."""
    if not isinstance(day, date):
        raise ValueError(f"day must be a date, got {day!r}")
    at = _x(datetime.combine(day, time(12, 0), tzinfo=JST), timeline.start, timeline.end)
    plot_bottom = timeline.height - AXIS_HEIGHT
    label = html.escape(f"{timeline.summary}; dashed line at {day.day} {day:%B %Y}")
    return (
        f'<svg class="fx-timeline" viewBox="0 0 {WIDTH} {timeline.height}" width="100%" '
        f'role="img" aria-label="{label}" style="display:block;max-width:{WIDTH * 1.4:.0f}px">'
        f"{timeline.axis_and_labels}"
        f'<line class="fx-day-rule" x1="{at:.1f}" x2="{at:.1f}" y1="0" y2="{plot_bottom}" '
        f"{DAY_RULE}/>"
        f"{timeline.bars}</svg>"
    )


def _x(moment: datetime, start: datetime, end: datetime) -> float:
    """Where `moment` falls between PLOT_LEFT and PLOT_RIGHT, kept inside the plot."""
    share = (moment - start) / (end - start)
    return PLOT_LEFT + min(max(share, 0.0), 1.0) * (PLOT_RIGHT - PLOT_LEFT)


def _ticks(first: date, last: date) -> Sequence[date]:
    """The 1st and 15th of each month from `first` to `last`."""
    day, ticks = first, []
    while day <= last:
        if day.day in (1, 15):
            ticks.append(day)
        day += timedelta(days=1)
    return ticks


def layer_colors(styles: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Each layer's line colour, the colour its items have on the map."""
    return {layer: str(style["color"]) for layer, style in styles.items()}
