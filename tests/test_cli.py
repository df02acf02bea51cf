"""Tests for the foxbat76 CLI: layer table, catalog check, MiG position and GeoJSON export."""

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import shape
from support import found

import layers
from geo.cli import main
from geo.timing import active_mask


def test_layers_table_lists_every_layer_with_counts_and_dates(capsys) -> None:
    assert main(["layers"]) == 0
    out = capsys.readouterr().out
    for layer_id, frame in layers.build_all().items():
        line = next(row for row in out.splitlines() if row.startswith(layer_id + " "))
        assert f" {len(frame)} " in line
    assert "c5a_route" in out and "1976-09-24  1976-09-25" in out


def test_check_reports_the_catalog(capsys) -> None:
    assert main(["check"]) == 0
    count = len(layers.all_features())
    assert f"catalog.toml: ok — {count} items in 8 layers" in capsys.readouterr().out


def test_where_says_where_the_jet_was(capsys) -> None:
    assert main(["where", "--date", "1976-10-01"]) == 0
    assert "Hyakuri" in capsys.readouterr().out


def test_export_geojson_for_a_day_round_trips(tmp_path: Path, capsys) -> None:
    out = tmp_path / "x"
    assert main(["export", "--format", "geojson", "--date", "1976-09-10", "--out", str(out)]) == 0
    written = sorted(path.name for path in out.iterdir())
    expected = {}
    for layer_id, frame in layers.build_all().items():
        active = frame[active_mask(frame, pd.Timestamp("1976-09-10").date())]
        if len(active):
            expected[layer_id] = active.reset_index(drop=True)
    assert written == sorted(f"{layer_id}.geojson" for layer_id in expected)
    assert "layer c5a_route has nothing on 1976-09-10; skipped" in capsys.readouterr().err
    for layer_id, frame in expected.items():
        path = out / f"{layer_id}.geojson"
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["type"] == "FeatureCollection" and "crs" not in document
        back = gpd.read_file(path)
        assert back["id"].tolist() == frame["id"].tolist()
        assert back["name"].tolist() == frame["name"].tolist()
        starts = [feature["properties"]["start"] for feature in document["features"]]
        assert starts == [moment.isoformat() for moment in frame["start"]]
        for feature, geometry in zip(document["features"], frame.geometry, strict=True):
            assert shape(feature["geometry"]).equals_exact(geometry, 1e-7)


def test_export_all_layers_without_date(tmp_path: Path) -> None:
    assert main(["export", "--format", "geojson", "--out", str(tmp_path / "all")]) == 0
    assert len(list((tmp_path / "all").glob("*.geojson"))) == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "1976-02-30"], "--date: date 1976-02-30 is not a day of the calendar"),
        (["--date", "1976-12-01"], "--date: date 1976-12-01 is outside 1976-09-01..1976-11-30"),
        (["--layers", "hakodate,moon"], "--layers: unknown layer 'moon'"),
        (["--format", "shp"], "--format: unknown format 'shp'"),
        (["--layers", ","], "--layers: no layer ids in ','"),
        (["--layers", ""], "--layers: no layer ids in ''"),
        (["--out", " "], "--out: the path is empty"),
    ],
)
def test_bad_export_arguments_exit_2_with_one_line(
    tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    options = {"--format": "geojson", "--out": str(out)} | dict([args])
    argv = ["export", *[part for pair in options.items() for part in pair]]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert not out.exists()


def test_unwritable_out_exits_2_and_writes_nothing(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["export", "--format", "geojson", "--out", str(blocker / "sub" / "x")]) == 2
    assert "foxbat76: error:" in capsys.readouterr().err
    assert blocker.read_text() == "not a directory"


def test_missing_arguments_exit_2_with_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["export", "--format", "geojson"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err] and "--out" in err


ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "geo" / "data" / "catalog.toml"


def run_with_catalog(tmp_path: Path, old: str, new: str, *argv: str) -> subprocess.CompletedProcess:
    """Run the CLI in a fresh process with --catalog: a copy of the catalog with one edit."""
    text = CATALOG.read_text(encoding="utf-8")
    assert old in text
    mine = tmp_path / "catalog.toml"
    mine.write_text(text.replace(old, new, 1), "utf-8")
    return subprocess.run(
        [sys.executable, "-m", "geo.cli", *argv, "--catalog", str(mine)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["layers"],
        ["where", "--date", "1976-10-01"],
        ["export", "--format", "csv", "--out", "x.csv"],  # not an error of the --layers option
    ],
)
def test_a_bad_catalog_gives_one_line_not_a_traceback(tmp_path: Path, command: list[str]) -> None:
    result = run_with_catalog(
        tmp_path,
        'end = 1976-09-25T00:45:00+09:00\ngeometry = { route = ["hakodate-airport", "hyakuri-ab"]',
        'end = 1976-09-24T00:00:00+09:00\ngeometry = { route = ["hakodate-airport", "hyakuri-ab"]',
        *command,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "foxbat76: error: catalog.toml: item 'c5a-airlift': end 1976-09-24T00:00:00+09:00 "
        "is before start 1976-09-24T23:45:00+09:00"
    )
    assert result.stdout == ""


def test_check_finds_an_item_that_cannot_be_drawn(tmp_path: Path) -> None:
    # The strait patrol's first two corners swapped: its outline crosses itself.
    result = run_with_catalog(
        tmp_path,
        "{ lat = 41.80, lon = 139.95 }, { lat = 41.25, lon = 139.95 }",
        "{ lat = 41.25, lon = 139.95 }, { lat = 41.80, lon = 139.95 }",
        "check",
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        "foxbat76: error: catalog.toml: item 'msdf-tsugaru-patrol': geometry: "
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_exporting_over_an_earlier_file_says_it_replaced_it(tmp_path: Path, capsys) -> None:
    target = tmp_path / "hakodate.kml"
    argv = ["export", "--format", "kml", "--layers", "hakodate", "--out", str(target)]
    assert main(argv) == 0
    assert "replaced" not in capsys.readouterr().err
    assert main(argv) == 0
    assert f"foxbat76: note: replaced {target}" in capsys.readouterr().err


# ---------------------------------------------------------------- pictures


def test_export_png_of_a_replay_time_decodes_at_its_size(tmp_path: Path, capsys) -> None:
    from PIL import Image

    args = ["--format", "png", "--date", "1976-09-06", "--time", "13:20", "--size", "640x400"]
    assert main(["export", *args, "--layers", "defection_flight", "--out", str(tmp_path)]) == 0
    path = tmp_path / "foxbat76_1976-09-06-1320_defection_flight.png"
    assert capsys.readouterr().out.splitlines() == [str(path)]
    with Image.open(path) as picture:
        assert picture.size == (640, 400)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "png", "--date", "1976-09-06", "--size", "640"],
         "--size: size '640' is not WIDTHxHEIGHT in pixels, e.g. 1600x1000"),
        (["--format", "png", "--date", "1976-09-06", "--size", "64x40"],
         "--size: size 64x40 is outside 320x200..4000x4000 pixels"),
        (["--format", "png", "--date", "1976-09-07", "--time", "13:20"],
         "--time: only for the 1976-09-06 replay, not 1976-09-07"),
        (["--format", "png", "--date", "1976-09-06", "--time", "1pm"],
         "--time: time '1pm' is not HH:MM"),
        (["--format", "png"], "--date: a PNG needs a day"),
        (["--format", "gif", "--from", "1976-09-10", "--to", "1976-09-05"],
         "--from 1976-09-10 is after --to 1976-09-05"),
        (["--format", "gif", "--from", "1976-13-01"],
         "--from: date 1976-13-01 is not a day of the calendar"),
        (["--format", "gif", "--fps", "fast"],
         "--fps: 'fast' is not a number of frames per second"),
        (["--format", "mp4", "--fps", "0"], "--fps: fps 0 is outside 0.5..30 frames per second"),
        (["--format", "mp4", "--size", "641x400"],
         "--size: MP4 needs an even width and height, not 641x400"),
        (["--format", "pdf", "--replay"], "--replay: for gif and mp4, not pdf"),
        (["--format", "csv", "--fps", "2"],
         "--fps: only for pictures (png, gif, mp4, pdf), not csv"),
        (["--format", "gif", "--layers", "nope"], "--layers: unknown layer 'nope'"),
    ],
)  # fmt: skip
def test_bad_picture_options_exit_2_with_one_line_and_write_nothing(
    tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    assert main(["export", *args, "--out", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"foxbat76: error: {message}")
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    out = str(tmp_path / "x.gif")
    args = ["export", "--format", "gif", "--from", "1976-09-01", "--to", "1976-09-02",
            "--size", "320x200", "--layers", "hakodate", "--out", out]  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "geo.cli", *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # not a terminal: no bar
    assert result.stdout.strip() == str(tmp_path / "x.gif")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("19760906", "--date: date '19760906' is not a YYYY-MM-DD date"),
        ("1976-W37-1", "--date: date '1976-W37-1' is not a YYYY-MM-DD date"),
        ("1976-11-31", "--date: date 1976-11-31 is not a day of the calendar"),
        ("1976-09-06\n\x1b[2J", r"--date: date '1976-09-06\n\x1b[2J' is not a YYYY-MM-DD date"),
    ],
)
@pytest.mark.parametrize("command", ["where", "export"])
def test_dates_other_than_yyyy_mm_dd_exit_2(tmp_path: Path, capsys, value, message, command):
    out = tmp_path / "out"
    extra = ["--format", "csv", "--out", str(out)] if command == "export" else []
    assert main([command, "--date", value, *extra]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"foxbat76: error: {message}\n" and captured.out == ""
    assert not out.exists()


def test_a_huge_date_value_is_echoed_short(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["export", "--format", "csv", "--date", "x" * 100_000, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 150 and "…" in err
    assert not out.exists()


def test_a_huge_layers_value_is_one_short_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["export", "--format", "csv", "--layers", "y" * 100_000, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 450 and err.startswith("foxbat76: error: --layers")
    assert not out.exists()


def test_check_validates_a_catalog_given_with_its_path(tmp_path: Path, capsys) -> None:
    mine = tmp_path / "my-facts.toml"
    mine.write_text(CATALOG.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", "--catalog", str(mine)]) == 0
    assert capsys.readouterr().out.startswith("my-facts.toml: ok — ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check"], "my-facts.toml: cannot read the catalog: No such file or directory"),
        (["--catalog", " ", "check"], "--catalog: the path is empty"),
    ],
)
def test_a_catalog_that_cannot_be_read_is_named(
    tmp_path: Path, capsys, argv: list[str], message: str
) -> None:
    if "--catalog" not in argv:
        argv = [*argv, "--catalog", str(tmp_path / "my-facts.toml")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err] and message in err


def test_every_command_reads_the_chosen_catalog(tmp_path: Path) -> None:
    # A researcher moves the landing 4 minutes later in their own copy of the facts.
    old = "start = 1976-09-06T13:50:00+09:00\nend = 1976-09-06T13:50:00+09:00\ngeometry = { point"
    new = "start = 1976-09-06T13:54:00+09:00\nend = 1976-09-06T13:54:00+09:00\ngeometry = { point"
    out = tmp_path / "landing.csv"
    result = run_with_catalog(
        tmp_path,
        old,
        new,
        "export",
        "--format",
        "csv",
        "--layers",
        "defection_flight",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "1976-09-06T13:54:00+09:00" in out.read_text(encoding="utf-8-sig")
    where = run_with_catalog(tmp_path, old, new, "where", "--date", "1976-09-06")
    assert where.returncode == 0 and "Hakodate" in where.stdout


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty

    out = str(tmp_path / "x.gif")
    args = ["export", "--format", "gif", "--from", "1976-09-01", "--to", "1976-09-02",
            "--size", "320x200", "--layers", "hakodate", "--out", out]  # fmt: skip
    parent, child = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "geo.cli", *args], stdout=subprocess.PIPE, stderr=child,
            check=False, timeout=120,
        )  # fmt: skip
        os.close(child)
        shown = b""
        while True:
            try:
                chunk = os.read(parent, 4096)
            except OSError:  # the terminal closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(parent)
    assert result.returncode == 0
    assert b"drawing [" in shown and b"] 2/2" in shown


def test_catalog_text_cannot_drive_the_terminal(tmp_path: Path) -> None:
    # A shared catalog whose layer title and jet status carry escape codes and a line break.
    text = CATALOG.read_text(encoding="utf-8")
    text = text.replace('title = "Soviet bases"', 'title = "\\u001b[2JSoviet\\nbases"', 1)
    assert "\\u001b[2JSoviet" in text
    mine = tmp_path / "shared.toml"
    mine.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "geo.cli", "--catalog", str(mine), "layers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("soviet_bases ")]
    assert "\\x1b[2JSoviet\\nbases" in row


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    # `foxbat76 layers | head -0`: the pipe is closed before the table is printed.
    child = subprocess.Popen(
        [sys.executable, "-m", "geo.cli", "layers"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    found(child.stdout).close()
    _, err = child.communicate(timeout=120)
    assert child.returncode == 141 and err == ""
