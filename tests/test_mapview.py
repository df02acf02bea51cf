"""Map rendering: features per day, styles, the 6 Sep replay, escaping, the fixed base map."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from datetime import date, datetime

import geopandas as gpd
import pandas as pd
import pytest
from folium.map import Layer
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from streamlit_folium import _get_map_string, generate_js_hash

from geo import mapview
from geo.assets import STATIC_URL, WebAssets
from geo.schema import COLUMNS
from geo.timing import JST

HOSTILE = "<img src=x onerror=alert(1)> `${alert(2)}` </script><script>alert(3)</script>"
STYLE = {
    "color": "#d7301f",
    "fill_color": "#fc8d59",
    "weight": 3,
    "dash_array": "8 6",
    "fill_opacity": 0.4,
    "radius": 6,
    "marker": "circle",
}
LOCAL = WebAssets(
    js=(("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js"),),
    css=(("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css"),),
    offline=True,
)


def jst(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(JST)


def frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """A layer frame in the contract's schema from short row dicts."""
    full = [
        {
            "layer": "test_layer",
            "place": "",
            "place_ja": "",
            "place_ru": "",
            "alternatives": "",
            "description": "Our words.",
            "sources": "Source A; Source B",
            "certainty": "documented",
            **row,
        }
        for row in rows
    ]
    result = gpd.GeoDataFrame(full, geometry="geometry", crs="EPSG:4326")
    return result[list(COLUMNS)]


@pytest.fixture
def story() -> gpd.GeoDataFrame:
    """A base all period, a flight on 6 Sep, an airlift on 25 Sep, a patrol area 8-25 Sep."""
    return frame(
        [
            {
                "id": "base",
                "name": "Base",
                "start": jst("1976-09-01 00:00"),
                "end": jst("1976-11-30 23:59:59"),
                "geometry": Point(133.87, 44.08),
            },
            {
                "id": "flight",
                "name": "Flight",
                "start": jst("1976-09-06 12:50"),
                "end": jst("1976-09-06 13:40"),
                "geometry": LineString([(133.87, 44.08), (137.0, 43.0), (140.82, 41.77)]),
            },
            {
                "id": "contact",
                "name": "Radar contact",
                "start": jst("1976-09-06 13:10"),
                "end": jst("1976-09-06 13:10"),
                "geometry": Point(136.7, 43.2),
            },
            {
                "id": "patrol",
                "name": "Patrol",
                "start": jst("1976-09-08 00:00"),
                "end": jst("1976-09-25 23:59:59"),
                "geometry": Polygon([(140, 41), (141.5, 41), (141.5, 41.8), (140, 41.8)]),
            },
            {
                "id": "airlift",
                "name": "Airlift",
                "start": jst("1976-09-25 00:00"),
                "end": jst("1976-09-25 23:59:59"),
                "geometry": LineString([(140.82, 41.77), (140.41, 36.18)]),
            },
        ]
    )


def states(features: list[mapview.Feature]) -> dict[str, str]:
    return {feature.id: feature.state for feature in features}


def test_a_day_shows_its_items_highlighted_earlier_ones_faded_and_hides_later_ones(story):
    assert states(mapview.layer_features(story, STYLE, date(1976, 9, 1))) == {"base": "active"}
    on_20th = states(mapview.layer_features(story, STYLE, date(1976, 9, 20)))
    assert on_20th == {"base": "active", "flight": "trail", "contact": "trail", "patrol": "active"}
    on_25th = states(mapview.layer_features(story, STYLE, date(1976, 9, 25)))
    assert on_25th["airlift"] == "active" and on_25th["patrol"] == "active"
    on_26th = states(mapview.layer_features(story, STYLE, date(1976, 9, 26)))
    assert on_26th["airlift"] == "trail" and on_26th["patrol"] == "trail"


def test_faded_trail_items_are_drawn_first_so_the_days_items_sit_on_top(story):
    features = mapview.layer_features(story, STYLE, date(1976, 9, 25))
    order = [feature.state for feature in features]
    assert order == sorted(order, key=lambda state: state != "trail")


def test_trail_style_is_fainter_and_thinner_than_the_days_style():
    active = mapview.leaflet_style(STYLE, mapview.ACTIVE)
    trail = mapview.leaflet_style(STYLE, mapview.TRAIL)
    assert isinstance(active, dict) and isinstance(trail, dict)
    assert active["color"] == trail["color"] == "#d7301f"
    assert active["opacity"] == 1.0 and trail["opacity"] < 0.5
    assert trail["weight"] < active["weight"]
    assert trail["fillOpacity"] < active["fillOpacity"]
    assert trail["radius"] < active["radius"]
    assert active["dashArray"] == trail["dashArray"] == "8 6"


def test_a_style_colour_that_is_not_a_hex_colour_is_refused():
    with pytest.raises(ValueError, match="not a #rrggbb colour"):
        mapview.leaflet_style({**STYLE, "color": 'red" onload="x'}, mapview.ACTIVE)


def test_point_markers_use_the_layer_shape_and_no_icon_font(story):
    for marker in mapview.MARKERS:
        features = mapview.layer_features(story, {**STYLE, "marker": marker}, date(1976, 9, 1))
        assert features[0].kind == marker
    group = mapview.feature_group("Bases", features)
    m = mapview.base_map(LOCAL, mapview.StaticBasemap("x.geojson"), "items.json", [])
    group.add_to(m)
    page = m.get_root().render()
    assert "fa-" not in page and "glyphicon" not in page and "awesome" not in page


def test_multipoint_items_draw_every_point_as_one_feature():
    ships = frame(
        [
            {
                "id": "ships",
                "name": "Three ships",
                "start": jst("1976-09-08 00:00"),
                "end": jst("1976-09-25 23:59:59"),
                "geometry": MultiPoint([(139.5, 41.5), (139.6, 42.0), (139.4, 42.4)]),
            }
        ]
    )
    (feature,) = mapview.layer_features(ships, {**STYLE, "marker": "triangle"}, date(1976, 9, 9))
    assert feature.coords == [[41.5, 139.5], [42.0, 139.6], [42.4, 139.4]]


def test_on_6_sep_the_flight_draws_up_to_the_chosen_time(story):
    day = date(1976, 9, 6)
    before = mapview.layer_features(story, STYLE, day, datetime(1976, 9, 6, 12, 30, tzinfo=JST))
    assert states(before) == {"base": "active"}  # nothing has happened yet

    halfway = datetime(1976, 9, 6, 13, 15, tzinfo=JST)  # 25 of the flight's 50 minutes
    features = {f.id: f for f in mapview.layer_features(story, STYLE, day, halfway)}
    flight = features["flight"]
    assert flight.partial
    line = story.set_index("id").loc["flight", "geometry"]
    head = line.interpolate(0.5, normalized=True)
    assert flight.coords[-1] == pytest.approx([head.y, head.x], abs=1e-3)
    assert flight.coords[0] == pytest.approx([44.08, 133.87], abs=1e-3)
    assert "Flown so far" in flight.popup_extra
    assert features["contact"].state == "active"  # 13:10 is before 13:15

    landed = mapview.layer_features(story, STYLE, day, datetime(1976, 9, 6, 14, 0, tzinfo=JST))
    flight = {f.id: f for f in landed}["flight"]
    assert not flight.partial and flight.coords[-1] == pytest.approx([41.77, 140.82], abs=1e-3)


def test_without_a_time_the_whole_day_is_drawn(story):
    features = {f.id: f for f in mapview.layer_features(story, STYLE, date(1976, 9, 6))}
    assert not features["flight"].partial and features["contact"].state == "active"


def test_popup_shows_name_jst_dates_description_sources_certainty_and_route_length(story):
    row = story.set_index("id").loc["airlift"].to_dict() | {"id": "airlift"}
    popup = mapview.popup_html(row)
    assert "Airlift" in popup and "25 Sep 1976 (JST)" in popup
    assert "Our words." in popup and "<li>Source A</li><li>Source B</li>" in popup
    assert "Certainty: documented" in popup
    assert "Length: 622 km (geodesic)" in popup


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
    assert mapview.format_span(jst(start), jst(end)) == shown


def test_format_span_reads_any_timezone_as_japan_time():
    moment = pd.Timestamp("1976-09-06 04:10", tz="UTC")  # 13:10 in Japan
    assert mapview.format_span(moment, moment) == "6 Sep 1976, 13:10 JST"
    day_start = pd.Timestamp("1976-09-05 15:00", tz="UTC")  # 6 Sep 00:00 JST
    day_end = pd.Timestamp("1976-09-06 14:59:59", tz="UTC")
    assert mapview.format_span(day_start, day_end) == "6 Sep 1976 (JST)"


def test_hostile_text_stays_inert_in_popups_tooltips_store_legend_and_layer_names():
    hostile = frame(
        [
            {
                "id": "evil",
                "name": HOSTILE,
                "description": HOSTILE,
                "sources": HOSTILE,
                "certainty": HOSTILE,
                "start": jst("1976-09-06 00:00"),
                "end": jst("1976-09-06 23:59:59"),
                "geometry": Point(140.8, 41.8),
            }
        ]
    )
    (feature,) = mapview.layer_features(hostile, STYLE, date(1976, 9, 6))
    assert "<img" not in feature.popup and "<script" not in feature.popup
    assert html.escape("<img src=x onerror=alert(1)>") in feature.popup
    assert "<img" not in feature.tooltip

    store = mapview.item_store([(mapview.prepare(hostile), STYLE)])
    assert store["evil"]["popup"] == feature.popup

    m = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", [(HOSTILE, STYLE)])
    for inline in (False, True):
        mapview.feature_group(HOSTILE, [feature], inline=inline).add_to(m)
    mapview.layer_control().add_to(m)
    page = m.get_root().render()
    # Only the markup we wrote remains; the hostile text is escaped wherever it lands.
    assert "<img src=x" not in page and "<script>alert(3)" not in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page  # escaped, then JSON


def test_hostile_text_is_only_ever_inside_json_strings_never_a_js_template_literal():
    hostile = frame(
        [
            {
                "id": "evil",
                "name": "x",
                "description": "`${alert(2)}`",
                "start": jst("1976-09-06 00:00"),
                "end": jst("1976-09-06 23:59:59"),
                "geometry": Point(140.8, 41.8),
            }
        ]
    )
    (feature,) = mapview.layer_features(hostile, STYLE, date(1976, 9, 6))
    shape = mapview.Shape(feature, inline=True)
    # The body holds the popup as one JSON string literal: decoding it gives the text back.
    start = shape.body.index(',"\\u003cdiv class=\\"fx-popup') + 1
    decoded, _ = json.JSONDecoder().raw_decode(shape.body[start:])
    assert decoded == feature.popup and "`${alert(2)}`" in decoded


def test_the_mig_is_always_marked_with_the_day_it_shows():
    mig = mapview.MigMark(Point(140.8, 41.77), "As of 7 Sep", "On the ground", "documented", "S")
    groups = mapview.day_groups([], date(1976, 9, 7), None, mig)
    assert [group.layer_name for group in groups] == ["MiG-25 position"]
    (shape,) = groups[0]._children.values()
    assert shape.feature.kind == "mig"
    assert "fx-day-1976-09-07" in shape.feature.options["className"]
    assert mapview.mig_feature(mapview.MigMark(None, "", "", "", "")) is None


def test_a_day_gives_one_feature_group_per_layer_even_when_empty(story):
    layers = [("a", "Layer A", story, STYLE), ("b", "Layer <b>", story.iloc[0:0], STYLE)]
    groups = mapview.day_groups(layers, date(1976, 9, 2))
    assert [group.layer_name for group in groups] == ["Layer A", "Layer &lt;b&gt;"]
    assert len(groups[1]._children) == 0


def _map_key(m: mapview.folium.Map) -> str:
    """What st_folium keys the browser component on: the base map's script."""
    m.render()
    return generate_js_hash(_get_map_string(m), "map")


def test_the_base_map_is_identical_on_every_rerun_whatever_the_day(story):
    legend = [("Layer A", STYLE)]
    first = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", legend)
    second = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", legend)
    mapview.day_groups([("a", "A", story, STYLE)], date(1976, 9, 25))  # building groups
    assert _map_key(first) == _map_key(second)


def test_the_base_map_loads_only_local_leaflet_and_keeps_its_view_options():
    m = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", [])
    assert [src for _, src in m.default_js] == [f"{STATIC_URL}/vendor/leaflet/leaflet.js"]
    assert [href for _, href in m.default_css] == [f"{STATIC_URL}/vendor/leaflet/leaflet.css"]
    assert mapview.folium.Map.default_js != m.default_js  # instance-level, other maps untouched
    assert m.location == list(mapview.CENTER) and m.options["zoom"] == mapview.ZOOM


def test_served_client_code_is_linked_once_instead_of_sent_with_every_map():
    client = mapview.ClientFiles(js="fx.js", css="fx.css")
    linked = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", [], client)
    inline = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", [])
    assert [src for _, src in linked.default_js][-1] == "fx.js"
    assert [href for _, href in linked.default_css][-1] == "fx.css"
    linked.render()
    inline.render()
    linked_script, inline_script = _get_map_string(linked), _get_map_string(inline)
    assert mapview.CLIENT_JS not in linked_script and mapview.CLIENT_JS in inline_script
    assert len(linked_script) < len(inline_script) - len(mapview.CLIENT_JS) // 2
    for call in ("fx.load(", "fx.tileFallback(", "fx.basemap(", "fx.legend("):
        assert call in linked_script
    assert mapview.CLIENT_CSS in inline.get_root().render()
    assert mapview.CLIENT_CSS not in linked.get_root().render()


def test_tile_layers_are_selectable_but_off_and_the_embedded_basemap_is_the_default():
    m = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", [])
    layers = [child for child in m._children.values() if isinstance(child, Layer)]
    shown = {layer.layer_name: layer.show for layer in layers}
    assert shown == {
        mapview.EMBEDDED_BASEMAP: True,
        "OpenStreetMap": False,
        "CartoDB Positron": False,
        "Esri World Imagery": False,
    }
    assert any(isinstance(child, mapview.StaticBasemap) for child in m._children.values())


def test_the_item_store_holds_both_states_of_every_item(story):
    store = mapview.item_store([(mapview.prepare(story), STYLE)])
    assert set(store) == {"base", "flight", "contact", "patrol", "airlift"}
    flight = store["flight"]
    assert flight["kind"] == "line" and flight["coords"][0] == [44.08, 133.87]
    assert flight["options"]["trail"]["opacity"] == mapview.TRAIL_OPACITY
    assert "opacity" not in flight["options"]["active"]  # Leaflet's default (1) is not sent
    assert store["patrol"]["kind"] == "polygon"


def test_a_days_groups_send_references_not_geometry(story):
    (group,) = mapview.day_groups([("a", "A", story, STYLE)], date(1976, 9, 25))
    bodies = [shape.body for shape in group._children.values()]
    assert all(body.startswith("fx.draw(") for body in bodies)
    assert any('"airlift","active"' in body for body in bodies)


LEGEND_STYLES = {
    "Circles, dashed, unfilled": {**STYLE, "marker": "circle", "fill_opacity": 0.0},
    "Squares": {**STYLE, "marker": "square", "dash_array": None, "color": "#b2182b"},
    "Diamonds": {**STYLE, "marker": "diamond", "dash_array": "4 4", "fill_color": "#67a9cf"},
    "Triangles": {**STYLE, "marker": "triangle", "dash_array": "2 6", "color": "#01665e"},
}


def legend_rows(entries: list) -> dict[str, ET.Element]:
    """The legend's rows by their visible text (the legend HTML is well-formed XML)."""
    root = ET.fromstring(f"<root>{mapview.legend_html(entries)}</root>")
    return {"".join(row.itertext()).strip(): row for row in root.iter("div")}


@pytest.mark.parametrize("title", list(LEGEND_STYLES))
def test_the_legend_draws_each_layers_marker_line_and_area_in_its_colours(title):
    style = LEGEND_STYLES[title]
    svg = legend_rows([(title, style)])[title].find("svg")
    marker = svg.find("svg[@class='fx-sw-marker']/*")
    if style["marker"] == "circle":
        assert marker.tag == "circle"
    else:  # the same outline as the map's marker icon
        assert marker.tag == "polygon"
        assert marker.get("points") == mapview.MARKER_POINTS[style["marker"]]
    assert marker.get("stroke") == style["color"] and marker.get("fill") == style["fill_color"]
    line = svg.find("line")
    assert line.get("stroke") == style["color"]
    assert line.get("stroke-dasharray") == style["dash_array"]  # None: a solid line
    area = svg.find("rect")
    if style["fill_opacity"] > 0:
        assert area.get("fill") == style["fill_color"]
        assert float(area.get("fill-opacity")) == style["fill_opacity"]
    else:  # nothing filled to show
        assert area is None


def test_the_legend_shows_only_the_kinds_a_layer_draws_when_told():
    rows = legend_rows(
        [("Route", {**STYLE, "fill_opacity": 0.3}, {"line"}), ("Base", STYLE, ["point", "polygon"])]
    )
    route, base = (rows[name].find("svg") for name in ("Route", "Base"))
    assert [child.tag for child in route] == ["line"]
    assert [child.get("class") for child in base] == ["fx-sw-marker", "fx-sw-area"]


def test_the_legend_explains_the_faded_trail_and_the_mig_marker_without_icon_fonts():
    rows = legend_rows([("Layer <b>", STYLE)])
    assert set(rows) == {"Layer <b>", "Faded: earlier days", "MiG-25 that day"}
    assert float(rows["Faded: earlier days"].find("svg").get("opacity")) == mapview.TRAIL_OPACITY
    mig = rows["MiG-25 that day"].find("svg/svg")
    assert [child.tag for child in mig] == ["circle", "polygon"]
    assert mig.find("circle").get("stroke") == "#b00020"
    page = mapview.legend_html([("Layer", STYLE)])
    assert "<img" not in page and "fa-" not in page and "url(" not in page


def test_a_legend_style_with_a_dash_pattern_that_is_not_numbers_is_refused():
    with pytest.raises(ValueError, match="dash_array"):
        mapview.legend_html([("x", {**STYLE, "dash_array": '4" onload="alert(1)'})])


def test_the_base_map_drops_failing_online_tiles_and_says_so_and_stays_the_same(story):
    legend = [("Layer A", STYLE)]
    first = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", legend)
    second = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", legend)
    for day in (date(1976, 9, 6), date(1976, 11, 15)):  # whatever the day, nothing changes
        mapview.day_groups([("a", "A", story, STYLE)], day)
    page = first.get_root().render()
    assert "tileerror" in page and "removeLayer" in page
    assert "tiles could not be loaded (offline?); showing the built-in land map." in page
    for name, url, _attribution in mapview.TILE_LAYERS:
        assert f"{json.dumps(url)}:{json.dumps(name)}" in page.replace(": ", ":")
    children = list(first._children.values())
    (fallback,) = (child for child in children if isinstance(child, mapview.TileFallback))
    embedded = next(child for child in children if isinstance(child, Layer))
    assert embedded.layer_name == mapview.EMBEDDED_BASEMAP and fallback.fallback is embedded
    assert fallback.limit == mapview.TILE_ERROR_LIMIT
    assert _map_key(first) == _map_key(second)


def test_a_tile_layer_name_reaches_the_offline_note_escaped():
    m = mapview.base_map(LOCAL, mapview.StaticBasemap("b.geojson"), "i.json", [])
    group = mapview.folium.FeatureGroup(name="g").add_to(m)
    mapview.TileFallback([(HOSTILE, "https://x/{z}/{x}/{y}.png", "")], group).add_to(m)
    page = m.get_root().render()
    assert "<img src=x" not in page and "<script>alert(3)" not in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page
