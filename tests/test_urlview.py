"""The view from a shared URL: good values kept, each bad one ignored with a short notice."""

from __future__ import annotations

from datetime import date, time

import pytest

from geo.urlview import UrlView, address, parse_view, view_params

KNOWN = ("hakodate", "c5a_route")


def layer_ids(text: str) -> list[str]:
    """A stand-in for the layer registry's parser, with the same contract."""
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [layer_id for layer_id in wanted if layer_id not in KNOWN]
    if not wanted or unknown:
        raise ValueError(f"unknown layer {(unknown or [text])[0]!r}")
    return wanted


def test_no_parameters_give_the_default_view() -> None:
    assert parse_view({}, layer_ids) == UrlView(date(1976, 9, 6), time(15, 0), None, [])


def test_good_parameters_are_kept() -> None:
    view = parse_view({"date": "1976-09-06", "layers": "hakodate", "time": "13:20"}, layer_ids)
    assert (view.day, view.at, view.layers, view.notices) == (
        date(1976, 9, 6),
        time(13, 20),
        ["hakodate"],
        [],
    )


def test_an_empty_layers_value_switches_every_layer_off() -> None:
    assert parse_view({"layers": " "}, layer_ids).layers == []


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"date": "19760906"}, "Ignored date '19760906': date '19760906' is not a YYYY-MM-DD"),
        ({"date": "1976-W37-1"}, "Ignored date '1976-W37-1': date '1976-W37-1' is not a"),
        ({"date": "1976-11-31"}, "Ignored date '1976-11-31': date 1976-11-31 is not a day"),
        ({"date": "1977-01-01"}, "is outside 1976-09-01..1976-11-30"),
        ({"date": "1976-09-06\n<b>x"}, "Ignored date '1976-09-06\\n<b>x'"),
        ({"layers": "moon"}, "Ignored layers 'moon': unknown layer 'moon'."),
        ({"time": "1320"}, "Ignored time '1320': time '1320' is not HH:MM."),
        ({"time": "25:00"}, "Ignored time '25:00': time 25:00 is not a time of day."),
        ({"time": "13:07"}, "time 13:07 is not a 5-minute step"),
        (
            {"date": "1976-09-25", "time": "13:20"},
            "Ignored time '13:20': a time of day applies only to 6 Sep 1976 (the flight), "
            "not to 1976-09-25.",
        ),
    ],
)
def test_a_bad_value_gives_one_notice_and_the_default(params: dict, notice: str) -> None:
    view = parse_view(params, layer_ids)
    (only,) = view.notices
    assert notice in only and "\n" not in only
    assert view.at == time(15, 0)
    assert view.day == (
        date(1976, 9, 25) if params.get("date") == "1976-09-25" else date(1976, 9, 6)
    )
    assert view.layers is None


def test_a_bad_day_with_a_time_keeps_the_time_for_the_default_day() -> None:
    view = parse_view({"date": "1976-13-01", "time": "13:20"}, layer_ids)
    assert (view.day, view.at, len(view.notices)) == (date(1976, 9, 6), time(13, 20), 1)


@pytest.mark.parametrize("name", ["date", "layers", "time"])
def test_a_huge_value_gives_a_short_notice(name: str) -> None:
    (notice,) = parse_view({name: "x" * 100_000}, layer_ids).notices
    assert len(notice) < 300


def test_a_shared_map_view_is_kept() -> None:
    assert parse_view({"view": "41.77, 140.82,9.5"}, layer_ids).goto == (41.77, 140.82, 9.5)
    assert parse_view({}, layer_ids).goto is None


@pytest.mark.parametrize(
    ("value", "notice"),
    [
        ("41.77,140.82", "Ignored view '41.77,140.82': view '41.77,140.82' is not lat,lon,zoom."),
        ("a,b,c", "Ignored view 'a,b,c': view 'a,b,c' is not three numbers lat,lon,zoom."),
        ("nan,140,9", "Ignored view 'nan,140,9': latitude nan is outside the map's 30..61."),
        ("70,140,9", "Ignored view '70,140,9': latitude 70 is outside the map's 30..61."),
        ("41,160,9", "Ignored view '41,160,9': longitude 160 is outside the map's 125..155."),
        ("41,140,20", "Ignored view '41,140,20': zoom 20 is outside 0..14."),
        ("41,140,-1", "Ignored view '41,140,-1': zoom -1 is outside 0..14."),
    ],
)
def test_a_bad_map_view_gives_one_notice_and_the_story_frame(value: str, notice: str) -> None:
    view = parse_view({"view": value}, layer_ids)
    assert view.notices == [notice]
    assert view.goto is None


def test_the_known_parts_of_a_layers_value_are_kept_and_the_rest_named() -> None:
    view = parse_view({"layers": "hakodate,moon, c5a_route,,mars"}, layer_ids)
    assert view.layers == ["hakodate", "c5a_route"]
    assert view.notices == [
        "Ignored 'moon' in layers: unknown layer 'moon'; showing hakodate, c5a_route.",
        "Ignored 'mars' in layers: unknown layer 'mars'; showing hakodate, c5a_route.",
    ]


def test_a_time_outside_the_replay_says_so() -> None:
    (notice,) = parse_view({"time": "11:00"}, layer_ids).notices
    assert notice == (
        "Ignored time '11:00': time 11:00 is outside 12:00\u201315:00 (the replay of the flight)."
    )


ALL = ("hakodate", "c5a_route")


@pytest.mark.parametrize(
    ("day", "at", "chosen", "view", "query"),
    [
        (date(1976, 9, 25), None, ALL, None, "date=1976-09-25"),
        (date(1976, 9, 6), time(15, 0), ALL, None, "date=1976-09-06"),
        (date(1976, 9, 6), time(13, 20), ["c5a_route"], None,
         "date=1976-09-06&layers=c5a_route&time=13:20"),
        (date(1976, 9, 25), None, ["c5a_route", "hakodate"], None,
         "date=1976-09-25&layers=c5a_route,hakodate"),
        (date(1976, 9, 25), None, [], "41.77,140.82,9",
         "date=1976-09-25&layers=&view=41.77,140.82,9"),
    ],
)  # fmt: skip
def test_the_address_of_a_view_is_readable_and_reads_back_as_that_view(
    day: date, at: time | None, chosen: list[str], view: str | None, query: str
) -> None:
    params = view_params(day, at, chosen, ALL, view)
    assert address(params) == query
    again = parse_view(params, layer_ids)
    assert (again.day, again.notices) == (day, [])
    assert again.at == (at or time(15, 0))
    assert again.layers == (None if list(chosen) == list(ALL) else list(chosen))


def test_the_address_encodes_what_would_break_a_query_string() -> None:
    assert address({"layers": "a&b=c #d"}) == "layers=a%26b%3Dc+%23d"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1976-09-06", None, ALL, None), "day must be a date, got '1976-09-06'"),
        ((date(1976, 9, 6), None, ["moon"], None), "layer_ids has unknown layer 'moon'"),
        ((date(1976, 9, 7), time(13, 20), ALL, None), "at 13:20 is given for 1976-09-07"),
        ((date(1976, 9, 6), None, ALL, "41,160,9"), "longitude 160 is outside the map's"),
    ],
)
def test_a_view_that_no_address_can_name_is_refused(args: tuple, message: str) -> None:
    day, at, chosen, view = args
    with pytest.raises(ValueError, match=message):
        view_params(day, at, chosen, ALL, view)
