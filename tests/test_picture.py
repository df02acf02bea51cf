"""The map picture: drawn where the features are, in their layer colours, by the map's day rule."""

from __future__ import annotations

from datetime import date, time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from shapely.geometry import LineString, Point, Polygon

from geo.export import PictureRequest, export_picture
from geo.export.picture import Scene, font_path, mercator
from geo.export.still import MigMark, Still
from geo.timing import JST

SIZE = (480, 300)
MAGENTA = (255, 0, 255)
LIME = (0, 200, 0)


def jst(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(JST)


def layer(layer_id: str, rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    frame["layer"] = layer_id
    frame["start"] = [jst(t) for t in frame["start"]]
    frame["end"] = [jst(t) for t in frame["end"]]
    frame["description"] = "Drawn for the test."
    frame["sources"] = "Wikipedia: Viktor Belenko"
    frame["certainty"] = "documented"
    for column in ("place", "place_ja", "place_ru", "alternatives"):
        if column not in frame:
            frame[column] = ""
    columns = ["id", "layer", "name", "place", "place_ja", "place_ru", "start", "end",
               "description", "alternatives", "sources", "certainty"]  # fmt: skip
    return gpd.GeoDataFrame(frame[columns], geometry=list(frame["geometry"]), crs="EPSG:4326")


# A solid square in the Sea of Japan from 10 to 12 Sep, and a route on 25 Sep.
SQUARE = Polygon([(136.0, 40.0), (138.0, 40.0), (138.0, 41.5), (136.0, 41.5)])
FRAMES = {
    "zones": layer(
        "zones",
        [{"id": "sq", "name": "Square", "start": "1976-09-10 00:00", "end": "1976-09-12 00:00",
          "geometry": SQUARE}],
    ),
    "routes": layer(
        "routes",
        [{"id": "r", "name": "Route", "start": "1976-09-25 09:00", "end": "1976-09-25 12:00",
          "geometry": LineString([(133.0, 38.0), (139.0, 38.0)])},
         {"id": "p", "name": "Tokyo", "start": "1976-09-01 00:00", "end": "1976-11-30 00:00",
          "geometry": Point(139.69, 35.69)}],
    ),
}  # fmt: skip
STYLES = {
    "zones": {"color": "#ff00ff", "fill_color": "#ff00ff", "weight": 2, "fill_opacity": 1.0,
              "radius": 6, "marker": "circle", "dash_array": None},
    "routes": {"color": "#00c800", "fill_color": "#00c800", "weight": 6, "fill_opacity": 1.0,
               "radius": 8, "marker": "square", "dash_array": None},
}  # fmt: skip
TITLES = {"zones": "Zones", "routes": "Routes"}


@pytest.fixture(scope="module")
def scene() -> Scene:
    return Scene(FRAMES, TITLES, STYLES, size=SIZE)


def near(image: np.ndarray, pixel: tuple[int, int], colour: tuple[int, int, int], tol=40) -> bool:
    """Is `colour` within `tol` per channel anywhere in the 5x5 pixels around `pixel`?"""
    column, row = pixel
    patch = image[row - 2 : row + 3, column - 2 : column + 3].reshape(-1, 3).astype(int)
    return bool((np.abs(patch - np.array(colour)).max(axis=1) <= tol).any())


def test_a_day_item_is_drawn_in_its_layer_colour_where_it_is(scene):
    image = scene.render(Still(date(1976, 9, 11)))
    assert image.shape == (SIZE[1], SIZE[0], 3)
    assert near(image, scene.pixel(137.0, 40.75), MAGENTA)
    assert not near(image, scene.pixel(137.0, 40.75), LIME)


def test_items_before_their_day_are_hidden_and_after_it_faded(scene):
    before = scene.render(Still(date(1976, 9, 9)))
    after = scene.render(Still(date(1976, 9, 20)))
    center = scene.pixel(137.0, 40.75)
    assert not near(before, center, MAGENTA, tol=120)
    # The trail: still there, but much lighter than the day's solid fill.
    assert not near(after, center, MAGENTA)
    red, green, blue = after[center[1], center[0]].astype(int)
    assert red > green + 30 and blue > green + 30
    assert min(red, blue) > 200  # faded toward the sea colour


def test_the_route_is_drawn_on_its_day_and_the_frame_resets_between_days(scene):
    route_day = scene.render(Still(date(1976, 9, 25)))
    assert near(route_day, scene.pixel(136.0, 38.0), LIME)
    # The next picture of an earlier day has no route: nothing is left over from the last.
    earlier = scene.render(Still(date(1976, 9, 11)))
    assert not near(earlier, scene.pixel(136.0, 38.0), LIME, tol=60)


def test_the_mig_marker_is_drawn_in_red_where_it_was(scene):
    image = scene.render(Still(date(1976, 9, 11)), MigMark((134.5, 43.0), "At a test place"))
    assert near(image, scene.pixel(134.5, 43.0), (176, 0, 32))
    plain = scene.render(Still(date(1976, 9, 11)))
    assert not near(plain, scene.pixel(134.5, 43.0), (176, 0, 32), tol=60)


def test_png_export_decodes_at_the_requested_size_and_shows_the_features(tmp_path):
    request = PictureRequest("png", day=date(1976, 9, 25), size=(640, 400))
    path = export_picture(FRAMES, request, tmp_path, titles=TITLES, styles=STYLES)
    assert path == tmp_path / "foxbat76_1976-09-25_zones-routes.png"
    with Image.open(path) as picture:
        assert picture.format == "PNG" and picture.size == (640, 400)
        pixels = np.asarray(picture.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # a map, not a blank
    located = Scene(FRAMES, TITLES, STYLES, size=(640, 400))
    assert near(pixels, located.pixel(136.0, 38.0), LIME)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # nothing staged is left


def test_the_replay_draws_the_route_only_as_far_as_flown():
    frames = {"routes": FRAMES["routes"].assign(start=jst("1976-09-06 12:00"))}
    frames["routes"]["end"] = jst("1976-09-06 14:00")
    scene = Scene(frames, TITLES, STYLES, size=SIZE)
    halfway = scene.render(Still(date(1976, 9, 6), time(13, 0)))
    assert near(halfway, scene.pixel(134.0, 38.0), LIME)
    assert not near(halfway, scene.pixel(138.5, 38.0), LIME, tol=60)
    done = scene.render(Still(date(1976, 9, 6), time(14, 0)))
    assert near(done, scene.pixel(138.5, 38.0), LIME)


def test_the_font_comes_from_a_package_and_draws_japanese_and_russian():
    path = font_path()
    assert "site-packages" in str(path) and path.suffix == ".ttf"
    characters = TTFont(path).getBestCmap()
    assert all(ord(c) in characters for c in "函館空港Чугуевка")


@pytest.mark.parametrize(
    ("day", "at"),
    [(date(1976, 9, 6), time(13, 20)), (date(1976, 9, 6), None), (date(1976, 9, 25), None)],
)
def test_a_picture_shows_the_states_the_dashboard_map_shows(day, at):
    import layers
    from geo.store import visible

    frames = layers.build_all()
    titles, styles = layers.presentation(list(frames))
    scene = Scene(frames, titles, styles, size=SIZE)
    drawn = {item_id: state for item_id, (state, _) in scene.states(Still(day, at)).items()}
    assert drawn == visible(scene.store, day, at, list(frames))
    assert "active" in drawn.values()


def test_place_labels_and_the_mig_label_never_cover_each_other():
    import layers
    from geo.export.story import places

    frames = layers.build_all()
    titles, styles = layers.presentation(list(frames))
    scene = Scene(frames, titles, styles, places(), size=(1200, 750))
    boxes = scene.label_boxes
    assert len(boxes) >= 5  # the story's places are labelled
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    # At the port of Hitachi, beside Hyakuri and Tokyo, the jet's label finds a free side.
    hitachi = scene._mig_label(*map(float, mercator(140.62, 36.49)))
    box = hitachi.get_window_extent(scene.canvas.get_renderer())
    assert not any(box.overlaps(other) for other in boxes)
