"""Folium rendering: a base map that never changes, plus one FeatureGroup per layer for a day."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import folium
import pandas as pd
import xyzservices
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from jinja2 import Template
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from geo import present
from geo.assets import WebAssets
from geo.geodesy import length_km
from geo.timing import JST, day_bounds, is_active

CENTER = (40.2, 137.8)  # frames Chuguyevka, Hakodate and Hyakuri at the start zoom
ZOOM = 6
MIN_ZOOM, MAX_ZOOM = 4, 14
HEIGHT = 600
TRAIL_OPACITY = 0.35
COORD_DIGITS = 4  # ~10 m: keeps each day's payload small without visible loss
SIMPLIFY_DEGREES = 0.002  # ~200 m: invisible at the story's zooms, a fraction of the vertices
MIG_ID = "mig25"
DASH = "\u2013"  # en dash for date ranges

ACTIVE, TRAIL, FUTURE = "active", "trail", "future"
MARKERS = ("circle", "square", "diamond", "triangle")
# Marker outlines in a 20x20 box, shared by the map's SVG icons and the legend.
MARKER_POINTS = {
    "square": "2,2 18,2 18,18 2,18",
    "diamond": "10,1 19,10 10,19 1,10",
    "triangle": "10,1 19,18 1,18",
}
MIG_SVG = (
    '<circle cx="10" cy="10" r="8.5" fill="#fff" stroke="#b00020" stroke-width="2.5"/>'
    '<polygon points="10,3 12,11 17,13 12,13 11,17 9,17 8,13 3,13 8,11" fill="#b00020"/>'
)
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DASH_ARRAY = re.compile(r"^\d+(\.\d+)?([ ,]+\d+(\.\d+)?)*$")

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
EMBEDDED_BASEMAP = "Embedded basemap (offline)"
BASEMAP_ATTRIBUTION = "Coastlines and borders: GSHHG (LGPL)"
BASEMAP_LAND = {"color": "#8c8270", "weight": 0.6, "fillColor": "#efe9d8", "fillOpacity": 1}
BASEMAP_BORDER = {"color": "#7a5c8a", "weight": 1.2, "dashArray": "5 3", "fill": False}
TILE_ERROR_LIMIT = 3  # failed tiles, with none loaded, before an online layer is dropped

_CSS = """
.leaflet-container { background: #b7d0e4; }
.fx-legend { background: rgba(255,255,255,.88); padding: 4px 7px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font: 11px/1.35 sans-serif; color: #222; }
.fx-legend b { display: block; margin-bottom: 1px; }
.fx-legend .fx-sw { display: inline-block; margin-right: 5px; vertical-align: middle; }
.fx-tile-note { background: rgba(255,255,255,.92); padding: 4px 22px 4px 7px; max-width: 260px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.35); font: 11px/1.35 sans-serif;
  color: #222; position: relative; }
.fx-tile-note button { position: absolute; top: 1px; right: 2px; border: none;
  background: none; font: bold 14px/1 sans-serif; color: #555; cursor: pointer; padding: 2px; }
.fx-icon { background: none; border: none; }
.fx-popup { font: 12px/1.45 sans-serif; max-width: 300px; }
.fx-popup .fx-when { color: #555; }
.fx-popup .fx-meta { margin-top: 4px; color: #333; }
.fx-popup ul { margin: 2px 0 0 16px; padding: 0; }
.fx-flown { margin-top: 4px; font: bold 12px sans-serif; }
.leaflet-tooltip.fx-mig-label { font-weight: bold; color: #b00020; }
"""

# Browser-side code, the same for every map: served once as a static file by the app (so it
# stays out of every rerun's message), inlined in the page otherwise. Everything about an item
# that is the same every day (coordinates, styles per state, popup, tooltip) sits in a static
# JSON store loaded once; a day's groups then only say "draw item X in state Y" (fx.draw).
# Marker SVGs are drawn here too. Colours reaching the SVG were validated as #rrggbb in Python.
_CLIENT_JS = """
(function () {
    var SHAPES = __SHAPES__, MIG = __MIG__;
    var fx = window.fx = window.fx || {items: null};
    function fetchJson(url) {
        return fetch(url).then(function (r) {
            if (!r.ok) { throw new Error(r.status); }
            return r.json();
        });
    }
    // The item store, fetched once per page.
    fx.load = function (url) {
        if (!fx.ready) {
            fx.ready = fetchJson(url)
                .then(function (data) { fx.items = data; })
                .catch(function (e) { console.warn("foxbat76: item store not loaded", e); });
        }
    };
    fx.popup = function (id, extra) {
        return function () {
            var item = fx.items && fx.items[id];
            return (item ? item.popup : "<i>Loading...</i>") + (extra || "");
        };
    };
    fx.icon = function (o) {
        var s = o.size, svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + s +
            '" height="' + s + '" viewBox="0 0 20 20">';
        if (o.shape === "mig") {
            svg += MIG;
        } else {
            svg += '<polygon points="' + SHAPES[o.shape] + '" fill="' + o.fillColor +
                '" fill-opacity="' + o.fillOpacity + '" stroke="' + o.color +
                '" stroke-width="2.5" stroke-opacity="' + o.opacity + '"/>';
        }
        return L.divIcon({html: svg + "</svg>", className: "fx-icon " + o.className,
                          iconSize: [s, s], iconAnchor: [s / 2, s / 2]});
    };
    fx.make = function (kind, coords, o) {
        if (kind === "line") { return L.polyline(coords, o); }
        if (kind === "polygon") { return L.polygon(coords, o); }
        var parts = coords.map(function (p) {
            return kind === "circle" ? L.circleMarker(p, o) : L.marker(p, {
                icon: fx.icon(o), zIndexOffset: o.zIndexOffset || 0, keyboard: false});
        });
        return parts.length === 1 ? parts[0] : L.featureGroup(parts);
    };
    fx.bind = function (layer, popup, tooltip, tooltipOptions) {
        return layer.bindPopup(popup, {maxWidth: 320}).bindTooltip(tooltip, tooltipOptions);
    };
    // A layer made by `make` once the store is loaded, after the fx.draw calls before it.
    fx.later = function (make) {
        var group = L.featureGroup();
        fx.ready.then(function () { group.addLayer(make()); });
        return group;
    };
    // An item from the store; drawn as soon as the store is loaded (at once after the first).
    fx.draw = function (id, state, coords, extra) {
        var group = L.featureGroup();
        fx.ready.then(function () {
            var item = fx.items && fx.items[id];
            if (!item) { return; }
            var layer = fx.make(item.kind, coords || item.coords, item.options[state]);
            group.addLayer(fx.bind(layer, fx.popup(id, extra), item.tooltip));
        });
        return group;
    };
    // Online tile layers fail offline on every pan, silently. After `limit` errors with no
    // tile loaded, drop the layer (the embedded land stays underneath), switch the layer
    // control back to the embedded basemap and say so in a note. `names`: tile URL template ->
    // layer name, already HTML-escaped.
    fx.tileFallback = function (map, names, fallback, limit) {
        var note = null;
        function hide() { if (note) { note.remove(); note = null; } }
        function tell(name) {
            hide();
            note = L.control({position: "bottomright"});
            note.onAdd = function () {
                var div = L.DomUtil.create("div", "fx-tile-note");
                div.setAttribute("role", "status");
                div.innerHTML = '<button type="button" title="Dismiss" aria-label="Dismiss">' +
                    "&times;</button>" + name +
                    " tiles could not be loaded (offline?); showing the built-in land map.";
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.on(div.firstChild, "click", hide);
                return div;
            };
            note.addTo(map);
        }
        map.on("layeradd", function (e) {
            var layer = e.layer;
            if (!(layer instanceof L.TileLayer) || !names.hasOwnProperty(layer._url)) { return; }
            hide();
            if (!layer.fxTiles) {
                layer.on("tileload", function () { layer.fxTiles.loaded = true; });
                layer.on("tileerror", function () {
                    var seen = layer.fxTiles;
                    seen.errors += 1;
                    if (seen.loaded || seen.errors < limit || !map.hasLayer(layer)) { return; }
                    map.removeLayer(layer);
                    map.addLayer(fallback);
                    tell(names[layer._url]);
                });
            }
            layer.fxTiles = {errors: 0, loaded: false};  // a fresh chance each time it is chosen
        });
    };
    // Land and borders from a static GeoJSON file, in a pane under the tile pane (z 200):
    // tiles, when online, cover the embedded basemap.
    fx.basemap = function (map, url, attribution, land, border) {
        var pane = map.createPane("fx-basemap");
        pane.style.zIndex = 150;
        pane.style.pointerEvents = "none";
        map.attributionControl.addAttribution(attribution);
        fetchJson(url)
            .then(function (data) {
                window.fx_basemap = L.geoJSON(data, {
                    pane: "fx-basemap", interactive: false,
                    renderer: L.canvas({pane: "fx-basemap"}),
                    style: function (f) { return f.properties.kind === "land" ? land : border; }
                }).addTo(map);
            })
            .catch(function (e) { console.warn("foxbat76: basemap not loaded", e); });
    };
    // A control holding pre-escaped legend HTML.
    fx.legend = function (map, html) {
        var legend = L.control({position: "bottomleft"});
        legend.onAdd = function () {
            var div = L.DomUtil.create("div", "fx-legend");
            div.innerHTML = html;
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        legend.addTo(map);
    };
})();
"""


def _minify(code: str) -> str:
    """Drop indentation and blank lines (smaller static files and inline pages)."""
    return "\n".join(line.strip() for line in code.splitlines() if line.strip())


def _json(value: Any) -> str:
    """Compact JSON that is safe inside a <script> (the escapes Jinja's tojson applies)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


CLIENT_JS = (
    _minify(_CLIENT_JS)
    .replace("__SHAPES__", _json(MARKER_POINTS))
    .replace("__MIG__", _json(MIG_SVG))
)
CLIENT_CSS = _minify(_CSS)


@dataclass(frozen=True)
class ClientFiles:
    """URLs of CLIENT_JS and CLIENT_CSS served as static files (the app writes them once)."""

    js: str
    css: str


# --- Elements -------------------------------------------------------------------------------


class _Precompiled:
    """Render a MacroElement's macros without branca's per-element Jinja compile (~0.3 ms each).

    branca wraps every rendered macro in a new `Element`, which compiles the text as a template;
    here it goes in as plain text instead. st_folium reads the macros directly; this keeps the
    figure render (m.save(), notebooks) working and a rerun's map ~30 compiles cheaper.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Raw(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _AddTo(_Precompiled, ElementAddToElement):
    """folium's "add this layer to its parent" step, precompiled."""


class _PrecompiledLayer(_Precompiled):
    """A precompiled folium Layer: added to its parent when shown, as folium's Layer.render."""

    def render(self, **kwargs: Any) -> None:
        if self.show:
            self.add_child(
                _AddTo(element_name=self.get_name(), element_parent_name=self._parent.get_name()),
                name=self.get_name() + "_add",
            )
        super().render(**kwargs)


class _Group(_PrecompiledLayer, folium.FeatureGroup):
    """A folium FeatureGroup, precompiled (a map has ten of them on every rerun)."""


class _TileLayer(_PrecompiledLayer, folium.TileLayer):
    """A folium TileLayer, precompiled."""


class ClientHelpers(_Precompiled, MacroElement):
    """Window.fx (drawing from the item store, SVG markers, basemap, legend), store loaded once.

    With `inline` the client code itself is in the map's script (a standalone page); otherwise
    the page loads it from a static file (see `base_map`).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this.code }}fx.load({{ this.items_url|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, items_url: str, inline: bool = True) -> None:
        super().__init__()
        self._name = "ClientHelpers"
        self.items_url = items_url
        self.code = CLIENT_JS + "\n" if inline else ""


class TileFallback(_Precompiled, MacroElement):
    """Drops an online tile layer that keeps failing (offline) and shows a dismissable note."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "fx.tileFallback({{ this._parent.get_name() }}, {{ this.names|tojson }}, "
        "{{ this.fallback.get_name() }}, {{ this.limit }});"
        "{% endmacro %}"
    )

    def __init__(
        self,
        tile_layers: Sequence[tuple[str, str, str]],
        fallback: folium.FeatureGroup,
        limit: int = TILE_ERROR_LIMIT,
    ) -> None:
        super().__init__()
        self._name = "TileFallback"
        self.names = {url: html.escape(name) for name, url, _attribution in tile_layers}
        self.fallback = fallback
        self.limit = int(limit)


class StaticBasemap(_Precompiled, MacroElement):
    """Land and borders fetched once from a static GeoJSON file, drawn under every tile layer.

    Fetching keeps ~260 KB of coastline out of every rerun's component message.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "fx.basemap({{ this._parent.get_name() }}, {{ this.url|tojson }}, "
        "{{ this.attribution|tojson }}, {{ this.land|tojson }}, {{ this.border|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, url: str) -> None:
        super().__init__()
        self._name = "StaticBasemap"
        self.url = url
        self.attribution = BASEMAP_ATTRIBUTION
        self.land = BASEMAP_LAND
        self.border = BASEMAP_BORDER


class InlineBasemap(_Precompiled, MacroElement):
    """The basemap embedded in the map's script: the textbook way, kept for the naive baseline."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.geoJSON({{ this.data }}, {interactive: false, style: function (f) {"
        "return f.properties.kind === 'land' ? {{ this.land|tojson }} : {{ this.border|tojson }};"
        "}}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, geojson: str) -> None:
        super().__init__()
        self._name = "InlineBasemap"
        self.data = _json(json.loads(geojson))
        self.land = BASEMAP_LAND
        self.border = BASEMAP_BORDER


class Legend(_Precompiled, MacroElement):
    """A Leaflet control holding pre-escaped legend HTML (set through JSON, never a template)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "fx.legend({{ this._parent.get_name() }}, {{ this.html|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = legend_html


class Shape(_Precompiled, MacroElement):
    """One drawn feature: a Leaflet path or SVG marker(s), with popup and tooltip.

    By default only a reference goes out (fx.draw: the item store has the rest), plus the
    coordinates of a route drawn part-way. With `inline` the whole feature is spelled out, as
    the MiG marker and the naive benchmark map need. Text reaches Leaflet only as JSON strings
    of HTML we escaped; folium's own Popup puts HTML in a JS template literal (where `${...}`
    would run) and needs jQuery.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }}={{ this.body }}.addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, feature: Feature, inline: bool = False) -> None:
        super().__init__()
        self._name = "Shape"
        self.feature = feature
        # Pre-built JS (values JSON-escaped); only the variable names come from the template.
        if inline or not feature.stored:
            tooltip = _json(feature.tooltip)
            if feature.tooltip_options:
                tooltip += "," + _json(feature.tooltip_options)
            options = _json(_compact(feature.options))
            self.body = (
                f"fx.bind(fx.make({_json(feature.kind)},{_json(feature.coords)},{options}),"
                f"{_json(feature.popup + feature.popup_extra)},{tooltip})"
            )
            if not inline:
                # Drawn after the stored items: once it shows, the whole day is on the map.
                self.body = f"fx.later(function(){{return {self.body};}})"
        else:
            args = [_json(feature.id), _json(feature.state)]
            if feature.partial:
                args += [_json(feature.coords), _json(feature.popup_extra)]
            self.body = f"fx.draw({','.join(args)})"


class _Raw(Element):
    """Pre-rendered text as a branca element (a shared, precompiled template)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


# Leaflet's own defaults for path options: no need to send them.
_PATH_DEFAULTS = {"opacity": 1.0, "dashArray": None, "fill": True}


def _compact(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if _PATH_DEFAULTS.get(k, object()) != v}


# --- Features -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """A feature ready to draw: state, geometry in Leaflet order, plain-dict style, escaped text.

    Markers carry a list of [lat, lon] (one per point of a MultiPoint); lines a list of
    [lat, lon]; polygons a list of rings.
    """

    id: str
    layer: str
    name: str
    state: str  # ACTIVE or TRAIL (FUTURE items are never drawn)
    kind: str  # circle | square | diamond | triangle | line | polygon | mig
    coords: Any
    options: dict[str, Any]
    popup: str  # escaped HTML
    tooltip: str  # escaped HTML
    stored: bool = True  # the item store holds its coordinates, styles and text
    partial: bool = False  # a route drawn only up to the replay time (coords differ)
    popup_extra: str = ""  # escaped HTML appended to the popup (e.g. distance flown so far)
    tooltip_options: dict[str, Any] = field(default_factory=dict)


def _check_color(value: str, what: str) -> str:
    if not isinstance(value, str) or not _COLOR.match(value):
        raise ValueError(f"style: {what} {value!r} is not a #rrggbb colour")
    return value


def _css_class(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def leaflet_style(style: Mapping[str, Any], state: str) -> dict[str, Any]:
    """Leaflet path options for a layer style: day items bold, earlier items a faded trail."""
    color = _check_color(style["color"], "color")
    fill = _check_color(style.get("fill_color") or color, "fill_color")
    weight = int(style.get("weight", 2))
    options: dict[str, Any] = {
        "color": color,
        "fillColor": fill,
        "weight": weight + 1,
        "opacity": 1.0,
        "fillOpacity": float(style.get("fill_opacity", 0.3)),
        "radius": int(style.get("radius", 6)),
    }
    if style.get("dash_array"):
        options["dashArray"] = str(style["dash_array"])
    if state == TRAIL:
        options["weight"] = max(1, weight - 1)
        options["opacity"] = TRAIL_OPACITY
        options["fillOpacity"] = round(options["fillOpacity"] * TRAIL_OPACITY, 3)
        options["radius"] = max(3, options["radius"] - 2)
    return options


def _round(value: float) -> float:
    return round(float(value), COORD_DIGITS)


def _latlngs(coords: Iterable[Sequence[float]]) -> list[list[float]]:
    return [[_round(lat), _round(lon)] for lon, lat, *_ in coords]


def _format_time(moment: pd.Timestamp) -> str:
    return moment.strftime("%H:%M")


def _format_date(moment: pd.Timestamp) -> str:
    return f"{moment.day} {moment.strftime('%b %Y')}"


def _format_days(first: date, last: date) -> str:
    """A range of whole days, the shared month and year said once ('8-25 Sep 1976')."""
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{DASH}{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} {DASH} {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} {DASH} {last.day} {last:%b %Y}"


def format_span(start: datetime | pd.Timestamp, end: datetime | pd.Timestamp) -> str:
    """Human dates in JST: '6 Sep 1976, 13:10 JST', '6 Sep 1976, 13:10-13:57 JST', or for
    whole days dates alone: '25 Sep 1976 (JST)', '25 Sep - 15 Nov 1976 (JST)' (en dashes).
    """
    start = pd.Timestamp(start).tz_convert(JST)
    end = pd.Timestamp(end).tz_convert(JST)
    if start == end:  # a moment keeps its time, even midnight
        return f"{_format_date(start)}, {_format_time(start)} JST"
    # Items from 00:00 to 00:00 or 23:59(:59) cover whole days: their times add nothing. An
    # end at 00:00 names its day, as geo.timing counts the item active on it.
    midnight = time(0, 0)
    if start.time() == midnight and (end.time() == midnight or end.time() >= time(23, 59)):
        return f"{_format_days(start.date(), end.date())} (JST)"
    if start.date() == end.date():
        return f"{_format_date(start)}, {_format_time(start)}{DASH}{_format_time(end)} JST"
    first = f"{_format_date(start)} {_format_time(start)}"
    return f"{first} {DASH} {_format_date(end)} {_format_time(end)} JST"


def popup_html(row: Mapping[str, Any]) -> str:
    """Popup HTML for one item; every string from the data goes through html.escape."""
    esc = html.escape
    parts = [
        '<div class="fx-popup">',
        f"<b>{esc(str(row['name']))}</b><br>",
        f'<span class="fx-place">{esc(present.place_line(row))}</span><br>'
        if present.place_line(row)
        else "",
        f'<span class="fx-when">{esc(format_span(row["start"], row["end"]))}</span>',
        f"<p>{esc(str(row['description']))}</p>",
        f'<div class="fx-meta">Certainty: {esc(str(row["certainty"]))}</div>',
    ]
    others = present.alternatives(row)
    if others:
        claims = "".join(f"<li>{esc(claim)}</li>" for claim in others)
        parts.append(f'<div class="fx-meta">Accounts differ:<ul>{claims}</ul></div>')
    geometry = row["geometry"]
    if isinstance(geometry, LineString | MultiLineString):
        parts.append(f'<div class="fx-meta">Length: {length_km(geometry):,.0f} km (geodesic)</div>')
    items = "".join(f"<li>{esc(source)}</li>" for source in present.sources(row))
    parts.append(f'<div class="fx-meta">Sources:<ul>{items}</ul></div></div>')
    return "".join(parts)


def popup_store(frames: Iterable[pd.DataFrame]) -> dict[str, str]:
    """Every item's popup HTML by id: the static file the browser loads once."""
    store: dict[str, str] = {}
    for frame in frames:
        for _, row in frame.iterrows():
            store[str(row["id"])] = popup_html(row)
    return store


def item_state(start: datetime, end: datetime, day: date, at: datetime | None = None) -> str:
    """State of an item on `day`: active (that day), trail (ended before it) or future.

    The day rule is geo.timing's; `at` (a moment on that day) also hides the day's items that
    have not started by then (the 6 Sep replay).
    """
    if is_active(start, end, day):
        return FUTURE if at is not None and start > at else ACTIVE
    return TRAIL if end < day_bounds(day)[0] else FUTURE


def line_prefix(line: LineString, fraction: float) -> LineString | None:
    """The first `fraction` of a line, interpolated as geo.features places points along routes."""
    if fraction <= 0:
        return None
    if fraction >= 1:
        return line
    return substring(line, 0.0, fraction, normalized=True)


def progress(start: datetime, end: datetime, at: datetime) -> float:
    """Share of [start, end] elapsed at `at`, clamped to 0..1."""
    span = (end - start).total_seconds()
    if span <= 0:
        return 1.0 if at >= start else 0.0
    return min(max((at - start).total_seconds() / span, 0.0), 1.0)


def _display_coords(geometry: BaseGeometry) -> tuple[str, Any]:
    """Kind (line/polygon/point) and simplified, rounded Leaflet coordinates of a geometry."""
    if isinstance(geometry, LineString | MultiLineString):
        simple = geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        simple = geometry if simple.is_empty else simple
        lines = [simple] if isinstance(simple, LineString) else list(simple.geoms)
        coords = [_latlngs(part.coords) for part in lines]
        return "line", coords[0] if len(coords) == 1 else coords
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        simple = geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        simple = geometry if simple.is_empty else simple
        polygons = [simple] if simple.geom_type == "Polygon" else list(simple.geoms)
        rings = [
            [_latlngs(poly.exterior.coords), *(_latlngs(r.coords) for r in poly.interiors)]
            for poly in polygons
        ]
        return "polygon", rings[0] if len(rings) == 1 else rings
    points = [geometry] if isinstance(geometry, Point) else list(getattr(geometry, "geoms", []))
    return "point", [[_round(p.y), _round(p.x)] for p in points]


@dataclass(frozen=True)
class Item:
    """A layer row made ready for drawing: plain values and precomputed display coordinates."""

    id: str
    layer: str
    name: str
    start: datetime
    end: datetime
    geometry: BaseGeometry
    kind: str  # line | polygon | point
    coords: Any
    popup: str
    tooltip: str


def prepare(frame: pd.DataFrame, popups: Mapping[str, str] | None = None) -> list[Item]:
    """The frame's drawable rows as Items (cache the result: it is the same every day)."""
    items = []
    for row in frame.to_dict("records"):
        geometry = row["geometry"]
        if geometry is None or geometry.is_empty:
            continue
        item_id = str(row["id"])
        kind, coords = _display_coords(geometry)
        items.append(
            Item(
                id=item_id,
                layer=str(row["layer"]),
                name=str(row["name"]),
                start=pd.Timestamp(row["start"]).to_pydatetime(),
                end=pd.Timestamp(row["end"]).to_pydatetime(),
                geometry=geometry,
                kind=kind,
                coords=coords,
                popup=popups[item_id] if popups and item_id in popups else popup_html(row),
                tooltip=html.escape(str(row["name"])),
            )
        )
    return items


def _feature(
    item: Item, style: Mapping[str, Any], state: str, at: datetime | None
) -> Feature | None:
    options = leaflet_style(style, state)
    options["className"] = f"fx-{state} fx-id-{_css_class(item.id)}"
    common: dict[str, Any] = {
        "id": item.id,
        "layer": item.layer,
        "name": item.name,
        "state": state,
        "popup": item.popup,
        "tooltip": item.tooltip,
    }
    if item.kind == "line":
        coords = item.coords
        if at is not None and state == ACTIVE and isinstance(item.geometry, LineString):
            # A flight under way draws only as far as the aircraft has got at `at`.
            fraction = progress(item.start, item.end, at)
            if fraction < 1.0:
                prefix = line_prefix(item.geometry, fraction)
                if prefix is None:
                    return None
                flown = f"Flown so far: {length_km(prefix):,.0f} km at {at:%H:%M} JST"
                common["popup_extra"] = f'<div class="fx-flown">{html.escape(flown)}</div>'
                common["partial"] = True
                coords = _display_coords(prefix)[1]
        for key in ("radius", "fillColor", "fillOpacity"):
            options.pop(key)
        options["fill"] = False
        return Feature(**common, kind="line", coords=coords, options=options)
    if item.kind == "polygon":
        options.pop("radius")
        return Feature(**common, kind="polygon", coords=item.coords, options=options)
    marker = str(style.get("marker", "circle"))
    if marker not in MARKERS:
        raise ValueError(f"style: marker {marker!r} is not one of {', '.join(MARKERS)}")
    if marker == "circle":
        return Feature(**common, kind="circle", coords=item.coords, options=options)
    marker_options = {
        "shape": marker,
        "size": 2 * options["radius"] + 4,
        "className": options["className"],
        "zIndexOffset": 100 if state == ACTIVE else 0,
    } | {key: options[key] for key in ("color", "fillColor", "opacity")}
    # A marker's fill stays visible even for layers whose areas are unfilled.
    marker_options["fillOpacity"] = max(options["fillOpacity"], 0.6 if state == ACTIVE else 0.2)
    return Feature(**common, kind=marker, coords=item.coords, options=marker_options)


def layer_features(
    frame: pd.DataFrame | Sequence[Item],
    style: Mapping[str, Any],
    day: date,
    at: datetime | None = None,
) -> list[Feature]:
    """The features of one layer on `day` (at time `at`): trail first, so day items sit on top.

    Pass `prepare(frame)` (cached) instead of the frame to skip the per-row preparation.
    """
    items = prepare(frame) if isinstance(frame, pd.DataFrame) else frame
    states = [item_state(item.start, item.end, day, at) for item in items]
    features: list[Feature] = []
    for wanted in (TRAIL, ACTIVE):
        for item, state in zip(items, states, strict=True):
            if state == wanted:
                feature = _feature(item, style, state, at)
                if feature is not None:
                    features.append(feature)
    return features


def item_store(layers: Iterable[tuple[Sequence[Item], Mapping[str, Any]]]) -> dict[str, Any]:
    """The static item store: per item id its kind, coordinates, options per state and text.

    Built from the same Features the map draws, so fx.draw and an inline Shape agree.
    """
    store: dict[str, Any] = {}
    for items, style in layers:
        for item in items:
            active, trail = (_feature(item, style, state, None) for state in (ACTIVE, TRAIL))
            if active is None or trail is None:
                continue
            store[item.id] = {
                "kind": active.kind,
                "coords": active.coords,
                "options": {ACTIVE: _compact(active.options), TRAIL: _compact(trail.options)},
                "popup": item.popup,
                "tooltip": item.tooltip,
            }
    return store


# --- The MiG-25 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MigMark:
    """Where the MiG-25 is drawn (from layers.mig25_position), with its popup text."""

    geometry: BaseGeometry | None
    when: str
    status: str
    certainty: str
    sources: str


def mig_feature(mig: MigMark, tags: str = "") -> Feature | None:
    """The always-on marker of the jet's position that day (None when its place is unknown).

    `tags` are extra CSS classes (the day shown), which let tests see which day is drawn.
    """
    if mig.geometry is None or mig.geometry.is_empty:
        return None
    point = mig.geometry if isinstance(mig.geometry, Point) else mig.geometry.centroid
    esc = html.escape
    sources = "".join(f"<li>{esc(s.strip())}</li>" for s in mig.sources.split(";") if s.strip())
    popup = (
        '<div class="fx-popup"><b>MiG-25 &ldquo;Foxbat&rdquo;</b><br>'
        f'<span class="fx-when">{esc(mig.when)}</span>'
        f"<p>{esc(mig.status)}</p>"
        f'<div class="fx-meta">Certainty: {esc(mig.certainty)}</div>'
        f'<div class="fx-meta">Sources:<ul>{sources}</ul></div></div>'
    )
    return Feature(
        id=MIG_ID,
        layer=MIG_ID,
        name="MiG-25",
        state=ACTIVE,
        kind="mig",
        coords=[[_round(point.y), _round(point.x)]],
        options={
            "shape": "mig",
            "size": 22,
            "className": f"fx-mig {tags}".strip(),
            "zIndexOffset": 1000,
        },
        popup=popup,
        tooltip="MiG-25",
        stored=False,
        tooltip_options={"permanent": True, "direction": "right", "className": "fx-mig-label"},
    )


# --- Map assembly ---------------------------------------------------------------------------


# A legend entry: (title, style), or (title, style, kinds) where kinds says which of "point",
# "line" and "polygon" the layer draws (without it: marker and line, and an area if filled).
LegendEntry = tuple[str, Mapping[str, Any]] | tuple[str, Mapping[str, Any], Collection[str]]
_SWATCH_W, _SWATCH_H = 60, 16  # marker 0-16, line 19-43, area 46-58: columns line up


def _dash(style: Mapping[str, Any]) -> str:
    value = style.get("dash_array")
    if not value:
        return ""
    if not _DASH_ARRAY.match(str(value)):
        raise ValueError(f"style: dash_array {value!r} is not a list of numbers")
    return f' stroke-dasharray="{html.escape(str(value))}"'


def _swatch_marker(style: Mapping[str, Any], color: str, fill: str) -> str:
    """The layer's point marker as the map draws it on its day (see _feature and fx.icon)."""
    marker = str(style.get("marker", "circle"))
    fill_opacity = float(style.get("fill_opacity", 0.3))
    if marker == "circle":  # a Leaflet circleMarker: the layer's own fill opacity
        weight = int(style.get("weight", 2)) + 1
        shape = f'<circle cx="10" cy="10" r="7" stroke-width="{weight}"'
    elif marker in MARKER_POINTS:  # an SVG icon, its fill kept visible
        fill_opacity = max(fill_opacity, 0.6)
        shape = f'<polygon points="{MARKER_POINTS[marker]}" stroke-width="2.5"'
    else:
        raise ValueError(f"style: marker {marker!r} is not one of {', '.join(MARKERS)}")
    return (
        f'<svg class="fx-sw-marker" x="0" y="0" width="16" height="16" viewBox="0 0 20 20">'
        f'{shape} fill="{fill}" fill-opacity="{fill_opacity:g}" stroke="{color}"/></svg>'
    )


def _swatch(style: Mapping[str, Any], kinds: Collection[str] | None, opacity: float = 1.0) -> str:
    """Inline SVG: the layer's marker, a line sample with its dashes and, for areas, a square."""
    color = _check_color(style["color"], "color")
    fill = _check_color(style.get("fill_color") or color, "fill_color")
    weight = int(style.get("weight", 2)) + 1
    fill_opacity = float(style.get("fill_opacity", 0.3))
    dash = _dash(style)
    if kinds is None:
        kinds = {"point", "line"} | ({"polygon"} if fill_opacity > 0 else set())
    parts = []
    if "point" in kinds:
        parts.append(_swatch_marker(style, color, fill))
    if "line" in kinds:
        parts.append(
            f'<line class="fx-sw-line" x1="19" y1="8" x2="43" y2="8" stroke="{color}" '
            f'stroke-width="{weight}"{dash}/>'
        )
    if "polygon" in kinds:
        parts.append(
            f'<rect class="fx-sw-area" x="47" y="2.5" width="11" height="11" fill="{fill}" '
            f'fill-opacity="{fill_opacity:g}" stroke="{color}" stroke-width="{min(weight, 2)}"'
            f"{dash}/>"
        )
    faded = f' opacity="{opacity:g}"' if opacity < 1 else ""
    return (
        f'<svg class="fx-sw" width="{_SWATCH_W}" height="{_SWATCH_H}" '
        f'viewBox="0 0 {_SWATCH_W} {_SWATCH_H}" aria-hidden="true"{faded}>{"".join(parts)}</svg>'
    )


def legend_html(entries: Sequence[LegendEntry]) -> str:
    """Legend HTML: each layer's marker, line and area as drawn, the trail and the MiG marker."""
    rows = ["<b>Layers</b>"]
    for title, style, *rest in entries:
        kinds = set(rest[0]) if rest else None
        rows.append(f"<div>{_swatch(style, kinds)}{html.escape(title)}</div>")
    grey = {"color": "#555555", "fill_color": "#999999", "fill_opacity": 0.6}
    rows.append(f"<div>{_swatch(grey, {'point', 'line'}, TRAIL_OPACITY)}Faded: earlier days</div>")
    mig = f'<svg x="0" y="0" width="16" height="16" viewBox="0 0 20 20">{MIG_SVG}</svg>'
    rows.append(
        f'<div><svg class="fx-sw" width="{_SWATCH_W}" height="{_SWATCH_H}" aria-hidden="true">'
        f"{mig}</svg>MiG-25 that day</div>"
    )
    return "".join(rows)


def base_map(
    assets: WebAssets,
    basemap: MacroElement,
    items_url: str,
    legend: Sequence[LegendEntry],
    client: ClientFiles | None = None,
) -> folium.Map:
    """The map every rerun starts from; identical each time, so st_folium keeps the browser map.

    `basemap` is a StaticBasemap (the app) or InlineBasemap (the naive benchmark baseline).
    `client`: where CLIENT_JS and CLIENT_CSS are served; without it they go inline.
    Build a new map per rerun (st_folium adds the day's groups to it): never cache it.
    """
    m = folium.Map(
        location=CENTER,
        zoom_start=ZOOM,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
        tiles=None,
        control_scale=True,
        width="100%",
        height="100%",
    )
    # Instance-level assets: only Leaflet, served locally when installed (no jQuery, Bootstrap
    # or icon fonts: nothing here needs them).
    m.default_js = list(assets.js)
    m.default_css = list(assets.css)
    if client is not None:
        # Loaded once by the browser, not resent with every rerun's map (~12 KB).
        m.default_js.append(("fx_client", client.js))
        m.default_css.append(("fx_client_css", client.css))
    else:
        m.get_root().header.add_child(Element(f"<style>{CLIENT_CSS}</style>"), name="fx_css")
    m.add_child(ClientHelpers(items_url, inline=client is None), name="fx_helpers")
    embedded = _Group(name=EMBEDDED_BASEMAP, overlay=False, control=True, show=True)
    embedded.add_to(m)
    for name, url, attribution in TILE_LAYERS:
        # A TileProvider, not a URL string: folium would search all of xyzservices (~4 ms each).
        provider = xyzservices.TileProvider(
            name=name, url=url, attribution=attribution, html_attribution=attribution
        )
        _TileLayer(
            tiles=provider,
            attr=attribution,
            name=name,
            overlay=False,
            control=True,
            show=False,
            max_zoom=MAX_ZOOM,
        ).add_to(m)
    m.add_child(TileFallback(TILE_LAYERS, embedded), name="fx_tile_fallback")
    m.add_child(basemap, name="fx_basemap")
    m.add_child(Legend(legend_html(legend)), name="fx_legend")
    return m


def feature_group(
    title: str, features: Iterable[Feature], inline: bool = False
) -> folium.FeatureGroup:
    """A FeatureGroup for one layer of the day (name escaped: Leaflet shows names as HTML).

    It stays out of the map's layer switcher: the sidebar toggles (kept in the URL) choose the
    layers, and a switcher tick would be lost at the next day anyway.
    """
    group = _Group(name=html.escape(title), overlay=True, control=False, show=True)
    for feature in features:
        group.add_child(Shape(feature, inline=inline))
    return group


def day_groups(
    layers: Sequence[tuple[str, str, pd.DataFrame | Sequence[Item], Mapping[str, Any]]],
    day: date,
    at: datetime | None = None,
    mig: MigMark | None = None,
    inline: bool = False,
) -> list[folium.FeatureGroup]:
    """One FeatureGroup per (layer id, title, frame or prepared items, style) for the day,
    then the MiG's own."""
    groups = [
        feature_group(title, layer_features(frame, style, day, at), inline)
        for _layer_id, title, frame, style in layers
    ]
    tags = f"fx-day-{day.isoformat()}" + (f" fx-at-{at:%H%M}" if at is not None else "")
    mig_mark = mig_feature(mig, tags) if mig is not None else None
    if mig_mark is not None:
        groups.append(feature_group("MiG-25 position", [mig_mark], inline))
    return groups


def layer_control() -> folium.LayerControl:
    """The map's layer switcher: the embedded basemap or one of the online tile layers."""
    return folium.LayerControl(position="topright", collapsed=True)
