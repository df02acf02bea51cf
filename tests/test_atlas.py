"""The PDF atlas: a page per day with a new event, its text (Japanese, Russian too) read back."""

from __future__ import annotations

from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import pypdf
import pytest
from shapely.geometry import Point

import layers
from geo.export import ExportError, PictureRequest, export_picture
from geo.export.atlas import day_events, wrap
from geo.export.still import event_days
from geo.timing import JST


def jst(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(JST)


def frame(rows: list[dict]) -> gpd.GeoDataFrame:
    table = pd.DataFrame(rows)
    table["layer"] = "places"
    table["start"] = [jst(t) for t in table["start"]]
    table["end"] = [jst(t) for t in table["end"]]
    table["certainty"] = "documented"
    for column in ("place", "place_ja", "place_ru", "alternatives"):
        if column not in table:
            table[column] = ""
    columns = ["id", "layer", "name", "place", "place_ja", "place_ru", "start", "end",
               "description", "alternatives", "sources", "certainty"]  # fmt: skip
    return gpd.GeoDataFrame(table[columns], geometry=list(table["geometry"]), crs="EPSG:4326")


FRAMES = {
    "places": frame(
        [
            {"id": "a", "name": "Hakodate Airport (函館空港)", "start": "1976-09-06 13:50",
             "end": "1976-09-25 06:00", "description": "The jet lands & stays <here>.",
             "sources": "Wikipedia: Viktor Belenko; airportsdata",
             "geometry": Point(140.82, 41.77)},
            {"id": "b", "name": "Chuguyevka (Чугуевка)", "start": "1976-09-06 12:50",
             "end": "1976-09-06 12:50", "description": "Take-off.",
             "sources": "Wikipedia: Viktor Belenko", "geometry": Point(133.87, 44.08)},
            {"id": "c", "name": "Hitachi port", "start": "1976-11-15 00:00",
             "end": "1976-11-15 23:59", "description": "Crates leave.",
             "sources": "GeoNames", "geometry": Point(140.65, 36.6)},
        ]
    )
}  # fmt: skip
TITLES = {"places": "Places"}


def test_day_events_are_earliest_first_with_their_sources():
    events = day_events(FRAMES, date(1976, 9, 6), TITLES)
    assert [e.name for e in events] == ["Chuguyevka (Чугуевка)", "Hakodate Airport (函館空港)"]
    assert events[1].sources == ("Wikipedia: Viktor Belenko", "airportsdata")
    assert events[1].layer == "Places"
    assert events[0].when == "6 Sep 1976, 12:50 JST"


def test_the_atlas_has_a_page_per_event_day_with_its_events_and_sources(tmp_path):
    path = export_picture(FRAMES, PictureRequest("pdf"), tmp_path / "atlas.pdf", titles=TITLES)
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "Monday 6 September 1976" in first
    assert "函館空港" in first and "Чугуевка" in first
    assert "The jet lands & stays <here>." in first
    assert "Source: airportsdata" in first
    assert "Hitachi port" not in first
    assert "Monday 15 November 1976" in second and "Hitachi port" in second
    assert "GSHHG" in second  # the attribution on every page


def test_the_atlas_embeds_its_fonts(tmp_path):
    path = export_picture(FRAMES, PictureRequest("pdf"), tmp_path / "atlas.pdf", titles=TITLES)
    reader = pypdf.PdfReader(path)
    fonts = {}
    for page in reader.pages:
        # pypdf types every entry as PdfObject: the test reads the structure the PDF has.
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"]).split("+")[-1]] = "/FontFile2" in descriptor
    assert fonts and all(fonts.values()), fonts
    assert "IPAexGothic" in fonts  # the Japanese came from the packaged font


def test_a_long_day_continues_on_a_second_page(tmp_path):
    many = FRAMES["places"].iloc[[1] * 40].reset_index(drop=True)
    many["id"] = [f"e{n}" for n in range(40)]
    many["description"] = "A long description of what happened. " * 6
    path = export_picture(
        {"places": many}, PictureRequest("pdf"), tmp_path / "atlas.pdf", titles=TITLES
    )
    texts = [page.extract_text() for page in pypdf.PdfReader(path).pages]
    assert len(texts) >= 2
    assert "(continued)" in texts[1]
    assert sum(text.count("Chuguyevka (Чугуевка)") for text in texts) == 40


def test_the_real_story_atlas_has_a_page_per_event_day(tmp_path):
    frames = layers.build_all()
    titles, styles = layers.presentation(list(frames))
    request = PictureRequest("pdf", first=date(1976, 9, 6), last=date(1976, 9, 9))
    path = export_picture(
        frames, request, tmp_path, titles=titles, styles=styles, mig_at=layers.mig25_position
    )
    days = event_days(frames, date(1976, 9, 6), date(1976, 9, 9))
    texts = [page.extract_text() for page in pypdf.PdfReader(path).pages]
    headings = [t.splitlines()[0].removesuffix(" (continued)") for t in texts]
    assert list(dict.fromkeys(headings)) == [f"{d:%A} {d.day} {d:%B %Y}" for d in days]


def test_a_range_without_events_is_refused_and_writes_nothing(tmp_path):
    request = PictureRequest("pdf", first=date(1976, 10, 1), last=date(1976, 10, 5))
    with pytest.raises(ExportError, match=r"^nothing for the atlas: no new event between"):
        export_picture(FRAMES, request, tmp_path, titles=TITLES)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("line", "width", "expected"),
    [
        ("one two three", 7, ["one two", "three"]),
        ("函館空港 and more", 10, ["函館空港", "and more"]),  # a wide character counts twice
        ("x" * 12, 5, ["xxxxx", "xxxxx", "xx"]),
        ("", 10, []),
    ],
)
def test_wrap_by_displayed_width(line, width, expected):
    assert wrap(line, width) == expected
