"""The map's item store: per-day and replay states, draw options, route progress, the MiG."""

from __future__ import annotations

import html
from datetime import date, time, timedelta

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from support import HOSTILE, STYLE, jst

from geo import store
from geo.schema import COLUMNS
from geo.timing import day_bounds, item_state

ALL = ["test_layer"]


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


def built(frames, **kwargs) -> dict:
    return store.build_store(frames, {"test_layer": "Test layer"}, {"test_layer": STYLE}, **kwargs)


def items(result: dict) -> dict[str, dict]:
    return {item["id"]: item for item in result["items"]}


def test_a_day_shows_its_items_highlighted_earlier_ones_faded_and_hides_later_ones(story):
    result = built({"test_layer": story}, with_mig=False)
    assert store.visible(result, date(1976, 9, 1), None, ALL) == {"base": "active"}
    assert store.visible(result, date(1976, 9, 20), None, ALL) == {
        "base": "active",
        "flight": "trail",
        "contact": "trail",
        "patrol": "active",
    }
    on_25th = store.visible(result, date(1976, 9, 25), None, ALL)
    assert on_25th["airlift"] == "active" and on_25th["patrol"] == "active"
    on_26th = store.visible(result, date(1976, 9, 26), None, ALL)
    assert on_26th["airlift"] == "trail" and on_26th["patrol"] == "trail"
    assert store.visible(result, date(1976, 9, 26), None, []) == {}  # every layer off


def test_every_item_says_its_state_on_every_day_of_the_scope(story):
    result = built({"test_layer": story}, with_mig=False)
    assert [day["iso"] for day in result["days"]][:2] == ["1976-09-01", "1976-09-02"]
    assert result["days"][5]["label"] == "Mon 6 Sep 1976"
    airlift = items(result)["airlift"]["days"]
    assert len(airlift) == 91 and airlift[24:26] == "at" and set(airlift[:24]) == {"-"}


def test_a_one_day_scope_has_one_day_and_no_replay_unless_it_is_6_sep(story):
    one = built({"test_layer": story}, days=[date(1976, 9, 25)], with_mig=False)
    assert [day["iso"] for day in one["days"]] == ["1976-09-25"] and one["replay"] is None
    assert items(one)["airlift"]["days"] == "a"
    sixth = built({"test_layer": story}, days=[date(1976, 9, 6)], with_mig=False)
    assert sixth["replay"]["day"] == 0 and sixth["replay"]["times"][0] == "12:00"


@pytest.mark.parametrize(
    ("days", "message"),
    [([], r"days must be distinct days in order"), ([date(1976, 9, 2), date(1976, 9, 1)], "order")],
)
def test_a_scope_that_is_not_days_in_order_is_refused(story, days, message):
    with pytest.raises(ValueError, match=message):
        built({"test_layer": story}, days=days)


def test_trail_options_are_fainter_and_thinner_than_the_days():
    active = store.draw_options(STYLE, "polygon", "active", "x")
    trail = store.draw_options(STYLE, "polygon", "trail", "x")
    assert active["color"] == trail["color"] == "#d7301f"
    assert active["opacity"] == 1.0 and trail["opacity"] < 0.5
    assert trail["weight"] < active["weight"] and trail["fillOpacity"] < active["fillOpacity"]
    assert active["className"] == "fx-active fx-id-x" and trail["className"] == "fx-trail fx-id-x"


def test_point_items_use_the_layer_marker_shape(story):
    for marker in ("circle", "square", "diamond", "triangle"):
        result = store.build_store({"a": story}, None, {"a": {**STYLE, "marker": marker}})
        assert items(result)["base"]["kind"] == marker
    assert items(result)["base"]["options"]["active"]["shape"] == "triangle"
    assert items(result)["flight"]["kind"] == "line"
    assert items(result)["patrol"]["kind"] == "polygon"


def test_multipoint_items_draw_every_point_as_one_item():
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
    (ship,) = built({"test_layer": ships}, with_mig=False)["items"]
    assert ship["coords"] == [[41.5, 139.5], [42.0, 139.6], [42.4, 139.4]]


def test_on_6_sep_each_replay_step_says_what_has_happened_and_how_far_the_flight_got(story):
    result = built({"test_layer": story}, with_mig=False)
    times = result["replay"]["times"]
    day = date(1976, 9, 6)
    assert store.visible(result, day, time(12, 30), ALL) == {"base": "active"}
    assert store.visible(result, day, time(13, 15), ALL) == {
        "base": "active",
        "flight": "active",
        "contact": "active",  # 13:10 is before 13:15
    }
    flight = items(result)["flight"]
    halfway = flight["replay"]["partial"][str(times.index("13:15"))]  # 25 of 50 minutes
    line = story.set_index("id").loc["flight", "geometry"]
    head = line.interpolate(0.5, normalized=True)
    assert halfway["coords"][-1] == pytest.approx([head.y, head.x], abs=1e-3)
    assert halfway["coords"][0] == pytest.approx([44.08, 133.87], abs=1e-3)
    assert "Flown so far" in halfway["flown"] and "13:15 JST" in halfway["flown"]
    assert str(times.index("14:00")) not in flight["replay"]["partial"]  # landed: whole line
    assert "replay" not in items(result)["patrol"]  # not on 6 Sep: the day's state holds


def test_without_a_time_the_whole_6_sep_is_drawn(story):
    result = built({"test_layer": story}, with_mig=False)
    assert store.visible(result, date(1976, 9, 6), None, ALL) == {
        "base": "active",
        "flight": "active",
        "contact": "active",
    }


def test_popups_and_tooltips_in_the_store_are_escaped():
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
    result = store.build_store({HOSTILE: hostile}, {HOSTILE: HOSTILE}, None, with_mig=False)
    (item,) = result["items"]
    assert "<img" not in item["popup"] and "<script" not in item["popup"]
    assert html.escape("<img src=x onerror=alert(1)>") in item["popup"]
    assert "<img" not in item["tooltip"] and "<img" not in result["legend"]
    assert result["layers"] == [{"id": HOSTILE, "title": HOSTILE}]  # text, shown escaped


def test_the_mig_has_a_marker_for_every_day_and_replay_step(story):
    result = built({"test_layer": story})
    mig = result["mig"]
    assert len(mig["days"]) == 91 and len(mig["replay"]) == len(result["replay"]["times"])
    hyakuri = mig["marks"][mig["days"][24]]  # 25 Sep: flown to Hyakuri that day
    assert hyakuri["coords"] == pytest.approx([36.18, 140.41], abs=0.05)
    assert mig["days"][30] == mig["days"][24]  # the same stay: one mark, shared
    assert "25 Sep 1976 00:45 \u2013 11 Nov 1976 00:00 JST" in hyakuri["popup"]  # its stay
    flying = mig["marks"][mig["replay"][result["replay"]["times"].index("13:20")]]
    assert "As of 6 Sep 1976, 13:20 JST" in flying["popup"]
    assert flying["coords"] != mig["marks"][mig["replay"][-1]]["coords"]  # then landed
    assert len(mig["marks"]) < 40  # days at one place share their mark


def test_display_coords_refuse_an_empty_geometry():
    with pytest.raises(ValueError, match="geometry must be a non-empty shapely geometry"):
        store.display_coords(Point())


def test_the_store_panel_and_exports_work_without_folium_or_streamlit():
    import subprocess
    import sys

    code = (
        "import sys, geo.store, geo.present, geo.panel, geo.export\n"
        "print(sorted(m for m in ('folium', 'streamlit', 'branca') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("place", "short"),
    [
        ("Sokol air base (Dolinsk-Sokol), Sakhalin", "Sokol air base"),
        ("Haneda (Tokyo International Airport)", "Haneda"),
        ("Tsugaru Strait", "Tsugaru Strait"),
        ("", ""),
    ],
)
def test_a_label_is_the_place_name_before_any_aside(place, short):
    assert store.short_place(place) == short


def test_labels_one_per_place_most_items_first_routes_none_text_escaped():
    named = [
        ("a", "Tokyo", Point(139.69, 35.69)),
        ("b", f"{HOSTILE}", Point(140.0, 41.0)),
        ("c", "Tokyo", Point(139.70, 35.70)),
        ("d", "Tsugaru Strait", Polygon([(140, 41), (141, 41), (141, 42), (140, 42)])),
        ("e", "Hakodate", LineString([(140, 41), (141, 42)])),
        ("f", "", Point(1, 2)),
        ("g", "Ships", MultiPoint([(139.4, 42.6), (140.1, 43.4)])),
    ]
    labels = store.place_labels(named)
    assert labels[0] == {"text": "Tokyo", "coords": [35.69, 139.69], "items": ["a", "c"]}
    assert [label["items"] for label in labels[1:]] == [["b"], ["d"], ["g"]]
    assert "<img" not in labels[1]["text"]
    lat, lon = labels[2]["coords"]
    assert 41 < lat < 42 and 140 < lon < 141  # inside the strait's area
    assert labels[3]["coords"] == [42.6, 139.4]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("1976-09-01T00:00", "1976-11-30T23:59:59"),  # the whole period
        ("1976-09-06T12:50", "1976-09-06T13:40"),  # within a day
        ("1976-09-24T23:45", "1976-09-25T00:45"),  # across midnight
        ("1976-09-25T00:00", "1976-09-25T00:00"),  # an instant at midnight
        ("1976-09-24T23:59:59", "1976-09-24T23:59:59"),  # the last second of a day
        ("1976-11-30T23:59:59", "1976-11-30T23:59:59"),  # the period's last second
    ],
)
@pytest.mark.parametrize(
    "days",
    [
        [date(1976, 9, 1) + timedelta(days=n) for n in range(91)],
        [date(1976, 9, 6), date(1976, 9, 25), date(1976, 11, 30)],  # a scope with gaps
    ],
    ids=["period", "gaps"],
)
def test_day_states_are_item_state_on_every_day(start: str, end: str, days: list[date]) -> None:
    first, last = jst(start).to_pydatetime(), jst(end).to_pydatetime()
    expected = "".join(store.STATE_CODES[item_state(first, last, day)] for day in days)
    assert store.day_states(first, last, [day_bounds(day) for day in days]) == expected
