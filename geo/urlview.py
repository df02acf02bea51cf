"""The dashboard's view from its URL (?date=&layers=&time=&view=): bad values give a notice each."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import TypeVar
from urllib.parse import urlencode

from geo.messages import one_line, quoted
from geo.present import MAX_ZOOM
from geo.timing import DEFECTION_DAY, REPLAY_END, parse_day, parse_replay_time

NOTICE_LIMIT = 200  # characters of an error message quoted in a notice
T = TypeVar("T")


@dataclass(frozen=True)
class UrlView:
    """What the URL asks for, defaults where it asks for nothing valid, and why."""

    day: date = DEFECTION_DAY
    at: time = REPLAY_END  # the 6 Sep replay's time of day (the whole day by default)
    layers: list[str] | None = None  # None: every layer
    notices: list[str] = field(default_factory=list)  # plain text, one per ignored value
    goto: tuple[float, float, float] | None = None  # the map's centre lat, lon and zoom


def parse_map_view(text: str) -> tuple[float, float, float]:
    """`lat,lon,zoom` of a shared map view; ValueError naming the bad part otherwise."""
    from geo.basemap import REGION  # the extent only (the module reads GSHHS lazily)

    parts = [part.strip() for part in str(text).split(",")]
    if len(parts) != 3:
        raise ValueError(f"view {quoted(text)} is not lat,lon,zoom")
    try:
        lat, lon, zoom = (float(part) for part in parts)
    except ValueError:
        raise ValueError(f"view {quoted(text)} is not three numbers lat,lon,zoom") from None
    west, south, east, north = REGION
    if not south <= lat <= north:
        raise ValueError(f"latitude {lat:g} is outside the map's {south:g}..{north:g}")
    if not west <= lon <= east:
        raise ValueError(f"longitude {lon:g} is outside the map's {west:g}..{east:g}")
    if not 0 <= zoom <= MAX_ZOOM:
        raise ValueError(f"zoom {zoom:g} is outside 0..{MAX_ZOOM}")
    return lat, lon, zoom


def _notice(name: str, value: str, error: Exception) -> str:
    return f"Ignored {name} {quoted(value)}: {one_line(str(error), NOTICE_LIMIT)}."


def _layers(
    text: str, parse_layer_ids: Callable[[str], list[str]], notices: list[str]
) -> list[str] | None:
    """The known layers of a `layers` value (None if none is known); a notice per unknown one."""
    try:
        return parse_layer_ids(text)
    except ValueError as error:
        whole = error
    kept: list[str] = []
    bad: list[tuple[str, ValueError]] = []
    for part in (part.strip() for part in text.split(",")):
        if not part:
            continue
        try:
            kept.extend(layer_id for layer_id in parse_layer_ids(part) if layer_id not in kept)
        except ValueError as error:
            bad.append((part, error))
    if not kept:
        notices.append(_notice("layers", text, whole))
        return None
    notices.extend(
        f"Ignored {quoted(part)} in layers: {one_line(str(error), NOTICE_LIMIT)}; "
        f"showing {', '.join(kept)}."
        for part, error in bad
    )
    return kept


def _parsed(
    params: Mapping[str, str], key: str, parse: Callable[[str], T], notices: list[str]
) -> T | None:
    """`params[key]` parsed, or None when absent or bad (a bad value adds its notice)."""
    if key not in params:
        return None
    try:
        return parse(params[key])
    except ValueError as error:
        notices.append(_notice(key, params[key], error))
        return None


def parse_view(params: Mapping[str, str], parse_layer_ids: Callable[[str], list[str]]) -> UrlView:
    """The view of a shared URL's query `params`; `parse_layer_ids` checks a layers value.

    An empty `layers` means every layer switched off. A `time` counts only with 6 Sep (the
    replay's day); with any other day it is ignored with a notice, never silently.
    """
    notices: list[str] = []
    day = _parsed(params, "date", parse_day, notices) or DEFECTION_DAY
    chosen: list[str] | None = None
    if "layers" in params and not params["layers"].strip():
        chosen = []
    elif "layers" in params:
        chosen = _layers(params["layers"], parse_layer_ids, notices)
    at = REPLAY_END
    wanted = _parsed(params, "time", parse_replay_time, notices)
    if wanted is not None and day == DEFECTION_DAY:
        at = wanted
    elif wanted is not None:
        notices.append(
            f"Ignored time {quoted(params['time'])}: a time of day applies only to "
            f"{DEFECTION_DAY.day} Sep {DEFECTION_DAY.year} (the flight), not to "
            f"{day.isoformat()}."
        )
    goto = _parsed(params, "view", parse_map_view, notices)
    return UrlView(day=day, at=at, layers=chosen, notices=notices, goto=goto)


def view_params(
    day: date,
    at: time | None,
    layer_ids: Sequence[str],
    all_layer_ids: Sequence[str],
    map_view: str | None = None,
) -> dict[str, str]:
    """The query parameters that name a view, the inverse of `parse_view`: `date` always,
    `layers` unless every one of `all_layer_ids` is on (in their order), `time` on 6 Sep
    unless it is the whole day, `view` (a checked `lat,lon,zoom`) when given."""
    if not isinstance(day, date):
        raise ValueError(f"day must be a date, got {day!r}")
    unknown = [layer_id for layer_id in layer_ids if layer_id not in all_layer_ids]
    if unknown:
        raise ValueError(f"layer_ids has unknown layer {quoted(unknown[0])}")
    if at is not None and day != DEFECTION_DAY:
        raise ValueError(f"at {at:%H:%M} is given for {day.isoformat()}, not 6 Sep")
    params = {"date": day.isoformat()}
    if list(layer_ids) != list(all_layer_ids):
        params["layers"] = ",".join(layer_ids)
    if at is not None and at != REPLAY_END:
        params["time"] = at.strftime("%H:%M")
    if map_view is not None:
        parse_map_view(map_view)
        params["view"] = map_view
    return params


def address(params: Mapping[str, str]) -> str:
    """The query string of `params` as the address bar shows it: commas and colons as typed
    (`layers=hakodate,c5a_route&time=13:20`), everything else percent-encoded."""
    return urlencode(params, safe=",:")
