"""Picture requests: which stills each format draws, file names, and the bad-input rules."""

from __future__ import annotations

from datetime import date, time

import pytest

import layers
from geo.export import ExportError, PictureRequest, export_layers, picture_bytes
from geo.export.picture import Still

SEP = date(1976, 9, 6)


@pytest.mark.parametrize(
    ("request_args", "count", "first", "last"),
    [
        ({"fmt": "png", "day": date(1976, 9, 25)}, 1, Still(date(1976, 9, 25)), None),
        ({"fmt": "png", "day": SEP, "at": time(13, 20)}, 1, Still(SEP, time(13, 20)), None),
        ({"fmt": "gif"}, 91, Still(date(1976, 9, 1)), Still(date(1976, 11, 30))),
        ({"fmt": "mp4", "replay": True}, 91 - 1 + 37, Still(date(1976, 9, 1)),
         Still(date(1976, 11, 30))),
        ({"fmt": "gif", "first": SEP, "last": SEP}, 1, Still(SEP), None),
        ({"fmt": "gif", "first": SEP, "last": SEP, "replay": True}, 37, Still(SEP, time(12, 0)),
         Still(SEP, time(15, 0))),
    ],
)  # fmt: skip
def test_stills(request_args, count, first, last):
    stills = PictureRequest(**request_args).stills(layers.build_all())
    assert len(stills) == count
    assert stills[0] == first
    if last is not None:
        assert stills[-1] == last


def test_the_atlas_draws_the_days_with_a_new_event():
    frames = layers.build_all()
    starts = {t.date() for f in frames.values() for t in f["start"]}
    stills = PictureRequest("pdf").stills(frames)
    assert [s.day for s in stills] == sorted(starts)
    assert all(s.at is None for s in stills)


@pytest.mark.parametrize(
    ("request_args", "name"),
    [
        ({"fmt": "png", "day": SEP, "at": time(13, 5)}, "foxbat76_1976-09-06-1305_a-b.png"),
        ({"fmt": "gif"}, "foxbat76_all_a-b.gif"),
        ({"fmt": "mp4", "replay": True}, "foxbat76_all_replay_a-b.mp4"),
        ({"fmt": "pdf", "first": SEP, "last": date(1976, 9, 30)},
         "foxbat76_1976-09-06_to_1976-09-30_a-b.pdf"),
    ],
)  # fmt: skip
def test_filename(request_args, name):
    assert PictureRequest(**request_args).filename(["a", "b"]) == name


@pytest.mark.parametrize(
    ("request_args", "message"),
    [
        ({"fmt": "svg"}, r"^unknown picture format 'svg' \(choose from png, gif, mp4, pdf\)$"),
        ({"fmt": "png"}, r"^--date: a PNG needs a day$"),
        ({"fmt": "png", "day": date(1976, 9, 7), "at": time(13, 0)},
         r"^--time: only for the 1976-09-06 replay, not 1976-09-07$"),
        ({"fmt": "png", "day": SEP, "at": time(16, 0)},
         r"^time 16:00 is not a step of the replay$"),
        ({"fmt": "png", "day": SEP, "first": SEP}, r"^--from/--to: for gif, mp4 and pdf, not png$"),
        ({"fmt": "gif", "day": SEP}, r"^--date: gif covers a range of days, give --from/--to$"),
        ({"fmt": "gif", "first": date(1976, 9, 10), "last": date(1976, 9, 5)},
         r"^--from 1976-09-10 is after --to 1976-09-05$"),
        ({"fmt": "gif", "last": date(1976, 12, 5)},
         r"^--to: 1976-12-05 is outside 1976-09-01\.\.1976-11-30$"),
        ({"fmt": "pdf", "replay": True}, r"^--replay: for gif and mp4, not pdf$"),
        ({"fmt": "png", "day": SEP, "fps": 2}, r"^--fps: for gif and mp4, not png$"),
        ({"fmt": "pdf", "size": (800, 600)}, r"^--size: for png, gif and mp4, not pdf"),
        ({"fmt": "gif", "fps": 100}, r"^--fps: fps 100 is outside 0\.5\.\.30 frames per second$"),
        ({"fmt": "mp4", "size": (641, 400)},
         r"^--size: MP4 needs an even width and height, not 641x400$"),
        ({"fmt": "gif", "size": (100, 400)}, r"^--size: size 100x400 is outside"),
    ],
)  # fmt: skip
def test_bad_requests(request_args, message):
    with pytest.raises(ExportError, match=message):
        PictureRequest(**request_args)


def test_layer_exports_send_pictures_to_export_picture(tmp_path):
    with pytest.raises(ExportError, match=r"^png is a picture format: use export_picture$"):
        export_layers(layers.build_all(["hakodate"]), "png", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_picture_bytes_for_a_download_button():
    frames = layers.build_all(["hakodate"])
    request = PictureRequest("png", day=date(1976, 9, 9), size=(400, 250))
    name, content, mime = picture_bytes(frames, request)
    assert name == "foxbat76_1976-09-09_hakodate.png"
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and mime == "image/png"


def test_a_picture_replaces_its_own_kind_but_not_another_file_unless_forced(tmp_path):
    from geo.export import ReplaceRefused, export_picture

    frames = layers.build_all(["hakodate"])
    request = PictureRequest("png", day=date(1976, 9, 9), size=(400, 250))
    notes = tmp_path / "notes.png"
    notes.write_text("my notes, not a picture")
    with pytest.raises(ReplaceRefused, match=r"^not replacing .*notes\.png"):
        export_picture(frames, request, notes)
    assert notes.read_text() == "my notes, not a picture"
    export_picture(frames, request, notes, force=True)
    assert notes.read_bytes().startswith(b"\x89PNG")
    export_picture(frames, request, notes)  # a PNG over a PNG: replaced without asking
    link = tmp_path / "link.png"
    link.symlink_to(notes)
    with pytest.raises(ReplaceRefused, match=r"it is a symbolic link"):
        export_picture(frames, request, link, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.png", "notes.png"]


@pytest.mark.parametrize(
    ("fmt", "frames", "expected"),
    [("mp4", 91, 2), ("mp4", 11, 1), ("gif", 91, 1), ("pdf", 19, 1), ("png", 1, 1)],
)
def test_default_workers(fmt, frames, expected, monkeypatch):
    from geo.export import story

    monkeypatch.setattr(story.os, "cpu_count", lambda: 2)
    assert story.default_workers(fmt, frames) == expected
    monkeypatch.setattr(story.os, "cpu_count", lambda: 1)
    assert story.default_workers(fmt, frames) == 1
