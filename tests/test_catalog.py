"""Tests for geo.catalog: the packaged catalog loads; each bad record gets one clear message."""

import re
from pathlib import Path

import pytest
from support import found

from geo.catalog import CATALOG_PATH, CatalogError, load_catalog, parse_catalog
from geo.timing import JST

GOOD = """
[sources.article]
author = "Wikipedia contributors"
title = "An article"
url = "https://en.wikipedia.org/wiki/An_article"
consulted = 2026-11-30
licence = "CC BY-SA 4.0"

[sources.airportsdata]
publisher = "Python Package Index"
title = "airportsdata"
url = "https://pypi.org/project/airportsdata/"
consulted = 2026-11-30

[layers.c5a_route]
title = "C-5A"
[layers.c5a_route.style]
color = "#1a9850"
fill_color = "#91cf60"
weight = 4
fill_opacity = 0.0
radius = 6
marker = "circle"

[places.hakodate-airport]
name = "Hakodate Airport"
kind = "airport"
icao = "RJCH"
names = { ja = "函館空港" }
names_sources = ['article']

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
    assert catalog.citations(item.sources) == (
        "Wikipedia contributors, \u201cAn article\u201d, "
        "https://en.wikipedia.org/wiki/An_article (consulted 2026-11-30)"
    )
    assert catalog.layers["c5a_route"].style["dash_array"] is None
    # The article backs the whole item, so it is not repeated for the place's names or position.
    assert catalog.item_sources(item) == ("article", "position: airportsdata")


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
            "(known: article, airportsdata)",
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
        (_bad("[layers.c5a_route]\n", "[layers.c5a_route\n"), "catalog.toml: not valid TOML"),
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
    datasets = {"airportsdata", "geonames"}
    for layer in catalog.layers:
        assert any(item.layer == layer for item in catalog.items), layer
    for item in catalog.items:
        # A dataset places a point; the claim itself needs a publication.
        assert set(item.sources) - datasets, f"{item.id} cites no publication"


@pytest.mark.parametrize(
    ("item_id", "figure"),
    [
        ("gsdf-deployment", "Type 61"),
        ("gsdf-deployment", "28th Infantry Regiment"),
        ("landing", "30 seconds"),
        ("landing", "2,000 m"),
        ("f4ej-scramble", "302nd"),
        ("msdf-ships-sea-of-japan", "three"),
        ("examination", "nuvistor"),
        ("soviet-inspection-hitachi", "20 parts"),
        ("shipped-from-hitachi", "US$40,000"),
        ("shipped-from-hitachi", "US$10 million"),
        ("shipped-from-hitachi", "Taigonos"),
        ("crates-to-hitachi", "72 km"),
    ],
)
def test_figures_of_the_sources_are_carried_over(item_id: str, figure: str) -> None:
    assert figure in load_catalog().item(item_id).description


@pytest.mark.parametrize(
    ("item_id", "claim"),
    [
        ("landing", "13:54"),
        ("landing", "13:57"),
        ("circling-hakodate", "three times"),
        ("circling-hakodate", "twice"),
        ("c5a-airlift", "F-104J"),
        ("c5a-airlift", "F-4 Phantoms"),
        ("gsdf-deployment", "200 troops"),
        ("examination", "40 crates"),
        ("examination", "13 crates"),
        ("shipped-from-hitachi", "14 November"),
    ],
)
def test_where_accounts_differ_both_claims_are_recorded(item_id: str, claim: str) -> None:
    item = load_catalog().item(item_id)
    (alternative,) = [alt for alt in item.alternatives if claim in alt.claim]
    assert alternative.sources


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


SOURCE = "catalog.toml: source 'article'"
LAYER = "catalog.toml: layer 'c5a_route'"
PLACE = "catalog.toml: place 'hakodate-airport'"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('title = "An article"\n', "", f"{SOURCE}: title is missing"),
        ('author = "Wikipedia contributors"\n', "", f"{SOURCE}: needs an author or a publisher"),
        (
            'url = "https://en.wikipedia.org/wiki/An_article"\n',
            'url = "notes/article.txt"\n',
            f"{SOURCE}: url 'notes/article.txt' is not an http(s) address",
        ),
        (
            'url = "https://en.wikipedia.org/wiki/An_article"\nconsulted = 2026-11-30\n',
            "",
            f"{SOURCE}: needs a url, or a publisher and a published date to find it by",
        ),
        (
            "consulted = 2026-11-30\nlicence",
            "licence",
            f"{SOURCE}: consulted is missing: give the day the URL was read",
        ),
        ('title = "An article"', 'title = "An; article"', f"{SOURCE}: title may not contain"),
        ('title = "An article"', 'citation = "x"\ntitle = "An article"', f"{SOURCE}: unknown"),
        ("[layers.c5a_route]\n", "[layer.c5a_route]\n", "catalog.toml: unknown table(s) layer"),
        ("[[items]]", "[[item]]", "catalog.toml: unknown table(s) item"),
        ('color = "#1a9850"', 'color = "red"', f"{LAYER}: style.color must be a colour"),
        ("weight = 4", "weight = 400", f"{LAYER}: style.weight must be a number from 0 to 20"),
        ('marker = "circle"', 'marker = "star"', f"{LAYER}: style.marker must be one of"),
        ("radius = 6", "radius = 6\ndash = 1", f"{LAYER}: style: unknown field(s) dash"),
        ('title = "C-5A"\n', "", f"{LAYER}: title is empty or not text"),
        ('kind = "airport"', 'kind = "airport"\nelevation = 5', f"{PLACE}: unknown field(s)"),
        (
            'names = { ja = "函館空港" }',
            'names = { de = "Flughafen" }',
            f"{PLACE}: names: unknown field(s) de",
        ),
        ("names_sources = ['article']\n", "", f"{PLACE}: names need names_sources"),
        (
            "names_sources = ['article']",
            "names_sources = ['position: article']",
            None,
        ),
        (
            "names_sources = ['article']",
            "names_sources = ['colour: article']",
            f"{PLACE}: names_sources: 'colour: article': the part before ': ' must be one of",
        ),
        (
            'certainty = "documented"',
            'certainty = "documented"\nalternatives = [{ claim = "Flown north" }]',
            f"{ITEM}: alternative #1: sources is missing",
        ),
        (
            'certainty = "documented"',
            'certainty = "documented"\nalternatives = [{ claim = "x", sources = ["nope"] }]',
            f"{ITEM}: alternative #1: sources: unknown source 'nope'",
        ),
        (
            'certainty = "documented"',
            'certainty = "documented"\nalternatives = []',
            f"{ITEM}: alternatives must be a list",
        ),
        (
            'certainty = "documented"',
            'certainty = "documented"\nplace = { en = "Strait", ja = "海峡" }',
            f"{ITEM}: place: sources is missing",
        ),
        (
            'geometry = { route = ["hakodate-airport", "hyakuri"] }',
            'geometry = { buffer = "hyakuri", radius_km = inf }',
            f"{ITEM}: geometry: radius_km must be a number above 0 and at most 500, got inf",
        ),
        (
            'geometry = { route = ["hakodate-airport", "hyakuri"] }',
            'geometry = { circle = "hyakuri", radius_km = 1e9 }',
            f"{ITEM}: geometry: radius_km must be a number above 0 and at most 500",
        ),
        (
            'geometry = { route = ["hakodate-airport", "hyakuri"] }',
            'geometry = { circle = "hyakuri", radius_km = nan }',
            f"{ITEM}: geometry: radius_km must be a number above 0 and at most 500",
        ),
    ],
)
def test_sources_layers_names_and_alternatives_are_checked(
    old: str, new: str, message: str | None
) -> None:
    text = _bad(old, new) + STAYS
    if message is None:
        assert found(parse_catalog(text).places["hakodate-airport"].names).ja == "函館空港"
        return
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_misspelt_stay_field_is_an_error_not_ignored() -> None:
    with pytest.raises(
        CatalogError, match=r"^catalog.toml: mig25 stay #1: unknown field\(s\) pace"
    ):
        parse_catalog(GOOD + STAYS.replace('place = "hakodate-airport"', 'pace = "x"', 1))


def test_a_catalog_that_is_not_utf8_gets_one_line(tmp_path: Path) -> None:
    latin = tmp_path / "mine.toml"
    latin.write_bytes(GOOD.encode("utf-8").replace(b"Airlift", "Luftbrücke".encode("latin-1")))
    with pytest.raises(CatalogError, match=r"^mine\.toml: not UTF-8 text \(byte \d+\)"):
        load_catalog(latin)


def test_an_item_lists_its_place_names_and_alternatives_with_their_sources() -> None:
    text = GOOD.replace(
        'certainty = "documented"',
        'certainty = "documented"\n'
        'alternatives = [{ claim = "Left on 24 Sep", sources = ["airportsdata"] }]',
    )
    catalog = parse_catalog(text)
    item = catalog.item("c5a-airlift")
    assert catalog.alternatives_text(item) == (
        "Left on 24 Sep (Python Package Index, \u201cairportsdata\u201d (n.d.))"
    )
    # A route between two places has no single place to name.
    assert catalog.place_names(item) is None
    assert catalog.item_sources(item) == ("article", "airportsdata")


@pytest.mark.parametrize("field", ["author", "title", "publisher", "url", "note"])
def test_no_packaged_source_is_a_file_path_or_a_project_word(field: str) -> None:
    for source in load_catalog().sources.values():
        value = getattr(source, field).lower()
        for word in ("seeds/", "shared/", ".txt", "foxbat76", "drawn by us"):
            assert word not in value, f"source {source.id}: {field} contains {word!r}"
        assert not re.search(r"\bissue[ -]?#?\d", value), f"source {source.id}: {field}"


def test_every_packaged_item_and_stay_resolves_to_real_references() -> None:
    catalog = load_catalog()
    references = [ref for item in catalog.items for ref in catalog.item_sources(item)]
    references += [ref for stay in catalog.mig25 for ref in stay.sources]
    for reference in references:
        source = catalog.sources[reference.rpartition(": ")[2]]
        assert source.title and (source.author or source.publisher)
        assert (
            source.url.startswith("https://")
            or source.url.startswith("http://")
            or (source.publisher and source.published)
        )
