"""Package data: the map's client (map.js, map.css), page.css and the exported page's template."""

from __future__ import annotations

from importlib.resources import files

WEB_FILES = ("map.js", "map.css", "page.css", "page.html.j2")


def read(name: str) -> str:
    """The text of one of WEB_FILES."""
    if name not in WEB_FILES:
        raise ValueError(f"name must be one of {', '.join(WEB_FILES)}, got {name!r}")
    return files(__package__).joinpath(name).read_text(encoding="utf-8")
