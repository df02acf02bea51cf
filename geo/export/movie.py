"""Frames of the story, rendered in parallel, written as an animated GIF or an H.264 MP4."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import overload

import geopandas as gpd
import numpy as np
from PIL import Image

from geo.export.common import ExportError
from geo.export.picture import Scene
from geo.export.still import MigMark, Place, Still

Progress = Callable[[int, int], object]  # called per frame; what it returns is ignored
# Frames per task sent to a worker: fewer round trips, still an even share for two workers.
_CHUNK = 4
_scene: Scene | None = None  # a worker process's own scene, drawn once by _start_worker
_palette_image: Image.Image | None = None  # and the GIF's palette, if it makes one


def _start_worker(scene_args: tuple, palette: Image.Image | None) -> None:
    global _scene, _palette_image
    _scene, _palette_image = Scene(*scene_args), palette


def _render_in_worker(job: tuple[Still, MigMark | None]) -> np.ndarray | Image.Image:
    assert _scene is not None, "worker started without its scene"
    rgb = _scene.render(*job)
    return rgb if _palette_image is None else to_palette(rgb, _palette_image)


def to_palette(rgb: np.ndarray, palette: Image.Image) -> Image.Image:
    """The frame in the GIF's shared palette (no dithering: flat map colours stay flat)."""
    return Image.fromarray(rgb).quantize(palette=palette, dither=Image.Dither.NONE)


SceneArgs = tuple[
    Mapping[str, gpd.GeoDataFrame],
    Mapping[str, str] | None,
    Mapping[str, Mapping] | None,
    Sequence[Place],
    tuple[int, int],
]
Job = tuple[Still, MigMark | None]


@overload
def render_frames(
    scene_args: SceneArgs,
    jobs: Sequence[Job],
    workers: int = 1,
    progress: Progress | None = None,
    palette: None = None,
) -> Iterator[np.ndarray]: ...
@overload
def render_frames(
    scene_args: SceneArgs,
    jobs: Sequence[Job],
    workers: int,
    progress: Progress | None,
    palette: Image.Image,
) -> Iterator[Image.Image]: ...
def render_frames(
    scene_args: SceneArgs,
    jobs: Sequence[Job],
    workers: int = 1,
    progress: Progress | None = None,
    palette: Image.Image | None = None,
) -> Iterator[np.ndarray | Image.Image]:
    """Each job's picture (H x W x 3 uint8, or with `palette` a paletted image), in order;
    with workers > 1 from a process pool whose workers each draw the static scene once."""
    if workers < 1:
        raise ExportError(f"workers {workers!r} must be at least 1")
    total = len(jobs)
    if workers == 1 or total < 2:
        scene = Scene(*scene_args)
        for number, job in enumerate(jobs, start=1):
            rgb = scene.render(*job)
            yield rgb if palette is None else to_palette(rgb, palette)
            if progress:
                progress(number, total)
        return
    # fork: the workers start with the frames and fonts already loaded, in milliseconds.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(scene_args, palette),
    ) as pool:
        for number, picture in enumerate(pool.map(_render_in_worker, jobs, chunksize=_CHUNK), 1):
            yield picture
            if progress:
                progress(number, total)


def gif_palette(samples: Sequence[np.ndarray]) -> Image.Image:
    """One 256-colour palette for every frame, from a few frames side by side: with the same
    palette, unchanged pixels keep their index and the GIF stores only what changed."""
    strip = np.concatenate([sample[::2, ::2] for sample in samples], axis=1)
    return Image.fromarray(strip).quantize(colors=256, method=Image.Quantize.MEDIANCUT)


def write_gif(frames: Iterator[Image.Image], path: Path, fps: float) -> int:
    """Write an endlessly looping GIF of frames in one palette (`gif_palette`); returns the
    number of frames."""
    quantized = iter(frames)
    first = next(quantized, None)
    if first is None:
        raise ExportError("nothing to animate: no frames")
    count = 1

    def counted() -> Iterator[Image.Image]:
        nonlocal count
        for image in quantized:
            count += 1
            yield image

    first.save(
        path,
        format="GIF",
        save_all=True,
        append_images=counted(),  # streamed: only two frames are held at a time
        duration=round(1000 / fps),
        loop=0,
        optimize=False,
        disposal=1,  # keep the previous frame: each frame then stores only its changes
    )
    return count


def write_mp4(frames: Iterator[np.ndarray], path: Path, fps: float) -> int:
    """Write H.264 (yuv420p, even size, moov atom first) that browsers play; returns frames."""
    import av

    container = av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"})
    count = 0
    try:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "23", "preset": "veryfast", "tune": "stillimage"}
        for rgb in frames:
            height, width = rgb.shape[:2]
            if count == 0:
                if width % 2 or height % 2:
                    raise ExportError(f"MP4 needs an even width and height, not {width}x{height}")
                stream.width, stream.height = width, height
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            container.mux(stream.encode(frame))
            count += 1
        if count == 0:
            raise ExportError("nothing to animate: no frames")
        container.mux(stream.encode(None))
    finally:
        container.close()
    return count
