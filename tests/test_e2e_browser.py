"""End to end in Debian's headless Chromium: the map keeps its view while the keyboard scrubs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, StreamlitServer, is_local, serious_accessibility_problems

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
# Set FOXBAT76_UPDATE_SCREENSHOT=1 to refresh the README's picture from this run.
UPDATE_SCREENSHOT = bool(os.environ.get("FOXBAT76_UPDATE_SCREENSHOT"))

# True once a map iframe has drawn the given selector (the MiG marker carries the day).
FIND = """
(selector) => {
    for (const frame of document.querySelectorAll("iframe")) {
        let doc = null;
        try { doc = frame.contentDocument; } catch (e) { continue; }
        if (doc && doc.querySelector(selector)) { return true; }
    }
    return false;
}
"""


class Visit:
    """A page on the app, with every request it made recorded and off-machine ones blocked."""

    def __init__(self, page: Any, server: StreamlitServer) -> None:
        self.page = page
        self.server = server
        self.urls: list[str] = []
        self.blocked: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))
        page.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:  # never let a request leave the machine, but remember that it was tried
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, query: str, day: str) -> None:
        self.page.goto(f"{self.server.url}/{query}")
        self.wait_for(f".fx-day-{day}")

    def wait_for(self, selector: str, timeout: float = 30000) -> None:
        self.page.wait_for_function(FIND, arg=selector, timeout=timeout, polling=50)

    @property
    def map_frame(self) -> Any:
        frames = [f for f in self.page.frames if "st_folium" in f.url]
        assert len(frames) == 1, [f.url for f in self.page.frames]
        return frames[0]

    def wait_for_basemap(self) -> None:
        """The embedded basemap drawn: one land layer of 1,000+ islands, one border layer."""
        self.map_frame.wait_for_function(
            "window.fx.basemapLayer && window.fx.basemapLayer.getLayers().length === 2"
            " && window.fx.basemapLayer.getLayers()[0].getLatLngs().length > 1000"
        )

    def count(self, selector: str) -> int:
        return self.map_frame.evaluate(f"document.querySelectorAll({selector!r}).length")

    def view(self) -> tuple[int, float, float]:
        zoom, lat, lng = self.map_frame.evaluate(
            "[window.map.getZoom(), window.map.getCenter().lat, window.map.getCenter().lng]"
        )
        return zoom, round(lat, 4), round(lng, 4)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def visit(chromium: Any, app_server: StreamlitServer) -> Iterator[Visit]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield Visit(page, app_server)
    finally:
        context.close()


def wait_for_view_in_url(page: Any, day: str, view: tuple[int, float, float]) -> None:
    """Wait for the address bar to name `day` and the map `view` (zoom, lat, lng)."""
    zoom, lat, lng = view
    page.wait_for_url(f"**?date={day}&view=*,*,{zoom:g}", timeout=15000)
    shared = page.url.rsplit("view=", 1)[1].split(",")
    assert abs(float(shared[0]) - lat) < 2e-4 and abs(float(shared[1]) - lng) < 2e-4


def test_scrubbing_with_the_keyboard_redraws_the_day_and_keeps_the_zoom(visit):
    visit.open("?date=1976-09-20", "1976-09-20")
    frame = visit.map_frame
    visit.wait_for_basemap()
    assert visit.count(".fx-id-c5a-airlift") == 0  # 25 Sep is still to come
    assert visit.count(".fx-id-defection-route.fx-trail") == 1
    visit.screenshot("day-1976-09-20.png")

    # The user double-clicks in northern Honshu, then zooms in once more with the + button.
    # (Where nothing is drawn: on Hakodate the first click would open a popup that may take
    # the second click.)
    frame.wait_for_function("fx.view !== undefined")  # framed on the story by then
    start = frame.evaluate("window.map.getZoom()")
    assert frame.evaluate("fx.view.here(L.latLng([39.5, 140.9]))") == []
    x, y = frame.evaluate("(p => [p.x, p.y])(window.map.latLngToContainerPoint([39.5, 140.9]))")
    frame.locator("#map_div").dblclick(position={"x": x, "y": y})
    zoomed = "z => window.map.getZoom() === z && !window.map._animatingZoom"
    frame.wait_for_function(zoomed, arg=start + 1)
    frame.click(".leaflet-control-zoom-in")
    frame.wait_for_function(zoomed, arg=start + 2)
    frame.evaluate("window.map.__kept = true")
    before = visit.view()
    # The timeline below: a bar per item with its name and dates as tooltip, the day's rule.
    landing = visit.page.locator(".fx-timeline .fx-tl-bar[title^='Landing at Hakodate Airport']")
    assert landing.get_attribute("title") == "Landing at Hakodate Airport: 6 Sep 1976, 13:50 JST"
    rule_x = visit.page.locator(".fx-day-rule").bounding_box()["x"]

    slider = visit.page.get_by_role("slider").first
    slider.focus()
    for _ in range(5):
        visit.page.keyboard.press("ArrowRight")
    visit.wait_for(".fx-day-1976-09-25")

    assert visit.view() == before  # same zoom and centre
    assert visit.map_frame.evaluate("window.map.__kept === true")  # the same Leaflet map
    assert visit.count(".fx-id-c5a-airlift.fx-active") == 1
    assert visit.count(".fx-id-msdf-tsugaru-patrol.fx-active") == 1
    assert visit.count(".fx-id-landing.fx-trail") == 1
    # The panel follows the map (the map moves first, in the browser): wait for it.
    visit.page.get_by_text("On this day: 25 September 1976").first.wait_for(timeout=15000)
    moved = "x => document.querySelector('.fx-day-rule').getBoundingClientRect().x > x + 5"
    visit.page.wait_for_function(moved, arg=rule_x, timeout=15000)  # five days on
    # The URL follows the view: the day, and where the user zoomed to.
    wait_for_view_in_url(visit.page, "1976-09-25", before)
    visit.screenshot("day-1976-09-25-zoomed.png")

    visit.page.keyboard.press("ArrowRight")
    visit.wait_for(".fx-day-1976-09-26")
    assert visit.count(".fx-id-c5a-airlift.fx-trail") == 1
    assert visit.view() == before

    assert visit.blocked == []
    assert [url for url in visit.urls if not is_local(url)] == []


# What the map's iframe holds: streamlit-folium's kept groups, Leaflet's layers and click
# handlers, <style> elements (Streamlit adds one per message) and every element.
MAP_HOLDINGS = """
() => ({
    styles: document.querySelectorAll("style").length,
    feature_group: (window.feature_group || []).length,
    click_handlers: ((window.map._events || {}).click || []).length,
    layers: Object.keys(window.map._layers).length,
    elements: document.getElementsByTagName("*").length,
})
"""


def test_scrubbing_back_and_forth_leaves_nothing_behind_in_the_map_page_or_timeline(visit):
    visit.open("?date=1976-09-01", "1976-09-01")
    visit.wait_for_basemap()
    visit.map_frame.evaluate("window.map.__kept = true")
    slider = visit.page.get_by_role("slider").first
    slider.focus()

    def there_and_back(days: int) -> dict[str, int]:
        for key in ("ArrowRight", "ArrowLeft"):
            for step in range(1, days + 1):
                visit.page.keyboard.press(key)
                day = 1 + (step if key == "ArrowRight" else days - step)
                visit.wait_for(f".fx-day-1976-09-{day:02d}")
        # The map moves with the slider at once; wait for the server's last rerun too.
        visit.map_frame.wait_for_function("!fx.local && fx.wanted.day === '1976-09-01'")
        visit.page.get_by_text("On this day: 1 September 1976").first.wait_for(timeout=15000)
        visit.page.wait_for_url("**?date=1976-09-01", timeout=15000)
        visit.page.wait_for_timeout(300)  # the rest of the last rerun's elements
        return {
            **visit.map_frame.evaluate(MAP_HOLDINGS),
            "page_iframes": visit.page.evaluate("document.querySelectorAll('iframe').length"),
            "page_styles": visit.page.evaluate("document.querySelectorAll('style').length"),
            "timeline_rules": visit.page.locator(".fx-day-rule").count(),
        }

    # The first round adds what is made once: Leaflet's renderer for each pane first used,
    # the page's late parts. A second round over the same days must add nothing.
    settled = there_and_back(6)
    after = there_and_back(6)
    assert after == settled
    assert settled["feature_group"] <= 1 and settled["click_handlers"] <= 2
    assert settled["timeline_rules"] == 1  # the day's rule, none left from earlier days
    assert visit.map_frame.evaluate("window.map.__kept === true")  # never remounted


def test_the_map_follows_the_slider_before_the_server_answers(visit):
    # Hold back everything the server sends once the page is up: what the map shows after a
    # key press then comes from the browser alone.
    held: list[Any] = []
    holding = {"on": False}
    sockets: list[Any] = []

    def relay(socket: Any) -> None:
        server = socket.connect_to_server()
        socket.on_message(server.send)
        server.on_message(lambda m: held.append(m) if holding["on"] else socket.send(m))
        sockets.append(socket)

    visit.page.route_web_socket("**/_stcore/stream", relay)
    visit.open("?date=1976-09-20", "1976-09-20")
    visit.page.get_by_text("On this day: 20 September 1976").first.wait_for(timeout=10000)
    visit.page.get_by_role("slider").first.focus()
    holding["on"] = True
    visit.page.keyboard.press("ArrowRight")
    visit.wait_for(".fx-day-1976-09-21", timeout=15000)  # drawn with no answer from the server
    assert visit.page.get_by_text("On this day: 20 September 1976").first.is_visible()
    visit.page.keyboard.press("ArrowRight")
    visit.wait_for(".fx-day-1976-09-22", timeout=15000)

    holding["on"] = False  # the server's answers arrive, the first one for a day now left
    for message in held:
        sockets[-1].send(message)
    visit.page.get_by_text("On this day: 22 September 1976").first.wait_for(timeout=10000)
    visit.map_frame.wait_for_function("fx.local === null && fx.wanted.day === '1976-09-22'")
    assert visit.count(".fx-day-1976-09-22") == 1  # never went back to the 21st for good
    assert visit.count(".fx-id-c5a-airlift") == 0  # the 22nd's items: the airlift is to come
    visit.page.wait_for_url("**?date=1976-09-22", timeout=15000)


def test_popups_and_tooltips_show_escaped_text_and_the_legend_is_there(visit):
    visit.open("?date=1976-09-25", "1976-09-25")
    frame = visit.map_frame
    frame.wait_for_function("window.fx && window.fx.view !== undefined")
    frame.click(".fx-mig")
    # Several things sit at Hyakuri that day: one popup lists them, each opens on a click.
    frame.click(".leaflet-popup-content details[data-id='mig'] summary")
    frame.wait_for_selector(".leaflet-popup-content details[data-id='mig'] .fx-popup")
    text = frame.inner_text(".leaflet-popup-content")
    assert "MiG-25" in text and "Hyakuri Air Base" in text
    legend = frame.inner_text(".fx-legend")
    assert "C-5A transfer, 24-25 Sep" in legend and "Faded: earlier days" in legend
    assert frame.evaluate("document.querySelectorAll('.leaflet-popup-content img').length") == 0
    assert visit.blocked == []


def test_the_6_sep_replay_draws_the_flight_as_far_as_the_chosen_time(visit):
    visit.open("?date=1976-09-06&time=13:20", "1976-09-06")
    visit.wait_for(".fx-at-1320")
    frame = visit.map_frame
    assert visit.count(".fx-id-defection-route.fx-active") == 1
    assert visit.count(".fx-id-landing") == 0  # lands at 13:50
    assert visit.count(".fx-id-radar-contact") == 1
    visit.screenshot("day-1976-09-06-1320.png")
    zoom = visit.view()

    replay = visit.page.get_by_role("slider").nth(1)
    replay.focus()
    visit.page.keyboard.press("End")  # 15:00: the whole afternoon
    visit.wait_for(".fx-at-1500")
    assert visit.count(".fx-id-landing") == 1
    assert visit.view() == zoom
    if UPDATE_SCREENSHOT:
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(README_SCREENSHOT))
    visit.screenshot("day-1976-09-06-1500.png")
    assert frame.evaluate("window.map.getZoom()") == zoom[0]
    assert visit.blocked == []


def test_everything_the_page_loads_comes_from_this_machine(visit):
    visit.open("?date=1976-11-15&layers=hyakuri,aftermath", "1976-11-15")
    frame = visit.map_frame
    scripts = frame.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert any(src.endswith("/app/static/vendor/leaflet/leaflet.js") for src in scripts), scripts
    assert all(is_local(src) for src in scripts)
    sheets = frame.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
    assert any(href.endswith("/app/static/vendor/leaflet/leaflet.css") for href in sheets)
    assert visit.count(".fx-id-shipped-from-hitachi.fx-active") == 1
    assert visit.count(".fx-id-c5a-airlift") == 0  # layer switched off in the URL
    visit.screenshot("day-1976-11-15.png")
    assert visit.blocked == []
    assert all(is_local(url) for url in visit.urls)


def test_play_advances_a_day_at_a_time_and_stop_stops(visit):
    visit.open("?date=1976-09-23", "1976-09-23")
    visit.page.get_by_role("button", name="▶ Play").click()
    visit.wait_for(".fx-day-1976-09-25", timeout=15000)  # two days on, one per second
    zoom = visit.view()
    visit.page.get_by_role("button", name="■ Stop").click()
    visit.page.get_by_role("button", name="▶ Play").wait_for()
    stopped_at = visit.page.url
    visit.page.wait_for_timeout(2500)
    assert visit.page.url == stopped_at  # no more days after Stop
    assert visit.view() == zoom
    assert visit.blocked == []


def test_play_at_four_days_a_second_reaches_30_sep_from_23_sep(visit):
    visit.open("?date=1976-09-23", "1976-09-23")
    assert visit.page.get_by_role("button", name="◀ Day").is_enabled()
    visit.page.get_by_text("4 days/s").click()
    visit.page.get_by_role("radio", name="4 days/s").wait_for(state="attached")
    visit.page.wait_for_function(
        "() => [...document.querySelectorAll('input[type=radio]')].some(r => r.checked"
        " && r.closest('label').innerText.includes('4 days/s'))"
    )
    visit.page.get_by_role("button", name="▶ Play").click()
    visit.wait_for(".fx-day-1976-09-30", timeout=30000)  # about 2 s; generous on a busy machine
    visit.page.get_by_role("button", name="■ Stop").click()
    visit.page.get_by_role("button", name="▶ Play").wait_for()
    assert visit.blocked == []


def test_the_export_dialog_downloads_a_geopackage_of_the_day(visit, tmp_path):
    import geopandas as gpd
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    visit.open("?date=1976-09-25&layers=hakodate,c5a_route", "1976-09-25")
    page = visit.page
    page.get_by_role("button", name="Export layers…").click()
    page.get_by_role("dialog").wait_for()
    # Streamlit's select box is a combobox: type to filter, then pick the option.
    formats = page.get_by_role("combobox", name="Format")
    option = page.get_by_role("option", name="GeoPackage (QGIS, ArcGIS)")
    for _ in range(5):  # a rerun that lands while the list is open closes it: open it again
        formats.click()
        formats.fill("GeoPackage")
        try:
            option.click(timeout=3000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    page.get_by_text("foxbat76_1976-09-25_hakodate-c5a_route.gpkg").wait_for()
    with page.expect_download() as download_info:
        page.get_by_test_id("stDownloadButton").locator("button").click()
    download = download_info.value
    assert download.suggested_filename == "foxbat76_1976-09-25_hakodate-c5a_route.gpkg"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    hakodate = gpd.read_file(path, layer="hakodate")
    airlift = gpd.read_file(path, layer="c5a_route")
    assert "c5a-airlift" in set(airlift["id"])
    assert len(hakodate) + len(airlift) == 2  # the airport and the airlift that landed at 00:45
    assert visit.count(".fx-day-1976-09-25") >= 1  # the map is still the day's map
    assert visit.blocked == []


def test_an_online_tile_layer_that_cannot_load_gives_way_to_the_land_map_with_a_note(visit):
    visit.open("?date=1976-09-25", "1976-09-25")
    frame = visit.map_frame
    visit.wait_for_basemap()
    # The user opens the layer switcher and picks OpenStreetMap, with no network.
    frame.hover(".leaflet-control-layers")
    frame.get_by_role("radio", name="OpenStreetMap").check()
    note = frame.locator(".fx-tile-note")
    note.wait_for()
    assert "OpenStreetMap tiles could not be loaded (offline?)" in note.inner_text()
    assert "showing the built-in land map" in note.inner_text()
    assert any("tile.openstreetmap.org" in url for url in visit.blocked)  # it did try
    tiles_on_map = (
        "(() => { let n = 0; map.eachLayer(l => { n += l instanceof L.TileLayer; }); return n; })()"
    )
    assert frame.evaluate(tiles_on_map) == 0  # the OSM layer is off the map
    assert frame.evaluate("window.map.hasLayer(window.fx.basemapLayer)")  # the land is still there
    frame.hover(".leaflet-control-layers")
    assert frame.get_by_role("radio", name="Embedded basemap (offline)").is_checked()
    assert not frame.get_by_role("radio", name="OpenStreetMap").is_checked()

    # Panning asks for no more tiles, and the note goes when dismissed.
    frame.evaluate("void window.map.panBy([300, 200], {animate: false})")
    assert visit.count("img.leaflet-tile") == 0
    assert visit.count(".fx-id-c5a-airlift.fx-active") == 1  # the day's map is untouched
    visit.screenshot("offline-tiles-note.png")
    frame.get_by_role("button", name="Dismiss").click()
    assert visit.count(".fx-tile-note") == 0


def test_the_dashboard_and_the_exported_page_draw_the_same_map(visit, chromium, tmp_path):
    import layers
    from geo import store
    from geo.export import export_layers
    from geo.timing import period_days

    frames = layers.build_all()
    titles, styles = layers.presentation(list(frames))
    (path,) = export_layers(frames, "html", tmp_path / "map.html", titles=titles, styles=styles)
    expected_store = store.build_store(frames, titles, styles)
    days = [day.isoformat() for day in period_days()]
    times = expected_store["replay"]["times"]
    exported = chromium.new_context(viewport={"width": 1100, "height": 800}).new_page()
    exported.goto(path.as_uri())
    exported.wait_for_function("window.foxbat76 !== undefined")
    drawn = "[fx.view.visible(), fx.view.migPosition()]"
    try:
        for day, at in [
            ("1976-09-06", "13:20"),
            ("1976-09-06", "15:00"),
            ("1976-09-20", None),
            ("1976-09-25", None),
            ("1976-11-15", None),
        ]:
            visit.open(f"?date={day}" + (f"&time={at}" if at else ""), day)
            visit.map_frame.wait_for_function(
                "([day, at]) => fx.view && fx.view.current && fx.view.current.day === day"
                " && fx.view.current.at === at",
                arg=[day, at or None],
            )
            on_dashboard = visit.map_frame.evaluate(drawn)
            exported.fill("#fx-day", str(days.index(day)))
            if at:
                exported.fill("#fx-time", str(times.index(at)))
            in_the_page = exported.evaluate(drawn)
            assert on_dashboard == in_the_page, day
            # And both are what Python's rule says: each item's state, trail included.
            visible, mig = on_dashboard
            wanted = store.visible(
                expected_store,
                date.fromisoformat(day),
                time.fromisoformat(at) if at else None,
                list(frames),
            )
            assert {entry["id"]: entry["state"] for entry in visible} == wanted
            index = days.index(day)
            marks = expected_store["mig"]
            mark = marks["replay"][times.index(at)] if at else marks["days"][index]
            assert mig == marks["marks"][mark]["coords"]
        assert "trail" in {entry["state"] for entry in visible}  # 15 Nov: earlier days faded
    finally:
        exported.context.close()
    assert visit.blocked == []


# Where the story happens, and where the embedded basemap ends (west, south, east, north).
STORY_PLACES = {
    "sokol": [47.2617, 142.7683],
    "chuguyevka": [44.0833, 133.8683],
    "hyakuri": [36.1811, 140.415],
}
INSIDE_REGION = """
([west, south, east, north]) => {
    const b = window.map.getBounds();
    const px = 0.05;  // degrees: Leaflet rounds to whole pixels (~0.04° at these zooms)
    return [b.getWest() >= west - px, b.getSouth() >= south - px,
            b.getEast() <= east + px, b.getNorth() <= north + px];
}
"""


def test_a_click_at_hakodate_reaches_every_item_there(visit):
    import layers
    from geo import store

    visit.open("?date=1976-09-10", "1976-09-10")
    frame = visit.map_frame
    frame.wait_for_function("fx.view && fx.view.current && fx.view.current.day === '1976-09-10'")
    assert frame.inner_text(".fx-stamp") == "Fri 10 Sep 1976"  # a screenshot carries its day
    # Python's answer: everything drawn that day with a point on the airport's runway.
    frames = layers.build_all()
    titles, styles = layers.presentation(list(frames))
    built = store.build_store(frames, titles, styles)
    shown = store.visible(built, date(1976, 9, 10), None, list(frames))
    airport = [41.77, 140.822]
    at_airport = {
        item["id"]
        for item in built["items"]
        if item["id"] in shown and item["kind"] == "circle" and airport in item["coords"]
    }
    assert {"hakodate-airport", "mig-held-at-hakodate", "landing"} <= at_airport

    frame.click(".fx-mig")  # the MiG-25 sits on top of all of them
    listed = frame.evaluate(
        "[...document.querySelectorAll('.leaflet-popup-content details')].map(d => d.dataset.id)"
    )
    assert listed[0] == "mig"
    assert at_airport | {"gsdf-deployment"} <= set(listed)  # and the troops' cordon round it
    assert len(listed) == len(set(listed))
    for item_id in sorted(at_airport):  # each one opens to its own popup
        details = frame.locator(f".leaflet-popup-content details[data-id='{item_id}']")
        details.locator("summary").click()
        assert details.locator(".fx-popup").is_visible()
        name = next(item for item in built["items"] if item["id"] == item_id)["tooltip"]
        assert details.locator(".fx-popup b").first.inner_html() == name
    visit.screenshot("what-is-here-1976-09-10.png")
    assert visit.blocked == []


def test_the_map_frames_the_story_and_never_shows_the_basemap_edge(visit):
    from geo.basemap import REGION

    visit.open("?date=1976-09-25", "1976-09-25")
    frame = visit.map_frame
    frame.wait_for_function("fx.view !== undefined && window.map.getMinZoom() > 0")
    for name, point in STORY_PLACES.items():
        assert frame.evaluate("p => window.map.getBounds().contains(p)", point), name
    assert all(frame.evaluate(INSIDE_REGION, list(REGION)))

    # Zooming out stops where the region still fills the map; zooming in stops at 14.
    lowest = frame.evaluate("window.map.getMinZoom()")
    frame.evaluate("window.map.setZoom(0, {animate: false})")
    assert frame.evaluate("window.map.getZoom()") == lowest
    assert frame.get_by_role("button", name="Zoom out").get_attribute("aria-disabled") == "true"
    assert all(frame.evaluate(INSIDE_REGION, list(REGION)))
    # Dragging far north-east stops at the region's edge.
    frame.evaluate("window.map.panBy([4000, -4000], {animate: false})")
    frame.wait_for_function(f"({INSIDE_REGION})({list(REGION)}).every(Boolean)")
    frame.evaluate("window.map.setZoom(30, {animate: false})")
    assert frame.evaluate("window.map.getZoom()") == 14
    assert visit.blocked == []


def test_jump_to_event_flies_the_map_to_it(visit):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    visit.open("?date=1976-10-10", "1976-10-10")
    frame = visit.map_frame
    frame.wait_for_function("fx.view !== undefined")
    before = visit.view()
    page = visit.page
    events = page.get_by_role("combobox", name="Jump to event")
    option = page.get_by_role("option", name="06 Sep 13:50 · Landing at Hakodate Airport")
    for _ in range(5):  # a rerun that lands while the list is open closes it: open it again
        events.click()
        events.fill("Landing at Hakodate")
        try:
            option.click(timeout=3000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    visit.wait_for(".fx-day-1976-09-06")
    frame.wait_for_function(
        "document.querySelector('#map_div').dataset.fxFocus === 'landing'", timeout=10000
    )
    zoom, lat, lng = visit.view()
    assert zoom >= 8 > before[0]
    assert abs(lat - 41.77) < 0.05 and abs(lng - 140.822) < 0.05
    # It arrives with the event's popup open.
    frame.wait_for_selector(".leaflet-popup-content")
    assert "Landing at Hakodate Airport" in frame.inner_text(".leaflet-popup-content")
    visit.screenshot("jump-landing.png")
    assert visit.blocked == []


def test_a_shared_view_link_opens_that_view_and_share_gives_one(visit):
    visit.open("?date=1976-09-10&view=41.77,140.82,9", "1976-09-10")
    frame = visit.map_frame
    frame.wait_for_function("fx.view !== undefined && window.map.getZoom() === 9")
    assert visit.view() == (9, 41.77, 140.82)
    frame.evaluate("window.map.setView([36.18, 140.41], 10, {animate: false})")
    frame.get_by_role("button", name="Share view").click()
    link = frame.get_by_role("textbox", name="Link to this view").input_value()
    assert link.startswith(visit.server.url) and "date=1976-09-10" in link
    assert "view=36.1800,140.4100,10" in link
    visit.page.goto(link)
    visit.wait_for(".fx-day-1976-09-10")
    visit.map_frame.wait_for_function("fx.view !== undefined && window.map.getZoom() === 10")
    assert visit.view() == (10, 36.18, 140.41)
    assert visit.blocked == []


# Everything drawn on the page (the collapsed sidebar aside) that runs off the left or right
# edge of the window, and whether the page scrolls sideways.
OFF_SCREEN = """
() => {
    const sidebar = document.querySelector("[data-testid=stSidebar]");
    const hidden = sidebar.getBoundingClientRect().right <= 0;
    const off = [];
    for (const el of document.querySelectorAll("body *")) {
        if (hidden && sidebar.contains(el)) { continue; }
        const box = el.getBoundingClientRect(), style = getComputedStyle(el);
        // (1 px: visually hidden for screen readers, such as the skip link)
        if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden") { continue; }
        if (box.left < -0.5 || box.right > innerWidth + 0.5) {
            off.push(`${el.dataset.testid || el.className} ${box.left}..${box.right}`);
        }
    }
    const page = document.documentElement;
    return {off, scrolls: page.scrollWidth > page.clientWidth};
}
"""


# The sidebar done sliding: all in (true) or all out (false) of the window.
SIDEBAR_STILL = """
(open) => {
    const box = document.querySelector("[data-testid=stSidebar]").getBoundingClientRect();
    return open ? box.left >= 0 && box.width > 200 : box.right <= 0;
}
"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1400, 1000)])
def test_nothing_on_the_page_runs_off_the_screen_and_no_gap_sits_above_the_map(
    chromium, app_server, width, height
):
    context = chromium.new_context(viewport={"width": width, "height": height})
    visit = Visit(context.new_page(), app_server)
    try:
        visit.open("?date=1976-09-06&time=13:20", "1976-09-06")  # the longest sidebar
        page, frame = visit.page, visit.map_frame
        frame.wait_for_function("fx.view !== undefined")
        page.get_by_text("On this day: 6 September 1976").first.wait_for()
        page.locator(".fx-figures").wait_for()
        assert page.evaluate(OFF_SCREEN) == {"off": [], "scrolls": False}
        top = page.locator("iframe").first.bounding_box()["y"]
        toggle = "stExpandSidebarButton" if width < 600 else "stSidebarCollapseButton"
        if width >= 864:  # the header's two buttons sit in the page's margins
            assert top <= 20
        else:  # just under them
            header = page.get_by_test_id("stExpandSidebarButton").bounding_box()
            assert header["y"] + header["height"] <= top <= 70
        # The sidebar opens and closes from where Streamlit puts its toggle, and fits too.
        if width >= 600:
            page.get_by_test_id("stSidebar").hover()  # its close button shows on hover
        page.get_by_test_id(toggle).click()
        page.wait_for_function(SIDEBAR_STILL, arg=width < 600)
        if width < 600:
            assert page.evaluate(OFF_SCREEN) == {"off": [], "scrolls": False}
            page.get_by_test_id("stSidebarCollapseButton").click()
            page.wait_for_function(SIDEBAR_STILL, arg=False)
        page.get_by_test_id("stExpandSidebarButton").click()  # in the header, over the map
        page.wait_for_function(SIDEBAR_STILL, arg=True)
        assert page.evaluate(OFF_SCREEN) == {"off": [], "scrolls": False}
        # The map's own controls stay inside its frame, the legend folded on a phone.
        off = frame.evaluate(
            "[...document.querySelectorAll('.leaflet-control')].map(el =>"
            " el.getBoundingClientRect()).filter(r => r.left < 0 || r.right > innerWidth + 0.5)"
            ".length"
        )
        assert off == 0
        assert frame.evaluate("document.querySelector('details.fx-legend').open") == (width > 600)
        assert frame.inner_text(".fx-stamp") == "Mon 6 Sep 1976, 13:20 JST"
        visit.screenshot(f"layout-{width}x{height}.png")
    finally:
        context.close()


def test_axe_finds_nothing_serious_on_the_dashboard_or_its_map(visit):
    visit.open("?date=1976-09-10", "1976-09-10")
    visit.map_frame.wait_for_function("fx.view !== undefined")
    visit.page.get_by_text("On this day: 10 September 1976").first.wait_for()
    assert serious_accessibility_problems(visit.page) == []
    assert serious_accessibility_problems(visit.map_frame) == []


# The day the address bar, the map and the date slider show: [from the URL, drawn, slider].
SHOWN_DAY = """
() => {
    const frame = [...document.querySelectorAll("iframe")].find(f => f.contentWindow.map);
    const slider = document.querySelector("[data-testid=stSidebar] input[type=range]");
    return [new URLSearchParams(location.search).get("date"),
            frame ? frame.contentWindow.map.getContainer().dataset.fxDay : null,
            slider ? slider.getAttribute("aria-valuetext") : null];
}
"""


def wait_until_shown(page: Any, day: str) -> None:
    """Wait until the address bar, the map and the slider all show `day` (YYYY-MM-DD)."""
    label = date.fromisoformat(day).strftime("%a %-d %b %Y")  # the slider's "Thu 23 Sep 1976"
    page.wait_for_function(
        f"([day, label]) => JSON.stringify(({SHOWN_DAY})()) === JSON.stringify([day, day, label])",
        arg=[day, label],
        timeout=15000,
    )


def test_scrubbing_replaces_the_address_and_back_and_forward_show_what_they_name(visit):
    page = visit.page
    page.goto(f"{visit.server.url}/_stcore/health")  # where the reader came from
    visit.open("?date=1976-09-20&layers=hakodate%2Cc5a_route", "1976-09-20")
    wait_until_shown(page, "1976-09-20")
    assert page.url.endswith("?date=1976-09-20&layers=hakodate,c5a_route")  # readable
    entries = page.evaluate("history.length")
    page.get_by_role("slider").first.focus()
    for day in ("1976-09-21", "1976-09-22", "1976-09-23"):
        page.keyboard.press("ArrowRight")
        wait_until_shown(page, day)
        assert page.url.endswith(f"?date={day}&layers=hakodate,c5a_route")
        assert page.evaluate("history.length") == entries  # replaced, not added
    page.go_back()  # one Back leaves the dashboard
    page.wait_for_url("**/_stcore/health")
    page.go_forward()  # and Forward opens it on the view the address names
    wait_until_shown(page, "1976-09-23")
    assert visit.count(".fx-id-c5a-airlift") == 0 and visit.count(".fx-id-hakodate-airport") == 1

    # Entries that a client-less page would have added (as Streamlit does on its own: a
    # push per change) restore the view they name, map and slider with the address.
    visit.map_frame.evaluate("window.map.__kept = true")
    page.evaluate("delete history.pushState; delete history.replaceState")
    page.get_by_role("slider").first.focus()
    for day in ("1976-09-24", "1976-09-25"):
        page.keyboard.press("ArrowRight")
        wait_until_shown(page, day)
    assert page.evaluate("history.length") == entries + 2
    for move, day in [("back", "1976-09-24"), ("back", "1976-09-23"), ("forward", "1976-09-24")]:
        getattr(page, f"go_{move}")()
        wait_until_shown(page, day)
        assert visit.count(f".fx-day-{day}") == 1
    assert visit.map_frame.evaluate("window.map.__kept === true")  # the same map throughout
    assert visit.blocked == []


def test_the_address_bar_follows_the_map_view_and_opens_it_again(visit):
    page = visit.page
    visit.open("?date=1976-09-10", "1976-09-10")
    frame = visit.map_frame
    visit.wait_for_basemap()
    frame.wait_for_function("fx.view !== undefined")
    entries = page.evaluate("history.length")
    assert "view=" not in page.url  # the story's frame needs no view in the address
    # The reader drags the map, then zooms in once.
    box = page.locator("iframe").first.bounding_box()
    page.mouse.move(box["x"] + 500, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 350, box["y"] + 200, steps=5)
    page.mouse.up()
    frame.click(".leaflet-control-zoom-in")
    frame.wait_for_function("!window.map._animatingZoom")
    zoom, lat, lng = shown = visit.view()
    wait_for_view_in_url(page, "1976-09-10", shown)
    # A day later the address has the new day and still the view; no entry was added.
    page.get_by_role("button", name="Day ▶").click()
    visit.wait_for(".fx-day-1976-09-11")
    wait_for_view_in_url(page, "1976-09-11", shown)
    assert page.evaluate("history.length") == entries
    page.reload()  # the address opens this view again
    visit.wait_for(".fx-day-1976-09-11")
    visit.map_frame.wait_for_function(f"fx.view !== undefined && map.getZoom() === {zoom}")
    again = visit.view()
    assert again[0] == zoom and abs(again[1] - lat) < 1e-3 and abs(again[2] - lng) < 1e-3
    assert visit.blocked == []


def test_space_plays_and_stops_unless_a_control_has_focus(visit):
    page = visit.page
    visit.open("?date=1976-09-23", "1976-09-23")
    visit.map_frame.wait_for_function("fx.view !== undefined")
    play, stop = (page.get_by_role("button", name=name) for name in ("▶ Play", "■ Stop"))
    page.mouse.click(1380, 900)  # the page itself, beside the panel
    page.keyboard.press(" ")
    stop.wait_for(timeout=15000)
    page.keyboard.press(" ")
    play.wait_for(timeout=15000)
    # In the map (not on a marker): the same.
    visit.map_frame.locator("#map_div").click(position={"x": 40, "y": 560})
    page.keyboard.press(" ")
    stop.wait_for(timeout=15000)
    page.keyboard.press(" ")
    play.wait_for(timeout=15000)
    # On a button, Space presses that button: a day on, and no Play.
    shown = page.url
    page.get_by_role("button", name="Day ▶").focus()
    page.keyboard.press(" ")
    page.wait_for_url("**?date=1976-09-*", timeout=15000)
    page.wait_for_function("u => location.href !== u", arg=shown, timeout=15000)
    # On the date slider, Space is the slider's own.
    page.get_by_role("slider").first.focus()
    page.keyboard.press(" ")
    page.wait_for_timeout(1500)
    assert play.is_visible() and stop.count() == 0
    assert visit.blocked == []
