"""Package data: the map's client (map.js, map.css), page.css and the exported page's template."""

from __future__ import annotations

from importlib.resources import files

WEB_FILES = ("map.js", "map.css", "page.css", "page.html.j2")


def read(name: str) -> str:
    """The text of one of WEB_FILES."""
    if name not in WEB_FILES:
        raise ValueError(f"name must be one of {', '.join(WEB_FILES)}, got {name!r}")
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def compact_js(code: str) -> str:
    """`code` without its whole-line `//` comments and indentation, for inlining in a page.

    The client keeps its comments for readers of the file; the exported page needs none of
    them. Safe for map.js, whose strings never span lines (no template literals, no line
    continuations): checked here, so a file that breaks the rule fails loudly.
    """
    if not isinstance(code, str):
        raise TypeError(f"code must be a str, got {type(code).__name__}")
    lines = code.split("\n")
    if "`" in "".join(line for line in lines if not line.lstrip().startswith("//")) or any(
        line.endswith("\\") for line in lines
    ):
        raise ValueError("code has a template literal or a line continuation: cannot compact it")
    kept = (line.strip() for line in lines)
    return "\n".join(line for line in kept if line and not line.startswith("//"))
