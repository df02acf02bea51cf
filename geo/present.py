"""Texts and styles shared by every place a feature is shown: popups, the panel, KML balloons,
pictures, the map and its legend. One copy of each rule."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from geo.timing import ACTIVE, JST, TRAIL

# A feature's fields: a record, or a frame's row.
Row = Mapping[str, Any] | pd.Series

DASH = "\u2013"  # en dash for date ranges
TRAIL_OPACITY = 0.35
MARKERS = ("circle", "square", "diamond", "triangle")
# Marker outlines in a 20x20 box, shared by the map's SVG icons and the legend.
MARKER_POINTS = {
    "square": "2,2 18,2 18,18 2,18",
    "diamond": "10,1 19,10 10,19 1,10",
    "triangle": "10,1 19,18 1,18",
}
MIG_SVG = (
    '<circle cx="10" cy="10" r="8.5" fill="#fff" stroke="#b00020" stroke-width="2.5"/>'
    '<polygon points="10,3 12,11 17,13 12,13 11,17 9,17 8,13 3,13 8,11" fill="#b00020"/>'
)
MIG_NAME = "MiG-25 \u201cFoxbat\u201d"
DEFAULT_STYLE: dict[str, Any] = {
    "color": "#3366cc",
    "fill_color": None,  # the line colour
    "weight": 2,
    "dash_array": None,
    "fill_opacity": 0.25,
    "radius": 6,
    "marker": "circle",
}
# Colours for layers that come without a style (exports of frames from elsewhere).
PALETTE = ("#c0392b", "#2c3e50", "#2980b9", "#16a085", "#8e44ad", "#d35400", "#7f8c8d", "#27ae60")
BASEMAP_LAND = {"color": "#8c8270", "weight": 0.6, "fillColor": "#efe9d8", "fillOpacity": 1}
BASEMAP_BORDER = {"color": "#7a5c8a", "weight": 1.2, "dashArray": "5 3", "fill": False}
BASEMAP_ATTRIBUTION = "Coastlines and borders: GSHHG (LGPL)"
EMBEDDED_BASEMAP = "Embedded basemap (offline)"
MAX_ZOOM = 14  # a town's streets; the embedded coastline is no finer than that
# South-west and north-east corners of the story's first view: Vladivostok and Chuguyevka, the
# Sakhalin bases (Sokol), the Hokkaido patrols, Hakodate, Hyakuri and Tokyo. Magadan, far north,
# is one pan away: framing it too would shrink the rest below reading size.
STORY_BOUNDS = ((35.4, 131.7), (47.5, 146.1))

ALTERNATIVES_SEPARATOR = " | "
SOURCES_SEPARATOR = "; "

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DASH_ARRAY = re.compile(r"^\d+(\.\d+)?([ ,]+\d+(\.\d+)?)*$")
_SWATCH_W, _SWATCH_H = 60, 16  # marker 0-16, line 19-43, area 46-58: columns line up


# --- Styles ---------------------------------------------------------------------------------


def check_color(value: object, what: str) -> str:
    """A #rrggbb colour (it ends up in SVG and CSS), else ValueError naming the field."""
    if not isinstance(value, str) or not _COLOR.match(value):
        raise ValueError(f"style: {what} {value!r} is not a #rrggbb colour")
    return value


def layer_style(style: Mapping[str, Any] | None, index: int = 0) -> dict[str, Any]:
    """A layer's complete, checked style; a missing style gets the palette colour `index`.

    Raises ValueError naming the field for a colour, dash pattern, marker or number that
    would be unsafe or meaningless on the map.
    """
    if style is not None and not isinstance(style, Mapping):
        raise ValueError(f"style: {style!r} is not a mapping")
    full = dict(DEFAULT_STYLE, color=PALETTE[index % len(PALETTE)])
    full.update({key: value for key, value in dict(style or {}).items() if value is not None})
    full["color"] = check_color(full["color"], "color")
    full["fill_color"] = check_color(full["fill_color"] or full["color"], "fill_color")
    if full["marker"] not in MARKERS:
        raise ValueError(f"style: marker {full['marker']!r} is not one of {', '.join(MARKERS)}")
    dash = full["dash_array"]
    if dash is not None and not _DASH_ARRAY.match(str(dash)):
        raise ValueError(f"style: dash_array {dash!r} is not a list of numbers")
    for key in ("weight", "radius", "fill_opacity"):
        try:
            full[key] = float(full[key])
        except (TypeError, ValueError):
            raise ValueError(f"style: {key} {full[key]!r} is not a number") from None
    if not 0 <= full["fill_opacity"] <= 1:
        raise ValueError(f"style: fill_opacity {full['fill_opacity']!r} is not between 0 and 1")
    full["weight"], full["radius"] = int(full["weight"]), int(full["radius"])
    return full


def leaflet_style(style: Mapping[str, Any], state: str) -> dict[str, Any]:
    """Leaflet path options for a layer style: day items bold, earlier items a faded trail."""
    if state not in (ACTIVE, TRAIL):
        raise ValueError(f"state must be {ACTIVE!r} or {TRAIL!r}, got {state!r}")
    full = layer_style(style)
    options: dict[str, Any] = {
        "color": full["color"],
        "fillColor": full["fill_color"],
        "weight": full["weight"] + 1,
        "opacity": 1.0,
        "fillOpacity": full["fill_opacity"],
        "radius": full["radius"],
    }
    if full["dash_array"]:
        options["dashArray"] = str(full["dash_array"])
    if state == TRAIL:
        options["weight"] = max(1, full["weight"] - 1)
        options["opacity"] = TRAIL_OPACITY
        options["fillOpacity"] = round(options["fillOpacity"] * TRAIL_OPACITY, 3)
        options["radius"] = max(3, options["radius"] - 2)
    return options


def marker_fill_opacity(style: Mapping[str, Any], state: str) -> float:
    """An SVG marker's fill stays visible even for layers whose areas are unfilled."""
    floor = 0.6 if state == ACTIVE else 0.2
    faded = TRAIL_OPACITY if state == TRAIL else 1.0
    return max(round(float(style.get("fill_opacity", 0.3)) * faded, 3), floor)


# --- Dates ----------------------------------------------------------------------------------


def format_day(day: date) -> str:
    """A day as the slider and the panel name it: 'Mon 6 Sep 1976'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _format_date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def _jst(moment: datetime | pd.Timestamp) -> datetime:
    """A moment as a plain datetime in JST (pandas Timestamps format many times slower)."""
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    if moment.tzinfo is None:
        raise ValueError(f"moment {moment!r} must be timezone-aware")
    return moment.astimezone(JST)


def _format_days(first: date, last: date) -> str:
    """A range of whole days, the shared month and year said once ('8-25 Sep 1976')."""
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{DASH}{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} {DASH} {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} {DASH} {last.day} {last:%b %Y}"


def format_span(start: datetime | pd.Timestamp, end: datetime | pd.Timestamp) -> str:
    """Human dates in JST: '6 Sep 1976, 13:10 JST', '6 Sep 1976, 13:10-13:57 JST', or for
    whole days dates alone: '25 Sep 1976 (JST)', '25 Sep - 15 Nov 1976 (JST)' (en dashes).
    """
    start, end = _jst(start), _jst(end)
    if start == end:  # a moment keeps its time, even midnight
        return f"{_format_date(start)}, {start:%H:%M} JST"
    # Items from 00:00 to 00:00 or 23:59(:59) cover whole days: their times add nothing. An
    # end at 00:00 names its day, as geo.timing counts the item active on it.
    midnight = time(0, 0)
    if start.time() == midnight and (end.time() == midnight or end.time() >= time(23, 59)):
        return f"{_format_days(start.date(), end.date())} (JST)"
    if start.date() == end.date():
        return f"{_format_date(start)}, {start:%H:%M}{DASH}{end:%H:%M} JST"
    return f"{_format_date(start)} {start:%H:%M} {DASH} {_format_date(end)} {end:%H:%M} JST"


def mig_when(start: datetime, end: datetime, moment: datetime | None = None) -> str:
    """When the MiG-25's marker applies: its stay at a place ('6 Sep 1976 13:50 - 25 Sep 1976
    09:00 JST'), or in the air the moment shown ('As of 6 Sep 1976, 13:20 JST')."""
    if moment is not None:
        return f"As of {format_span(moment, moment)}"
    return format_span(start, end)


# --- Feature texts --------------------------------------------------------------------------


def _field(row: Row, key: str) -> str:
    value = row.get(key) if hasattr(row, "get") else None
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    return str(value).strip()


def place_line(row: Row) -> str:
    """The feature's place in English with its Japanese and Russian names, e.g.
    'Hakodate Airport · 函館空港'; '' when the feature has no single place."""
    names = [_field(row, key) for key in ("place", "place_ja", "place_ru")]
    return " · ".join(name for name in names if name)


def alternatives(row: Row) -> list[str]:
    """The other published claims about the feature, each with its sources."""
    text = _field(row, "alternatives")
    return [part.strip() for part in text.split(ALTERNATIVES_SEPARATOR) if part.strip()]


def sources(row: Row) -> list[str]:
    """The feature's citations, one per source."""
    text = _field(row, "sources")
    return [part.strip() for part in text.split(SOURCES_SEPARATOR) if part.strip()]


# --- Popups ---------------------------------------------------------------------------------


def popup_html(row: Row, *, when: str | None = None, length_km: float | None = None) -> str:
    """THE popup of a map feature (items and the MiG-25 alike); every data string escaped.

    `row` has name, description, certainty, sources (joined with "; ") and start/end unless
    `when` says it, and may have place, place_ja, place_ru and alternatives (joined with
    " | "); `length_km` adds a route's geodesic length.
    """
    for key in ("name", "description", "certainty", "sources"):
        if key not in row:
            raise ValueError(f"popup row: missing {key!r} (has {', '.join(map(str, row))})")
    esc = html.escape
    if when is None:
        when = format_span(row["start"], row["end"])
    place = place_line(row)
    parts = [
        '<div class="fx-popup">',
        f"<b>{esc(str(row['name']))}</b><br>",
        f'<span class="fx-place">{esc(place)}</span><br>' if place else "",
        f'<span class="fx-when">{esc(when)}</span>',
        f"<p>{esc(str(row['description']))}</p>",
        f'<div class="fx-meta">Certainty: {esc(str(row["certainty"]))}</div>',
    ]
    others = alternatives(row)
    if others:
        claims = "".join(f"<li>{esc(claim)}</li>" for claim in others)
        parts.append(f'<div class="fx-meta">Accounts differ:<ul>{claims}</ul></div>')
    if length_km is not None:
        parts.append(f'<div class="fx-meta">Length: {length_km:,.0f} km (geodesic)</div>')
    items = "".join(f"<li>{esc(source)}</li>" for source in sources(row))
    parts.append(f'<div class="fx-meta">Sources:<ul>{items}</ul></div></div>')
    return "".join(parts)


def flown_html(km: float, at: time) -> str:
    """The popup's line for a flight drawn part-way: how far it had got by `at`."""
    return f'<div class="fx-flown">Flown so far: {km:,.0f} km at {at:%H:%M} JST</div>'


# --- Legend ---------------------------------------------------------------------------------


def _dash(style: Mapping[str, Any]) -> str:
    value = style.get("dash_array")
    return f' stroke-dasharray="{html.escape(str(value))}"' if value else ""


def _swatch_marker(style: Mapping[str, Any]) -> str:
    """The layer's point marker as the map draws it on its day (see geo.store)."""
    color, fill = style["color"], style["fill_color"]
    if style["marker"] == "circle":  # a Leaflet circleMarker: the layer's own fill opacity
        fill_opacity = style["fill_opacity"]
        shape = f'<circle cx="10" cy="10" r="7" stroke-width="{style["weight"] + 1}"'
    else:  # an SVG icon, its fill kept visible
        fill_opacity = marker_fill_opacity(style, ACTIVE)
        shape = f'<polygon points="{MARKER_POINTS[style["marker"]]}" stroke-width="2.5"'
    return (
        f'<svg class="fx-sw-marker" x="0" y="0" width="16" height="16" viewBox="0 0 20 20">'
        f'{shape} fill="{fill}" fill-opacity="{fill_opacity:g}" stroke="{color}"/></svg>'
    )


def _swatch(style: Mapping[str, Any], kinds: Collection[str] | None, opacity: float = 1.0) -> str:
    """Inline SVG: the layer's marker, a line sample with its dashes and, for areas, a square."""
    style = layer_style(style)
    color, fill = style["color"], style["fill_color"]
    weight, fill_opacity, dash = style["weight"] + 1, style["fill_opacity"], _dash(style)
    if kinds is None:
        kinds = {"point", "line"} | ({"polygon"} if fill_opacity > 0 else set())
    parts = []
    if "point" in kinds:
        parts.append(_swatch_marker(style))
    if "line" in kinds:
        parts.append(
            f'<line class="fx-sw-line" x1="19" y1="8" x2="43" y2="8" stroke="{color}" '
            f'stroke-width="{weight}"{dash}/>'
        )
    if "polygon" in kinds:
        parts.append(
            f'<rect class="fx-sw-area" x="47" y="2.5" width="11" height="11" fill="{fill}" '
            f'fill-opacity="{fill_opacity:g}" stroke="{color}" stroke-width="{min(weight, 2)}"'
            f"{dash}/>"
        )
    faded = f' opacity="{opacity:g}"' if opacity < 1 else ""
    return (
        f'<svg class="fx-sw" width="{_SWATCH_W}" height="{_SWATCH_H}" '
        f'viewBox="0 0 {_SWATCH_W} {_SWATCH_H}" aria-hidden="true"{faded}>{"".join(parts)}</svg>'
    )


# A legend entry: (title, style, kinds) where kinds says which of "point", "line" and
# "polygon" the layer draws (None: marker and line, and an area if filled).
LegendEntry = tuple[str, Mapping[str, Any], Collection[str] | None]


def legend_html(entries: Sequence[LegendEntry]) -> str:
    """Legend HTML: each layer's marker, line and area as drawn, the trail and the MiG marker."""
    rows = ["<b>Layers</b>"]
    for title, style, kinds in entries:
        rows.append(f"<div>{_swatch(style, kinds)}{html.escape(title)}</div>")
    grey = {"color": "#555555", "fill_color": "#999999", "fill_opacity": 0.6}
    rows.append(f"<div>{_swatch(grey, {'point', 'line'}, TRAIL_OPACITY)}Faded: earlier days</div>")
    mig = f'<svg x="0" y="0" width="16" height="16" viewBox="0 0 20 20">{MIG_SVG}</svg>'
    rows.append(
        f'<div><svg class="fx-sw" width="{_SWATCH_W}" height="{_SWATCH_H}" aria-hidden="true">'
        f"{mig}</svg>MiG-25 that day</div>"
    )
    return "".join(rows)


# --- JSON for pages -------------------------------------------------------------------------


def script_json(value: object) -> str:
    """Compact JSON safe inside a <script> element and in JS source: `<`, `>`, `&`, `'` and
    U+2028/2029 escaped (what Jinja's tojson does, plus the two line separators)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def map_frame(bounds: Sequence[Sequence[float]] = STORY_BOUNDS) -> dict[str, Any]:
    """The client's framing: the embedded basemap's region (never panned or zoomed past), the
    zoom limit and the first view's `bounds` ([[south, west], [north, east]])."""
    from geo.basemap import REGION  # the basemap module reads GSHHS; only its extent is needed

    corners = [[float(value) for value in corner] for corner in bounds]
    if len(corners) != 2 or any(len(corner) != 2 for corner in corners):
        raise ValueError(f"bounds must be [[south, west], [north, east]], got {bounds!r}")
    (south, west), (north, east) = corners
    if not (south <= north and west <= east):
        raise ValueError(f"bounds must be [[south, west], [north, east]], got {bounds!r}")
    return {"region": list(REGION), "bounds": corners, "maxZoom": MAX_ZOOM}
