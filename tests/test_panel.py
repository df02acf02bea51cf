"""Tests for geo.panel: key figures, the day's items, and the panel's escaped HTML."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from support import HOSTILE, found

import layers
from geo import panel
from geo.geodesy import length_km
from geo.timing import JST


def test_key_figures_come_from_the_catalog():
    figures = panel.key_figures()
    route = layers.build_layer("defection_flight").set_index("id").geometry["defection-route"]
    assert figures.flight_km == pytest.approx(length_km(route))
    assert 600 < found(figures.flight_km) < 800
    assert figures.arrival == datetime(1976, 9, 6, 13, 50, tzinfo=JST)
    assert found(figures.departure).date() == date(1976, 11, 15)


ARRIVAL = datetime(1976, 9, 6, 13, 50, tzinfo=JST)
DEPARTURE = datetime(1976, 11, 15, 0, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (None, "71 days"),
        (datetime(1976, 9, 5, 23, 59, 59, tzinfo=JST), "71 days"),
        (datetime(1976, 9, 6, 12, 0, tzinfo=JST), "71 days"),  # still in the air
        (datetime(1976, 9, 6, 13, 50, tzinfo=JST), "day 1 of 71"),
        (datetime(1976, 9, 6, 5, 0, tzinfo=UTC), "day 1 of 71"),  # 14:00 JST
        (datetime(1976, 11, 15, 23, 59, 59, tzinfo=JST), "day 71 of 71"),
        (datetime(1976, 11, 16, 0, 0, tzinfo=JST), "71 days"),
    ],
)
def test_days_in_japan(moment, expected):
    assert panel.KeyFigures(None, ARRIVAL, DEPARTURE).days_in_japan(moment) == expected


def test_days_in_japan_unknown_without_dates():
    assert panel.KeyFigures(None, None, DEPARTURE).days_in_japan() is None


def test_the_panel_escapes_hostile_text():
    items = pd.DataFrame(
        {
            "id": ["evil"],
            "layer": ["hakodate"],
            "name": [HOSTILE],
            "start": [pd.Timestamp("1976-09-10 10:00", tz=JST)],
            "end": [pd.Timestamp("1976-09-10 11:00", tz=JST)],
            "description": [HOSTILE],
            "sources": [HOSTILE],
            "certainty": [HOSTILE],
        }
    )
    today = panel.panel_items(items)
    text = panel.panel_html(today, {"hakodate": HOSTILE}, date(1976, 9, 10), None)
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def _items() -> pd.DataFrame:
    moment = pd.Timestamp
    return pd.DataFrame(
        {
            "id": ["radar", "landing", "old", "other-layer"],
            "layer": ["flight", "flight", "flight", "hakodate"],
            "start": [
                moment("1976-09-06 13:10", tz=JST),
                moment("1976-09-06 13:50", tz=JST),
                moment("1976-09-01 00:00", tz=JST),
                moment("1976-09-06 13:00", tz=JST),
            ],
            "end": [
                moment("1976-09-06 13:10", tz=JST),
                moment("1976-09-06 13:50", tz=JST),
                moment("1976-09-02 00:00", tz=JST),
                moment("1976-09-06 14:00", tz=JST),
            ],
        }
    )


@pytest.mark.parametrize(
    ("moment", "chosen", "expected"),
    [
        (None, ["flight"], ["radar", "landing"]),
        (datetime(1976, 9, 6, 13, 20, tzinfo=JST), ["flight"], ["radar"]),
        (
            datetime(1976, 9, 6, 13, 20, tzinfo=JST),
            ["flight", "hakodate"],
            ["radar", "other-layer"],
        ),
        (None, [], []),
    ],
)
def test_day_items_are_the_chosen_layers_items_begun_by_the_moment(moment, chosen, expected):
    frame = _items().assign(name="n", description="d", sources="s", certainty="documented")
    today = panel.day_items(panel.panel_items(frame), date(1976, 9, 6), moment, chosen)
    assert [item.id for item in today] == expected


def test_figures_show_the_flight_the_days_in_japan_and_the_count():
    figures = panel.KeyFigures(623.4, ARRIVAL, DEPARTURE)
    text = panel.figures_html(figures, datetime(1976, 9, 25, 23, 0, tzinfo=JST), 12)
    assert "623 km" in text and "Jet in Japan (6 Sep to 15 Nov)" in text
    assert "day 20 of 71" in text and ">12<" in text


def test_panel_items_write_the_span_out_once():
    frame = _items().assign(name="n", description="d", sources="s", certainty="documented")
    first = panel.panel_items(frame)[0]
    assert (first.id, first.span) == ("radar", "6 Sep 1976, 13:10 JST")
    assert first.start == datetime(1976, 9, 6, 13, 10, tzinfo=JST)


def story_panel(day: date, moment: datetime | None = None) -> str:
    frames = layers.build_all()
    items = panel.panel_items(pd.concat(list(frames.values()), ignore_index=True))
    titles = {layer_id: spec.title for layer_id, spec in layers.LAYERS.items()}
    today = panel.day_items(items, day, moment, list(frames))
    return panel.panel_html(today, titles, day, moment)


def test_new_events_come_first_in_full_and_ongoing_items_one_line_each():
    text = story_panel(date(1976, 11, 12))
    new, ongoing = text.split("<h4>Ongoing", 1)
    assert "Soviet specialists inspect the crates at Hitachi" in new
    assert "Soviet mechanics were to check the crates" in new  # the description, in full
    assert "<summary>Chuguyevka air base <small>" in ongoing  # one line, opened on demand
    assert "Soviet specialists inspect" not in ongoing


def test_the_panel_names_the_place_in_three_scripts_and_lists_differing_accounts():
    text = story_panel(date(1976, 9, 6), datetime(1976, 9, 6, 14, 0, tzinfo=JST))
    landing = text.split("<b>Landing at Hakodate Airport</b>", 1)[1].split("</details>", 1)[0]
    assert "Hakodate Airport · 函館空港" in landing
    assert "Accounts differ:" in landing and "Landed at 13:57" in landing
    assert "<small>Sources: 1, " in landing  # numbered: the list is at the end
    chuguyevka = text.split("<summary>Chuguyevka air base", 1)[1].split("</details>", 1)[0]
    assert "Chuguyevka air base · チュグエフカ · Чугуевка" in chuguyevka


def test_each_source_is_listed_once_behind_a_disclosure_and_entries_cite_its_number():
    text = story_panel(date(1976, 9, 6))
    listed = text.split("<summary><small>Sources (", 1)[1]
    citations = listed.split("<ol>", 1)[1].split("</ol>", 1)[0].split("<li>")[1:]
    assert len(citations) == len(set(citations)) > 2  # each publication once
    assert any("Defection of Viktor Belenko" in c for c in citations)
    assert not any(c.startswith(("position:", "names:")) for c in citations)  # roles stay inline
    entries = text.split("<summary><small>Sources (", 1)[0]
    assert entries.count("<small>Sources: 1") >= 2  # the article, cited by several entries
    assert " (position)" in entries and " (names)" in entries


def test_an_entry_without_sources_cites_none_and_the_list_is_left_out():
    frame = pd.DataFrame(
        {
            "id": ["a"],
            "layer": ["hakodate"],
            "name": ["A"],
            "start": [pd.Timestamp("1976-09-10 08:00", tz=JST)],
            "end": [pd.Timestamp("1976-09-10 09:00", tz=JST)],
            "description": ["Our words."],
            "sources": [""],
            "certainty": ["documented"],
        }
    )
    today = panel.day_items(panel.panel_items(frame), date(1976, 9, 10), None, ["hakodate"])
    text = panel.panel_html(today, {"hakodate": "Hakodate"}, date(1976, 9, 10), None)
    assert "Our words." in text and "Sources" not in text


def test_a_crowded_day_shows_the_first_events_and_says_how_many_more():
    count = panel.PANEL_NEW + 10 + panel.PANEL_ONGOING + 25
    frame = pd.DataFrame(
        {
            "id": [f"item-{n}" for n in range(count)],
            "layer": ["hakodate"] * count,
            "name": [f"Item {n:03d}" for n in range(count)],
            # the first PANEL_NEW + 10 begin on 10 Sep, the rest before and still go on
            "start": [
                pd.Timestamp("1976-09-10 08:00", tz=JST) + pd.Timedelta(minutes=n)
                if n < panel.PANEL_NEW + 10
                else pd.Timestamp("1976-09-02 08:00", tz=JST)
                for n in range(count)
            ],
            "end": [pd.Timestamp("1976-09-20 00:00", tz=JST)] * count,
            "description": ["Our words."] * count,
            "sources": ["A source"] * count,
            "certainty": ["documented"] * count,
        }
    )
    today = panel.day_items(panel.panel_items(frame), date(1976, 9, 10), None, ["hakodate"])
    text = panel.panel_html(today, {"hakodate": "Hakodate"}, date(1976, 9, 10), None)
    new, ongoing = text.split("<h4>", 1)
    assert f"Item {panel.PANEL_NEW - 1:03d}" in new and f"Item {panel.PANEL_NEW:03d}" not in new
    assert "and 10 more new events: see them on the map." in new
    shown_ongoing = panel.PANEL_ONGOING
    assert ongoing.startswith(f"Ongoing ({shown_ongoing + 25})")
    assert ongoing.count("<summary>Item") == shown_ongoing
    assert "and 25 more ongoing items: see them on the map." in ongoing
    shown = panel.panel_html(today[:1], {"hakodate": "Hakodate"}, date(1976, 9, 10), None)
    assert "more" not in shown
