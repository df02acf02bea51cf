"""Tests for geo.catalog: the packaged catalog loads; each bad record gets one clear message."""

from pathlib import Path

import pytest

from geo.catalog import CATALOG_PATH, CatalogError, load_catalog, parse_catalog
from geo.timing import JST

GOOD = """
[sources.article]
citation = "An article"
licence = "CC BY-SA 4.0"

[layers]
c5a_route = "C-5A"

[places.hakodate-airport]
name = "Hakodate Airport"
kind = "airport"
icao = "RJCH"

[places.hyakuri]
name = "Hyakuri"
kind = "air_base"
lat = 36.1811
lon = 140.415
coords_source = "article"

[[items]]
id = "c5a-airlift"
layer = "c5a_route"
name = "Airlift"
start = 1976-09-25T00:00:00+09:00
end = 1976-09-25T23:59:59+09:00
geometry = { route = ["hakodate-airport", "hyakuri"] }
description = "Flown south."
sources = ["article"]
certainty = "documented"
"""


def test_good_catalog_parses() -> None:
    catalog = parse_catalog(GOOD)
    item = catalog.item("c5a-airlift")
    assert item.start.utcoffset() == JST.utcoffset(None)
    assert catalog.places["hakodate-airport"].lonlat == (140.82201, 41.77)
    assert catalog.citations(item.sources) == "An article"


def _bad(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


ITEM = "catalog.toml: item 'c5a-airlift'"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_bad('name = "Airlift"\n', ""), f"{ITEM}: name is missing"),
        (_bad('layer = "c5a_route"\n', 'layer = "c5a"\n'), f"{ITEM}: layer 'c5a' is unknown"),
        (
            _bad('route = ["hakodate-airport", "hyakuri"]', 'route = ["hakodate", "hyakuri"]'),
            f"{ITEM}: geometry: unknown place 'hakodate'",
        ),
        (
            _bad("start = 1976-09-25T00:00:00+09:00", 'start = "25 Sept 1976"'),
            f"{ITEM}: start '25 Sept 1976' is not a date-time",
        ),
        (
            _bad("start = 1976-09-25T00:00:00+09:00", "start = 1976-09-25T00:00:00"),
            f"{ITEM}: start 1976-09-25T00:00:00 has no time zone (add +09:00)",
        ),
        (
            _bad("end = 1976-09-25T23:59:59+09:00", "end = 1976-09-25"),
            f"{ITEM}: end 1976-09-25 is a date without a time and zone",
        ),
        (
            _bad("end = 1976-09-25T23:59:59+09:00", "end = 1976-09-24T00:00:00+09:00"),
            f"{ITEM}: end 1976-09-24T00:00:00+09:00 is before start 1976-09-25T00:00:00+09:00",
        ),
        (
            _bad('certainty = "documented"', 'certainty = "sure"'),
            f"{ITEM}: certainty 'sure' is not one of documented, approximate, illustrative",
        ),
        (
            _bad('description = "Flown south."', 'description = "  "'),
            f"{ITEM}: description is empty",
        ),
        (_bad('sources = ["article"]', "sources = []"), f"{ITEM}: sources is empty"),
        (
            _bad('sources = ["article"]', 'sources = ["wiki"]'),
            f"{ITEM}: sources: unknown source 'wiki'",
        ),
        (
            GOOD + GOOD[GOOD.index("[[items]]") :],
            f"{ITEM}: id is a duplicate",
        ),
        (
            _bad("lat = 36.1811\nlon = 140.415", "lat = 140.415\nlon = 36.1811"),
            r"catalog.toml: place 'hyakuri': coordinates: lat=140.415 lon=36.1811 look swapped",
        ),
        (
            _bad("lat = 36.1811\nlon = 140.415", "lat = 140.415\nlon = 36.1811").replace(
                "lat = 140.415", "lat = 40.415"
            ),
            r"catalog.toml: place 'hyakuri': coordinates: lat=40.415 lon=36.1811 is outside",
        ),
        (
            _bad('route = ["hakodate-airport", "hyakuri"]', "point = { lat = 140.4, lon = 36.2 }"),
            f"{ITEM}: geometry: lat=140.4 lon=36.2 look swapped (lat/lon)",
        ),
        (
            _bad('route = ["hakodate-airport", "hyakuri"]', "point = { lat = 95.0, lon = 140.0 }"),
            f"{ITEM}: geometry: lat=95.0 lon=140.0 is out of range",
        ),
        (
            _bad('route = ["hakodate-airport", "hyakuri"]', "point = { lat = 40.4, lon = 36.2 }"),
            f"{ITEM}: geometry: lat=40.4 lon=36.2 is outside",
        ),
        (
            _bad('icao = "RJCH"', 'icao = "ZZZZ"'),
            "catalog.toml: place 'hakodate-airport': ICAO id 'ZZZZ' is not in airportsdata",
        ),
        (
            _bad('coords_source = "article"', ""),
            "catalog.toml: place 'hyakuri': hand-entered 'lat'/'lon' need a 'coords_source'",
        ),
        (
            _bad('coords_source = "article"', 'coords_source = "my guess"'),
            "catalog.toml: place 'hyakuri': coords_source 'my guess' is not a source id "
            "(known: article)",
        ),
        (
            _bad('route = ["hakodate-airport", "hyakuri"]', 'route = ["hyakuri"]'),
            f"{ITEM}: geometry: route needs at least 2 positions",
        ),
        (
            _bad(
                "geometry = { route", 'geometry = { buffer = "hyakuri", radius_km = -1, x'
            ).replace('x = ["hakodate-airport", "hyakuri"]', 'clip = "land"'),
            f"{ITEM}: geometry: unknown option",
        ),
        (_bad("[layers]", "[layers"), "catalog.toml: not valid TOML"),
    ],
)
def test_bad_records_get_one_clear_message(text: str, message: str) -> None:
    with pytest.raises(CatalogError, match=f"^{_escape(message)}"):
        parse_catalog(text)


def _escape(message: str) -> str:
    # Messages above are literal except where they already use regex escapes.
    return message if "\\" in message else __import__("re").escape(message)


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(CatalogError, match=r"nope\.toml: cannot read the catalog"):
        load_catalog(missing)


def test_edited_copy_of_the_catalog_is_validated(tmp_path: Path) -> None:
    broken = tmp_path / "catalog.toml"
    text = CATALOG_PATH.read_text(encoding="utf-8")
    broken.write_text(text.replace('certainty = "documented"', 'certainty = "certain"', 1))
    with pytest.raises(
        CatalogError, match=r"^catalog.toml: item '[a-z0-9-]+': certainty 'certain'"
    ):
        load_catalog(broken)


def test_packaged_catalog_is_valid_and_complete() -> None:
    catalog = load_catalog()
    assert len({item.id for item in catalog.items}) == len(catalog.items)
    assert set(catalog.layers) == {
        "soviet_bases",
        "defection_flight",
        "chitose",
        "hakodate",
        "tsugaru_patrols",
        "c5a_route",
        "hyakuri",
        "aftermath",
    }
    for layer in catalog.layers:
        assert any(item.layer == layer for item in catalog.items), layer
    for item in catalog.items:
        assert "article" in item.sources, f"{item.id} does not cite the article"
        if item.certainty == "illustrative":
            assert "drawn" in item.sources, f"{item.id} is illustrative but does not say so"


@pytest.mark.parametrize(
    ("item_id", "start", "end"),
    [
        ("radar-contact", "1976-09-06T13:10:00+09:00", "1976-09-06T13:10:00+09:00"),
        ("f4ej-scramble", "1976-09-06T13:20:00+09:00", "1976-09-06T13:20:00+09:00"),
        ("police-arrive", "1976-09-06T14:10:00+09:00", "1976-09-06T14:10:00+09:00"),
        ("msdf-tsugaru-patrol", "1976-09-08T00:00:00+09:00", "1976-09-25T23:59:59+09:00"),
        ("c5a-airlift", "1976-09-25T00:00:00+09:00", "1976-09-25T23:59:59+09:00"),
        ("belenko-to-tokyo", "1976-09-07T00:00:00+09:00", "1976-09-07T23:59:59+09:00"),
        ("us-asylum", "1976-09-08T00:00:00+09:00", "1976-09-08T23:59:59+09:00"),
        ("belenko-leaves-japan", "1976-09-09T00:00:00+09:00", "1976-09-09T23:59:59+09:00"),
        ("shipped-from-hitachi", "1976-11-15T00:00:00+09:00", "1976-11-15T23:59:59+09:00"),
    ],
)
def test_dated_facts_of_the_article_carry_their_dates(item_id: str, start: str, end: str) -> None:
    item = load_catalog().item(item_id)
    assert (item.start.isoformat(), item.end.isoformat()) == (start, end)


@pytest.mark.parametrize(
    ("item_id", "figure"),
    [
        ("gsdf-deployment", "200 troops"),
        ("gsdf-deployment", "Type 61"),
        ("gsdf-deployment", "28th Light"),
        ("examination", "40 crates"),
        ("shipped-from-hitachi", "20 parts"),
        ("shipped-from-hitachi", "$40,000"),
        ("shipped-from-hitachi", "$10 million"),
        ("landing", "30 seconds"),
        ("f4ej-scramble", "302nd"),
        ("msdf-ships-sea-of-japan", "three"),
    ],
)
def test_figures_of_the_article_are_carried_over(item_id: str, figure: str) -> None:
    assert figure in load_catalog().item(item_id).description


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ('flight = "c5a-airlift"', None),
        ('arrival = "c5a-airlift"\ndeparture = "c5a-airlift"', None),
        (
            'flight = "no-such-item"',
            "catalog.toml: [figures]: flight: item 'no-such-item' is unknown",
        ),
        ('speed = "c5a-airlift"', "catalog.toml: [figures]: speed is not one of flight, arrival"),
    ],
)
def test_figures_name_existing_items(figures: str, message: str | None) -> None:
    text = GOOD + f"\n[figures]\n{figures}\n"
    if message is None:
        assert parse_catalog(text).figures
    else:
        with pytest.raises(CatalogError, match=message.replace("[", r"\[").replace("]", r"\]")):
            parse_catalog(text)


def test_the_flight_figure_must_be_a_route() -> None:
    text = GOOD.replace(
        'geometry = { route = ["hakodate-airport", "hyakuri"] }', 'geometry = { point = "hyakuri" }'
    )
    with pytest.raises(CatalogError, match="flight: item 'c5a-airlift' is not a route item"):
        parse_catalog(text + '\n[figures]\nflight = "c5a-airlift"\n')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _bad('layer = "c5a_route"', 'layer = ["c5a_route"]'),
            f"{ITEM}: layer must be an id in quotes, got ['c5a_route']",
        ),
        (
            _bad('sources = ["article"]', 'sources = [["article"]]'),
            f"{ITEM}: sources must be an id in quotes, got ['article']",
        ),
        (
            _bad('id = "c5a-airlift"', 'id = ["c5a-airlift"]'),
            "catalog.toml: item #1: id is missing or empty",
        ),
    ],
)
def test_a_list_where_an_id_belongs_gets_a_message_not_a_crash(text: str, message: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    assert str(caught.value) == message


STAYS = """
[[mig25]]
start = 1976-09-01T00:00:00+09:00
end = 1976-09-25T00:00:00+09:00
place = "hakodate-airport"
status = "At Hakodate"
certainty = "documented"
sources = ["article"]

[[mig25]]
start = 1976-09-25T00:00:00+09:00
end = 1976-11-30T23:59:59+09:00
place = "hyakuri"
status = "At Hyakuri"
certainty = "documented"
sources = ["article"]
"""


def test_stays_that_meet_and_cover_the_period_load() -> None:
    catalog = parse_catalog(GOOD + STAYS)
    assert [stay.place for stay in catalog.mig25] == ["hakodate-airport", "hyakuri"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "start = 1976-09-25T00:00:00+09:00\nend = 1976-11-30",
            "start = 1976-10-01T00:00:00+09:00\nend = 1976-11-30",
            "catalog.toml: mig25 stay #2: starts 1976-10-01T00:00:00+09:00 but stay #1 ends "
            "1976-09-25T00:00:00+09:00 (a gap: stays must meet end to start)",
        ),
        (
            "start = 1976-09-25T00:00:00+09:00\nend = 1976-11-30",
            "start = 1976-09-20T00:00:00+09:00\nend = 1976-11-30",
            "catalog.toml: mig25 stay #2: starts 1976-09-20T00:00:00+09:00 but stay #1 ends "
            "1976-09-25T00:00:00+09:00 (an overlap: stays must meet end to start)",
        ),
        (
            "start = 1976-09-01T00:00:00+09:00\nend = 1976-09-25",
            "start = 1976-09-02T00:00:00+09:00\nend = 1976-09-25",
            "catalog.toml: mig25 stay #1: the first stay starts 1976-09-02T00:00:00+09:00, "
            "after the period begins (1976-09-01T00:00:00+09:00)",
        ),
        (
            "end = 1976-11-30T23:59:59+09:00",
            "end = 1976-11-15T00:00:00+09:00",
            "catalog.toml: mig25 stay #2: the last stay ends 1976-11-15T00:00:00+09:00, "
            "before the period ends (1976-11-30T23:59:59+09:00)",
        ),
        (
            'place = "hyakuri"',
            'place = ["hyakuri"]',
            "catalog.toml: mig25 stay #2: place must be an id in quotes, got ['hyakuri']",
        ),
    ],
)
def test_stays_must_cover_the_period_without_gaps_or_overlaps(
    old: str, new: str, message: str
) -> None:
    assert old in STAYS
    with pytest.raises(CatalogError) as caught:
        parse_catalog(GOOD + STAYS.replace(old, new, 1))
    assert str(caught.value) == message
