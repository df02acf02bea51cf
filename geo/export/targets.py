"""What an export may replace: only a regular file (or export folder) that is of its format."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from geo.export.common import SUFFIXES, ReplaceRefused
from geo.messages import shown_path

# Names for messages; a format missing here is named by its id in upper case.
FORMAT_NAMES: dict[str, str] = {
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "kml": "KML",
    "csv": "CSV",
    "html": "HTML",
    "zip": "ZIP",
}
_SNIFF_BYTES = 4096


def format_name(fmt: str) -> str:
    return FORMAT_NAMES.get(fmt, fmt.upper())


def _a_file(fmt: str) -> str:
    """'a CSV file', 'an HTML file'."""
    name = format_name(fmt)
    return f"{'an' if name.startswith(('HTML', 'MP')) else 'a'} {name} file"


def _looks_like(head: bytes, fmt: str) -> bool:
    """Whether the first bytes of a file fit `fmt` (formats without a rule: any content)."""
    if not head:
        return True  # an empty file holds nothing to lose
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    rules = {
        "gpkg": lambda: head.startswith(b"SQLite format 3\x00"),
        "zip": lambda: head.startswith((b"PK\x03\x04", b"PK\x05\x06")),
        "kml": lambda: b"<kml" in text,
        "html": lambda: text.startswith((b"<!doctype html", b"<html")),
        "geojson": lambda: text.startswith(b"{"),
        "csv": lambda: b"\x00" not in head,
        "png": lambda: head.startswith(b"\x89PNG\r\n\x1a\n"),
        "gif": lambda: head.startswith((b"GIF87a", b"GIF89a")),
        "mp4": lambda: head[4:8] == b"ftyp",
        "pdf": lambda: head.startswith(b"%PDF-"),
    }
    rule = rules.get(fmt)
    return rule is None or rule()


def _kind(mode: int) -> str | None:
    """What a non-regular, non-directory file is, in words; None for files and folders."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def check_replaceable(target: Path, fmt: str, *, force: bool = False, folder: bool = False) -> bool:
    """True if `target` exists and an export of `fmt` may replace it; False if it is free.

    Raises ReplaceRefused naming the path and the reason otherwise. Symbolic links, pipes,
    devices and sockets are never replaced (a rename would put a file in their place); a file
    whose suffix or content is not `fmt`'s only with `force`. `folder`: the target is an
    export folder (GeoJSON), whose contents the caller checks.
    """
    try:
        mode = os.lstat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    shown = shown_path(target)
    kind = _kind(mode)
    if kind is not None:
        raise ReplaceRefused(f"not replacing {shown}: it is {kind}; exports never replace one")
    if stat.S_ISDIR(mode):
        if folder:
            return True
        raise ReplaceRefused(f"not replacing {shown}: it is a folder")
    if folder:
        raise ReplaceRefused(f"output path is a file, GeoJSON needs a directory: {shown}")
    if force:
        return True
    name, suffix = format_name(fmt), target.suffix.lower()
    if suffix != SUFFIXES.get(fmt, f".{fmt}"):
        others = [f for f, s in SUFFIXES.items() if s == suffix]
        why = (
            f"it is {_a_file(others[0])} and this export is {name}"
            if others
            else f"its name does not end in {SUFFIXES.get(fmt, f'.{fmt}')}"
        )
        raise ReplaceRefused(f"not replacing {shown}: {why}", forceable=True)
    descriptor = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        head = os.read(descriptor, _SNIFF_BYTES)
    finally:
        os.close(descriptor)
    if not _looks_like(head, fmt):
        raise ReplaceRefused(
            f"not replacing {shown}: it does not look like {_a_file(fmt)}", forceable=True
        )
    return True
