"""Tests for geo.web: the map client's files and their compaction for the exported page."""

from __future__ import annotations

import pytest

from geo import web


@pytest.mark.parametrize("name", web.WEB_FILES)
def test_read_gives_each_web_file(name):
    assert web.read(name).strip()


@pytest.mark.parametrize("name", ["map.min.js", "../catalog.py", ""])
def test_read_refuses_other_names(name):
    with pytest.raises(ValueError, match=r"name must be one of map\.js"):
        web.read(name)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("    var a = 1;  // one\n", "var a = 1;  // one"),
        ("// a comment\n    // another\nf();\n", "f();"),
        ('var url = "http://x//y";\n', 'var url = "http://x//y";'),
        ("/* head\n * line\n */\n\n\n  go();", "/* head\n* line\n*/\ngo();"),
        ("// uses `backticks` in a comment\nok();", "ok();"),
    ],
)
def test_compact_js_drops_comment_lines_and_indentation_only(code, expected):
    assert web.compact_js(code) == expected


@pytest.mark.parametrize(
    ("code", "error", "match"),
    [
        ("var s = `a\n  b`;", ValueError, "template literal or a line continuation"),
        ('var s = "a \\\n  b";', ValueError, "template literal or a line continuation"),
        (b"f();", TypeError, "code must be a str, got bytes"),
    ],
)
def test_compact_js_refuses_code_it_could_break(code, error, match):
    with pytest.raises(error, match=match):
        web.compact_js(code)


def test_the_client_inlined_in_a_page_is_a_third_smaller():
    # (The exported page's browser tests run the compacted client.)
    code = web.read("map.js")
    assert len(web.compact_js(code)) < 0.75 * len(code)
