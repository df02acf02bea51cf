"""Benchmark baseline: the same page, but the whole map is rebuilt and remounted on every rerun.

This is the textbook folium + streamlit-folium design: basemap and popups embedded in the map,
the day's features added straight to it, and `st_folium(map)` without `feature_group_to_add`,
so the map's script (and therefore its component key) changes with the day. The benchmark copies
this file into a temporary folder whose static/ links to the project's, and sets FOXBAT76_ROOT.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

import streamlit as st

ROOT = Path(os.environ.get("FOXBAT76_ROOT", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT))

import app  # noqa: E402  (after the path is set)
from geo import mapview  # noqa: E402
from geo.timing import JST  # noqa: E402


@st.cache_data(show_spinner=False)
def basemap_geojson() -> str:
    """The basemap as the textbook would embed it: the land and border GeoDataFrames' own
    GeoJSON, one feature (so one Leaflet layer) per row. The app merges them into one feature
    per kind; the baseline stays as it was. Cached: it is re-sent, not re-read."""
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
    web, items_url, _client = app.static_assets()  # client code inline, as everything else
    m = mapview.base_map(
        web, mapview.InlineBasemap(basemap_geojson()), items_url, app.legend_entries()
    )
    moment = datetime.combine(day, at, tzinfo=JST) if at is not None else None
    groups = mapview.day_groups(
        app.map_layers(chosen), day, moment, app.mig_mark(day, at), inline=True
    )
    for group in groups:
        group.add_to(m)
    mapview.layer_control().add_to(m)
    from streamlit_folium import st_folium

    st_folium(m, key="map", height=mapview.HEIGHT, use_container_width=True, returned_objects=[])


app.main(map_renderer=naive_map)
