"""The catalog against the published record: each dated fact of the sources has its item."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import airportsdata
import pytest
from shapely import Point

import layers
from geo.geodesy import to_metric
from geo.timing import JST

AIRPORTS = airportsdata.load("ICAO")


def airfield(icao: str) -> tuple[float, float]:
    return AIRPORTS[icao]["lon"], AIRPORTS[icao]["lat"]


CHUGUYEVKA = (133 + 52 / 60 + 6 / 3600, 44 + 5 / 60)  # "Chuguyevka (air base)", Wikipedia
HAKODATE_AIRPORT, CHITOSE, HYAKURI, HANEDA = map(airfield, ("RJCH", "RJCJ", "RJAH", "RJTT"))
TOKYO = (139.69171, 35.6895)  # GeoNames 1850147
TSUGARU_STRAIT = (140.6, 41.5)  # mid-strait, between Hokkaido and Honshu
HITACHI = (140.65, 36.6)  # GeoNames 2112708, the town; the port lies ~12 km south-east
VLADIVOSTOK = (131.87353, 43.10562)  # GeoNames 2013348


def jst(day: str, clock: str = "12:00") -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=JST)


# (what the source says, its source, moment in JST, place or None, minutes, km)
FACTS = [
    ("take-off from Chuguyevka, 12:50", "Barron 1980", jst("1976-09-06", "12:50"), CHUGUYEVKA,
     5, 5),
    ("radar contact, 13:11", "Station HYPO part 1", jst("1976-09-06", "13:11"), None, 2, 0),
    ("F-4EJs scramble from Chitose, about 13:20", "Wikipedia; Station HYPO",
     jst("1976-09-06", "13:20"), CHITOSE, 2, 5),
    ("airspace violated, 13:22:30", "Defense of Japan 1977", jst("1976-09-06", "13:22"), None,
     2, 0),
    ("landing at Hakodate, about 13:50", "Defense of Japan 1977", jst("1976-09-06", "13:50"),
     HAKODATE_AIRPORT, 7, 3),
    ("police close the airport, about 14:10", "Wikipedia", jst("1976-09-06", "14:10"),
     HAKODATE_AIRPORT, 5, 3),
    ("Soviet demands that evening", "Defense of Japan 1977", jst("1976-09-06", "20:00"), TOKYO,
     0, 10),
    ("Belenko moved to Tokyo, 7 Sep", "Defense of Japan 1977", jst("1976-09-07"), TOKYO, 0, 10),
    ("US grants asylum, 8 Sep", "Wikipedia", jst("1976-09-08"), TOKYO, 0, 10),
    ("MSDF patrols the Tsugaru Strait, 8-25 Sep", "Wikipedia", jst("1976-09-15"),
     TSUGARU_STRAIT, 0, 30),
    ("jurisdiction to the Defense Agency, 9 Sep", "Wikipedia", jst("1976-09-09"), TOKYO, 0, 10),
    ("Belenko leaves from Haneda, 9 Sep", "Mynavi; TIME", jst("1976-09-09"), HANEDA, 0, 3),
    ("the MiG still at Hakodate, 20 Sep", "Station HYPO part 3", jst("1976-09-20"),
     HAKODATE_AIRPORT, 0, 3),
    ("C-5A lands at Hyakuri, 00:45 on 25 Sep", "Station HYPO part 3", jst("1976-09-25", "00:45"),
     HYAKURI, 5, 3),
    ("examination at Hyakuri, October", "Wikipedia", jst("1976-10-15"), HYAKURI, 0, 3),
    ("Japan's terms announced, 2 Oct", "TIME; Wikipedia", jst("1976-10-02"), TOKYO, 0, 10),
    ("Soviet acceptance, 22 Oct", "Wikipedia; Station HYPO part 5", jst("1976-10-22"), TOKYO,
     0, 10),
    ("crates trucked Hyakuri to Hitachi, 11 Nov", "El País", jst("1976-11-11"), HITACHI, 0, 15),
    ("Soviet inspection at Hitachi", "El País", jst("1976-11-13"), HITACHI, 0, 15),
    ("shipped from Hitachi on the Taigonos, 15 Nov", "Wikipedia; El País", jst("1976-11-15"),
     HITACHI, 0, 15),
    ("the Taigonos reaches Vladivostok about three days later", "Wikipedia; El País",
     jst("1976-11-18"), VLADIVOSTOK, 24 * 60, 5),
]  # fmt: skip


def distance_km(geometry, lonlat: tuple[float, float]) -> float:
    return to_metric(geometry).distance(to_metric(Point(lonlat))) / 1000


@pytest.mark.parametrize(
    ("fact", "source", "moment", "place", "minutes", "km"), FACTS, ids=[f[0] for f in FACTS]
)
def test_each_dated_fact_has_an_item_at_that_time_and_place(
    fact: str,
    source: str,
    moment: datetime,
    place: tuple[float, float] | None,
    minutes: int,
    km: float,
) -> None:
    items = layers.all_features()
    slack = timedelta(minutes=minutes)
    at_time = items[(items["start"] - slack <= moment) & (items["end"] + slack >= moment)]
    if place is not None:
        near = [distance_km(geometry, place) <= km for geometry in at_time.geometry]
        at_time = at_time[near]
    assert len(at_time), f"no item for {fact!r} ({source})"


@pytest.mark.parametrize(
    ("day", "place", "km"),
    [
        (date(1976, 9, 20), HAKODATE_AIRPORT, 1),
        (date(1976, 10, 15), HYAKURI, 1),
        (date(1976, 11, 13), HITACHI, 15),
        # After the ship sailed on 15 Nov the jet is not left at the port for two weeks.
        (date(1976, 11, 25), VLADIVOSTOK, 1),
    ],
)
def test_the_mig25_is_where_the_sources_put_it(day: date, place: tuple, km: float) -> None:
    assert distance_km(layers.mig25_position(day).geometry, place) <= km
