"""Values echoed in one-line messages: control characters escaped, long values shortened."""

from __future__ import annotations

import os
import re

ELLIPSIS = "…"
LINE_LIMIT = 400  # a whole message line
VALUE_LIMIT = 60  # a bad --date or URL value: enough to recognise it, never a screenful
PATH_LIMIT = 120  # paths keep their end (the file name), which says the most

# An absolute POSIX path (two or more parts), as it appears inside a message.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~/:])/(?:[^\s/:'\"]+/)+([^\s/:'\"]+)")


def _shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, keeping its start and end."""
    if limit < 8:
        raise ValueError(f"limit must be at least 8, not {limit}")
    if len(text) <= limit:
        return text
    tail = limit // 3
    return text[: limit - tail - 1] + ELLIPSIS + text[-tail:]


def quoted(value: object, limit: int = VALUE_LIMIT) -> str:
    """`value` as repr() quotes it (control characters escaped), shortened to `limit`."""
    return _shorten(repr(str(value)), limit)


def shown_path(path: str | os.PathLike[str], limit: int = PATH_LIMIT) -> str:
    """A path as typed when it is plain printable text, else repr-quoted; shortened to `limit`.

    A newline or escape sequence in a user's path must not start a new line or restyle the
    terminal when the message is printed.
    """
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(f"path must be text, not {type(text).__name__}")
    plain = text.isprintable() and text.strip() == text
    return _shorten(text if plain else repr(text), limit)


def printable(text: str) -> str:
    """`text` with control characters escaped as repr() does (a newline as \\n, ESC as \\x1b),
    so that text from a catalog or the user cannot break a line or drive the terminal."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in str(text))


def one_line(message: str, limit: int = LINE_LIMIT) -> str:
    """`message` guaranteed to be one short line: control characters escaped, then shortened."""
    return _shorten(printable(message), limit)


def without_directories(message: str) -> str:
    """`message` with every absolute path reduced to its last part (for pages anyone may see)."""
    return _ABSOLUTE_PATH.sub(lambda match: match.group(1), message)
