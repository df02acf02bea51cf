"""The standalone offline HTML map."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.export.common import (
    ExportError,
    full_style,
    layer_title,
    properties,
    rfc7946_geometry,
    scope_text,
    when,
)
from geo.timing import active_mask, period_days

# ---------------------------------------------------------------- HTML


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


def _basemap_json() -> tuple[dict[str, Any], dict[str, Any]]:
    from geo import basemap  # imported late: reading GSHHS takes a second

    def collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
        # 4 decimals (~10 m) is the basemap's own grid; it halves the file size.
        geoms = shapely.set_precision(frame.geometry.to_numpy(), 1e-4)
        features = [
            {"type": "Feature", "properties": {}, "geometry": rfc7946_geometry(g)}
            for g in geoms
            if not g.is_empty
        ]
        return json.loads(
            json.dumps({"type": "FeatureCollection", "features": features}),
            parse_float=lambda text: round(float(text), 4),
        )

    return collection(basemap.land()), collection(basemap.borders())


def _marker_svg(style: Mapping[str, Any]) -> str:
    """Inline SVG for square/diamond/triangle markers (colours were checked by _style)."""
    size = 2 * style["radius"] + 2
    half, edge = size / 2, 1
    shapes = {
        "square": f'<rect x="{edge}" y="{edge}" width="{size - 2}" height="{size - 2}"/>',
        "diamond": f'<polygon points="{half},{edge} {size - edge},{half} {half},{size - edge} '
        f'{edge},{half}"/>',
        "triangle": f'<polygon points="{half},{edge} {size - edge},{size - edge} '
        f'{edge},{size - edge}"/>',
    }
    body = shapes.get(style["marker"], f'<circle cx="{half}" cy="{half}" r="{half - edge}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:g}" height="{size:g}" '
        f'fill="{style["fill_color"]}" fill-opacity="{max(style["fill_opacity"], 0.6):g}" '
        f'stroke="{style["color"]}" stroke-width="1.5">{body}</svg>'
    )


def _html_data(
    frames: Mapping[str, gpd.GeoDataFrame],
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
) -> dict[str, Any]:
    days = period_days()
    # Visibility per day is computed here with THE rule (geo.timing), so the page holds no copy.
    active: dict[str, list[int]] = {}
    for index, each in enumerate(days):
        for frame in frames.values():
            for item_id in frame.loc[active_mask(frame, each).to_numpy(), "id"]:
                active.setdefault(str(item_id), []).append(index)
    layers = []
    for index, (layer_id, frame) in enumerate(frames.items()):
        style = full_style(layer_id, index, styles)
        features = []
        for _, row in frame.iterrows():
            props = properties(row)
            props["when"] = when(row["start"], row["end"])
            features.append(
                {"type": "Feature", "properties": props, "geometry": rfc7946_geometry(row.geometry)}
            )
        layers.append(
            {
                "id": layer_id,
                "title": layer_title(layer_id, titles),
                "style": style,
                "svg": _marker_svg(style) if style["marker"] != "circle" else None,
                "features": {"type": "FeatureCollection", "features": features},
            }
        )
    land, borders = _basemap_json()
    bounds = pd.concat(list(frames.values())).total_bounds  # west, south, east, north
    start = days.index(day) if day in days else None
    return {
        "days": [d.isoformat() for d in days],
        "labels": [f"{d:%a} {d.day} {d:%b %Y}" for d in days],
        "active": active,
        "layers": layers,
        "land": land,
        "borders": borders,
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "startIndex": start if start is not None else days.index(date(1976, 9, 6)),
        "showAll": day is None,
        "scope": scope_text(day),
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _script_json(value: object) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can end the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PAGE_CSS = """
html, body { height: 100%; margin: 0; font: 14px/1.35 system-ui, sans-serif; }
#map { position: absolute; inset: 0 0 86px 0; background: #cfe1ee; }
#fx-panel { position: absolute; left: 0; right: 0; bottom: 0; height: 86px; box-sizing: border-box;
  padding: 8px 14px; background: #fbfaf7; border-top: 1px solid #bbb; }
#fx-panel h1 { font-size: 15px; margin: 0 0 4px 0; }
#fx-panel .row { display: flex; gap: 10px; align-items: center; }
#foxbat76-slider { flex: 1; }
#foxbat76-date { min-width: 12em; font-weight: 600; }
#foxbat76-count { color: #555; min-width: 9em; text-align: right; }
.fx-legend { background: rgba(255,255,255,.92); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 260px; }
.fx-legend label { display: flex; gap: 6px; align-items: center; margin: 2px 0; cursor: pointer; }
.fx-legend svg { flex: none; }
.fx-popup p { margin: 4px 0; white-space: pre-wrap; }
.fx-popup .meta { color: #555; font-size: 12px; }
.fx-marker { background: none; border: none; }
"""

_PAGE_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("foxbat76-data").textContent);
  var map = L.map("map", { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet | Land &amp; borders: GSHHG (LGPL)");
  map.fitBounds(data.bounds, { padding: [40, 40], maxZoom: 9 });
  L.geoJSON(data.land, { interactive: false,
    style: { color: "#9c9280", weight: 0.7, fillColor: "#efeadf", fillOpacity: 1 } }).addTo(map);
  L.geoJSON(data.borders, { interactive: false,
    style: { color: "#8a7f6a", weight: 1.2, dashArray: "5 4", fill: false } }).addTo(map);

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;  // textContent: catalog text is never HTML
    if (cls) node.className = cls;
    return node;
  }
  function popup(props, title) {
    var box = el("div", undefined, "fx-popup");
    box.appendChild(el("strong", props.name));
    box.appendChild(el("div", title + " \u00b7 " + props.certainty, "meta"));
    box.appendChild(el("div", props.when, "meta"));
    box.appendChild(el("p", props.description));
    box.appendChild(el("p", "Sources: " + props.sources, "meta"));
    return box;
  }
  function pathStyle(s) {
    return { color: s.color, weight: s.weight, dashArray: s.dash_array || null,
             fillColor: s.fill_color, fillOpacity: s.fill_opacity };
  }

  var items = [], layerOn = {};
  data.layers.forEach(function (layer) {
    var s = layer.style;
    layerOn[layer.id] = true;
    var group = L.geoJSON(layer.features, {
      style: function () { return pathStyle(s); },
      pointToLayer: function (feature, latlng) {
        if (!layer.svg) {
          var opts = pathStyle(s);
          opts.radius = s.radius;
          opts.dashArray = null;  // a dashed dot reads as noise; dashes are for lines and areas
          opts.fillOpacity = Math.max(s.fill_opacity, 0.6);
          return L.circleMarker(latlng, opts);
        }
        var size = 2 * s.radius + 2;
        var icon = L.divIcon({ className: "fx-marker", html: layer.svg,
          iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
        return L.marker(latlng, { icon: icon, title: feature.properties.name });
      },
      onEachFeature: function (feature, sub) {
        sub.bindPopup(function () { return popup(feature.properties, layer.title); });
        var days = {};
        (data.active[feature.properties.id] || []).forEach(function (d) { days[d] = true; });
        items.push({ id: feature.properties.id, layer: layer.id, days: days, sub: sub });
      }
    }).addTo(map);
    layer.group = group;
  });

  var slider = document.getElementById("foxbat76-slider");
  var allBox = document.getElementById("foxbat76-all");
  var dateLabel = document.getElementById("foxbat76-date");
  var count = document.getElementById("foxbat76-count");
  slider.max = data.days.length - 1;
  slider.value = data.startIndex;
  allBox.checked = data.showAll;

  function visible(item) {
    return layerOn[item.layer] && (allBox.checked || item.days[+slider.value] === true);
  }
  function update() {
    var shown = 0;
    data.layers.forEach(function (layer) {
      items.forEach(function (item) {
        if (item.layer !== layer.id) return;
        var on = visible(item), has = layer.group.hasLayer(item.sub);
        if (on && !has) layer.group.addLayer(item.sub);
        if (!on && has) layer.group.removeLayer(item.sub);
        if (on) shown += 1;
      });
    });
    dateLabel.textContent = allBox.checked ? "Whole period" : data.labels[+slider.value];
    count.textContent = shown + " of " + items.length + " features";
    document.body.setAttribute("data-day", allBox.checked ? "all" : data.days[+slider.value]);
  }
  slider.addEventListener("input", function () { allBox.checked = false; update(); });
  allBox.addEventListener("change", update);
  document.getElementById("foxbat76-prev").addEventListener("click", function () {
    allBox.checked = false; slider.value = Math.max(0, +slider.value - 1); update(); });
  document.getElementById("foxbat76-next").addEventListener("click", function () {
    allBox.checked = false; slider.value = Math.min(+slider.max, +slider.value + 1); update(); });

  var legend = L.control({ position: "topright" });
  legend.onAdd = function () {
    var box = el("div", undefined, "fx-legend");
    box.appendChild(el("strong", "Layers"));
    data.layers.forEach(function (layer) {
      var row = el("label"), check = el("input");
      check.type = "checkbox"; check.checked = true;
      check.setAttribute("data-layer", layer.id);
      check.addEventListener("change", function () {
        layerOn[layer.id] = check.checked; update(); });
      var swatch = legendSwatch(layer);
      row.appendChild(check); row.appendChild(swatch); row.appendChild(el("span", layer.title));
      box.appendChild(row);
    });
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  function legendSwatch(layer) {
    if (layer.svg) {  // the layer's own marker shape (built and colour-checked in Python)
      var holder = el("span");
      holder.innerHTML = layer.svg;
      return holder.firstChild;
    }
    var swatch = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    swatch.setAttribute("width", "16"); swatch.setAttribute("height", "12");
    var rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    rect.setAttribute("x", "1"); rect.setAttribute("y", "1");
    rect.setAttribute("width", "14"); rect.setAttribute("height", "10");
    rect.setAttribute("fill", layer.style.fill_color);
    rect.setAttribute("stroke", layer.style.color);
    rect.setAttribute("stroke-width", "2");
    swatch.appendChild(rect);
    return swatch;
  }
  legend.addTo(map);

  window.foxbat76 = {
    visibleIds: function () { return items.filter(visible).map(function (i) { return i.id; }); },
    day: function () { return allBox.checked ? null : data.days[+slider.value]; }
  };
  update();
})();
"""


def write_html(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: Path,
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
) -> None:
    leaflet_js, leaflet_css = _leaflet_assets()
    data = _html_data(frames, titles, styles, day)
    title = html.escape(f"foxbat76 — {data['scope']}")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{leaflet_css}</style>
<style>{_PAGE_CSS}</style>
<script>{leaflet_js}</script>
</head>
<body>
<div id="map"></div>
<div id="fx-panel">
<h1>Belenko's MiG-25 defection, 1976 — {html.escape(data["scope"])}
<small>(times JST; generated {html.escape(data["generated"])})</small></h1>
<div class="row">
<label><input type="checkbox" id="foxbat76-all"> whole period</label>
<button type="button" id="foxbat76-prev" aria-label="previous day">&#9664;</button>
<input type="range" id="foxbat76-slider" min="0" max="0" step="1" value="0" aria-label="day">
<button type="button" id="foxbat76-next" aria-label="next day">&#9654;</button>
<span id="foxbat76-date"></span><span id="foxbat76-count"></span>
</div>
</div>
<script type="application/json" id="foxbat76-data">{_script_json(data)}</script>
<script>{_PAGE_JS}</script>
</body>
</html>
"""
    path.write_text(page, encoding="utf-8")
