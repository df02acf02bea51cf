"""Tests for geo.timing: the JST day and the one active-on-day rule."""

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import pytest

from geo import timing
from geo.timing import (
    JST,
    PERIOD_END,
    PERIOD_START,
    active_mask,
    day_bounds,
    is_active,
    parse_day,
    period_days,
)

UTC = UTC


def jst(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=JST)


@pytest.mark.parametrize(
    ("start", "end", "day", "expected"),
    [
        # an instant inside the day
        (jst(1976, 9, 6, 13, 10), jst(1976, 9, 6, 13, 10), date(1976, 9, 6), True),
        # ends exactly at the day's first second: still touches it
        (jst(1976, 9, 24), jst(1976, 9, 25), date(1976, 9, 25), True),
        # starts at the next midnight: not this day
        (jst(1976, 9, 26), jst(1976, 9, 27), date(1976, 9, 25), False),
        # ends the second before midnight: not the next day
        (jst(1976, 9, 8), jst(1976, 9, 25, 23, 59, 59), date(1976, 9, 26), False),
        (jst(1976, 9, 8), jst(1976, 9, 25, 23, 59, 59), date(1976, 9, 25), True),
        (jst(1976, 9, 8), jst(1976, 9, 25, 23, 59, 59), date(1976, 9, 7), False),
        # 15:30 UTC on 5 Sep is 00:30 JST on 6 Sep: a 6 Sep item in the dashboard's day
        (
            datetime(1976, 9, 5, 15, 30, tzinfo=UTC),
            datetime(1976, 9, 5, 15, 30, tzinfo=UTC),
            date(1976, 9, 6),
            True,
        ),
        (
            datetime(1976, 9, 5, 15, 30, tzinfo=UTC),
            datetime(1976, 9, 5, 15, 30, tzinfo=UTC),
            date(1976, 9, 5),
            False,
        ),
        # 14:59 UTC on 5 Sep is 23:59 JST on 5 Sep
        (
            datetime(1976, 9, 5, 14, 59, tzinfo=UTC),
            datetime(1976, 9, 5, 14, 59, tzinfo=UTC),
            date(1976, 9, 5),
            True,
        ),
    ],
)
def test_is_active_on_boundaries_and_across_the_date_line(
    start: datetime, end: datetime, day: date, expected: bool
) -> None:
    assert bool(is_active(start, end, day)) is expected


def test_active_mask_applies_the_same_rule_to_a_frame() -> None:
    frame = pd.DataFrame(
        {
            "start": pd.to_datetime(
                ["1976-09-05T15:30:00+00:00", "1976-09-26T00:00:00+09:00"], utc=True
            ),
            "end": pd.to_datetime(
                ["1976-09-05T15:30:00+00:00", "1976-09-27T00:00:00+09:00"], utc=True
            ),
        }
    )
    assert active_mask(frame, date(1976, 9, 6)).tolist() == [True, False]
    assert active_mask(frame, date(1976, 9, 26)).tolist() == [False, True]


def test_day_bounds_are_jst_midnights() -> None:
    start, end = day_bounds(date(1976, 9, 6))
    assert start == datetime(1976, 9, 5, 15, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_naive_times_are_rejected() -> None:
    with pytest.raises(TypeError):
        is_active(datetime(1976, 9, 6), datetime(1976, 9, 6), date(1976, 9, 6))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1976-09-06", date(1976, 9, 6)), (" 1976-11-30 ", PERIOD_END), ("1976-09-01", PERIOD_START)],
)
def test_parse_day_good(text: str, expected: date) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1976-13-01", r"^date 1976-13-01 is not a day of the calendar$"),
        ("19760906", r"^date '19760906' is not a YYYY-MM-DD date$"),
        ("1976-W37-1", r"^date '1976-W37-1' is not a YYYY-MM-DD date$"),
        ("1976-11-31", r"^date 1976-11-31 is not a day of the calendar$"),
        ("1976-9-6", r"^date '1976-9-6' is not a YYYY-MM-DD date$"),
        ("\uff11\uff19\uff17\uff16-09-06", r"^date '.*-09-06' is not a YYYY-MM-DD date$"),
        ("yesterday", r"date 'yesterday' is not a YYYY-MM-DD date"),
        ("1976-08-31", r"date 1976-08-31 is outside 1976-09-01\.\.1976-11-30"),
        ("1976-12-01", r"date 1976-12-01 is outside"),
    ],
)
def test_parse_day_bad(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_day(text)


def test_period_has_91_days() -> None:
    days = period_days()
    assert (len(days), days[0], days[-1]) == (91, PERIOD_START, PERIOD_END)


def test_the_replay_grid_runs_from_noon_to_three_in_5_minute_steps() -> None:
    grid = timing.replay_times()
    assert (grid[0], grid[1], grid[-1], len(grid)) == (time(12, 0), time(12, 5), time(15, 0), 37)


@pytest.mark.parametrize(("text", "expected"), [("13:10", time(13, 10)), (" 15:00 ", time(15, 0))])
def test_parse_replay_time_good(text: str, expected: time) -> None:
    assert timing.parse_replay_time(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("13:07", "time 13:07 is not a 5-minute step between 12:00 and 15:00"),
        ("11:55", r"time 11:55 is outside 12:00\u201315:00 \(the replay of the flight\)"),
        ("11:00", "time 11:00 is outside 12:00\u201315:00"),
        ("15:05", "time 15:05 is outside 12:00\u201315:00"),
        ("noon", "time 'noon' is not HH:MM"),
        ("", "time '' is not HH:MM"),
    ],
)
def test_parse_replay_time_bad(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        timing.parse_replay_time(text)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(1976, 9, 6, 13, 10, tzinfo=timing.JST), time(13, 10)),
        (datetime(1976, 9, 6, 13, 11, tzinfo=timing.JST), time(13, 15)),
        (datetime(1976, 9, 6, 13, 10, 30, tzinfo=timing.JST), time(13, 15)),
        (datetime(1976, 9, 6, 4, 10, tzinfo=UTC), time(13, 10)),  # the same moment in UTC
        (datetime(1976, 9, 6, 9, 0, tzinfo=timing.JST), time(12, 0)),
        (datetime(1976, 9, 6, 23, 58, tzinfo=timing.JST), time(15, 0)),
    ],
)
def test_replay_time_at_is_the_first_step_at_or_after(moment: datetime, expected: time) -> None:
    assert timing.replay_time_at(moment) == expected


def test_a_huge_date_is_echoed_short() -> None:
    with pytest.raises(ValueError) as caught:
        parse_day("1976-09-06" * 10_000)
    message = str(caught.value)
    assert len(message) < 100 and message.startswith("date '1976-09-06")
    assert "…" in message and message.endswith("' is not a YYYY-MM-DD date")


@pytest.mark.parametrize("text", ["1320", "13:20:00", "T13:20", "13:20+09:00"])
def test_parse_replay_time_takes_only_hh_mm(text: str) -> None:
    with pytest.raises(ValueError, match=r"^time '.*' is not HH:MM$"):
        timing.parse_replay_time(text)
