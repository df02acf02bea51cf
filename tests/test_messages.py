"""Values echoed in messages: escaped, shortened, and no server folders on a public page."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.messages import one_line, quoted, shown_path, without_directories


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1976-09-06", "'1976-09-06'"),
        ("a\nb", r"'a\nb'"),
        ("\x1b[31mred", r"'\x1b[31mred'"),
        ("x" * 100, "'" + "x" * 38 + "…" + "x" * 19 + "'"),
    ],
)
def test_quoted(value: str, expected: str) -> None:
    assert quoted(value) == expected
    assert len(quoted(value)) <= 60


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/tmp/x.csv", "/tmp/x.csv"),
        (Path("/tmp/x y.csv"), "/tmp/x y.csv"),
        ("/tmp/a\nb.csv", r"'/tmp/a\nb.csv'"),
        (" lead.csv", "' lead.csv'"),
    ],
)
def test_shown_path_quotes_only_what_needs_it(path, expected: str) -> None:
    assert shown_path(path) == expected


def test_a_long_path_keeps_its_end() -> None:
    shown = shown_path("/data/" + "deep/" * 1000 + "x.csv")
    assert len(shown) == 120 and shown.startswith("/data/deep/") and shown.endswith("/x.csv")


def test_one_line_escapes_line_breaks_and_caps_length() -> None:
    assert one_line("a\nb\r\tc\u2028d") == r"a\nb\r\tc\u2028d"
    assert len(one_line("z" * 10_000)) == 400


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "/srv/app/geo/data/catalog.toml: cannot read the catalog: No such file",
            "catalog.toml: cannot read the catalog: No such file",
        ),
        (
            "catalog.toml: item 'x': end is before start",
            "catalog.toml: item 'x': end is before start",
        ),
        ("see https://example.org/a/b.html", "see https://example.org/a/b.html"),
        ("dates 1976-09-01..1976-11-30 and 1/2", "dates 1976-09-01..1976-11-30 and 1/2"),
    ],
)
def test_without_directories(message: str, expected: str) -> None:
    assert without_directories(message) == expected


def test_limits_below_eight_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^limit must be at least 8, not 3$"):
        quoted("abc", limit=3)
