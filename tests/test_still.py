"""Checks made before anything is drawn: the days and times a still may show, sizes, speeds."""

from __future__ import annotations

from datetime import date, time

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.export import ExportError
from geo.export.still import Still, check_fps, event_days, parse_size
from geo.timing import JST


@pytest.mark.parametrize(
    ("text", "expected"), [("1600x1000", (1600, 1000)), (" 640X400 ", (640, 400))]
)
def test_parse_size_good(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1600", r"^size '1600' is not WIDTHxHEIGHT in pixels"),
        ("axb", r"^size 'axb' is not WIDTHxHEIGHT"),
        ("-5x10", r"^size '-5x10' is not WIDTHxHEIGHT"),
        ("100x100", r"^size 100x100 is outside 320x200\.\.4000x4000 pixels$"),
        ("5000x1000", r"^size 5000x1000 is outside"),
    ],
)
def test_parse_size_bad(text, message):
    with pytest.raises(ExportError, match=message):
        parse_size(text)


@pytest.mark.parametrize(
    ("day", "at", "message"),
    [
        (date(1976, 9, 7), time(13, 0), r"only for the 1976-09-06 replay, not 1976-09-07"),
        (date(1976, 9, 6), time(13, 2), r"time 13:02 is not a step of the replay"),
        (date(1976, 12, 1), None, r"date 1976-12-01 is outside 1976-09-01\.\.1976-11-30"),
    ],
)
def test_still_bad(day, at, message):
    with pytest.raises(ExportError, match=message):
        Still(day, at)


@pytest.mark.parametrize(("fps", "ok"), [(0.5, True), (30, True), (0.4, False), (31, False)])
def test_check_fps(fps, ok):
    if ok:
        assert check_fps(fps) == fps
    else:
        with pytest.raises(ExportError, match=r"^fps .* is outside 0\.5\.\.30 frames per second$"):
            check_fps(fps)


def test_event_days_are_the_days_an_item_starts():
    starts = ["1976-09-06 13:50", "1976-09-06 23:59", "1976-11-15 00:00", "1976-08-31 23:00"]
    frame = gpd.GeoDataFrame(
        {"start": [pd.Timestamp(t).tz_localize(JST) for t in starts]},
        geometry=[Point(140.0, 40.0)] * 4, crs="EPSG:4326",
    )  # fmt: skip
    frames = {"places": frame}
    assert event_days(frames) == [date(1976, 9, 6), date(1976, 11, 15)]
    assert event_days(frames, date(1976, 9, 7), date(1976, 11, 30)) == [date(1976, 11, 15)]
