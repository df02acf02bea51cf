"""All-or-nothing exports under faults: full or read-only disks, long names, kill -9, odd files."""

from __future__ import annotations

import csv
import errno
import json
import os
import random
import select
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest
from support import found

import layers
from geo import export
from geo.cli import main
from geo.export import ExportError, ReplaceRefused, atomic, export_layers

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))
FORMATS = ("geojson", "gpkg", "kml", "csv", "html", "zip")
SUFFIX = {"geojson": ".geojson", "gpkg": ".gpkg", "kml": ".kml", "csv": ".csv",
          "html": ".html", "zip": ".zip"}  # fmt: skip
WRITERS = {"geojson": "write_geojson_dir", "gpkg": "write_gpkg", "kml": "write_kml",
           "csv": "write_csv", "html": "write_html", "zip": "write_zip"}  # fmt: skip


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".foxbat76-"))


def cli(capsys, *argv: str) -> tuple[int, str]:
    """Exit status and stderr of the CLI run in this process."""
    status = main(list(argv))
    return status, capsys.readouterr().err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("foxbat76: error: "), err
    assert "Traceback" not in err
    return lines[0].removeprefix("foxbat76: error: ")


# ---------------------------------------------------------------- a small file system of our own


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, timeout=30)


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs mounted for the test (root only; never under CI)."""
    if IN_CI:
        pytest.skip("CI is set: no mounting on a shared runner")
    mount_point = tmp_path / "fs"
    mount_point.mkdir()
    try:
        _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point))
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot mount a tmpfs here ({error}); needs root")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False, timeout=30)


def fill(fs: Path, leave: int = 4096) -> None:
    """Fill `fs` but for about `leave` bytes."""
    free = os.statvfs(fs).f_bavail * os.statvfs(fs).f_frsize
    (fs / "filler").write_bytes(b"\0" * max(free - leave, 0))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_is_one_line_and_leaves_nothing(tiny_fs: Path, capsys, fmt: str) -> None:
    fill(tiny_fs)
    out = tiny_fs / "x"
    status, err = cli(capsys, "export", "--format", fmt, "--out", str(out))
    assert status == 2
    target = out if fmt == "geojson" else out.with_suffix(SUFFIX[fmt])
    assert one_error_line(err) == f"cannot write {target}: no space left on device"
    assert listing(tiny_fs) == ["filler"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_disk_turning_read_only_mid_export(tiny_fs: Path, capsys, monkeypatch, fmt) -> None:
    (tiny_fs / "keep.txt").write_text("the user's file")
    real = getattr(export, WRITERS[fmt])

    def remount_then_write(*args, **kwargs):
        _mount("-o", "remount,ro", str(tiny_fs))
        return real(*args, **kwargs)

    monkeypatch.setattr(export, WRITERS[fmt], remount_then_write)
    out = tiny_fs / "x"
    status, err = cli(capsys, "export", "--format", fmt, "--out", str(out), "--layers", "hakodate")
    assert status == 2
    target = out if fmt == "geojson" else out.with_suffix(SUFFIX[fmt])
    assert one_error_line(err) == f"cannot write {target}: read-only file system"
    # The stage could not be removed from a read-only disk; the next export removes it.
    assert len(hidden(tiny_fs)) == 1
    _mount("-o", "remount,rw", str(tiny_fs))
    monkeypatch.setattr(export, WRITERS[fmt], real)
    status, _ = cli(capsys, "export", "--format", fmt, "--out", str(out), "--layers", "hakodate")
    assert status == 0
    assert hidden(tiny_fs) == []
    assert (tiny_fs / "keep.txt").read_text() == "the user's file"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EIO, errno.EDQUOT])
def test_any_os_error_while_writing_is_one_line(tmp_path, capsys, monkeypatch, fmt, code) -> None:
    def failing(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(export, WRITERS[fmt], failing)
    status, err = cli(capsys, "export", "--format", fmt, "--out", str(tmp_path / "x"))
    assert status == 2
    name = "x" if fmt == "geojson" else f"x{SUFFIX[fmt]}"
    assert one_error_line(err) == f"cannot write {tmp_path / name}: {os.strerror(code).lower()}"
    assert listing(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_a_300_character_file_name_is_one_line(tmp_path: Path, capsys, fmt: str) -> None:
    out = tmp_path / ("n" * 300)
    status, err = cli(capsys, "export", "--format", fmt, "--out", str(out))
    assert status == 2
    message = one_error_line(err)
    assert message.startswith(f"cannot write {tmp_path}/nnn") and "…" in message
    assert message.endswith(": file name too long") and len(message) < 200
    assert listing(tmp_path) == []


def test_a_5000_character_path_is_one_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "/".join(["deep-folder"] * 420) / "x.csv"
    assert len(str(out)) > 5000
    status, err = cli(capsys, "export", "--format", "csv", "--out", str(out))
    assert status == 2
    message = one_error_line(err)
    assert message.endswith("deep-folder/x.csv: file name too long") and len(message) < 200
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("out", "shown"),
    [("a\nb/x.csv", r"'a\nb'"), ("a\x1b[31mred/x.csv", r"'a\x1b[31mred'")],
)
def test_control_characters_in_out_are_escaped(tmp_path, capsys, monkeypatch, out, shown):
    monkeypatch.chdir(tmp_path)
    status, err = cli(capsys, "export", "--format", "csv", "--out", out)
    assert status == 2
    assert one_error_line(err) == f"output dir does not exist: {shown}"
    assert "\x1b" not in err


def test_a_nul_character_in_out_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"^output path '.*\\x00x\.csv' contains a NUL"):
        export_layers(layers.build_all(["hakodate"]), "csv", tmp_path / "a\x00x.csv")


# ---------------------------------------------------------------- what may be replaced


def hakodate() -> dict:
    return layers.build_all(["hakodate"])


@pytest.mark.parametrize(
    ("fmt", "existing", "reason"),
    [
        ("kml", "data.csv", "it is a CSV file and this export is KML"),
        ("csv", "map.kml", "it is a KML file and this export is CSV"),
        ("gpkg", "all.zip", "it is a ZIP file and this export is GeoPackage"),
        ("kml", "notes.txt", "its name does not end in .kml"),
        ("gpkg", "fake.gpkg", "it does not look like a GeoPackage file"),
        ("zip", "fake.zip", "it does not look like a ZIP file"),
        ("html", "page.html", "it does not look like an HTML file"),
    ],
)
def test_another_formats_file_is_replaced_only_with_force(tmp_path, capsys, fmt, existing, reason):
    target = tmp_path / existing
    target.write_text("the user's own data, not an export")
    argv = ["export", "--format", fmt, "--layers", "hakodate", "--out", str(target)]
    status, err = cli(capsys, *argv)
    assert status == 2
    assert one_error_line(err) == f"not replacing {target}: {reason} (--force replaces it)"
    assert target.read_text() == "the user's own data, not an export"
    assert listing(tmp_path) == [existing]
    with pytest.raises(ReplaceRefused, match=f"^not replacing {target}: {reason}$"):
        export.existing_targets(hakodate(), fmt, target)
    assert export.existing_targets(hakodate(), fmt, target, force=True) == [target]
    status, err = cli(capsys, *argv, "--force")
    assert status == 0 and f"foxbat76: note: replaced {target}" in err
    assert target.read_text(errors="replace") != "the user's own data, not an export"


def special_files(folder: Path) -> Iterator[tuple[str, Path, str]]:
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    yield "a named pipe (FIFO)", fifo, "csv"
    link = folder / "link.csv"
    (folder / "elsewhere.csv").write_text("linked file")
    link.symlink_to(folder / "elsewhere.csv")
    yield "a symbolic link", link, "csv"
    dangling = folder / "dangling.kml"
    dangling.symlink_to(folder / "nowhere.kml")
    yield "a symbolic link", dangling, "kml"
    device = folder / "null.csv"
    try:
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
    except PermissionError:
        return  # not root: the other kinds are still checked
    yield "a device", device, "csv"


@pytest.mark.parametrize("force", [False, True])
def test_pipes_links_and_devices_are_never_replaced(tmp_path, capsys, force: bool) -> None:
    cases = list(special_files(tmp_path))
    before = {p: os.lstat(p) for _, p, _ in cases}
    for kind, path, fmt in cases:
        argv = ["export", "--format", fmt, "--layers", "hakodate", "--out", str(path)]
        status, err = cli(capsys, *argv, *(["--force"] if force else []))
        assert status == 2
        assert one_error_line(err) == (
            f"not replacing {path}: it is {kind}; exports never replace one"
        )
        assert os.lstat(path).st_mode == before[path].st_mode
    assert hidden(tmp_path) == []


def test_a_folder_named_like_the_target_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "x.csv").mkdir()
    # An existing folder is where the file goes (default name), as before.
    status, _ = cli(capsys, "export", "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert status == 0 and len(list((tmp_path / "x.csv").iterdir())) == 1
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "foxbat76_all_hakodate.csv").mkdir()
    status, err = cli(
        capsys, "export", "--format", "csv", "--layers", "hakodate", "--out", str(tmp_path / "y")
    )
    assert status == 2
    target = tmp_path / "y" / "foxbat76_all_hakodate.csv"
    assert one_error_line(err) == f"not replacing {target}: it is a folder"


# ---------------------------------------------------------------- stale stages


def test_a_stage_of_a_dead_export_is_removed_by_the_next(tmp_path: Path) -> None:
    stage = tmp_path / ".foxbat76-export-dead"
    stage.mkdir()
    (stage / "owner").write_text("999999\n")  # nobody holds its lock
    (stage / "export.csv").write_text("half a fi")
    export_layers(hakodate(), "csv", tmp_path / "x.csv")
    assert listing(tmp_path) == ["x.csv"]


def test_a_stage_in_use_is_left_alone(tmp_path: Path) -> None:
    with atomic.staging(tmp_path) as stage:
        (stage / "export.csv").write_text("being written")
        assert atomic.clean_stale(tmp_path) == []  # the same lock, another file description
        export_layers(hakodate(), "csv", tmp_path / "x.csv")
        assert stage.is_dir()
    assert listing(tmp_path) == ["x.csv"]


def test_an_ownerless_stage_is_removed_only_when_older_than_this_process(tmp_path: Path) -> None:
    old, new = tmp_path / ".foxbat76-export-old", tmp_path / ".foxbat76-export-new"
    old.mkdir()
    new.mkdir()
    os.utime(old, (atomic._STARTED - 60, atomic._STARTED - 60))
    assert atomic.clean_stale(tmp_path) == [old]
    assert hidden(tmp_path) == [new.name]


def test_other_hidden_folders_are_not_ours(tmp_path: Path) -> None:
    (tmp_path / ".foxbat76-exported-by-hand").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / ".foxbat76-export-file").write_text("a file, not a stage")
    assert atomic.clean_stale(tmp_path) == []
    assert len(listing(tmp_path)) == 3


@pytest.mark.parametrize("moved", ["none", "old-aside", "both"])
def test_a_folder_replacement_cut_short_is_finished_or_undone(tmp_path: Path, moved) -> None:
    target = tmp_path / "export"
    target.mkdir()
    (target / "a.geojson").write_text("old")
    stage = tmp_path / ".foxbat76-export-cut"
    (stage / "geojson").mkdir(parents=True)
    (stage / "geojson" / "a.geojson").write_text("new")
    (stage / "owner").write_text("999999\n")
    (stage / "replacing.json").write_text(json.dumps({"target": "export", "staged": "geojson"}))
    if moved in ("old-aside", "both"):
        os.replace(target, stage / "previous")
    if moved == "both":
        os.replace(stage / "geojson", target)
    assert atomic.clean_stale(tmp_path) == [stage]
    assert listing(tmp_path) == ["export", "export/a.geojson"]
    # Cut short before the new folder took its place: the old export, as the user had it.
    assert (target / "a.geojson").read_text() == ("new" if moved == "both" else "old")


# ---------------------------------------------------------------- kill -9


# The CLI in a child process, stopped at a chosen point by patches made here (the product code
# has no hooks); it prints "ready" and sleeps there until the test kills it.
KILLABLE = r"""
import os, shutil, sys, time
import geo.export as export
from geo.export import atomic
from geo.cli import main

point, writer, argv = sys.argv[1], sys.argv[2], sys.argv[3:]


def pause():
    print("ready", flush=True)
    time.sleep(120)


if point == "staged":  # complete in its stage, not in place yet
    export.publish = atomic.publish = lambda staged, target: pause()
    real_replace = os.replace
    def replace(src, dst):
        if os.path.basename(dst) == "previous":
            pause()
        return real_replace(src, dst)
    os.replace = replace
elif point == "midwrite":  # the staged file half written
    real = getattr(export, writer)
    def half(*args, **kwargs):
        real(*args, **kwargs)
        path = args[1]
        path = sorted(path.iterdir())[0] if path.is_dir() else path
        os.truncate(path, path.stat().st_size // 2)
        pause()
    setattr(export, writer, half)
elif point == "between-renames":  # the old folder moved aside, the new one not in place
    real_replace = os.replace
    def replace(src, dst):
        real_replace(src, dst)
        if os.path.basename(dst) == "previous":
            pause()
    os.replace = replace
elif point == "after-renames":  # the new folder in place, the old one not yet removed
    real_rmtree = shutil.rmtree
    def rmtree(path, *args, **kwargs):
        if os.path.basename(path) == "previous":
            pause()
        return real_rmtree(path, *args, **kwargs)
    atomic.shutil.rmtree = rmtree
else:  # "random": the test kills it after a random delay, wherever it is
    print("ready", flush=True)
sys.exit(main(argv))
"""


def run_and_kill(point: str, fmt: str, argv: list[str], delay: float = 0.0) -> None:
    """Start the CLI with `argv`, wait until it reaches `point`, then SIGKILL it."""
    child = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, point, WRITERS[fmt], *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = found(child.stdout), found(child.stderr)
        ready, _, _ = select.select([stdout], [], [], 120)
        assert ready and stdout.readline().strip() == "ready", stderr.read()
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
    if point != "random":
        assert child.returncode == -signal.SIGKILL


def complete(fmt: str, path: Path) -> bool:
    """Whether `path` is a whole export that its format's reader takes."""
    if fmt == "geojson":
        files = sorted(path.glob("*.geojson"))
        return len(files) == 8 and all(json.loads(f.read_text())["features"] for f in files)
    if fmt == "gpkg":
        return len(pyogrio.list_layers(path)) >= 1
    if fmt == "kml":
        return ET.parse(path).getroot().tag.endswith("kml")
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return len(list(csv.DictReader(handle))) == len(layers.all_features())
    if fmt == "html":
        return path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    with zipfile.ZipFile(path) as archive:
        return archive.testzip() is None and len(archive.namelist()) > 5


def old_export(fmt: str, tmp_path: Path, capsys) -> tuple[list[str], Path, bytes | None]:
    """Argv of the export under test, its target, and the target's old content."""
    if fmt == "geojson":  # into an existing folder: replaces its export folder
        argv = ["export", "--format", "geojson", "--out", str(tmp_path)]
        assert main(argv) == 0
        target = tmp_path / "foxbat76_all_8-layers"
        for path in target.iterdir():  # mark the old export so it can be told apart
            document = json.loads(path.read_text())
            path.write_text(json.dumps({**document, "name": "old"}))
        capsys.readouterr()
        return argv, target, None
    target = tmp_path / f"x{SUFFIX[fmt]}"
    argv = ["export", "--format", fmt, "--out", str(target)]
    assert main([*argv, "--date", "1976-09-06"]) == 0
    capsys.readouterr()
    return argv, target, target.read_bytes()


def assert_old_or_new(fmt: str, target: Path, old: bytes | None) -> str:
    """'old' or 'new': the target is one or the other export, whole."""
    if fmt == "geojson":
        assert complete(fmt, target), listing(target.parent)
        names = {json.loads(p.read_text())["name"] for p in target.iterdir()}
        assert names in ({"old"}, {p.stem for p in target.iterdir()})
        return "old" if names == {"old"} else "new"
    if target.read_bytes() == old:
        return "old"
    assert complete(fmt, target)
    return "new"


KILL_POINTS = [(fmt, point) for fmt in FORMATS for point in ("midwrite", "staged")] + [
    ("geojson", "between-renames"),
    ("geojson", "after-renames"),
]


@pytest.mark.parametrize(("fmt", "point"), KILL_POINTS)
def test_kill_9_leaves_the_old_or_the_new_export(tmp_path, capsys, fmt, point) -> None:
    argv, target, old = old_export(fmt, tmp_path, capsys)
    run_and_kill(point, fmt, argv)
    assert len(hidden(tmp_path)) == 1  # the dead run's stage
    # The next run first cleans up after the dead one: one export, whole, nothing hidden.
    atomic.clean_stale(tmp_path)
    expected = "new" if point == "after-renames" else "old"
    assert assert_old_or_new(fmt, target, old) == expected
    assert hidden(tmp_path) == []
    assert main(argv) == 0
    assert assert_old_or_new(fmt, target, old) == "new"
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_kill_9_at_a_random_moment(tmp_path, capsys, fmt) -> None:
    argv, target, old = old_export(fmt, tmp_path, capsys)
    delay = random.Random(f"foxbat76-{fmt}").uniform(0.0, 2.5)  # seeded: a failure repeats
    run_and_kill("random", fmt, argv, delay)
    atomic.clean_stale(tmp_path)
    assert_old_or_new(fmt, target, old)
    assert hidden(tmp_path) == []
    assert main(argv) == 0
    assert assert_old_or_new(fmt, target, old) == "new"
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("fmt", ["geojson", "csv", "zip"])
def test_ctrl_c_during_an_export_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch, fmt):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(export, WRITERS[fmt], interrupted)
    status = main(["export", "--format", fmt, "--out", str(tmp_path / "x")])
    assert status == 130
    assert capsys.readouterr().err == "foxbat76: interrupted\n"
    assert listing(tmp_path) == []
