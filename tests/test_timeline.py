"""The dashboard's timeline: rows per layer in their colours, bars per item, the day's rule."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pandas as pd
import pytest
from support import HOSTILE, jst

from geo import timeline
from geo.present import format_span

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
        ("flight", "Radar contact", "1976-09-06 13:11", "1976-09-06 13:11"),
        ("bases", "Chuguyevka", "1976-09-01 00:00", "1976-11-30 23:59:59"),
        ("flight", "Airlift", "1976-09-25 00:00", "1976-09-25 23:59:59"),
        ("flight", "Patrols", "1976-09-08 00:00", "1976-09-25 23:59:59"),
    ]
)


def drawn(frame: pd.DataFrame = ITEMS, titles: dict[str, str] = TITLES) -> ET.Element:
    """The timeline, parsed (it is well-formed markup)."""
    return ET.fromstring(timeline.build_timeline(frame, titles, COLORS).html)


def rows(chart: ET.Element) -> list[ET.Element]:
    return [row for row in chart.iter("div") if row.get("class") == "fx-tl-row"]


def bars(row: ET.Element) -> list[tuple[str, str, float, float]]:
    """(tooltip, class, left %, width %) per bar in drawing order."""
    found = []
    for bar in row:
        style = dict(part.split(":") for part in (bar.get("style") or "").split(";"))
        found.append(
            (
                bar.get("title") or "",
                bar.get("class") or "",
                float(style["left"].rstrip("%")),
                float(style["width"].rstrip("%")),
            )
        )
    return found


def rule_at(day: date) -> float:
    """Where the day's style puts the rule, in % of the period."""
    chart = timeline.build_timeline(ITEMS, TITLES, COLORS)
    style = timeline.day_rule_style(chart, day)
    found = re.fullmatch(r"<style>\.fx-timeline\{--fx-day:([0-9.]+)%\}</style>", style)
    assert found, style
    return float(found.group(1))


def test_each_item_is_a_bar_in_its_layers_row_and_colour_with_its_name_and_span_as_tooltip():
    bases, flight = rows(drawn())
    assert bases.get("style") == "--fx-color:#b2182b"
    assert flight.get("style") == "--fx-color:#2166ac"
    assert [bar[0] for bar in bars(bases)] == [f"Chuguyevka: {format_span(*ITEMS.iloc[1, 2:])}"]
    tooltips = [bar[0] for bar in bars(flight)]
    assert "Radar contact: 6 Sep 1976, 13:11 JST" in tooltips
    assert "Airlift: 25 Sep 1976 (JST)" in tooltips
    (_, _, left, width), = [bar for bar in bars(bases)]  # fmt: skip
    assert left == 0.0 and width == 100.0  # the whole period


def test_what_lasts_for_days_is_drawn_faint_first_and_instants_stay_visible():
    _, flight = rows(drawn())
    (first, *others) = bars(flight)
    assert first[0].startswith("Patrols") and "fx-tl-lasting" in first[1]
    assert all("fx-tl-lasting" not in bar[1] for bar in others)  # one-off events: on top
    contact = next(bar for bar in others if bar[0].startswith("Radar contact"))
    assert contact[3] == pytest.approx(100 * 8 / (91 * 24), abs=0.01)  # eight hours wide


def test_the_drawing_is_the_same_every_day_and_only_the_rules_style_moves():
    chart = timeline.build_timeline(ITEMS, TITLES, COLORS)
    assert 'class="fx-day-rule"' in chart.html and "1976-09" not in chart.html
    assert rule_at(date(1976, 9, 1)) == pytest.approx(100 * 0.5 / 91, abs=0.01)  # noon
    assert rule_at(date(1976, 9, 1)) < rule_at(date(1976, 10, 1)) < rule_at(date(1976, 11, 30))
    assert rule_at(date(1976, 11, 30)) == pytest.approx(100 * 90.5 / 91, abs=0.01)


def test_the_rule_is_drawn_before_the_rows_so_it_never_hides_a_bar():
    (plot,) = [div for div in drawn().iter("div") if div.get("class") == "fx-tl-plot"]
    classes = [child.get("class") for child in plot]
    assert classes.index("fx-day-rule") < classes.index("fx-tl-row")


def test_the_chart_names_what_it_shows_and_labels_its_rows_with_the_layer_titles():
    chart = drawn()
    assert chart.get("role") == "img"
    assert chart.get("aria-label") == (
        "Timeline, 1 Sep to 30 Nov 1976: 4 items in 2 layers, with a dashed line at the chosen day"
    )
    (labels,) = [div for div in chart.iter("div") if div.get("class") == "fx-tl-labels"]
    assert [label.text for label in labels] == list(TITLES.values())
    assert [label.get("title") for label in labels] == list(TITLES.values())  # when cut short
    ticks = [tick for tick in chart.iter("span") if tick.get("class") == "fx-tl-tick"]
    assert len(ticks) == 6  # the 1st and the 15th of each month
    assert [tick.findtext("span") for tick in ticks if len(tick)] == ["1 Sep", "1 Oct", "1 Nov"]


def test_text_from_data_is_escaped():
    hostile = items([("flight", HOSTILE, "1976-09-06 13:11", "1976-09-06 13:11")])
    chart = timeline.build_timeline(hostile, {"flight": HOSTILE}, COLORS)
    assert "<img" not in chart.html and "<script" not in chart.html
    parsed = drawn(frame=hostile, titles={"flight": HOSTILE})
    (bar,) = bars(rows(parsed)[0])
    assert bar[0].startswith(HOSTILE)


@pytest.mark.parametrize(
    ("titles", "colors", "message"),
    [
        ({"bases": "Bases"}, COLORS, r"items have layers without a title: \['flight'\]"),
        (TITLES, {"bases": "#000000"}, r"colors lack layers: \['flight'\]"),
        (
            TITLES,
            {**COLORS, "bases": "red;background:url(x)"},
            r"colors\['bases'\] must be a colour like #762a83, got 'red;background:url\(x\)'",
        ),
    ],
)
def test_layers_without_a_title_or_a_good_colour_are_refused(
    titles: dict[str, str], colors: dict[str, str], message: str
):
    with pytest.raises(ValueError, match=message):
        timeline.build_timeline(ITEMS, titles, colors)


def test_a_day_that_is_not_a_date_is_refused():
    chart = timeline.build_timeline(ITEMS, TITLES, COLORS)
    with pytest.raises(ValueError, match="day must be a date, got '1976-09-06'"):
        timeline.day_rule_style(chart, "1976-09-06")  # type: ignore[arg-type]


def test_a_large_catalog_gets_a_bar_per_stretch_of_touching_items_so_the_drawing_stays_small():
    hours = pd.date_range("1976-09-01 00:00", "1976-09-30 00:00", freq="h")
    assert len(hours) > timeline.ITEM_BAR_LIMIT
    hourly = [("flight", f"Event {n}", f"{hour:%Y-%m-%d %H:%M}", f"{hour:%Y-%m-%d %H:%M}")
              for n, hour in enumerate(hours)]  # fmt: skip
    frame = items([*hourly, ("flight", "Later", "1976-11-01 12:00", "1976-11-01 12:00")])
    (_, flight) = rows(drawn(frame=frame))
    first, last = jst("1976-09-01 00:00"), jst("1976-09-30 00:00")
    assert [bar[0] for bar in bars(flight)] == [
        f"{len(hours):,} items: {format_span(first, last)}",
        "1 item: 1 Nov 1976, 12:00 JST",
    ]


def test_layer_colors_are_the_layers_line_colours():
    styles = {"bases": {"color": "#b2182b", "fill_color": "#ef8a62"}}
    assert timeline.layer_colors(styles) == {"bases": "#b2182b"}
