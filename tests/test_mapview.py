"""The dashboard's folium map: a base map that never changes and a per-day message of bytes."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string, generate_js_hash
from support import HOSTILE

from geo import mapview
from geo.assets import STATIC_URL, WebAssets

LOCAL = WebAssets(
    js=(("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js"),),
    css=(("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css"),),
    offline=True,
)
CLIENT = mapview.ClientFiles(js="fx.js", css="fx.css", config="config.json")


def _map_key(m: mapview.folium.Map) -> str:
    """What st_folium keys the browser component on: the base map's script."""
    m.render()
    return generate_js_hash(_get_map_string(m), "map")


def message(day: date, at: time | None, layer_ids: list[str]) -> str:
    """The JavaScript streamlit-folium sends on a rerun for this view."""
    base = mapview.base_map(LOCAL, CLIENT)
    base.render()
    return _get_feature_group_string(mapview.DayView(day, at, layer_ids), base)


def test_the_base_map_is_identical_on_every_rerun_whatever_the_day():
    first, second = mapview.base_map(LOCAL, CLIENT), mapview.base_map(LOCAL, CLIENT)
    message(date(1976, 9, 25), None, ["hakodate"])  # a rerun's message changes nothing
    assert _map_key(first) == _map_key(second)


def test_the_base_map_loads_local_leaflet_and_the_served_client_and_mounts_it():
    m = mapview.base_map(LOCAL, CLIENT)
    assert [src for _, src in m.default_js] == [f"{STATIC_URL}/vendor/leaflet/leaflet.js", "fx.js"]
    assert [href for _, href in m.default_css][-1] == "fx.css"
    assert mapview.folium.Map.default_js != m.default_js  # instance-level, other maps untouched
    assert m.location == list(mapview.CENTER) and m.options["zoom"] == mapview.ZOOM
    m.render()
    script = _get_map_string(m)
    assert 'fx.mount(map_div, "config.json");' in script
    # ... and hands it the page's Play button, which Space presses (the page's own key)
    assert 'fx.host(map_div, {"play":".st-key-play button"});' in script
    assert len(script) < 1500  # the map's code and data travel as static files, not per rerun


def test_a_rerun_sends_only_the_day_the_replay_time_and_the_layers():
    sent = message(date(1976, 9, 6), time(13, 20), ["hakodate", "c5a_route"])
    call = sent.split("fx.show(", 1)[1].split(");", 1)[0]
    assert json.loads(call) == {
        "day": "1976-09-06",
        "at": "13:20",
        "layers": ["hakodate", "c5a_route"],
    }
    assert len(sent) < 400
    assert json.loads(message(date(1976, 9, 7), None, [])
                      .split("fx.show(", 1)[1].split(");", 1)[0])["at"] is None  # fmt: skip


def test_hostile_layer_ids_stay_inside_a_json_string():
    sent = message(date(1976, 9, 6), None, [HOSTILE])
    assert "</script" not in sent and "<img" not in sent and "\u2028" not in sent
    call = sent.split("fx.show(", 1)[1].split(");\n", 1)[0]
    assert json.loads(call)["layers"] == [HOSTILE]


def test_a_day_that_is_not_a_date_is_refused():
    with pytest.raises(ValueError, match="day must be a date, got '1976-09-06'"):
        mapview.DayView("1976-09-06", None, [])  # type: ignore[arg-type]


def test_online_tile_layers_are_offered_beside_the_embedded_basemap_with_an_offline_limit():
    config = mapview.client_config("items.json", "basemap.geojson")
    assert config["store"] == "items.json" and config["basemap"]["data"] == "basemap.geojson"
    tiles = config["tiles"]
    assert [t["name"] for t in tiles["layers"]] == [name for name, _, _ in mapview.TILE_LAYERS]
    assert tiles["embedded"] == "Embedded basemap (offline)"
    assert tiles["limit"] == mapview.TILE_ERROR_LIMIT


def test_the_day_message_carries_a_shared_view_and_a_jump_only_when_asked():
    def message(view: mapview.DayView) -> dict:
        return json.loads(str(view.view))

    plain = message(mapview.DayView(date(1976, 9, 10), None, ["hakodate"]))
    assert plain == {"day": "1976-09-10", "at": None, "layers": ["hakodate"]}
    asked = message(
        mapview.DayView(date(1976, 9, 10), None, [], goto=(41.77, 140.82, 9), focus=("landing", 3))
    )
    assert asked["goto"] == {"center": [41.77, 140.82], "zoom": 9.0}
    assert asked["focus"] == {"id": "landing", "n": 3}


def test_the_first_message_of_a_session_can_carry_the_address_for_the_client_to_write():
    view = mapview.DayView(date(1976, 9, 6), None, [], address="date=1976-09-06&time=13:20")
    assert json.loads(str(view.view))["address"] == "date=1976-09-06&time=13:20"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("?date=1976-09-06", "address must be a query string without '\\?', got '\\?date"),
        (b"date=1976-09-06", "address must be a query string without"),
    ],
)
def test_an_address_that_is_not_a_bare_query_string_is_refused(address, message):
    with pytest.raises(ValueError, match=message):
        mapview.DayView(date(1976, 9, 6), None, [], address=address)
