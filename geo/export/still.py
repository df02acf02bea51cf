"""What a picture shows, checked without drawing anything: days and times, sizes, speeds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

import geopandas as gpd

from geo.export.common import ExportError
from geo.timing import DEFECTION_DAY, JST, PERIOD_END, PERIOD_START, replay_times

DEFAULT_SIZE = (1600, 1000)
MIN_SIZE, MAX_SIZE = (320, 200), (4000, 4000)
ATLAS_MAP_SIZE = (1600, 1000)  # pixels of each atlas page's map (about 215 dpi across A4)
MIN_FPS, MAX_FPS = 0.5, 30.0
DEFAULT_FPS = 2.0


@dataclass(frozen=True)
class Still:
    """One picture of the story: a JST day, and on 6 Sep optionally a replay time."""

    day: date
    at: time | None = None

    def __post_init__(self) -> None:
        if not PERIOD_START <= self.day <= PERIOD_END:
            raise ExportError(f"date {self.day} is outside {PERIOD_START}..{PERIOD_END}")
        if self.at is not None:
            if self.day != DEFECTION_DAY:
                raise ExportError(
                    f"a time of day is only for the {DEFECTION_DAY} replay, not {self.day}"
                )
            if self.at not in replay_times():
                raise ExportError(f"time {self.at:%H:%M} is not a step of the replay")

    @property
    def moment(self) -> datetime | None:
        return datetime.combine(self.day, self.at, tzinfo=JST) if self.at is not None else None

    def label(self) -> str:
        text = f"{self.day:%A} {self.day.day} {self.day:%B %Y}"
        return f"{text}, {self.at:%H:%M} JST" if self.at is not None else text


@dataclass(frozen=True)
class MigMark:
    """Where the MiG-25 is drawn in a still: lon/lat (None when unknown) and what it was doing."""

    lonlat: tuple[float, float] | None
    status: str


@dataclass(frozen=True)
class Place:
    """A place label: name, lon/lat, and the name in Japanese and/or Russian if known."""

    name: str
    lon: float
    lat: float
    native: str = ""


def parse_size(text: str) -> tuple[int, int]:
    """WIDTHxHEIGHT in pixels, e.g. 1600x1000; ExportError naming the value otherwise."""
    parts = str(text).strip().lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ExportError(f"size {text!r} is not WIDTHxHEIGHT in pixels, e.g. 1600x1000")
    return check_size((int(parts[0]), int(parts[1])))


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise ExportError(
            f"size {width}x{height} is outside {MIN_SIZE[0]}x{MIN_SIZE[1]}.."
            f"{MAX_SIZE[0]}x{MAX_SIZE[1]} pixels"
        )
    return width, height


def check_fps(fps: float) -> float:
    if not isinstance(fps, int | float) or not MIN_FPS <= float(fps) <= MAX_FPS:
        shown = f"{fps:g}" if isinstance(fps, int | float) else repr(fps)
        raise ExportError(f"fps {shown} is outside {MIN_FPS:g}..{MAX_FPS:g} frames per second")
    return float(fps)


def event_days(
    frames: Mapping[str, gpd.GeoDataFrame], first: date = PERIOD_START, last: date = PERIOD_END
) -> list[date]:
    """Days from `first` to `last` (JST) on which at least one item starts: the atlas's pages."""
    days = {
        moment.date()
        for frame in frames.values()
        for moment in frame["start"].dt.tz_convert(JST)
        if first <= moment.date() <= last
    }
    return sorted(days)
