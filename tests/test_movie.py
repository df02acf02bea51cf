"""GIF and MP4: a frame per day, read back by Pillow, ffprobe and Chromium's <video>."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import GifImagePlugin, Image, ImageSequence

import layers
from geo.export import PictureRequest, export_picture, movie
from geo.export.still import Still
from geo.export.story import places

IN_CI = bool(os.environ.get("CI"))
SMALL = (320, 200)


@pytest.fixture(scope="module")
def story() -> tuple[dict, dict, dict]:
    frames = layers.build_all()
    titles, styles = layers.presentation(list(frames))
    return frames, titles, styles


def export(story, request: PictureRequest, out: Path, **kwargs) -> Path:
    frames, titles, styles = story
    return export_picture(
        frames, request, out, titles=titles, styles=styles, mig_at=layers.mig25_position, **kwargs
    )


def ffprobe(path: Path) -> dict:
    """Debian's ffprobe: the stream as an independent reader sees it (skip, or fail under CI)."""
    if shutil.which("ffprobe") is None:
        message = "ffprobe (Debian package ffmpeg) is not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return json.loads(result.stdout)


def test_gif_has_a_frame_per_day_at_the_requested_size_and_pace(story, tmp_path):
    request = PictureRequest("gif", first=date(1976, 9, 24), last=date(1976, 9, 26), size=SMALL,
                             fps=4)  # fmt: skip
    path = export(story, request, tmp_path)
    assert path.name == "foxbat76_1976-09-24_to_1976-09-26_8-layers.gif"
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.size == SMALL
        assert isinstance(gif, GifImagePlugin.GifImageFile)
        assert gif.n_frames == 3
        assert gif.info["loop"] == 0
        frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]
        durations = [f.info["duration"] for f in ImageSequence.Iterator(gif)]
    assert durations == [250, 250, 250]
    # Each day is its own picture: the C-5A airlift of 25 Sep changes the map.
    assert not np.array_equal(frames[0], frames[1])


def test_the_replay_expands_6_september_into_5_minute_frames(story, tmp_path):
    request = PictureRequest("gif", first=date(1976, 9, 6), last=date(1976, 9, 7), replay=True,
                             size=SMALL)  # fmt: skip
    stills = request.stills(story[0])
    assert len(stills) == 37 + 1  # 12:00..15:00 every 5 minutes, then 7 Sep
    assert stills[0] == Still(date(1976, 9, 6), stills[0].at) and stills[-1].at is None
    path = export(story, request, tmp_path / "replay.gif")
    with Image.open(path) as gif:
        assert isinstance(gif, GifImagePlugin.GifImageFile)
        assert gif.n_frames == 38


def test_mp4_is_h264_yuv420p_with_a_frame_per_day(story, tmp_path):
    request = PictureRequest("mp4", first=date(1976, 9, 24), last=date(1976, 9, 26),
                             size=(480, 300), fps=2)  # fmt: skip
    path = export(story, request, tmp_path / "story.mp4")
    info = ffprobe(path)
    (stream,) = info["streams"]
    assert stream["codec_name"] == "h264" and stream["pix_fmt"] == "yuv420p"
    assert (stream["width"], stream["height"]) == (480, 300)
    assert int(stream["nb_read_frames"]) == 3
    assert float(info["format"]["duration"]) == pytest.approx(1.5, abs=0.05)


@pytest.mark.browser
def test_mp4_plays_in_chromium(story, tmp_path, chromium):
    request = PictureRequest("mp4", first=date(1976, 9, 24), last=date(1976, 9, 27),
                             size=(480, 300), fps=2)  # fmt: skip
    export(story, request, tmp_path / "story.mp4")
    page_file = tmp_path / "page.html"
    page_file.write_text('<video id="v" src="story.mp4" muted preload="auto"></video>')
    page = chromium.new_page()
    try:
        page.goto(page_file.as_uri())
        page.wait_for_function("document.getElementById('v').readyState >= 2", timeout=15000)
        state = page.evaluate(
            "() => { const v = document.getElementById('v');"
            " return {error: v.error && v.error.code, duration: v.duration,"
            " width: v.videoWidth, height: v.videoHeight}; }"
        )
        page.evaluate("() => document.getElementById('v').play()")
        page.wait_for_function("document.getElementById('v').currentTime > 0.2", timeout=15000)
    finally:
        page.close()
    assert state["error"] is None
    assert (state["width"], state["height"]) == (480, 300)
    assert state["duration"] == pytest.approx(2.0, abs=0.05)


def test_two_workers_draw_exactly_what_one_draws(story):
    frames, titles, styles = story
    scene_args = (frames, titles, styles, places(), SMALL)
    jobs = [(Still(date(1976, 9, d)), None) for d in (5, 6, 25)]
    one = list(movie.render_frames(scene_args, jobs, workers=1))
    two = list(movie.render_frames(scene_args, jobs, workers=2))
    assert len(two) == 3
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a, b)


def test_progress_is_reported_once_per_frame(story, tmp_path):
    seen = []
    request = PictureRequest("gif", first=date(1976, 9, 1), last=date(1976, 9, 3), size=SMALL)
    export(story, request, tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_failing_encoder_leaves_nothing_and_keeps_the_old_file(story, tmp_path, monkeypatch):
    target = tmp_path / "story.mp4"
    target.write_bytes(b"\x00\x00\x00\x18ftypisom previous video")

    def broken(frames, path, fps):
        path.write_bytes(b"half a video")
        raise RuntimeError("encoder died")

    monkeypatch.setattr(movie, "write_mp4", broken)
    request = PictureRequest("mp4", first=date(1976, 9, 1), last=date(1976, 9, 2), size=SMALL)
    with pytest.raises(RuntimeError, match="encoder died"):
        export(story, request, target)
    assert target.read_bytes() == b"\x00\x00\x00\x18ftypisom previous video"
    assert [p.name for p in tmp_path.iterdir()] == ["story.mp4"]
