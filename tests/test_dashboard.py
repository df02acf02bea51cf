"""What the dashboard derives once: static map files and the event list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from support import HOSTILE, jst

from geo import dashboard


def items(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(id, layer, name, start, end) rows, JST times, sorted as the page keeps them."""
    frame = pd.DataFrame(rows, columns=["id", "layer", "name", "start", "end"])
    frame["start"] = frame["start"].map(jst)
    frame["end"] = frame["end"].map(jst)
    return frame


ITEMS = items(
    [
        ("base", "bases", "Base", "1976-09-01 00:00", "1976-11-30 23:59:59"),
        ("contact", "flight", "Radar contact", "1976-09-06 13:11", "1976-09-06 13:11"),
        ("airlift", "flight", HOSTILE, "1976-09-25 00:00", "1976-09-25 23:59:59"),
    ]
)


def test_the_event_list_leaves_out_places_and_names_whole_days_without_midnight():
    labels = dashboard.event_labels(ITEMS)
    assert labels == {"contact": "06 Sep 13:11 · Radar contact", "airlift": f"25 Sep · {HOSTILE}"}


def test_the_map_files_are_written_once_under_their_content_hash(tmp_path: Path):
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame(
        ITEMS[ITEMS["id"] == "contact"].assign(
            place="", place_ja="", place_ru="", description="Words.", alternatives="",
            sources="S", certainty="documented",
        ),
        geometry=[Point(139.1, 42.7)],
        crs="EPSG:4326",
    )  # fmt: skip
    files = dashboard.write_map_files({"flight": frame}, {"flight": "Flight"}, {}, tmp_path)
    config_path = tmp_path / "cache" / files.config.rsplit("/", 1)[1]
    config = json.loads(config_path.read_text())
    store = json.loads((tmp_path / "cache" / config["store"].rsplit("/", 1)[1]).read_text())
    assert [item["id"] for item in store["items"]] == ["contact"]
    assert files == dashboard.write_map_files({"flight": frame}, {"flight": "Flight"}, {}, tmp_path)
    with pytest.raises(ValueError, match="static_dir must be a Path"):
        dashboard.write_map_files({}, {}, {}, "static")  # type: ignore[arg-type]


def test_the_page_style_is_one_style_element_that_takes_no_room_on_the_page():
    from streamlit.elements.html import _html_only_style_tags

    style = dashboard.page_style()
    assert style.startswith("<style>") and style.endswith("</style>")
    assert style.count("<") == 2  # nothing but the one element
    assert _html_only_style_tags(style)  # so st.html puts it where it draws nothing
    assert "@media (min-width: 864px)" in style  # no header band where the margins hold it


def test_the_jump_list_holds_every_event_or_the_chosen_days_of_a_long_catalog(monkeypatch):
    labels = dashboard.event_labels(ITEMS)
    days = dashboard.events_by_day(labels, ITEMS)
    assert days == {date(1976, 9, 6): ("contact",), date(1976, 9, 25): ("airlift",)}
    assert dashboard.jump_choices(labels, days, date(1976, 9, 6)) == ["contact", "airlift"]
    monkeypatch.setattr(dashboard, "JUMP_LIMIT", 1)
    assert dashboard.jump_choices(labels, days, date(1976, 9, 25)) == ["airlift"]
    assert dashboard.jump_choices(labels, days, date(1976, 9, 26)) == []
