"""The dashboard's view from its URL (?date=&layers=&time=): bad values give a notice each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time

from geo.messages import one_line, quoted
from geo.timing import DEFECTION_DAY, REPLAY_END, parse_day, parse_replay_time

NOTICE_LIMIT = 200  # characters of an error message quoted in a notice


@dataclass(frozen=True)
class UrlView:
    """What the URL asks for, defaults where it asks for nothing valid, and why."""

    day: date = DEFECTION_DAY
    at: time = REPLAY_END  # the 6 Sep replay's time of day (the whole day by default)
    layers: list[str] | None = None  # None: every layer
    notices: list[str] = field(default_factory=list)  # plain text, one per ignored value


def _notice(name: str, value: str, error: Exception) -> str:
    return f"Ignored {name} {quoted(value)}: {one_line(str(error), NOTICE_LIMIT)}."


def parse_view(params: Mapping[str, str], parse_layer_ids: Callable[[str], list[str]]) -> UrlView:
    """The view of a shared URL's query `params`; `parse_layer_ids` checks a layers value.

    An empty `layers` means every layer switched off. A `time` counts only with 6 Sep (the
    replay's day); with any other day it is ignored with a notice, never silently.
    """
    notices: list[str] = []
    day = DEFECTION_DAY
    if "date" in params:
        try:
            day = parse_day(params["date"])
        except ValueError as error:
            notices.append(_notice("date", params["date"], error))
    chosen: list[str] | None = None
    if "layers" in params and not params["layers"].strip():
        chosen = []
    elif "layers" in params:
        try:
            chosen = parse_layer_ids(params["layers"])
        except ValueError as error:
            notices.append(_notice("layers", params["layers"], error))
    at = REPLAY_END
    if "time" in params:
        try:
            wanted = parse_replay_time(params["time"])
        except ValueError as error:
            notices.append(_notice("time", params["time"], error))
        else:
            if day == DEFECTION_DAY:
                at = wanted
            else:
                notices.append(
                    f"Ignored time {quoted(params['time'])}: a time of day applies only to "
                    f"{DEFECTION_DAY.day} Sep {DEFECTION_DAY.year} (the flight), not to "
                    f"{day.isoformat()}."
                )
    return UrlView(day=day, at=at, layers=chosen, notices=notices)
