"""The page through AppTest: scrubbing, buttons, replay, URL state, bad URLs, the map key."""

from __future__ import annotations

import io
import json
import math
from datetime import date, time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import app
import layers

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def run_app(**params: str) -> AppTest:
    """A first run of the page with the given URL parameters; it must not raise."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def panel(at: AppTest) -> str:
    (body,) = [e.proto.body for e in at.get("html") if 'class="fx-panel"' in e.proto.body]
    return body


def figures(at: AppTest) -> str:
    (body,) = [e.proto.body for e in at.get("html") if 'class="fx-figures"' in e.proto.body]
    return body


def layer_pills(at: AppTest):
    (pills,) = [group for group in at.sidebar.button_group if group.key == "layers"]
    return pills


def the_map(at: AppTest) -> tuple[str, dict]:
    """The st_folium element: its id (what keeps the browser's map) and its arguments."""
    (element,) = at.get("component_instance")
    return element.proto.id, json.loads(element.proto.json_args)


def shown_view(at: AppTest) -> dict:
    """The view the map's client is told to draw on this rerun."""
    _, args = the_map(at)
    return json.loads(args["feature_group"].split("fx.show(", 1)[1].split(");", 1)[0])


def day_slider(at: AppTest):
    return at.sidebar.slider(key="day")


def test_the_page_opens_on_6_september_with_map_panel_and_figures():
    at = run_app()
    assert at.sidebar.header[0].value == "Belenko's MiG-25, Sept to Nov 1976"
    assert not at.main.title  # the map starts the main area
    assert day_slider(at).value == date(1976, 9, 6)
    assert "On this day: 6 September 1976" in panel(at)
    assert "Landing at Hakodate Airport" in panel(at)
    assert shown_view(at) == {
        "day": "1976-09-06",
        "at": "15:00",
        "layers": list(layers.LAYERS),
        "address": "date=1976-09-06",  # the map's client puts it in the address bar
    }
    assert "Flown on 6 Sep (drawn track)" in figures(at) and "623 km" in figures(at)
    assert "day 1 of 71" in figures(at)
    assert not at.warning


def test_moving_the_slider_changes_the_panel_and_the_map_but_not_the_map_element():
    at = run_app()
    first_id, _ = the_map(at)
    day_slider(at).set_value(date(1976, 9, 25)).run()
    assert "On this day: 25 September 1976" in panel(at)
    assert "USAF C-5A Galaxy airlift" in panel(at)
    assert "Landing at Hakodate Airport" not in panel(at)
    map_id, args = the_map(at)
    assert map_id == first_id  # same element: the browser keeps its Leaflet map and view
    assert shown_view(at)["day"] == "1976-09-25"
    # The whole map message of a rerun is small: the client loaded the store once.
    assert len(json.dumps(args)) < 2048


def test_the_map_element_survives_every_kind_of_change():
    at = run_app()
    ids = {the_map(at)[0]}
    day_slider(at).set_value(date(1976, 11, 15)).run()
    ids.add(the_map(at)[0])
    layer_pills(at).unselect("hyakuri").run()
    ids.add(the_map(at)[0])
    at.sidebar.button(key="prev").click().run()
    ids.add(the_map(at)[0])
    assert len(ids) == 1


def test_day_buttons_step_one_day_and_stop_at_the_ends():
    at = run_app(date="1976-09-02")
    at.sidebar.button(key="next").click().run()
    assert day_slider(at).value == date(1976, 9, 3)
    assert "On this day: 3 September 1976" in panel(at)
    at.sidebar.button(key="prev").click().run()
    at.sidebar.button(key="prev").click().run()
    assert day_slider(at).value == date(1976, 9, 1)
    assert at.sidebar.button(key="prev").disabled  # nothing before the first day
    assert not at.sidebar.button(key="next").disabled
    last = run_app(date="1976-11-30")
    assert last.sidebar.button(key="next").disabled and not last.sidebar.button(key="prev").disabled


def test_play_flies_6_sep_in_five_minute_steps_then_goes_on_and_loops():
    def step(at: AppTest) -> None:
        at.session_state.last_step = 0.0  # the step is due: the player takes it on this run
        at.run()
        at.session_state.last_step = math.inf  # and no other run takes one, however slow

    at = run_app(date="1976-09-06")
    at.sidebar.radio(key="speed").set_value(4.0).run()
    at.sidebar.button(key="play").click().run()
    assert at.sidebar.select_slider(key="at").value == time(12, 0)  # the flight from its start
    at.session_state.last_step = math.inf
    step(at)
    assert at.sidebar.select_slider(key="at").value == time(12, 5)
    assert day_slider(at).value == date(1976, 9, 6)
    at.sidebar.select_slider(key="at").set_value(time(14, 55)).run()
    step(at)
    assert at.sidebar.select_slider(key="at").value == time(15, 0)
    step(at)
    assert day_slider(at).value == date(1976, 9, 7)  # the flight over, the next day
    day_slider(at).set_value(date(1976, 11, 30)).run()
    step(at)
    assert not at.session_state.playing  # the end, no loop
    at.sidebar.checkbox(key="loop").check().run()
    at.sidebar.button(key="play").click().run()  # Play at the end starts over
    assert day_slider(at).value == date(1976, 9, 1)
    at.session_state.last_step = math.inf
    day_slider(at).set_value(date(1976, 11, 30)).run()
    step(at)
    assert day_slider(at).value == date(1976, 9, 1) and at.session_state.playing  # looped


def test_opening_the_export_dialog_pauses_play():
    at = run_app(date="1976-09-20")
    at.sidebar.button(key="play").click().run()
    assert at.session_state.playing
    at.sidebar.button(key="export").click().run()
    assert not at.session_state.playing
    assert at.sidebar.button(key="play").label == "▶ Play"


def test_play_turns_into_stop_and_back():
    at = run_app()
    assert at.sidebar.button(key="play").label == "▶ Play"
    at.sidebar.button(key="play").click().run()
    assert at.sidebar.button(key="play").label == "■ Stop"
    at.sidebar.button(key="play").click().run()
    assert at.sidebar.button(key="play").label == "▶ Play"


def test_the_6_sep_replay_shows_only_what_has_happened_by_then():
    at = run_app()
    replay = at.sidebar.select_slider(key="at")
    replay.set_value(time(13, 15)).run()
    text = panel(at)
    assert "up to 13:15 JST" in text
    assert "Okushiri radar picks up the MiG-25" in text
    assert "Landing at Hakodate Airport" not in text
    assert shown_view(at)["at"] == "13:15"
    assert at.query_params["time"] == "13:15"


def test_the_replay_control_is_only_there_on_6_sep_and_keeps_its_time():
    at = run_app()
    at.sidebar.select_slider(key="at").set_value(time(13, 30)).run()
    day_slider(at).set_value(date(1976, 9, 7)).run()
    assert not [s for s in at.sidebar.select_slider if s.key == "at"]
    day_slider(at).set_value(date(1976, 9, 6)).run()
    assert at.sidebar.select_slider(key="at").value == time(13, 30)


def test_jumping_to_an_event_sets_its_day_and_replay_time():
    at = run_app(date="1976-10-01")
    options = at.sidebar.selectbox(key="jump").options
    assert not any("Chuguyevka air base" in option for option in options)  # places, not events
    at.sidebar.selectbox(key="jump").set_value("c5a-airlift").run()
    assert day_slider(at).value == date(1976, 9, 24)  # it took off late on 24 Sep
    at.sidebar.selectbox(key="jump").set_value("f4ej-scramble").run()
    assert day_slider(at).value == date(1976, 9, 6)
    assert at.sidebar.select_slider(key="at").value == time(13, 20)


def test_url_parameters_choose_the_day_and_layers():
    at = run_app(date="1976-09-25", layers="hakodate,c5a_route")
    assert day_slider(at).value == date(1976, 9, 25)
    assert layer_pills(at).value == ["hakodate", "c5a_route"]
    assert "USAF C-5A Galaxy airlift" in panel(at)
    assert "<b>Hyakuri Air Base</b>" not in panel(at)
    assert shown_view(at)["layers"] == ["hakodate", "c5a_route"]


def test_the_url_follows_the_view():
    at = run_app()
    day_slider(at).set_value(date(1976, 10, 3)).run()
    assert at.query_params["date"] == "1976-10-03"
    assert "layers" not in at.query_params  # all layers: nothing to say
    layer_pills(at).unselect("aftermath").run()
    assert at.query_params["layers"].split(",") == [
        "soviet_bases",
        "defection_flight",
        "chitose",
        "hakodate",
        "tsugaru_patrols",
        "c5a_route",
        "hyakuri",
    ]


def test_the_first_run_hands_the_map_a_readable_address_and_later_runs_none():
    at = run_app(date="1976-09-06", layers="hakodate,c5a_route", time="13:20")
    assert shown_view(at)["address"] == "date=1976-09-06&layers=hakodate,c5a_route&time=13:20"
    day_slider(at).set_value(date(1976, 9, 7)).run()
    assert "address" not in shown_view(at)  # Streamlit writes it from now on
    assert at.query_params["date"] == "1976-09-07" and "time" not in at.query_params


def back_or_forward(monkeypatch, at: AppTest, **params: str) -> None:
    """A rerun as Streamlit makes one after Back or Forward: the entry's query string, flagged
    as history navigation."""
    import streamlit.runtime.scriptrunner as scriptrunner

    at.query_params.clear()
    at.query_params.update(params)
    flagged = SimpleNamespace(is_history_navigation=True)
    monkeypatch.setattr(scriptrunner, "get_script_run_ctx", lambda: flagged)
    try:
        at.run()
    finally:
        monkeypatch.undo()
    assert not at.exception, at.exception


def test_back_and_forward_show_the_view_their_address_names(monkeypatch):
    at = run_app(date="1976-09-20")
    at.sidebar.button(key="next").click().run()
    at.sidebar.button(key="play").click().run()
    assert at.query_params["date"] == "1976-09-21" and at.session_state.playing
    back_or_forward(monkeypatch, at, date="1976-09-06", time="13:20", layers="hakodate,moon")
    assert day_slider(at).value == date(1976, 9, 6)
    assert at.sidebar.select_slider(key="at").value == time(13, 20)
    assert layer_pills(at).value == ["hakodate"]
    assert shown_view(at) == {"day": "1976-09-06", "at": "13:20", "layers": ["hakodate"]}
    assert not at.session_state.playing  # Play stops at the view the reader went back to
    (warning,) = at.warning  # a bad value keeps its notice, the valid parts are kept
    assert "Ignored 'moon' in layers" in warning.value.replace("\\", "")
    assert at.query_params["layers"] == "hakodate"  # the address is rewritten in place
    back_or_forward(monkeypatch, at, date="1976-09-21", view="41.77,140.82,9")
    assert day_slider(at).value == date(1976, 9, 21)
    assert shown_view(at)["goto"] == {"center": [41.77, 140.82], "zoom": 9.0}


def test_a_rerun_that_is_not_back_or_forward_keeps_the_view_whatever_its_query_says():
    # A query string sent before the browser saw the last write lags behind: never go back.
    at = run_app(date="1976-09-20")
    day_slider(at).set_value(date(1976, 9, 22)).run()
    at.query_params["date"] = "1976-09-21"
    at.sidebar.button(key="next").click().run()
    assert day_slider(at).value == date(1976, 9, 23)
    assert at.query_params["date"] == "1976-09-23"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date": "1976-13-45"}, "Ignored date"),
        ({"date": "1977-01-01"}, "outside 1976"),
        ({"date": "<script>alert(1)</script>"}, "Ignored date"),
        ({"layers": "no_such_layer"}, "unknown layer"),
        ({"time": "13:07"}, "not a 5-minute step"),
        ({"time": "11:00"}, "11:00 is outside 12:00\u201315:00"),
        ({"time": "noon"}, "not HH:MM"),
    ],
)
def test_a_bad_url_parameter_gives_a_short_notice_and_the_default(params, expected):
    at = run_app(**params)
    (warning,) = at.warning
    assert expected in warning.value.replace("\\", "")
    assert len(warning.value) < 300
    assert day_slider(at).value == date(1976, 9, 6)
    assert layer_pills(at).value == list(app.layers.LAYERS)


def test_the_known_layers_of_a_url_are_kept_and_the_notices_go_after_the_first_change():
    at = run_app(date="1976-09-25", layers="hakodate,moon")
    (warning,) = at.warning
    assert "Ignored 'moon' in layers: unknown layer 'moon'" in warning.value.replace("\\", "")
    assert "known: soviet_bases, defection_flight" in warning.value.replace("\\", "")
    assert layer_pills(at).value == ["hakodate"]
    at.run()  # a rerun that changes nothing keeps the notice
    assert len(at.warning) == 1
    at.sidebar.button(key="next").click().run()
    assert not at.warning  # the view has changed: the notice has done its job


def test_notices_neutralise_markdown_in_the_value_they_quote():
    assert app._short("![x](http://e/x.png)") == "\\!\\[x\\]\\(http\\://e/x\\.png\\)"
    assert app._short("a" * 100).endswith("...")


# --- Export dialog ---------------------------------------------------------------------------
# In the browser, choices inside the dialog rerun only the dialog, which stays open. AppTest
# reruns the whole page, so each step here opens the dialog again with the Export button.


def export(at: AppTest) -> AppTest:
    """Open the export dialog (with whatever choices were set) and run the page."""
    at.sidebar.button(key="export").click().run()
    assert not at.exception, at.exception
    return at


def export_caption(at: AppTest) -> list[str]:
    return [caption.value.replace("\\", "") for caption in at.caption]


def test_scrubbing_pays_for_one_export_button_not_the_dialog():
    at = run_app(date="1976-09-25")
    assert at.sidebar.button(key="export").label == "Export layers…"
    assert not at.multiselect and not at.get("download_button")


def test_the_export_dialog_offers_the_visible_layers_of_the_chosen_day():
    at = export(run_app(date="1976-09-25", layers="hakodate,c5a_route,aftermath"))
    (picked,) = at.multiselect
    assert picked.value == ["hakodate", "c5a_route", "aftermath"]
    at.selectbox(key="export_format").set_value("gpkg")
    export(at)
    (button,) = at.get("download_button")
    assert button.proto.label == "Download"
    assert button.proto.deferred_file_id  # the file is made when the user clicks
    captions = export_caption(at)
    assert "foxbat76_1976-09-25_hakodate-c5a_route.gpkg: 2 features" in captions[0]
    assert "Left out, nothing that day: Aftermath" in captions[1]


def test_the_export_scope_can_be_the_whole_period():
    at = export(run_app(date="1976-09-25", layers="hakodate"))
    at.radio(key="export_scope").set_value("all")
    at.selectbox(key="export_format").set_value("kml")
    export(at)
    (caption,) = export_caption(at)
    assert caption == ("foxbat76_all_hakodate.kml: 5 features Sep to Nov 1976 in 1 layer.")


def test_an_empty_export_selection_says_so_and_offers_no_file():
    at = export(run_app(date="1976-10-10"))
    at.multiselect[0].set_value(["defection_flight"])
    export(at)
    assert not at.get("download_button")
    (info,) = at.info
    assert "nothing to export for 1976-10-10 in layers defection_flight" in info.value.replace(
        "\\", ""
    )
    at.multiselect[0].set_value([])
    export(at)
    assert "no layers selected" in at.info[0].value


def test_exporting_changes_nothing_else_on_the_page():
    at = run_app(date="1976-09-25")
    map_id, _ = the_map(at)
    export(at).selectbox(key="export_format").set_value("csv")
    export(at)
    assert the_map(at)[0] == map_id
    assert day_slider(at).value == date(1976, 9, 25)
    assert at.query_params["date"] == "1976-09-25"


@pytest.mark.parametrize(
    ("fmt", "day", "expected"),
    [
        ("gpkg", date(1976, 9, 24), 4),
        ("csv", None, 5),
    ],
)
def test_the_download_content_is_the_export_of_the_panel_choice(tmp_path, fmt, day, expected):
    import geopandas as gpd

    frames = {layer_id: app.layer_frames()[layer_id] for layer_id in ("hakodate", "c5a_route")}
    if day is None:
        frames = {"hakodate": frames["hakodate"]}
    content = app.export_content(frames, fmt, day)
    path = tmp_path / f"download.{fmt}"
    path.write_bytes(content)
    if fmt == "csv":
        read = pd.read_csv(path)
        assert list(read["layer"]) == ["hakodate"] * expected
        assert read["start"].str.endswith("+09:00").all()
    else:
        tables = gpd.read_file(path, layer="layers")["table_name"]  # a table per geometry type
        assert sum(len(gpd.read_file(path, layer=name)) for name in tables) == expected


def test_the_export_dialog_renders_a_png_of_the_replay_time_in_view():
    from PIL import Image

    at = export(run_app(date="1976-09-06", time="13:20", layers="defection_flight"))
    at.selectbox(key="export_format").set_value("png")
    export(at)
    assert not at.get("download_button")  # drawn only on request
    assert "The map of Monday 6 September 1976, 13:20 JST" in export_caption(at)[0]
    at.button(key="export_render").click()
    export(at)
    (button,) = at.get("download_button")
    assert button.proto.label == "Download"
    (_, name, content, mime) = at.session_state.export_picture
    assert name == "foxbat76_1976-09-06-1320_defection_flight.png" and mime == "image/png"
    with Image.open(io.BytesIO(content)) as picture:
        assert picture.size == (1600, 1000)


def test_the_export_dialog_describes_an_animation_of_the_whole_period():
    at = export(run_app(date="1976-09-25"))
    at.selectbox(key="export_format").set_value("mp4")
    export(at)
    assert not [radio for radio in at.radio if radio.key == "export_scope"]  # a film has none
    at.checkbox(key="export_replay").check()
    export(at)
    assert export_caption(at)[0] == ("127 frames, 1 Sep to 30 Nov 1976, 2 per second (64 s).")


def test_a_catalog_error_is_one_message_on_the_page(monkeypatch):
    def broken() -> None:
        raise app.CatalogError("catalog.toml: item 'x': end 1976-09-24 is before start 1976-09-25")

    # The page's own caches, not only this module's copies.
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setattr(app.layers, "build_all", broken)
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        (error,) = at.error
        assert "item 'x': end 1976" in error.value.replace("\\", "")
        assert not at.get("component_instance")  # no map drawn from a broken catalog
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_a_shared_view_with_every_layer_off_reloads_that_way():
    at = run_app(date="1976-09-25")
    layer_pills(at).set_value([]).run()
    assert at.query_params["layers"] == ""
    again = run_app(date="1976-09-25", layers="")
    assert not again.warning
    assert layer_pills(again).value == []
    assert "No new event on this day" in panel(again)


def test_jumping_to_an_event_on_a_hidden_layer_shows_that_layer():
    at = run_app(date="1976-10-10", layers="hakodate")
    at.sidebar.selectbox(key="jump").set_value("c5a-airlift").run()
    assert day_slider(at).value == date(1976, 9, 24)
    assert layer_pills(at).value == ["hakodate", "c5a_route"]
    assert "USAF C-5A Galaxy airlift" in panel(at)
    assert shown_view(at) == {
        "day": "1976-09-24",
        "at": None,
        "layers": ["hakodate", "c5a_route"],
        "focus": {"id": "c5a-airlift", "n": 1},  # the map flies to it, once
    }
    at.sidebar.button(key="next").run()
    assert shown_view(at)["focus"] == {"id": "c5a-airlift", "n": 1}  # no second flight
    at.sidebar.selectbox(key="jump").set_value("landing").run()
    assert shown_view(at)["focus"] == {"id": "landing", "n": 2}


def test_a_shared_map_view_is_restored_and_a_bad_one_named():
    at = run_app(date="1976-09-10", view="41.77,140.82,9")
    assert not at.warning
    assert shown_view(at)["goto"] == {"center": [41.77, 140.82], "zoom": 9.0}
    assert shown_view(at)["address"] == "date=1976-09-10&view=41.77,140.82,9"  # kept
    bad = run_app(date="1976-09-10", view="41.77,200,9")
    assert "Ignored view '41.77,200,9': longitude 200 is outside the map's 125..155" in (
        bad.warning[0].value.replace("\\", "")
    )
    assert "goto" not in shown_view(bad)
    assert shown_view(bad)["address"] == "date=1976-09-10"


def test_a_repeated_url_parameter_is_rewritten_to_the_view_shown():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["date"] = ["1976-09-06", "1976-09-07"]
    at.run()
    assert not at.exception
    shown = day_slider(at).value.isoformat()
    assert shown_view(at)["address"] == f"date={shown}"  # one value, the day on screen
    at.run()  # later reruns write it through Streamlit (the client makes that a replacement)
    assert at.query_params["date"] == shown


def test_whole_day_events_are_listed_without_a_midnight_time():
    at = run_app()
    labels = at.sidebar.selectbox(key="jump").options
    assert any(label.startswith("02 Oct · ") for label in labels)
    assert not any("00:00" in label for label in labels)


def test_the_jet_counts_as_in_japan_only_once_it_has_landed():
    assert "71 days" in figures(run_app(time="12:00"))
    assert "day 1 of 71" in figures(run_app(time="14:00"))


def timeline(at: AppTest) -> tuple[str, float]:
    """The timeline's drawing and where the day's style puts its rule (% of the period)."""
    bodies = [e.proto.body for e in at.get("html")]
    (drawing,) = [body for body in bodies if 'class="fx-timeline"' in body]
    (style,) = [body for body in bodies if body.startswith("<style>.fx-timeline{--fx-day:")]
    return drawing, float(style.split("--fx-day:", 1)[1].split("%", 1)[0])


def test_the_timeline_draws_every_item_and_only_its_rule_moves_with_the_day():
    at = run_app(date="1976-09-25")
    drawing, rule = timeline(at)
    assert drawing.count('class="fx-tl-bar') == len(app.page_data().items)  # a bar per item
    assert 'aria-label="Timeline, 1 Sep to 30 Nov 1976' in drawing
    day_slider(at).set_value(date(1976, 10, 3)).run()
    assert timeline(at)[0] == drawing  # the browser keeps the drawing as it is
    assert timeline(at)[1] == pytest.approx(rule + 100 * 8 / 91, abs=0.01)  # 8 days on


def test_a_time_on_a_day_other_than_6_september_gets_a_notice():
    at = run_app(date="1976-09-25", time="13:20")
    (warning,) = at.warning
    assert "Ignored time" in warning.value and "applies only to 6 Sep 1976" in warning.value
    assert day_slider(at).value == date(1976, 9, 25)
    assert shown_view(at)["address"] == "date=1976-09-25"  # the URL shows the view on screen


def test_a_missing_catalog_names_the_file_not_where_it_lives(monkeypatch, tmp_path):
    from geo.catalog import load_catalog

    missing = tmp_path / "server-only-folder" / "catalog.toml"

    def unreadable() -> None:
        load_catalog(missing)  # the real error for a catalog that is not there

    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setattr(app.layers, "build_all", unreadable)
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        (error,) = at.error
        text = error.value.replace("\\", "")
        assert "catalog.toml: cannot read the catalog" in text
        assert "server-only-folder" not in text and str(tmp_path) not in text
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_the_dashboard_reads_a_researchers_own_catalog(monkeypatch, tmp_path):
    text = (Path(app.__file__).parent / "geo" / "data" / "catalog.toml").read_text("utf-8")
    old = 'name = "Landing at Hakodate Airport"'
    assert old in text
    mine = tmp_path / "my-catalog.toml"
    mine.write_text(text.replace(old, 'name = "Touchdown at Hakodate (my reading)"'), "utf-8")
    monkeypatch.setenv("FOXBAT76_CATALOG", str(mine))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = run_app()
        assert not at.exception
        assert "Touchdown at Hakodate (my reading)" in panel(at)
    finally:
        monkeypatch.delenv("FOXBAT76_CATALOG")
        st.cache_data.clear()
        st.cache_resource.clear()
    assert "Landing at Hakodate Airport" in panel(run_app())
