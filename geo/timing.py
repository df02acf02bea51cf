"""Time rules shared by the map, the panel and the export: the JST day and what is active on it."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import overload

import pandas as pd

from geo.messages import quoted

JST = timezone(timedelta(hours=9), "JST")
PERIOD_START = date(1976, 9, 1)
PERIOD_END = date(1976, 11, 30)
DEFECTION_DAY = date(1976, 9, 6)
# The 6 Sep replay: the flight's afternoon, JST, on a 5-minute grid.
REPLAY_START, REPLAY_END = time(12, 0), time(15, 0)
REPLAY_STEP_MINUTES = 5
ACTIVE, TRAIL, FUTURE = "active", "trail", "future"  # an item's state on a day


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the JST day as a half-open interval [start, next midnight)."""
    start = datetime.combine(day, time(0, 0), tzinfo=JST)
    return start, start + timedelta(days=1)


@overload
def is_active(start: datetime, end: datetime, day: date) -> bool: ...
@overload
def is_active(start: pd.Series, end: pd.Series, day: date) -> pd.Series: ...
def is_active(
    start: datetime | pd.Series, end: datetime | pd.Series, day: date
) -> bool | pd.Series:
    """The one rule: an item is active on a JST day when [start, end] meets [day 00:00, next 00:00).

    Works on single aware datetimes and, element-wise, on Series of them.
    """
    day_start, day_end = day_bounds(day)
    return (start < day_end) & (end >= day_start)


def active_mask(frame: pd.DataFrame, day: date) -> pd.Series:
    """Boolean mask of the rows of `frame` (with `start`/`end` columns) active on `day`."""
    return is_active(frame["start"], frame["end"], day)


# Only the calendar form: date.fromisoformat also takes 19760906 and week dates (1976-W37-1).
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HHMM = re.compile(r"[0-9]{2}:[0-9]{2}")


def parse_day(text: str) -> date:
    """Parse YYYY-MM-DD and check it lies in the dashboard's period (1976-09-01..1976-11-30)."""
    if not isinstance(text, str) or not _DAY.fullmatch(text.strip()):
        raise ValueError(f"date {quoted(text)} is not a YYYY-MM-DD date")
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"date {text.strip()} is not a day of the calendar") from None
    if not PERIOD_START <= day <= PERIOD_END:
        raise ValueError(f"date {day.isoformat()} is outside {PERIOD_START}..{PERIOD_END}")
    return day


def period_days() -> list[date]:
    """Every day of the period, first to last."""
    count = (PERIOD_END - PERIOD_START).days + 1
    return [PERIOD_START + timedelta(days=offset) for offset in range(count)]


def to_jst(moment: datetime | pd.Timestamp) -> datetime:
    """Express an aware time in JST."""
    return pd.Timestamp(moment).tz_convert(JST).to_pydatetime()


def replay_times() -> list[time]:
    """The replay's grid: 12:00, 12:05, ... 15:00."""
    first = REPLAY_START.hour * 60 + REPLAY_START.minute
    last = REPLAY_END.hour * 60 + REPLAY_END.minute
    return [time(m // 60, m % 60) for m in range(first, last + 1, REPLAY_STEP_MINUTES)]


def parse_replay_time(text: str) -> time:
    """HH:MM on the replay grid; ValueError naming the value otherwise."""
    if not isinstance(text, str) or not _HHMM.fullmatch(text.strip()):
        raise ValueError(f"time {quoted(text)} is not HH:MM")
    try:
        value = time.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"time {text.strip()} is not a time of day") from None
    if not REPLAY_START <= value <= REPLAY_END:
        raise ValueError(
            f"time {value:%H:%M} is outside {REPLAY_START:%H:%M}\u2013{REPLAY_END:%H:%M} "
            "(the replay of the flight)"
        )
    if value not in replay_times():
        raise ValueError(
            f"time {value:%H:%M} is not a {REPLAY_STEP_MINUTES}-minute step between "
            f"{REPLAY_START:%H:%M} and {REPLAY_END:%H:%M}"
        )
    return value


def replay_time_at(moment: datetime) -> time:
    """The first replay step at or after `moment` (clamped to the grid), so it is already drawn."""
    moment = to_jst(moment)
    minutes = moment.hour * 60 + moment.minute + (moment.second > 0)
    steps = -(-minutes // REPLAY_STEP_MINUTES) * REPLAY_STEP_MINUTES
    grid = replay_times()
    return min(max(time(min(steps // 60, 23), steps % 60), grid[0]), grid[-1])


def item_state(start: datetime, end: datetime, day: date, at: datetime | None = None) -> str:
    """State of an item on `day`: ACTIVE (that day), TRAIL (ended before it) or FUTURE.

    The day rule is `is_active`; `at` (a moment on that day) also hides the day's items that
    have not started by then (the 6 Sep replay).
    """
    if is_active(start, end, day):
        return FUTURE if at is not None and start > at else ACTIVE
    return TRAIL if end < day_bounds(day)[0] else FUTURE


def progress(start: datetime, end: datetime, at: datetime) -> float:
    """Share of [start, end] elapsed at `at`, clamped to 0..1 (how far a route has got)."""
    span = (end - start).total_seconds()
    if span <= 0:
        return 1.0 if at >= start else 0.0
    return min(max((at - start).total_seconds() / span, 0.0), 1.0)
