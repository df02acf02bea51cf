"""All-or-nothing writing: stage beside the target, then rename into place."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.export.common import (
    ExportError,
)

# ---------------------------------------------------------------- atomic writing


@contextmanager
def staging(directory: Path) -> Iterator[Path]:
    """A hidden temp dir inside `directory` (same file system, so os.replace is atomic); removed."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=".foxbat76-export-", dir=directory))
    except OSError as err:
        # Name the cause from what is on disk: /proc, say, answers ENOENT yet exists.
        if not directory.exists():
            raise ExportError(f"output dir does not exist: {directory}") from None
        if not directory.is_dir():
            raise ExportError(f"output dir is not a directory: {directory}") from None
        raise ExportError(f"cannot write to {directory}: {refusal(err)}") from None
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def refusal(err: OSError) -> str:
    """Why an existing directory refused a new file, in words that fit that situation."""
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if err.errno == errno.ENOENT:  # the directory is there: its file system takes no new files
        return "it does not accept new files"
    return (err.strerror or str(err)).lower()


def publish(staged: Path, target: Path) -> Path:
    try:
        os.replace(staged, target)
    except OSError as err:
        raise ExportError(f"cannot write {target}: {refusal(err)}") from None
    return target


def publish_dir(staged: Path, target: Path) -> None:
    """Put the complete folder `staged` at `target`, replacing a previous export folder whole.

    The old folder is moved aside only once the new one is complete, and moved back if the new
    one cannot take its place: never a mix of old and new files.
    """
    if not target.exists():
        publish(staged, target)
        return
    # Aside, not into the stage: if even moving it back failed, it must not be deleted.
    aside = Path(tempfile.mkdtemp(prefix=".foxbat76-previous-", dir=target.parent))
    try:
        os.replace(target, aside)  # onto an empty directory: allowed, and atomic
    except OSError as err:
        aside.rmdir()
        raise ExportError(f"cannot replace {target}: {refusal(err)}") from None
    try:
        os.replace(staged, target)
    except OSError as err:
        reason = refusal(err)
        try:
            os.replace(aside, target)
        except OSError:
            raise ExportError(
                f"cannot write {target}: {reason}; the previous export is in {aside}"
            ) from None
        raise ExportError(f"cannot write {target}: {reason}") from None
    shutil.rmtree(aside, ignore_errors=True)
