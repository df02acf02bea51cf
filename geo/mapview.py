"""Folium for the dashboard: a base map that never changes, and the per-day message to the client.

The browser code is geo/web/map.js, served once as a static file; the base map mounts it on
the Leaflet map with a config URL, and each rerun sends only `fx.show({day, at, layers})`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import folium
from folium.template import Template
from markupsafe import Markup

from geo import present
from geo.assets import WebAssets

# Where the map starts before the client frames the story (present.STORY_BOUNDS) or the URL's view.
CENTER = (40.2, 137.8)
ZOOM = 6
MIN_ZOOM, MAX_ZOOM = 4, present.MAX_ZOOM
ZOOM_SNAP = 0.25  # the story and the region's limits fit the map at quarter zooms
HEIGHT = 600
TILE_ERROR_LIMIT = 3  # failed tiles, with none loaded, before an online layer is dropped
TILE_LAYERS: tuple[tuple[str, str, str], ...] = (
    # (name, URL template, attribution); off by default, so offline they are simply absent.
    (
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    (
        "CartoDB Positron",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
        '&copy; <a href="https://carto.com/attributions">CARTO</a>',
    ),
    (
        "Esri World Imagery",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri &mdash; Source: Esri, i-cubed, USDA, USGS, AEX, GeoEye, Getmapping, "
        "Aerogrid, IGN, IGP, UPR-EGP, and the GIS User Community",
    ),
)


DATE_SLIDER_LABEL = "Date (JST)"  # the dashboard's date slider, which the map follows


@dataclass(frozen=True)
class ClientFiles:
    """URLs of the served client (map.js, map.css) and of the map's config JSON."""

    js: str
    css: str
    config: str


def client_config(store_url: str, basemap_url: str) -> dict[str, Any]:
    """The dashboard map's config (served as a static file): where its item store and basemap
    are, the online tile layers offered beside the embedded basemap, and the label of the
    page's date slider, which the map follows without waiting for the server."""
    return {
        "store": store_url,
        "slider": DATE_SLIDER_LABEL,
        "frame": present.map_frame(),
        "basemap": {
            "data": basemap_url,
            "attribution": present.BASEMAP_ATTRIBUTION,
            "land": present.BASEMAP_LAND,
            "border": present.BASEMAP_BORDER,
        },
        "tiles": {
            "layers": [
                # Leaflet shows layer names as HTML.
                {"name": html.escape(name), "url": url, "attribution": attribution}
                for name, url, attribution in TILE_LAYERS
            ],
            "embedded": present.EMBEDDED_BASEMAP,
            "limit": TILE_ERROR_LIMIT,
            "maxZoom": MAX_ZOOM,
        },
    }


class BaseMap(folium.Map):
    """folium's Map with a compact template that also mounts the client (window.fx) on it.

    Its header, HTML and script are what streamlit-folium sends on every rerun, so they say
    only what this map needs: the div's size, the Leaflet map with a scale, fx.mount(config).
    """

    _template = Template(
        "{% macro header(this, kwargs) %}"
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
        "<style>html,body{width:100%;height:100%;margin:0;padding:0}"
        "#{{ this.get_name() }}{position:relative;width:100%;height:100%}</style>"
        "{% endmacro %}"
        "{% macro html(this, kwargs) %}"
        '<div class="folium-map" id={{ this.get_name()|tojson }} ></div>'
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, "
        "{center: {{ this.location|tojson }}, ...{{ this.options|tojavascript }}});"
        "L.control.scale().addTo({{ this.get_name() }});"
        "fx.mount({{ this.get_name() }}, {{ this.config_url }});"
        "{% endmacro %}"
    )

    def __init__(self, config_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config_url = Markup(present.script_json(config_url))


class DayView(folium.FeatureGroup):
    """The per-rerun message: which day, replay time and layers the client draws.

    A FeatureGroup because that is what streamlit-folium sends on each rerun without
    remounting the map; the client's fx.show returns the (empty) layer it adds.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = fx.show({{ this.view }});"
        "{% endmacro %}"
    )

    def __init__(
        self,
        day: date,
        at: time | None,
        layer_ids: Sequence[str],
        *,
        goto: tuple[float, float, float] | None = None,
        focus: tuple[str, int] | None = None,
    ) -> None:
        """`goto`: the URL's map view (lat, lon, zoom), applied once per page; `focus`: an item
        to fly to and the jump's number (the client flies once per number)."""
        super().__init__(name="day", overlay=True, control=False, show=False)
        if not isinstance(day, date):
            raise ValueError(f"day must be a date, got {day!r}")
        view: dict[str, Any] = {
            "day": day.isoformat(),
            "at": at.strftime("%H:%M") if at is not None else None,
            "layers": [str(layer_id) for layer_id in layer_ids],
        }
        if goto is not None:
            lat, lon, zoom = (float(value) for value in goto)
            view["goto"] = {"center": [lat, lon], "zoom": zoom}
        if focus is not None:
            item_id, number = focus
            view["focus"] = {"id": str(item_id), "n": int(number)}
        self.view = Markup(present.script_json(view))


def base_map(assets: WebAssets, client: ClientFiles) -> folium.Map:
    """The map every rerun starts from; identical each time, so st_folium keeps the browser map.

    Build a new one per rerun (st_folium adds the day's message to it): never cache it.
    """
    m = BaseMap(
        client.config,
        location=CENTER,
        zoom_start=ZOOM,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
        zoom_snap=ZOOM_SNAP,
        tiles=None,
    )
    # Only Leaflet and our client, served locally (no jQuery, Bootstrap or icon fonts).
    m.default_js = [*assets.js, ("fx_client", client.js)]
    m.default_css = [*assets.css, ("fx_client_css", client.css)]
    return m
