"""Benchmark baseline: the same page, but the whole map is rebuilt and remounted on every rerun.

This is the textbook folium + streamlit-folium design: basemap, features and popups embedded in
the map, the day's features added straight to it as GeoJson layers, and `st_folium(map)`
without a per-rerun message, so the map's script (and therefore its component key) changes
with the day. The benchmark copies this file into a temporary folder whose static/ links to the
project's, and sets FOXBAT76_ROOT. It swaps the app's map for this one; the rest of the page
is the app's own.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

import folium
import streamlit as st

ROOT = Path(os.environ.get("FOXBAT76_ROOT", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT))

import app  # noqa: E402  (after the path is set)
import layers  # noqa: E402
from geo import mapview, present, store  # noqa: E402
from geo.timing import ACTIVE, JST, TRAIL, item_state  # noqa: E402


@st.cache_data(show_spinner=False)
def basemap_geojson() -> str:
    """The basemap as the textbook would embed it: the land and border GeoDataFrames' own
    GeoJSON, one feature (so one Leaflet layer) per row. Cached: it is re-sent, not re-read."""
    from geo import basemap

    land = basemap.land()[["geometry"]].assign(kind="land")
    borders = basemap.borders()[["geometry"]].assign(kind="border")
    features = [
        feature
        for frame in (land, borders)
        for feature in json.loads(frame.to_json(drop_id=True))["features"]
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def naive_map(day: date, at: dtime | None, chosen: list[str]) -> None:
    """Everything in one folium.Map handed to st_folium: remounted whenever the day changes."""
    m = folium.Map(location=mapview.CENTER, zoom_start=mapview.ZOOM, tiles=None)
    web = app.page_data().web  # local Leaflet only, as the app (no CDN, jQuery or fonts)
    m.default_js, m.default_css = list(web.js), list(web.css)
    folium.GeoJson(
        json.loads(basemap_geojson()),
        style_function=lambda f: {"color": "#8c8270", "weight": 0.6, "fillColor": "#efe9d8"},
    ).add_to(m)
    moment = datetime.combine(day, at, tzinfo=JST) if at is not None else None
    frames = app.load_layers()
    for layer_id in chosen:
        style = present.layer_style(layers.LAYERS[layer_id].style)
        group = folium.FeatureGroup(name=layers.LAYERS[layer_id].title).add_to(m)
        for row in frames[layer_id].to_dict("records"):
            state = item_state(row["start"], row["end"], day, moment)
            if state not in (ACTIVE, TRAIL):
                continue
            options = present.leaflet_style(style, state)
            folium.GeoJson(
                row["geometry"].__geo_interface__,
                style_function=lambda _f, o=options: o,
                # lazy: folium fills popups with jQuery, which only a click would need
                # GeoJson adds any Popup as a child; its hint names only GeoJsonPopup.
                popup=folium.Popup(present.popup_html(row), max_width=320, lazy=True),  # type: ignore[arg-type]
            ).add_to(group)
    mark = store.mig_mark(day, at)
    if mark is not None:
        folium.Marker(
            mark["coords"],
            icon=folium.DivIcon(html="MiG-25", class_name=f"fx-mig fx-day-{day.isoformat()}"),
        ).add_to(m)
    folium.LayerControl().add_to(m)
    from streamlit_folium import st_folium

    st_folium(m, key="map", height=mapview.HEIGHT, use_container_width=True, returned_objects=[])


app.render_map = naive_map
app.main()
