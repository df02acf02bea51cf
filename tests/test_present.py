"""Texts and styles shared by the map, panel and exports: dates, popups, styles, legend, JSON."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pandas as pd
import pytest
from shapely.geometry import LineString
from support import HOSTILE, STYLE, found, jst

from geo import present
from geo.geodesy import length_km


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ("1976-09-06 13:10", "1976-09-06 13:10", "6 Sep 1976, 13:10 JST"),
        ("1976-09-06 13:40", "1976-09-06 13:50", "6 Sep 1976, 13:40\u201313:50 JST"),
        ("1976-09-06 00:00", "1976-09-06 00:00", "6 Sep 1976, 00:00 JST"),  # a moment
        ("1976-09-25 00:00", "1976-09-25 12:00", "25 Sep 1976, 00:00\u201312:00 JST"),
        ("1976-09-06 13:50", "1976-09-09 10:00", "6 Sep 1976 13:50 \u2013 9 Sep 1976 10:00 JST"),
        ("1976-09-25 00:00", "1976-09-25 23:59:59", "25 Sep 1976 (JST)"),
        ("1976-09-08 00:00", "1976-09-25 23:59:59", "8\u201325 Sep 1976 (JST)"),
        ("1976-09-08 00:00", "1976-09-09 00:00", "8\u20139 Sep 1976 (JST)"),
        ("1976-09-25 00:00", "1976-11-15 00:00", "25 Sep \u2013 15 Nov 1976 (JST)"),
        ("1976-09-01 00:00", "1976-11-30 23:59:59", "1 Sep \u2013 30 Nov 1976 (JST)"),
        ("1976-12-30 00:00", "1977-01-02 23:59:59", "30 Dec 1976 \u2013 2 Jan 1977 (JST)"),
    ],
)
def test_format_span_gives_dates_for_whole_days_and_times_otherwise(start, end, shown):
    assert present.format_span(jst(start), jst(end)) == shown


def test_format_span_reads_any_timezone_as_japan_time():
    moment = pd.Timestamp("1976-09-06 04:10", tz="UTC")  # 13:10 in Japan
    assert present.format_span(moment, moment) == "6 Sep 1976, 13:10 JST"
    day_start = pd.Timestamp("1976-09-05 15:00", tz="UTC")  # 6 Sep 00:00 JST
    day_end = pd.Timestamp("1976-09-06 14:59:59", tz="UTC")
    assert present.format_span(day_start, day_end) == "6 Sep 1976 (JST)"


def test_the_mig_marker_says_how_long_it_stayed_or_when_it_was_in_the_air():
    start, end = jst("1976-09-25 12:00"), jst("1976-11-15 00:00")
    assert present.mig_when(start, end) == "25 Sep 1976 12:00 \u2013 15 Nov 1976 00:00 JST"
    flying = jst("1976-09-06 13:20")
    assert present.mig_when(start, end, flying) == "As of 6 Sep 1976, 13:20 JST"


def test_days_are_named_as_the_slider_names_them():
    assert present.format_day(date(1976, 9, 6)) == "Mon 6 Sep 1976"


def row(**changes: object) -> dict:
    return {
        "name": "Airlift",
        "start": jst("1976-09-25 00:00"),
        "end": jst("1976-09-25 23:59:59"),
        "description": "Our words.",
        "sources": "Source A; Source B",
        "certainty": "documented",
        **changes,
    }


def test_popup_shows_name_jst_dates_description_sources_certainty_and_route_length():
    line = LineString([(140.82, 41.77), (140.41, 36.18)])
    popup = present.popup_html(row(), length_km=length_km(line))
    assert "Airlift" in popup and "25 Sep 1976 (JST)" in popup
    assert "Our words." in popup and "<li>Source A</li><li>Source B</li>" in popup
    assert "Certainty: documented" in popup
    assert "Length: 622 km (geodesic)" in popup


def test_a_popup_with_its_own_when_needs_no_times_and_escapes_everything():
    popup = present.popup_html(
        {"name": HOSTILE, "description": HOSTILE, "certainty": HOSTILE, "sources": HOSTILE},
        when=HOSTILE,
    )
    assert "<img" not in popup and "<script" not in popup
    assert html.escape("<img src=x onerror=alert(1)>") in popup


def test_a_popup_row_without_a_field_is_refused_naming_it():
    with pytest.raises(ValueError, match="popup row: missing 'sources'"):
        present.popup_html({"name": "x", "description": "", "certainty": "documented"})


def test_a_missing_style_gets_a_palette_colour_and_every_field():
    style = present.layer_style(None, 2)
    assert style["color"] == style["fill_color"] == present.PALETTE[2]
    assert set(style) == set(present.DEFAULT_STYLE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"color": 'red" onload="x'}, r"style: color 'red\" onload=\"x' is not a #rrggbb colour"),
        ({"fill_color": "#12345"}, "style: fill_color '#12345' is not a #rrggbb colour"),
        ({"marker": "star"}, "style: marker 'star' is not one of circle, square"),
        ({"dash_array": '4" onload="1'}, "style: dash_array .* is not a list of numbers"),
        ({"weight": "heavy"}, "style: weight 'heavy' is not a number"),
        ({"fill_opacity": 1.5}, "style: fill_opacity 1.5 is not between 0 and 1"),
    ],
)
def test_a_style_that_would_be_unsafe_or_meaningless_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        present.layer_style({**STYLE, **change})


def test_trail_style_is_fainter_and_thinner_than_the_days_style():
    active = present.leaflet_style(STYLE, present.ACTIVE)
    trail = present.leaflet_style(STYLE, present.TRAIL)
    assert active["color"] == trail["color"] == "#d7301f"
    assert active["opacity"] == 1.0 and trail["opacity"] == present.TRAIL_OPACITY
    assert trail["weight"] < active["weight"] and trail["radius"] < active["radius"]
    assert trail["fillOpacity"] < active["fillOpacity"]
    assert active["dashArray"] == trail["dashArray"] == "8 6"


LEGEND_STYLES: dict[str, dict[str, Any]] = {
    "Circles, dashed, unfilled": {**STYLE, "marker": "circle", "fill_opacity": 0.0},
    "Squares": {**STYLE, "marker": "square", "dash_array": None, "color": "#b2182b"},
    "Diamonds": {**STYLE, "marker": "diamond", "dash_array": "4 4", "fill_color": "#67a9cf"},
    "Triangles": {**STYLE, "marker": "triangle", "dash_array": "2 6", "color": "#01665e"},
}


def legend_rows(entries: list) -> dict[str, ET.Element]:
    """The legend's rows by their visible text (the legend HTML is well-formed XML)."""
    root = ET.fromstring(f"<root>{present.legend_html(entries)}</root>")
    return {"".join(row.itertext()).strip(): row for row in root.iter("div")}


@pytest.mark.parametrize("title", list(LEGEND_STYLES))
def test_the_legend_draws_each_layers_marker_line_and_area_in_its_colours(title):
    style = LEGEND_STYLES[title]
    svg = found(legend_rows([(title, style, None)])[title].find("svg"))
    marker = found(svg.find("svg[@class='fx-sw-marker']/*"))
    if style["marker"] == "circle":
        assert marker.tag == "circle"
    else:  # the same outline as the map's marker icon
        assert marker.tag == "polygon"
        assert marker.get("points") == present.MARKER_POINTS[style["marker"]]
    assert marker.get("stroke") == style["color"] and marker.get("fill") == style["fill_color"]
    line = found(svg.find("line"))
    assert line.get("stroke") == style["color"]
    assert line.get("stroke-dasharray") == style["dash_array"]  # None: a solid line
    area = svg.find("rect")
    if style["fill_opacity"] > 0:
        filled = found(area)
        assert filled.get("fill") == style["fill_color"]
        assert float(found(filled.get("fill-opacity"))) == style["fill_opacity"]
    else:  # nothing filled to show
        assert area is None


def test_the_legend_shows_only_the_kinds_a_layer_draws_when_told():
    rows = legend_rows(
        [("Route", {**STYLE, "fill_opacity": 0.3}, {"line"}), ("Base", STYLE, ["point", "polygon"])]
    )
    route, base = (found(rows[name].find("svg")) for name in ("Route", "Base"))
    assert [child.tag for child in route] == ["line"]
    assert [child.get("class") for child in base] == ["fx-sw-marker", "fx-sw-area"]


def test_the_legend_explains_the_faded_trail_and_the_mig_marker_and_escapes_titles():
    rows = legend_rows([("Layer <b>", STYLE, None)])
    assert set(rows) == {"Layer <b>", "Faded: earlier days", "MiG-25 that day"}
    faded = found(rows["Faded: earlier days"].find("svg"))
    assert float(found(faded.get("opacity"))) == present.TRAIL_OPACITY
    mig = found(rows["MiG-25 that day"].find("svg/svg"))
    assert [child.tag for child in mig] == ["circle", "polygon"]
    assert found(mig.find("circle")).get("stroke") == "#b00020"
    assert "<img" not in present.legend_html([(HOSTILE, STYLE, None)])


def test_script_json_cannot_end_a_script_or_break_a_js_line_and_decodes_to_the_value():
    text = present.script_json({"text": HOSTILE})
    for unsafe in ("<", ">", "&", "'", "\u2028", "\u2029"):
        assert unsafe not in text
    assert json.loads(text) == {"text": HOSTILE}


def test_the_first_view_frames_the_story_inside_the_embedded_basemap():
    from geo.basemap import REGION
    from geo.catalog import load_catalog

    places = load_catalog().places
    frame = present.map_frame()
    assert frame["region"] == list(REGION) and frame["maxZoom"] == present.MAX_ZOOM
    (south, west), (north, east) = frame["bounds"]
    for place_id in ("chuguyevka", "vladivostok", "sokol", "hakodate-airport", "hyakuri-ab"):
        lat, lon = places[place_id].lat, places[place_id].lon
        assert south <= lat <= north and west <= lon <= east, place_id
    region_west, region_south, region_east, region_north = REGION
    assert region_south <= south and north <= region_north
    assert region_west <= west and east <= region_east


@pytest.mark.parametrize(
    "bounds", [[[47, 131], [35, 146]], [[35, 146], [47, 131]], [[35, 131]], [[35, 131, 0], [1, 2]]]
)
def test_a_frame_needs_south_west_then_north_east(bounds):
    with pytest.raises(ValueError, match="bounds must be"):
        present.map_frame(bounds)
