"""The standalone offline HTML map."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import jinja2
import pandas as pd
from markupsafe import Markup

from geo import present, web
from geo.export.common import ExportError, scope_text
from geo.store import build_store
from geo.timing import DEFECTION_DAY, period_days

PLAY_SECONDS = 1.0  # one day per second, as the dashboard plays


def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS (its images inlined as data: URIs), from static/vendor/leaflet."""
    from geo import assets  # only the HTML export needs the web assets

    folder = assets.leaflet_dir()
    if not assets.leaflet_installed():
        raise ExportError(f"Leaflet not installed in {folder}: run `python -m geo.assets` first")
    js_path, css_path = folder / "leaflet.js", folder / "leaflet.css"
    script = re.sub(r"//# sourceMappingURL=\S+", "", js_path.read_text(encoding="utf-8"))
    # The offline page links nowhere: Leaflet's default attribution prefix (replaced on the page
    # anyway) links to leafletjs.com, and its licence header names the site: keep the text and
    # the copyright notice, drop the link.
    script = script.replace('<a href="https://leafletjs.com" ', "<a ")
    script = script.replace("https://leafletjs.com", "leafletjs.com")

    def inline(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        if not image.is_file():
            return "none"  # an image we never use (e.g. the default marker) must not be linked
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    style = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css_path.read_text(encoding="utf-8"))
    style = re.sub(r"/\*.*?\*/", "", style, flags=re.DOTALL)  # comments cite bug-tracker URLs
    if "</script" in script.lower() or "</style" in style.lower():
        raise ExportError("Leaflet assets contain a closing tag and cannot be inlined")
    return script, style


def _basemap_json() -> dict[str, Any]:
    """Land and borders as the dashboard serves them (one feature per kind), for inlining."""
    from geo import assets  # imported late: reading GSHHS takes a second

    return json.loads(assets.basemap_geojson())


def page_config(
    frames: Mapping[str, gpd.GeoDataFrame],
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
) -> dict[str, Any]:
    """What the page's client gets: the item store over the export's days, the inlined
    basemap, no online tiles, the first view and the frame of the map."""
    days = [day] if day is not None else period_days()
    store = build_store(frames, titles, styles, days)
    first = day if day is not None else DEFECTION_DAY
    # A day's export frames its own features; the whole period starts on the story's frame.
    frame = present.map_frame()
    if day is not None:
        west, south, east, north = pd.concat(list(frames.values())).total_bounds
        frame = present.map_frame([[south, west], [north, east]])
    return {
        "store": store,
        "basemap": {
            "data": _basemap_json(),
            "attribution": present.BASEMAP_ATTRIBUTION,
            "land": present.BASEMAP_LAND,
            "border": present.BASEMAP_BORDER,
        },
        "tiles": {"layers": [], "embedded": present.EMBEDDED_BASEMAP, "limit": 0, "maxZoom": 0},
        "start": {"day": first.isoformat(), "at": None, "layers": list(frames)},
        "frame": frame,
        "playSeconds": PLAY_SECONDS,
    }


def write_html(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: Path,
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
) -> None:
    """The dashboard's map as one offline page: the same client, its own controls."""
    leaflet_js, leaflet_css = _leaflet_assets()
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["script_json"] = lambda value: Markup(present.script_json(value))
    template = environment.from_string(web.read("page.html.j2"))
    for name, code in (("map.js", web.read("map.js")), ("map.css", web.read("map.css"))):
        if "</script" in code.lower() or "</style" in code.lower():
            raise ExportError(f"{name} contains a closing tag and cannot be inlined")
    page = template.render(
        scope=scope_text(day),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        leaflet_css=Markup(leaflet_css),
        leaflet_js=Markup(leaflet_js),
        map_css=Markup(web.read("map.css")),
        map_js=Markup(web.compact_js(web.read("map.js"))),  # its comments are for the file
        config=page_config(frames, titles, styles, day),
    )
    path.write_text(page, encoding="utf-8")
