"""The map's item store: per item its geometry, styles, popup and state on every day of a scope.

The browser client (geo/web/map.js) only looks states up here: the time rule stays in Python
(geo.timing), and nothing on the path of a day change computes geometry.
"""

from __future__ import annotations

import bisect
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, cast

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from geo import present
from geo.geodesy import length_km
from geo.timing import (
    ACTIVE,
    DEFECTION_DAY,
    FUTURE,
    JST,
    TRAIL,
    day_bounds,
    item_state,
    period_days,
    progress,
    replay_times,
)

COORD_DIGITS = 4  # ~10 m: keeps the store small without visible loss
SIMPLIFY_DEGREES = 0.002  # ~200 m: invisible at the story's zooms, a fraction of the vertices
STATE_CODES = {ACTIVE: "a", TRAIL: "t", FUTURE: "-"}  # one character per day in `days`
STATES = (ACTIVE, TRAIL)  # the states an item is drawn in
# From this many items on, the client draws them on canvases rather than as SVG and HTML
# elements (thousands of elements make every step and pan slow); canvas items have no element
# of their own, so they are reached by pointer, not by Tab.
CANVAS_FROM = 1000
MIG_TOOLTIP = "MiG-25"


def _round(value: float) -> float:
    return round(float(value), COORD_DIGITS)


def _latlngs(coords: Iterable[Sequence[float]]) -> list[list[float]]:
    lonlat = np.asarray(list(coords), dtype=float)[:, :2]
    return np.round(lonlat[:, ::-1], COORD_DIGITS).tolist()  # in one go: thousands of lines


def display_coords(geometry: BaseGeometry) -> tuple[str, Any]:
    """Kind (line/polygon/point) and simplified, rounded Leaflet [lat, lon] coordinates.

    Markers get a list of points (one per point of a MultiPoint), lines a list of points (or
    of parts), polygons a list of rings (or of polygons). Leaflet draws rings in any order.
    """
    if not isinstance(geometry, BaseGeometry) or geometry.is_empty:
        raise ValueError(f"geometry must be a non-empty shapely geometry, got {geometry!r}")
    if isinstance(geometry, LineString | MultiLineString):
        simple = shapely.simplify(geometry, SIMPLIFY_DEGREES, preserve_topology=True)
        simple = geometry if simple.is_empty else simple
        lines = list(simple.geoms) if isinstance(simple, MultiLineString) else [simple]
        coords = [_latlngs(part.coords) for part in lines]
        return "line", coords[0] if len(coords) == 1 else coords
    if isinstance(geometry, Polygon | MultiPolygon):
        area = shapely.simplify(geometry, SIMPLIFY_DEGREES, preserve_topology=True)
        area = geometry if area.is_empty else area
        polygons = list(area.geoms) if isinstance(area, MultiPolygon) else [area]
        rings = [
            [_latlngs(poly.exterior.coords), *(_latlngs(r.coords) for r in poly.interiors)]
            for poly in polygons
        ]
        return "polygon", rings[0] if len(rings) == 1 else rings
    points = [geometry] if isinstance(geometry, Point) else list(getattr(geometry, "geoms", []))
    return "point", [[_round(p.y), _round(p.x)] for p in points]


def line_prefix(line: LineString, fraction: float) -> LineString | Point | None:
    """The first `fraction` of a line (None for nothing), as routes place points along them.

    A line of no length gives a Point.
    """
    if fraction <= 0:
        return None
    if fraction >= 1:
        return line
    return substring(line, 0.0, fraction, normalized=True)


def _css_class(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "-" for ch in text)


def draw_options(style: Mapping[str, Any], kind: str, state: str, item_id: str) -> dict[str, Any]:
    """What the client hands Leaflet for an item of `kind` in `state` (ACTIVE or TRAIL).

    Circles and paths get Leaflet path options; square/diamond/triangle markers the options of
    an SVG icon (shape, size, colours). The CSS classes name the state and the item.
    """
    options = present.leaflet_style(style, state)
    if kind == "line":
        for key in ("radius", "fillColor", "fillOpacity"):
            options.pop(key)
        options["fill"] = False
    elif kind == "polygon":
        options.pop("radius")
    elif kind != "circle":
        options = {
            "shape": kind,
            "size": 2 * options["radius"] + 4,
            "color": options["color"],
            "fillColor": options["fillColor"],
            "opacity": options["opacity"],
            "fillOpacity": present.marker_fill_opacity(style, state),
        }
    options["className"] = draw_options_class(state, item_id)
    return options


def draw_options_class(state: str, item_id: str) -> str:
    """The CSS classes of an item's drawing: its state and its id."""
    return f"fx-{state} fx-id-{_css_class(item_id)}"


def day_states(start: datetime, end: datetime, bounds: Sequence[tuple[datetime, datetime]]) -> str:
    """`item_state` of an item on each day, given as its JST bounds (`day_bounds`), in order:
    one code each. Not yet drawn, then active, then trail: two searches give the whole row."""
    first_active = bisect.bisect_right(bounds, start, key=lambda bound: bound[1])
    first_trail = bisect.bisect_right(bounds, end, key=lambda bound: bound[0])
    return (
        STATE_CODES[FUTURE] * first_active
        + STATE_CODES[ACTIVE] * (first_trail - first_active)
        + STATE_CODES[TRAIL] * (len(bounds) - first_trail)
    )


def _item(
    row: Mapping[str, Any],
    style: Mapping[str, Any],
    bounds: Sequence[tuple[datetime, datetime]],
    replay: bool,
    options: dict[tuple[str, str], dict[str, Any]],
) -> dict[str, Any] | None:
    geometry = row["geometry"]
    if geometry is None or geometry.is_empty:
        return None
    item_id = str(row["id"])
    start = pd.Timestamp(row["start"]).to_pydatetime()
    end = pd.Timestamp(row["end"]).to_pydatetime()
    kind, coords = display_coords(geometry)
    if kind == "point":
        kind = style["marker"]
    is_line = isinstance(geometry, LineString | MultiLineString)
    entry: dict[str, Any] = {
        "id": item_id,
        "layer": str(row["layer"]),
        "kind": kind,
        "coords": coords,
        "options": {state: _options(style, kind, state, item_id, options) for state in STATES},
        "popup": present.popup_html(row, length_km=length_km(geometry) if is_line else None),
        "tooltip": html.escape(str(row["name"])),
        "days": day_states(start, end, bounds),
    }
    if replay and item_state(start, end, DEFECTION_DAY) == ACTIVE:
        entry["replay"] = _replay(start, end, geometry)
    return entry


def _options(
    style: Mapping[str, Any],
    kind: str,
    state: str,
    item_id: str,
    known: dict[tuple[str, str], dict[str, Any]],
) -> dict[str, Any]:
    """`draw_options`, worked out once per kind and state of a layer (`known`); only the
    item's CSS class differs from item to item."""
    if (kind, state) not in known:
        known[kind, state] = draw_options(style, kind, state, "")
    options = dict(known[kind, state])
    options["className"] = draw_options_class(state, item_id)
    return options


def _replay(start: datetime, end: datetime, geometry: BaseGeometry) -> dict[str, Any]:
    """States at each replay step of 6 Sep, and a route's coordinates while under way."""
    states, partial = [], {}
    for step, at in enumerate(replay_times()):
        moment = datetime.combine(DEFECTION_DAY, at, tzinfo=JST)
        state = item_state(start, end, DEFECTION_DAY, moment)
        if state == ACTIVE and isinstance(geometry, LineString):
            fraction = progress(start, end, moment)
            if fraction < 1:
                prefix = line_prefix(geometry, fraction)
                if prefix is None:  # not yet under way: nothing to draw
                    state = FUTURE
                else:
                    partial[str(step)] = {
                        "coords": display_coords(prefix)[1],
                        "flown": present.flown_html(length_km(prefix), at),
                    }
        states.append(STATE_CODES[state])
    return {"states": "".join(states), "partial": partial}


def mig_mark(day: date, at: time | None = None) -> dict[str, Any] | None:
    """The MiG-25's marker on `day` (at replay time `at`): coordinates and popup; None where
    the catalog has no position. The popup names the stay, so days at one place share it."""
    from geo.catalog import load_catalog
    from geo.features import day_moment, stay_at

    moment = day_moment(day, at)
    found = stay_at(moment)
    if found is None:
        return None
    stay, position = found
    point = position if isinstance(position, Point) else position.centroid
    row = {
        "name": present.MIG_NAME,
        "description": stay.status,
        "certainty": stay.certainty,
        "sources": load_catalog().citations(stay.sources),
    }
    when = present.mig_when(stay.start, stay.end, moment if stay.place is None else None)
    return {
        "coords": [_round(point.y), _round(point.x)],
        "popup": present.popup_html(row, when=when),
    }


def _mig_marks(days: Sequence[date], replay: bool) -> dict[str, Any]:
    """The MiG-25's distinct marks, and which one each day and replay step shows (or None)."""
    marks: list[dict[str, Any]] = []
    seen: dict[str, int] = {}

    def index(mark: dict[str, Any] | None) -> int | None:
        if mark is None:
            return None
        key = json.dumps(mark, sort_keys=True)
        if key not in seen:
            seen[key] = len(marks)
            marks.append(mark)
        return seen[key]

    return {
        "marks": marks,
        "days": [index(mig_mark(day)) for day in days],
        "replay": [index(mig_mark(DEFECTION_DAY, at)) for at in replay_times()] if replay else [],
    }


def build_store(
    frames: Mapping[str, pd.DataFrame],
    titles: Mapping[str, str] | None = None,
    styles: Mapping[str, Mapping[str, Any] | None] | None = None,
    days: Sequence[date] | None = None,
    with_mig: bool = True,
) -> dict[str, Any]:
    """The store for `frames` (layer id -> layer frame) over `days` (default: the period).

    Also carries the days' labels, the 6 Sep replay grid when that day is in scope, the
    layers' titles and legend, and the MiG-25's position on each day and replay step.
    """
    days = list(period_days() if days is None else days)
    if not days or days != sorted(set(days)):
        raise ValueError(f"days must be distinct days in order, got {days!r}")
    replay = DEFECTION_DAY in days
    bounds = [day_bounds(day) for day in days]
    # Layer frames' column labels are str (geo.schema.COLUMNS); pandas types them Hashable.
    records = {
        layer_id: cast("list[dict[str, Any]]", frame.to_dict("records"))
        for layer_id, frame in frames.items()
    }
    layers, legend, items = [], [], []
    named: list[tuple[str, str, BaseGeometry]] = []  # (item id, place, geometry) for labels
    for index, layer_id in enumerate(frames):
        style = present.layer_style((styles or {}).get(layer_id), index)
        title = str((titles or {}).get(layer_id) or layer_id)
        options: dict[tuple[str, str], dict[str, Any]] = {}
        entries = [_item(row, style, bounds, replay, options) for row in records[layer_id]]
        drawn = [entry for entry in entries if entry is not None]
        named.extend(
            (entry["id"], str(row.get("place") or ""), row["geometry"])
            for row, entry in zip(records[layer_id], entries, strict=True)
            if entry is not None
        )
        kinds = {"point" if e["kind"] in present.MARKERS else e["kind"] for e in drawn} or None
        layers.append({"id": layer_id, "title": title})
        legend.append((title, style, kinds))
        items.extend(drawn)
    times = replay_times()
    mig = _mig_marks(days, replay) if with_mig else {"marks": [], "days": [], "replay": []}
    return {
        "days": [{"iso": day.isoformat(), "label": present.format_day(day)} for day in days],
        "replay": {
            "day": days.index(DEFECTION_DAY),
            "times": [f"{at:%H:%M}" for at in times],
        }
        if replay
        else None,
        "layers": layers,
        "legend": present.legend_html(legend),
        "shapes": present.MARKER_POINTS,
        "migSvg": present.MIG_SVG,
        "migTooltip": MIG_TOOLTIP,
        "trailOpacity": present.TRAIL_OPACITY,
        "items": items,
        "canvas": len(items) >= CANVAS_FROM,
        "labels": place_labels(named),
        "mig": mig,
    }


def short_place(place: str) -> str:
    """A place's name short enough for a map label: "Sokol air base (Dolinsk-Sokol), Sakhalin"
    -> "Sokol air base"."""
    return place.split(" (", 1)[0].split(",", 1)[0].strip()


def place_labels(named: Iterable[tuple[str, str, BaseGeometry]]) -> list[dict[str, Any]]:
    """One label per place named by point or area items: `{text, coords, items}`, the places
    with most items first (the client hides later labels that would overlap earlier ones).

    A label is shown while one of its items is drawn active; routes get none (their places
    are their ends, labelled by the points there).
    """
    found: dict[str, dict[str, Any]] = {}
    for item_id, place, geometry in named:
        text = short_place(place)
        if not text or geometry.geom_type in ("LineString", "MultiLineString"):
            continue
        if text not in found:
            anchor = geometry if isinstance(geometry, Point) else geometry.representative_point()
            if isinstance(geometry, MultiPoint):
                anchor = geometry.geoms[0]
            found[text] = {
                "text": html.escape(text),
                "coords": [_round(anchor.y), _round(anchor.x)],
                "items": [],
            }
        found[text]["items"].append(item_id)
    return sorted(found.values(), key=lambda label: -len(label["items"]))


def visible(
    store: Mapping[str, Any], day: date, at: time | None, layer_ids: Iterable[str]
) -> dict[str, str]:
    """Item id -> state drawn for a view, read from the store exactly as the client reads it."""
    isos = [entry["iso"] for entry in store["days"]]
    index = isos.index(day.isoformat())
    step = None
    if at is not None and store["replay"] and store["replay"]["day"] == index:
        step = store["replay"]["times"].index(f"{at:%H:%M}")
    wanted, codes = set(layer_ids), {code: state for state, code in STATE_CODES.items()}
    shown = {}
    for item in store["items"]:
        code = item["days"][index]
        if step is not None and "replay" in item:
            code = item["replay"]["states"][step]
        if item["layer"] in wanted and code != STATE_CODES[FUTURE]:
            shown[item["id"]] = codes[code]
    return shown
