"""The story as pictures: which stills a PNG, GIF, MP4 or PDF request holds, written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo.catalog import load_catalog
from geo.export.atomic import publish, staging
from geo.export.common import MIME_TYPES, SUFFIXES, ExportError
from geo.export.selection import filter_frames
from geo.export.still import (
    ATLAS_MAP_SIZE,
    DEFAULT_FPS,
    DEFAULT_SIZE,
    MigMark,
    Place,
    Still,
    check_fps,
    check_size,
    event_days,
)
from geo.export.targets import check_replaceable
from geo.timing import DEFECTION_DAY, PERIOD_END, PERIOD_START, replay_times

PICTURE_FORMATS: tuple[str, ...] = ("png", "gif", "mp4", "pdf")
MigAt = Callable[[date, time | None], Any]  # layers.mig25_position: .geometry, .status
Progress = Callable[[int, int], object]  # called per frame; what it returns is ignored
_ANIMATED = ("gif", "mp4")


@dataclass(frozen=True)
class PictureRequest:
    """What to draw. png: `day` (and `at` on 6 Sep); gif/mp4: days `first`..`last`, with 6 Sep
    as its 5-minute replay when `replay`; pdf: the days of `first`..`last` with a new event."""

    fmt: str
    day: date | None = None
    at: time | None = None
    first: date | None = None
    last: date | None = None
    replay: bool = False
    size: tuple[int, int] | None = None
    fps: float | None = None

    def __post_init__(self) -> None:
        fmt = self.fmt
        if fmt not in PICTURE_FORMATS:
            raise ExportError(
                f"unknown picture format {fmt!r} (choose from {', '.join(PICTURE_FORMATS)})"
            )
        if fmt == "png" and self.day is None:
            raise ExportError("--date: a PNG needs a day")
        if fmt != "png" and (self.day is not None or self.at is not None):
            raise ExportError(f"--date: {fmt} covers a range of days, give --from/--to")
        if self.at is not None and self.day != DEFECTION_DAY:
            raise ExportError(f"--time: only for the {DEFECTION_DAY} replay, not {self.day}")
        if fmt == "png" and (self.first or self.last):
            raise ExportError("--from/--to: for gif, mp4 and pdf, not png")
        if fmt not in _ANIMATED and self.replay:
            raise ExportError(f"--replay: for gif and mp4, not {fmt}")
        if fmt not in _ANIMATED and self.fps is not None:
            raise ExportError(f"--fps: for gif and mp4, not {fmt}")
        if fmt == "pdf" and self.size is not None:
            raise ExportError("--size: for png, gif and mp4, not pdf (A4 pages)")
        for what, value in (("--date", self.day), ("--from", self.first), ("--to", self.last)):
            if value is not None and not PERIOD_START <= value <= PERIOD_END:
                raise ExportError(f"{what}: {value} is outside {PERIOD_START}..{PERIOD_END}")
        if self.start > self.end:
            raise ExportError(f"--from {self.start} is after --to {self.end}")
        if self.at is not None:
            Still(DEFECTION_DAY, self.at)  # checks the replay grid (the day is 6 Sep, see above)
        try:
            if self.fps is not None:
                check_fps(self.fps)
            if self.size is not None:
                width, height = check_size(self.size)
                if fmt == "mp4" and (width % 2 or height % 2):
                    raise ExportError(f"MP4 needs an even width and height, not {width}x{height}")
        except ExportError as error:
            option = "--fps" if "fps" in str(error) else "--size"
            raise ExportError(f"{option}: {error}") from None

    @property
    def start(self) -> date:
        return self.first or PERIOD_START

    @property
    def end(self) -> date:
        return self.last or PERIOD_END

    @property
    def pixels(self) -> tuple[int, int]:
        return ATLAS_MAP_SIZE if self.fmt == "pdf" else self.size or DEFAULT_SIZE

    def stills(self, frames: Mapping[str, gpd.GeoDataFrame]) -> list[Still]:
        """The pictures this request draws, in order."""
        if self.fmt == "png":
            assert self.day is not None, "a PNG request has a day (checked at construction)"
            return [Still(self.day, self.at)]
        if self.fmt == "pdf":
            return [Still(day) for day in event_days(frames, self.start, self.end)]
        stills: list[Still] = []
        for offset in range((self.end - self.start).days + 1):
            day = self.start + timedelta(days=offset)
            if self.replay and day == DEFECTION_DAY:
                stills.extend(Still(day, at) for at in replay_times())
            else:
                stills.append(Still(day))
        return stills

    def filename(self, layer_ids: list[str] | tuple[str, ...]) -> str:
        """e.g. foxbat76_1976-09-06-1320_8-layers.png, foxbat76_all_hakodate.mp4."""
        if self.fmt == "png":
            assert self.day is not None, "a PNG request has a day (checked at construction)"
            scope = self.day.isoformat() + (f"-{self.at:%H%M}" if self.at else "")
        elif (self.start, self.end) == (PERIOD_START, PERIOD_END):
            scope = "all"
        else:
            scope = f"{self.start.isoformat()}_to_{self.end.isoformat()}"
        if self.replay:
            scope += "_replay"
        ids = list(layer_ids)
        which = "-".join(ids) if 0 < len(ids) <= 3 else f"{len(ids)}-layers"
        return f"foxbat76_{scope}_{which}{SUFFIXES[self.fmt]}"


def dialog_request(fmt: str, day: date, at: time | None, replay: bool = False) -> PictureRequest:
    """The dashboard's picture choices: png of the day in view (its replay time on 6 Sep), an
    animation of the whole period (6 Sep as its replay when asked), or the whole atlas."""
    if fmt == "png":
        return PictureRequest("png", day=day, at=at if day == DEFECTION_DAY else None)
    if fmt in _ANIMATED:
        return PictureRequest(fmt, replay=replay)
    return PictureRequest(fmt)


def describe(request: PictureRequest, frames: Mapping[str, gpd.GeoDataFrame]) -> str:
    """One line saying what a request draws, for the export dialog."""
    if request.fmt == "png":
        still = request.stills(frames)[0]
        return f"The map of {still.label()}, {request.pixels[0]}x{request.pixels[1]} pixels."
    count = len(request.stills(frames))
    span = f"{request.start.day} {request.start:%b} to {request.end.day} {request.end:%b %Y}"
    if request.fmt == "pdf":
        return f"An A4 page per day with a new event: {count} pages, {span}."
    fps = request.fps or DEFAULT_FPS
    return f"{count} frames, {span}, {fps:g} per second ({count / fps:.0f} s)."


def places() -> list[Place]:
    """The catalog's places, labelled on every map."""
    labels = []
    for place in load_catalog().places.values():
        names = place.names
        native = " · ".join(n for n in (names.ja, names.ru) if n) if names is not None else ""
        labels.append(Place(place.name, place.lon, place.lat, native))
    return labels


def _mig(mig_at: MigAt | None, still: Still) -> MigMark | None:
    if mig_at is None:
        return None
    try:
        position = mig_at(still.day, still.at)
    except ValueError:  # the catalog has no position then: draw no marker
        return None
    point = position.geometry
    lonlat = None if point is None or point.is_empty else (float(point.x), float(point.y))
    return MigMark(lonlat, str(position.status))


def picture_target(
    request: PictureRequest, out: Path, layer_ids: list[str], force: bool = False
) -> Path:
    """The file an export to `out` writes: `out`, `out` + suffix, or a named file in a folder.

    Raises ReplaceRefused when something is there that the export must not replace (as for
    every format: another format's file only with `force`; a link, pipe or device never).
    """
    if out.is_dir():
        target = out / request.filename(layer_ids)
    else:
        target = out if out.suffix else out.with_name(out.name + SUFFIXES[request.fmt])
    check_replaceable(target, request.fmt, force=force)
    return target


def export_picture(
    frames: Mapping[str, gpd.GeoDataFrame],
    request: PictureRequest,
    out: Path,
    *,
    titles: Mapping[str, str] | None = None,
    styles: Mapping[str, Mapping] | None = None,
    mig_at: MigAt | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> Path:
    """Draw `request` from the layer frames into `out` and return the file written.

    All-or-nothing: staged beside the target, renamed into place when complete. What may be
    replaced follows `picture_target`.
    """
    # Drawing needs matplotlib (and video PyAV): imported here, so data exports stay quick.
    from geo.export import atlas, movie

    kept, _ = filter_frames(frames)  # checked; every item, since earlier ones draw as a trail
    target = picture_target(request, Path(out), list(kept), force)
    stills = request.stills(kept)
    if not stills:
        raise ExportError(
            f"nothing for the atlas: no new event between {request.start} and {request.end}"
        )
    jobs = [(still, _mig(mig_at, still)) for still in stills]
    scene_args = (kept, titles, styles, places(), request.pixels)
    count = workers or default_workers(request.fmt, len(jobs))
    with staging(target.parent) as stage:
        staged = stage / f"picture{SUFFIXES[request.fmt]}"
        if request.fmt == "png":
            from PIL import Image

            (rgb,) = movie.render_frames(scene_args, jobs, 1, progress)
            Image.fromarray(rgb).save(staged, format="PNG", optimize=False)
        elif request.fmt == "pdf":
            rendered = movie.render_frames(scene_args, jobs, count, progress)
            pages = (
                (still.day, rgb, atlas.day_events(kept, still.day, titles))
                for still, rgb in zip(stills, rendered, strict=True)
            )
            atlas.write_pdf(pages, staged)
        elif request.fmt == "gif":
            palette = movie.gif_palette(_palette_samples(scene_args, jobs))
            paletted = movie.render_frames(scene_args, jobs, count, progress, palette)
            movie.write_gif(paletted, staged, request.fps or DEFAULT_FPS)
        else:
            rendered = movie.render_frames(scene_args, jobs, count, progress)
            movie.write_mp4(rendered, staged, request.fps or DEFAULT_FPS)
        return publish(staged, target)


def default_workers(fmt: str, frame_count: int) -> int:
    """Processes that draw the frames: two for a long MP4, whose encoder then has the main
    process to itself (1.5x faster in the benchmark); one otherwise, where a pool of two
    measured no faster on two cores (docs/performance.md)."""
    if fmt == "mp4" and frame_count >= 12 and (os.cpu_count() or 1) >= 2:
        return 2
    return 1


def _palette_samples(scene_args: tuple, jobs: list) -> list:
    """A few frames spread over the animation, for its one shared palette."""
    from geo.export.picture import Scene

    picks = sorted({0, len(jobs) // 3, 2 * len(jobs) // 3, len(jobs) - 1})
    scene = Scene(*scene_args)
    return [scene.render(*jobs[index]) for index in picks]


def picture_bytes(
    frames: Mapping[str, gpd.GeoDataFrame],
    request: PictureRequest,
    *,
    titles: Mapping[str, str] | None = None,
    styles: Mapping[str, Mapping] | None = None,
    mig_at: MigAt | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> tuple[str, bytes, str]:
    """(file name, content, MIME type) of a picture export, for a download button."""
    name = request.filename(list(frames))
    with tempfile.TemporaryDirectory(prefix="foxbat76-picture-") as tmp:
        path = export_picture(
            frames, request, Path(tmp) / name, titles=titles, styles=styles, mig_at=mig_at,
            workers=workers, progress=progress,
        )  # fmt: skip
        return name, path.read_bytes(), MIME_TYPES[request.fmt]
