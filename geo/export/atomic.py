"""All-or-nothing writing: stage beside the target, rename into place, clean up after a kill."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from geo.export.common import ExportError
from geo.messages import shown_path

STAGE_PREFIX = ".foxbat76-export-"
_OWNER = "owner"  # the running export's PID; locked (flock) for as long as the stage is in use
_JOURNAL = "replacing.json"  # written before an old export folder is moved into the stage
_PREVIOUS = "previous"  # the old export folder while the new one takes its place
# A stage without an owner file that is older than this process belongs to no running export
# (the owner file is written right after the stage is made).
_STARTED = time.time()


@contextmanager
def staging(directory: Path) -> Iterator[Path]:
    """A hidden, locked temp dir inside `directory` (same file system, so os.replace is atomic).

    Stale stages of exports that were killed are cleaned up first; this one is removed on
    exit, unless it still holds a previous export that could not be put back.
    """
    clean_stale(directory)
    try:
        stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=directory))
    except OSError as err:
        raise ExportError(_directory_refusal(directory, err)) from None
    owner: int | None = None
    try:
        owner = _own(stage)
        yield stage
    finally:
        if not (stage / _JOURNAL).exists():  # else it holds the only copy of an old export
            shutil.rmtree(stage, ignore_errors=True)
        if owner is not None:
            os.close(owner)


def _own(stage: Path) -> int:
    """Lock `stage` for this process; the descriptor holding the lock.

    Locked under a temporary name and renamed, so another export never finds an owner file
    without its lock. Read-only, so an open export does not stop a remount read-only.
    """
    pending = stage / f"{_OWNER}.pending"
    owner = os.open(pending, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(owner, fcntl.LOCK_EX)
        pending.write_text(f"{os.getpid()}\n", encoding="ascii")
        os.replace(pending, stage / _OWNER)
    except OSError:
        os.close(owner)
        raise
    return owner


def _directory_refusal(directory: Path, err: OSError) -> str:
    """Why no stage could be made in `directory`, named from what is on disk."""
    shown = shown_path(directory)
    try:
        info = os.stat(directory)
    except FileNotFoundError:
        return f"output dir does not exist: {shown}"
    except NotADirectoryError:
        return f"output dir is not a directory: {shown}"
    except OSError:
        return f"cannot write to {shown}: {refusal(err)}"
    if not stat.S_ISDIR(info.st_mode):
        return f"output dir is not a directory: {shown}"
    return f"cannot write to {shown}: {refusal(err)}"


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
        raise ExportError(f"cannot write {shown_path(target)}: {refusal(err)}") from None
    return target


def publish_dir(staged: Path, target: Path, stage: Path) -> None:
    """Put the complete folder `staged` at `target`, replacing a previous export folder whole.

    The old folder is moved into `stage` only once the new one is complete, with a journal
    naming the target first: if the process dies between the two renames, the next export in
    this directory finds the journal and puts a complete export back (`clean_stale`).
    """
    if not os.path.lexists(target):
        publish(staged, target)
        return
    journal = stage / _JOURNAL
    aside = stage / _PREVIOUS
    _write_journal(journal, target.name, staged.relative_to(stage).as_posix())
    try:
        os.replace(target, aside)
    except OSError as err:
        journal.unlink()
        raise ExportError(f"cannot replace {shown_path(target)}: {refusal(err)}") from None
    try:
        os.replace(staged, target)
    except OSError as err:
        reason = refusal(err)
        try:
            os.replace(aside, target)
        except OSError:
            raise ExportError(
                f"cannot write {shown_path(target)}: {reason}; the previous export is in "
                f"{shown_path(aside)} and the next export here puts it back"
            ) from None
        journal.unlink()
        raise ExportError(f"cannot write {shown_path(target)}: {reason}") from None
    shutil.rmtree(aside, ignore_errors=True)
    journal.unlink()


def _write_journal(journal: Path, target: str, staged: str) -> None:
    with journal.open("w", encoding="utf-8") as handle:
        json.dump({"target": target, "staged": staged}, handle)
        handle.flush()
        os.fsync(handle.fileno())


def clean_stale(directory: Path) -> list[Path]:
    """Remove the stages of exports into `directory` that died (killed, crashed); their paths.

    A stage whose owner no longer holds its lock was left by a dead process. If it was
    replacing an export folder and the target is missing, it first puts back the previous
    export, or else the complete new one, so the user never finds neither. Best effort:
    what cannot be removed now (a read-only disk) is tried again by the next export.
    """
    try:
        entries = [e for e in os.scandir(directory) if e.name.startswith(STAGE_PREFIX)]
    except OSError:
        return []
    removed = []
    for entry in entries:
        stage = Path(entry.path)
        if not entry.is_dir(follow_symlinks=False):
            continue
        with _claim(stage) as claimed:
            if not claimed:
                continue
            with suppress(OSError, ValueError):
                _recover(stage, directory)
            if not (stage / _JOURNAL).exists():
                shutil.rmtree(stage, ignore_errors=True)
                removed.append(stage)
    return removed


@contextmanager
def _claim(stage: Path) -> Iterator[bool]:
    """True (holding the stage's lock meanwhile) when no live process owns `stage`."""
    owner: int | None = None
    try:
        owner = os.open(stage / _OWNER, os.O_RDONLY | os.O_CLOEXEC)
        fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
        claimed = True
    except FileNotFoundError:
        claimed = _older_than_this_process(stage)
    except OSError:  # a live export holds the lock (or the stage cannot be read)
        claimed = False
    try:
        yield claimed
    finally:
        if owner is not None:
            os.close(owner)


def _older_than_this_process(stage: Path) -> bool:
    try:
        return stage.lstat().st_mtime < _STARTED
    except OSError:
        return False


def _recover(stage: Path, directory: Path) -> None:
    """Finish or undo a folder replacement that a dead process left half done."""
    journal = stage / _JOURNAL
    if not journal.exists():
        return
    record = json.loads(journal.read_text(encoding="utf-8"))
    target = directory / Path(record["target"]).name
    if not os.path.lexists(target):
        aside, staged = stage / _PREVIOUS, stage / Path(record["staged"]).name
        # The old export is complete, and the dead run never said it had succeeded.
        for candidate in (aside, staged):
            if candidate.is_dir():
                os.replace(candidate, target)
                break
    journal.unlink()
