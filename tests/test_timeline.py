"""The dashboard's timeline: rows per layer in their colours, bars per item, the day's rule."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pandas as pd
import pytest
from support import HOSTILE, jst

from geo import timeline

SVG = "{http://www.w3.org/2000/svg}"
TITLES = {"bases": "Bases", "flight": "Defection flight, 6 Sep"}
COLORS = {"bases": "#b2182b", "flight": "#2166ac"}


def items(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(layer, name, start, end) rows, JST times."""
    frame = pd.DataFrame(rows, columns=["layer", "name", "start", "end"])
    frame["start"] = frame["start"].map(jst)
    frame["end"] = frame["end"].map(jst)
    return frame


ITEMS = items(
    [
        ("bases", "Chuguyevka", "1976-09-01 00:00", "1976-11-30 23:59:59"),
        ("flight", "Radar contact", "1976-09-06 13:11", "1976-09-06 13:11"),
        ("flight", "Airlift", "1976-09-25 00:00", "1976-09-25 23:59:59"),
    ]
)


def drawn(day: date, frame: pd.DataFrame = ITEMS, titles: dict[str, str] = TITLES) -> ET.Element:
    """The timeline for `day`, parsed (it is well-formed SVG)."""
    chart = timeline.build_timeline(frame, titles, COLORS)
    svg = ET.fromstring(
        timeline.timeline_html(chart, day).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1)
    )
    return svg


def bars(svg: ET.Element) -> dict[str, ET.Element]:
    """The item bars by tooltip."""
    return {rect.findtext(f"{SVG}title") or "": rect for rect in svg.iter(f"{SVG}rect")}


def rule_x(svg: ET.Element) -> float:
    (rule,) = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "fx-day-rule"]
    return float(rule.get("x1") or "nan")


def test_each_item_is_a_bar_in_its_layers_row_and_colour_with_its_name_and_span_as_tooltip():
    shown = bars(drawn(date(1976, 9, 25)))
    assert set(shown) == {
        "Chuguyevka: 1 Sep – 30 Nov 1976 (JST)",
        "Radar contact: 6 Sep 1976, 13:11 JST",
        "Airlift: 25 Sep 1976 (JST)",
    }
    base = shown["Chuguyevka: 1 Sep – 30 Nov 1976 (JST)"]
    contact = shown["Radar contact: 6 Sep 1976, 13:11 JST"]
    assert base.get("fill") == "#b2182b" and contact.get("fill") == "#2166ac"
    assert float(contact.get("y") or 0) > float(base.get("y") or 0)  # the second layer's row
    assert float(contact.get("width") or 0) >= 2  # an instant stays visible


def test_what_lasts_for_days_is_thin_faint_and_under_the_days_events():
    svg = drawn(date(1976, 9, 25))
    order = [rect.findtext(f"{SVG}title") or "" for rect in svg.iter(f"{SVG}rect")]
    shown = bars(svg)
    base = shown["Chuguyevka: 1 Sep – 30 Nov 1976 (JST)"]
    airlift = shown["Airlift: 25 Sep 1976 (JST)"]
    assert base.get("fill-opacity") == "0.35" and airlift.get("fill-opacity") is None
    assert float(base.get("height") or 0) < float(airlift.get("height") or 0)
    assert order[0].startswith("Chuguyevka")  # drawn first: events on its row stay visible


def test_the_rule_stands_on_the_chosen_day_under_the_bars_and_the_chart_says_which_day():
    early, late = drawn(date(1976, 9, 1)), drawn(date(1976, 11, 30))
    assert timeline.PLOT_LEFT < rule_x(early) < rule_x(late) < timeline.PLOT_RIGHT
    assert "dashed line at 30 November 1976" in (late.get("aria-label") or "")
    assert late.get("role") == "img"
    children = [child.tag for child in late]
    first_bar = children.index(f"{SVG}rect")
    rule = [child.get("class") for child in late].index("fx-day-rule")
    assert rule < first_bar  # never hides a bar


def test_the_rule_is_the_only_thing_that_changes_from_day_to_day():
    chart = timeline.build_timeline(ITEMS, TITLES, COLORS)
    one, other = (timeline.timeline_html(chart, date(1976, 9, d)) for d in (10, 11))
    assert one != other
    assert (
        one.split('class="fx-day-rule"')[1].split("/>", 1)[1]
        == (other.split('class="fx-day-rule"')[1].split("/>", 1)[1])
    )


def test_layer_titles_are_rows_in_order_and_long_ones_are_shortened_with_the_whole_as_tooltip():
    long_title = "Tsugaru Strait MSDF patrols and more besides"
    svg = drawn(date(1976, 9, 25), titles={"bases": "Bases", "flight": long_title})
    labels = [text for text in svg.iter(f"{SVG}text") if text.get("text-anchor") == "end"]
    assert [label.findtext(f"{SVG}title") for label in labels] == ["Bases", long_title]
    shortened = "".join(labels[1].itertext()).removeprefix(long_title)
    assert shortened.endswith("…") and len(shortened) == timeline.TITLE_LIMIT


def test_text_from_data_is_escaped():
    hostile = items([("flight", HOSTILE, "1976-09-06 13:11", "1976-09-06 13:11")])
    chart = timeline.build_timeline(hostile, {"flight": HOSTILE}, COLORS)
    page = timeline.timeline_html(chart, date(1976, 9, 6))
    assert "<img" not in page and "<script" not in page
    svg = drawn(date(1976, 9, 6), frame=hostile, titles={"flight": HOSTILE})
    assert any(HOSTILE in (title.text or "") for title in svg.iter(f"{SVG}title"))


@pytest.mark.parametrize(
    ("titles", "colors", "message"),
    [
        ({"bases": "Bases"}, COLORS, r"items have layers without a title: \['flight'\]"),
        (TITLES, {"bases": "#000000"}, r"colors lack layers: \['flight'\]"),
    ],
)
def test_layers_without_a_title_or_colour_are_refused(
    titles: dict[str, str], colors: dict[str, str], message: str
):
    with pytest.raises(ValueError, match=message):
        timeline.build_timeline(ITEMS, titles, colors)


def test_a_day_that_is_not_a_date_is_refused():
    chart = timeline.build_timeline(ITEMS, TITLES, COLORS)
    with pytest.raises(ValueError, match="day must be a date, got '1976-09-06'"):
        timeline.timeline_html(chart, "1976-09-06")  # type: ignore[arg-type]


def test_layer_colors_are_the_layers_line_colours():
    styles = {"bases": {"color": "#b2182b", "fill_color": "#ef8a62"}}
    assert timeline.layer_colors(styles) == {"bases": "#b2182b"}
